"""The semantic layer: sentences against theme descriptions in an embedding space.

A theme is described by its label, description and examples. A sentence's score for a theme
is the mean of two cosines: with the closest of those texts, and with their centroid (the
blend scored micro F1 0.507 on NHS FFT zero-shot, against 0.424 for the closest text alone
and 0.478 for the centroid alone). A score at or above the theme's
``threshold`` (or ``tag.semantic_threshold`` when the theme sets none) is a ``semantic`` hit,
if the theme is among the sentence's ``tag.advanced.semantic_top_k`` best-scoring themes.
A hit must also beat what the sentence is nearer to instead: the ``tag.advanced.no_theme`` sentences
(general thanks, praise of the forum as a whole, filler) and the theme's ``not_examples``
(sentences a reviewer says must not get it), scored the same way; and lead the sentence's
runner-up theme by ``tag.advanced.semantic_margin``. Every hit keeps its evidence: the theme
text the sentence was nearest, the runner-up theme and the margin over it.

With ``tag.advanced.semantic_codebook_weight`` w > 0, a logistic regression is fitted at run time on
the theme texts' vectors (each text labelled with its theme; no coded comments), and a
sentence's score becomes ``(1 - w) * similarity + w * probability`` of the theme. On NHS FFT
zero-shot (codebook imported, nothing trained) w = 0.5 lifted cross-validated macro F1 from
0.420 to 0.447 (BENCHMARKS.md, "Real data"); it is off by default (0).

A theme's ``includes`` and ``excludes`` criteria are for reviewers and exported codebooks:
runs do not score with them. ``semantic_match(..., criteria=True)`` adds includes to the
theme's texts and excludes to what a hit must beat; on NHS FFT dev zero-shot, with criteria
cut from the framework's own descriptions, that moved macro F1 from 0.420 to 0.412, and
excludes alone or as a penalty changed nothing (``bench/bench_criteria.py``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.config.models import TagSettings, Theme, ThemesConfig
from pipeline.embed.embedders import TfidfSvdEmbedder
from pipeline.embed.registry import make_embedder

CODEBOOK_C = 10.0  # inverse regularisation of the codebook classifier (NHS FFT dev: 1, 10, 100)


def theme_texts(theme: Theme, criteria: bool = False) -> list[str]:
    """The texts that stand for a theme: label, description, each example (then, with
    ``criteria``, each of its ``includes``)."""
    included = theme.includes if criteria else []
    return [t for t in (theme.label, theme.description, *theme.examples, *included)
            if t.strip()]


def against_texts(theme: Theme, criteria: bool = False) -> list[str]:
    """The texts a hit for a theme must beat besides the no-theme set: its ``not_examples``
    (then, with ``criteria``, its ``excludes``)."""
    return [*theme.not_examples, *(theme.excludes if criteria else [])]


def embedder_for(cfg: TagSettings, seed: int):
    """The configured embedder (a fresh ``tfidf-svd`` or the shared pretrained one)."""
    return make_embedder(cfg.embedder, cfg.advanced.embedding_dims, seed,
                         cfg.advanced.static_model_dir, onnx_dir=cfg.advanced.onnx_model_dir,
                         max_entries=cfg.advanced.memory_cache_entries)


@dataclass
class SemanticMatch:
    """``scores``: texts x themes; ``nearest``: texts x themes, the index (into
    ``theme_texts[j]``) of the theme text each text was closest to; ``against``: texts x
    themes, the score of what the text must beat for the theme: the closer of the ``no
    theme`` sentences and the theme's ``not_examples`` (-inf when there are none)."""

    scores: np.ndarray
    nearest: np.ndarray
    theme_texts: list[list[str]]
    against: np.ndarray

    def nearest_text(self, row: int, column: int) -> str:
        texts = self.theme_texts[column]
        return texts[int(self.nearest[row, column])] if texts else ""


