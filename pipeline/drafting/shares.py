"""Shares as a report author states them on a small round: count first, then the share.

Every share carries its count ("7 of 18"); tables add a 95% Wilson score interval. The
interval is written out here from its definition (statsmodels, which has one, is not a
dependency of this package, and the formula is four lines): for k of n and z the normal
quantile, centre (p + z²/2n) / (1 + z²/n), half-width z·sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n).
Wording follows the count: "raised by 2 respondents", "1 respondent"; the report states
counts and shares and never a word such as "majority" in their place.
"""

from __future__ import annotations

import math
from statistics import NormalDist

Z95 = NormalDist().inv_cdf(0.975)


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The 95% Wilson score interval of k successes in n, as proportions (0, 0 for n = 0)."""
    if n <= 0:
        return 0.0, 0.0
    p = k / n
    scale = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / scale
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / scale
    # at k = 0 (k = n) the bound is exactly 0 (1); the subtraction leaves a rounding error
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return low, high


def percent(k: int, n: int) -> int:
    """k of n as a whole percent (0 for n = 0)."""
    return round(100 * k / n) if n else 0


def of_text(k: int, n: int) -> str:
    """'7 of 18 (39%)'."""
    return f"{k} of {n} ({percent(k, n)}%)"


def interval_text(k: int, n: int) -> str:
    """'20-61%': the 95% Wilson interval in whole percents."""
    low, high = wilson(k, n)
    return f"{round(100 * low)}-{round(100 * high)}%"


def people(n: int, noun: str = "respondent") -> str:
    """'1 respondent', '2 respondents'."""
    return f"{n} {noun}{'' if n == 1 else 's'}"
