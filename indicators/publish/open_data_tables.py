"""One indicator's open data table in the EES format: its geography, filters and
indicator columns, and the metadata rows (`<name>.meta.csv`) that describe them
(the rules are in indicators/publish/open_data.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import pandas as pd

from indicators.declarations import PeriodType, period_type

LA_LEVEL = "Local authority"
# EES's code and name columns of the levels above an authority that Chorus may publish
# (the EES screener's geography matrix): a row at such a level fills its own pair and
# leaves the authority's columns blank, as EES files do for a level above.
ABOVE_AUTHORITY_COLUMNS = {
    "Regional": ("region_code", "region_name"),
    "English devolved area": ("english_devolved_area_code", "english_devolved_area_name"),
}
LABEL_LIMIT = 100
"""EES caps a metadata label at 100 characters; an indicator's title is its value's label."""
"""The EES geographic level open data is published at (declared with `open_data: true` in
dbt_project/metadata/geographies.yml)."""
TOTAL = "Total"
ALL = "All"
"""The breakdown of aggregate rows in the indicator table."""
NOT_APPLICABLE_ITEM = "Not applicable"
"""Filter item for a cross-tabulated filter on rows of another breakdown."""

CONFIDENTIAL, NOT_AVAILABLE, NOT_APPLICABLE, LOW, LOW_RELIABILITY = "c", "x", "z", "low", "u"
SYMBOLS = {
    CONFIDENTIAL: "confidential: suppressed to protect children's and families' privacy",
    NOT_AVAILABLE: "not available",
    NOT_APPLICABLE: "not applicable",
    LOW: "rounds to zero, but is not zero",
    LOW_RELIABILITY: "low reliability: based on few respondents (see the counts)",
}
META_COLUMNS = [
    "col_name",
    "col_type",
    "label",
    "indicator_grouping",
    "indicator_unit",
    "indicator_dp",
    "filter_hint",
    "filter_grouping_column",
]
EES_UNITS = ("%", "pp", "£", "£m")
INTERVALS = {
    "lower_ci_95": "Lower limit of the 95% confidence interval",
    "upper_ci_95": "Upper limit of the 95% confidence interval",
    "lower_ci_998": "Lower limit of the 99.8% confidence interval",
    "upper_ci_998": "Upper limit of the 99.8% confidence interval",
}
VALUE_SUFFIXES = {"proportion": "percent", "mean": "average", "rate": "rate", "median": "median"}
MEASURE_WORDS = {"percent", "percentage", "average", "mean", "rate", "share", "count"}
REQUIRED_INPUT = [
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
NUMBER = re.compile(r"-?\d+(\.\d+)?")
STANDARD_COLUMNS = {
    "time_period": "academic year, e.g. 202324 for 2023/24",
    "time_identifier": "the kind of period (Academic year)",
    "geographic_level": "the level of the figures (Local authority)",
    "country_code": "country code (ONS)",
    "country_name": "country name",
    "region_code": "region code (ONS)",
    "region_name": "region name",
    "english_devolved_area_code": "combined authority (English devolved area) code (ONS)",
    "english_devolved_area_name": "combined authority (English devolved area) name",
    "old_la_code": "three-digit local authority number (x if not available)",
    "new_la_code": "nine-character local authority code (ONS)",
    "la_name": "local authority name",
    "breakdown_topic": "what the figures are broken down by (Total for everyone)",
}
COUNTS_GROUP = "Counts"
RESULT_GROUP = "Result and confidence intervals"


@dataclass(frozen=True)
class MetaRow:
    """One row of an EES meta file (blank strings for fields that do not apply)."""

    col_name: str
    col_type: Literal["Filter", "Indicator"]
    label: str
    indicator_grouping: str = ""
    indicator_unit: str = ""
    indicator_dp: str = ""
    filter_hint: str = ""
    filter_grouping_column: str = ""


@dataclass(frozen=True)
class OpenDataTable:
    """One indicator's open data file before writing."""

    name: str
    data: pd.DataFrame
    meta: list[MetaRow]
    topics: dict[str, list[str]]
    unreliable: int