def _blend(text_vectors: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Per text: the mean of its best cosine with ``group`` and its cosine with their
    centroid (-inf for an empty group)."""
    if not len(group):
        return np.full(len(text_vectors), -np.inf)
    centroid = group.mean(axis=0)
    norm = np.linalg.norm(centroid)
    to_centroid = text_vectors @ (centroid / norm) if norm > 0 else np.zeros(len(text_vectors))
    return 0.5 * (text_vectors @ group.T).max(axis=1) + 0.5 * to_centroid


def codebook_probabilities(text_vectors: np.ndarray, theme_vectors: np.ndarray,
                           labels: np.ndarray, n_themes: int) -> np.ndarray:
    """Texts x themes: the probability of each theme under a multinomial logistic
    regression fitted on ``theme_vectors`` (the theme texts' vectors, ``labels`` their theme
    columns); 0 for a theme without texts, all 0 when fewer than two themes have texts."""
    proba = np.zeros((len(text_vectors), n_themes))
    if len(set(labels.tolist())) < 2:
        return proba
    model = _codebook_model(theme_vectors, labels)
    proba[:, model.classes_] = model.predict_proba(text_vectors)
    return proba


_FITTED: dict[bytes, object] = {}


def _codebook_model(theme_vectors: np.ndarray, labels: np.ndarray):
    """The logistic regression for these theme vectors and labels, fitted once: the tag stage
    scores a large round block by block with the same theme texts (only the latest is kept)."""
    from sklearn.linear_model import LogisticRegression

    key = hashlib.sha1(np.ascontiguousarray(theme_vectors).tobytes()
                       + np.ascontiguousarray(labels).tobytes()).digest()
    if key not in _FITTED:
        _FITTED.clear()
        _FITTED[key] = LogisticRegression(C=CODEBOOK_C, max_iter=3000).fit(theme_vectors,
                                                                            labels)
    return _FITTED[key]


def semantic_match(texts: list[str], themes: ThemesConfig, embedder,
                   no_theme: Sequence[str] = (), codebook_weight: float = 0.0,
                   criteria: bool = False) -> SemanticMatch:
    """Score of every text (rows) for every theme (columns), in ``[-1, 1]``: the mean of its
    best cosine with the theme's texts and its cosine with their centroid; which of the
    theme's texts was the closest; and the same score against the ``no_theme`` sentences and
    each theme's ``not_examples`` (what a hit must beat). With ``codebook_weight`` w > 0 the
    scores are ``(1 - w) * similarity + w * codebook_probabilities``. With ``criteria``, each
    theme's ``includes`` join its texts and its ``excludes`` join its ``not_examples`` (off
    in runs: see the module's docstring).

    ``tfidf-svd`` is fitted here on the theme texts plus ``texts``: deterministic for a
    given round, and the vocabulary covers both sides of the comparison.
    """
    per_theme = [theme_texts(theme, criteria) for theme in themes.themes]
    negatives = [against_texts(theme, criteria) for theme in themes.themes]
    flat = [t for group in per_theme for t in group]
    extra = list(no_theme) + [t for group in negatives for t in group]
    shape = (len(texts), len(per_theme))
    if not texts or not flat:
        return SemanticMatch(np.zeros(shape), np.zeros(shape, dtype=int), per_theme,
                             np.full(shape, -np.inf))
    if isinstance(embedder, TfidfSvdEmbedder):
        embedder.fit(flat + extra + list(texts))
    theme_vectors = embedder.transform(flat + extra)
    text_vectors = embedder.transform(list(texts))
    scores = np.empty(shape)
    nearest = np.zeros(shape, dtype=int)
    start = 0
    for j, group in enumerate(per_theme):
        block = theme_vectors[start:start + len(group)]
        scores[:, j] = _blend(text_vectors, block)
        nearest[:, j] = (text_vectors @ block.T).argmax(axis=1)
        start += len(group)
    if codebook_weight > 0:
        labels = np.repeat(np.arange(len(per_theme)), [len(group) for group in per_theme])
        scores = (1 - codebook_weight) * scores + codebook_weight * codebook_probabilities(
            text_vectors, theme_vectors[:len(flat)], labels, len(per_theme))
    nothing = _blend(text_vectors, theme_vectors[start:start + len(no_theme)])
    start += len(no_theme)
    against = np.empty(shape)
    for j, group in enumerate(negatives):
        against[:, j] = np.maximum(nothing, _blend(text_vectors,
                                                   theme_vectors[start:start + len(group)]))
        start += len(group)
    return SemanticMatch(scores, nearest, per_theme, against)


def semantic_scores(texts: list[str], themes: ThemesConfig, embedder,
                    codebook_weight: float = 0.0) -> np.ndarray:
    """Only the scores of ``semantic_match``."""
    return semantic_match(texts, themes, embedder, codebook_weight=codebook_weight).scores


def runner_up(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row and column: the best other column and the score's margin over it
    (``-inf`` columns never count; margin NaN when there is no other column)."""
    n_rows, n_columns = scores.shape
    if n_columns < 2 or not n_rows:
        return np.zeros(scores.shape, dtype=int), np.full(scores.shape, np.nan)
    order = np.argsort(-scores, axis=1, kind="stable")
    first, second = order[:, 0], order[:, 1]
    rows = np.arange(n_rows)
    other = np.where(np.arange(n_columns)[None, :] == first[:, None], second[:, None],
                     first[:, None])
    margin = scores - scores[rows[:, None], other]
    margin = np.where(np.isfinite(margin), margin, np.nan)
    return other, margin


def keep_top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """``scores`` with all but each row's ``k`` best themes set to -inf (k = 0: keep all)."""
    if k <= 0 or scores.shape[1] <= k or not len(scores):
        return scores
    kth_best = -np.sort(-scores, axis=1)[:, k - 1:k]
    return np.where(scores >= kth_best, scores, -np.inf)


def thresholds(themes: ThemesConfig, default: float) -> np.ndarray:
    """Each theme's own threshold, or ``default``."""
    return np.array([t.threshold if t.threshold is not None else default for t in themes.themes])
