"""The sample discovery is fitted on: bounded, seeded, stratified by group and question.

Written by hand (a dozen lines of numpy) because scikit-learn's ``train_test_split`` with
``stratify`` refuses strata of one row, which small groups in a real round have.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def stratified_sample(strata: pd.Series | list, size: int, seed: int) -> np.ndarray:
    """Sorted row positions of at most ``size`` rows drawn without replacement.

    Each stratum (e.g. a "group|question" key) gets its share of ``size`` in proportion to its
    rows (largest remainder), and every stratum at least one row while the budget allows, so
    a small group is never left out of the fit. All rows when there are no more than ``size``.
    The same strata, size and seed always give the same rows.
    """
    keys = pd.Series(list(strata), dtype="object")
    n_rows = len(keys)
    if size >= n_rows:
        return np.arange(n_rows)
    codes, _ = pd.factorize(keys, sort=True)
    counts = np.bincount(codes)
    quota = counts * size / n_rows
    take = np.floor(quota).astype(int)
    spare = size - int(take.sum())
    # the spare rows go first to strata with none yet, then by largest remainder
    order = np.lexsort((np.arange(len(counts)), -(quota - take), take > 0))
    for code in order[:spare]:
        take[code] += 1
    while (take == 0).any() and take.max() > 1:  # a row each for the smallest strata,
        take[np.argmax(take)] -= 1               # taken from the largest
        take[np.flatnonzero(take == 0)[0]] += 1
    rng = np.random.default_rng(seed)
    chosen = [rng.choice(np.flatnonzero(codes == code), take[code], replace=False)
              for code in range(len(counts)) if take[code]]
    return np.sort(np.concatenate(chosen)) if chosen else np.arange(0)
