"""How many pieces of CPU-bound work a process runs side by side."""

from __future__ import annotations

import os


def cores() -> int:
    """Threads to run side by side: ``OMP_NUM_THREADS`` when set (Dask sets it to 1 in its
    worker processes, which already run side by side), else the cores this process may run on
    (its CPU affinity where the system tells it)."""
    wanted = os.environ.get("OMP_NUM_THREADS", "")
    if wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)
