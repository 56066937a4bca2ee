"""The suppressor's own attack: how far can each suppressed count be narrowed?

Given a LinearSystem (every declared relation), the true counts and which counts are
published, each suppressed count (and a proportion's complement when both its counts are
hidden) is bounded by integer programmes (scipy's `milp`, HiGHS) with every published count
a constant. A count is safe when at least `threshold` values remain possible.

Two shortcuts keep this fast without weakening it: unknowns that share no relation are
solved apart (connected components), and every integer solution found is kept, so a count
already seen to take values at least `threshold - 1` apart (the true counts are one such
solution) needs no programme of its own. A count is only ever declared safe on the strength
of integer solutions that were checked exactly against every relation.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

from indicators.disclosure.relations import LinearSystem, RelationsError


@dataclass(frozen=True)
class Target:
    """A suppressed count as a linear expression of unknowns: a numerator, a denominator,
    or a complement (denominator minus numerator)."""

    cell: int
    count: str
    terms: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Narrow:
    target: Target
    low: float
    high: float


def targets_for(cells: Iterable[int], unknown: np.ndarray, proportion: np.ndarray
                ) -> list[Target]:
    found = []
    for cell in cells:
        n, d = 2 * cell, 2 * cell + 1
        if unknown[n]:
            found.append(Target(cell, "numerator", ((n, 1),)))
        if unknown[d]:
            found.append(Target(cell, "denominator", ((d, 1),)))
        if unknown[n] and unknown[d] and proportion[cell]:
            found.append(Target(cell, "complement", ((d, 1), (n, -1))))
    return found


class _Union:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        parent = self.parent.setdefault(x, x)
        while parent != x:
            self.parent[x] = self.parent.setdefault(parent, parent)
            x, parent = parent, self.parent[parent]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[ra] = rb


class Auditor:
    """Ranges of suppressed counts under every relation of one system."""

    def __init__(self, system: LinearSystem, truth: np.ndarray, threshold: int) -> None:
        self.system = system
        self.truth = truth  # values of the 2 * cells count variables
        self.threshold = threshold
        self.cache: dict[frozenset, dict[Target, tuple[float, float]]] = {}
        self.by_variable: dict[int, list[int]] = defaultdict(list)
        for row, terms in enumerate(system.terms):
            for variable in terms:
                self.by_variable[variable].append(row)
        self.solves = 0

    def components(self, unknown: np.ndarray) -> list[tuple[list[int], list[int]]]:
        """(variables, rows) of each group of unknowns linked by relations."""
        union = _Union()
        cells = 2 * self.system.cells
        rows_with_unknowns = []
        for row, terms in enumerate(self.system.terms):
            free = [v for v in terms if v >= cells or unknown[v]]
            if not free:
                continue
            rows_with_unknowns.append((row, free))
            for variable in free[1:]:
                union.union(free[0], variable)
            union.find(free[0])
        for variable in np.flatnonzero(unknown):
            union.find(int(variable))
        variables: dict[int, list[int]] = defaultdict(list)
        for variable in list(union.parent):
            variables[union.find(variable)].append(variable)
        rows: dict[int, list[int]] = defaultdict(list)
        for row, free in rows_with_unknowns:
            rows[union.find(free[0])].append(row)
        return [(sorted(members), rows.get(root, [])) for root, members in variables.items()]

    def component_of(self, seeds: Iterable[int], unknown: np.ndarray
                      ) -> tuple[list[int], list[int]]:
        """(variables, rows) of the group of unknowns linked to `seeds` by relations."""
        cells = 2 * self.system.cells
        variables, rows = set(seeds), set()
        frontier = list(variables)
        while frontier:
            variable = frontier.pop()
            for row in self.by_variable.get(variable, []):
                if row in rows:
                    continue
                free = [v for v in self.system.terms[row] if v >= cells or unknown[v]]
                if not free:
                    continue
                rows.add(row)
                for other in free:
                    if other not in variables:
                        variables.add(other)
                        frontier.append(other)
        return sorted(variables), sorted(rows)

    def range_of(self, target: Target, unknown: np.ndarray) -> tuple[float, float]:
        """The target's range (at least as wide as the true one when `threshold` values are
        already seen) under this pattern of unknowns."""
        variables, rows = self.component_of([v for v, _ in target.terms], unknown)
        key = frozenset(variables)
        cached = self.cache.get(key, {}).get(target)
        if cached is not None:
            return cached
        found = self._ranges(variables, rows, unknown, [target])
        self.cache.setdefault(key, {}).update(found)
        return found[target]

    def narrow(self, unknown: np.ndarray, targets: list[Target]) -> list[Narrow]:
        """Targets with fewer than `threshold` possible values."""
        where: dict[int, list[Target]] = defaultdict(list)
        for target in targets:
            where[target.terms[0][0]].append(target)
        found: list[Narrow] = []
        for variables, rows in self.components(unknown):
            mine = [t for v in variables for t in where.get(v, [])]
            if not mine:
                continue
            key = frozenset(variables)
            known = self.cache.setdefault(key, {})
            missing = [t for t in mine if t not in known]
            if missing:
                known.update(self._ranges(variables, rows, unknown, missing))
            for target in mine:
                low, high = self.cache[key][target]
                if high - low + 1 < self.threshold:
                    found.append(Narrow(target, low, high))
        return found

    def _ranges(self, variables: list[int], rows: list[int], unknown: np.ndarray,
                targets: list[Target]) -> dict[Target, tuple[float, float]]:
        system, cells = self.system, 2 * self.system.cells
        column = {v: i for i, v in enumerate(variables)}
        data, row_index, col_index = [], [], []
        lower, upper = [], []
        for r, row in enumerate(rows):
            constant = 0.0
            for variable, coefficient in system.terms[row].items():
                if variable < cells and not unknown[variable]:
                    constant += coefficient * self.truth[variable]
                else:
                    data.append(coefficient)
                    row_index.append(r)
                    col_index.append(column[variable])
            lower.append(system.lower[row] - constant)
            upper.append(system.upper[row] - constant)
        size = len(variables)
        matrix = csr_array((data, (row_index, col_index)), shape=(len(rows), size))
        low_bound = np.array([1.0 if v < cells and v % 2 else 0.0 for v in variables])
        lower_arr, upper_arr = np.array(lower), np.array(upper)
        constraints = LinearConstraint(matrix, lower_arr, upper_arr) if rows else None

        def exact(point: np.ndarray) -> bool:
            product = matrix @ point
            return bool(np.all(point >= low_bound) and np.all(product >= lower_arr - 1e-7)
                        and np.all(product <= upper_arr + 1e-7))

        seen_low: dict[Target, float] = {}
        seen_high: dict[Target, float] = {}

        def value(target: Target, point: np.ndarray) -> float:
            return sum(c * point[column[v]] for v, c in target.terms)

        def observe(point: np.ndarray) -> None:
            for target in targets:
                x = value(target, point)
                seen_low[target] = min(seen_low.get(target, x), x)
                seen_high[target] = max(seen_high.get(target, x), x)

        truth_known = all(v < cells for v in variables)
        for target in targets:  # the true counts are a solution (even with auxiliaries)
            x = sum(c * self.truth[v] for v, c in target.terms)
            seen_low[target], seen_high[target] = x, x
        if truth_known:
            point = np.array([self.truth[v] for v in variables])
            if not exact(point):
                raise RelationsError("the declared relations do not hold for the true counts")

        result: dict[Target, tuple[float, float]] = {}
        for target in targets:
            bounds: list[float] = []
            for sign in (-1, 1):  # maximise first: a wide range often shows at once
                if seen_high[target] - seen_low[target] + 1 >= self.threshold:
                    break
                objective = np.zeros(size)
                for v, c in target.terms:
                    objective[column[v]] += sign * c
                self.solves += 1
                solved = milp(objective, constraints=constraints,
                              bounds=Bounds(low_bound, np.full(size, np.inf)),
                              integrality=np.ones(size),
                              options={"mip_rel_gap": 0.0, "presolve": True})
                if solved.status == 3 or (solved.status == 4 and "nbounded" in
                                          str(solved.message)):
                    bounds.append(np.inf)
                    if sign == -1:
                        seen_high[target] = np.inf
                    else:
                        seen_low[target] = -np.inf
                    continue
                if solved.status == 2:
                    raise RelationsError("the declared relations admit no counts at all, not "
                                         "even the true ones: a declaration is wrong")
                if solved.x is None:
                    raise RelationsError(f"integer programme failed: {solved.message}")
                point = np.round(solved.x)
                if exact(point):
                    observe(point)
                # The optimum bounds the range even if rounding moved the point.
                optimum = sign * solved.fun
                if sign == -1:
                    seen_high[target] = max(seen_high[target], np.floor(optimum + 1e-6))
                else:
                    seen_low[target] = min(seen_low[target], np.ceil(optimum - 1e-6))
            result[target] = (seen_low[target], seen_high[target])
        return result


def partner_candidates(auditor: Auditor, target: Target, unknown: np.ndarray
                       ) -> tuple[list[int], list[int]]:
    """Published counts that could widen the target: those sharing a relation with it, and
    those sharing a relation with any unknown linked to it."""
    system, cells = auditor.system, 2 * auditor.system.cells

    def published_in(rows: Iterable[int]) -> list[int]:
        return sorted({v for row in rows for v in system.terms[row]
                       if v < cells and not unknown[v]})

    direct = published_in(row for v, _ in target.terms for row in auditor.by_variable.get(v, []))
    variables, _ = auditor.component_of([v for v, _ in target.terms], unknown)
    linked = published_in(row for v in variables for row in auditor.by_variable.get(v, []))
    return direct, [v for v in linked if v not in set(direct)]
