"""A new team whose district is not listed (review: one referral stopped all publication).
Team X1 is counted in its authority only (the authority is its districts plus X1) and
appears in the last quarter of the year only, with one referral in January. A quarterly
indicator publishes teams, districts and the authority; the same indicator by month
publishes districts and the authority only, so there each month's districts add up to at
most the authority, the difference being X1's referrals in the month, a count protected as
any other. June's North district is small (7 of 30).

In the quarters before X1 existed its cells are 0 of 0, published (structural zeros), so
the authority is exactly its districts in those quarters, and so in each of their months
(each month's difference is at least 0 and the quarter's months add up to the quarter's 0).
Those differences are 0 with nobody in them: disclosure control used to protect them as
small counts, could not widen them (a structural zero is never hidden) and stopped the run
naming June's North cell.

The attacker is written for this test (scipy's milp) from the published table alone and the
relations an outsider knows: in each quarter teams add up to their district and the
districts plus X1 to the authority; in each month the districts add up to at most the
authority; the months of a quarter add up to it, area by area; a numerator is at most its
denominator; a hidden cell has at least one referral (structural zeros are published). It
attacks every hidden count and complement, and X1's referrals in each month (the authority
less its districts). A leak is fewer than `threshold` possible values, as in
tests/attacker.py; a difference with no referral in it is a 0 of 0, which may be known."""

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from indicators.disclosure import DisclosureConfig, IndicatorShape, parse_relations, protect

LA, NORTH, SOUTH = "E99000999", "E07999901", "E07999902"
PARENTS = {"N1": NORTH, "N2": NORTH, "S1": SOUTH, "S2": SOUTH, "X1": LA}
PARENTS |= {NORTH: LA, SOUTH: LA}
LEVELS = {LA: "Local authority", NORTH: "Local authority district"}
LEVELS |= {SOUTH: "Local authority district"}
THRESHOLD = 10
BASE = {
    "areas": "add_up",
    "absent_cells": "zero",
    "breakdowns": {"All": {"kind": "total", "groups": ["All referrals"]}},
}
BY_MONTH = {"kind": "parts_of_year", "why": "The months' referrals.", "whole": "quarter"}
SHAPES = {
    "quarter": IndicatorShape(
        "proportion",
        relations=parse_relations("quarter", {**BASE, "rules": []}),
        period_type="financial_quarter",
    ),
    "month": IndicatorShape(
        "proportion",
        relations=parse_relations("month", {**BASE, "rules": [BY_MONTH]}),
        period_type="month",
    ),
}
QUARTERS = {
    "Q1": ("April", "May", "June"),
    "Q2": ("July", "August", "September"),
    "Q3": ("October", "November", "December"),
    "Q4": ("January", "February", "March"),
}
TEAMS = ("N1", "N2", "S1", "S2")


def _month(month: str) -> dict[str, tuple[int, int]]:
    """Each team's (numerator, denominator) in the month: June's N2 has 1 of 12, X1 its one
    referral in January (0 of 1)."""
    cells = {"N1": (6, 18), "N2": (5, 12), "S1": (7, 20), "S2": (8, 21)}
    if month == "June":
        cells["N2"] = (1, 12)
    if month == "January":
        cells["X1"] = (0, 1)
    return cells


def _row(indicator, period, identifier, area, numerator, denominator) -> dict:
    return {
        "indicator_id": indicator,
        "time_period": period,
        "time_identifier": identifier,
        "geographic_level": LEVELS.get(area, "Team"),
        "area_code": area,
        "area_name": area,
        "breakdown": "All",
        "group": "All referrals",
        "numerator": numerator,
        "denominator": denominator,
        "value": 100 * numerator / denominator if denominator else None,
    }


