"""REFI-QDA projects (issue 28, items 4 and 5): ``theming export RUN --format qdpx`` and a
``.qdpx`` read back by ``theming eval``, ``train`` and ``themes import``."""

from __future__ import annotations

import csv
import datetime as dt
import json
import zipfile
from pathlib import Path

import pytest
from cli_helpers import THEMES, TINY_PIPELINE, csv_text
from review_helpers import NEEDLES, ROWS
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.codebook import qdpx
from pipeline.codebook.qdc import code_guid, export_qdc
from pipeline.config.models import load_themes
from pipeline.errors import DataError

SCHEMAS = Path(__file__).resolve().parents[1].parent / "shared" / "schemas" / "refi-qda"
NS = {"q": qdpx.NAMESPACE}
SCORE_CONFIG = """score_columns:
    - column: q1
      statement: The forum works well
      scale: agreement"""


def export(run: Path, out: Path, *extra: str) -> str:
    result = CliRunner().invoke(app, ["export", str(run), "--format", "qdpx", "-o", str(out),
                                      *extra])
    assert result.exit_code == 0, result.output
    return result.output


def project_of(path: Path):
    """(parsed project.qde, {source file name: text}) of an archive."""
    from lxml import etree

    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("project.qde"))
        texts = {n.split("/", 1)[1]: archive.read(n).decode("utf-8")
                 for n in archive.namelist() if n.startswith("sources/")}
    return root, texts


def source_text(source, texts: dict[str, str]) -> str:
    return texts[source.get("plainTextPath").removeprefix("internal://")]


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.open(encoding="utf-8")))


def schema(name: str):
    path = SCHEMAS / name
    if not path.is_file():
        pytest.skip(f"{path} not present")
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(path)))


