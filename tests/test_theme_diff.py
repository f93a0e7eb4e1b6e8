"""theming themes diff OLD NEW (issue 11): every kind of change, word for word, and the note
theming compare takes from it."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.codebook.theme_diff import diff_recorded
from pipeline.compare.rounds import Round
from pipeline.config.models import load_themes
from pipeline.io.checksums import sha256_bytes

OLD = """\
version: 1
themes:
  - id: papers
    label: Meeting papers
    keywords: [papers, agenda]
    examples: [Papers come late.]
    min_support: 2
  - id: parking
    label: Car parking
    keywords: [car park]
"""
NEW = """\
version: 1
themes:
  - id: papers
    label: Papers on time
    keywords: [papers, agenda pack]
    exclude: [toilet paper]
    not_examples: [Thanks for the papers.]
    min_support: 3
    threshold: 0.5
    recommendation: {owner: the secretariat, action: send papers a week ahead}
  - id: ministers
    label: Ministers attending
    keywords: [minister]
"""


def write(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "old.yaml").write_text(OLD, encoding="utf-8")
    (tmp_path / "new.yaml").write_text(NEW, encoding="utf-8")
    return tmp_path / "old.yaml", tmp_path / "new.yaml"


def test_every_change_word_for_word(tmp_path: Path) -> None:
    old, new = write(tmp_path)
    result = CliRunner().invoke(app, ["themes", "diff", str(old), str(new)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "papers: label changed: 'Meeting papers' -> 'Papers on time'",
        "papers: min_support changed: '2' -> '3'",
        "papers: threshold changed: 'null' -> '0.5'",
        ('papers: recommendation changed: null -> {"owner": "the secretariat", "action": '
        '"send papers a week ahead"}'),
        "papers: keyword added: agenda pack",
        "papers: keyword removed: agenda",
        "papers: example removed: Papers come late.",
        "papers: not-example added: Thanks for the papers.",
        "papers: exclude phrase added: toilet paper",
        "ministers: theme added: Ministers attending",
        "parking: theme removed: Car parking",
        f"{old} -> {new}: 11 changes",
    ]


def test_same_file_no_changes_and_json(tmp_path: Path) -> None:
    old, new = write(tmp_path)
    same = CliRunner().invoke(app, ["themes", "diff", str(old), str(old)])
    assert same.output.strip() == f"{old} -> {old}: 0 changes"
    as_json = json.loads(CliRunner().invoke(app, ["themes", "diff", str(old), str(new),
                                                  "--json"]).output)
    assert as_json[-1] == {"theme": "parking", "change": "theme removed",
                           "detail": "Car parking"}


def test_a_broken_file_is_an_error(tmp_path: Path) -> None:
    old, _ = write(tmp_path)
    (tmp_path / "bad.yaml").write_text("version: 1\nthemes:\n  - id: x\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["themes", "diff", str(old), str(tmp_path / "bad.yaml")])
    assert result.exit_code == 1 and result.output.startswith("Error [C006]")


def test_criteria_changes_are_listed(tmp_path: Path) -> None:
    old = tmp_path / "old.yaml"
    new = tmp_path / "new.yaml"
    old.write_text(OLD, encoding="utf-8")
    new.write_text(OLD.replace("    min_support: 2\n", "    min_support: 2\n"
                               "    includes: [late or missing papers]\n"
                               "    excludes: [the content of the papers]\n"),
                   encoding="utf-8")
    result = CliRunner().invoke(app, ["themes", "diff", str(old), str(new)])
    assert result.output.splitlines() == [
        "papers: inclusion criterion added: late or missing papers",
        "papers: exclusion criterion added: the content of the papers",
        f"{old} -> {new}: 2 changes",
    ]
    back = CliRunner().invoke(app, ["themes", "diff", str(new), str(old)])
    assert "papers: exclusion criterion removed: the content of the papers" in back.output


def fake_round(name: str, path: Path | None, sha: str) -> Round:
    import pandas as pd

    return Round(name=name, folder=Path(name), theme_ids=[], labels={}, themes_sha256=sha,
                 themes_path=str(path) if path else None, kept=pd.DataFrame(),
                 candidates=pd.DataFrame(), scores=pd.DataFrame())


def test_compare_note_lists_changes_only_from_unchanged_files(tmp_path: Path) -> None:
    old, new = write(tmp_path)
    sha = {p: sha256_bytes(load_themes(p).model_dump_json().encode()) for p in (old, new)}
    lines = diff_recorded(fake_round("r1", old, sha[old]), fake_round("r2", new, sha[new]))
    assert lines[0] == "papers: label changed: 'Meeting papers' -> 'Papers on time'"
    assert len(lines) == 11
    edited = diff_recorded(fake_round("r1", old, "another hash"), fake_round("r2", new, sha[new]))
    assert edited == [("the theme file r1 used is gone or has been edited since: run 'theming "
                      "themes diff OLD.yaml NEW.yaml' on copies of both to see what changed")]
