"""The ``tfidf-svd`` embedder and the lemma tokens it (and discovery's labels) read.

``tfidf-svd``: TF-IDF over lookup lemmas, reduced with truncated SVD. Fast, deterministic,
no weights; it must be fitted (the tag stage fits it on the theme texts plus the round's
sentences). The pretrained embedders (``minilm``, ``minilm-static``: ``pipeline.embed.minilm``;
``minilm-onnx``: ``pipeline.embed.onnx_minilm``) need no fitting and cache their vectors by
text hash. Names map to classes in ``pipeline.embed.registry`` only.
"""

from __future__ import annotations

import re

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted

from pipeline.embed.base import Embedder
from pipeline.text.nlp import lemma

TOKEN = re.compile(r"(?u)\b[^\W\d_][\w'’-]*[^\W_]|\b[^\W\d_]\b")
PLACEHOLDERS = {"email", "phone", "name", "url", "nhs", "postcode"}
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) | {"s", "t", "ve", "ll", "don", "didn", "isn", "nt"}


def lemma_tokens(text: str) -> list[str]:
    """Lower-cased lookup lemmas of the words in ``text``, stop words and placeholders out."""
    words = []
    for match in TOKEN.finditer(text):
        raw = match.group(0)
        if raw.isupper() and raw.lower() in PLACEHOLDERS and text[max(0, match.start() - 1)] == "[":
            continue
        word = lemma(raw.replace("’", "'"))
        if word in STOP_WORDS or len(word) < 2 or word.split("'")[0] in STOP_WORDS:
            continue
        words.append(word)
    return words


class TfidfSvdEmbedder(Embedder):
    """TF-IDF (unigrams and bigrams of lemmas) + truncated SVD, rows scaled to unit length.

    Fitted state: ``vectorizer_`` (None when no text has a word), ``svd_`` (None when the
    vocabulary is too small to reduce). ``transform`` before ``fit``: ``NotFittedError``.
    """

    name = "tfidf-svd"

    def __init__(self, dims: int = 100, seed: int = 42) -> None:
        self.dims = dims
        self.seed = seed

    def fit(self, texts: list[str], y=None) -> TfidfSvdEmbedder:
        from sklearn.decomposition import TruncatedSVD

        for min_df in ((1,) if len(texts) < 50 else (2, 1)):
            self.vectorizer_ = TfidfVectorizer(
                tokenizer=lemma_tokens, token_pattern=None, lowercase=False, ngram_range=(1, 2),
                sublinear_tf=True, min_df=min_df,
            )
            try:
                matrix = self.vectorizer_.fit_transform(texts)
                break
            except ValueError:  # empty vocabulary: no word is shared by two texts
                continue
        else:  # no text has a word ("42", "3/5"): every text embeds as the zero vector
            self.vectorizer_, self.svd_ = None, None
            return self
        n_components = min(self.dims, matrix.shape[1] - 1, matrix.shape[0] - 1)
        self.svd_ = None
        if n_components >= 2:
            self.svd_ = TruncatedSVD(n_components=n_components, random_state=self.seed)
            self.svd_.fit(matrix)
        return self

    def transform(self, texts: list[str]) -> np.ndarray:
        check_is_fitted(self, ["vectorizer_", "svd_"])
        if self.vectorizer_ is None:
            return np.zeros((len(texts), 1))
        matrix = self.vectorizer_.transform(texts)
        dense = self.svd_.transform(matrix) if self.svd_ is not None else matrix.toarray()
        return normalize(np.asarray(dense, dtype=np.float64))
