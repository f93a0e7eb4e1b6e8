"""Resume: an interrupted run finishes from its saved stages, checked by input, config and
themes hashes and by each artifact's checksum."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import THEMES, assert_accounted, csv_text, run_cli, write_config

from pipeline.stages import clean, discover, recommend, tag

ROWS = [["id", "team", "comment"],
        ["R1", "Union side", "We were told after the decision was made. Engage us earlier."],
        ["R2", "Employer side", "We need more employers at the table."],
        ["R3", "System partners", "Integrated care systems are not represented."],
        ["R4", "Union side", "The minister should attend more often."],
        ["R5", "Employer side", "N/A"],
        ["R6", "System partners", "Call Dr Patel on 07700 900123."]]


@pytest.fixture()
def setup(tmp_path: Path):
    export = tmp_path / "round.csv"
    export.write_text(csv_text(ROWS), encoding="utf-8")
    return export, write_config(tmp_path), tmp_path / "run"


def interrupt_at_recommend(monkeypatch) -> None:
    def crash(tables, settings):
        raise RuntimeError("power cut")
    monkeypatch.setattr(recommend, "run", crash)


def forbid(monkeypatch, *stages) -> None:
    """Make ``stages`` fail if they are computed again."""
    for stage in stages:
        def refuse(tables, settings, name=stage.NAME):
            raise AssertionError(f"{name} was recomputed")
        monkeypatch.setattr(stage, "run", refuse)


def test_resume_after_interruption_reuses_completed_stages(setup, monkeypatch):
    export, config, out = setup
    with monkeypatch.context() as patch:
        interrupt_at_recommend(patch)
        crashed = run_cli([export], config, out)
    assert crashed.exit_code == 1
    assert crashed.error.startswith("Error [S041]: unexpected RuntimeError: power cut;")
    artifacts = out / "artifacts"
    assert {p.name for p in artifacts.glob("*.done.json")} == {
        "clean.done.json", "tag.done.json", "discover.done.json"}
    assert not list(artifacts.glob("ingest.*"))  # raw text is never cached
    assert not (out / "comment_themes.csv").exists()

    refused = run_cli([export], config, out)
    assert refused.exit_code == 1 and refused.error.startswith("Error [D007]:")

    with monkeypatch.context() as patch:
        forbid(patch, clean, tag, discover)
        resumed = run_cli([export], config, out, "--resume")
    assert resumed.exit_code == 0, resumed.stderr
    stages = resumed.manifest()["resume"]["stages"]
    assert stages == {"clean": "reused", "tag": "reused", "discover": "reused",
                      "recommend": "recomputed: no completion record"}
    assert_accounted(resumed, len(ROWS) - 1)

    fresh = run_cli([export], config, out.parent / "fresh")
    assert fresh.exit_code == 0, fresh.stderr
    for name in ("comment_themes.csv", "quotes.csv", "recommendations.md"):
        assert (out / name).read_bytes() == (out.parent / "fresh" / name).read_bytes(), name


def test_resume_recomputes_when_config_changes(setup, monkeypatch):
    export, config, out = setup
    assert run_cli([export], config, out).exit_code == 0
    config.write_text(config.read_text().replace("drop_duplicates: true", "drop_duplicates: false"))
    from typer.testing import CliRunner

    from pipeline.cli import app
    shown = CliRunner().invoke(app, ["run", str(export), "--config", str(config), "--out", str(out),
                                     "--themes", str(THEMES), "--resume"])
    assert shown.exit_code == 0, shown.stderr
    assert "Resume: clean recomputed: config changed since the interrupted run; tag computed;" \
        in shown.stdout
    stages = json.loads((out / "manifest.json").read_text())["resume"]["stages"]
    assert stages["clean"] == "recomputed: config changed since the interrupted run"
    assert stages["tag"] == stages["discover"] == stages["recommend"] == "computed"


def test_resume_recomputes_when_input_changes(setup):
    export, config, out = setup
    assert run_cli([export], config, out).exit_code == 0
    export.write_text(csv_text(ROWS + [["R7", "Union side", "Papers come late."]]),
                      encoding="utf-8")
    resumed = run_cli([export], config, out, "--resume")
    assert resumed.exit_code == 0, resumed.stderr
    assert resumed.manifest()["resume"]["stages"]["clean"] == \
        "recomputed: input changed since the interrupted run"
    assert_accounted(resumed, len(ROWS))


def test_corrupt_artifact_is_detected_and_recomputed(setup, monkeypatch):
    export, config, out = setup
    assert run_cli([export], config, out).exit_code == 0
    tags = out / "artifacts" / "tag.tags.parquet"
    data = bytearray(tags.read_bytes())
    data[len(data) // 2] ^= 0xFF
    tags.write_bytes(bytes(data))
    with monkeypatch.context() as patch:
        forbid(patch, clean)
        resumed = run_cli([export], config, out, "--resume")
    assert resumed.exit_code == 0, resumed.stderr
    stages = resumed.manifest()["resume"]["stages"]
    assert stages["clean"] == "reused"
    assert stages["tag"] == "recomputed: artifact tag.tags.parquet corrupt (checksum mismatch)"
    assert stages["discover"] == "computed"
    record = json.loads((out / "artifacts" / "tag.done.json").read_text())
    from pipeline.io.stage_cache import sha256_file
    assert record["tables"]["tags"]["sha256"] == sha256_file(tags)


def test_unreadable_record_is_recomputed(setup):
    export, config, out = setup
    assert run_cli([export], config, out).exit_code == 0
    (out / "artifacts" / "clean.done.json").write_text("{not json")
    resumed = run_cli([export], config, out, "--resume")
    assert resumed.exit_code == 0, resumed.stderr
    assert resumed.manifest()["resume"]["stages"]["clean"] == \
        "recomputed: completion record unreadable"


def test_resume_without_a_previous_run_just_runs(setup):
    export, config, out = setup
    resumed = run_cli([export], config, out, "--resume")
    assert resumed.exit_code == 0, resumed.stderr
    assert resumed.manifest()["resume"]["stages"]["clean"] == "recomputed: no completion record"


def test_ctrl_c_says_how_to_resume(setup, monkeypatch):
    export, config, out = setup

    def interrupted(tables, settings):
        raise KeyboardInterrupt
    monkeypatch.setattr(discover, "run", interrupted)
    outcome = run_cli([export], config, out)
    assert outcome.exit_code == 130
    assert outcome.error == ("Interrupted. The stages that finished are saved: run the same "
                             "command with --resume to finish.")
    assert (out / "artifacts" / "tag.done.json").exists()


def test_resume_removes_what_a_killed_write_left_and_never_lists_it(setup, monkeypatch):
    export, config, out = setup
    with monkeypatch.context() as patch:
        interrupt_at_recommend(patch)
        assert run_cli([export], config, out).exit_code == 1
    # a kill -9 in the middle of atomic_write leaves its temporary files behind
    partial = [out / ".tags.csv.k3j2h1.tmp", out / "artifacts" / ".recommend.quotes.parquet.x9.tmp"]
    for path in partial:
        path.write_text("half a fi", encoding="utf-8")
    kept = out / "notes.tmp"  # not one of ours: left alone
    kept.write_text("mine", encoding="utf-8")
    resumed = run_cli([export], config, out, "--resume")
    assert resumed.exit_code == 0, resumed.stderr
    assert not any(path.exists() for path in partial)
    assert kept.exists()
    outputs = resumed.manifest()["outputs"]
    assert not [name for name in outputs if name.startswith(".") and name.endswith(".tmp")]
    assert "comment_themes.csv" in outputs
