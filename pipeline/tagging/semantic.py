"""The semantic layer: sentences against theme descriptions in an embedding space.

A theme is described by its label, description and examples. A sentence's score for a theme
is the mean of two cosines: with the closest of those texts, and with their centroid (the
blend scored micro F1 0.507 on NHS FFT zero-shot, against 0.424 for the closest text alone
and 0.478 for the centroid alone). A score at or above the theme's
``threshold`` (or ``tag.semantic_threshold`` when the theme sets none) is a ``semantic`` hit,
if the theme is among the sentence's ``tag.semantic_top_k`` best-scoring themes.
"""

from __future__ import annotations

import numpy as np

from pipeline.config.models import TagSettings, Theme, ThemesConfig
from pipeline.embed.embedders import TfidfSvdEmbedder, make_embedder


def theme_texts(theme: Theme) -> list[str]:
    """The texts that stand for a theme: label, description, then each example."""
    return [t for t in (theme.label, theme.description, *theme.examples) if t.strip()]


def embedder_for(cfg: TagSettings, seed: int):
    """The configured embedder (a fresh ``tfidf-svd`` or the shared pretrained one)."""
    return make_embedder(cfg.embedder, cfg.embedding_dims, seed, cfg.static_model_dir,
                         onnx_dir=cfg.onnx_model_dir, max_entries=cfg.memory_cache_entries)


def semantic_scores(texts: list[str], themes: ThemesConfig, embedder) -> np.ndarray:
    """Score of every text (rows) for every theme (columns), in ``[-1, 1]``: the mean of its
    best cosine with the theme's texts and its cosine with their centroid.

    ``tfidf-svd`` is fitted here on the theme texts plus ``texts``: deterministic for a
    given round, and the vocabulary covers both sides of the comparison.
    """
    per_theme = [theme_texts(theme) for theme in themes.themes]
    flat = [t for group in per_theme for t in group]
    if not texts or not flat:
        return np.zeros((len(texts), len(per_theme)))
    if isinstance(embedder, TfidfSvdEmbedder):
        embedder.fit(flat + list(texts))
    theme_vectors = embedder.transform(flat)
    text_vectors = embedder.transform(list(texts))
    similarity = text_vectors @ theme_vectors.T
    scores = np.empty((len(texts), len(per_theme)))
    start = 0
    for j, group in enumerate(per_theme):
        block = slice(start, start + len(group))
        centroid = theme_vectors[block].mean(axis=0)
        norm = np.linalg.norm(centroid)
        to_centroid = text_vectors @ (centroid / norm) if norm > 0 else np.zeros(len(texts))
        scores[:, j] = 0.5 * similarity[:, block].max(axis=1) + 0.5 * to_centroid
        start += len(group)
    return scores


def keep_top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """``scores`` with all but each row's ``k`` best themes set to -inf (k = 0: keep all)."""
    if k <= 0 or scores.shape[1] <= k or not len(scores):
        return scores
    kth_best = -np.sort(-scores, axis=1)[:, k - 1:k]
    return np.where(scores >= kth_best, scores, -np.inf)


def thresholds(themes: ThemesConfig, default: float) -> np.ndarray:
    """Each theme's own threshold, or ``default``."""
    return np.array([t.threshold if t.threshold is not None else default for t in themes.themes])
