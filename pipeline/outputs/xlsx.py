"""quotes.xlsx: an index sheet and one sheet per theme (written by ``pipeline.io.writers``).

Each theme's sheet lists its asks, then praise, then other comments; the tagging layers stay
in the evidence files (quotes.csv, tags.csv), not in a table an author reads."""

from __future__ import annotations

import pandas as pd

STANCE_ORDER = {"ask": 0, "praise": 1}  # anything else: other comments, last
STANCE_HEADINGS = (("ask", "Asks for a change"), ("praise", "Praise (what works)"),
                   ("other", "Other comments"))
HIDDEN = ("layer",)


def by_stance(rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` with asks first, then praise, then the rest, each in their own order."""
    order = rows["stance"].map(STANCE_ORDER).fillna(len(STANCE_ORDER))
    return rows.assign(_s=order).sort_values("_s", kind="stable").drop(columns="_s")


def stance_groups(rows: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """(heading, rows) for asks, praise and other comments, the empty ones left out."""
    kinds = rows["stance"].where(rows["stance"].isin(list(STANCE_ORDER)), "other")
    return [(heading, rows[kinds == kind]) for kind, heading in STANCE_HEADINGS
            if (kinds == kind).any()]


def quote_sheets(quote_table: pd.DataFrame, recommendations: pd.DataFrame | None = None
                 ) -> dict[str, pd.DataFrame]:
    """quotes.xlsx: an index sheet (theme, label, status, respondents raising it when the
    recommendations are known, respondents quoted, asks, praise, other, sheet) and one sheet
    per theme."""
    index_rows, sheets = [], {}
    status = ({} if recommendations is None else
              recommendations.set_index("key")[["status", "n_respondents"]].to_dict("index"))
    for theme, rows in quote_table.groupby("theme", sort=False):
        info = status.get(theme, {})
        kinds = rows["stance"].where(rows["stance"].isin(list(STANCE_ORDER)), "other")
        index_rows.append({"theme": theme, "label": rows["label"].iloc[0],
                           "status": info.get("status", ""),
                           "respondents raising it": info.get("n_respondents", ""),
                           "respondents quoted": int(rows["respondent_id"].nunique()),
                           "asks": int((kinds == "ask").sum()),
                           "praise": int((kinds == "praise").sum()),
                           "other": int((kinds == "other").sum()), "sheet": str(theme)[:31]})
        shown = by_stance(rows).drop(columns=[c for c in HIDDEN if c in rows.columns])
        sheets[str(theme)] = shown.reset_index(drop=True)
    index = pd.DataFrame(index_rows, columns=["theme", "label", "status",
                                              "respondents raising it", "respondents quoted",
                                              "asks", "praise", "other", "sheet"])
    return {"index": index, **sheets}
