"""recommendations.docx and the quotes DOCX (python-docx).

Pure renderers return bytes; ``pipeline.io.writers`` saves them. Reproducible: the DOCX core
properties and zip entry dates are fixed, so two runs give identical bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pandas as pd

from pipeline.outputs import document as words
from pipeline.outputs import likert
from pipeline.outputs.document import Document, Item, Quote, quote_list

FIXED_TIME = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
ZIP_TIME = (2000, 1, 1, 0, 0, 0)


def fixed_zip(data: bytes) -> bytes:
    """Rewrite a zip (docx/xlsx) with every entry dated ``ZIP_TIME``, order kept."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def _new_docx():
    from docx import Document as new_document

    doc = new_document()
    props = doc.core_properties
    props.author = "comment-theming"
    props.last_modified_by = "comment-theming"
    props.created = props.modified = props.last_printed = FIXED_TIME.replace(tzinfo=None)
    props.revision = 1
    from docx.shared import Mm

    for section in doc.sections:  # A4 with 20 mm margins: 170 mm of text width
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(20)
        section.top_margin = section.bottom_margin = Mm(20)
    return doc


def _docx_bytes(doc) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return fixed_zip(buffer.getvalue())


TEXT_WIDTH_MM = 170  # A4 (210 mm) less two 20 mm margins
MIN_COLUMN_MM = 12


def column_widths(table: pd.DataFrame, total_mm: float = TEXT_WIDTH_MM) -> list[float]:
    """Column widths in mm that fit ``total_mm``: each column gets at least its longest word
    (so no word breaks while there is room), the rest shared by its longest cell."""
    def longest(values, words: bool) -> int:
        texts = ["" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)
                 for v in values]
        parts = [w for t in texts for w in t.split()] if words else texts
        return max((len(p) for p in parts), default=1)

    columns = list(table.columns)
    word = [max(longest(table[c], True), longest([c], True)) for c in columns]
    cell = [max(longest(table[c], False), longest([c], False)) for c in columns]
    char_mm = 2.0  # about one character at 10 pt
    need = [max(MIN_COLUMN_MM, w * char_mm) for w in word]
    if sum(need) >= total_mm:
        return [total_mm * n / sum(need) for n in need]
    spare = total_mm - sum(need)
    extra = [max(0.0, c * char_mm - n) for c, n in zip(cell, need, strict=True)]
    if sum(extra) == 0:
        return [n + spare / len(need) for n in need]
    share = min(1.0, spare / sum(extra))
    widths = [n + e * share for n, e in zip(need, extra, strict=True)]
    left = total_mm - sum(widths)
    return [w + left / len(widths) for w in widths]


def _repeat_header(row) -> None:
    """Mark a table row as the header Word repeats at the top of every page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _docx_table(doc, table: pd.DataFrame) -> None:
    """A table sized to its content on A4, its header repeated on every page."""
    from docx.shared import Mm, Pt

    grid = doc.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    grid.autofit = False
    widths = [Mm(w) for w in column_widths(table)]
    for cell, name in zip(grid.rows[0].cells, table.columns, strict=True):
        cell.text = str(name)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    _repeat_header(grid.rows[0])
    for row in table.itertuples(index=False):
        cells = grid.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = "" if value is None or (isinstance(value, float) and pd.isna(value)) \
                else str(value)
    for index, column in enumerate(grid.columns):
        column.width = widths[index]
        for cell in column.cells:
            cell.width = widths[index]
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(9)


def _docx_quotes(doc, heading: str, quotes: list[Quote]) -> None:
    if not quotes:
        return
    if heading:
        doc.add_paragraph().add_run(heading).italic = True
    for quote in quotes:
        paragraph = doc.add_paragraph(style="Quote")
        paragraph.add_run(f"“{quote.text}”")
        paragraph.add_run(f" ({quote.citation()})").italic = True


def _labelled(doc, label: str, text: str) -> None:
    paragraph = doc.add_paragraph()
    paragraph.add_run(f"{label}: ").bold = True
    paragraph.add_run(text)


def _docx_item(doc, item: Item, asks: str = "What respondents asked for:",
               praise: str = "What works:") -> None:
    doc.add_heading(item.heading, level=3)
    if item.recommendation:
        _labelled(doc, "Draft", item.recommendation)
    if item.recommendation and item.action_line:  # beside a draft only
        _labelled(doc, "Action in the theme config", item.action_line)
    if item.ask_phrases and not item.recommendation:
        _labelled(doc, "Asked for, in respondents' words",
                  "; ".join(f"“{phrase}”" for phrase in item.ask_phrases))
    _labelled(doc, "Evidence", item.evidence)
    for line in item.score_lines:
        _labelled(doc, "Statement", line)
    _docx_quotes(doc, asks, item.asks)
    _docx_quotes(doc, praise, item.praise)
    if item.stub:
        _labelled(doc, "Theme config stub", "")
        for line in item.stub.rstrip("\n").split("\n"):
            doc.add_paragraph(line, style="No Spacing")


def render_docx(document: Document) -> bytes:
    """recommendations.docx: the summary, statements, drafts, mixed views, emerging themes,
    the rest; tables sized to A4, quotes in the Quote style."""
    doc = _new_docx()
    doc.add_heading(document.title, level=1)
    if document.subtitle:
        doc.add_paragraph(document.subtitle)
    doc.add_heading("Summary", level=2)
    for line in document.summary:
        doc.add_paragraph(line, style="List Bullet")
    if len(document.ranking):
        doc.add_paragraph("Themes raised, most respondents first:")
        _docx_table(doc, document.ranking_with_subthemes())
    if document.group_note:
        doc.add_paragraph(document.group_note)
    if document.statements:
        doc.add_heading("How respondents answered the statements", level=2)
        for statement in document.statements:
            linked = (f"Linked to the theme “{statement.theme}”." if statement.theme
                      else "Not linked to a theme: reported on its own.")
            doc.add_paragraph(f"“{statement.words}”: {statement.headline}. {linked}",
                              style="List Bullet")
        _docx_table(doc, likert.table(document.statements))
    if document.drafted:
        doc.add_heading("Draft recommendations", level=2)
    else:
        doc.add_paragraph(words.NOTHING_DRAFTED)
    for item in document.drafted:
        _docx_item(doc, item)
    for heading, intro, items, asks, praise in document.later_sections():
        doc.add_heading(heading, level=2)
        if intro:
            doc.add_paragraph(intro)
        for item in items:
            _docx_item(doc, item, f"{asks}:" if asks else "", f"{praise}:" if praise else "")
    if document.too_little:
        doc.add_heading("Not drafted this round", level=2)
        for item in document.too_little:
            doc.add_paragraph(item.why_not, style="List Bullet")
    if len(document.theme_group):
        doc.add_heading("Who raised each theme", level=2)
        _docx_table(doc, document.theme_group)
    return _docx_bytes(doc)


def render_quotes_docx(quote_table: pd.DataFrame, title: str) -> bytes:
    """A quote table as DOCX: a heading per theme, its asks, praise and other comments each
    under their own heading, each quote in the Quote style."""
    from pipeline.outputs.xlsx import stance_groups

    doc = _new_docx()
    doc.add_heading(title, level=1)
    if quote_table.empty:
        doc.add_paragraph("No quotes match.")
    for label, rows in quote_table.groupby("label", sort=False):
        doc.add_heading(str(label), level=2)
        for heading, part in stance_groups(rows):
            _docx_quotes(doc, f"{heading}:", quote_list(part))
    return _docx_bytes(doc)
