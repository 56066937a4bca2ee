"""Open data in the Explore Education Statistics (EES) format, for `output/open-data/`.

Pure: the published (already disclosure-controlled, all-text) indicator table and the
register in, files out. No Dagster; the publish asset calls `write_open_data` on its staging
folder, so the open data is swapped into place with everything else or not at all.

The rules followed are DfE's open data standards for EES ("Open data standards", DfE
analysts' guide, statistics-production/ud) as checked by DfE's screener (eesyscreener):

- tidy UTF-8 CSV, snake_case column names that start with a letter, lower-case file names of
  letters, digits, hyphens and underscores, each data file `<name>.csv` with `<name>.meta.csv`;
- the required columns `time_period, time_identifier, geographic_level, country_code,
  country_name`, plus `old_la_code, new_la_code, la_name` at "Local authority" level (the
  screener wants all three LA columns together); `region_code, region_name` too when the LA
  table passed in knows them;
- `time_identifier` "Academic year" with six-digit periods of consecutive years (202324);
- filters as columns, aggregates as "Total"; indicators one measure per column, one unit per
  column; never a blank cell, GSS symbols instead: `c` confidential, `x` not available,
  `z` not applicable, `low` rounds to zero but is not zero, `u` low reliability;
- meta files with exactly `col_name, col_type, label, indicator_grouping, indicator_unit,
  indicator_dp, filter_hint, filter_grouping_column`: a label for every row, indicator_dp set
  for every indicator, units only from "%", "pp", "£", "£m" (else blank, a number), no filter
  hint, unit or grouping on an indicator, a filter's grouping column not described again, and
  no filter with fewer than two levels.

Only local authority rows are published: a neighbourhood is not an EES geographic level, so
neighbourhood figures go to the board packs (and `indicators/indicator_values.csv`) only.

**Layout: one tidy file per indicator** (`<indicator_id>.csv`), because indicators differ in
what a row counts (children, respondents, the consented linked subset), in their unit (%,
a mean of ELGs or of a question's scale, a rate per 100) and in their breakdowns (child
characteristics, voice items, channels, seldom-heard groups, item by answer). One file per
indicator keeps every column a single measure with a single unit, needs no padding of
other indicators' breakdowns with `z` (DfE: many empty cells mean incompatible filters,
which belong in separate files), maps the register one to one onto the meta file and the
data guidance, and gives file names that are stable year on year. The cost is that two
indicators cannot share one EES table; their files have the same layout so they join on
`time_period`, the LA and the filters.

Columns of each file, in order:

- time and geography (above);
- filters `breakdown_topic` and `breakdown`: DfE's pattern for breakdowns that are not
  cross-tabulated ("Sex" / "Female", "Voice item" / "read_together"), with `breakdown_topic`
  as the filter grouping column of `breakdown` (so it has no meta row of its own), and
  "Total" / "Total" for the aggregate rows (`breakdown` "All" in the indicator table). A
  cross-tabulated breakdown written "Topic: item" (e.g. "Voice item: read_together" by
  "Positive answer") gets its own filter column named after the topic (`voice_item`), and
  `breakdown` holds the group within it; `breakdown_topic` is then left out when it would
  only repeat "Voice item". Filters with a single level are left out, as EES asks; an
  indicator with only totals has no filter columns;
- indicators: `numerator_count` (`numerator_sum` for means: the sum of the scores),
  `denominator_count`, the value (`<indicator_id>_percent`, `_average` or `_rate`, unless
  the id already names its measure) and, where the indicator has them,
  `lower_ci_95, upper_ci_95, lower_ci_998, upper_ci_998` in the value's unit.

Not published here: `compared_with_la`, `compared_with_england` and `recent_trend` are
judgements in words, not statistics (EES indicators are numbers or symbols); the intervals
let users make the comparisons, and the board packs state them in words.

**Low reliability** (`reliability` "low": a voice or linked result resting on fewer than
twice the minimum respondents) surfaces as the EES symbol `u` in the value and its
intervals, by default, because the EES table tool has no per-cell footnote and `u` is the
GSS symbol for exactly this; the counts stay published (they are safe, and they show why).
`low_reliability="footnote"` keeps the numbers instead and lists the cells in the data
guidance. Suppressed cells (`c`) are never touched, so nothing here is less protected than
the published indicator table.

Alongside the tables, `data_guidance.txt` describes every file from the register (EES asks
for data guidance with every data file): definitions, sources, caveats, the columns, the
breakdowns and the symbols.
"""

