"""The slope index of inequality (SII) and relative index of inequality (RII), as OHID's
PHEindicatormethods `phe_sii` (R/SII_function.R and R/utils.R, ukhsa-collaboration).

For a board: the SII is the gap in an outcome between the most and the least deprived ends
of the area, e.g. "children in the least deprived fifth are 18 points likelier to reach a
good level of development than those in the most deprived", allowing for every quintile and
its size, not only the two end ones. The RII is the same gap as a ratio.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from indicators.stats.intervals import wilson_interval
from indicators.stats.terms import as_floats

SII_VALUE_TYPES = ("other", "rate", "proportion")
"""phe_sii's value_type 0, 1 and 2: no transformation, log, logit."""
SII_MIN_QUANTILES, SII_MAX_QUANTILES = 5, 100
"""phe_sii calculates an SII only from 5 to 100 quantiles."""
SII_MIN_REPETITIONS = 1000
"""phe_sii refuses fewer than 1,000 simulations; its default is 100,000."""
SII_SEED = 20040388
"""The simulation's fixed seed, so a re-run publishes the same limits."""

_FORWARD = {"other": lambda v: v, "rate": np.log, "proportion": lambda v: np.log(v / (1 - v))}
_BACK = {"other": lambda v: v, "rate": np.exp, "proportion": lambda v: 1 / (1 + np.exp(-v))}


@dataclass(frozen=True)
class SlopeIndex:
    """An SII with its limits (and the RII when asked for), in the units of the values."""

    sii: float
    """Fitted value at the least deprived end minus that at the most deprived end (rank 1
    minus rank 0), times the multiplier."""
    limits: dict[float, tuple[float, float]]
    """Confidence level -> (lower, upper) limits of the SII, from the simulation."""
    intercept: float
    """Fitted value at the most deprived end (rank 0), times the absolute multiplier."""
    rii: float | None = None
    """Fitted value at rank 1 divided by that at rank 0 (inverted for a negative multiplier)."""
    rii_limits: dict[float, tuple[float, float]] | None = None
    """Confidence level -> (lower, upper) limits of the RII."""


def rank_midpoints(populations: npt.ArrayLike) -> np.ndarray:
    """Each quantile's relative rank, the midpoint of its share of the cumulative population
    (phe_sii's FindXValues): shares 0.12 then 0.10 give 0.06 then 0.17."""
    share = as_floats(populations) / np.sum(as_floats(populations))
    return np.cumsum(share) - share / 2


