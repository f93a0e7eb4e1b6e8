"""Read survey exports into raw string tables (I/O lives here, not in the stages).

Every text cell is read as a string with ``keep_default_na=False``: "N/A", "None" and
"No" are answers, not missing values. Each raw table gets ``_source`` (file name) and
``_row`` (the row number a spreadsheet shows; the header is row 1, or lower when a title
sits above it; for JSON Lines, the line number).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.errors import DataError, did_you_mean, one_of

SUPPORTED = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".jsonl", ".ndjson", ".parquet")
DELIMITERS = (",", ";", "\t", "|")
SNIFF_LINES = 50  # lines the delimiter sniffer reads
HEADER_SEARCH_ROWS = 30


@dataclass(frozen=True)
class RawTable:
    """A raw export and how it was read."""

    frame: pd.DataFrame
    path: str
    encoding: str | None
    delimiter: str | None
    sheet: str | None = None
    header_row: int = 1


def read_table(path: str | Path, encoding: str = "auto", sheet: str | int | None = None,
               wanted: Sequence[str] = (), delimiter: str | None = None) -> RawTable:
    """Read one export; raise DataError naming the file and the fix when it cannot.

    ``wanted`` (the configured column names) finds the header row of a spreadsheet with a
    title above it, and the sheet of a workbook when ``sheet`` is not given. ``delimiter``
    fixes a CSV's separator instead of sniffing it.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: file not found; check the path", code="D001")
    if path.is_dir():
        raise DataError(f"{path}: is a folder; give a survey export file", code="D001")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        hint = "; save it from Excel as .xlsx" if suffix == ".xls" else ""
        raise DataError(f"{path}: unsupported format '{suffix}'; use one of {one_of(SUPPORTED)}"
                        f"{hint}", code="D004")
    try:
        if suffix in (".csv", ".tsv", ".txt"):
            table = _read_csv(path, encoding, tab=suffix == ".tsv", wanted=wanted,
                              delimiter=delimiter)
        elif suffix in (".xlsx", ".xlsm"):
            table = _read_xlsx(path, sheet, wanted)
        elif suffix in (".jsonl", ".ndjson"):
            table = _read_jsonl(path, encoding)
        else:
            table = _read_parquet(path)
    except OSError as exc:  # permissions, a file locked by Excel, a vanished network drive
        reason = exc.strerror or exc.__class__.__name__
        raise DataError(f"{path}: cannot read the file ({reason}); check it exists, is not "
                        "open in another program and that you may read it", code="D001") from None
    frame = table.frame
    frame.columns = [str(c).strip() for c in frame.columns]
    if "_row" not in frame.columns:
        frame = frame.assign(_row=range(table.header_row + 1, len(frame) + table.header_row + 1))
    frame = frame.assign(_source=path.name)
    return RawTable(frame=frame.reset_index(drop=True), path=str(path), encoding=table.encoding,
                    delimiter=table.delimiter, sheet=table.sheet, header_row=table.header_row)


# --------------------------------------------------------------------------- CSV


def _read_csv(path: Path, encoding: str, tab: bool, wanted: Sequence[str] = (),
              delimiter: str | None = None) -> RawTable:
    raw = path.read_bytes()
    if not raw.strip():
        raise DataError(f"{path}: the file is empty; export the survey again", code="D003")
    text, encoding_used = decode(raw, encoding, path)
    text = text.replace("\x00", "")  # NUL bytes stop the CSV parser; clean drops control chars
    if not text.strip():
        raise DataError(f"{path}: the file is empty; export the survey again", code="D003")
    header_line = _csv_header_line(text, wanted)
    if delimiter is None:
        delimiter = "\t" if tab else sniff_delimiter(text.split("\n", header_line)[-1])
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False,
                            na_filter=False, skip_blank_lines=True, engine="c",
                            skiprows=header_line)
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: the file is empty; export the survey again", code="D003") from None
    except pd.errors.ParserError as exc:
        detail = str(exc).removeprefix("Error tokenizing data. C error: ").strip()
        raise DataError(f"{path}: cannot parse as CSV with delimiter {delimiter!r} ({detail}); "
                        "check that row's quoting, or that every row has the header's columns",
                        code="D040") from None
    return RawTable(frame=frame.astype(object), path=str(path), encoding=encoding_used,
                    delimiter=delimiter, header_row=header_line + 1)


