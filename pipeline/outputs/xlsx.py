"""quotes.xlsx: an index sheet and one sheet per theme (written by ``pipeline.io.writers``)."""

from __future__ import annotations

import pandas as pd


def quote_sheets(quote_table: pd.DataFrame, recommendations: pd.DataFrame | None = None
                 ) -> dict[str, pd.DataFrame]:
    """quotes.xlsx: an index sheet (theme, label, status, support, quotes, sheet) and one
    sheet per theme."""
    index_rows, sheets = [], {}
    status = ({} if recommendations is None else
              recommendations.set_index("key")[["status", "n_respondents"]].to_dict("index"))
    for theme, rows in quote_table.groupby("theme", sort=False):
        info = status.get(theme, {})
        index_rows.append({"theme": theme, "label": rows["label"].iloc[0],
                           "status": info.get("status", ""),
                           "respondents": int(info.get("n_respondents", 0)),
                           "quotes": len(rows), "sheet": str(theme)[:31]})
        sheets[str(theme)] = rows.reset_index(drop=True)
    index = pd.DataFrame(index_rows, columns=["theme", "label", "status", "respondents",
                                              "quotes", "sheet"])
    return {"index": index, **sheets}
