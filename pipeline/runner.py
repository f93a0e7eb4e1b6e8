"""Run the stages in order: the run folder, artifacts, accounting and the manifest.

Stages are pure functions over DataFrames; this module owns every file read and write.
"""

from __future__ import annotations

import json
import logging
import platform
import shutil
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import pandas as pd

from pipeline import clean, discover, exports, html_report, ingest, recommend, render, report, tag
from pipeline.config import (
    PipelineConfig,
    Settings,
    load_pipeline,
    load_themes,
    with_overrides,
)
from pipeline.errors import ConfigError, DataError, StageError
from pipeline.readers import read_table
from pipeline.resume import StageCache, run_keys, sha256_file
from pipeline.schemas import check_columns
from pipeline.writers import safe_name, write_bytes, write_csv, write_text, write_xlsx

log = logging.getLogger(__name__)

STAGES = (ingest, clean, tag, discover, recommend, report)
DEFAULT_PIPELINE = Path("config/pipeline.yaml")
DEFAULT_THEMES = Path("config/themes.yaml")
VERSIONED = ("comment-theming", "pandas", "numpy", "scikit-learn", "spacy", "spacy-lookups-data",
             "bertopic", "pydantic", "pyarrow")

# The catalogue: every named output and where it lives inside a run folder.
CATALOG = {
    "answers": "comment_themes.csv",
    "quotes_csv": "quotes.csv",
    "quotes_xlsx": "quotes.xlsx",
    "recommendations_md": "recommendations.md",
    "recommendations_docx": "recommendations.docx",
    "recommendations_json": "recommendations.json",
    "report_html": "report.html",
    "unexplained": "unexplained.csv",
    "scores": "scores.csv",
    "theme_scores": "theme_scores.csv",
    "candidates": "candidate_themes.yaml",
    "clusters": "clusters.csv",
    "manifest": "manifest.json",
    "artifacts": "artifacts",
    "raw_comments": "raw_comments_UNREDACTED.csv",
}
RUN_FOLDER_MARKERS = ("manifest.json", "artifacts", "comment_themes.csv")


@dataclass
class RunResult:
    out_dir: Path
    manifest: dict
    tables: dict[str, pd.DataFrame] = field(repr=False, default_factory=dict)

    def path(self, name: str) -> Path:
        return self.out_dir / CATALOG[name]


def load_settings(config_path: str | Path = DEFAULT_PIPELINE,
                  themes_path: str | Path = DEFAULT_THEMES, *,
                  text_columns: Sequence[str] | None = None, id_column: str | None = None,
                  group_column: str | None = None, encoding: str | None = None,
                  sheet: str | None = None, model_dir: str | Path | None = None) -> Settings:
    """Load both configs, apply command-line choices, resolve the names file, and load the
    trained tagger in ``model_dir`` (if given) for the classifier layer."""
    pipeline = with_overrides(load_pipeline(config_path), list(text_columns or []), id_column,
                              group_column)
    reading = {key: value for key, value in (("encoding", encoding), ("sheet", sheet)) if value}
    if reading:
        pipeline = pipeline.model_copy(
            update={"input": pipeline.input.model_copy(update=reading)})
    base_dir = Path(config_path).parent
    pipeline = _resolve_names(pipeline, base_dir)
    themes = load_themes(themes_path)
    tag_model = None
    if model_dir is not None:
        from pipeline.learn import load_model

        tag_model = load_model(model_dir)
        tag_model.check_themes(themes.ids, str(model_dir))
    return Settings(pipeline=pipeline, themes=themes, base_dir=str(base_dir), tag_model=tag_model)


def _embedders(settings: Settings) -> list:
    """The pretrained embedders this run will use (their vectors are cached on disk)."""
    from pipeline.pretrained import pretrained_embedder

    cfg = settings.pipeline.tag
    names = []
    if cfg.semantic and cfg.embedder != "tfidf-svd":
        names.append(cfg.embedder)
    if cfg.classifier and settings.tag_model is not None:
        names.append(settings.tag_model.features.spec.embedder)
    return [pretrained_embedder(n, cfg.static_model_dir) for n in dict.fromkeys(names) if n]


