"""The cascade: every sentence scored by ``minilm-static``, MiniLM only where it could matter.

With ``tag.advanced.cascade_margin`` set (``tag.advanced.cascade_from_rows`` sets it for large
rounds) and ``tag.embedder`` ``minilm`` or ``minilm-onnx``, the semantic layer first scores each
distinct sentence with the static embedder (a token lookup, tens of thousands of sentences a
second, and a sentence's vector never depends on the others it is embedded with). It then
sends to the configured MiniLM only the sentences whose semantic hits could change under it,
taking MiniLM's score to lie anywhere within the margin of the static one (``in_doubt``):

- under top-1 (the default): unless every theme is a margin below its threshold, or the best
  theme is a margin over its threshold and its against score (no-theme sentences,
  not_examples) and leads the runner-up by ``tag.advanced.semantic_margin`` plus the margin;
- with more themes allowed per sentence: when any theme is within the margin of its
  threshold, or near or over it and within the margin of its against score or of the lead;
- and whatever the scores, sentences the static model represents badly: fewer than
  ``FEW_WORDS`` words, or more than ``SUBWORD_SHARE`` of their words missing from its
  vocabulary as whole tokens (pieced together from sub-words, whose static vectors carry
  little of the word).

Re-scored sentences keep MiniLM's scores, against scores and nearest theme texts; the others
keep the static model's, mapped onto MiniLM's scale.

Calibration: the two models' cosines live on different scales, and a static score carries an
offset of its own sentence (a sentence of common words is near everything): on NHS FFT dev the
raw static and MiniLM scores correlate at r 0.37, at 0.68 once each sentence's mean over the
themes is taken off. So the map is ``minilm ~ weight * static + row_weight * (the sentence's
mean static score over all themes) + intercept`` (``Line``), fitted by least squares at run
time on the theme config's own texts (labels, descriptions, examples, no-theme sentences and
not_examples): each is scored against every theme with both models, against its own theme
without itself (else its best cosine is 1 under both), which puts points near the thresholds
as well as far below them. MiniLM embeds those texts for the semantic layer anyway, so the
fit costs little, uses no coded data and depends on the theme config alone. A sentence's
outcome therefore never depends on which other sentences share its round, block or
partition; only the full model's own vectors may (``minilm-onnx`` quantises a batch's
activations together). The margin is in MiniLM's units; bench/bench_cascade.py chose the one
``cascade_from_rows`` sets (``CASCADE_MARGIN`` in ``pipeline.config.settings``: half of NHS
FFT dev chose it, the other half scored it; BENCHMARKS.md).

Not covered: the learned layer (a trained model embeds with the embedder it was trained
with, whose width the static one does not share) and discovery (``discover.embedder``).
Hand-written rather than a library: no library offers a cascade over two sentence embedders;
the pieces (least squares, the semantic scores) are numpy and ``semantic.semantic_match``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.config.models import ThemesConfig
from pipeline.tagging.semantic import SemanticMatch, runner_up, semantic_match, theme_texts

log = logging.getLogger(__name__)

FEW_WORDS = 3  # sentences of fewer words always go to MiniLM
SUBWORD_SHARE = 0.5  # ... and so do those with more than this share of words split into pieces
CASCADE_NAMES = ("minilm", "minilm-onnx")  # the full models a cascade can stand in front of


@dataclass(frozen=True)
class Line:
    """Static scores onto MiniLM's scale: ``weight * score + row_weight * (the text's mean
    static score over all themes) + intercept``."""

    weight: float = 1.0
    row_weight: float = 0.0
    intercept: float = 0.0

    def __str__(self) -> str:
        return (f"MiniLM ~ {self.weight:.3f} x static {self.row_weight:+.3f} x its row mean "
                f"{self.intercept:+.3f}")

    def apply(self, scores: np.ndarray, row_means: np.ndarray) -> np.ndarray:
        """``scores`` (texts x themes, -inf kept) mapped; ``row_means``: one per text."""
        with np.errstate(invalid="ignore"):
            mapped = (self.weight * scores + self.row_weight * row_means[:, None]
                      + self.intercept)
        return np.where(np.isfinite(scores), mapped, -np.inf)


@dataclass
class CascadeMatch:
    """``match``: the semantic match of every text (MiniLM's rows where ``rescored``, the
    static model's mapped onto MiniLM's scale by ``line`` elsewhere); ``rescored``: per
    text, whether MiniLM scored it; ``distinct`` and ``distinct_rescored``: counts over
    distinct texts."""

    match: SemanticMatch
    rescored: np.ndarray
    distinct: int
    distinct_rescored: int
    line: Line

    @property
    def share(self) -> float:
        """Share of distinct texts MiniLM scored (0 for no texts)."""
        return self.distinct_rescored / self.distinct if self.distinct else 0.0


def row_means(scores: np.ndarray) -> np.ndarray:
    """Per row: the mean of its finite scores (0 when none is)."""
    finite = np.isfinite(scores)
    counts = finite.sum(axis=1)
    return np.where(counts > 0, np.where(finite, scores, 0.0).sum(axis=1) / np.maximum(counts, 1),
                    0.0)


def calibration(themes: ThemesConfig, fast, full, no_theme: Sequence[str] = ()) -> Line:
    """The least-squares ``Line`` from the static embedder's semantic scores to the full
    model's, over the theme config's texts (and ``no_theme``) scored against every theme, a
    text's own theme without that text (the identity when the scores do not spread)."""
    groups, texts = [], []
    for theme in themes.themes:
        own = theme_texts(theme)
        groups.append(np.arange(len(texts), len(texts) + len(own)))
        texts += own
    texts += [*no_theme, *(t for theme in themes.themes for t in theme.not_examples)]
    if len(texts) < 3 or not groups:
        return Line()
    x = left_one_out_scores(fast.transform(texts), groups)
    y = left_one_out_scores(full.transform(texts), groups)
    means = np.broadcast_to(row_means(np.where(np.isnan(x), -np.inf, x))[:, None], x.shape)
    kept = np.isfinite(x) & np.isfinite(y)
    if kept.sum() < 4 or np.ptp(x[kept]) <= 1e-9:
        return Line()
    features = np.column_stack([x[kept], means[kept], np.ones(int(kept.sum()))])
    if np.linalg.matrix_rank(features) < 3:  # one theme: no spread of row means to fit
        features = features[:, [0, 2]]
        weight, intercept = np.linalg.lstsq(features, y[kept], rcond=None)[0]
        return Line(float(weight), 0.0, float(intercept))
    weight, row_weight, intercept = np.linalg.lstsq(features, y[kept], rcond=None)[0]
    return Line(float(weight), float(row_weight), float(intercept))


