"""Stage ``recommend``: draft recommendations with support counts, stance and quotes.

A draft is grounded in the round: the theme's configured owner and the respondents' own asks
(verbatim ask phrases), with the configured action (its YAML ``recommendation``) shown beside
them and ``action_asked`` saying whether any respondent asked for it (see
``pipeline.drafting.asked``). Support counts respondents, not comments. Each theme's
comments are split by stance: a theme is drafted only when more respondents ask for a change
than praise it; when praise matches or outweighs the asks it is ``mixed`` (both sides quoted,
no draft); raised only in praise it is ``praised``. A candidate theme from discovery is
``emerging``: quoted and named in the respondents' words, never drafted.
A parent theme (one that others name as ``parent:``) is counted, quoted and drafted from its
own tags and its sub-themes' (each respondent once); each sub-theme keeps its own row too, so a
sub-theme with its own ``recommendation:`` gets its own draft.
Quotes: see ``pipeline.drafting.quotes``.
"""

from __future__ import annotations

import json
import logging
import time

import numpy as np
import pandas as pd

from pipeline.config.models import Settings, slugify
from pipeline.drafting import quotes as quote_rules
from pipeline.drafting.asked import action_asked, draft_text
from pipeline.drafting.emerging import shared_phrases
from pipeline.drafting.names import phrase_name
from pipeline.drafting.scores import OTHER_GROUPS, answering
from pipeline.drafting.shares import people, percent
from pipeline.embed.base import CachedEmbedder
from pipeline.embed.registry import make_embedder
from pipeline.io.dtypes import as_text, blank_missing, text_isin
from pipeline.stages.schemas import (
    CLEAN_COMMENTS,
    CLUSTERS,
    COMMENT_THEMES,
    QUOTES,
    RECOMMENDATIONS,
    RESPONDENTS,
    SENTENCE_CLUSTERS,
    SENTENCES,
    TAGS,
    THEME_COMMENTS,
)
from pipeline.text.stance import ASK, PRAISE, ask_phrase, classify

log = logging.getLogger(__name__)

NAME = "recommend"
REQUIRES = {
    "comments": CLEAN_COMMENTS, "sentences": SENTENCES, "tags": TAGS,
    "comment_themes": COMMENT_THEMES, "clusters": CLUSTERS, "sentence_clusters": SENTENCE_CLUSTERS,
    "respondents": RESPONDENTS,
}
PRODUCES = {"recommendations": RECOMMENDATIONS, "quotes": QUOTES,
            "theme_comments": THEME_COMMENTS, "answering": RESPONDENTS}
STATUS_ORDER = {"drafted": 0, "mixed": 1, "emerging": 2, "praised": 3,
                "no_recommendation_configured": 4, "no_ask": 5, "too_little_evidence": 6,
                "not_raised": 7}
QUOTED = ("drafted", "mixed", "praised", "no_recommendation_configured", "emerging")


def run(tables: dict[str, pd.DataFrame], settings: Settings) -> dict[str, pd.DataFrame]:
    return recommend(tables["comments"], tables["sentences"], tables["tags"],
                     tables["comment_themes"], tables["clusters"], tables["sentence_clusters"],
                     settings, tables["respondents"])


