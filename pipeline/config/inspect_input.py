"""``theming inspect INPUT``: propose the ``input:`` section of pipeline.yaml from an export.

Each column is judged from its answers, never from its name: a column is a scored statement
when every non-blank answer is a number 1-5 or a label one scale maps (the scale mapping most
answers is proposed); the id column when nearly every answer differs (90%: an export may repeat a
respondent) and all are short (one or two words); a group column when a few short answers repeat (2 to 20 distinct, each on average at
least twice); free text when answers average two and a half words or more and mostly differ. Dates and
anything else are left out. The proposal is YAML for the analyst to confirm, not a setting
applied silently. Hand-written: a few counts per column, nothing a library adds.
"""

from __future__ import annotations

import re

import pandas as pd
import yaml

from pipeline.config.scales import UNMAPPED, Scale, column_words, lookup, score_of

DATE = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}([ T]\d{1,2}:\d{2}(:\d{2})?)?$")
MAX_GROUPS = 20
MIN_TEXT_WORDS = 2.5


def _answers(column: pd.Series) -> pd.Series:
    text = column.astype(str).str.strip()
    return text[(text != "") & (text.str.lower() != "nan")]


def scale_of(answers: pd.Series, scales: dict[str, Scale]) -> str | None:
    """The scale that maps every answer (most answers by label first), or None."""
    best, best_labels = None, -1
    for name, scale in scales.items():
        values = lookup(scale.values)
        scored = [score_of(a, values) for a in answers.unique()]
        if any(s is UNMAPPED for s in scored):
            continue
        labels = sum(not re.match(r"^\(?\s*\d", a) for a in answers.unique())
        if labels > best_labels:
            best, best_labels = name, labels
    return best


def kind_of(column: pd.Series, scales: dict[str, Scale]) -> tuple[str, str | None]:
    """('score', scale) | ('id', None) | ('group', None) | ('text', None) | ('other', None)."""
    answers = _answers(column)
    if answers.empty:
        return "other", None
    distinct = answers.nunique()
    words = answers.str.split().str.len()
    if distinct <= 12 and (scale := scale_of(answers, scales)):
        return "score", scale
    if answers.str.match(DATE).mean() > 0.9:
        return "other", None
    if distinct >= 0.9 * len(answers) and words.max() <= 2 and len(answers) > 1:
        return "id", None
    if 2 <= distinct <= MAX_GROUPS and len(answers) >= 2 * distinct and words.mean() <= 6:
        return "group", None
    if words.mean() >= MIN_TEXT_WORDS and distinct >= 0.5 * len(answers):
        return "text", None
    return "other", None


def propose_input(frame: pd.DataFrame, scales: dict[str, Scale]) -> dict:
    """The ``input:`` section for ``frame``: id_column and group_column (the first column of
    each kind; the group with fewest distinct answers), text_columns and score_columns in the
    export's order."""
    kinds = {str(c): kind_of(frame[c], scales) for c in frame.columns
             if not str(c).startswith("_")}  # _source, _row: added by the reader
    ids = [c for c, (k, _) in kinds.items() if k == "id"]
    groups = sorted((c for c, (k, _) in kinds.items() if k == "group"),
                    key=lambda c: _answers(frame[c]).nunique())
    section: dict = {}
    if ids:
        section["id_column"] = ids[0]
    if groups:
        section["group_column"] = groups[0]
    section["text_columns"] = [{"column": c, "question": re.sub(r"[^a-z0-9]+", "_", c.lower())
                                .strip("_") or c} for c, (k, _) in kinds.items() if k == "text"]
    section["score_columns"] = [{"column": c, "statement": column_words(c), "scale": scale}
                                for c, (k, scale) in kinds.items() if k == "score"]
    return section


def render_proposal(section: dict, source: str) -> str:
    """The proposal as YAML with a header saying what to check."""
    header = (f"# Proposed from {source}: check each column, write each statement's words,\n"
              "# add 'theme:' where a statement asks about one theme, then paste into\n"
              "# pipeline.yaml.\n")
    return header + yaml.safe_dump({"input": section}, sort_keys=False, allow_unicode=True,
                                   width=100)
