"""Read an XLSX export in streaming mode, with limits.

The workbook is a zip: before anything is parsed, the members' sizes are checked so a small
file that inflates to gigabytes (a zip bomb) is refused. Sheets are read row by row
(openpyxl's read-only mode), and reading stops with an error as soon as a sheet has more
rows than ``input.advanced.max_rows``.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path

from pipeline.errors import DataError, one_of

MAX_UNCOMPRESSED_BYTES = 2_000_000_000  # 2 GB of XML: far above any survey export
MAX_RATIO = 200  # XML compresses 5-20 times; hundreds of times is a crafted file
HEADER_SEARCH_ROWS = 30


def check_zip(path: Path) -> None:
    """Raise D048 when the workbook would inflate beyond the limits; D041 when it is not a
    zip at all."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile) as exc:
        raise DataError(f"{path}: cannot open as an Excel workbook ({exc.__class__.__name__}); "
                        "save it from Excel as .xlsx, or export CSV", code="D041") from None
    total = sum(info.file_size for info in infos)
    packed = max(1, sum(info.compress_size for info in infos))
    if total > MAX_UNCOMPRESSED_BYTES:
        why = f"over the {MAX_UNCOMPRESSED_BYTES:,}-byte limit"
    elif total > 10_000_000 and total / packed > MAX_RATIO:
        why = f"over {MAX_RATIO} times its packed size"
    else:
        return
    raise DataError(f"{path}: the workbook would inflate to {total:,} bytes, {why}; refused "
                    "as a possible zip bomb; export the answers as CSV", code="D048")


def open_workbook(path: Path):
    """The workbook in read-only (streaming) mode, after the zip check."""
    check_zip(path)
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl's InvalidFileException, KeyError, ...
        raise DataError(f"{path}: cannot open as an Excel workbook ({exc.__class__.__name__}); "
                        "save it from Excel as .xlsx, or export CSV", code="D041") from None


def read_rows(path: Path, sheet, max_rows: int | None, limit_rows: int | None = None) -> list[list]:
    """The sheet's rows as lists of cell values; D049 past ``max_rows`` rows (header and title
    rows included). ``limit_rows`` reads only the top rows (no error)."""
    declared = getattr(sheet, "max_row", None)
    if max_rows is not None and limit_rows is None and declared and declared > max_rows + 1:
        _too_many(path, sheet.title, max_rows, f"the sheet declares {declared:,} rows")
    rows = []
    for values in sheet.iter_rows(values_only=True):
        rows.append(list(values))
        if limit_rows is not None and len(rows) >= limit_rows:
            break
        if max_rows is not None and len(rows) > max_rows + HEADER_SEARCH_ROWS:
            _too_many(path, sheet.title, max_rows, "reading stopped there")
    return rows


def _too_many(path: Path, title: str, max_rows: int, detail: str) -> None:
    raise DataError(f"{path}: sheet '{title}' has more than {max_rows:,} rows ({detail}); "
                    "raise input.advanced.max_rows in pipeline.yaml if this is really one round, "
                    "or split the export", code="D049")


def choose_sheet(path: Path, workbook, sheet: str | int | None, wanted: Sequence[str]) -> str:
    """The sheet named or numbered by ``sheet``, else the first carrying the configured
    columns in its top rows, else the first."""
    from pipeline.errors import did_you_mean

    names = [str(n) for n in workbook.sheetnames]
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
    for name in names:
        top = read_rows(path, workbook[name], None, limit_rows=HEADER_SEARCH_ROWS)
        cells = {str(v).strip() for row in top for v in row if v is not None}
        if all(column in cells for column in wanted):
            return name
    return names[0]