def _csv_header_line(text: str, wanted: Sequence[str]) -> int:
    """0-based line of the header: the first of the top lines naming every configured
    column (a title line may sit above it); 0 when none does."""
    if not wanted:
        return 0
    for index, line in enumerate(text.split("\n", HEADER_SEARCH_ROWS)[:HEADER_SEARCH_ROWS]):
        if all(str(column) in line for column in wanted):
            return index
    return 0


def decode(raw: bytes, encoding: str, path: Path) -> tuple[str, str]:
    """Decode bytes: a BOM wins, then UTF-16 by its zero bytes, then UTF-8, then cp1252
    (Excel's 'CSV' on Windows; a superset of latin-1's letters); ``encoding`` overrides."""
    if encoding and encoding != "auto":
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise DataError(f"{path}: unknown encoding '{encoding}'; use auto or one of "
                            "'utf-8', 'utf-16', 'cp1252', 'latin-1'", code="D005") from None
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            line = raw[:exc.start].count(b"\n") + 1
            raise DataError(f"{path} line {line}: cannot decode as {encoding} (byte {exc.start}: "
                            f"{exc.reason}); try --encoding auto", code="D005") from None
    if raw.startswith(codecs.BOM_UTF8):
        return raw.decode("utf-8-sig"), "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_utf16(raw, "utf-16", path), "utf-16"
    utf16 = _utf16_without_bom(raw)
    if utf16:
        return _decode_utf16(raw, utf16, path), utf16
    for candidate in ("utf-8", "cp1252"):
        try:
            return raw.decode(candidate), candidate
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1"), "latin-1"


def _utf16_without_bom(raw: bytes) -> str | None:
    """'utf-16-le' or '-be' when zero bytes fill every other byte of mostly-ASCII text."""
    sample = raw[:4096]
    if len(sample) < 4 or sample.count(0) < len(sample) // 3:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd > 2 * even:
        return "utf-16-le"
    if even > 2 * odd:
        return "utf-16-be"
    return None


def _decode_utf16(raw: bytes, encoding: str, path: Path) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: looks like UTF-16 but byte {exc.start} cannot be decoded "
                        f"({exc.reason}); export it again or pass --encoding", code="D005") from None


def sniff_delimiter(text: str) -> str:
    """The field separator of a CSV: ``csv.Sniffer`` over the first lines, choosing among ',',
    ';', tab and '|' and respecting quotes (a comma inside a quoted header is not a separator).
    When the sniffer cannot decide: the most frequent of them outside quotes on the header."""
    lines = [line for line in text.splitlines() if line.strip()][:SNIFF_LINES]
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        pass
    header = re.sub(r'"[^"]*"', "", lines[0]) if lines else ""
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


# --------------------------------------------------------------------------- XLSX


def _read_xlsx(path: Path, sheet: str | int | None, wanted: Sequence[str]) -> RawTable:
    try:
        workbook = pd.ExcelFile(path, engine="openpyxl")
    except OSError:
        raise
    except Exception as exc:  # noqa: BLE001 - BadZipFile, openpyxl's InvalidFileException, ...
        raise DataError(f"{path}: cannot open as an Excel workbook ({exc.__class__.__name__}); "
                        "save it from Excel as .xlsx, or export CSV", code="D041") from None
    with workbook:
        names = [str(n) for n in workbook.sheet_names]
        chosen = _choose_sheet(path, names, sheet, workbook, wanted)
        grid = workbook.parse(chosen, header=None, dtype=object, keep_default_na=False,
                              na_filter=False)
    grid = _stringify(grid)
    if grid.empty or not (grid != "").to_numpy().any():
        raise DataError(f"{path}: sheet '{chosen}' is empty; choose the sheet with the answers "
                        f"with --sheet (sheets: {one_of(names)})", code="D003")
    header_index = find_header_row(grid, wanted)
    header = _unique_columns(grid.iloc[header_index].tolist())
    frame = grid.iloc[header_index + 1:].reset_index(drop=True)
    frame.columns = header
    first_row = header_index + 2
    frame = frame.assign(_row=range(first_row, first_row + len(frame)))
    blank = (frame.drop(columns="_row") == "").all(axis=1)
    return RawTable(frame=frame[~blank], path=str(path), encoding=None, delimiter=None,
                    sheet=chosen, header_row=header_index + 1)