from __future__ import annotations

import re
import shutil
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import pandas as pd

from indicators.publication import safe_cells

OPEN_DATA_DIR = "open-data"
GUIDANCE_FILE = "data_guidance.txt"
TIME_IDENTIFIER = "Academic year"
LA_LEVEL = "Local authority"
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
META_COLUMNS = ["col_name", "col_type", "label", "indicator_grouping", "indicator_unit",
                "indicator_dp", "filter_hint", "filter_grouping_column"]
EES_UNITS = ("%", "pp", "£", "£m")
INTERVALS = {
    "lower_ci_95": "Lower limit of the 95% confidence interval",
    "upper_ci_95": "Upper limit of the 95% confidence interval",
    "lower_ci_998": "Lower limit of the 99.8% confidence interval",
    "upper_ci_998": "Upper limit of the 99.8% confidence interval",
}
VALUE_SUFFIXES = {"proportion": "percent", "mean": "average", "rate": "rate"}
MEASURE_WORDS = {"percent", "percentage", "average", "mean", "rate", "share", "count"}
REQUIRED_INPUT = ["indicator_id", "time_period", "geographic_level", "area_code", "area_name",
                  "breakdown", "group", "numerator", "denominator", "value"]
NUMBER = re.compile(r"-?\d+(\.\d+)?")
STANDARD_COLUMNS = {
    "time_period": "academic year, e.g. 202324 for 2023/24",
    "time_identifier": "the kind of period (Academic year)",
    "geographic_level": "the level of the figures (Local authority)",
    "country_code": "country code (ONS)",
    "country_name": "country name",
    "region_code": "region code (ONS)",
    "region_name": "region name",
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
class _Table:
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


def _academic_year(period: str) -> str:
    """`202324` -> `2023/24`; raises ValueError unless six digits of consecutive years."""
    if not re.fullmatch(r"\d{6}", period):
        raise ValueError(f"time_period '{period}' is not six digits (e.g. 202324)")
    if (int(period[2:4]) + 1) % 100 != int(period[4:6]):
        raise ValueError(f"time_period '{period}' is not two consecutive years (e.g. 202324)")
    return f"{period[:4]}/{period[4:]}"


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value).strip()


def _cell(value: object) -> str:
    """A published cell as text; a blank becomes `x` (EES allows no blank cells)."""
    return _text(value) or NOT_AVAILABLE


def _first_sentence(text: str, limit: int = 100) -> str | None:
    sentence = re.split(r"(?<=[a-z0-9)])\.\s", _text(text), maxsplit=1)[0].rstrip(".").strip()
    return sentence if 0 < len(sentence) <= limit else None


def ees_unit(unit: str, value_type: str) -> str:
    """The EES indicator_unit for a register unit: %, pp, £ or £m, else blank (a number)."""
    unit = _text(unit)
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


def _local_authorities(frame: pd.DataFrame | None) -> dict[str, dict[str, str]]:
    """new_la_code -> old_la_code (3 digits) and, if known, region_code and region_name."""
    if frame is None:
        return {}
    result = {}
    for row in frame.astype("string").fillna("").to_dict("records"):
        old = _text(row.get("old_la_code") or row.get("la_code"))
        entry = {"old_la_code": old.zfill(3) if old.isdigit() else old or NOT_AVAILABLE}
        if _text(row.get("region_code")) and _text(row.get("region_name")):
            entry["region_code"] = _text(row["region_code"])
            entry["region_name"] = _text(row["region_name"])
        result[_text(row["new_la_code"])] = entry
    return result


def _geography(rows: pd.DataFrame, country: tuple[str, str],
               authorities: Mapping[str, Mapping[str, str]]) -> pd.DataFrame:
    """Time and geography columns, in EES order, for each LA row."""
    codes = rows["area_code"].map(_text)
    known = [authorities.get(code, {}) for code in codes]
    columns: dict[str, list[str]] = {
        "time_period": rows["time_period"].map(_text).tolist(),
        "time_identifier": [TIME_IDENTIFIER] * len(rows),
        "geographic_level": [LA_LEVEL] * len(rows),
        "country_code": [country[0]] * len(rows),
        "country_name": [country[1]] * len(rows),
    }
    if known and all("region_code" in entry for entry in known):
        columns["region_code"] = [entry["region_code"] for entry in known]
        columns["region_name"] = [entry["region_name"] for entry in known]
    columns["old_la_code"] = [entry.get("old_la_code", NOT_AVAILABLE) for entry in known]
    columns["new_la_code"] = codes.tolist()
    columns["la_name"] = rows["area_name"].map(_text).tolist()
    return pd.DataFrame(columns, index=rows.index)


