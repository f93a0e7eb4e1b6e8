"""Run the stages in order: read the inputs, call each stage with its column checks, and hand
the tables to ``pipeline.run_folder``, which writes them.

Stages are pure functions over DataFrames; I/O lives here and in ``run_folder``.
"""

from __future__ import annotations

import gc
import json
import logging
import shutil
import time
from collections.abc import Callable, Collection, Sequence
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
from pydantic import ValidationError

from pipeline.config.models import (
    PipelineConfig,
    Settings,
    load_pipeline,
    load_themes,
    with_overrides,
)
from pipeline.config.scales import check_theme_links
from pipeline.errors import ConfigError, DataError
from pipeline.io.checksums import sha256_bytes
from pipeline.io.readers import read_table
from pipeline.io.run_lock import hold_run_folder, staging_path, swap_in
from pipeline.io.stage_cache import StageCache, run_keys, sha256_file
from pipeline.io.writers import write_text
from pipeline.run_folder import (
    CATALOG,
    RunResult,
    build_manifest,
    check_out_dir,
    default_out_dir,
    output_tables,
    write_outputs,
)
from pipeline.stages import clean, discover, ingest, recommend, report, tag
from pipeline.stages.schemas import call_stage
from pipeline.text.pseudonyms import load_secret

log = logging.getLogger(__name__)

STAGES = (ingest, clean, tag, discover, recommend, report)


def load_pipeline_settings(config_path: str | Path | None = None) -> PipelineConfig:
    """pipeline.yaml alone, with its names file read: for commands that read run folders,
    not a survey export (``theming compare``, ``theming themes check``)."""
    return _read_names_file(load_pipeline(config_path))


def load_settings(config_path: str | Path | None = None,
                  themes_path: str | Path | None = None, *,
                  text_columns: Sequence[str] | None = None, id_column: str | None = None,
                  group_column: str | None = None, encoding: str | None = None,
                  sheet: str | None = None, delimiter: str | None = None,
                  model_dir: str | Path | None = None,
                  score_columns: Sequence[str] | None = None, engine: str | None = None,
                  workers: int | None = None, scheduler: str | None = None) -> Settings:
    """Load both configs, apply command-line choices, read the names file, and load the
    trained tagger in ``model_dir`` (if given) for the classifier layer.

    ``config_path`` None: the packaged defaults, no project. ``themes_path`` None: the themes
    file pipeline.yaml names (``themes:``, relative to pipeline.yaml).
    """
    pipeline = with_overrides(load_pipeline(config_path), list(text_columns or []), id_column,
                              group_column, list(score_columns or []))
    reading = {key: value for key, value in (("encoding", encoding), ("sheet", sheet),
                                             ("delimiter", delimiter)) if value}
    if reading:
        inputs = pipeline.input.model_dump() | reading
        try:
            pipeline = pipeline.model_copy(
                update={"input": type(pipeline.input).model_validate(inputs)})
        except ValidationError as exc:
            problem = exc.errors()[0]
            raise ConfigError(f"--{problem['loc'][0]}: {problem['msg'].removeprefix('Value error, ')}",
                              code="C005") from None
    running = {key: value for key, value in (("name", engine), ("workers", workers),
                                             ("scheduler", scheduler)) if value is not None}
    if running:
        if scheduler and engine is None:
            running["name"] = "dask"  # a scheduler address means the Dask engine
        try:
            pipeline = pipeline.model_copy(update={"engine": type(pipeline.engine).model_validate(
                pipeline.engine.model_dump() | running)})
        except ValidationError as exc:
            problem = exc.errors()[0]
            flag = {"name": "engine"}.get(problem["loc"][0], problem["loc"][0])
            raise ConfigError(f"--{flag}: {problem['msg'].removeprefix('Value error, ')}",
                              code="C005") from None
    if not pipeline.input.text_columns:
        where = config_path or "the default pipeline.yaml"
        raise ConfigError(f"{where}: no text column to read; name the free-text columns under "
                          "input.text_columns in pipeline.yaml or pass --text-column COLUMN",
                          code="C016")
    pipeline = _read_names_file(pipeline)
    if themes_path is None and not Path(pipeline.themes).is_file():
        raise ConfigError(f"{pipeline.themes}: theme config not found; 'themes:' in "
                          f"{config_path} names it relative to that file; fix it or pass --themes",
                          code="C002")
    themes = load_themes(themes_path if themes_path is not None else pipeline.themes)
    check_theme_links(pipeline.input.score_columns, themes.ids,
                      str(config_path or "the default pipeline.yaml"))
    secret_file = pipeline.clean.redact.secret_file
    secret_path = Path(secret_file) if secret_file else None
    secret = load_secret(secret_path)
    tag_model = None
    if model_dir is not None:
        from pipeline.tagging.learned import load_model

        tag_model = load_model(model_dir)
        tag_model.check_themes(themes.ids, str(model_dir))
    return Settings(pipeline=pipeline, themes=themes, tag_model=tag_model,
                    config_path="" if config_path is None else str(config_path),
                    secret=secret, secret_path=str(secret_path) if secret_path else None)


