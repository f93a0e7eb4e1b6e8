"""Table helpers that skip pandas' per-value paths give what those paths give: ``text_isin``
is ``Series.isin`` and ``safe_frame`` neutralises exactly the cells ``neutralise`` changes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.io.dtypes import TEXT, text_isin
from pipeline.io.writers import neutralise, safe_frame

IDS = ["r1.q", "r2.q", "", "caf\u00e9", "\U0001F600", "x" * 5000, None]


@pytest.mark.parametrize("wanted", [
    {"r1.q", "caf\u00e9"}, ["", "x" * 5000], [None], [np.nan], [], set(), ["r2.q", 3],
    pd.Series(["\U0001F600", "r1.q"], dtype=TEXT), ("nothing",),
])
def test_text_isin_equals_pandas_isin(wanted):
    for dtype in (TEXT, object):
        values = pd.Series(IDS, dtype=dtype, index=range(10, 17), name="comment_id")
        pd.testing.assert_series_equal(text_isin(values, wanted), values.isin(wanted))


def test_text_isin_finds_ids():
    values = pd.Series(["a", "b", "c"], dtype=TEXT)
    assert text_isin(values, {"c", "a"}).tolist() == [True, False, True]


def old_safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell through ``neutralise``, as writers once did."""
    safe = frame.rename(columns=lambda c: neutralise(str(c)))
    return safe.apply(lambda column: column if pd.api.types.is_numeric_dtype(column)
                      else column.map(neutralise)).astype(
        {c: object for c in safe.columns if not pd.api.types.is_numeric_dtype(safe[c])})


def missing_as_none(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(object).where(frame.notna(), None)


def test_safe_frame_equals_neutralising_every_cell():
    cells = ["=SUM(A1)", "+44 7700", "-3", "@handle", "\tx", " =1", "\u00a0\ufeff=2",
             "\u3000+1", "\uff1dA1", "plain", "", " plain", "\u2003\u2003-", "x=1", None]
    frame = pd.DataFrame({
        "text": pd.Series(cells, dtype=TEXT), "objects": pd.Series(cells, dtype=object),
        "mixed": [1, "=x", None, 2.5, "ok", True, "@a", "", "-", " ", "b", "\n=", 3, 4, 5],
        "numbers": range(len(cells)), "=header": ["a"] * len(cells),
    })
    got, expected = safe_frame(frame), old_safe_frame(frame)
    # a missing cell may be None or NaN (pandas' map turns one into the other): both are
    # written as an empty CSV field, and safe_frame's tables are only ever written as CSV
    pd.testing.assert_frame_equal(missing_as_none(got), missing_as_none(expected))
    assert got.loc[0, "text"] == "'=SUM(A1)" and got.loc[9, "text"] == "plain"
    assert "'=header" in got.columns
    assert got.to_csv(index=False) == expected.to_csv(index=False)


def test_safe_frame_of_an_empty_table():
    frame = pd.DataFrame({"text": pd.Series([], dtype=TEXT), "n": pd.Series([], dtype=int)})
    pd.testing.assert_frame_equal(safe_frame(frame), old_safe_frame(frame))
