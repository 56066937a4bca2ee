"""The indicator table as published: counts, values and intervals as text, EES symbols.

Everything published about a cell is a function of its published counts (or of public
benchmarks): a suppressed count hides its value, intervals, comparisons and reliability;
a trend is hidden when any year of its window had a suppressed count; a comparison with the
authority is hidden when the authority's figure is. With `round_counts_to` set, counts are
rounded first and values, intervals, comparisons and trends are all computed again from the
rounded counts (`with_rounded_counts`), so they say nothing the rounded counts do not.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from indicators.declarations import ordinals_by_type, period_columns, period_type, row_periods
from indicators.disclosure.control import (
    NOT_APPLICABLE,
    NOT_AVAILABLE,
    SUPPRESSED,
    DisclosureConfig,
    IndicatorShape,
)
from indicators.disclosure.spread import hidden_spreads
from indicators.stats.indicator_values import NON_PARTITION_BREAKDOWNS
from indicators.stats.terms import NOT_COMPARED

LOW = "low"
PUBLISHED_STATISTICS = [
    "lower_ci_95",
    "upper_ci_95",
    "lower_ci_998",
    "upper_ci_998",
    "compared_with_la",
    "compared_with_england",
    "recent_trend",
]
STANDARD_COLUMNS = [
    "indicator_id",
    "time_period",
    "geographic_level",
    "area_code",
    "area_name",
    "breakdown",
    "group",
    "numerator",
    "denominator",
    "value",
]


def round_count(value: float, round_to: int | None) -> int:
    """The nearest multiple of `round_to` (halves up), or the count itself."""
    if round_to:
        return int(round_to * np.floor(value / round_to + 0.5))
    return int(value)


def with_rounded_counts(
    protected: pd.DataFrame,
    round_to: int,
    parents: Mapping[str, str],
    register: pd.DataFrame,
    england: pd.DataFrame,
    item_bank: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The protected table with counts rounded and every statistic recomputed from them.

    Suppression flags are kept as decided on the exact counts (the attacker knows less
    with rounding, never more). A mean's standard deviation is the only input not rounded:
    its intervals are computed from the rounded sum and count.
    """
    from indicators.stats.indicator_values import STANDARD_COLUMNS as INPUT_COLUMNS
    from indicators.stats.indicator_values import add_statistics

    frame = protected.reset_index(drop=True)
    rounded = frame[[column for column in INPUT_COLUMNS if column in frame]].copy()
    rounded["numerator"] = [round_count(v, round_to) for v in frame["numerator"]]
    rounded["denominator"] = [round_count(v, round_to) for v in frame["denominator"]]
    kinds = frame["indicator_id"].map(
        dict(zip(register["indicator_id"], register["value_type"], strict=True))
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = rounded["numerator"].to_numpy(float) / rounded["denominator"].to_numpy(float)
    ratio[~np.isfinite(ratio)] = np.nan
    rounded["value"] = np.where(kinds == "mean", ratio, 100 * ratio)
    median = (kinds == "median").to_numpy(dtype=bool)  # no count in its value or interval
    rounded = rounded[~median]
    restated = add_statistics(rounded, parents, register, england, item_bank)
    keys = [
        "indicator_id",
        *period_columns(frame),
        "geographic_level",
        "area_code",
        "breakdown",
        "group",
    ]
    restated = frame[keys].merge(restated, on=keys, how="left", validate="one_to_one")
    result = frame.copy()
    for column in restated.columns:
        if column in result.columns and column not in keys:
            kept = result[column].to_numpy(dtype=object) if column != "denominator" else None
            result[column] = restated[column].to_numpy()
            if kept is not None and median.any():
                result.loc[median, column] = kept[median]
    return result


def _number(value: float, decimals: int, signed: bool = False) -> str:
    """A published number: `x` when not available, `low` when it rounds to zero but is not.

    A signed value (one that may be negative: a change, a difference) that rounds to zero is
    published as the number, 0.0 (never -0.0): `low` says "small but above zero", which is
    wrong for a value that may lie either side of it."""
    if value is None or pd.isna(value):
        return NOT_AVAILABLE
    text = f"{value:.{decimals}f}"
    if float(text) == 0:
        return LOW if value != 0 and not signed else f"{0.0:.{decimals}f}"
    return text


def structural_no_trend(
    protected: pd.DataFrame, shapes: Mapping[str, IndicatorShape] | None = None
) -> np.ndarray:
    """Rows whose trend cannot be calculated whatever the counts: fewer than five
    consecutive published years up to the row's year, or a window reaching back before the
    indicator's declared series break. Saying "could not be calculated" of these reveals
    nothing about a hidden count (unlike a year at 0% or 100%), so it is never hidden as c."""
    from indicators.stats.trends import TREND_POINTS

    key = ["indicator_id", "geographic_level", "area_code", "breakdown", "group"]
    frame = protected.reset_index(drop=True)
    ordinals, floors = period_ordinals(frame, shapes)
    ordered = frame.assign(_ordinal=ordinals).sort_values([*key, "_ordinal"], kind="stable")
    labels = ordered.groupby(key, sort=False, dropna=False).ngroup().to_numpy()
    years = ordinals[ordered.index.to_numpy()]  # consecutive periods differ by one
    floors = floors[ordered.index.to_numpy()]
    size = len(years)
    run = np.zeros(size, dtype=np.int64)  # consecutive comparable years ending here
    for position in range(size):
        if years[position] < floors[position]:
            continue
        same = position and labels[position] == labels[position - 1]
        run[position] = (
            run[position - 1] + 1
            if same and years[position - 1] == years[position] - 1 and run[position - 1]
            else 1
        )
    structural = np.zeros(size, dtype=bool)
    structural[ordered.index.to_numpy()] = run < TREND_POINTS
    return structural


def period_ordinals(
    frame: pd.DataFrame, shapes: Mapping[str, IndicatorShape] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's period and its indicator's series break (comparable_from) as ordinals of
    the indicator's declared period type (declarations.ordinals_by_type)."""
    shapes = shapes or {}
    indicators = frame["indicator_id"]
    return ordinals_by_type(
        indicators.map({name: shape.period_type for name, shape in shapes.items()}),
        frame["time_period"],
        frame.get("time_identifier"),
        indicators.map({name: shape.comparable_from for name, shape in shapes.items()}).fillna(0),
    )


def suppressed_trend_windows(
    protected: pd.DataFrame, shapes: Mapping[str, IndicatorShape] | None = None
) -> np.ndarray:
    """Rows whose recent trend used a suppressed count (in its last five periods)."""
    from indicators.stats.trends import TREND_POINTS

    key = ["indicator_id", "geographic_level", "area_code", "breakdown", "group"]
    frame = protected.reset_index(drop=True)
    ordinals, _ = period_ordinals(frame, shapes)
    ordered = frame.assign(_ordinal=ordinals).sort_values([*key, "_ordinal"], kind="stable")
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


def hidden_benchmarks(protected: pd.DataFrame, parents: Mapping[str, str]) -> np.ndarray:
    """Rows whose comparison with the authority would use a suppressed authority figure."""
    frame = protected.reset_index(drop=True)
    suppressed = {}
    totals = {}
    period = row_periods(frame)
    for position, row in enumerate(frame.itertuples(index=False)):
        key = (row.indicator_id, period[position], row.area_code)
        suppressed[(*key, row.breakdown, row.group)] = bool(row.numerator_suppressed)
        if row.breakdown == "All":
            totals[key] = bool(row.numerator_suppressed)
    hidden = np.zeros(len(frame), dtype=bool)
    for position, row in enumerate(frame.itertuples(index=False)):
        parent = parents.get(row.area_code)
        if parent is not None:
            hidden[position] = suppressed.get(
                (row.indicator_id, period[position], parent, row.breakdown, row.group), False
            )
        elif row.breakdown != "All" and row.breakdown not in NON_PARTITION_BREAKDOWNS:
            hidden[position] = totals.get(
                (row.indicator_id, period[position], row.area_code), False
            )
    return hidden


def publishable(
    protected: pd.DataFrame,
    shapes: Mapping[str, IndicatorShape],
    config: DisclosureConfig | None = None,
    parents: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The table as published: counts, values and intervals as text, with EES symbols.

    `c` suppressed (and everything derived from a suppressed count: its value, intervals,
    comparisons and any trend calculated over it; a mean's intervals and comparisons where
    the spread of its scores would narrow a hidden count: disclosure/spread.py; a trend that
    could not be calculated for want of 5 consecutive comparable years says so, since that
    reveals no count), `x` not
    available, `z` not applicable,
    `low` a value that rounds to zero but is not zero (unless the value may be negative,
    `IndicatorShape.signed`: then 0.0). Never an empty cell. `reliability` is
    "low" for a survey result resting on fewer than twice the minimum respondents. Counts
    are rounded when `config.round_to` is set (pass the table through `with_rounded_counts`
    first, so the statistics come from the rounded counts too).
    """
    config = config or DisclosureConfig()
    protected = protected.reset_index(drop=True)
    out = protected.copy()
    extra = [column for column in PUBLISHED_STATISTICS if column in protected.columns]
    hidden_trend = (
        suppressed_trend_windows(protected, shapes) & ~structural_no_trend(protected, shapes)
        if "recent_trend" in extra
        else np.zeros(len(protected), dtype=bool)
    )
    hidden_la = (
        hidden_benchmarks(protected, parents or {})
        if "compared_with_la" in extra
        else np.zeros(len(protected), dtype=bool)
    )
    hidden_spread = hidden_spreads(protected, shapes)
    untrended = set()
    if "recent_trend" in extra:
        known = protected[protected["recent_trend"].notna()]
        untrended = {
            indicator
            for indicator, trends in known.groupby("indicator_id")["recent_trend"]
            if (trends == "not applicable").all()
        }
    columns: dict[str, list[str]] = {
        name: [] for name in ["numerator", "denominator", "value", *extra, "reliability"]
    }
    for position, row in enumerate(protected.itertuples(index=False)):
        shape = shapes[row.indicator_id]
        hide = bool(row.numerator_suppressed)
        numerator = round_count(row.numerator, config.round_to)
        denominator = round_count(row.denominator, config.round_to)
        columns["numerator"].append(SUPPRESSED if hide else str(numerator))
        if shape.value_type == "median":  # no numerator; the value goes with its count
            hide = hide or bool(row.denominator_suppressed)
            columns["numerator"][-1] = NOT_APPLICABLE
        columns["denominator"].append(
            SUPPRESSED if row.denominator_suppressed else str(denominator)
        )
        columns["value"].append(
            SUPPRESSED if hide else _number(row.value, shape.decimals, shape.signed)
        )
        respondents = numerator if shape.respondents == "numerator" else denominator
        low = not hide and shape.respondents is not None and respondents < 2 * shape.min_respondents
        columns["reliability"].append(SUPPRESSED if hide else "low" if low else "normal")
        for name in extra:
            raw = getattr(row, name)
            if (
                hide
                or (name == "recent_trend" and hidden_trend[position])
                or (name == "compared_with_la" and hidden_la[position])
                or (
                    hidden_spread[position]
                    and name.startswith(("lower_ci", "upper_ci", "compared_with"))
                )
            ):
                columns[name].append(SUPPRESSED)
            elif name.startswith(("lower_ci", "upper_ci")):
                columns[name].append(_number(raw, shape.decimals, shape.signed))
            elif raw == "not applicable":
                columns[name].append(NOT_APPLICABLE)
            elif name == "recent_trend" and (raw is None or pd.isna(raw)):
                # a row added for an empty cell (no one in it): no trend, as its indicator's
                # other rows read when none is tested (z)
                columns[name].append(
                    NOT_APPLICABLE if row.indicator_id in untrended else "could not be calculated"
                )
            elif name.startswith("compared_with") and (raw is None or pd.isna(raw)):
                columns[name].append(NOT_COMPARED)  # a row added for an empty cell
            else:
                columns[name].append(str(raw))
    for name, values in columns.items():
        out[name] = values
    return out[published_columns(protected, shapes) + extra + ["reliability"]]


def divides_the_year(shapes: Mapping[str, IndicatorShape]) -> bool:
    """Whether any indicator's declared period type divides the year (months, quarters)."""
    return any(period_type(shape.period_type).parts > 1 for shape in shapes.values())


def published_columns(frame: pd.DataFrame, shapes: Mapping[str, IndicatorShape]) -> list[str]:
    """The standard columns as published, with time_identifier after time_period when an
    indicator's period type divides the year: then every row says which month or quarter
    (or "Academic year") it is for. A publication of whole years only keeps its columns."""
    if "time_identifier" in frame and divides_the_year(shapes):
        at = STANDARD_COLUMNS.index("time_period") + 1
        return [*STANDARD_COLUMNS[:at], "time_identifier", *STANDARD_COLUMNS[at:]]
    return list(STANDARD_COLUMNS)


def in_declared_order(frame: pd.DataFrame, shapes: Mapping[str, IndicatorShape]) -> pd.DataFrame:
    """The published rows in the cells' order, except that a breakdown's groups come in the
    order its relations list them (the early learning goals in the seed's order, not A to Z);
    groups from the item bank, and undeclared ones, after them in the cells' order. Only the
    order of the rows changes, so the packs and open data read each breakdown as declared."""
    cells = ("indicator_id", "time_period", "time_identifier", "geographic_level", "area_code")
    key = [c for c in (*cells, "breakdown") if c in frame.columns]
    triples = frame[["indicator_id", "breakdown", "group"]].drop_duplicates()
    places = {}
    for indicator, breakdown, group in triples.itertuples(index=False, name=None):
        shape = shapes.get(indicator)
        declared = shape.relations.declared(str(breakdown)) if shape and shape.relations else None
        groups = declared.groups if declared and not isinstance(declared.groups, str) else ()
        places[(indicator, breakdown, group)] = (
            groups.index(group) if group in groups else len(groups)
        )
    place = pd.Series(
        [
            places[t]
            for t in zip(frame["indicator_id"], frame["breakdown"], frame["group"], strict=True)
        ],
        index=frame.index,
    )
    ordered = frame.assign(_place=place.map(lambda p: f"{p:06d}")).sort_values(
        [*key, "_place", "group"], kind="stable", key=lambda c: c.astype(str)
    )
    return ordered.drop(columns="_place").reset_index(drop=True)
