"""``minilm-onnx`` texts per ONNX call (issue 29): sentences per CPU second of ``run_session``
on one thread, one text per call against ``BATCH_SIZE`` per call, and whether any vector's
bits differ between the two (they must not: activations are quantised per row).

    PYTHONPATH=. python bench/bench_onnx_batching.py [--sentences 1500] [--repeats 3]

Sentences: the distinct sentences of NHS FFT dev (../shared/benchmarks/nhs-fft/dev.csv, split
as the pipeline splits them), the model from models/minilm-onnx (built there when absent).
CPU seconds (``time.process_time``) move less than wall time on a shared machine.
"""

from __future__ import annotations

import argparse
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
from pipeline.embed import onnx_minilm
from pipeline.evaluation import coded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=1500)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if not (bt.FFT / "dev.csv").is_file():
        print(f"{bt.FFT} not found: skipping")
        return
    settings = run_settings.load_settings(ROOT / "config" / "pipeline.yaml")
    themes = ThemesConfig.model_validate(import_codebook(bt.FFT / "codebook.csv"))
    comments = coded.read_coded(bt.FFT / "dev.csv", themes.ids)
    texts = [str(t) for t in coded.sentences_of(comments.texts, settings)["text"]]
    texts = list(dict.fromkeys(texts))[:args.sentences]
    session, tokenizer = onnx_minilm.load(ROOT / "models" / "minilm-onnx")
    best: dict[int, float] = {}
    vectors: dict[int, np.ndarray] = {}
    for _ in range(args.repeats):
        for size in (1, onnx_minilm.BATCH_SIZE):
            started = time.process_time()
            vectors[size] = onnx_minilm.run_session(session, tokenizer, texts, batch_size=size)
            best[size] = min(best.get(size, np.inf), time.process_time() - started)
    differing = int((~np.all(vectors[1] == vectors[onnx_minilm.BATCH_SIZE], axis=1)).sum())
    print("| texts per call | sentences | CPU s | sentences per CPU s |\n|---|---|---|---|")
    for size, seconds in best.items():
        print(f"| {size} | {len(texts)} | {seconds:.1f} | {len(texts) / seconds:.0f} |")
    print(f"\nvectors differing in any bit between the two: {differing} of {len(texts)}")


if __name__ == "__main__":
    main()
