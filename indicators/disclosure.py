"""Disclosure control: no published count may identify a child, even by differencing.

Applied to the indicator table before anything leaves the warehouse.

Primary suppression (threshold t, default 10, CHORUS_DISCLOSURE_THRESHOLD):
- a denominator (children in the cell) below t;
- a proportion's numerator below t, or its complement (e.g. children *not* at GLD) below t;
- a mean whose every child sits at the floor or ceiling (all 0 or all 17 ELGs);
- every cell of an authority and year whose total is itself suppressed.

Secondary suppression makes sure no suppressed count can be recovered by subtraction.
Published cells are related by sums: the groups of a breakdown add up to the authority
total, and the neighbourhoods of an authority add up to it too. In each such table the
suppressed cells must be at least two, and together they must be neither a small count
nor a small complement (otherwise the block as a whole gives them away, e.g. two
suppressed zeros). Cells are added smallest first until that holds. Indicators that share
a denominator (the same cell counted over the same children) share one suppression
pattern, so one indicator's published numbers cannot reveal another's suppressed ones.

Published symbols follow Explore Education Statistics: `c` for a suppressed value.
Optional rounding of published counts to the nearest `round_to` (e.g. 5) comes last.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

SUPPRESSED = "c"
CELL_KEY = ["time_period", "geographic_level", "area_code", "breakdown", "group"]
STANDARD_COLUMNS = ["indicator_id", "time_period", "geographic_level", "area_code",
                    "area_name", "breakdown", "group", "numerator", "denominator", "value"]


@dataclass(frozen=True)
class DisclosureConfig:
    threshold: int = 10
    round_to: int | None = None
    """Round published counts to the nearest multiple (ONS common rule: 5), or None."""


@dataclass(frozen=True)
class IndicatorShape:
    value_type: str
    """'proportion' (numerator counts children) or 'mean' (numerator sums a score)."""
    score_max: float = 1.0
    """For means: the highest score one child can have (17 ELGs)."""
    decimals: int = 1


@dataclass(frozen=True)
class _Table:
    """Cells related by a sum: the members add up to the total."""

    total: int | None
    members: list[int]


def _tables(frame: pd.DataFrame, parents: Mapping[str, str]) -> list[_Table]:
    """Per indicator and year: each breakdown of an authority, and its neighbourhoods."""
    totals: dict[tuple, int] = {}
    members: dict[tuple, list[int]] = defaultdict(list)
    for index, row in zip(frame.index, frame.itertuples(index=False), strict=True):
        base = (row.indicator_id, row.time_period)
        if row.geographic_level == "Neighbourhood":
            parent = parents.get(row.area_code)
            if parent is not None:
                members[(*base, parent, "Neighbourhood")].append(index)
        elif row.breakdown == "All":
            totals[(*base, row.area_code)] = index
        else:
            members[(*base, row.area_code, row.breakdown)].append(index)
    return [_Table(total=totals.get(key[:3]), members=cells) for key, cells in members.items()]


def _protect_block(members: list[int], counts: np.ndarray, caps: np.ndarray | None,
                   suppressed: np.ndarray, threshold: int) -> list[int]:
    """Cells to add so the suppressed members of one table cannot be recovered."""
    block = [m for m in members if suppressed[m]]
    if not block:
        return []
    added: list[int] = []
    candidates = sorted((m for m in members if not suppressed[m]), key=lambda m: (counts[m], m))
    while True:
        total = counts[block].sum()
        safe = len(block) >= 2 and total >= threshold
        if caps is not None:
            safe = safe and caps[block].sum() - total >= threshold
        if safe or not candidates:
            return added
        chosen = candidates.pop(0)
        block.append(chosen)
        added.append(chosen)


def protect(
    values: pd.DataFrame,
    parents: Mapping[str, str],
    shapes: Mapping[str, IndicatorShape],
    config: DisclosureConfig | None = None,
) -> pd.DataFrame:
    """Decide which numerators and denominators may be published.

    `values` has the standard indicator columns; `parents` maps each neighbourhood's
    area_code to its authority's. Returns `values` with boolean columns
    `numerator_suppressed` and `denominator_suppressed` and a `suppression` reason.
    """
    config = config or DisclosureConfig()
    t = config.threshold
    frame = values.reset_index(drop=True).copy()
    n = frame["numerator"].to_numpy(dtype=float)
    d = frame["denominator"].to_numpy(dtype=float)
    kinds = frame["indicator_id"].map(lambda i: shapes[i].value_type).to_numpy()
    score_max = frame["indicator_id"].map(lambda i: shapes[i].score_max).to_numpy(dtype=float)
    is_proportion = kinds == "proportion"
    caps = np.where(is_proportion, d, score_max * d)

    reason = np.full(len(frame), "", dtype=object)
    d_supp = d < t
    reason[d_supp] = "fewer than threshold in the group"
    small = np.where(is_proportion, (n < t) | (d - n < t), (n <= 0) | (n >= caps))
    n_supp = d_supp | small
    reason[small & ~d_supp] = np.where(is_proportion, "small count or complement",
                                       "every child at the floor or ceiling")[small & ~d_supp]

    tables = _tables(frame, parents)
    family = frame.groupby(CELL_KEY + ["denominator"], sort=False).ngroup().to_numpy()

    def share_across_family(mask: np.ndarray) -> np.ndarray:
        hit = np.zeros(family.max() + 1, dtype=bool)
        np.logical_or.at(hit, family, mask)
        return hit[family]

    changed = True
    while changed:
        before = (d_supp.copy(), n_supp.copy())
        for table in tables:
            total, members = table.total, table.members
            if total is not None and d_supp[total]:
                # A suppressed authority total: nothing in the authority-year is published.
                d_supp[members] = True
                continue
            added = _protect_block(members, d, None, d_supp, t)
            d_supp[added] = True
            reason[added] = np.where(reason[added] == "", "secondary: protects another cell",
                                     reason[added])
        d_supp = share_across_family(d_supp)
        n_supp |= d_supp
        for table in tables:
            total, members = table.total, table.members
            if total is not None and n_supp[total]:
                n_supp[members] = True
                continue
            added = _protect_block(members, n, caps, n_supp, t)
            n_supp[added] = True
            reason[added] = np.where(reason[added] == "", "secondary: protects another cell",
                                     reason[added])
        n_supp = share_across_family(n_supp)
        reason[(n_supp | d_supp) & (reason == "")] = "secondary: protects another cell"
        changed = not (np.array_equal(before[0], d_supp) and np.array_equal(before[1], n_supp))

    frame["numerator_suppressed"] = n_supp
    frame["denominator_suppressed"] = d_supp
    frame["suppression"] = reason
    return frame


def _round_count(value: float, round_to: int | None) -> str:
    if round_to:
        return str(int(round_to * np.floor(value / round_to + 0.5)))
    return str(int(value))


def publishable(protected: pd.DataFrame, shapes: Mapping[str, IndicatorShape],
                config: DisclosureConfig | None = None) -> pd.DataFrame:
    """The standard columns as published: counts and values as text, `c` where suppressed."""
    config = config or DisclosureConfig()
    out = protected.copy()
    numerators, denominators, shown = [], [], []
    for row in protected.itertuples(index=False):
        shape = shapes[row.indicator_id]
        numerators.append(SUPPRESSED if row.numerator_suppressed
                          else _round_count(row.numerator, config.round_to)
                          if shape.value_type == "proportion" else f"{row.numerator:.0f}")
        denominators.append(SUPPRESSED if row.denominator_suppressed
                            else _round_count(row.denominator, config.round_to))
        shown.append(SUPPRESSED if row.numerator_suppressed
                     else f"{row.value:.{shape.decimals}f}")
    out["numerator"] = numerators
    out["denominator"] = denominators
    out["value"] = shown
    return out[STANDARD_COLUMNS]
