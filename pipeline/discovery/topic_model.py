"""BERTopic as the discovery engine, with every sub-model ours.

BERTopic runs reduce -> cluster -> c-TF-IDF. We pass it precomputed embeddings and an
embedder (its default would download a model), our reducer as ``umap_model`` (identity for
small rounds; the seeded kNN + UMAP layout of ``clustering`` for large ones), our clusterer
as ``hdbscan_model`` (Ward with a silhouette-chosen count, or HDBSCAN) and a lemma
vectoriser for its topic words. BERTopic is imported lazily: it costs ~10 s.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from pipeline.discovery import clustering
from pipeline.embed.embedders import lemma_tokens


class Layout:
    """BERTopic ``umap_model``: the seeded kNN graph + UMAP layout of ``clustering``."""

    def __init__(self, neighbors: int, dims: int, seed: int, n_epochs: int) -> None:
        self.neighbors = neighbors
        self.dims = dims
        self.seed = seed
        self.n_epochs = n_epochs

    def fit(self, vectors: np.ndarray, y=None) -> Layout:
        self.embedding_ = clustering.umap_layout(vectors, self.neighbors, self.dims, self.seed,
                                                 self.n_epochs)
        self.fitted_on_ = id(vectors)
        return self

    def transform(self, vectors: np.ndarray) -> np.ndarray:
        if not hasattr(self, "embedding_"):
            raise RuntimeError("Layout is not fitted yet; call fit(vectors) first")
        if id(vectors) != self.fitted_on_:
            raise ValueError("Layout only lays out the documents it was fitted on")
        return self.embedding_


class Clusterer:
    """BERTopic ``hdbscan_model``: any ``vectors -> labels`` function, ``-1`` = outlier."""

    def __init__(self, assign: Callable[[np.ndarray], np.ndarray]) -> None:
        self.assign = assign

    def fit(self, vectors: np.ndarray, y=None) -> Clusterer:
        self.labels_ = np.asarray(self.assign(vectors), dtype=int)
        return self


class _Embedder:
    """Lets our fitted embedder stand where BERTopic expects a scikit-learn pipeline."""

    def __init__(self, embedder) -> None:
        self.embedder = embedder

    def transform(self, texts):
        return self.embedder.transform(list(texts))


def fit_topics(texts: list[str], vectors: np.ndarray, embedder, reducer, clusterer,
               top_words: int) -> tuple[np.ndarray, dict[int, list[str]]]:
    """Fit BERTopic on precomputed ``vectors``; -> one topic per text (-1 = outlier) and
    each topic's c-TF-IDF words."""
    from bertopic import BERTopic
    from bertopic.backend._sklearn import SklearnEmbedder
    from bertopic.vectorizers import ClassTfidfTransformer
    from sklearn.feature_extraction.text import CountVectorizer

    vectorizer = CountVectorizer(tokenizer=lemma_tokens, token_pattern=None, lowercase=False,
                                 ngram_range=(1, 2), min_df=1)
    model = BERTopic(
        embedding_model=SklearnEmbedder(_Embedder(embedder)), umap_model=reducer,
        hdbscan_model=clusterer, vectorizer_model=vectorizer,
        ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
        top_n_words=top_words, calculate_probabilities=False, verbose=False,
    )
    topics, _ = model.fit_transform(texts, embeddings=vectors)
    words = {int(topic): [w for w, _ in (model.get_topic(topic) or []) if w]
             for topic in sorted(set(topics))}
    return np.asarray(topics, dtype=int), words