def snake_case(text: str) -> str:
    """`Voice item` -> `voice_item`: lower case letters, digits and single underscores."""
    name = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return name if name and name[0].isalpha() else f"x_{name}"


def period_descriptions(kind: PeriodType) -> dict[str, str]:
    """What time_period and time_identifier mean in a file of this period type (periods.yml):
    "academic year, e.g. 202324 for 2023/24"; "the year the month is in, e.g. 2024 for April
    2024" and "the month (January to December)"."""
    example = 202324 if kind.time_period == "two_years" else 2024
    if kind.parts == 1:
        written = kind.text(example).removeprefix(f"{kind.time_identifier} ")
        return {
            "time_period": f"{kind.label}, e.g. {example} for {written}",
            "time_identifier": f"the kind of period ({kind.time_identifier})",
        }
    first, last = kind.time_identifiers[0].label, kind.time_identifiers[-1].label
    return {
        "time_period": (
            f"the year the {kind.label} is in, e.g. {example} for {kind.text(example, first)}"
        ),
        "time_identifier": f"the {kind.label} ({first} to {last})",
    }


def time_sentence(kind: PeriodType) -> str:
    """The data guidance's line on how a period type's time columns read."""
    example = 202324 if kind.time_period == "two_years" else 2024
    if kind.parts == 1:
        written = kind.text(example).removeprefix(f"{kind.time_identifier} ")
        return f"Time: time_period {example} is the {kind.label} {written}."
    first = kind.time_identifiers[0].label
    return (
        f"Time: time_period {example} with time_identifier {first} is "
        f"{kind.text(example, first)} ({kind.label})."
    )


def check_periods(indicator_id: str, rows: pd.DataFrame, kind: PeriodType) -> None:
    """Each row's time_period written as its period type writes it (two_years: six digits
    of consecutive years; year: four digits) and its time_identifier one of the type's;
    raises ValueError, one line naming the indicator, the period and the period type."""
    identifiers = (
        rows["time_identifier"].map(text_of)
        if "time_identifier" in rows
        else pd.Series("", index=rows.index)
    )
    labels = [t.label for t in kind.time_identifiers]
    for period, identifier in zip(rows["time_period"].map(text_of), identifiers, strict=True):
        where = f"{indicator_id} ({kind.label}): time_period '{period}'"
        if kind.time_period == "two_years":
            if not re.fullmatch(r"\d{6}", period):
                raise ValueError(f"{where} is not six digits (e.g. 202324)")
            if (int(period[2:4]) + 1) % 100 != int(period[4:6]):
                raise ValueError(f"{where} is not two consecutive years (e.g. 202324)")
        elif not re.fullmatch(r"\d{4}", period):
            raise ValueError(f"{where} is not four digits (e.g. 2024)")
        if kind.parts > 1 and not identifier:
            raise ValueError(f"{where} has no time_identifier ({', '.join(labels)})")
        if identifier and identifier not in labels:
            raise ValueError(
                f"{indicator_id} ({kind.label}): time_identifier '{identifier}' is not one of "
                f"{', '.join(labels)}"
            )


def text_of(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value).strip()


def _cell(value: object) -> str:
    """A published cell as text; a blank becomes `x` (EES allows no blank cells)."""
    return text_of(value) or NOT_AVAILABLE


def _first_sentence(text: str, limit: int = 100) -> str | None:
    sentence = re.split(r"(?<=[a-z0-9)])\.\s", text_of(text), maxsplit=1)[0].rstrip(".").strip()
    return sentence if 0 < len(sentence) <= limit else None


def ees_unit(unit: str, value_type: str) -> str:
    """The EES indicator_unit for a register unit: %, pp, £ or £m, else blank (a number)."""
    unit = text_of(unit)
    if unit in EES_UNITS:
        return unit
    if value_type == "proportion" or unit.startswith("%"):
        return "%"
    return ""


