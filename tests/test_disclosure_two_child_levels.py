"""An authority published by neighbourhood AND by team (issue 13, geographies): each child
level adds up to the authority on its own, and disclosure control protects the small
counts against an outsider who knows both partitions. The attacker is written here with
scipy's milp and the definition of a leak tests/attacker.py uses (a suppressed count whose
possible values number fewer than the threshold)."""

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

from indicators.disclosure import DisclosureConfig, IndicatorShape, parse_relations, protect

LA = "E99000999"
PARENTS = {"N1": LA, "N2": LA, "T1": LA, "T2": LA, "T3": LA}
RELATIONS = {
    "areas": "add_up",
    "absent_cells": "zero",
    "breakdowns": {
        "All": {"kind": "total", "groups": ["All children"]},
        "Sex": {"kind": "partition", "groups": ["Female", "Male"]},
    },
    "rules": [],
}
SHAPES = {"gld": IndicatorShape("proportion", relations=parse_relations("gld", RELATIONS))}
THRESHOLD = 10

# (level, area, group, numerator, denominator): the neighbourhoods add up to the authority,
# and so do the teams; team T3 is small (4 of 30, and 2 of 15 girls, 2 of 15 boys).
CELLS = [
    ("Local authority", LA, "All children", 200, 400),
    ("Local authority", LA, "Female", 110, 200),
    ("Local authority", LA, "Male", 90, 200),
    ("Neighbourhood", "N1", "All children", 150, 260),
    ("Neighbourhood", "N1", "Female", 85, 140),
    ("Neighbourhood", "N1", "Male", 65, 120),
    ("Neighbourhood", "N2", "All children", 50, 140),
    ("Neighbourhood", "N2", "Female", 25, 60),
    ("Neighbourhood", "N2", "Male", 25, 80),
    ("Team", "T1", "All children", 120, 200),
    ("Team", "T1", "Female", 70, 100),
    ("Team", "T1", "Male", 50, 100),
    ("Team", "T2", "All children", 76, 170),
    ("Team", "T2", "Female", 38, 85),
    ("Team", "T2", "Male", 38, 85),
    ("Team", "T3", "All children", 4, 30),
    ("Team", "T3", "Female", 2, 15),
    ("Team", "T3", "Male", 2, 15),
]


def _table() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "indicator_id": "gld",
                "time_period": 202324,
                "geographic_level": level,
                "area_code": area,
                "area_name": area,
                "breakdown": "All" if group == "All children" else "Sex",
                "group": group,
                "numerator": numerator,
                "denominator": denominator,
                "value": 100 * numerator / denominator,
            }
            for level, area, group, numerator, denominator in CELLS
        ]
    )


def _ranges(published: pd.DataFrame) -> dict[tuple[str, str, str], tuple[float, float]]:
    """The outsider's attack: every suppressed count an integer unknown, every published one
    a constant; neighbourhoods add up to the authority, teams add up to the authority, girls
    and boys add up to all children in each area; 0 <= numerator <= denominator. Returns
    (area, group, count) -> (least, most) for each suppressed numerator, its complement
    (denominator - numerator) and each suppressed denominator."""
    unknowns: dict[tuple[str, str, str], int] = {}
    for row in published.itertuples():
        for count, hidden in (("n", row.numerator_suppressed), ("d", row.denominator_suppressed)):
            if hidden:
                unknowns[(row.area_code, row.group, count)] = len(unknowns)
    known = {}
    for row in published.itertuples():
        known[(row.area_code, row.group, "n")] = row.numerator
        known[(row.area_code, row.group, "d")] = row.denominator

    rows, lower, upper = [], [], []

    def equation(plus: list[tuple[str, str, str]], minus: list[tuple[str, str, str]]) -> None:
        coefficients = np.zeros(len(unknowns))
        constant = 0.0
        for sign, keys in ((1, plus), (-1, minus)):
            for key in keys:
                if key in unknowns:
                    coefficients[unknowns[key]] += sign
                else:
                    constant += sign * known[key]
        rows.append(coefficients)
        lower.append(-constant)
        upper.append(-constant)

    groups = ("All children", "Female", "Male")
    for count in ("n", "d"):
        for members in (("N1", "N2"), ("T1", "T2", "T3")):
            for group in groups:
                equation([(area, group, count) for area in members], [(LA, group, count)])
        for area in (LA, *PARENTS):
            equation(
                [(area, "Female", count), (area, "Male", count)], [(area, "All children", count)]
            )
    for area in (LA, *PARENTS):  # a numerator is at most its denominator
        for group in groups:
            coefficients = np.zeros(len(unknowns))
            constant = 0.0
            for sign, key in ((1, (area, group, "n")), (-1, (area, group, "d"))):
                if key in unknowns:
                    coefficients[unknowns[key]] += sign
                else:
                    constant += sign * known[key]
            rows.append(coefficients)
            lower.append(-np.inf)
            upper.append(-constant)
    constraints = LinearConstraint(np.array(rows), lower, upper)
    integrality = np.ones(len(unknowns))
    bounds = Bounds(np.zeros(len(unknowns)), np.full(len(unknowns), 10_000))

    def extremes(objective: np.ndarray) -> tuple[float, float]:
        least = milp(objective, constraints=constraints, integrality=integrality, bounds=bounds)
        most = milp(-objective, constraints=constraints, integrality=integrality, bounds=bounds)
        assert least.success and most.success
        return round(least.fun), round(-most.fun)

    ranges = {}
    for (area, group, count), position in unknowns.items():
        objective = np.zeros(len(unknowns))
        objective[position] = 1
        ranges[(area, group, count)] = extremes(objective)
        if count == "n":  # the complement: denominator - numerator
            complement = np.zeros(len(unknowns))
            complement[position] = -1
            denominator = unknowns.get((area, group, "d"))
            if denominator is not None:
                complement[denominator] = 1
                ranges[(area, group, "d-n")] = extremes(complement)
            else:
                least, most = extremes(objective)
                total = known[(area, group, "d")]
                ranges[(area, group, "d-n")] = (total - most, total - least)
    return ranges


def test_neighbourhoods_and_teams_each_add_up_to_the_authority_and_small_counts_stay_hidden():
    published = protect(_table(), PARENTS, SHAPES, DisclosureConfig(threshold=THRESHOLD))
    hidden = published[published["numerator_suppressed"]]
    hidden_cells = set(zip(hidden["area_code"], hidden["group"], strict=True))
    # The small team's counts are hidden (2 of 15 girls, 2 of 15 boys, 4 of 30 in all).
    assert {("T3", "Female"), ("T3", "Male"), ("T3", "All children")} <= hidden_cells
    # The neighbourhoods, none small, are published as they are.
    assert not {cell for cell in hidden_cells if cell[0] in ("N1", "N2")}
    ranges = _ranges(published)
    assert ranges, "something is suppressed, so the attacker has unknowns"
    narrow = {key: span for key, span in ranges.items() if span[1] - span[0] + 1 < THRESHOLD}
    assert narrow == {}, narrow


def test_the_attacker_finds_a_count_hidden_alone():
    """The attacker is not blind: hide only team T3's girls (no partners) and it pins them."""
    published = _table().assign(
        numerator_suppressed=lambda t: (t["area_code"] == "T3") & (t["group"] == "Female"),
        denominator_suppressed=False,
    )
    assert _ranges(published)[("T3", "Female", "n")] == (2, 2)
