"""Statistics that let a neighbourhood board read an indicator honestly.

Pure functions over numbers: no Dagster, no dbt, no warehouse. The dbt Python model that
adds confidence intervals and comparisons to the indicator table and the board-pack renderer
both call this module, so a board sees the same answer wherever a number appears.

What each part tells a board member:

- **Confidence intervals** (`wilson_interval`, `mean_interval`): the range the "true" value
  for the area plausibly lies in, given how many children were counted. A neighbourhood of
  40 children has a wide interval; the whole authority a narrow one.
- **Benchmark comparison** (`compare_with_benchmark`, `apply_polarity`): the Fingertips
  method. An area is "higher" or "lower" than a benchmark (e.g. England) only when its whole
  interval sits above or below it; otherwise the difference could be chance ("similar").
  The indicator's polarity then says whether higher is better, worse, or neither.
- **Recent trend** (`recent_trend`, `trend_with_polarity`): whether a proportion has been
  rising or falling over the last five years by more than chance would explain, by the
  Fingertips rule (chi-squared for trend above 9.5495, i.e. 99.8%, with no outlier).
- **XmR charts** (`xmr`, `xmr_reading`, `enough_points_for_spc`): NHS "Making Data Count"
  statistical process control, which separates the everyday ups and downs of a measure
  (common cause variation) from changes worth asking about (special cause variation).

Polarity names follow OHID Fingertips metadata, as in `indicators.register.POLARITIES`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

# Polarity: which direction is good (OHID Fingertips metadata values).
HIGH_IS_GOOD = "RAG - High is good"
LOW_IS_GOOD = "RAG - Low is good"
BLUE_ORANGE_BLUE = "BOB - Blue orange blue"
NOT_APPLICABLE = "Not applicable"
POLARITIES = (HIGH_IS_GOOD, LOW_IS_GOOD, BLUE_ORANGE_BLUE, NOT_APPLICABLE)

# Benchmark comparisons (Fingertips wording, lower case).
HIGHER = "higher"
LOWER = "lower"
SIMILAR = "similar"
NOT_COMPARED = "not compared"
BETTER = "better"
WORSE = "worse"
COMPARISONS = (HIGHER, LOWER, SIMILAR, NOT_COMPARED)

# Recent trends (Fingertips wording, lower case).
INCREASING = "increasing"
DECREASING = "decreasing"
NO_SIGNIFICANT_CHANGE = "no significant change"
COULD_NOT_BE_CALCULATED = "could not be calculated"
TRENDS = (INCREASING, DECREASING, NO_SIGNIFICANT_CHANGE, COULD_NOT_BE_CALCULATED)

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
    "calculated. Only percentages are tested; averages and rates read not applicable (z).")
"""The method in words, for packs, the register and the data guidance."""

XMR_LIMIT_FACTOR = 2.66
"""Process limits sit 2.66 average moving ranges from the mean (3 sigma, as 3 / 1.128)."""
XMR_D2 = 1.128
"""Bias constant d2 for moving ranges of two points: sigma = average moving range / 1.128."""
XMR_RUN = 7
"""Points in a run that signals special cause: 7 on one side of the mean, or 7 rising/falling."""
SPC_MIN_POINTS = 12
"""Points needed before process limits are worth trusting.

