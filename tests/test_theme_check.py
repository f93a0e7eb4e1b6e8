"""theming themes check FILE --against RUN|CODED.csv (issue 11): the exact text of each rule,
exit codes, --json, and a planted duplicate and a dead theme found on a real run folder."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from pipeline.cli import app

ROOT = Path(__file__).resolve().parents[1]
THEMES = """\
version: 1
themes:
  - id: papers
    label: Meeting papers
    description: Papers arrive in time to read.
    keywords: [papers, agenda, fax machine]
  - id: papers_copy
    label: Meeting papers
    keywords: [papers, agenda]
  - id: minister
    label: Ministers attending
    keywords: [minister]
  - id: parking
    label: Car parking
    keywords: [car park]
  - id: hollow
    label: Nothing to match
"""
CODED = """\
text,themes
The papers arrive too late to read.,papers
Agenda papers come the night before.,papers
Please send the agenda earlier.,papers
The minister never attends.,
We need more employers at the table.,
"""
CONFIG = """\
version: 1
tag:
  semantic: false
  embedder: tfidf-svd
check:
  advanced:
    min_comments: 2
    max_themes: 4
    min_comments_for_advice: 5  # these 5 coded comments may carry advice to remove
"""


def setup(tmp_path: Path, themes: str = THEMES) -> tuple[Path, Path, Path]:
    (tmp_path / "themes.yaml").write_text(themes, encoding="utf-8")
    (tmp_path / "coded.csv").write_text(CODED, encoding="utf-8")
    (tmp_path / "pipeline.yaml").write_text(CONFIG, encoding="utf-8")
    return tmp_path / "themes.yaml", tmp_path / "coded.csv", tmp_path / "pipeline.yaml"


def check(*args: str):
    return CliRunner().invoke(app, ["themes", "check", *args])


def test_every_rule_word_for_word(tmp_path: Path) -> None:
    themes, coded, config = setup(tmp_path)
    result = check(str(themes), "--against", str(coded), "--config", str(config))
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        ("error [nothing_to_match] hollow: no keywords, patterns, examples or description; add "
        "some so a layer can match it"),
        ("error [catches_nothing] parking: catches 0 of 5 comments; add keywords or examples in "
        "the words respondents use, or retire it"),
        ("error [catches_nothing] hollow: catches 0 of 5 comments; add keywords or examples in "
        "the words respondents use, or retire it"),
        ("error [overlap] papers, papers_copy: share 3 of the 3 comments either catches "
        "(Jaccard 1.00 > check.advanced.max_overlap 0.7); merge them or make their keywords and "
        "examples distinct"),
        '    e.g. "The papers arrive too late to read."',
        '    e.g. "Agenda papers come the night before."',
        ("warning [too_many_themes] 5 themes, more than check.advanced.max_themes (4); merge or "
        "retire some"),
        ("warning [too_little] minister: catches 1 of 5 comments, fewer than 2 "
        "(check.advanced.min_comments 2, check.advanced.min_share 0.001)"),
        ("warning [keyword_never_matches] papers: 1 of 3 keywords match none of the 5 comments: "
        "'fax machine'; reword them as respondents write or remove them"),
        ("warning [keyword_never_matches] parking: 1 of 1 keywords match none of the 5 "
        "comments: 'car park'; reword them as respondents write or remove them"),
        ("warning [keyword_shared] papers, papers_copy: 2 keywords are under each of these "
        "themes (same lemmas): 'papers', 'agenda'; keep each under one theme"),
        ("warning [near_duplicate] papers, papers_copy: labels are near duplicates (cosine "
        "1.00 >= check.advanced.label_similarity 0.9): 'Meeting papers' / 'Meeting papers'"),
        f"{themes} against {coded}: 5 themes on 5 comments, 4 error(s), 6 warning(s)",
    ]


def test_warnings_alone_exit_0(tmp_path: Path) -> None:
    themes, coded, config = setup(tmp_path, """\
version: 1
themes:
  - id: papers
    label: Meeting papers
    keywords: [papers, agenda, fax machine]
