"""recommendations.docx and the quotes DOCX (python-docx).

Pure renderers return bytes; ``pipeline.io.writers`` saves them. Reproducible: the DOCX core
properties and zip entry dates are fixed, so two runs give identical bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pandas as pd

from pipeline.outputs.document import Document, Item, Quote

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
    return doc


def _docx_bytes(doc) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return fixed_zip(buffer.getvalue())


def _docx_table(doc, table: pd.DataFrame) -> None:
    grid = doc.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    for cell, name in zip(grid.rows[0].cells, table.columns, strict=True):
        cell.text = str(name)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in table.itertuples(index=False):
        cells = grid.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = "" if value is None or (isinstance(value, float) and pd.isna(value)) \
                else str(value)


def _docx_quotes(doc, heading: str, quotes: list[Quote]) -> None:
    if not quotes:
        return
    if heading:
        doc.add_paragraph().add_run(heading).italic = True
    for quote in quotes:
        paragraph = doc.add_paragraph(style="Quote")
        paragraph.add_run(f"“{quote.text}”")
        paragraph.add_run(f" ({quote.citation()})").italic = True


def _docx_item(doc, item: Item) -> None:
    kind = "" if item.kind == "theme" else " (candidate theme)"
    doc.add_heading(f"{item.number}. {item.label}{kind}", level=2)
    if item.recommendation:
        paragraph = doc.add_paragraph()
        paragraph.add_run("Recommendation: ").bold = True
        paragraph.add_run(item.recommendation)
    paragraph = doc.add_paragraph()
    paragraph.add_run("Evidence: ").bold = True
    paragraph.add_run(item.evidence)
    if item.score_note:
        paragraph = doc.add_paragraph()
        paragraph.add_run("Scores: ").bold = True
        paragraph.add_run(item.score_note)
    _docx_quotes(doc, "What respondents asked for:", item.asks)
    _docx_quotes(doc, "What works:", item.praise)


def render_docx(document: Document) -> bytes:
    """recommendations.docx: headings, a theme x group table, quotes in the Quote style."""
    doc = _new_docx()
    doc.add_heading(f"Draft recommendations: {document.title}", level=1)
    if not document.drafted:
        doc.add_paragraph("No theme had enough support this round to draft a recommendation.")
    for item in document.drafted:
        _docx_item(doc, item)
    if document.praised:
        doc.add_heading("Raised in praise only (what works)", level=2)
        for item in document.praised:
            _docx_item(doc, item)
    if document.too_little:
        doc.add_heading("Too little evidence this round", level=2)
        for item in document.too_little:
            doc.add_paragraph(f"{item.label}: {item.evidence}", style="List Bullet")
    if len(document.theme_group):
        doc.add_heading("Who raised each theme", level=2)
        _docx_table(doc, document.theme_group)
    if len(document.score_table):
        doc.add_heading("Scores by group (1 = strongly disagree, 5 = strongly agree)", level=2)
        _docx_table(doc, document.score_table)
    return _docx_bytes(doc)


def render_quotes_docx(quote_table: pd.DataFrame, title: str) -> bytes:
    """A quote table as DOCX: a heading per theme, each quote in the Quote style."""
    doc = _new_docx()
    doc.add_heading(title, level=1)
    if quote_table.empty:
        doc.add_paragraph("No quotes match.")
    for label, rows in quote_table.groupby("label", sort=False):
        doc.add_heading(str(label), level=2)
        _docx_quotes(doc, "", [Quote(" ".join(str(r.quote).split()), str(r.group),
                                     str(r.comment_id)) for r in rows.itertuples(index=False)])
    return _docx_bytes(doc)