Making Data Count advises at least 12 to 15 points (ideally 20) before reading limits;
Chorus uses the lower bound, 12. With fewer points the chart is still drawn and read, but
every reading says the limits are provisional.
"""

_TOLERANCE = {"rtol": 1e-9, "atol": 1e-12}


def _floats(values: Any) -> np.ndarray:
    """Any array-like (including pandas with missing values) as a float array, NaN for missing."""
    to_numpy = getattr(values, "to_numpy", None)
    if to_numpy is not None:
        return np.asarray(to_numpy(dtype=float, na_value=np.nan), dtype=float)
    return np.asarray(values, dtype=float)


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (e.g. 0.95 or 0.998), "
                         f"not {confidence!r}")


def _check_polarity(polarity: object) -> None:
    if polarity not in POLARITIES:
        raise ValueError(f"polarity {polarity!r} is not one of {', '.join(POLARITIES)}")


# --------------------------------------------------------------------------------------------
# Confidence intervals
# --------------------------------------------------------------------------------------------


def wilson_interval(numerator: npt.ArrayLike, denominator: npt.ArrayLike,
                    confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score confidence interval for a proportion, as percentages (0 to 100).

    For a board: if 180 of 300 children reached a good level of development (60%), the 95%
    interval of about 54% to 65% is the range the neighbourhood's underlying rate plausibly
    lies in; the fewer children, the wider it is. This is the OHID/Fingertips method for
    proportions (Wilson 1927; Newcombe 1998), computed by statsmodels `proportion_confint`
    with method "wilson". Use 0.95 for 95% intervals and 0.998 for 99.8%.

    Numerators and denominators are broadcast together (arrays, pandas Series or scalars) and
    the limits come back as float arrays of that shape. A denominator of 0, or a missing
    numerator or denominator, gives NaN limits. When no child (or every child) has the
    outcome, the lower (upper) limit is exactly 0 (100).

    Raises ValueError for a negative count, a numerator above its denominator, or a
    confidence outside (0, 1).
    """
    _check_confidence(confidence)
    num, den = np.broadcast_arrays(_floats(numerator), _floats(denominator))
    shape = num.shape
    num, den = num.ravel(), den.ravel()
    known = np.isfinite(num) & np.isfinite(den)
    if np.any(known & ((num < 0) | (den < 0))):
        raise ValueError("numerators and denominators must not be negative")
    if np.any(known & (num > den)):
        raise ValueError("a numerator is larger than its denominator")
    valid = known & (den > 0)
    lower = np.full(num.shape, np.nan)
    upper = np.full(num.shape, np.nan)
    if valid.any():
        low, high = proportion_confint(num[valid], den[valid], alpha=1 - confidence,
                                       method="wilson")
        lower[valid] = 100 * np.clip(np.asarray(low, dtype=float), 0.0, 1.0)
        upper[valid] = 100 * np.clip(np.asarray(high, dtype=float), 0.0, 1.0)
        # The formula gives exactly 0 and 1 at the ends; floating point can miss by 1e-17.
        lower[valid & (num == 0)] = 0.0
        upper[valid & (num == den)] = 100.0
    return lower.reshape(shape), upper.reshape(shape)


