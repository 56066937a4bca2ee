"""Whole periods and part periods, and loaded rows that link to nothing (the publication's
account of what its quarters and years rest on).

A source counted in a period that divides the year (a month, a quarter: its spec's
`period:`) lands period by period. A quarter or year of an indicator built from such a
source is **whole** only when every month of it is landed with rows loaded, for every such
source the indicator is built from (marts.dim_indicator_sources, from dbt's graph); else it
is a **part period**: the open data gives each row's `months_landed` of its
`months_in_period`, and the data guidance, the run log and quality/period_notes.csv name the
months missing. A period whose files all loaded no rows (a header-only file, or every row
quarantined) is **counted as not landed**, one line naming each file ("... loaded no rows:
November 2024 counted as not landed"): a file with a header alone must never make its
quarter look whole.
A source whose spec says `counted_when: next_period_landed` (a referral's Voice Notes and
hub meeting arrive in next month's files) has a month counted only once the next month is
landed with rows too, as the Early Help journeys count it: the latest month landed, and the
month before an empty one, are not counted yet. A source whose spec says `starts_late:
true` (the Voice Note began part-way) has the months before its first file (with rows or not)
counted (none of its rows were due); a month after it with no rows is not counted, like any
other.
Nothing here names a source: the period
types come from the specs.

Rows kept but linked to nothing (a Voice Note whose referral was never landed:
marts.fct_unlinked_rows) are counted per landed file and period in the same notes, so every
landed row is accounted for.

Pure: frames in, frames and lines out.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from indicators.declarations import PeriodType, period_type
from indicators.disclosure.part_periods import first_month
from indicators.periods import Period, period_of_key
from indicators.publish.unit_gaps import month_name as _month_name
from indicators.sources.spec import SourceSpec

NOTE_COLUMNS = ["kind", "period", "file", "rows", "note"]
MONTHS_LANDED = "months_landed"
MONTHS_IN_PERIOD = "months_in_period"


def _months_of(period: Period) -> range:
    start = period.start.year * 12 + period.start.month - 1
    return range(start, start + period.months)


def divided_kinds(specs: Mapping[str, SourceSpec]) -> dict[str, SourceSpec]:
    """The kinds counted in a period that divides the year (months, quarters)."""
    return {kind: spec for kind, spec in specs.items() if period_type(spec.period).parts > 1}


def _periods(load_log: pd.DataFrame, kinds: Mapping[str, SourceSpec]) -> pd.DataFrame:
    """load_log rows of the divided kinds, with their Period (None: a key naming none)."""
    rows = load_log[load_log["kind"].isin(list(kinds))].copy()
    rows["period"] = [period_of_key(str(key)) for key in rows["academic_year"]]
    rows = rows[rows["period"].notna()]
    rows["rows_loaded"] = pd.to_numeric(rows["rows_loaded"], errors="coerce").fillna(0)
    return rows


def _files_and_rows(
    load_log: pd.DataFrame, kinds: Mapping[str, SourceSpec]
) -> tuple[dict[str, set[int]], dict[str, set[int]]]:
    """Per raw table: the months with a file landed (rows or not), and with rows loaded."""
    files: dict[str, set[int]] = {spec.raw_table: set() for spec in kinds.values()}
    landed: dict[str, set[int]] = {spec.raw_table: set() for spec in kinds.values()}
    for (kind, _), period_rows in _periods(load_log, kinds).groupby(["kind", "academic_year"]):
        months = _months_of(period_rows["period"].iloc[0])
        files[kinds[kind].raw_table].update(months)
        if period_rows["rows_loaded"].sum() > 0:
            landed[kinds[kind].raw_table].update(months)
    return files, landed


def _begun(spec: SourceSpec, files: set[int], declared: Mapping[str, int]) -> int | None:
    """The month a `starts_late` source began: its first file's (rows or not: a header-only
    file says it had begun), or its declared start (`declared_start`) when earlier; None
    when neither is known."""
    known = [m for m in (min(files) if files else None, declared.get(spec.raw_table)) if m]
    return min(known) if known else None


def declared_starts(
    specs: Mapping[str, SourceSpec], read_seed: Callable[[str], pd.DataFrame | None]
) -> dict[str, int]:
    """Per raw table of a source with `declared_start: {seed, column}`: the earliest month
    (YYYY-MM) in that column of the seed, as year * 12 + month - 1 (none when the seed has
    no such month). `read_seed(name)` gives the seed's frame, or None."""
    starts = {}
    for spec in specs.values():
        if not spec.declared_start:
            continue
        seed, column = spec.declared_start
        frame = read_seed(seed)
        if frame is None or column not in frame:
            continue
        months = pd.to_datetime(frame[column].astype(str).str.strip(), format="%Y-%m",
                                errors="coerce").dropna()  # fmt: skip
        if len(months):
            first = months.min()
            starts[spec.raw_table] = first.year * 12 + first.month - 1
    return starts


