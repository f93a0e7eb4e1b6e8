"""``theming quotes``: a filtered quote table from a finished run folder.

Reads the run's ``quotes.csv`` (the chosen quotes) or, with ``--all``, its
``theme_comments.csv`` (every comment carrying each theme, with stance, layer and scores);
never re-runs anything. Filters by theme id, group and stance, and renders CSV, Markdown,
XLSX or DOCX. Unknown themes, groups or stances are errors that list the valid ones and
suggest the closest.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from pipeline.drafting.quotes import respondent_numbers
from pipeline.errors import DataError, did_you_mean, one_of
from pipeline.io.dtypes import blank_missing
from pipeline.outputs.document import quote_list

FORMATS = ("csv", "xlsx", "docx", "md")
BINARY = ("xlsx", "docx")
QUOTES_FILE = "quotes.csv"
ALL_FILE = "theme_comments.csv"
STANCES = ("ask", "praise", "neutral")
MANIFEST_FILE = "manifest.json"
ANSWERS_FILE = "comment_themes.csv"  # one row per answer, in the input's order


def load_quote_table(run_dir: str | Path, every_comment: bool = False) -> pd.DataFrame:
    """The run's quote table (``every_comment``: every comment carrying each theme, with
    ``respondent``, the short number the report quotes by, added); DataError D030 if
    ``run_dir`` is not a finished run folder."""
    folder = Path(run_dir)
    name = ALL_FILE if every_comment else QUOTES_FILE
    if not folder.is_dir() or not (folder / MANIFEST_FILE).exists():
        raise DataError(f"{folder}: not a run folder (no {MANIFEST_FILE}); give the folder "
                        "that 'theming run' wrote, e.g. data/runs/survey_round", code="D030")
    if not (folder / name).exists():
        raise DataError(f"{folder}: the run has no {name}; re-run 'theming run' with this "
                        "version to write it", code="D030")
    table = pd.read_csv(folder / name, dtype=str, keep_default_na=False)
    if "respondent" not in table.columns and (folder / ANSWERS_FILE).exists():
        # the short numbers the report quotes by, from the answers in the input's order
        order = pd.read_csv(folder / ANSWERS_FILE, dtype=str, keep_default_na=False,
                            usecols=["respondent_id"])["respondent_id"]
        numbers = respondent_numbers(order)
        where = table.columns.get_loc("respondent_id") + 1
        table.insert(where, "respondent", blank_missing(table["respondent_id"].map(numbers)))
    return table


def _check(wanted: list[str], known: list[str], what: str, flag: str) -> None:
    for value in wanted:
        if value not in known:
            raise DataError(f"unknown {what} '{value}'{did_you_mean(value, known)}; {flag} takes "
                            f"one of {one_of(known) or 'none (the run has no quotes)'}",
                            code="D031")


def filter_quotes(table: pd.DataFrame, themes: list[str] | None = None,
                  groups: list[str] | None = None,
                  stances: list[str] | None = None) -> pd.DataFrame:
    """Rows for the given theme ids, groups and stances (all when none given), in the run's
    order."""
    themes, groups, stances = list(themes or []), list(groups or []), list(stances or [])
    _check(themes, list(dict.fromkeys(table["theme"])), "theme", "--theme")
    _check(groups, sorted(set(table["group"])), "group", "--group")
    _check(stances, list(STANCES), "stance", "--stance")
    keep = pd.Series(True, index=table.index)
    if themes:
        keep &= table["theme"].isin(themes)
    if groups:
        keep &= table["group"].isin(groups)
    if stances:
        keep &= table["stance"].isin(stances)
    return table[keep].reset_index(drop=True)


def render_quotes(table: pd.DataFrame, fmt: str, title: str = "Quotes") -> bytes:
    """The table in ``fmt`` (csv, md, xlsx, docx) as bytes."""
    from pipeline.io import writers
    from pipeline.outputs import docx, xlsx

    if fmt not in FORMATS:
        raise DataError(f"unknown format '{fmt}'{did_you_mean(fmt, FORMATS)}; use one of "
                        f"{one_of(FORMATS)}", code="D032")
    if fmt == "csv":
        return writers.safe_frame(table).to_csv(index=False, lineterminator="\n").encode("utf-8")
    if fmt == "md":
        from pipeline.outputs.markdown import quotes_md

        lines = [f"# {title}", ""]
        for label, rows in table.groupby("label", sort=False):
            lines += [f"## {label}", ""]
            for heading, part in xlsx.stance_groups(rows):
                lines += quotes_md(heading, quote_list(part))
        return ("\n".join(lines).rstrip("\n") + "\n").encode("utf-8")
    if fmt == "docx":
        return docx.render_quotes_docx(table, title)
    buffer = io.BytesIO()
    with_numbers = table.copy()
    for column in table.columns:  # ranks and scores as numbers, so a sheet can sort them
        if column not in ("quote", "text", "comment_id", "respondent_id", "group", "question"):
            numbers = pd.to_numeric(table[column].where(table[column] != ""), errors="coerce")
            if numbers.notna().sum() == (table[column] != "").sum() and numbers.notna().any():
                with_numbers[column] = numbers
    writers.xlsx_to(buffer, xlsx.quote_sheets(with_numbers))
    return buffer.getvalue()
