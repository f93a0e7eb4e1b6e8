"""Statements exported as words: read through scales into scores.csv and theme_scores.csv."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from pipeline import run_settings, runner
from pipeline.cli import app
from tests.conftest import ROOT

ROWS = [
    ("T1", "Union side", "We keep being asked for views after the decision is already made.",
     "Strongly disagree", "2 - partly disagree"),
    ("T2", "Employer side", "Please involve us at an early stage, before options are closed.",
     "Partly disagree", "Agree"),
    ("T3", "Union side", "Consult us before decisions, not after.", "Fully disagree",
     "Neither agree nor disagree"),
    ("T4", "Employer side", "The newsletter is really handy for keeping up.", "Partly agree",
     "Strongly agree"),
    ("T5", "Union side", "Agenda papers arrive far too late to prepare properly.",
     "4 - partly agree", "Don't know"),
    ("T6", "Employer side", "Communications about what was agreed rarely reach members.",
     "Fully agree", ""),
]


def export(folder, rows) -> str:
    frame = pd.DataFrame(rows, columns=["id", "team", "comment", "Q1 Early engagement",
                                        "Q2 Communications"])
    path = folder / "labels.csv"
    frame.to_csv(path, index=False)
    return str(path)


@pytest.fixture(scope="module")
def labelled_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("labels")
    settings = run_settings.load_settings(
        ROOT / "config" / "pipeline.yaml", ROOT / "config" / "themes.yaml",
        text_columns=["comment"], id_column="id", group_column="team",
        score_columns=["Q1 Early engagement", "Q2 Communications"])
    runner.run([export(folder, ROWS)], settings, folder / "run")
    return folder / "run"


def test_text_labelled_statements_give_means(labelled_run):
    scores = pd.read_csv(labelled_run / "scores.csv", keep_default_na=False)
    overall = scores[scores["group"] == "All respondents"].set_index("column")
    assert overall.loc["Q1 Early engagement", "statement"] == "Early engagement"
    assert overall.loc["Q1 Early engagement", "n"] == 6
    assert overall.loc["Q1 Early engagement", "mean"] == pytest.approx((1 + 2 + 1 + 4 + 4 + 5) / 6,
                                                                       abs=0.01)
    # "Don't know" and a blank are answers without a score
    assert overall.loc["Q2 Communications", "n"] == 4
    assert overall.loc["Q2 Communications", "mean"] == pytest.approx((2 + 4 + 3 + 5) / 4, abs=0.01)
    # columns given on the command line link to no theme: none is guessed from the name
    assert pd.read_csv(labelled_run / "theme_scores.csv").empty
    text = (labelled_run / "recommendations.md").read_text(encoding="utf-8")
    assert "Q1 Early engagement" not in text and "| Early engagement |" in text
    assert "**Statement:**" not in text and text.count("Not linked to a theme") == 2


def test_an_unmapped_label_stops_the_run_with_the_values_and_the_fix(tmp_path):
    rows = [*ROWS[:2], ("T9", "Union side", "More updates please.", "Sort of", "Agree")]
    path = export(tmp_path, rows)
    result = CliRunner().invoke(app, [
        "run", path, "--out", str(tmp_path / "out"), "--text-column", "comment",
        "--id-column", "id", "--group-column", "team", "--score-column", "Q1 Early engagement",
        "--config", str(ROOT / "config/pipeline.yaml"),
        "--themes", str(ROOT / "config/themes.yaml")])
    assert result.exit_code == 1
    assert result.output == (
        f"Error [D050]: {path}: score column 'Q1 Early engagement' has 1 value(s) the scale "
        "'agreement' does not map: 'Sort of' (row 4). Add each under scales.agreement.values in "
        "pipeline.yaml with its score 1-5 (or null for an answer without a score), or export "
        "numbers 1-5\n")
    assert not (tmp_path / "out").exists()
