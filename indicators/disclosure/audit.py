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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array, diags_array

from indicators.disclosure.audit_bounds import (
    PlainBounds,
    at_ceiling,
    can_grow,
    homogeneous,
    rises,
)
from indicators.disclosure.linear_system import LinearSystem
from indicators.disclosure.programme import Programme, SharedProgramme
from indicators.disclosure.relations import RelationsError


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


def targets_for(cells: Iterable[int], unknown: np.ndarray, proportion: np.ndarray) -> list[Target]:
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


CEILING_FACTOR = 100
"""Every count is bounded by this many times the largest true count of its system (plus
`threshold`): far above any real count, so a count that reaches it is wide open, but
bounded, so every integer programme has an optimum and each solution shows how far many
counts can move at once. Bounds only narrow what the audit sees, never widen it."""


HARVESTS = 6
"""Linear programmes in random directions tried first on a group of counts, to show most of
them wide before any is bounded on its own."""

INTEGER_HARVESTS = 4
"""Integer programmes over all the counts still open after those (every count down, every
count up, then random directions), before any is bounded on its own."""

INTEGER_HARVEST_MINIMUM = 4
"""Fewer counts open than this: each is bounded on its own straight away."""

HARVEST_NODES = 200
"""Branch-and-bound nodes an integer harvest may take (a count of work, so a re-run decides
the same; the harvests measured were all solved at the root)."""


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
        # the whole system as one matrix (rows: relations; columns: every variable), so a
        # group's programme is sliced from it rather than assembled term by term
        sizes = [len(terms) for terms in system.terms]
        self.matrix = csr_array(
            (
                np.fromiter((c for t in system.terms for c in t.values()), float, sum(sizes)),
                (
                    np.repeat(np.arange(len(sizes)), sizes),
                    np.fromiter((v for t in system.terms for v in t), np.int64, sum(sizes)),
                ),
            ),
            shape=(len(sizes), system.variables),
        )
        self.linked = (self.matrix != 0).astype(np.int32).tocsr()  # relation x variable
        self.linked_by_variable = self.linked.T.tocsr()
        self.lower = np.array(system.lower, dtype=float)
        self.upper = np.array(system.upper, dtype=float)
        self.values = np.zeros(system.variables)  # auxiliaries have no true value here
        self.values[: len(truth)] = truth

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

    def component_of(
        self, seeds: Iterable[int], unknown: np.ndarray
    ) -> tuple[list[int], list[int]]:
        """(variables, rows) of the group of unknowns linked to `seeds` by relations."""
        free = self._free(unknown)
        reached = np.zeros(len(free), dtype=bool)
        frontier = np.zeros(len(free), dtype=bool)
        frontier[list(seeds)] = True
        rows = np.zeros(self.matrix.shape[0], dtype=bool)
        # only relations with something unknown in them link (a seed may be published)
        linking = (self.linked @ free.astype(np.int32)) > 0
        while frontier.any():  # breadth first, a layer at a time
            reached |= frontier
            layer = (self.linked @ frontier.astype(np.int32)) > 0
            layer &= linking & ~rows
            rows |= layer
            frontier = ((self.linked_by_variable @ layer.astype(np.int32)) > 0) & free
            frontier &= ~reached
        return np.flatnonzero(reached).tolist(), np.flatnonzero(rows).tolist()

    def _free(self, unknown: np.ndarray) -> np.ndarray:
        """Which variables are unknown to a reader: hidden counts and every auxiliary."""
        free = np.ones(self.matrix.shape[1], dtype=bool)
        free[: len(unknown)] = unknown
        return free

    def range_of(
        self, target: Target, unknown: np.ndarray, known: tuple[float, float] | None = None
    ) -> tuple[float, float]:
        """The target's range (at least as wide as the true one when `threshold` values are
        already seen) under this pattern of unknowns. `known`: values the target was seen
        to take under a pattern with no more unknowns than this one (they stay possible:
        hiding more never narrows a range), a head start for the search."""
        variables, rows = self.component_of([v for v, _ in target.terms], unknown)
        return self._range(target, variables, rows, unknown, known)

    def trial_ranges(
        self, target: Target, trials: list[np.ndarray], known: tuple[float, float]
    ) -> Iterator[tuple[float, float]]:
        """`range_of` under each pattern of `trials` in turn (`known` as there), from one
        programme over all the patterns' groups (programme.SharedProgramme)."""
        parts = [self.component_of([v for v, _ in target.terms], trial) for trial in trials]
        variables = np.unique(np.concatenate([np.array(p[0], dtype=np.int64) for p in parts]))
        rows = np.unique(np.concatenate([np.array(p[1], dtype=np.int64) for p in parts]))
        outside = np.ones(self.matrix.shape[1], dtype=bool)
        outside[variables] = False
        within = self.matrix[rows]
        constant = within @ np.where(outside, self.values, 0.0)
        low, high = self._box(variables)
        lower, upper = self.lower[rows] - constant, self.upper[rows] - constant
        shared = SharedProgramme(Programme(within[:, variables], lower, upper, low, high))
        values = self.values[variables]
        for trial, (group, group_rows) in zip(trials, parts, strict=True):
            at = np.searchsorted(variables, group)
            # outside the group: published counts fixed, unknowns free of the ceiling too
            free, mine = self._free(trial)[variables], np.isin(np.arange(len(variables)), at)
            floor = np.where(mine, low, np.where(free, -np.inf, values))
            view = shared.view(at, floor, np.where(mine, high, np.where(free, np.inf, values)))
            yield self._range(target, group, group_rows, trial, known, view)

    def _range(self, target, variables, rows, unknown, known, programme=None):
        key = frozenset(variables)
        cached = self.cache.get(key, {}).get(target)
        if cached is not None:
            return cached
        found = self._ranges(
            variables, rows, unknown, [target], {target: known} if known else None, programme
        )
        self.cache.setdefault(key, {}).update(found)
        return found[target]

    def _box(self, variables) -> tuple[np.ndarray, np.ndarray]:
        """Each count's bounds: 0 (minus the ceiling if it may be negative) to the ceiling."""
        ceiling = CEILING_FACTOR * (float(np.max(self.truth, initial=0)) + self.threshold)
        signed = self.system.signed
        low = np.array([-ceiling if v in signed else 0.0 for v in variables])
        return low, np.full(len(variables), ceiling)

    def narrow(
        self,
        unknown: np.ndarray,
        targets: list[Target],
        seen: dict[Target, tuple[float, float]] | None = None,
    ) -> list[Narrow]:
        """Targets with fewer than `threshold` possible values (`known` as in `range_of`)."""
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
                known.update(self._ranges(variables, rows, unknown, missing, seen))
            for target in mine:
                low, high = self.cache[key][target]
                if high - low + 1 < self.threshold:
                    found.append(Narrow(target, low, high))
        return found

    def _ranges(
        self,
        variables: list[int],
        rows: list[int],
        unknown: np.ndarray,
        targets: list[Target],
        known: dict[Target, tuple[float, float]] | None = None,
        programme=None,
    ) -> dict[Target, tuple[float, float]]:
        """Each target's range (`range_of`), over the group's own programme, or the view
        of a shared one (`programme`) that gives the same optima."""
        column = {v: i for i, v in enumerate(variables)}
        # the group's relations, with the published counts moved to the bounds as constants
        free = self._free(unknown)
        within = self.matrix[rows]
        constant = within @ np.where(free, 0.0, self.values)
        lower, upper = self.lower[rows] - constant, self.upper[rows] - constant
        size = len(variables)
        matrix = within[:, variables] if rows else csr_array((0, size))
        if not free[variables].all():  # a published seed: a constant, not a column
            matrix = csr_array(matrix @ diags_array(free[variables].astype(float)))
        low_bound, high_bound = self._box(variables)
        lower_arr, upper_arr = np.array(lower), np.array(upper)
        constraints = LinearConstraint(matrix, lower_arr, upper_arr) if rows else None
        # targets by their position in `targets`: their unknowns, coefficients, and the
        # lowest and highest value each takes in the whole-number solutions seen so far
        by_target = [np.array([column[v] for v, _ in t.terms]) for t in targets]
        weights = [np.array([c for _, c in t.terms], dtype=float) for t in targets]
        sizes = [len(t.terms) for t in targets]
        expressions = csr_array(
            (np.concatenate(weights), (np.repeat(np.arange(len(targets)), sizes),
             np.concatenate(by_target))),
            shape=(len(targets), size),
        )  # fmt: skip
        seen_low, seen_high = np.zeros(len(targets)), np.zeros(len(targets))
        for i, target in enumerate(targets):  # the true counts are a solution
            x = sum(c * self.truth[v] for v, c in target.terms)
            seen_low[i], seen_high[i] = x, x
            if known and target in known:  # whole-number values seen under fewer unknowns
                seen_low[i] = min(x, known[target][0])
                seen_high[i] = max(x, known[target][1])

        def exact(point: np.ndarray) -> bool:
            product = matrix @ point
            return bool(
                np.all(point >= low_bound)
                and np.all(point <= high_bound)
                and np.all(product >= lower_arr - 1e-7)
                and np.all(product <= upper_arr + 1e-7)
            )

        def wide(i: int) -> bool:
            return seen_high[i] - seen_low[i] + 1 >= self.threshold

        if programme is None:
            programme = Programme(matrix, lower_arr, upper_arr, low_bound, high_bound)

        def integer_programme(objective: np.ndarray, integer: int):
            for presolve in (True, False):  # HiGHS's presolve can misjudge: ask once more without
                self.solves += 1
                solved = milp(
                    objective,
                    constraints=constraints,
                    bounds=Bounds(low_bound, high_bound),
                    integrality=np.full(size, integer),
                    options={"mip_rel_gap": 0.0, "presolve": presolve},
                )
                if solved.status != 2:
                    break
            if solved.status == 2:
                raise RelationsError(
                    "the declared relations admit no counts at all, not "
                    "even the true ones: a declaration is wrong"
                )
            if solved.x is None:
                raise RelationsError(f"integer programme failed: {solved.message}")
            return solved.x, float(solved.fun)

        def keep(point: np.ndarray) -> None:
            values = expressions @ point
            np.minimum(seen_low, values, out=seen_low)
            np.maximum(seen_high, values, out=seen_high)

        last_relaxation: list[np.ndarray] = []  # the linear optimum the last `solve` began at

        def solve(objective: np.ndarray, attained: float) -> float:
            """Minimise over whole numbers; keep the solution's values of every target;
            return the optimum. The linear relaxation first (warm-started from the last
            vertex, `programme`): when its optimum is a whole point it is the integer
            optimum too (most of these systems are sums), and when rounding its optimum up
            gives `attained` (a value some whole-number solution already takes) that is
            the integer optimum, with no integer programme."""
            for integer in (0, 1):
                x = programme.minimise(objective) if integer == 0 else None
                if x is None:
                    x, fun = integer_programme(objective, integer)
                else:
                    self.solves += 1
                    fun = float(objective @ x)
                if integer == 0:
                    last_relaxation[:] = [x]
                point = np.round(x)
                whole = bool(np.all(np.abs(x - point) < 1e-7)) and exact(point)
                if whole:
                    keep(point)
                    return float(objective @ point)
                if integer == 0 and np.ceil(fun - 1e-6) >= attained:
                    return attained
            return fun

        def relaxed(objective: np.ndarray) -> None:
            """A vertex of the linear relaxation; kept when it is a whole-number solution."""
            self.solves += 1
            x = programme.minimise(objective)
            if x is None:
                x = milp(
                    objective,
                    constraints=constraints,
                    bounds=Bounds(low_bound, high_bound),
                    integrality=np.zeros(size),
                ).x
            if x is None:
                return
            point = np.round(x)
            if np.all(np.abs(x - point) < 1e-7) and exact(point):
                keep(point)

        # Counts that can grow without bound (along a direction of the recession cone, from
        # the true counts) are wide: one linear programme finds them all.
        # (A count asked for alone is asked after its own two programmes below, and only
        # if they leave it narrow: most are settled wide by them.)
        positions = range(len(targets))
        growing = (
            can_grow(matrix, lower_arr, upper_arr, by_target, weights, positions)
            if len(targets) > 1
            else [False]
        )
        seen_high[np.array(growing, dtype=bool)] = np.inf
        if not homogeneous(lower_arr, upper_arr):
            # A few solutions far apart in random directions settle more counts at once.
            random = np.random.default_rng(len(variables))
            for _ in range(HARVESTS):
                open_targets = [i for i in positions if not wide(i)]
                if len(open_targets) < 2:
                    break
                objective = np.zeros(size)
                for i in open_targets:
                    np.add.at(objective, by_target[i], random.choice([-1.0, 1.0]) * weights[i])
                relaxed(objective)
            # Where the relaxation's vertices are fractional (bounds between indicators,
            # such as a goal at most its area), a few integer programmes over every count
            # still open, all pushed down, all pushed up, then in random directions: each
            # whole-number solution, checked exactly, settles many counts at once.
            for harvest in range(INTEGER_HARVESTS):
                open_targets = [i for i in positions if not wide(i)]
                if len(open_targets) < INTEGER_HARVEST_MINIMUM:
                    break
                objective = np.zeros(size)
                for i in open_targets:
                    sign = (1.0, -1.0)[harvest] if harvest < 2 else random.choice([-1.0, 1.0])
                    np.add.at(objective, by_target[i], sign * weights[i])
                # any whole-number solution will do: a bounded search (deterministic, by
                # nodes, never by time) whose failure only leaves the counts to the exact
                # programmes below
                self.solves += 1
                found = milp(
                    objective,
                    constraints=constraints,
                    bounds=Bounds(low_bound, high_bound),
                    integrality=np.ones(size),
                    options={"node_limit": HARVEST_NODES},
                )
                if found.x is None:
                    continue
                point = np.round(found.x)
                if exact(point):
                    keep(point)
        # Then each count still open on its own: its exact smallest and largest values.
        plain = PlainBounds(matrix, lower_arr, upper_arr, low_bound, high_bound)
        result: dict[Target, tuple[float, float]] = {}
        capped = False  # a largest value found with some count at the ceiling, and rising
        for i, target in enumerate(targets):
            for sign in (-1, 1):
                if wide(i):
                    break
                attained = -seen_high[i] if sign == -1 else seen_low[i]
                if attained == plain.least(by_target[i], sign * weights[i]):
                    continue  # a value seen is a bound no solution passes: no programme
                objective = np.zeros(size)
                np.add.at(objective, by_target[i], sign * weights[i])
                optimum = sign * solve(objective, attained)
                if (
                    sign == -1
                    and len(targets) == 1
                    and at_ceiling(last_relaxation[0], low_bound, high_bound)
                ):
                    capped = capped or rises(programme, objective, last_relaxation[0])
                if sign == -1:
                    seen_high[i] = max(seen_high[i], np.floor(optimum + 1e-6))
                else:
                    seen_low[i] = min(seen_low[i], np.ceil(optimum - 1e-6))
            result[target] = (float(seen_low[i]), float(seen_high[i]))
        # bounded alone by the ceiling, a count may still grow without bound (another hidden
        # count must grow over a hundred times faster and meets the ceiling first): narrow
        # only when the recession cone says it cannot grow. A linear optimum with no count
        # at the ceiling is the optimum without it too (a linear programme's local optimum
        # is its optimum), so the count cannot grow and the cone need not be asked; nor
        # when doubling the ceiling does not raise the optimum (`rises`).
        if (
            len(targets) == 1
            and capped
            and not wide(0)
            and can_grow(matrix, lower_arr, upper_arr, by_target, weights, positions)[0]
        ):
            result[targets[0]] = (float(seen_low[0]), np.inf)
        return result


def partner_candidates(
    auditor: Auditor, target: Target, unknown: np.ndarray
) -> tuple[list[int], list[int]]:
    """Published counts that could widen the target: those sharing a relation with it, and
    those sharing a relation with any unknown linked to it."""
    system, cells = auditor.system, 2 * auditor.system.cells

    def published_in(rows: Iterable[int]) -> list[int]:
        return sorted(
            {v for row in rows for v in system.terms[row] if v < cells and not unknown[v]}
        )

    direct = published_in(row for v, _ in target.terms for row in auditor.by_variable.get(v, []))
    variables, _ = auditor.component_of([v for v, _ in target.terms], unknown)
    linked = published_in(row for v in variables for row in auditor.by_variable.get(v, []))
    return direct, [v for v in linked if v not in set(direct)]
