"""A run folder belongs to one run: an exclusive lock beside it, and a staging folder that
an ``--overwrite`` run fills before it is swapped in.

The lock is a file ``.<folder>.lock`` next to the run folder (so it survives the swap),
created with O_EXCL and holding the holder's pid, host and start time. A lock whose process
is gone (same host) is stale and taken over.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import re
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

from pipeline.errors import DataError
from pipeline.io.writers import remove_partial_writes

log = logging.getLogger(__name__)


def lock_path(out: Path) -> Path:
    return out.parent / f".{out.name}.lock"


def staging_path(out: Path) -> Path:
    """Where an ``--overwrite`` run builds the new run folder before the swap."""
    return out.parent / f".{out.name}.new-{os.getpid()}"


def final_path(folder: Path) -> Path:
    """The run folder a staging folder (``staging_path``) becomes; any other folder itself."""
    match = re.fullmatch(r"\.(.+)\.new-\d+", folder.name)
    return folder.parent / match.group(1) if match else folder


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _holder(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


@contextlib.contextmanager
def hold_run_folder(out: Path) -> Iterator[None]:
    """Hold the lock on run folder ``out`` for the block; refuse (D046) when a live run
    holds it; clean up what a killed run left behind."""
    out.parent.mkdir(parents=True, exist_ok=True)
    path = lock_path(out)
    me = {"pid": os.getpid(), "host": socket.gethostname(),
          "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    for _ in range(2):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            holder = _holder(path)
            if holder and (holder.get("host") != me["host"] or _alive(int(holder.get("pid", 0)))):
                raise DataError(
                    f"{out}: another run is writing this folder (pid {holder.get('pid')} on "
                    f"{holder.get('host')}, started {holder.get('started')}); wait for it to "
                    f"finish or choose another --out. If that run is gone, delete {path}",
                    code="D046") from None
            log.warning("%s: removing a stale lock (%s)", path, holder or "unreadable")
            path.unlink(missing_ok=True)
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(me, handle)
        break
    else:
        raise DataError(f"{out}: cannot take the lock {path}; delete it if no run is writing "
                        "this folder", code="D046")
    try:
        _remove_stale_staging(out)
        for name in remove_partial_writes(out):  # a killed run's half-written files
            log.warning("%s: removed %s, left by an interrupted write", out, name)
        yield
    finally:
        if (_holder(path) or {}).get("pid") == me["pid"]:
            path.unlink(missing_ok=True)


def _remove_stale_staging(out: Path) -> None:
    """Staging folders of killed ``--overwrite`` runs (their pid is gone)."""
    for staging in out.parent.glob(f".{out.name}.new-*"):
        pid = staging.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)) and staging.is_dir():
            shutil.rmtree(staging, ignore_errors=True)


def swap_in(staging: Path, out: Path) -> None:
    """Replace run folder ``out`` with the complete ``staging`` folder: two renames, the
    old folder is deleted only once the new one is in place."""
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    os.replace(out, old)
    try:
        os.replace(staging, out)
    except OSError:
        os.replace(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)
