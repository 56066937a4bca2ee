"""One linear programme solved for many objectives: HiGHS keeps the model and its last
optimal basis, so each new objective starts from the previous vertex (warm start) instead
of building, presolving and solving the model from nothing (indicators/disclosure/audit.py
asks for the smallest and largest value of many counts over the same relations).

It uses the HiGHS bindings that scipy ships (`scipy.optimize._highspy`, the solver behind
`scipy.optimize.milp`), so no other dependency. Only an optimum is returned: anything else
(an infeasible or failed solve) returns None and the caller asks `milp` as before.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csc_array

try:  # scipy's own HiGHS bindings (scipy >= 1.15)
    from scipy.optimize._highspy import _core as _highs
except ImportError:  # pragma: no cover - older scipy: every solve goes through milp
    _highs = None


class Programme:
    """min c @ x subject to lower <= A @ x <= upper and low <= x <= high, for many c."""

    def __init__(
        self,
        matrix,
        lower: np.ndarray,
        upper: np.ndarray,
        low: np.ndarray,
        high: np.ndarray,
    ) -> None:
        self.size = matrix.shape[1]
        self.highs = None
        self.model = (matrix, lower, upper)  # built on the first objective
        self.bounds = (np.asarray(low, float), np.asarray(high, float))  # every column's

    def _build(self) -> None:
        matrix, lower, upper = self.model
        self.model = None
        if _highs is None:
            return
        columns = csc_array(matrix)
        lp = _highs.HighsLp()
        lp.num_col_, lp.num_row_ = self.size, matrix.shape[0]
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = self.size, matrix.shape[0]
        lp.a_matrix_.format_ = _highs.MatrixFormat.kColwise
        lp.a_matrix_.start_ = columns.indptr.astype(np.int32)
        lp.a_matrix_.index_ = columns.indices.astype(np.int32)
        lp.a_matrix_.value_ = columns.data.astype(float)
        lp.col_cost_ = np.zeros(self.size)
        lp.col_lower_, lp.col_upper_ = self.bounds
        lp.row_lower_ = np.where(np.isneginf(lower), -_highs.kHighsInf, lower).astype(float)
        lp.row_upper_ = np.where(np.isposinf(upper), _highs.kHighsInf, upper).astype(float)
        highs = _highs._Highs()
        highs.setOptionValue("output_flag", False)
        if highs.passModel(lp) == _highs.HighsStatus.kError:
            return
        self.highs = highs
        self.columns = np.arange(self.size, dtype=np.int32)

    def bound(self, low: np.ndarray, high: np.ndarray) -> None:
        """New bounds on every column; the model and its last basis are kept."""
        self.bounds = (np.asarray(low, float), np.asarray(high, float))
        if self.highs is not None:
            self.highs.changeColsBounds(self.size, self.columns, *self.bounds)

    def stretched(self, objective: np.ndarray) -> np.ndarray | None:
        """`minimise` with every column's bounds doubled but a fixed column's (low equal
        to high), then the bounds as they were."""
        low, high = self.bounds
        fixed = low == high
        self.bound(np.where(fixed, low, 2 * low), np.where(fixed, high, 2 * high))
        try:
            return self.minimise(objective)
        finally:
            self.bound(low, high)

    def minimise(self, objective: np.ndarray) -> np.ndarray | None:
        """An optimal vertex for this objective, or None when there is none to give."""
        if self.model is not None:
            self._build()
        if self.highs is None:
            return None
        self.highs.changeColsCost(self.size, self.columns, np.asarray(objective, float))
        if self.highs.run() == _highs.HighsStatus.kError:
            return None
        if self.highs.getModelStatus() != _highs.HighsModelStatus.kOptimal:
            return None
        return np.array(self.highs.getSolution().col_value, dtype=float)


class SharedProgramme:
    """One programme over the union of several patterns' groups of unknowns (the trials of
    one partner, indicators/disclosure/suppress.py), each pattern solved as a view of it:
    the view's bounds give its own group's unknowns their bounds and fix every published
    count at its value, so HiGHS keeps its model and basis from one pattern to the next
    instead of building each group's programme from nothing.

    A view's optimum over its own group's columns is the group's own: every other column is
    fixed, or an unknown of another group, left without bounds. No relation holds both an
    unknown of the group and one outside it (else that one would be in the group), so the
    other groups' relations, which the true counts satisfy, neither bind the group nor make
    the view infeasible."""

    def __init__(self, programme: Programme) -> None:
        self.programme = programme
        self.current: _View | None = None

    def view(self, positions: np.ndarray, low: np.ndarray, high: np.ndarray) -> _View:
        """The pattern whose group is the model's columns at `positions`, with every
        column's bounds under that pattern (`low`, `high`)."""
        return _View(self, positions, low, high)


class _View:
    def __init__(
        self, shared: SharedProgramme, positions: np.ndarray, low: np.ndarray, high: np.ndarray
    ) -> None:
        self.shared, self.positions, self.low, self.high = shared, positions, low, high

    def minimise(self, objective: np.ndarray, stretched: bool = False) -> np.ndarray | None:
        """As Programme.minimise (or `stretched`), over this view's columns."""
        programme = self.shared.programme
        if self.shared.current is not self:
            programme.bound(self.low, self.high)
            self.shared.current = self
        whole = np.zeros(programme.size)
        whole[self.positions] = objective
        x = programme.stretched(whole) if stretched else programme.minimise(whole)
        return None if x is None else x[self.positions]

    def stretched(self, objective: np.ndarray) -> np.ndarray | None:
        return self.minimise(objective, stretched=True)
