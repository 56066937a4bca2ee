"""Teams within districts within an authority (issue 16, Early Help): a team listed with a
district_code has that district as its parent (marts.dim_areas), so the teams of a district
add up to the district and the districts to the authority, and disclosure control protects a
small team's count against an outsider who knows both sums. The attacker is written here
with scipy's milp and tests/attacker.py's definition of a leak (a suppressed count whose
possible values number fewer than the threshold)."""

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

from indicators.disclosure import DisclosureConfig, IndicatorShape, parse_relations, protect

LA, NORTH, SOUTH = "E99000999", "E07999901", "E07999902"
PARENTS = {"N1": NORTH, "N2": NORTH, "S1": SOUTH, "S2": SOUTH, NORTH: LA, SOUTH: LA}
RELATIONS = {
    "areas": "add_up",
    "absent_cells": "zero",
    "breakdowns": {"All": {"kind": "total", "groups": ["All referrals"]}},
    "rules": [],
}
SHAPES = {"eh": IndicatorShape("proportion", relations=parse_relations("eh", RELATIONS))}
THRESHOLD = 10
# (level, area, numerator, denominator): N1 + N2 = North, S1 + S2 = South, North + South = LA;
# team N2 is small (3 of 12), so its complement (9) is small too.
CELLS = [
    ("Local authority", LA, 203, 412),
    ("Local authority district", NORTH, 103, 212),
    ("Local authority district", SOUTH, 100, 200),
    ("Team", "N1", 100, 200),
    ("Team", "N2", 3, 12),
    ("Team", "S1", 60, 110),
    ("Team", "S2", 40, 90),
]
CHILDREN = {NORTH: ("N1", "N2"), SOUTH: ("S1", "S2"), LA: (NORTH, SOUTH)}


def _table(cells=CELLS) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "indicator_id": "eh",
                "time_period": 202425,
                "geographic_level": level,
                "area_code": area,
                "area_name": area,
                "breakdown": "All",
                "group": "All referrals",
                "numerator": numerator,
                "denominator": denominator,
                "value": 100 * numerator / denominator,
            }
            for level, area, numerator, denominator in cells
        ]
    )


def _ranges(published: pd.DataFrame, children=CHILDREN) -> dict[tuple[str, str], tuple[int, int]]:
    """Each suppressed count's least and most value (and each suppressed numerator's
    complement's), to an outsider who knows every published count and that the teams add up
    to their district and the districts to the authority."""
    unknowns: dict[tuple[str, str], int] = {}
    known: dict[tuple[str, str], float] = {}
    for row in published.itertuples():
        for count, hidden in (("n", row.numerator_suppressed), ("d", row.denominator_suppressed)):
            key = (row.area_code, count)
            if hidden:
                unknowns[key] = len(unknowns)
            else:
                known[key] = row.numerator if count == "n" else row.denominator
    rows, lower, upper = [], [], []

    def add(terms: dict[tuple[str, str], int], low: float, high: float) -> None:
        coefficients, constant = np.zeros(len(unknowns)), 0.0
        for key, sign in terms.items():
            if key in unknowns:
                coefficients[unknowns[key]] += sign
            else:
                constant += sign * known[key]
        rows.append(coefficients)
        lower.append(low - constant)
        upper.append(high - constant)

    for count in ("n", "d"):
        for parent, members in children.items():
            add({(parent, count): -1, **{(m, count): 1 for m in members}}, 0, 0)
    for area in set(children) | {m for members in children.values() for m in members}:
        add({(area, "n"): 1, (area, "d"): -1}, -np.inf, 0)
    constraints = LinearConstraint(np.array(rows), lower, upper)
    integrality = np.ones(len(unknowns))
    bounds = Bounds(np.zeros(len(unknowns)), np.full(len(unknowns), 10_000))

    def extremes(objective: np.ndarray) -> tuple[int, int]:
        least = milp(objective, constraints=constraints, integrality=integrality, bounds=bounds)
        most = milp(-objective, constraints=constraints, integrality=integrality, bounds=bounds)
        assert least.success and most.success
        return round(least.fun), round(-most.fun)

    ranges = {}
    for (area, count), position in unknowns.items():
        objective = np.zeros(len(unknowns))
        objective[position] = 1
        ranges[(area, count)] = extremes(objective)
        if count == "n":
            complement = -objective
            if (area, "d") in unknowns:
                complement[unknowns[(area, "d")]] = 1
                ranges[(area, "d-n")] = extremes(complement)
            else:
                least, most = ranges[(area, count)]
                ranges[(area, "d-n")] = (known[(area, "d")] - most, known[(area, "d")] - least)
    return ranges


def test_a_small_team_stays_hidden_when_teams_add_up_to_districts_and_districts_to_the_la():
    published = protect(_table(), PARENTS, SHAPES, DisclosureConfig(threshold=THRESHOLD))
    hidden = set(published.loc[published["numerator_suppressed"], "area_code"])
    assert "N2" in hidden  # 3 of 12
    ranges = _ranges(published)
    narrow = {key: span for key, span in ranges.items() if span[1] - span[0] + 1 < THRESHOLD}
    assert narrow == {}, narrow


def test_the_attacker_pins_a_team_hidden_alone_through_its_district():
    """The attacker is not blind: hide only N2's numerator and North's sum gives it away."""
    published = _table().assign(
        numerator_suppressed=lambda t: t["area_code"] == "N2", denominator_suppressed=False
    )
    assert _ranges(published)[("N2", "n")] == (3, 3)


# A team listed with a district that is not in districts.csv is counted in its authority
# only: the authority is its two districts plus that team (4 of 15, its complement 11).
ORPHAN_PARENTS = {**PARENTS, "X1": LA}
ORPHAN_CELLS = [
    ("Local authority", LA, 207, 427),
    *CELLS[1:],
    ("Team", "X1", 4, 15),
]
ORPHAN_CHILDREN = {**CHILDREN, LA: (NORTH, SOUTH, "X1")}


def test_a_team_with_no_district_completes_its_authority_and_stays_hidden():
    """The authority = its districts + its district-less team, one sum (not the districts
    alone, nor the team alone, which are not true of the data and would stop the run)."""
    published = protect(
        _table(ORPHAN_CELLS), ORPHAN_PARENTS, SHAPES, DisclosureConfig(threshold=THRESHOLD)
    )
    hidden = set(published.loc[published["numerator_suppressed"], "area_code"])
    assert {"N2", "X1"} <= hidden
    ranges = _ranges(published, ORPHAN_CHILDREN)
    narrow = {key: span for key, span in ranges.items() if span[1] - span[0] + 1 < THRESHOLD}
    assert narrow == {}, narrow
    # and the attacker knows that sum: X1 hidden alone is 207 - 103 - 100
    alone = _table(ORPHAN_CELLS).assign(
        numerator_suppressed=lambda t: t["area_code"] == "X1", denominator_suppressed=False
    )
    assert _ranges(alone, ORPHAN_CHILDREN)[("X1", "n")] == (4, 4)
