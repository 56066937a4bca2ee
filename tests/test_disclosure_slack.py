"""The slack of an `at_most` relation declared `difference: protected` is a count of its own:
"families heard before the hub" is at most "referrals with a family Voice Note", and the
difference counts the referrals whose family was heard only after the hub. Published
exactly (62 with a note, 53 heard before: 9 heard after), it gives away a count below the
threshold as surely as a small numerator would. Disclosure control hides a partner; the
attacker here (scipy's milp, written for this test) then finds at least `threshold` possible
values for the difference. A large difference (40) stays published, and so does a small one
the rule does not declare protected (respondents who skipped a question: `difference:
published`, the default)."""

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from indicators.disclosure import DisclosureConfig, IndicatorShape, parse_relations, protect
from indicators.disclosure.relations import RelationsError

LA = "E99000999"
THRESHOLD = 10
REFERRALS = 150
NOTED = {
    "areas": "add_up",
    "absent_cells": "zero",
    "breakdowns": {"All": {"kind": "total", "groups": ["All referrals"]}},
    "rules": [],
}
SAME = {"kind": "equal", "why": "the same referrals"}
HEARD = {
    **NOTED,
    "rules": [
        {**SAME, "left": "denominator", "right": "noted.denominator"},
        {"kind": "at_most", "why": "has a note", "left": "numerator", "right": "noted.numerator"},
    ],
}
PROTECTED = {
    **HEARD,
    "rules": [HEARD["rules"][0], {**HEARD["rules"][1], "difference": "protected"}],
}


def _shapes(heard: dict) -> dict[str, IndicatorShape]:
    return {
        "noted": IndicatorShape("proportion", relations=parse_relations("noted", NOTED)),
        "heard": IndicatorShape("proportion", relations=parse_relations("heard", heard)),
    }


SHAPES = _shapes(PROTECTED)


def _table(noted: int, heard: int) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "indicator_id": indicator,
                "time_period": 202425,
                "geographic_level": "Local authority",
                "area_code": LA,
                "area_name": "Harrowdale",
                "breakdown": "All",
                "group": "All referrals",
                "numerator": numerator,
                "denominator": REFERRALS,
                "value": 100 * numerator / REFERRALS,
            }
            for indicator, numerator in (("noted", noted), ("heard", heard))
        ]
    )


def _difference_range(published: pd.DataFrame) -> tuple[int, int]:
    """The least and most values of noted - heard to an outsider who knows every published
    count and the two declared relations (and that a numerator is at most its
    denominator)."""
    cells = published.set_index("indicator_id")
    names = [
        (indicator, count)
        for indicator in ("noted", "heard")
        for count in ("numerator", "denominator")
        if cells.loc[indicator, f"{count}_suppressed"]
    ]
    index = {name: i for i, name in enumerate(names)}
    size = max(len(names), 1)

    def term(indicator: str, count: str) -> tuple[np.ndarray, float]:
        coefficients = np.zeros(size)
        if (indicator, count) in index:
            coefficients[index[(indicator, count)]] = 1
            return coefficients, 0.0
        return coefficients, float(cells.loc[indicator, count])

    rows, lower, upper = [], [], []
    for left, right, low in (
        (("heard", "denominator"), ("noted", "denominator"), 0),  # equal
        (("heard", "numerator"), ("noted", "numerator"), -np.inf),  # at most
        (("noted", "numerator"), ("noted", "denominator"), -np.inf),
        (("heard", "numerator"), ("heard", "denominator"), -np.inf),
    ):
        (a, ca), (b, cb) = term(*left), term(*right)
        rows.append(a - b)
        lower.append(low - (ca - cb))
        upper.append(0 - (ca - cb))
    difference, constant = term("noted", "numerator")
    heard, heard_constant = term("heard", "numerator")
    difference, constant = difference - heard, constant - heard_constant
    if not names:
        return round(constant), round(constant)
    constraints = LinearConstraint(np.array(rows), lower, upper)
    integrality, bounds = np.ones(size), Bounds(np.zeros(size), np.full(size, 10_000))
    least = milp(difference, constraints=constraints, integrality=integrality, bounds=bounds)
    most = milp(-difference, constraints=constraints, integrality=integrality, bounds=bounds)
    assert least.success and most.success
    return round(least.fun + constant), round(-most.fun + constant)


@pytest.mark.parametrize("noted, heard", [(62, 53), (50, 50), (30, 21)])
def test_a_small_difference_between_at_most_counts_is_never_published(noted, heard):
    published = protect(_table(noted, heard), {}, SHAPES, DisclosureConfig(threshold=THRESHOLD))
    assert published[["numerator_suppressed", "denominator_suppressed"]].any(axis=None)
    low, high = _difference_range(published)
    assert low <= noted - heard <= high
    assert high - low + 1 >= THRESHOLD, (low, high)


def test_a_large_difference_stays_published():
    published = protect(_table(93, 53), {}, SHAPES, DisclosureConfig(threshold=THRESHOLD))
    assert not published[["numerator_suppressed", "denominator_suppressed"]].any(axis=None)
    assert _difference_range(published) == (40, 40)


def test_the_attacker_reads_the_difference_when_nothing_is_hidden():
    """The attacker is not blind: with every count published it reads 9 exactly."""
    shown = _table(62, 53).assign(numerator_suppressed=False, denominator_suppressed=False)
    assert _difference_range(shown) == (9, 9)


def test_a_difference_not_declared_protected_stays_published():
    published = protect(_table(62, 53), {}, _shapes(HEARD), DisclosureConfig(threshold=THRESHOLD))
    assert not published[["numerator_suppressed", "denominator_suppressed"]].any(axis=None)
    assert _difference_range(published) == (9, 9)


def test_only_an_at_most_rule_declares_its_difference():
    for rule, message in (
        ({**HEARD["rules"][1], "difference": "hidden"}, "not 'hidden'"),
        ({**HEARD["rules"][0], "difference": "protected"}, "at_most only"),
    ):
        with pytest.raises(RelationsError, match=message):
            parse_relations("heard", {**NOTED, "rules": [rule]})
