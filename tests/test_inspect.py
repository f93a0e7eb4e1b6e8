"""theming inspect: the input: section proposed from an export's answers, not its names."""

from __future__ import annotations

import pandas as pd
import yaml
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config.inspect_input import propose_input
from pipeline.config.models import load_pipeline
from tests.conftest import SAMPLE
from tests.small_round import STATEMENTS, round_frame


def test_inspect_proposes_the_sample_columns():
    result = CliRunner().invoke(app, ["inspect", str(SAMPLE / "survey_round.csv")])
    assert result.exit_code == 0, result.output
    proposed = yaml.safe_load(result.output)["input"]
    assert proposed["id_column"] == "respondent_id"
    assert proposed["group_column"] == "organisation_type"
    assert [t["column"] for t in proposed["text_columns"]] == ["why_scores", "other_comments"]
    assert [s["column"] for s in proposed["score_columns"]] == [
        "s1_early_engagement", "s2_employer_representation", "s3_ics_growth",
        "s4_communications", "s5_ministerial_presence"]
    assert {s["scale"] for s in proposed["score_columns"]} == {"agreement"}


def test_inspect_judges_columns_by_their_answers_when_names_say_nothing():
    frame = round_frame()
    shuffled = frame[list(reversed(frame.columns))]
    renamed = dict(zip(shuffled.columns, [f"col{i}" for i in range(len(frame.columns))],
                       strict=True))
    proposed = propose_input(shuffled.rename(columns=renamed), load_pipeline(None).scales)
    back = {new: old for old, new in renamed.items()}
    assert back[proposed["id_column"]] == "Respondent"
    assert back[proposed["group_column"]] == "Member type"
    assert sorted(back[t["column"]] for t in proposed["text_columns"]) == [
        "What should change", "What works well"]
    assert sorted(back[s["column"]] for s in proposed["score_columns"]) == sorted(STATEMENTS)


def test_dates_are_proposed_as_nothing_and_unique_numbers_as_the_id():
    frame = pd.DataFrame({"when": ["2026-09-08", "2026-09-09", "2026-09-08", "2026-09-10"],
                          "number": ["12", "40", "7", "99"]})
    assert propose_input(frame, load_pipeline(None).scales) == {
        "id_column": "number", "text_columns": [], "score_columns": []}


def test_init_from_an_export_writes_the_proposed_columns_and_keeps_the_comments(tmp_path):
    folder = tmp_path / "forum"
    result = CliRunner().invoke(app, ["init", str(folder), "--from",
                                      str(SAMPLE / "survey_round.csv")])
    assert result.exit_code == 0, result.output
    assert "Columns proposed from" in result.output
    written = folder / "config" / "pipeline.yaml"
    text = written.read_text(encoding="utf-8")
    assert "# The respondent id column" in text  # the packaged comments are kept
    loaded = load_pipeline(written).input
    assert loaded.id_column == "respondent_id" and loaded.group_column == "organisation_type"
    assert [t.column for t in loaded.text_columns] == ["why_scores", "other_comments"]
    assert [s.column for s in loaded.score_columns] == [
        "s1_early_engagement", "s2_employer_representation", "s3_ics_growth",
        "s4_communications", "s5_ministerial_presence"]
    run = CliRunner().invoke(app, ["init", str(tmp_path / "plain")])
    assert load_pipeline(tmp_path / "plain" / "config" / "pipeline.yaml").input.text_columns == []
    assert run.exit_code == 0
