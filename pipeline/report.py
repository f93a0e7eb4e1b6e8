"""Stage ``report``: the tables and texts a report author reads. Pure; ``writers`` saves them.

Outputs: ``answers`` (-> comment_themes.csv, one row per input answer), ``quote_table``
(-> quotes.csv / quotes.xlsx); ``render_*`` functions build recommendations.md / .json and
candidate_themes.yaml from the tables.
"""

from __future__ import annotations

import json

import pandas as pd
import yaml

from pipeline.config import Settings
from pipeline.schemas import (
    CLEAN_COMMENTS,
    CLUSTERS,
    COMMENT_THEMES,
    DROPPED,
    QUOTES,
    RECOMMENDATIONS,
    SENTENCE_CLUSTERS,
)

NAME = "report"
REQUIRES = {
    "comments": CLEAN_COMMENTS, "dropped": DROPPED, "comment_themes": COMMENT_THEMES,
    "clusters": CLUSTERS, "sentence_clusters": SENTENCE_CLUSTERS,
    "recommendations": RECOMMENDATIONS, "quotes": QUOTES,
}
ANSWERS = ("comment_id", "respondent_id", "group", "question", "source", "row", "text", "themes",
           "candidate_themes", "dropped_reason")
QUOTE_TABLE = ("theme", "label", "quote_rank", "quote", "comment_id", "respondent_id", "group",
               "question")
PRODUCES = {"answers": ANSWERS, "quote_table": QUOTE_TABLE}


def run(tables: dict[str, pd.DataFrame], settings: Settings) -> dict[str, pd.DataFrame]:
    return report(tables, settings)


def report(tables: dict[str, pd.DataFrame], settings: Settings) -> dict[str, pd.DataFrame]:
    """-> ``answers`` (every input answer once: kept with its themes, or dropped with a
    reason) and ``quote_table`` (theme, label, quote_rank, quote, comment_id, ...)."""
    comments, dropped = tables["comments"], tables["dropped"]
    order = {theme_id: i for i, theme_id in enumerate(settings.themes.ids)}
    themes = (tables["comment_themes"].assign(_o=tables["comment_themes"]["theme_id"].map(order))
              .sort_values(["comment_id", "_o"], kind="stable")
              .groupby("comment_id", sort=False)["theme_id"].agg("|".join))
    clusters = tables["clusters"]
    candidate_ids = clusters.loc[clusters["status"] == "candidate", ["cluster_id", "theme_id"]] \
        if len(clusters) else pd.DataFrame(columns=["cluster_id", "theme_id"])
    candidates = (tables["sentence_clusters"].merge(candidate_ids, on="cluster_id")
                  .groupby("comment_id", sort=False)["theme_id"]
                  .agg(lambda s: "|".join(dict.fromkeys(s))))
    kept = comments.assign(
        themes=comments["comment_id"].map(themes).fillna(""),
        candidate_themes=comments["comment_id"].map(candidates).fillna(""),
        dropped_reason="",
    )
    gone = dropped.assign(themes="", candidate_themes="", dropped_reason=dropped["drop_reason"])
    answers = pd.concat([kept[list(ANSWERS)], gone[list(ANSWERS)]], ignore_index=True)
    questions = {t.question: i for i, t in enumerate(settings.pipeline.input.text_columns)}
    answers = (answers.assign(_q=answers["question"].map(questions).fillna(len(questions)))
               .sort_values(["source", "row", "_q", "comment_id"], kind="stable")
               .drop(columns="_q").reset_index(drop=True))
    quote_table = tables["quotes"].rename(columns={"key": "theme"})[list(QUOTE_TABLE)]
    return {"answers": answers.astype({"row": int}), "quote_table": quote_table}


def render_recommendations_md(recommendations: pd.DataFrame, quotes: pd.DataFrame,
                              title: str) -> str:
    """Markdown a report author can paste: drafted recommendations first, with quotes."""
    lines = [f"# Draft recommendations: {title}", ""]
    drafted = recommendations[recommendations["status"] == "drafted"]
    if drafted.empty:
        lines += ["No theme had enough support this round to draft a recommendation.", ""]
    for number, rec in enumerate(drafted.itertuples(index=False), start=1):
        kind = "" if rec.kind == "theme" else " (candidate theme: not in themes.yaml yet)"
        lines += [f"## {number}. {rec.label}{kind}", "", f"**Recommendation:** {rec.text}", "",
                  f"**Evidence:** {rec.evidence_line[0].upper()}{rec.evidence_line[1:]}.", ""]
        for quote in quotes[quotes["key"] == rec.key].itertuples(index=False):
            body = " ".join(str(quote.quote).split())
            lines.append(f"> “{body}” ({quote.group}, {quote.comment_id})")
            lines.append(">")
        if lines[-1] == ">":
            lines[-1] = ""
        lines.append("")
    rest = recommendations[recommendations["status"] != "drafted"]
    if len(rest):
        lines += ["## Too little evidence this round", ""]
        for rec in rest.itertuples(index=False):
            why = {"not_raised": "not raised", "too_little_evidence": "too little evidence",
                   "no_recommendation_configured": "no recommendation in themes.yaml"}
            lines.append(f"- {rec.label}: {rec.evidence_line} ({why.get(rec.status, rec.status)})")
        lines.append("")
    return "\n".join(lines)


def render_recommendations_json(recommendations: pd.DataFrame, quotes: pd.DataFrame) -> str:
    items = []
    for rec in recommendations.to_dict("records"):
        rec = {k: (int(v) if k in ("rank", "n_respondents", "n_respondents_total") else v)
               for k, v in rec.items()}
        rec["support_by_group"] = json.loads(rec["support_by_group"])
        rec["quotes"] = [
            {k: (int(v) if k == "quote_rank" else v) for k, v in q.items() if k not in ("key", "label")}
            for q in quotes[quotes["key"] == rec["key"]].to_dict("records")
        ]
        items.append(rec)
    return json.dumps({"recommendations": items}, indent=2, ensure_ascii=False) + "\n"


def render_candidates_yaml(clusters: pd.DataFrame, min_support: int = 2) -> str:
    """Candidate themes in the themes.yaml format, ready to paste into ``themes:``."""
    header = ("# Candidate themes: clusters of comments that no theme in themes.yaml explains.\n"
              "# Review each; to adopt one, paste it under 'themes:' in config/themes.yaml,\n"
              "# rename the id and label, prune the keywords and add a recommendation.\n")
    candidates = clusters[clusters["status"] == "candidate"] if len(clusters) else clusters
    themes = []
    for cluster in candidates.itertuples(index=False):
        keywords = [k for k in str(cluster.keywords).split("|") if k][:6]
        themes.append({
            "id": cluster.theme_id,
            "label": cluster.label.replace(" / ", ", ").capitalize(),
            "description": (f"Proposed by discovery: {cluster.n_sentences} sentences from "
                            f"{cluster.n_respondents} respondents."),
            "keywords": keywords,
            "examples": [e for e in str(cluster.examples).split("\n") if e],
            "min_support": min_support,
        })
    body = yaml.safe_dump({"version": 1, "themes": themes}, sort_keys=False, allow_unicode=True,
                          width=100)
    return header + body
