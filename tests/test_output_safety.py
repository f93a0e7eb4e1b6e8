"""Output safety: no spreadsheet formulas, atomic writes everywhere, safe names, safe YAML,
run folders never clobbered by accident, file-system failures as clear errors."""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import ROOT, csv_text, run_cli, write_config

from pipeline.errors import DataError
from pipeline.io import writers
from pipeline.run_folder import default_out_dir

HOSTILE = ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1",
           "  =HYPERLINK(\"http://x\")", "\u00a0=1", "\ufeff=1", "\x01=1", "\n=1", "＝1+1"]


@pytest.mark.parametrize("value", HOSTILE)
def test_neutralise_prefixes_formulas(value):
    assert writers.neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Fine text", "3 = three", "email a@b", "", "'quoted", "42"])
def test_neutralise_leaves_text_alone(value):
    assert writers.neutralise(value) == value


def test_neutralise_leaves_numbers_alone():
    assert writers.neutralise(-3) == -3 and writers.neutralise(None) is None


def test_csv_neutralises_string_dtype_columns_and_headers(tmp_path):
    frame = pd.DataFrame({"=bad header": pd.array(["=1+1", "ok"], dtype="string"),
                          "n": [-1, 2]})
    writers.write_csv(tmp_path / "t.csv", frame)
    with (tmp_path / "t.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows == [["'=bad header", "n"], ["'=1+1", "-1"], ["ok", "2"]]


def test_xlsx_cells_are_never_formulas_and_sheet_names_are_legal(tmp_path):
    from openpyxl import load_workbook

    frame = pd.DataFrame({"quote": HOSTILE, "rank": range(len(HOSTILE))})
    names = ["all quotes", "a/b:c*?[d]", "History", "'quoted'", "x" * 40, "X" * 40, "\x07bell"]
    writers.write_xlsx(tmp_path / "q.xlsx", {name: frame for name in names})
    book = load_workbook(tmp_path / "q.xlsx")
    assert book.sheetnames == ["all quotes", "a_b_c___d_", "history_", "quoted",
                               "x" * 31, "X" * 29 + "_2", "_bell"]
    for sheet in book.worksheets:
        for row in sheet.iter_rows(min_row=2):
            assert row[0].data_type == "s"
            assert row[0].value.startswith("'")


def test_atomic_write_keeps_the_old_file_on_a_crash(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old complete file")

    def half_then_crash(tmp: Path) -> None:
        tmp.write_text("half a fi")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        writers.atomic_write(target, half_then_crash)
    assert target.read_text() == "old complete file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def hostile_run(tmp_path: Path, *extra: str):
    export = tmp_path / "round.csv"
    export.write_text(csv_text([["id", "team", "comment"]] + [
        [f"R{i}", "=cmd", f"{value} We need more employers at the table. <script>alert(1)</script>"]
        for i, value in enumerate(HOSTILE)], quote_all=True), encoding="utf-8")
    return run_cli([export], write_config(tmp_path, xlsx=True), tmp_path / "run", *extra)


def test_every_output_is_written_atomically_and_formula_safe(tmp_path, monkeypatch):
    replaced: list[Path] = []
    real_replace = os.replace

    def spy(src, dst):
        replaced.append(Path(dst).resolve())
        real_replace(src, dst)
    monkeypatch.setattr(writers.os, "replace", spy)
    outcome = hostile_run(tmp_path)
    assert outcome.exit_code == 0, outcome.stderr
    files = {p.resolve() for p in (tmp_path / "run").rglob("*") if p.is_file()}
    assert {"quotes.xlsx", "quotes.csv", "comment_themes.csv"} <= {p.name for p in files}
    assert len(outcome.answers()) == len(HOSTILE)
    assert files and files <= set(replaced), files - set(replaced)
    assert not [p for p in files if p.name.endswith(".tmp")]

    from openpyxl import load_workbook

    risky = re.compile(r"^[\s\x00-\x1f\ufeff\u00a0]*[=+\-@＝]")
    for path in files:
        if path.suffix == ".csv":
            with path.open(newline="", encoding="utf-8") as handle:
                cells = [cell for row in csv.reader(handle) for cell in row]
        elif path.suffix == ".xlsx":
            cells = [str(cell.value) for sheet in load_workbook(path).worksheets
                     for row in sheet.iter_rows() for cell in row
                     if cell.data_type == "s" or cell.data_type == "f"]
        else:
            continue
        bad = [cell for cell in cells if risky.match(cell) and not cell.startswith("'")]
        assert not bad, (path.name, bad)


def test_yaml_is_only_read_with_the_safe_loader():
    unsafe = re.compile(r"yaml\.(?:load|unsafe_load|full_load|load_all)\(|Loader=yaml\.(?:Loader|"
                        r"FullLoader|UnsafeLoader)|yaml\.(?:Unsafe|Full)?Loader\b")
    for path in (ROOT / "pipeline").rglob("*.py"):
        assert not unsafe.search(path.read_text(encoding="utf-8")), path


@pytest.mark.parametrize("text, expected", [
    ("../../etc/passwd", "etc_passwd"),
    ("survey round 2026", "survey_round_2026"),
    (".hidden", "hidden"),
    ("CON", "output_CON"),
    ("nul.txt", "output_nul.txt"),
    ("Données été", "Donn_es_t"),
    ("a..b", "a.b"),
    ("///", "output"),
])
def test_safe_name(text, expected):
    assert writers.safe_name(text) == expected


def test_default_run_folder_name_is_sanitised():
    assert default_out_dir(["/tmp/../x/Round 2026 (final)!.csv"], "/p/runs") == \
        Path("/p/runs/Round_2026_final")


def test_no_project_and_no_out_is_refused_not_written_here():
    with pytest.raises(DataError, match=r"pass --out DIR.*theming init DIR") as caught:
        default_out_dir(["round.csv"], None)
    assert caught.value.code == "D008"


def test_rerun_refuses_without_overwrite(tmp_path):
    first = hostile_run(tmp_path)
    assert first.exit_code == 0, first.stderr
    again = hostile_run(tmp_path)
    assert again.exit_code == 1
    assert again.error == (f"Error [D007]: {tmp_path / 'run'}: the run folder already exists; pass "
                           "--overwrite to replace it, --resume to finish an interrupted run, or "
                           "--out to choose another folder")
    replaced = hostile_run(tmp_path, "--overwrite")
    assert replaced.exit_code == 0, replaced.stderr


def test_overwrite_never_deletes_a_folder_that_is_not_a_run(tmp_path):
    precious = tmp_path / "run" / "thesis.docx"
    precious.parent.mkdir()
    precious.write_text("years of work")
    outcome = hostile_run(tmp_path, "--overwrite")
    assert outcome.exit_code == 1
    assert outcome.error == (f"Error [D044]: {tmp_path / 'run'}: is not empty and is not a run "
                             "folder (no manifest.json or artifacts/); refusing to replace it; "
                             "choose an empty or new --out")
    assert precious.read_text() == "years of work"


def test_unreadable_input_is_a_clear_error(tmp_path, monkeypatch):
    def denied(self):
        raise PermissionError(13, "Permission denied", str(self))
    monkeypatch.setattr(Path, "read_bytes", denied)
    export = tmp_path / "round.csv"
    export.write_text("id,team,comment\nR1,A,x\n")
    outcome = run_cli([export], write_config(tmp_path), tmp_path / "run")
    assert outcome.exit_code == 1
    assert outcome.error == (f"Error [D001]: {export}: cannot read the file (Permission denied); "
                             "check it exists, is not open in another program and that you may "
                             "read it")


def test_full_disk_is_a_clear_error_and_debug_shows_the_traceback(tmp_path, monkeypatch):
    def disk_full(src, dst):
        raise OSError(28, "No space left on device", str(dst))
    monkeypatch.setattr(writers.os, "replace", disk_full)
    outcome = hostile_run(tmp_path)
    assert outcome.exit_code == 1
    assert re.fullmatch(r"Error \[D045\]: .*: cannot write the run folder \(No space left on "
                        r"device\); check free disk space and that you may write there, or "
                        r"choose --out", outcome.error), outcome.error
    assert "Traceback" not in outcome.stderr

    from typer.testing import CliRunner

    from pipeline.cli import app
    export = tmp_path / "round.csv"
    result = CliRunner().invoke(app, ["--debug", "run", str(export), "--config",
                                      str(tmp_path / "pipeline.yaml"), "--out",
                                      str(tmp_path / "debug"), "--quiet"])
    assert result.exit_code != 0 and result.exception is not None
    assert not isinstance(result.exception, SystemExit)