def mean_interval(mean: npt.ArrayLike, standard_deviation: npt.ArrayLike, count: npt.ArrayLike,
                  confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Confidence interval for a mean (e.g. average number of early learning goals at expected).

    For a board: the range the area's underlying average plausibly lies in. Uses Student's t
    distribution with count - 1 degrees of freedom: mean +/- t x standard deviation /
    sqrt(count), the OHID method for means. The standard deviation is the sample standard
    deviation of the children's scores (divisor count - 1).

    Inputs broadcast together; limits come back as float arrays in the units of the mean.
    Fewer than 2 children, or any missing input, gives NaN (no spread can be estimated).

    Raises ValueError for a negative standard deviation or a confidence outside (0, 1).
    """
    _check_confidence(confidence)
    mu, sd, n = np.broadcast_arrays(_floats(mean), _floats(standard_deviation), _floats(count))
    if np.any(np.isfinite(sd) & (sd < 0)):
        raise ValueError("standard deviations must not be negative")
    valid = np.isfinite(mu) & np.isfinite(sd) & np.isfinite(n) & (n >= 2)
    safe_n = np.where(valid, n, 2.0)
    t_quantile = stats.t.ppf(0.5 + confidence / 2, safe_n - 1)
    half_width = t_quantile * np.where(valid, sd, 0.0) / np.sqrt(safe_n)
    lower = np.where(valid, mu - half_width, np.nan)
    upper = np.where(valid, mu + half_width, np.nan)
    return lower, upper


# --------------------------------------------------------------------------------------------
# Benchmark comparison and polarity
# --------------------------------------------------------------------------------------------


def compare_with_benchmark(lower: npt.ArrayLike, upper: npt.ArrayLike,
                           benchmark: npt.ArrayLike) -> np.ndarray:
    """Compare an area with a benchmark (e.g. England, or the authority) the Fingertips way.

    For a board: "higher" means the whole confidence interval is above the benchmark, so the
    difference is very unlikely to be chance; "lower" the whole interval is below it;
    "similar" the interval includes the benchmark (touching it counts as including it), so
    the area may not really differ. "not compared" when the benchmark or either limit is
    missing (e.g. suppressed).

    Inputs broadcast together (a single benchmark for many areas is fine). Returns an array
    of Python strings (object dtype) of the broadcast shape.

    Raises ValueError if a lower limit is above its upper limit.
    """
    low, high, bench = np.broadcast_arrays(_floats(lower), _floats(upper), _floats(benchmark))
    if np.any(low > high):
        raise ValueError("a lower confidence limit is above its upper limit")
    result = np.full(low.shape, SIMILAR, dtype=object)
    result[low > bench] = HIGHER
    result[high < bench] = LOWER
    result[~(np.isfinite(low) & np.isfinite(high) & np.isfinite(bench))] = NOT_COMPARED
    return result


def as_published(values: npt.ArrayLike, decimals: npt.ArrayLike = 1) -> np.ndarray:
    """Numbers rounded exactly as the published table prints them (`f"{value:.{d}f}"`).

    A board compares the interval and benchmark it can see; rounding them the same way
    before comparing keeps a label from contradicting the numbers beside it. NaN stays NaN.
    """
    numbers, places = np.broadcast_arrays(_floats(values), np.asarray(decimals))
    flat = [float(f"{value:.{int(place)}f}") if math.isfinite(value) else math.nan
            for value, place in zip(numbers.ravel().tolist(), places.ravel().tolist(),
                                    strict=True)]
    return np.asarray(flat, dtype=float).reshape(numbers.shape)


def compare_as_published(lower: npt.ArrayLike, upper: npt.ArrayLike, benchmark: npt.ArrayLike,
                         decimals: npt.ArrayLike = 1) -> np.ndarray:
    """`compare_with_benchmark` on the interval and benchmark as published (rounded).

    For a board: the label never contradicts what is printed beside it. An interval that,
    as printed, touches the printed benchmark ("58.0% to 62.1%" against 62.1%) is
    "similar", as the pack's guide says.
    """
    return compare_with_benchmark(as_published(lower, decimals), as_published(upper, decimals),
                                  as_published(benchmark, decimals))


_POLARITY_WORDS = {
    HIGH_IS_GOOD: {HIGHER: BETTER, LOWER: WORSE},
    LOW_IS_GOOD: {HIGHER: WORSE, LOWER: BETTER},
    BLUE_ORANGE_BLUE: {},
    NOT_APPLICABLE: {},
}


def apply_polarity(comparison: npt.ArrayLike, polarity: npt.ArrayLike) -> np.ndarray:
    """Turn "higher"/"lower" into "better"/"worse" where the indicator says which way is good.

    For a board: with "RAG - High is good" (e.g. % at a good level of development) higher is
    "better" and lower "worse"; with "RAG - Low is good" the reverse. "BOB - Blue orange blue"
    and "Not applicable" indicators have no good direction, so they keep "higher"/"lower".
    "similar" and "not compared" never change.

    `comparison` is what `compare_with_benchmark` returns; `polarity` is one value for all,
    or one per comparison. Returns an array of Python strings (object dtype).

    Raises ValueError for an unknown polarity or comparison.
    """
    comparisons, polarities = np.broadcast_arrays(np.asarray(comparison, dtype=object),
                                                  np.asarray(polarity, dtype=object))
    words = []
    for word, pole in zip(comparisons.ravel(), polarities.ravel(), strict=True):
        _check_polarity(pole)
        if word not in COMPARISONS:
            raise ValueError(f"comparison {word!r} is not one of {', '.join(COMPARISONS)}")
        words.append(_POLARITY_WORDS[pole].get(word, word))
    result = np.empty(len(words), dtype=object)
    result[:] = words
    return result.reshape(comparisons.shape)


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


def chi_squared_for_trend(numerators: npt.ArrayLike, denominators: npt.ArrayLike,
                          scores: npt.ArrayLike | None = None) -> TrendTest:
    """Chi-squared test for a linear trend in a series of proportions (Cochran-Armitage).

    Armitage (1955); the statistic of R's `prop.trend.test` and of the Fingertips trend
    markers for proportions:

        chi2 = N (N sum(x t) - X sum(n t))^2 / (X (N - X) (N sum(n t^2) - (sum(n t))^2))

    for numerators x, denominators n and scores t (default 1, 2, ..., i.e. equally spaced
    years), with X = sum(x) and N = sum(n), referred to chi-squared on 1 degree of freedom.
    Every denominator must be positive; use `recent_trend` for the board-level answer.
    """
    x = _floats(numerators).ravel()
    n = _floats(denominators).ravel()
    t = np.arange(1.0, x.size + 1) if scores is None else _floats(scores).ravel()
    if not x.size == n.size == t.size:
        raise ValueError("numerators, denominators and scores must have the same length")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(n)) and np.all(np.isfinite(t))):
        raise ValueError("the trend test needs every numerator, denominator and score")
    if np.any(n <= 0) or np.any(x < 0) or np.any(x > n):
        raise ValueError("each denominator must be positive and each numerator between 0 "
                         "and its denominator")
    total_n, total_x = n.sum(), x.sum()
    covariance = total_n * np.sum(x * t) - total_x * np.sum(n * t)
    spread = total_n * np.sum(n * t * t) - np.sum(n * t) ** 2
    direction = int(np.sign(covariance)) if math.isfinite(covariance) else 0
    if total_x <= 0 or total_x >= total_n or spread <= 0:
        return TrendTest(statistic=math.nan, p_value=math.nan, direction=direction)
    statistic = float(total_n * covariance**2 / (total_x * (total_n - total_x) * spread))
    return TrendTest(statistic=statistic, p_value=float(stats.chi2.sf(statistic, 1)),
                     direction=direction)


def logit_slope(numerators: npt.ArrayLike, denominators: npt.ArrayLike,
                scores: npt.ArrayLike | None = None) -> float:
    """The least-squares slope of the log odds, log(x / (n - x)), against the scores.

    Fingertips reads a significant trend's direction from this slope (unweighted, as
    PHEindicatormethods `calculate_trend_logistic_regression` with `trend_direction_only`).
    Infinite when a proportion is 0% or 100% (its log odds are infinite); NaN for fewer
    than 2 points.
    """
    x = _floats(numerators).ravel()
    n = _floats(denominators).ravel()
    t = np.arange(1.0, x.size + 1) if scores is None else _floats(scores).ravel()
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


def read_trend(numerators: npt.ArrayLike, denominators: npt.ArrayLike, *,
               points: int = TREND_POINTS,
               critical: float = TREND_CHI_SQUARED) -> TrendReading:
    """`recent_trend` with its reason and statistic (one series, plain arithmetic)."""
    x = _floats(numerators).ravel()
    n = _floats(denominators).ravel()
    if x.size != n.size:
        raise ValueError("numerators and denominators must have the same length")
    if points < 2:
        raise ValueError(f"a trend needs at least 2 points, not {points}")
    if x.size < points:
        return TrendReading(COULD_NOT_BE_CALCULATED, f"fewer than {points} points")
    x, n = x[-points:], n[-points:]
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(n))) or np.any(n == 0):
        return TrendReading(COULD_NOT_BE_CALCULATED,
                            "a point in the window is missing or counts no one")
    test = chi_squared_for_trend(x, n)
    if not test.statistic > critical:  # NaN (every year 0% or 100%) is no change
        return TrendReading(NO_SIGNIFICANT_CHANGE,
                            f"chi-squared {test.statistic:.2f} is not above {critical:.4f}",
                            test.statistic)
    slope = logit_slope(x, n)
    if not math.isfinite(slope):
        return TrendReading(COULD_NOT_BE_CALCULATED,
                            "a point at 0% or 100% leaves the direction undefined",
                            test.statistic)
    direction = np.sign(slope)
    for left_out in range(points):
        keep = np.arange(points) != left_out
        scores = np.arange(1.0, points + 1)[keep]
        if direction == 0 or np.sign(logit_slope(x[keep], n[keep], scores)) != direction:
            return TrendReading(NO_SIGNIFICANT_CHANGE,
                                "significant, but leaving out one point reverses or "
                                "flattens the direction (an outlier)", test.statistic)
    return TrendReading(INCREASING if direction > 0 else DECREASING,
                        f"chi-squared {test.statistic:.2f} is above {critical:.4f}",
                        test.statistic)


def recent_trend(numerators: npt.ArrayLike, denominators: npt.ArrayLike, *,
                 points: int = TREND_POINTS,
                 critical: float = TREND_CHI_SQUARED) -> str:
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


def recent_trends(numerators: npt.ArrayLike, denominators: npt.ArrayLike,
                  series: npt.ArrayLike, *, years: npt.ArrayLike | None = None,
                  comparable_from: npt.ArrayLike | None = None, points: int = TREND_POINTS,
                  critical: float = TREND_CHI_SQUARED) -> np.ndarray:
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
    """
    x = _floats(numerators).ravel()
    n = _floats(denominators).ravel()
    labels = np.asarray(series).ravel()
    if not x.size == n.size == labels.size:
        raise ValueError("numerators, denominators and series must have the same length")
    starts_in = (academic_year_start(np.asarray(years).ravel()) if years is not None
                 else None)
    if starts_in is not None and starts_in.size != x.size:
        raise ValueError("years must have one time period per row")
    break_year = (academic_year_start(np.asarray(comparable_from, dtype=np.int64).ravel())
                  if comparable_from is not None else None)
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
        raise ValueError("each denominator must be positive and each numerator between "
                         "0 and its denominator")
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
        return ((count * (values * times).sum(axis=1) - values.sum(axis=1) * times.sum())
                / (count * (times * times).sum() - times.sum() ** 2))

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
    HIGH_IS_GOOD: {INCREASING: "increasing and getting better",
                   DECREASING: "decreasing and getting worse"},
    LOW_IS_GOOD: {INCREASING: "increasing and getting worse",
                  DECREASING: "decreasing and getting better"},
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
    _check_polarity(polarity)
    if trend not in TRENDS:
        raise ValueError(f"trend {trend!r} is not one of {', '.join(TRENDS)}")
    return _TREND_POLARITY[polarity].get(trend, trend)


