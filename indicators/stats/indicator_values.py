"""Intervals, benchmark comparisons and trends for every row of the indicator table.

Called by indicators/stats/warehouse_statistics.py (the step between dbt's layers that
writes computed.indicator_statistics); pure pandas in and out.

- Proportions: Wilson score intervals at 95% and 99.8% (statsmodels), in percent.
- Means: t intervals at 95% and 99.8% from the per-child standard deviation.
- Rates (e.g. respondents per 100 children): exact Poisson intervals.
- Medians (e.g. days to a Voice Note): distribution-free intervals from order statistics
  (stats/medians.py), from the cell's sorted values its model gives in `ordered_values`
  (never published); the numerator is null, the denominator the count it rests on. A
  median is "not compared" and its trend "not applicable": no method for either is declared.
- compared_with_la: a neighbourhood against its authority, a group (e.g. girls) against
  its authority's all-children figure; compared_with_england: against the England figure
  for the same indicator, year and group (seeds/england_benchmarks.csv). Fingertips method
  on the 95% interval, turned into better/worse by the indicator's polarity. The interval
  and the benchmark are compared as published (rounded to the indicator's decimals), so a
  label never contradicts the numbers printed beside it: touching is "similar".
- recent_trend: the Fingertips trend marker (stats.TREND_METHOD) for proportions.
- Counts of answers (a respondent answers several questions) are not independent, so an
  interval that treats them as independent is too narrow: such rows are "not compared" and
  their trend "not applicable" (register `denominator_unit`: only children and families,
  one per person, are compared).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from indicators import stats as st
from indicators.declarations import geographies, ordinals_by_type, period_type
from indicators.units import full_count_units, independent_units

STANDARD_COLUMNS = [
    "indicator_id",
    "time_period",
    "time_identifier",
    "geographic_level",
    "area_code",
    "area_name",
    "breakdown",
    "group",
    "numerator",
    "denominator",
    "value",
    "standard_deviation",
]
STATISTIC_COLUMNS = [
    "value_type",
    "lower_ci_95",
    "upper_ci_95",
    "lower_ci_998",
    "upper_ci_998",
    "la_value",
    "compared_with_la",
    "england_value",
    "compared_with_england",
    "recent_trend",
]
SERIES_KEY = ["indicator_id", "geographic_level", "area_code", "breakdown", "group"]
NON_PARTITION_BREAKDOWNS = ("Voice item", "Voice domain", "Seldom-heard group")
"""Breakdowns whose groups are different questions or overlap: a group is not compared with
an area total."""
NOT_APPLICABLE = "not applicable"
DEFAULT_DECIMALS = 1


def rate_interval(
    count: np.ndarray, denominator: np.ndarray, confidence: float, per: float = 100.0
) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood) Poisson interval for a count, as a rate per `per` of the denominator."""
    from scipy import stats

    alpha = 1 - confidence
    count = np.asarray(count, dtype=float)
    lower = np.where(count > 0, stats.chi2.ppf(alpha / 2, 2 * count) / 2, 0.0)
    upper = stats.chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(denominator > 0, per / np.asarray(denominator, dtype=float), np.nan)
    return lower * scale, upper * scale


