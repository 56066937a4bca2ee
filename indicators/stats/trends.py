"""Recent trends, the Fingertips method: whether a proportion has been rising or falling over
the last five years by more than chance would explain (chi-squared for trend above 9.5495,
i.e. 99.8%, with no outlier), and the words for it, with the indicator's polarity.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from indicators.stats.terms import (
    BLUE_ORANGE_BLUE,
    COULD_NOT_BE_CALCULATED,
    DECREASING,
    HIGH_IS_GOOD,
    INCREASING,
    LOW_IS_GOOD,
    NO_SIGNIFICANT_CHANGE,
    NOT_APPLICABLE,
    TRENDS,
    as_floats,
    check_polarity,
)

# Recent trends: the Fingertips trend marker, every parameter here and nowhere else.
TREND_POINTS = 5
"""Recent trends use the most recent five points, as Fingertips does; with fewer points a
trend "could not be calculated" (disclosure control hides a trend whose window holds a
suppressed count, over the same TREND_POINTS)."""
TREND_CONFIDENCE = 0.998
"""Fingertips calls a trend at 99.8% confidence."""
TREND_CHI_SQUARED = float(stats.chi2.ppf(TREND_CONFIDENCE, 1))
"""The chi-squared value (1 degree of freedom) a trend must exceed: 9.5495."""
TREND_VALUE_TYPES = ("proportion",)
"""Value types whose trend is tested; the others read "not applicable" (z)."""
TREND_METHOD = (
    f"Recent trend: the Fingertips method (OHID). A chi-squared test for trend over the "
    f"last {TREND_POINTS} consecutive years calls a trend increasing or decreasing only when "
    f"chi-squared exceeds {TREND_CHI_SQUARED:.4f} ({TREND_CONFIDENCE:.1%} confidence, 1 "
    "degree of freedom) and leaving out any one point does not reverse its direction; "
    "otherwise there is no significant change. With fewer than "
    f"{TREND_POINTS} consecutive comparable years (a year missing, or a series break such as "
    "a reformed framework or a reworded question within them) the trend could not be "
    "calculated. Only percentages are tested; averages and rates read not applicable (z)."
)
"""The method in words, for packs, the register and the data guidance."""


# --------------------------------------------------------------------------------------------
# Recent trend
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendTest:
    """The chi-squared test for linear trend in proportions (Cochran-Armitage)."""

    statistic: float
    """Chi-squared statistic on 1 degree of freedom (NaN when every proportion is 0% or 100%)."""
    p_value: float
    """Two-sided p-value (NaN when the statistic is)."""
    direction: int
    """+1 if the proportion rises with the scores, -1 if it falls, 0 if flat."""


def chi_squared_for_trend(
    numerators: npt.ArrayLike, denominators: npt.ArrayLike, scores: npt.ArrayLike | None = None
) -> TrendTest:
    """Chi-squared test for a linear trend in a series of proportions (Cochran-Armitage).

    Armitage (1955); the statistic of R's `prop.trend.test` and of the Fingertips trend
    markers for proportions:

        chi2 = N (N sum(x t) - X sum(n t))^2 / (X (N - X) (N sum(n t^2) - (sum(n t))^2))

    for numerators x, denominators n and scores t (default 1, 2, ..., i.e. equally spaced
    years), with X = sum(x) and N = sum(n), referred to chi-squared on 1 degree of freedom.
    Every denominator must be positive; use `recent_trend` for the board-level answer.
    """
    x = as_floats(numerators).ravel()
    n = as_floats(denominators).ravel()
    t = np.arange(1.0, x.size + 1) if scores is None else as_floats(scores).ravel()
    if not x.size == n.size == t.size:
        raise ValueError("numerators, denominators and scores must have the same length")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(n)) and np.all(np.isfinite(t))):
        raise ValueError("the trend test needs every numerator, denominator and score")
    if np.any(n <= 0) or np.any(x < 0) or np.any(x > n):
        raise ValueError(
            "each denominator must be positive and each numerator between 0 and its denominator"
        )
    total_n, total_x = n.sum(), x.sum()
    covariance = total_n * np.sum(x * t) - total_x * np.sum(n * t)
    spread = total_n * np.sum(n * t * t) - np.sum(n * t) ** 2
    direction = int(np.sign(covariance)) if math.isfinite(covariance) else 0
    if total_x <= 0 or total_x >= total_n or spread <= 0:
        return TrendTest(statistic=math.nan, p_value=math.nan, direction=direction)
    statistic = float(total_n * covariance**2 / (total_x * (total_n - total_x) * spread))
    return TrendTest(
        statistic=statistic, p_value=float(stats.chi2.sf(statistic, 1)), direction=direction
    )


def logit_slope(
    numerators: npt.ArrayLike, denominators: npt.ArrayLike, scores: npt.ArrayLike | None = None
) -> float:
    """The least-squares slope of the log odds, log(x / (n - x)), against the scores.

    Fingertips reads a significant trend's direction from this slope (unweighted, as
    PHEindicatormethods `calculate_trend_logistic_regression` with `trend_direction_only`).
    Infinite when a proportion is 0% or 100% (its log odds are infinite); NaN for fewer
    than 2 points.
    """
    x = as_floats(numerators).ravel()
    n = as_floats(denominators).ravel()
    t = np.arange(1.0, x.size + 1) if scores is None else as_floats(scores).ravel()
    if not x.size == n.size == t.size:
        raise ValueError("numerators, denominators and scores must have the same length")
    if x.size < 2:
        return math.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        log_odds = np.log(x / (n - x))
    if not np.all(np.isfinite(log_odds)):
        return math.inf
    count = x.size
    spread = count * np.sum(t * t) - np.sum(t) ** 2
    return float((count * np.sum(log_odds * t) - np.sum(log_odds) * np.sum(t)) / spread)


@dataclass(frozen=True)
class TrendReading:
    """A recent trend and why it reads as it does."""

    trend: str
    """One of TRENDS."""
    reason: str
    """Why, in a few words (e.g. 'fewer than 5 points')."""
    statistic: float = math.nan
    """The chi-squared statistic for trend over the window, when it was calculated."""


def read_trend(
    numerators: npt.ArrayLike,
    denominators: npt.ArrayLike,
    *,
    points: int = TREND_POINTS,
    critical: float = TREND_CHI_SQUARED,
) -> TrendReading:
    """`recent_trend` with its reason and statistic (one series, plain arithmetic)."""
    x = as_floats(numerators).ravel()
    n = as_floats(denominators).ravel()
    if x.size != n.size:
        raise ValueError("numerators and denominators must have the same length")
    if points < 2:
        raise ValueError(f"a trend needs at least 2 points, not {points}")
    if x.size < points:
        return TrendReading(COULD_NOT_BE_CALCULATED, f"fewer than {points} points")
    x, n = x[-points:], n[-points:]
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(n))) or np.any(n == 0):
        return TrendReading(
            COULD_NOT_BE_CALCULATED, "a point in the window is missing or counts no one"
        )
    test = chi_squared_for_trend(x, n)
    if not test.statistic > critical:  # NaN (every year 0% or 100%) is no change
        return TrendReading(
            NO_SIGNIFICANT_CHANGE,
            f"chi-squared {test.statistic:.2f} is not above {critical:.4f}",
            test.statistic,
        )
    slope = logit_slope(x, n)
    if not math.isfinite(slope):
        return TrendReading(
            COULD_NOT_BE_CALCULATED,
            "a point at 0% or 100% leaves the direction undefined",
            test.statistic,
        )
    direction = np.sign(slope)
    for left_out in range(points):
        keep = np.arange(points) != left_out
        scores = np.arange(1.0, points + 1)[keep]
        if direction == 0 or np.sign(logit_slope(x[keep], n[keep], scores)) != direction:
            return TrendReading(
                NO_SIGNIFICANT_CHANGE,
                "significant, but leaving out one point reverses or "
                "flattens the direction (an outlier)",
                test.statistic,
            )
    return TrendReading(
        INCREASING if direction > 0 else DECREASING,
        f"chi-squared {test.statistic:.2f} is above {critical:.4f}",
        test.statistic,
    )


def recent_trend(
    numerators: npt.ArrayLike,
    denominators: npt.ArrayLike,
    *,
    points: int = TREND_POINTS,
    critical: float = TREND_CHI_SQUARED,
) -> str:
    """Has this proportion been rising or falling recently by more than chance explains?

    The Fingertips trend marker for proportions (OHID; PHEindicatormethods
    `assign_trend_markers`):

    - fewer than `points` (5) points, or a missing or empty year among the last 5:
      "could not be calculated";
    - the chi-squared test for linear trend (Cochran-Armitage, `chi_squared_for_trend`)
      over the last 5 points at 99.8% confidence: significant when the statistic exceeds
      `critical` (9.5495, chi-squared on 1 degree of freedom); otherwise "no significant
      change" (as is a series at 0% or 100% every year);
    - a significant trend's direction is the slope of the log odds over time
      (`logit_slope`); if leaving out any one point flips (or flattens) that slope, an
      outlier drives it and it reads "no significant change"; else "increasing" or
      "decreasing". A significant window with a year at 0% or 100% has no defined
      direction: "could not be calculated".

    `numerators` and `denominators` are one area's yearly counts in time order (oldest
    first), equally spaced. Raises ValueError if the two series differ in length or a count
    in the window is impossible.
    """
    return read_trend(numerators, denominators, points=points, critical=critical).trend


def academic_year_start(time_period: npt.ArrayLike) -> np.ndarray:
    """The calendar year an academic year starts in: 2021 for time period 202122."""
    return np.asarray(time_period, dtype=np.int64) // 100


def recent_trends(
    numerators: npt.ArrayLike,
    denominators: npt.ArrayLike,
    series: npt.ArrayLike,
    *,
    years: npt.ArrayLike | None = None,
    comparable_from: npt.ArrayLike | None = None,
    points: int = TREND_POINTS,
    critical: float = TREND_CHI_SQUARED,
    periods: npt.ArrayLike | None = None,
    first_comparable: npt.ArrayLike | None = None,
) -> np.ndarray:
    """`recent_trend` for every year of many series at once: the same answers, vectorised.

    The rows are years in time order within each series (`series` labels them, each
    series's rows together); row i gets `recent_trend` of its series's counts up to and
    including row i. A national run has about 140,000 such windows, which one call per
    window takes most of a minute over and this does in a fraction of a second.

    `years` (time periods such as 202122, one per row): a window must be `points`
    consecutive academic years; a missing year inside it (no 2021/22 return) means the trend
    could not be calculated. `comparable_from` (a time period per row, 0 for none): the
    first year comparable with the row's year (a series break, such as the 2021/22 EYFS
    reform or a changed question); a window reaching back before it could not be calculated.
    `periods` and `first_comparable` say the same for any declared period type
    (indicators/declarations.py `PeriodType.ordinals`: consecutive periods differ by one),
    in place of `years` and `comparable_from`, which are academic years.
    """
    x = as_floats(numerators).ravel()
    n = as_floats(denominators).ravel()
    labels = np.asarray(series).ravel()
    if not x.size == n.size == labels.size:
        raise ValueError("numerators, denominators and series must have the same length")
    if periods is None and years is not None:
        periods = academic_year_start(np.asarray(years).ravel())
    if first_comparable is None and comparable_from is not None:
        first_comparable = academic_year_start(np.asarray(comparable_from, dtype=np.int64).ravel())
    starts_in = np.asarray(periods, dtype=np.int64).ravel() if periods is not None else None
    if starts_in is not None and starts_in.size != x.size:
        raise ValueError("years must have one time period per row")
    break_year = (
        np.asarray(first_comparable, dtype=np.int64).ravel()
        if first_comparable is not None
        else None
    )
    if points < 2:
        raise ValueError(f"a trend needs at least 2 points, not {points}")
    size = x.size
    result = np.full(size, COULD_NOT_BE_CALCULATED, dtype=object)
    if not size:
        return result
    starts = np.ones(size, dtype=bool)
    starts[1:] = labels[1:] != labels[:-1]
    first = np.maximum.accumulate(np.where(starts, np.arange(size), 0))
    position = np.arange(size) - first  # 0 for each series's first year
    rows = np.flatnonzero(position >= points - 1)  # a full window ends here
    if not rows.size:
        return result
    window = rows[:, None] - np.arange(points - 1, -1, -1)[None, :]  # oldest year first
    xs, ns = x[window], n[window]
    usable = np.all(np.isfinite(xs) & np.isfinite(ns) & (ns != 0), axis=1)
    if starts_in is not None:  # the last `points` consecutive years, nothing else
        first_year, last_year = starts_in[window[:, 0]], starts_in[window[:, -1]]
        usable &= last_year - first_year == points - 1
        if break_year is not None:  # and none before the series break
            usable &= first_year >= break_year[rows]
    checked_x, checked_n = xs[usable], ns[usable]
    if np.any(checked_n <= 0) or np.any(checked_x < 0) or np.any(checked_x > checked_n):
        raise ValueError(
            "each denominator must be positive and each numerator between 0 and its denominator"
        )
    t = np.arange(1.0, points + 1)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        total_n, total_x = ns.sum(axis=1), xs.sum(axis=1)
        covariance = total_n * (xs * t).sum(axis=1) - total_x * (ns * t).sum(axis=1)
        spread = total_n * (ns * t * t).sum(axis=1) - (ns * t).sum(axis=1) ** 2
        statistic = total_n * covariance**2 / (total_x * (total_n - total_x) * spread)
        testable = usable & (total_x > 0) & (total_x < total_n) & (spread > 0)
        significant = testable & (statistic > critical)
        log_odds = np.log(xs / (ns - xs))
    defined = np.all(np.isfinite(log_odds), axis=1)
    log_odds = np.where(defined[:, None], log_odds, 0.0)

    def slopes(keep: np.ndarray) -> np.ndarray:
        """OLS slope of the log odds on t over the columns in `keep`."""
        times, values = t[keep], log_odds[:, keep]
        count = keep.sum()
        return (count * (values * times).sum(axis=1) - values.sum(axis=1) * times.sum()) / (
            count * (times * times).sum() - times.sum() ** 2
        )

    direction = np.sign(slopes(np.ones(points, dtype=bool)))
    robust = direction != 0
    for left_out in range(points):
        robust &= np.sign(slopes(np.arange(points) != left_out)) == direction
    labels_out = np.full(rows.size, COULD_NOT_BE_CALCULATED, dtype=object)
    labels_out[usable] = NO_SIGNIFICANT_CHANGE
    labels_out[significant & ~defined] = COULD_NOT_BE_CALCULATED
    called = significant & defined & robust
    labels_out[called & (direction > 0)] = INCREASING
    labels_out[called & (direction < 0)] = DECREASING
    result[rows] = labels_out
    return result


_TREND_POLARITY = {
    HIGH_IS_GOOD: {
        INCREASING: "increasing and getting better",
        DECREASING: "decreasing and getting worse",
    },
    LOW_IS_GOOD: {
        INCREASING: "increasing and getting worse",
        DECREASING: "decreasing and getting better",
    },
    BLUE_ORANGE_BLUE: {},
    NOT_APPLICABLE: {},
}


def trend_with_polarity(trend: str, polarity: str) -> str:
    """Fingertips trend wording: say whether a significant trend is getting better or worse.

    For a board: with "RAG - High is good", "increasing" becomes "increasing and getting
    better" and "decreasing" "decreasing and getting worse"; "RAG - Low is good" the
    reverse. BOB and "Not applicable" indicators keep "increasing"/"decreasing"; "no
    significant change" and "could not be calculated" never change.

    Raises ValueError for an unknown trend or polarity.
    """
    check_polarity(polarity)
    if trend not in TRENDS:
        raise ValueError(f"trend {trend!r} is not one of {', '.join(TRENDS)}")
    return _TREND_POLARITY[polarity].get(trend, trend)
