"""Read survey exports into raw string tables (I/O lives here, not in the stages).

Every text cell is read as a string with ``keep_default_na=False``: "N/A", "None" and
"No" are answers, not missing values. Each raw table gets ``_source`` (file name) and
``_row`` (the row number a spreadsheet shows; the header is row 1).
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.errors import DataError, one_of

SUPPORTED = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".jsonl", ".ndjson", ".parquet")


@dataclass(frozen=True)
class RawTable:
    """A raw export and how it was read."""

    frame: pd.DataFrame
    path: str
    encoding: str | None
    delimiter: str | None


def read_table(path: str | Path, encoding: str = "auto", sheet: str | int | None = None) -> RawTable:
    """Read one export; raise DataError naming the file and the fix when it cannot."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: file not found; check the path", code="D001")
    if path.is_dir():
        raise DataError(f"{path}: is a folder; give a survey export file", code="D001")
    suffix = path.suffix.lower()
    encoding_used: str | None = None
    delimiter: str | None = None
    if suffix in (".csv", ".tsv", ".txt"):
        raw = path.read_bytes()
        text, encoding_used = decode(raw, encoding, path)
        delimiter = "\t" if suffix == ".tsv" else sniff_delimiter(text)
        try:
            frame = pd.read_csv(
                io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False,
                na_filter=False, skip_blank_lines=True, engine="python",
            )
        except pd.errors.EmptyDataError:
            raise DataError(f"{path}: the file is empty; export the survey again", code="D003") from None
        except (pd.errors.ParserError, csv.Error) as exc:
            raise DataError(f"{path}: cannot parse as CSV ({exc}); check the delimiter and quoting",
                            code="D001") from None
    elif suffix in (".xlsx", ".xlsm"):
        try:
            frame = pd.read_excel(path, sheet_name=sheet if sheet is not None else 0, dtype=str,
                                  keep_default_na=False, na_filter=False)
        except ValueError as exc:
            raise DataError(f"{path}: {exc}; choose a sheet with --sheet", code="D001") from None
    elif suffix in (".jsonl", ".ndjson"):
        try:
            frame = pd.read_json(path, lines=True, dtype=False)
        except ValueError as exc:
            raise DataError(f"{path}: not valid JSON Lines ({exc}); one JSON object per line",
                            code="D001") from None
        frame = _stringify(frame)
    elif suffix == ".parquet":
        frame = _stringify(pd.read_parquet(path))
    else:
        raise DataError(f"{path}: unsupported format '{suffix}'; use one of {one_of(SUPPORTED)}",
                        code="D004")
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.assign(_source=path.name, _row=range(2, len(frame) + 2))
    return RawTable(frame=frame.reset_index(drop=True), path=str(path), encoding=encoding_used,
                    delimiter=delimiter)


def decode(raw: bytes, encoding: str, path: Path) -> tuple[str, str]:
    """Decode bytes: a BOM wins, then UTF-8, then cp1252 (Excel's 'CSV' on Windows)."""
    if encoding and encoding != "auto":
        try:
            return raw.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise DataError(f"{path}: cannot decode as {encoding} ({exc}); try --encoding auto",
                            code="D005") from None
    if raw.startswith(codecs.BOM_UTF8):
        return raw.decode("utf-8-sig"), "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16"), "utf-16"
    for candidate in ("utf-8", "cp1252"):
        try:
            return raw.decode(candidate), candidate
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1"), "latin-1"


def sniff_delimiter(text: str) -> str:
    """Pick ',', ';', tab or '|' from the first lines; ',' when unsure."""
    sample = text[:65536]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _stringify(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells as strings: missing -> '', numbers kept as written."""
    def cell(value: object) -> str:
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    return frame.apply(lambda column: column.map(cell)).astype(object)
