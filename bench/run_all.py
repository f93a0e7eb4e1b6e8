"""Run the benchmarks one after another and print their tables (``make bench``).

    .venv/bin/python bench/run_all.py            # quick: a few minutes on 2 cores
    .venv/bin/python bench/run_all.py --full     # every benchmark at its full size (an hour+)
    .venv/bin/python bench/run_all.py --only redaction pipeline

Benchmarks that read real data skip with a message when ../shared/benchmarks is absent.
Each runs in its own process (so its imports and memory are its own); a failing one is
reported and the rest still run; the exit code is 1 when any failed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "benchmarks"
# name: (script, quick arguments, full arguments, needs ../shared/benchmarks)
BENCHMARKS = {
    "redaction": ("bench_redaction.py", [], [], False),
    "pipeline": ("bench_pipeline.py", ["--sizes", "1000"], [], False),
    "tagging": ("bench_tagging.py", ["--quick"], [], True),
    "discovery": ("bench_discovery.py", ["--repeats=1"], [], True),
    "scale": ("bench_scale.py", ["--sizes", "300"],
              ["--sizes", "10000", "100000", "200000", "1000000"], True),
    "cascade": ("bench_cascade.py", [], [], True),
    "stock-ratio": ("bench_scale.py", ["--sizes", "10000", "--engines", "local", "--stock"],
                    ["--sizes", "10000", "--engines", "local", "--stock"], True),
    "compare": ("bench_compare.py", ["--size", "2000", "--embedder", "tfidf-svd"], [], True),
    "review": ("bench_review.py", ["data/runs/sample"], ["data/runs/sample"], False),
    "embed": ("bench_embed.py", ["--quick", "--repeats=1"], [], True),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="full sizes (slow)")
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHMARKS), help="run only these")
    args = parser.parse_args(argv)
    failed = []
    for name in args.only or BENCHMARKS:
        script, quick, full, needs_data = BENCHMARKS[name]
        print(f"\n## {name} ({'full' if args.full else 'quick'})", flush=True)
        if needs_data and not SHARED.is_dir():
            print(f"skipped: {SHARED} is absent (real coded comments)", flush=True)
            continue
        command = [sys.executable, str(ROOT / "bench" / script), *(full if args.full else quick)]
        started = time.perf_counter()
        code = subprocess.call(command, cwd=ROOT)
        print(f"({name}: exit {code}, {time.perf_counter() - started:.0f} s)", flush=True)
        if code:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
