"""The audit's plain bounds (indicators/disclosure/audit_bounds.py): a count's least value
found without a programme may skip a programme only if no solution goes below it. Checked
against every whole-number point of small systems, enumerated here."""

from __future__ import annotations

import itertools

import numpy as np
from scipy.sparse import csr_array

from indicators.disclosure.audit_bounds import PlainBounds


def _least_by_enumeration(matrix, lower, upper, low, high, target) -> float:
    dense = matrix.toarray()
    best = np.inf
    ranges = [range(int(a), int(b) + 1) for a, b in zip(low, high, strict=True)]
    for point in itertools.product(*ranges):
        x = np.array(point, dtype=float)
        product = dense @ x
        if np.all(product >= lower) and np.all(product <= upper):
            best = min(best, float(target @ x))
    return best


def test_plain_bound_never_passes_a_solution():
    random = np.random.default_rng(7)
    checked = tight = 0
    for _ in range(300):
        size = int(random.integers(2, 4))
        rows = int(random.integers(1, 4))
        dense = np.zeros((rows, size))
        for row in range(rows):  # one or two unknowns a relation, as counts have
            columns = random.choice(size, size=int(random.integers(1, 3)), replace=False)
            dense[row, columns] = random.choice([-2.0, -1.0, 1.0, 2.0], size=len(columns))
        lower = random.choice([-np.inf, -3.0, 0.0, 1.0], size=rows)
        upper = np.maximum(lower, random.choice([0.0, 2.0, 5.0, np.inf], size=rows))
        low, high = np.zeros(size), np.full(size, 5.0)
        matrix = csr_array(dense)
        plain = PlainBounds(matrix, lower, upper, low, high)
        for _ in range(3):
            columns = np.sort(random.choice(size, size=int(random.integers(1, 3)), replace=False))
            coefficients = random.choice([-1.0, 1.0], size=len(columns))
            target = np.zeros(size)
            target[columns] = coefficients
            truth = _least_by_enumeration(matrix, lower, upper, low, high, target)
            if not np.isfinite(truth):
                continue  # no solution at all: nothing to pass
            least = plain.least(columns, coefficients)
            assert least <= truth, (dense, lower, upper, columns, coefficients)
            checked += 1
            tight += least == truth
    assert checked > 300
    assert tight > checked // 4  # it proves something, not only -inf


def test_a_numerator_at_most_its_published_denominator():
    # n - d <= 0 with d published as 7 leaves n <= 7: the least of -n is -7, from the
    # relation alone; and the complement d - n of two hidden counts is at least 0
    one = PlainBounds(csr_array(np.array([[1.0]])), np.array([-np.inf]), np.array([7.0]),
                      np.zeros(1), np.full(1, 1000.0))  # fmt: skip
    assert one.least(np.array([0]), np.array([-1.0])) == -7
    assert one.least(np.array([0]), np.array([1.0])) == 0
    two = PlainBounds(csr_array(np.array([[1.0, -1.0]])), np.array([-np.inf]), np.array([0.0]),
                      np.zeros(2), np.full(2, 1000.0))  # fmt: skip
    assert two.least(np.array([1, 0]), np.array([1.0, -1.0])) == 0  # d - n, d listed first
    assert two.least(np.array([0, 1]), np.array([-1.0, 1.0])) == 0
    assert two.least(np.array([0, 1]), np.array([1.0, -1.0])) == -1000  # n - d: box only


def test_a_count_asked_for_alone_that_grows_without_bound_is_wide():
    """n1 = 1000 n0, both hidden: n0 can be any whole number (n1 follows), so no reader
    narrows it, though n1 meets any fixed ceiling long before n0 reaches 10."""
    from indicators.disclosure.audit import Auditor, Target
    from indicators.disclosure.linear_system import LinearSystem

    system = LinearSystem(cells=2)
    system.add({2: 1, 0: -1000}, 0, 0, ("x", 1, 0))
    auditor = Auditor(system, np.array([0.0, 5.0, 0.0, 5.0]), threshold=10)
    unknown = np.array([True, False, True, False])
    numerator = Target(0, "numerator", ((0, 1),))
    low, high = auditor.range_of(numerator, unknown)
    assert high - low + 1 >= 10
    assert auditor.narrow(unknown, [numerator]) == []
    # and one that cannot grow is narrow, with its exact range: n0 + n1 = 5, both hidden
    bounded = LinearSystem(cells=2)
    bounded.add({0: 1, 2: 1}, 5, 5, ("x", 1, 0))
    auditor = Auditor(bounded, np.array([2.0, 5.0, 3.0, 5.0]), threshold=10)
    assert auditor.range_of(numerator, unknown) == (0, 5)
