"""Score tables: 1-5 agree/disagree statements by group, and by whether a theme was raised.

Pure functions over the ``respondents`` table from ingest (one column per configured score,
already 1-5 or blank: see ``pipeline.config.scales``). Statements are shown in words, as
disagree (1-2) / neither (3) / agree (4-5) counts. A statement is compared with a theme only
where the config links them (``theme:`` on its score column). Every table counts the same
people: the round's respondents (see ``answering``).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from pipeline.io.dtypes import text_isin

SCORE_SUMMARY = ("statement", "column", "theme_id", "group", "n", "n_disagree", "n_neither",
                 "n_agree", "agree_low", "agree_high", "mean", "n_1", "n_2", "n_3", "n_4",
                 "n_5")
THEME_SCORES = ("theme_id", "statement", "column", "n_raised", "mean_raised", "n_not_raised",
                "mean_not_raised", "difference", "n_no_score", "n_agree_raised",
                "n_agree_not_raised", "comparable")
ALL_GROUPS = "All respondents"
OTHER_GROUPS = "Other groups"
DENOMINATOR = "respondents who answered at least one question"


def answering(comments: pd.DataFrame, respondents: pd.DataFrame,
              score_columns: Sequence[str]) -> pd.DataFrame:
    """The one denominator: respondents (respondent_id, group, scores) with at least one
    kept free-text answer or at least one score. Every count and share uses these."""
    wrote = text_isin(respondents["respondent_id"], set(comments["respondent_id"]))
    present = [c for c in score_columns if c in respondents.columns]
    scored = respondents[present].notna().any(axis=1) if present else wrote & False
    found = respondents[wrote | scored]
    # a respondent who wrote but is not in the respondents table (never in a real run)
    missing = comments.loc[~text_isin(comments["respondent_id"], set(respondents["respondent_id"])),
                           ["respondent_id", "group"]].drop_duplicates("respondent_id")
    return pd.concat([found, missing], ignore_index=True) if len(missing) else \
        found.reset_index(drop=True)


def fold_groups(respondents: pd.DataFrame, min_size: int) -> tuple[pd.DataFrame, list[str]]:
    """``respondents`` with every group of fewer than ``min_size`` respondents renamed
    ``OTHER_GROUPS``, and the names of the groups folded (sorted)."""
    sizes = respondents.groupby("group")["respondent_id"].nunique()
    small = sorted(str(g) for g in sizes[sizes < min_size].index)
    if not small:
        return respondents, []
    folded = respondents["group"].where(~respondents["group"].isin(small), OTHER_GROUPS)
    return respondents.assign(group=folded), small


def _valid_scores(respondents: pd.DataFrame, column: str) -> pd.Series:
    values = pd.to_numeric(respondents[column], errors="coerce")
    return values.where(values.between(1, 5))


def score_summary(respondents: pd.DataFrame, statements: Sequence[tuple[str, str, str]],
                  min_group_size: int = 1) -> pd.DataFrame:
    """One row per statement (``(column, words, theme_id or "")``) and group (all respondents
    first; groups below ``min_group_size`` folded into ``OTHER_GROUPS``, left out when even
    that is too small): statement words, column, linked theme, n who gave a score, how many
    disagree (1-2), neither (3) and agree (4-5) with the 95% Wilson interval of the agreeing
    share (agree_low, agree_high), mean, and how many gave each score 1-5."""
    from pipeline.drafting.shares import wilson

    folded, _ = fold_groups(respondents, min_group_size)
    rows = []
    for column, words, theme_id in statements:
        if column not in folded.columns:
            continue
        valid = folded.assign(_score=_valid_scores(folded, column))
        valid = valid[valid["_score"].notna()]
        if valid.empty:
            continue
        parts = [(ALL_GROUPS, valid)] + [
            (group, frame) for group, frame in valid.groupby("group", sort=True)
            if group != OTHER_GROUPS or frame["respondent_id"].nunique() >= min_group_size]
        parts.sort(key=lambda part: (part[0] == OTHER_GROUPS, part[0] != ALL_GROUPS))
        for group, frame in parts:
            counts = frame["_score"].round().astype(int).value_counts()
            n_k = {k: int(counts.get(k, 0)) for k in range(1, 6)}
            low, high = wilson(n_k[4] + n_k[5], len(frame))
            rows.append({"statement": words, "column": column, "theme_id": theme_id or "",
                         "group": str(group), "n": len(frame),
                         "n_disagree": n_k[1] + n_k[2], "n_neither": n_k[3],
                         "n_agree": n_k[4] + n_k[5], "agree_low": round(low, 3),
                         "agree_high": round(high, 3),
                         "mean": round(float(frame["_score"].mean()), 2),
                         **{f"n_{k}": n_k[k] for k in range(1, 6)}})
    return pd.DataFrame(rows, columns=list(SCORE_SUMMARY))


def theme_scores(respondents: pd.DataFrame, links: Sequence[tuple[str, str, str]],
                 comment_themes: pd.DataFrame, comments: pd.DataFrame,
                 min_group_size: int = 1) -> pd.DataFrame:
    """For each statement linked to a theme in the config (``(column, words, theme_id)``;
    unlinked statements are left out, never guessed): mean score and how many agree (4-5)
    among respondents who raised the theme against those who did not;
    ``n_raised + n_not_raised + n_no_score`` is the denominator; ``comparable`` when both
    sides reach ``min_group_size``."""
    owner = comments.set_index("comment_id")["respondent_id"]
    rows = []
    for column, words, theme_id in links:
        if not theme_id or column not in respondents.columns:
            continue
        raised_ids = set(owner.reindex(
            comment_themes.loc[comment_themes["theme_id"] == theme_id, "comment_id"]).dropna())
        raised = text_isin(respondents["respondent_id"], raised_ids)
        values = _valid_scores(respondents, column)
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
            "n_agree_raised": int((yes.round() >= 4).sum()),
            "n_agree_not_raised": int((no.round() >= 4).sum()),
            "comparable": bool(min(len(yes), len(no)) >= min_group_size),
        })
    return pd.DataFrame(rows, columns=list(THEME_SCORES))
