"""`theming quotes`: filtered quote tables from a finished run, and its errors."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from typer.testing import CliRunner

from pipeline import run_settings, runner
from pipeline.cli import app
from tests.conftest import ROOT, SAMPLE

CLI = CliRunner()


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    settings = run_settings.load_settings(ROOT / "config" / "pipeline.yaml",
                                    ROOT / "config" / "themes.yaml", text_columns=["comment"],
                                    id_column="id", group_column="team")
    out = tmp_path_factory.mktemp("tiny") / "run"
    runner.run([SAMPLE / "tiny_round.csv"], settings, out)
    return out


def invoke(*args):
    return CLI.invoke(app, ["quotes", *map(str, args)])


def test_csv_to_stdout_filtered_by_theme_and_group(run_dir):
    result = invoke(run_dir, "--theme", "communications", "--group", "Employer side")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(io.StringIO(result.stdout), keep_default_na=False)
    assert len(table) and set(table["theme"]) == {"communications"}
    assert set(table["group"]) == {"Employer side"}


def test_repeated_options_and_markdown(run_dir):
    result = invoke(run_dir, "--theme", "communications", "--theme", "ministerial_presence",
                    "--format", "md")
    assert result.exit_code == 0
    assert "## Communications to members" in result.stdout
    assert "## Ministerial presence" in result.stdout and "> “" in result.stdout


@pytest.mark.parametrize("fmt", ["xlsx", "docx", "csv", "md"])
def test_every_format_to_a_file(run_dir, tmp_path, fmt):
    target = tmp_path / f"quotes.{fmt}"
    result = invoke(run_dir, "--format", fmt, "-o", target)
    assert result.exit_code == 0, result.output
    data = target.read_bytes()
    assert data[:2] == b"PK" if fmt in ("xlsx", "docx") else data.strip()


def test_not_a_run_folder(tmp_path):
    result = invoke(tmp_path)
    assert result.exit_code == 1
    assert f"Error [D030]: {tmp_path}: not a run folder (no manifest.json)" in result.output


def test_unknown_theme_suggests_the_closest(run_dir):
    result = invoke(run_dir, "--theme", "comunications")
    assert result.exit_code == 1
    assert ("Error [D031]: unknown theme 'comunications' (did you mean 'communications'?)"
            in result.output)


def test_unknown_group_lists_the_groups(run_dir):
    result = invoke(run_dir, "--group", "Employers")
    assert result.exit_code == 1
    assert "Error [D031]: unknown group 'Employers'" in result.output
    assert "'Employer side'" in result.output


def test_binary_format_needs_a_file(run_dir):
    result = invoke(run_dir, "--format", "docx")
    assert result.exit_code == 1 and "Error [D033]" in result.output


def test_unknown_format(run_dir):
    result = invoke(run_dir, "--format", "pdf")
    assert result.exit_code == 1 and "Error [D032]: unknown format 'pdf'" in result.output


def carrying(run_dir, theme: str) -> pd.DataFrame:
    """Comments of comment_themes.csv that carry ``theme`` (a theme or candidate theme)."""
    answers = pd.read_csv(run_dir / "comment_themes.csv", dtype=str, keep_default_na=False)
    ids = answers["themes"].str.split("|") + answers["candidate_themes"].str.split("|")
    return answers[ids.apply(lambda found: theme in found)]


def test_all_lists_every_comment_carrying_the_theme(run_dir):
    every = pd.read_csv(run_dir / "theme_comments.csv", dtype=str, keep_default_na=False)
    assert len(set(every["theme"])) >= 3
    for theme in set(every["theme"]):
        result = invoke(run_dir, "--theme", theme, "--all")
        assert result.exit_code == 0, result.output
        table = pd.read_csv(io.StringIO(result.stdout), dtype=str, keep_default_na=False)
        expected = carrying(run_dir, theme)
        assert len(table) == len(expected) and set(table["comment_id"]) == set(
            expected["comment_id"]), theme
        assert {"stance", "layer", "text"} <= set(table.columns)
        texts = expected.set_index("comment_id")["text"]
        assert all(texts[c] == t for c, t in zip(table["comment_id"], table["text"],
                                                 strict=True))


def test_all_filters_by_group_and_stance(run_dir):
    both = invoke(run_dir, "--theme", "ministerial_presence", "--all")
    table = pd.read_csv(io.StringIO(both.stdout), dtype=str, keep_default_na=False)
    assert set(table["stance"]) >= {"ask", "neutral"}  # "gave the meeting real weight"
    asks = invoke(run_dir, "--theme", "ministerial_presence", "--all", "--stance", "ask")
    only = pd.read_csv(io.StringIO(asks.stdout), dtype=str, keep_default_na=False)
    assert len(only) == (table["stance"] == "ask").sum() and set(only["stance"]) == {"ask"}
    union = invoke(run_dir, "--all", "--group", "Union side", "--format", "md")
    assert union.exit_code == 0 and re.search(r"\(Union side, R\d\d\)", union.stdout)
    assert "(Employer side," not in union.stdout
    wrong = invoke(run_dir, "--all", "--stance", "asks")
    assert wrong.exit_code == 1
    assert "Error [D031]: unknown stance 'asks' (did you mean 'ask'?)" in wrong.output


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_all_to_xlsx_and_docx(run_dir, tmp_path, fmt):
    target = tmp_path / f"all.{fmt}"
    result = invoke(run_dir, "--theme", "communications", "--all", "--format", fmt, "-o", target)
    assert result.exit_code == 0, result.output
    expected = carrying(run_dir, "communications")
    assert f"Wrote {len(expected)} comments" in result.output
    if fmt == "xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(target)["communications"]
        assert sheet.max_row == len(expected) + 1 and sheet.auto_filter.ref
    else:
        from docx import Document

        paragraphs = [p.text for p in Document(str(target)).paragraphs]
        assert sum(p.startswith("“") for p in paragraphs) == len(expected)


PLANTED = ["jo.morgan@example.org", "07700 900461", "Sarah Whitfield"]


@pytest.fixture(scope="module")
def planted_run(tmp_path_factory):
    """A small round whose asks carry an e-mail, a phone number and a configured name."""
    folder = tmp_path_factory.mktemp("planted")
    rows = ["id,team,comment"] + [
        f'P{i},Union side,"{text}"' for i, text in enumerate([
            "The minister should attend more often, ask Sarah Whitfield or jo.morgan@example.org.",
            "We need a minister at the forum at least twice a year; call 07700 900461.",
            "Please engage us earlier in policy, Sarah Whitfield agrees.",
            "Papers arrive late again, so nobody can prepare; ring 07700 900461.",
            "Papers should arrive a week ahead, write to jo.morgan@example.org.",
            "Late papers make the meetings hard, Sarah Whitfield says so too."], start=1)]
    (folder / "round.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    settings = run_settings.load_settings(ROOT / "config" / "pipeline.yaml",
                                    ROOT / "config" / "themes.yaml", text_columns=["comment"],
                                    id_column="id", group_column="team")
    runner.run([folder / "round.csv"], settings, folder / "run")
    return folder / "run"


def test_planted_personal_data_reaches_no_new_output(planted_run, tmp_path):
    every = (planted_run / "theme_comments.csv").read_text(encoding="utf-8")
    assert "[EMAIL]" in every and "[PHONE]" in every and "[NAME]" in every
    texts = [every, (planted_run / "recommendations.json").read_text(encoding="utf-8"),
             (planted_run / "recommendations.md").read_text(encoding="utf-8"),
             (planted_run / "report.html").read_text(encoding="utf-8")]
    for fmt in ("csv", "md", "xlsx", "docx"):
        target = tmp_path / f"all.{fmt}"
        assert invoke(planted_run, "--all", "--format", fmt, "-o", target).exit_code == 0
        if fmt in ("xlsx", "docx"):
            import zipfile

            with zipfile.ZipFile(target) as archive:
                texts += [archive.read(n).decode("utf-8", "replace")
                          for n in archive.namelist()]
        else:
            texts.append(target.read_text(encoding="utf-8"))
    import json

    phrases = [p for rec in json.loads(texts[1])["recommendations"] for p in rec["ask_phrases"]]
    assert phrases  # the ask phrases are there, and redacted
    for planted in PLANTED:
        assert not any(planted in text for text in texts), planted
