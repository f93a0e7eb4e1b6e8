"""The report a forum's author signs, on a small real-shaped round (tests/small_round.py):
statements in their own words with counts, links only where declared, mixed views not
drafted, drafts in the respondents' words, small groups folded, no personal data."""

from __future__ import annotations

import io
import json
import re

import pandas as pd
import pytest

from pipeline import run_settings, runner
from pipeline.drafting.shares import wilson
from pipeline.errors import ConfigError
from tests.conftest import ROOT
from tests.small_round import LINKED, PLANTED_EMAIL, PLANTED_NAME, STATEMENTS, write_project


@pytest.fixture(scope="module")
def forum_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("forum")
    config = write_project(folder, ROOT)
    settings = run_settings.load_settings(config)
    runner.run([folder / "forum_round.csv"], settings, folder / "run", config_path=config)
    return folder / "run"


def html_text(run) -> str:
    """report.html's visible text, tags out, spaces collapsed."""
    from html import unescape

    page = (run / "report.html").read_text(encoding="utf-8").split("</style>")[1]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", page)).split())


def docx_text(run, name: str = "recommendations.docx") -> str:
    from docx import Document

    doc = Document(io.BytesIO((run / name).read_bytes()))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_each_statement_shows_its_words_answered_and_agree_share(forum_run):
    text = html_text(forum_run)
    for words in STATEMENTS.values():
        assert f"“{words}”" in text
    # Q1: 8 of 18 chose Agree or Strongly agree; Q5 has two blanks
    assert "18 respondents answered; agree: 8 of 18 (44%)" in text
    assert "16 respondents answered; agree: 5 of 16 (31%)" in text
    scores = pd.read_csv(forum_run / "scores.csv")
    overall = scores[scores["group"] == "All respondents"].set_index("column")
    assert overall.loc["Q1 Engagement", ["n_disagree", "n_neither", "n_agree"]].tolist() \
        == [5, 5, 8]
    assert overall.loc["Q1 Engagement", "agree_low"] == pytest.approx(wilson(8, 18)[0], abs=1e-3)


def test_only_declared_links_tie_a_statement_to_a_theme(forum_run):
    linked = pd.read_csv(forum_run / "theme_scores.csv")
    assert sorted(zip(linked["column"], linked["theme_id"], strict=True)) == sorted(LINKED.items())
    text = html_text(forum_run)
    assert text.count("Not linked to a theme in the config") == len(STATEMENTS) - len(LINKED)
    # employer representation is drafted, but no statement is tied to it
    section = text.split("Employer representation (raised by 1 respondent)")[1]
    assert "Statement:" not in section.split("Ministerial presence")[0]


def test_theme_scores_compared_only_when_both_sides_reach_the_minimum(forum_run):
    text = html_text(forum_run)
    # early engagement: 5 raised it, 13 did not (minimum 5)
    assert ("‘Partners are engaged early enough in policy development’: 1 of 5 (20%) who "
            "raised this theme agree, against 7 of 13 (54%) who did not.") in text
    # communications: 4 raised it, fewer than 5
    assert "‘The forum communicates its work well’: not compared, as 4 respondents" in text


def test_small_groups_are_shown_together_and_the_report_says_so(forum_run):
    scores = pd.read_csv(forum_run / "scores.csv")
    assert "Policy lead" not in set(scores["group"])
    assert "Other groups" not in set(scores["group"])  # 3 policy leads: still fewer than 5
    text = html_text(forum_run)
    assert "Groups with fewer than 5 respondents (Policy lead) are shown together" in text
    assert "Other groups" not in text.split("Who raised each theme")[1]
    # named once, in the note: evidence lines and quotes do not single the three out
    assert text.count("Policy lead") == 1 and "(Other groups, R17)" in text


def test_a_theme_with_as_much_praise_as_asks_is_mixed_and_not_drafted(forum_run):
    found = json.loads((forum_run / "recommendations.json").read_text(encoding="utf-8"))
    comms = next(r for r in found["recommendations"] if r["key"] == "communications")
    assert comms["status"] == "mixed" and comms["text"] == ""
    assert comms["n_asking"] == comms["n_praising"] == 2
    assert {q["stance"] for q in comms["quotes"]} == {"ask", "praise"}
    text = html_text(forum_run)
    mixed = text.split("Mixed views (not drafted)")[1]
    assert "The quarterly newsletter is excellent and very clear." in mixed
    assert "We rarely hear back about meeting outcomes" in mixed
    assert "Draft:" not in mixed.split("Not drafted this round")[0]


def test_drafts_carry_the_asks_verbatim_and_whether_the_action_was_asked(forum_run):
    found = json.loads((forum_run / "recommendations.json").read_text(encoding="utf-8"))
    drafted = [r for r in found["recommendations"] if r["status"] == "drafted"]
    assert {r["key"] for r in drafted} == {"early_engagement", "employer_representation",
                                           "ministerial_presence"}
    for rec in drafted:
        assert rec["ask_phrases"] and isinstance(rec["action_asked"], bool)
        assert all(f"“{phrase}”" in rec["text"] for phrase in rec["ask_phrases"])
        assert rec["action"] and rec["action"] not in rec["text"]
    by_key = {r["key"]: r for r in drafted}
    # "involved ... policy development ... not after decisions" shares the action's words
    assert by_key["early_engagement"]["action_asked"] is True
    assert by_key["ministerial_presence"]["action_asked"] is False
    lone = by_key["ministerial_presence"]
    assert lone["note"] == "raised by 1 respondent"
    assert lone["text"] == ("DHSC to act on what 1 respondent asked for: “We need a minister "
                            "to attend the forum at least once a year”.")


