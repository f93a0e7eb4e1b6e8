"""Score tables: 1-5 agree/disagree statements by group, and by whether a theme was raised.

Pure functions over the ``respondents`` table from ingest (one column per configured score).
"""

from __future__ import annotations

import pandas as pd

SCORE_SUMMARY = ("statement", "group", "n", "mean", "n_1", "n_2", "n_3", "n_4", "n_5")
THEME_SCORES = ("theme_id", "statement", "n_raised", "mean_raised", "n_not_raised",
                "mean_not_raised", "difference")
ALL_GROUPS = "All respondents"


def score_summary(respondents: pd.DataFrame, statements: list[str]) -> pd.DataFrame:
    """One row per statement and group (plus all respondents): count, mean, and how many
    gave each score 1-5. Blank or out-of-range scores are left out."""
    rows = []
    for statement in statements:
        if statement not in respondents.columns:
            continue
        values = pd.to_numeric(respondents[statement], errors="coerce")
        valid = respondents.assign(_score=values.where(values.between(1, 5)))
        valid = valid[valid["_score"].notna()]
        if valid.empty:
            continue
        parts = [(ALL_GROUPS, valid)] + list(valid.groupby("group", sort=True))
        for group, frame in parts:
            scores = frame["_score"].round().astype(int)
            counts = scores.value_counts()
            rows.append({"statement": statement, "group": str(group), "n": len(frame),
                         "mean": round(float(frame["_score"].mean()), 2) if len(frame) else None,
                         **{f"n_{k}": int(counts.get(k, 0)) for k in range(1, 6)}})
    return pd.DataFrame(rows, columns=list(SCORE_SUMMARY))


def theme_scores(respondents: pd.DataFrame, statements: list[str], comment_themes: pd.DataFrame,
                 comments: pd.DataFrame, theme_ids: list[str]) -> pd.DataFrame:
    """For each theme and statement: mean score of respondents who raised the theme against
    those who did not."""
    owner = comments.set_index("comment_id")["respondent_id"]
    rows = []
    for theme_id in theme_ids:
        raised_ids = set(owner.reindex(
            comment_themes.loc[comment_themes["theme_id"] == theme_id, "comment_id"]).dropna())
        raised = respondents["respondent_id"].isin(raised_ids)
        for statement in statements:
            if statement not in respondents.columns:
                continue
            values = pd.to_numeric(respondents[statement], errors="coerce")
            values = values.where(values.between(1, 5))
            yes, no = values[raised].dropna(), values[~raised].dropna()
            mean_yes = round(float(yes.mean()), 2) if len(yes) else None
            mean_no = round(float(no.mean()), 2) if len(no) else None
            rows.append({
                "theme_id": theme_id, "statement": statement, "n_raised": len(yes),
                "mean_raised": mean_yes, "n_not_raised": len(no), "mean_not_raised": mean_no,
                "difference": (round(mean_yes - mean_no, 2)
                               if mean_yes is not None and mean_no is not None else None),
            })
    return pd.DataFrame(rows, columns=list(THEME_SCORES))
