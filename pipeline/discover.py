"""Stage ``discover``: BERTopic clusters over sentences (or comments), mapped to themes.

BERTopic always gets an embedder we pass in and precomputed embeddings (its default
would download a model). Small rounds cannot use UMAP+HDBSCAN, so a PCA + agglomerative
path is chosen automatically below ``small_round_max_docs``; the choice is recorded in
the ``method`` column of ``clusters``. Each cluster ends as part of a theme (``theme``),
a ``candidate`` theme, ``unexplained`` (too few respondents) or ``outliers``.
"""

from __future__ import annotations

import logging
import math
import time

import numpy as np
import pandas as pd

from pipeline.config import DiscoverSettings, Settings, slugify
from pipeline.embeddings import lemma_tokens, make_embedder
from pipeline.schemas import CLUSTERS, COMMENT_THEMES, SENTENCE_CLUSTERS, SENTENCES, TAGS, empty

log = logging.getLogger(__name__)

NAME = "discover"
REQUIRES = {"sentences": SENTENCES, "tags": TAGS, "comment_themes": COMMENT_THEMES}
PRODUCES = {"sentence_clusters": SENTENCE_CLUSTERS, "clusters": CLUSTERS + ("method",)}
MIN_DOCS = 3


def run(tables: dict[str, pd.DataFrame], settings: Settings) -> dict[str, pd.DataFrame]:
    return discover(tables["sentences"], tables["tags"], tables["comment_themes"], settings)


def discover(sentences: pd.DataFrame, tags: pd.DataFrame, comment_themes: pd.DataFrame,
             settings: Settings) -> dict[str, pd.DataFrame]:
    """-> ``sentence_clusters`` (sentence_id, comment_id, cluster_id) and ``clusters``
    (cluster_id, label, keywords, counts, status, theme_id, overlap, examples, method)."""
    started = time.perf_counter()
    cfg = settings.pipeline.discover
    docs = _documents(sentences, cfg.unit)
    if not cfg.enabled or len(docs) < MIN_DOCS:
        reason = "disabled" if not cfg.enabled else f"fewer than {MIN_DOCS} documents"
        log.info("discover: skipped (%s)", reason)
        return {"sentence_clusters": empty(SENTENCE_CLUSTERS).astype({"cluster_id": int}),
                "clusters": empty(CLUSTERS + ("method",))}

    texts = docs["text"].tolist()
    embedder = make_embedder(cfg.embedder, cfg.embedding_dims, settings.pipeline.seed)
    embeddings = embedder.fit_transform(texts)
    method = _choose_method(cfg, len(texts))
    topics, words = _fit_topics(texts, embeddings, embedder, method, cfg, settings.pipeline.seed)
    docs = docs.assign(cluster_id=topics)

    assignment = sentences[["sentence_id", "comment_id"]].merge(
        docs[["comment_id", "cluster_id"] + (["sentence_id"] if cfg.unit == "sentences" else [])],
        on=["sentence_id", "comment_id"] if cfg.unit == "sentences" else ["comment_id"],
        how="inner",
    )[list(SENTENCE_CLUSTERS)].astype({"cluster_id": int}).reset_index(drop=True)
    clusters = _describe(docs, embeddings, words, tags, comment_themes, cfg, settings)
    clusters = clusters.assign(method=method)
    log.info("discover: %d documents -> %d clusters (%s, %.2fs)", len(texts),
             int((clusters["cluster_id"] >= 0).sum()), method, time.perf_counter() - started)
    return {"sentence_clusters": assignment, "clusters": clusters}


def _documents(sentences: pd.DataFrame, unit: str) -> pd.DataFrame:
    if unit == "sentences":
        return sentences[["sentence_id", "comment_id", "respondent_id", "text"]].reset_index(drop=True)
    grouped = sentences.groupby("comment_id", sort=False).agg(
        respondent_id=("respondent_id", "first"), text=("text", " ".join)).reset_index()
    return grouped.assign(sentence_id=grouped["comment_id"])


def _choose_method(cfg: DiscoverSettings, n_docs: int) -> str:
    if cfg.method != "auto":
        return cfg.method
    return "small" if n_docs <= cfg.small_round_max_docs else "large"


def _n_clusters(cfg: DiscoverSettings, n_docs: int) -> int:
    if cfg.n_clusters != "auto":
        return max(1, min(int(cfg.n_clusters), n_docs - 1))
    return max(2, min(40, n_docs - 1, round(math.sqrt(n_docs / 2))))


