"""Shared fixtures: small in-memory frames and the shipped configs."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import settings as hypothesis_settings

from pipeline.config.models import Settings, load_pipeline, load_themes

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
# A run stamps its manifest and machine tags with its start time; the runner takes it from
# SOURCE_DATE_EPOCH (the reproducible-builds convention) when set, so two runs of the same
# inputs in these tests can be compared byte for byte (2026-09-01T00:00:00Z).
os.environ.setdefault("SOURCE_DATE_EPOCH", "1788220800")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

# CI must be repeatable: there hypothesis draws the same examples every run; locally it explores.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings(pipeline=load_pipeline(ROOT / "config" / "pipeline.yaml"),
                    themes=load_themes(ROOT / "config" / "themes.yaml"))


def raw_frame(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    """A raw export with the shipped config's columns: (id, group, why, other)."""
    frame = pd.DataFrame(rows, columns=["respondent_id", "organisation_type", "why_scores",
                                        "other_comments"])
    for column in ("s1_early_engagement", "s2_employer_representation", "s3_ics_growth",
                   "s4_communications", "s5_ministerial_presence"):
        frame[column] = "3"
    return frame.assign(_source="test.csv", _row=range(2, len(frame) + 2))


RAW_ROWS = [
    ("R1", "NHS trade union", "We were told after the decision was made. Engage us earlier.",
     "The minister should attend more often."),
    ("R2", "NHS Employers", "We need more employers at the table.", "N/A"),
    ("R3", "NHS trust or ICB", "Integrated care systems are not represented.",
     "Email me at a.person@example.org about the newsletter."),
    ("R4", "National body", "", "Meeting papers arrive far too late to read."),
    ("R5", "NHS trade union", "Papers for meetings arrive late again.", "No comment"),
    ("R6", "Other", "The papers are sent out the night before.", "Call 07700 900123 please."),
    ("R2", "NHS Employers", "We need more employers at the table.", "N/A"),
]


@pytest.fixture()
def raw() -> pd.DataFrame:
    return raw_frame(RAW_ROWS)


# One run of the sample round for the whole session (a run takes ~20 s): tests that only read
# its outputs share it. ``sample_run_again`` is a second run, through the CLI, for the
# same-output-twice checks.
@pytest.fixture(scope="session")
def sample_result(tmp_path_factory):
    from pipeline import load_settings, run

    settings = load_settings(ROOT / "config" / "pipeline.yaml")
    return run([SAMPLE / "survey_round.csv"], settings,
               tmp_path_factory.mktemp("sample") / "run")


@pytest.fixture(scope="session")
def sample_every_table():
    """The sample round run in memory (``run_frame``): every stage's tables (``pipeline.run``
    returns only its outputs' tables)."""
    from pipeline import load_settings, run_frame

    settings = load_settings(ROOT / "config" / "pipeline.yaml")
    cfg = settings.pipeline.input
    frame = pd.read_csv(SAMPLE / "survey_round.csv", dtype=str, keep_default_na=False)
    return run_frame(frame, text_columns=[t.column for t in cfg.text_columns],
                     id_column=cfg.id_column, group_column=cfg.group_column,
                     settings=settings, stage_tables=True, unredacted_text=True).tables


@pytest.fixture(scope="session")
def sample_run(sample_result) -> Path:
    return sample_result.out_dir


@pytest.fixture(scope="session")
def sample_run_again(tmp_path_factory) -> Path:
    from typer.testing import CliRunner

    from pipeline.cli import app

    out = tmp_path_factory.mktemp("sample_again") / "run"
    result = CliRunner().invoke(app, [
        "run", str(SAMPLE / "survey_round.csv"), "--out", str(out), "--quiet",
        "--config", str(ROOT / "config" / "pipeline.yaml")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def made_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The review tests' small finished run, made once per test module (the slow part)."""
    from review_helpers import make_run

    return make_run(tmp_path_factory.mktemp("made") / "project")


@pytest.fixture()
def run_dir(made_run: Path, tmp_path: Path) -> Path:
    """A fresh copy of the module's review run for one test to write to (test_quotes_cli
    has a run_dir of its own)."""
    from review_helpers import copy_run

    return copy_run(made_run, tmp_path / "project")
