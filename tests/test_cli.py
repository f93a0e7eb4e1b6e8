"""End to end: the CLI on the shipped sample round, checked for real content."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import yaml
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config.models import load_themes

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
PLANTED = ["j.morgan@example.org", "07700 900461", "7946 0321", "Sarah Whitfield"]
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
THEMES = ["early_engagement", "employer_representation", "ics_growth", "communications",
          "ministerial_presence"]
SCORE_COLUMNS = ["s1_early_engagement", "s2_employer_representation", "s3_ics_growth",
                 "s4_communications", "s5_ministerial_presence"]


def invoke(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_run_folder_has_every_output(sample_run):
    for name in ("comment_themes.csv", "quotes.csv", "quotes.xlsx", "recommendations.md",
                 "recommendations.json", "candidate_themes.yaml", "manifest.json"):
        assert (sample_run / name).stat().st_size > 0, name


def test_every_input_answer_appears_once(sample_run):
    answers = read_csv(sample_run / "comment_themes.csv")
    raw = pd.read_csv(SAMPLE / "survey_round.csv", dtype=str, keep_default_na=False)
    assert len(answers) == 2 * len(raw)
    assert answers["comment_id"].is_unique
    assert list(answers.columns[:4]) == ["comment_id", "respondent_id", "group", "question"]
    manifest = json.loads((sample_run / "manifest.json").read_text())
    accounting = manifest["accounting"]
    assert accounting["answers_in"] == accounting["kept"] + accounting["dropped"] == len(answers)
    dropped = answers[answers["dropped_reason"] != ""]
    assert set(dropped["dropped_reason"]) == {"empty", "non-answer", "duplicate"}
    assert (answers.loc[answers["dropped_reason"] != "", "themes"] == "").all()


def test_regression_sample_answer_key_recall_and_precision(sample_run):
    """A regression check, not evidence: the shipped keywords, examples and thresholds were
    refined on this answer key (real-data figures: tests/test_real_data.py, BENCHMARKS.md)."""
    answers = read_csv(sample_run / "comment_themes.csv")
    key = read_csv(SAMPLE / "answer_key.csv")
    merged = key.merge(answers[answers["dropped_reason"] == ""],
                       on=["respondent_id", "question"], suffixes=("_key", ""))
    assert len(merged) == len(key)
    for theme in THEMES:
        gold = merged["themes_key"].str.split("|").apply(lambda ids, t=theme: t in ids)
        found = merged["themes"].str.split("|").apply(lambda ids, t=theme: t in ids)
        recall = (gold & found).sum() / gold.sum()
        precision = (gold & found).sum() / max(found.sum(), 1)
        assert gold.sum() >= 10
        # recall 0.80 (was 0.85): issue 15 took the bare keyword "update" out of
        # communications (an everyday word that tags nothing alone), so five sample comments
        # about "updates" now depend on the semantic layer (communications recall 0.83)
        assert recall >= 0.80 and precision >= 0.85, (theme, recall, precision)


def test_planted_off_theme_topic_becomes_a_candidate_theme(sample_run):
    answers = read_csv(sample_run / "comment_themes.csv")
    key = read_csv(SAMPLE / "answer_key.csv")
    late = key[key["topic"] == "late_papers"].merge(answers, on=["respondent_id", "question"])
    assert len(late) >= 10
    assigned = late["candidate_themes"].str.split("|").explode()
    assigned = assigned[assigned != ""]
    top, count = assigned.value_counts().index[0], assigned.value_counts().iloc[0]
    assert count >= 0.6 * len(late), assigned.value_counts()
    candidates = load_themes(sample_run / "candidate_themes.yaml")  # pasteable as themes.yaml
    proposed = candidates.by_id()[top]
    assert {"paper", "papers", "late"} & set(" ".join(proposed.keywords).split())
    assert proposed.examples


def test_quotes_are_verbatim_redacted_text(sample_run):
    answers = read_csv(sample_run / "comment_themes.csv").set_index("comment_id")
    quotes = read_csv(sample_run / "quotes.csv")
    assert set(THEMES) <= set(quotes["theme"])
    for quote in quotes.itertuples():
        assert quote.quote in answers.loc[quote.comment_id, "text"], quote
    per_theme = quotes.groupby("theme")
    assert per_theme["respondent_id"].apply(lambda s: s.is_unique).all()
    # 3-5 quotes support each theme's recommendation; praise is listed apart, as what works
    supporting = quotes[quotes["theme"].isin(THEMES) & (quotes["stance"] != "praise")]
    assert supporting.groupby("theme").size().between(3, 5).all()
    assert (quotes[quotes["stance"] == "praise"].groupby("theme").size() <= 2).all()


def _all_text(run: Path) -> str:
    parts = []
    for path in run.rglob("*"):
        if path.suffix in (".csv", ".md", ".json", ".yaml", ".html"):
            parts.append(path.read_text(encoding="utf-8"))
        elif path.suffix in (".xlsx", ".docx"):
            with zipfile.ZipFile(path) as archive:
                parts += [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
        elif path.suffix == ".parquet":
            parts.append(pd.read_parquet(path).to_csv())
    return "\n".join(parts)


def test_no_email_phone_or_listed_name_survives_anywhere(sample_run):
    text = _all_text(sample_run)
    for planted in PLANTED:
        assert planted not in text
    assert not EMAIL.findall(text)
    assert "[EMAIL]" in text and "[PHONE]" in text and "[NAME]" in text


def test_recommendations_are_drafted_from_the_yaml(sample_run):
    recs = json.loads((sample_run / "recommendations.json").read_text())["recommendations"]
    themes = {r["key"]: r for r in recs if r["kind"] == "theme"}
    assert set(themes) == set(THEMES)
    employers = themes["employer_representation"]
    # the draft is the configured owner and the respondents' asks; the action stands beside it
    assert employers["text"].startswith("NHS Employers to act on what ")
    assert employers["action"] == "increase employer representation in the forum and its subgroups"
    assert isinstance(employers["action_asked"], bool)
    assert all(r["status"] == "drafted" and r["n_respondents"] >= 10 for r in themes.values())
    markdown = (sample_run / "recommendations.md").read_text()
    assert ("**Action in the theme config:** NHS Employers to increase employer representation"
            in markdown)
    assert re.search(r"raised by \d+ of \d+ respondents \(\d+%\): NHS trade union \d+ of \d+",
                     markdown, re.IGNORECASE)


def test_two_runs_give_identical_files(sample_run, sample_run_again):
    """The library run and a CLI run of the same round write the same bytes."""
    again = sample_run_again
    first = sorted(p.relative_to(sample_run) for p in sample_run.rglob("*") if p.is_file())
    second = sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    assert first == second
    for name in first:
        if name.name == "manifest.json":
            one, two = (json.loads((d / name).read_text()) for d in (sample_run, again))
            one.pop("timings"), two.pop("timings")
            assert one == two
        else:
            assert (sample_run / name).read_bytes() == (again / name).read_bytes(), name


def test_small_round_runs_with_column_flags(tmp_path):
    out = tmp_path / "tiny"
    result = invoke("run", str(SAMPLE / "tiny_round.csv"), "--text-column", "comment",
                    "--id-column", "id", "--group-column", "team", "--out", str(out),
                    "--config", str(ROOT / "config/pipeline.yaml"),
                    "--themes", str(ROOT / "config/themes.yaml"))
    assert result.exit_code == 0, result.output
    assert f"Outputs in {out}/" in result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["discover"]["method"] == "small"
    assert manifest["accounting"] == {**manifest["accounting"], "answers_in": 20, "answers_out": 20}
    answers = read_csv(out / "comment_themes.csv")
    assert (answers["themes"].str.contains("early_engagement")).sum() >= 3
    assert yaml.safe_load((out / "candidate_themes.yaml").read_text())["version"] == 1


def test_csv_without_the_text_column_is_an_exact_error(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("respondent_id,organisation_type,answer\nR1,Other,More updates please\n")
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(tmp_path / "out"),
                                      "--config", str(ROOT / "config/pipeline.yaml"),
                                      "--themes", str(ROOT / "config/themes.yaml")])
    assert result.exit_code == 1
    assert result.output == (
        f"Error [D002]: {path}: no text column 'why_scores'; choose one with --text-column; "
        "no text column 'other_comments'; choose one with --text-column; "
        + "; ".join(f"no score column '{c}'; choose one with --score-column or "
                    "input.score_columns in pipeline.yaml" for c in SCORE_COLUMNS)
        + ". Columns found: 'respondent_id', "
        "'organisation_type', 'answer'\n")
    assert not (tmp_path / "out").exists()


def test_existing_run_folder_needs_overwrite(sample_run):
    result = CliRunner().invoke(app, ["run", str(SAMPLE / "tiny_round.csv"), "--out",
                                      str(sample_run), "--text-column", "comment"])
    assert result.exit_code == 1
    assert result.output == (f"Error [D007]: {sample_run}: the run folder already exists; pass "
                             "--overwrite to replace it, --resume to finish an interrupted run, "
                             "or --out to choose another folder\n")


def test_help_is_light_and_every_command_has_an_example():
    probe = ("import sys, pipeline.cli; heavy = [m for m in ('pandas', 'spacy', 'sklearn', "
             "'bertopic', 'torch', 'sentence_transformers') if m in sys.modules]; print(heavy)")
    imported = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                              check=True).stdout.strip()
    assert imported == "[]"
    for command in (["--help"], ["run", "--help"], ["themes", "--help"], ["themes", "check", "--help"]):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 0 and "Example: theming" in result.output, command
