"""Settings of the learned layer (issue 15) on real coded data, by grouped 5-fold CV.

Run from the repository root:

    PYTHONPATH=. python bench/bench_learned.py --data fft                  # the default
    PYTHONPATH=. python bench/bench_learned.py --data anes3 --set C=0.3 --set C=0.05
    PYTHONPATH=. python bench/bench_learned.py --data fft --no-at-least-one

Each ``--set NAME=VALUE`` is one row: ``theming train``'s default features (TF-IDF words and
characters + MiniLM vectors; on NHS FFT also the codebook's examples, never scored) with that
``FeatureSpec`` field changed (``C``, ``embedding_weight``, ``class_weight``; ``none`` for
None); without ``--set``, one row for the default. As in ``theming train``, every outer fold
chooses its per-theme thresholds on inner 3-fold splits of its own part. ``--no-at-least-one``
lets comments go untagged (the default gives a comment with no theme over its threshold its
best theme, since every coded comment in these sets has one). Data: ../shared/benchmarks
(nhs-fft/, anes/); skipped politely when absent. Prints Markdown rows: micro / macro F1
(themes with >= 5 cases) and sample-F1, with the seconds each took.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / ".." / "shared" / "benchmarks"
CACHE = ROOT / "data" / "cache" / "embeddings"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(ROOT))

from pipeline import run_settings
from pipeline.codebook.spreadsheet import import_codebook
from pipeline.config.models import ThemesConfig, load_themes
from pipeline.embed.registry import pretrained_embedder
from pipeline.embed.vector_cache import load_cache, save_cache
from pipeline.evaluation import coded, evaluate, training
from pipeline.tagging import learned


def coded_set(name: str) -> tuple[coded.CodedComments, ThemesConfig, learned.Extra | None]:
    """The coded comments, their theme config and (NHS FFT) the codebook's examples."""
    if name == "fft":
        themes = ThemesConfig.model_validate(import_codebook(BENCHMARKS / "nhs-fft" / "codebook.csv"))
        base = run_settings.load_settings(ROOT / "config" / "pipeline.yaml", ROOT / "config" / "themes.yaml")
        extra = training.theme_examples(base.model_copy(update={"themes": themes}))
        return coded.read_coded(BENCHMARKS / "nhs-fft" / "dev.csv", themes.ids), themes, extra
    number = name[-1]
    themes = load_themes(BENCHMARKS / "anes" / f"themes_dataset{number}.yaml")
    comments = coded.read_coded(BENCHMARKS / "anes" / f"dataset{number}_train.csv", themes.ids,
                                "comment", "themes")
    return comments, themes, None


def parsed(setting: str) -> dict:
    """``C=0.3`` -> {"C": 0.3}; ``class_weight=none`` -> {"class_weight": None}."""
    key, _, value = setting.partition("=")
    if value.lower() == "none":
        return {key: None}
    try:
        return {key: float(value)}
    except ValueError:
        return {key: value}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=("fft", "anes3", "anes4"), default="fft")
    parser.add_argument("--set", action="append", default=[], dest="settings")
    parser.add_argument("--no-at-least-one", action="store_true")
    args = parser.parse_args()
    if not BENCHMARKS.is_dir():
        print(f"{BENCHMARKS} not found: skipping")
        return
    comments, themes, extra = coded_set(args.data)
    truth = comments.truth(themes.ids)
    embedder = pretrained_embedder("minilm")
    load_cache(embedder, CACHE)
    embeddings = embedder.transform(comments.texts)
    if extra is not None:
        extra.embeddings = embedder.transform(extra.texts)
    save_cache(embedder, CACHE)
    if args.no_at_least_one:  # every fold's model leaves comments with no theme untagged
        fit = learned.fit_model

        def fit_model(*positional, **named) -> learned.TagModel:
            model = fit(*positional, **named)
            model.at_least_one_ = False
            return model

        learned.fit_model = fit_model
    print(f"{args.data}: {len(comments.texts)} comments, {len(themes.ids)} themes"
          f"{'' if extra is None else f', {len(extra.texts)} codebook examples'}\n")
    print("| setting | micro F1 | macro F1 | sample-F1 | seconds |\n|---|---|---|---|---|")
    for setting in args.settings or ["default"]:
        changed = {} if setting == "default" else parsed(setting)
        spec = learned.FeatureSpec(**changed)
        started = time.perf_counter()
        _, tagged = learned.out_of_fold(comments.texts, truth, spec, 42, 5, embeddings, extra,
                                        inner_folds=3)
        scores = evaluate.score(truth, tagged, themes.ids, n_bootstrap=0)
        print(f"| {setting}{' (comments may stay untagged)' if args.no_at_least_one else ''} | "
              f"{scores.micro_f1:.3f} | {scores.macro_f1:.3f} | "
              f"{evaluate.samples_f1(truth, tagged):.3f} | {time.perf_counter() - started:.0f} |",
              flush=True)


if __name__ == "__main__":
    main()