def recommend(comments, sentences, tags, comment_themes, clusters, sentence_clusters,
              settings: Settings, respondents: pd.DataFrame | None = None
              ) -> dict[str, pd.DataFrame]:
    """-> ``recommendations`` (rank, key, kind, label, owner, action, text (the draft),
    status, counts, n_asking, n_praising, support_by_group as JSON, evidence_line, note,
    ask_phrases as JSON, action_asked), ``quotes`` (key,
    label, quote_rank, quote, stance, layer (the layers that tagged the quoted comment, or
    ``discovery``), comment_id, respondent_id, group, question), ``theme_comments`` and
    ``answering`` (the denominator: respondent_id, group and each score column of every
    respondent with a kept answer or a score, tagged or not; the REFI-QDA export's cases read
    their scores from it)."""
    started = time.perf_counter()
    if respondents is None:
        respondents = comments[["respondent_id", "group"]].drop_duplicates("respondent_id")
    counted = answering(comments, respondents, settings.pipeline.input.score_names)
    group_totals = counted.groupby("group")["respondent_id"].nunique().to_dict()
    total = int(counted["respondent_id"].nunique())
    # stance off: every sentence counts as an ask (no split into asks and praise)
    stances = _Stances(sentences, settings.pipeline.recommend.advanced.stance)
    picker = _QuotePicker(sentences, comments, stances, settings)
    rows, quote_rows, tagged_rows = [], [], []

    small = total < settings.pipeline.recommend.advanced.small_round
    min_group = settings.pipeline.report.advanced.min_group_size  # smaller groups: not named alone
    for order, theme in enumerate(settings.themes.themes):
        # a parent theme speaks for its sub-themes: their sentences carry it too
        tagged = tags[tags["theme_id"].isin(settings.themes.subtree(theme.id))]
        carrying = sentences[text_isin(sentences["sentence_id"], tagged["sentence_id"])]
        support = comments[text_isin(comments["comment_id"],
            comment_themes.loc[comment_themes["theme_id"] == theme.id, "comment_id"])]
        n = int(support["respondent_id"].nunique())
        asking, praising = _stance_counts(carrying, stances)
        methods = comment_themes.loc[comment_themes["theme_id"] == theme.id,
                                     ["comment_id", "methods"]]
        layer_of = dict(zip(methods["comment_id"], methods["methods"], strict=True))
        tagged_rows.append(_tagged(theme.id, theme.label, support, carrying, stances,
                                   layer_of))
        rec = theme.recommendation
        status = theme_status(n, asking, praising, theme.support_needed(total), small,
                              rec is not None)
        owner, action = (rec.owner, rec.action) if rec else ("", "")
        note = few_note(n) if status == "drafted" and n < theme.support_needed(total) else ""
        rows.append(_row(order, theme.id, "theme", theme.label, owner, action, "", status,
                         support, group_totals, total, asking, praising, note, min_group))
        if status in QUOTED:
            picked = [{**q, "layer": layer_of.get(q["comment_id"], "")}
                      for q in picker.pick(theme.id, theme.label, carrying)]
            quote_rows += picked
            phrases = picker.phrases(carrying)
            rows[-1]["ask_phrases"] = json.dumps(phrases, ensure_ascii=False)
            asked = action_asked(action, _ask_texts(carrying, stances)) if action else False
            rows[-1]["action_asked"] = asked
            if status == "drafted":
                rows[-1]["text"] = draft_text(owner, phrases, asking)
            asks_quoted = sum(q["stance"] == ASK for q in picked)
            if (status == "drafted"
                    and asks_quoted < settings.pipeline.recommend.advanced.quotes_min):
                rows[-1]["evidence_line"] += (f"; only {asks_quoted} quote"
                                              + (" asks" if asks_quoted == 1 else "s ask")
                                              + " for this")

    candidates = clusters[clusters["status"] == "candidate"] if len(clusters) else clusters
    topics = _candidate_topics(candidates, sentence_clusters, sentences,
                               settings.pipeline.discover.advanced.candidate_min_respondents)
    if small:
        topics += _shared_topics(candidates, comment_themes, sentence_clusters, sentences,
                                 stances)
    for order, (key, label, carrying, status) in enumerate(topics,
                                                           start=len(settings.themes.themes)):
        # a new topic is reported with its quotes, never drafted: no one has agreed an owner
        support = comments[text_isin(comments["comment_id"], carrying["comment_id"])]
        asking, praising = _stance_counts(carrying, stances)
        tagged_rows.append(_tagged(key, label, support, carrying, stances, {}))
        rows.append(_row(order, key, "candidate", label, "", "", "", status, support,
                         group_totals, total, asking, praising, min_group=min_group))
        if status == "emerging":
            quote_rows += [{**q, "layer": "discovery"} for q in picker.pick(key, label, carrying)]
            rows[-1]["ask_phrases"] = json.dumps(picker.phrases(carrying), ensure_ascii=False)

    recommendations = _ranked(rows)
    quotes = pd.DataFrame(quote_rows, columns=list(QUOTES))
    theme_comments = _with_scores(
        pd.concat(tagged_rows, ignore_index=True) if tagged_rows
        else pd.DataFrame(columns=list(THEME_COMMENTS)),
        respondents, settings.pipeline.input.score_names)
    log.info("recommend: %d drafted, %d quotes (%.2fs)",
             int((recommendations["status"] == "drafted").sum()), len(quotes),
             time.perf_counter() - started)
    return {"recommendations": recommendations, "quotes": quotes,
            "theme_comments": theme_comments, "answering": counted.reset_index(drop=True)}


