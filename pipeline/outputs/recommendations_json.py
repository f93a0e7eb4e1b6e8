"""recommendations.json: the drafted recommendations with their quotes, for tools."""

from __future__ import annotations

import json

import pandas as pd


def render_recommendations_json(recommendations: pd.DataFrame, quotes: pd.DataFrame) -> str:
    """{"respondents": N (the one denominator), "recommendations": [...]}: every count in
    it is out of N."""
    items = []
    for rec in recommendations.to_dict("records"):
        rec = {k: (int(v) if k in ("rank", "n_respondents", "n_respondents_total") else v)
               for k, v in rec.items()}
        rec["support_by_group"] = json.loads(rec["support_by_group"])
        rec["ask_phrases"] = json.loads(rec.get("ask_phrases") or "[]")
        rec["quotes"] = [
            {k: (int(v) if k == "quote_rank" else v) for k, v in q.items()
             if k not in ("key", "label")}
            for q in quotes[quotes["key"] == rec["key"]].to_dict("records")
        ]
        items.append(rec)
    total = int(recommendations["n_respondents_total"].iloc[0]) if len(recommendations) else 0
    return json.dumps({"respondents": total,
                       "denominator": "respondents who answered at least one question",
                       "recommendations": items}, indent=2, ensure_ascii=False) + "\n"
