"""Seconds per step of a whole local run, wall and CPU, outside the embedding (issue 29, item 2).

Runs what ``theming run`` runs, one step at a time in this process: read the export, ingest,
clean, save clean's artifacts, tag, discover, recommend, save recommend's artifacts, report
and write the run folder, timing each with ``time.perf_counter`` (wall) and
``time.process_time`` (CPU of every thread of the process: on a shared machine the figure to
compare). With ``--prior RUN`` the tag and discover tables are read from that run folder's
artifacts instead of computed, so the other steps can be timed in a minute; the run started
time is fixed, so two trees' folders can be compared byte for byte with ``cmp``.

    .venv/bin/python bench/bench_steps.py                          # the 10k FFT round, whole
    .venv/bin/python bench/bench_steps.py --export round.csv --project proj --prior run_folder

Prints one JSON object: step -> [wall s, CPU s].
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def timed(steps: dict[str, list[float]], name: str, work):
    """``work()``, its wall and CPU seconds recorded under ``name``."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    steps[name] = [round(time.perf_counter() - wall, 2), round(time.process_time() - cpu, 2)]
    return result


def run_steps(export: Path, themes: Path, out: Path, prior: Path | None) -> dict:
    """Every step of a local run of ``export`` (the current directory's config/pipeline.yaml),
    written into ``out``; step -> [wall s, CPU s]."""
    from pipeline import run_settings
    from pipeline.embed.switching import for_round_size
    from pipeline.engine.inputs import read_inputs
    from pipeline.io.stage_cache import _as_text, run_keys, save_stage
    from pipeline.run_folder import write_outputs
    from pipeline.stages import clean, discover, ingest, recommend, report, tag
    from pipeline.stages.schemas import call_stage

    steps: dict[str, list[float]] = {}
    settings = run_settings.load_settings("config/pipeline.yaml", themes)
    settings = settings.model_copy(update={"started_at": "2000-01-01T00:00:00Z"})
    raw, records = timed(steps, "read", lambda: read_inputs([str(export)], settings))
    settings, _ = for_round_size(settings, len(raw))
    keys = run_keys([r["sha256"] for r in records], settings)
    artifacts = out / "artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    tables = {"raw": raw}
    for stage in (ingest, clean, tag, discover, recommend, report):
        if prior is not None and stage in (tag, discover):
            record = json.loads((prior / "artifacts" / f"{stage.NAME}.done.json").read_text())
            tables.update({name: _as_text(pd.read_parquet(prior / "artifacts" / spec["file"]))
                           for name, spec in record["tables"].items()})
            continue
        produced = timed(steps, stage.NAME, lambda s=stage: call_stage(s, tables, settings))
        tables.update(produced)
        if stage in (clean, recommend) or (prior is None and stage in (tag, discover)):
            timed(steps, f"save {stage.NAME}",
                  lambda s=stage, p=produced: save_stage(artifacts, s.NAME, p, keys))
    timed(steps, "write outputs", lambda: write_outputs(out, tables, settings))
    return steps


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--export", type=Path, help="a survey export (default: the 10,000-"
                        "comment FFT round of bench_scale.build_round)")
    parser.add_argument("--fft", type=Path, help="the FFT dev.csv to build the round from "
                        "(default: bench_discovery_scale's)")
    parser.add_argument("--project", type=Path,
                        help="folder with config/pipeline.yaml (default: bench_scale's round "
                             "config in a temporary folder)")
    parser.add_argument("--themes", type=Path, default=ROOT / "config" / "themes.yaml")
    parser.add_argument("--prior", type=Path, help="run folder whose tag and discover "
                        "artifacts stand in for those stages")
    parser.add_argument("--out", type=Path, help="run folder to write (default: temporary)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "bench"))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        export = args.export.resolve() if args.export else work / "round.csv"
        if not args.export:
            import bench_discovery_scale
            from bench_scale import build_round

            if args.fft:
                bench_discovery_scale.DATA = args.fft.resolve()
            if not bench_discovery_scale.DATA.is_file():
                print(f"skipped: {bench_discovery_scale.DATA} is absent (pass --fft)")
                return 0
            build_round(10_000).to_csv(export, index=False)
        project = args.project.resolve() if args.project else work
        if not args.project:
            from bench_scale import round_config

            (work / "config").mkdir()
            (work / "config" / "pipeline.yaml").write_text(round_config(), encoding="utf-8")
        out = args.out.resolve() if args.out else work / "run"
        themes, prior = args.themes.resolve(), args.prior.resolve() if args.prior else None
        os.chdir(project)
        print(json.dumps(run_steps(export, themes, out, prior)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