@pytest.fixture(scope="module")
def sample_qdpx(sample_run: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("qdpx") / "sample.qdpx"
    export(sample_run, out)
    return out


@pytest.fixture(scope="module")
def small_run(tmp_path_factory) -> Path:
    """A small round (tf-idf, quick) with a score column and planted personal data: a name
    listed in clean.redact.names, emails and phone numbers (review_helpers.ROWS)."""
    folder = tmp_path_factory.mktemp("small")
    rows = [[*ROWS[0], "q1"]] + [[*row, str(1 + i % 5)] for i, row in enumerate(ROWS[1:])]
    (folder / "round.csv").write_text(csv_text(rows), encoding="utf-8")
    config = folder / "pipeline.yaml"
    config.write_text(TINY_PIPELINE.replace("{xlsx}", "false").replace("{themes}", str(THEMES))
                      .replace("tag:\n", "tag:\n  embedder: tfidf-svd\n")
                      .replace("score_columns: []", SCORE_CONFIG), encoding="utf-8")
    result = CliRunner().invoke(app, ["run", str(folder / "round.csv"), "--config", str(config),
                                      "--out", str(folder / "run"), "--quiet"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return folder / "run"


# ---------------------------------------------------------------------------------- export
def test_sample_project_validates_against_the_refi_qda_schema(sample_qdpx: Path) -> None:
    checker = schema("Project.xsd")
    root, _ = project_of(sample_qdpx)
    assert checker.validate(root), checker.error_log


def test_codebook_export_validates_against_the_schema_folder_when_it_has_one() -> None:
    from lxml import etree

    checker = schema("Codebook.xsd")
    document = etree.fromstring(export_qdc(load_themes(THEMES)).encode("utf-8"))
    assert checker.validate(document), checker.error_log


def test_sample_selections_cut_exactly_the_tagged_sentences(sample_qdpx: Path,
                                                            sample_run: Path) -> None:
    root, texts = project_of(sample_qdpx)
    label_of = {code_guid(t.id): t.id for t in load_themes(THEMES).themes}
    coded = set()
    for source in root.iterfind(".//q:TextSource", NS):
        text = source_text(source, texts)
        for selection in source.iterfind("q:PlainTextSelection", NS):
            piece = text[int(selection.get("startPosition")):int(selection.get("endPosition"))]
            for ref in selection.iterfind("q:Coding/q:CodeRef", NS):
                coded.add((source.get("name"), piece, label_of[ref.get("targetGUID")]))
    tagged = {(r["comment_id"], r["sentence"], r["theme"])
              for r in read_csv(sample_run / "tags.csv")}
    assert coded == tagged
    assert len(coded) > 100


def test_sample_export_then_import_gives_back_every_tag(sample_qdpx: Path,
                                                        sample_run: Path) -> None:
    ids = load_themes(THEMES).ids
    sentences = qdpx.sentence_labels(sample_qdpx, ids)
    imported = {(r.source, r.sentence_index, theme) for r in sentences.itertuples()
                for theme in r.themes}
    tagged = {(r["comment_id"], int(r["sentence_index"]), r["theme"])
              for r in read_csv(sample_run / "tags.csv")}
    assert imported == tagged


def test_same_run_gives_the_same_file(sample_qdpx: Path, sample_run: Path,
                                      tmp_path: Path) -> None:
    again = tmp_path / "again.qdpx"
    export(sample_run, again)
    assert again.read_bytes() == sample_qdpx.read_bytes()


def test_one_source_per_kept_answer_and_cases_with_group_and_scores(sample_qdpx: Path,
                                                                    sample_run: Path) -> None:
    root, texts = project_of(sample_qdpx)
    kept = [r for r in read_csv(sample_run / "comment_themes.csv") if not r["dropped_reason"]]
    sources = root.findall(".//q:TextSource", NS)
    assert [s.get("name") for s in sources] == [r["comment_id"] for r in kept]
    assert [source_text(s, texts) for s in sources] == [r["text"] for r in kept]
    variables = {v.get("guid"): v.get("name") for v in root.iterfind(".//q:Variable", NS)}
    cases = {c.get("name"): c for c in root.iterfind(".//q:Case", NS)}
    assert len(cases) == len({r["respondent_id"] for r in kept})
    values = {variables[v.find("q:VariableRef", NS).get("targetGUID")]: v[1].text
              for v in cases["R001"].iterfind("q:VariableValue", NS)}
    scored = next(r for r in read_csv(sample_run / "theme_comments.csv")
                  if r["respondent_id"] == "R001")
    assert values["group"] == "NHS trade union"
    assert values["s1_early_engagement"] == scored["s1_early_engagement"]
    names = {s.get("guid"): s.get("name") for s in sources}
    assert {names[ref.get("targetGUID")] for ref in cases["R001"].iterfind("q:SourceRef", NS)} \
        == {"R001.why_scores", "R001.other_comments"}


def test_cases_carry_scores_also_for_respondents_without_a_tagged_answer(
        sample_qdpx: Path, sample_run: Path) -> None:
    root, _ = project_of(sample_qdpx)
    variables = {v.get("guid"): v.get("name") for v in root.iterfind(".//q:Variable", NS)}
    given = {r["respondent_id"]: r for r in read_csv(
        Path(__file__).resolve().parents[1] / "data" / "sample" / "survey_round.csv")}
    tagged = {r["respondent_id"] for r in read_csv(sample_run / "theme_comments.csv")}
    untagged = 0
    for case in root.iterfind(".//q:Case", NS):
        values = {variables[v.find("q:VariableRef", NS).get("targetGUID")]: v[1].text
                  for v in case.iterfind("q:VariableValue", NS)}
        wanted = {column: score for column, score in given[case.get("name")].items()
                  if column.startswith("s") and column[1].isdigit() and score}
        assert {c: values.get(c) for c in wanted} == wanted, case.get("name")
        untagged += case.get("name") not in tagged and bool(wanted)
    assert untagged > 0  # the sample has respondents none of whose answers was tagged


def test_drafted_recommendations_are_notes_on_their_codes(sample_qdpx: Path,
                                                          sample_run: Path) -> None:
    root, _ = project_of(sample_qdpx)
    drafted = [r for r in json.loads((sample_run / "recommendations.json").read_text(
        encoding="utf-8"))["recommendations"] if r["status"] == "drafted"]
    notes = {n.get("guid"): n.findtext("q:PlainTextContent", namespaces=NS)
             for n in root.iterfind(".//q:Notes/q:Note", NS)}
    assert len(notes) == len(drafted) > 0
    assert sorted(n.split("\n\n")[0] for n in notes.values()) == sorted(r["text"] for r in drafted)
    code = root.find(f".//q:Code[@guid='{code_guid('early_engagement')}']", NS)
    note_text = notes[code.find("q:NoteRef", NS).get("targetGUID")]
    early = next(r for r in drafted if r["key"] == "early_engagement")
    assert note_text.split("\n\n")[0] == early["text"]
    assert note_text.startswith("The forum co-chairs to act on what")  # the configured owner


def test_planted_personal_data_is_in_no_file_of_the_archive(small_run: Path,
                                                            tmp_path: Path) -> None:
    out = tmp_path / "small.qdpx"
    export(small_run, out)
    with zipfile.ZipFile(out) as archive:
        files = {n: archive.read(n).decode("utf-8") for n in archive.namelist()}
    assert "project.qde" in files and len(files) > 10
    assert any("[EMAIL]" in text for text in files.values())
    for name, text in files.items():
        for needle in NEEDLES:
            assert needle not in text, (name, needle)


@pytest.fixture(scope="module")
def reviewed(small_run: Path, tmp_path_factory) -> tuple[Path, dict, dict]:
    """The small run exported after three decisions: a tag rejected (by Reviewer A), a tag
    of another answer accepted (by Reviewer B), a theme added to R7 (by Reviewer A)."""
    import shutil

    from pipeline.decisions import append_decision

    run = tmp_path_factory.mktemp("reviewed") / "run"
    shutil.copytree(small_run, run)
    tags = read_csv(run / "tags.csv")
    rejected, accepted = tags[0], next(t for t in tags if t["comment_id"] != tags[0]["comment_id"])
    at = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)
    append_decision(run, "Reviewer A", rejected["comment_id"], rejected["theme"], "reject", at)
    append_decision(run, "Reviewer B", accepted["comment_id"], accepted["theme"], "accept", at)
    append_decision(run, "Reviewer A", "R7.comment", "communications", "add", at)
    out = run.parent / "reviewed.qdpx"
    export(run, out)
    return out, rejected, accepted


def test_reviewed_project_validates_against_the_refi_qda_schema(reviewed) -> None:
    checker = schema("Project.xsd")
    root, _ = project_of(reviewed[0])
    assert checker.validate(root), checker.error_log


def test_reviewer_decisions_are_users_and_codings(reviewed) -> None:
    out, rejected, accepted = reviewed
    root, texts = project_of(out)
    users = {u.get("name"): u.get("guid") for u in root.iterfind(".//q:User", NS)}
    assert set(users) == {"comment-theming", "Reviewer A", "Reviewer B"}
    sources = {s.get("name"): s for s in root.iterfind(".//q:TextSource", NS)}

    def codings(comment_id: str, theme: str) -> list:
        return [sel for sel in sources[comment_id].iterfind("q:PlainTextSelection", NS)
                if sel.find(f"q:Coding/q:CodeRef[@targetGUID='{code_guid(theme)}']", NS)
                is not None]

    assert codings(rejected["comment_id"], rejected["theme"]) == []
    [kept] = codings(accepted["comment_id"], accepted["theme"])
    assert kept.get("creatingUser") == users["comment-theming"]
    assert kept.get("modifyingUser") == users["Reviewer B"]
    [added] = codings("R7.comment", "communications")
    text = source_text(sources["R7.comment"], texts)
    assert (added.get("startPosition"), added.get("endPosition")) == ("0", str(len(text)))
    assert added.get("creatingUser") == users["Reviewer A"]
    assert added.get("creationDateTime") == "2026-12-01T09:30:00Z"


def test_import_of_the_export_equals_the_review_export(small_run: Path, tmp_path: Path) -> None:
    """The coded comments eval and train read from the .qdpx are those of the coded CSV
    'theming review export' writes of the same run."""
    from pipeline.evaluation.coded import read_coded

    out = tmp_path / "small.qdpx"
    export(small_run, out)
    coded_csv = tmp_path / "coded.csv"
    CliRunner().invoke(app, ["review", "export", str(small_run), "-o", str(coded_csv)])
    ids = load_themes(THEMES).ids
    from_csv = read_coded(coded_csv, ids)
    from_qdpx = read_coded(out, ids, question_column="question")
    assert from_qdpx.texts == from_csv.texts
    assert from_qdpx.labels == from_csv.labels
    assert any(from_qdpx.labels)
    assert set(from_qdpx.questions) == {"comment"}


def test_eval_scores_a_qdpx(small_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "small.qdpx"
    export(small_run, out)
    result = CliRunner().invoke(app, ["eval", str(out), "--themes", str(THEMES), "--config",
                                      str(small_run.parent / "pipeline.yaml"), "--json",
                                      "--examples", "0", "--min-support", "1"])
    assert result.exit_code == 0, result.output
    scored = json.loads(result.stdout)
    assert scored["labels"] == str(out)
    # the run's own tags scored against themselves, re-tagged by the same config
    assert scored["micro_f1"] == pytest.approx(1.0)


def test_train_learns_from_a_qdpx(small_run: Path, tmp_path: Path) -> None:
    from pipeline.evaluation.coded import read_coded

    out = tmp_path / "small.qdpx"
    export(small_run, out)
    result = CliRunner().invoke(app, ["train", str(out), "--themes", str(THEMES), "--config",
                                      str(small_run.parent / "pipeline.yaml"), "--out",
                                      str(tmp_path / "model"), "--embedder", "none", "--folds",
                                      "2", "--no-theme-examples"])
    assert result.exit_code == 0, result.output
    coded = read_coded(out, load_themes(THEMES).ids)
    assert f"{len(coded.texts)} coded comments" in result.stdout
    support = {line.split()[0]: int(line.split()[1]) for line in result.stdout.splitlines()
               if line.split() and line.split()[0] in load_themes(THEMES).ids}
    assert support == {t: sum(t in labels for labels in coded.labels)
                       for t in load_themes(THEMES).ids}
    assert (tmp_path / "model" / "model.json").is_file()


def test_export_refuses_other_formats_and_missing_runs(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["export", str(tmp_path), "--format", "csv", "-o",
                                      str(tmp_path / "x.qdpx")])
    assert result.exit_code == 1 and "Error [D032]" in result.stderr
    result = CliRunner().invoke(app, ["export", str(tmp_path / "nope"), "-o",
                                      str(tmp_path / "x.qdpx")])
    assert result.exit_code == 1 and "Error [D080]" in result.stderr


# ---------------------------------------------------------------------------------- import
FOREIGN_TEXT = "Parking is awful here. The food was cold. Staff were kind."
# 0-22 "Parking is awful here." 23-41 "The food was cold." 42-58 "Staff were kind."
FOREIGN = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="foreign">
 <CodeBook><Codes>
  <Code guid="{AAAAAAAA-0000-4000-8000-000000000001}" name="Car parking" isCodable="true">
   <Description>Where to   leave the car.</Description>
  </Code>
  <Code guid="aaaaaaaa-0000-4000-8000-000000000002" name="Facilities" isCodable="false">
   <Code guid="aaaaaaaa-0000-4000-8000-000000000003" name="Food" isCodable="true"/>
  </Code>
  <Code guid="aaaaaaaa-0000-4000-8000-000000000004" name="Staff attitude" isCodable="true"/>
  <Code guid="aaaaaaaa-0000-4000-8000-000000000005" name="Overall" isCodable="true"/>
 </Codes></CodeBook>
 <Sources>
  <TextSource guid="bbbbbbbb-0000-4000-8000-000000000001" name="interview 1"
              plainTextPath="internal://bbbbbbbb-0000-4000-8000-000000000001.txt">
   <PlainTextSelection guid="cccccccc-0000-4000-8000-000000000001" startPosition="0"
                       endPosition="26">
    <Coding guid="dddddddd-0000-4000-8000-000000000001">
     <CodeRef targetGUID="aaaaaaaa-0000-4000-8000-000000000001"/></Coding>
   </PlainTextSelection>
   <PlainTextSelection guid="cccccccc-0000-4000-8000-000000000002" startPosition="27"
                       endPosition="31">
    <Coding guid="dddddddd-0000-4000-8000-000000000002">
     <CodeRef targetGUID="AAAAAAAA-0000-4000-8000-000000000003"/></Coding>
   </PlainTextSelection>
  </TextSource>
  <TextSource guid="bbbbbbbb-0000-4000-8000-000000000002" name="interview 2">
   <PlainTextContent>Nothing to say. Staff were rude.</PlainTextContent>
   <Coding guid="dddddddd-0000-4000-8000-000000000003">
    <CodeRef targetGUID="aaaaaaaa-0000-4000-8000-000000000005"/></Coding>
  </TextSource>
 </Sources>
</Project>
"""


def foreign_project(folder: Path, document: str = FOREIGN, with_source: bool = True) -> Path:
    path = folder / "foreign.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", document)
        if with_source:
            archive.writestr("sources/bbbbbbbb-0000-4000-8000-000000000001.txt",
                             FOREIGN_TEXT.encode("utf-8"))
    return path


def test_selections_label_the_sentences_they_overlap_by_more_than_half(tmp_path: Path) -> None:
    sentences = qdpx.sentence_labels(foreign_project(tmp_path))
    assert [(r.source, r.text, r.themes) for r in sentences.itertuples()] == [
        ("interview 1", "Parking is awful here.", ["car_parking"]),   # and 3 characters more
        ("interview 1", "The food was cold.", ["food"]),              # 'food' in it coded
        ("interview 1", "Staff were kind.", []),
        ("interview 2", "Nothing to say.", ["overall"]),              # the whole source coded
        ("interview 2", "Staff were rude.", ["overall"])]


def test_themes_import_of_a_qdpx_keeps_labels_and_descriptions(tmp_path: Path) -> None:
    out = tmp_path / "themes.yaml"
    result = CliRunner().invoke(app, ["themes", "import", str(foreign_project(tmp_path)),
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    themes = load_themes(out)
    assert [(t.id, t.label) for t in themes.themes] == [
        ("car_parking", "Car parking"), ("food", "Food"), ("staff_attitude", "Staff attitude"),
        ("overall", "Overall")]
    assert themes.themes[0].description == "Where to leave the car."


def test_coded_comments_from_a_qdpx_and_unknown_codes(tmp_path: Path) -> None:
    from pipeline.evaluation.coded import read_coded

    path = foreign_project(tmp_path)
    coded = read_coded(path, ["car_parking", "food", "staff_attitude", "overall"])
    assert coded.texts == [FOREIGN_TEXT, "Nothing to say. Staff were rude."]
    assert coded.labels == [{"car_parking", "food"}, {"overall"}]
    with pytest.raises(DataError) as caught:
        read_coded(path, ["car_parking", "foods", "overall"])
    assert caught.value.code == "D020" and "'food' (did you mean 'foods'?)" in caught.value.message


@pytest.mark.parametrize(("document", "with_source", "why"), [
    (FOREIGN, False, "internal://bbbbbbbb-0000-4000-8000-000000000001.txt is not in the archive"),
    ("<Project", True, "project.qde: unclosed token"),
])
def test_unreadable_projects_are_clear_errors(tmp_path: Path, document: str, with_source: bool,
                                              why: str) -> None:
    with pytest.raises(DataError) as caught:
        qdpx.read_project(foreign_project(tmp_path, document, with_source))
    assert caught.value.code == "D091" and why in caught.value.message


def test_a_file_that_is_not_a_zip_is_d091(tmp_path: Path) -> None:
    path = tmp_path / "x.qdpx"
    path.write_bytes(b"not a zip")
    result = CliRunner().invoke(app, ["themes", "import", str(path), "-o",
                                      str(tmp_path / "t.yaml")])
    assert result.exit_code == 1 and "Error [D091]" in result.stderr
    assert "not a readable REFI-QDA project" in result.stderr
