"""Funnel-plot limits for proportions (indicators.stats.funnel).

Expected values come from outside the code under test:

- PHEindicatormethods' own test data (github.com/ukhsa-collaboration/PHEindicatormethods,
  commit 093fd28, version 2.1.0), tests/testthat/testdata_funnel_prop_inputs.csv (303 PCTs),
  testdata_funnel_prop_outputs.csv (all of them) and
  testdata_funnel_prop_outputs_with_axis_variation.csv (denominator < 31000, 97 PCTs), as
  checked by tests/testthat/testFunnels.R lines 3-25 and 122-128. Rows are quoted as printed.
- the Wilson score interval from statsmodels, exact binomial quantiles from scipy, and sums
  worked by hand.
"""

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from indicators.stats.funnel import funnel_axis, funnel_limits, funnel_position

# Summaries of testdata_funnel_prop_inputs.csv (all, and denominator < 31000): all that the
# package's limits depend on (R/Funnels.R lines 171-176: the sums, smallest and largest).
ALL = {"numerator": 10325813.8504, "denominator": 12804440, "min": 16386, "max": 102950}
SMALL = {"numerator": 1997688.9613, "denominator": 2430860, "min": 16386, "max": 30929}

# testdata_funnel_prop_outputs.csv: Population column (the whole axis) and five rows.
AXIS_ALL = (
    "1 2 3 4 5 6 7 8 9 10 11 12 13 14 16 18 20 22 24 27 30 33 37 41 45 50 55 61 68 75 83 92 "
    "102 113 125 139 154 171 190 211 234 260 289 321 356 395 438 486 539 598 664 737 818 908 "
    "1008 1119 1242 1379 1531 1699 1886 2093 2323 2578 2861 3175 3524 3911 4341 4818 5348 "
    "5936 6588 7312 8116 9008 9998 11097 12316 13669 15171 16838 18688 20742 23022 25552 "
    "28360 31477 34936 38775 43036 47766 53016 58842 65309 72486 80452 89294 99108 110000"
)
# Population, Lower2s0025limit, Upper2s0025limit, Lower3s0001limit, Upper3s0001limit, Baseline
ROWS_ALL = [
    (1, 3.204264, 100, 0, 100, 80.642448),
    (3, 35.933491, 100, 10.150815, 100, 80.642448),
    (598, 77.475765, 83.809131, 75.649608, 85.635287, 80.642448),
    (9998, 79.867989, 81.416907, 79.421375, 81.863521, 80.642448),
    (110000, 80.408963, 80.875933, 80.274317, 81.010578, 80.642448),
]
# testdata_funnel_prop_outputs_with_axis_variation.csv: rows 1, 59 and 100.
ROWS_SMALL = [
    (10000, 81.43030244, 82.93037332, 80.99777342, 83.36290233, 82.18033788),
    (20125, 81.65163236, 82.70904339, 81.34673947, 83.01393629, 82.18033788),
    (33000, 81.76745696, 82.5932188, 81.52935757, 82.83131819, 82.18033788),
]
COLUMNS = ["denominator", "lower_95", "upper_95", "lower_99_8", "upper_99_8", "centre"]
# testdata_funnel_prop_inputs.csv: areas close to a limit, with the package's significance.
AREAS = [
    ("West Hull PCT", 30111.0810, 37037, "High (0.001)"),
    ("South East Hertfordshire PCT", 38045.3716, 46958, "High (0.025)"),
    ("Witham, Braintree and Halstead Care Trust", 28537.4507, 35201, "High (0.025)"),
    ("Sunderland Teaching PCT", 56140.4742, 70053, "Low (0.001)"),
    ("North Devon PCT", 30277.5312, 37828, "Low (0.025)"),
    ("Ashton, Leigh and Wigan PCT", 59356.4384, 73352, "Not significant"),
    ("Rotherham PCT", 48590.8983, 60459, "Not significant"),
]


def test_axis_is_the_packages():
    small_axis = funnel_axis(SMALL["min"], SMALL["max"])
    assert funnel_axis(ALL["min"], ALL["max"]).tolist() == [int(x) for x in AXIS_ALL.split()]
    assert len(small_axis) == 100
    assert small_axis[[0, 58, 99]].tolist() == [row[0] for row in ROWS_SMALL]


@pytest.mark.parametrize(
    ("summary", "rows", "places"), [(ALL, ROWS_ALL, 6), (SMALL, ROWS_SMALL, 8)]
)
def test_limits_match_the_packages_test_data(summary, rows, places):
    # The centre depends only on the sums; the axis is checked above, so give its points.
    points = [row[0] for row in rows]
    table = funnel_limits([summary["numerator"]], [summary["denominator"]], points=points)
    assert table.columns.tolist() == COLUMNS
    np.testing.assert_allclose(table, rows, rtol=0, atol=0.6 * 10.0**-places)