def left_one_out_scores(vectors: np.ndarray, groups: list[np.ndarray]) -> np.ndarray:
    """Texts x groups: the semantic score (mean of the best cosine with the group's rows and
    the cosine with their centroid) of each row of ``vectors`` against each group of rows,
    the row itself left out of its own group (NaN where nothing is left)."""
    scores = np.full((len(vectors), len(groups)), np.nan)
    for j, members in enumerate(groups):
        if not len(members):
            continue
        inside = np.zeros(len(vectors), dtype=bool)
        inside[members] = True
        cosines = vectors @ vectors[members].T
        cosines[members, np.arange(len(members))] = -np.inf
        total = vectors[members].sum(axis=0)
        own = np.where(inside, 1.0, 0.0)
        dots = vectors @ total - own * np.einsum("ij,ij->i", vectors, vectors)
        lengths = np.sqrt(np.maximum(total @ total - own * (2 * (vectors @ total) - np.einsum(
            "ij,ij->i", vectors, vectors)), 0.0))
        with np.errstate(invalid="ignore", divide="ignore"):
            centroid = np.where(lengths > 1e-9, dots / lengths, 0.0)
        usable = ~inside | (len(members) > 1)
        scores[usable, j] = 0.5 * cosines[usable].max(axis=1) + 0.5 * centroid[usable]
    return scores


