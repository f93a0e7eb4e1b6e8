"""Peak memory per stage of the process that holds a round (issue 14 item 4).

Runs ``pipeline.run`` in this process on a round built like ``bench_scale.py``'s (real NHS
FFT dev sentences recombined so every sentence is new), with ``--engine dask`` or local, and
samples this process's resident size every 0.1 s, booking each sample to the stage running
(the progress callback says which); a second thread records every child process's peak (the
Dask workers). Prints the peak per stage, the size of each table the outputs are written
from (``memory_usage(deep=True)``), and every process's peak.

    .venv/bin/python bench/bench_memory.py --size 100000 --engine dask
    .venv/bin/python bench/bench_memory.py --size 1000000 --engine dask   # ~20 min here

The round is written once to ``--work`` (default: a folder under the system's temp folder)
and reused by later runs of the same size.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--engine", choices=["local", "dask"], default="dask")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--work", type=Path,
                        default=Path(tempfile.gettempdir()) / "comment-theming-bench-memory")
    parser.add_argument("--fft", type=Path, default=None,
                        help="the NHS FFT dev.csv (default: beside the repository, as "
                             "bench_scale.py finds it; give it when running from a worktree)")
    args = parser.parse_args()
    import bench_discovery_scale
    from bench_scale import FFT, build_round, round_config

    fft = args.fft or FFT
    if not fft.is_file():
        print(f"skipped: {fft} is absent (real comments to build rounds from)")
        return 0
    bench_discovery_scale.DATA = fft  # where build_round reads the comments
    work = args.work / str(args.size)
    (work / "config").mkdir(parents=True, exist_ok=True)
    export = work / "round.csv"
    if not export.is_file():
        build_round(args.size).to_csv(export, index=False)
    (work / "config" / "pipeline.yaml").write_text(round_config(), encoding="utf-8")

    from pipeline import run_settings, runner

    stage = ["imports"]
    peaks: dict[str, float] = {}
    children: dict[str, float] = {}
    me = psutil.Process()
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            rss = me.memory_info().rss / 2**20
            peaks[stage[0]] = max(peaks.get(stage[0], 0.0), rss)
            for child in me.children(recursive=True):
                try:
                    key = f"{child.pid} {' '.join(child.cmdline())[-50:]}"
                    children[key] = max(children.get(key, 0.0), child.memory_info().rss / 2**20)
                except psutil.Error:
                    continue
            time.sleep(0.1)

    threading.Thread(target=sample, daemon=True).start()
    written = runner.write_outputs

    def measured_write(out, tables, *rest, **options):
        stage[0] = "write outputs"
        for name, frame in tables.items():
            if "." not in name:
                print(f"table {name}: {len(frame):,} rows, "
                      f"{frame.memory_usage(deep=True).sum() / 2**20:,.0f} MB")
        return written(out, tables, *rest, **options)

    runner.write_outputs = measured_write
    settings = run_settings.load_settings(work / "config" / "pipeline.yaml",
                                    ROOT / "config" / "themes.yaml", engine=args.engine,
                                    workers=args.workers if args.engine == "dask" else None)
    started = time.perf_counter()
    stage[0] = "read"
    result = runner.run([export], settings, work / "run", overwrite=True,
                        progress=lambda name, number, total: stage.__setitem__(0, name))
    stage[0] = "done"
    time.sleep(0.3)
    done.set()
    print(f"{args.size:,} comments, engine {args.engine}: {time.perf_counter() - started:.0f} s")
    print("peak MB of this process by stage:", json.dumps({k: round(v) for k, v in peaks.items()}))
    print("stage seconds:", result.manifest["timings"])
    print("peak MB of child processes:", json.dumps({k: round(v) for k, v in children.items()}))
    return 0


if __name__ == "__main__":  # Dask's worker processes import this file again
    sys.exit(main())
