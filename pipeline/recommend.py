"""Stage ``recommend``: draft recommendations with support counts and quotes.

One recommendation per theme (from its YAML ``recommendation``) and per candidate theme
found by discovery. Support counts respondents, not comments. Quotes are verbatim spans of
the redacted text, at most one per respondent, spread over groups.
"""

from __future__ import annotations

import json
import logging
import time
from collections import OrderedDict

import pandas as pd

from pipeline.config import Settings
from pipeline.schemas import (
    CLEAN_COMMENTS,
    CLUSTERS,
    COMMENT_THEMES,
    QUOTES,
    RECOMMENDATIONS,
    SENTENCE_CLUSTERS,
    SENTENCES,
    TAGS,
)

log = logging.getLogger(__name__)

NAME = "recommend"
REQUIRES = {
    "comments": CLEAN_COMMENTS, "sentences": SENTENCES, "tags": TAGS,
    "comment_themes": COMMENT_THEMES, "clusters": CLUSTERS, "sentence_clusters": SENTENCE_CLUSTERS,
}
PRODUCES = {"recommendations": RECOMMENDATIONS, "quotes": QUOTES}


def run(tables: dict[str, pd.DataFrame], settings: Settings) -> dict[str, pd.DataFrame]:
    return recommend(tables["comments"], tables["sentences"], tables["tags"],
                     tables["comment_themes"], tables["clusters"], tables["sentence_clusters"],
                     settings)


def recommend(comments, sentences, tags, comment_themes, clusters, sentence_clusters,
              settings: Settings) -> dict[str, pd.DataFrame]:
    """-> ``recommendations`` (rank, key, kind, label, owner, action, text, status, counts,
    support_by_group as JSON, evidence_line) and ``quotes`` (key, label, quote_rank, quote,
    comment_id, respondent_id, group, question)."""
    started = time.perf_counter()
    cfg = settings.pipeline.recommend
    group_totals = comments.groupby("group")["respondent_id"].nunique().to_dict()
    total = int(comments["respondent_id"].nunique())
    by_comment = comments.set_index("comment_id")
    rows, quote_rows = [], []

    for order, theme in enumerate(settings.themes.themes):
        hits = comment_themes[comment_themes["theme_id"] == theme.id]
        support = comments[comments["comment_id"].isin(hits["comment_id"])]
        n = int(support["respondent_id"].nunique())
        rec = theme.recommendation
        if n == 0:
            status = "not_raised"
        elif n < theme.min_support:
            status = "too_little_evidence"
        elif rec is None:
            status = "no_recommendation_configured"
        else:
            status = "drafted"
        owner, action = (rec.owner, rec.action) if rec else ("", "")
        text = f"{owner} to {action}." if rec and status == "drafted" else ""
        rows.append(_row(order, theme.id, "theme", theme.label, owner, action, text, status,
                         support, group_totals, total))
        if status == "drafted":
            spans = _theme_spans(hits["comment_id"], tags, sentences, theme.id)
            quote_rows += _pick_quotes(theme.id, theme.label, spans, by_comment, cfg)

    candidates = clusters[clusters["status"] == "candidate"] if len(clusters) else clusters
    offset = len(settings.themes.themes)
    for order, cluster in enumerate(candidates.itertuples(index=False), start=offset):
        members = sentence_clusters[sentence_clusters["cluster_id"] == cluster.cluster_id]
        support = comments[comments["comment_id"].isin(members["comment_id"])]
        n = int(support["respondent_id"].nunique())
        min_support = settings.pipeline.discover.candidate_min_respondents
        status = "drafted" if n >= min_support else "too_little_evidence"
        topic = cluster.label
        text = (f"Consider whether the forum should act on what respondents raised about "
                f"'{topic}', a topic none of the current themes covers." if status == "drafted"
                else "")
        rows.append(_row(order, cluster.theme_id, "candidate", topic, "", "", text, status,
                         support, group_totals, total))
        if status == "drafted":
            chosen = sentences[sentences["sentence_id"].isin(members["sentence_id"])]
            spans = OrderedDict()
            for sentence in chosen.itertuples(index=False):
                spans.setdefault(sentence.comment_id, (sentence.start, sentence.end, 1))
            quote_rows += _pick_quotes(cluster.theme_id, topic, spans, by_comment, cfg)

    recommendations = pd.DataFrame(rows)
    if len(recommendations):
        drafted = recommendations["status"].eq("drafted")
        recommendations = recommendations.assign(_drafted=~drafted).sort_values(
            ["_drafted", "n_respondents", "_order"], ascending=[True, False, True], kind="stable"
        ).drop(columns=["_drafted", "_order"]).reset_index(drop=True)
        recommendations.insert(0, "rank", range(1, len(recommendations) + 1))
    else:
        recommendations = pd.DataFrame(columns=list(RECOMMENDATIONS))
    quotes = pd.DataFrame(quote_rows, columns=list(QUOTES))
    log.info("recommend: %d drafted, %d quotes (%.2fs)",
             int((recommendations["status"] == "drafted").sum()) if len(recommendations) else 0,
             len(quotes), time.perf_counter() - started)
    return {"recommendations": recommendations[list(RECOMMENDATIONS)], "quotes": quotes}


