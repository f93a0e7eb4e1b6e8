"""Score tables: 1-5 agree/disagree statements by group, and by whether a theme was raised.

Pure functions over the ``respondents`` table from ingest (one column per configured score,
already 1-5 or blank: see ``pipeline.config.scales``). Statements are shown in words.
Every table counts the same people: the round's respondents (see ``answering``).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

SCORE_SUMMARY = ("statement", "column", "group", "n", "mean", "n_1", "n_2", "n_3", "n_4",
                 "n_5")
THEME_SCORES = ("theme_id", "statement", "column", "n_raised", "mean_raised", "n_not_raised",
                "mean_not_raised", "difference", "n_no_score")
ALL_GROUPS = "All respondents"
DENOMINATOR = "respondents who answered at least one question"


def answering(comments: pd.DataFrame, respondents: pd.DataFrame,
              score_columns: Sequence[str]) -> pd.DataFrame:
    """The one denominator: respondents (respondent_id, group, scores) with at least one
    kept free-text answer or at least one score. Every count and share uses these."""
    wrote = respondents["respondent_id"].isin(set(comments["respondent_id"]))
    present = [c for c in score_columns if c in respondents.columns]
    scored = respondents[present].notna().any(axis=1) if present else wrote & False
    found = respondents[wrote | scored]
    # a respondent who wrote but is not in the respondents table (never in a real run)
    missing = comments.loc[~comments["respondent_id"].isin(set(respondents["respondent_id"])),
                           ["respondent_id", "group"]].drop_duplicates("respondent_id")
    return pd.concat([found, missing], ignore_index=True) if len(missing) else \
        found.reset_index(drop=True)


def score_summary(respondents: pd.DataFrame, statements: Sequence[tuple[str, str]]
                  ) -> pd.DataFrame:
    """One row per statement (``(column, words)``) and group (plus all respondents):
    statement words, column, n who gave a score, mean, and how many gave each score 1-5."""
    rows = []
    for column, words in statements:
        if column not in respondents.columns:
            continue
        values = pd.to_numeric(respondents[column], errors="coerce")
        valid = respondents.assign(_score=values.where(values.between(1, 5)))
        valid = valid[valid["_score"].notna()]
        if valid.empty:
            continue
        parts = [(ALL_GROUPS, valid)] + list(valid.groupby("group", sort=True))
        for group, frame in parts:
            scores = frame["_score"].round().astype(int)
            counts = scores.value_counts()
            rows.append({"statement": words, "column": column, "group": str(group),
                         "n": len(frame), "mean": round(float(frame["_score"].mean()), 2),
                         **{f"n_{k}": int(counts.get(k, 0)) for k in range(1, 6)}})
    return pd.DataFrame(rows, columns=list(SCORE_SUMMARY))


def theme_scores(respondents: pd.DataFrame, statements: Sequence[tuple[str, str]],
                 comment_themes: pd.DataFrame, comments: pd.DataFrame,
                 theme_ids: list[str]) -> pd.DataFrame:
    """For each theme and statement: mean score of respondents who raised the theme against
    those who did not; ``n_raised + n_not_raised + n_no_score`` is the denominator."""
    owner = comments.set_index("comment_id")["respondent_id"]
    rows = []
    for theme_id in theme_ids:
        raised_ids = set(owner.reindex(
            comment_themes.loc[comment_themes["theme_id"] == theme_id, "comment_id"]).dropna())
        raised = respondents["respondent_id"].isin(raised_ids)
        for column, words in statements:
            if column not in respondents.columns:
                continue
            values = pd.to_numeric(respondents[column], errors="coerce")
            values = values.where(values.between(1, 5))
            yes, no = values[raised].dropna(), values[~raised].dropna()
            mean_yes = round(float(yes.mean()), 2) if len(yes) else None
            mean_no = round(float(no.mean()), 2) if len(no) else None
            rows.append({
                "theme_id": theme_id, "statement": words, "column": column,
                "n_raised": len(yes), "mean_raised": mean_yes, "n_not_raised": len(no),
                "mean_not_raised": mean_no,
                "difference": (round(mean_yes - mean_no, 2)
                               if mean_yes is not None and mean_no is not None else None),
                "n_no_score": int(values.isna().sum()),
            })
    return pd.DataFrame(rows, columns=list(THEME_SCORES))