def landed_months(
    load_log: pd.DataFrame,
    specs: Mapping[str, SourceSpec],
    declared: Mapping[str, int] | None = None,
    silent: Mapping[str, set[int]] | None = None,
) -> dict[str, set[int]]:
    """Per raw table of a divided kind: the months (year * 12 + month - 1) counted: those of
    its periods whose files loaded at least one row (with, for `starts_late`, every month
    landed by any source before it began: `_begun`), less the months whose files hold no
    row of a unit that had begun (`silent`: indicators/publish/unit_gaps.py), less, for
    `next_period_landed`, those whose next period is not counted so."""
    kinds = divided_kinds(specs)
    files, landed = _files_and_rows(load_log, kinds)
    every = set().union(*landed.values())
    for spec in kinds.values():  # begun part-way: the periods before it have none of its rows
        if spec.starts_late and every:
            begun = _begun(spec, files[spec.raw_table], declared or {})
            landed[spec.raw_table].update(
                range(min(every), max(every) + 1 if begun is None else begun)
            )
    for table, months in (silent or {}).items():  # files holding only some teams' rows
        if table in landed:
            landed[table] -= months
    for spec in kinds.values():  # counted once the next period is landed too
        if spec.counted_when == "next_period_landed":
            step = 12 // period_type(spec.period).parts
            months = landed[spec.raw_table]
            landed[spec.raw_table] = {m for m in months if m + step in months}
    return landed


