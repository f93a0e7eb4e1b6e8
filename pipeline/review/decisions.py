"""The reviewer's decisions: an append-only CSV in the run folder, ``review/decisions.csv``.

Columns: time (UTC, ISO 8601), reviewer, comment_id, theme, decision. Decisions are
``accept`` or ``reject`` (a tag the run gave), ``add`` (a theme the comment should have) and
``unusable_quote`` (the comment must not be quoted for that theme). Rows are only ever
appended, each flushed to disk at once, so a crash loses at most the row being written and the
history of every change stays readable. The latest accept/reject/add for a (comment, theme)
pair wins. Hand-written with the csv module: a file of five columns needs no library.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import DataError
from pipeline.io.writers import neutralise

FILE = Path("review") / "decisions.csv"
COLUMNS = ("time", "reviewer", "comment_id", "theme", "decision")
TAG_DECISIONS = ("accept", "reject", "add")
DECISIONS = (*TAG_DECISIONS, "unusable_quote")
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Decision:
    time: str
    reviewer: str
    comment_id: str
    theme: str
    decision: str


def decisions_path(run_folder: Path) -> Path:
    return Path(run_folder) / FILE


def read_decisions(run_folder: Path) -> list[Decision]:
    """Every decision in file order; D081 when the file is not one this module wrote."""
    path = decisions_path(run_folder)
    if not path.is_file():
        return []
    text = path.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or tuple(rows[0]) != COLUMNS:
        raise DataError(f"{path}: the header is not {','.join(COLUMNS)}; move the file aside "
                        "(decisions are appended to a new one)", code="D081")
    found = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(COLUMNS) or row[4] not in DECISIONS:
            raise DataError(f"{path} line {number}: expected {len(COLUMNS)} fields with a "
                            f"decision in {', '.join(DECISIONS)}; fix or delete that line",
                            code="D081")
        found.append(Decision(*row))
    return found


def append_decision(run_folder: Path, reviewer: str, comment_id: str, theme: str,
                    decision: str, now: dt.datetime | None = None) -> Decision:
    """Append one decision and flush it to disk; return it."""
    if decision not in DECISIONS:
        raise DataError(f"unknown decision '{decision}'; use one of {', '.join(DECISIONS)}",
                        code="D082")
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    made = Decision(stamp, reviewer, comment_id, theme, decision)
    path = decisions_path(run_folder)
    with _LOCK:
        path.parent.mkdir(parents=True, exist_ok=True)
        new = not path.exists() or path.stat().st_size == 0
        with path.open("a", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            if new:
                writer.writerow(COLUMNS)
            # the reviewer's name is free text: never a formula when the file is opened
            # in a spreadsheet; ids and decisions were checked against the run
            writer.writerow([made.time, neutralise(made.reviewer), made.comment_id,
                             made.theme, made.decision])
            handle.flush()
            os.fsync(handle.fileno())
    return made


def latest(decisions: list[Decision]) -> dict[tuple[str, str], str]:
    """(comment_id, theme) -> its latest accept / reject / add."""
    state: dict[tuple[str, str], str] = {}
    for decision in decisions:
        if decision.decision in TAG_DECISIONS:
            state[(decision.comment_id, decision.theme)] = decision.decision
    return state


def unusable_quotes(decisions: list[Decision]) -> set[tuple[str, str]]:
    """(comment_id, theme) pairs marked as unusable quotes."""
    return {(d.comment_id, d.theme) for d in decisions if d.decision == "unusable_quote"}


def apply(run_themes: dict[str, set[str]], decisions: list[Decision]) -> dict[str, set[str]]:
    """Each comment's themes after the decisions: rejected tags removed, added and accepted
    ones present. ``run_themes`` is not changed."""
    themes = {comment: set(found) for comment, found in run_themes.items()}
    for (comment, theme), decision in latest(decisions).items():
        if comment not in themes:
            continue
        if decision == "reject":
            themes[comment].discard(theme)
        else:
            themes[comment].add(theme)
    return themes
