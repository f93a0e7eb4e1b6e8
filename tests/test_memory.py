"""What a run holds (issue 14 item 4): ``pipeline.run`` lets each stage's working tables go
once no later stage needs them and returns only its outputs' tables; the stages' large
tables hold their text in pandas' own string dtype, not as Python objects."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.io.dtypes import TEXT
from pipeline.run_folder import OUTPUT_TABLES, output_tables
from tests.conftest import ROOT, SAMPLE


def test_a_written_run_returns_its_outputs_tables_only(sample_result) -> None:
    assert set(sample_result.tables) == set(OUTPUT_TABLES) | {
        f"{stage}.{name}" for stage, name in (("tag", "tags"), ("discover", "clusters"),
                                              ("recommend", "recommendations"),
                                              ("recommend", "quotes"),
                                              ("recommend", "theme_comments"),
                                              ("report", "answers"), ("report", "quote_table"),
                                              ("report", "tag_evidence"),
                                              ("report", "unexplained"),
                                              ("report", "score_summary"),
                                              ("report", "theme_scores"))}
    assert "raw" not in sample_result.tables and "sentences" not in sample_result.tables
    assert "ingest.comments" in output_tables(keep_raw=True)


def test_the_export_is_let_go_once_ingest_has_read_it() -> None:
    from pipeline import run_settings, runner

    raw = pd.read_csv(SAMPLE / "survey_round.csv", dtype=str, keep_default_na=False)
    raw = raw.assign(_row=range(2, len(raw) + 2), _source="survey_round.csv")
    settings = run_settings.load_settings(ROOT / "config" / "pipeline.yaml")
    tables = {"raw": raw}
    seen: dict[str, set[str]] = {}
    runner.run_stages(tables, settings, progress=lambda name, n, total: seen.setdefault(
        name, set(tables)), keep=output_tables(False))
    assert "raw" in seen["ingest"]
    assert "raw" not in seen["clean"]  # gone as soon as ingest finished
    assert "ingest.comments" not in seen["tag"]  # clean's answers replaced ingest's
    assert "sentences" in seen["report"]  # still needed by report
    assert "sentences" not in tables and "raw" not in tables  # let go at the end
    assert set(OUTPUT_TABLES) <= set(tables)


@pytest.mark.skipif(TEXT is object, reason="pandas 2 keeps text as objects")
def test_large_tables_hold_text_as_pandas_strings(sample_every_table) -> None:
    for name, column in (("ingest.comments", "text"), ("sentences", "text"),
                         ("sentences", "comment_id"), ("theme_comments", "text"),
                         ("answers", "comment_id")):
        assert sample_every_table[name][column].dtype == TEXT, (name, column)
