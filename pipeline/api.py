"""The library's in-memory entry point: run every stage on a DataFrame, write nothing."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from pipeline.config.models import Settings, with_overrides
from pipeline.errors import ConfigError, DataError
from pipeline.io.checksums import sha256_bytes
from pipeline.io.dtypes import blank_missing
from pipeline.io.stage_cache import run_keys
from pipeline.run_folder import (
    UNREDACTED_TABLES,
    RunResult,
    build_manifest,
    output_tables,
    run_started,
)
from pipeline.run_settings import load_settings
from pipeline.runner import run_stages
from pipeline.stages import ingest


def run_frame(frame: pd.DataFrame, *, text_columns: Sequence[str],
              id_column: str | None = None, group_column: str | None = None,
              score_columns: Sequence[str] | None = None,
              config: str | Path | None = None, themes: str | Path | None = None,
              settings: Settings | None = None, stage_tables: bool = False,
              unredacted_text: bool = False) -> RunResult:
    """Run every stage on a DataFrame in memory and return a ``RunResult``.

    Writes nothing: no run folder, no embedding cache. The result's tables are named and
    shaped as the files of a run folder (``result.comment_themes``, ``result.tags``,
    ``result.quotes``, ``result.recommendations``, ...) and hold redacted text only.

    ``score_columns``: agree/disagree statement columns (a project's pipeline.yaml may describe
    them; otherwise the packaged agreement scale). ``config``/``themes``: a project's
    pipeline.yaml and themes.yaml (None: the packaged defaults, or the themes pipeline.yaml
    names); ``settings`` (from ``load_settings``) replaces both. ``stage_tables``: also every
    stage's working tables in ``result.tables``; ``unredacted_text``: also the answers as
    written, before redaction (``tables["raw"]``, ``tables["ingest.comments"]``): personal
    data, never for a report. The caller's frame is not changed. Example::

        result = run_frame(df, text_columns=["comment"])
        result.comment_themes             # one row per answer, with its themes
    """
    if not text_columns or isinstance(text_columns, str):
        raise ConfigError("run_frame: text_columns must be a list of the free-text column names, "
                          "e.g. text_columns=['comment']", code="C016")
    if settings is None:
        settings = load_settings(config, themes, text_columns=text_columns, id_column=id_column,
                                 group_column=group_column, score_columns=score_columns)
    else:
        settings = settings.model_copy(update={"pipeline": with_overrides(
            settings.pipeline, list(text_columns), id_column, group_column,
            list(score_columns or []))})
    settings = settings.model_copy(update={"started_at": run_started()})
    started = time.perf_counter()
    raw = blank_missing(frame).astype(str).reset_index(drop=True)
    raw = raw.assign(_row=range(2, len(raw) + 2), _source="dataframe")
    if raw.empty:
        raise DataError("the DataFrame has no rows; pass the survey answers", code="D003")
    ingest.check_input_columns(raw, settings.pipeline.input, "the DataFrame", fix="parameter")
    ingest.check_scores(raw, settings.pipeline, "the DataFrame")
    digest = sha256_bytes(raw.to_csv(index=False).encode("utf-8"))
    records = [{"path": None, "sha256": digest, "rows": len(raw), "encoding": None,
                "delimiter": None, "sheet": None, "header_row": None}]
    from pipeline.embed.switching import for_round_size

    settings, embedder_note = for_round_size(settings, len(raw))
    keys = run_keys([digest], settings)
    keep = None if stage_tables else output_tables(keep_raw=False)
    tables, timings, counts = run_stages({"raw": raw}, settings, keep=keep)
    if not unredacted_text:
        tables = {name: table for name, table in tables.items() if name not in UNREDACTED_TABLES}
    manifest = build_manifest(None, settings, tables, timings, counts, records, keys, None,
                              len(raw), started=started, resume=False, keep_raw=False,
                              config_path=config, themes_path=themes or settings.pipeline.themes)
    manifest["tag"]["embedder_by_size"] = embedder_note
    return RunResult(out_dir=None, manifest=manifest, tables=tables)