@contextmanager
def embedding_cache(settings: Settings):
    """Restore the pretrained embedders' vectors from ``tag.embedding_cache`` before the
    block and save them (with the new ones) after it."""
    from pipeline.pretrained import load_cache, save_cache

    embedders = _embedders(settings)
    for embedder in embedders:
        load_cache(embedder, settings.pipeline.tag.embedding_cache)
    yield
    for embedder in embedders:
        save_cache(embedder, settings.pipeline.tag.embedding_cache)


def _resolve_names(pipeline: PipelineConfig, base_dir: Path) -> PipelineConfig:
    redact = pipeline.clean.redact
    if not redact.names_file:
        return pipeline
    path = base_dir / redact.names_file
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


def default_out_dir(inputs: Sequence[str | Path]) -> Path:
    """data/runs/<input name>, the name reduced to safe characters."""
    return Path("data/runs") / safe_name(Path(inputs[0]).stem, "run")


def call_stage(stage, tables: dict[str, pd.DataFrame], settings: Settings) -> dict[str, pd.DataFrame]:
    """Run one stage, checking its REQUIRES on the way in and its PRODUCES on the way out."""
    check_columns(stage.NAME, tables, stage.REQUIRES, produced=False)
    produced = stage.run(tables, settings)
    check_columns(stage.NAME, produced, stage.PRODUCES, produced=True)
    return produced


def run_stages(tables: dict[str, pd.DataFrame], settings: Settings,
               progress: Callable[[str, int, int], None] | None = None,
               cache: StageCache | None = None,
               ) -> tuple[dict[str, pd.DataFrame], dict[str, float], dict[str, dict[str, int]]]:
    """Run every stage on in-memory tables; return all tables, timings and row counts.

    With a ``cache``, a stage whose saved artifacts are still valid is loaded, not rerun,
    and every computed stage is saved as soon as it finishes.
    """
    timings: dict[str, float] = {}
    counts: dict[str, dict[str, int]] = {}
    tables = dict(tables)
    for number, stage in enumerate(STAGES, start=1):
        if progress:
            progress(stage.NAME, number, len(STAGES))
        started = time.perf_counter()
        produced = cache.load(stage.NAME) if cache else None
        if produced is None:
            produced = call_stage(stage, tables, settings)
            if cache:
                cache.save(stage.NAME, produced)
        timings[stage.NAME] = round(time.perf_counter() - started, 3)
        counts[stage.NAME] = {name: len(frame) for name, frame in produced.items()}
        tables.update({f"{stage.NAME}.{name}": frame for name, frame in produced.items()})
        tables.update(produced)
    return tables, timings, counts