def value_column(indicator_id: str, value_type: str) -> str:
    """`gld` -> `gld_percent`; an id that already names its measure is kept as it is."""
    stem = snake_case(indicator_id)
    if MEASURE_WORDS & set(stem.split("_")):
        return stem
    return f"{stem}_{VALUE_SUFFIXES.get(value_type, 'value')}"


def authority_names(frame: pd.DataFrame | None) -> dict[str, dict[str, str]]:
    """new_la_code -> old_la_code (3 digits) and, if known, region_code and region_name."""
    if frame is None:
        return {}
    result = {}
    for row in frame.astype("string").fillna("").to_dict("records"):
        old = text_of(row.get("old_la_code") or row.get("la_code"))
        entry = {"old_la_code": old.zfill(3) if old.isdigit() else old or NOT_AVAILABLE}
        if text_of(row.get("region_code")) and text_of(row.get("region_name")):
            entry["region_code"] = text_of(row["region_code"])
            entry["region_name"] = text_of(row["region_name"])
        result[text_of(row["new_la_code"])] = entry
    return result


def _geography(
    rows: pd.DataFrame,
    country: tuple[str, str],
    authorities: Mapping[str, Mapping[str, str]],
    kind: PeriodType,
) -> pd.DataFrame:
    """Time and geography columns, in EES order, for each row (an authority's, or a
    combined authority's or region's: ABOVE_AUTHORITY_COLUMNS): each row's own
    time_identifier (a month, a quarter), else its period type's (Academic year). A row
    above the authority leaves the authority's columns blank."""
    codes = rows["area_code"].map(text_of)
    levels = rows["geographic_level"].map(text_of).tolist()
    is_la = [level == LA_LEVEL for level in levels]
    known = [
        authorities.get(code, {}) if la else {} for code, la in zip(codes, is_la, strict=False)
    ]
    columns: dict[str, list[str]] = {
        "time_period": rows["time_period"].map(text_of).tolist(),
        "time_identifier": (
            rows["time_identifier"].map(text_of).replace("", kind.time_identifier).tolist()
            if "time_identifier" in rows
            else [kind.time_identifier] * len(rows)
        ),
        "geographic_level": levels,
        "country_code": [country[0]] * len(rows),
        "country_name": [country[1]] * len(rows),
    }
    names = rows["area_name"].map(text_of).tolist()
    authority_known = [entry for entry, la in zip(known, is_la, strict=False) if la]
    for level, (code_column, name_column) in ABOVE_AUTHORITY_COLUMNS.items():
        own = [row_level == level for row_level in levels]
        from_list = level == "Regional" and all("region_code" in e for e in authority_known)
        if not any(own) and not (from_list and authority_known):
            continue
        columns[code_column] = [
            code if mine else (entry.get(code_column, "") if from_list else "")
            for code, mine, entry in zip(codes, own, known, strict=False)
        ]
        columns[name_column] = [
            name if mine else (entry.get(name_column, "") if from_list else "")
            for name, mine, entry in zip(names, own, known, strict=False)
        ]
    columns["old_la_code"] = [
        entry.get("old_la_code", NOT_AVAILABLE) if la else ""
        for entry, la in zip(known, is_la, strict=False)
    ]
    columns["new_la_code"] = [code if la else "" for code, la in zip(codes, is_la, strict=False)]
    columns["la_name"] = [name if la else "" for name, la in zip(names, is_la, strict=False)]
    return pd.DataFrame(columns, index=rows.index)


