"""A median and its distribution-free confidence interval, from order statistics.

For a board: "half the families were heard within 9 days of referral (95% interval 6 to 13
days)". No shape of the distribution is assumed: the interval runs between two of the
observed values themselves, chosen by their ranks.

Method (Conover, Practical Nonparametric Statistics, 3rd ed., 1999, section 3.2; the
binomial method of Campbell & Gardner, BMJ 1988; 296:1454): of n sorted values x(1) <= ...
<= x(n), the number B below the population median is Binomial(n, 1/2). The interval is
[x(j), x(n + 1 - j)] with j the largest rank such that P(B <= j - 1) <= alpha / 2, so it
covers the median with probability 1 - 2 P(B <= j - 1) >= 1 - alpha (exact, conservative).
With too few values for any such rank (fewer than 6 at 95%, fewer than 10 at 99.8%) there is
no interval (NaN). The median itself is the middle value, or the mean of the two middle
values when n is even (as DuckDB's `median`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from scipy import stats

from indicators.stats.terms import check_confidence

MEDIAN_METHOD = (
    "Distribution-free interval from order statistics: the values ranked j and n + 1 - j, "
    "j from the binomial distribution with probability one half (Conover 1999; Campbell "
    "and Gardner 1988); none for fewer than 6 values (95%) or 10 (99.8%)"
)
"""How a median's interval is computed, in words (the register's ci_method)."""


def median_ranks(count: int, confidence: float = 0.95) -> tuple[int, int] | None:
    """The ranks (1-based, j and n + 1 - j) of the order statistics bounding a median's
    interval for `count` values, or None when no rank gives the confidence."""
    check_confidence(confidence)
    if count < 1:
        return None
    tail = (1 - confidence) / 2
    below = int(stats.binom.ppf(tail, count, 0.5))  # smallest m with P(B <= m) >= tail
    while below >= 0 and stats.binom.cdf(below, count, 0.5) > tail:
        below -= 1
    if below < 0:
        return None
    lower_rank = below + 1
    return lower_rank, count + 1 - lower_rank


def median_interval(
    values: Iterable[float], confidence: float = 0.95
) -> tuple[float, float, float]:
    """(median, lower, upper) of `values` (missing values ignored); NaN for no values, and
    NaN limits when there are too few values for the confidence."""
    ordered: Sequence[float] = np.sort(
        np.asarray([v for v in values if v is not None], dtype=float)
    )
    ordered = ordered[np.isfinite(ordered)]
    count = len(ordered)
    if count == 0:
        return np.nan, np.nan, np.nan
    middle = count // 2
    median = float(ordered[middle]) if count % 2 else float(ordered[middle - 1 : middle + 1].mean())
    ranks = median_ranks(count, confidence)
    if ranks is None:
        return median, np.nan, np.nan
    return median, float(ordered[ranks[0] - 1]), float(ordered[ranks[1] - 1])


def median_intervals(
    samples: Sequence[Iterable[float] | None], confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper limits for each sample (a cell's values, e.g. days); NaN for none."""
    lower = np.full(len(samples), np.nan)
    upper = np.full(len(samples), np.nan)
    for position, sample in enumerate(samples):
        if sample is None or (isinstance(sample, float) and np.isnan(sample)):
            continue
        _, lower[position], upper[position] = median_interval(sample, confidence)
    return lower, upper
