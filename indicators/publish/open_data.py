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
- `time_identifier` and `time_period` as the indicator's period type writes them
  (dbt_project/metadata/periods.yml): "Academic year" with six-digit periods of consecutive
  years (202324); a month as "April" with its four-digit year (2024); a row's own
  time_identifier when the published table has one;
- filters as columns, aggregates as "Total"; indicators one measure per column, one unit per
  column; never a blank cell, GSS symbols instead: `c` confidential, `x` not available,
  `z` not applicable, `low` rounds to zero but is not zero (a signed value: 0.0), `u` low
  reliability;
- meta files with exactly `col_name, col_type, label, indicator_grouping, indicator_unit,
  indicator_dp, filter_hint, filter_grouping_column`: a label for every row, indicator_dp set
  for every indicator, units only from "%", "pp", "£", "£m" (else blank, a number), no filter
  hint, unit or grouping on an indicator, a filter's grouping column not described again, and
  no filter with fewer than two levels.

Local authority rows are published, and those of a combined authority ("English devolved
area") or region ("Regional") whose authorities are all in the run, each with EES's own
code and name columns for its level (the authority's columns blank on such a row, as EES
files leave a lower level's columns blank on a higher level's row): a neighbourhood is not
an EES geographic level, so neighbourhood figures go to the board packs (and
`indicators/indicator_values.csv`) only.

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

import shutil
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Literal

import pandas as pd

from indicators.declarations import geographies, period_type
from indicators.publish.open_data_tables import (
    ABOVE_AUTHORITY_COLUMNS,
    LA_LEVEL,
    META_COLUMNS,
    REQUIRED_INPUT,
    STANDARD_COLUMNS,
    SYMBOLS,
    MetaRow,
    OpenDataTable,
    authority_names,
    check_periods,
    indicator_table,
    period_descriptions,
    text_of,
    time_sentence,
)
from indicators.publish.period_coverage import (
    MONTHS_IN_PERIOD,
    MONTHS_LANDED,
    Coverage,
    with_coverage,
)
from indicators.publish.publication import safe_cells

OPEN_DATA_DIR = "open-data"
COVERAGE_META = [
    MetaRow(MONTHS_LANDED, "Indicator", "Months of the period landed", indicator_dp="0"),
    MetaRow(MONTHS_IN_PERIOD, "Indicator", "Months in the period", indicator_dp="0"),
]
GUIDANCE_FILE = "data_guidance.txt"


def _guidance(
    tables: Sequence[tuple[OpenDataTable, Mapping[str, str]]],
    missing: Sequence[str],
    low_reliability: Literal["symbol", "footnote"],
    coverage: Coverage | None = None,
) -> str:
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
        *dict.fromkeys(
            [time_sentence(period_type(info.get("period_type"))) for _, info in tables]
            or [time_sentence(period_type(None))]
        ),
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
        lines += [
            "Low reliability: results based on fewer than twice the minimum number of",
            "respondents show u in place of the value and its intervals; their counts are",
            "published so that the base is visible.",
        ]
    else:
        lines += [
            "Low reliability: results based on fewer than twice the minimum number of",
            "respondents are published as numbers; each file below says how many rows",
            "are of low reliability, which should be read with caution.",
        ]
    fields = [
        ("Title", "title"),
        ("Domain", "domain"),
        ("Source type", "source_type"),
        ("Definition", "definition"),
        ("Why it matters", "rationale"),
        ("Numerator", "numerator_definition"),
        ("Numerator source", "numerator_source"),
        ("Denominator", "denominator_definition"),
        ("Denominator source", "denominator_source"),
        ("Unit", "unit"),
        ("Numerator counts", "numerator_unit"),
        ("Denominator counts", "denominator_unit"),
        ("Recent trend (in indicator_values.csv)", "trend_method"),
        ("Polarity", "polarity"),
        ("Confidence intervals", "ci_method"),
        ("Disclosure control", "disclosure_rule"),
        ("Frequency", "frequency"),
        ("Caveats", "caveats"),
        ("Outcome", "outcome"),
        ("Co-designed by", "co_designed_by"),
        ("Co-designed on", "co_designed_on"),
    ]
    from indicators.stats.indicator_values import trend_method

    for table, info in tables:
        info = {
            **info,
            "trend_method": text_of(info.get("trend_method"))
            or trend_method(text_of(info.get("value_type")), text_of(info.get("denominator_unit"))),
        }
        kind = period_type(info.get("period_type"))
        first, last = table.data.iloc[0], table.data.iloc[-1]  # in time order
        span = (
            f"Years: {kind.text(first['time_period'])} to {kind.text(last['time_period'])}"
            if kind.parts == 1
            else f"Periods: {kind.text(first['time_period'], first['time_identifier'])} to "
            f"{kind.text(last['time_period'], last['time_identifier'])}"
        )
        present = list(dict.fromkeys(table.data["geographic_level"]))
        columns = {
            **STANDARD_COLUMNS,
            **period_descriptions(kind),
            "geographic_level": f"the level of the figures ({'; '.join(present)})",
        }
        lines += [
            "",
            f"{table.name}.csv (metadata: {table.name}.meta.csv)",
            "-" * len(f"{table.name}.csv (metadata: {table.name}.meta.csv)"),
        ]
        lines += [
            textwrap.fill(f"{label}: {text_of(info.get(field))}", width=88, subsequent_indent="  ")
            for label, field in fields
            if text_of(info.get(field))
        ]
        lines.append(f"{span}; {len(table.data)} rows")
        for topic, groups in table.topics.items():
            lines.append(f"Breakdown '{topic}': {', '.join(groups)}")
        if coverage is not None and MONTHS_LANDED in table.data.columns:
            parts = coverage.part_periods()
            parts = parts[parts["indicator_id"] == info.get("indicator_id")]
            lines.append(
                textwrap.fill(
                    "Part periods (months_landed < months_in_period: a month not landed, "
                    "whose files loaded no rows, or, for a source counted once the next "
                    "month is landed, whose next month is not, is not counted): "
                    + (
                        "; ".join(
                            f"{kind.text(row.time_period, row.time_identifier)}, "
                            f"{row.months_landed} of {row.months_in_period} months "
                            f"({row.missing} not counted)"
                            for row in parts.itertuples()
                        )
                        or "none"
                    ),
                    width=88,
                    subsequent_indent="  ",
                )
            )
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
                lines.append(f"  {column}: {columns.get(column, column)}")
    if missing:
        lines += [
            "",
            "Indicators with no local authority figures (not in the open data): "
            + ", ".join(missing),
        ]
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
    coverage: Coverage | None = None,
) -> list[Path]:
    """Write the EES open data files into `stage/open-data/` and return their paths.

    `indicator_values` is the published table (after disclosure control, all text, EES
    symbols; `lower_ci_*`, `upper_ci_*` and `reliability` are used when present);
    `register` has one row per indicator (indicator_id, title, value_type, unit and the other
    metadata fields; `decimals` if known). `local_authorities` (seeds/local_authorities.csv:
    la_code, new_la_code, la_name, optionally region_code and region_name) supplies the
    3-digit old LA code; without it `old_la_code` is `x` (not available). `coverage`
    (period_coverage.coverage) adds `months_landed` and `months_in_period` to the file of
    each indicator built from a source counted in shorter periods, and the guidance names
    its part periods.

    The folder is rewritten whole. Raises ValueError for an indicator missing from the
    register, a time period that is not an academic year, a cell that is neither a number
    nor an EES symbol, or two rows for the same cell.
    """
    missing_columns = [c for c in REQUIRED_INPUT if c not in indicator_values.columns]
    if missing_columns:
        raise ValueError(f"indicator values lack columns: {', '.join(missing_columns)}")
    infos = {
        text_of(row["indicator_id"]): {k: text_of(v) for k, v in row.items()}
        for row in register.to_dict("records")
    }
    values = indicator_values.astype("string").fillna("")
    unknown = sorted(set(values["indicator_id"]) - set(infos))
    if unknown:
        raise ValueError(f"indicators not in the register: {', '.join(unknown)}")
    for indicator_id, rows in values.groupby("indicator_id"):  # before anything is written
        check_periods(indicator_id, rows, period_type(infos[indicator_id].get("period_type")))
    authorities = authority_names(local_authorities)
    # an authority's rows, and those of a combined authority or region whose authorities
    # are all in the run (an EES level above: geographies.yml `open_data` and `of`)
    above = [
        level.name
        for level in geographies().levels
        if level.open_data and level.of_authorities and level.name in ABOVE_AUTHORITY_COLUMNS
    ]
    la_rows = values[values["geographic_level"].isin([LA_LEVEL, *above])]

    folder = stage / OPEN_DATA_DIR
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    written: list[Path] = []
    tables: list[tuple[OpenDataTable, Mapping[str, str]]] = []
    missing: list[str] = []
    names: dict[str, str] = {}
    for indicator_id in sorted(infos):
        rows = la_rows[la_rows["indicator_id"] == indicator_id]
        if rows.empty:
            missing.append(indicator_id)
            continue
        table = indicator_table(
            indicator_id, rows, infos[indicator_id], country, authorities, low_reliability
        )
        if table.name in names:
            raise ValueError(
                f"indicators {names[table.name]} and {indicator_id} would share "
                f"the file name {table.name}.csv"
            )
        names[table.name] = indicator_id
        data, covered = with_coverage(table.data, indicator_id, coverage)
        if covered:
            table = replace(table, data=data, meta=[*table.meta, *COVERAGE_META])
        meta = pd.DataFrame([vars(row) for row in table.meta], columns=META_COLUMNS)
        written.append(_write_csv(table.data, folder / f"{table.name}.csv"))
        written.append(_write_csv(meta, folder / f"{table.name}.meta.csv"))
        tables.append((table, infos[indicator_id]))
    guidance = folder / GUIDANCE_FILE
    guidance.write_text(_guidance(tables, missing, low_reliability, coverage), encoding="utf-8")
    written.append(guidance)
    return sorted(written)