def _fit_topics(texts, embeddings, embedder, method, cfg, seed):
    """Fit BERTopic; return one topic per document and the top words of each topic."""
    from bertopic import BERTopic  # lazy: ~10 s
    from bertopic.backend._sklearn import SklearnEmbedder
    from bertopic.vectorizers import ClassTfidfTransformer
    from sklearn.feature_extraction.text import CountVectorizer

    n_docs = len(texts)
    if method == "small":
        from sklearn.cluster import AgglomerativeClustering
        from sklearn.decomposition import PCA

        reducer = PCA(n_components=max(2, min(10, n_docs - 1, embeddings.shape[1])),
                      svd_solver="full", random_state=seed)
        clusterer = AgglomerativeClustering(n_clusters=_n_clusters(cfg, n_docs))
    else:
        from hdbscan import HDBSCAN
        from umap import UMAP

        size = (max(10, n_docs // 200) if cfg.min_cluster_size == "auto"
                else int(cfg.min_cluster_size))
        reducer = UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine",
                       random_state=seed)
        clusterer = HDBSCAN(min_cluster_size=size, metric="euclidean",
                            cluster_selection_method="eom", prediction_data=True)
    vectorizer = CountVectorizer(tokenizer=lemma_tokens, token_pattern=None, lowercase=False,
                                 ngram_range=(1, 2), min_df=1)
    model = BERTopic(
        embedding_model=SklearnEmbedder(_Wrapped(embedder)), umap_model=reducer,
        hdbscan_model=clusterer, vectorizer_model=vectorizer,
        ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
        top_n_words=cfg.top_words, calculate_probabilities=False, verbose=False,
    )
    topics, _ = model.fit_transform(texts, embeddings=embeddings)
    if method == "large" and -1 in topics:
        topics = model.reduce_outliers(texts, topics, strategy="embeddings", embeddings=embeddings)
    words = {}
    for topic in sorted(set(topics)):
        found = model.get_topic(topic) or []
        words[topic] = [w for w, _ in found if w][: cfg.top_words]
    return [int(t) for t in topics], words


class _Wrapped:
    """Lets our embedder stand where BERTopic expects a fitted scikit-learn pipeline."""

    def __init__(self, embedder) -> None:
        self.embedder = embedder

    def transform(self, texts):
        return self.embedder.transform(list(texts))


def _describe(docs, embeddings, words, tags, comment_themes, cfg, settings) -> pd.DataFrame:
    sentence_themes = tags.groupby("sentence_id")["theme_id"].agg(set) if len(tags) else {}
    comment_theme_sets = (comment_themes.groupby("comment_id")["theme_id"].agg(set)
                          if len(comment_themes) else {})
    theme_order = settings.themes.ids
    rows = []
    used_ids: set[str] = set()
    for cluster_id in sorted(docs["cluster_id"].unique()):
        members = docs.index[docs["cluster_id"] == cluster_id]
        member_docs = docs.loc[members]
        counts = {t: 0 for t in theme_order}
        for sentence_id, comment_id in zip(member_docs["sentence_id"], member_docs["comment_id"],
                                           strict=True):
            lookup = sentence_themes if cfg.unit == "sentences" else comment_theme_sets
            key = sentence_id if cfg.unit == "sentences" else comment_id
            for theme_id in (lookup.get(key, set()) if len(lookup) else set()):
                counts[theme_id] = counts.get(theme_id, 0) + 1
        best_theme = max(theme_order, key=lambda t: counts[t]) if theme_order else ""
        overlap = counts.get(best_theme, 0) / len(members) if len(members) else 0.0
        n_respondents = member_docs["respondent_id"].nunique()
        keywords = words.get(int(cluster_id), [])
        if cluster_id == -1:
            status, theme_id = "outliers", ""
        elif overlap >= cfg.map_min_overlap and counts.get(best_theme, 0) > 0:
            status, theme_id = "theme", best_theme
        elif n_respondents >= cfg.candidate_min_respondents:
            status, theme_id = "candidate", ""
        else:
            status, theme_id = "unexplained", ""
        centroid = embeddings[members].mean(axis=0)
        closeness = embeddings[members] @ centroid
        order = np.argsort(-closeness, kind="stable")
        examples = []
        for position in order:
            text = member_docs["text"].iloc[position]
            if text not in examples:
                examples.append(text)
            if len(examples) >= cfg.candidate_examples:
                break
        label = " / ".join(keywords[:3]) if keywords else f"cluster {cluster_id}"
        proposed = ""
        if status == "candidate":
            proposed = _unique_id("candidate_" + slugify("_".join(keywords[:2]) or str(cluster_id)),
                                  used_ids)
        rows.append({
            "cluster_id": int(cluster_id), "label": label, "keywords": "|".join(keywords),
            "n_sentences": len(members),
            "n_comments": int(member_docs["comment_id"].nunique()),
            "n_respondents": int(n_respondents), "status": status,
            "theme_id": theme_id or proposed, "overlap": round(float(overlap), 4),
            "examples": "\n".join(examples),
        })
    return pd.DataFrame(rows, columns=list(CLUSTERS))


def _unique_id(base: str, used: set[str]) -> str:
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base}_{n}", n + 1
    used.add(candidate)
    return candidate
