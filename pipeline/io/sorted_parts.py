"""Tables kept as sorted Parquet parts (one per Dask partition) and merged into one output
file in batches, so the process that writes the file never holds the whole table.

Each part is sorted by a text key, and every row of one key value sits in one part (a
comment's rows stay in the partition of its respondent). The merge keeps one batch per part
at hand: it takes from every part the rows up to the smallest last key among those batches
(every row of the round with a key up to there is then at hand), sorts what it took, hands
it on, and reads on. The sort is pandas' stable sort, as the local engine's, so the merged
rows come in the local engine's order. Written here, not taken from a library: pyarrow's
datasets sort only whole tables in memory and ``heapq.merge`` goes row by row in Python,
which is slow for millions of rows.

Parts are named as ``pipeline.io.writers.is_partial`` names a killed write's file
(``.NAME.part-00003.tmp``): a run folder's manifest never lists one, and the lock that
starts the next run into the folder (``--resume`` or ``--overwrite``) removes those a killed
run left.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.io.writers import atomic_write, safe_frame, write_parquet

BATCH_ROWS = 50_000  # rows read from each part at a time


def part_path(folder: Path, name: str, number: int) -> Path:
    """Where part ``number`` of table ``name`` lives in ``folder``."""
    return folder / f".{name}.part-{number:05d}.tmp"


def write_part(folder: Path, name: str, number: int, frame: pd.DataFrame) -> Path:
    """``frame`` (already sorted by its key) saved as part ``number`` of ``name``."""
    path = part_path(folder, name, number)
    write_parquet(path, frame)
    return path


def rows_of_parts(paths: Iterable[Path]) -> int:
    """How many rows the parts hold together (from their footers)."""
    import pyarrow.parquet as pq

    total = 0
    for path in paths:
        with pq.ParquetFile(path) as parquet:
            total += parquet.metadata.num_rows
    return total


def read_batches(path: Path, rows: int = BATCH_ROWS) -> Iterator[pd.DataFrame]:
    """A part's rows, ``rows`` at a time, as pandas reads the whole file."""
    import pyarrow.parquet as pq

    with pq.ParquetFile(path) as parquet:
        for batch in parquet.iter_batches(batch_size=rows):
            yield batch.to_pandas()


def merged(sources: Iterable[Iterator[pd.DataFrame]], key: str,
           order: Callable[[pd.DataFrame], pd.DataFrame] | None = None
           ) -> Iterator[pd.DataFrame]:
    """The rows of ``sources`` (each a stream of frames sorted by the text column ``key``) in
    key order, a chunk at a time; all rows of one key value come in one chunk. ``order``
    sorts one chunk (it receives the rows source by source; default: a stable sort by
    ``key``)."""
    streams = [iter(source) for source in sources]
    held = [_next(stream) for stream in streams]
    ahead = [_next(stream) if frame is not None else None
             for frame, stream in zip(held, streams, strict=True)]
    while any(frame is not None for frame in held):
        # a source's last key may go on in its next batch; below the smallest such key,
        # every source's rows are all at hand
        open_ends = [frame[key].iat[-1] for frame, more in zip(held, ahead, strict=True)
                     if frame is not None and more is not None]
        bound = min(open_ends) if open_ends else None
        taken = []
        for i, frame in enumerate(held):
            if frame is None:
                continue
            cut = len(frame) if bound is None else int(np.searchsorted(
                frame[key].to_numpy(dtype=object), bound, side="left"))
            if cut:
                taken.append(frame.iloc[:cut])
            if cut == len(frame):
                held[i], ahead[i] = ahead[i], _next(streams[i]) if ahead[i] is not None else None
            else:
                held[i] = frame.iloc[cut:]
        if not taken:  # the sources ending at the bound read on
            for i, frame in enumerate(held):
                if frame is not None and ahead[i] is not None and frame[key].iat[-1] == bound:
                    held[i] = pd.concat([frame, ahead[i]], ignore_index=True)
                    ahead[i] = _next(streams[i])
            continue
        chunk = pd.concat(taken, ignore_index=True) if len(taken) > 1 else \
            taken[0].reset_index(drop=True)
        yield (order(chunk) if order is not None
               else chunk.sort_values(key, kind="stable").reset_index(drop=True))


def _next(stream: Iterator[pd.DataFrame]) -> pd.DataFrame | None:
    """The stream's next non-empty frame, or None at its end."""
    for frame in stream:
        if len(frame):
            return frame
    return None


def write_csv_chunks(path: Path, chunks: Iterable[pd.DataFrame], columns: list[str],
                     empty: pd.DataFrame | None = None) -> None:
    """One CSV from ``chunks`` (each a frame with ``columns``), written as
    ``writers.write_csv`` writes a whole frame: atomically, formula-safe, the header once.
    No chunk: ``empty`` (or a frame of ``columns`` with no rows) gives the header."""

    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8", newline="") as handle:
            header = True
            for chunk in chunks:
                safe_frame(chunk[columns]).to_csv(handle, index=False, header=header,
                                                  lineterminator="\n")
                header = False
            if header:
                blank = empty if empty is not None else pd.DataFrame(columns=columns)
                safe_frame(blank).to_csv(handle, index=False, lineterminator="\n")

    atomic_write(path, write)
