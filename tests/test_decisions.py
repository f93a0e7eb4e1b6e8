"""Reviewer decisions live in the project, keyed without text, and survive ``--overwrite``
(issue 26, item 1): a re-run applies them, a changed comment's decision is orphaned and
listed, and decisions an earlier version wrote into the run folder are migrated."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from cli_helpers import csv_text
from review_helpers import NEEDLES, ROWS, make_run
from typer.testing import CliRunner

from pipeline import decisions as decisions_module
from pipeline.cli import app
from pipeline.text.pseudonyms import new_secret


def rerun(project: Path, rows: list[list[str]] = ROWS):
    """Write ``rows`` as the round's export and run it again into the same run folder."""
    (project / "round.csv").write_text(csv_text(rows), encoding="utf-8")
    return CliRunner().invoke(app, ["run", str(project / "round.csv"), "--config",
                                    str(project / "pipeline.yaml"), "--out",
                                    str(project / "run"), "--overwrite"],
                              catch_exceptions=False)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("decided") / "project"
    folder.mkdir()
    new_secret(folder / ".theming-secret")
    make_run(folder)
    return folder


def test_overwrite_keeps_decisions_and_lists_a_changed_comment_as_orphaned(
        project: Path) -> None:
    run = project / "run"
    decisions_module.append_decision(run, "Ann", "R1.comment", "early_engagement", "reject")
    decisions_module.append_decision(run, "Ann", "R6.comment", "communications", "add")
    decisions_module.append_decision(run, "Bob", "R3.comment", "communications", "accept")
    home = project / "review" / "run" / "decisions.csv"
    assert home.is_file() and not (run / "review").exists()
    edited = [row if row[0] != "R6" else ["R6", "Trusts", "Papers arrive a week late."]
              for row in ROWS]
    result = rerun(project, edited)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(home.open(encoding="utf-8")))
    assert [(r["reviewer"], r["comment_id"], r["decision"]) for r in rows] == [
        ("Ann", "R1.comment", "reject"), ("Ann", "R6.comment", "add"),
        ("Bob", "R3.comment", "accept")]
    kept = {(d.comment_id, d.theme, d.decision) for d in decisions_module.read_decisions(run)}
    assert kept == {("R1.comment", "early_engagement", "reject"),
                    ("R3.comment", "communications", "accept")}
    orphaned = decisions_module.orphaned_decisions(run)
    assert [(d.comment_id, d.decision) for d in orphaned] == [("R6.comment", "add")]
    review = json.loads((run / "manifest.json").read_text(encoding="utf-8"))["review"]
    assert review["decisions_file"] == "../review/run/decisions.csv"
    assert (review["decisions"], review["applied"]) == (3, 2)
    assert [(o["comment_id"], o["theme"]) for o in review["orphaned"]] == [
        ("R6.comment", "communications")]
    assert ("Review: 2 of 3 decision(s) applied from ../review/run/decisions.csv; 1 orphaned"
            in result.output)
    assert "R6.comment communications add" in result.output
    rerun(project)  # the answer is back as it was: its decision applies again
    assert decisions_module.orphaned_decisions(run) == []


def test_the_decisions_file_holds_keys_never_the_comment_text(project: Path) -> None:
    run = project / "run"
    decisions_module.append_decision(run, "Ann", "R2.comment", "employer_representation",
                                     "accept")
    text = (project / "review" / "run" / "decisions.csv").read_text(encoding="utf-8")
    for word in ("employers at the table", "Papers arrive", "decision was made"):
        assert word not in text
    made = [d for d in decisions_module.read_file(project / "review" / "run" / "decisions.csv")
            if d.comment_id == "R2.comment"][-1]
    assert made.respondent_id == "R2" and made.question == "comment"
    comment = "We need more employers at the table, the employer voice is lost."
    # keyed with the project's secret: the plain hash of the text does not give the key
    secret = bytes.fromhex((project / ".theming-secret").read_text().strip())
    assert made.text_key == decisions_module.text_key(comment, secret)
    assert made.text_key != decisions_module.text_key(comment, None)


def test_decisions_an_earlier_version_kept_in_the_run_folder_are_migrated(
        tmp_path: Path) -> None:
    project = tmp_path / "project"
    run = make_run(project)
    (run / "review").mkdir()
    (run / "review" / "decisions.csv").write_text(
        "time,reviewer,comment_id,theme,decision\n"
        "2026-01-05T10:00:00Z,Ann,R4.comment,ministerial_presence,reject\n"
        "2026-01-05T10:01:00Z,Ann,R99.comment,communications,add\n", encoding="utf-8")
    assert rerun(project).exit_code == 0
    assert not (run / "review").exists()  # the old folder went, its decisions did not
    rows = list(csv.DictReader((project / "review" / "run" / "decisions.csv")
                               .open(encoding="utf-8")))
    assert [(r["comment_id"], r["decision"], r["respondent_id"]) for r in rows] == [
        ("R4.comment", "reject", "R4"), ("R99.comment", "add", "")]
    assert [(d.comment_id, d.decision) for d in decisions_module.read_decisions(run)] == [
        ("R4.comment", "reject")]
    assert [d.comment_id for d in decisions_module.orphaned_decisions(run)] == ["R99.comment"]


