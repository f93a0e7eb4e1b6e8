"""Run the stages in order: call each stage with its column checks (or load it from the stage
cache), and hand the tables to ``pipeline.run_folder``, which writes them.

Stages are pure functions over DataFrames. Reading the inputs is ``pipeline.engine.inputs``'s
job, the settings ``pipeline.run_settings``'s, the run folder ``pipeline.run_folder``'s.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import Callable, Collection, Sequence
from pathlib import Path

import pandas as pd

from pipeline.config.models import Settings
from pipeline.embed.cache_scope import embedding_cache
from pipeline.engine.choice import open_engine
from pipeline.engine.inputs import plan_inputs, read_inputs, record_of
from pipeline.errors import DataError
from pipeline.io.run_lock import hold_run_folder, staging_path, swap_in
from pipeline.io.stage_cache import StageCache, run_keys
from pipeline.io.writers import write_text
from pipeline.memory import give_back_memory, let_collector_back
from pipeline.run_folder import (
    CATALOG,
    RunResult,
    build_manifest,
    check_out_dir,
    default_out_dir,
    output_tables,
    run_started,
    write_outputs,
)
from pipeline.stages import clean, discover, ingest, recommend, report, tag
from pipeline.stages.schemas import call_stage

log = logging.getLogger(__name__)

STAGES = (ingest, clean, tag, discover, recommend, report)


def run_stages(tables: dict[str, pd.DataFrame], settings: Settings,
               progress: Callable[[str, int, int], None] | None = None,
               cache: StageCache | None = None, engine=None,
               keep: Collection[str] | None = None, release_memory: bool = False,
               ) -> tuple[dict[str, pd.DataFrame], dict[str, float], dict[str, dict[str, int]]]:
    """Run every stage on in-memory tables; return the tables, timings and row counts.

    ``keep`` None: every table is returned; else a table is let go (for memory) once no later
    stage requires it, unless its name (plain or ``stage.name``) is in ``keep``, and the
    caller hands ``tables`` over: the stages work in that dict itself, so what is let go
    leaves it too.

    With a ``cache``, a stage whose saved artifacts are still valid is loaded, not rerun,
    and every computed stage is saved as soon as it finishes. With an ``engine``
    (``pipeline.engine.dask_engine.DaskEngine``), clean and tag run on its cluster together
    (their time is booked to clean; the manifest's ``engine`` gives the split), and discovery
    describes the round (or its describing sample) on a worker and places the other
    documents there too.

    ``release_memory`` (the CLI sets it): after each stage, freed heap pages go back to the
    system and what survives is frozen from the collector until the stages end
    (``pipeline.memory``); off, nothing process-wide is touched.
    """
    timings: dict[str, float] = {}
    counts: dict[str, dict[str, int]] = {}
    tables = dict(tables) if keep is None else tables
    remote: dict[str, dict[str, pd.DataFrame]] = {}
    importing = None
    try:
        for number, stage in enumerate(STAGES, start=1):
            # discovery's libraries are imported while tagging waits on ONNX Runtime or torch
            # (locally; a Dask worker describes the round, so the client never needs them)
            if importing is None and engine is None and stage.NAME == "tag":
                from pipeline.discovery.topic_model import import_in_background

                importing = import_in_background()
            _run_one(stage, number, tables, settings, progress, cache, engine, remote,
                     timings, counts)
            if keep is not None:
                _let_go(tables, STAGES[number:], keep)
            if release_memory:
                give_back_memory()
    finally:
        if importing is not None:
            importing.join()
        if release_memory:
            let_collector_back()
    return tables, timings, counts


def _let_go(tables: dict[str, pd.DataFrame], later: Sequence, keep: Collection[str]) -> None:
    """Drop every table no stage in ``later`` requires and ``keep`` does not name (by its
    plain or its ``stage.name`` key: both keys of a table go together)."""
    needed = {name for stage in later for name in stage.REQUIRES}
    kept_ids = {id(frame) for name, frame in tables.items() if name in needed or name in keep}
    for name in [n for n, frame in tables.items() if id(frame) not in kept_ids]:
        del tables[name]


def _run_one(stage, number: int, tables: dict[str, pd.DataFrame], settings: Settings,
             progress, cache: StageCache | None, engine, remote: dict,
             timings: dict[str, float], counts: dict[str, dict[str, int]]) -> None:
    """Run (or load from ``cache``) one stage, adding its tables, seconds and row counts."""
    if progress:
        progress(stage.NAME, number, len(STAGES))
    started = time.perf_counter()
    produced = cache.load(stage.NAME) if cache else None
    on_cluster = {"clean", "tag"} | ({"ingest"} if engine is not None and engine.holds_input
                                     else set())
    if produced is None and engine is not None and stage.NAME in on_cluster:
        if not remote:  # with ingest (from the workers' blocks) or from ingest's comments
            remote.update(engine.run(None if stage.NAME == "ingest" else tables["comments"],
                                     settings))
        produced = remote.pop(stage.NAME)  # held here no longer than in tables
        if cache:
            cache.save(stage.NAME, produced)
    parts = engine.evidence_parts if engine is not None else []
    if produced is None:
        options = {}
        if engine is not None and stage.NAME == "discover":
            options = {"assign_rest": engine.assign, "describe_with": engine.describe}
        elif parts and stage.NAME == "report":  # the workers made tags.csv's rows
            options = {"evidence": False}
        produced = call_stage(stage, tables, settings, **options)
        if cache:
            cache.save(stage.NAME, produced)
    timings[stage.NAME] = round(time.perf_counter() - started, 3)
    counts[stage.NAME] = {name: len(frame) for name, frame in produced.items()}
    if parts and stage.NAME == "report":
        from pipeline.io.sorted_parts import rows_of_parts

        del produced["tag_evidence"]  # written from the parts (write_outputs)
        counts[stage.NAME]["tag_evidence"] = rows_of_parts(parts)
    tables.update({f"{stage.NAME}.{name}": frame for name, frame in produced.items()})
    tables.update(produced)


def run(inputs: Sequence[str | Path], settings: Settings, out_dir: str | Path | None = None, *,
        overwrite: bool = False, resume: bool = False, keep_raw: bool = False,
        progress: Callable[[str, int, int], None] | None = None,
        config_path: str | Path | None = None, themes_path: str | Path | None = None,
        announce: Callable[[str], None] | None = None,
        release_memory: bool = False) -> RunResult:
    """Read ``inputs``, run every stage, write the run folder; return where and what.

    ``resume`` reuses the stages an interrupted run into ``out_dir`` completed (when input,
    config and themes are unchanged); ``keep_raw`` also writes the unredacted answers.
    ``announce`` receives one-line notes for the user (the Dask dashboard, partitions done).
    ``release_memory``: see ``run_stages``.
    """
    settings = settings.model_copy(update={"started_at": run_started()})
    if not inputs:
        raise DataError("no input file given; pass a survey export, e.g. data/sample/survey_round.csv",
                        code="D001")
    out = Path(out_dir) if out_dir else default_out_dir(inputs, settings.pipeline.output.runs_dir)
    config_path = config_path or settings.config_path or None
    themes_path = themes_path or settings.pipeline.themes
    with hold_run_folder(out):
        check_out_dir(out, overwrite, resume)
        replacing = overwrite and not resume and out.exists() and any(out.iterdir())
        build = staging_path(out) if replacing else out
        try:
            result = _run_into(build, inputs, settings, resume=resume, keep_raw=keep_raw,
                               progress=progress, config_path=config_path,
                               themes_path=themes_path, announce=announce,
                               release_memory=release_memory)
        except BaseException:
            if build != out:  # the old run folder stays whole
                shutil.rmtree(build, ignore_errors=True)
            raise
        if build != out:
            swap_in(build, out)
    log.info("run: %d answers -> %s", len(result.tables["answers"]), out)
    return RunResult(out_dir=out, manifest=result.manifest, tables=result.tables)


def _run_into(out: Path, inputs: Sequence[str | Path], settings: Settings, *, resume: bool,
              keep_raw: bool, progress, config_path, themes_path, announce=None,
              release_memory: bool = False) -> RunResult:
    """Every stage, written into ``out`` (the run folder, or the staging folder of an
    ``--overwrite`` run that is swapped in when complete)."""
    started = time.perf_counter()
    # --engine dask: the files are cut into blocks here (one streaming pass each) and read
    # on the workers; what cannot be cut is read here, whole, as by the local engine
    plans = plan_inputs(inputs, settings, announce)
    raw, input_records = (None, None) if plans else read_inputs(inputs, settings)
    try:
        with open_engine(settings, announce) as engine:
            if plans:
                rows = engine.read(plans, settings.pipeline.input.advanced.max_rows)
                if rows is None:
                    raw, input_records = read_inputs(inputs, settings)
                else:
                    input_records = [record_of(plan, n) for plan, n in zip(plans, rows, strict=True)]
            raw_rows = len(raw) if raw is not None else sum(r["rows"] for r in input_records)
            from pipeline.embed.switching import for_round_size

            settings, embedder_note = for_round_size(settings, raw_rows)
            keys = run_keys([r["sha256"] for r in input_records], settings)
            cache = StageCache(out / CATALOG["artifacts"], keys, resume=resume)
            out.mkdir(parents=True, exist_ok=True)
            if engine is not None:
                engine.write_parts_to(out / CATALOG["artifacts"])
            with embedding_cache(settings):
                # handed over: let go once ingest has read it (an empty stand-in when the
                # workers read the input)
                tables = {"raw": raw if raw is not None else pd.DataFrame()}
                del raw
                tables, timings, counts = run_stages(tables, settings, progress, cache, engine,
                                                     keep=output_tables(keep_raw),
                                                     release_memory=release_memory)
        review = write_outputs(out, tables, settings, keep_raw,
                               evidence_parts=engine.evidence_parts if engine is not None else [])
    except OSError as exc:
        raise DataError(f"{exc.filename or out}: cannot write the run folder ({exc.strerror or exc}); "
                        "check free disk space and that you may write there, or choose --out",
                        code="D045") from None
    manifest = build_manifest(
        out, settings, tables, timings, counts, input_records, keys, cache, raw_rows,
        started=started, resume=resume, keep_raw=keep_raw, config_path=config_path,
        themes_path=themes_path, engine=engine.record if engine is not None else None)
    manifest["tag"]["embedder_by_size"] = embedder_note
    manifest["review"] = review
    try:
        write_text(out / CATALOG["manifest"],
                   json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    except OSError as exc:
        raise DataError(f"{out / CATALOG['manifest']}: cannot write ({exc.strerror or exc}); check "
                        "free disk space and permissions", code="D045") from None
    return RunResult(out_dir=out, manifest=manifest, tables=tables)


