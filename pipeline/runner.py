"""Run the stages in order: the run folder, artifacts, accounting and the manifest.

Stages are pure functions over DataFrames; this module owns every file read and write.
"""

from __future__ import annotations

import hashlib
import json
import logging
import platform
import re
import shutil
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import pandas as pd

from pipeline import clean, discover, ingest, recommend, report, tag
from pipeline.config import (
    PipelineConfig, Settings, load_pipeline, load_themes, with_overrides,
)
from pipeline.errors import ConfigError, DataError
from pipeline.readers import read_table
from pipeline.schemas import check_columns
from pipeline.writers import write_csv, write_parquet, write_text, write_xlsx

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
    "recommendations_json": "recommendations.json",
    "candidates": "candidate_themes.yaml",
    "clusters": "clusters.csv",
    "manifest": "manifest.json",
    "artifacts": "artifacts",
}


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
                  group_column: str | None = None, model_dir: str | Path | None = None) -> Settings:
    """Load both configs, apply command-line column choices, resolve the names file, and
    load the trained tagger in ``model_dir`` (if given) for the classifier layer."""
    pipeline = with_overrides(load_pipeline(config_path), list(text_columns or []), id_column,
                              group_column)
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
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(inputs[0]).stem).strip("._") or "run"
    return Path("data/runs") / stem


def call_stage(stage, tables: dict[str, pd.DataFrame], settings: Settings) -> dict[str, pd.DataFrame]:
    """Run one stage, checking its REQUIRES on the way in and its PRODUCES on the way out."""
    check_columns(stage.NAME, tables, stage.REQUIRES, produced=False)
    produced = stage.run(tables, settings)
    check_columns(stage.NAME, produced, stage.PRODUCES, produced=True)
    return produced


def run_stages(tables: dict[str, pd.DataFrame], settings: Settings,
               progress: Callable[[str, int, int], None] | None = None,
               ) -> tuple[dict[str, pd.DataFrame], dict[str, float], dict[str, dict[str, int]]]:
    """Run every stage on in-memory tables; return all tables, timings and row counts."""
    timings: dict[str, float] = {}
    counts: dict[str, dict[str, int]] = {}
    tables = dict(tables)
    for number, stage in enumerate(STAGES, start=1):
        if progress:
            progress(stage.NAME, number, len(STAGES))
        started = time.perf_counter()
        produced = call_stage(stage, tables, settings)
        timings[stage.NAME] = round(time.perf_counter() - started, 3)
        counts[stage.NAME] = {name: int(len(frame)) for name, frame in produced.items()}
        tables.update({f"{stage.NAME}.{name}": frame for name, frame in produced.items()})
        tables.update(produced)
    return tables, timings, counts


def run(inputs: Sequence[str | Path], settings: Settings, out_dir: str | Path | None = None, *,
        overwrite: bool = False, progress: Callable[[str, int, int], None] | None = None,
        config_path: str | Path | None = None, themes_path: str | Path | None = None) -> RunResult:
    """Read ``inputs``, run every stage, write the run folder; return where and what."""
    if not inputs:
        raise DataError("no input file given; pass a survey export, e.g. data/sample/survey_round.csv",
                        code="D001")
    out = Path(out_dir) if out_dir else default_out_dir(inputs)
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise DataError(f"{out}: the run folder already exists; pass --overwrite to replace it "
                        "or --out to choose another folder", code="D007")
    started = time.perf_counter()
    raw, input_records = _read_inputs(inputs, settings)
    with embedding_cache(settings):
        tables, timings, counts = run_stages({"raw": raw}, settings, progress)

    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    _write_outputs(out, tables, settings)
    answers = tables["answers"]
    dropped_reasons = answers.loc[answers["dropped_reason"] != "", "dropped_reason"]
    clusters = tables["clusters"]
    manifest = {
        "tool": "comment-theming",
        "seed": settings.pipeline.seed,
        "inputs": input_records,
        "config": {"path": str(config_path) if config_path else None,
                   "settings": settings.pipeline.model_dump(mode="json")},
        "themes": {"path": str(themes_path) if themes_path else None,
                   "sha256": _sha256_text(settings.themes.model_dump_json()),
                   "ids": settings.themes.ids},
        "versions": _versions(),
        "rows": counts,
        "accounting": {
            "answers_in": int(counts["ingest"]["comments"]),
            "kept": int(counts["clean"]["comments"]),
            "dropped": int(counts["clean"]["dropped"]),
            "dropped_by_reason": {k: int(v) for k, v in dropped_reasons.value_counts().sort_index().items()},
            "answers_out": int(len(answers)),
        },
        "discover": {"method": str(clusters["method"].iloc[0]) if len(clusters) else "skipped",
                     "unit": settings.pipeline.discover.unit,
                     "embedder": settings.pipeline.discover.embedder},
        "tag": {"semantic": settings.pipeline.tag.semantic,
                "embedder": settings.pipeline.tag.embedder,
                "classifier": settings.tag_model.info.get("labels") if settings.tag_model else None},
        "tags_by_method": {k: int(v) for k, v in
                           tables["tags"]["method"].value_counts().sort_index().items()},
        "outputs": sorted(p.name for p in out.iterdir()) + [CATALOG["manifest"]],
        "timings": {**timings, "total": round(time.perf_counter() - started, 3)},
    }
    write_text(out / CATALOG["manifest"], json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    log.info("run: %d answers -> %s", len(answers), out)
    return RunResult(out_dir=out, manifest=manifest, tables=tables)


def _read_inputs(inputs: Sequence[str | Path], settings: Settings):
    cfg = settings.pipeline.input
    frames, records = [], []
    for path in inputs:
        table = read_table(path, encoding=cfg.encoding, sheet=cfg.sheet)
        if table.frame.empty:
            raise DataError(f"{path}: has a header but no rows; export the survey answers too",
                            code="D003")
        ingest.check_input_columns(table.frame, cfg, str(path))
        frames.append(table.frame)
        records.append({"path": str(path), "sha256": _sha256_file(Path(path)),
                        "rows": int(len(table.frame)), "encoding": table.encoding,
                        "delimiter": table.delimiter})
    raw = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return raw.fillna(""), records


def _write_outputs(out: Path, tables: dict[str, pd.DataFrame], settings: Settings) -> None:
    artifacts = out / CATALOG["artifacts"]
    for name, frame in tables.items():
        if "." in name and name.split(".")[0] != "report":
            write_parquet(artifacts / f"{name}.parquet", frame)
    write_csv(out / CATALOG["answers"], tables["answers"])
    quote_table = tables["quote_table"]
    write_csv(out / CATALOG["quotes_csv"], quote_table)
    if settings.pipeline.output.xlsx:
        sheets = {"all quotes": quote_table}
        for theme, quotes in quote_table.groupby("theme", sort=False):
            sheets[str(theme)] = quotes.reset_index(drop=True)
        write_xlsx(out / CATALOG["quotes_xlsx"], sheets)
    recs, quotes = tables["recommendations"], tables["quotes"]
    title = ", ".join(sorted(tables["answers"]["source"].unique()))
    write_text(out / CATALOG["recommendations_md"],
               report.render_recommendations_md(recs, quotes, title))
    write_text(out / CATALOG["recommendations_json"],
               report.render_recommendations_json(recs, quotes))
    write_text(out / CATALOG["candidates"], report.render_candidates_yaml(
        tables["clusters"], settings.pipeline.discover.candidate_min_respondents))
    write_csv(out / CATALOG["clusters"], tables["clusters"])


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in VERSIONED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found
