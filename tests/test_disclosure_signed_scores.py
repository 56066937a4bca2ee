"""A mean of a signed score (issue 14: the young person's minus the adviser's score, a change
between reviews, each -10 to 10) has a numerator that may be negative. Its declared range
(`scores: -10 to 10`) lets disclosure control and the attacker treat that numerator as
lying between -10 and 10 per unit instead of at least 0. Worked by hand below: team T3's
hidden sum of differences is -15, which an attacker who assumed every count non-negative
would rule out."""

import pandas as pd
import pytest

from indicators.disclosure import DisclosureConfig, protect, publishable
from indicators.disclosure.linear_system import expand
from indicators.disclosure.questions import ItemBank
from indicators.disclosure.relations import RelationsError, parse_relations, parse_scores
from indicators.publish.register import shapes
from tests.attacker import Attacker, leaks

LA = "E99000999"
PARENTS = {"T1": LA, "T2": LA, "T3": LA}
THRESHOLD = 10
RELATIONS = {
    "areas": "add_up",
    "absent_cells": "zero",
    "breakdowns": {"Outcome domain": {"kind": "overlapping", "groups": ["Risk"]}},
    "rules": [
        {
            "kind": "score_bounds",
            "why": "Each review's difference lies from -10 to 10.",
            "classes": [{"count": "denominator", "scores": "-10 to 10"}],
        }
    ],
}
META = {
    "difference": {
        "indicator_id": "difference",
        "model": "ind_difference",
        "value_type": "mean",
        "source_type": "statutory",
        "relations": RELATIONS,
    }
}
REGISTER = pd.DataFrame([META["difference"]])
# (area, sum of differences, reviews): the teams add up to the authority (-40 over 50).
# T3 has 8 reviews (fewer than 10: hidden), summing to -15; T2 is hidden beside it, so an
# outsider knows only T2 + T3 = 30 over 20 reviews.
CELLS = [(LA, -40, 50), ("T1", -70, 30), ("T2", 45, 12), ("T3", -15, 8)]


def _table() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "indicator_id": "difference",
                "time_period": 202425,
                "geographic_level": "Local authority" if area == LA else "Team",
                "area_code": area,
                "area_name": area,
                "breakdown": "Outcome domain",
                "group": "Risk",
                "numerator": numerator,
                "denominator": denominator,
                "value": numerator / denominator,
                "standard_deviation": 3.0,
            }
            for area, numerator, denominator in CELLS
        ]
    )


def test_a_signed_score_range_is_read_and_only_it_makes_a_numerator_signed():
    assert parse_scores("-10 to 10") == "-10 to 10"
    assert parse_scores("-3-3") == "-3 to 3"
    assert parse_scores("0-7") == "0-7"
    with pytest.raises(RelationsError):
        parse_scores("10 to -10")
    relations = {"difference": parse_relations("difference", RELATIONS)}
    system = expand(_table(), relations, {"difference": "mean"}, PARENTS, ItemBank.from_frame(None))
    # variable 2*i is cell i's numerator: every numerator of the signed mean, no denominator
    assert system.signed == {0, 2, 4, 6}


def test_a_negative_hidden_sum_stays_possible_and_is_not_narrowed():
    config = DisclosureConfig(threshold=THRESHOLD)
    indicator_shapes = shapes(REGISTER, config.voice_min_respondents)
    protected = protect(_table(), PARENTS, indicator_shapes, config)
    hidden = set(protected.loc[protected["numerator_suppressed"], "area_code"])
    assert "T3" in hidden and len(hidden) >= 2  # small, and not alone in the sum
    published = publishable(protected, indicator_shapes, config, PARENTS)
    findings = Attacker(published, PARENTS, THRESHOLD, None, META).run()
    t3 = [f for f in findings if f.area_code == "T3" and f.count == "numerator"]
    assert t3, "T3's numerator is attacked"
    # the truth (-15) is among the values the attacker finds possible: it knows the sum
    # may be negative (an attacker assuming >= 0 would put it in 0..30, and be wrong)
    assert all(f.low <= -15 <= f.high for f in t3), t3
    assert not leaks(findings, THRESHOLD)


def test_a_signed_value_that_rounds_to_zero_is_published_as_a_number_never_low():
    """`low` reads "rounds to 0 but is above it": wrong for a change that may be negative.
    A mean change of -2 over 50 young people (-0.04) with an interval from -0.93 to 0.03 is
    published as 0.0, -0.9 and 0.0; +2 over 50 of a 0-to-17 score (0.04, from 0.01 to 0.93)
    keeps `low` where it rounds to zero."""
    config = DisclosureConfig(threshold=THRESHOLD)
    unsigned = {
        **RELATIONS,
        "rules": [
            {**RELATIONS["rules"][0], "classes": [{"count": "denominator", "scores": "0-17"}]}
        ],
    }
    register = pd.DataFrame(
        [META["difference"], {**META["difference"], "indicator_id": "score", "relations": unsigned}]
    )
    indicator_shapes = shapes(register, config.voice_min_respondents)
    table = pd.DataFrame(
        [
            {
                "indicator_id": indicator,
                "time_period": 202425,
                "geographic_level": "Local authority",
                "area_code": LA,
                "area_name": LA,
                "breakdown": "Outcome domain",
                "group": "Risk",
                "numerator": numerator,
                "denominator": 50,
                "value": numerator / 50,
                "standard_deviation": 3.0,
                "lower_ci_95": lower,
                "upper_ci_95": upper,
            }
            for indicator, numerator, lower, upper in [
                ("difference", -2, -0.93, 0.03),
                ("score", 2, 0.01, 0.93),
            ]
        ]
    )
    protected = protect(table, {}, indicator_shapes, config)
    published = publishable(protected, indicator_shapes, config).set_index("indicator_id")
    columns = ["value", "lower_ci_95", "upper_ci_95"]
    assert published.loc["difference", columns].tolist() == ["0.0", "-0.9", "0.0"]
    assert published.loc["score", columns].tolist() == ["low", "low", "0.9"]
