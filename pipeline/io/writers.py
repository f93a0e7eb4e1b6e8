"""Write outputs safely: atomically (temp file + rename), spreadsheet cells never formulas."""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# What a spreadsheet may skip before reading a cell as a formula: spaces, controls, BOM.
LEADING_JUNK = re.compile(r"^[\s\x00-\x1f\x7f\u00a0\u200b-\u200f\u2028-\u202f\ufeff]+")
FIXED_TIME = dt.datetime(2000, 1, 1)
SHEET_BAD = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]")
NAME_BAD = re.compile(r"[^A-Za-z0-9_.-]+")
RESERVED_NAMES = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                            *(f"lpt{i}" for i in range(1, 10))})


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` then move tmp over ``path``; a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o666 & ~current_umask())  # mkstemp makes 0600; outputs are shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def is_partial(name: str) -> bool:
    """Whether a file name is one of ``atomic_write``'s temporary files (``.NAME.XXXX.tmp``):
    what a run killed while writing leaves behind."""
    return name.startswith(".") and name.endswith(".tmp")


def remove_partial_writes(folder: Path) -> list[str]:
    """Delete the temporary files killed writes left in ``folder`` and its subfolders (call
    it only while holding the folder's lock); -> their paths, relative to ``folder``."""
    removed = []
    if not folder.is_dir():
        return removed
    for path in sorted(folder.rglob(".*.tmp")):
        if path.is_file() and not path.is_symlink() and is_partial(path.name):
            path.unlink(missing_ok=True)
            removed.append(path.relative_to(folder).as_posix())
    return removed


def current_umask() -> int:
    """The process umask (read by setting it and putting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_text(path: Path, text: str) -> None:
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_bytes(path: Path, data: bytes) -> None:
    atomic_write(path, lambda tmp: tmp.write_bytes(data))


def neutralise(value: object) -> object:
    """Prefix a text cell that a spreadsheet would run as a formula with an apostrophe,
    also when spaces, control characters or a BOM come before the ``=``, ``+``, ``-``, ``@``."""
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(FORMULA_START) or LEADING_JUNK.sub("", value).startswith(FORMULA_START):
        return "'" + value
    return value


@functools.lru_cache(maxsize=1)
def _risky_first() -> frozenset[str]:
    """Every character a cell ``neutralise`` changes can start with: a formula start, or
    what a spreadsheet skips before one (all of them below U+3001, or listed)."""
    listed = [chr(i) for i in range(0x3001)] + ["\ufeff", *FORMULA_START]
    return frozenset(c for c in listed if c.startswith(FORMULA_START) or LEADING_JUNK.match(c))


def _neutralised(column: pd.Series) -> pd.Series:
    """``column.map(neutralise)`` as objects, calling ``neutralise`` only on the cells whose
    first character could make them a formula (a handful in a table of thousands); for
    Arrow-backed text those cells are found by Arrow, without a Python step per cell."""
    risky = _risky_first()
    if getattr(column.dtype, "storage", None) == "pyarrow":
        import pyarrow as pa
        import pyarrow.compute as pc

        first = pc.utf8_slice_codeunits(column.array.__arrow_array__(), 0, 1)
        found = pc.is_in(first, value_set=pa.array(sorted(risky), type=first.type))
        values = column.astype(object)
        for index in np.flatnonzero(np.array(found, dtype=np.bool_)):
            values.iat[index] = neutralise(values.iat[index])
        return values
    values = column.tolist()
    for index, value in enumerate(values):
        if isinstance(value, str) and value[:1] in risky:
            values[index] = neutralise(value)
    return pd.Series(values, index=column.index, name=column.name, dtype=object)


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every text cell and column name neutralised, whatever the column's dtype."""
    safe = frame.rename(columns=lambda c: neutralise(str(c)))
    return safe.apply(lambda column: column if pd.api.types.is_numeric_dtype(column)
                      else _neutralised(column)).astype(
        {c: object for c in safe.columns if not pd.api.types.is_numeric_dtype(safe[c])})


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    atomic_write(path, lambda tmp: safe_frame(frame).to_csv(tmp, index=False, encoding="utf-8",
                                                            lineterminator="\n"))


def safe_name(text: str, fallback: str = "output") -> str:
    """A file or folder name from user data: letters, digits, '_', '.', '-' only; no leading
    dot, no '..', no Windows device name, at most 80 characters."""
    name = NAME_BAD.sub("_", str(text)).strip("._-")[:80].strip("._-")
    name = re.sub(r"\.{2,}", ".", name)
    if not name or name.lower().split(".")[0] in RESERVED_NAMES:
        name = f"{fallback}_{name}" if name else fallback
    return name


def write_parquet(path: Path, frame: pd.DataFrame) -> None:
    atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False))


def sheet_name(name: str, used: set[str]) -> str:
    """An Excel-legal, unique sheet name (no []:*?/\\, no edge apostrophes, <= 31 chars)."""
    base = SHEET_BAD.sub("_", str(name)).strip().strip("'")[:31].strip("'") or "sheet"
    if base.lower() == "history":  # reserved by Excel
        base = "history_"
    candidate, n = base, 2
    while candidate.lower() in used:
        suffix = f"_{n}"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate.lower())
    return candidate


def xlsx_to(target, sheets: dict[str, pd.DataFrame]) -> None:
    """Write ``sheets`` as XLSX to a path or binary file object; strings never formulas."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(target if not isinstance(target, Path) else str(target),
                                   {"strings_to_formulas": False, "strings_to_urls": False,
                                    "in_memory": True})
    workbook.set_properties({"created": FIXED_TIME})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    bold = workbook.add_format({"bold": True})
    used: set[str] = set()
    for name, frame in sheets.items():
        sheet = workbook.add_worksheet(sheet_name(name, used))
        for col, column in enumerate(frame.columns):
            sheet.write_string(0, col, str(neutralise(str(column))), bold)
            width = 60 if column in ("quote", "text") else 16
            sheet.set_column(col, col, width, wrap if width == 60 else None)
        for row, values in enumerate(frame.itertuples(index=False), start=1):
            for col, value in enumerate(values):
                if isinstance(value, int | float) and not isinstance(value, bool) \
                        and not pd.isna(value):
                    sheet.write_number(row, col, value)
                else:
                    sheet.write_string(row, col, str(neutralise("" if value is None else value)))
        sheet.freeze_panes(1, 0)
        if len(frame.columns):  # filter buttons on the header row
            sheet.autofilter(0, 0, len(frame), len(frame.columns) - 1)
    workbook.close()


def write_xlsx(path: Path, sheets: dict[str, pd.DataFrame]) -> None:
    """One sheet per entry; strings are written as strings (never formulas); reproducible."""
    atomic_write(path, lambda tmp: xlsx_to(tmp, sheets))