def _intervals(frame: pd.DataFrame, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    kind = frame["value_type"].to_numpy()
    is_mean, is_rate, is_median = kind == "mean", kind == "rate", kind == "median"
    is_proportion = ~(is_mean | is_rate | is_median)
    lower = np.full(len(frame), np.nan)
    upper = np.full(len(frame), np.nan)
    if is_proportion.any():
        part = frame[is_proportion]
        lower[is_proportion], upper[is_proportion] = st.wilson_interval(
            part["numerator"].to_numpy(float), part["denominator"].to_numpy(float), confidence
        )
    if is_rate.any():
        part = frame[is_rate]
        lower[is_rate], upper[is_rate] = rate_interval(
            part["numerator"].to_numpy(float), part["denominator"].to_numpy(float), confidence
        )
    if is_mean.any():
        part = frame[is_mean]
        lower[is_mean], upper[is_mean] = st.mean_interval(
            part["value"].to_numpy(float),
            part["standard_deviation"].to_numpy(float),
            part["denominator"].to_numpy(float),
            confidence,
        )
    if is_median.any():
        samples = frame.get("ordered_values")
        if samples is None:
            raise ValueError("a median's model must give its cells' ordered_values")
        lower[is_median], upper[is_median] = st.median_intervals(
            list(samples[is_median]), confidence
        )
    if "denominator_unit" in frame:  # a census of every member has no sampling error
        whole = frame["denominator_unit"].isin(full_count_units()).to_numpy()
        lower[whole], upper[whole] = np.nan, np.nan
    return lower, upper


def _la_benchmark(frame: pd.DataFrame, parents: Mapping[str, str]) -> pd.Series:
    """The authority figure each row is compared with.

    A row at a level within another level of the table (a neighbourhood, within its local
    authority: dbt_project/metadata/geographies.yml): its parent area's figure for the same
    breakdown and group (a team listed with a district: its district's, dim_areas). A group
    of the authority (e.g. girls, or a channel): the authority's all-children (or
    all-respondents) figure. An authority within an area of whole authorities the table has
    (its combined authority, else its region: dim_areas): for its total, that area's total;
    its groups, as before, with its own total. Groups that are different questions (voice
    items, domains, seldom-heard groups) of an authority, and the total of an authority
    within no such area: nothing to compare with.
    """
    levels = geographies()  # dbt_project/metadata/geographies.yml
    present = set(frame["geographic_level"])
    parent_level = {level: levels.parent(level) for level in present}
    parent_levels = {parent for parent in parent_level.values() if parent in present}
    authority = frame[frame["geographic_level"].isin(parent_levels)]
    # A parent area may lie at a level between (a team's district, in the authority).
    parent_areas = frame[frame["area_code"].isin(set(parents.values()))]
    by_cell = {
        (
            row.indicator_id,
            row.time_period,
            row.time_identifier,
            row.area_code,
            row.breakdown,
            row.group,
        ): row.value
        for row in pd.concat([authority, parent_areas]).itertuples(index=False)
    }
    totals = {
        (row.indicator_id, row.time_period, row.time_identifier, row.area_code): row.value
        for row in authority[authority["breakdown"] == "All"].itertuples(index=False)
    }
    present_parents = set(parent_areas["area_code"])
    # areas of whole authorities (a combined authority, a region: `of: authorities`): an
    # authority's total is compared with the one it lies in, its groups with its own total
    above = set(frame.loc[frame["geographic_level"].isin(levels.of_authorities()), "area_code"])
    values = []
    for row in frame.itertuples(index=False):
        within_above = parents.get(row.area_code) in above
        if (
            parent_level[row.geographic_level] in parent_levels
            or parents.get(row.area_code) in present_parents
        ) and (row.breakdown == "All" or not within_above):
            parent = parents.get(row.area_code)
            values.append(
                by_cell.get(
                    (
                        row.indicator_id,
                        row.time_period,
                        row.time_identifier,
                        parent,
                        row.breakdown,
                        row.group,
                    ),
                    np.nan,
                )
            )
        elif row.breakdown != "All" and row.breakdown not in NON_PARTITION_BREAKDOWNS:
            values.append(
                totals.get(
                    (row.indicator_id, row.time_period, row.time_identifier, row.area_code), np.nan
                )
            )
        else:
            values.append(np.nan)
    return pd.Series(values, index=frame.index, dtype=float)


def _england_benchmark(frame: pd.DataFrame, england: pd.DataFrame) -> pd.Series:
    """England's figure for the same indicator, period, breakdown and group (seeds/
    england_benchmarks.csv, which has no time_identifier: its periods are whole years)."""
    keys = ["indicator_id", "time_period", "breakdown", "group"]
    if "time_identifier" in england:
        keys.append("time_identifier")
    reference = england[keys + ["value"]].rename(columns={"value": "england_value"})
    reference = reference.astype({"time_period": int, "england_value": float})
    merged = frame[keys].astype({"time_period": int}).merge(reference, on=keys, how="left")
    return pd.Series(merged["england_value"].to_numpy(), index=frame.index, dtype=float)


def trend_method(value_type: str, denominator_unit: str) -> str:
    """How an indicator's recent trend is read, in words (the register and data guidance)."""
    if value_type not in st.TREND_VALUE_TYPES:
        return (
            f"Not tested (z): the trend test is for percentages, and this is a "
            f"{value_type or 'figure of another kind'}."
        )
    if denominator_unit not in independent_units():
        return (
            f"Not tested (z): it counts {denominator_unit}, not people, so the counts are "
            "not independent."
        )
    return st.TREND_METHOD


def _independent(frame: pd.DataFrame) -> np.ndarray:
    """Rows whose denominator counts people once each (a unit declared `independent` in
    dbt_project/metadata/units.yml: children, families).

    Without a `denominator_unit` column (older callers) every row counts as independent.
    """
    if "denominator_unit" not in frame:
        return np.ones(len(frame), dtype=bool)
    return frame["denominator_unit"].isin(independent_units()).to_numpy()


def _decimals(frame: pd.DataFrame) -> np.ndarray:
    """Each row's published decimals (register `decimals`, else 1)."""
    if "decimals" not in frame:
        return np.full(len(frame), DEFAULT_DECIMALS)
    places = pd.to_numeric(frame["decimals"], errors="coerce").fillna(DEFAULT_DECIMALS)
    return places.astype(int).to_numpy()


def _academic_year_from(day: pd.Timestamp) -> int:
    """The first academic year (time period) that starts on or after `day` (1 September)."""
    year = day.year if (day.month, day.day) <= (9, 1) else day.year + 1
    return year * 100 + (year + 1) % 100


def question_breaks(item_bank: pd.DataFrame | None) -> dict[tuple[str, str], list[int]]:
    """Series breaks from the item bank: a question reworded (a new version) breaks the
    series of its item and of its domain, from the first academic year wholly under the new
    version. Keys: ("item", item_id) and ("domain", domain) -> break years (time periods)."""
    breaks: dict[tuple[str, str], list[int]] = {}
    if item_bank is None or item_bank.empty:
        return breaks
    bank = item_bank.copy()
    bank["starts"] = pd.to_datetime(bank["co_designed_on"], format="%Y-%m-%d")
    for item_id, versions in bank.sort_values(["item_id", "version"]).groupby("item_id"):
        for starts in versions["starts"].iloc[1:]:  # the first version breaks nothing
            year = _academic_year_from(starts)
            breaks.setdefault(("item", str(item_id)), []).append(year)
            for domain in versions["domain"].dropna().unique():
                breaks.setdefault(("domain", str(domain)), []).append(year)
    return breaks


def comparable_from(frame: pd.DataFrame, item_bank: pd.DataFrame | None = None) -> np.ndarray:
    """Each row's first comparable year (a time period; 0 for none): the later of its
    indicator's declared `comparable_from` (meta.indicator.comparable_from, e.g. 202122 for
    the EYFS reform) and the last question rewording (`question_breaks`) up to its year."""
    declared = (
        pd.to_numeric(frame["comparable_from"], errors="coerce")
        .fillna(0)
        .astype(np.int64)
        .to_numpy()
        if "comparable_from" in frame
        else np.zeros(len(frame), dtype=np.int64)
    )
    breaks = question_breaks(item_bank)
    if not breaks:
        return declared
    result = declared.copy()
    breakdown = frame["breakdown"].astype(str).to_numpy()
    group = frame["group"].astype(str).to_numpy()
    years = frame["time_period"].astype(np.int64).to_numpy()
    for position in range(len(frame)):
        if breakdown[position] == "Voice item":
            key = ("item", group[position])
        elif breakdown[position].startswith("Voice item: "):
            key = ("item", breakdown[position][len("Voice item: ") :])
        elif breakdown[position] == "Voice domain":
            key = ("domain", group[position])
        else:
            continue
        begun = [year for year in breaks.get(key, ()) if year <= years[position]]
        if begun:
            result[position] = max(result[position], max(begun))
    return result


def _period_ordinals(frame: pd.DataFrame, breaks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's period, and its series break, as ordinals of its indicator's declared
    period type (`period_type`; academic year when the register has none): consecutive
    periods differ by one, so a missing month is a gap."""
    return ordinals_by_type(
        _declared_types(frame),
        frame["time_period"],
        frame.get("time_identifier"),
        breaks,
    )


def _declared_types(frame: pd.DataFrame) -> np.ndarray:
    return (
        frame["period_type"].fillna("").astype(str).to_numpy(dtype=object)
        if "period_type" in frame
        else np.full(len(frame), "", dtype=object)
    )


def with_time_identifiers(frame: pd.DataFrame) -> pd.DataFrame:
    """Each row's time_identifier: its own (a month or quarter, from its model), else its
    indicator's period type's ("Academic year": metadata/periods.yml). Raises ValueError
    naming the indicator when a period type that divides the year has a row without one, or
    one that is not that type's."""
    frame = frame.copy()
    if "time_identifier" not in frame:
        frame["time_identifier"] = None
    identifiers = (
        frame["time_identifier"].astype(object).where(frame["time_identifier"].notna(), None)
    )
    declared = _declared_types(frame)
    for name in pd.unique(declared):
        chosen = declared == name
        kind = period_type(name)
        missing = chosen & identifiers.isna().to_numpy()
        if missing.any() and kind.parts > 1:
            indicator = frame.loc[missing, "indicator_id"].iloc[0]
            raise ValueError(
                f"{indicator}: counted by {kind.label}, but its model gives no time_identifier "
                "(pass time_identifier='time_identifier' to indicator_over_rows)"
            )
        identifiers[missing] = kind.time_identifier
        labels = {t.label for t in kind.time_identifiers}
        wrong = chosen & ~identifiers.isin(labels).to_numpy()
        if wrong.any():
            row = frame.loc[wrong].iloc[0]
            raise ValueError(
                f"{row['indicator_id']}: time_identifier '{identifiers[wrong].iloc[0]}' is not "
                f"one of a {kind.label} ({', '.join(sorted(labels))}; metadata/periods.yml)"
            )
    frame["time_identifier"] = identifiers
    return frame


def _trends(frame: pd.DataFrame, item_bank: pd.DataFrame | None = None) -> pd.Series:
    """Each proportion's recent trend up to its year, in Fingertips words with its polarity:
    over the last 5 consecutive periods of its declared type, none before a series break."""
    result = pd.Series(NOT_APPLICABLE, index=frame.index, dtype=object)
    tested = frame["value_type"].isin(st.TREND_VALUE_TYPES).to_numpy() & _independent(frame)
    proportions = frame[tested]
    if proportions.empty:
        return result
    periods, first_comparable = _period_ordinals(
        proportions, comparable_from(proportions, item_bank)
    )
    order = proportions.assign(_ordinal=periods).sort_values(
        [*SERIES_KEY, "_ordinal"], kind="stable"
    )
    positions = proportions.index.get_indexer(order.index)
    proportions = proportions.loc[order.index]
    periods, first_comparable = periods[positions], first_comparable[positions]
    series = proportions.groupby(SERIES_KEY, sort=False, dropna=False).ngroup().to_numpy()
    trends = st.recent_trends(
        proportions["numerator"],
        proportions["denominator"],
        series,
        periods=periods,
        first_comparable=first_comparable,
    )
    worded = np.empty(len(trends), dtype=object)
    polarity = proportions["polarity"].to_numpy(dtype=object)
    for pole in pd.unique(polarity):
        chosen = polarity == pole
        worded[chosen] = [st.trend_with_polarity(trend, pole) for trend in trends[chosen]]
    result.loc[proportions.index] = worded
    return result


def add_statistics(
    values: pd.DataFrame,
    parents: Mapping[str, str],
    register: pd.DataFrame,
    england: pd.DataFrame,
    item_bank: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The indicator table with intervals, benchmark comparisons and recent trends.

    `item_bank` (seeds/voice_items.csv): a reworded question breaks its series, so a trend
    never spans two wordings (`comparable_from`)."""
    wanted = [
        "indicator_id",
        "value_type",
        "polarity",
        "denominator_unit",
        "decimals",
        "comparable_from",
        "period_type",
    ]
    meta = register[[column for column in wanted if column in register]]
    frame = values.merge(meta, on="indicator_id", how="left", validate="many_to_one")
    unknown = frame.loc[frame["value_type"].isna(), "indicator_id"].unique()
    if len(unknown):
        raise ValueError(f"indicators without metadata in the register: {', '.join(unknown)}")
    frame = with_time_identifiers(frame)
    frame["lower_ci_95"], frame["upper_ci_95"] = _intervals(frame, 0.95)
    frame["lower_ci_998"], frame["upper_ci_998"] = _intervals(frame, 0.998)
    frame["la_value"] = _la_benchmark(frame, parents)
    frame["england_value"] = _england_benchmark(frame, england)
    polarity = frame["polarity"].to_numpy()
    decimals = _decimals(frame)
    independent = _independent(frame)
    for benchmark, column in (
        ("la_value", "compared_with_la"),
        ("england_value", "compared_with_england"),
    ):
        comparison = st.compare_as_published(
            frame["lower_ci_95"], frame["upper_ci_95"], frame[benchmark], decimals
        )
        comparison[~independent | (frame["value_type"] == "median").to_numpy()] = st.NOT_COMPARED
        frame[column] = st.apply_polarity(comparison, polarity)
    frame["recent_trend"] = _trends(frame, item_bank)
    frame["_ordinal"], _ = _period_ordinals(frame, np.zeros(len(frame), dtype=np.int64))
    # the period's own name breaks a tie of ordinals (a row the register gave no period type
    # is counted as an academic year), so the published order never depends on dbt's
    ordered = frame.sort_values(
        [
            "indicator_id",
            "_ordinal",
            "time_period",
            "time_identifier",
            "geographic_level",
            "area_code",
            "breakdown",
            "group",
        ],
        ascending=[True, True, True, True, False, True, True, True],
        kind="stable",
    )
    return ordered[STANDARD_COLUMNS + STATISTIC_COLUMNS].reset_index(drop=True)
