"""Confidence intervals: the range the "true" value for an area plausibly lies in, given
how many children (or families) were counted. A neighbourhood of 40 children has a wide
interval; the whole authority a narrow one.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from indicators.stats.terms import as_floats, check_confidence

# --------------------------------------------------------------------------------------------
# Confidence intervals
# --------------------------------------------------------------------------------------------


def wilson_interval(
    numerator: npt.ArrayLike, denominator: npt.ArrayLike, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
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
    check_confidence(confidence)
    num, den = np.broadcast_arrays(as_floats(numerator), as_floats(denominator))
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
        low, high = proportion_confint(
            num[valid], den[valid], alpha=1 - confidence, method="wilson"
        )
        lower[valid] = 100 * np.clip(np.asarray(low, dtype=float), 0.0, 1.0)
        upper[valid] = 100 * np.clip(np.asarray(high, dtype=float), 0.0, 1.0)
        # The formula gives exactly 0 and 1 at the ends; floating point can miss by 1e-17.
        lower[valid & (num == 0)] = 0.0
        upper[valid & (num == den)] = 100.0
    return lower.reshape(shape), upper.reshape(shape)


def mean_interval(
    mean: npt.ArrayLike,
    standard_deviation: npt.ArrayLike,
    count: npt.ArrayLike,
    confidence: float = 0.95,
) -> tuple[np.ndarray, np.ndarray]:
    """Confidence interval for a mean (e.g. average number of early learning goals at expected).

    For a board: the range the area's underlying average plausibly lies in. Uses Student's t
    distribution with count - 1 degrees of freedom: mean +/- t x standard deviation /
    sqrt(count), the OHID method for means. The standard deviation is the sample standard
    deviation of the children's scores (divisor count - 1).

    Inputs broadcast together; limits come back as float arrays in the units of the mean.
    Fewer than 2 children, or any missing input, gives NaN (no spread can be estimated).

    Raises ValueError for a negative standard deviation or a confidence outside (0, 1).
    """
    check_confidence(confidence)
    mu, sd, n = np.broadcast_arrays(
        as_floats(mean), as_floats(standard_deviation), as_floats(count)
    )
    if np.any(np.isfinite(sd) & (sd < 0)):
        raise ValueError("standard deviations must not be negative")
    valid = np.isfinite(mu) & np.isfinite(sd) & np.isfinite(n) & (n >= 2)
    safe_n = np.where(valid, n, 2.0)
    t_quantile = stats.t.ppf(0.5 + confidence / 2, safe_n - 1)
    half_width = t_quantile * np.where(valid, sd, 0.0) / np.sqrt(safe_n)
    lower = np.where(valid, mu - half_width, np.nan)
    upper = np.where(valid, mu + half_width, np.nan)
    return lower, upper