def _choose_sheet(path: Path, names: list[str], sheet: str | int | None, workbook,
                  wanted: Sequence[str]) -> str:
    if sheet is not None and str(sheet).strip().lstrip("-").isdigit() and str(sheet) not in names:
        index = int(sheet)
        if not 0 <= index < len(names):
            raise DataError(f"{path}: there is no sheet number {index} (sheets are numbered from "
                            f"0: {one_of(names)}); fix --sheet", code="D042")
        return names[index]
    if sheet is not None:
        if str(sheet) in names:
            return str(sheet)
        raise DataError(f"{path}: no sheet '{sheet}'{did_you_mean(str(sheet), names)}; "
                        f"sheets: {one_of(names)}; fix --sheet", code="D042")
    if len(names) == 1 or not wanted:
        return names[0]
    for name in names:  # the first sheet that carries the configured columns
        top = _stringify(workbook.parse(name, header=None, nrows=HEADER_SEARCH_ROWS, dtype=object,
                                        keep_default_na=False, na_filter=False))
        cells = {str(v).strip() for v in top.to_numpy().ravel()}
        if all(column in cells for column in wanted):
            return name
    return names[0]


def find_header_row(grid: pd.DataFrame, wanted: Sequence[str]) -> int:
    """Index of the header row: the first row naming most configured columns; without any,
    the first row with as many filled cells as the fullest row (a title row has one)."""
    top = grid.head(HEADER_SEARCH_ROWS)
    wanted_set = {str(w).strip() for w in wanted}
    hits = [len(wanted_set & {str(v).strip() for v in row}) for row in top.to_numpy()]
    if hits and max(hits) > 0:
        return hits.index(max(hits))
    filled = [(row != "").sum() for row in top.to_numpy()]
    return filled.index(max(filled)) if filled else 0


def _unique_columns(values: list[object]) -> list[str]:
    seen: dict[str, int] = {}
    columns = []
    for position, value in enumerate(values):
        name = str(value).strip() or f"Unnamed: {position}"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name] - 1}"
        else:
            seen[name] = 1
        columns.append(name)
    return columns


# --------------------------------------------------------------------------- JSONL, Parquet


def _read_jsonl(path: Path, encoding: str) -> RawTable:
    text, encoding_used = decode(path.read_bytes(), encoding, path)
    records, rows = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(f"{path} line {number}: not valid JSON ({exc.msg} at column "
                            f"{exc.colno}); write one JSON object per line", code="D043") from None
        if not isinstance(record, dict):
            raise DataError(f"{path} line {number}: a JSON {type(record).__name__}, not an object; "
                            'write one object per line, e.g. {"id": "R1", "comment": "..."}',
                            code="D043")
        records.append(record)
        rows.append(number)
    if not records:
        raise DataError(f"{path}: the file is empty; export the survey again", code="D003")
    frame = _stringify(pd.DataFrame.from_records(records)).assign(_row=rows)
    return RawTable(frame=frame, path=str(path), encoding=encoding_used, delimiter=None)


def _read_parquet(path: Path) -> RawTable:
    try:
        frame = pd.read_parquet(path)
    except OSError:
        if path.stat().st_size == 0:
            raise DataError(f"{path}: the file is empty; export the survey again",
                            code="D003") from None
        raise DataError(f"{path}: not a readable Parquet file; export it again", code="D041") from None
    except Exception as exc:  # noqa: BLE001 - pyarrow.ArrowInvalid and friends
        raise DataError(f"{path}: not a readable Parquet file ({exc.__class__.__name__}); "
                        "export it again", code="D041") from None
    return RawTable(frame=_stringify(frame), path=str(path), encoding=None, delimiter=None)


def _stringify(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells as strings: missing -> '', whole floats without '.0', lists and dicts as JSON."""
    def cell(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        if isinstance(value, bytes):
            return value.decode("utf-8", errors="replace")
        if isinstance(value, dict | list | tuple):
            return json.dumps(value, ensure_ascii=False, default=str)
        if hasattr(value, "tolist") and not isinstance(value, int | float):
            return json.dumps(value.tolist(), ensure_ascii=False, default=str)
        if isinstance(value, float) and math.isnan(value):
            return ""
        if value is pd.NaT:
            return ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    return pd.DataFrame({column: [cell(v) for v in frame[column].tolist()]
                         for column in frame.columns}, dtype=object)