def _embedders(settings: Settings) -> list:
    """The pretrained embedders this run will use (their vectors are cached on disk)."""
    from pipeline.embed.pretrained import embedder_for_settings

    cfg = settings.pipeline.tag
    names = []
    if cfg.semantic and cfg.embedder != "tfidf-svd":
        names.append(cfg.embedder)
    if cfg.classifier and settings.tag_model is not None:
        names.append(settings.tag_model.features.spec.embedder)
    return [embedder_for_settings(n, cfg) for n in dict.fromkeys(names) if n]


@contextmanager
def embedding_cache(settings: Settings, purpose: str = "run"):
    """Key cache keys with the project secret, restore the pretrained embedders' vectors
    for ``purpose`` from ``tag.embedding_cache`` before the block and save them after it."""
    from pipeline.embed.pretrained import (
        embedding_cache_dir,
        load_cache,
        save_cache,
        use_cache_secret,
    )

    use_cache_secret(settings.secret)
    cache_dir = embedding_cache_dir(settings, purpose)
    embedders = _embedders(settings)
    for embedder in embedders:
        load_cache(embedder, cache_dir)
    yield
    for embedder in embedders:
        save_cache(embedder, cache_dir)


def _read_names_file(pipeline: PipelineConfig) -> PipelineConfig:
    """Add the names in ``clean.redact.names_file`` (already resolved to a path) to the list."""
    redact = pipeline.clean.redact
    if not redact.names_file:
        return pipeline
    path = Path(redact.names_file)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError as exc:
        raise ConfigError(
            f"pipeline.yaml clean.redact.names_file: cannot read {path} ({exc.strerror}); give a "
            "UTF-8 text file with one name per line, relative to pipeline.yaml", code="C011",
        ) from None
    names = list(redact.names) + [ln.strip() for ln in lines
                                  if ln.strip() and not ln.lstrip().startswith("#")]
    new_redact = redact.model_copy(update={"names": names})
    new_clean = pipeline.clean.model_copy(update={"redact": new_redact})
    return pipeline.model_copy(update={"clean": new_clean})


