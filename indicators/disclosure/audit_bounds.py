"""What the audit (audit.py) knows of a group of counts without an integer programme: a
count's least value from its own bounds or one relation (`PlainBounds`), which counts can
grow without bound (`can_grow`; `at_ceiling` and `rises` say when a count cannot), and
whether the relations are homogeneous."""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_array

from indicators.disclosure.relations import RelationsError


class PlainBounds:
    """A count's least value proven without a programme: from its unknowns' own bounds, or
    from one relation on just those unknowns (a complement d - n from n <= d; a numerator
    at most its published denominator), rounded up. No solution goes below it, so a value
    already seen there is the minimum."""

    def __init__(self, matrix, lower, upper, low, high) -> None:
        self.matrix, self.lower, self.upper, self.low, self.high = matrix, lower, upper, low, high
        self.columns = None  # by column, built on the first question

    def least(self, columns: np.ndarray, coefficients: np.ndarray) -> float:
        ends = np.where(coefficients > 0, self.low[columns], self.high[columns])
        least = float(coefficients @ ends)
        if self.matrix.shape[0]:
            if self.columns is None:
                self.columns = self.matrix.tocsc()
            by_column, rows = self.columns, self.matrix
            first = columns[0]
            order = np.argsort(columns)
            wanted = columns[order]
            for row in by_column.indices[by_column.indptr[first] : by_column.indptr[first + 1]]:
                start, end = rows.indptr[row], rows.indptr[row + 1]
                if end - start != len(columns):
                    continue
                held = np.argsort(rows.indices[start:end])
                if not np.array_equal(rows.indices[start:end][held], wanted):
                    continue
                present = rows.data[start:end][held]
                ratio = coefficients[order][0] / present[0]
                if not np.allclose(present * ratio, coefficients[order]):
                    continue  # the same unknowns in other proportions
                side = self.lower[row] if ratio > 0 else self.upper[row]
                least = max(least, ratio * side)
        return float(np.ceil(least - 1e-6))


def homogeneous(lower: np.ndarray, upper: np.ndarray) -> bool:
    """Whether every relation reads `sum <= 0`, `sum >= 0` or `sum = 0` (no published count
    left in it), so that solutions can be scaled."""
    return bool(
        np.all((lower == 0) | np.isneginf(lower)) and np.all((upper == 0) | np.isposinf(upper))
    )


def can_grow(matrix, lower, upper, by_target, weights, targets) -> list[bool]:
    """Which targets can grow without bound: those positive somewhere on the recession cone
    (directions r >= 0 with each relation's finite sides kept: = 0, <= 0, >= 0).

    Maximise the sum of z_t, each z_t <= 1 and <= target t(r), over the cone: targets are
    never negative on it (counts, and complements of numerators bounded by denominators),
    and the sum of two directions is a direction, so at the optimum z_t = 1 for every target
    that can grow at all. From the true counts, which are whole numbers, a whole multiple of
    a whole direction (the cone is rational) keeps every relation: the target is unbounded.
    For a homogeneous system the cone is the system itself."""
    from scipy.optimize import linprog
    from scipy.sparse import hstack, vstack

    size, count = matrix.shape[1], len(targets)
    lower = np.where(np.isfinite(lower), 0.0, lower)
    upper = np.where(np.isfinite(upper), 0.0, upper)
    link = csr_array(([], ([], [])), shape=(count, size)).tolil()
    for row, target in enumerate(targets):
        for column, weight in zip(by_target[target], weights[target], strict=True):
            link[row, column] -= weight
    eye = csr_array(np.eye(count))
    equal = lower == upper
    parts_ub, bounds_ub = [], []
    has_upper = ~equal & np.isfinite(upper)
    has_lower = ~equal & np.isfinite(lower)
    zeros = csr_array((matrix.shape[0], count))
    full = hstack([matrix, zeros]).tocsr()
    if has_upper.any():
        parts_ub.append(full[has_upper])
        bounds_ub.append(upper[has_upper])
    if has_lower.any():
        parts_ub.append(-full[has_lower])
        bounds_ub.append(-lower[has_lower])
    parts_ub.append(hstack([csr_array(link), eye]).tocsr())  # z_t - target_t <= 0
    bounds_ub.append(np.zeros(count))
    objective = np.concatenate([np.zeros(size), -np.ones(count)])
    solved = linprog(
        objective,
        A_ub=vstack(parts_ub).tocsr(),
        b_ub=np.concatenate(bounds_ub),
        A_eq=full[equal] if equal.any() else None,
        b_eq=upper[equal] if equal.any() else None,
        bounds=[(0, None)] * size + [(0, 1)] * count,
        method="highs",
    )
    if solved.status != 0:
        raise RelationsError(f"linear programme failed: {solved.message}")
    return [bool(z > 0.5) for z in solved.x[size:]]


def rises(programme, objective: np.ndarray, optimum: np.ndarray) -> bool:
    """Whether the linear optimum `optimum` of `objective` improves with the ceiling
    doubled. A programme's optimum as a function of the ceiling is concave and never
    worse for a higher one: when doubling it gains nothing, no higher ceiling does, and
    the count is bounded without one (whichever optimal vertex HiGHS returned)."""
    stretched = programme.stretched(objective)
    if stretched is None:
        return True
    # only a rise within the solver's noise is taken for none: a rise missed would call a
    # count narrow that is not (hiding a partner needlessly), noise taken for one only
    # asks the cone
    return bool(objective @ stretched < objective @ optimum - 1e-9)


def at_ceiling(x: np.ndarray, low: np.ndarray, high: np.ndarray) -> bool:
    """Whether any count of a linear optimum is at (within half a unit of) the ceiling
    the audit puts on every count, or at the floor it puts on a signed one."""
    return bool(np.any(x >= high - 0.5) or np.any((low < 0) & (x <= low + 0.5)))
