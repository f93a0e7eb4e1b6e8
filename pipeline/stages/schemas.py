"""Column names of every table that passes between stages, in one place.

``comment_id`` travels through every table so each number can be traced to its comments.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from pipeline.errors import StageError

# ingest
COMMENTS = ("comment_id", "respondent_id", "group", "question", "text", "source", "row")
RESPONDENTS = ("respondent_id", "group")  # plus one column per configured score
# clean
CLEAN_COMMENTS = COMMENTS + ("redactions",)
SENTENCES = (
    "sentence_id", "comment_id", "respondent_id", "group", "question",
    "sentence_index", "start", "end", "text",
)
DROPPED = ("comment_id", "respondent_id", "group", "question", "text", "source", "row",
           "drop_reason")
# tag
TAGS = ("comment_id", "sentence_id", "theme_id", "method", "score", "evidence", "start", "end",
        "runner_up", "margin")
# who made each tag: "machine" (or a reviewer, in tags.csv), the theme config's short hash, and
# when (a machine tag: the run's start time, one for the whole run, as manifest.json records it)
PROVENANCE = ("assigned_by", "config_version", "assigned_at")
COMMENT_THEMES = ("comment_id", "theme_id", "score", "methods", "n_sentences", "evidence")
ROLLUP = "rollup"  # the method of a parent theme's row carried by its sub-themes' tags
# discover
SENTENCE_CLUSTERS = ("sentence_id", "comment_id", "cluster_id", "on_topic")
CLUSTERS = ("cluster_id", "label", "keywords", "n_sentences", "n_comments", "n_respondents",
            "status", "theme_id", "overlap", "similarity", "coherence", "tagged_share", "reason",
            "examples", "method")
# recommend
RECOMMENDATIONS = ("rank", "key", "kind", "label", "owner", "action", "text", "status",
                   "n_respondents", "n_respondents_total", "n_asking", "n_praising",
                   "support_by_group", "evidence_line", "note", "ask_phrases", "action_asked")
QUOTES = ("key", "label", "quote_rank", "quote", "stance", "layer", "comment_id", "respondent_id",
          "group", "question")
THEME_COMMENTS = ("theme", "label", "comment_id", "respondent_id", "group", "question", "stance",
                  "layer", "text")  # plus one column per configured score


def check_columns(stage: str, tables: Mapping[str, pd.DataFrame],
                  spec: Mapping[str, tuple[str, ...] | frozenset[str]], *, produced: bool) -> None:
    """Raise StageError naming every table or column in ``spec`` that ``tables`` lacks."""
    missing: list[str] = []
    for name, columns in spec.items():
        if name not in tables:
            missing.append(f"table '{name}'")
            continue
        absent = [c for c in columns if c not in tables[name].columns]
        if absent:
            missing.append(f"'{name}' columns {', '.join(repr(c) for c in absent)}")
    if not missing:
        return
    if produced:
        raise StageError(
            f"stage '{stage}' did not produce {'; '.join(missing)}; this is a bug, please "
            "report it with the run's manifest.json",
            code="S002",
        )
    raise StageError(
        f"stage '{stage}' needs {'; '.join(missing)}; run the earlier stages first "
        "(or check the artifacts of the run you are resuming)",
        code="S001",
    )


def empty(columns: tuple[str, ...]) -> pd.DataFrame:
    """An empty table with the given columns."""
    return pd.DataFrame({column: pd.Series(dtype=object) for column in columns})


def call_stage(stage, tables: Mapping[str, pd.DataFrame], settings,
               **options) -> dict[str, pd.DataFrame]:
    """Run one stage, checking its REQUIRES on the way in and its PRODUCES on the way out;
    ``options`` go to the stage's ``run`` (e.g. discover's ``assign_rest``)."""
    check_columns(stage.NAME, tables, stage.REQUIRES, produced=False)
    produced = stage.run(tables, settings, **options)
    check_columns(stage.NAME, produced, stage.PRODUCES, produced=True)
    return produced
