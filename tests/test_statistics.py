"""The statistics library against published worked examples and hand calculations.

Expected values come from outside Chorus: published tables and reference software outputs
(cited at each test), closed-form formulas written out here from the OHID technical guide,
or small series worked on paper. None is copied from `indicators.stats` itself.
"""

import math
from statistics import NormalDist, fmean, stdev

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.contingency_tables import Table

from indicators.publish.register import POLARITIES as REGISTER_POLARITIES
from indicators.stats.comparisons import (
    apply_polarity,
    compare_as_published,
    compare_with_benchmark,
)
from indicators.stats.intervals import mean_interval, wilson_interval
from indicators.stats.spc import SPC_MIN_POINTS, enough_points_for_spc, xmr, xmr_reading
from indicators.stats.terms import POLARITIES
from indicators.stats.trends import chi_squared_for_trend, recent_trend, trend_with_polarity

HIGH = "RAG - High is good"
LOW = "RAG - Low is good"
BOB = "BOB - Blue orange blue"
NA = "Not applicable"


# --- Wilson score intervals ------------------------------------------------------------------

# Newcombe RG (1998) "Two-sided confidence intervals for the single proportion: comparison of
# seven methods", Statistics in Medicine 17:857-872, Table II, method 3 (score method without
# continuity correction), 95% limits to 4 decimal places. Newcombe's method is the one the
# OHID technical guide and PHEindicatormethods::phe_proportion cite. (Quoted from the
# paper's Table II; the text was not to hand when this was written, but the values also
# agree with the closed form in _ohid_wilson below.)
NEWCOMBE_1998 = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
]


@pytest.mark.parametrize(("numerator", "denominator", "lower", "upper"), NEWCOMBE_1998)
def test_wilson_matches_newcombe_1998_worked_examples(numerator, denominator, lower, upper):
    got_lower, got_upper = wilson_interval(numerator, denominator)
    # Percentages; the published proportions are rounded to 4 d.p. (0.005 percentage points).
    assert got_lower == pytest.approx(100 * lower, abs=0.005 + 1e-9)
    assert got_upper == pytest.approx(100 * upper, abs=0.005 + 1e-9)


def test_wilson_matches_r_prop_test_reference_outputs():
    # R prop.test(x, n, correct = FALSE)$conf.int, as recorded in the published test snapshots
    # of the R packages cards (tests/testthat/_snaps/proportion_ci.md) and cicalc
    # (tests/testthat/_snaps/prop_ci.md): 32 of 32 -> [0.8928208, 1]; 0 of 32 ->
    # [0, 0.1071792]; 5 of 10 at 90% -> [0.2692718, 0.7307282].
    lower, upper = wilson_interval([32, 0], [32, 32])
    np.testing.assert_allclose(lower, [89.28208, 0.0], atol=1e-5)
    np.testing.assert_allclose(upper, [100.0, 10.71792], atol=1e-5)
    lower, upper = wilson_interval(5, 10, confidence=0.90)
    assert lower == pytest.approx(26.92718, abs=1e-5)
    assert upper == pytest.approx(73.07282, abs=1e-5)


def _ohid_wilson(observed: float, n: float, confidence: float) -> tuple[float, float]:
    """OHID Fingertips technical guidance, "Proportions": Wilson score limits written out.

    p_lower/upper = (2O + z^2 -/+ z sqrt(z^2 + 4Oq)) / (2(n + z^2)), q = 1 - O/n, as %.
    """
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    q = 1 - observed / n
    root = z * math.sqrt(z * z + 4 * observed * q)
    return (
        100 * (2 * observed + z * z - root) / (2 * (n + z * z)),
        100 * (2 * observed + z * z + root) / (2 * (n + z * z)),
    )