# --------------------------------------------------------------------------------------------
# XmR statistical process control (NHS "Making Data Count")
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class XmrResult:
    """An XmR (individuals and moving range) chart of one measure over time.

    Flags are boolean arrays with one entry per point; a point is special cause if any flag
    is set. With fewer than 2 points the mean, moving range and limits that cannot be
    calculated are NaN and no point is flagged.
    """

    values: np.ndarray
    """The measure, oldest first."""
    mean: float
    """Centre line: the mean of all points."""
    average_moving_range: float
    """Mean absolute difference between consecutive points."""
    sigma: float
    """Estimated common cause standard deviation: average moving range / 1.128."""
    upper_process_limit: float
    """mean + 2.66 x average moving range."""
    lower_process_limit: float
    """mean - 2.66 x average moving range."""
    beyond_limits: np.ndarray
    """Rule 1: the point is above the upper or below the lower process limit."""
    two_of_three: np.ndarray
    """Rule 2: the point is beyond 2 sigma, with another of 3 consecutive points beyond 2
    sigma on the same side of the mean (points beyond a limit count)."""
    shift: np.ndarray
    """Rule 3: the point is in a run of 7 or more on the same side of the mean (a point
    exactly on the mean breaks a run)."""
    trend_rising: np.ndarray
    """Rule 4 (rising): the point is in a run of 7 or more each higher than the one before
    (an unchanged value breaks a run)."""
    trend_falling: np.ndarray
    """Rule 4 (falling): the point is in a run of 7 or more each lower than the one before."""

    @property
    def n(self) -> int:
        """Number of points."""
        return int(self.values.size)

    @property
    def trend(self) -> np.ndarray:
        """Rule 4: the point is in a run of 7 or more rising or falling points."""
        return self.trend_rising | self.trend_falling

    @property
    def special_cause(self) -> np.ndarray:
        """The point is flagged by any of the four rules."""
        return self.beyond_limits | self.two_of_three | self.shift | self.trend

    @property
    def side(self) -> np.ndarray:
        """+1 above the mean, -1 below it, 0 on it (within floating-point tolerance)."""
        return _side(self.values, self.mean)

    @property
    def enough_points(self) -> bool:
        """Whether there are enough points to trust the process limits (see SPC_MIN_POINTS)."""
        return enough_points_for_spc(self.n)


