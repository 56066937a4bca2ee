"""A median's distribution-free interval (order statistics, binomial ranks), worked by hand.

The ranks come from the binomial distribution with p = 1/2, written out here from its
terms (C(n, k) / 2^n), not from scipy: the interval is [x(j), x(n + 1 - j)] with j the
largest rank such that P(B <= j - 1) <= alpha / 2.
"""

import math

import numpy as np
import pandas as pd
import pytest

from indicators.stats.indicator_values import add_statistics
from indicators.stats.medians import median_interval, median_ranks


def test_n_10_ranks_2_and_9_at_95_percent():
    # n = 10: P(B <= 0) = 1/1024 = 0.00098, P(B <= 1) = 11/1024 = 0.0107 <= 0.025,
    # P(B <= 2) = 56/1024 = 0.0547 > 0.025: j - 1 = 1, so ranks 2 and 9 (coverage
    # 1 - 2 x 11/1024 = 97.9%); the textbook table (Campbell & Gardner) says the same.
    assert (1 + 10) / 1024 <= 0.025 < (1 + 10 + 45) / 1024
    assert median_ranks(10, 0.95) == (2, 9)
    # 99.8%: alpha / 2 = 0.001 >= 1/1024, and 11/1024 > 0.001: ranks 1 and 10.
    assert median_ranks(10, 0.998) == (1, 10)


def test_n_25_ranks_8_and_18_at_95_percent():
    # n = 25, 2^25 = 33,554,432. Cumulative C(25, k) for k = 0..7: 1 + 25 + 300 + 2300 +
    # 12650 + 53130 + 177100 + 480700 = 726,206 (P = 0.0216 <= 0.025); adding C(25, 8) =
    # 1,081,575 gives 1,807,781 (P = 0.0539 > 0.025). j - 1 = 7: ranks 8 and 18.
    cumulative = [sum(math.comb(25, k) for k in range(m + 1)) / 2**25 for m in range(9)]
    assert cumulative[7] == 726206 / 2**25 and cumulative[8] == 1807781 / 2**25
    assert median_ranks(25, 0.95) == (8, 18)
    # 99.8%: P(B <= 4) = 15,276 / 2^25 = 0.00046 <= 0.001 < P(B <= 5) = 68,406 / 2^25:
    # ranks 5 and 21.
    assert median_ranks(25, 0.998) == (5, 21)


def test_too_few_values_have_no_interval():
    # n = 5: P(B <= 0) = 1/32 = 0.031 > 0.025, so no rank covers 95%; n = 6: 1/64 = 0.0156
    # <= 0.025, ranks 1 and 6. 99.8% needs 1/2^n <= 0.001: n >= 10.
    assert median_ranks(5, 0.95) is None
    assert median_ranks(6, 0.95) == (1, 6)
    assert median_ranks(9, 0.998) is None
    median, lower, upper = median_interval([3, 1, 2, 5, 4])
    assert median == 3 and np.isnan(lower) and np.isnan(upper)


def test_the_interval_is_two_of_the_values_themselves():
    # Days to a Voice Note for ten referrals, unsorted; sorted: 1 2 4 5 7 9 12 14 20 30.
    days = [12, 5, 30, 1, 9, 20, 2, 14, 7, 4]
    median, lower, upper = median_interval(days, 0.95)
    assert median == (7 + 9) / 2  # even n: the mean of the 5th and 6th values
    assert (lower, upper) == (2, 20)  # the 2nd and 9th values
    assert median_interval(days, 0.998)[1:] == (1, 30)  # the 1st and 10th


def test_fct_indicator_values_carries_a_median_with_its_interval_and_no_numerator():
    days = [12, 5, 30, 1, 9, 20, 2, 14, 7, 4]
    register = pd.DataFrame(
        [
            {
                "indicator_id": "days_to_note",
                "value_type": "median",
                "polarity": "RAG - Low is good",
                "denominator_unit": "children",
                "decimals": 1,
            }
        ]
    )
    england = pd.DataFrame(columns=["indicator_id", "time_period", "breakdown", "group", "value"])
    rows = [
        {
            "indicator_id": "days_to_note",
            "time_period": 202425,
            "geographic_level": level,
            "area_code": code,
            "area_name": code,
            "breakdown": "All",
            "group": "All referrals",
            "numerator": None,
            "denominator": len(sample),
            "value": float(np.median(sample)),
            "standard_deviation": None,
            "ordered_values": sorted(sample),
        }
        for level, code, sample in (
            ("Local authority", "LA", days + days),
            ("Team", "T1", days),
        )
    ]
    table = add_statistics(pd.DataFrame(rows), {"T1": "LA"}, register, england)
    team = table[table["area_code"] == "T1"].iloc[0]
    assert "ordered_values" not in table.columns  # the values never reach the table
    assert pd.isna(team["numerator"]) and team["denominator"] == 10
    assert (team["value"], team["lower_ci_95"], team["upper_ci_95"]) == (8.0, 2.0, 20.0)
    # no method compares medians between areas, and none tests their trend
    assert team["compared_with_la"] == "not compared"
    assert team["recent_trend"] == "not applicable"


def test_a_median_without_its_values_is_refused():
    with pytest.raises(ValueError, match="ordered_values"):
        add_statistics(
            pd.DataFrame(
                [
                    {
                        "indicator_id": "m",
                        "time_period": 202425,
                        "geographic_level": "Local authority",
                        "area_code": "LA",
                        "area_name": "LA",
                        "breakdown": "All",
                        "group": "All",
                        "numerator": None,
                        "denominator": 3,
                        "value": 2.0,
                        "standard_deviation": None,
                    }
                ]
            ),
            {},
            pd.DataFrame(
                [
                    {
                        "indicator_id": "m",
                        "value_type": "median",
                        "polarity": "",
                        "denominator_unit": "children",
                        "decimals": 1,
                    }
                ]
            ),
            pd.DataFrame(columns=["indicator_id", "time_period", "breakdown", "group", "value"]),
        )