def run_stages(tables: dict[str, pd.DataFrame], settings: Settings,
               progress: Callable[[str, int, int], None] | None = None,
               cache: StageCache | None = None, engine=None,
               keep: Collection[str] | None = None,
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
    places the documents beyond its describing sample there too.
    """
    timings: dict[str, float] = {}
    counts: dict[str, dict[str, int]] = {}
    tables = dict(tables) if keep is None else tables
    remote: dict[str, dict[str, pd.DataFrame]] = {}
    importing = None
    try:
        for number, stage in enumerate(STAGES, start=1):
            # discovery's libraries are imported while tagging waits on ONNX Runtime or torch
            # (locally) or on the cluster (Dask: clean and tag run there together)
            if importing is None and stage.NAME == ("clean" if engine is not None else "tag"):
                from pipeline.discovery.topic_model import import_in_background

                importing = import_in_background()
            _run_one(stage, number, tables, settings, progress, cache, engine, remote,
                     timings, counts)
            if keep is not None:
                _let_go(tables, STAGES[number:], keep)
                give_back_memory()
    finally:
        if importing is not None:
            importing.join()
        if keep is not None:
            gc.unfreeze()  # what give_back_memory set aside is the collector's again
    return tables, timings, counts


def give_back_memory() -> None:
    """Return the C heap's free pages to the system (glibc's ``malloc_trim``; nothing
    elsewhere): tables let go between stages otherwise stay in this process's resident size,
    and the next stage's peak lands on top of them.

    The full collection before it finds the cycles among what was let go; what survives it is
    then frozen (``gc.freeze``), so the next collection walks only what later stages made, not
    again the ~650,000 objects of the imported libraries (0.2-0.4 s a stage at 10,000
    comments). ``run_stages`` unfreezes them when it ends."""
    import ctypes

    gc.collect()
    gc.freeze()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


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
    if produced is None:
        options = ({"assign_rest": engine.assign}
                   if engine is not None and stage.NAME == "discover" else {})
        produced = call_stage(stage, tables, settings, **options)
        if cache:
            cache.save(stage.NAME, produced)
    timings[stage.NAME] = round(time.perf_counter() - started, 3)
    counts[stage.NAME] = {name: len(frame) for name, frame in produced.items()}
    tables.update({f"{stage.NAME}.{name}": frame for name, frame in produced.items()})
    tables.update(produced)


def run(inputs: Sequence[str | Path], settings: Settings, out_dir: str | Path | None = None, *,
        overwrite: bool = False, resume: bool = False, keep_raw: bool = False,
        progress: Callable[[str, int, int], None] | None = None,
        config_path: str | Path | None = None, themes_path: str | Path | None = None,
        announce: Callable[[str], None] | None = None) -> RunResult:
    """Read ``inputs``, run every stage, write the run folder; return where and what.

    ``resume`` reuses the stages an interrupted run into ``out_dir`` completed (when input,
    config and themes are unchanged); ``keep_raw`` also writes the unredacted answers.
    ``announce`` receives one-line notes for the user (the Dask dashboard, partitions done).
    """
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
                               themes_path=themes_path, announce=announce)
        except BaseException:
            if build != out:  # the old run folder stays whole
                shutil.rmtree(build, ignore_errors=True)
            raise
        if build != out:
            swap_in(build, out)
    log.info("run: %d answers -> %s", len(result.tables["answers"]), out)
    return RunResult(out_dir=out, manifest=result.manifest, tables=result.tables)


def _run_into(out: Path, inputs: Sequence[str | Path], settings: Settings, *, resume: bool,
              keep_raw: bool, progress, config_path, themes_path, announce=None) -> RunResult:
    """Every stage, written into ``out`` (the run folder, or the staging folder of an
    ``--overwrite`` run that is swapped in when complete)."""
    started = time.perf_counter()
    # --engine dask: the files are cut into blocks here (one streaming pass each) and read
    # on the workers; what cannot be cut is read here, whole, as by the local engine
    plans = _plan_inputs(inputs, settings, announce)
    raw, input_records = (None, None) if plans else _read_inputs(inputs, settings)
    try:
        with open_engine(settings, announce) as engine:
            if plans:
                rows = engine.read(plans, settings.pipeline.input.max_rows)
                if rows is None:
                    raw, input_records = _read_inputs(inputs, settings)
                else:
                    input_records = [_record_of(plan, n) for plan, n in zip(plans, rows, strict=True)]
            raw_rows = len(raw) if raw is not None else sum(r["rows"] for r in input_records)
            from pipeline.embed.pretrained import for_round_size

            settings, embedder_note = for_round_size(settings, raw_rows)
            keys = run_keys([r["sha256"] for r in input_records], settings)
            cache = StageCache(out / CATALOG["artifacts"], keys, resume=resume)
            out.mkdir(parents=True, exist_ok=True)
            with embedding_cache(settings):
                # handed over: let go once ingest has read it (an empty stand-in when the
                # workers read the input)
                tables = {"raw": raw if raw is not None else pd.DataFrame()}
                del raw
                tables, timings, counts = run_stages(tables, settings, progress, cache, engine,
                                                     keep=output_tables(keep_raw))
        write_outputs(out, tables, settings, keep_raw)
    except OSError as exc:
        raise DataError(f"{exc.filename or out}: cannot write the run folder ({exc.strerror or exc}); "
                        "check free disk space and that you may write there, or choose --out",
                        code="D045") from None
    manifest = build_manifest(
        out, settings, tables, timings, counts, input_records, keys, cache, raw_rows,
        started=started, resume=resume, keep_raw=keep_raw, config_path=config_path,
        themes_path=themes_path, engine=engine.record if engine is not None else None)
    manifest["tag"]["embedder_by_size"] = embedder_note
    try:
        write_text(out / CATALOG["manifest"],
                   json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    except OSError as exc:
        raise DataError(f"{out / CATALOG['manifest']}: cannot write ({exc.strerror or exc}); check "
                        "free disk space and permissions", code="D045") from None
    return RunResult(out_dir=out, manifest=manifest, tables=tables)


@contextmanager
def open_engine(settings: Settings, announce: Callable[[str], None] | None = None):
    """None for the local engine; for ``engine.name: dask`` a started Dask client (and the
    LocalCluster it owns), closed after the block."""
    if settings.pipeline.engine.name == "local":
        yield None
        return
    from pipeline.engine.dask_engine import DaskEngine, check_settings

    check_settings(settings)
    with DaskEngine(settings.pipeline.engine, announce) as engine:
        yield engine


def _plan_inputs(inputs: Sequence[str | Path], settings: Settings,
                 announce: Callable[[str], None] | None = None) -> list | None:
    """For ``--engine dask``, every input cut into blocks the workers read
    (``pipeline.io.blocks``), its header checked here; None for the local engine, or when a
    file cannot be cut (then all are read here, whole, as the local engine reads them)."""
    if settings.pipeline.engine.name != "dask" or not inputs:
        return None
    from pipeline.engine.dask_engine import BLOCK_BYTES
    from pipeline.io import blocks

    cfg = settings.pipeline.input
    wanted = _wanted_columns(cfg)
    plans = []
    for path in inputs:
        plan = blocks.plan(path, encoding=cfg.encoding, wanted=wanted, delimiter=cfg.delimiter,
                           block_bytes=BLOCK_BYTES)
        if plan is None:
            (announce or log.info)(
                f"Dask: reading the input here and sending it to the workers: {path} cannot be "
                "cut into blocks safely (Excel, JSON Lines, UTF-16, a quote mark outside quotes "
                "or a header unlike the reader's)")
            return None
        ingest.check_input_columns(pd.DataFrame(columns=list(plan.columns)), cfg, str(path))
        plans.append(plan)
    return plans


def _wanted_columns(cfg) -> list[str]:
    """The columns the readers look for to find a header row (text, id and group)."""
    return [t.column for t in cfg.text_columns] + [
        c for c in (cfg.id_column, cfg.group_column) if c]


def _record_of(plan, rows: int) -> dict:
    """The manifest's record of an input the workers read in blocks."""
    return {"path": plan.path, "sha256": plan.sha256, "rows": rows, "encoding": plan.encoding,
            "delimiter": plan.delimiter, "sheet": None, "header_row": plan.header_row}


