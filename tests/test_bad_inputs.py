"""Messy exports and hostile input: one table of cases, one parametrised test.

Each case builds an input file, runs ``theming run`` in-process and asserts the exit code,
the exact error (naming the file, row or column and the fix) or the correct output, and the
row accounting: every input answer is in comment_themes.csv exactly once, kept or dropped.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import assert_accounted, csv_text, run_cli, write_config

HEADER = ["id", "team", "comment"]
GOOD = [["R1", "Union side", "We were told after the decision was made."],
        ["R2", "Employer side", "Papers arrive too late to read."],
        ["R3", "System partners", "The minister should attend more often."]]


def write_bytes(name: str, data: bytes) -> Callable[[Path], list[Path]]:
    def build(folder: Path) -> list[Path]:
        path = folder / name
        path.write_bytes(data)
        return [path]
    return build


def write_csv(name: str, rows: list[list[str]], delimiter: str = ",",
              encoding: str = "utf-8") -> Callable[[Path], list[Path]]:
    return write_bytes(name, csv_text(rows, delimiter).encode(encoding))


def write_frame(name: str, frame: pd.DataFrame) -> Callable[[Path], list[Path]]:
    def build(folder: Path) -> list[Path]:
        path = folder / name
        frame.to_parquet(path, index=False)
        return [path]
    return build


def write_workbook(name: str, sheets: dict[str, list[list[object]]]) -> Callable[[Path], list[Path]]:
    def build(folder: Path) -> list[Path]:
        from openpyxl import Workbook

        path = folder / name
        book = Workbook()
        book.remove(book.active)
        for title, rows in sheets.items():
            sheet = book.create_sheet(title)
            for row in rows:
                sheet.append(row)
        book.save(path)
        return [path]
    return build


def jsonl(records: list[object]) -> bytes:
    return ("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n").encode()


@dataclass
class Case:
    id: str
    build: Callable[[Path], list[Path]]
    answers: int | None = None            # rows expected in comment_themes.csv
    error: str | None = None              # exact stderr, "{path}" = the (first) input path
    args: tuple[str, ...] = ()
    check: Callable[[list[dict[str, str]], dict], None] | None = None
    kept: int | None = None
    extra: dict = field(default_factory=dict)
    config: dict[str, str] = field(default_factory=dict)  # pipeline.yaml: text -> replacement


def zip_bomb(name: str) -> Callable[[Path], list[Path]]:
    """An .xlsx-named zip whose one member inflates 1000 times (20 MB of zeros)."""
    def build(folder: Path) -> list[Path]:
        import zipfile

        path = folder / name
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 20_000_000)
        return [path]
    return build


def nested_json(depth: int) -> bytes:
    return jsonl([{"id": "R1", "team": "A", "comment": "Fine."}]) + (
        b'{"id": "R2", "team": "A", "comment": ' + b"[" * depth + b"]" * depth + b"}\n")


def texts(answers: list[dict[str, str]]) -> list[str]:
    return [a["text"] for a in answers]


def encoding_is(expected: str) -> Callable[[list[dict[str, str]], dict], None]:
    def check(answers, manifest):
        assert manifest["inputs"][0]["encoding"] == expected
        assert "Café’s décor" in texts(answers)[0]
    return check


ACCENTED = [HEADER, ["R1", "Union side", "Café’s décor was fine"], *GOOD[1:]]
LATIN1 = [HEADER, ["R1", "Union side", "Café décor was fine"], *GOOD[1:]]
BIG_COMMENT = "Meetings are long. " * 55_000  # ~1 MB
WORLD = ["Rydyn ni eisiau mwy o gyfathrebu cynnar 🙂", "Zażółć gęślą jaźń — komunikacja",
         "我们需要更早参与政策制定", "نحتاج إلى مشاركة مبكرة"]

CASES = [
    Case("comma", write_csv("r.csv", [HEADER, *GOOD]), answers=3, kept=3,
         check=lambda a, m: m["inputs"][0]["delimiter"] == "," or pytest.fail("delimiter")),
    Case("semicolon", write_csv("r.csv", [HEADER, *GOOD], ";"), answers=3, kept=3,
         check=lambda a, m: m["inputs"][0]["delimiter"] == ";" or pytest.fail("delimiter")),
    Case("tab-in-csv", write_csv("r.csv", [HEADER, *GOOD], "\t"), answers=3, kept=3),
    Case("tsv", write_csv("r.tsv", [HEADER, *GOOD], "\t"), answers=3, kept=3),
    Case("quoted-newlines", write_csv("r.csv", [HEADER, ["R1", "Union side", "Line one.\nLine, two."],
                                                *GOOD[1:]]), answers=3, kept=3,
         check=lambda a, m: texts(a)[0] == "Line one.\nLine, two." or pytest.fail(texts(a)[0])),
    Case("utf8-bom", write_bytes("r.csv", codecs.BOM_UTF8 + csv_text(ACCENTED).encode()),
         answers=3, check=encoding_is("utf-8-sig")),
    Case("utf16-bom", write_bytes("r.csv", csv_text(ACCENTED).encode("utf-16")),
         answers=3, check=encoding_is("utf-16")),
    Case("utf16-no-bom", write_bytes("r.csv", csv_text(ACCENTED).encode("utf-16-le")),
         answers=3, check=encoding_is("utf-16-le")),
    Case("cp1252", write_csv("r.csv", ACCENTED, encoding="cp1252"), answers=3,
         check=encoding_is("cp1252")),
    Case("latin1-override", write_csv("r.csv", LATIN1, encoding="latin-1"), answers=3,
         args=("--encoding", "latin-1"),
         check=lambda a, m: (m["inputs"][0]["encoding"] == "latin-1"
                             and texts(a)[0] == "Café décor was fine") or pytest.fail(texts(a)[0])),
    Case("unknown-encoding", write_csv("r.csv", [HEADER, *GOOD]), args=("--encoding", "klingon"),
         error="Error [D005]: {path}: unknown encoding 'klingon'; use auto or one of 'utf-8', "
               "'utf-16', 'cp1252', 'latin-1'"),
    Case("wrong-encoding", write_csv("r.csv", ACCENTED, encoding="cp1252"),
         args=("--encoding", "utf-8"),
         error="Error [D005]: {path} line 2: cannot decode as utf-8 (byte 33: invalid "
               "continuation byte); "
               "try --encoding auto"),
    Case("xlsx-title-row", write_workbook("r.xlsx", {"Export": [
        ["Member survey 2026: free text"], [], HEADER, *GOOD]}), answers=3, kept=3,
         check=lambda a, m: ([x["row"] for x in a] == ["4", "5", "6"]
                             and m["inputs"][0]["header_row"] == 3) or pytest.fail(str(a))),
    Case("xlsx-sheets-auto", write_workbook("r.xlsx", {"Notes": [["read me"]],
                                                       "Answers": [HEADER, *GOOD]}),
         answers=3, check=lambda a, m: m["inputs"][0]["sheet"] == "Answers" or pytest.fail("sheet")),
    Case("xlsx-sheet-by-name", write_workbook("r.xlsx", {"2025": [HEADER, GOOD[0]],
                                                         "2026": [HEADER, *GOOD]}),
         args=("--sheet", "2026"), answers=3),
    Case("xlsx-sheet-by-number", write_workbook("r.xlsx", {"2025": [HEADER, GOOD[0]],
                                                           "2026": [HEADER, *GOOD]}),
         args=("--sheet", "1"), answers=3,
         check=lambda a, m: m["inputs"][0]["sheet"] == "2026" or pytest.fail("sheet")),
    Case("xlsx-sheet-number-out-of-range", write_workbook("r.xlsx", {"Answers": [HEADER, *GOOD]}),
         args=("--sheet", "3"),
         error="Error [D042]: {path}: there is no sheet number 3 (sheets are numbered from 0: "
               "'Answers'); fix --sheet"),
    Case("csv-title-row", write_bytes("r.csv", b"Member survey export;;\n\n"
                                      + csv_text([HEADER, *GOOD], ";").encode()),
         answers=3, kept=3, check=lambda a, m: ([x["row"] for x in a] == ["4", "5", "6"]
                                                and m["inputs"][0]["delimiter"] == ";")
         or pytest.fail(str(a))),
    Case("pipe-delimited", write_csv("r.txt", [HEADER, *GOOD], "|"), answers=3, kept=3),
    Case("xlsx-sheet-missing", write_workbook("r.xlsx", {"Answers": [HEADER, *GOOD]}),
         args=("--sheet", "Answer"),
         error="Error [D042]: {path}: no sheet 'Answer' (did you mean 'Answers'?); sheets: "
               "'Answers'; fix --sheet"),
    Case("xlsx-non-text-cells", write_workbook("r.xlsx", {"S": [
        HEADER, ["R1", 7, 42], ["R2", None, 3.5], ["R3", "x", True]]}), answers=3, kept=3,
         check=lambda a, m: texts(a) == ["42", "3.5", "True"] or pytest.fail(str(texts(a)))),
    Case("xlsx-corrupt", write_bytes("r.xlsx", b"id,team,comment\nR1,a,b\n"),
         error="Error [D041]: {path}: cannot open as an Excel workbook (BadZipFile); save it "
               "from Excel as .xlsx, or export CSV"),
    Case("jsonl", write_bytes("r.jsonl", jsonl([
        {"id": "R1", "team": "A", "comment": "Fine."}, {"id": 2, "team": None, "comment": 12},
        {"id": "R3", "team": "B", "comment": ["a", "list"]}])), answers=3, kept=3,
         check=lambda a, m: (texts(a) == ["Fine.", "12", '["a", "list"]']
                             and a[1]["group"] == "(no group)") or pytest.fail(str(a))),
    Case("jsonl-bad-line", write_bytes("r.jsonl", jsonl([{"id": "R1", "team": "A", "comment": "x"}])
                                       + b'{"id": "R2", "comment": \n'),
         error="Error [D043]: {path} line 2: not valid JSON (Expecting value at column 25); "
               "write one JSON object per line"),
    Case("jsonl-not-object", write_bytes("r.jsonl", b'["R1", "A", "x"]\n'),
         error='Error [D043]: {path} line 1: a JSON list, not an object; write one object per '
               'line, e.g. {"id": "R1", "comment": "..."}'),
    Case("parquet-typed", write_frame("r.parquet", pd.DataFrame(
        {"id": [1, 2, 3], "team": ["A", None, "B"], "comment": ["Good.", None, "Late papers."]})),
         answers=3, kept=2, check=lambda a, m: [x["dropped_reason"] for x in a] == ["", "empty", ""]
         or pytest.fail(str(a))),
    Case("parquet-corrupt", write_bytes("r.parquet", b"PAR1 this is not parquet"),
         error="Error [D041]: {path}: not a readable Parquet file (ArrowInvalid); export it again"),
    Case("jsonl-empty", write_bytes("r.jsonl", b"\n  \n"),
         error="Error [D003]: {path}: the file is empty; export the survey again"),
    Case("parquet-no-rows", write_frame("r.parquet", pd.DataFrame(
        {"id": pd.Series(dtype=str), "team": pd.Series(dtype=str),
         "comment": pd.Series(dtype=str)})),
         error="Error [D003]: {path}: has a header but no rows; export the survey answers too"),
    Case("xlsx-empty-sheet", write_workbook("r.xlsx", {"Blank": []}),
         error="Error [D003]: {path}: sheet 'Blank' is empty; choose the sheet with the answers "
               "with --sheet (sheets: 'Blank')"),
    Case("mojibake", write_csv("r.csv", [HEADER, ["R1", "A", "We donâ€™t get papers in time."]]),
         answers=1, check=lambda a, m: texts(a) == ["We don’t get papers in time."]
         or pytest.fail(str(texts(a)))),
    Case("missing-column", write_csv("r.csv", [["id", "team", "comments"], *GOOD]),
         error="Error [D002]: {path}: no text column 'comment' (did you mean 'comments'?); choose "
               "one with --text-column. Columns found: 'id', 'team', 'comments'"),
    Case("empty-file", write_bytes("r.csv", b""),
         error="Error [D003]: {path}: the file is empty; export the survey again"),
    Case("blank-lines-only", write_bytes("r.csv", b"\n\n  \n"),
         error="Error [D003]: {path}: the file is empty; export the survey again"),
    Case("header-only", write_csv("r.csv", [HEADER]),
         error="Error [D003]: {path}: has a header but no rows; export the survey answers too"),
    Case("ragged-row", write_bytes("r.csv", b"id,team,comment\nR1,A,fine\nR2,B,too,many,fields\n"),
         error="Error [D040]: {path}: cannot parse as CSV with delimiter ',' (Expected 3 fields in "
               "line 3, saw 5); check that row's quoting, or that every row has the header's "
               "columns"),
    Case("unsupported-xls", write_bytes("r.xls", b"\xd0\xcf\x11\xe0"),
         error="Error [D004]: {path}: unsupported format '.xls'; use one of '.csv', '.tsv', "
               "'.txt', '.xlsx', '.xlsm', '.jsonl', '.ndjson', '.parquet'; save it from Excel as "
               ".xlsx"),
    Case("missing-file", lambda folder: [folder / "nowhere.csv"],
         error="Error [D001]: {path}: file not found; check the path"),
    Case("folder", lambda folder: [folder],
         error="Error [D001]: {path}: is a folder; give a survey export file"),
    Case("duplicated-ids", write_csv("r.csv", [HEADER, ["R1", "A", "First answer."],
                                               ["R1", "A", "Second answer."],
                                               ["R1", "A", "First answer."]]),
         answers=3, kept=2,
         check=lambda a, m: ([x["comment_id"] for x in a] == ["R1.comment", "R1.comment~2",
                                                              "R1.comment~3"]
                             and a[2]["dropped_reason"] == "duplicate") or pytest.fail(str(a))),
    Case("missing-ids-and-groups", write_csv("r.csv", [HEADER, ["", "", "No id here."],
                                                       ["R2", "", "Nor a group."]]),
         answers=2, check=lambda a, m: ([x["respondent_id"] for x in a] == ["row2", "R2"]
                                        and a[0]["group"] == "(no group)") or pytest.fail(str(a))),
    Case("blank-and-non-answers", write_csv("r.csv", [HEADER, ["R1", "A", "   "], ["R2", "A", "N/A"],
                                                      ["R3", "A", "None"], ["R4", "A", "..."],
                                                      *GOOD[1:]]),
         answers=6, kept=2, check=lambda a, m: m["accounting"]["dropped_by_reason"] == {
             "empty": 2, "non-answer": 2} or pytest.fail(str(m["accounting"]))),
    Case("numbers-in-text", write_csv("r.csv", [HEADER, ["R1", "A", "42"], ["R2", "A", "-1"],
                                                ["R3", "A", "3/5"]]), answers=3, kept=3),
    Case("one-mb-comment", write_csv("r.csv", [HEADER, ["R1", "A", BIG_COMMENT], *GOOD[1:]]),
         answers=3, kept=3,
         check=lambda a, m: len(texts(a)[0]) == len(BIG_COMMENT.strip()) or pytest.fail("cut")),
    Case("control-characters", write_csv("r.csv", [HEADER, ["R1", "A", "Bell\x07 and\x00 NUL\x1b."],
                                                   ["R2", "A", "\x0b\x0c"], *GOOD[2:]]),
         answers=3, kept=2, check=lambda a, m: texts(a)[:2] == ["Bell and NUL.", ""]
         or pytest.fail(str(texts(a)))),
    Case("emoji-non-english", write_csv("r.csv", [HEADER] + [[f"R{i}", "A", t]
                                                             for i, t in enumerate(WORLD)]),
         answers=4, kept=4, check=lambda a, m: texts(a) == WORLD or pytest.fail(str(texts(a)))),
    Case("formula-cells", write_csv("r.csv", [HEADER, ["=1+1", "@SUM(A1)", "=HYPERLINK(\"x\")"],
                                              ["R2", "A", " +cmd|' /C calc'!A0"],
                                              ["R3", "A", "-2+3"]]),
         answers=3, kept=3, check=lambda a, m: ([x["text"] for x in a]
                                                == ["'=HYPERLINK(\"x\")", "'+cmd|' /C calc'!A0",
                                                    "'-2+3"]
                                                and a[0]["respondent_id"] == "'=1+1")
         or pytest.fail(str(a))),
    Case("personal-data", write_csv("r.csv", [HEADER, [
        "R1", "A", "Ask Sarah Whitfield or Dr Patel: jo@example.org, 07700 900123."]]),
         answers=1, kept=1, check=lambda a, m: texts(a) == [
             "Ask [NAME] or Dr [NAME]: [EMAIL], [PHONE]."] or pytest.fail(str(texts(a)))),
    Case("duplicate-header", write_csv("r.csv", [["id", "comment", "team", "comment"],
                                                 ["R1", "a", "A", "b"]]),
         error="Error [D051]: {path}: columns 2 and 4 are both headed 'comment'; rename one so "
               "every column has its own header"),
    Case("xlsx-duplicate-header", write_workbook("r.xlsx", {"S": [["id", "team", "comment", "team"],
                                                                  ["R1", "A", "x", "B"]]}),
         error="Error [D051]: {path}: columns 2 and 4 are both headed 'team'; rename one so "
               "every column has its own header"),
    Case("jsonl-nested-100000", write_bytes("r.jsonl", nested_json(100_000)),
         error="Error [D043]: {path} line 2: JSON nested too deeply to read; write one flat "
               "object per line"),
    Case("jsonl-nested-30", write_bytes("r.jsonl", nested_json(30)),
         error="Error [D043]: {path} line 2: JSON nested more than 20 levels deep; write one "
               "flat object per line"),
    Case("xlsx-zip-bomb", zip_bomb("r.xlsx"),
         error="Error [D048]: {path}: the workbook would inflate to 20,000,000 bytes, over 200 "
               "times its packed size; refused as a possible zip bomb; export the answers as "
               "CSV"),
    Case("too-many-rows", write_csv("r.csv", [HEADER, *GOOD]),
         config={"    sheet: null\n": "    sheet: null\n    max_rows: 2\n"},
         error="Error [D049]: {path}: more than 2 rows; raise input.advanced.max_rows in "
               "pipeline.yaml if this is really one round, or split the export"),
    Case("xlsx-too-many-rows", write_workbook("r.xlsx", {"S": [HEADER, *GOOD]}),
         config={"    sheet: null\n": "    sheet: null\n    max_rows: 2\n"},
         error="Error [D049]: {path}: sheet 'S' has more than 2 rows (the sheet declares 4 "
               "rows); raise input.advanced.max_rows in pipeline.yaml if this is really one "
               "round, or split the export"),
    Case("long-comment-error", write_csv("r.csv", [HEADER, GOOD[0], ["R2", "A", "x" * 150]]),
         config={"    sheet: null\n": "    sheet: null\n    max_comment_chars: 100\n"},
         error="Error [D047]: r.csv row 3: the answer in column 'comment' has 150 characters, "
               "over input.advanced.max_comment_chars (100); shorten it, or set "
               "input.advanced.long_comments: cut in pipeline.yaml to keep the first 100"),
    Case("long-comment-cut", write_csv("r.csv", [HEADER, GOOD[0], ["R2", "A", "x" * 150]]),
         config={"    sheet: null\n": "    sheet: null\n    max_comment_chars: 100\n"
                                       "    long_comments: cut\n"},
         answers=2, kept=2, check=lambda a, m: texts(a)[1] == "x" * 100 or pytest.fail(texts(a)[1])),
    Case("bidi-and-invisible", write_csv("r.csv", [HEADER, [
        "R1", "Team\u202e A", "Fine\u202e evil\u2066 \u00adtext\u200b."]]), answers=1, kept=1,
         check=lambda a, m: (texts(a) == ["Fine evil text."] and a[0]["group"] == "Team A")
         or pytest.fail(str(a))),
    Case("personal-data-in-ids-and-groups", write_csv("r.csv", [HEADER,
        ["Sarah Whitfield", "sarah.whitfield@nhs.net", "Fine."],
        ["QQ 123 456 C", "LS2 7UE", "Also fine."]]), answers=2, kept=2,
         check=lambda a, m: ([x["group"] for x in a] == ["[EMAIL]", "[POSTCODE]"]
                             and all(x["respondent_id"].startswith("id-unkeyed-") for x in a)
                             and a[0]["comment_id"].startswith("id-unkeyed-"))
         or pytest.fail(str(a))),
    Case("two-inputs", lambda folder: (write_csv("a.csv", [HEADER, *GOOD])(folder)
                                       + write_csv("b.csv", [HEADER, *GOOD[:2]], ";")(folder)),
         answers=5, kept=3, check=lambda a, m: (m["accounting"]["dropped_by_reason"] == {
             "duplicate": 2} and [x["source"] for x in a] == ["a.csv"] * 3 + ["b.csv"] * 2)
         or pytest.fail(str(m["accounting"]))),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input(case: Case, tmp_path: Path) -> None:
    inputs = case.build(tmp_path)
    config = write_config(tmp_path)
    text = config.read_text(encoding="utf-8")
    for old, new in case.config.items():
        assert old in text
        text = text.replace(old, new)
    config.write_text(text, encoding="utf-8")
    out = tmp_path / "run"
    outcome = run_cli(inputs, config, out, *case.args)
    if case.error is not None:
        assert outcome.exit_code == 1, outcome.stdout
        assert outcome.error == case.error.replace("{path}", str(inputs[0]))
        assert "Traceback" not in outcome.stderr
        assert not out.exists() or not any(out.iterdir())  # nothing half-written
        return
    assert outcome.exit_code == 0, outcome.stderr
    answers = assert_accounted(outcome, case.answers)
    if case.kept is not None:
        assert outcome.manifest()["accounting"]["kept"] == case.kept
    if case.check:
        case.check(answers, outcome.manifest())


def test_table_has_at_least_thirty_cases():
    assert len(CASES) >= 30
    assert len({case.id for case in CASES}) == len(CASES)