def _filters(rows: pd.DataFrame, reserved: set[str]
             ) -> tuple[pd.DataFrame, list[MetaRow], dict[str, list[str]]]:
    """Filter columns for one indicator's rows, their meta rows and the breakdown topics."""
    is_total = rows["breakdown"].map(_text) == ALL
    parts = rows["breakdown"].map(_text).str.split(": ", n=1, expand=True)
    if parts.shape[1] == 1:
        parts[1] = None
    topic = parts[0].where(~is_total, TOTAL)
    breakdown = rows["group"].map(_text).where(~is_total, TOTAL)
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
    for name, group in zip(rows["breakdown"].map(_text), rows["group"].map(_text), strict=True):
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
    hint = "Filter by " + ("group within each " + _or_list(topic_names).lower() if labels
                           else _or_list(topic_names))
    hint += " (Total is everyone)" if (topic == TOTAL).any() else ""
    topic_meta = MetaRow("breakdown_topic", "Filter", "Breakdown topic",
                         filter_hint="Filter by what the figures are broken down by")
    # Cross-tabulated only ("Voice item: x" by answer): the topic names its own column.
    crossed_only = bool(labels) and levels("breakdown_topic") < 2
    if levels("breakdown") >= 2:
        grouped = not crossed_only and levels("breakdown_topic") <= levels("breakdown")
        if not crossed_only:
            kept.append("breakdown_topic")
        if not crossed_only and not grouped:  # more topics than groups: a filter of its own
            meta.append(topic_meta)
        kept.append("breakdown")
        meta.append(MetaRow("breakdown", "Filter", "Breakdown", filter_hint=hint,
                            filter_grouping_column="breakdown_topic" if grouped else ""))
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


def _indicators(rows: pd.DataFrame, info: Mapping[str, str],
                low_reliability: Literal["symbol", "footnote"]
                ) -> tuple[pd.DataFrame, list[MetaRow], int]:
    """Indicator columns for one indicator's rows, their meta rows and the low-reliability
    cells (shown as `u`, or kept and counted for the guidance)."""
    value_type = _text(info.get("value_type")) or "proportion"
    unit = ees_unit(info.get("unit", ""), value_type)
    decimals = _text(info.get("decimals"))
    dp = str(int(float(decimals))) if NUMBER.fullmatch(decimals) else "1"
    numerator = "numerator_sum" if value_type == "mean" else "numerator_count"
    value = value_column(info["indicator_id"], value_type)
    numerator_label = _first_sentence(info.get("numerator_definition", "")) or (
        "Sum of the scores (numerator)" if value_type == "mean" else "Number counted (numerator)")
    denominator_label = _first_sentence(info.get("denominator_definition", "")) or (
        "Number in the group (denominator)")
    if numerator_label == denominator_label:
        numerator_label, denominator_label = "Numerator", "Denominator"
    title = _text(info.get("title")) or info["indicator_id"]
    columns = {numerator: rows["numerator"].map(_cell),
               "denominator_count": rows["denominator"].map(_cell),
               value: rows["value"].map(_cell)}
    meta = [MetaRow(numerator, "Indicator", numerator_label, COUNTS_GROUP, "", "0"),
            MetaRow("denominator_count", "Indicator", denominator_label, COUNTS_GROUP, "", "0"),
            MetaRow(value, "Indicator", title[:100], RESULT_GROUP, unit, dp)]
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
        low = (rows["reliability"].map(_text).str.lower() == "low") & ~frame[value].isin(
            set(SYMBOLS))
        unreliable = int(low.sum())
        if low_reliability == "symbol":
            for name in [value, *[n for n in INTERVALS if n in frame]]:
                frame.loc[low & ~frame[name].isin(set(SYMBOLS)), name] = LOW_RELIABILITY
    for name in frame:
        bad = frame[name][~(frame[name].str.fullmatch(NUMBER.pattern)
                            | frame[name].isin(set(SYMBOLS)))]
        if len(bad):
            raise ValueError(f"{info['indicator_id']}: {name} has '{bad.iloc[0]}', which is "
                             f"neither a number nor one of {', '.join(SYMBOLS)}")
    return frame, meta, unreliable


