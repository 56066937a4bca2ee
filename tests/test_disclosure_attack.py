"""A differencing attacker against everything Chorus publishes for small random cohorts.

For each generated cohort the attacker knows every published number (all indicators, both
levels, every breakdown, every year) and every true relation between them: groups add up to
their total, neighbourhoods add up to their authority, indicators sharing a cohort share its
denominator, no count is negative or above its denominator, children at all 17 goals are at
GLD, and the sum of goals per child lies between what those facts allow. For each suppressed
count it solves two integer programmes (scipy's milp) for the smallest and largest value
consistent with all of that. Disclosure control holds if no suppressed count is pinned to a
single value.
"""

import os
from collections import defaultdict

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from indicators.disclosure import DisclosureConfig, IndicatorShape, protect, publishable
from tests.independent import BREAKDOWNS, indicator_values

SHAPES = {"gld": IndicatorShape("proportion"), "all_elgs_expected": IndicatorShape("proportion"),
          "average_elgs_expected": IndicatorShape("mean", score_max=17)}
LA = "E99000999"
ATTACKED = {"cohorts": 0, "cells": 0, "suppressed": 0}

child = st.fixed_dictionaries({
    "time_period": st.sampled_from([202223, 202324]),
    "neighbourhood_code": st.sampled_from(["N1", "N2", "N3"]),
    "Sex": st.sampled_from(["Female", "Male"]),
    "FSM eligibility": st.sampled_from(["Eligible", "Not eligible"]),
    "First language": st.sampled_from(["English", "Other than English", "Unknown"]),
    "SEN provision": st.sampled_from(["No SEN", "SEN support", "EHC plan"]),
    "Season of birth": st.sampled_from(["Autumn-born", "Spring-born", "Summer-born"]),
    "outcome": st.sampled_from(["all17", "gld", "none"]),
    "extra": st.integers(0, 16),
})


def cohort_frame(children: list[dict]) -> pd.DataFrame:
    data = pd.DataFrame(children)
    data["new_la_code"] = LA
    data["gld"] = data["outcome"].isin(["all17", "gld"])
    data["all17"] = data["outcome"] == "all17"
    # Goals at expected consistent with the outcome: 17; 12..16 at GLD; 0..16 otherwise.
    data["elgs"] = np.where(data["all17"], 17,
                            np.where(data["gld"], 12 + data["extra"] % 5, data["extra"]))
    return data


