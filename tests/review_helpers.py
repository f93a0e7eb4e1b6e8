"""A small finished run folder for the review tests (tf-idf semantic layer: no weights, quick)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from cli_helpers import THEMES, TINY_PIPELINE, csv_text
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.review.app import create_app

ROWS = [
    ["id", "team", "comment"],
    ["R1", "Union side", "We were told after the decision was made. Engage us earlier please."],
    ["R2", "Employers", "We need more employers at the table, the employer voice is lost."],
    ["R3", "Employers", "The newsletter is good but the website is hard to use."],
    ["R4", "Union side", "The minister should attend the forum meetings more often."],
    ["R5", "Trusts", "Integrated care systems need a seat at the table."],
    ["R6", "Trusts", "Papers arrive the night before, far too late to read."],
    ["R7", "Union side", "Thank you to the secretariat for their hard work."],
    ["R8", "Employers", "Ministers never come; ask Sarah Whitfield at sarah.whitfield@nhs.net."],
    ["R9", "Trusts", "Call 07700 900123 about the <script>alert(1)</script> agenda."],
    ["R10", "Union side", "Communication between meetings could be clearer and more regular."],
    ["R11", "Trusts", "Members should be involved while policy is still being shaped."],
    ["jo.bloggs@nhs.net", "Team 07700 900125", "Dr Kowalski says communication could be better."],
]
# planted personal data (in text, an id and a group) that no page or export may show
NEEDLES = ["Whitfield", "sarah.whitfield", "900123", "jo.bloggs", "900125", "Kowalski"]


def make_run(folder: Path) -> Path:
    """Run ``theming run`` on ROWS with a copy of the shipped themes; return the run folder."""
    folder.mkdir(parents=True, exist_ok=True)
    themes = folder / "themes.yaml"
    shutil.copy(THEMES, themes)
    config = folder / "pipeline.yaml"
    config.write_text(TINY_PIPELINE.replace("{xlsx}", "false").replace("{themes}", "themes.yaml")
                      .replace("tag:\n", "tag:\n  embedder: tfidf-svd\n"), encoding="utf-8")
    export = folder / "round.csv"
    export.write_text(csv_text(ROWS), encoding="utf-8")
    out = folder / "run"
    result = CliRunner().invoke(app, ["run", str(export), "--config", str(config), "--out",
                                      str(out), "--quiet"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return out


def copy_run(source: Path, folder: Path) -> Path:
    """A fresh copy of a made run (its themes file alongside) so a test may write to it."""
    shutil.copytree(source.parent, folder, dirs_exist_ok=True)
    manifest_file = folder / "run" / "manifest.json"
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    manifest["themes"]["path"] = str(folder / "themes.yaml")  # the copy's, not the original's
    manifest_file.write_text(json.dumps(manifest), encoding="utf-8")
    return folder / "run"



def client_for(run_dir: Path, reviewer: str = "Ann") -> tuple[TestClient, str]:
    """A test client of the review app on ``run_dir`` and its CSRF token."""
    app = create_app(run_dir, reviewer, allowed_hosts=("testserver",))
    assert app.state.run.themes_path == run_dir.parent / "themes.yaml"
    return TestClient(app), app.state.csrf_token
