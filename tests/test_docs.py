"""The docs stay true: the README is short and points at the site; every command, config field
and output file is documented on the site; the generated command-line page matches the app;
the site builds with `mkdocs build --strict`."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from pipeline.cli import app
from pipeline.config.models import PipelineConfig, Theme
from pipeline.run_folder import CATALOG

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = ROOT / "docs"
SITE = "\n".join(page.read_text(encoding="utf-8") for page in sorted(DOCS.rglob("*.md")))


def _page(relative: str) -> str:
    return (DOCS / relative).read_text(encoding="utf-8")


def _commands(group, prefix=""):
    click_group = typer.main.get_command(group) if not hasattr(group, "commands") else group
    for name, command in sorted(click_group.commands.items()):
        if hasattr(command, "commands"):
            yield from _commands(command, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}"


def _fields(model, prefix=""):
    for name, field in model.model_fields.items():
        inner = field.annotation
        if isinstance(inner, type) and hasattr(inner, "model_fields"):
            yield from _fields(inner, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}"


def _generator():
    spec = importlib.util.spec_from_file_location("gen_cli_reference",
                                                  DOCS / "gen_cli_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readme_is_at_most_200_lines_and_points_at_the_site():
    assert len(README.splitlines()) <= 200
    for needed in ("make run", "make test", "make docs", "## Your own survey in five steps",
                   "## What comes out", "CONTRIBUTING.md", "CHANGELOG.md", "BENCHMARKS.md"):
        assert needed in README, needed


def test_every_command_is_in_the_cli_reference_and_has_an_example_on_the_site():
    commands = list(_commands(app))
    assert "run" in commands and "themes check" in commands
    reference = _page("reference/cli.md")
    for command in commands:
        assert f"## `theming {command}`" in reference, command
        assert f"$ theming {command}" in SITE, f"no example for theming {command} in docs/"


def test_every_pipeline_setting_is_in_the_settings_reference():
    """The settings are documented in docs/reference/settings.md, generated from the models
    (tests/test_settings_reference.py fails when it drifts)."""
    reference = (ROOT / "docs" / "reference" / "settings.md").read_text(encoding="utf-8")
    for path in _fields(PipelineConfig):
        assert f"| `{path}` |" in reference, path


def test_the_committed_cli_reference_is_what_the_generator_writes():
    generator = _generator()
    committed = _page("reference/cli.md")
    assert committed == generator.render(), (
        f"docs/reference/cli.md is out of date with pipeline/cli.py: run "
        f"`{generator.REGENERATE}` and commit the page")


def test_every_theme_key_is_in_the_themes_reference():
    reference = _page("reference/themes-yaml.md")
    for name in Theme.model_fields:
        assert f"| `{name}` |" in reference, name


def test_every_output_file_is_in_the_run_folder_reference_and_the_readme():
    reference = _page("reference/run-folder.md")
    for name in CATALOG.values():
        assert f"| `{name}" in reference, name
    for name in set(CATALOG.values()) - {"raw_comments_UNREDACTED.csv", "quotes.xlsx",
                                          "recommendations.docx", "recommendations.json",
                                          "theme_scores.csv"}:
        assert f"`{name}" in README, name


def test_every_page_of_the_docs_folder_is_in_the_nav():
    mkdocs = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for page in DOCS.rglob("*.md"):
        assert page.relative_to(DOCS).as_posix() in mkdocs, page


@pytest.mark.slow
def test_the_site_builds_with_mkdocs_strict(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, capture_output=True, text=True, check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr[-4000:]
    assert (tmp_path / "site" / "reference" / "cli" / "index.html").is_file()
    # a table without its header row renders as a paragraph of pipes
    broken = [page.relative_to(tmp_path) for page in (tmp_path / "site").rglob("*.html")
              if "<p>|" in page.read_text(encoding="utf-8")]
    assert not broken, broken
