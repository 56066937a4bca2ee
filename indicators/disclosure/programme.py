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
        self.model = (matrix, lower, upper, low, high)  # built on the first objective

    def _build(self) -> None:
        matrix, lower, upper, low, high = self.model
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
        lp.col_lower_, lp.col_upper_ = np.asarray(low, float), np.asarray(high, float)
        lp.row_lower_ = np.where(np.isneginf(lower), -_highs.kHighsInf, lower).astype(float)
        lp.row_upper_ = np.where(np.isposinf(upper), _highs.kHighsInf, upper).astype(float)
        highs = _highs._Highs()
        highs.setOptionValue("output_flag", False)
        if highs.passModel(lp) == _highs.HighsStatus.kError:
            return
        self.highs = highs
        self.columns = np.arange(self.size, dtype=np.int32)

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