def _read_inputs(inputs: Sequence[str | Path], settings: Settings):
    cfg = settings.pipeline.input
    wanted = _wanted_columns(cfg)
    frames, records = [], []
    for path in inputs:
        table = read_table(path, encoding=cfg.encoding, sheet=cfg.sheet, wanted=wanted,
                           delimiter=cfg.delimiter, max_rows=cfg.max_rows)
        if table.frame.empty:
            raise DataError(f"{path}: has a header but no rows; export the survey answers too",
                            code="D003")
        ingest.check_input_columns(table.frame, cfg, str(path))
        ingest.check_scores(table.frame, settings.pipeline, str(path))
        frames.append(table.frame)
        records.append({"path": str(path), "sha256": sha256_file(Path(path)),
                        "rows": len(table.frame), "encoding": table.encoding,
                        "delimiter": table.delimiter, "sheet": table.sheet,
                        "header_row": table.header_row})
    raw = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return raw.fillna(""), records




def run_frame(frame: pd.DataFrame, *, text_columns: Sequence[str],
              id_column: str | None = None, group_column: str | None = None,
              config: str | Path | None = None, themes: str | Path | None = None,
              settings: Settings | None = None) -> RunResult:
    """Run every stage on a DataFrame in memory and return the tables and the manifest.

    Writes nothing: no run folder, no embedding cache. ``config``/``themes``: a project's
    pipeline.yaml and themes.yaml (None: the packaged defaults, or the themes pipeline.yaml
    names); ``settings`` (from ``load_settings``) replaces both. The caller's frame is not
    changed. Example::

        result = run_frame(df, text_columns=["comment"])
        result.tables["answers"]          # one row per answer, with its themes
    """
    if settings is None:
        settings = load_settings(config, themes, text_columns=text_columns, id_column=id_column,
                                 group_column=group_column)
    else:
        settings = settings.model_copy(update={"pipeline": with_overrides(
            settings.pipeline, list(text_columns), id_column, group_column)})
    started = time.perf_counter()
    raw = frame.fillna("").astype(str).reset_index(drop=True)
    raw = raw.assign(_row=range(2, len(raw) + 2), _source="dataframe")
    if raw.empty:
        raise DataError("the DataFrame has no rows; pass the survey answers", code="D003")
    ingest.check_input_columns(raw, settings.pipeline.input, "the DataFrame")
    digest = sha256_bytes(raw.to_csv(index=False).encode("utf-8"))
    records = [{"path": None, "sha256": digest, "rows": len(raw), "encoding": None,
                "delimiter": None, "sheet": None, "header_row": None}]
    from pipeline.embed.pretrained import for_round_size

    settings, embedder_note = for_round_size(settings, len(raw))
    keys = run_keys([digest], settings)
    tables, timings, counts = run_stages({"raw": raw}, settings)
    manifest = build_manifest(None, settings, tables, timings, counts, records, keys, None,
                              len(raw), started=started, resume=False, keep_raw=False,
                              config_path=config, themes_path=themes or settings.pipeline.themes)
    manifest["tag"]["embedder_by_size"] = embedder_note
    return RunResult(out_dir=None, manifest=manifest, tables=tables)
