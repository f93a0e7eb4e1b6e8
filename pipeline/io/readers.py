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

from pipeline.errors import DataError, one_of
from pipeline.io import xlsx_reader

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
               wanted: Sequence[str] = (), delimiter: str | None = None,
               max_rows: int | None = None) -> RawTable:
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
                              delimiter=delimiter, max_rows=max_rows)
        elif suffix in (".xlsx", ".xlsm"):
            table = _read_xlsx(path, sheet, wanted, max_rows)
        elif suffix in (".jsonl", ".ndjson"):
            table = _read_jsonl(path, encoding, max_rows)
        else:
            table = _read_parquet(path)
            check_row_limit(path, len(table.frame), max_rows)
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
              delimiter: str | None = None, max_rows: int | None = None) -> RawTable:
    raw = path.read_bytes()
    if not raw.strip():
        raise DataError(f"{path}: the file is empty; export the survey again", code="D003")
    text, encoding_used = decode(raw, encoding, path)
    text = text.replace("\x00", "")  # NUL bytes stop the CSV parser; clean drops control chars
    if not text.strip():
        raise DataError(f"{path}: the file is empty; export the survey again", code="D003")
    header_line = csv_header_line(text, wanted)
    if delimiter is None:
        delimiter = "\t" if tab else sniff_delimiter(text.split("\n", header_line)[-1])
    # parsed from UTF-8 bytes, not a StringIO (which holds 4 bytes a character: 600 MB more for
    # a 150 MB export of a million answers); the file's own bytes are let go first
    del raw
    data = io.BytesIO(text.encode("utf-8"))
    del text
    try:
        header = pd.read_csv(data, sep=delimiter, header=None, nrows=1, dtype=str,
                             keep_default_na=False, skiprows=header_line, engine="c",
                             encoding="utf-8")
        check_duplicate_headers(header.iloc[0].tolist() if len(header) else [], path)
        data.seek(0)
        frame = pd.read_csv(data, sep=delimiter, dtype=str, keep_default_na=False,
                            na_filter=False, skip_blank_lines=True, engine="c", encoding="utf-8",
                            skiprows=header_line, nrows=None if max_rows is None else max_rows + 1)
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: the file is empty; export the survey again", code="D003") from None
    except pd.errors.ParserError as exc:
        detail = str(exc).removeprefix("Error tokenizing data. C error: ").strip()
        raise DataError(f"{path}: cannot parse as CSV with delimiter {delimiter!r} ({detail}); "
                        "check that row's quoting, or that every row has the header's columns",
                        code="D040") from None
    check_row_limit(path, len(frame), max_rows)
    # pandas' own string dtype under pandas 3 (a third of the memory of str objects)
    return RawTable(frame=frame, path=str(path), encoding=encoding_used,
                    delimiter=delimiter, header_row=header_line + 1)


def check_row_limit(path: Path, rows: int, max_rows: int | None) -> None:
    if max_rows is not None and rows > max_rows:
        raise DataError(f"{path}: more than {max_rows:,} rows; raise input.advanced.max_rows in "
                        "pipeline.yaml if this is really one round, or split the export",
                        code="D049")


def csv_header_line(text: str, wanted: Sequence[str]) -> int:
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


def _read_xlsx(path: Path, sheet: str | int | None, wanted: Sequence[str],
               max_rows: int | None = None) -> RawTable:
    workbook = xlsx_reader.open_workbook(path)
    try:
        names = [str(n) for n in workbook.sheetnames]
        chosen = xlsx_reader.choose_sheet(path, workbook, sheet, wanted)
        rows = xlsx_reader.read_rows(path, workbook[chosen], max_rows)
    finally:
        workbook.close()
    width = max((len(r) for r in rows), default=0)
    grid = stringify(pd.DataFrame([r + [None] * (width - len(r)) for r in rows], dtype=object))
    if grid.empty or not (grid != "").to_numpy().any():
        raise DataError(f"{path}: sheet '{chosen}' is empty; choose the sheet with the answers "
                        f"with --sheet (sheets: {one_of(names)})", code="D003")
    header_index = find_header_row(grid, wanted)
    header = _unique_columns(grid.iloc[header_index].tolist(), path)
    frame = grid.iloc[header_index + 1:].reset_index(drop=True)
    frame.columns = header
    first_row = header_index + 2
    frame = frame.assign(_row=range(first_row, first_row + len(frame)))
    blank = (frame.drop(columns="_row") == "").all(axis=1)
    return RawTable(frame=frame[~blank], path=str(path), encoding=None, delimiter=None,
                    sheet=chosen, header_row=header_index + 1)


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


def _unique_columns(values: list[object], path: Path) -> list[str]:
    """Header names; a blank header becomes ``Unnamed: <n>``; a repeated one is an error."""
    check_duplicate_headers(values, path)
    return [str(v).strip() or f"Unnamed: {position}" for position, v in enumerate(values)]


def check_duplicate_headers(values: Sequence[object], path: Path) -> None:
    """Raise D051 naming both columns when two columns carry the same (non-blank) header:
    one of them would otherwise be dropped or renamed without a word."""
    seen: dict[str, int] = {}
    for position, value in enumerate(values, start=1):
        name = "" if value is None else str(value).strip()
        if not name:
            continue
        if name in seen:
            raise DataError(f"{path}: columns {seen[name]} and {position} are both headed "
                            f"'{name}'; rename one so every column has its own header",
                            code="D051")
        seen[name] = position


# --------------------------------------------------------------------------- JSONL, Parquet


MAX_JSON_DEPTH = 20


def nesting_depth(value: object) -> int:
    """How deeply lists and objects nest in a parsed JSON value (iterative: no recursion)."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth + 1)
            if depth + 1 <= MAX_JSON_DEPTH:
                stack.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict)
                                                      else item))
    return deepest


def _read_jsonl(path: Path, encoding: str, max_rows: int | None = None) -> RawTable:
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
        except RecursionError:
            raise DataError(f"{path} line {number}: JSON nested too deeply to read; write one "
                            "flat object per line", code="D043") from None
        if nesting_depth(record) > MAX_JSON_DEPTH:
            raise DataError(f"{path} line {number}: JSON nested more than {MAX_JSON_DEPTH} "
                            "levels deep; write one flat object per line", code="D043")
        if not isinstance(record, dict):
            raise DataError(f"{path} line {number}: a JSON {type(record).__name__}, not an object; "
                            'write one object per line, e.g. {"id": "R1", "comment": "..."}',
                            code="D043")
        records.append(record)
        rows.append(number)
        check_row_limit(path, len(records), max_rows)
    if not records:
        raise DataError(f"{path}: the file is empty; export the survey again", code="D003")
    frame = stringify(pd.DataFrame.from_records(records)).assign(_row=rows)
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
    return RawTable(frame=stringify(frame), path=str(path), encoding=None, delimiter=None)


def stringify(frame: pd.DataFrame) -> pd.DataFrame:
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