def test_quotes_are_attributed_by_group_and_short_number_without_jargon(forum_run):
    text = html_text(forum_run)
    assert "(NHS trade union member, R01)" in text  # T01 is the first row
    docx = docx_text(forum_run)
    markdown = (forum_run / "recommendations.md").read_text(encoding="utf-8")
    for shown in (text, docx, markdown):
        assert "T01" not in shown and "change.T" not in shown
        assert not re.search(r"tagged by|\bkeyword\b|semantic|\bpattern\b|cluster_id", shown)


def test_two_respondents_raising_what_no_theme_covers_is_an_emerging_theme(forum_run):
    import yaml

    found = json.loads((forum_run / "recommendations.json").read_text(encoding="utf-8"))
    emerging = [r for r in found["recommendations"] if r["status"] == "emerging"]
    assert [(r["label"], r["n_respondents"]) for r in emerging] == [("NHS Staff Council", 2)]
    assert emerging[0]["text"] == "" and len(emerging[0]["quotes"]) == 2
    for shown in (html_text(forum_run), docx_text(forum_run)):
        part = shown.split("Emerging themes (not in the theme config)")[-1]
        assert "NHS Staff Council" in part and "Draft:" not in part.split("Not drafted")[0]
        assert "coordinate with the NHS Staff Council so that the two agendas" in part
    stubs = yaml.safe_load((forum_run / "candidate_themes.yaml").read_text(encoding="utf-8"))
    stub = next(t for t in stubs["themes"] if t["label"] == "NHS Staff Council")
    assert stub["id"] == "nhs_staff_council" and stub["keywords"] == ["nhs staff council"]


def test_title_comes_from_the_report_section(forum_run):
    page = (forum_run / "report.html").read_text(encoding="utf-8")
    assert "<h1>Partnership forum member survey: Autumn 2026</h1>" in page
    assert "forum_round.csv" not in page.split("</h1>")[0]


def test_planted_name_and_email_reach_no_output(forum_run):
    surname, domain = PLANTED_NAME.split()[1], PLANTED_EMAIL.split("@")[1]
    for path in forum_run.rglob("*"):
        if path.suffix in (".csv", ".json", ".md", ".html", ".yaml"):
            content = path.read_text(encoding="utf-8")
        elif path.suffix in (".docx",):
            content = docx_text(forum_run, path.name)
        else:
            continue
        assert surname not in content and domain not in content, path.name


def test_wilson_interval_matches_its_definition():
    low, high = wilson(0, 10)
    assert low == 0.0 and high == pytest.approx(0.2775, abs=1e-4)
    low, high = wilson(5, 10)
    assert (low, high) == (pytest.approx(0.2366, abs=1e-4), pytest.approx(0.7634, abs=1e-4))
    assert wilson(0, 0) == (0.0, 0.0)


def test_no_output_words_a_share_instead_of_counting_it(forum_run):
    for name in ("report.html", "recommendations.md"):
        text = (forum_run / name).read_text(encoding="utf-8").lower()
        assert not re.search(r"\b(majority|minority|most of them)\b", text), name


def test_a_link_to_an_unknown_theme_names_the_column_and_the_likely_theme(tmp_path):
    config = write_project(tmp_path, ROOT, {"Q4 Communications": "comunications"})
    with pytest.raises(ConfigError) as raised:
        run_settings.load_settings(config)
    assert raised.value.code == "C033"
    assert "score column 'Q4 Communications' links to theme 'comunications'" in str(raised.value)
    assert "(did you mean 'communications'?)" in str(raised.value)


def test_the_unkeyed_pseudonym_warning_is_printed_only_when_an_id_was_replaced(capsys):
    from types import SimpleNamespace

    from pipeline.cli import _summary

    def summary(ids: list[str]) -> str:
        result = SimpleNamespace(
            manifest={"accounting": {"answers_in": 1, "kept": 1, "dropped": 0,
                                     "dropped_by_reason": {}},
                      "discover": {"method": "small"},
                      "pseudonyms": {"keyed": False, "warning": "no project secret found"},
                      "outputs": []},
            out_dir="run", tables={"recommendations": pd.DataFrame(columns=["status"]),
                    "answers": pd.DataFrame({"respondent_id": ids})})
        _summary(result)
        return capsys.readouterr().out

    assert "Warning" not in summary(["R001", "R002"])  # the sample's ids: nothing to act on
    assert "Warning: no project secret found." in summary(["R001", "id-unkeyed-0123456789"])


def test_quote_tables_put_asks_praise_and_other_under_each_theme_and_count_right(forum_run):
    from typer.testing import CliRunner

    from pipeline.cli import app

    index = pd.read_excel(forum_run / "quotes.xlsx", sheet_name="index").set_index("theme")
    comms = index.loc["communications"]
    assert (comms["respondents raising it"], comms["respondents quoted"]) == (4, 4)
    assert (comms["asks"], comms["praise"], comms["other"]) == (2, 2, 0)
    sheet = pd.read_excel(forum_run / "quotes.xlsx", sheet_name="communications")
    assert sheet["stance"].tolist() == ["ask", "ask", "praise", "praise"]
    assert "layer" not in sheet.columns
    every = CliRunner().invoke(app, ["quotes", str(forum_run), "--all", "--theme",
                                     "communications", "--format", "md"])
    assert every.exit_code == 0, every.output
    text = every.output
    assert text.index("*Asks for a change:*") < text.index("*Praise (what works):*")
    assert "(Employer, R09)" in text and "comunications" not in text
    assert "keyword" not in text and ".change" not in text  # no layers, no comment ids
