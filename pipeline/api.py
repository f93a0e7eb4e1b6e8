"""The library's in-memory entry point: run every stage on a DataFrame, write nothing."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from pipeline.config.models import Settings, with_overrides
from pipeline.errors import DataError
from pipeline.io.checksums import sha256_bytes
from pipeline.io.stage_cache import run_keys
from pipeline.run_folder import RunResult, build_manifest
from pipeline.run_settings import load_settings
from pipeline.runner import run_stages
from pipeline.stages import ingest


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
