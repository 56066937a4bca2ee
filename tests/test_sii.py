"""The slope and relative index of inequality (indicators.stats.sii) against expectations
worked out here by hand or with numpy, and against OHID's own test data for phe_sii.

Reference: PHEindicatormethods (ukhsa-collaboration/PHEindicatormethods),
tests/testthat/testdata_SII.xlsx, the expected outputs of tests/testthat/testSII.R.
"""

from __future__ import annotations

import numpy as np
import pytest

from indicators.stats.sii import slope_index

QUINTILES = [1, 2, 3, 4, 5]


# --------------------------------------------------------------------------------------------
# (a) Hand-worked: equal populations, values on a straight line
# --------------------------------------------------------------------------------------------


def test_equal_quintiles_on_a_line_give_the_slope_by_hand():
    # Five quintiles of 100 children each: each holds 1/5 of the population, so the rank
    # midpoints are 0.1, 0.3, 0.5, 0.7 and 0.9. The values rise 0.05 a quintile, i.e. 0.05
    # per 0.2 of rank: slope = 0.05 / 0.2 = 0.25. The line through (0.1, 0.40) has
    # intercept 0.40 - 0.25 x 0.1 = 0.375 at rank 0 and 0.375 + 0.25 = 0.625 at rank 1,
    # so SII = 0.625 - 0.375 = 0.25 and RII = 0.625 / 0.375 = 5 / 3.
    values = [0.40, 0.45, 0.50, 0.55, 0.60]
    result = slope_index(values, [100] * 5, QUINTILES, denominators=[100] * 5, rii=True)
    assert result.sii == pytest.approx(0.25, abs=1e-12)
    assert result.intercept == pytest.approx(0.375, abs=1e-12)
    assert result.rii == pytest.approx(5 / 3, abs=1e-12)
    # A multiplier of 100 gives percentage points: 25 points.
    points = slope_index(values, [100] * 5, QUINTILES, denominators=[100] * 5, multiplier=100)
    assert points.sii == pytest.approx(25.0, abs=1e-10)


def test_quintile_1_is_the_most_deprived_end_whatever_the_row_order():
    # Rows in any order: the labels order them, quintile 1 at rank 0. Values falling from
    # quintile 1 to 5 give a negative SII (-0.25, the line above reversed).
    values = [0.60, 0.55, 0.50, 0.45, 0.40]
    shuffled = [2, 0, 4, 1, 3]
    result = slope_index(
        [values[i] for i in shuffled],
        [100] * 5,
        [QUINTILES[i] for i in shuffled],
        denominators=[100] * 5,
    )
    assert result.sii == pytest.approx(-0.25, abs=1e-12)


# --------------------------------------------------------------------------------------------
# (b) Unequal populations: the weighted regression done here with numpy's lstsq
# --------------------------------------------------------------------------------------------

POPULATIONS = np.array([300.0, 120.0, 250.0, 80.0, 450.0])
VALUES = np.array([0.52, 0.61, 0.58, 0.70, 0.74])


def _hand_fit(values):
    shares = POPULATIONS / POPULATIONS.sum()  # 0.25, 0.1, 0.2083.., 0.0666.., 0.375
    before = np.concatenate([[0.0], np.cumsum(shares)[:-1]])  # share below each quintile
    ranks = before + shares / 2  # 0.125, 0.3, 0.4541.., 0.5916.., 0.8125
    weight = np.sqrt(shares)
    design = np.column_stack([weight, weight * ranks])
    (intercept, slope), *_ = np.linalg.lstsq(design, weight * values, rcond=None)
    return intercept, slope


def test_unequal_populations_match_weighted_least_squares_by_lstsq():
    intercept, slope = _hand_fit(VALUES)
    result = slope_index(VALUES, POPULATIONS, QUINTILES, denominators=POPULATIONS, rii=True)
    assert result.sii == pytest.approx(slope, rel=1e-10)
    assert result.intercept == pytest.approx(intercept, rel=1e-10)
    assert result.rii == pytest.approx((intercept + slope) / intercept, rel=1e-10)
    # Not the unweighted slope: the populations matter here.
    unweighted = np.polyfit(np.array([0.1, 0.3, 0.5, 0.7, 0.9]), VALUES, 1)[0]
    assert abs(result.sii - unweighted) > 0.01


