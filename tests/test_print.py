"""The printed report: A4, headers repeated, headings kept with what follows; DOCX tables
sized for A4; XLSX sheets filterable. The browser check runs where Debian's chromium is."""

from __future__ import annotations

import io
import json
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from pipeline.outputs import document, docx, html

CHROMIUM = Path("/usr/bin/chromium")
A4 = (595.0, 842.0)  # points
LETTER = (612.0, 792.0)


def long_document() -> document.Document:
    """Twelve drafted themes with five quotes each: several printed pages."""
    groups = ["NHS trade union", "NHS Employers", "NHS trust or ICB", "National body"]
    recs, quotes = [], []
    for n in range(12):
        key = f"theme_{n}"
        recs.append({
            "rank": n + 1, "key": key, "kind": "theme", "label": f"Theme number {n}",
            "owner": "O", "action": "act", "text": "The forum co-chairs to agree a response.",
            "status": "drafted", "n_respondents": 20 - n, "n_respondents_total": 150,
            "n_asking": 10, "n_praising": 2,
            "support_by_group": json.dumps({g: [5 - i % 3, 40] for i, g in enumerate(groups)}),
            "evidence_line": f"raised by {20 - n} of 150 respondents", "note": "",
            "ask_phrases": json.dumps(["papers should arrive a week before the meeting"])})
        for rank in range(1, 6):
            quotes.append({"key": key, "label": f"Theme number {n}", "quote_rank": rank,
                           "quote": "We need the papers earlier so that members can read "
                                    "them and brief colleagues before each meeting. " * 2,
                           "stance": "ask", "comment_id": f"R{n}{rank}.q",
                           "respondent_id": f"R{n}{rank}", "group": groups[rank % 4],
                           "question": "q"})
    return document.build_document("print check", pd.DataFrame(recs), pd.DataFrame(quotes),
                                   pd.DataFrame(), pd.DataFrame(),
                                   {"in": 200, "kept": 180, "dropped_by_reason": {"empty": 20}})


def test_html_has_a_print_stylesheet_and_summary_first():
    page = html.render_html(long_document(), pd.DataFrame(), 0)
    assert "@page{size:A4" in page
    assert "break-after:avoid" in page and "thead{display:table-header-group}" in page
    assert page.index("<h2>Summary</h2>") < page.index("<h3>1. Theme number 0</h3>")
    assert page.index('class="prevalence"') < page.index("<h3>1. Theme number 0</h3>")
    assert page.count("<thead>") >= 3  # ranking, prevalence, who raised each theme
    assert "150 respondents answered at least one question" in page


def _page_boxes(pdf: bytes) -> list[tuple[float, float]]:
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    return [(round(float(w)), round(float(h))) for w, h in boxes]


def _print(page: str, folder: Path, name: str) -> bytes:
    source, target = folder / f"{name}.html", folder / f"{name}.pdf"
    source.write_text(page, encoding="utf-8")
    subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
                    "--no-pdf-header-footer", f"--print-to-pdf={target}", source.as_uri()],
                   check=True, capture_output=True, timeout=120)
    return target.read_bytes()


@pytest.mark.skipif(not CHROMIUM.exists(),
                    reason="headless print check needs Debian's chromium (/usr/bin/chromium); "
                           "install it with: apt-get install -y chromium")
def test_report_prints_on_a4_in_a_real_browser(tmp_path):
    page = html.render_html(long_document(), pd.DataFrame(), 0)
    pdf = _print(page, tmp_path, "report")
    assert pdf.startswith(b"%PDF")
    boxes = _page_boxes(pdf)
    assert len(boxes) >= 2 and all(box == (round(A4[0]), round(A4[1])) for box in boxes)
    # the stylesheet is what makes it A4: without it the same page prints on Letter here
    plain = _print(page.replace("@page{size:A4;margin:16mm 14mm}", ""), tmp_path, "plain")
    assert set(_page_boxes(plain)) == {(round(LETTER[0]), round(LETTER[1]))}


def test_docx_is_a4_with_tables_sized_to_their_content():
    from docx import Document
    from docx.shared import Mm

    doc = Document(io.BytesIO(docx.render_docx(long_document())))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    table = doc.tables[0]  # the ranking: theme, respondents, asking, praising, status
    widths = [column.width for column in table.columns]
    assert sum(widths) <= Mm(170.1)  # Word stores twips: a little rounding
    assert widths[0] > widths[1]  # the theme names get the room, the numbers do not
    header = table.rows[0]._tr.xml
    assert "w:tblHeader" in header  # repeated at the top of each page


def test_column_widths_never_split_a_word_when_there_is_room():
    table = pd.DataFrame({"statement": ["The forum engages partners early enough"],
                          "n": [150], "mean": [3.1]})
    widths = docx.column_widths(table)
    assert abs(sum(widths) - docx.TEXT_WIDTH_MM) < 1e-6
    assert widths[0] >= len("statement") * 2.0 and all(w >= docx.MIN_COLUMN_MM for w in widths)
    many = pd.DataFrame({f"s{i}_early_engagement_statement": ["x"] for i in range(12)})
    assert abs(sum(docx.column_widths(many)) - docx.TEXT_WIDTH_MM) < 1e-6  # shrinks to fit