def in_doubt(scores: np.ndarray, against: np.ndarray, limits: np.ndarray, margin: float,
             semantic_margin: float, top_k: int = 1) -> np.ndarray:
    """Per row of ``scores`` (texts x themes, on MiniLM's scale; -inf for themes left out):
    whether its hits could change under MiniLM, given that MiniLM's scores may lie up to
    ``margin`` either way. With ``top_k`` 1 only the best theme can hit: a row is sure when
    every theme is ``margin`` below its threshold, or when its best theme is ``margin`` over
    its threshold and over its against score, and ``semantic_margin + margin`` ahead of the
    runner-up. Otherwise a row is in doubt when any theme is within ``margin`` of its
    threshold, or within it or over it and within ``margin`` of its against score or of
    leading the runner-up by ``semantic_margin``."""
    if not scores.size:
        return np.zeros(len(scores), dtype=bool)
    _, leads = runner_up(scores)
    leads = np.nan_to_num(leads, nan=np.inf)
    with np.errstate(invalid="ignore"):
        if top_k == 1:
            best = np.argmax(scores, axis=1)
            rows = np.arange(len(scores))
            top, limit = scores[rows, best], limits[best]
            sure_none = (scores < limits - margin).all(axis=1)
            sure_hit = ((top >= limit + margin) & (top - against[rows, best] >= margin)
                        & (leads[rows, best] >= semantic_margin + margin))
            return ~(sure_none | sure_hit)
        near_threshold = np.abs(scores - limits) < margin
        candidate = scores >= limits - margin
        near_against = np.abs(scores - against) < margin
        near_runner_up = np.abs(leads - semantic_margin) < margin
    return (near_threshold | (candidate & (near_against | near_runner_up))).any(axis=1)


def badly_represented(texts: Sequence[str], fast) -> np.ndarray:
    """Per text: fewer than ``FEW_WORDS`` words, or more than ``SUBWORD_SHARE`` of its words
    not whole tokens of the static vocabulary (``fast.subword_shares``)."""
    words = np.array([len(text.split()) for text in texts])
    shares = np.asarray(fast.subword_shares(list(texts)), dtype=float)
    return (words < FEW_WORDS) | (shares > SUBWORD_SHARE)


def cascade_match(texts: Sequence[str], themes: ThemesConfig, fast, full, *, limits: np.ndarray,
                  margin: float, semantic_margin: float, no_theme: Sequence[str] = (),
                  top_k: int = 1, codebook_weight: float = 0.0,
                  left_out: Sequence[int] = (), line: Line | None = None) -> CascadeMatch:
    """The semantic match of ``texts`` by the cascade: ``fast`` (minilm-static) for all
    distinct texts, ``full`` (MiniLM) for those ``in_doubt`` or ``badly_represented``.
    ``limits``: each theme's threshold; ``left_out``: columns never hit (left to the
    classifier), ignored when deciding what is in doubt; ``line``: the ``calibration``, when
    the caller computed it once for several blocks (None: computed here)."""
    distinct = list(dict.fromkeys(texts))
    where = {text: i for i, text in enumerate(distinct)}
    rows = np.array([where[text] for text in texts], dtype=int)
    if line is None:
        line = calibration(themes, fast, full, no_theme)
    quick = semantic_match(distinct, themes, fast, no_theme, codebook_weight)
    means = row_means(quick.scores)
    scores, against = line.apply(quick.scores, means), line.apply(quick.against, means)
    decided = scores.copy()
    decided[:, list(left_out)] = -np.inf
    doubt = in_doubt(decided, against, limits, margin, semantic_margin, top_k)
    doubt |= badly_represented(distinct, fast)
    nearest = quick.nearest.copy()
    picked = np.flatnonzero(doubt)
    if len(picked):
        again = semantic_match([distinct[i] for i in picked], themes, full, no_theme,
                               codebook_weight)
        scores[picked], against[picked], nearest[picked] = again.scores, again.against, \
            again.nearest
    match = SemanticMatch(scores[rows], nearest[rows], quick.theme_texts, against[rows])
    log.info("tag: cascade re-scored %d of %d distinct sentences with %s (%.1f%%; %s)",
             len(picked), len(distinct), full.name, 100 * len(picked) / max(len(distinct), 1),
             line)
    return CascadeMatch(match, doubt[rows], len(distinct), len(picked), line)


def cascading(cfg) -> bool:
    """Whether the semantic layer of these tag settings (``TagSettings``) runs as a cascade."""
    return cfg.advanced.cascade_margin is not None and cfg.embedder in CASCADE_NAMES


def static_for(cfg):
    """The shared ``minilm-static`` embedder with the folders and cache bound of ``cfg``."""
    from pipeline.embed.registry import embedder_for_settings

    return embedder_for_settings("minilm-static", cfg)
