"""README stays true: every command, config field and output file is documented."""

from __future__ import annotations

from pathlib import Path

import typer.main

from pipeline.cli import app
from pipeline.config.models import PipelineConfig, Theme
from pipeline.run_folder import CATALOG

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


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


def test_every_command_is_in_the_readme_with_an_example():
    commands = list(_commands(app))
    assert "run" in commands and "themes check" in commands
    for command in commands:
        assert f"`theming {command}" in README, command
        assert f"$ theming {command}" in README, f"no example for theming {command}"


def test_every_pipeline_setting_is_in_the_settings_reference():
    """The settings are documented in docs/reference/settings.md, generated from the models
    (tests/test_settings_reference.py fails when it drifts)."""
    reference = (ROOT / "docs" / "reference" / "settings.md").read_text(encoding="utf-8")
    for path in _fields(PipelineConfig):
        assert f"| `{path}` |" in reference, path


def test_every_theme_key_is_in_the_readme():
    for name in Theme.model_fields:
        assert f"| `{name}` |" in README, name


def test_every_output_file_is_in_the_readme():
    for name in CATALOG.values():
        assert f"`{name}" in README, name
