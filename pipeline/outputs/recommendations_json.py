"""recommendations.json: the drafted recommendations with their quotes, for tools."""

from __future__ import annotations

import json

import pandas as pd


def render_recommendations_json(recommendations: pd.DataFrame, quotes: pd.DataFrame) -> str:
    items = []
    for rec in recommendations.to_dict("records"):
        rec = {k: (int(v) if k in ("rank", "n_respondents", "n_respondents_total") else v)
               for k, v in rec.items()}
        rec["support_by_group"] = json.loads(rec["support_by_group"])
        rec["quotes"] = [
            {k: (int(v) if k == "quote_rank" else v) for k, v in q.items()
             if k not in ("key", "label")}
            for q in quotes[quotes["key"] == rec["key"]].to_dict("records")
        ]
        items.append(rec)
    return json.dumps({"recommendations": items}, indent=2, ensure_ascii=False) + "\n"
