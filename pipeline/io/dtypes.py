"""How tables hold text: pandas 3's own string dtype (Arrow-backed) keeps a text in about a
third of the memory of a Python str object (measured on a 100,000-comment round's tables:
430 MB as objects, 170 MB as str), which is what bounds the process that holds a large round;
under pandas 2 text stays in objects, as before."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

TEXT = "str" if int(pd.__version__.split(".")[0]) >= 3 else object


def as_text(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """``frame`` with ``columns`` (those present) held as text (``TEXT``)."""
    return frame.astype({c: TEXT for c in columns if c in frame.columns})


def blank_missing(values: pd.Series | pd.DataFrame, text: str = "") -> pd.Series | pd.DataFrame:
    """``values`` with every missing value as ``text`` ("" unless given). A numeric column
    holding missing values becomes an object column first: pandas deprecates filling a float
    column with text."""
    if isinstance(values, pd.DataFrame):
        return values.apply(blank_missing, text=text)
    if values.dtype.kind in "fiub" and values.isna().any():
        values = values.astype(object)
    return values.fillna(text)


def text_isin(values: pd.Series, wanted: Iterable[object]) -> pd.Series:
    """``values.isin(wanted)``, also fast for Arrow-backed text: pandas' own isin turns every
    wanted value into an Arrow scalar one at a time (about a second for 10,000 ids); here
    they go to Arrow in one array. Anything else (object columns, wanted values that are not
    all text or missing) takes pandas' path."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if getattr(values.dtype, "storage", None) != "pyarrow":
        return values.isin(wanted)
    column = values.array.__arrow_array__()
    listed = list(wanted)
    try:
        value_set = pa.array(listed, type=column.type, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return values.isin(listed)
    if not len(value_set):
        return pd.Series(False, index=values.index, name=values.name)
    found = np.array(pc.is_in(column, value_set=value_set), dtype=np.bool_)
    return pd.Series(found, index=values.index, name=values.name)
