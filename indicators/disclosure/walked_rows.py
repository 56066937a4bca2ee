"""The relations secondary suppression walks after every partner it hides (suppress.py:
`singletons` and `sums`), read once a table as matrices, so that each walk asks which of
them could need a partner now with one product rather than a loop over every relation."""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_array

from indicators.disclosure.linear_system import LinearSystem


def _indicator(rows: list[list[int]], columns: int) -> csr_array:
    """A 0/1 matrix: row i has a 1 in each of rows[i]'s columns."""
    sizes = [len(row) for row in rows]
    return csr_array(
        (
            np.ones(sum(sizes), dtype=np.int32),
            (np.repeat(np.arange(len(rows)), sizes), [v for row in rows for v in row]),
        ),
        shape=(len(rows), columns),
    )


class WalkedRows:
    """Equalities among counts only (no auxiliary), and sums of counts (members adding up
    to one total: `sum(members) - total = 0`), in the system's order."""

    def __init__(self, system: LinearSystem, counts: int) -> None:
        self.equal: list[dict[int, int]] = []
        totals_of_sums: list[int] = []  # each sum's total, in `sum_members`' order
        self.sum_members: list[np.ndarray] = []
        self.sum_terms: list[dict[int, int]] = []
        for row, terms in enumerate(system.terms):
            lower, upper = system.lower[row], system.upper[row]
            if lower != upper or any(v >= counts for v in terms):
                continue  # with an auxiliary, one is always among the hidden
            self.equal.append(terms)
            if lower != 0:
                continue
            totals = [v for v, c in terms.items() if c == -1]
            members = [v for v, c in terms.items() if c == 1]
            if len(totals) == 1 and len(members) + 1 == len(terms):
                totals_of_sums.append(totals[0])
                self.sum_members.append(np.array(members, dtype=np.int64))
                self.sum_terms.append(terms)
        self.equal_matrix = _indicator([list(t) for t in self.equal], counts)
        self.sum_matrix = _indicator([m.tolist() for m in self.sum_members], counts)
        self.totals = np.array(totals_of_sums, dtype=np.int64)

    def single_hidden(self, hidden: np.ndarray) -> np.ndarray:
        """The equalities (their positions in `equal`) with exactly one count hidden."""
        return np.flatnonzero(self.equal_matrix @ hidden.astype(np.int32) == 1)

    def open_sums(self, unknown: np.ndarray) -> np.ndarray:
        """The sums (positions) whose total is published and some member hidden."""
        if not len(self.totals):
            return np.zeros(0, dtype=np.int64)
        some = self.sum_matrix @ unknown.astype(np.int32) > 0
        return np.flatnonzero(some & ~unknown[self.totals])
