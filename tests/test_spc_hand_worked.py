"""XmR limits and special-cause rules on series worked by hand (issue 16: the Early Help
pack reads monthly XmR charts, NHS "Making Data Count").

The method, as Making Data Count states it (the only constants used here):
- centre line: the mean of the points;
- moving range: |x(i) - x(i-1)|; mR-bar is their mean;
- process limits: mean +/- 2.66 x mR-bar; sigma = mR-bar / 1.128;
- special cause: a point beyond a process limit; 2 of 3 consecutive points beyond 2 sigma
  on one side of the mean; a run of 7 or more on one side of the mean (a shift); a run of
  7 or more rising or falling (a trend).
Every figure below is worked out in the comments, not taken from indicators/stats/spc.py.
"""

from __future__ import annotations

import math

import numpy as np

from indicators.stats.spc import xmr, xmr_reading

HIGH_IS_GOOD = "RAG - High is good"  # the register's polarity words

# ---------------------------------------------------------------------------------------------
# Series A: 20 monthly points, a point beyond the upper limit (point 6) and a shift of 7
# points above the mean at the end (points 14 to 20).
#
#   point:  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15 16 17 18 19 20
#   value: 10 14 10 14 10 29 10 14 10 14 10 14 10 14 15 14 15 14 15 14
#
# Sum: points 1-5 = 58; point 6 = 29; points 7-13 = 82; points 14-20 = 101; total 270.
# Mean = 270 / 20 = 13.5.
# Moving ranges (19): 1->2..4->5: 4 x 4 = 16; 5->6 and 6->7: 19 + 19 = 38;
#   7->8..13->14: 7 x 4 = 28; 14->15..19->20: 6 x 1 = 6; total 88. mR-bar = 88 / 19 = 4.6316.
# Limits: 13.5 +/- 2.66 x 4.6316 = 13.5 +/- 12.32: upper 25.82, lower 1.18.
#   Point 6 (29) is above 25.82: rule 1. Every other point lies between 10 and 15.
# Sigma = 4.6316 / 1.128 = 4.106; 2 sigma = 8.21: beyond it only point 6 (29 - 13.5 = 15.5;
#   10 is 3.5 below, 15 is 1.5 above), so no window of 3 has 2 beyond 2 sigma: no rule 2.
# Sides of the mean 13.5: 10 below, 14, 15 and 29 above. Points 14-20 are all above and
#   point 13 is below: a run of exactly 7 (rule 3). Before it the sides alternate (the
#   longest run is 1).
# Steps: up, down, up, down ... then 10->14 up, 14->15 up, 15->14 down: never 6 steps in one
#   direction, so no run of 7 rising or falling (no rule 4).
# Special cause: point 6 and points 14 to 20, nothing else.
SERIES_A = [10, 14, 10, 14, 10, 29, 10, 14, 10, 14, 10, 14, 10, 14, 15, 14, 15, 14, 15, 14]
A_MEAN = 13.5
A_MR_BAR = 88 / 19
A_UPPER = 25.82
A_LOWER = 1.18
A_BEYOND = {6}  # 1-based points
A_SHIFT = set(range(14, 21))

# ---------------------------------------------------------------------------------------------
# Control B: near misses of both rules. A run of only 6 above the mean (points 15 to 20) and
# a point (6) just inside the upper limit.
#
#   point:  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15 16 17 18 19 20
#   value: 10 14 10 14 10 23 10 14 10 14 10 14 10 10 14 15 14 15 14 15
#
# Sum: 58 + 23 + 82 + 10 + 87 = 260. Mean = 13.
# Moving ranges: 16 + (13 + 13) + 6 x 4 (7->8..12->13) + 0 (13->14) + 4 (14->15)
#   + 5 x 1 (15->16..19->20) = 16 + 26 + 24 + 0 + 4 + 5 = 75. mR-bar = 75 / 19 = 3.947.
# Limits: 13 +/- 2.66 x 75 / 19 = 13 +/- 199.5 / 19 = 13 +/- 10.5: upper 23.5, lower 2.5.
#   Point 6 (23) is inside: no rule 1.
# 2 sigma = 2 x 3.947 / 1.128 = 7.0: beyond it only point 6 (10 above): no rule 2.
# Sides of 13: points 15-20 above, point 14 below: a run of 6, one short of a shift.
# Steps: 13->14 is no change (it breaks any trend); no 6 steps in one direction.
# Special cause: none.
CONTROL_B = [10, 14, 10, 14, 10, 23, 10, 14, 10, 14, 10, 14, 10, 10, 14, 15, 14, 15, 14, 15]
B_MEAN = 13.0
B_MR_BAR = 75 / 19
B_UPPER = 23.5
B_LOWER = 2.5


def _points(flags: np.ndarray) -> set[int]:
    return {int(i) + 1 for i in np.flatnonzero(flags)}


def test_limits_of_the_hand_worked_series():
    chart = xmr(SERIES_A)
    assert math.isclose(chart.mean, A_MEAN)
    assert math.isclose(chart.average_moving_range, A_MR_BAR)
    assert math.isclose(chart.upper_process_limit, A_UPPER, abs_tol=0.005)
    assert math.isclose(chart.lower_process_limit, A_LOWER, abs_tol=0.005)
    control = xmr(CONTROL_B)
    assert math.isclose(control.mean, B_MEAN)
    assert math.isclose(control.average_moving_range, B_MR_BAR)
    assert math.isclose(control.upper_process_limit, B_UPPER)
    assert math.isclose(control.lower_process_limit, B_LOWER)


def test_exactly_the_shift_and_the_point_beyond_the_limit_are_flagged():
    chart = xmr(SERIES_A)
    assert _points(chart.beyond_limits) == A_BEYOND
    assert _points(chart.shift) == A_SHIFT
    assert _points(chart.two_of_three) == set()
    assert _points(chart.trend) == set()
    assert _points(chart.special_cause) == A_BEYOND | A_SHIFT


def test_the_control_has_no_special_cause():
    chart = xmr(CONTROL_B)
    assert _points(chart.special_cause) == set()


def test_the_reading_says_so():
    # the latest point ends the run of 7 above the mean; higher is better here
    assert xmr_reading(xmr(SERIES_A), HIGH_IS_GOOD) == (
        "special cause: improvement (run of 7 above the mean)"
    )
    # the same points in reverse keep the mean and every moving range (so the limits): the
    # shift now opens the series and the point beyond the limit is the most recent flag
    assert xmr_reading(xmr(SERIES_A[::-1]), HIGH_IS_GOOD) == (
        "common cause variation at the latest point; earlier special cause: "
        "improvement (point above the upper process limit)"
    )
    assert xmr_reading(xmr(CONTROL_B), HIGH_IS_GOOD) == "common cause variation only"
