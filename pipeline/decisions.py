"""The reviewer's decisions: an append-only CSV kept in the project, never in the run folder.

Where: ``<project>/review/<run name>/decisions.csv`` when the run folder lies inside its
project (the folder of ``config/pipeline.yaml``), else ``review/<run name>/decisions.csv``
beside the run folder. Not inside the run folder: ``theming run --overwrite`` replaces that
folder whole, and with it went a reviewer's afternoon. The project is where reviewers keep
what they own (the theme config beside it); the runs folder is output that is replaced. A run
records its file in manifest.json (``review.decisions_file``, relative to the run folder, so
a project moved as a whole keeps its decisions).

Key: a decision names its comment by ``respondent_id``, ``question`` and ``text_key``, a keyed
hash (HMAC-SHA256 with the project secret, see ``pipeline.text.pseudonyms``) of the comment's
redacted text, never the text itself. Every new run of the same round (the same run folder
name) matches the decisions to its kept comments by that key; a decision no kept comment
matches (its answer was edited, dropped or is gone) is *orphaned*: kept in the file, listed
in the run's manifest, the CLI summary and the review app, never dropped.

Columns: time (UTC, ISO 8601), respondent_id, question, text_key, reviewer, comment_id (in the
run it was made on), theme, decision. Decisions are ``accept`` or ``reject`` (a tag the run
gave), ``add`` (a theme the comment should have) and ``unusable_quote``. Rows are only ever
appended, each flushed at once, so the history of every change stays readable; the latest
accept/reject/add for a (comment, theme) pair wins. Files of the earlier form
(``RUN/review/decisions.csv``, five columns) are migrated into the project file, not lost.
Hand-written with the csv module: a file of eight columns needs no library.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import os
import threading
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import pandas as pd

from pipeline.errors import DataError
from pipeline.io.dtypes import blank_missing
from pipeline.io.writers import neutralise
from pipeline.text.pseudonyms import keyed_hash, load_secret

log = logging.getLogger(__name__)

FILE_NAME = "decisions.csv"
LEGACY_FILE = Path("review") / FILE_NAME  # inside a run folder, before decisions moved out
LEGACY_COLUMNS = ("time", "reviewer", "comment_id", "theme", "decision")
COLUMNS = ("time", "respondent_id", "question", "text_key", "reviewer", "comment_id", "theme",
           "decision")
TAG_DECISIONS = ("accept", "reject", "add")
DECISIONS = (*TAG_DECISIONS, "unusable_quote")
_LOCK = threading.RLock()  # a migration holds it around its reading and appending


@dataclass(frozen=True)
class Decision:
    time: str
    reviewer: str
    comment_id: str
    theme: str
    decision: str
    respondent_id: str = ""
    question: str = ""
    text_key: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.respondent_id, self.question, self.text_key)

    def row(self) -> list[str]:
        return [str(getattr(self, column)) for column in COLUMNS]


# ---------------------------------------------------------------------------- where


def project_of(config_path: str | Path | None) -> Path | None:
    """The project folder of a pipeline.yaml (the folder above ``config/``), or None."""
    if not config_path:
        return None
    path = Path(config_path).resolve()
    return path.parent.parent if path.parent.name == "config" else path.parent


def decisions_file(run_folder: str | Path, config_path: str | Path | None) -> Path:
    """Where the decisions of the round in ``run_folder`` live (see the module docstring)."""
    run_folder = Path(run_folder).resolve()
    project = project_of(config_path)
    if project is not None and project in run_folder.parents:
        return project / "review" / run_folder.name / FILE_NAME
    return run_folder.parent / "review" / run_folder.name / FILE_NAME


def _manifest(run_folder: Path) -> dict:
    try:
        return json.loads((run_folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def decisions_path(run_folder: str | Path) -> Path:
    """The decisions file of a finished run folder: as its manifest records it, else by the
    rule (runs made before decisions moved to the project)."""
    run_folder = Path(run_folder)
    manifest = _manifest(run_folder)
    recorded = (manifest.get("review") or {}).get("decisions_file")
    if recorded:
        return Path(os.path.normpath(run_folder.resolve() / recorded))
    return decisions_file(run_folder, (manifest.get("config") or {}).get("path"))


def relative_record(run_folder: Path, path: Path) -> str:
    """``path`` relative to the run folder, for the manifest."""
    return os.path.relpath(path, Path(run_folder).resolve())


# ---------------------------------------------------------------------------- keys


def text_key(text: str, secret: bytes | None) -> str:
    """The keyed hash a decision names its comment's text by (spacing does not count)."""
    return keyed_hash(" ".join(str(text).split()), secret, 24)


