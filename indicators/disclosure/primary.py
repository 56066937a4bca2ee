"""Primary suppression and the table it works on: every cell an indicator can have (zero
rows for the empty ones) and the counts the rules hide on their own, before any relation is
read (indicators/disclosure/suppress.py does the secondary suppression).

Primary suppression (threshold t, seeds/disclosure_control.csv):
- a denominator below t (and so its numerator);
- a proportion's numerator below t, or its complement (e.g. children *not* at GLD) below t;
- a rate's numerator below t;
- a mean whose every unit sits at the floor or ceiling of its scale (all 0 or all 17 ELGs,
  every answer 5 on a 1-5 question);
- a survey result resting on fewer respondents than `voice_min_respondents`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

import numpy as np
import pandas as pd

from indicators.declarations import geographies, period_columns, row_periods
from indicators.disclosure.control import DisclosureConfig, IndicatorShape
from indicators.disclosure.questions import ItemBank
from indicators.disclosure.relations import SCORE_RANGE, RelationsError

PRIMARY_DENOMINATOR = "primary: fewer than threshold in the group"
PRIMARY_COUNT = "primary: small count or complement"
PRIMARY_RATE = "primary: small count"
PRIMARY_EXTREME = "primary: everyone at the floor or ceiling"
PRIMARY_RESPONDENTS = "primary: too few respondents"


def root_area(area: str, parents: Mapping[str, str]) -> str:
    seen = set()
    while area in parents and area not in seen:
        seen.add(area)
        area = parents[area]
    return area


def _scale_extremes(
    frame: pd.DataFrame, shapes: Mapping[str, IndicatorShape], items: ItemBank
) -> tuple[np.ndarray, np.ndarray]:
    """Per mean cell: the lowest and highest score one unit can have (from its score_bounds
    declaration, the item bank for questions); NaN elsewhere."""
    low = np.full(len(frame), np.nan)
    high = np.full(len(frame), np.nan)
    for indicator, rows in frame.groupby("indicator_id", sort=False).groups.items():
        shape = shapes[indicator]
        if shape.value_type != "mean" or shape.relations is None:
            continue
        own = [
            rule
            for rule in shape.relations.rules
            if rule.kind == "score_bounds"
            and rule.for_each == "cell"
            and len(rule.total) == 1
            and rule.total[0].indicator is None
            and rule.total[0].count == "numerator"
        ]
        if not own:
            continue
        positions = frame.index.get_indexer(rows)
        groups = frame["group"].to_numpy(dtype=object)[positions]
        for i, group in zip(positions, groups, strict=True):
            ranges = []
            for score_class in own[0].classes:
                match = SCORE_RANGE.match(score_class.scores)
                ranges.append(
                    (int(match[1]), int(match[2]))
                    if match
                    else items.scores.get(group, {}).get(score_class.scores)
                )
            if all(r is not None for r in ranges):
                low[i] = min(r[0] for r in ranges)
                high[i] = max(r[1] for r in ranges)
    return low, high


def _shared_areas(
    own: Mapping[str, Mapping[str, str]], shapes: Mapping[str, IndicatorShape]
) -> dict[str, dict[str, str]]:
    """Each indicator's own-level areas (area -> level) with those of every indicator its
    declared relations link it to, directly or through others (one service's indicators)."""
    linked: dict[str, str] = {name: name for name in own}

    def find(name: str) -> str:
        while linked[name] != name:
            linked[name] = linked[linked[name]]
            name = linked[name]
        return name

    for name in own:
        relations = shapes[name].relations
        for other in relations.referenced_indicators() if relations else ():
            if other in linked:
                linked[find(name)] = find(other)
    areas: dict[str, dict[str, str]] = defaultdict(dict)
    for name, mine in own.items():
        areas[find(name)].update(mine)
    return defaultdict(dict, {name: areas[find(name)] for name in own})


def _shared_periods(my_tops: dict[tuple, set[str]], shapes: Mapping[str, IndicatorShape]) -> None:
    """Give each indicator the periods (with their authorities) of every indicator of its
    period type whose declared relations name it, directly or through others, in `my_tops`
    ((indicator, period) -> authorities): a rule anchored in such a period reads the
    indicator's cell there, and a cell with no row would be a 0 no partner could hide. The
    months before Voice Notes began are so periods of the days to a Voice Note, whose count
    (none) bounds the referrals heard before the hub in them, which it used to pin at 0
    (tests/test_disclosure_pre_start.py). An indicator naming none (a linkage that began
    later than the goals it links) gains no period."""
    indicators = {indicator for indicator, _ in my_tops}
    named: dict[str, set[str]] = defaultdict(set)  # indicator -> those its rules name
    for name in indicators:
        relations = shapes[name].relations
        for other in relations.referenced_indicators() if relations else ():
            if other in indicators and shapes[other].period_type == shapes[name].period_type:
                named[name].add(other)
    changed = True
    while changed:
        changed = False
        for (indicator, period), tops in list(my_tops.items()):
            for other in named[indicator]:
                if not tops <= my_tops[(other, period)]:
                    my_tops[(other, period)] |= tops
                    changed = True


def complete(
    frame: pd.DataFrame,
    shapes: Mapping[str, IndicatorShape],
    parents: Mapping[str, str],
    items: ItemBank,
    own_area_levels: frozenset[str] | None = None,
) -> pd.DataFrame:
    """The table with a zero row for every cell an indicator can have but has no units in.

    Every group a breakdown declares (or every question in force in the year, and their
    domains, from the item bank), in every area of each level at which the indicator
    publishes the breakdown, in every year it publishes anything, or an indicator of its
    period type whose relations name it does (`_shared_periods`): then a missing row never
    tells anyone that a count is zero (or suggests it is). A cell with no one in it is
    published as 0 (see `primary`); one hidden as a partner is `c` like any other.

    At a level whose areas each belong to one service (`every_area: false` in
    dbt_project/metadata/geographies.yml, teams: `own_area_levels`), an indicator's areas
    are only those it, or an indicator its relations link it to, has rows in, in some
    period: a leaving care team is not an Early Help indicator's, though both are teams of
    the authority, but a new Early Help team with no Voice Note yet is one of the days to a
    Voice Note's (else its absent cell would be a zero no partner could hide, pinning the
    team's referrals heard before the hub, which that indicator's count bounds). At any
    other level (neighbourhoods divide the whole authority) they are every area of the
    authority.
    """
    if own_area_levels is None:
        own_area_levels = frozenset(
            level.name for level in geographies().levels if not level.every_area
        )
    # An area of whole authorities (a combined authority, a region: `of: authorities`) is
    # an indicator's only where it publishes it (every_area: false), and it brings no
    # authority into a period: an authority no indicator has rows for in a year is not
    # made a 0 of 0 because others of its combined authority have some.
    above = set(
        frame.loc[frame["geographic_level"].isin(geographies().of_authorities()), "area_code"]
    )
    parents = {child: parent for child, parent in parents.items() if parent not in above}
    roots = frame["area_code"].map(lambda a: root_area(a, parents))
    names = dict(zip(frame["area_code"], frame["area_name"], strict=False))
    keys = period_columns(frame)  # a month is its time_period and time_identifier
    period_of = row_periods(frame)
    every: dict[tuple, set[str]] = defaultdict(set)  # (period, level) -> any indicator's
    # at own-area levels only: (indicator, period, level) -> its areas, indicator -> its
    # areas of any period with their level
    mine: dict[tuple, set[str]] = defaultdict(set)
    own: dict[str, dict[str, str]] = defaultdict(dict)
    tops_of: dict[tuple, set[str]] = defaultdict(set)  # period -> authorities present
    my_tops: dict[tuple, set[str]] = defaultdict(set)  # (indicator, period) -> its own
    for indicator, period, level, area, top in zip(
        frame["indicator_id"],
        period_of,
        frame["geographic_level"],
        frame["area_code"],
        roots,
        strict=True,
    ):
        every[(period, level)].add(area)
        tops_of[period].add(top)
        my_tops[(indicator, period)].add(top)
        if level in own_area_levels:
            mine[(indicator, period, level)].add(area)
            own[indicator][area] = level
    level_of = dict(zip(frame["area_code"], frame["geographic_level"], strict=False))
    for period, present in tops_of.items():
        for child, parent in parents.items():
            if root_area(parent, parents) in present and child in level_of:
                every[(period, level_of[child])].add(child)
    _shared_periods(my_tops, shapes)
    shared = _shared_areas(own, shapes)
    for (indicator, period), present in my_tops.items():
        for area, level in shared[indicator].items():
            if area in parents and root_area(parents[area], parents) in present:
                mine[(indicator, period, level)].add(area)

    def areas(indicator: str, period: tuple, level: str) -> set[str]:
        if level in own_area_levels:
            return mine[(indicator, period, level)]
        return every[(period, level)]

    existing = set(
        zip(
            frame["indicator_id"],
            period_of,
            frame["area_code"],
            frame["breakdown"],
            frame["group"],
            strict=True,
        )
    )
    rows = []
    for indicator, rows_of in frame.groupby("indicator_id", sort=False):
        relations = shapes[indicator].relations
        if relations is None or relations.absent_cells != "zero":
            continue
        shown = {
            (level, relations.declared(breakdown))
            for level, breakdown in zip(
                rows_of["geographic_level"], rows_of["breakdown"], strict=True
            )
        }
        periods = sorted(
            {period for (other, period) in my_tops if other == indicator},
            key=lambda period: (int(period[0]), *map(str, period[1:])),
        )
        for period in periods:
            year = period[0]
            for level, declared in shown:
                if declared is None:
                    continue
                labels = (
                    [declared.name.replace("{item}", q) for q in items.questions(year)]
                    if declared.item
                    else [declared.name]
                )
                groups = {
                    "questions": items.questions,
                    "domains": items.domains,
                    "scaled questions": items.scaled_questions,
                }.get(declared.groups, lambda _, g=declared.groups: list(g))(year)
                for area in sorted(areas(indicator, period, level)):
                    for label in labels:
                        for group in groups:
                            if (indicator, period, area, label, group) not in existing:
                                rows.append(
                                    {
                                        "indicator_id": indicator,
                                        **dict(zip(keys, period, strict=True)),
                                        "geographic_level": level,
                                        "area_code": area,
                                        "area_name": names.get(area, area),
                                        "breakdown": label,
                                        "group": group,
                                        "numerator": 0,
                                        "denominator": 0,
                                    }
                                )
    if not rows:
        return frame
    added = pd.DataFrame(rows)
    return pd.concat([frame, added], ignore_index=True)


def primary(
    frame: pd.DataFrame,
    shapes: Mapping[str, IndicatorShape],
    config: DisclosureConfig,
    items: ItemBank,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(numerator suppressed, denominator suppressed, reason) by the rules on each cell."""
    t = config.threshold
    n = frame["numerator"].to_numpy(dtype=float)
    d = frame["denominator"].to_numpy(dtype=float)
    indicator = frame["indicator_id"]
    kinds = indicator.map(lambda i: shapes[i].value_type).to_numpy(dtype=object)
    respondents_from = indicator.map(lambda i: shapes[i].respondents).to_numpy(dtype=object)
    minimum = indicator.map(lambda i: shapes[i].min_respondents).to_numpy(dtype=float)
    respondents = np.where(respondents_from == "numerator", n, d)
    low, high = _scale_extremes(frame, shapes, items)
    is_proportion, is_rate, is_mean = kinds == "proportion", kinds == "rate", kinds == "mean"

    reason = np.full(len(frame), "", dtype=object)
    # A cell with no one in it (no children, no respondents) says nothing about anyone: it
    # is published as 0, not protected (protecting it takes a partner from a neighbouring
    # area or group, which is a real figure lost, e.g. every figure of the area next to one
    # that a lookup lists before it has any children). Partners may still hide it.
    empty = (d == 0) & (n == 0)
    d_supp = (d < t) & ~empty
    reason[d_supp] = PRIMARY_DENOMINATOR
    # a numerator public inputs fix at 0 (`known_zeros`: no LSOA of the area is in the
    # quintile) says nothing of anyone: only its denominator's size can make it small
    known = frame[KNOWN_NUMERATOR].to_numpy(dtype=bool) if KNOWN_NUMERATOR in frame else False
    few = (n < t) & ~known
    small = np.where(is_proportion, few | (d - n < t), np.where(is_rate, few, False))
    small &= ~empty
    extreme = is_mean & ((n <= low * d) | (n >= high * d)) & ~empty
    too_few = (respondents_from != None) & (respondents < minimum) & ~empty  # noqa: E711
    n_supp = d_supp | small | extreme | too_few
    fresh = reason == ""
    reason[small & fresh] = np.where(is_rate, PRIMARY_RATE, PRIMARY_COUNT)[small & fresh]
    reason[extreme & (reason == "")] = PRIMARY_EXTREME
    reason[too_few & (reason == "")] = PRIMARY_RESPONDENTS
    return n_supp, d_supp, reason


def structural_zeros(frame: pd.DataFrame) -> np.ndarray:
    """Per cell: whether its area has no units at all in its period, in any indicator of the
    table (every cell of that area and period 0 of 0), e.g. an Early Help team in the year
    before it existed, which `complete` gives a zero row in every period its indicators
    publish. Such cells disclose no one: secondary suppression never hides them to protect
    another cell (suppress.py), so they are published as 0 and never become counts to audit
    themselves. An area with a unit in the period in any indicator is not structural, even
    in an indicator or group with none: that 0 may say something of its units (none of the
    team's one referral had a Voice Note)."""
    keys = [frame[column] for column in (*period_columns(frame), "area_code")]
    empty = frame["numerator"].fillna(0).eq(0) & frame["denominator"].fillna(0).eq(0)
    return empty.groupby(keys, dropna=False, sort=False).transform("all").to_numpy(dtype=bool)


KNOWN_NUMERATOR, KNOWN_DENOMINATOR = "_known_numerator", "_known_denominator"
"""Columns `protect` adds while it works: the counts public inputs fix at 0 (`known_zeros`)."""


def known_zeros(
    frame: pd.DataFrame,
    declared: pd.DataFrame | None,
    shapes: Mapping[str, IndicatorShape] | None = None,
    parents: Mapping[str, str] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per cell: whether its numerator, and its denominator, are known to be 0 from public
    inputs alone (`declared`: one row per count, with the cell's indicator_id, time_period,
    area_code, breakdown, group and `count`, numerator or denominator; the warehouse's
    fct_known_zeros, e.g. a neighbourhood none of whose postcodes lies in an LSOA of the most
    deprived IDACI quintile; without a time_identifier it covers every one of its period).
    Anyone can work such a count out, so disclosure control publishes it as 0 rather than
    hiding it as small, never hides it to protect another count, and audits as a reader who
    knows it. A denominator known to be 0 makes its numerator 0 too, and an area whose areas
    add up to it (`areas: add_up`, `shapes`, `parents`) is known to be 0 where every one of
    them is known to be 0 or has no one in it (0 of 0, which `primary` publishes), at every
    level up. A declaration the data do not bear out stops the run, as a false relation
    does: hidden, the count would tell a reader who works it out that it is not 0."""
    size = len(frame)
    numerator, denominator = np.zeros(size, dtype=bool), np.zeros(size, dtype=bool)
    if declared is None or declared.empty or not size:
        return numerator, denominator
    missing = [c for c in (*DECLARED_KEY, "count") if c not in declared.columns]
    if missing:
        raise ValueError(f"known zeros without {', '.join(missing)}: cannot tell their cells")
    keys = [*DECLARED_KEY, *(c for c in period_columns(frame) if c in declared.columns)]
    keys = list(dict.fromkeys(keys))
    cells = _cell_keys(frame, keys)
    for count, found in (("numerator", numerator), ("denominator", denominator)):
        rows = declared[declared["count"] == count]
        if not rows.empty:
            found |= cells.isin(_cell_keys(rows, keys))
    n = frame["numerator"].fillna(0).to_numpy(dtype=float)
    d = frame["denominator"].fillna(0).to_numpy(dtype=float)
    false = (numerator & (n != 0)) | (denominator & (d != 0))
    if false.any():
        cell = frame.loc[false, [*keys]].iloc[0].to_dict()
        raise RelationsError(
            f"{int(false.sum())} count(s) declared known to be 0 (marts.fct_known_zeros) are "
            f"not 0, e.g. {cell}: the declaration is wrong, so disclosure control cannot rely "
            "on it"
        )
    numerator |= denominator
    if shapes and parents:
        empty = (n == 0) & (d == 0)
        while True:
            more_d = _sums_of_known(frame, denominator, empty, shapes, parents, d) & ~denominator
            more_n = _sums_of_known(frame, numerator, empty, shapes, parents, n) & ~numerator
            if not (more_d.any() or more_n.any()):
                break
            denominator |= more_d
            numerator |= more_n | more_d
    return numerator, denominator


def known_counts(frame: pd.DataFrame) -> np.ndarray:
    """Per count (numerator, denominator of each cell in turn): known to be 0 (the columns
    `protect` adds from `known_zeros`)."""
    known = np.zeros(2 * len(frame), dtype=bool)
    for column, offset in ((KNOWN_NUMERATOR, 0), (KNOWN_DENOMINATOR, 1)):
        if column in frame:
            known[offset::2] = frame[column].to_numpy(dtype=bool)
    return known


DECLARED_KEY = ("indicator_id", "time_period", "area_code", "breakdown", "group")


def _cell_keys(table: pd.DataFrame, keys: list[str]) -> pd.MultiIndex:
    """The cells' keys as text (a period 202324 and "202324" alike, never "202324.0")."""

    def text(value) -> str:
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            return str(int(value))
        return str(value)

    return pd.MultiIndex.from_arrays([table[k].map(text).to_numpy(dtype=object) for k in keys])


def _sums_of_known(
    frame: pd.DataFrame,
    known: np.ndarray,
    empty: np.ndarray,
    shapes: Mapping[str, IndicatorShape],
    parents: Mapping[str, str],
    counts: np.ndarray,
) -> np.ndarray:
    """Cells (of count 0) of an area whose areas add up to it, each of them known to be 0
    or empty, and at least one known."""
    adds_up = (
        frame["indicator_id"]
        .map(lambda i: shapes[i].relations is not None and shapes[i].relations.areas == "add_up")
        .to_numpy(dtype=bool)
    )
    child = adds_up & frame["area_code"].isin(set(parents)).to_numpy(dtype=bool)
    found = np.zeros(len(frame), dtype=bool)
    if not child.any():
        return found
    cell = ["indicator_id", *period_columns(frame), "breakdown", "group"]
    children = frame.loc[child, cell].assign(
        _parent=frame.loc[child, "area_code"].map(parents),
        _zero=(known | empty)[child],
        _known=known[child],
    )
    grouped = children.groupby([*cell, "_parent"], dropna=False, sort=False)
    every = grouped["_zero"].all() & grouped["_known"].any()
    if not every.any():
        return found
    wanted = every[every].index
    mine = pd.MultiIndex.from_frame(frame[[*cell, "area_code"]])
    return mine.isin(wanted) & adds_up & (counts == 0)
