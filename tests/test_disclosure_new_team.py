"""A new Early Help team (review: one referral stopped all publication). Team N3 of district
North appears in the second financial year only, with one referral, made without a family
Voice Note. `complete` gives it a zero row (0 of 0) in the first year too, in every group:
it did not exist, so those zeros disclose no one and are published as 0. They used to be
the cheapest partners (a denominator of 0), so hiding them pinned them at 0 in the audit,
which then found no partner left to widen them and stopped the run. And N3 had no row at all
in the indicator of referrals with a Voice Note, whose absent cell was a zero no partner
could hide, pinning N3's step-up "With a family Voice Note" group.

The attacker here is written for this test (scipy's milp) from the published table alone
and the relations an outsider knows: teams add up to their district and districts to the
authority, the Voice Note groups to the total, a numerator is at most its denominator, the
step-up indicator's referrals with a note are the noted indicator's, and a cell with no row
is 0. It also knows that an area hidden in a year has at least one referral (the rule that
publishes a structural zero tells that much). A leak is a suppressed count (or complement)
with fewer than `threshold` possible values, as in tests/attacker.py."""

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

from indicators.disclosure import DisclosureConfig, IndicatorShape, parse_relations, protect

LA, NORTH, SOUTH = "E99000999", "E07999901", "E07999902"
PARENTS = {"N1": NORTH, "N2": NORTH, "N3": NORTH, "S1": SOUTH, "S2": SOUTH}
PARENTS |= {NORTH: LA, SOUTH: LA}
LEVELS = {LA: "Local authority", NORTH: "Local authority district"}
LEVELS |= {SOUTH: "Local authority district"}
THRESHOLD = 10
WITH, WITHOUT = "With a family Voice Note", "Without a family Voice Note"
STEP = {
    "areas": "add_up",
    "absent_cells": "zero",
    "breakdowns": {
        "All": {"kind": "total", "groups": ["All referrals"]},
        "Voice Note": {"kind": "partition", "groups": [WITH, WITHOUT]},
    },
    "rules": [
        {
            "kind": "equal",
            "why": "its referrals with a note are the noted indicator's",
            "left": f"denominator at Voice Note / {WITH}",
            "right": "noted.denominator",
            "cells": {"breakdown": "All"},
        }
    ],
}
NOTED = {
    "areas": "add_up",
    "absent_cells": "zero",
    "breakdowns": {"All": {"kind": "total", "groups": ["All referrals"]}},
    "rules": [],
}
SHAPES = {
    "step": IndicatorShape("proportion", relations=parse_relations("step", STEP)),
    "noted": IndicatorShape("proportion", relations=parse_relations("noted", NOTED)),
}
# team -> (with a note: stepped up, referrals), (without: stepped up, referrals) per year;
# noted: (heard before the hub, referrals with a note)
TEAMS = {
    202324: {
        "N1": ((15, 50), (25, 70)),
        "N2": ((4, 8), (20, 60)),  # a small group: its denominator hidden
        "S1": ((12, 45), (23, 65)),
        "S2": ((11, 38), (17, 52)),
    },
    202425: {
        "N1": ((16, 52), (24, 71)),
        "N2": ((11, 41), (19, 58)),
        "N3": (None, (0, 1)),  # the new team: one referral, no note, not stepped up
        "S1": ((13, 44), (22, 66)),
        "S2": ((12, 39), (18, 50)),
    },
}
HEARD = {"N1": 30, "N2": 5, "S1": 28, "S2": 20}  # of the referrals with a note


def _rows(year: int, area: str, groups) -> list[dict]:
    level = LEVELS.get(area, "Team")
    cell = {"time_period": year, "geographic_level": level, "area_code": area}
    cell["area_name"] = area
    rows = []
    present = [(g, c) for g, c in zip((WITH, WITHOUT), groups, strict=True) if c]
    for group, (numerator, denominator) in present:
        rows.append({**cell, "indicator_id": "step", "breakdown": "Voice Note", "group": group})
        rows[-1] |= {"numerator": numerator, "denominator": denominator}
    total = [sum(c[i] for _, c in present) for i in (0, 1)]
    rows.append({**cell, "indicator_id": "step", "breakdown": "All", "group": "All referrals"})
    rows[-1] |= {"numerator": total[0], "denominator": total[1]}
    if groups[0]:
        rows.append({**cell, "indicator_id": "noted", "breakdown": "All"})
        rows[-1] |= {"group": "All referrals", "numerator": 0, "denominator": groups[0][1]}
    return rows


def _table() -> pd.DataFrame:
    rows = []
    for year, teams in TEAMS.items():
        sums: dict[str, list] = {}
        for team, groups in teams.items():
            rows += _rows(year, team, groups)
            for parent in (PARENTS[team], LA):
                old = sums.get(parent, [(0, 0), (0, 0)])
                sums[parent] = [
                    tuple(a + b for a, b in zip(o, g or (0, 0), strict=True))
                    for o, g in zip(old, groups, strict=True)
                ]
        for area, groups in sums.items():
            rows += _rows(year, area, groups)
    table = pd.DataFrame(rows)
    heard = {**HEARD, NORTH: HEARD["N1"] + HEARD["N2"], SOUTH: HEARD["S1"] + HEARD["S2"]}
    heard[LA] = heard[NORTH] + heard[SOUTH]
    noted = table["indicator_id"] == "noted"
    table.loc[noted, "numerator"] = table.loc[noted, "area_code"].map(heard)
    return table


