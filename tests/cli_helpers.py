"""Helpers for the issue-5 tests: a small pipeline.yaml and an in-process ``theming run``."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from pipeline.cli import app

csv.field_size_limit(1 << 26)  # the 1 MB comment case
ROOT = Path(__file__).resolve().parents[1]
THEMES = ROOT / "config" / "themes.yaml"

TINY_PIPELINE = """\
version: 1
seed: 42
themes: {themes}
input:
  id_column: id
  group_column: team
  text_columns:
    - column: comment
      question: comment
  score_columns: []
  encoding: auto
  advanced:
    sheet: null
clean:
  non_answers: [n/a, none, "no", nothing]
  advanced:
    drop_duplicates: true
    fix_mojibake: true
  redact:
    emails: true
    phones: true
    urls: true
    handles: true
    nhs_numbers: true
    ni_numbers: true
    postcodes: true
    titled_names: true
    ner: true
    names: [Sarah Whitfield]
    names_file: null
nlp:
  advanced:
    model: blank
tag:
  advanced:
    embedding_cache: .theming-cache  # beside this file, as the privacy tests expect
discover:
  enabled: false
output:
  xlsx: {xlsx}
"""


def write_config(folder: Path, xlsx: bool = False) -> Path:
    path = folder / "pipeline.yaml"
    text = TINY_PIPELINE.replace("{xlsx}", "true" if xlsx else "false").replace(
        "{themes}", str(THEMES))
    path.write_text(text, encoding="utf-8")
    return path


def csv_text(rows: list[list[str]], delimiter: str = ",", quote_all: bool = False) -> str:
    buffer = io.StringIO()
    quoting = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n", quoting=quoting).writerows(rows)
    return buffer.getvalue()


@dataclass
class Outcome:
    exit_code: int
    stdout: str
    stderr: str
    out: Path

    @property
    def error(self) -> str:
        return self.stderr.strip()

    def answers(self) -> list[dict[str, str]]:
        with (self.out / "comment_themes.csv").open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    def manifest(self) -> dict:
        return json.loads((self.out / "manifest.json").read_text(encoding="utf-8"))


def run_cli(inputs: list[Path], config: Path, out: Path, *extra: str) -> Outcome:
    """``theming run`` in-process; never raises (exit code and messages are returned)."""
    args = ["run", *map(str, inputs), "--config", str(config), "--themes", str(THEMES),
            "--out", str(out), "--quiet", *extra]
    result = CliRunner().invoke(app, args, catch_exceptions=True)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Outcome(result.exit_code, result.stdout, result.stderr, out)


def assert_accounted(outcome: Outcome, answers_in: int) -> list[dict[str, str]]:
    """Every input answer is in comment_themes.csv exactly once; manifest kept + dropped add up."""
    answers = outcome.answers()
    accounting = outcome.manifest()["accounting"]
    ids = [a["comment_id"] for a in answers]
    assert len(answers) == answers_in == accounting["answers_in"] == accounting["answers_out"]
    assert len(set(ids)) == len(ids)
    assert accounting["kept"] + accounting["dropped"] == answers_in
    assert sum(1 for a in answers if a["dropped_reason"]) == accounting["dropped"]
    stages = accounting["by_stage"]
    assert stages["clean"]["kept"] + stages["clean"]["dropped"] == stages["clean"]["answers_in"]
    assert stages["report"]["answers_out"] == stages["ingest"]["answers_out"] == answers_in
    return answers