def _unneutralised(value: str) -> str:
    """A cell as it was before ``writers.neutralise`` made it formula-safe."""
    return value[1:] if value.startswith("'") and neutralise(value[1:]) == value else value


@dataclass(frozen=True)
class RoundComments:
    """A run's kept comments by id and by key (respondent_id, question, text_key)."""

    by_id: dict[str, tuple[str, str, str]]
    by_key: dict[tuple[str, str, str], str]

    @classmethod
    def of(cls, answers: pd.DataFrame, secret: bytes | None, *,
           from_csv: bool = False) -> RoundComments:
        """From the answers table (comment_id, respondent_id, question, text, dropped_reason);
        ``from_csv``: as read back from comment_themes.csv (cells formula-safe)."""
        kept = answers[answers["dropped_reason"] == ""]
        by_id: dict[str, tuple[str, str, str]] = {}
        fix = _unneutralised if from_csv else str
        for comment_id, respondent, question, text in zip(
                kept["comment_id"], kept["respondent_id"], kept["question"], kept["text"],
                strict=True):
            by_id[fix(str(comment_id))] = (fix(str(respondent)), fix(str(question)),
                                           text_key(fix(str(text)), secret))
        by_key: dict[tuple[str, str, str], str] = {}
        for comment_id, key in by_id.items():
            by_key.setdefault(key, comment_id)
        return cls(by_id, by_key)

    def keyed(self, decision: Decision) -> Decision:
        """``decision`` with the key of its comment in this round."""
        respondent, question, key = self.by_id[decision.comment_id]
        return replace(decision, respondent_id=respondent, question=question, text_key=key)

    def match(self, decisions: list[Decision]) -> tuple[list[Decision], list[Decision]]:
        """(the decisions whose comment this round holds, with its comment_id here; the
        orphaned ones, unchanged), both in file order."""
        matched, orphaned = [], []
        for decision in decisions:
            here = self.by_key.get(decision.key)
            if here is None:
                orphaned.append(decision)
            else:
                matched.append(replace(decision, comment_id=here))
        return matched, orphaned


def run_secret(manifest: dict) -> bytes | None:
    """The project secret a run keyed its pseudonyms with (None without one)."""
    return load_secret((manifest.get("pseudonyms") or {}).get("secret_file"))


