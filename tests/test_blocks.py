"""Reading an export in blocks (``pipeline.io.blocks``, used by ``--engine dask``) gives the
rows, row numbers and cells the whole-file reader gives, whatever the cut."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.errors import DataError
from pipeline.io import blocks, readers

WANTED = ("comment", "id")


def read_in_blocks(path: Path, block_bytes: int, **options) -> pd.DataFrame:
    plan = blocks.plan(path, wanted=WANTED, block_bytes=block_bytes, **options)
    assert plan is not None
    first, parts = plan.first_row, []
    for block in plan.blocks:
        frame = blocks.read_block(block, first, path.name)
        assert block.rows in (None, len(frame))  # rows a plan knows beforehand are right
        parts.append(frame)
        first += len(frame)
    return pd.concat(parts, ignore_index=True)


def assert_same_as_whole(path: Path, block_bytes: int, **options) -> pd.DataFrame:
    got = read_in_blocks(path, block_bytes, **options)
    want = readers.read_table(path, wanted=WANTED, **options).frame.fillna("")
    pd.testing.assert_frame_equal(got.astype(object), want.astype(object), check_dtype=False)
    return got


def write(tmp_path: Path, text: str, name: str = "round.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


HARD = ('id,comment,team\r\n'
        '1,"Two lines,\nwith a comma",A\r\n'
        '2,"He said ""wait""\nthen\n\nleft",B\r\n'
        '\r\n'
        '3,plain answer,\r\n'
        '4,"",C\r\n'
        '5,"ends with a break\n",D\r\n')


@pytest.mark.parametrize("block_bytes", [1, 7, 30, 64, 10_000])
def test_quoted_line_breaks_are_never_cut(tmp_path: Path, block_bytes: int) -> None:
    got = assert_same_as_whole(write(tmp_path, HARD), block_bytes)
    assert got["comment"].tolist()[1] == 'He said "wait"\nthen\n\nleft'
    assert got["_row"].tolist() == [2, 3, 4, 5, 6]


def test_a_title_above_the_header_and_a_byte_order_mark(tmp_path: Path) -> None:
    text = "Staff survey 2026, export\n\n" + HARD.replace("\r\n", "\n")
    got = assert_same_as_whole(write(tmp_path, text, encoding="utf-8-sig"), 16)
    assert got["_row"].iloc[0] == 4  # the header is the third line


def test_windows_1252_and_semicolons(tmp_path: Path) -> None:
    text = "id;comment\n1;caf\u00e9 was \u201cfine\u201d\n2;na\u00efve\n" * 5
    path = write(tmp_path, text, encoding="cp1252")
    assert blocks.plan(path, wanted=WANTED).encoding == "cp1252"
    assert_same_as_whole(path, 12)


def test_whitespace_lines_and_a_named_encoding(tmp_path: Path) -> None:
    # a line of spaces is a row to the reader (a blank line is not), wherever the cut falls
    path = write(tmp_path, "id,comment\n1,a\n\n  \n2,b\n   \n")
    for block_bytes in (1, 3, 100):
        assert_same_as_whole(path, block_bytes)
    # utf-8-sig named for a file without a byte order mark: no byte of it is skipped
    path = write(tmp_path, HARD, "no_bom.csv")
    assert_same_as_whole(path, 5, encoding="utf-8-sig")
    assert blocks.plan(path, wanted=WANTED, encoding="cp037") is None  # EBCDIC: no ASCII cuts


def test_a_stray_quote_or_utf16_is_left_to_the_whole_file_reader(tmp_path: Path) -> None:
    assert blocks.plan(write(tmp_path, 'id,comment\n1,a 5" shelf\n2,ok\n'), wanted=WANTED) is None
    assert blocks.plan(write(tmp_path, HARD, "u.csv", "utf-16"), wanted=WANTED) is None
    assert blocks.plan(write(tmp_path, "{}", "r.jsonl"), wanted=WANTED) is None


def test_a_row_wider_than_the_header_is_left_to_the_whole_file_reader(tmp_path: Path) -> None:
    path = write(tmp_path, "id,comment\n1,fine\n2,too,wide\n3,fine\n")
    with pytest.raises(DataError, match="D040"):
        readers.read_table(path, wanted=WANTED)  # what the user sees after the fallback
    plan = blocks.plan(path, wanted=WANTED, block_bytes=1)
    with pytest.raises(blocks.Unblockable, match="bytes 18-29"):
        [blocks.read_block(b, 2, path.name) for b in plan.blocks]


def test_header_problems_are_the_readers_errors(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="D051"):
        blocks.plan(write(tmp_path, "id,comment,comment\n1,a,b\n"), wanted=WANTED)
    with pytest.raises(DataError, match="D003"):
        blocks.plan(write(tmp_path, "  \n"), wanted=WANTED)
    plan = blocks.plan(write(tmp_path, "id,comment\n"), wanted=WANTED)
    rows = sum(len(blocks.read_block(b, 2, "round.csv")) for b in plan.blocks)
    with pytest.raises(DataError, match="D003"):
        blocks.check_rows(plan, rows, None)
    plan = blocks.plan(write(tmp_path, "id,comment\n1,a\n2,b\n"), wanted=WANTED)
    with pytest.raises(DataError, match="D049"):
        blocks.check_rows(plan, 2, 1)


def test_parquet_row_groups_are_blocks(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": range(1, 101), "comment": [f"answer {i}" for i in range(100)],
                          "score": [1.0, None] * 50})
    path = tmp_path / "round.parquet"
    frame.to_parquet(path, row_group_size=30)
    plan = blocks.plan(path, wanted=WANTED, block_bytes=1 << 30)  # all four groups in one
    assert [(b.start, b.end, b.rows) for b in plan.blocks] == [(0, 4, 100)]
    assert_same_as_whole(path, 1 << 30)
    plan = blocks.plan(path, wanted=WANTED, block_bytes=1)  # every group sliced to single rows
    assert [b.rows for b in plan.blocks] == [1] * 100
    assert [b.skip for b in plan.blocks[28:32]] == [28, 29, 0, 1]
    assert_same_as_whole(path, 1)
    # one large row group (pandas' default up to a million rows) is sliced among the workers
    frame.to_parquet(path)
    plan = blocks.plan(path, wanted=WANTED, block_bytes=300)
    assert len(plan.blocks) > 2 and sum(b.rows for b in plan.blocks) == 100
    assert_same_as_whole(path, 300)


CELLS = st.text(alphabet=st.sampled_from(list('ab ,"\n\r;') + ["\u00e9"]), max_size=12)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(CELLS, CELLS), min_size=1, max_size=12),
       block_bytes=st.integers(1, 60))
def test_any_quoted_export_reads_the_same_in_blocks(tmp_path: Path, rows, block_bytes) -> None:
    path = tmp_path / "fuzz.csv"
    pd.DataFrame(rows, columns=["id", "comment"]).to_csv(path, index=False)
    try:
        want = readers.read_table(path, wanted=WANTED).frame.fillna("")
    except DataError:
        return  # the whole-file reader refuses it too
    if blocks.plan(path, wanted=WANTED) is None:
        return
    try:
        got = read_in_blocks(path, block_bytes)
    except blocks.Unblockable:
        return  # the caller reads this one whole
    pd.testing.assert_frame_equal(got.astype(object), want.astype(object), check_dtype=False)
