"""Opt-in memory tricks for long runs: return freed heap pages to the system between stages
and keep the collector off what earlier stages left. Only the CLI turns them on
(``pipeline.run(..., release_memory=True)``): a library call changes no process-wide state."""

from __future__ import annotations

import contextlib
import gc


def give_back_memory() -> None:
    """Return the C heap's free pages to the system (glibc's ``malloc_trim``; nothing
    elsewhere): tables let go between stages otherwise stay in this process's resident size,
    and the next stage's peak lands on top of them.

    The full collection before it finds the cycles among what was let go; what survives it is
    then frozen (``gc.freeze``), so the next collection walks only what later stages made, not
    again the ~650,000 objects of the imported libraries (0.2-0.4 s a stage at 10,000
    comments). ``let_collector_back`` unfreezes them."""
    import ctypes

    gc.collect()
    gc.freeze()
    with contextlib.suppress(OSError, AttributeError):  # not glibc
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def let_collector_back() -> None:
    """Undo ``give_back_memory``'s freeze: what it set aside is the collector's again."""
    gc.unfreeze()
