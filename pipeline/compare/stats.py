"""Significance tests for round-over-round change, on counts the runs wrote.

- Two proportions (respondents raising a theme out of the round's denominator): Pearson's
  chi-square test of the 2x2 table without continuity correction (the same p as the pooled
  two-proportion z-test) when every expected count reaches ``exact_below``; otherwise Fisher's
  exact test (two-sided), which stays valid for small counts. Both from scipy.
- 1-5 statements: the Mann-Whitney U test (two-sided) on the two rounds' scores, rebuilt from
  the score counts in each run's scores.csv (scipy; ties handled by its normal approximation).
- Adjusted p-values: Holm's step-down method over one family of tests (all themes of one pair
  of rounds, say). Holm controls the chance of any false "changed" claim, which is what a report
  that lists changes theme by theme needs; it assumes nothing about how the tests depend on each
  other. Written here (eight lines) because scipy ships only Benjamini-Hochberg
  (``false_discovery_control``) and statsmodels is not a dependency.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

NO_TEST = "none"
CHI_SQUARE = "chi-square"
FISHER = "fisher-exact"
MANN_WHITNEY = "mann-whitney"


def two_proportions(raised_a: int, total_a: int, raised_b: int, total_b: int,
                    exact_below: float) -> tuple[float, str]:
    """(two-sided p, test name) for raised_a/total_a against raised_b/total_b. ``NO_TEST`` with
    p = 1.0 when the table has no variation (nobody, or everybody, in both rounds) or a round
    has no respondents."""
    from scipy import stats

    table = np.array([[raised_a, total_a - raised_a], [raised_b, total_b - raised_b]],
                     dtype=float)
    if total_a <= 0 or total_b <= 0 or (table < 0).any():
        return 1.0, NO_TEST
    columns = table.sum(axis=0)
    if (columns == 0).any():
        return 1.0, NO_TEST
    expected = np.outer(table.sum(axis=1), columns) / table.sum()
    if expected.min() < exact_below:
        _, p = stats.fisher_exact(table.astype(int), alternative="two-sided")
        return _unit(p), FISHER
    _, p, _, _ = stats.chi2_contingency(table, correction=False)
    return _unit(p), CHI_SQUARE


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm-adjusted p-values, in the order given: the k-th smallest of m is multiplied by
    (m - k + 1), made non-decreasing, and capped at 1."""
    order = np.argsort(np.asarray(p_values, dtype=float), kind="stable")
    m = len(order)
    adjusted = np.empty(m)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * float(p_values[index])))
        adjusted[index] = running
    return [float(v) for v in adjusted]


def scores_from_counts(counts: Sequence[int]) -> np.ndarray:
    """The scores 1-5 repeated by how many respondents gave each (``counts`` = n_1..n_5)."""
    return np.repeat(np.arange(1, 6), np.asarray(counts, dtype=int))


def rank_test(counts_a: Sequence[int], counts_b: Sequence[int]) -> tuple[float, str]:
    """(two-sided Mann-Whitney p, test name) for two rounds' 1-5 score counts; ``NO_TEST`` with
    p = 1.0 when a round has no scores or every score is the same in both."""
    from scipy import stats

    a, b = scores_from_counts(counts_a), scores_from_counts(counts_b)
    if not len(a) or not len(b) or len(set(a) | set(b)) < 2:
        return 1.0, NO_TEST
    _, p = stats.mannwhitneyu(a, b, alternative="two-sided")
    return _unit(p), MANN_WHITNEY


def _unit(p: float) -> float:
    """A p-value clipped into [0, 1] (floating error can push it a hair past 1)."""
    return float(min(1.0, max(0.0, p)))
