"""BERTopic in discovery: it supplies each cluster's topic words, and nothing else.

What BERTopic does here, plainly. ``TopicModel.fit`` runs ``BERTopic.fit_transform`` on a
bounded sample with precomputed embeddings, our reducer as ``umap_model`` (identity for small
rounds; the seeded kNN + UMAP layout of ``clustering`` for large ones) and our clusterer as
``hdbscan_model`` (Ward with a silhouette-chosen count, or HDBSCAN): the topics it returns
are our clusterer's labels, renumbered by size. The words of that fit (plain lemma unigrams)
are thrown away. ``TopicModel.describe`` then calls ``update_topics`` with the final
assignment (after outlier reduction and merging, which are ours, in ``clustering`` and
``stages.discover``), a vectoriser over lemmas that leaves out words too common or too vague
to name a topic, a c-TF-IDF that scores only words a topic repeats, and
``MaximalMarginalRelevance`` as the representation model, and reads the words back with
``get_topic``: those c-TF-IDF + MMR words ("late papers, agenda", not "papers, paper, late
papers") are the one BERTopic output we use. Topic vectors are ours (``topic_vectors_``: the
unit-length mean of each topic's document vectors, ``clustering.centroids_of``), not
BERTopic's ``topic_embeddings_``; documents outside the sample are placed by the nearest of
those vectors (``TopicModel.assign``, ``pipeline.discovery.assign.Assigner``), not by
``BERTopic.transform``; BERTopic's topic reduction and probabilities are not used.
BERTopic is imported lazily: it costs ~10 s.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections import Counter
from collections.abc import Callable

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from pipeline.discovery import clustering

log = logging.getLogger(__name__)

# Words that judge or hedge rather than name a topic: never a cluster's label or keyword.
GENERIC_WORDS = frozenset("""
    good great excellent fine bad poor hard difficult easy real really like likes liked think
    year's decent clear
    thought feel felt need needs needed want wanted make makes made way ways thing things lot
    lots year years overall generally general just better best worse right wrong sure
    score scores scored scoring survey statement statements reflect reflects mixed
    thanks thank people time times bit little new old keen hope know say said
    use used work works worked working welcome able does doing did
    """.split())  # noqa: SIM905 - a word list reads best as words


class Layout(TransformerMixin, BaseEstimator):
    """BERTopic ``umap_model``: the seeded kNN graph + UMAP layout of ``clustering``.

    A layout of the documents it is fitted on only (BERTopic fits it, then transforms the
    same embeddings): ``embedding_`` is that layout, and ``transform`` of another number of
    rows is refused."""

    def __init__(self, neighbors: int = 15, dims: int = 5, seed: int = 42,
                 n_epochs: int = 200) -> None:
        self.neighbors = neighbors
        self.dims = dims
        self.seed = seed
        self.n_epochs = n_epochs

    def fit(self, vectors: np.ndarray, y=None) -> Layout:
        self.embedding_ = clustering.umap_layout(vectors, self.neighbors, self.dims, self.seed,
                                                 self.n_epochs)
        return self

    def transform(self, vectors: np.ndarray) -> np.ndarray:
        check_is_fitted(self, "embedding_")
        if len(vectors) != len(self.embedding_):
            raise ValueError(f"Layout only lays out the {len(self.embedding_)} documents it was "
                             f"fitted on, not {len(vectors)} others")
        return self.embedding_


class Clusterer:
    """BERTopic ``hdbscan_model``: any ``vectors -> labels`` function, ``-1`` = outlier."""

    def __init__(self, assign: Callable[[np.ndarray], np.ndarray]) -> None:
        self.assign = assign

    def fit(self, vectors: np.ndarray, y=None) -> Clusterer:
        self.labels_ = np.asarray(self.assign(vectors), dtype=int)
        return self


class _Embedder(BaseEstimator):
    """Lets our fitted embedder stand where BERTopic expects a scikit-learn pipeline
    (BERTopic embeds candidate words with it for ``MaximalMarginalRelevance``)."""

    def __init__(self, embedder) -> None:
        self.embedder = embedder

    def __sklearn_is_fitted__(self) -> bool:
        # our embedder comes fitted: BERTopic, which checks, must never fit it on topic words
        return True

    def fit(self, texts, y=None) -> _Embedder:
        return self

    def transform(self, texts):
        return self.embedder.transform(list(texts))


class TermAnalyzer:
    """CountVectorizer analyzer over space-joined lemmas: unigrams and bigrams, without words
    found in more than ``max_df`` of the round's documents ("forum", "staff" say nothing about
    one cluster), bigrams holding such a word, and judging or hedging words (``GENERIC_WORDS``)
    alone or leading a bigram ("welcome joint" goes, "joint work" stays)."""

    def __init__(self, common: frozenset[str]) -> None:
        self.common = common

    def __call__(self, doc: str) -> list[str]:
        words = doc.split()
        terms = [w for w in words if w not in self.common and w not in GENERIC_WORDS]
        terms += [f"{a} {b}" for a, b in itertools.pairwise(words)
                  if a not in GENERIC_WORDS and a not in self.common and b not in self.common]
        return terms


def common_words(lemma_docs: list[list[str]], max_df: float) -> frozenset[str]:
    """Words in more than ``max_df`` of the documents (and more than 5 of them: a tiny round
    keeps its words)."""
    freq = Counter(w for words in lemma_docs for w in set(words))
    limit = max(5, max_df * len(lemma_docs))
    return frozenset(w for w, n in freq.items() if n > limit)


def import_in_background() -> threading.Thread:
    """Start importing BERTopic and the layout and clustering libraries it runs (several
    seconds of a run on 2 cores) in a thread, while the caller works; ``join`` it before
    leaving. Python's import locks make a later ``import bertopic`` wait for this one instead
    of importing twice. The runner starts it when tagging starts: tagging spends its time in
    ONNX Runtime or torch, which release the GIL, so the import mostly runs in their gaps."""

    def load() -> None:
        try:
            import bertopic  # noqa: F401
            import hdbscan  # noqa: F401
            import umap.umap_  # noqa: F401
        except Exception:  # discovery imports them again and reports the error there
            log.debug("background import of BERTopic failed", exc_info=True)

    thread = threading.Thread(target=load, name="import-bertopic", daemon=True)
    thread.start()
    return thread


def repeated_words_ctfidf():
    """BERTopic's ``ClassTfidfTransformer`` (with ``reduce_frequent_words``) that only scores
    words a topic uses at least twice, unless it has none: a word or bigram said once is
    chance, not a topic (tiny clusters keep their words)."""
    from bertopic.vectorizers import ClassTfidfTransformer
    from scipy import sparse

    class RepeatedWordsTfidf(ClassTfidfTransformer):
        def transform(self, X):
            counts = sparse.csr_matrix(X, dtype=np.float64, copy=True)
            for row in range(counts.shape[0]):
                values = counts.data[counts.indptr[row]:counts.indptr[row + 1]]
                if (values >= 2).any():
                    values[values < 2] = 0.0
            counts.eliminate_zeros()
            return super().transform(counts)

    return RepeatedWordsTfidf(reduce_frequent_words=True)


class TopicModel:
    """A BERTopic model fitted once on ``fit`` documents; ``assign`` places any others.

    Fitted state: ``model_`` (the BERTopic), ``labels_`` (one topic per fitted document,
    numbered 0.. by size, ``-1`` = outlier) and ``topic_vectors_`` (topic id -> unit-length
    topic embedding).
    """

    def __init__(self, embedder, reducer, clusterer, top_words: int, diversity: float,
                 common: frozenset[str]) -> None:
        self.embedder = embedder
        self.reducer = reducer
        self.clusterer = clusterer
        self.top_words = top_words
        self.diversity = diversity
        self.common = common

    def _vectorizer(self):
        from sklearn.feature_extraction.text import CountVectorizer

        return CountVectorizer(analyzer=TermAnalyzer(self.common))

    def _representation(self):
        """BERTopic's MMR over each topic's best ``2 * top_words`` c-TF-IDF words (BERTopic
        hands it 30; every candidate is embedded, which costs with MiniLM)."""
        from bertopic.representation import MaximalMarginalRelevance

        candidates = 2 * self.top_words

        class FewerCandidates(MaximalMarginalRelevance):
            def extract_topics(self, topic_model, documents, c_tf_idf, topics):
                return super().extract_topics(topic_model, documents, c_tf_idf,
                                              {t: w[:candidates] for t, w in topics.items()})

        return FewerCandidates(diversity=self.diversity, top_n_words=self.top_words)

    def fit(self, lemma_texts: list[str], vectors: np.ndarray) -> TopicModel:
        """Fit on space-joined lemmas and their (precomputed) vectors."""
        from bertopic import BERTopic
        from bertopic.backend._sklearn import SklearnEmbedder
        from bertopic.vectorizers import ClassTfidfTransformer
        from sklearn.feature_extraction.text import CountVectorizer

        self.model_ = BERTopic(
            embedding_model=SklearnEmbedder(_Embedder(self.embedder)), umap_model=self.reducer,
            # the fit's own words are replaced by ``describe`` over the final assignment:
            # plain lemma unigrams are enough here and never leave the vocabulary empty
            hdbscan_model=self.clusterer, vectorizer_model=CountVectorizer(analyzer=str.split),
            ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
            representation_model=None, top_n_words=self.top_words,
            calculate_probabilities=False, verbose=False,
        )
        topics, _ = self.model_.fit_transform(lemma_texts, embeddings=vectors)
        self.labels_ = clustering.renumber(np.asarray(topics, dtype=int))
        self.topic_vectors_ = self._topic_vectors(vectors, self.labels_)
        return self

    def _topic_vectors(self, vectors: np.ndarray, labels: np.ndarray) -> dict[int, np.ndarray]:
        return clustering.centroids_of(vectors, labels)

    def set_labels(self, vectors: np.ndarray, labels: np.ndarray) -> TopicModel:
        """Replace the fitted documents' topics (after outlier reduction) and their vectors."""
        self.labels_ = np.asarray(labels, dtype=int)
        self.topic_vectors_ = self._topic_vectors(vectors, self.labels_)
        return self

    def assign(self, vectors: np.ndarray, min_similarity: float, batch_size: int) -> np.ndarray:
        """Nearest topic embedding for each row (``-1`` below ``min_similarity``), in batches
        of ``batch_size`` rows so memory stays bounded on large rounds."""
        if not hasattr(self, "topic_vectors_"):
            raise RuntimeError("TopicModel is not fitted yet; call fit(texts, vectors) first")
        out = np.full(len(vectors), clustering.OUTLIER, dtype=int)
        for start in range(0, len(vectors), batch_size):
            block = vectors[start:start + batch_size]
            out[start:start + len(block)] = clustering.nearest_topic(
                block, self.topic_vectors_, min_similarity)
        return out

    def describe(self, lemma_texts: list[str], labels: np.ndarray,
                 diverse: bool = True) -> dict[int, list[str]]:
        """Topic words of each cluster in ``labels`` (over all of ``lemma_texts``): BERTopic's
        c-TF-IDF over the final assignment, made diverse by MMR when ``diverse``."""
        if not hasattr(self, "model_"):
            raise RuntimeError("TopicModel is not fitted yet; call fit(texts, vectors) first")
        import logging

        ids = sorted(set(labels.tolist()) - {clustering.OUTLIER})
        if not ids:
            return {}
        single = self._single_term(lemma_texts, labels, ids)
        if single is not None:
            return single
        bertopic_log = logging.getLogger("BERTopic")
        level = bertopic_log.level
        bertopic_log.setLevel(logging.ERROR)  # its warning about custom topic lists
        try:
            self.model_.update_topics(
                lemma_texts, topics=[int(t) for t in labels],
                top_n_words=self.top_words, vectorizer_model=self._vectorizer(),
                ctfidf_model=repeated_words_ctfidf(),
                representation_model=self._representation() if diverse and self.diversity
                else None)
        except ValueError:  # nothing left to count: every word is a stop or common word
            return {c: [] for c in ids}
        finally:
            bertopic_log.setLevel(level)
        return {c: dedupe([w for w, score in (self.model_.get_topic(c) or []) if w and score > 0])
                for c in ids}

    def _single_term(self, lemma_texts: list[str], labels: np.ndarray,
                     ids: list[int]) -> dict[int, list[str]] | None:
        """Each cluster's words when the vocabulary left after common and generic words holds
        at most one term (BERTopic's c-TF-IDF fails on a one-term vocabulary: its idf is then
        a scalar): that term for the clusters using it; None when there are more terms."""
        analyzer = TermAnalyzer(self.common)
        terms = [set(analyzer(text)) for text in lemma_texts]
        vocabulary = set().union(*terms) if terms else set()
        if len(vocabulary) > 1:
            return None
        return {c: sorted(vocabulary & set().union(*(terms[i] for i in np.flatnonzero(
            labels == c)))) for c in ids}


def dedupe(terms: list[str]) -> list[str]:
    """Drop bigrams of one repeated word ("think think") and reorderings of a term already
    kept ("wait long" after "long wait")."""
    chosen, seen = [], set()
    for term in terms:
        words = frozenset(term.split())
        if len(words) == len(term.split()) and words not in seen:
            chosen.append(term)
            seen.add(words)
    return chosen
