"""``minilm-onnx`` texts per ONNX call (issue 29): sentences per CPU second of ``run_session``
on one thread, one text per call against ``BATCH_SIZE`` per call, and whether any vector's
bits differ between the two (they must not: activations are quantised per row).

    PYTHONPATH=. python bench/bench_onnx_batching.py [--sentences 1500] [--repeats 3]
    PYTHONPATH=. python bench/bench_onnx_batching.py --sizes 16,32,64 --against OLD.onnx
    PYTHONPATH=. python bench/bench_onnx_batching.py --profile [--fused]

Sentences: the distinct sentences of NHS FFT dev (../shared/benchmarks/nhs-fft/dev.csv, split
as the pipeline splits them), the model from models/minilm-onnx (built there when absent).
CPU seconds (``time.process_time``) move less than wall time on a shared machine; every
configuration runs once per repeat, in turn, and its best repeat counts.

``--against FILE``: also time another model file (e.g. an earlier recipe's model.onnx kept
aside) at ``BATCH_SIZE``, once with all of ONNX Runtime's fusions (as recipes 1-3 ran) and once
as the shipped session runs (``onnx_minilm.UNFUSED`` disabled). ``--fused``: also the shipped
model with all fusions. ``--profile``: instead of timing, ONNX Runtime's profile of one pass at
``BATCH_SIZE``, kernel time per operator type, of the ``--against`` model with all fusions when
given, else of the shipped model (with all fusions when ``--fused``).
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import tempfile
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


def session(path: Path, fused: bool, profile: Path | None = None):
    """A one-thread session of ``path``: as shipped, or (``fused``) with every fusion."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    options.intra_op_num_threads = 1
    if profile:
        options.enable_profiling = True
        options.profile_file_prefix = str(profile)
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"],
                                disabled_optimizers=[] if fused else list(onnx_minilm.UNFUSED))


def profile_rows(path: Path, fused: bool, tokenizer, texts: list[str]) -> list[str]:
    """Markdown rows: kernel seconds and share per operator type, one pass."""
    with tempfile.TemporaryDirectory() as folder:
        run = session(path, fused, Path(folder) / "profile")
        onnx_minilm.run_session(run, tokenizer, texts)
        events = json.loads(Path(run.end_profiling()).read_text(encoding="utf-8"))
    kernels: collections.Counter[str] = collections.Counter()
    for event in events:
        if event.get("cat") == "Node" and event["name"].endswith("_kernel_time"):
            kernels[event["args"]["op_name"]] += event["dur"]
    total = sum(kernels.values())
    rows = [f"| {op} | {micros / 1e6:.3f} | {100 * micros / total:.1f}% |"
            for op, micros in kernels.most_common() if micros >= total / 200]
    return rows + [f"| all kernels | {total / 1e6:.3f} | 100% |"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=1500)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sizes", default=f"1,{onnx_minilm.BATCH_SIZE}",
                        help="texts per call to time, comma-separated")
    parser.add_argument("--against", type=Path, help="another model file to time beside")
    parser.add_argument("--fused", action="store_true",
                        help="keep ONNX Runtime's fusions that the shipped session disables")
    parser.add_argument("--profile", action="store_true", help="per-operator profile instead")
    args = parser.parse_args()
    if not (bt.FFT / "dev.csv").is_file():
        print(f"{bt.FFT} not found: skipping")
        return
    settings = run_settings.load_settings(ROOT / "config" / "pipeline.yaml")
    themes = ThemesConfig.model_validate(import_codebook(bt.FFT / "codebook.csv"))
    comments = coded.read_coded(bt.FFT / "dev.csv", themes.ids)
    texts = [str(t) for t in coded.sentences_of(comments.texts, settings)["text"]]
    texts = list(dict.fromkeys(texts))[:args.sentences]
    folder = ROOT / "models" / "minilm-onnx"
    _, tokenizer = onnx_minilm.load(folder)  # builds the model when absent or of an old recipe
    if args.profile:  # the --against model (all fusions) when given, else the shipped one
        fused = args.fused or args.against is not None
        print(f"## ORT profile of {args.against or f'recipe {onnx_minilm.RECIPE}'}, "
              f"{len(texts)} sentences, {onnx_minilm.BATCH_SIZE} per call, one thread, "
              f"{'all fusions' if fused else 'as shipped'}\n")
        print("| operator | kernel s | share |\n|---|---|---|")
        print("\n".join(profile_rows(args.against or folder / onnx_minilm.MODEL_FILE, fused,
                                     tokenizer, texts)))
        return
    model, size = folder / onnx_minilm.MODEL_FILE, onnx_minilm.BATCH_SIZE
    runs = {}
    if args.against:
        runs[f"{args.against.name}, all fusions, {size} per call"] = (
            session(args.against, fused=True), size)
        runs[f"{args.against.name}, as shipped, {size} per call"] = (
            session(args.against, fused=False), size)
    if args.fused:
        runs[f"recipe {onnx_minilm.RECIPE}, all fusions, {size} per call"] = (
            session(model, fused=True), size)
    shipped = session(model, fused=False)
    sizes = [int(size) for size in args.sizes.split(",")]
    runs.update({f"recipe {onnx_minilm.RECIPE}, as shipped, {size} per call": (shipped, size)
                 for size in sizes})
    best = dict.fromkeys(runs, np.inf)
    vectors: dict[str, np.ndarray] = {}
    for _ in range(args.repeats):
        for name, (run, size) in runs.items():
            started = time.process_time()
            vectors[name] = onnx_minilm.run_session(run, tokenizer, texts, batch_size=size)
            best[name] = min(best[name], time.process_time() - started)
    first, alone = next(iter(runs)), list(runs)[-len(sizes)]
    print("| model, texts per call | sentences | CPU s | sentences per CPU s | vs first row | "
          f"vectors differing in any bit from '{alone}' |\n|---|---|---|---|---|---|")
    for name, seconds in best.items():
        differing = int((~np.all(vectors[name] == vectors[alone], axis=1)).sum())
        print(f"| {name} | {len(texts)} | {seconds:.2f} | {len(texts) / seconds:.0f} | "
              f"{best[first] / seconds:.2f}x | {differing} |")


if __name__ == "__main__":
    main()