def _candidate_topics(candidates: pd.DataFrame, sentence_clusters: pd.DataFrame,
                      sentences: pd.DataFrame, min_support: int
                      ) -> list[tuple[str, str, pd.DataFrame, str]]:
    """(key, label in the respondents' words, carrying sentences, status) per candidate
    cluster: ``emerging`` from ``min_support`` respondents, else ``too_little_evidence``."""
    found = []
    for cluster in candidates.itertuples(index=False):
        members = sentence_clusters[(sentence_clusters["cluster_id"] == cluster.cluster_id)
                                    & sentence_clusters["on_topic"]]
        carrying = sentences[text_isin(sentences["sentence_id"], members["sentence_id"])]
        keywords = [k for k in str(cluster.keywords).split("|") if k][:3]
        label = (phrase_name(carrying["text"].astype(str).tolist(),
                             carrying["respondent_id"].astype(str).tolist(), keywords)
                 or str(cluster.label))
        enough = carrying["respondent_id"].nunique() >= min_support
        found.append((cluster.theme_id, label, carrying,
                      "emerging" if enough else "too_little_evidence"))
    return found


def _shared_topics(candidates: pd.DataFrame, comment_themes: pd.DataFrame,
                   sentence_clusters: pd.DataFrame, sentences: pd.DataFrame,
                   stances: dict[str, str]) -> list[tuple[str, str, pd.DataFrame, str]]:
    """Emerging themes of a small round from the asks no theme or candidate explains (see
    ``pipeline.drafting.emerging``), in ``_candidate_topics``' form."""
    held = sentence_clusters[sentence_clusters["on_topic"].astype(bool)
                             & sentence_clusters["cluster_id"].isin(
                                 set(candidates.get("cluster_id", [])))]
    explained = set(comment_themes["comment_id"]) | set(held["comment_id"])
    left = sentences[~text_isin(sentences["comment_id"], explained)]
    asks = left[left["sentence_id"].map(stances) == ASK]
    return [(f"emerging_{slugify(label)}", label,
             sentences[text_isin(sentences["sentence_id"], sentence_ids)], "emerging")
            for label, sentence_ids in shared_phrases(asks)]


class _Stances(dict):
    """Sentence id -> stance (ask, praise, neutral), worked out the first time a sentence
    is asked about: only sentences that carry a theme or a candidate are ever classified.
    With ``recommend.advanced.stance`` off every sentence counts as an ask."""

    def __init__(self, sentences: pd.DataFrame, on: bool) -> None:
        super().__init__()
        # the text column as it is held (Arrow-backed): no Python string per sentence
        self.texts = sentences.set_index("sentence_id")["text"]
        self.on = on

    def __missing__(self, sentence_id: str) -> str:
        value = classify(str(self.texts[sentence_id])) if self.on else ASK
        self[sentence_id] = value
        return value