def _filters(
    rows: pd.DataFrame, reserved: set[str]
) -> tuple[pd.DataFrame, list[MetaRow], dict[str, list[str]]]:
    """Filter columns for one indicator's rows, their meta rows and the breakdown topics."""
    is_total = rows["breakdown"].map(text_of) == ALL
    parts = rows["breakdown"].map(text_of).str.split(": ", n=1, expand=True)
    if parts.shape[1] == 1:
        parts[1] = None
    topic = parts[0].where(~is_total, TOTAL)
    breakdown = rows["group"].map(text_of).where(~is_total, TOTAL)
    columns: dict[str, pd.Series] = {}
    labels: dict[str, str] = {}
    for crossed in sorted(parts.loc[parts[1].notna(), 0].unique()):
        name = snake_case(crossed)
        while name in reserved or name in columns or name in ("breakdown", "breakdown_topic"):
            name = f"{name}_filter"
        has = parts[1].notna() & (parts[0] == crossed)
        columns[name] = parts[1].where(has, NOT_APPLICABLE_ITEM).where(~is_total, TOTAL)
        labels[name] = crossed
    columns["breakdown_topic"] = topic
    columns["breakdown"] = breakdown

    topics: dict[str, list[str]] = {}
    for name, group in zip(rows["breakdown"].map(text_of), rows["group"].map(text_of), strict=True):
        if name != ALL and group not in topics.setdefault(name, []):
            topics[name].append(group)

    def levels(name: str) -> int:
        return columns[name].nunique()

    meta: list[MetaRow] = []
    kept: list[str] = []
    for name, label in labels.items():
        if levels(name) >= 2:
            kept.append(name)
            meta.append(MetaRow(name, "Filter", label, filter_hint=f"Filter by {label.lower()}"))
    topic_names = [t for t in topic.unique() if t != TOTAL]
    hint = "Filter by " + (
        "group within each " + _or_list(topic_names).lower() if labels else _or_list(topic_names)
    )
    hint += " (Total is everyone)" if (topic == TOTAL).any() else ""
    topic_meta = MetaRow(
        "breakdown_topic",
        "Filter",
        "Breakdown topic",
        filter_hint="Filter by what the figures are broken down by",
    )
    # Cross-tabulated only ("Voice item: x" by answer): the topic names its own column.
    crossed_only = bool(labels) and levels("breakdown_topic") < 2
    if levels("breakdown") >= 2:
        grouped = not crossed_only and levels("breakdown_topic") <= levels("breakdown")
        if not crossed_only:
            kept.append("breakdown_topic")
        if not crossed_only and not grouped:  # more topics than groups: a filter of its own
            meta.append(topic_meta)
        kept.append("breakdown")
        meta.append(
            MetaRow(
                "breakdown",
                "Filter",
                "Breakdown",
                filter_hint=hint,
                filter_grouping_column="breakdown_topic" if grouped else "",
            )
        )
    elif levels("breakdown_topic") >= 2:
        kept.append("breakdown_topic")
        meta.append(replace(topic_meta, filter_hint=hint))
    frame = pd.DataFrame({name: columns[name] for name in kept}, index=rows.index)
    return frame, meta, topics


def _or_list(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items) or "group"
    return ", ".join(items[:-1]) + " or " + items[-1]


