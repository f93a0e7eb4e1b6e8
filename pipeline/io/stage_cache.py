"""Stage completion records: what lets an interrupted run resume (``theming run --resume``).

After a stage finishes, the runner saves its tables as ``artifacts/<stage>.<table>.parquet``
and then ``artifacts/<stage>.done.json``: the input, config and themes hashes the stage ran
with and the sha256 of each artifact. A stage is reused only when its record exists, the
hashes match this run and every artifact's checksum still matches; otherwise it (and every
stage after it) is recomputed, with the reason noted in the manifest.

``ingest`` is never cached: its tables hold the raw, unredacted text, and it is fast.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from pipeline.io.checksums import sha256_bytes, sha256_file
from pipeline.io.dtypes import as_text
from pipeline.io.writers import write_parquet, write_text

log = logging.getLogger(__name__)

CACHED_STAGES = ("clean", "tag", "discover", "recommend")
RECORD_VERSION = 1


@dataclass(frozen=True)
class RunKeys:
    """What a cached stage must have been computed from."""

    input_sha256: str
    config_sha256: str
    themes_sha256: str


def run_keys(input_hashes: list[str], settings) -> RunKeys:
    """Hashes of the inputs (in order), the pipeline settings (with a keyed mark of the project
    secret: a new secret changes every pseudonym, so no stage is reused) and the themes."""
    secret = getattr(settings, "secret", None)
    secret_mark = (hmac.new(secret, b"stage cache", hashlib.sha256).hexdigest() if secret
                   else "no secret")
    return RunKeys(
        input_sha256=sha256_bytes("\n".join(input_hashes).encode()),
        config_sha256=sha256_bytes((settings.pipeline.model_dump_json() + secret_mark).encode()),
        themes_sha256=sha256_bytes(settings.themes.model_dump_json().encode()),
    )


def record_path(artifacts: Path, stage: str) -> Path:
    return artifacts / f"{stage}.done.json"


def save_stage(artifacts: Path, stage: str, produced: dict[str, pd.DataFrame],
               keys: RunKeys) -> None:
    """Write the stage's artifacts, then its completion record (so a record means done)."""
    tables = {}
    for name, frame in produced.items():
        path = artifacts / f"{stage}.{name}.parquet"
        write_parquet(path, frame)
        tables[name] = {"file": path.name, "sha256": sha256_file(path), "rows": len(frame)}
    record = {"version": RECORD_VERSION, "stage": stage, **asdict(keys), "tables": tables}
    write_text(record_path(artifacts, stage), json.dumps(record, indent=2) + "\n")


def load_stage(artifacts: Path, stage: str, keys: RunKeys
               ) -> tuple[dict[str, pd.DataFrame] | None, str]:
    """The stage's saved tables and 'reused', or None and why it must be recomputed."""
    path = record_path(artifacts, stage)
    if not path.exists():
        return None, "recomputed: no completion record"
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        tables_spec = dict(record["tables"])
    except (OSError, ValueError, KeyError, TypeError):
        return None, "recomputed: completion record unreadable"
    for field, label in (("input_sha256", "input"), ("config_sha256", "config"),
                         ("themes_sha256", "themes")):
        if record.get(field) != getattr(keys, field):
            return None, f"recomputed: {label} changed since the interrupted run"
    tables: dict[str, pd.DataFrame] = {}
    for name, spec in tables_spec.items():
        file = artifacts / str(spec.get("file", ""))
        if not file.is_file():
            return None, f"recomputed: artifact {file.name} missing"
        if sha256_file(file) != spec.get("sha256"):
            log.warning("resume: %s failed its checksum; recomputing %s", file.name, stage)
            return None, f"recomputed: artifact {file.name} corrupt (checksum mismatch)"
        try:
            frame = pd.read_parquet(file)
        except Exception:  # noqa: BLE001 - any unreadable artifact is recomputed
            return None, f"recomputed: artifact {file.name} unreadable"
        tables[name] = _as_text(frame)
    return tables, "reused"


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as the stages hold their large tables' text (``dtypes.TEXT``)."""
    return as_text(frame, [c for c in frame.columns if pd.api.types.is_string_dtype(frame[c])])


class StageCache:
    """Loads valid saved stages (when resuming) and saves each stage as it completes.

    ``notes`` says, per cached stage, whether it was reused or why it was recomputed. Once
    one stage is recomputed, every later stage is too: its inputs may have changed.
    """

    def __init__(self, artifacts: Path, keys: RunKeys, resume: bool) -> None:
        self.artifacts = artifacts
        self.keys = keys
        self.notes: dict[str, str] = {}
        self._stale = not resume

    def load(self, stage: str) -> dict[str, pd.DataFrame] | None:
        if stage not in CACHED_STAGES:
            return None
        if self._stale:
            self.notes[stage] = "computed"
            return None
        tables, note = load_stage(self.artifacts, stage, self.keys)
        self.notes[stage] = note
        if tables is None:
            log.info("resume: %s %s", stage, note)
            self._stale = True
        return tables

    def save(self, stage: str, produced: dict[str, pd.DataFrame]) -> None:
        if stage in CACHED_STAGES:
            save_stage(self.artifacts, stage, produced, self.keys)