def test_positions_match_the_packages_test_data():
    centre = 100 * ALL["numerator"] / ALL["denominator"]
    for area, numerator, denominator, expected in AREAS:
        assert funnel_position(numerator, denominator, centre) == expected, area
    numerators, denominators = [a[1] for a in AREAS], [a[2] for a in AREAS]
    positions = funnel_position(numerators, denominators, centre)
    assert positions.tolist() == [a[3] for a in AREAS]


def test_limit_is_where_the_wilson_interval_reaches_the_centre():
    numerators, denominators = [30, 45, 90], [50, 60, 100]
    centre = 165 / 210
    n = np.array([20.0, 60, 250, 1000, 5000])
    table = funnel_limits(numerators, denominators, points=n, multiplier=1)
    for level in ("95", "99_8"):
        confidence = 0.95 if level == "95" else 0.998
        low_at_upper, _ = proportion_confint(
            table[f"upper_{level}"] * n, n, alpha=1 - confidence, method="wilson"
        )
        inside = (table[f"lower_{level}"] > 0).to_numpy()
        _, high_at_lower = proportion_confint(
            table[f"lower_{level}"][inside] * n[inside], n[inside], 1 - confidence, "wilson"
        )
        cut = (table[f"upper_{level}"] >= 1).to_numpy()
        assert cut.any() == (level == "99_8")  # 20 children: the 99.8% upper limit is cut at 1
        np.testing.assert_allclose(low_at_upper[~cut], centre, rtol=1e-9)
        np.testing.assert_allclose(high_at_lower, centre, rtol=1e-9)


def test_close_to_exact_binomial_for_a_large_cohort():
    n, p = 10_000, 0.8
    table = funnel_limits([8_000], [n], points=[n])
    for level, q in (("95", 0.025), ("99_8", 0.001)):
        low, high = stats.binom.ppf([q, 1 - q], n, p) / n * 100
        assert abs(table[f"lower_{level}"][0] - low) < 0.05
        assert abs(table[f"upper_{level}"][0] - high) < 0.05


def test_hand_worked_positions():
    # Centre 50%, 100 children: 95% limits 50 -/+ 1.96 x 5 = 40.2 and 59.8;
    # 99.8% limits 50 -/+ 3.09 x 5 = 34.55 and 65.45.
    counts = [34, 35, 40, 41, 50, 59, 60, 65, 66]
    assert funnel_position(counts, 100, 50).tolist() == [
        "Low (0.001)",
        "Low (0.025)",
        "Low (0.025)",
        "Not significant",
        "Not significant",
        "Not significant",
        "High (0.025)",
        "High (0.025)",
        "High (0.001)",
    ]
    assert funnel_position(60, 100, 0.5, multiplier=1) == "High (0.025)"


def test_centre_is_the_pooled_proportion_and_scales_with_multiplier():
    numerators, denominators = [30, 45, 90], [50, 60, 100]
    percent = funnel_limits(numerators, denominators)
    share = funnel_limits(numerators, denominators, multiplier=1)
    assert percent["centre"].tolist() == pytest.approx([100 * 165 / 210] * 100)
    np.testing.assert_allclose(share.drop(columns="denominator") * 100, percent.iloc[:, 1:])


def test_limits_nest_narrow_and_stay_within_0_and_100():
    table = funnel_limits([3, 400, 2_000], [10, 500, 2_600])
    lows, highs = table[["lower_99_8", "lower_95"]], table[["upper_95", "upper_99_8"]]
    assert (lows.to_numpy() >= 0).all() and (highs.to_numpy() <= 100).all()
    assert (table["lower_99_8"] <= table["lower_95"]).all()
    assert (table["lower_95"] < table["centre"]).all()
    assert (table["centre"] < table["upper_95"]).all()
    assert (table["upper_95"] <= table["upper_99_8"]).all()
    assert table["denominator"].is_monotonic_increasing
    assert table["lower_95"].is_monotonic_increasing
    assert table["upper_95"].is_monotonic_decreasing
    assert table["upper_99_8"].iloc[0] == 100 and table["lower_99_8"].iloc[0] == 0


@pytest.mark.parametrize(
    ("numerators", "denominators"),
    [([5, 1], [4, 10]), ([1, 1], [0, 10]), ([np.nan, 1], [5, 10]), ([-1, 1], [5, 10])],
)
def test_bad_counts_are_refused(numerators, denominators):
    with pytest.raises(ValueError):
        funnel_limits(numerators, denominators)