def _tagged(key: str, label: str, support: pd.DataFrame, carrying: pd.DataFrame,
            stances: dict[str, str], methods: dict[str, str]) -> pd.DataFrame:
    """Every comment carrying a theme (``theme_comments``): its stance on the theme (ask if
    one carrying sentence asks, else praise if one praises, else neutral), the layers that
    tagged it (``discovery`` for a candidate theme) and its whole redacted text."""
    kinds = carrying["sentence_id"].map(stances)
    asks = kinds.eq(ASK).groupby(carrying["comment_id"]).any()
    praise = kinds.eq(PRAISE).groupby(carrying["comment_id"]).any()
    by_comment = pd.Series(np.where(asks, ASK, np.where(praise.reindex(asks.index), PRAISE,
                                                        "neutral")), index=asks.index)
    # the columns as held (Arrow-backed text), not as a Python str per row
    ordered = support.sort_values(["source", "row", "comment_id"], kind="stable").reset_index(
        drop=True)
    return pd.DataFrame({
        "theme": key, "label": label, "comment_id": ordered["comment_id"],
        "respondent_id": ordered["respondent_id"], "group": ordered["group"],
        "question": ordered["question"],
        "stance": blank_missing(ordered["comment_id"].map(by_comment), "neutral"),
        "layer": [methods.get(c, "discovery") for c in ordered["comment_id"]],
        "text": ordered["text"],
    }, columns=list(THEME_COMMENTS))


def _with_scores(table: pd.DataFrame, respondents: pd.DataFrame,
                 score_columns: list[str]) -> pd.DataFrame:
    """``table`` with each respondent's scores (one column per configured score column)."""
    present = [c for c in score_columns if c in respondents.columns]
    table = as_text(table, THEME_COMMENTS)
    if not present:
        return table.reset_index(drop=True)
    scores = respondents.drop_duplicates("respondent_id").set_index("respondent_id")[present]
    whole = {c: "Int64" for c in present
             if (scores[c].dropna() % 1 == 0).all()}  # 4, not 4.0, when every score is whole
    return table.join(scores.astype(whole), on="respondent_id").reset_index(drop=True)


def theme_status(n: int, asking: int, praising: int, needed: int, small_round: bool,
                 configured: bool) -> str:
    """Why a theme is or is not drafted. A theme is drafted only when more respondents ask
    for a change than praise it (``mixed`` otherwise); below ``needed`` respondents only in a
    small round; a theme nobody asks about gets no draft."""
    if n == 0:
        return "not_raised"
    if asking == 0:
        return "praised" if praising else ("no_ask" if n >= needed else "too_little_evidence")
    if praising >= asking:
        return "mixed"  # as many praise it as ask for a change: both sides, no draft
    if n < needed and not small_round:
        return "too_little_evidence"
    return "drafted" if configured else "no_recommendation_configured"


def few_note(n: int) -> str:
    """The mark on a draft resting on fewer respondents than the theme's min_support."""
    return f"raised by {people(n)}"


def _ask_texts(carrying: pd.DataFrame, stances: dict[str, str]) -> list[str]:
    """The redacted text of every sentence carrying the theme that asks for a change."""
    kinds = carrying["sentence_id"].map(stances)
    return carrying.loc[kinds == ASK, "text"].astype(str).tolist()


def _stance_counts(carrying: pd.DataFrame, stances: dict[str, str]) -> tuple[int, int]:
    """Respondents with at least one ask / with at least one praising sentence."""
    kinds = carrying["sentence_id"].map(stances)
    asking = int(carrying.loc[kinds == ASK, "respondent_id"].nunique())
    praising = int(carrying.loc[kinds == PRAISE, "respondent_id"].nunique())
    return asking, praising


def _ranked(rows: list[dict]) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame(columns=list(RECOMMENDATIONS))
    table = pd.DataFrame(rows)
    table = table.assign(_status=table["status"].map(STATUS_ORDER)).sort_values(
        ["_status", "n_respondents", "_order"], ascending=[True, False, True], kind="stable"
    ).drop(columns=["_status", "_order"]).reset_index(drop=True)
    table.insert(0, "rank", range(1, len(table) + 1))
    return table[list(RECOMMENDATIONS)]


