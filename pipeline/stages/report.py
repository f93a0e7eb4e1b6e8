"""Stage ``report``: the tables and texts a report author reads. Pure; ``writers`` saves them.

Outputs: ``answers`` (-> comment_themes.csv, one row per input answer), ``quote_table``
(-> quotes.csv / quotes.xlsx; ``respondent`` is the short number quotes are attributed to,
"R07", in the input's order), ``tag_evidence`` (-> tags.csv, one row per tag: the layer,
score and evidence behind every theme in comment_themes.csv), ``unexplained``
(-> unexplained.csv), score tables (-> scores.csv, theme_scores.csv). ``pipeline.outputs`` renders every file from these tables.
"""

from __future__ import annotations

import pandas as pd

from pipeline.config.models import Settings
from pipeline.drafting.quotes import respondent_numbers
from pipeline.drafting.scores import (
    SCORE_SUMMARY,
    THEME_SCORES,
    answering,
    score_summary,
    theme_scores,
)
from pipeline.io.dtypes import blank_missing, text_isin
from pipeline.stages.schemas import (
    CLEAN_COMMENTS,
    CLUSTERS,
    COMMENT_THEMES,
    DROPPED,
    PROVENANCE,
    QUOTES,
    RECOMMENDATIONS,
    RESPONDENTS,
    ROLLUP,
    SENTENCE_CLUSTERS,
    SENTENCES,
    TAGS,
)

NAME = "report"
REQUIRES = {
    "comments": CLEAN_COMMENTS, "dropped": DROPPED, "comment_themes": COMMENT_THEMES,
    "clusters": CLUSTERS, "sentence_clusters": SENTENCE_CLUSTERS,
    "recommendations": RECOMMENDATIONS, "quotes": QUOTES, "respondents": RESPONDENTS,
    "tags": TAGS + PROVENANCE, "sentences": SENTENCES,
}
ANSWERS = ("comment_id", "respondent_id", "group", "question", "source", "row", "text", "themes",
           "layers", "candidate_themes", "dropped_reason")
QUOTE_TABLE = ("theme", "label", "quote_rank", "quote", "stance", "layer", "comment_id",
               "respondent_id", "respondent", "group", "question")
TAG_EVIDENCE = ("comment_id", "sentence_index", "sentence", "theme", "layer", "score", "evidence",
                "runner_up", "margin", "assigned_by", "method", "config_version", "assigned_at",
                "review")
UNEXPLAINED = ("comment_id", "respondent_id", "group", "question", "text", "reason")
PRODUCES = {"answers": ANSWERS, "quote_table": QUOTE_TABLE, "tag_evidence": TAG_EVIDENCE,
            "unexplained": UNEXPLAINED, "score_summary": SCORE_SUMMARY,
            "theme_scores": THEME_SCORES}


def run(tables: dict[str, pd.DataFrame], settings: Settings,
        evidence: bool = True) -> dict[str, pd.DataFrame]:
    return report(tables, settings, evidence)


