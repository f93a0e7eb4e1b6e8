"""Report outputs on the shipped sample: reproducible bytes, DOCX, HTML, XLSX, YAML, tables."""

from __future__ import annotations

import io
import json
import zipfile

import pandas as pd
import pytest

from pipeline.config.models import load_themes
from pipeline.outputs import document, docx, html

BINARY_OUTPUTS = ("recommendations.docx", "quotes.xlsx")


@pytest.fixture(scope="module")
def two_runs(sample_run, sample_run_again):
    return [sample_run, sample_run_again]


def test_outputs_identical_across_runs(two_runs):
    first, second = two_runs
    names = sorted(p.name for p in first.iterdir() if p.is_file())
    assert names == sorted(p.name for p in second.iterdir() if p.is_file())
    for expected in ("recommendations.md", "recommendations.docx", "report.html", "quotes.xlsx",
                     "candidate_themes.yaml", "unexplained.csv", "scores.csv",
                     "theme_scores.csv", "tags.csv"):
        assert expected in names
    for name in names:
        if name == "manifest.json":
            continue
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_zip_entries_have_fixed_dates(two_runs):
    for name in BINARY_OUTPUTS:
        with zipfile.ZipFile(two_runs[0] / name) as archive:
            dates = {info.date_time for info in archive.infolist()}
        assert len(dates) == 1, name


def test_docx_has_headings_tables_and_quote_style(two_runs):
    from docx import Document

    doc = Document(str(two_runs[0] / "recommendations.docx"))
    styles = [p.style.name for p in doc.paragraphs]
    assert "Heading 1" in styles and "Heading 2" in styles
    quotes = [p.text for p in doc.paragraphs if p.style.name == "Quote"]
    assert len(quotes) >= 10 and all(q.startswith("“") for q in quotes)
    assert len(doc.tables) >= 2
    assert doc.core_properties.created.year == 2000


def test_quote_workbook_has_an_index_and_a_sheet_per_theme(two_runs):
    from openpyxl import load_workbook

    book = load_workbook(two_runs[0] / "quotes.xlsx")
    quotes = pd.read_csv(two_runs[0] / "quotes.csv", keep_default_na=False)
    assert book.sheetnames[0] == "index"
    assert book.sheetnames[1:] == [t[:31] for t in dict.fromkeys(quotes["theme"])]
    index_rows = list(book["index"].iter_rows(values_only=True))
    assert index_rows[0][:2] == ("theme", "label") and len(index_rows) == len(book.sheetnames)


def test_candidate_yaml_loads_as_themes(two_runs, tmp_path):
    text = (two_runs[0] / "candidate_themes.yaml").read_text(encoding="utf-8")
    path = tmp_path / "themes.yaml"
    path.write_text(text, encoding="utf-8")
    themes = load_themes(path)
    clusters = pd.read_csv(two_runs[0] / "clusters.csv", keep_default_na=False)
    assert themes.ids == clusters.loc[clusters["status"] == "candidate", "theme_id"].tolist()
    assert all(t.keywords and t.examples for t in themes.themes)


def test_every_quote_is_verbatim_redacted_text(two_runs):
    answers = pd.read_csv(two_runs[0] / "comment_themes.csv", keep_default_na=False)
    texts = answers.set_index("comment_id")["text"]
    quotes = pd.read_csv(two_runs[0] / "quotes.csv", keep_default_na=False)
    for quote in quotes.itertuples(index=False):
        assert quote.quote in texts[quote.comment_id]


def test_every_theme_is_backed_by_a_row_of_tags_csv(two_runs):
    answers = pd.read_csv(two_runs[0] / "comment_themes.csv", keep_default_na=False)
    tags = pd.read_csv(two_runs[0] / "tags.csv", keep_default_na=False)
    assert list(tags.columns) == ["comment_id", "sentence_index", "sentence", "theme", "layer",
                                  "score", "evidence", "runner_up", "margin", "assigned_by",
                                  "method", "config_version", "assigned_at", "review"]
    given = {(row.comment_id, theme) for row in answers.itertuples(index=False)
             for theme in row.themes.split("|") if theme}
    backed = set(zip(tags["comment_id"], tags["theme"], strict=True))
    assert given and given == backed
    # the layers column names, per theme, exactly the layers of its rows in tags.csv
    pairs = {(row.comment_id, pair) for row in answers.itertuples(index=False)
             for pair in row.layers.split("|") if pair}
    assert pairs == {(c, f"{t}:{layer}") for c, t, layer in
                     zip(tags["comment_id"], tags["theme"], tags["layer"], strict=True)}
    texts = answers.set_index("comment_id")["text"]
    for row in tags.itertuples(index=False):
        assert row.sentence in texts[row.comment_id] and row.sentence_index >= 1
        if row.layer in ("keyword", "pattern"):
            assert row.score == 1.0 and row.evidence.lower() in row.sentence.lower()
            assert row.runner_up == "" and row.margin == ""
        if row.layer == "semantic":  # evidence: the theme text it was nearest
            assert row.runner_up and row.runner_up != row.theme and float(row.margin) >= 0
    assert {"keyword", "semantic"} <= set(tags["layer"])


