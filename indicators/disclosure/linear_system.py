"""From declarations to linear relations over one table's counts: `expand` turns every
indicator's declared relations (indicators/disclosure/relations.py) into a `LinearSystem`
over the numerators and denominators of a table's cells (a year of one authority, or any
set of whole authority-years), which suppression and its audit use (suppress.py, audit.py);
`violations` names the declarations the true counts break."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from indicators.declarations import row_periods
from indicators.disclosure.area_levels import AreaLevels
from indicators.disclosure.cell_index import CellIndex
from indicators.disclosure.questions import ItemBank
from indicators.disclosure.relations import (
    PLACEHOLDER,
    SCORE_RANGE,
    TOTAL_BREAKDOWN,
    WHAT_TO_DECLARE,
    Relations,
    RelationsError,
    Rule,
    Term,
    counts_of,
    name_pattern,
)

EQUAL, AT_MOST = "=", "<="


@dataclass
class LinearSystem:
    """Linear relations over the counts of a table's cells.

    Variable 2*i is cell i's numerator, 2*i+1 its denominator; variables from 2*len(cells)
    on are auxiliary (e.g. answers given by respondents counted as positive). Each relation
    is sum(coefficient * variable) between lower and upper, with integer coefficients.
    """

    cells: int
    terms: list[dict[int, int]] = field(default_factory=list)
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    origin: list[tuple[str, int, int]] = field(default_factory=list)
    """(indicator, rule number or 0 for structure, anchor cell) for messages."""
    auxiliary: int = 0
    signed: set[int] = field(default_factory=set)
    """Numerators that may be negative (a mean's whose score_bounds allow it); others >= 0."""

    @property
    def variables(self) -> int:
        return 2 * self.cells + self.auxiliary

    def new_auxiliary(self) -> int:
        self.auxiliary += 1
        return 2 * self.cells + self.auxiliary - 1

    def add(
        self, terms: Mapping[int, int], lower: float, upper: float, origin: tuple[str, int, int]
    ) -> None:
        clean = {v: c for v, c in terms.items() if c}
        if clean:
            self.terms.append(clean), self.lower.append(lower), self.upper.append(upper)
            self.origin.append(origin)


def _combine(
    *parts: Mapping[int, int] | None, signs: Sequence[int] | None = None
) -> dict[int, int] | None:
    result: dict[int, int] = defaultdict(int)
    for position, part in enumerate(parts):
        if part is None:
            return None
        sign = signs[position] if signs else 1
        for variable, coefficient in part.items():
            result[variable] += sign * coefficient
    return dict(result)


def _count_terms(position: int, count: str, coefficient: int) -> dict[int, int]:
    if count == "numerator":
        return {2 * position: coefficient}
    if count == "denominator":
        return {2 * position + 1: coefficient}
    return {2 * position + 1: coefficient, 2 * position: -coefficient}


class Expander:
    """Turns declarations into a LinearSystem for one table (a year of one authority, or
    any set of whole authority-years)."""

    def __init__(
        self,
        frame: pd.DataFrame,
        relations: Mapping[str, Relations],
        value_types: Mapping[str, str],
        parents: Mapping[str, str],
        items: ItemBank,
    ) -> None:
        self.cells = CellIndex(frame.reset_index(drop=True))
        self._levels: AreaLevels | None = None
        self.relations = relations
        self.value_types = value_types
        self.parents = parents
        self.items = items
        self.system = LinearSystem(len(self.cells.at))

    # -- terms ---------------------------------------------------------------------------
    def publishes(self, indicator: str, level: str, breakdown: str) -> bool:
        """Whether the indicator has cells of this breakdown at this geographic level (only
        then does a missing cell mean zero)."""
        return (indicator, level, breakdown) in self._published

    def _absent_is_zero(self, indicator: str) -> bool:
        relations = self.relations.get(indicator)
        return relations is not None and relations.absent_cells == "zero"

    def _fill(self, text: str, context: Mapping[str, str]) -> str:
        return PLACEHOLDER.sub(lambda m: context.get(m[1], m[0]), text)

    def term(
        self, term: Term, anchor: int, indicator: str, context: Mapping[str, str]
    ) -> dict[int, int] | None:
        """The term's variables at the anchor's year and area (None: unknown, skip)."""
        cells = self.cells
        name = term.indicator or indicator
        breakdown = (
            self._fill(term.breakdown, context) if term.breakdown else cells.breakdown[anchor]
        )
        group = self._fill(term.group, context) if term.group else cells.group[anchor]
        base = (name, cells.year[anchor], cells.area[anchor], breakdown)
        zero = self._absent_is_zero(name) and self.publishes(name, cells.level[anchor], breakdown)
        if group == "*":
            members = cells.groups.get(base, [])
            if not zero:
                return None
            result: dict[int, int] = defaultdict(int)
            for member in members:
                for v, c in _count_terms(member, term.count, term.coefficient).items():
                    result[v] += c
            return dict(result)
        position = cells.at.get((*base, group))
        if position is None:
            return {} if zero else None
        return _count_terms(position, term.count, term.coefficient)

    def expression(
        self, terms: Iterable[Term], anchor: int, indicator: str, context: Mapping[str, str]
    ) -> dict[int, int] | None:
        return _combine(*(self.term(t, anchor, indicator, context) for t in terms))

    # -- anchors -------------------------------------------------------------------------
    def anchors(self, indicator: str, rule: Rule) -> Iterable[tuple[int, dict[str, str]]]:
        cells = self.cells
        patterns = [(name, name_pattern(text)) for name, text in rule.cells]
        seen: set[tuple] = set()
        for position in self._positions.get(indicator, []):
            context = {"breakdown": cells.breakdown[position], "group": cells.group[position]}
            matched = True
            for name, pattern in patterns:
                value = {"level": cells.level, "breakdown": cells.breakdown, "group": cells.group}[
                    name
                ][position]
                found = pattern.fullmatch(str(value))
                if not found:
                    matched = False
                    break
                context.update(found.groupdict())
            if not matched:
                continue
            if rule.for_each == "breakdown":
                key = (cells.year[position], cells.area[position], cells.breakdown[position])
                if key in seen:
                    continue
                seen.add(key)
            yield position, context

    # -- building ------------------------------------------------------------------------
    def build(self) -> LinearSystem:
        cells = self.cells
        self._positions: dict[str, list[int]] = defaultdict(list)
        for position, indicator in enumerate(cells.indicator):
            self._positions[indicator].append(position)
        self._published = set(zip(cells.indicator, cells.level, cells.breakdown, strict=True))
        for indicator in self._positions:
            relations = self.relations.get(indicator)
            if relations is None:
                raise RelationsError(
                    f"indicator '{indicator}' has no declared relations: {WHAT_TO_DECLARE}"
                )
            self._structure(indicator, relations)
            for number, rule in enumerate(relations.rules, start=1):
                self._rule(indicator, number, rule)
        return self.system

    def _structure(self, indicator: str, relations: Relations) -> None:
        """Undeclared breakdowns refused; partitions of groups and of areas."""
        cells, system = self.cells, self.system
        positions = self._positions[indicator]
        undeclared = sorted(
            {
                cells.breakdown[p]
                for p in positions
                if relations.breakdown_kind(cells.breakdown[p]) is None
            }
        )
        if undeclared:
            raise RelationsError(
                f"indicator '{indicator}' publishes breakdown(s) {', '.join(undeclared)} that "
                "meta.indicator.relations.breakdowns does not declare: say whether the groups "
                "add up to the area's total (partition), do not overlap but have no published "
                "total (disjoint), or overlap (overlapping)"
            )
        zero = relations.absent_cells == "zero"
        # Groups of a partition add up to the area's total row.
        totals = {}
        for p in positions:
            if cells.breakdown[p] == TOTAL_BREAKDOWN:
                totals[(cells.year[p], cells.area[p])] = p
        for key, members in cells.groups.items():
            if key[0] != indicator or relations.breakdown_kind(key[3]) != "partition":
                continue
            total = totals.get((key[1], key[2]))
            if total is None and not zero:
                continue
            for count in counts_of(self.value_types.get(indicator, "")):
                terms = {2 * m + count: 1 for m in members}
                if total is not None:
                    terms[2 * total + count] = -1
                system.add(terms, 0, 0, (indicator, 0, members[0]))
        # Areas add up to their parent area, group by group, where the indicator publishes
        # the breakdown at the children's level (absent child cells are then zero).
        if relations.areas != "add_up" or not zero:
            return
        children: dict[tuple, list[int]] = defaultdict(list)  # (year, parent, level, ...)
        if self._levels is None:
            self._levels = AreaLevels(
                self.cells.indicator, self.cells.level, self.cells.area, self.parents
            )
        partition, incomplete = self._levels.partitions(
            [self.cells.area[p] for p in positions], [self.cells.level[p] for p in positions]
        )
        for p in positions:
            parent = self.parents.get(cells.area[p])
            if parent is not None:
                level = partition.get((parent, cells.level[p]), cells.level[p])
                key = (cells.year[p], parent, level, cells.breakdown[p], cells.group[p])
                children[key].append(p)
        keys = set(children)
        # a parent's child levels among the indicator's own areas (an authority's
        # neighbourhoods, its districts; its teams when they are the indicator's): each adds up
        # to the parent on its own
        child_levels: dict[str, set[str]] = defaultdict(set)
        for (_, parent, level, _, _), _ in children.items():
            child_levels[parent].add(level)
        for p in positions:
            for level in child_levels.get(cells.area[p], ()):
                if self.publishes(indicator, level, cells.breakdown[p]):
                    keys.add(
                        (cells.year[p], cells.area[p], level, cells.breakdown[p], cells.group[p])
                    )
        for key in sorted(keys, key=lambda k: tuple(map(str, k))):  # never a set's hash order
            members = children.get(key, [])
            year, parent, level, breakdown, group = key
            total = cells.at.get((indicator, year, parent, breakdown, group))
            low = -np.inf if (parent, level) in incomplete else 0
            for count in counts_of(self.value_types.get(indicator, "")):
                terms = {2 * m + count: 1 for m in members}
                if total is not None:
                    terms[2 * total + count] = -1
                system.add(terms, low, 0, (indicator, 0, members[0] if members else total))

    def _rule(self, indicator: str, number: int, rule: Rule) -> None:
        system = self.system
        if rule.kind == "parts_of_year":
            self._parts_of_year(indicator, number, str(rule.whole))
            return
        for anchor, context in self.anchors(indicator, rule):
            origin = (indicator, number, anchor)
            if rule.kind in ("equal", "at_most"):
                left = self.expression(rule.left, anchor, indicator, context)
                right = self.expression(rule.right, anchor, indicator, context)
                terms = _combine(left, right, signs=(1, -1))
                if terms is None:
                    continue
                system.add(terms, 0 if rule.kind == "equal" else -np.inf, 0, origin)
            elif rule.kind == "score_bounds":
                self._score_bounds(rule, anchor, indicator, context, origin)
            else:
                self._majority(rule, anchor, indicator, context, origin)

    def _parts_of_year(self, indicator: str, number: int, whole: str) -> None:
        """The parts' cells (quarters, months) of a year add up to the whole's cell of that
        period (by date: column `_within`, part_periods.whole_periods), area, breakdown and
        group (a table holds both: part_periods.table_periods)."""
        cells, frame = self.cells, self.cells.frame
        years = frame["time_period"].to_numpy(dtype=object)  # a whole year: its time_period
        within = frame["_within"].to_numpy(dtype=object) if "_within" in frame else None
        own = row_periods(frame) if within is not None else None
        sides: dict[tuple, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
        for side, name in enumerate((indicator, whole)):
            for p in self._positions.get(name, []):
                period = years[p] if within is None else (within, own)[side][p]
                key = (period, cells.level[p], cells.area[p], cells.breakdown[p], cells.group[p])
                sides[key][side].append(p)
        for (_, level, _, breakdown, _), (parts, totals) in sides.items():
            if not parts and not (
                self._absent_is_zero(indicator) and self.publishes(indicator, level, breakdown)
            ):
                continue
            if not totals and not (
                self._absent_is_zero(whole) and self.publishes(whole, level, breakdown)
            ):
                continue
            for count in counts_of(self.value_types.get(indicator, "")):
                terms = {2 * m + count: 1 for m in parts}
                for total in totals:
                    terms[2 * total + count] = -1
                self.system.add(terms, 0, 0, (indicator, number, (parts or totals)[0]))

    def _score_range(self, scores: str, context: Mapping[str, str]) -> tuple[int, int] | None:
        match = SCORE_RANGE.match(scores)
        if match:
            return int(match[1]), int(match[2])
        item = context.get("item", context.get("group"))
        return self.items.scores.get(item, {}).get(scores)

    def _score_bounds(
        self,
        rule: Rule,
        anchor: int,
        indicator: str,
        context: Mapping[str, str],
        origin: tuple[str, int, int],
    ) -> None:
        total = self.expression(rule.total, anchor, indicator, context)
        lowest: list[dict[int, int]] = []
        highest: list[dict[int, int]] = []
        negative = False
        for score_class in rule.classes:
            count = self.expression(score_class.count, anchor, indicator, context)
            bounds = self._score_range(score_class.scores, context)
            if count is None or total is None:
                return
            if bounds is None:
                raise RelationsError(
                    f"indicator '{indicator}': no scores '{score_class.scores}' for "
                    f"'{context.get('group')}' in the item bank (seeds/voice_items.csv)"
                )
            negative = negative or bounds[0] < 0
            lowest.append({v: c * bounds[0] for v, c in count.items()})
            highest.append({v: c * bounds[1] for v, c in count.items()})
        if total and rule.total == (Term(1, None, "numerator"),) and negative:
            self.system.signed.update(total)  # a signed score: the sum may be negative
        low = _combine(total, *lowest, signs=(1, *[-1] * len(lowest)))
        high = _combine(total, *highest, signs=(1, *[-1] * len(highest)))
        self.system.add(low, 0, np.inf, origin)
        self.system.add(high, -np.inf, 0, origin)

    def _majority(
        self,
        rule: Rule,
        anchor: int,
        indicator: str,
        context: Mapping[str, str],
        origin: tuple[str, int, int],
    ) -> None:
        """A respondent counts when more than half of their answers to the domain's items
        are positive (respondent-level composite of item cells)."""
        cells, system = self.cells, self.system
        item_indicator, item_breakdown = rule.items
        domain = cells.group[anchor]
        present = []
        for item in self.items.domain_items.get(domain, ()):
            position = cells.at.get(
                (item_indicator, cells.year[anchor], cells.area[anchor], item_breakdown, item)
            )
            if position is not None:
                present.append(position)
        if not (
            self._absent_is_zero(item_indicator)
            and self.publishes(item_indicator, cells.level[anchor], item_breakdown)
        ):
            return
        n, d = 2 * anchor, 2 * anchor + 1
        m = len(present)
        positives = {2 * p: 1 for p in present}
        answers = {2 * p + 1: 1 for p in present}
        # Every respondent answered at least one and at most m of the domain's questions.
        system.add(_combine({d: 1}, answers, signs=(1, -1)), -np.inf, 0, origin)
        system.add(_combine(answers, {d: m}, signs=(1, -1)), -np.inf, 0, origin)
        for p in present:  # whoever answered a question is in the domain's denominator
            system.add({2 * p + 1: 1, d: -1}, -np.inf, 0, origin)
        # Per respondent: positive ones have more positive answers than not (at most m,
        # at most floor((m-1)/2) not positive); the others at most floor(m/2) positive.
        system.add(
            _combine(positives, {n: m, d: m // 2}, {n: -(m // 2)}, signs=(1, -1, -1)),
            -np.inf,
            0,
            origin,
        )
        others = _combine(answers, positives, signs=(1, -1))
        system.add(
            _combine(others, {n: (m - 1) // 2, d: m}, {n: -m}, signs=(1, -1, -1)),
            -np.inf,
            0,
            origin,
        )
        # Aggregates over respondents: A+ answers and P+ positive answers of the respondents
        # counted as positive. n <= A+ <= m n; d - n <= A - A+ <= m (d - n);
        # 2 P+ >= A+ + n; P+ <= A+; 2 (P - P+) <= A - A+; P+ <= P.
        a_plus, p_plus = system.new_auxiliary(), system.new_auxiliary()
        system.add({a_plus: 1, n: -1}, 0, np.inf, origin)
        system.add({a_plus: 1, n: -m}, -np.inf, 0, origin)
        rest = _combine(answers, {a_plus: 1}, signs=(1, -1))
        system.add(_combine(rest, {d: 1, n: -1}, signs=(1, -1)), 0, np.inf, origin)
        system.add(_combine(rest, {d: m, n: -m}, signs=(1, -1)), -np.inf, 0, origin)
        system.add({p_plus: 2, a_plus: -1, n: -1}, 0, np.inf, origin)
        system.add({p_plus: 1, a_plus: -1}, -np.inf, 0, origin)
        system.add(
            _combine(
                {v: 2 * c for v, c in positives.items()},
                {p_plus: -2},
                answers,
                {a_plus: -1},
                signs=(1, 1, -1, 1),
            ),
            -np.inf,
            0,
            origin,
        )
        system.add(_combine(positives, {p_plus: 1}, signs=(1, -1)), 0, np.inf, origin)


def implicit_relations(
    system: LinearSystem, frame: pd.DataFrame, value_types: Mapping[str, str]
) -> None:
    """Every cell: numerator >= 0 (unless signed), denominator >= 1; a proportion's numerator <= its
    denominator (kept as variable bounds and rows)."""
    kinds = frame["indicator_id"].map(value_types).to_numpy(dtype=object)
    for position, kind in enumerate(kinds):
        if kind == "proportion":
            system.add(
                {2 * position: 1, 2 * position + 1: -1},
                -np.inf,
                0,
                (str(frame["indicator_id"].iat[position]), 0, position),
            )


def expand(
    frame: pd.DataFrame,
    relations: Mapping[str, Relations],
    value_types: Mapping[str, str],
    parents: Mapping[str, str],
    items: ItemBank,
) -> LinearSystem:
    """All declared and implicit relations among the counts of `frame`'s cells."""
    frame = frame.reset_index(drop=True)
    system = Expander(frame, relations, value_types, parents, items).build()
    implicit_relations(system, frame, value_types)
    return system


def violations(
    system: LinearSystem, numerator: np.ndarray, denominator: np.ndarray, limit: int = 5
) -> list[int]:
    """Relations (without auxiliary variables) that the true counts break: a declaration
    that is not true of the data."""
    values = np.empty(2 * system.cells)
    values[0::2], values[1::2] = numerator, denominator
    broken = []
    for row, terms in enumerate(system.terms):
        if any(v >= 2 * system.cells for v in terms):
            continue
        total = sum(values[v] * c for v, c in terms.items())
        if total < system.lower[row] - 1e-9 or total > system.upper[row] + 1e-9:
            broken.append(row)
            if len(broken) >= limit:
                break
    return broken