def test_logit_transform_fits_logits_and_turns_the_ends_back():
    intercept, slope = _hand_fit(np.log(VALUES / (1 - VALUES)))
    end0, end1 = 1 / (1 + np.exp(-intercept)), 1 / (1 + np.exp(-(intercept + slope)))
    result = slope_index(
        VALUES,
        POPULATIONS,
        QUINTILES,
        lower=VALUES - 0.05,
        upper=VALUES + 0.05,
        transform=True,
        rii=True,
    )
    assert result.sii == pytest.approx(end1 - end0, rel=1e-10)
    assert result.rii == pytest.approx(end1 / end0, rel=1e-10)


# --------------------------------------------------------------------------------------------
# (c) OHID's test data for phe_sii (testdata_SII.xlsx)
# --------------------------------------------------------------------------------------------

# "proportion (e.g. child obesity)", area1 (records 91-100, 131-140, 326-335, 346-355 share
# these inputs). LowerCL/UpperCL are 95% Wilson limits of Count / Population; StandardError
# is on the logit scale.
OHID_POPULATION = [34353, 32112, 27715, 25372, 23889, 23260, 23180, 24193, 23609, 24488]
OHID_COUNT = [7287, 6881, 5656, 4868, 4176, 3876, 3617, 3546, 3314, 2960]
OHID_LOWER = [0.207830499225555, 0.209827711465288, 0.199373517258999, 0.187066648694241,
              0.170044640703038, 0.16190410576997, 0.151425075468518, 0.142170753783533,
              0.135997670936376, 0.116852009907382]  # fmt: skip
OHID_UPPER = [0.216476300812899, 0.218803170788612, 0.208862933590925, 0.19675673996565,
              0.179676905527535, 0.17148199783417, 0.160768288675927, 0.151084110529924,
              0.144859737537153, 0.125017980504761]  # fmt: skip
OHID_SE = [0.0131970184718405, 0.0135994025354694, 0.0149034360580548, 0.0159425255825022,
           0.0170339052697932, 0.017593885815627, 0.0180981416902973, 0.0181767430574725,
           0.01873422095544, 0.0196017240307599]  # fmt: skip
# Expected (sii, sii lower, sii upper, rii, rii lower, rii upper) at 95%, per record.
OHID_EXPECTED = {
    "91: default": (dict(multiplier=1, transform=False),
                    (-0.107200323337305, -0.112208572209847, -0.102179806214546,
                     0.533401530646551, 0.517127319635802, 0.5501538412913)),
    "131: multiplier -100": (dict(multiplier=-100, transform=False),
                             (10.7200323337305, 10.2179806214546, 11.2208572209847,
                              1.87476027447441, 1.81767339414161, 1.93375975708317)),
    "326: logit transform": (dict(multiplier=1, transform=True),
                             (-0.109646261112591, -0.114908384494646, -0.104430877760454,
                              0.534177574325395, 0.518533385007463, 0.550174121346893)),
    "346: transform, multiplier -1": (dict(multiplier=-1, transform=True),
                                      (0.109646261112591, 0.104430877760454, 0.114908384494646,
                                       1.87203665609303, 1.81760639259418, 1.92851613591979)),
}  # fmt: skip


def _close(actual, expected, lower, upper):
    # The limits are Monte Carlo percentiles (OHID's from R's generator, ours from numpy's),
    # each off by about 0.2% of the interval's width at 100,000 draws; 2% is ~5 sds of the
    # difference of two such draws.
    return abs(actual - expected) <= 0.02 * abs(upper - lower)


@pytest.mark.parametrize(
    "case, source",
    [
        (case, source)
        for case, (options, _) in sorted(OHID_EXPECTED.items())
        for source in ("limits", "se", "denominators")
        if not (source == "se" and options["transform"])  # phe_sii refuses se with transform
    ],
)
def test_reproduces_ohid_phe_sii_test_data(case, source):
    options, (sii, sii_low, sii_high, rii, rii_low, rii_high) = OHID_EXPECTED[case]
    values = np.array(OHID_COUNT) / np.array(OHID_POPULATION)
    errors = {
        "limits": dict(lower=OHID_LOWER, upper=OHID_UPPER),
        "se": dict(se=OHID_SE),
        "denominators": dict(denominators=OHID_POPULATION),
    }[source]
    result = slope_index(values, OHID_POPULATION, range(1, 11), rii=True, **options, **errors)
    assert result.sii == pytest.approx(sii, rel=1e-9)
    assert result.rii == pytest.approx(rii, rel=1e-9)
    (low, high), (r_low, r_high) = result.limits[0.95], result.rii_limits[0.95]
    assert _close(low, sii_low, sii_low, sii_high) and _close(high, sii_high, sii_low, sii_high)
    assert _close(r_low, rii_low, rii_low, rii_high) and _close(r_high, rii_high, rii_low, rii_high)


