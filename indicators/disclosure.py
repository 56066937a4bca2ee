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
from pathlib import Path

import numpy as np
import pandas as pd

SUPPRESSED = "c"
NOT_AVAILABLE = "x"
NOT_APPLICABLE = "z"
LOW = "low"
LOW_RELIABILITY = "u"
PUBLISHED_STATISTICS = ["lower_ci_95", "upper_ci_95", "lower_ci_998", "upper_ci_998",
                        "compared_with_la", "compared_with_england", "recent_trend"]
CELL_KEY = ["time_period", "geographic_level", "area_code", "breakdown", "group"]
STANDARD_COLUMNS = ["indicator_id", "time_period", "geographic_level", "area_code",
                    "area_name", "breakdown", "group", "numerator", "denominator", "value"]


@dataclass(frozen=True)
class DisclosureConfig:
    threshold: int = 10
    round_to: int | None = None
    """Round published counts to the nearest multiple (ONS common rule: 5), or None."""
    voice_min_respondents: int = 10

    @classmethod
    def from_seed(cls, path: Path) -> DisclosureConfig:
        """The one place disclosure control is configured: seeds/disclosure_control.csv."""
        settings = dict(pd.read_csv(path, dtype=str)[["setting", "value"]].itertuples(
            index=False, name=None))
        round_to = int(settings.get("round_counts_to", "0"))
        config = cls(threshold=int(settings.get("threshold", "10")),
                     round_to=round_to or None,
                     voice_min_respondents=int(settings.get("voice_min_respondents", "10")))
        if config.threshold < 1 or (config.round_to is not None and config.round_to < 1):
            raise ValueError(f"{path}: threshold must be at least 1 and rounding 0 or more")
        return config


@dataclass(frozen=True)
class IndicatorShape:
    value_type: str
    """'proportion' (numerator counts people), 'rate' (people per 100 of another count) or
    'mean' (numerator sums a score)."""
    score_max: float = 1.0
    """For means: the highest score one person can have (17 ELGs)."""
    decimals: int = 1
    min_denominator: int = 0
    """Results over fewer than this many (voice: respondents) are suppressed; under twice it
    they are published but marked low reliability."""


NON_PARTITION_BREAKDOWNS = ("Voice item", "Voice domain", "Seldom-heard group")
"""Breakdowns whose groups overlap (one respondent answers many items), so they do not add
up to a total. Every other breakdown partitions its area's total."""


@dataclass(frozen=True)
class _Table:
    """Cells related by a sum: the members add up to the total (when there is one)."""

    total: int | None
    members: list[int]


def _tables(frame: pd.DataFrame, parents: Mapping[str, str]) -> list[_Table]:
    """Per indicator and year: neighbourhoods add up to their authority (for each breakdown
    and group), and the groups of a partitioning breakdown add up to their area's total."""
    area_totals: dict[tuple, int] = {}
    authority_cells: dict[tuple, int] = {}
    neighbourhoods: dict[tuple, list[int]] = defaultdict(list)
    groups: dict[tuple, list[int]] = defaultdict(list)
    for index, row in zip(frame.index, frame.itertuples(index=False), strict=True):
        base = (row.indicator_id, row.time_period)
        if row.geographic_level == "Neighbourhood":
            parent = parents.get(row.area_code)
            if parent is not None:
                neighbourhoods[(*base, parent, row.breakdown, row.group)].append(index)
        else:
            authority_cells[(*base, row.area_code, row.breakdown, row.group)] = index
        if row.breakdown == "All":
            area_totals[(*base, row.area_code)] = index
        elif row.breakdown not in NON_PARTITION_BREAKDOWNS:
            groups[(*base, row.area_code, row.breakdown)].append(index)
    tables = [_Table(total=authority_cells.get(key), members=cells)
              for key, cells in neighbourhoods.items()]
    tables += [_Table(total=area_totals.get(key[:3]), members=cells)
               for key, cells in groups.items()]
    return tables


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