def _table(indicator_id: str, rows: pd.DataFrame, info: Mapping[str, str],
           country: tuple[str, str], authorities: Mapping[str, Mapping[str, str]],
           low_reliability: Literal["symbol", "footnote"]) -> _Table:
    geography = _geography(rows, country, authorities)
    filters, filter_meta, topics = _filters(rows, set(geography.columns))
    indicators, indicator_meta, unreliable = _indicators(rows, info, low_reliability)
    data = pd.concat([geography, filters, indicators], axis=1)
    key = [*geography.columns, *filters.columns]
    duplicated = data.duplicated(key, keep=False)
    if duplicated.any():
        first = data.loc[duplicated, key].iloc[0].to_dict()
        raise ValueError(f"{indicator_id}: more than one row for {first}")
    order = {"breakdown_topic": lambda s: s.ne(TOTAL), "breakdown": lambda s: s.ne(TOTAL)}
    sort_by = ["time_period", "new_la_code", *[c for c in filters.columns if c in order]]
    data = data.sort_values(sort_by, key=lambda s: order[s.name](s) if s.name in order else s,
                            kind="stable").reset_index(drop=True)
    return _Table(snake_case(indicator_id), data, [*filter_meta, *indicator_meta], topics,
                  unreliable)


def _guidance(tables: Sequence[tuple[_Table, Mapping[str, str]]], missing: Sequence[str],
              low_reliability: Literal["symbol", "footnote"]) -> str:
    """Plain-text data guidance: the files, their columns and the register's metadata."""
    lines = [
        "Chorus open data: data guidance",
        "===============================",
        "",
        "Indicators for the local authority, one tidy CSV file per indicator, in the Explore",
        "Education Statistics (EES) open data format. Each <name>.csv has a <name>.meta.csv",
        "describing its filters and indicators for EES. Files are UTF-8 and have no blank cells.",
        "",
        "Geography: local authority level only (geographic_level 'Local authority').",
        "Neighbourhoods are not an EES geographic level: neighbourhood figures are in the board",
        "packs and in indicators/indicator_values.csv.",
        "Time: time_period 202324 is the academic year 2023/24.",
        "Filters: breakdown_topic and breakdown say which group a row describes; 'Total' rows",
        "cover everyone. Groups of a voice item, domain or seldom-heard group can overlap (one",
        "respondent answers many questions), so they do not add up to a total.",
        "Not included: comparisons with the authority and England and recent trends, which are",
        "judgements in words; the confidence intervals allow the same comparisons.",
        "",
        "Symbols",
        "-------",
        *[f"{symbol:>4}  {meaning}" for symbol, meaning in SYMBOLS.items()],
        "",
        "Disclosure control: counts that could identify a child or family, and every figure",
        "built on them, are shown as c, including cells suppressed so that others cannot be",
        "recovered by subtraction.",
    ]
    if low_reliability == "symbol":
        lines += ["Low reliability: results based on fewer than twice the minimum number of",
                  "respondents show u in place of the value and its intervals; their counts are",
                  "published so that the base is visible."]
    else:
        lines += ["Low reliability: results based on fewer than twice the minimum number of",
                  "respondents are published as numbers; each file below says how many rows",
                  "are of low reliability, which should be read with caution."]
    fields = [("Title", "title"), ("Domain", "domain"), ("Source type", "source_type"),
              ("Definition", "definition"), ("Why it matters", "rationale"),
              ("Numerator", "numerator_definition"), ("Numerator source", "numerator_source"),
              ("Denominator", "denominator_definition"),
              ("Denominator source", "denominator_source"), ("Unit", "unit"),
              ("Numerator counts", "numerator_unit"), ("Denominator counts", "denominator_unit"),
              ("Recent trend (in indicator_values.csv)", "trend_method"),
              ("Polarity", "polarity"), ("Confidence intervals", "ci_method"),
              ("Disclosure control", "disclosure_rule"), ("Frequency", "frequency"),
              ("Caveats", "caveats"), ("Outcome", "outcome"),
              ("Co-designed by", "co_designed_by"), ("Co-designed on", "co_designed_on")]
    from indicators.indicator_stats import trend_method

    for table, info in tables:
        info = {**info, "trend_method": _text(info.get("trend_method")) or trend_method(
            _text(info.get("value_type")), _text(info.get("denominator_unit")))}
        periods = sorted(table.data["time_period"].unique())
        lines += ["", f"{table.name}.csv (metadata: {table.name}.meta.csv)",
                  "-" * len(f"{table.name}.csv (metadata: {table.name}.meta.csv)")]
        lines += [textwrap.fill(f"{label}: {_text(info.get(field))}", width=88,
                                subsequent_indent="  ")
                  for label, field in fields if _text(info.get(field))]
        lines.append(f"Years: {_academic_year(periods[0])} to {_academic_year(periods[-1])}; "
                     f"{len(table.data)} rows")
        for topic, groups in table.topics.items():
            lines.append(f"Breakdown '{topic}': {', '.join(groups)}")
        if table.unreliable:
            shown = "shown as u" if low_reliability == "symbol" else "published as numbers"
            lines.append(f"Low reliability: {table.unreliable} rows ({shown})")
        lines.append("Columns:")
        described = {row.col_name: row for row in table.meta}
        for column in table.data.columns:
            row = described.get(column)
            if row is not None:
                unit = f" ({row.indicator_unit})" if row.indicator_unit else ""
                lines.append(f"  {column}: {row.label}{unit}")
            else:
                lines.append(f"  {column}: {STANDARD_COLUMNS.get(column, column)}")
    if missing:
        lines += ["", "Indicators with no local authority figures (not in the open data): "
                  + ", ".join(missing)]
    return "\n".join(lines) + "\n"