def published_tables(data: pd.DataFrame, threshold: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    values = indicator_values(data).assign(area_name=lambda f: f["area_code"],
                                           standard_deviation=np.nan)
    parents = {code: LA for code in data["neighbourhood_code"].unique()}
    protected = protect(values, parents, SHAPES, DisclosureConfig(threshold=threshold))
    return protected, publishable(protected, SHAPES, DisclosureConfig(threshold=threshold))


class Model:
    """Integer unknowns for every count, with the attacker's linear knowledge."""

    def __init__(self) -> None:
        self.index: dict[tuple, int] = {}
        self.upper: list[float] = []
        self.rows: list[dict[int, float]] = []
        self.low: list[float] = []
        self.high: list[float] = []

    def var(self, key: tuple, upper: float) -> int:
        if key not in self.index:
            self.index[key] = len(self.upper)
            self.upper.append(upper)
        return self.index[key]

    def add(self, terms: dict[int, float], low: float, high: float) -> None:
        self.rows.append(terms)
        self.low.append(low)
        self.high.append(high)

    def freeze(self) -> None:
        size = len(self.upper)
        matrix = np.zeros((len(self.rows), size))
        for row, terms in enumerate(self.rows):
            for column, coefficient in terms.items():
                matrix[row, column] += coefficient
        self.constraints = LinearConstraint(matrix, self.low, self.high)
        self.bounds = Bounds(np.zeros(size), np.array(self.upper))

    def bounds_of(self, variable: int) -> tuple[float, float]:
        size = len(self.upper)
        constraints, bounds = self.constraints, self.bounds
        found = []
        for sign in (1, -1):
            objective = np.zeros(size)
            objective[variable] = sign
            result = milp(objective, constraints=constraints, bounds=bounds,
                          integrality=np.ones(size))
            assert result.success, result.message
            found.append(result.x[variable])
        return found[0], found[1]


def attack(true: pd.DataFrame, published: pd.DataFrame, cohort_size: int) -> list[str]:
    """Every suppressed count the attacker can pin to one value (should be none).

    Years share no published sum, so each year is attacked as its own system.
    """
    pinned = []
    for period in sorted(true["time_period"].unique()):
        mask = (true["time_period"] == period).to_numpy()
        pinned += _attack_year(true[mask], published[mask], cohort_size)
    return pinned


def _attack_year(true: pd.DataFrame, published: pd.DataFrame, cohort_size: int) -> list[str]:
    model = Model()
    big = 17 * cohort_size
    unknown: list[tuple[int, float, str]] = []
    cells = defaultdict(dict)
    for truth, shown in zip(true.itertuples(index=False), published.itertuples(index=False),
                            strict=True):
        cell = (truth.time_period, truth.geographic_level, truth.area_code, truth.breakdown,
                truth.group)
        d = model.var(("d", cell), cohort_size)
        n = model.var(("n", truth.indicator_id, cell), big)
        cells[cell][truth.indicator_id] = n
        cells[cell]["d"] = d
        cap = 17 if truth.indicator_id == "average_elgs_expected" else 1
        model.add({n: 1, d: -cap}, -np.inf, 0)  # n <= cap * d
        for variable, text, actual in ((n, shown.numerator, truth.numerator),
                                       (d, shown.denominator, truth.denominator)):
            if text == "c":
                unknown.append((variable, actual, f"{truth.indicator_id} {cell} {text}"))
            else:
                model.add({variable: 1}, float(text), float(text))
    for parts in cells.values():
        gld, all17, goals, d = (parts["gld"], parts["all_elgs_expected"],
                                parts["average_elgs_expected"], parts["d"])
        model.add({all17: 1, gld: -1}, -np.inf, 0)  # all 17 => GLD
        model.add({goals: 1, all17: -17}, 0, np.inf)  # goals >= 17 per all-17 child
        model.add({goals: 1, gld: -12}, 0, np.inf)  # goals >= 12 per GLD child
        model.add({goals: 1, gld: -1, d: -16}, -np.inf, 0)  # goals <= 17 gld + 16 (d - gld)
    by_year = true.groupby("time_period")
    for period, frame in by_year:
        total_cell = (period, "Local authority", LA, "All", "All children")
        partitions = [("Neighbourhood", frame[frame["geographic_level"] == "Neighbourhood"])]
        partitions += [(b, frame[frame["breakdown"] == b]) for b in BREAKDOWNS]
        for _, members in partitions:
            keys = [(period, r.geographic_level, r.area_code, r.breakdown, r.group)
                    for r in members.drop_duplicates(["area_code", "group"]).itertuples()]
            for measure in ("d", "gld", "all_elgs_expected", "average_elgs_expected"):
                def var(cell, measure=measure):
                    return cells[cell][measure]
                terms = defaultdict(float)
                for key in keys:
                    terms[var(key)] += 1
                terms[var(total_cell)] -= 1
                model.add(dict(terms), 0, 0)
    model.freeze()
    pinned = []
    seen = set()
    for variable, actual, label in unknown:
        if variable in seen:
            continue
        seen.add(variable)
        low, high = model.bounds_of(variable)
        assert low - 1e-6 <= actual <= high + 1e-6, (label, low, actual, high)
        if np.floor(high + 1e-6) == np.ceil(low - 1e-6):
            pinned.append(f"{label}: pinned to {actual}")
    ATTACKED["suppressed"] += len(seen)
    return pinned


EXAMPLES = int(os.environ.get("CHORUS_ATTACK_EXAMPLES", "25"))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(children=st.lists(child, min_size=12, max_size=70), threshold=st.sampled_from([3, 5, 10]))
def test_no_suppressed_count_can_be_recovered_by_differencing(children, threshold):
    data = cohort_frame(children)
    true, published = published_tables(data, threshold)
    ATTACKED["cohorts"] += 1
    ATTACKED["cells"] += len(published)
    assert not attack(true, published, len(data))


def test_attack_finds_a_count_suppressed_without_secondary_suppression():
    """The attacker is not toothless: primary suppression alone is beaten by subtraction."""
    rng = np.random.default_rng(1)
    children = [{"time_period": 202324, "neighbourhood_code": "N1" if i % 2 else "N2",
                 "Sex": "Female" if i < 35 else "Male", "FSM eligibility": "Not eligible",
                 "First language": "English", "SEN provision": "EHC plan" if i < 4 else "No SEN",
                 "Season of birth": "Autumn-born", "outcome": "gld" if rng.random() < 0.5
                 else "none", "extra": 3} for i in range(70)]
    data = cohort_frame(children)
    true, _ = published_tables(data, 10)
    naive = true.copy()
    small = (naive["denominator"] < 10) | (naive["numerator"] < 10) | (
        (naive["indicator_id"] != "average_elgs_expected")
        & (naive["denominator"] - naive["numerator"] < 10))
    naive["numerator_suppressed"] = small
    naive["denominator_suppressed"] = naive["denominator"] < 10
    leaked = attack(true, publishable(naive, SHAPES), len(data))
    assert leaked


def test_report_attack_volume():
    """Runs after the property test in this module: records what was attacked."""
    assert ATTACKED["cohorts"] >= EXAMPLES
    print(f"\ndifferencing attack: {ATTACKED['cohorts']} cohorts, {ATTACKED['cells']} published "
          f"rows, {ATTACKED['suppressed']} suppressed counts attacked, none recovered")
