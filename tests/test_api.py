"""The library's in-memory entry point as a notebook user meets it: tables named and shaped as
the run folder's files, redacted unless asked otherwise, errors that name parameters."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from pipeline import run_frame
from pipeline.errors import DataError
from pipeline.run_folder import CATALOG, FILE_TABLES, RunResult

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


def _header(path) -> list[str]:
    with open(path, encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def test_file_tables_name_the_catalogue_files():
    files = {name for name in CATALOG.values() if name.endswith(".csv")}
    assert {f"{stem}.csv" for stem in FILE_TABLES} <= files


def test_a_written_runs_tables_have_the_columns_of_its_files(sample_result):
    for stem in FILE_TABLES:
        table = getattr(sample_result, stem)
        assert list(table.columns) == _header(sample_result.out_dir / f"{stem}.csv"), stem


@pytest.fixture(scope="module")
def sample_in_memory():
    from pipeline import load_settings

    settings = load_settings(ROOT / "config" / "pipeline.yaml")
    cfg = settings.pipeline.input
    frame = pd.read_csv(SAMPLE / "survey_round.csv", dtype=str, keep_default_na=False)
    frame.loc[0, cfg.text_columns[0].column] = "Write to jo.bloggs@example.org or 07700 900461."
    return run_frame(frame, text_columns=[t.column for t in cfg.text_columns],
                     id_column=cfg.id_column, group_column=cfg.group_column,
                     score_columns=cfg.score_names, settings=settings)


def test_run_frame_tables_have_the_columns_of_a_run_folders_files(sample_in_memory, sample_result):
    for stem in FILE_TABLES:
        assert list(getattr(sample_in_memory, stem).columns) == \
            _header(sample_result.out_dir / f"{stem}.csv"), stem
    assert len(sample_in_memory.scores) > 0  # the statements were read: score_columns works


def test_run_frame_returns_redacted_text_only_by_default(sample_in_memory):
    assert "raw" not in sample_in_memory.tables
    assert "ingest.comments" not in sample_in_memory.tables
    for name, table in sample_in_memory.tables.items():
        text = table.astype(str).to_csv(index=False)
        assert "jo.bloggs@example.org" not in text, name
        assert "07700 900461" not in text, name


def test_unredacted_text_only_when_asked_for():
    frame = pd.DataFrame({"comment": ["Email jo.bloggs@example.org about the papers.",
                                      "Papers arrive too late to read."]})
    result = run_frame(frame, text_columns=["comment"], unredacted_text=True, stage_tables=True)
    assert "jo.bloggs@example.org" in result.tables["raw"]["comment"].iloc[0]
    assert "jo.bloggs@example.org" not in result.comment_themes.to_csv(index=False)


def test_missing_column_error_names_the_parameter_not_a_flag():
    frame = pd.DataFrame({"answer": ["Papers arrive late."]})
    with pytest.raises(DataError) as raised:
        run_frame(frame, text_columns=["comment"])
    assert "text_columns=[...]" in raised.value.message
    assert "--text-column" not in raised.value.message
    assert "'answer'" in raised.value.message  # what the frame has


def test_text_columns_given_as_a_string_is_refused_with_the_fix():
    from pipeline.errors import ConfigError

    with pytest.raises(ConfigError, match=r"text_columns=\['comment'\]"):
        run_frame(pd.DataFrame({"comment": ["x"]}), text_columns="comment")


def test_an_in_memory_result_has_no_files():
    result = RunResult(out_dir=None, manifest={}, tables={})
    with pytest.raises(DataError, match=r"D009|in memory"):
        result.path("tags")
