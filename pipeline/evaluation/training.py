"""``theming train``: cross-validate, fit and save a tagger from hand-coded comments.

Scores come from grouped K-fold cross-validation (identical texts stay in one fold), each
fold choosing its thresholds on an inner 3-fold split of its training part, so the scores
printed are for unseen comments. The saved model is fitted on every comment, with each
theme's threshold chosen on the outer out-of-fold probabilities.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from pipeline.config.models import Settings
from pipeline.embed.registry import PRETRAINED, embedder_for_settings, use_cache_secret
from pipeline.embed.vector_cache import embedding_cache_dir, load_cache, save_cache
from pipeline.errors import ConfigError
from pipeline.evaluation import coded, evaluate
from pipeline.tagging import learned
from pipeline.tagging.finetune import FinetuneSpec

log = logging.getLogger(__name__)

FEATURE_EMBEDDERS = (*PRETRAINED, "none")


def theme_examples(settings: Settings, criteria: bool = False) -> learned.Extra:
    """Each theme's ``examples`` in the theme config as comments coded with that theme
    (an example listed under two themes is coded with both), and each ``not_examples``
    sentence as a negative: a comment coded with none of the themes unless it is also
    another theme's example. With ``criteria`` each ``includes`` sentence counts as an example
    and each ``excludes`` one as a negative (NHS FFT dev, grouped 5-fold CV: micro / macro F1
    0.706 / 0.588 without, 0.709 / 0.595 with; ``bench/bench_criteria.py --learned``). Off by
    default: that lift was measured on the only data set with criteria, which would then both
    choose and score the default, and no interval says it is more than noise."""
    ids = settings.themes.ids
    coded_as: dict[str, set[int]] = {}
    for j, theme in enumerate(settings.themes.themes):
        for example in (*theme.examples, *(theme.includes if criteria else [])):
            if example.strip():
                coded_as.setdefault(example.strip(), set()).add(j)
    for theme in settings.themes.themes:
        for negative in (*theme.not_examples, *(theme.excludes if criteria else [])):
            coded_as.setdefault(negative.strip(), set())
    truth = np.zeros((len(coded_as), len(ids)), dtype=bool)
    for row, columns in enumerate(coded_as.values()):
        truth[row, sorted(columns)] = True
    return learned.Extra(list(coded_as), truth)


def train(labels: str | Path, settings: Settings, out: str | Path, *, text_column: str | None = None,
          labels_column: str | None = None, embedder: str = "minilm", folds: int = 5,
          use_examples: bool = True, finetune: FinetuneSpec | None = None,
          progress: Callable[[str], None] | None = None,
          question_column: str | None = None) -> str:
    """Cross-validate, fit on everything, save to ``out``; return the report to print.
    With ``use_examples`` the theme config's examples train too (never scored); with
    ``finetune`` settings a fine-tuned MiniLM is blended in (``progress`` hears of each
    epoch). With ``question_column`` the model also reads each comment's question (a marker
    word in its TF-IDF features; the run gives it the comment's question)."""
    if embedder not in FEATURE_EMBEDDERS:
        raise ConfigError(f"--embedder '{embedder}' is not one of {', '.join(FEATURE_EMBEDDERS)}",
                          code="C005")
    if folds < 2:
        raise ConfigError(f"--folds {folds}: cross-validation needs at least 2 folds (5 is usual); "
                          "pass --folds 2 or more", code="C024")
    started = time.perf_counter()
    theme_ids = settings.themes.ids
    comments = coded.read_coded(labels, theme_ids, text_column, labels_column, question_column,
                                nlp_model=settings.pipeline.nlp.advanced.model)
    texts = learned.asked(comments.texts, comments.questions)
    truth = comments.truth(theme_ids)
    if len(comments.texts) < 2 * folds:
        raise ConfigError(f"{labels}: {len(comments.texts)} coded comments are too few for "
                          f"{folds}-fold cross-validation; code more or lower --folds",
                          code="C023")
    spec = learned.FeatureSpec(embedder=None if embedder == "none" else embedder)
    extra = theme_examples(settings) if use_examples else None
    if extra is not None and not extra.texts:
        extra = None
    embeddings = None
    if spec.embedder:
        use_cache_secret(settings.secret)
        cache_dir = embedding_cache_dir(settings, "coded")  # apart from survey runs' vectors
        model = embedder_for_settings(spec.embedder, settings.pipeline.tag)
        load_cache(model, cache_dir)
        embeddings = model.transform(comments.texts)
        if extra is not None:
            extra.embeddings = model.transform(extra.texts)
        save_cache(model, cache_dir)
    seed = settings.pipeline.seed
    proba, tagged = learned.out_of_fold(texts, truth, spec, seed, folds, embeddings,
                                      extra, inner_folds=3, finetune=finetune,
                                      progress=progress)
    scores = evaluate.score(truth, tagged, theme_ids, seed=seed)
    if progress and finetune is not None:
        progress("fitting the final model on every comment")
    final = learned.fit_model(texts, truth, spec, seed, embeddings, inner_folds=0,
                            theme_ids=theme_ids, extra=extra, finetune=finetune,
                            progress=progress)
    final.thresholds_ = learned.best_thresholds(truth, proba)
    final.info_ = {"labels": str(labels), "n_comments": len(comments.texts), "folds": folds,
                  "question_column": question_column,
                  "theme_examples": 0 if extra is None else len(extra.texts),
                  "cv": {k: v for k, v in scores.to_dict().items() if k != "per_theme"},
                  "cv_per_theme": scores.per_theme.to_dict(orient="records")}
    learned.save_model(final, out)
    log.info("train: %d comments, %.1fs", len(comments.texts), time.perf_counter() - started)
    used = "" if extra is None else f", plus {len(extra.texts)} theme examples in training"
    used += ", fine-tuned MiniLM blended in" if finetune is not None else ""
    result = {"labels": f"{labels} ({folds}-fold cross-validation{used})", **scores.to_dict()}
    return evaluate.render(result, examples=False) + f"\n\nSaved the model to {out}/"