def test_quotes_csv_says_which_layer_put_them_there_and_the_report_does_not(two_runs):
    quotes = pd.read_csv(two_runs[0] / "quotes.csv", keep_default_na=False)
    tags = pd.read_csv(two_runs[0] / "tags.csv", keep_default_na=False)
    layers = tags.groupby(["comment_id", "theme"])["layer"].agg(lambda s: "|".join(sorted(set(s))))
    themed = quotes[quotes["layer"] != "discovery"]
    assert len(themed)
    for quote in themed.itertuples(index=False):
        assert quote.layer == layers[(quote.comment_id, quote.theme)]
    markdown = (two_runs[0] / "recommendations.md").read_text(encoding="utf-8")
    first = themed.iloc[0]
    # the author's file attributes a quote to a group and a short number, nothing more
    assert f"({first.group}, {first.respondent})" in markdown
    assert ", tagged by " not in markdown and "keyword +" not in markdown


def test_unexplained_comments_are_listed(two_runs):
    answers = pd.read_csv(two_runs[0] / "comment_themes.csv", keep_default_na=False)
    left = pd.read_csv(two_runs[0] / "unexplained.csv", keep_default_na=False)
    kept = answers[answers["dropped_reason"] == ""]
    expected = kept[(kept["themes"] == "") & (kept["candidate_themes"] == "")]
    assert set(left["comment_id"]) == set(expected["comment_id"]) and len(left)
    assert (left["reason"] != "").all()


def test_scores_by_group_and_by_theme(two_runs):
    scores = pd.read_csv(two_runs[0] / "scores.csv")
    overall = scores[scores["group"] == "All respondents"]
    assert len(overall) == 5
    assert (overall[[f"n_{k}" for k in range(1, 6)]].sum(axis=1) == overall["n"]).all()
    by_theme = pd.read_csv(two_runs[0] / "theme_scores.csv")
    row = by_theme[(by_theme["theme_id"] == "early_engagement")
                   & (by_theme["column"] == "s1_early_engagement")].iloc[0]
    assert row["statement"] == "The forum engages partners early enough in policy development"
    total = json.loads((two_runs[0] / "recommendations.json").read_text())[
        "recommendations"][0]["n_respondents_total"]
    assert row["n_raised"] + row["n_not_raised"] + row["n_no_score"] == total
    assert row["mean_raised"] < row["mean_not_raised"]  # those raising it score it lower


def test_markdown_lists_too_little_evidence_and_escapes_nothing_needed(two_runs):
    text = (two_runs[0] / "recommendations.md").read_text(encoding="utf-8")
    # the title is the config's survey and round, not the input file's name
    assert text.startswith("# Partnership forum member survey: Sample round (invented data)\n")
    assert "**Draft:** DHSC to act on what " in text
    assert "**Action in the theme config:** DHSC to secure ministerial attendance" in text
    assert "*What works:*" in text


def hostile_document() -> document.Document:
    recs = pd.DataFrame([{
        "rank": 1, "key": "t", "kind": "theme", "label": "<b>Theme</b>", "owner": "O",
        "action": "act", "text": "O to act.", "status": "drafted", "n_respondents": 1,
        "n_respondents_total": 2, "n_asking": 1, "n_praising": 0,
        "support_by_group": '{"<i>G</i>": [1, 2]}', "evidence_line": "raised by 1 of 2"}])
    quotes = pd.DataFrame([{"key": "t", "label": "<b>Theme</b>", "quote_rank": 1,
                            "quote": "<script>alert('x')</script> & more", "stance": "ask",
                            "comment_id": "c1", "respondent_id": "r1", "group": "<i>G</i>",
                            "question": "q"}])
    return document.build_document("round", recs, quotes, pd.DataFrame(), pd.DataFrame())


def test_html_escapes_comment_text_and_is_self_contained():
    clusters = pd.DataFrame([{"label": "<img src=x>", "status": "candidate", "theme_id": "t",
                              "n_sentences": 1, "n_respondents": 1, "reason": "r"}])
    page = html.render_html(hostile_document(), clusters, 0)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<img" not in page and "<i>G</i>" not in page and "<b>Theme</b>" not in page
    assert "http" not in page and "<link" not in page  # opens offline


def test_docx_of_hostile_text_keeps_it_as_text():
    from docx import Document

    doc = Document(io.BytesIO(docx.render_docx(hostile_document())))
    assert any("<script>alert('x')</script>" in p.text for p in doc.paragraphs)


def test_manifest_records_the_discovery_path(two_runs):
    import json

    found = json.loads((two_runs[0] / "manifest.json").read_text())["discover"]
    assert found["method"] == "small" and found["unit"] == "sentences"
    assert 0.0 <= found["outlier_share"] < 0.1 and found["candidates"] >= 2
    assert found["unexplained_comments"] == len(pd.read_csv(two_runs[0] / "unexplained.csv"))


def test_score_notes_name_the_statement_in_words():
    from pipeline.config.scales import column_words

    assert column_words("s1_early_engagement") == "early engagement"
    assert column_words("Q12 overall satisfaction") == "overall satisfaction"
    assert column_words("satisfaction") == "satisfaction"


def test_readme_excerpt_is_what_a_real_run_writes(two_runs):
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("What an author reads first")[1].split("```markdown\n")[1]
    shown = [line for line in block.split("```")[0].splitlines()
             if line.strip() and line.strip() != "..."]
    written = (two_runs[0] / "recommendations.md").read_text(encoding="utf-8").splitlines()
    assert len(shown) >= 10
    for line in shown:  # every line of the excerpt, whole, as the sample run writes it
        assert line in written, line