def _write_csv(frame: pd.DataFrame, path: Path) -> Path:
    safe_cells(frame).to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return path


def write_open_data(
    stage: Path,
    indicator_values: pd.DataFrame,
    register: pd.DataFrame,
    country: tuple[str, str] = ("E92000001", "England"),
    *,
    local_authorities: pd.DataFrame | None = None,
    low_reliability: Literal["symbol", "footnote"] = "symbol",
) -> list[Path]:
    """Write the EES open data files into `stage/open-data/` and return their paths.

    `indicator_values` is the published table (after disclosure control, all text, EES
    symbols; `lower_ci_*`, `upper_ci_*` and `reliability` are used when present);
    `register` has one row per indicator (indicator_id, title, value_type, unit and the other
    metadata fields; `decimals` if known). `local_authorities` (seeds/local_authorities.csv:
    la_code, new_la_code, la_name, optionally region_code and region_name) supplies the
    3-digit old LA code; without it `old_la_code` is `x` (not available).

    The folder is rewritten whole. Raises ValueError for an indicator missing from the
    register, a time period that is not an academic year, a cell that is neither a number
    nor an EES symbol, or two rows for the same cell.
    """
    missing_columns = [c for c in REQUIRED_INPUT if c not in indicator_values.columns]
    if missing_columns:
        raise ValueError(f"indicator values lack columns: {', '.join(missing_columns)}")
    infos = {_text(row["indicator_id"]): {k: _text(v) for k, v in row.items()}
             for row in register.to_dict("records")}
    values = indicator_values.astype("string").fillna("")
    unknown = sorted(set(values["indicator_id"]) - set(infos))
    if unknown:
        raise ValueError(f"indicators not in the register: {', '.join(unknown)}")
    for period in values["time_period"].unique():
        _academic_year(_text(period))
    authorities = _local_authorities(local_authorities)
    la_rows = values[values["geographic_level"] == LA_LEVEL]

    folder = stage / OPEN_DATA_DIR
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    written: list[Path] = []
    tables: list[tuple[_Table, Mapping[str, str]]] = []
    missing: list[str] = []
    names: dict[str, str] = {}
    for indicator_id in sorted(infos):
        rows = la_rows[la_rows["indicator_id"] == indicator_id]
        if rows.empty:
            missing.append(indicator_id)
            continue
        table = _table(indicator_id, rows, infos[indicator_id], country, authorities,
                       low_reliability)
        if table.name in names:
            raise ValueError(f"indicators {names[table.name]} and {indicator_id} would share "
                             f"the file name {table.name}.csv")
        names[table.name] = indicator_id
        meta = pd.DataFrame([vars(row) for row in table.meta], columns=META_COLUMNS)
        written.append(_write_csv(table.data, folder / f"{table.name}.csv"))
        written.append(_write_csv(meta, folder / f"{table.name}.meta.csv"))
        tables.append((table, infos[indicator_id]))
    guidance = folder / GUIDANCE_FILE
    guidance.write_text(_guidance(tables, missing, low_reliability), encoding="utf-8")
    written.append(guidance)
    return sorted(written)
