"""Row-level progress of long steps (embedding, placing documents) for whoever listens.

A stage cannot print (stages are pure); it calls ``rows(what, done, total)`` as it goes, and
the command line, when it shows a progress bar, listens with ``listening(callback)`` and draws
rows done, rows/s and the time left. Nobody listening costs one ``None`` check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

_listener: Callable[[str, int, int], None] | None = None


def rows(what: str, done: int, total: int) -> None:
    """Say that ``done`` of ``total`` rows of ``what`` are finished."""
    if _listener is not None:
        _listener(what, done, total)


@contextmanager
def listening(callback: Callable[[str, int, int], None] | None) -> Iterator[None]:
    """Send ``rows`` reports to ``callback`` inside the block (None: to nobody)."""
    global _listener
    before, _listener = _listener, callback
    try:
        yield
    finally:
        _listener = before