def test_reproduces_ohid_life_expectancy_example():
    # Records 1-10, "default (e.g. life expectancy)", value_type 0 with StandardError.
    population = [7291, 7997, 6105, 7666, 5790, 6934, 5918, 5974, 7147, 7534]
    values = [75.9334590103081, 78.3442382727843, 83.8360631041654, 83.6375399664931,
              80.4655031529559, 81.1156759857022, 81.6930835718562, 84.1900062060987,
              80.5955641081472, 86.2894349578624]  # fmt: skip
    se = [1.63847242635855, 1.57819288454291, 1.51343550596403, 1.77549061758013,
          1.70133905919814, 1.56412107376755, 1.36811483668786, 1.40014180059408,
          2.43284639757816, 1.56651816959347]  # fmt: skip
    result = slope_index(values, population, range(1, 11), value_type="other", se=se, rii=True)
    assert result.sii == pytest.approx(6.934616473668819, rel=1e-9)
    assert result.rii == pytest.approx(1.0888180804446217, rel=1e-9)
    low, high = result.limits[0.95]
    assert _close(low, 3.127594617650817, 3.1276, 10.7587)
    assert _close(high, 10.7586873680794, 3.1276, 10.7587)


# --------------------------------------------------------------------------------------------
# (d) The interval: covers the estimate, narrows with more children, repeats exactly
# --------------------------------------------------------------------------------------------


def test_interval_covers_the_estimate_and_narrows_as_denominators_grow():
    widths = []
    for scale in (1, 10, 100):
        result = slope_index(
            VALUES, POPULATIONS, QUINTILES, denominators=POPULATIONS * scale,
            confidence=(0.95, 0.998), repetitions=20_000,
        )  # fmt: skip
        low, high = result.limits[0.95]
        wide_low, wide_high = result.limits[0.998]
        assert wide_low < low < result.sii < high < wide_high
        widths.append(high - low)
    # Ten times the children: about sqrt(10) ~ 3.2 times narrower.
    assert widths[0] / widths[1] == pytest.approx(np.sqrt(10), rel=0.1)
    assert widths[1] / widths[2] == pytest.approx(np.sqrt(10), rel=0.1)


def test_same_inputs_give_the_same_limits_and_the_seed_is_what_fixes_them():
    def run(seed):
        return slope_index(VALUES, POPULATIONS, QUINTILES, denominators=POPULATIONS, seed=seed)

    assert run(1).limits == run(1).limits
    assert run(1).limits != run(2).limits


# --------------------------------------------------------------------------------------------
# (e) Bad input
# --------------------------------------------------------------------------------------------

GOOD = dict(values=VALUES, populations=POPULATIONS, quantiles=QUINTILES)


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(values=VALUES[:4]), "one of each per quantile"),
        (dict(denominators=[10, 20]), "one of each per quantile"),
        (dict(values=[0.5], populations=[10], quantiles=[1], denominators=[10]),
         "5 to 100 quantiles"),
        (dict(values=VALUES[:4], populations=POPULATIONS[:4], quantiles=[1, 2, 3, 4],
              denominators=POPULATIONS[:4]), "5 to 100 quantiles"),
        (dict(populations=[300, 0, 250, 80, 450]), "population above zero"),
        (dict(populations=[300, -5, 250, 80, 450]), "population above zero"),
        (dict(populations=[300, np.nan, 250, 80, 450]), "missing"),
        (dict(quantiles=[1, 2, 2, 4, 5]), "appear once"),
        (dict(values=[0.0, 0.61, 0.58, 0.70, 0.74]), "strictly between 0 and 1"),
        (dict(denominators=None), "give se, or lower and upper"),
        (dict(se=[0.1] * 5, transform=True), "transform needs"),
        (dict(repetitions=999), "at least 1000"),
        (dict(confidence=95), "confidence"),
        (dict(value_type="percentage"), "value_type"),
    ],
)  # fmt: skip
def test_bad_input_raises_a_clear_error(change, message):
    arguments = GOOD | dict(denominators=POPULATIONS) | change
    if arguments["denominators"] is None:
        del arguments["denominators"]
    with pytest.raises(ValueError, match=message):
        slope_index(**arguments)
