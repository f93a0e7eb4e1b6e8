"""Sub-themes (issue 28 item 1): ``parent:`` and ``renamed_from:`` in the theme config, checked
at load; a parent's row beside its sub-themes' in comment_themes (method ``rollup``); a run of
two parents and four sub-themes whose report counts each respondent once per parent."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config.loading import load_themes
from pipeline.errors import ConfigProblems
from pipeline.stages.schemas import ROLLUP
from pipeline.stages.tag import roll_up

ROOT = Path(__file__).resolve().parents[1]
TREE = [  # two parents, four sub-themes; 'site' has a keyword of its own, 'care' none
    {"id": "care", "label": "Care on the ward"},
    {"id": "food", "label": "Food", "parent": "care", "keywords": ["food", "meal"]},
    {"id": "nursing", "label": "Nursing", "parent": "care", "keywords": ["nurse"]},
    {"id": "site", "label": "The hospital site", "keywords": ["hospital grounds"]},
    {"id": "parking", "label": "Parking", "parent": "site", "keywords": ["parking"]},
    {"id": "signs", "label": "Signs", "parent": "site", "keywords": ["sign"]},
]
ROWS = [  # respondent, group, answer
    ("R1", "ward", "The food was cold. The nurses were rushed off their feet."),
    ("R2", "ward", "Please improve the food, every meal was late."),
    ("R3", "clinic", "The nurses were kind but there were too few of them."),
    ("R4", "clinic", "Parking was impossible and the signs were confusing."),
    ("R5", "ward", "Please add more parking near the entrance."),
    ("R6", "clinic", "The hospital grounds need more signs to the clinics."),
    ("R7", "ward", "Nothing to add really."),
    ("R8", "clinic", "The food could be better and a nurse should check on people."),
]


MEETINGS = [  # a parent with nothing of its own to match, and two keyword sub-themes
    {"id": "meetings", "label": "Meetings"},
    {"id": "papers", "label": "Meeting papers", "parent": "meetings",
     "keywords": ["papers", "agenda"]},
    {"id": "minister", "label": "Ministers attending", "parent": "meetings",
     "keywords": ["minister"]}]


def _write_themes(folder: Path, themes: list[dict]) -> Path:
    path = folder / "themes.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "themes": themes}, sort_keys=False),
                    encoding="utf-8")
    return path


def _problems(folder: Path, themes: list[dict]) -> list[tuple[str, str]]:
    with pytest.raises(ConfigProblems) as raised:
        load_themes(_write_themes(folder, themes))
    return [(p.code, p.message) for p in raised.value.problems]


def test_a_tree_of_two_parents_and_four_subthemes_loads(tmp_path: Path):
    themes = load_themes(_write_themes(tmp_path, TREE))
    assert themes.children() == {"care": ["food", "nursing"], "site": ["parking", "signs"]}
    assert themes.subtree("site") == ["site", "parking", "signs"]
    assert themes.subtree("food") == ["food"]


def test_an_unknown_parent_is_named_with_the_closest_id(tmp_path: Path):
    found = _problems(tmp_path, [TREE[0], {**TREE[1], "parent": "caer"}])
    assert len(found) == 1
    code, message = found[0]
    assert code == "C034"
    assert "theme 'food'" in message and "'caer'" in message and "did you mean 'care'" in message


def test_a_grandchild_and_a_cycle_are_refused(tmp_path: Path):
    grandchild = _problems(tmp_path, [*TREE[:3], {"id": "hot_food", "label": "Hot food",
                                                  "parent": "food"}])
    assert [code for code, _ in grandchild] == ["C035"]
    assert "two levels" in grandchild[0][1] and "'hot_food'" in grandchild[0][1]
    cycle = _problems(tmp_path, [{"id": "a", "label": "A", "parent": "b"},
                                 {"id": "b", "label": "B", "parent": "a"}])
    assert [code for code, _ in cycle] == ["C035", "C035"]
    itself = _problems(tmp_path, [{"id": "a", "label": "A", "parent": "a"}])
    assert [code for code, _ in itself] == ["C035"]


def test_a_former_id_still_in_use_is_refused(tmp_path: Path):
    found = _problems(tmp_path, [TREE[0], {**TREE[1], "renamed_from": ["care"]}])
    assert [code for code, _ in found] == ["C036"]


def test_a_parent_row_counts_a_comment_once_however_many_subthemes_it_carries():
    tags = pd.DataFrame({
        "comment_id": ["c1", "c1", "c2", "c3"], "sentence_id": ["s1", "s2", "s3", "s4"],
        "theme_id": ["food", "nursing", "food", "site"],
        "method": ["keyword", "keyword", "semantic", "keyword"],
        "score": [1.0, 1.0, 0.6, 1.0], "evidence": ["food", "nurses", "cold meals", "grounds"],
        "start": [0, 0, 0, 0], "end": [4, 6, 10, 7], "runner_up": ["", "", "", ""],
        "margin": [float("nan")] * 4})
    order = {theme["id"]: i for i, theme in enumerate(TREE)}
    parents = {"food": "care", "nursing": "care", "parking": "site", "signs": "site"}
    rolled = roll_up(tags, order, parents)
    pairs = list(zip(rolled["comment_id"], rolled["theme_id"], rolled["methods"], strict=True))
    assert pairs == [("c1", "care", ROLLUP, ), ("c1", "food", "keyword"),
                     ("c1", "nursing", "keyword"), ("c2", "care", ROLLUP),
                     ("c2", "food", "semantic"), ("c3", "site", "keyword")]
    care_c1 = rolled[(rolled["comment_id"] == "c1") & (rolled["theme_id"] == "care")]
    assert int(care_c1["n_sentences"].iat[0]) == 2
    flat = roll_up(tags, order)  # without parents: no parent rows
    assert "care" not in set(flat["theme_id"])


@pytest.fixture(scope="module")
def tree_run(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tree")
    config = yaml.safe_load((ROOT / "config" / "pipeline.yaml").read_text(encoding="utf-8"))
    config.setdefault("tag", {}).update(semantic=False)
    config["input"]["score_columns"] = []
    (folder / "pipeline.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    _write_themes(folder, TREE)
    pd.DataFrame(ROWS, columns=["respondent", "group", "comment"]).to_csv(
        folder / "round.csv", index=False)
    out = folder / "run"
    result = CliRunner().invoke(app, [
        "run", str(folder / "round.csv"), "--out", str(out), "--quiet",
        "--config", str(folder / "pipeline.yaml"), "--themes", str(folder / "themes.yaml"),
        "--text-column", "comment", "--id-column", "respondent", "--group-column", "group"])
    assert result.exit_code == 0, result.output
    return out


def test_comment_themes_csv_lists_a_parent_beside_its_subthemes(tree_run: Path):
    answers = pd.read_csv(tree_run / "comment_themes.csv", dtype=str, keep_default_na=False)
    themes = dict(zip(answers["respondent_id"], answers["themes"], strict=True))
    assert themes["R1"] == "care|food|nursing"
    assert themes["R4"] == "site|parking|signs"
    assert themes["R6"] == "site|signs"  # the parent's own keyword and a sub-theme: one row
    assert themes["R7"] == ""
    layers = dict(zip(answers["respondent_id"], answers["layers"], strict=True))
    assert layers["R1"] == "care:rollup|food:keyword|nursing:keyword"
    assert layers["R6"] == "site:keyword|site:rollup|signs:keyword"


def test_the_manifest_records_the_tree_for_compare(tree_run: Path):
    from pipeline.compare.rounds import read_round

    recorded = json.loads((tree_run / "manifest.json").read_text(encoding="utf-8"))["themes"]
    assert recorded["parents"] == {"food": "care", "nursing": "care", "parking": "site",
                                   "signs": "site"}
    assert "renamed_from" not in recorded  # no theme of TREE declares one
    assert read_round(tree_run).parents == recorded["parents"]


def test_a_parent_counts_each_respondent_once(tree_run: Path):
    recs = json.loads((tree_run / "recommendations.json").read_text(encoding="utf-8"))
    counts = {rec["key"]: rec["n_respondents"] for rec in recs["recommendations"]}
    # food: R1 R2 R8; nursing: R1 R3 R8 -> care: R1 R2 R3 R8 (not 6)
    assert (counts["food"], counts["nursing"], counts["care"]) == (3, 3, 4)
    assert (counts["parking"], counts["signs"], counts["site"]) == (2, 2, 3)


def test_report_html_shows_parents_with_their_subthemes_on_demand(tree_run: Path):
    page = (tree_run / "report.html").read_text(encoding="utf-8")
    summary = page.split('<details class="subthemes">')[0]
    ranking = summary.split("Themes raised, most respondents first")[1]
    assert "<td>Care on the ward</td><td>4</td>" in ranking
    assert "<td>The hospital site</td><td>3</td>" in ranking
    assert "<td>Food</td>" not in ranking  # sub-themes wait inside their parent's details
    care = page.split("Sub-themes of\n&ldquo;Care on the ward&rdquo;")[1].split("</details>")[0]
    assert "<td>Food</td><td>3</td>" in care and "<td>Nursing</td><td>3</td>" in care
    assert "Parking" not in care
    markdown = (tree_run / "recommendations.md").read_text(encoding="utf-8")
    rows = [line for line in markdown.splitlines() if line.startswith("| ")]
    at = next(i for i, line in enumerate(rows) if line.startswith("| Care on the ward | 4 |"))
    assert [row.split(" | ")[:2] for row in rows[at + 1:at + 4]] == [
        ["| → Food", "3"], ["| → Nursing", "3"], ["| The hospital site", "3"]]


def _finished_run(folder: Path, themes: dict, answers: list[tuple[str, str]],
                  tree: dict | None = None) -> Path:
    """A run folder as compare reads it: a manifest (ids, labels and the tree) and
    comment_themes.csv, answers being (respondent_id, themes)."""
    folder.mkdir(parents=True)
    manifest = {"tool": "comment-theming", "themes": {
        "ids": list(themes), "labels": themes, "sha256": folder.name, "path": None,
        **(tree or {})}}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    pd.DataFrame([{"comment_id": f"c{i}", "respondent_id": r, "group": "all", "question": "q",
                   "source": "x.csv", "row": i, "text": "t", "themes": t,
                   "candidate_themes": "", "dropped_reason": ""}
                  for i, (r, t) in enumerate(answers)]).to_csv(folder / "comment_themes.csv",
                                                                 index=False)
    return folder


def test_compare_follows_a_renamed_theme_and_rolls_up_subthemes(tmp_path: Path):
    from pipeline.compare.changes import compare_rounds
    from pipeline.compare.rounds import read_round

    labels = {"care": "Care", "food": "Food", "nursing": "Nursing"}
    before = _finished_run(tmp_path / "round_1", labels, [
        ("r1", "food|nursing"), ("r2", "food"), ("r3", ""), ("r4", "")],
        {"parents": {"food": "care", "nursing": "care"}})
    after = _finished_run(tmp_path / "round_2", {
        "care": "Care", "meals": "Meals", "nursing": "Nursing"}, [
        ("r1", "meals"), ("r2", "meals|nursing"), ("r3", "meals"), ("r4", "")],
        {"parents": {"meals": "care", "nursing": "care"}, "renamed_from": {"meals": ["food"]}})
    result = compare_rounds([read_round(before), read_round(after)], exact_below=5,
                            candidate_similarity=0.6, redact=str, embed=None)
    themes = result.themes.set_index("theme")
    assert "food" not in themes.index  # followed, not reported as removed
    meals = themes.loc["meals"]
    assert (meals.status, meals.n_from, meals.n_to) == ("compared", 2, 3)
    assert "id renamed from 'food'" in meals.note and "renamed from 'Food'" in meals.note
    # the parent: r1 once in round 1 though it raised both sub-themes; comment_themes.csv
    # written here lacks the parent's id, so the count is rolled up from the manifest's tree
    care = themes.loc["care"]
    assert (care.n_from, care.n_to) == (2, 3)
    assert set(result.groups["theme"]) == {"care", "meals", "nursing"}


def test_compare_lists_subthemes_under_their_parent(tmp_path: Path):
    from pipeline.compare.changes import compare_rounds
    from pipeline.compare.rounds import read_round
    from pipeline.outputs.compare_report import render_html, render_markdown

    labels = {"food": "Food", "site": "Site", "care": "Care", "nursing": "Nursing"}
    tree = {"parents": {"food": "care", "nursing": "care"}}
    rounds = [read_round(_finished_run(tmp_path / name, labels, [
        ("r1", "food"), ("r2", "site"), ("r3", "nursing")], tree)) for name in ("one", "two")]
    result = compare_rounds(rounds, exact_below=5, candidate_similarity=0.6, redact=str,
                            embed=None)
    # config order food, site, care, nursing: the sub-themes move under their parent
    assert list(result.themes["theme"]) == ["site", "care", "food", "nursing"]
    assert list(result.themes["parent"]) == ["", "", "care", "care"]
    md = render_markdown(result).split("## Themes by group")[0]
    labels_shown = [line.split(" | ")[0] for line in md.splitlines() if line.startswith("| ")]
    assert labels_shown[-4:] == ["| Site", "| Care", "| → Food", "| → Nursing"]
    assert "<th scope=\"row\">→ Food</th>" in render_html(result)


def test_themes_check_counts_a_parent_by_its_subthemes_and_never_as_their_overlap(
        tmp_path: Path):
    themes = _write_themes(tmp_path, MEETINGS)
    (tmp_path / "coded.csv").write_text(
        "text,themes\nThe papers arrive too late to read.,papers\n"
        "Agenda papers come the night before.,papers\nPlease send the agenda earlier.,papers\n"
        "The minister never attends.,minister\nWe need more employers at the table.,\n",
        encoding="utf-8")
    (tmp_path / "pipeline.yaml").write_text(
        "version: 1\ntag:\n  semantic: false\n  embedder: tfidf-svd\ncheck:\n  advanced:\n"
        "    min_comments: 2\n    min_comments_for_advice: 5\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["themes", "check", str(themes), "--against",
                                      str(tmp_path / "coded.csv"), "--config",
                                      str(tmp_path / "pipeline.yaml")])
    lines = result.output.splitlines()
    # 'meetings' catches the 4 comments its sub-themes catch: no catches_nothing, no
    # nothing_to_match, and 4 of 4 shared with 'papers' (3) is no overlap finding
    assert not [line for line in lines if "meetings" in line and "]" in line], lines
    assert any(line.startswith("warning [too_little] minister: catches 1 of 5") for line in lines)
    assert result.exit_code == 0, result.output


def test_eval_scores_a_parent_as_the_run_counts_it(tmp_path: Path):
    themes = _write_themes(tmp_path, MEETINGS)
    # one coder codes at the parent's level, another at the sub-themes'
    (tmp_path / "coded.csv").write_text(
        "text,themes\nThe papers arrive too late to read.,meetings\n"
        "Agenda papers come the night before.,papers\nThe minister never attends.,minister\n"
        "We need more employers at the table.,\n", encoding="utf-8")
    (tmp_path / "pipeline.yaml").write_text(
        "version: 1\ntag:\n  semantic: false\n  embedder: tfidf-svd\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", str(tmp_path / "coded.csv"), "--themes",
                                      str(themes), "--config", str(tmp_path / "pipeline.yaml"),
                                      "--json", "--min-support", "1"])
    assert result.exit_code == 0, result.output
    per_theme = {row["theme_id"]: row for row in json.loads(result.output)["per_theme"]}
    # the parent: coded (rolled up) on three answers and tagged (rolled up) on the same three
    assert (per_theme["meetings"]["support"], per_theme["meetings"]["tp"],
            per_theme["meetings"]["fn"]) == (3, 3, 0)
    # a sub-theme is still scored on its own: the answer coded only 'meetings' is its fp
    assert (per_theme["papers"]["tp"], per_theme["papers"]["fp"]) == (1, 1)


def test_themes_diff_follows_a_renamed_id_and_names_a_new_parent():
    from pipeline.codebook.theme_diff import diff_themes
    from pipeline.config.themes import ThemesConfig

    old = ThemesConfig.model_validate({"themes": [
        {"id": "care", "label": "Care"}, {"id": "food", "label": "Food", "keywords": ["food"]}]})
    new = ThemesConfig.model_validate({"themes": [
        {"id": "care", "label": "Care"},
        {"id": "meals", "label": "Meals", "keywords": ["food"], "parent": "care",
         "renamed_from": ["food"]}]})
    rows = [tuple(row) for row in diff_themes(old, new).itertuples(index=False)]
    assert rows == [("meals", "id renamed", "'food' -> 'meals'"),
                    ("meals", "label changed", "'Food' -> 'Meals'"),
                    ("meals", "parent changed", "'(none)' -> 'care'")]


def test_refi_qda_codes_nest_by_parent_and_import_gives_the_tree_back(tmp_path: Path):
    from lxml import etree

    from pipeline.codebook.qdc import NAMESPACE, code_guid, export_qdc, import_qdc

    themes = load_themes(_write_themes(tmp_path, TREE))
    text = export_qdc(themes)
    book = etree.fromstring(text.encode("utf-8"))
    schema = ROOT.parent / "shared" / "schemas" / "refi-qda" / "Project.xsd"
    if schema.is_file():  # the same codes in a project's CodeBook, as the .qdpx export writes
        import xml.etree.ElementTree as ET

        from pipeline.codebook import qdpx
        from pipeline.codebook.qdc import add_codes

        project = ET.Element(f"{{{qdpx.NAMESPACE}}}Project", {"name": "tree"})
        add_codes(ET.SubElement(project, f"{{{qdpx.NAMESPACE}}}CodeBook"), themes,
                  qdpx.NAMESPACE)
        checker = etree.XMLSchema(etree.parse(str(schema)))
        assert checker.validate(etree.fromstring(ET.tostring(project))), checker.error_log
    code = f"{{{NAMESPACE}}}Code"
    top = book.find(f"{{{NAMESPACE}}}Codes").findall(code)
    assert [c.get("name") for c in top] == ["Care on the ward", "The hospital site"]
    assert [c.get("guid") for c in top[0].findall(code)] == [code_guid("food"),
                                                             code_guid("nursing")]
    assert [c.get("name") for c in top[1].findall(code)] == ["Parking", "Signs"]
    (tmp_path / "tree.qdc").write_text(text, encoding="utf-8")
    back = import_qdc(tmp_path / "tree.qdc")["themes"]
    assert {t["label"]: t.get("parent") for t in back} == {
        "Care on the ward": None, "Food": "care_on_the_ward", "Nursing": "care_on_the_ward",
        "The hospital site": None, "Parking": "the_hospital_site", "Signs": "the_hospital_site"}
