"""XmR charts, NHS "Making Data Count" statistical process control: they separate the
everyday ups and downs of a measure (common cause variation) from changes worth asking
about (special cause variation).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from indicators.stats.terms import HIGH_IS_GOOD, LOW_IS_GOOD, as_floats, check_polarity

_TOLERANCE = {"rtol": 1e-9, "atol": 1e-12}

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
    gaps: int = 0
    """Missing periods between the points (with `periods`): no moving range, run or
    two-of-three window spans one."""

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
        window = near[start : start + 3]
        if window.sum() >= 2:
            flags[start : start + 3] |= window
    return flags


def _joined(periods: npt.ArrayLike | None, n: int) -> np.ndarray:
    """Whether each point follows the one before with no period missing between them."""
    if periods is None:
        return np.ones(max(n - 1, 0), dtype=bool)
    ordinals = np.asarray(periods, dtype=np.int64).ravel()
    if ordinals.size != n:
        raise ValueError(f"an XmR chart needs one period per value: {ordinals.size} for {n}")
    steps = np.diff(ordinals)
    if np.any(steps <= 0):
        raise ValueError("an XmR chart's periods must be in order, each period once")
    return steps == 1


def _by_segment(rule, mask: np.ndarray, segment: np.ndarray) -> np.ndarray:
    """`rule` applied to each run of consecutive periods on its own."""
    flags = np.zeros(mask.size, dtype=bool)
    for label in np.unique(segment):
        chosen = segment == label
        flags[chosen] = rule(mask[chosen])
    return flags


def xmr(values: npt.ArrayLike, periods: npt.ArrayLike | None = None) -> XmrResult:
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
    `periods` (optional): each value's period as an ordinal of its period type
    (indicators/declarations.py `PeriodType.ordinals`: consecutive months differ by one).
    A missing period is a gap, not a step: no moving range is taken across it, and no run
    (rules 3 and 4) or two-of-three window (rule 2) spans it; the mean uses every point.
    Check `enough_points_for_spc` (or `XmrResult.enough_points`) before trusting limits.

    Raises ValueError if a value is missing or infinite: an XmR chart needs an unbroken series.
    """
    y = as_floats(values).ravel().copy()
    if not np.all(np.isfinite(y)):
        raise ValueError("an XmR chart needs every value; found a missing or infinite one")
    n = y.size
    joined = _joined(periods, n)
    no_flags = np.zeros(n, dtype=bool)
    mean = float(np.mean(y)) if n else math.nan
    if not joined.any():
        return XmrResult(
            values=y,
            mean=mean,
            average_moving_range=math.nan,
            sigma=math.nan,
            upper_process_limit=math.nan,
            lower_process_limit=math.nan,
            beyond_limits=no_flags,
            two_of_three=no_flags.copy(),
            shift=no_flags.copy(),
            trend_rising=no_flags.copy(),
            trend_falling=no_flags.copy(),
            gaps=_gap_count(periods),
        )
    segment = np.concatenate([[0], np.cumsum(~joined)])
    average_moving_range = float(np.mean(np.abs(np.diff(y))[joined]))
    sigma = average_moving_range / XMR_D2
    side = _side(y, mean)
    distance = np.where(side == 0, 0.0, np.abs(y - mean))
    beyond = distance > XMR_LIMIT_FACTOR * average_moving_range
    near = distance > 2 * sigma
    steps = np.sign(np.diff(y))
    steps[np.isclose(y[1:], y[:-1], **_TOLERANCE)] = 0
    steps[~joined] = 0  # no rise or fall across a missing period
    above, below = side > 0, side < 0
    return XmrResult(
        values=y,
        mean=mean,
        average_moving_range=average_moving_range,
        sigma=sigma,
        upper_process_limit=mean + XMR_LIMIT_FACTOR * average_moving_range,
        lower_process_limit=mean - XMR_LIMIT_FACTOR * average_moving_range,
        beyond_limits=beyond,
        two_of_three=_by_segment(_two_of_three, near & above, segment)
        | _by_segment(_two_of_three, near & below, segment),
        shift=_by_segment(lambda run: _in_runs(run, XMR_RUN), above, segment)
        | _by_segment(lambda run: _in_runs(run, XMR_RUN), below, segment),
        trend_rising=_in_monotone_runs(steps > 0, XMR_RUN, n),
        trend_falling=_in_monotone_runs(steps < 0, XMR_RUN, n),
        gaps=_gap_count(periods),
    )


def _gap_count(periods: npt.ArrayLike | None) -> int:
    if periods is None:
        return 0
    ordinals = np.asarray(periods, dtype=np.int64).ravel()
    return int(np.sum(np.diff(ordinals) - 1)) if ordinals.size > 1 else 0


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
    check_polarity(polarity)
    n = result.n
    if n == 0:
        return "no data: process limits cannot be calculated"
    if n == 1:
        return (
            f"only 1 point: process limits need at least 2 points "
            f"(and {SPC_MIN_POINTS} to be reliable)"
        )
    flagged = np.flatnonzero(result.special_cause)
    if flagged.size == 0:
        reading = "common cause variation only"
    elif flagged[-1] == n - 1:
        reading = f"special cause: {_signals_at(result, n - 1, polarity)}"
    else:
        reading = (
            "common cause variation at the latest point; earlier special cause: "
            f"{_signals_at(result, int(flagged[-1]), polarity)}"
        )
    if not enough_points_for_spc(n):
        reading += f" (caution: only {n} points; process limits are reliable from {SPC_MIN_POINTS})"
    return reading
