"""Placing documents among clusters already found: the ``Assigner`` estimator.

A round larger than ``discover.describe_sample_size`` is discovered on a sample; every other
document then joins its nearest final topic. ``Assigner`` is a scikit-learn estimator: the
constructor stores settings only; ``fit(vectors, labels, themes, keywords)`` learns each
topic's unit-length centroid (``topics_``) from the sample's (theme-seeded) vectors and keeps
the theme centroids that tags pull a document towards (``themes_``) and each cluster's
keywords (``keywords_``, for ``on_topic``); ``predict`` / ``place`` before ``fit`` raise
``NotFittedError``. It is small and picklable, so it travels to Dask workers, which rebuild a
pretrained embedder from ``embedder_args`` (a fitted ``tfidf-svd`` travels as ``embedder``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from pipeline import progress
from pipeline.discovery import clustering
from pipeline.discovery.labels import terms_of_lemmas
from pipeline.embed.embedders import lemma_tokens
from pipeline.embed.registry import make_embedder


def doc_keys(docs: pd.DataFrame, unit: str) -> pd.Series:
    return docs["sentence_id"] if unit == "sentences" else docs["comment_id"]


def on_topic(labels: np.ndarray, doc_terms: list[set[str]],
             keywords: dict[int, set[str]]) -> list[bool]:
    """Per document: does it use one of its cluster's keywords (or a word of one)?"""
    return [bool(keywords.get(c) and keywords[c] & found)
            for c, found in zip(labels.tolist(), doc_terms, strict=True)]


def seed_vectors(vectors: np.ndarray, doc_themes: list[set[str]],
                 theme_vectors: dict[str, np.ndarray], weight: float) -> np.ndarray:
    """Move each tagged document towards the centroid of its themes (guided clustering)."""
    if weight <= 0 or not theme_vectors:
        return vectors
    seeded = vectors.copy()
    for row, found in enumerate(doc_themes):
        known = [theme_vectors[t] for t in sorted(found) if t in theme_vectors]
        if known:
            seeded[row] = vectors[row] + weight * np.mean(known, axis=0)
    norms = np.linalg.norm(seeded, axis=1, keepdims=True)
    return seeded / np.where(norms == 0, 1, norms)


class Assigner(BaseEstimator):
    """Places documents among fitted topics: nearest topic centroid by cosine, ``-1`` below
    ``min_similarity``, after seeding each document towards its themes (``seed_weight``).

    ``embedder``: a fitted embedder to embed texts with (``tfidf-svd``), or None to build the
    shared pretrained one from ``embedder_args`` (name, dims, seed, static_dir, onnx_dir,
    cache entries). ``batch_size``: documents placed at once by ``assign_documents``;
    ``unit``: ``sentences`` or ``comments`` (which column keys a document).
    """

    def __init__(self, seed_weight: float = 0.0, min_similarity: float = 0.0,
                 batch_size: int = 1000, embedder=None, embedder_args: tuple | None = None,
                 unit: str = "sentences") -> None:
        self.seed_weight = seed_weight
        self.min_similarity = min_similarity
        self.batch_size = batch_size
        self.embedder = embedder
        self.embedder_args = embedder_args
        self.unit = unit

    def fit(self, vectors: np.ndarray, labels: np.ndarray,
            themes: dict[str, np.ndarray] | None = None,
            keywords: dict[int, set[str]] | None = None) -> Assigner:
        """Learn the topic centroids from ``vectors`` (already seeded) and their cluster
        ``labels`` (``-1``: outlier, left out); keep ``themes`` and ``keywords``."""
        self.topics_ = clustering.centroids_of(np.asarray(vectors, dtype=float),
                                               np.asarray(labels, dtype=int))
        self.themes_ = dict(themes or {})
        self.keywords_ = dict(keywords or {})
        return self

    def make_embedder(self):
        if self.embedder is not None:
            return self.embedder
        if not self.embedder_args:
            raise ValueError("Assigner needs an embedder or embedder_args to embed texts")
        name, dims, seed, static_dir, onnx_dir, entries = self.embedder_args
        return make_embedder(name, dims, seed, static_dir, onnx_dir=onnx_dir,
                             max_entries=entries)

    def place(self, texts: list[str], doc_themes: list[set[str]],
              vectors: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(cluster per document, -1 below ``min_similarity``; on_topic per document);
        ``vectors``: the documents' embeddings when already made."""
        check_is_fitted(self, ["topics_", "themes_", "keywords_"])
        if not len(texts):
            return np.zeros(0, dtype=int), np.zeros(0, dtype=bool)
        if vectors is None:
            vectors = self.make_embedder().transform(texts)
        seeded = seed_vectors(np.asarray(vectors, dtype=float), doc_themes, self.themes_,
                              self.seed_weight)
        labels = clustering.nearest_topic(seeded, self.topics_, self.min_similarity)
        terms = [terms_of_lemmas(lemma_tokens(text)) for text in texts]
        return labels, np.array(on_topic(labels, terms, self.keywords_), dtype=bool)

    def predict(self, texts: list[str], doc_themes: list[set[str]] | None = None,
                vectors: np.ndarray | None = None) -> np.ndarray:
        """The cluster id of each text (``-1``: near no topic)."""
        check_is_fitted(self, ["topics_", "themes_", "keywords_"])
        themes = [set() for _ in texts] if doc_themes is None else doc_themes
        return self.place(list(texts), themes, vectors)[0]


def assign_documents(docs: pd.DataFrame, lookup: dict[str, set[str]], assigner: Assigner,
                     vectors: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Place ``docs`` with ``assigner`` in batches of ``assigner.batch_size`` (in this
    process; ``vectors``: their embeddings when already made, in their order);
    -> (cluster ids, on_topic flags) in ``docs``' order."""
    labels, on_topic = [], []
    keys = doc_keys(docs, assigner.unit).tolist()
    texts = docs["text"].tolist()
    for start in range(0, len(texts), assigner.batch_size):
        stop = start + assigner.batch_size
        given = None if vectors is None else vectors[start:stop]
        placed = assigner.place(texts[start:stop],
                                [lookup.get(k, set()) for k in keys[start:stop]], given)
        labels.append(placed[0])
        on_topic.append(placed[1])
        progress.rows("discover: placing", min(stop, len(texts)), len(texts))
    if not labels:
        return np.zeros(0, dtype=int), np.zeros(0, dtype=bool)
    return np.concatenate(labels), np.concatenate(on_topic)
