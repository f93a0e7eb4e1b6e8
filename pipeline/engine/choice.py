"""Which engine runs the per-respondent stages: None for the local engine (this process), or
a started Dask engine for ``engine.name: dask``."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager

from pipeline.config.models import Settings


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