""")
    result = check(str(themes), "--against", str(coded), "--config", str(config))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == \
        f"{themes} against {coded}: 1 themes on 5 comments, 0 error(s), 1 warning(s)"


def test_json_lists_findings_for_tools(tmp_path: Path) -> None:
    themes, coded, config = setup(tmp_path)
    result = check(str(themes), "--against", str(coded), "--config", str(config), "--json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert (report["comments"], report["errors"], report["warnings"]) == (5, 4, 6)
    overlap = next(f for f in report["findings"] if f["rule"] == "overlap")
    assert overlap["themes"] == ["papers", "papers_copy"] and overlap["level"] == "error"
    assert overlap["examples"] == ["The papers arrive too late to read.",
                                   "Agenda papers come the night before."]


def test_against_must_be_a_run_folder_or_a_coded_file(tmp_path: Path) -> None:
    themes, _, config = setup(tmp_path)
    (tmp_path / "empty").mkdir()
    result = check(str(themes), "--against", str(tmp_path / "empty"), "--config", str(config))
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error [D073]: {tmp_path / 'empty'}: not a finished run folder (no manifest.json or "
        "comment_themes.csv); give a folder 'theming run' wrote or a coded CSV (text + theme "
        "ids joined by '|')")


def test_planted_duplicate_and_dead_theme_on_a_real_run(sample_run, tmp_path: Path) -> None:
    shipped = yaml.safe_load((ROOT / "config" / "themes.yaml").read_text(encoding="utf-8"))
    copy = json.loads(json.dumps(next(t for t in shipped["themes"]
                                      if t["id"] == "communications")))  # no shared lists
    shipped["themes"].append({**copy, "id": "communications_again"})
    shipped["themes"].append({"id": "car_parking", "label": "Car parking at the venue",
                              "keywords": ["multi-storey car park"]})
    themes = tmp_path / "planted.yaml"
    themes.write_text(yaml.safe_dump(shipped, sort_keys=False), encoding="utf-8")
    config = tmp_path / "pipeline.yaml"
    config.write_text("version: 1\ntag:\n  semantic: false\n", encoding="utf-8")
    # two rounds (the same sample run twice): enough evidence to advise retiring a theme
    result = check(str(themes), "--against", str(sample_run), "--against", str(sample_run),
                   "--config", str(config))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(line.startswith("error [overlap] communications, communications_again: share ")
               and "(Jaccard 1.00 > check.advanced.max_overlap 0.7)" in line
               for line in lines), lines
    assert any(line.startswith("error [catches_nothing] car_parking: catches 0 of ")
               for line in lines), lines


def fake_round(folder: Path, texts: list[str]) -> Path:
    """A run folder as ``--against`` reads it: a manifest and the kept answers."""
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text("{}", encoding="utf-8")
    rows = ["comment_id,text,dropped_reason"] + [f"C{i},{t},"
                                                  for i, t in enumerate(texts)]
    (folder / "comment_themes.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


ROUND = [line.split(",")[0] for line in CODED.splitlines()[1:]]
PARKING = """\
version: 1
themes:
  - id: papers
    label: Meeting papers
    keywords: [papers, fax machine]
  - id: parking
    label: Car parking
    keywords: [car park]
"""


def test_a_small_round_says_not_seen_and_never_advises_removal(tmp_path: Path) -> None:
    themes, _, config = setup(tmp_path, PARKING)
    config.write_text(CONFIG.replace("    min_comments_for_advice: 5", "    min_comments_for_advice: "
                                     "300"), encoding="utf-8")
    small = fake_round(tmp_path / "round", ROUND)
    result = check(str(themes), "--against", str(small), "--config", str(config))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        ("note [not_seen] parking: not seen in 5 comments of this round (fewer than "
        "check.advanced.min_comments_for_advice (300) are too few to judge)"),
        ("note [not_seen] papers: 1 of 2 keywords not seen in 5 comments of this round: 'fax "
        "machine' (keep them; fewer than check.advanced.min_comments_for_advice (300) are too few to "
        "judge)"),
        ("note [not_seen] parking: 1 of 1 keywords not seen in 5 comments of this round: 'car "
        "park' (keep them; fewer than check.advanced.min_comments_for_advice (300) are too few to judge)"),
        (f"{themes} against {small}: 2 themes on 5 comments, 0 error(s), 0 warning(s), "
        "3 note(s)")]


def test_removal_advice_needs_several_rounds_or_a_coded_set(tmp_path: Path) -> None:
    themes, coded, config = setup(tmp_path, PARKING)  # advice from 5 comments on
    one = fake_round(tmp_path / "one", ROUND)
    single = check(str(themes), "--against", str(one), "--config", str(config))
    assert single.exit_code == 0, single.output
    assert single.output.splitlines()[0] == (
        "warning [catches_nothing] parking: catches 0 of the 5 comments of this round; add "
        "keywords or examples in the words respondents use (advice to retire or remove needs "
        "several rounds or a coded set)")
    assert "remove them" not in single.output and "retire it" not in single.output
    two = fake_round(tmp_path / "two", ROUND)
    both = check(str(themes), "--against", str(one), "--against", str(two), "--config",
                 str(config))
    assert both.exit_code == 1
    assert "error [catches_nothing] parking: catches 0 of 10 comments; add keywords or " \
        "examples in the words respondents use, or retire it" in both.output
    assert "warning [keyword_never_matches] parking: 1 of 1 keywords match none of the 10 " \
        "comments: 'car park'; reword them as respondents write or remove them" in both.output
    assert both.output.splitlines()[-1].endswith(f"against {one}, {two}: 2 themes on 10 "
                                                 "comments, 1 error(s), 2 warning(s)")
    coded_set = check(str(themes), "--against", str(coded), "--config", str(config))
    assert "or retire it" in coded_set.output and "or remove them" in coded_set.output