def _row(order, key, kind, label, owner, action, text, status, support, group_totals, total):
    by_group = support.groupby("group")["respondent_id"].nunique().to_dict()
    ordered = sorted(by_group.items(), key=lambda kv: (-kv[1], kv[0]))
    n = int(support["respondent_id"].nunique())
    parts = [f"{count} of {group_totals.get(group, count)} {group}" for group, count in ordered]
    evidence = f"raised by {n} of {total} respondents" + (f": {', '.join(parts)}" if parts else "")
    return {
        "_order": order, "key": key, "kind": kind, "label": label, "owner": owner,
        "action": action, "text": text, "status": status, "n_respondents": n,
        "n_respondents_total": total,
        "support_by_group": json.dumps({g: [c, int(group_totals.get(g, c))] for g, c in ordered}),
        "evidence_line": evidence,
    }


def _theme_spans(comment_ids, tags, sentences, theme_id) -> OrderedDict:
    """comment_id -> (start, end, n_sentences): from the first to the last tagged sentence."""
    tagged = tags[(tags["theme_id"] == theme_id) & tags["comment_id"].isin(comment_ids)]
    hit_sentences = sentences[sentences["sentence_id"].isin(tagged["sentence_id"])]
    spans: OrderedDict = OrderedDict()
    for comment_id, group in hit_sentences.groupby("comment_id", sort=False):
        spans[comment_id] = (int(group["start"].min()), int(group["end"].max()), len(group))
    return spans


def _pick_quotes(key, label, spans, by_comment, cfg) -> list[dict]:
    """Choose up to ``quotes_max`` quotes: most-tagged first, one per respondent, groups in turn."""
    candidates = []
    for comment_id, (start, end, n_hits) in spans.items():
        row = by_comment.loc[comment_id]
        text = str(row["text"])
        quote = text if len(text.split()) <= cfg.max_quote_words else text[start:end]
        if len(quote.split()) > cfg.max_quote_words:
            continue  # a single over-long sentence makes a poor quote
        candidates.append((-n_hits, abs(len(quote.split()) - 25), comment_id, quote, row))
    candidates.sort(key=lambda c: (c[0], c[1], c[2]))
    queues: OrderedDict = OrderedDict()
    for candidate in candidates:
        queues.setdefault(candidate[4]["group"], []).append(candidate)
    chosen, respondents = [], set()
    while len(chosen) < cfg.quotes_max and any(queues.values()):
        for group in list(queues):
            while queues[group]:
                candidate = queues[group].pop(0)
                respondent = candidate[4]["respondent_id"]
                if respondent not in respondents:
                    respondents.add(respondent)
                    chosen.append(candidate)
                    break
            if len(chosen) >= cfg.quotes_max:
                break
    return [{"key": key, "label": label, "quote_rank": rank, "quote": quote,
             "comment_id": comment_id, "respondent_id": row["respondent_id"],
             "group": row["group"], "question": row["question"]}
            for rank, (_, _, comment_id, quote, row) in enumerate(chosen, start=1)]
