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
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

# CI must be repeatable: there hypothesis draws the same examples every run; locally it explores.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings(pipeline=load_pipeline(ROOT / "config" / "pipeline.yaml"),
                    themes=load_themes(ROOT / "config" / "themes.yaml"),
                    base_dir=str(ROOT / "config"))


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