def _indicators(
    rows: pd.DataFrame, info: Mapping[str, str], low_reliability: Literal["symbol", "footnote"]
) -> tuple[pd.DataFrame, list[MetaRow], int]:
    """Indicator columns for one indicator's rows, their meta rows and the low-reliability
    cells (shown as `u`, or kept and counted for the guidance)."""
    value_type = text_of(info.get("value_type")) or "proportion"
    unit = ees_unit(info.get("unit", ""), value_type)
    decimals = text_of(info.get("decimals"))
    dp = str(int(float(decimals))) if NUMBER.fullmatch(decimals) else "1"
    numerator = "numerator_sum" if value_type == "mean" else "numerator_count"
    value = value_column(info["indicator_id"], value_type)
    numerator_label = _first_sentence(info.get("numerator_definition", "")) or (
        "Sum of the scores (numerator)" if value_type == "mean" else "Number counted (numerator)"
    )
    denominator_label = _first_sentence(info.get("denominator_definition", "")) or (
        "Number in the group (denominator)"
    )
    if numerator_label == denominator_label:
        numerator_label, denominator_label = "Numerator", "Denominator"
    title = text_of(info.get("title")) or info["indicator_id"]
    # EES wants every label in a meta file distinct: a title worded like its numerator
    # ("Referrals with a hub meeting date") names the value as a value
    value_label = title
    if value_label in (numerator_label, denominator_label):
        value_label = f"{title}: {'median' if value_type == 'median' else 'value'}"
    columns = {
        numerator: rows["numerator"].map(_cell),
        "denominator_count": rows["denominator"].map(_cell),
        value: rows["value"].map(_cell),
    }
    meta = [
        MetaRow(numerator, "Indicator", numerator_label, COUNTS_GROUP, "", "0"),
        MetaRow("denominator_count", "Indicator", denominator_label, COUNTS_GROUP, "", "0"),
        MetaRow(value, "Indicator", value_label[:LABEL_LIMIT], RESULT_GROUP, unit, dp),
    ]
    if value_type == "median":  # a median has no numerator: only the count it rests on
        del columns[numerator]
        meta = meta[1:]
    for name, label in INTERVALS.items():
        if name not in rows:
            continue
        cells = rows[name].map(_cell)
        if set(cells) <= {NOT_AVAILABLE, NOT_APPLICABLE}:
            continue  # this indicator has no such interval (e.g. a rate)
        columns[name] = cells
        meta.append(MetaRow(name, "Indicator", label, RESULT_GROUP, unit, dp))
    frame = pd.DataFrame(columns, index=rows.index)
    unreliable = 0
    if "reliability" in rows:
        low = (rows["reliability"].map(text_of).str.lower() == "low") & ~frame[value].isin(
            set(SYMBOLS)
        )
        unreliable = int(low.sum())
        if low_reliability == "symbol":
            for name in [value, *[n for n in INTERVALS if n in frame]]:
                frame.loc[low & ~frame[name].isin(set(SYMBOLS)), name] = LOW_RELIABILITY
    for name in frame:
        bad = frame[name][
            ~(frame[name].str.fullmatch(NUMBER.pattern) | frame[name].isin(set(SYMBOLS)))
        ]
        if len(bad):
            raise ValueError(
                f"{info['indicator_id']}: {name} has '{bad.iloc[0]}', which is "
                f"neither a number nor one of {', '.join(SYMBOLS)}"
            )
    return frame, meta, unreliable


def indicator_table(
    indicator_id: str,
    rows: pd.DataFrame,
    info: Mapping[str, str],
    country: tuple[str, str],
    authorities: Mapping[str, Mapping[str, str]],
    low_reliability: Literal["symbol", "footnote"],
) -> OpenDataTable:
    # the EES time identifier of the indicator's declared period type (periods.yml)
    kind = period_type(info.get("period_type"))
    check_periods(indicator_id, rows, kind)
    geography = _geography(rows, country, authorities, kind)
    filters, filter_meta, topics = _filters(rows, set(geography.columns))
    indicators, indicator_meta, unreliable = _indicators(rows, info, low_reliability)
    data = pd.concat([geography, filters, indicators], axis=1)
    key = [*geography.columns, *filters.columns]
    duplicated = data.duplicated(key, keep=False)
    if duplicated.any():
        first = data.loc[duplicated, key].iloc[0].to_dict()
        raise ValueError(f"{indicator_id}: more than one row for {first}")
    order = {"breakdown_topic": lambda s: s.ne(TOTAL), "breakdown": lambda s: s.ne(TOTAL)}
    # in time order: by the period's ordinal (a month's place in the calendar)
    order["time_period"] = lambda _: pd.Series(
        kind.ordinals(data["time_period"].astype(int), data["time_identifier"]), index=data.index
    )
    sort_by = ["time_period", "new_la_code", *[c for c in filters.columns if c in order]]
    data = data.sort_values(
        sort_by, key=lambda s: order[s.name](s) if s.name in order else s, kind="stable"
    ).reset_index(drop=True)
    return OpenDataTable(
        snake_case(indicator_id), data, [*filter_meta, *indicator_meta], topics, unreliable
    )
