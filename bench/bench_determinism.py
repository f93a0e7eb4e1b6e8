"""Does ``--engine dask`` repeat itself and equal the local engine? (issue 27 item 4)

Builds a round of real NHS FFT comments (../shared/benchmarks/nhs-fft/dev.csv, recombined as
in ``bench_scale.build_round``; 20,000 respondents by default) at benchmark time, runs it once
with the local engine and twice with ``--engine dask --workers 2``, each a separate ``theming
run`` process, and prints the SHA-256 of every file of each run folder (the manifest without
its timings, engine record and the config hash, which name the engine), then which files
differ. The runs share one start time (``SOURCE_DATE_EPOCH``, as the tests set it): every tag
records the run's start (``assigned_at`` in tags.csv), so without it no two runs match.

    .venv/bin/python bench/bench_determinism.py                 # 20,000 respondents
    .venv/bin/python bench/bench_determinism.py --size 2000     # quick
    .venv/bin/python bench/bench_determinism.py --size 1000 --embedder minilm-onnx
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import FFT, THEMING, build_round, round_config


def digests(folder: Path) -> dict[str, str]:
    """SHA-256 of every file in a run folder by its relative path; the manifest and the stage
    records without what names the engine, the run folder or the time taken."""
    found = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        data = path.read_bytes()
        if name == "manifest.json" or name.endswith(".done.json"):
            record = json.loads(data)
            for key in ("timings", "engine", "config_sha256"):
                record.pop(key, None)
            if name == "manifest.json":
                record["config"].pop("sha256", None)
                record["config"]["settings"].pop("engine", None)
                record["resume"].pop("stages", None)
                record.get("review", {}).pop("decisions_file", None)  # named after the folder
            data = json.dumps(record, sort_keys=True).encode()
        found[name] = hashlib.sha256(data).hexdigest()
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--onnx-dir", default=str(ROOT / "models" / "minilm-onnx"))
    parser.add_argument("--fft", type=Path, default=FFT,
                        help="the NHS FFT dev.csv (default: beside the repository, as "
                             "bench_scale.py finds it; give it when running from a worktree)")
    parser.add_argument("--embedder", default=None,
                        help="one embedder for tagging and discovery (default: the round "
                             "size's, minilm-onnx from 5,000 rows)")
    parser.add_argument("--keep", type=Path, default=None,
                        help="copy the three run folders here (to compare what differs)")
    args = parser.parse_args()
    if not args.fft.is_file():
        print(f"skipped: {args.fft} is absent (real comments to build the round from)")
        return 0
    import bench_discovery_scale

    bench_discovery_scale.DATA = args.fft  # where build_round reads the comments
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "config").mkdir()
        (work / "config" / "pipeline.yaml").write_text(round_config(args.onnx_dir, args.embedder),
                                                        encoding="utf-8")
        export = work / f"round_{args.size}.csv"
        build_round(args.size).to_csv(export, index=False)
        print(f"round: {args.size:,} respondents, input sha256 "
              f"{hashlib.sha256(export.read_bytes()).hexdigest()}", flush=True)
        runs = {}
        for label, engine in (("local", "local"), ("dask-1", "dask"), ("dask-2", "dask")):
            out = work / label
            command = [str(THEMING), "run", str(export), "--out", str(out), "--quiet",
                       "--engine", engine, "--themes", str(ROOT / "config" / "themes.yaml")]
            if engine == "dask":
                command += ["--workers", str(args.workers)]
            started = time.perf_counter()
            done = subprocess.run(command, cwd=work, capture_output=True, text=True, check=False,
                                  env={**os.environ, "SOURCE_DATE_EPOCH": "1788220800"})
            wall = time.perf_counter() - started
            if done.returncode:
                print(f"{label}: failed (exit {done.returncode}): {done.stderr[-1500:]}")
                return 1
            runs[label] = digests(out)
            if args.keep:
                shutil.copytree(out, args.keep / label, dirs_exist_ok=True)
            print(f"{label}: {wall:.0f} s", flush=True)
        names = sorted(set().union(*runs.values()))
        print("| file | " + " | ".join(runs) + " |")
        print("|---|" + "---|" * len(runs))
        for name in names:
            print(f"| {name} | " + " | ".join(r.get(name, "-")[:16] for r in runs.values()) + " |")
        differ = [n for n in names if len({r.get(n) for r in runs.values()}) > 1]
        print(f"files that differ: {differ or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