def _secondary(tables: list[_Table], counts: np.ndarray, caps: np.ndarray | None,
               suppressed: np.ndarray, threshold: int) -> np.ndarray:
    """One pass over every table: add cells until no suppressed count is recoverable.

    A suppressed total (e.g. a tiny authority) takes every member with it.
    """
    suppressed = suppressed.copy()
    for table in tables:
        if table.total is not None and suppressed[table.total]:
            suppressed[table.members] = True
            continue
        suppressed[_protect_block(table.members, counts, caps, suppressed, threshold)] = True
    return suppressed


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
    minimum = frame["indicator_id"].map(lambda i: shapes[i].min_denominator).to_numpy(float)
    is_proportion = kinds == "proportion"
    is_rate = kinds == "rate"
    caps = np.where(is_proportion, d, np.where(is_rate, np.inf, score_max * d))

    reason = np.full(len(frame), "", dtype=object)
    d_supp = d < t
    reason[d_supp] = "fewer than threshold in the group"
    small = np.where(is_proportion, (n < t) | (d - n < t),
                     np.where(is_rate, n < t, (n <= 0) | (n >= caps)))
    too_few = d < minimum
    n_supp = d_supp | small | too_few
    reason[small & ~d_supp] = np.where(
        is_proportion, "small count or complement",
        np.where(is_rate, "small count", "everyone at the floor or ceiling"))[small & ~d_supp]
    reason[too_few & (reason == "")] = "too few respondents"

    tables = _tables(frame, parents)
    family = frame.groupby(CELL_KEY + ["denominator"], sort=False).ngroup().to_numpy()

    def share_across_family(mask: np.ndarray) -> np.ndarray:
        hit = np.zeros(family.max() + 1, dtype=bool)
        np.logical_or.at(hit, family, mask)
        return hit[family]

    changed = True
    while changed:
        before = (d_supp.copy(), n_supp.copy())
        d_supp = share_across_family(_secondary(tables, d, None, d_supp, t))
        n_supp = share_across_family(_secondary(tables, n, caps, n_supp | d_supp, t))
        changed = not (np.array_equal(before[0], d_supp) and np.array_equal(before[1], n_supp))
    reason[(n_supp | d_supp) & (reason == "")] = "secondary: protects another cell"

    frame["numerator_suppressed"] = n_supp
    frame["denominator_suppressed"] = d_supp
    frame["suppression"] = reason
    return frame


def _round_count(value: float, round_to: int | None) -> str:
    if round_to:
        return str(int(round_to * np.floor(value / round_to + 0.5)))
    return str(int(value))


def _number(value: float, decimals: int) -> str:
    """A published number: `x` when not available, `low` when it rounds to zero but is not."""
    if value is None or pd.isna(value):
        return NOT_AVAILABLE
    text = f"{value:.{decimals}f}"
    if float(text) == 0 and value != 0:
        return LOW
    return text


def _suppressed_trend_windows(protected: pd.DataFrame) -> np.ndarray:
    """Rows whose recent trend used a suppressed count (in its last five years)."""
    from indicators.stats.trends import TREND_POINTS

    key = ["indicator_id", "geographic_level", "area_code", "breakdown", "group"]
    frame = protected.reset_index(drop=True)
    ordered = frame.sort_values([*key, "time_period"], kind="stable")
    labels = ordered.groupby(key, sort=False, dropna=False).ngroup().to_numpy()
    flags = ordered["numerator_suppressed"].to_numpy(dtype=bool)
    size = len(flags)
    starts = np.ones(size, dtype=bool)
    starts[1:] = labels[1:] != labels[:-1]
    position = np.arange(size) - np.maximum.accumulate(np.where(starts, np.arange(size), 0))
    window = np.zeros(size, dtype=bool)
    for back in range(TREND_POINTS):  # this year and the four before it, in its series
        rows = np.flatnonzero(position >= back)
        window[rows] |= flags[rows - back]
    hidden = np.zeros(size, dtype=bool)
    hidden[ordered.index.to_numpy()] = window
    return hidden


def publishable(protected: pd.DataFrame, shapes: Mapping[str, IndicatorShape],
                config: DisclosureConfig | None = None) -> pd.DataFrame:
    """The table as published: counts, values and intervals as text, with EES symbols.

    `c` suppressed (and everything derived from a suppressed count: its value, intervals,
    comparisons and any trend that used it), `x` not available, `z` not applicable,
    `low` a value that rounds to zero but is not zero. Never an empty cell. `reliability` is
    "low" for a voice result resting on fewer than twice the minimum respondents.
    """
    config = config or DisclosureConfig()
    protected = protected.reset_index(drop=True)
    out = protected.copy()
    extra = [column for column in PUBLISHED_STATISTICS if column in protected.columns]
    hidden_trend = (_suppressed_trend_windows(protected) if "recent_trend" in extra
                    else np.zeros(len(protected), dtype=bool))
    columns: dict[str, list[str]] = {name: [] for name in
                                     ["numerator", "denominator", "value", *extra,
                                      "reliability"]}
    for position, row in enumerate(protected.itertuples(index=False)):
        shape = shapes[row.indicator_id]
        hide = bool(row.numerator_suppressed)
        columns["numerator"].append(
            SUPPRESSED if hide else _round_count(row.numerator, config.round_to)
            if shape.value_type == "proportion" else f"{row.numerator:.0f}")
        columns["denominator"].append(SUPPRESSED if row.denominator_suppressed
                                      else _round_count(row.denominator, config.round_to))
        columns["value"].append(SUPPRESSED if hide else _number(row.value, shape.decimals))
        low = (not hide and shape.min_denominator > 0
               and row.denominator < 2 * shape.min_denominator)
        columns["reliability"].append(SUPPRESSED if hide else "low" if low else "normal")
        for name in extra:
            raw = getattr(row, name)
            if hide or (name == "recent_trend" and hidden_trend[position]):
                columns[name].append(SUPPRESSED)
            elif name.startswith(("lower_ci", "upper_ci")):
                columns[name].append(_number(raw, shape.decimals))
            elif raw == "not applicable":
                columns[name].append(NOT_APPLICABLE)
            else:
                columns[name].append(str(raw))
    for name, values in columns.items():
        out[name] = values
    return out[STANDARD_COLUMNS + extra + ["reliability"]]