def report(tables: dict[str, pd.DataFrame], settings: Settings,
           evidence: bool = True) -> dict[str, pd.DataFrame]:
    """-> ``answers`` (every input answer once: kept with its themes and the layers behind
    them as ``theme:layer`` pairs, or dropped with a reason), ``quote_table`` (theme, label,
    quote_rank, quote, stance, layer, comment_id, ...), ``tag_evidence`` (see
    ``tag_evidence``; with ``evidence`` False no rows: the Dask engine's workers made it per
    partition and the run folder merges their parts),
    ``unexplained`` (kept comments no theme or candidate explains, with the reason),
    ``score_summary`` and ``theme_scores`` (see ``pipeline.drafting.scores``)."""
    comments, dropped = tables["comments"], tables["dropped"]
    order = {theme_id: i for i, theme_id in enumerate(settings.themes.ids)}
    themes = (tables["comment_themes"].assign(_o=tables["comment_themes"]["theme_id"].map(order))
              .sort_values(["comment_id", "_o"], kind="stable")
              .groupby("comment_id", sort=False)["theme_id"].agg("|".join))
    made = (tag_evidence(tables["tags"], tables["sentences"], order) if evidence
            else evidence_keys(tables["tags"], tables["sentences"], order))
    layers = (_with_rollups(made, tables["comment_themes"], order)
              .drop_duplicates(["comment_id", "theme", "layer"])
              .assign(pair=lambda t: t["theme"] + ":" + t["layer"])
              .groupby("comment_id", sort=False)["pair"].agg("|".join))
    clusters = tables["clusters"]
    candidate_ids = clusters.loc[clusters["status"] == "candidate", ["cluster_id", "theme_id"]] \
        if len(clusters) else pd.DataFrame(columns=["cluster_id", "theme_id"])
    on_topic = tables["sentence_clusters"][tables["sentence_clusters"]["on_topic"].astype(bool)]
    candidates = (on_topic.merge(candidate_ids, on="cluster_id")
                  .groupby("comment_id", sort=False)["theme_id"]
                  .agg(lambda s: "|".join(dict.fromkeys(s))))
    kept = comments.assign(
        themes=blank_missing(comments["comment_id"].map(themes)),
        layers=blank_missing(comments["comment_id"].map(layers)),
        candidate_themes=blank_missing(comments["comment_id"].map(candidates)),
        dropped_reason="",
    )
    gone = dropped.assign(themes="", layers="", candidate_themes="", dropped_reason=dropped["drop_reason"])
    answers = pd.concat([kept[list(ANSWERS)], gone[list(ANSWERS)]], ignore_index=True)
    questions = {t.question: i for i, t in enumerate(settings.pipeline.input.text_columns)}
    answers = (answers.assign(_q=answers["question"].map(questions).fillna(len(questions)))
               .sort_values(["source", "row", "_q", "comment_id"], kind="stable")
               .drop(columns="_q").reset_index(drop=True))
    numbers = respondent_numbers(answers["respondent_id"])  # in the input's order
    quote_table = tables["quotes"].rename(columns={"key": "theme"})
    quote_table = quote_table.assign(respondent=quote_table["respondent_id"].astype(str).map(
        lambda rid: numbers.get(rid, rid)))[list(QUOTE_TABLE)]
    statements = [(s.column, s.words, s.theme or "")
                  for s in settings.pipeline.input.score_columns]
    min_group = settings.pipeline.report.advanced.min_group_size
    respondents = answering(comments, tables["respondents"],
                            settings.pipeline.input.score_names)
    return {
        "answers": answers.astype({"row": int}), "quote_table": quote_table,
        "tag_evidence": made if evidence else made.iloc[:0].reindex(columns=list(TAG_EVIDENCE)),
        "unexplained": unexplained(kept, tables["sentence_clusters"], clusters),
        "score_summary": score_summary(respondents, statements, min_group),
        "theme_scores": (theme_scores(respondents, statements, tables["comment_themes"],
                                      comments, min_group)
                         if len(respondents) else pd.DataFrame(columns=list(THEME_SCORES))),
    }


LAYER_ORDER = {"keyword": 0, "pattern": 1, "semantic": 2, "classifier": 3}


def _with_rollups(evidence: pd.DataFrame, comment_themes: pd.DataFrame,
                  order: dict[str, int]) -> pd.DataFrame:
    """``evidence``'s comment_id, theme, layer with a ``rollup`` row for each parent theme its
    sub-themes gave a comment, in theme order (unchanged for a flat theme set)."""
    pairs = evidence[["comment_id", "theme", "layer"]]
    rolled = comment_themes[comment_themes["methods"].str.split("|").map(
        lambda methods: ROLLUP in methods)] if len(comment_themes) else comment_themes
    if not len(rolled):
        return pairs
    pairs = pd.concat([pairs, pd.DataFrame({"comment_id": rolled["comment_id"],
                                            "theme": rolled["theme_id"], "layer": ROLLUP})],
                      ignore_index=True)
    keys = pairs.assign(_t=pairs["theme"].map(order))
    return pairs.loc[keys.sort_values(["comment_id", "_t"], kind="stable").index]


