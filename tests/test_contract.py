"""One contract suite over every stage, in the spirit of scikit-learn's common checks."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline import runner
from pipeline.errors import StageError
from pipeline.runner import STAGES, call_stage

STAGE_IDS = [stage.NAME for stage in STAGES]


def tables_before(stage, raw, settings) -> dict[str, pd.DataFrame]:
    """Every table the stages before ``stage`` produce from ``raw``."""
    tables: dict[str, pd.DataFrame] = {"raw": raw}
    for earlier in STAGES:
        if earlier is stage:
            return tables
        tables.update(call_stage(earlier, tables, settings))
    raise AssertionError(stage)


def inputs_of(stage, tables) -> dict[str, pd.DataFrame]:
    return {name: tables[name] for name in stage.REQUIRES}


def test_every_stage_declares_its_columns():
    for stage in STAGES:
        assert isinstance(stage.REQUIRES, dict) and isinstance(stage.PRODUCES, dict)
        assert stage.PRODUCES, stage.NAME
        assert callable(stage.run)


@pytest.mark.parametrize("stage", STAGES, ids=STAGE_IDS)
def test_input_unchanged(stage, raw, settings):
    tables = inputs_of(stage, tables_before(stage, raw, settings))
    copies = {name: frame.copy(deep=True) for name, frame in tables.items()}
    call_stage(stage, tables, settings)
    for name, frame in tables.items():
        pd.testing.assert_frame_equal(frame, copies[name])


@pytest.mark.parametrize("stage", STAGES, ids=STAGE_IDS)
def test_declared_columns_present(stage, raw, settings):
    produced = call_stage(stage, inputs_of(stage, tables_before(stage, raw, settings)), settings)
    for name, columns in stage.PRODUCES.items():
        assert name in produced
        assert set(columns) <= set(produced[name].columns), (name, columns)


@pytest.mark.parametrize("stage", STAGES, ids=STAGE_IDS)
def test_comment_ids_kept(stage, raw, settings):
    before = tables_before(stage, raw, settings)
    produced = call_stage(stage, inputs_of(stage, before), settings)
    known = set(before["comments"]["comment_id"]) if "comments" in before else None
    if known is not None and "dropped" in before:
        known |= set(before["dropped"]["comment_id"])
    for name, frame in produced.items():
        if "comment_id" not in frame.columns or known is None:
            continue
        assert set(frame["comment_id"]) <= known, name
    if stage.NAME == "clean":
        out = set(produced["comments"]["comment_id"]) | set(produced["dropped"]["comment_id"])
        assert out == known and len(produced["comments"]) + len(produced["dropped"]) == len(known)
    if stage.NAME == "ingest":
        assert produced["comments"]["comment_id"].is_unique
        assert len(produced["comments"]) == 2 * len(raw)


@pytest.mark.parametrize("stage", STAGES, ids=STAGE_IDS)
def test_empty_input(stage, raw, settings):
    tables = tables_before(stage, raw, settings)
    empty = {name: frame.iloc[0:0] for name, frame in inputs_of(stage, tables).items()}
    produced = call_stage(stage, empty, settings)
    for name, frame in produced.items():
        if stage.NAME == "recommend" and name == "recommendations":
            # every configured theme is still listed, as not raised this round
            assert list(frame["status"].unique()) == ["not_raised"]
            assert len(frame) == len(settings.themes.themes)
            continue
        if stage.NAME == "discover" and name == "clusters":
            # one row saying why discovery found nothing, which the report shows
            assert list(frame["method"]) == ["skipped"]
            assert frame["reason"].iat[0].startswith("discovery found nothing: ")
            continue
        assert len(frame) == 0, name


@pytest.mark.parametrize("stage", STAGES, ids=STAGE_IDS)
def test_same_output_twice(stage, raw, settings):
    tables = inputs_of(stage, tables_before(stage, raw, settings))
    first = call_stage(stage, tables, settings)
    second = call_stage(stage, tables, settings)
    for name in first:
        pd.testing.assert_frame_equal(first[name], second[name])


@pytest.mark.parametrize("stage", [s for s in STAGES if any(s.REQUIRES.values())],
                         ids=[s.NAME for s in STAGES if any(s.REQUIRES.values())])
def test_missing_column_is_a_clear_error(stage, raw, settings):
    tables = inputs_of(stage, tables_before(stage, raw, settings))
    table, columns = next((t, c) for t, c in stage.REQUIRES.items() if c)
    column = columns[-1]
    broken = {**tables, table: tables[table].drop(columns=[column])}
    with pytest.raises(StageError) as caught:
        call_stage(stage, broken, settings)
    assert caught.value.code == "S001"
    assert f"stage '{stage.NAME}' needs '{table}' columns '{column}'" in str(caught.value)


def test_runner_lists_every_stage_once():
    assert [s.NAME for s in runner.STAGES] == ["ingest", "clean", "tag", "discover", "recommend",
                                                "report"]


ROW_WISE = [s for s in STAGES if s.NAME in ("ingest", "clean", "tag")]


@pytest.mark.parametrize("stage", ROW_WISE, ids=[s.NAME for s in ROW_WISE])
def test_row_wise_stages_run_the_same_on_partitions(stage, raw, settings):
    """Ingest, clean and tag are pure per partition (split by respondent), as Dask needs."""
    tables = inputs_of(stage, tables_before(stage, raw, settings))
    whole = call_stage(stage, tables, settings)
    key = "respondent_id" if "respondent_id" in next(iter(tables.values())) else "comment_id"
    table_name = next(iter(tables))
    ids = tables[table_name][key].astype(str)
    halves = [ids.map(lambda v: v[-1] in "13579"), ~ids.map(lambda v: v[-1] in "13579")]
    assert all(h.any() for h in halves)
    parts = [call_stage(stage, {table_name: tables[table_name][h]}, settings) for h in halves]
    for name, frame in whole.items():
        joined = pd.concat([p[name] for p in parts], ignore_index=True)
        sort_by = [c for c in ("comment_id", "sentence_id", "theme_id", "start", "method",
                               "respondent_id") if c in frame.columns]
        pd.testing.assert_frame_equal(
            joined.sort_values(sort_by).reset_index(drop=True),
            frame.sort_values(sort_by).reset_index(drop=True), check_dtype=False)
