"""The attacker's solving of one connected system (tests/attacker.py): each target's least
value, from bounds proven without an integer programme where an integer solution seen
reaches them. Like the attacker, it imports nothing from `indicators`."""

from __future__ import annotations

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

try:  # scipy's own binding of HiGHS (scipy is pinned): a model kept between solves
    from scipy.optimize._highspy import _core
except ImportError:  # pragma: no cover
    _core = None


class System:
    """One connected system: its relations, its unknowns' bounds, the targets, and each
    target's lowest and highest value in the integer solutions seen so far."""

    def __init__(self, matrix, lower, upper, floor, top, vectors) -> None:
        self.matrix, self.lower, self.upper, self.floor, self.top = matrix, lower, upper, floor, top
        self.targets = np.array(vectors).reshape(len(vectors), matrix.shape[1])
        self.low = np.full(len(vectors), np.inf)
        self.high = np.full(len(vectors), -np.inf)
        self.constraints = [LinearConstraint(matrix, lower, upper)] if matrix.shape[0] else []
        self.solves = 0
        # without solving: what a target's own unknowns' bounds, or one relation on just
        # its unknowns (a complement d - n from n <= d), keep it at or above
        self.plain = {
            1: _plain_minima(matrix, lower, upper, floor, top, self.targets),
            -1: _plain_minima(matrix, lower, upper, floor, top, -self.targets),
        }
        self.highs = _warm_highs(matrix, lower, upper, floor, top)

    def width(self, k: int) -> float:
        return self.high[k] - self.low[k] + 1

    def witness(self, x) -> bool:
        """Whether x is an integer solution; if so, each target's value in it is seen."""
        point = np.round(x)
        product = self.matrix @ point if self.matrix.shape[0] else np.zeros(0)
        if not (
            np.all(np.abs(x - point) < 1e-7)
            and np.all(product >= self.lower - 1e-7)
            and np.all(product <= self.upper + 1e-7)
        ):
            return False
        values = self.targets @ point
        np.minimum(self.low, values, out=self.low)
        np.maximum(self.high, values, out=self.high)
        return True

    def _checked(self, solved):
        if solved.status == 2:
            raise AssertionError("the published table contradicts the declarations")
        assert solved.x is not None, solved.message
        return solved.x, solved.fun

    def relaxation(self, objective) -> tuple[np.ndarray, float]:
        """The linear relaxation's minimum (x, value): HiGHS kept from the last solve, so
        it starts from that basis; scipy's milp afresh unless that ends optimal."""
        self.solves += 1
        if self.highs is not None:
            highs = self.highs
            highs.changeColsCost(len(objective), np.arange(len(objective)), objective)
            if (
                highs.run() == _core.HighsStatus.kOk
                and highs.getModelStatus() == _core.HighsModelStatus.kOptimal
            ):
                return np.array(
                    highs.getSolution().col_value
                ), highs.getInfo().objective_function_value
        return self._checked(
            milp(
                objective,
                constraints=self.constraints,
                bounds=Bounds(self.floor, self.top),
                integrality=np.zeros(len(objective)),
            )
        )

    def integer(self, objective, gap: float | None = 0) -> tuple[float, bool]:
        """The integer programme's minimum (gap 0) and whether its solution was seen."""
        self.solves += 1
        x, value = self._checked(
            milp(
                objective,
                constraints=self.constraints,
                bounds=Bounds(self.floor, self.top),
                integrality=np.ones(len(objective)),
                options={} if gap is None else {"mip_rel_gap": gap},
            )
        )
        if self.witness(x):
            return float(objective @ np.round(x)), True
        return value, False

    def minimum(self, k: int, sign: int) -> float:
        """The integer minimum of sign * target k. A bound no integer solution goes below
        (the plain one, then the relaxation's minimum rounded up) is the minimum when a
        solution seen reaches it or the relaxation lands on whole numbers; else the
        integer programme's."""
        objective = sign * self.targets[k]
        seen = self.low[k] if sign > 0 else -self.high[k]
        if seen == self.plain[sign][k]:
            return seen
        x, value = self.relaxation(objective)
        if self.witness(x):
            return float(objective @ np.round(x))
        seen = self.low[k] if sign > 0 else -self.high[k]
        if seen == np.ceil(value - 1e-6):
            return seen
        return self.integer(objective)[0]


def _warm_highs(matrix, lower, upper, floor, top):
    """A HiGHS model of the relaxation to solve again and again (None without the binding)."""
    if _core is None or not matrix.shape[0]:
        return None
    columns = matrix.tocsc()
    lp = _core.HighsLp()
    lp.num_col_, lp.num_row_ = columns.shape[1], columns.shape[0]
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = columns.shape[1], columns.shape[0]
    lp.a_matrix_.format_ = _core.MatrixFormat.kColwise
    lp.a_matrix_.start_ = columns.indptr
    lp.a_matrix_.index_ = columns.indices
    lp.a_matrix_.value_ = columns.data
    lp.col_cost_ = np.zeros(columns.shape[1])
    lp.col_lower_, lp.col_upper_ = floor.astype(float), top.astype(float)
    lp.row_lower_, lp.row_upper_ = lower.astype(float), upper.astype(float)
    highs = _core._Highs()
    options = _core.HighsOptions()
    options.output_flag = False
    if highs.passOptions(options) != _core.HighsStatus.kOk:
        return None
    if highs.passModel(lp) != _core.HighsStatus.kOk:
        return None
    return highs


def _plain_minima(matrix, lower, upper, floor, top, targets) -> np.ndarray:
    """Each target's least value, rounded up, from its unknowns' own bounds or from one
    relation on just its unknowns, found without solving: no solution goes below it."""
    relations: dict[tuple, list[float]] = {}  # unknowns and their ratios -> range
    for r in range(matrix.shape[0]):
        start, end = matrix.indptr[r], matrix.indptr[r + 1]
        order = np.argsort(matrix.indices[start:end])
        columns, coefficients = matrix.indices[start:end][order], matrix.data[start:end][order]
        scale = coefficients[0]
        low, high = sorted((lower[r] / scale, upper[r] / scale))
        known = relations.setdefault(
            (tuple(columns), tuple(coefficients / scale)), [-np.inf, np.inf]
        )
        known[0], known[1] = max(known[0], low), min(known[1], high)
    minima = np.full(len(targets), -np.inf)
    for k, target in enumerate(targets):
        (columns,) = np.nonzero(target)
        if not len(columns):
            continue
        coefficients = target[columns]
        ends = np.where(coefficients > 0, floor[columns], top[columns])
        minimum = float(coefficients @ ends) if np.all(np.isfinite(ends)) else -np.inf
        scale = coefficients[0]
        known = relations.get((tuple(columns), tuple(coefficients / scale)))
        if known is not None:
            minimum = max(minimum, scale * (known[0] if scale > 0 else known[1]))
        minima[k] = np.ceil(minimum - 1e-6)
    return minima
