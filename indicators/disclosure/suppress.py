"""Which counts may be published: primary suppression (indicators/disclosure/primary.py),
then secondary over every declared relation at once, audited by integer programming until no
suppressed count can be narrowed to fewer than `threshold` possible values.

Secondary suppression works per authority and year (nothing published relates two of
them; with regions, per region and year). It reads every relation the indicators declare
(indicators/disclosure/relations.py), checks first that the true counts satisfy them (a
false declaration stops publication), then:
1. suppresses together whatever the declarations make equal (a shared denominator, the EAL
   cohort count and GLD's "Other than English" group), and a cell's numerator with its
   denominator;
2. gives every relation that would otherwise reveal a single suppressed count the cheapest
   published partner in it (smallest count first, numerators before denominators);
3. attacks the result: the smallest and largest value of every suppressed count, and of a
   proportion's complement when both counts are hidden, subject to every relation with the
   published counts fixed (integer programmes, indicators/disclosure/audit.py). A count with
   fewer than t possible values gets the cheapest partner among the published counts it
   shares a relation with, and the attack runs again, until none is narrow.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from itertools import chain
from pathlib import Path

import numpy as np
import pandas as pd

from indicators.disclosure.audit import Auditor, Target, partner_candidates, targets_for
from indicators.disclosure.control import DisclosureConfig, IndicatorShape
from indicators.disclosure.kept import NOT_DECIDING, Job, KeptTables, solve_tables
from indicators.disclosure.linear_system import LinearSystem, expand, violations
from indicators.disclosure.part_periods import table_periods, whole_periods
from indicators.disclosure.primary import (
    KNOWN_DENOMINATOR,
    KNOWN_NUMERATOR,
    complete,
    known_counts,
    known_zeros,
    primary,
    root_area,
    structural_zeros,
)
from indicators.disclosure.questions import ItemBank
from indicators.disclosure.relations import Relations, RelationsError
from indicators.disclosure.walked_rows import WalkedRows

SECONDARY = "secondary: protects another cell"
TRIALS = 4
"""How many of the cheapest candidate partners are tried for a narrow count, from those
sharing a relation with it and from those linked to it through other hidden counts."""


class _System:
    """One authority-year: its relations and what is hidden so far."""

    def __init__(
        self,
        frame: pd.DataFrame,
        shapes: Mapping[str, IndicatorShape],
        parents: Mapping[str, str],
        items: ItemBank,
        threshold: int,
    ) -> None:
        self.frame = frame.reset_index(drop=True)
        relations: dict[str, Relations] = {
            i: s.relations for i, s in shapes.items() if s.relations is not None
        }
        value_types = {i: s.value_type for i, s in shapes.items()}
        self.relations = relations
        self.system: LinearSystem = expand(self.frame, relations, value_types, parents, items)
        self.n = self.frame["numerator"].to_numpy(dtype=float)
        self.d = self.frame["denominator"].to_numpy(dtype=float)
        broken = violations(self.system, self.n, self.d)
        if broken:
            raise RelationsError(self._describe(broken))
        self.truth = np.empty(2 * len(self.frame))
        self.truth[0::2], self.truth[1::2] = self.n, self.d
        self.proportion = (
            self.frame["indicator_id"]
            .map(lambda i: shapes[i].value_type == "proportion")
            .to_numpy(dtype=bool)
        )
        self.threshold = threshold
        # A headline (an area's total, "All") costs readers most: the authority's first, then
        # a neighbourhood's. Partners come from breakdowns before headlines.
        top = ~self.frame["area_code"].isin(set(parents))
        total = (self.frame["breakdown"] == "All").to_numpy(dtype=bool)
        self.headline = np.where(total & top.to_numpy(dtype=bool), 2, np.where(total, 1, 0))
        # an area with no units in the period (a team before it existed) is published as 0
        # and never a partner; so every area-period hidden has a unit, which the audit knows
        self.structural = np.repeat(structural_zeros(self.frame), 2)
        self.empty = (self.truth[0::2] == 0) & (self.truth[1::2] == 0)
        self._not_empty(total)
        self.known = known_counts(self.frame)  # public zeros: known, never partners
        for variable in np.flatnonzero(self.known):
            cell = int(variable) // 2
            self.system.add(
                {int(variable): 1}, 0, 0, (str(self.frame["indicator_id"].iat[cell]), 0, cell)
            )
        self.never_partner = self.structural | self.known
        self._equal_pairs()
        self.slacks = self._small_slacks()
        self.walked = WalkedRows(self.system, len(self.truth))

    def _not_empty(self, total: np.ndarray) -> None:
        """Since a structural zero is never hidden as a partner, a reader who knows that
        knows every hidden area-period has at least one unit: its total's denominator >= 1
        (added as a relation for the audit, which then attacks as that reader would)."""
        indicators = self.frame["indicator_id"].to_numpy(dtype=object)
        for cell in np.flatnonzero(total & ~self.structural[0::2] & (self.d >= 1)):
            self.system.add({2 * cell + 1: 1}, 1, np.inf, (indicators[cell], 0, int(cell)))

    def _protected_difference(self, row: int) -> bool:
        """Whether the slack of this `at_most` row is a count to protect: its rule says
        `difference: protected`, or it is areas adding up to at most their parent (the
        parent's units in no published child: a district-less team's referrals)."""
        indicator, number, _ = self.system.origin[row]
        if number == 0:
            return True
        relations = self.relations.get(indicator)
        if relations is None or not 0 < number <= len(relations.rules):
            return False
        return relations.rules[number - 1].difference == "protected"

    def _small_slacks(self) -> list[int]:
        """The `at_most` relations (left <= right) whose slack, right - left, is declared a
        count of its own (`_protected_difference`) and is small: fewer than `threshold`, and
        not an empty table (every count in it 0). Such a slack counts real units (referrals
        with a family Voice Note not heard before the hub: those with a note less those heard
        before), so it is protected as a count is: never published exactly, never narrowed
        below `threshold` values."""
        system, size = self.system, len(self.truth)
        found = []
        for row, terms in enumerate(system.terms):
            at_most = system.upper[row] == 0 and not np.isfinite(system.lower[row])
            if not at_most or not self._protected_difference(row) or not terms:
                continue
            if any(v >= size for v in terms) or not any(self.truth[v] for v in terms):
                continue
            if self.system.origin[row][1] == 0 and self._empty_areas(terms):
                continue
            slack = -sum(c * self.truth[v] for v, c in terms.items())
            if slack < self.threshold:
                found.append(row)
        return found

    def _empty_areas(self, terms: dict[int, int]) -> bool:
        """Whether the units of a parent in none of its published children (areas adding up
        to at most their parent: a district-less team's referrals in a month whose teams
        are not published) are none at all: the denominators' difference is 0. That
        difference is then a cell with no one in it, published as 0 as `primary` publishes
        an empty cell; it is often also known to be 0 (the team's structural zeros in the
        quarter the month adds up to), so could never be widened."""
        denominators = {v - v % 2 + 1: c for v, c in terms.items()}
        return sum(c * self.truth[v] for v, c in denominators.items()) == 0

    def slack_targets(self, unknown: np.ndarray) -> list[Target]:
        """Each small slack with a hidden count in it, as the hidden part of its expression
        (the published part only shifts it, never widens it)."""
        found = []
        for row in self.slacks:
            terms = self.system.terms[row]
            hidden = tuple((v, -c) for v, c in sorted(terms.items()) if unknown[v])
            if hidden:
                found.append(Target(hidden[0][0] // 2, "slack", hidden))
        return found

    def published_slacks(self, unknown: np.ndarray) -> np.ndarray:
        """Hide a partner in each small slack whose every count is published."""
        unknown = unknown.copy()
        for row in self.slacks:
            terms = self.system.terms[row]
            if not any(unknown[v] for v in terms):
                partner = self.partner_in(terms, list(terms))
                if partner is not None:
                    unknown[partner] = True
        return self.close(unknown)

    def _describe(self, rows: list[int]) -> str:
        lines = []
        for row in rows:
            indicator, rule, anchor = self.system.origin[row]
            cell = self.frame.iloc[anchor]
            what = f"rule {rule}" if rule else "its areas or breakdowns adding up"
            lines.append(
                f"{indicator}: {what} does not hold in {cell['time_period']} "
                f"{cell['area_code']} {cell['breakdown']} / {cell['group']}"
            )
        return (
            "declared relations are not true of the data, so disclosure control cannot "
            "rely on them (fix meta.indicator.relations in the indicator's YAML): "
            + "; ".join(lines)
        )

    def _equal_pairs(self) -> None:
        """Counts the declarations make equal (x - y = 0), grouped."""
        size = len(self.truth)
        label = np.arange(size)

        def find(x: int) -> int:
            while label[x] != x:
                label[x] = label[label[x]]
                x = label[x]
            return x

        for row, terms in enumerate(self.system.terms):
            if (
                len(terms) == 2
                and self.system.lower[row] == self.system.upper[row] == 0
                and sorted(terms.values()) == [-1, 1]
                and all(v < size for v in terms)
            ):
                a, b = terms
                label[find(a)] = find(b)
        self.equal_group = np.array([find(x) for x in range(size)])

    def cost(self, variable: int) -> tuple:
        """Cheapest partner first: breakdowns before headlines (`headline`), numerators
        before denominators, then small cells."""
        return (self.headline[variable // 2], variable % 2, self.d[variable // 2], variable)

    def partner_in(self, terms: dict[int, int], shown: list[int]) -> int | None:
        """The partner to hide in a relation that would otherwise give a count away.

        In a sum of numerators (groups or areas adding up to a total), the largest group or
        area that is not the total: hidden beside a small one, its value stays known to
        within the small one's few units, so readers lose least. GLD for children whose
        first language is English is then known within a point, where hiding it for those
        whose first language is not would cost that group's figure (and trend) every year.
        Elsewhere (denominators, other equalities) the cheapest count (`cost`). Never a
        structural zero (None when there is no other)."""
        shown = [v for v in shown if not self.never_partner[v]]
        if not shown:
            return None
        totals = [v for v, c in terms.items() if c == -1]
        if (
            len(totals) == 1
            and all(c == 1 for v, c in terms.items() if v != totals[0])
            and all(v % 2 == 0 for v in terms)
        ):
            members = [v for v in shown if v != totals[0]]
            if members:
                return max(members, key=lambda v: (self.d[v // 2], -v))
        return min(shown, key=self.cost)

    def close(self, unknown: np.ndarray) -> np.ndarray:
        """Hide a numerator with its denominator, and equal counts together."""
        unknown = unknown.copy()
        while True:
            before = unknown.sum()
            hidden_groups = np.zeros(len(unknown), dtype=bool)
            hidden_groups[self.equal_group[unknown]] = True
            unknown |= hidden_groups[self.equal_group]
            unknown[0::2] |= unknown[1::2]
            if unknown.sum() == before:
                return unknown

    def singletons(self, unknown: np.ndarray) -> np.ndarray:
        """No equality may leave exactly one hidden count (it would be its difference).
        Equalities are taken in the system's order, each as it stands when its turn comes
        (a partner hidden for one changes those after it)."""
        walked = self.walked
        while True:
            added = False
            # a hidden count known to be 0 hides nothing: the rest of the equality
            ones, at = walked.single_hidden(unknown & ~self.known), 0
            while at < len(ones):
                terms = walked.equal[ones[at]]
                partner = self.partner_in(terms, [v for v in terms if not unknown[v]])
                if partner is not None:
                    unknown[partner] = True
                    added = True
                    later = walked.single_hidden(unknown & ~self.known)
                    ones, at = later, int(np.searchsorted(later, ones[at], side="right"))
                else:
                    at += 1
            unknown = self.close(unknown)
            if not added:
                return unknown

    def secondary(self, unknown: np.ndarray) -> np.ndarray:
        """Add partners until no suppressed count is narrow.

        Hiding one more count only ever widens the others' ranges (a constant becomes an
        unknown), so a count once shown to be safe stays safe and is not attacked again, and
        the values a narrow count was seen to take stay possible (`seen`: where the search
        for its range starts next time, and for every partner tried)."""
        unknown = self.sums(self.singletons(self.published_slacks(self.close(unknown))))
        auditor = Auditor(self.system, self.truth, self.threshold)
        safe: set[Target] = set()
        seen: dict[Target, tuple[float, float]] = {}
        while True:
            hidden_cells = np.flatnonzero(unknown[0::2] | unknown[1::2])
            # a cell with no one in it (0 of 0) is published as 0 by `primary`: hidden as a
            # partner, its own range protects no one (a count equal to it in a cell with
            # units is a target there), and nothing could widen it
            targets = targets_for(hidden_cells[~self.empty[hidden_cells]], unknown, self.proportion)
            # a count anyone can work out from public inputs is not a count to protect
            targets = [t for t in targets if not all(self.known[v] for v, _ in t.terms)]
            open_targets = [t for t in targets + self.slack_targets(unknown) if t not in safe]
            narrow = auditor.narrow(unknown, open_targets, seen)
            safe |= set(open_targets) - {found.target for found in narrow}
            if not narrow:
                return unknown
            seen.update({found.target: (found.low, found.high) for found in narrow})
            for found in sorted(narrow, key=lambda f: (f.high - f.low, f.target.cell)):
                low, high = auditor.range_of(found.target, unknown, seen[found.target])
                if high - low + 1 < self.threshold:  # not yet widened by an earlier partner
                    seen[found.target] = (low, high)
                    unknown[self.partner(auditor, found.target, unknown, (low, high))] = True
                    unknown = self.sums(self.singletons(self.close(unknown)))

    def sums(self, unknown: np.ndarray) -> np.ndarray:
        """In every sum of counts (groups or areas adding up to a total), the hidden members
        together hold at least `threshold`, and so do their complements where their
        denominators are published: else each is within fewer values than that. Cheapest
        published members join first. (The audit checks every relation after this; this only
        saves it work.)"""
        walked, t = self.walked, self.threshold
        due, at = walked.open_sums(unknown), 0
        while at < len(due):  # in the system's order, each sum as it stands at its turn
            position = due[at]
            members, terms = walked.sum_members[position], walked.sum_terms[position]
            changed = False
            while True:
                hidden = members[unknown[members]]
                if not len(hidden):
                    break
                held = self.truth[hidden].sum()
                numerators = bool(np.all((hidden % 2 == 0) & self.proportion[hidden // 2]))
                spare = (
                    self.truth[hidden + 1].sum() - held
                    if numerators and not unknown[hidden + 1].any()
                    else t
                )
                if held >= t and spare >= t:
                    break
                partner = self.partner_in(terms, members[~unknown[members]].tolist())
                if partner is None:
                    break
                unknown[partner] = True
                unknown = self.close(unknown)
                changed = True
            if changed:
                later = walked.open_sums(unknown)
                due, at = later, int(np.searchsorted(later, position, side="right"))
            else:
                at += 1
        return unknown

    def partner(
        self, auditor: Auditor, target: Target, unknown: np.ndarray, now: tuple[float, float]
    ) -> list[int]:
        """The cheapest published count whose suppression makes the target safe, trying the
        cheapest few; failing that, the cheapest that widens it at all (the loop goes on: a
        count that widens it most is often a headline, and hiding it cascades through every
        breakdown that adds up to it). Every value the target can take now stays possible
        with a partner hidden, so each trial starts from `now`."""
        direct, linked = partner_candidates(auditor, target, unknown)
        direct = [v for v in direct if not self.never_partner[v]]
        linked = [v for v in linked if not self.never_partner[v]]
        candidates = sorted(direct, key=self.cost)[:TRIALS] + sorted(linked, key=self.cost)[:TRIALS]
        if not candidates:
            what = f"cell {self.frame.iloc[target.cell].to_dict()}"
            if target.count == "slack":  # the cell is only the first hidden count in it
                what = f"a protected difference (an at_most relation's right less left) with {what}"
            raise RelationsError(f"{what} stays narrow with everything around it suppressed")
        now_low, now_high = now  # the target's range now, every value of it possible
        candidates, variables = sorted(candidates, key=self.cost), np.arange(len(unknown))

        def hide(candidate: int) -> np.ndarray:  # and what hiding it brings
            return self.sums(self.singletons(self.close(unknown | (variables == candidate))))

        trials = [hide(candidates[0])]  # alone first: it often succeeds
        ranges = [auditor.range_of(target, trials[0], now)]
        if ranges[0][1] - ranges[0][0] + 1 < self.threshold and len(candidates) > 1:
            trials += [hide(candidate) for candidate in candidates[1:]]
            ranges = chain(ranges, auditor.trial_ranges(target, trials[1:], now))
        best = None
        for i, (low, high) in enumerate(ranges):
            if high - low + 1 >= self.threshold:
                return np.flatnonzero(trials[i] & ~unknown).tolist()
            if best is None and high - low > now_high - now_low:
                best = i
        return np.flatnonzero(trials[best or 0] & ~unknown).tolist()


CELL_ORDER = (
    "indicator_id",
    "time_period",
    "time_identifier",  # a month's or quarter's time_period is its year's
    "geographic_level",
    "area_code",
    "breakdown",
    "group",
)


def protect(
    values: pd.DataFrame,
    parents: Mapping[str, str],
    shapes: Mapping[str, IndicatorShape],
    config: DisclosureConfig | None = None,
    items: pd.DataFrame | ItemBank | None = None,
    known: pd.DataFrame | None = None,
    kept: Path | None = None,
) -> pd.DataFrame:
    """Decide which numerators and denominators may be published.

    `values` has the standard indicator columns; `parents` maps each neighbourhood's
    area_code to its authority's (and an authority's to its region's, when regions are
    published); `shapes` carries each indicator's value type and declared relations;
    `items` is the voice item bank (seeds/voice_items.csv); `known` the counts public inputs
    fix at 0 (the warehouse's fct_known_zeros; `primary.known_zeros`). Returns `values`,
    completed with a zero row for every cell an indicator can have but has no units in
    (`complete`), with boolean columns `numerator_suppressed` and `denominator_suppressed`
    and a `suppression` reason (primary or secondary). `kept`: a folder where each table's
    decision is kept for the next run, which solves only the tables that changed (kept.py);
    `attrs["tables"]` counts the tables solved and kept.
    """
    config = config or DisclosureConfig()
    bank = items if isinstance(items, ItemBank) else ItemBank.from_frame(items)
    missing = sorted(set(values["indicator_id"]) - set(shapes))
    if missing:
        raise RelationsError(f"indicators without a register entry: {', '.join(missing)}")
    # in the cells' own order: a tie between equally cheap partners is then broken the same
    # way whatever order the warehouse returned the rows in (tests/test_disclosure_row_order)
    key = [c for c in CELL_ORDER if c in values.columns]
    values = values.sort_values(key, kind="stable", key=lambda c: c.astype(str))
    values = values.reset_index(drop=True)
    median = values["indicator_id"].map(lambda i: shapes[i].value_type == "median")
    if median.any():  # no count: 0 to the relations, which never add it up (counts_of)
        values = values.assign(numerator=values["numerator"].where(~median, 0))
    frame = complete(values, shapes, parents, bank)
    # the values are in the frame now: let them go (the caller's too, when it handed over
    # its only reference, as write_indicator_tables does), as the tables are solved
    del values, median
    # the zero rows complete() adds come in the hash order of sets: in the cells' order too,
    # so that a re-run decides the same cells (PYTHONHASHSEED varies between processes)
    frame = frame.sort_values(key, kind="stable", key=lambda c: c.astype(str))
    frame = frame.reset_index(drop=True)
    within = whole_periods(frame, shapes)  # a month's quarter, by date (linear_system)
    if within.notna().any():
        frame["_within"] = within
    frame[KNOWN_NUMERATOR], frame[KNOWN_DENOMINATOR] = known_zeros(frame, known, shapes, parents)
    n_supp, d_supp, reason = primary(frame, shapes, config, bank)
    roots = frame["area_code"].map(lambda a: root_area(a, parents))
    by_period = table_periods(frame, shapes)  # a month is its own table
    tables = [
        frame.index.get_indexer(rows)
        for rows in frame.groupby([*by_period, roots], sort=False).groups.values()
    ]
    del roots, by_period
    deciding = [i for i, column in enumerate(frame.columns) if column not in NOT_DECIDING]

    def cut(index: int) -> Job:  # one table at a time, in this process or a worker
        at = tables[index]
        return frame.iloc[at, deciding], n_supp[at], d_supp[at]

    solve = partial(_protect_table, shapes=shapes, parents=parents, bank=bank, config=config)
    kept_tables = KeptTables(kept, shapes, parents, bank, config)
    solved = solve_tables(len(tables), cut, solve, kept_tables)  # the tables share no relation
    for positions, unknown in zip(tables, solved, strict=True):
        n_supp[positions] = unknown[0::2]
        d_supp[positions] = unknown[1::2]
    reason[(n_supp | d_supp) & (reason == "")] = SECONDARY
    frame = frame.drop(columns=["_within", KNOWN_NUMERATOR, KNOWN_DENOMINATOR], errors="ignore")
    frame["numerator_suppressed"] = n_supp
    frame["denominator_suppressed"] = d_supp
    frame["suppression"] = reason
    frame.attrs["tables"] = {"solved": len(tables) - kept_tables.reused, "kept": kept_tables.reused}
    return frame


def _protect_table(
    job: Job,
    shapes: Mapping[str, IndicatorShape],
    parents: Mapping[str, str],
    bank: ItemBank,
    config: DisclosureConfig,
) -> np.ndarray:
    """One table's secondary suppression (a period of one authority): its unknowns after."""
    table, numerators, denominators = job
    system = _System(table, shapes, parents, bank, config.threshold)
    unknown = np.zeros(2 * len(table), dtype=bool)
    unknown[0::2], unknown[1::2] = numerators, denominators
    return system.secondary(unknown)
