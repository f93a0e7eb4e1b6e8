"""`theming quotes`: filtered quote tables from a finished run, and its errors."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from typer.testing import CliRunner

from pipeline import runner
from pipeline.cli import app
from tests.conftest import ROOT, SAMPLE

CLI = CliRunner()


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    settings = runner.load_settings(ROOT / "config" / "pipeline.yaml",
                                    ROOT / "config" / "themes.yaml", text_columns=["comment"],
                                    id_column="id", group_column="team")
    out = tmp_path_factory.mktemp("tiny") / "run"
    runner.run([SAMPLE / "tiny_round.csv"], settings, out)
    return out


def invoke(*args):
    return CLI.invoke(app, ["quotes", *map(str, args)])


def test_csv_to_stdout_filtered_by_theme_and_group(run_dir):
    result = invoke(run_dir, "--theme", "communications", "--group", "Employer side")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(io.StringIO(result.stdout), keep_default_na=False)
    assert len(table) and set(table["theme"]) == {"communications"}
    assert set(table["group"]) == {"Employer side"}


def test_repeated_options_and_markdown(run_dir):
    result = invoke(run_dir, "--theme", "communications", "--theme", "ministerial_presence",
                    "--format", "md")
    assert result.exit_code == 0
    assert "## Communications to members" in result.stdout
    assert "## Ministerial presence" in result.stdout and "> “" in result.stdout


@pytest.mark.parametrize("fmt", ["xlsx", "docx", "csv", "md"])
def test_every_format_to_a_file(run_dir, tmp_path, fmt):
    target = tmp_path / f"quotes.{fmt}"
    result = invoke(run_dir, "--format", fmt, "-o", target)
    assert result.exit_code == 0, result.output
    data = target.read_bytes()
    assert data[:2] == b"PK" if fmt in ("xlsx", "docx") else data.strip()


def test_not_a_run_folder(tmp_path):
    result = invoke(tmp_path)
    assert result.exit_code == 1
    assert f"Error [D030]: {tmp_path}: not a run folder (no manifest.json)" in result.output


def test_unknown_theme_suggests_the_closest(run_dir):
    result = invoke(run_dir, "--theme", "comunications")
    assert result.exit_code == 1
    assert ("Error [D031]: unknown theme 'comunications' (did you mean 'communications'?)"
            in result.output)


def test_unknown_group_lists_the_groups(run_dir):
    result = invoke(run_dir, "--group", "Employers")
    assert result.exit_code == 1
    assert "Error [D031]: unknown group 'Employers'" in result.output
    assert "'Employer side'" in result.output


def test_binary_format_needs_a_file(run_dir):
    result = invoke(run_dir, "--format", "docx")
    assert result.exit_code == 1 and "Error [D033]" in result.output


def test_unknown_format(run_dir):
    result = invoke(run_dir, "--format", "pdf")
    assert result.exit_code == 1 and "Error [D032]: unknown format 'pdf'" in result.output