def _attack(published: pd.DataFrame, year: int) -> dict[tuple, tuple[int, int]]:
    """Each suppressed count's (and complement's) least and most value to the outsider."""
    table = published[published["time_period"] == year]
    unknown: dict[tuple, int] = {}
    known: dict[tuple, float] = {}
    for row in table.itertuples():
        cell = (row.indicator_id, row.area_code, row.breakdown, row.group)
        for count, hidden in (("n", row.numerator_suppressed), ("d", row.denominator_suppressed)):
            value = row.numerator if count == "n" else row.denominator
            if hidden:
                unknown[(*cell, count)] = len(unknown)
            else:
                known[(*cell, count)] = value
    rows, lower, upper = [], [], []

    def add(terms: dict[tuple, int], low: float, high: float) -> None:
        coefficients, constant = np.zeros(len(unknown)), 0.0
        for key, sign in terms.items():
            if key in unknown:
                coefficients[unknown[key]] += sign
            else:
                constant += sign * known.get(key, 0)  # no row: 0
        rows.append(coefficients)
        lower.append(low - constant)
        upper.append(high - constant)

    areas = set(PARENTS) | {LA}
    groups = [("step", "All", "All referrals"), ("step", "Voice Note", WITH)]
    groups += [("step", "Voice Note", WITHOUT), ("noted", "All", "All referrals")]
    for count in ("n", "d"):
        for parent in (NORTH, SOUTH, LA):
            children = [a for a in PARENTS if PARENTS[a] == parent]
            for indicator, breakdown, group in groups:
                terms = {(indicator, a, breakdown, group, count): 1 for a in children}
                add({**terms, (indicator, parent, breakdown, group, count): -1}, 0, 0)
        for area in areas:
            terms = {("step", area, "Voice Note", g, count): 1 for g in (WITH, WITHOUT)}
            add({**terms, ("step", area, "All", "All referrals", count): -1}, 0, 0)
    for area in areas:
        for indicator, breakdown, group in groups:
            add({(indicator, area, breakdown, group, "n"): 1}, 0, np.inf)
            cell = (indicator, area, breakdown, group)
            add({(*cell, "n"): 1, (*cell, "d"): -1}, -np.inf, 0)
        step = ("step", area, "Voice Note", WITH, "d")
        add({step: 1, ("noted", area, "All", "All referrals", "d"): -1}, 0, 0)
        if ("step", area, "All", "All referrals", "d") in unknown:  # hidden: not empty
            add({("step", area, "All", "All referrals", "d"): 1}, 1, np.inf)
    constraints = LinearConstraint(np.array(rows), lower, upper)
    bounds = Bounds(np.zeros(len(unknown)), np.full(len(unknown), 100_000))
    integrality = np.ones(len(unknown))

    def extremes(objective: np.ndarray) -> tuple[int, int]:
        found = [
            milp(sign * objective, constraints=constraints, integrality=integrality, bounds=bounds)
            for sign in (1, -1)
        ]
        assert all(f.success for f in found)
        return round(found[0].fun), round(-found[1].fun)

    ranges = {}
    for key, position in unknown.items():
        objective = np.zeros(len(unknown))
        objective[position] = 1
        ranges[key] = extremes(objective)
        if key[-1] == "n" and (*key[:-1], "d") in unknown:
            objective[unknown[(*key[:-1], "d")]] = -1
            ranges[(*key[:-1], "d-n")] = extremes(-objective)
    return ranges


def _protected() -> pd.DataFrame:
    return protect(_table(), PARENTS, SHAPES, DisclosureConfig(threshold=THRESHOLD))


def test_a_new_team_with_one_referral_is_protected_and_the_rest_publishes():
    published = _protected()  # stopped with "stays narrow with everything around it suppressed"
    new = published[published["area_code"] == "N3"]
    hidden = new["numerator_suppressed"] | new["denominator_suppressed"]
    one = new[(new["time_period"] == 202425) & (new["denominator"] == 1)]
    assert len(one) == 2 and hidden[one.index].all()  # its one referral: All and Without
    before = new[new["time_period"] == 202324]
    # the year before it existed: a 0-of-0 row in every group of both indicators, published
    assert len(before) == 4 and (before[["numerator", "denominator"]] == 0).all().all()
    assert not hidden[before.index].any()
    for year in TEAMS:
        ranges = _attack(published, year)
        narrow = {key: span for key, span in ranges.items() if span[1] - span[0] + 1 < THRESHOLD}
        assert narrow == {}, (year, narrow)
    assert ranges[("step", "N3", "All", "All referrals", "d")][0] == 1  # it knows: >= 1


def test_the_attacker_pins_the_new_teams_referral_when_only_it_is_hidden():
    """Teeth: with the new team's own cells hidden and nothing else, its district gives its
    referral away (the district less its other teams)."""
    table = protect(_table(), PARENTS, SHAPES, DisclosureConfig(threshold=THRESHOLD))
    own = (table["area_code"] == "N3") & (table["denominator"] > 0)
    table["numerator_suppressed"] = table["denominator_suppressed"] = own
    ranges = _attack(table, 202425)
    assert ranges[("step", "N3", "All", "All referrals", "d")] == (1, 1)
