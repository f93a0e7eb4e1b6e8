"""Cut one survey export into blocks that separate processes read on their own (``--engine
dask``), each giving exactly the rows ``readers.read_table`` gives for that stretch.

A CSV is planned by one streaming pass over its bytes in this process (memory bounded by
``CHUNK``): its SHA-256, the encoding ``readers.decode`` would choose (checked incrementally,
not by decoding the whole file at once) and the block boundaries. A boundary is a line end
outside quotes: in an ASCII-compatible encoding the quote byte is unambiguous, so a line end
with an even count of quote bytes before it ends a record; a quoted answer holding line
breaks is never cut. A file whose quote bytes do not pair up (a stray inch mark), or that
only ``readers`` can read (UTF-16, a title above the header that breaks over lines), is not
planned (``plan`` returns None) and the caller reads it whole. dask's own ``read_csv``
splits at any newline, inside quotes too, which is why the boundaries are found here.

A Parquet file is planned by its row groups (their row counts are in its footer).

Row numbers: a block knows where it starts in the file but not how many rows came before it;
``read_block`` takes the first row number once the caller has counted the earlier blocks.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import itertools
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.errors import DataError
from pipeline.io.checksums import sha256_file
from pipeline.io.dtypes import blank_missing
from pipeline.io.readers import (
    SNIFF_LINES,
    check_duplicate_headers,
    check_row_limit,
    csv_header_line,
    sniff_delimiter,
    stringify,
)

CHUNK = 1 << 24  # bytes read at a time by the planning pass
HEAD = 1 << 20  # bytes in which the header (and the lines above it) must lie
QUOTE, NEWLINE = 0x22, 0x0A
PARTITIONABLE = (".csv", ".tsv", ".txt", ".parquet")


class Unblockable(Exception):
    """A block the whole-file reader would read differently: read the file whole instead."""


@dataclass(frozen=True)
class Block:
    """One stretch of one input file: bytes ``[start, end)`` of a CSV, or row groups
    ``[start, end)`` of a Parquet file (or ``rows`` rows after ``skip`` of one large group)."""

    path: str
    kind: str  # "csv" | "parquet"
    start: int
    end: int
    columns: tuple[str, ...]
    encoding: str | None = None
    delimiter: str | None = None
    rows: int | None = None  # known before reading (Parquet)
    skip: int = 0  # Parquet: rows of the row group before this block (a large group is sliced)


@dataclass(frozen=True)
class Plan:
    """An input file cut into blocks, and what ``read_table`` would record of it."""

    path: str
    blocks: tuple[Block, ...]
    sha256: str
    encoding: str | None
    delimiter: str | None
    header_row: int
    columns: tuple[str, ...]

    @property
    def first_row(self) -> int:
        """The row number of the first data row (the header's row + 1)."""
        return self.header_row + 1


def plan(path: str | Path, *, encoding: str = "auto", wanted: Sequence[str] = (),
         delimiter: str | None = None, block_bytes: int = 1 << 24) -> Plan | None:
    """``path`` cut into blocks of about ``block_bytes`` (CSV) or a row group or more
    (Parquet); None when only ``readers.read_table`` can read it (see the module's notes).
    Raises the reader's errors for an empty file or a header problem."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in PARTITIONABLE or not path.is_file():
        return None
    if suffix == ".parquet":
        return _plan_parquet(path, block_bytes)
    return _plan_csv(path, encoding, wanted, delimiter, tab=suffix == ".tsv",
                     block_bytes=block_bytes)


def read_block(block: Block, first_row: int, source: str) -> pd.DataFrame:
    """One block as ``read_table`` gives those rows: every cell a string, ``_row`` numbered
    from ``first_row``, ``_source`` the file's name. Raises ``Unblockable`` for a block with
    a row the whole-file reader treats otherwise (wider than the header, unparseable): the
    caller reads that file whole, and the reader gives its own answer or error."""
    if block.kind == "parquet":
        import pyarrow.parquet as pq

        table = pq.ParquetFile(block.path).read_row_groups(range(block.start, block.end))
        if block.skip or (block.rows is not None and block.rows < table.num_rows):
            table = table.slice(block.skip, block.rows)
        frame = stringify(table.to_pandas())
        frame.columns = list(block.columns)
    else:
        with Path(block.path).open("rb") as handle:
            handle.seek(block.start)
            data = handle.read(block.end - block.start)
        text = data.decode(block.encoding or "utf-8").replace("\x00", "")
        del data
        if not text:
            frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in block.columns})
        else:
            with warnings.catch_warnings():
                # a row wider than the header: the whole-file reader stops at it (or, on the
                # first row, makes its first cell the index); a block must not drop cells
                warnings.simplefilter("error", pd.errors.ParserWarning)
                try:
                    frame = pd.read_csv(io.BytesIO(text.encode("utf-8")), sep=block.delimiter,
                                        header=None, names=list(block.columns), index_col=False,
                                        dtype=str, keep_default_na=False, na_filter=False,
                                        skip_blank_lines=True, engine="c", encoding="utf-8")
                except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
                    raise Unblockable(f"{block.path} bytes {block.start}-{block.end}: "
                                      f"{exc}") from None
    frame = frame.assign(_row=range(first_row, first_row + len(frame)), _source=source)
    return blank_missing(frame.reset_index(drop=True))


def check_rows(plan_: Plan, rows: int, max_rows: int | None) -> None:
    """The reader's checks on a planned file once its rows are counted."""
    if rows == 0:
        raise DataError(f"{plan_.path}: has a header but no rows; export the survey answers "
                        "too", code="D003")
    check_row_limit(Path(plan_.path), rows, max_rows)


# --------------------------------------------------------------------------- CSV


def _plan_csv(path: Path, encoding: str, wanted: Sequence[str], delimiter: str | None,
              tab: bool, block_bytes: int) -> Plan | None:
    size = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(HEAD)
    if not head.strip():
        raise DataError(f"{path}: the file is empty; export the survey again", code="D003")
    candidates = _encodings_to_try(head, encoding)
    if not candidates:
        return None
    sha, chosen = _digest_and_encoding(path, candidates)
    if chosen is None:  # not the encoding asked for: the whole-file reader names the byte
        return None
    bom = (len(codecs.BOM_UTF8) if chosen == "utf-8-sig" and head.startswith(codecs.BOM_UTF8)
           else 0)
    block_encoding = "utf-8" if chosen == "utf-8-sig" else chosen
    # the header's line and the delimiter, found as the reader finds them
    head_text = head[bom:].decode(block_encoding, errors="ignore").replace("\x00", "")
    header_line = csv_header_line(head_text, wanted)
    if size > HEAD and head_text.count("\n") <= header_line + SNIFF_LINES:
        return None  # lines so long the reader would look past HEAD to find them
    header_start = _nth_line_start(head, bom, header_line)
    if header_start is None:
        return None
    if delimiter is None:
        delimiter = "\t" if tab else sniff_delimiter(head_text.split("\n", header_line)[-1])
    ends = _cuts(path, header_start, block_bytes)
    if not ends or ends[0] > HEAD:
        # quote bytes that do not pair up, no line end at all, or a header longer than
        # HEAD: only a whole-file parse is safe
        return None
    data_start = ends[0]
    header_text = head[header_start:data_start].decode(block_encoding).replace("\x00", "")
    try:
        header = pd.read_csv(io.StringIO(header_text), sep=delimiter, header=None, nrows=1,
                             dtype=str, keep_default_na=False, engine="c")
        columns = pd.read_csv(io.StringIO(header_text), sep=delimiter, nrows=0,
                              engine="c").columns
    except (pd.errors.EmptyDataError, pd.errors.ParserError):
        return None  # let the whole-file reader name the problem
    check_duplicate_headers(header.iloc[0].tolist() if len(header) else [], path)
    columns = tuple(str(c).strip() for c in columns)
    cuts = [*ends, size]
    blocks = tuple(Block(str(path), "csv", a, b, columns, block_encoding, delimiter)
                   for a, b in itertools.pairwise(cuts) if b > a)
    return Plan(str(path), blocks, sha, chosen, delimiter, header_line + 1, columns)


def _encodings_to_try(head: bytes, encoding: str) -> tuple[str, ...]:
    """The encodings ``readers.decode`` would try, in its order; () for one blocks cannot be
    cut in (UTF-16 or -32, or a name Python does not know: the whole-file reader explains)."""
    if encoding and encoding != "auto":
        try:
            name = codecs.lookup(encoding).name
        except LookupError:
            return ()
        # the cuts look for the bytes of a line end and a quote mark: only an encoding that
        # writes them as ASCII does (not UTF-16 or -32, not EBCDIC)
        ascii_marks = 'a\n"'.encode(name, errors="ignore").endswith(b'a\n"')
        return (encoding,) if ascii_marks and not name.startswith(("utf-16", "utf-32")) else ()
    if head.startswith(codecs.BOM_UTF8):
        return ("utf-8-sig",)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return ()
    sample = head[:4096]
    if len(sample) >= 4 and sample.count(0) >= len(sample) // 3:
        return ()  # UTF-16 without a BOM
    return ("utf-8", "cp1252", "latin-1")


def _nth_line_start(head: bytes, bom: int, line: int) -> int | None:
    position = bom
    for _ in range(line):
        found = head.find(b"\n", position)
        if found < 0:
            return None
        position = found + 1
    return position


def _digest_and_encoding(path: Path,
                         candidates: Sequence[str]) -> tuple[str | None, str | None]:
    """(SHA-256 of the file, the first of ``candidates`` every byte decodes in), decoding a
    chunk at a time: the file is never held whole. The digest is taken in the first
    candidate's pass; (None, None) when no candidate decodes it."""
    digest = hashlib.sha256()
    for number, name in enumerate(candidates):
        decoder = codecs.getincrementaldecoder(name)()
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(CHUNK):
                    if number == 0:
                        digest.update(chunk)
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        # a first pass that stopped at a bad byte left the digest unfinished
        return (digest.hexdigest() if number == 0 else sha256_file(path)), name
    return None, None


def _cuts(path: Path, header_start: int, block_bytes: int) -> list[int] | None:
    """Byte offsets just past the line ends that cut blocks: first the header's end, then
    the first line end at or past each further ``block_bytes``; None when the quote bytes
    after the header's start do not pair up."""
    ends: list[int] = []
    target = None  # the next offset a cut must reach; None until the header has ended
    quotes = 0  # quote bytes after the header's start, before the chunk
    offset = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            begin = max(0, header_start - offset)
            if begin < len(chunk):
                data = np.frombuffer(chunk, dtype=np.uint8)[begin:]
                is_quote = data == QUOTE
                parity = (np.cumsum(is_quote, dtype=np.int64) + quotes) & 1
                lines = np.flatnonzero((data == NEWLINE) & (parity == 0)) + offset + begin + 1
                quotes += int(np.count_nonzero(is_quote))
                for end in lines.tolist():
                    if target is None or end >= target:
                        ends.append(end)
                        target = end + block_bytes
            offset += len(chunk)
    return None if quotes % 2 else ends


# --------------------------------------------------------------------------- Parquet


def _plan_parquet(path: Path, block_bytes: int) -> Plan | None:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
        meta = parquet.metadata
        # the columns pandas makes of it (a stored index is not a column), as the reader does
        columns = tuple(str(c).strip()
                        for c in parquet.schema_arrow.empty_table().to_pandas().columns)
    except Exception:  # noqa: BLE001 - the whole-file reader names the problem
        return None
    blocks: list[Block] = []
    start, size = 0, 0
    for group in range(meta.num_row_groups):
        bytes_, rows = meta.row_group(group).total_byte_size, meta.row_group(group).num_rows
        if bytes_ > block_bytes and rows > 1:
            # one large group (pandas writes up to a million rows in one): slices of it, so the
            # workers share it; each reads the group and keeps its slice
            if start < group:
                blocks.append(_groups(path, meta, start, group, columns))
            pieces = min(rows, math.ceil(bytes_ / block_bytes))
            step = math.ceil(rows / pieces)
            blocks += [Block(str(path), "parquet", group, group + 1, columns,
                             rows=min(step, rows - skip), skip=skip)
                       for skip in range(0, rows, step)]
            start, size = group + 1, 0
            continue
        size += bytes_
        if size >= block_bytes:
            blocks.append(_groups(path, meta, start, group + 1, columns))
            start, size = group + 1, 0
    if start < meta.num_row_groups:
        blocks.append(_groups(path, meta, start, meta.num_row_groups, columns))
    return Plan(str(path), tuple(blocks), sha256_file(path), None, None, 1, columns)


def _groups(path: Path, meta, start: int, end: int, columns: tuple[str, ...]) -> Block:
    rows = sum(meta.row_group(g).num_rows for g in range(start, end))
    return Block(str(path), "parquet", start, end, columns, rows=rows)