def enough_points_for_spc(n: int) -> bool:
    """Whether `n` points are enough to trust XmR process limits.

    Making Data Count advises at least 12 to 15 points before reading limits; Chorus uses
    12 (`SPC_MIN_POINTS`). With four years of EYFSP data this is False: the chart can be
    drawn but every reading says its limits are provisional.
    """
    if n < 0:
        raise ValueError(f"a number of points cannot be negative, not {n}")
    return n >= SPC_MIN_POINTS


def _side(values: np.ndarray, centre: float) -> np.ndarray:
    deviation = values - centre
    deviation[np.isclose(values, centre, **_TOLERANCE)] = 0.0
    return np.sign(deviation).astype(int)


def _in_runs(mask: np.ndarray, length: int) -> np.ndarray:
    """Elements of `mask` that belong to a run of at least `length` consecutive True values."""
    flags = np.zeros(mask.size, dtype=bool)
    start = None
    for index, value in enumerate([*mask.tolist(), False]):
        if value and start is None:
            start = index
        elif not value and start is not None:
            if index - start >= length:
                flags[start:index] = True
            start = None
    return flags


def _in_monotone_runs(steps: np.ndarray, points: int, size: int) -> np.ndarray:
    """Points in a run of at least `points` points joined by steps that are all True."""
    flags = np.zeros(size, dtype=bool)
    step_runs = _in_runs(steps, points - 1)
    for step in np.flatnonzero(step_runs):
        flags[step] = flags[step + 1] = True
    return flags


