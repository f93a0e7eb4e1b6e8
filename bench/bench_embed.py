"""Embedding benchmark (issue 14 item 2): speed and F1 kept of minilm-onnx and minilm-static
against sentence-transformers MiniLM on NHS FFT dev sentences.

Run from the repository root:

    PYTHONPATH=. python bench/bench_embed.py            # speed + zero-shot + learned F1 (~20 min)
    PYTHONPATH=. python bench/bench_embed.py --quick    # speed on 300 comments' sentences only

Speed: sentences per second of ``transform`` on a cold in-memory cache (no disk cache), the
model loaded beforehand, best of ``--repeats`` runs taken in turn (the machine is shared).
F1 kept: each embedder's micro/macro F1 over MiniLM's on the same folds, zero-shot (the
codebook imported with ``themes import``, no training: semantic top-1, one threshold per fold
chosen on the other four, as in bench_tagging.py) and learned (``theming train``'s features:
TF-IDF + the embedder's vectors + the codebook's examples, grouped 5-fold CV). Vectors for the
F1 rows come from the benchmark cache (data/cache/embeddings), so a second run is faster.
Data: ../shared/benchmarks/nhs-fft/ (skipped politely when absent). Prints Markdown tables.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_tagging as bt

from pipeline import run_settings
from pipeline.codebook.spreadsheet import import_codebook
from pipeline.config.models import ThemesConfig
from pipeline.embed import registry, vector_cache
from pipeline.embed.onnx_minilm import OnnxMiniLMEmbedder
from pipeline.evaluation import coded, evaluate, training
from pipeline.tagging import learned as learn

EMBEDDERS = registry.PRETRAINED  # minilm, minilm-onnx, minilm-static (the registry order)


def embedder(name: str, settings):
    return registry.embedder_for_settings(name, settings.pipeline.tag)


def speed(sentences: list[str], settings, repeats: int) -> list[str]:
    best = dict.fromkeys(EMBEDDERS, float("inf"))
    for _ in range(repeats):
        for name in EMBEDDERS:
            registry.forget_embedders()
            model = embedder(name, settings)
            model.transform(["warm up: the model loads (and is built once) outside the timing"])
            started = time.perf_counter()
            model.transform(sentences)
            best[name] = min(best[name], time.perf_counter() - started)
    registry.forget_embedders()
    lines = []
    for name in EMBEDDERS:
        rate = len(sentences) / best[name]
        lines.append(f"| {name} | {len(sentences)} | {best[name]:.1f} | {rate:.0f} | "
                     f"{best['minilm'] / best[name]:.1f}x |")
    return lines


def zero_shot_f1(texts, truth, settings, folds) -> dict[str, tuple[float, float]]:
    none = np.zeros(truth.shape, dtype=bool)
    scores = {}
    for name in EMBEDDERS:
        local = bt.with_tag(settings, embedder=name, semantic_top_k=1)
        tagged, _ = bt.cv_threshold_tags(bt.comment_scores(texts, local), none, truth, folds)
        result = evaluate.score(truth, tagged, settings.themes.ids, n_bootstrap=0)
        scores[name] = (result.micro_f1, result.macro_f1)
    return scores


def learned_f1(texts, truth, settings) -> dict[str, tuple[float, float]]:
    scores = {}
    for name in EMBEDDERS:
        model = embedder(name, settings)
        vector_cache.load_cache(model, bt.CACHE)
        extra = training.theme_examples(settings)
        embeddings = model.transform(texts)
        extra.embeddings = model.transform(extra.texts)
        vector_cache.save_cache(model, bt.CACHE)
        _, tagged = learn.out_of_fold(texts, truth, learn.FeatureSpec(embedder=name),
                                      settings.pipeline.seed, 5, embeddings, extra,
                                      inner_folds=3)
        result = evaluate.score(truth, tagged, settings.themes.ids, n_bootstrap=0)
        scores[name] = (result.micro_f1, result.macro_f1)
    return scores


def kept_rows(kind: str, scores: dict[str, tuple[float, float]]) -> list[str]:
    base = scores["minilm"]
    return [f"| {kind} | {name} | {micro:.3f} | {macro:.3f} | {100 * micro / base[0]:.1f}% | "
            f"{100 * macro / base[1]:.1f}% |" for name, (micro, macro) in scores.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="speed only, on 300 comments")
    parser.add_argument("--comments", type=int, default=1000,
                        help="dev comments whose sentences are timed (default 1000)")
    parser.add_argument("--repeats", type=int, default=2, help="timed runs per embedder")
    parser.add_argument("--onnx-batch", type=int, default=None,
                        help="texts per ONNX call for minilm-onnx (default: the shipped one, "
                             "onnx_minilm.BATCH_SIZE; 1 was recipe 2's)")
    args = parser.parse_args()
    if args.onnx_batch:
        OnnxMiniLMEmbedder.batch_size = args.onnx_batch
    if not (bt.FFT / "dev.csv").is_file():
        print(f"{bt.FFT} not found: skipping the embedding benchmark")
        return
    base = run_settings.load_settings(ROOT / "config" / "pipeline.yaml", ROOT / "config" / "themes.yaml")
    themes = ThemesConfig.model_validate(import_codebook(bt.FFT / "codebook.csv"))
    settings = base.model_copy(update={"themes": themes})
    comments = coded.read_coded(bt.FFT / "dev.csv", themes.ids)
    count = 300 if args.quick else args.comments
    sentences = [str(t) for t in coded.sentences_of(comments.texts[:count], settings)["text"]]
    print(f"## Embedding speed: sentences of the first {count} NHS FFT dev comments, "
          f"{os.cpu_count()} cores ({platform.machine()}), shared machine, best of "
          f"{args.repeats}; minilm-onnx {args.onnx_batch or OnnxMiniLMEmbedder.batch_size} "
          "text(s) per call\n")
    print("\n".join(["| embedder | sentences | seconds | sentences/s | vs minilm |",
                     "|---|---|---|---|---|"] + speed(sentences, settings, args.repeats)))
    if args.quick:
        return
    truth = comments.truth(themes.ids)
    folds = bt.folds_of(comments.texts)
    print(f"\n## F1 kept: NHS FFT dev.csv, {len(comments.texts)} comments\n")
    rows = kept_rows("zero-shot (imported codebook, no training)",
                     zero_shot_f1(comments.texts, truth, settings, folds))
    rows += kept_rows("learned (theming train features, grouped 5-fold CV)",
                      learned_f1(comments.texts, truth, settings))
    print("\n".join(["| benchmark | embedder | micro F1 | macro F1 | micro kept | macro kept |",
                     "|---|---|---|---|---|---|"] + rows))


if __name__ == "__main__":
    main()