def _sums(cells: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    sums = dict(cells)
    for team, (n, d) in cells.items():
        for parent in {PARENTS[team], LA}:
            old = sums.get(parent, (0, 0))
            sums[parent] = (old[0] + n, old[1] + d)
    return sums


def _table() -> pd.DataFrame:
    rows = []
    for quarter, months in QUARTERS.items():
        total: dict[str, tuple[int, int]] = {}
        for month in months:
            cells = _month(month)
            for team, (n, d) in cells.items():
                old = total.get(team, (0, 0))
                total[team] = (old[0] + n, old[1] + d)
            period = 2025 if quarter == "Q4" else 2024
            for area, (n, d) in _sums(cells).items():
                if area in (LA, NORTH, SOUTH):  # teams are not published by month
                    rows.append(_row("month", period, month, area, n, d))
        identifier = f"Financial year {quarter}"
        for area, (n, d) in _sums(total).items():
            rows.append(_row("quarter", 202425, identifier, area, n, d))
    return pd.DataFrame(rows)


def _protected() -> pd.DataFrame:
    return protect(_table(), PARENTS, SHAPES, DisclosureConfig(threshold=THRESHOLD))


def _attack(published: pd.DataFrame) -> tuple[dict, dict]:
    """(each hidden count's and complement's range, each month's X1 referrals' range where
    a hidden count is in it) to the outsider."""
    unknown: dict[tuple, int] = {}
    known: dict[tuple, float] = {}
    for row in published.itertuples():
        cell = (row.indicator_id, row.time_identifier, row.area_code)
        for count, hidden in (("n", row.numerator_suppressed), ("d", row.denominator_suppressed)):
            if hidden:
                unknown[(*cell, count)] = len(unknown)
            else:
                known[(*cell, count)] = row.numerator if count == "n" else row.denominator
    rows, lower, upper = [], [], []

    def vector(terms: dict[tuple, int]) -> tuple[np.ndarray, float]:
        coefficients, constant = np.zeros(len(unknown)), 0.0
        for key, sign in terms.items():
            if key in unknown:
                coefficients[unknown[key]] += sign
            else:
                constant += sign * known.get(key, 0)  # no row: 0
        return coefficients, constant

    def add(terms: dict[tuple, int], low: float, high: float) -> None:
        coefficients, constant = vector(terms)
        rows.append(coefficients)
        lower.append(low - constant)
        upper.append(high - constant)

    slacks = {}
    for quarter, months in QUARTERS.items():
        q = ("quarter", f"Financial year {quarter}")
        for count in "nd":
            add({(*q, NORTH, count): -1, (*q, "N1", count): 1, (*q, "N2", count): 1}, 0, 0)
            add({(*q, SOUTH, count): -1, (*q, "S1", count): 1, (*q, "S2", count): 1}, 0, 0)
            la = {(*q, area, count): 1 for area in (NORTH, SOUTH, "X1")}
            add({**la, (*q, LA, count): -1}, 0, 0)  # the authority: districts and X1
            for area in (LA, NORTH, SOUTH):
                parts = {("month", m, area, count): 1 for m in months}
                add({**parts, (*q, area, count): -1}, 0, 0)
            for month in months:
                m = ("month", month)
                slack = {(*m, LA, count): 1, (*m, NORTH, count): -1, (*m, SOUTH, count): -1}
                add(slack, 0, np.inf)  # X1's referrals in the month
                if any(key in unknown for key in slack):
                    slacks[(month, count)] = slack
    for indicator, identifier, area, count in list(unknown):
        cell = (indicator, identifier, area)
        add({(*cell, "n"): 1, (*cell, "d"): -1}, -np.inf, 0)
        if count == "d":  # hidden: not a structural zero, so at least one referral
            add({(*cell, "d"): 1}, 1, np.inf)
    constraints = LinearConstraint(np.array(rows), lower, upper)
    bounds = Bounds(np.zeros(len(unknown)), np.full(len(unknown), 100_000))
    integrality = np.ones(len(unknown))

    def extremes(terms: dict[tuple, int]) -> tuple[int, int]:
        objective, constant = vector(terms)
        found = [
            milp(sign * objective, constraints=constraints, integrality=integrality, bounds=bounds)
            for sign in (1, -1)
        ]
        assert all(f.success for f in found)
        return round(found[0].fun + constant), round(-found[1].fun + constant)

    ranges = {}
    for key in unknown:
        ranges[key] = extremes({key: 1})
        if key[-1] == "n":
            ranges[(*key[:-1], "d-n")] = extremes({(*key[:-1], "d"): 1, key: -1})
    return ranges, {key: extremes(terms) for key, terms in slacks.items()}


def _x1_referrals(month: str) -> int:
    return _month(month).get("X1", (0, 0))[1]


@pytest.fixture(scope="module")
def published() -> pd.DataFrame:
    return _protected()  # stopped: "stays narrow with everything around it suppressed"


def test_a_team_with_no_district_and_one_referral_later_lets_the_year_publish(published):
    x1 = published[published["area_code"] == "X1"]
    hidden = x1["numerator_suppressed"] | x1["denominator_suppressed"]
    january = x1["time_identifier"] == "Financial year Q4"
    assert hidden[january].all()  # its one referral
    assert len(x1[~january]) == 3 and not hidden[~january].any()  # before it: 0 of 0, shown
    june = published[(published["time_identifier"] == "June") & (published["area_code"] == NORTH)]
    assert june["numerator_suppressed"].all()  # 7 of 30


def test_nothing_below_the_threshold_is_recovered(published):
    ranges, slacks = _attack(published)
    narrow = {key: span for key, span in ranges.items() if span[1] - span[0] + 1 < THRESHOLD}
    assert narrow == {}, narrow
    # X1's referrals by month: January's one is protected; a month with none is a 0 of 0
    real = {key: span for key, span in slacks.items() if _x1_referrals(key[0])}
    assert real and all(high - low + 1 >= THRESHOLD for low, high in real.values()), real
    shown = published[published["indicator_id"] == "month"]
    january = shown[shown["time_identifier"] == "January"]
    assert (january["numerator_suppressed"] | january["denominator_suppressed"]).any()


def test_the_attacker_reads_x1s_referral_when_only_its_cells_are_hidden():
    """Teeth: X1's quarter and January's North hidden alone, the authority less its
    districts gives X1's one referral away, in the quarter and in January."""
    table = _table().assign(numerator_suppressed=False, denominator_suppressed=False)
    x1 = table["area_code"] == "X1"
    north = (table["area_code"] == NORTH) & (table["time_identifier"] == "January")
    table.loc[x1 | north, ["numerator_suppressed", "denominator_suppressed"]] = True
    ranges, slacks = _attack(table)
    assert ranges[("quarter", "Financial year Q4", "X1", "d")] == (1, 1)
    assert slacks[("January", "d")] == (1, 1)
