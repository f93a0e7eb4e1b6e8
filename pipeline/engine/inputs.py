"""A run's survey exports, read here whole (the local engine) or planned as blocks the Dask
workers read; each input's record for the manifest."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from pipeline.config.models import Settings
from pipeline.errors import DataError
from pipeline.io.dtypes import blank_missing
from pipeline.io.readers import read_table
from pipeline.io.stage_cache import sha256_file
from pipeline.stages import ingest

log = logging.getLogger(__name__)


def plan_inputs(inputs: Sequence[str | Path], settings: Settings,
                 announce: Callable[[str], None] | None = None) -> list | None:
    """For ``--engine dask``, every input cut into blocks the workers read
    (``pipeline.io.blocks``), its header checked here; None for the local engine, or when a
    file cannot be cut (then all are read here, whole, as the local engine reads them)."""
    if settings.pipeline.engine.name != "dask" or not inputs:
        return None
    from pipeline.engine.dask_engine import BLOCK_BYTES
    from pipeline.io import blocks

    cfg = settings.pipeline.input
    wanted = wanted_columns(cfg)
    plans = []
    for path in inputs:
        plan = blocks.plan(path, encoding=cfg.encoding, wanted=wanted, delimiter=cfg.advanced.delimiter,
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


def wanted_columns(cfg) -> list[str]:
    """The columns the readers look for to find a header row (text, id and group)."""
    return [t.column for t in cfg.text_columns] + [
        c for c in (cfg.id_column, cfg.group_column) if c]


def record_of(plan, rows: int) -> dict:
    """The manifest's record of an input the workers read in blocks."""
    return {"path": plan.path, "sha256": plan.sha256, "rows": rows, "encoding": plan.encoding,
            "delimiter": plan.delimiter, "sheet": None, "header_row": plan.header_row}


def read_inputs(inputs: Sequence[str | Path], settings: Settings):
    """Every input read here, whole, checked and joined; and each one's manifest record."""
    cfg = settings.pipeline.input
    wanted = wanted_columns(cfg)
    frames, records = [], []
    for path in inputs:
        table = read_table(path, encoding=cfg.encoding, sheet=cfg.advanced.sheet, wanted=wanted,
                           delimiter=cfg.advanced.delimiter, max_rows=cfg.advanced.max_rows)
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
    return blank_missing(raw), records
