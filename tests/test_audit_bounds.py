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


def _range_by_enumeration(system, truth, unknown, terms, top):
    """The least and largest value of a count over every whole-number point: the unknowns
    from 0 to `top`, every published count at its value, every relation kept."""
    hidden = np.flatnonzero(unknown)
    dense = np.zeros((len(system.terms), len(truth)))
    for row, relation in enumerate(system.terms):
        for variable, coefficient in relation.items():
            dense[row, variable] = coefficient
    grid = np.array(list(itertools.product(range(top + 1), repeat=len(hidden))), dtype=float)
    points = np.tile(truth, (len(grid), 1))
    points[:, hidden] = grid
    products = points @ dense.T
    kept = np.all((products >= np.array(system.lower)) & (products <= np.array(system.upper)), 1)
    values = points[kept] @ np.array([dict(terms).get(v, 0) for v in range(len(truth))], float)
    return float(values.min()), float(values.max())


def test_each_trial_s_range_is_its_own_pattern_s():
    """A partner's trials are solved as views of one programme over all their groups
    (Auditor.trial_ranges): each trial's range must be what its own pattern allows, counted
    here over every whole-number point; a narrow one exactly, a wide one wide."""
    from indicators.disclosure.audit import Auditor, Target
    from indicators.disclosure.linear_system import LinearSystem

    random = np.random.default_rng(11)
    threshold, checked, narrow, differing = 4, 0, 0, 0
    for _ in range(120):
        cells = 3
        truth = random.integers(0, 4, size=2 * cells).astype(float)
        system = LinearSystem(cells=cells)
        top = int(truth.sum())
        system.add({v: 1 for v in range(2 * cells)}, top, top, ("total", 0, 0))  # bounds all
        for _ in range(int(random.integers(1, 4))):
            variables = random.choice(2 * cells, size=int(random.integers(2, 4)), replace=False)
            terms = {int(v): int(random.choice([-1, 1])) for v in variables}
            value = sum(c * truth[v] for v, c in terms.items())
            if random.random() < 0.5:
                system.add(terms, value, value, ("equal", 0, 0))
            else:
                system.add(terms, -np.inf, value + int(random.integers(0, 3)), ("at most", 0, 0))
        base = np.zeros(2 * cells, dtype=bool)
        base[random.choice(2 * cells, size=2, replace=False)] = True
        target = Target(0, "count", ((int(np.flatnonzero(base)[0]), 1),))
        trials = []
        for _ in range(3):
            trial = base.copy()
            trial[random.choice(2 * cells, size=int(random.integers(1, 3)), replace=False)] = True
            trials.append(trial)
        known = _range_by_enumeration(system, truth, base, target.terms, top)
        auditor = Auditor(system, truth, threshold)
        ranges = list(auditor.trial_ranges(target, trials, known))
        groups = {frozenset(auditor.component_of([target.terms[0][0]], t)[0]) for t in trials}
        differing += len(groups) > 1
        for trial, (low, high) in zip(trials, ranges, strict=True):
            least, most = _range_by_enumeration(system, truth, trial, target.terms, top)
            if most - least + 1 < threshold:
                assert (low, high) == (least, most), (system, truth, trial)
                narrow += 1
            else:
                assert high - low + 1 >= threshold, (system, truth, trial)
            checked += 1
    assert checked == 360 and narrow > 60 and differing > 30


def test_doubling_the_ceiling_tells_a_bounded_count_from_a_growing_one():
    """`rises`: a linear optimum with a count at the ceiling need not grow with it. x is at
    most 3 (x <= y, x <= 3, y up to the ceiling): its largest value stays 3 whatever the
    ceiling; with y = 1000 x, x's largest value is the ceiling's thousandth, and grows."""
    from indicators.disclosure.audit_bounds import at_ceiling, rises
    from indicators.disclosure.programme import Programme

    low, high = np.zeros(2), np.full(2, 5000.0)
    bounded = Programme(csr_array(np.array([[1.0, -1.0], [1.0, 0.0]])),
                        np.array([-np.inf, -np.inf]), np.array([0.0, 3.0]), low, high)  # fmt: skip
    objective = np.array([-1.0, 0.0])  # the largest x
    x = bounded.minimise(objective)
    assert x[0] == 3
    assert not rises(bounded, objective, x)
    assert bounded.minimise(np.array([0.0, -1.0]))[1] == 5000  # the ceiling is back
    growing = Programme(csr_array(np.array([[-1000.0, 1.0]])), np.zeros(1), np.zeros(1),
                        low, high)  # fmt: skip
    x = growing.minimise(objective)
    assert x[0] == 5 and at_ceiling(x, low, high)
    assert rises(growing, objective, x)


def test_a_count_that_grows_very_slowly_is_still_wide():
    """v0 = v2 + v4 with v2 <= 3, but 20000 v4 <= v6 and 20000 v6 <= v8: v0 has no upper
    bound (v8 can be any size), though doubling the ceiling raises its linear largest
    value by two millionths (helper-89's case: a tolerance of a millionth called it (0, 3))."""
    from indicators.disclosure.audit import Auditor, Target
    from indicators.disclosure.linear_system import LinearSystem

    system = LinearSystem(cells=5)
    system.add({0: 1, 2: -1, 4: -1}, 0, 0, ("sum", 0, 0))
    system.add({2: 1}, -np.inf, 3, ("at most", 0, 0))
    system.add({4: 20000, 6: -1}, -np.inf, 0, ("rate", 0, 0))
    system.add({6: 20000, 8: -1}, -np.inf, 0, ("rate", 0, 0))
    truth = np.array([3, 1, 3, 1, 0, 1, 0, 1, 3, 1], float)
    unknown = np.zeros(10, dtype=bool)
    unknown[[0, 2, 4, 6, 8]] = True
    low, high = Auditor(system, truth, threshold=5).range_of(
        Target(0, "numerator", ((0, 1),)), unknown
    )
    assert high - low + 1 >= 5
