"""Funnel plots for proportions: is an area's value further from the group's value than
chance would explain for its cohort size?

A combined authority plots each local authority's proportion (e.g. children reaching a good
level of development) against its denominator, around the pooled value of the whole group,
with 95% and 99.8% control limits that narrow as the denominator grows.

This follows `calculate_funnel_limits` and `assign_funnel_significance` (statistic
"proportion") in PHEindicatormethods 2.1.0 (OHID / UKHSA, R/Funnels.R; limits from
`sigma_adjustment` in R/utils.R), after Spiegelhalter (2005) "Funnel plots for comparing
institutional performance", Statistics in Medicine 24:1185-1202:

- the centre is the pooled proportion, sum(numerators) / sum(denominators);
- a limit at denominator n is the proportion whose Wilson score interval just reaches the
  centre p. The package solves a quadratic for it; the root is p +/- z sqrt(p(1 - p) / n),
  z the normal quantile 0.975 (95%) or 0.999 (99.8%); limits are cut at 0 and 100%;
- the denominators of the plotted lines are the package's 100-point axis (`funnel_axis`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from indicators.stats.terms import as_floats, check_confidence

# assign_funnel_significance's words (R/Funnels.R), for 99.8% and 95% limits.
HIGH_998 = "High (0.001)"
HIGH_95 = "High (0.025)"
LOW_998 = "Low (0.001)"
LOW_95 = "Low (0.025)"
NOT_SIGNIFICANT = "Not significant"
POSITIONS = (HIGH_998, HIGH_95, LOW_998, LOW_95, NOT_SIGNIFICANT)

AXIS_POINTS = 100


def _checked(numerators: npt.ArrayLike, denominators: npt.ArrayLike) -> tuple[np.ndarray, ...]:
    num, den = np.broadcast_arrays(as_floats(numerators), as_floats(denominators))
    if not (np.all(np.isfinite(num)) and np.all(np.isfinite(den))):
        raise ValueError("every area needs a numerator and a denominator (0 is allowed)")
    if np.any(num < 0) or np.any(den <= 0):
        raise ValueError("numerators must not be negative and denominators must be above 0")
    if np.any(num > den):
        raise ValueError("a numerator is larger than its denominator")
    return num, den


def proportion_limits(
    centre: float, denominators: npt.ArrayLike, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper funnel limits, as proportions (0 to 1, not cut), around `centre`.

    `centre` is a proportion (0 to 1); `confidence` is two-sided (0.95 or 0.998).
    """
    check_confidence(confidence)
    if not 0 <= centre <= 1:
        raise ValueError(f"centre must be a proportion between 0 and 1, not {centre!r}")
    n = as_floats(denominators)
    z = stats.norm.ppf(0.5 + confidence / 2)
    half_width = z * np.sqrt(centre * (1 - centre) / n)
    return centre - half_width, centre + half_width


def _floor_to_1_figure(x: float) -> float:
    """The package's `signif.floor`: 95% of x, rounded down to one significant figure."""
    if x == 0:
        return 0.0
    digits = len(str(math.floor(x * 0.95))) - 1
    return math.floor(x * 0.95 / 10.0**digits) * 10.0**digits


def _ceil_to_2_figures(x: float) -> float:
    """The package's `signif.ceiling`: 105% of x, rounded up to two significant figures."""
    if x == 0:
        return 0.0
    digits = len(str(math.ceil(x * 1.05))) - 2
    return math.ceil(x * 1.05 / 10.0**digits) * 10.0**digits


def funnel_axis(min_denominator: float, max_denominator: float) -> np.ndarray:
    """The package's 100 denominators for plotting the funnel lines (R/Funnels.R, 202-249).

    The axis starts at 0 when the largest denominator is more than twice the smallest,
    otherwise at 95% of the smallest rounded down to one significant figure; it ends at 105%
    of the largest rounded up to two significant figures. The first point is the start (at
    least 1); each next one closes a geometric step towards the end (rounded half to even,
    as R's `round`) and is at least 1 more than the last, so points crowd at small cohorts.
    """
    spread = max_denominator > 2 * min_denominator
    start = 0.0 if spread else _floor_to_1_figure(min_denominator)
    end = _ceil_to_2_figures(max_denominator)
    axis = [max(1.0, start)]
    for j in range(2, AXIS_POINTS + 1):
        last = axis[-1]
        axis.append(max(round((end / last) ** (1 / (101 - j)) * last), last + 1))
    return np.array(axis, dtype=float)


def _label(confidence: float) -> str:
    return f"{100 * confidence:g}".replace(".", "_")


def funnel_limits(
    numerators: npt.ArrayLike,
    denominators: npt.ArrayLike,
    confidence: Sequence[float] = (0.95, 0.998),
    points: npt.ArrayLike | None = None,
    multiplier: float = 100,
) -> pd.DataFrame:
    """Funnel-plot control limits for proportions, one row for each denominator to plot.

    Numerators and denominators are the areas' counts (e.g. children reaching a good level of
    development, and children assessed). `points` are the denominators to give limits at;
    by default the package's 100-point axis spanning the areas' denominators.

    Columns: `denominator`, then `lower_95`, `upper_95`, `lower_99_8`, `upper_99_8` (one
    pair for each confidence, named by its percentage) and `centre`, the pooled proportion,
    all times `multiplier` (100: percentages; 1: proportions), limits cut to [0, multiplier].

    Raises ValueError for a missing or negative count, a denominator of 0, or a numerator
    larger than its denominator.
    """
    num, den = _checked(numerators, denominators)
    if den.size == 0:
        raise ValueError("funnel limits need at least one area")
    centre = float(num.sum() / den.sum())
    axis = funnel_axis(den.min(), den.max()) if points is None else as_floats(points).ravel()
    table = {"denominator": axis}
    for level in confidence:
        lower, upper = proportion_limits(centre, axis, level)
        table[f"lower_{_label(level)}"] = np.clip(lower, 0, 1) * multiplier
        table[f"upper_{_label(level)}"] = np.clip(upper, 0, 1) * multiplier
    table["centre"] = np.full(axis.shape, centre * multiplier)
    return pd.DataFrame(table)


def funnel_position(
    numerator: npt.ArrayLike,
    denominator: npt.ArrayLike,
    centre: float,
    multiplier: float = 100,
) -> np.ndarray | str:
    """Where an area's proportion lies against the funnel around `centre` (the pooled value,
    on the same scale as `multiplier`: 80.6 for 80.6% with the default 100).

    The package's words: "High (0.001)" / "Low (0.001)" above / below the 99.8% limits,
    "High (0.025)" / "Low (0.025)" outside the 95% limits but within the 99.8% ones, and
    "Not significant" within the 95% limits (on a limit counts as within). A string for one
    area, an array of strings for arrays.
    """
    num, den = _checked(numerator, denominator)
    value = num / den
    low_998, high_998 = proportion_limits(centre / multiplier, den, 0.998)
    low_95, high_95 = proportion_limits(centre / multiplier, den, 0.95)
    position = np.select(
        [value < low_998, value < low_95, value > high_998, value > high_95],
        [LOW_998, LOW_95, HIGH_998, HIGH_95],
        default=NOT_SIGNIFICANT,
    )
    return position[()] if position.ndim == 0 else position