def _two_of_three(near: np.ndarray) -> np.ndarray:
    flags = np.zeros(near.size, dtype=bool)
    for start in range(near.size - 2):
        window = near[start:start + 3]
        if window.sum() >= 2:
            flags[start:start + 3] |= window
    return flags


def xmr(values: npt.ArrayLike) -> XmrResult:
    """XmR chart of a measure over time, with the Making Data Count special-cause rules.

    For a board: the mean and process limits describe what the measure does when nothing
    in particular is happening; the flags mark points that behave differently enough to ask
    why. Limits are mean +/- 2.66 x the average moving range (the mean absolute change from
    one point to the next); sigma = average moving range / 1.128. The four rules:

    1. a point beyond a process limit;
    2. 2 of 3 consecutive points beyond 2 sigma, on the same side of the mean;
    3. a run of 7 or more points on the same side of the mean (a "shift");
    4. a run of 7 or more points each higher (or each lower) than the one before (a "trend").

    Limits use every point given (no baseline freezing or moving-range outlier screening).
    `values` must be complete, oldest first; 0 or 1 points give NaN limits and no flags.
    Check `enough_points_for_spc` (or `XmrResult.enough_points`) before trusting limits.

    Raises ValueError if a value is missing or infinite: an XmR chart needs an unbroken series.
    """
    y = _floats(values).ravel().copy()
    if not np.all(np.isfinite(y)):
        raise ValueError("an XmR chart needs every value; found a missing or infinite one")
    n = y.size
    no_flags = np.zeros(n, dtype=bool)
    mean = float(np.mean(y)) if n else math.nan
    if n < 2:
        return XmrResult(values=y, mean=mean, average_moving_range=math.nan, sigma=math.nan,
                         upper_process_limit=math.nan, lower_process_limit=math.nan,
                         beyond_limits=no_flags, two_of_three=no_flags.copy(),
                         shift=no_flags.copy(), trend_rising=no_flags.copy(),
                         trend_falling=no_flags.copy())
    average_moving_range = float(np.mean(np.abs(np.diff(y))))
    sigma = average_moving_range / XMR_D2
    side = _side(y, mean)
    distance = np.where(side == 0, 0.0, np.abs(y - mean))
    beyond = distance > XMR_LIMIT_FACTOR * average_moving_range
    near = distance > 2 * sigma
    steps = np.sign(np.diff(y))
    steps[np.isclose(y[1:], y[:-1], **_TOLERANCE)] = 0
    return XmrResult(
        values=y,
        mean=mean,
        average_moving_range=average_moving_range,
        sigma=sigma,
        upper_process_limit=mean + XMR_LIMIT_FACTOR * average_moving_range,
        lower_process_limit=mean - XMR_LIMIT_FACTOR * average_moving_range,
        beyond_limits=beyond,
        two_of_three=_two_of_three(near & (side > 0)) | _two_of_three(near & (side < 0)),
        shift=_in_runs(side > 0, XMR_RUN) | _in_runs(side < 0, XMR_RUN),
        trend_rising=_in_monotone_runs(steps > 0, XMR_RUN, n),
        trend_falling=_in_monotone_runs(steps < 0, XMR_RUN, n),
    )