def _round_of(run_folder: Path) -> RoundComments:
    answers = run_folder / "comment_themes.csv"
    stat = answers.stat()
    return _cached_round(str(run_folder.resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _cached_round(folder: str, _mtime: int, _size: int) -> RoundComments:
    answers = pd.read_csv(Path(folder) / "comment_themes.csv", dtype=str, keep_default_na=False)
    return RoundComments.of(answers, run_secret(_manifest(Path(folder))), from_csv=True)


# ---------------------------------------------------------------------------- reading


def read_file(path: Path, columns: tuple[str, ...] = COLUMNS) -> list[Decision]:
    """Every decision in ``path`` in file order; D081 when it is not one this module wrote."""
    if not path.is_file():
        return []
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    if not rows or tuple(rows[0]) != columns:
        raise DataError(f"{path}: the header is not {','.join(columns)}; move the file aside "
                        "(decisions are appended to a new one)", code="D081")
    found = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(columns) or row[columns.index("decision")] not in DECISIONS:
            raise DataError(f"{path} line {number}: expected {len(columns)} fields with a "
                            f"decision in {', '.join(DECISIONS)}; fix or delete that line",
                            code="D081")
        found.append(Decision(**dict(zip(columns, row, strict=True))))
    return found


def _append_rows(path: Path, decisions: list[Decision]) -> None:
    with _LOCK:
        path.parent.mkdir(parents=True, exist_ok=True)
        new = not path.exists() or path.stat().st_size == 0
        with path.open("a", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            if new:
                writer.writerow(COLUMNS)
            # the reviewer's name is free text: never a formula when the file is opened
            # in a spreadsheet; ids and decisions were checked against the run
            for decision in decisions:
                writer.writerow([neutralise(value) for value in decision.row()])
            handle.flush()
            os.fsync(handle.fileno())


def migrate_legacy(old_run: Path, target: Path, comments: RoundComments | None = None) -> int:
    """Copy the decisions of an earlier-form file ``old_run/review/decisions.csv`` into
    ``target`` (keyed with the old run's comments), skipping those already there; return how
    many were copied. A decision whose comment the old run lacks is copied unkeyed (it shows
    as orphaned) rather than lost."""
    legacy = read_file(Path(old_run) / LEGACY_FILE, LEGACY_COLUMNS)
    if not legacy:
        return 0
    comments = comments or _round_of(Path(old_run))
    with _LOCK:  # two requests of the review app must not both copy them
        present = {(d.time, d.reviewer, d.comment_id, d.theme, d.decision)
                   for d in read_file(target)}
        fresh = [comments.keyed(d) if d.comment_id in comments.by_id else d for d in legacy
                 if (d.time, d.reviewer, d.comment_id, d.theme, d.decision) not in present]
        if fresh:
            _append_rows(target, fresh)
    if fresh:
        log.warning("%s: %d review decision(s) moved to %s", old_run / LEGACY_FILE,
                    len(fresh), target)
    return len(fresh)


def _home(run_folder: Path) -> Path:
    path = decisions_path(run_folder)
    if (run_folder / LEGACY_FILE).is_file():
        migrate_legacy(run_folder, path)
    return path


def read_decisions(run_folder: str | Path) -> list[Decision]:
    """The decisions of this run's round that match its kept comments, in file order, each
    with its comment_id in this run."""
    run_folder = Path(run_folder)
    return _round_of(run_folder).match(read_file(_home(run_folder)))[0]


def orphaned_decisions(run_folder: str | Path) -> list[Decision]:
    """The decisions of this run's round whose comment the run does not hold."""
    run_folder = Path(run_folder)
    return _round_of(run_folder).match(read_file(_home(run_folder)))[1]


def append_decision(run_folder: str | Path, reviewer: str, comment_id: str, theme: str,
                    decision: str, now: dt.datetime | None = None) -> Decision:
    """Append one decision on a kept comment of the run and flush it to disk; return it."""
    if decision not in DECISIONS:
        raise DataError(f"unknown decision '{decision}'; use one of {', '.join(DECISIONS)}",
                        code="D082")
    run_folder = Path(run_folder)
    comments = _round_of(run_folder)
    if comment_id not in comments.by_id:
        raise DataError(f"{run_folder}: no kept comment '{comment_id}' in this run",
                        code="D082")
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    made = comments.keyed(Decision(stamp, reviewer, comment_id, theme, decision))
    _append_rows(_home(run_folder), [made])
    return made


# ---------------------------------------------------------------------------- applying


def latest(decisions: list[Decision]) -> dict[tuple[str, str], str]:
    """(comment_id, theme) -> its latest accept / reject / add."""
    return {pair: d.decision for pair, d in latest_decisions(decisions).items()}


def latest_decisions(decisions: list[Decision]) -> dict[tuple[str, str], Decision]:
    """(comment_id, theme) -> the latest accept / reject / add made on it."""
    state: dict[tuple[str, str], Decision] = {}
    for decision in decisions:
        if decision.decision in TAG_DECISIONS:
            state[(decision.comment_id, decision.theme)] = decision
    return state


def unusable_quotes(decisions: list[Decision]) -> set[tuple[str, str]]:
    """(comment_id, theme) pairs marked as unusable quotes."""
    return {(d.comment_id, d.theme) for d in decisions if d.decision == "unusable_quote"}


def apply(run_themes: dict[str, set[str]], decisions: list[Decision],
          parents: dict[str, str] | None = None) -> dict[str, set[str]]:
    """Each comment's themes after the decisions: rejected tags removed, added and accepted
    ones present. With ``parents`` (sub-theme id -> parent id), a decision on a parent
    carries to the tree: a rejected parent takes its sub-themes with it, and a sub-theme a
    reviewer added or accepted brings its parent (as the run rolls sub-themes up).
    ``run_themes`` is not changed."""
    parents = parents or {}
    themes = {comment: set(found) for comment, found in run_themes.items()}
    rejected: dict[str, set[str]] = {}
    for (comment, theme), decision in latest(decisions).items():
        if comment not in themes:
            continue
        if decision == "reject":
            themes[comment].discard(theme)
            rejected.setdefault(comment, set()).add(theme)
        else:
            themes[comment].add(theme)
    for comment, found in themes.items():
        gone = rejected.get(comment, set())
        found -= {theme for theme in found if parents.get(theme) in gone}
        found |= {parents[theme] for theme in found if theme in parents}
    return themes


def reviewed_tags(evidence: pd.DataFrame, decided: list[Decision],
                  theme_ids: list[str]) -> pd.DataFrame:
    """tags.csv: the run's tag evidence (``stages.report.tag_evidence``) with the latest
    decision on each (comment, theme) of ``decided`` (matched to this run) applied. A machine
    tag a reviewer accepted or rejected keeps its row and says so: assigned_by (the reviewer),
    assigned_at (the decision's time), review (accept / reject; rejected rows stay so nothing
    is lost: leave them out to count). A theme a reviewer added or accepted that no machine tag
    backs gets a row of its own: method ``review``, no sentence, score or evidence.
    ``evidence`` is not changed."""
    chosen = latest_decisions(decided)
    if not chosen:
        return evidence
    table = _decided(evidence, chosen)
    rows = _review_rows(chosen, set(zip(evidence["comment_id"], evidence["theme"], strict=True)))
    if not len(rows):
        return table
    return _in_review_order(pd.concat([table.astype({"sentence_index": "Int64"}), rows],
                                      ignore_index=True), evidence.columns, theme_ids)


def reviewed_tag_chunks(sources: list, decided: list[Decision], theme_ids: list[str],
                        tagged: set[tuple[str, str]], columns: list[str]):
    """``reviewed_tags`` a chunk at a time, for tag evidence kept as parts (``sources``: one
    stream of frames per part, each in tags.csv's order; ``tagged``: the (comment, theme)
    pairs the machine tagged, of the decided ones at least). Yields tags.csv's rows in order,
    as ``reviewed_tags`` gives them for the whole table."""
    from pipeline.io.sorted_parts import merged

    chosen = latest_decisions(decided)
    rows = _review_rows(chosen, tagged)
    if not len(rows):  # no row of its own: each chunk as merged, decisions applied
        for chunk in merged(sources, "comment_id"):
            yield _decided(chunk, chosen) if chosen else chunk
        return
    streams = [(_decided(frame, chosen).astype({"sentence_index": "Int64"})
                for frame in source) for source in sources]
    yield from merged([*streams, iter([_by_comment_and_theme(rows, theme_ids)])], "comment_id",
                      order=lambda chunk: _in_review_order(chunk, columns, theme_ids))


def _decided(evidence: pd.DataFrame, chosen: dict) -> pd.DataFrame:
    """``evidence`` with the chosen decision on each row's (comment, theme) applied."""
    made = [chosen.get(pair) for pair in zip(evidence["comment_id"], evidence["theme"],
                                             strict=True)]
    return evidence.assign(
        assigned_by=[d.reviewer if d else by for d, by in zip(made, evidence["assigned_by"],
                                                              strict=True)],
        assigned_at=[d.time if d else at for d, at in zip(made, evidence["assigned_at"],
                                                          strict=True)],
        review=[d.decision if d else was for d, was in zip(made, evidence["review"],
                                                           strict=True)])


def _review_rows(chosen: dict, tagged: set[tuple[str, str]]) -> pd.DataFrame:
    """A row for each theme a reviewer added or accepted that no machine tag backs."""
    added = [d for pair, d in chosen.items() if pair not in tagged and d.decision != "reject"]
    return pd.DataFrame({
        "comment_id": [d.comment_id for d in added], "theme": [d.theme for d in added],
        "assigned_by": [d.reviewer for d in added], "method": "review",
        "assigned_at": [d.time for d in added], "review": [d.decision for d in added]})


def _in_review_order(whole: pd.DataFrame, columns, theme_ids: list[str]) -> pd.DataFrame:
    """tags.csv's columns, blanks for absent text, by comment and theme order (stable)."""
    whole = whole.reindex(columns=columns)
    text = [c for c in whole.columns if c not in ("sentence_index", "score", "margin")]
    whole[text] = blank_missing(whole[text])
    return _by_comment_and_theme(whole, theme_ids)


def _by_comment_and_theme(rows: pd.DataFrame, theme_ids: list[str]) -> pd.DataFrame:
    """``rows`` by comment, then theme in config order (a theme no longer configured last),
    stable."""
    order = {theme_id: i for i, theme_id in enumerate(theme_ids)}
    keys = rows.assign(_t=rows["theme"].map(order).fillna(len(order)))
    keys = keys.sort_values(["comment_id", "_t"], kind="stable")
    return rows.loc[keys.index].reset_index(drop=True)


def orphan_record(decision: Decision) -> dict[str, str]:
    """An orphaned decision as the manifest lists it."""
    return {"time": decision.time, "reviewer": decision.reviewer,
            "comment_id": decision.comment_id, "theme": decision.theme,
            "decision": decision.decision}