def _row(order, key, kind, label, owner, action, text, status, support, group_totals, total,
         asking, praising, note="", min_group=1):
    by_group = support.groupby("group")["respondent_id"].nunique().to_dict()
    ordered = sorted(by_group.items(), key=lambda kv: (-kv[1], kv[0]))
    n = int(support["respondent_id"].nunique())
    parts = [f"{group} {count} of {group_totals.get(group, count)}" for group, count in ordered
             if group_totals.get(group, count) >= min_group]
    small = {g: of for g, of in group_totals.items() if of < min_group}
    if sum(small.values()) >= min_group and any(g in small for g in by_group):
        # groups too small to show alone, together (as the report's tables show them)
        parts.append(f"{OTHER_GROUPS.lower()} {sum(by_group.get(g, 0) for g in small)} of "
                     f"{sum(small.values())}")
    evidence = f"raised by {n} of {total} respondents ({percent(n, total)}%)"
    if parts:
        evidence += f": {', '.join(parts)}"
    if n:
        evidence += (f"; {people(asking)} asked for a change or criticised, "
                     f"{people(praising) if praising else 'none'} praised what works")
    return {
        "_order": order, "key": key, "kind": kind, "label": label, "owner": owner,
        "action": action, "text": text, "status": status, "n_respondents": n,
        "n_respondents_total": total, "n_asking": asking, "n_praising": praising,
        "support_by_group": json.dumps({g: [c, int(group_totals.get(g, c))] for g, c in ordered}),
        "evidence_line": evidence, "note": note, "ask_phrases": "[]", "action_asked": False,
    }