def slope_index(
    values: npt.ArrayLike,
    populations: npt.ArrayLike,
    quantiles: npt.ArrayLike,
    *,
    value_type: str = "proportion",
    transform: bool = False,
    se: npt.ArrayLike | None = None,
    lower: npt.ArrayLike | None = None,
    upper: npt.ArrayLike | None = None,
    denominators: npt.ArrayLike | None = None,
    multiplier: float = 1.0,
    confidence: float | tuple[float, ...] = (0.95,),
    repetitions: int = 100_000,
    seed: int = SII_SEED,
    rii: bool = False,
) -> SlopeIndex:
    """The SII (and RII) across deprivation quantiles, by the method of phe_sii.

    One value, population and label per quantile; quantiles are ordered by label, lowest
    first, and phe_sii expects quantile 1 to be the most deprived, so the SII is the least
    deprived end minus the most deprived end. Proportions are 0 to 1 (phe_sii's
    `multiplier = 100` gives percentage points). Each quantile's relative rank is the
    midpoint of its cumulative population share; the values are regressed on the ranks by
    least squares weighted by population share (phe_sii fits sqrt(a) y on sqrt(a) and
    b sqrt(a), no constant). With `transform`, rates are fitted as logs and proportions as
    logits, and the SII is turned back into the values' units. RII = fitted value at rank 1
    over that at rank 0.

    Each quantile's standard error is on the log (rates) or logit (proportions) scale, as
    in phe_sii: `se` is taken as given on that scale; otherwise it is (upper - lower) /
    (2 x 1.96) of the transformed 95% limits `lower` and `upper`; otherwise, for
    proportions only, of 95% Wilson limits for value x denominator out of `denominators`
    (this package's choice; phe_sii users pass Wilson limits). The limits come from
    `repetitions` simulations: each quantile's transformed value is drawn from a normal
    with its standard error, the regression is refitted, and the SIIs ranked
    round(repetitions x (1 - c) / 2) and round(repetitions x (1 + c) / 2) (1-based) are the
    limits at confidence c. A negative multiplier swaps the limits and inverts the RII.

    Raises ValueError for inputs of different lengths, repeated labels, missing values,
    fewer than 5 or more than 100 quantiles, a population of zero or less, a proportion not
    strictly between 0 and 1 (a rate not above 0), no standard errors or limits, or options
    phe_sii refuses (transform with `se` or with value_type "other", under 1,000 repetitions,
    a confidence outside [0.9, 1)).
    """
    if value_type not in SII_VALUE_TYPES:
        raise ValueError(f"value_type must be one of {', '.join(SII_VALUE_TYPES)}")
    if transform and (value_type == "other" or se is not None):
        raise ValueError("transform needs a rate or proportion with lower and upper limits")
    levels = (confidence,) if np.isscalar(confidence) else tuple(confidence)
    if not levels or any(not 0.9 <= c < 1 for c in levels):
        raise ValueError(f"each confidence must be in [0.9, 1), e.g. 0.95; not {confidence}")
    if repetitions < SII_MIN_REPETITIONS:
        raise ValueError(f"repetitions must be at least {SII_MIN_REPETITIONS}")
    labels = np.asarray(quantiles)
    given = {"values": values, "populations": populations, "se": se, "lower": lower}
    given |= {"upper": upper, "denominators": denominators}
    arrays = {k: as_floats(v) for k, v in given.items() if v is not None}
    if any(a.shape != labels.shape or a.ndim != 1 for a in arrays.values()):
        raise ValueError(f"give one of each per quantile: {labels.size} quantile labels")
    if len(np.unique(labels)) != labels.size:
        raise ValueError("each quantile label must appear once")
    if not SII_MIN_QUANTILES <= labels.size <= SII_MAX_QUANTILES:
        raise ValueError(f"phe_sii needs 5 to 100 quantiles, not {labels.size}")
    if any(not np.all(np.isfinite(a)) for a in arrays.values()):
        raise ValueError("a quantile has a missing value, population or limit")
    order = np.argsort(labels, kind="stable")
    arrays = {k: a[order] for k, a in arrays.items()}
    y, pops = arrays["values"], arrays["populations"]
    if np.any(pops <= 0):
        raise ValueError("every quantile needs a population above zero")
    if value_type == "proportion" and np.any((y <= 0) | (y >= 1)):
        raise ValueError("proportions must lie strictly between 0 and 1 (logit scale)")
    if value_type == "rate" and np.any(y <= 0):
        raise ValueError("rates must be above zero (log scale)")

    forward, back = _FORWARD[value_type], _BACK[value_type]
    if "se" in arrays:
        se_t = arrays["se"]
    else:
        if "lower" in arrays and "upper" in arrays:
            low, high = arrays["lower"], arrays["upper"]
        elif value_type == "proportion" and "denominators" in arrays:
            den = arrays["denominators"]
            low, high = (limit / 100 for limit in wilson_interval(y * den, den, 0.95))
        else:
            raise ValueError("give se, or lower and upper 95% limits (or denominators)")
        with np.errstate(divide="ignore", invalid="ignore"):
            se_t = (forward(high) - forward(low)) / (2 * stats.norm.ppf(0.975))
    if np.any(~np.isfinite(se_t) | (se_t < 0)):
        raise ValueError("standard errors must be finite and not negative")

    # Weighted least squares as phe_sii: solve for (intercept, slope) of sqrt(a) y on
    # sqrt(a) and b sqrt(a); `solver` maps the quantiles' values (one column per draw).
    root_a = np.sqrt(pops / pops.sum())
    design = np.column_stack([root_a, rank_midpoints(pops) * root_a])
    solver = np.linalg.solve(design.T @ design, design.T) * root_a
    t = forward(y)
    draws = t[:, None] + se_t[:, None] * np.random.default_rng(seed).standard_normal(
        (y.size, repetitions)
    )
    start, slope = solver @ (t if transform else y)
    sim_start, sim_slope = solver @ (draws if transform else back(draws))

    def ends(gap: np.ndarray | float) -> tuple:
        """Back-transformed fitted values at rank 0 and 1 for a transformed-scale slope,
        about the fitted midpoint (phe_sii's xequalshalf)."""
        middle = start + slope / 2
        return back(middle - np.asarray(gap) / 2), back(middle + np.asarray(gap) / 2)

    def ranked(sims: np.ndarray, c: float) -> tuple[float, float]:
        ordered = np.sort(sims)
        return float(ordered[round(repetitions * (1 - c) / 2) - 1]), float(
            ordered[round(repetitions * (1 + c) / 2) - 1]
        )

    power = -1 if multiplier < 0 else 1
    limits, rii_limits = {}, {}
    for c in levels:
        if transform:
            low0, low1 = ends(ranked(sim_slope, c)[0])
            high0, high1 = ends(ranked(sim_slope, c)[1])
            # phe_sii puts the slope's limits about the fitted midpoint; both maps rise
            # with the slope, so sorting swaps them exactly when phe_sii does.
            pair = sorted([(low1 - low0) * multiplier, (high1 - high0) * multiplier])
            ratios = sorted([(low1 / low0) ** power, (high1 / high0) ** power])
        else:
            pair = ranked(sim_slope * multiplier, c)
            ratios = ranked(((sim_start + sim_slope) / sim_start) ** power, c)
        limits[c] = (float(pair[0]), float(pair[1]))
        rii_limits[c] = (float(ratios[0]), float(ratios[1]))
    at0, at1 = ends(slope) if transform else (start, start + slope)
    return SlopeIndex(
        sii=float((at1 - at0) * multiplier),
        limits=limits,
        intercept=float(at0 * abs(multiplier)),
        rii=float((at1 / at0) ** power) if rii else None,
        rii_limits=rii_limits if rii else None,
    )