def test_the_review_app_lists_orphaned_decisions(project: Path) -> None:
    from fastapi.testclient import TestClient

    from pipeline.review.app import create_app

    run = project / "run"
    edited = [row if row[0] != "R5" else ["R5", "Trusts", "Care systems need a seat."]
              for row in ROWS]
    decisions_module.append_decision(run, "Cy", "R5.comment", "ics_growth", "reject")
    assert rerun(project, edited).exit_code == 0
    client = TestClient(create_app(run, "Cy", allowed_hosts=("testserver",)))
    assert "1 orphaned decision(s)" in client.get("/").text
    page = client.get("/decisions").text
    orphans = page.split('id="orphaned-decisions"')[1]
    assert "<code>R5.comment</code>" in orphans and "ics_growth" in orphans


def test_every_tag_says_who_made_it_how_under_which_config_and_when(project: Path) -> None:
    """Machine tags: machine, their layer, the theme config's hash, the run's start time (one
    time for the whole run, the manifest's); reviewer decisions: the reviewer and the time of
    the decision, in tags.csv; the tag artifact (Parquet) carries the same provenance."""
    import pandas as pd

    run = project / "run"
    answers = pd.read_csv(run / "comment_themes.csv", dtype=str, keep_default_na=False)
    planted = answers.loc[answers["text"].str.contains("communication could be better"),
                          "comment_id"].item()  # its id and group held personal data
    decisions_module.append_decision(run, "Ann", planted, "ministerial_presence", "add")
    assert rerun(project).exit_code == 0
    decided = {(d.comment_id, d.theme): d for d in decisions_module.read_decisions(run)}
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    tags = pd.read_csv(run / "tags.csv", dtype=str, keep_default_na=False)
    assert list(tags.columns)[-5:] == ["assigned_by", "method", "config_version",
                                       "assigned_at", "review"]
    version = manifest["themes"]["sha256"][:12]
    machine = tags[tags["review"] == ""]
    assert len(machine) and set(machine["assigned_by"]) == {"machine"}
    assert (machine["method"] == machine["layer"]).all()
    assert set(machine["config_version"]) == {version}
    assert set(machine["assigned_at"]) == {manifest["started_at"]}
    assert manifest["started_at"].endswith("Z")
    by_pair = {(r.comment_id, r.theme): r for r in tags.itertuples(index=False)}
    rejected = by_pair[("R1.comment", "early_engagement")]
    assert (rejected.assigned_by, rejected.review, rejected.assigned_at) == (
        "Ann", "reject", decided[("R1.comment", "early_engagement")].time)
    accepted = by_pair[("R3.comment", "communications")]
    assert (accepted.assigned_by, accepted.review, accepted.method) == ("Bob", "accept",
                                                                       accepted.layer)
    added = tags[(tags["comment_id"] == "R6.comment") & (tags["theme"] == "communications")]
    assert list(zip(added["assigned_by"], added["method"], added["review"], strict=True)) == [
        ("Ann", "review", "add")]
    assert by_pair[(planted, "ministerial_presence")].assigned_by == "Ann"
    for written in (run / "tags.csv", run / "manifest.json",
                    project / "review" / "run" / "decisions.csv"):
        for needle in NEEDLES:
            assert needle not in written.read_text(encoding="utf-8"), (written, needle)
    artifact = pd.read_parquet(run / "artifacts" / "tag.tags.parquet")
    assert set(artifact["assigned_by"]) == {"machine"}
    assert set(artifact["config_version"]) == {version}
    assert set(artifact["assigned_at"]) == {manifest["started_at"]}


def test_the_run_time_is_the_clock_unless_source_date_epoch_pins_it(monkeypatch) -> None:
    import datetime as dt

    from pipeline.run_folder import run_started

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert run_started() == "1970-01-01T00:00:00Z"
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    now = dt.datetime.strptime(run_started(), "%Y-%m-%dT%H:%M:%SZ")
    assert now.year >= 2026


def test_a_decision_on_a_parent_carries_to_its_subthemes() -> None:
    def said(comment: str, theme: str, decision: str) -> decisions_module.Decision:
        return decisions_module.Decision("2026-12-07T00:00:00", "ana", comment, theme, decision)

    parents = {"food": "care", "nursing": "care"}
    run = {"c1": {"care", "food", "nursing"}, "c2": {"care", "food"}, "c3": set(),
           "c4": {"site"}}
    decided = decisions_module.apply(run, [
        said("c1", "care", "reject"),  # the parent rejected: its sub-themes go too
        said("c2", "food", "reject"),  # a sub-theme rejected: the parent stays (may be its own)
        said("c3", "nursing", "add"),  # a sub-theme added: its parent comes with it
        said("c4", "food", "accept")], parents)
    assert decided == {"c1": set(), "c2": {"care"}, "c3": {"care", "nursing"},
                       "c4": {"site", "care", "food"}}
    # without the tree, decisions apply to the named theme alone (flat configs unchanged)
    assert decisions_module.apply(run, [said("c1", "care", "reject")])["c1"] == \
        {"food", "nursing"}
    assert run["c1"] == {"care", "food", "nursing"}  # the run's themes are not changed
