"""Whole runs at growing sizes, local engine against ``--engine dask`` (issue 14).

Rounds are built from the real NHS FFT comments in ../shared/benchmarks/nhs-fft/dev.csv:
each synthetic comment joins one to three sentences drawn from different real comments
(``bench_discovery_scale.fft_round``), and only distinct texts are kept, so the embedding cache cannot hide the cost (and no cache is
used: the temporary project has no secret). Each run is a separate ``theming run`` process;
peak memory is polled over its whole process tree (the Dask workers included).

    .venv/bin/python bench/bench_scale.py --sizes 2000            # quick
    .venv/bin/python bench/bench_scale.py --sizes 10000 100000 --engines local dask

Prints one row per size and engine: wall seconds (and the CPU seconds of the run's processes,
less moved by a shared machine's load), seconds per stage (from the manifest), comments/s, the
largest single process and the sum over processes at their peaks; with ``--stock``, a line per
engine with stock BERTopic's wall and CPU seconds over ours (the ratio ``make bench`` prints).
``--cascade-margin`` and ``--discover-embedder`` time the tag stage's cascade.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import psutil

ROOT = Path(__file__).resolve().parents[1]
FFT = ROOT.parent / "shared" / "benchmarks" / "nhs-fft" / "dev.csv"
THEMING = Path(sys.executable).with_name("theming")


def round_config(onnx_dir: Path | None = None, embedder: str | None = None) -> str:
    """The project pipeline.yaml the benchmark rounds run with: the export's columns, no xlsx,
    the models' folders (built once, as in a project that has run before; vectors stay cold)
    and, when given, one embedder for tagging and discovery."""
    return ("version: 1\ninput:\n  id_column: id\n  group_column: trust\n"
            "  advanced:\n    max_rows: 2000000\n"
            "  text_columns:\n"
            "    - {column: comment, question: comment}\noutput:\n  xlsx: false\n"
            f"tag:\n  advanced:\n    onnx_model_dir: {onnx_dir or ROOT / 'models' / 'minilm-onnx'}\n"
            f"    static_model_dir: {ROOT / 'models' / 'minilm-static'}\n"
            + (f"  embedder: {embedder}\ndiscover:\n  embedder: {embedder}\n"
               if embedder else ""))


def build_round(size: int) -> pd.DataFrame:
    """``size`` distinct comments recombined from real FFT sentences (bench_discovery_scale's
    round, one comment per respondent, with every sentence new too), as an export: id, trust,
    question, comment."""
    from bench_discovery_scale import fft_round

    return fft_round(size, distinct_sentences=True).drop(columns=["_source", "_row"])


def children_cpu() -> float:
    """User + system CPU seconds of this process's finished children so far (less moved by
    a shared machine's load than wall time)."""
    import resource

    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def watch(command: list[str], cwd: Path) -> tuple[int, float, float, float]:
    """Run ``command``; exit code, wall seconds, peak RSS of one process and of the tree (MB)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    root = psutil.Process(process.pid)
    peaks: dict[int, float] = {}
    while process.poll() is None:
        try:
            for proc in [root, *root.children(recursive=True)]:
                try:
                    rss = proc.memory_info().rss / 2**20
                except psutil.Error:
                    continue
                peaks[proc.pid] = max(peaks.get(proc.pid, 0.0), rss)
        except psutil.Error:
            pass
        time.sleep(0.5)
    wall = time.perf_counter() - started
    if process.returncode:
        print(process.stderr.read()[-2000:], file=sys.stderr)
    return process.returncode, wall, max(peaks.values(), default=0), sum(peaks.values())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000])
    parser.add_argument("--engines", nargs="+", default=["local", "dask"],
                        choices=["local", "dask"])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--embedder", default=None,
                        help="tag.embedder and discover.embedder for these runs (default: the "
                             "packaged default)")
    parser.add_argument("--stock", action="store_true",
                        help="also time stock BERTopic (MiniLM embeddings, default UMAP and "
                             "HDBSCAN) on the same comments, in a process of its own")
    parser.add_argument("--cascade-margin", default=None,
                        help="tag.advanced.cascade_margin for these runs ('null': no cascade "
                             "at any size; default: the packaged default)")
    parser.add_argument("--discover-embedder", default=None,
                        help="discover.embedder alone for these runs (not with --embedder)")
    args = parser.parse_args()
    if not FFT.is_file():
        print(f"skipped: {FFT} is absent (real comments to build rounds from)")
        return 0
    print("| comments | engine | wall s | ingest | clean | tag | discover | recommend | report "
          "| comments/s | peak MB (largest process) | peak MB (all processes) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    spread: list[str] = []
    ratios: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "config").mkdir()
        config = round_config(embedder=args.embedder)
        if args.cascade_margin is not None:
            off = "\n    cascade_from_rows: null" if args.cascade_margin == "null" else ""
            config = config.replace("tag:\n  advanced:\n", "tag:\n  advanced:\n    "
                                    f"cascade_margin: {args.cascade_margin}{off}\n", 1)
        if args.discover_embedder:
            config += f"discover:\n  embedder: {args.discover_embedder}\n"
        (work / "config" / "pipeline.yaml").write_text(config, encoding="utf-8")
        for size in args.sizes:
            export = work / f"round_{size}.csv"
            build_round(size).to_csv(export, index=False)
            walls: dict[str, float] = {}
            cpus: dict[str, float] = {}  # CPU seconds of the run's processes (waited for)
            for engine in args.engines:
                out = work / f"run_{size}_{engine}"
                command = [str(THEMING), "run", str(export), "--out", str(out), "--quiet",
                           "--overwrite", "--engine", engine,
                           "--themes", str(ROOT / "config" / "themes.yaml")]
                if engine == "dask":
                    command += ["--workers", str(args.workers)]
                cpu_before = children_cpu()
                code, wall, largest, total = watch(command, work)
                cpus[engine] = children_cpu() - cpu_before
                if code:
                    print(f"| {size:,} | {engine} | failed (exit {code}) |")
                    continue
                manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
                counted = manifest["accounting"]
                listed = len(pd.read_csv(out / "comment_themes.csv", usecols=["comment_id"]))
                if not counted["answers_in"] == counted["answers_out"] == listed == size:
                    print(f"| {size:,} | {engine} | answers lost: {listed} listed, {counted} |")
                found = manifest.get("discover", {})
                spread.append(f"{size:,} {engine}: {found.get('clusters')} clusters over "
                              f"{found.get('documents')} sentences (fitted on "
                              f"{found.get('fitted_on')}), sizes {found.get('cluster_sizes')}, "
                              f"outliers {found.get('outlier_share')}, embedder "
                              f"{found.get('embedder')}; {listed:,} answers listed")
                timings = manifest["timings"]
                stages = " | ".join(f"{timings.get(s, float('nan')):.1f}" for s in
                                    ("ingest", "clean", "tag", "discover", "recommend", "report"))
                walls[engine] = wall
                print(f"| {size:,} | {engine}{' x' + str(args.workers) if engine == 'dask' else ''}"
                      f"{' ' + args.embedder if args.embedder else ''}"
                      f"{' cascade ' + args.cascade_margin if args.cascade_margin else ''}"
                      f"{' discover ' + args.discover_embedder if args.discover_embedder else ''}"
                      f" | {wall:.1f} (CPU {cpus[engine]:.0f}) | {stages} | {size / wall:.0f} "
                      f"| {largest:,.0f} "
                      f"| {total:,.0f} |", flush=True)
            if args.stock:
                cpu_before = children_cpu()
                code, wall, largest, total = watch(
                    [sys.executable, str(Path(__file__)), "--stock-only", str(export)], work)
                print(f"| {size:,} | stock BERTopic | {wall:.1f} | | | | | | | {size / wall:.0f} "
                      f"| {largest:,.0f} | {total:,.0f} |" if not code else
                      f"| {size:,} | stock BERTopic | failed (exit {code}) |", flush=True)
                cpu = children_cpu() - cpu_before
                ratios += [f"stock ratio, {size:,} comments: stock BERTopic {wall:.1f} s / ours "
                           f"({engine}) {ours:.1f} s = {wall / ours:.2f}x wall, CPU {cpu:.0f} s / "
                           f"{cpus[engine]:.0f} s = {cpu / cpus[engine]:.2f}x (same run, same "
                           "comments)" for engine, ours in walls.items() if not code]
    for line in spread + ratios:
        print(f"- {line}")
    return 0


def stock(export: Path) -> None:
    """What a user would run instead: BERTopic() on the comments with MiniLM embeddings."""
    from bertopic import BERTopic
    from sentence_transformers import SentenceTransformer

    from pipeline.embed.model_files import minilm_dir, offline_hub

    texts = pd.read_csv(export, dtype=str, keep_default_na=False)["comment"].tolist()
    with offline_hub():
        model = SentenceTransformer(str(minilm_dir()), device="cpu")
    BERTopic(embedding_model=model).fit_transform(texts)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--stock-only":
        sys.path.insert(0, str(ROOT))
        stock(Path(sys.argv[2]))
        sys.exit(0)
    sys.exit(main())
