"""How tables hold text: pandas 3's own string dtype (Arrow-backed) keeps a text in about a
third of the memory of a Python str object (measured on a 100,000-comment round's tables:
430 MB as objects, 170 MB as str), which is what bounds the process that holds a large round;
under pandas 2 text stays in objects, as before."""

from __future__ import annotations

from collections.abc import Iterable

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