@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_wilson_matches_the_closed_form_formula(confidence):
    cases = [(0, 7), (1, 7), (6, 7), (7, 7), (12, 40), (180, 300), (1850, 3000), (2999, 3000)]
    numerators = np.array([c[0] for c in cases])
    denominators = np.array([c[1] for c in cases])
    lower, upper = wilson_interval(numerators, denominators, confidence=confidence)
    expected = [_ohid_wilson(o, n, confidence) for o, n in cases]
    np.testing.assert_allclose(lower, [e[0] for e in expected], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(upper, [e[1] for e in expected], rtol=1e-9, atol=1e-9)


def test_wilson_99_8_is_wider_than_95():
    lower95, upper95 = wilson_interval(180, 300)
    lower998, upper998 = wilson_interval(180, 300, confidence=0.998)
    assert lower998 < lower95 < 60 < upper95 < upper998


def test_wilson_edges_are_exact_and_missing_or_empty_cells_are_nan():
    lower, upper = wilson_interval([0, 25, 0, np.nan, 3], [25, 25, 0, 10, np.nan])
    assert lower[0] == 0.0 and upper[0] > 0
    assert upper[1] == 100.0 and lower[1] < 100
    assert np.isnan(lower[2:]).all() and np.isnan(upper[2:]).all()
    # The ends stay exact at 99.8% too, where floating point drifts by ~1e-17.
    lower, upper = wilson_interval([0, 20], [20, 20], confidence=0.998)
    assert lower[0] == 0.0 and upper[1] == 100.0


def test_wilson_takes_series_with_missing_values_and_broadcasts():
    numerators = pd.Series([81, None, 15], dtype="Int64")
    lower, upper = wilson_interval(numerators, pd.Series([263, 100, 148]))
    assert isinstance(lower, np.ndarray) and lower.shape == (3,)
    assert np.isnan(lower[1]) and np.isnan(upper[1])
    assert lower[0] == pytest.approx(25.53, abs=0.005)
    # One denominator for many numerators.
    lower, upper = wilson_interval([0, 81], 263)
    assert lower.shape == (2,) and lower[0] == 0.0


@pytest.mark.parametrize(("numerator", "denominator"), [(-1, 10), (11, 10), (1, -5), (3, 0)])
def test_wilson_rejects_impossible_counts(numerator, denominator):
    with pytest.raises(ValueError):
        wilson_interval(numerator, denominator)


@pytest.mark.parametrize("confidence", [0, 1, 95, -0.5])
def test_wilson_rejects_confidence_outside_zero_one(confidence):
    with pytest.raises(ValueError, match="confidence"):
        wilson_interval(5, 10, confidence=confidence)


# --- t intervals for means -------------------------------------------------------------------


def test_mean_interval_matches_students_sleep_data():
    # Student (1908) / Cushny & Peebles sleep data, R `datasets::sleep`: extra hours of sleep
    # with drug 2 minus drug 1 for 10 patients. R's paired t.test(extra ~ group, data = sleep,
    # paired = TRUE) reports mean difference -1.58 and 95% interval -2.4598858 to -0.7001142;
    # for drug 2 minus drug 1 the signs flip.
    drug1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
    drug2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
    differences = [b - a for a, b in zip(drug1, drug2, strict=True)]
    lower, upper = mean_interval(fmean(differences), stdev(differences), len(differences))
    assert lower == pytest.approx(0.7001142, abs=1e-7)
    assert upper == pytest.approx(2.4598858, abs=1e-7)


def test_mean_interval_is_mean_plus_or_minus_t_times_standard_error():
    # Hand calculation: mean 50, SD 10, 10 children; t(0.975, 9 df) = 2.262157 (printed t
    # tables give 2.262), so the half-width is 2.262157 x 10 / sqrt(10) = 7.1535.
    t_975_9 = stats.t.ppf(0.975, 9)
    assert t_975_9 == pytest.approx(2.262, abs=5e-4)
    lower, upper = mean_interval(50.0, 10.0, 10)
    assert lower == pytest.approx(50 - t_975_9 * 10 / math.sqrt(10), rel=1e-12)
    assert upper == pytest.approx(50 + t_975_9 * 10 / math.sqrt(10), rel=1e-12)
    assert upper - 50 == pytest.approx(7.1535, abs=1e-4)
    # 99.8%: t(0.999, 29 df), mean 14.1 ELGs, SD 4, 30 children.
    t_999_29 = stats.t.ppf(0.999, 29)
    lower, upper = mean_interval(14.1, 4.0, 30, confidence=0.998)
    assert upper - 14.1 == pytest.approx(t_999_29 * 4 / math.sqrt(30), rel=1e-12)
    assert 14.1 - lower == pytest.approx(t_999_29 * 4 / math.sqrt(30), rel=1e-12)


def test_mean_interval_is_vectorised_and_nan_below_two_children():
    lower, upper = mean_interval(
        [14.1, 12.0, 13.0, 11.0, np.nan], [4.0, 3.0, 0.0, 2.0, 1.0], [30, 1, 5, 0, 10]
    )
    assert lower.shape == (5,)
    assert not np.isnan(lower[0])
    assert np.isnan(lower[[1, 3, 4]]).all() and np.isnan(upper[[1, 3, 4]]).all()
    assert lower[2] == upper[2] == 13.0  # no spread, no width
    with pytest.raises(ValueError):
        mean_interval(1.0, -1.0, 10)


# --- Benchmark comparison and polarity ----------------------------------------------------------


def test_compare_with_benchmark_fingertips_rules():
    lower = [61.0, 50.0, 55.0, 60.0, 50.0, np.nan, 55.0]
    upper = [70.0, 59.0, 65.0, 70.0, 60.0, 65.0, 65.0]
    benchmark = [60.0, 60.0, 60.0, 60.0, 60.0, 60.0, np.nan]
    result = compare_with_benchmark(lower, upper, benchmark)
    # wholly above; wholly below; straddles; lower limit touches; upper limit touches;
    # missing limit; missing benchmark.
    assert result.tolist() == [
        "higher",
        "lower",
        "similar",
        "similar",
        "similar",
        "not compared",
        "not compared",
    ]


def test_compare_with_benchmark_broadcasts_one_benchmark():
    result = compare_with_benchmark(np.array([68.0, 55.0]), np.array([72.0, 58.0]), 67.2)
    assert result.tolist() == ["higher", "lower"]
    with pytest.raises(ValueError):
        compare_with_benchmark(5.0, 4.0, 3.0)


@pytest.mark.parametrize(
    ("polarity", "expected"),
    [
        (HIGH, ["better", "worse", "similar", "not compared"]),
        (LOW, ["worse", "better", "similar", "not compared"]),
        (BOB, ["higher", "lower", "similar", "not compared"]),
        (NA, ["higher", "lower", "similar", "not compared"]),
    ],
)
def test_apply_polarity(polarity, expected):
    comparisons = np.array(["higher", "lower", "similar", "not compared"], dtype=object)
    assert apply_polarity(comparisons, polarity).tolist() == expected


def test_apply_polarity_per_row_and_unknown_values():
    result = apply_polarity(["higher", "higher", "lower"], [HIGH, LOW, BOB])
    assert result.tolist() == ["better", "worse", "lower"]
    with pytest.raises(ValueError, match="polarity"):
        apply_polarity(["higher"], "High is good")
    with pytest.raises(ValueError, match="comparison"):
        apply_polarity(["bigger"], HIGH)


def test_polarities_are_the_registers():
    assert POLARITIES == REGISTER_POLARITIES


# --- Recent trend (chi-squared test for linear trend) ----------------------------------------

# Fingertips (PHE) PholioVisualisation TrendMarkerCalculatorTest,
# GetTrendDataForProportion_Set1, in year order 2014-2018: its chi-squared for trend is 47.9
# (rounded to 2 d.p.) and significant.
FINGERTIPS_SET1 = ([994, 1023, 1199, 1332, 1367], [40299, 41527, 42811, 44064, 44701])
# The same test class, GetTrendData_Set2 (2014-2018): not significant.
FINGERTIPS_SET2 = ([209, 213, 213, 239, 210], [1017, 1087, 1119, 1117, 1139])
# R documentation for prop.trend.test: smokers <- c(83, 90, 129, 70);
# patients <- c(86, 93, 136, 82); X-squared = 8.2249, df = 1, p-value = 0.004132.
R_SMOKERS = ([83, 90, 129, 70], [86, 93, 136, 82])


def test_trend_statistic_matches_fingertips_worked_example():
    test = chi_squared_for_trend(*FINGERTIPS_SET1)
    assert round(test.statistic, 2) == 47.90
    assert test.direction == 1


def test_trend_statistic_matches_r_prop_trend_test():
    test = chi_squared_for_trend(*R_SMOKERS)
    assert test.statistic == pytest.approx(8.2249, abs=5e-5)
    assert test.p_value == pytest.approx(0.004132, abs=5e-7)
    assert test.direction == -1


def test_trend_statistic_matches_statsmodels_linear_by_linear_test():
    # statsmodels' linear-by-linear association test gives M^2 = (N - 1) r^2 (Agresti); the
    # Cochran-Armitage statistic is N r^2, so CA = M^2 x N / (N - 1).
    numerators = np.array([31, 40, 38, 52, 55])
    denominators = np.array([100, 104, 97, 110, 101])
    table = Table(np.column_stack([numerators, denominators - numerators]))
    linear = table.test_ordinal_association(row_scores=np.arange(1, 6), col_scores=np.array([1, 0]))
    total = denominators.sum()
    test = chi_squared_for_trend(numerators, denominators)
    assert test.statistic == pytest.approx(linear.zscore**2 * total / (total - 1), rel=1e-9)


# PHEindicatormethods `assign_trend_markers` documentation example (proportions, years 1 to 5):
# Count c(1367, 1332, 1199, 1023, 994), Denominator c(44701, 44064, 42811, 41527, 40299):
# a falling proportion, marked "Decreasing" in its documentation.
PHE_EXAMPLE = ([1367, 1332, 1199, 1023, 994], [44701, 44064, 42811, 41527, 40299])
# Fingertips' threshold: chi-squared on 1 degree of freedom at 99.8% (PholioVisualisation
# TrendMarkerCalculator.ChiSquareConfidence = 9.54953570608324; PHEindicatormethods 9.5495).
FINGERTIPS_CRITICAL = 9.54953570608324


def test_the_trend_threshold_is_fingertips_99_8_percent():
    from indicators.stats.trends import TREND_CHI_SQUARED, TREND_POINTS

    assert TREND_POINTS == 5
    assert abs(TREND_CHI_SQUARED - FINGERTIPS_CRITICAL) < 1e-9


def test_recent_trend_labels():
    assert recent_trend(*FINGERTIPS_SET1) == "increasing"
    assert recent_trend(*PHE_EXAMPLE) == "decreasing"
    assert recent_trend(*FINGERTIPS_SET2) == "no significant change"


def test_a_trend_needs_five_points():
    # R's smokers (4 points) have chi-squared 8.2249, p = 0.004: a trend at 95%, but
    # Fingertips calculates nothing from fewer than 5 points.
    assert recent_trend(*R_SMOKERS) == "could not be calculated"
    assert recent_trend([100, 200, 300, 400], [1000] * 4) == "could not be calculated"
    assert recent_trend([100, 200, 300, 400, 500], [1000] * 5) == "increasing"


def test_a_trend_significant_at_95_but_not_99_8_percent_is_no_significant_change():
    # 5 years of 400: 44%, 46%, 48%, 50%, 52%. By hand: N = 2000, X = 960, sum(x t) = 2960,
    # sum(n t) = 6000, sum(n t^2) = 22000: chi2 = 2000 (2000 x 2960 - 960 x 6000)^2 /
    # (960 x 1040 x (2000 x 22000 - 6000^2)) = 2000 x 160000^2 / (998400 x 8,000,000) = 6.41,
    # p = 0.011: below 0.05, not below 0.002.
    numerators, denominators = [176, 184, 192, 200, 208], [400] * 5
    statistic = chi_squared_for_trend(numerators, denominators).statistic
    assert statistic == pytest.approx(2000 * 160000**2 / (998400 * 8_000_000), rel=1e-12)
    assert 3.84 < statistic < FINGERTIPS_CRITICAL
    assert recent_trend(numerators, denominators) == "no significant change"


def test_an_outlier_that_alone_makes_the_trend_is_no_significant_change():
    # Flat at 50% then 90%: significant, but without the last point the log-odds slope is 0,
    # not positive, so Fingertips reads it as an outlier.
    flat_then_jump = ([50, 50, 50, 50, 90], [100] * 5)
    assert chi_squared_for_trend(*flat_then_jump).statistic > FINGERTIPS_CRITICAL
    assert recent_trend(*flat_then_jump) == "no significant change"
    # A high first year then a slow rise: falling overall, rising without the first year.
    high_then_rise = ([90, 50, 51, 52, 53], [100] * 5)
    assert chi_squared_for_trend(*high_then_rise).statistic > FINGERTIPS_CRITICAL
    assert recent_trend(*high_then_rise) == "no significant change"
    # A steady rise survives leaving any point out.
    assert recent_trend([40, 50, 60, 70, 80], [100] * 5) == "increasing"


def test_recent_trend_uses_only_the_last_five_points():
    # Two early high years then five flat ones: over all seven it is decreasing, but the
    # last five are identical proportions (50%), whose trend statistic is 0 by hand.
    numerators = [90, 90, 50, 50, 50, 50, 50]
    denominators = [100] * 7
    assert chi_squared_for_trend(numerators, denominators).statistic > FINGERTIPS_CRITICAL
    assert chi_squared_for_trend(numerators[-5:], denominators[-5:]).statistic == 0.0
    assert recent_trend(numerators, denominators) == "no significant change"
    assert recent_trend(numerators, denominators, points=7) == "decreasing"


def test_recent_trend_could_not_be_calculated():
    assert recent_trend([], []) == "could not be calculated"
    assert recent_trend([50, 60], [100, 100]) == "could not be calculated"
    assert recent_trend([50, 60, 70, 80, 90], [100, 0, 100, 100, 100]) == "could not be calculated"
    assert recent_trend([50, np.nan, 70, 80, 90], [100] * 5) == "could not be calculated"
    # A zero denominator outside the last five points does not matter.
    assert recent_trend([0, 10, 20, 30, 40, 50], [0, 100, 100, 100, 100, 100]) == "increasing"
    # Every year 0%: nothing has changed.
    assert recent_trend([0, 0, 0, 0, 0], [30, 40, 35, 30, 30]) == "no significant change"
    # Significant, but a year at 0% has infinite log odds: no direction can be read.
    assert chi_squared_for_trend([0, 20, 40, 60, 80], [100] * 5).statistic > 9.55
    assert recent_trend([0, 20, 40, 60, 80], [100] * 5) == "could not be calculated"
    with pytest.raises(ValueError):
        recent_trend([1, 2, 3, 4, 5], [10, 10, 10, 10])
    with pytest.raises(ValueError):
        recent_trend([1, 20, 3, 4, 5], [10, 10, 10, 10, 10])


def _fingertips_marker(numerators, denominators):
    """PHEindicatormethods assign_trend_markers (proportions), written out from its R source
    with plain loops: the last 5 points; chi-squared for trend (years as scores) against
    9.5495; direction from the unweighted slope of log(p / (1 - p)) on the year; 'No
    significant change' if dropping any one point changes the slope's sign."""
    if len(numerators) < 5:
        return "could not be calculated"
    x, n = list(numerators[-5:]), list(denominators[-5:])
    years = [1, 2, 3, 4, 5]
    sum_d, sum_c = sum(n), sum(x)
    sum_ct = sum(c * t for c, t in zip(x, years, strict=True))
    sum_dt = sum(d * t for d, t in zip(n, years, strict=True))
    sum_dt2 = sum(d * t * t for d, t in zip(n, years, strict=True))
    bottom = sum_c * (sum_d - sum_c) * (sum_d * sum_dt2 - sum_dt**2)
    x2 = sum_d * (sum_d * sum_ct - sum_c * sum_dt) ** 2 / bottom if bottom else math.nan
    if not x2 > FINGERTIPS_CRITICAL:
        return "no significant change"

    def beta(counts, sizes, times):
        logs = [math.log(c / (d - c)) for c, d in zip(counts, sizes, strict=True)]
        k = len(logs)
        top = k * sum(v * t for v, t in zip(logs, times, strict=True)) - sum(logs) * sum(times)
        return top / (k * sum(t * t for t in times) - sum(times) ** 2)

    if any(c == 0 or c == d for c, d in zip(x, n, strict=True)):
        return "could not be calculated"
    full = beta(x, n, years)
    for drop in range(5):
        keep = [i for i in range(5) if i != drop]
        sub = beta([x[i] for i in keep], [n[i] for i in keep], [years[i] for i in keep])
        if np.sign(sub) != np.sign(full) or full == 0:
            return "no significant change"
    return "increasing" if full > 0 else "decreasing"


@settings(max_examples=400)
@given(st.lists(st.tuples(st.integers(1, 3000), st.floats(0.0, 1.0)), min_size=1, max_size=8))
def test_recent_trend_is_the_fingertips_marker(years):
    denominators = [n for n, _ in years]
    numerators = [round(n * share) for n, share in years]
    assert recent_trend(numerators, denominators) == _fingertips_marker(numerators, denominators)


def test_comparisons_use_the_interval_and_benchmark_as_printed():
    # Unrounded, the upper limit 62.06 is below the benchmark 62.08 ("lower"); printed, both
    # read 62.1, which touch: "similar", as the pack's guide says.
    assert compare_with_benchmark(58.0, 62.06, 62.08).tolist() == "lower"
    assert compare_as_published(58.0, 62.06, 62.08).tolist() == "similar"
    assert compare_as_published(58.0, 62.04, 62.08).tolist() == "lower"
    assert compare_as_published(62.11, 66.0, 62.06).tolist() == "similar"
    assert compare_as_published(62.16, 66.0, 62.06).tolist() == "higher"
    # Printed to 2 decimals 13.44 is below 13.47; to 1 decimal both read 13.4.
    assert compare_as_published(13.0, 13.44, 13.47, decimals=2).tolist() == "lower"
    assert compare_as_published(13.0, 13.44, 13.43, decimals=1).tolist() == "similar"
    assert compare_as_published(13.0, 13.44, 13.47, decimals=1).tolist() == "lower"
    assert compare_as_published(math.nan, 14.0, 13.0).tolist() == "not compared"


@pytest.mark.parametrize(
    ("trend", "polarity", "expected"),
    [
        ("increasing", HIGH, "increasing and getting better"),
        ("decreasing", HIGH, "decreasing and getting worse"),
        ("increasing", LOW, "increasing and getting worse"),
        ("decreasing", LOW, "decreasing and getting better"),
        ("increasing", BOB, "increasing"),
        ("decreasing", NA, "decreasing"),
        ("no significant change", HIGH, "no significant change"),
        ("could not be calculated", LOW, "could not be calculated"),
    ],
)
def test_trend_with_polarity_follows_fingertips_wording(trend, polarity, expected):
    # Fingertips TrendMarkerLabelProvider: RAG high/low add "and getting better/worse",
    # every other polarity keeps "Increasing"/"Decreasing".
    assert trend_with_polarity(trend, polarity) == expected


def test_trend_with_polarity_rejects_unknown_values():
    with pytest.raises(ValueError):
        trend_with_polarity("rising", HIGH)
    with pytest.raises(ValueError):
        trend_with_polarity("increasing", "High")


# --- XmR charts --------------------------------------------------------------------------------
# Each series is worked on paper: mean, moving ranges, limits (mean +/- 2.66 x average moving
# range), 2 sigma = 2 x average moving range / 1.128, then the four rules.


def _flagged(mask: np.ndarray) -> list[int]:
    return np.flatnonzero(mask).tolist()


def test_xmr_common_cause_only():
    values = [10, 12, 11, 13] * 3
    result = xmr(values)
    # Mean 46/4 = 11.5. Moving ranges 2,1,2,3 repeating: 11 of them summing to 21.
    assert result.mean == pytest.approx(11.5)
    assert result.average_moving_range == pytest.approx(21 / 11)
    assert result.upper_process_limit == pytest.approx(11.5 + 2.66 * 21 / 11)
    assert result.lower_process_limit == pytest.approx(11.5 - 2.66 * 21 / 11)
    assert result.sigma == pytest.approx(21 / 11 / 1.128)
    # Values alternate either side of 11.5 and never move 3 steps the same way; the 2-sigma
    # zone starts at 11.5 +/- 3.39, beyond every point.
    assert not result.special_cause.any()
    assert result.enough_points
    assert xmr_reading(result, HIGH) == "common cause variation only"


def test_xmr_point_beyond_a_limit():
    values = [8, 16] * 5 + [8, 60]
    result = xmr(values)
    # Mean (6 x 8 + 5 x 16 + 60) / 12 = 188/12; moving ranges ten 8s and 52: 132/11 = 12.
    assert result.mean == pytest.approx(188 / 12)
    assert result.average_moving_range == pytest.approx(12.0)
    assert result.upper_process_limit == pytest.approx(188 / 12 + 2.66 * 12)  # 47.59
    assert _flagged(result.beyond_limits) == [11]
    assert not result.two_of_three.any()  # only one point beyond 2 sigma (36.94)
    assert not result.shift.any() and not result.trend.any()
    assert xmr_reading(result, HIGH) == (
        "special cause: improvement (point above the upper process limit)"
    )
    assert xmr_reading(result, LOW) == (
        "special cause: concern (point above the upper process limit)"
    )


def test_xmr_run_of_seven_above_the_mean():
    values = [14, 6] * 4 + [11, 12, 11, 12, 11, 12, 11]
    result = xmr(values)
    # Mean 160/15 = 10.67: the first eight alternate either side, the last seven are above.
    # Moving ranges seven 8s, one 5 and six 1s: 67/14 = 4.79; limits -2.07 and 23.40.
    assert result.mean == pytest.approx(160 / 15)
    assert result.average_moving_range == pytest.approx(67 / 14)
    assert _flagged(result.shift) == list(range(8, 15))
    assert not result.beyond_limits.any() and not result.two_of_three.any()
    assert not result.trend.any()
    assert xmr_reading(result, HIGH) == "special cause: improvement (run of 7 above the mean)"
    assert xmr_reading(result, BOB) == (
        "special cause: higher, neither improvement nor concern (run of 7 above the mean)"
    )


def test_xmr_run_of_seven_rising():
    values = [16, 10, 16, 10, 16, 10, 11, 12, 13, 14, 15, 16]
    result = xmr(values)
    # Points 6..12 (10 up to 16) rise each time: 7 points. Mean 159/12 = 13.25; moving ranges
    # five 6s and six 1s: 36/11 = 3.27; 2 sigma zone beyond 13.25 +/- 5.80; runs either side
    # of the mean are at most 4 long.
    assert result.mean == pytest.approx(159 / 12)
    assert result.average_moving_range == pytest.approx(36 / 11)
    assert _flagged(result.trend_rising) == list(range(5, 12))
    assert not result.trend_falling.any()
    assert not result.beyond_limits.any() and not result.two_of_three.any()
    assert not result.shift.any()
    assert xmr_reading(result, HIGH) == "special cause: improvement (run of 7 rising)"
    assert xmr_reading(result, LOW) == "special cause: concern (run of 7 rising)"


def test_xmr_run_of_seven_falling():
    result = xmr([10, 16, 10, 16, 10, 16, 15, 14, 13, 12, 11, 10])
    assert _flagged(result.trend_falling) == list(range(5, 12))
    assert xmr_reading(result, HIGH) == "special cause: concern (run of 7 falling)"


def test_xmr_two_of_three_near_the_upper_limit():
    values = [11, 13] * 10 + [19, 13, 19]
    result = xmr(values)
    # Mean 291/23 = 12.65; moving ranges nineteen 2s and three 6s: 56/22 = 2.545.
    # 2 sigma = 2 x 2.545 / 1.128 = 4.51, so the zone starts at 17.17; the upper limit is
    # 12.65 + 6.77 = 19.42. Both 19s are in the zone, inside the limit, one point apart.
    assert result.mean == pytest.approx(291 / 23)
    assert result.average_moving_range == pytest.approx(56 / 22)
    assert result.upper_process_limit == pytest.approx(291 / 23 + 2.66 * 56 / 22)
    assert _flagged(result.two_of_three) == [20, 22]
    assert not result.beyond_limits.any()
    assert not result.shift.any() and not result.trend.any()
    assert xmr_reading(result, HIGH) == (
        "special cause: improvement (2 of 3 points near the upper process limit)"
    )


def test_xmr_two_of_three_needs_the_same_side():
    # 19 and 5 are each beyond 2 sigma, on opposite sides: no signal from rule 2.
    values = [11, 13] * 10 + [19, 12, 5]
    result = xmr(values)
    assert result.values[20] > result.mean + 2 * result.sigma
    assert result.values[22] < result.mean - 2 * result.sigma
    assert not result.two_of_three.any()


def test_xmr_reading_reports_an_earlier_special_cause():
    values = [8, 16] * 5 + [8, 60, 8, 16]
    result = xmr(values)
    assert _flagged(result.special_cause) == [11]
    assert xmr_reading(result, HIGH) == (
        "common cause variation at the latest point; earlier special cause: improvement "
        "(point above the upper process limit)"
    )


def test_xmr_with_few_points():
    empty = xmr([])
    assert empty.n == 0 and math.isnan(empty.mean) and empty.special_cause.size == 0
    assert xmr_reading(empty, HIGH) == "no data: process limits cannot be calculated"

    one = xmr([64.2])
    assert one.mean == 64.2 and math.isnan(one.upper_process_limit)
    assert not one.special_cause.any()
    assert xmr_reading(one, HIGH).startswith("only 1 point")

    # Chorus's four years of GLD: limits exist but are provisional.
    four = xmr(pd.Series([63.0, 65.0, 66.0, 67.0]))
    assert four.mean == pytest.approx(65.25)
    assert four.average_moving_range == pytest.approx(4 / 3)
    assert not four.special_cause.any()
    assert not four.enough_points
    assert xmr_reading(four, HIGH) == (
        "common cause variation only (caution: only 4 points; process limits are reliable from 12)"
    )


def test_xmr_flat_series_has_no_signals():
    # Fifteen identical values: zero moving range and every point on the mean (even though
    # 0.1 is not exact in binary and the computed mean can differ in the last bit).
    result = xmr([0.1] * 15)
    assert result.average_moving_range == 0.0
    assert not result.special_cause.any()


def test_xmr_rejects_missing_values():
    with pytest.raises(ValueError, match="missing"):
        xmr([60.0, np.nan, 62.0])


def test_enough_points_for_spc():
    assert SPC_MIN_POINTS == 12
    assert [enough_points_for_spc(n) for n in (0, 4, 11, 12, 30)] == [
        False,
        False,
        False,
        True,
        True,
    ]
    with pytest.raises(ValueError):
        enough_points_for_spc(-1)


# The vectorised trends give, for every year of every series, what recent_trend gives for
# that series up to that year (a national run has ~140,000 such windows).


@st.composite
def _count_series(draw):
    years = draw(st.integers(0, 8))
    rows = []
    for _ in range(years):
        kind = draw(st.sampled_from(["ordinary", "ordinary", "zero", "missing", "full"]))
        n = draw(st.integers(1, 400))
        if kind == "zero":
            rows.append((0.0, 0.0))
        elif kind == "missing":
            rows.append((math.nan, float(n)))
        elif kind == "full":
            rows.append((float(n), float(n)))
        else:
            rows.append((float(draw(st.integers(0, n))), float(n)))
    return rows


@settings(max_examples=300)
@given(
    st.lists(_count_series(), max_size=6),
    st.sampled_from([3, 5, 7]),
    st.sampled_from([FINGERTIPS_CRITICAL, 3.84]),
)
def test_recent_trends_match_recent_trend_window_by_window(many, points, critical):
    from indicators.stats.trends import recent_trends

    numerators = [x for series in many for x, _ in series]
    denominators = [n for series in many for _, n in series]
    labels = [label for label, series in enumerate(many) for _ in series]
    expected = [
        recent_trend(
            [x for x, _ in series[: year + 1]],
            [n for _, n in series[: year + 1]],
            points=points,
            critical=critical,
        )
        for series in many
        for year in range(len(series))
    ]
    got = recent_trends(numerators, denominators, labels, points=points, critical=critical)
    assert got.tolist() == expected


def test_recent_trends_refuse_an_impossible_count_as_recent_trend_does():
    from indicators.stats.trends import recent_trends

    with pytest.raises(ValueError):
        recent_trend([5, 6, 12, 5, 5], [10, 10, 10, 10, 10])
    with pytest.raises(ValueError):
        recent_trends([5, 6, 12, 5, 5], [10, 10, 10, 10, 10], [0, 0, 0, 0, 0])


def test_fct_trends_follow_each_series_in_time_order_whatever_the_row_order():
    from indicators.stats.indicator_values import _trends

    rng = np.random.default_rng(4)
    rows = []
    for area in ("E1", "E2", "N1"):
        for breakdown, group in (("All", "All children"), ("Sex", "Girls")):
            for year in range(201718, 202526, 101):
                n = int(rng.integers(50, 500))
                rising = 0.3 + 0.05 * (year - 201718) / 101 if area == "E1" else 0.5
                rows.append(
                    {
                        "indicator_id": "gld",
                        "geographic_level": "Local authority",
                        "area_code": area,
                        "breakdown": breakdown,
                        "group": group,
                        "time_period": year,
                        "value_type": "proportion",
                        "polarity": "RAG - High is good",
                        "denominator": n,
                        "numerator": int(rng.binomial(n, rising)),
                    }
                )
    frame = pd.DataFrame(rows).sample(frac=1, random_state=2)  # shuffled
    frame.loc[frame.index[:3], "value_type"] = "mean"
    got = _trends(frame)
    for _, series in frame[frame["value_type"] == "proportion"].groupby(
        ["area_code", "breakdown", "group"]
    ):
        series = series.sort_values("time_period")
        years = series["time_period"].to_numpy() // 100
        for position, index in enumerate(series.index):
            trend = recent_trend(
                series["numerator"].to_numpy()[: position + 1],
                series["denominator"].to_numpy()[: position + 1],
            )
            window = years[max(0, position - 4) : position + 1]
            if len(window) == 5 and window[-1] - window[0] != 4:  # a year missing inside it
                trend = "could not be calculated"
            assert got[index] == trend_with_polarity(trend, "RAG - High is good")
    assert (got[frame["value_type"] == "mean"] == "not applicable").all()
    assert (got == "increasing and getting better").any()  # E1 rises by design