def run(inputs: Sequence[str | Path], settings: Settings, out_dir: str | Path | None = None, *,
        overwrite: bool = False, resume: bool = False, keep_raw: bool = False,
        progress: Callable[[str, int, int], None] | None = None,
        config_path: str | Path | None = None, themes_path: str | Path | None = None) -> RunResult:
    """Read ``inputs``, run every stage, write the run folder; return where and what.

    ``resume`` reuses the stages an interrupted run into ``out_dir`` completed (when input,
    config and themes are unchanged); ``keep_raw`` also writes the unredacted answers.
    """
    if not inputs:
        raise DataError("no input file given; pass a survey export, e.g. data/sample/survey_round.csv",
                        code="D001")
    out = Path(out_dir) if out_dir else default_out_dir(inputs)
    _check_out_dir(out, overwrite, resume)
    started = time.perf_counter()
    raw, input_records = _read_inputs(inputs, settings)
    keys = run_keys([r["sha256"] for r in input_records], settings)
    if out.exists() and overwrite and not resume:
        shutil.rmtree(out)
    cache = StageCache(out / CATALOG["artifacts"], keys, resume=resume)
    try:
        out.mkdir(parents=True, exist_ok=True)
        with embedding_cache(settings):
            tables, timings, counts = run_stages({"raw": raw}, settings, progress, cache)
        _write_outputs(out, tables, settings, keep_raw)
    except OSError as exc:
        raise DataError(f"{exc.filename or out}: cannot write the run folder ({exc.strerror or exc}); "
                        "check free disk space and that you may write there, or choose --out",
                        code="D045") from None
    answers = tables["answers"]
    clusters = tables["clusters"]
    manifest = {
        "tool": "comment-theming",
        "seed": settings.pipeline.seed,
        "inputs": input_records,
        "config": {"path": str(config_path) if config_path else None,
                   "sha256": keys.config_sha256,
                   "settings": _settings_without_names(settings)},
        "themes": {"path": str(themes_path) if themes_path else None,
                   "sha256": keys.themes_sha256,
                   "ids": settings.themes.ids},
        "versions": _versions(),
        "rows": counts,
        "accounting": accounting(len(raw), tables, counts),
        "resume": {"requested": resume, "input_sha256": keys.input_sha256,
                   "stages": cache.notes},
        "raw_text_file": CATALOG["raw_comments"] if keep_raw else None,
        "discover": {"method": str(clusters["method"].iloc[0]) if len(clusters) else "skipped",
                     "clusters": int((clusters["cluster_id"] >= 0).sum()) if len(clusters) else 0,
                     "candidates": int((clusters["status"] == "candidate").sum())
                     if len(clusters) else 0,
                     "outlier_share": _outlier_share(clusters),
                     "unexplained_comments": len(tables["unexplained"]),
                     "unit": settings.pipeline.discover.unit,
                     "embedder": settings.pipeline.discover.embedder},
        "tag": {"semantic": settings.pipeline.tag.semantic,
                "embedder": settings.pipeline.tag.embedder,
                "classifier": settings.tag_model.info.get("labels") if settings.tag_model else None},
        "tags_by_method": {k: int(v) for k, v in
                           tables["tags"]["method"].value_counts().sort_index().items()},
        "outputs": sorted(p.name for p in out.iterdir() if p.name != CATALOG["manifest"])
        + [CATALOG["manifest"]],
        "timings": {**timings, "total": round(time.perf_counter() - started, 3)},
    }
    try:
        write_text(out / CATALOG["manifest"],
                   json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    except OSError as exc:
        raise DataError(f"{out / CATALOG['manifest']}: cannot write ({exc.strerror or exc}); check "
                        "free disk space and permissions", code="D045") from None
    log.info("run: %d answers -> %s", len(answers), out)
    return RunResult(out_dir=out, manifest=manifest, tables=tables)


def _settings_without_names(settings: Settings) -> dict:
    """The pipeline settings for the manifest; the names to redact are personal data."""
    dumped = settings.pipeline.model_dump(mode="json")
    names = dumped["clean"]["redact"]["names"]
    dumped["clean"]["redact"]["names"] = f"{len(names)} names (not written here)"
    return dumped


def _check_out_dir(out: Path, overwrite: bool, resume: bool) -> None:
    """Refuse to reuse a run folder unless asked, and never delete a folder that is not one."""
    if out.exists() and not out.is_dir():
        raise DataError(f"{out}: exists and is a file, not a run folder; choose another --out",
                        code="D007")
    if not out.exists() or not any(out.iterdir()):
        return
    if not overwrite and not resume:
        raise DataError(f"{out}: the run folder already exists; pass --overwrite to replace it, "
                        "--resume to finish an interrupted run, or --out to choose another folder",
                        code="D007")
    if not any((out / marker).exists() for marker in RUN_FOLDER_MARKERS):
        raise DataError(f"{out}: is not empty and is not a run folder (no manifest.json or "
                        "artifacts/); refusing to replace it; choose an empty or new --out",
                        code="D044")


def accounting(raw_rows: int, tables: dict[str, pd.DataFrame],
               counts: dict[str, dict[str, int]]) -> dict:
    """Rows in and out of every stage that keeps or drops answers; checks nothing is lost."""
    answers = tables["answers"]
    answers_in = counts["ingest"]["comments"]
    kept, dropped = counts["clean"]["comments"], counts["clean"]["dropped"]
    reasons = answers.loc[answers["dropped_reason"] != "", "dropped_reason"]
    stages = {
        "ingest": {"rows_in": int(raw_rows), "answers_out": int(answers_in)},
        "clean": {"answers_in": int(answers_in), "kept": int(kept), "dropped": int(dropped)},
        "report": {"answers_in": int(kept + dropped), "answers_out": len(answers)},
    }
    if kept + dropped != answers_in or len(answers) != answers_in \
            or answers["comment_id"].duplicated().any():
        raise StageError(f"accounting failed: {answers_in} answers in, {kept} kept + {dropped} "
                         f"dropped, {len(answers)} in {CATALOG['answers']}; this is a bug, please "
                         "report it with the run's manifest.json", code="S040")
    return {
        "answers_in": int(answers_in), "kept": int(kept), "dropped": int(dropped),
        "dropped_by_reason": {k: int(v) for k, v in reasons.value_counts().sort_index().items()},
        "answers_out": len(answers), "by_stage": stages,
    }


def _read_inputs(inputs: Sequence[str | Path], settings: Settings):
    cfg = settings.pipeline.input
    wanted = [t.column for t in cfg.text_columns] + [
        c for c in (cfg.id_column, cfg.group_column) if c]
    frames, records = [], []
    for path in inputs:
        table = read_table(path, encoding=cfg.encoding, sheet=cfg.sheet, wanted=wanted)
        if table.frame.empty:
            raise DataError(f"{path}: has a header but no rows; export the survey answers too",
                            code="D003")
        ingest.check_input_columns(table.frame, cfg, str(path))
        frames.append(table.frame)
        records.append({"path": str(path), "sha256": sha256_file(Path(path)),
                        "rows": len(table.frame), "encoding": table.encoding,
                        "delimiter": table.delimiter, "sheet": table.sheet,
                        "header_row": table.header_row})
    raw = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return raw.fillna(""), records


def _write_outputs(out: Path, tables: dict[str, pd.DataFrame], settings: Settings,
                   keep_raw: bool = False) -> None:
    """Every output through writers (atomic, formula-safe); raw text only when asked."""
    write_csv(out / CATALOG["answers"], tables["answers"])
    raw_file = out / CATALOG["raw_comments"]
    if keep_raw:
        write_csv(raw_file, tables["ingest.comments"])
    elif raw_file.exists():
        raw_file.unlink()  # a resumed or overwritten run without --keep-raw keeps no raw text
    quote_table = tables["quote_table"]
    write_csv(out / CATALOG["quotes_csv"], quote_table)
    recs, quotes = tables["recommendations"], tables["quotes"]
    if settings.pipeline.output.xlsx:
        write_xlsx(out / CATALOG["quotes_xlsx"], exports.quote_sheets(quote_table, recs))
    title = ", ".join(sorted(tables["answers"]["source"].unique()))
    document = render.build_document(title, recs, quotes, tables["theme_scores"],
                                     tables["score_summary"])
    write_text(out / CATALOG["recommendations_md"], render.render_markdown(document))
    write_bytes(out / CATALOG["recommendations_docx"], exports.render_docx(document))
    write_text(out / CATALOG["report_html"], html_report.render_html(
        document, tables["clusters"], len(tables["unexplained"])))
    write_text(out / CATALOG["recommendations_json"],
               report.render_recommendations_json(recs, quotes))
    write_text(out / CATALOG["candidates"], report.render_candidates_yaml(
        tables["clusters"], settings.pipeline.discover.candidate_min_respondents))
    write_csv(out / CATALOG["clusters"], tables["clusters"])
    write_csv(out / CATALOG["unexplained"], tables["unexplained"])
    write_csv(out / CATALOG["scores"], tables["score_summary"])
    write_csv(out / CATALOG["theme_scores"], tables["theme_scores"])


def _outlier_share(clusters: pd.DataFrame) -> float:
    """Share of clustered documents left as outliers after outlier reduction."""
    if not len(clusters):
        return 0.0
    total = int(clusters["n_sentences"].sum())
    left = int(clusters.loc[clusters["cluster_id"] < 0, "n_sentences"].sum())
    return round(left / total, 4) if total else 0.0


def _versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in VERSIONED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found
