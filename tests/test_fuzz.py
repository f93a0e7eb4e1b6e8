"""Hypothesis fuzzing of reading, ingest and clean: arbitrary text and bytes never crash,
never lose a row, and cleaning is idempotent."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from cli_helpers import run_cli, write_config
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from pipeline.errors import DataError
from pipeline.io.readers import read_table
from pipeline.stages import clean, ingest
from pipeline.text.normalise import clean_text
from pipeline.text.redact import Redactor

REDACTOR = Redactor(names=("Sarah Whitfield",))
FRAGMENTS = ["Dr Patel", "Sarah Whitfield", "07700 900123", "+44 20 7946 0123", "jo@example.org",
             "https://x.org/a", "@handle", "943 476 5919", "QQ 12 34 56 C", "LS1 4AP", "[NAME]",
             "=1+1", " ", "\n", "\r\n", "\t", "\x00", "\u200b", "é", "é", "donâ€™t", "🙂",
             "N/A", ".", "Mr O'Neill", "3/5", "2026", "£1,200"]
TEXTS = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=20)),
                 max_size=8).map("".join)
FAST = hyp_settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(TEXTS)
def test_clean_text_is_idempotent(text):
    once, _ = clean_text(text, REDACTOR)
    twice, kinds = clean_text(once, REDACTOR)
    assert twice == once
    assert kinds == []


@FAST
@given(st.text())
def test_clean_text_never_crashes_on_any_text(text):
    cleaned, kinds = clean_text(text, REDACTOR)
    assert isinstance(cleaned, str) and all(isinstance(k, str) for k in kinds)


@hyp_settings(max_examples=60, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.text(max_size=6), st.text(max_size=8), TEXTS, TEXTS), max_size=6))
def test_ingest_and_clean_lose_no_row(settings, rows):
    raw = pd.DataFrame(rows, columns=["respondent_id", "organisation_type", "why_scores",
                                      "other_comments"], dtype=object)
    for column in settings.pipeline.input.score_names:
        raw[column] = "3"
    raw = raw.assign(_source="fuzz.csv", _row=range(2, len(raw) + 2))
    comments = ingest.run({"raw": raw}, settings)["comments"]
    assert len(comments) == 2 * len(rows)
    assert comments["comment_id"].is_unique
    cleaned = clean.run({"comments": comments}, settings)
    kept, dropped = cleaned["comments"], cleaned["dropped"]
    assert len(kept) + len(dropped) == len(comments)
    assert set(kept["comment_id"]) | set(dropped["comment_id"]) == set(comments["comment_id"])
    assert set(cleaned["sentences"]["comment_id"]) <= set(kept["comment_id"])


@hyp_settings(max_examples=80, deadline=None)
@given(st.binary(max_size=400), st.sampled_from([".csv", ".tsv", ".jsonl"]))
def test_reader_gives_a_table_or_a_clear_error_on_any_bytes(tmp_path_factory, data, suffix):
    path = Path(tmp_path_factory.mktemp("bytes")) / f"export{suffix}"
    path.write_bytes(data)
    try:
        table = read_table(path)
    except DataError as error:
        assert str(path) in error.message
        return
    assert "_row" in table.frame.columns and "_source" in table.frame.columns


@hyp_settings(max_examples=25, deadline=None)
@given(st.binary(max_size=300))
def test_cli_on_any_bytes_exits_cleanly_and_accounts_for_every_row(tmp_path_factory, data):
    folder = Path(tmp_path_factory.mktemp("cli"))
    export = folder / "round.csv"
    export.write_bytes(b"id,team,comment\n" + data)
    outcome = run_cli([export], write_config(folder), folder / "run")
    assert outcome.exit_code in (0, 1), outcome.stderr
    assert "Traceback" not in outcome.stderr
    if outcome.exit_code == 1:
        assert outcome.error.startswith("Error [D"), outcome.error
        return
    table = read_table(export, wanted=["comment"])
    answers = outcome.answers()
    assert len(answers) == len(table.frame)
    accounting = outcome.manifest()["accounting"]
    assert accounting["kept"] + accounting["dropped"] == len(table.frame)