class _QuotePicker:
    """Picks each theme's quotes (asks first, then praise) by closeness to the theme's centre.

    With a pretrained embedder, vectors are made only for the sentences that carry the theme
    or cluster at hand (the run's embedder mostly has them cached from tagging), and at most
    ``POOL`` of those, drawn with the run's seed, when more carry it: a round of a million
    answers never holds every sentence's vector. ``tfidf-svd`` is fitted on every sentence
    first, as its vocabulary must cover the round."""

    POOL = 20000

    def __init__(self, sentences: pd.DataFrame, comments: pd.DataFrame,
                 stances: dict[str, str], settings: Settings) -> None:
        self.cfg = settings.pipeline.recommend
        self.seed = settings.pipeline.seed
        self.comments = comments
        self.stances = stances
        discover_cfg = settings.pipeline.discover
        self.vectors: dict[str, np.ndarray] = {}
        self.enabled = len(sentences) >= 2
        if self.enabled:
            tag_cfg = settings.pipeline.tag  # the model folders and cache bound the run uses
            self.embedder = make_embedder(discover_cfg.embedder,
                                          discover_cfg.advanced.embedding_dims,
                                          settings.pipeline.seed, tag_cfg.advanced.static_model_dir,
                                          onnx_dir=tag_cfg.advanced.onnx_model_dir,
                                          max_entries=tag_cfg.advanced.memory_cache_entries)
            self.lazy = isinstance(self.embedder, CachedEmbedder)
            if self.lazy:  # texts as held (no Python string per sentence until asked for)
                self.text_of = sentences.set_index("sentence_id")["text"]
            else:
                matrix = self.embedder.fit_transform(sentences["text"].astype(str).tolist())
                self.vectors = dict(zip(sentences["sentence_id"], matrix, strict=True))

    def _pool(self, carrying: pd.DataFrame) -> pd.DataFrame:
        """``carrying``, or a seeded draw of ``POOL`` of its rows (in their order) when larger;
        the sentences' vectors at hand."""
        if len(carrying) > self.POOL:
            carrying = carrying.sample(self.POOL, random_state=self.seed).sort_index()
        if self.enabled and self.lazy:
            wanted = [s for s in dict.fromkeys(carrying["sentence_id"]) if s not in self.vectors]
            if len(self.vectors) + len(wanted) > 2 * self.POOL:
                self.vectors = {}  # the last theme's vectors are not needed again
                wanted = list(dict.fromkeys(carrying["sentence_id"]))
            if wanted:
                matrix = self.embedder.transform(self.text_of.loc[wanted].astype(str).tolist())
                # a pretrained embedder's vectors are float32 widened: kept as float32, the
                # same numbers in half the memory (widened again wherever they are used)
                self.vectors.update(zip(wanted, matrix.astype(np.float32), strict=True))
        return carrying

    def pick(self, key: str, label: str, carrying: pd.DataFrame) -> list[dict]:
        if carrying.empty:
            return []
        carrying = self._pool(carrying)
        centre = self._centre(carrying["sentence_id"])
        scores = {sid: float(self.vectors[sid] @ centre) if sid in self.vectors else 0.0
                  for sid in carrying["sentence_id"]}
        asks, praise = (quote_rules.candidates_for(carrying, self.comments, self.stances, scores,
                                                   self.cfg.advanced.max_quote_words, kind)
                        for kind in (ASK, PRAISE))
        # only asks stand under "what respondents asked for": no neutral filler, never praise
        chosen = self._choose(asks, centre, self.cfg.quotes_max)
        used = {c.respondent_id for c in chosen}
        chosen += self._choose([c for c in praise if c.respondent_id not in used], centre,
                               self.cfg.advanced.praise_quotes if self.cfg.advanced.stance else 0)
        return [{"key": key, "label": label, "quote_rank": rank, "quote": c.quote,
                 "stance": c.stance, "comment_id": c.comment_id, "respondent_id": c.respondent_id,
                 "group": c.group, "question": c.question}
                for rank, c in enumerate(chosen, start=1)]

    def phrases(self, carrying: pd.DataFrame) -> list[str]:
        """Up to ``ask_phrases`` verbatim ask phrases, most central first, one per
        respondent (see ``pipeline.text.stance.ask_phrase``)."""
        if self.cfg.advanced.ask_phrases == 0:
            return []
        carrying = self._pool(carrying)  # the pool ``pick`` drew: the same seeded rows
        asks = carrying[carrying["sentence_id"].map(self.stances) == ASK]
        if asks.empty:
            return []
        centre = self._centre(carrying["sentence_id"])
        closeness = [float(self.vectors[sid] @ centre) if sid in self.vectors and len(centre)
                     else 0.0 for sid in asks["sentence_id"]]
        ranked = asks.assign(_c=closeness).sort_values(["_c", "sentence_id"],
                                                        ascending=[False, True])
        found, people = [], set()
        for row in ranked.itertuples(index=False):
            phrase = ask_phrase(str(row.text))
            if row.respondent_id in people or len(phrase.split()) < 3 \
                    or phrase.lower() in {p.lower() for p in found}:
                continue
            found.append(phrase)
            people.add(row.respondent_id)
            if len(found) == self.cfg.advanced.ask_phrases:
                break
        return found

    def _choose(self, found, centre, count):
        if not found or count <= 0:
            return []
        vectors = self._embed([c.quote for c in found])
        picked = quote_rules.select(found, vectors, centre, count, self.cfg.advanced.diversity)
        return [found[i] for i in picked]

    def _centre(self, sentence_ids) -> np.ndarray:
        known = [self.vectors[s] for s in sentence_ids if s in self.vectors]
        if not known:
            return np.zeros(0)
        mean = np.mean(np.asarray(known, dtype=np.float64), axis=0)
        norm = np.linalg.norm(mean)
        return mean / norm if norm else mean

    def _embed(self, texts: list[str]) -> np.ndarray:
        if not self.vectors:
            return np.zeros((len(texts), 0))
        return self.embedder.transform(texts)