def tag_evidence(tags: pd.DataFrame, sentences: pd.DataFrame,
                 order: dict[str, int]) -> pd.DataFrame:
    """One row per tag (-> tags.csv): comment_id, sentence_index and sentence (its redacted
    text), theme, layer, score, evidence (matched words, the theme text a semantic hit was
    nearest, the sentence a classifier scored highest), runner_up and margin (semantic and
    classifier tags; empty for keyword and pattern), and who made it: assigned_by (machine),
    method (the layer), config_version, assigned_at (the run's start) and review (empty here: a
    run folder's tags.csv adds the reviewer's decisions). Ordered by comment, theme,
    sentence."""
    if tags.empty:
        return pd.DataFrame({c: pd.Series(dtype=float if c in ("score", "margin") else object)
                             for c in TAG_EVIDENCE})
    where = sentences.set_index("sentence_id")[["sentence_index", "text"]]
    joined = tags.join(where, on="sentence_id")
    table = pd.DataFrame({
        "comment_id": joined["comment_id"], "sentence_index": joined["sentence_index"],
        "sentence": joined["text"], "theme": joined["theme_id"], "layer": joined["method"],
        "score": joined["score"].astype(float), "evidence": joined["evidence"],
        "runner_up": blank_missing(joined["runner_up"]), "margin": joined["margin"].astype(float),
        "assigned_by": joined["assigned_by"], "method": joined["method"],
        "config_version": joined["config_version"], "assigned_at": joined["assigned_at"],
        "review": "",
    })
    return table.loc[_evidence_order(table, order), list(TAG_EVIDENCE)].reset_index(drop=True)


def evidence_keys(tags: pd.DataFrame, sentences: pd.DataFrame,
                  order: dict[str, int]) -> pd.DataFrame:
    """``tag_evidence``'s comment_id, sentence_index, theme and layer, in its order, without
    the texts (what the answers' layers are made from when the tag evidence is made
    elsewhere)."""
    index = sentences.set_index("sentence_id")["sentence_index"]
    table = pd.DataFrame({"comment_id": tags["comment_id"].to_numpy(),
                          "sentence_index": tags["sentence_id"].map(index).to_numpy(),
                          "theme": tags["theme_id"].to_numpy(), "layer": tags["method"].to_numpy()})
    return table.loc[_evidence_order(table, order)].reset_index(drop=True)


def _evidence_order(table: pd.DataFrame, order: dict[str, int]) -> pd.Index:
    """The rows of ``table`` (comment_id, theme, sentence_index, layer) by comment, theme,
    sentence and layer (stable)."""
    keys = table.assign(_t=table["theme"].map(order), _l=table["layer"].map(LAYER_ORDER))
    return keys.sort_values(["comment_id", "_t", "sentence_index", "_l"], kind="stable").index


def unexplained(kept: pd.DataFrame, sentence_clusters: pd.DataFrame,
                clusters: pd.DataFrame) -> pd.DataFrame:
    """Kept comments with no theme and no candidate theme, and why discovery left them."""
    left = kept[(kept["themes"] == "") & (kept["candidate_themes"] == "")]
    why = {}
    if len(clusters):
        described = {int(row.cluster_id): (str(row.status), str(row.label), str(row.reason))
                     for row in clusters.itertuples(index=False)}
        # only the comments left over, through plain dicts: a large round has a million
        wanted = sentence_clusters[text_isin(sentence_clusters["comment_id"],
                                                     set(left["comment_id"]))]
        seen: dict[str, dict[tuple[int, bool], None]] = {}
        for comment_id, cluster_id, on_topic in zip(wanted["comment_id"], wanted["cluster_id"],
                                                    wanted["on_topic"], strict=True):
            seen.setdefault(comment_id, {})[(int(cluster_id), bool(on_topic))] = None
        for comment_id, pairs in seen.items():
            reasons = []
            for cluster_id, on_topic in pairs:
                if cluster_id not in described:
                    continue
                status, label, why_so = described[cluster_id]
                if cluster_id < 0:
                    reasons.append("outlier: like no cluster")
                elif status == "candidate" and not on_topic:
                    reasons.append(f"near candidate '{label}' but uses none of its keywords")
                else:
                    reasons.append(f"cluster '{label}' ({status}): {why_so}")
            why[comment_id] = "; ".join(reasons)
    reason = blank_missing(left["comment_id"].map(why), "not clustered (discovery skipped)")
    return left.assign(reason=reason)[list(UNEXPLAINED)].reset_index(drop=True)