def missing_period_notes(
    load_log: pd.DataFrame,
    specs: Mapping[str, SourceSpec],
    declared: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """One note per month with no file landed between a source's first file (for a
    `starts_late` source, since it began) and its last ("voice_notes: no file landed for
    January 2025 ..."), or, for a source with a declared start and no file at all, one note.
    """
    kinds = divided_kinds(specs)
    files, _ = _files_and_rows(load_log, kinds)
    notes = []
    for kind, spec in kinds.items():
        mine = files[spec.raw_table]
        if not spec.starts_late:
            for month in range(min(mine), max(mine) + 1) if mine else ():
                if month not in mine:
                    name = _month_name(month)
                    said = (f"{kind}: no file landed for {name} (between its first and "
                            f"last files): {name} counted as not landed")  # fmt: skip
                    notes.append({"kind": kind, "period": name, "file": "", "rows": 0,
                                  "note": said})  # fmt: skip
            continue
        begun = _begun(spec, mine, declared or {})
        if begun is None:
            continue
        since = _month_name(begun)
        if not mine:
            seed = f"seeds/{spec.declared_start[0]}.csv" if spec.declared_start else "its start"
            notes.append({"kind": kind, "period": "", "file": "", "rows": 0,
                          "note": f"{kind}: no file has landed since {since} ({seed}): "
                          "no month since is counted"})  # fmt: skip
            continue
        for month in range(begun, max(mine) + 1):
            if month not in mine:
                name = _month_name(month)
                notes.append({"kind": kind, "period": name, "file": "", "rows": 0,
                              "note": f"{kind}: no file landed for {name} (begun by "
                              f"{since}): {name} counted as not landed"})  # fmt: skip
    return pd.DataFrame(notes, columns=NOTE_COLUMNS)


def empty_period_notes(load_log: pd.DataFrame, specs: Mapping[str, SourceSpec]) -> pd.DataFrame:
    """One note per file of a period of a divided kind whose files loaded no rows."""
    rows = _periods(load_log, divided_kinds(specs))
    notes = []
    for (kind, key), period_rows in rows.groupby(["kind", "academic_year"], sort=True):
        if period_rows["rows_loaded"].sum() > 0:
            continue
        for file in sorted(period_rows["file"].astype(str)):
            notes.append(
                {
                    "kind": kind,
                    "period": key,
                    "file": file,
                    "rows": 0,
                    "note": f"{file} loaded no rows: {key} counted as not landed",
                }
            )
    return pd.DataFrame(notes, columns=NOTE_COLUMNS)


def unlinked_notes(unlinked: pd.DataFrame, load_log: pd.DataFrame) -> pd.DataFrame:
    """marts.fct_unlinked_rows (kind, file, row_count, what) as notes, with each file's
    period from the load log."""
    periods = dict(zip(load_log["file"].astype(str), load_log["academic_year"], strict=False))
    notes = []
    for row in unlinked.sort_values(["kind", "file"]).itertuples():
        period = str(periods.get(str(row.file), "") or "")
        count = int(row.row_count)
        notes.append(
            {
                "kind": row.kind,
                "period": period,
                "file": row.file,
                "rows": count,
                "note": f"{row.file}: {count:,} {row.what}"
                + (f" ({period}): kept, in no figure that needs the link" if period else ""),
            }
        )
    return pd.DataFrame(notes, columns=NOTE_COLUMNS)


@dataclass(frozen=True)
class Coverage:
    """Per published period of an indicator built from a divided source: its months landed."""

    table: pd.DataFrame
    """indicator_id, time_period, time_identifier, months_landed, months_in_period, missing
    (the months not landed, in words)."""

    def part_periods(self) -> pd.DataFrame:
        return self.table[self.table[MONTHS_LANDED] < self.table[MONTHS_IN_PERIOD]]


def coverage(
    published: pd.DataFrame,
    register: pd.DataFrame,
    sources: pd.DataFrame,
    landed: Mapping[str, set[int]],
    specs: Mapping[str, SourceSpec],
    loaded: Mapping[str, set[int]] | None = None,
) -> Coverage:
    """For each period published of an indicator whose period is longer than the period of
    a divided source it is built from: how many of its months every such source landed.
    An indicator that declares `follow_up: {source, months}` (re-referral within 12 months,
    by closure) counts a month once that source has rows `loaded` in it and in each of the
    `months` after it, as its figures do; its other sources do not bound it."""
    columns = ["indicator_id", "time_period", "time_identifier", MONTHS_LANDED,
               MONTHS_IN_PERIOD, "missing"]  # fmt: skip
    if "time_identifier" not in published.columns or published.empty:
        return Coverage(pd.DataFrame(columns=columns))
    types = dict(zip(register["indicator_id"], register["period_type"], strict=False))
    follow = _follow_ups(register, specs)
    source_months = {
        spec.raw_table: 12 // period_type(spec.period).parts
        for spec in divided_kinds(specs).values()
    }
    rows = []
    periods = published[["indicator_id", "time_period", "time_identifier"]].drop_duplicates()
    for indicator_id, group in periods.groupby("indicator_id", sort=True):
        kind: PeriodType = period_type(types.get(indicator_id) or "academic_year")
        length = 12 // kind.parts
        tables = sources.loc[sources["indicator_id"] == indicator_id, "source_table"]
        finer = sorted({t for t in tables if t in source_months and source_months[t] < length})
        if not finer:
            continue
        for time_period, identifier in zip(group["time_period"], group["time_identifier"],
                                           strict=True):  # fmt: skip
            start = first_month(kind, time_period, identifier)
            months = range(start, start + length)
            if indicator_id in follow:
                table, after = follow[indicator_id]
                had = (loaded or {}).get(table, set())
                missing = [m for m in months if not all(m + k in had for k in range(after + 1))]
            else:
                missing = [m for m in months if not all(m in landed[t] for t in finer)]
            rows.append(
                {
                    "indicator_id": indicator_id,
                    "time_period": time_period,
                    "time_identifier": identifier,
                    MONTHS_LANDED: length - len(missing),
                    MONTHS_IN_PERIOD: length,
                    "missing": ", ".join(_month_name(m) for m in missing),
                }
            )
    return Coverage(pd.DataFrame(rows, columns=columns))


def follow_up(value: object, kinds: Sequence[str]) -> tuple[str, int] | None:
    """An indicator's `follow_up: {source, months}` (a mapping, or the register's JSON text
    of one) as (source kind, months); None when not declared. ValueError says what is wrong:
    the source must be a landed kind (`kinds`), months a whole number from 1."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            value = None
    if not isinstance(value, dict) or set(value) != {"source", "months"}:
        raise ValueError("follow_up: a mapping of source: (a source kind) and months:")
    if value["source"] not in kinds:
        raise ValueError(
            f"follow_up.source: '{value['source']}' is not a source kind "
            f"(known: {', '.join(sorted(kinds))})"
        )
    months = value["months"]
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise ValueError(f"follow_up.months: '{months}' is not a whole number of months from 1")
    return str(value["source"]), months


def _follow_ups(register: pd.DataFrame, specs: Mapping[str, SourceSpec]) -> dict:
    """indicator_id -> (raw table, months) of each indicator declaring `follow_up` (checked
    before the run by the register check: indicators/publish/register.py)."""
    found = {}
    if "follow_up" not in register.columns:
        return found
    for indicator_id, text in zip(register["indicator_id"], register["follow_up"], strict=True):
        declared = follow_up(text, list(specs))
        if declared:
            found[indicator_id] = (specs[declared[0]].raw_table, declared[1])
    return found


def months_with_rows(load_log: pd.DataFrame, specs: Mapping[str, SourceSpec]) -> dict:
    """Per raw table of a divided kind: the months whose files loaded at least one row."""
    return _files_and_rows(load_log, divided_kinds(specs))[1]


PART_PERIOD_COLUMNS = [
    "indicator_id",
    "time_period",
    "time_identifier",
    MONTHS_LANDED,
    MONTHS_IN_PERIOD,
    "months_not_counted",
]


def part_period_table(found: Coverage) -> pd.DataFrame:
    """indicators/part_periods.csv: one row per indicator and part period published, with
    its months counted, of how many, and the months not counted in words (the packs label
    these periods from it)."""
    parts = found.part_periods().rename(columns={"missing": "months_not_counted"})
    return parts[PART_PERIOD_COLUMNS].reset_index(drop=True)


def part_period_notes(found: Coverage, register: pd.DataFrame) -> pd.DataFrame:
    """One note per part period, naming its indicators and the months not landed."""
    types = dict(zip(register["indicator_id"], register["period_type"], strict=False))
    parts = found.part_periods()
    notes = []
    keys = ["time_period", "time_identifier", MONTHS_LANDED, MONTHS_IN_PERIOD, "missing"]
    for (time_period, identifier, landed, length, missing), group in parts.groupby(keys, sort=True):
        kind = period_type(types.get(group["indicator_id"].iloc[0]) or "academic_year")
        name = kind.text(time_period, identifier)
        notes.append(
            {
                "kind": "",
                "period": name,
                "file": "",
                "rows": "",
                "note": f"{name} published as a part period: {landed} of {length} months "
                f"counted ({missing} not counted): {', '.join(sorted(group['indicator_id']))}",
            }
        )
    return pd.DataFrame(notes, columns=NOTE_COLUMNS)


def with_coverage(
    data: pd.DataFrame, indicator_id: str, found: Coverage | None
) -> tuple[pd.DataFrame, bool]:
    """An open data table with `months_landed` and `months_in_period` after its other
    columns, when its indicator has coverage; (data, whether they were added)."""
    if found is None:
        return data, False
    mine = found.table[found.table["indicator_id"] == indicator_id]
    if mine.empty:
        return data, False
    counts = {
        (str(tp), str(ti)): (str(landed), str(length))
        for tp, ti, landed, length in zip(
            mine["time_period"],
            mine["time_identifier"],
            mine[MONTHS_LANDED],
            mine[MONTHS_IN_PERIOD],
            strict=True,
        )  # fmt: skip
    }
    keys = list(zip(data["time_period"].astype(str), data["time_identifier"].astype(str),
                    strict=True))  # fmt: skip
    data = data.copy()
    data[MONTHS_LANDED] = [counts[key][0] for key in keys]
    data[MONTHS_IN_PERIOD] = [counts[key][1] for key in keys]
    return data, True


def notes_lines(notes: Sequence[pd.DataFrame]) -> list[str]:
    return [str(note) for frame in notes for note in frame["note"]]