def _run_length_ending(mask: np.ndarray, index: int) -> int:
    length = 0
    while index - length >= 0 and mask[index - length]:
        length += 1
    return length


def _direction_word(direction: int, polarity: str) -> str:
    if polarity == HIGH_IS_GOOD:
        return "improvement" if direction > 0 else "concern"
    if polarity == LOW_IS_GOOD:
        return "concern" if direction > 0 else "improvement"
    return ("higher" if direction > 0 else "lower") + ", neither improvement nor concern"


def _signals_at(result: XmrResult, index: int, polarity: str) -> str:
    """What flagged the point at `index`, grouped by improvement/concern."""
    side = int(result.side[index])
    where = "upper" if side > 0 else "lower"
    above = "above" if side > 0 else "below"
    signals: list[tuple[int, str]] = []
    if result.beyond_limits[index]:
        signals.append((side, f"point {above} the {where} process limit"))
    if result.two_of_three[index]:
        signals.append((side, f"2 of 3 points near the {where} process limit"))
    if result.shift[index]:
        run = _run_length_ending(result.side == side, index)
        signals.append((side, f"run of {run} {above} the mean"))
    if result.trend_rising[index]:
        run = _run_length_ending(result.trend_rising, index)
        signals.append((1, f"run of {run} rising"))
    if result.trend_falling[index]:
        run = _run_length_ending(result.trend_falling, index)
        signals.append((-1, f"run of {run} falling"))
    groups: dict[str, list[str]] = {}
    for direction, text in signals:
        groups.setdefault(_direction_word(direction, polarity), []).append(text)
    return " and ".join(f"{word} ({', '.join(texts)})" for word, texts in groups.items())


def xmr_reading(result: XmrResult, polarity: str) -> str:
    """A plain-English, one-line reading of an XmR chart for a board pack.

    Reads the latest point, as the Making Data Count variation icons do:

    - "common cause variation only": nothing unusual anywhere in the series;
    - "special cause: improvement (run of 7 above the mean)": the latest point is flagged,
      with which rule(s); "improvement"/"concern" follow the polarity, and BOB or
      "Not applicable" indicators read "higher"/"lower, neither improvement nor concern";
    - "common cause variation at the latest point; earlier special cause: ...": the latest
      point is ordinary but an earlier one was not (the most recent such point is described).

    With fewer than `SPC_MIN_POINTS` (12) points the reading ends with a caution that the
    limits are provisional; with 0 or 1 points it says no limits can be calculated.
    """
    _check_polarity(polarity)
    n = result.n
    if n == 0:
        return "no data: process limits cannot be calculated"
    if n == 1:
        return (f"only 1 point: process limits need at least 2 points "
                f"(and {SPC_MIN_POINTS} to be reliable)")
    flagged = np.flatnonzero(result.special_cause)
    if flagged.size == 0:
        reading = "common cause variation only"
    elif flagged[-1] == n - 1:
        reading = f"special cause: {_signals_at(result, n - 1, polarity)}"
    else:
        reading = ("common cause variation at the latest point; earlier special cause: "
                   f"{_signals_at(result, int(flagged[-1]), polarity)}")
    if not enough_points_for_spc(n):
        reading += (f" (caution: only {n} points; process limits are reliable from "
                    f"{SPC_MIN_POINTS})")
    return reading
