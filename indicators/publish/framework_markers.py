"""Chart markers (`markers:` in a framework): dated events, read from a warehouse table as
data, drawn as a labelled vertical line on the trend charts of months or quarters of the
areas they concern (the Early Help pack: when each team began recording Voice Notes).

Each entry names a table (`from`: a warehouse relation, `schema.name` or `name`) and three of
its columns: `date` (the event's month: a date, or text starting YYYY-MM), `label` (its words)
and `areas` (the area code it concerns). A marker is drawn on the chart of its own area and
of every area containing it (a team's on its district's and its authority's charts), in the
period holding its date; where it is not the chart's own area, its label names the area it
concerns ("Voice Note trial: North 1 Early Help team").

`parse_markers` reads the entries of a framework document already checked for its keys'
types (framework_schema.py); `marker_problems` checks the names are safe to put in a query;
`read_markers` reads every marker of a framework from the warehouse, one row per chart area.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from indicators.warehouse_tables import reading

MARKER_KEYS = ("from", "date", "label", "areas")
SAFE_RELATION = re.compile(r"[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?")
SAFE_COLUMN = re.compile(r"[a-z_][a-z0-9_]*")
MARKER_COLUMNS = ("chart_area_code", "month", "label", "area_code", "area_name")
"""read_markers' frame: the chart's area, the event's month (year x 12 + month - 1), its
label, and the area it concerns (code and name)."""


@dataclass(frozen=True)
class Marker:
    """One `markers:` entry: a warehouse table and the columns holding each event."""

    source: str
    """`from`: the warehouse relation (`staging.stg_reference__early_help_trials`)."""
    date: str
    label: str
    areas: str


def parse_markers(document: Mapping) -> tuple[Marker, ...]:
    """The document's `markers:` entries; KeyError naming the first entry lacking a key."""
    found = []
    for n, entry in enumerate(document.get("markers") or ()):
        missing = [key for key in MARKER_KEYS if not entry.get(key)]
        if missing:
            raise KeyError(
                f"markers[{n}]: needs {', '.join(MARKER_KEYS)}; {', '.join(missing)} missing"
            )
        found.append(
            Marker(
                source=str(entry["from"]),
                date=str(entry["date"]),
                label=str(entry["label"]),
                areas=str(entry["areas"]),
            )
        )
    return tuple(found)


def marker_problems(markers: Sequence[Marker]) -> list[tuple[str, str]]:
    """(key, message) for a table or column name that is not a plain lower-case name."""
    found = []
    for n, marker in enumerate(markers):
        if not SAFE_RELATION.fullmatch(marker.source):
            found.append(
                (
                    f"markers[{n}].from",
                    f"'{marker.source}' is not a warehouse table name (schema.name, lower case)",
                )
            )
        for key in ("date", "label", "areas"):
            column = getattr(marker, key)
            if not SAFE_COLUMN.fullmatch(column):
                found.append((f"markers[{n}].{key}", f"'{column}' is not a column name"))
    return found


def month_of(value: object) -> int | None:
    """year x 12 + month - 1 of a date or a text starting YYYY-MM; None when it is neither."""
    match = re.match(r"(\d{4})-(\d{2})", str(value).strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return int(match.group(1)) * 12 + int(match.group(2)) - 1


def chart_markers(
    events: pd.DataFrame, parents: Mapping[str, str], names: Mapping[str, str]
) -> pd.DataFrame:
    """Events (`area_code`, `date`, `label`) as MARKER_COLUMNS: one row for the event's own
    area and one for each area containing it (`parents`: area -> its parent). ValueError
    names the first row whose date is not a month."""
    rows = []
    for position, event in enumerate(events.to_dict("records")):
        month = month_of(event["date"])
        if month is None:
            raise ValueError(
                f"row {position + 1}: date '{event['date']}' is not a month (YYYY-MM...)"
            )
        area, seen = str(event["area_code"]), set()
        chart = area
        while chart and chart not in seen:
            seen.add(chart)
            rows.append((chart, month, str(event["label"]), area, names.get(area, area)))
            chart = parents.get(chart, "")
    return pd.DataFrame(rows, columns=list(MARKER_COLUMNS))


def read_markers(
    warehouse: Path | str, markers: Sequence[Marker], parents: pd.DataFrame
) -> pd.DataFrame | None:
    """Every marker's events from the warehouse as MARKER_COLUMNS (None when there are no
    markers); `parents` has `area_code` and `parent_area_code` (marts.dim_areas).
    ValueError in one line naming the table and what is wrong."""
    if not markers:
        return None
    parent_of = dict(zip(parents["area_code"], parents["parent_area_code"], strict=True))
    frames = []
    with reading(warehouse) as connection:
        names = dict(
            connection.execute("select area_code, area_name from marts.dim_areas").fetchall()
        )
        for marker in markers:
            query = (
                f"select {marker.areas} as area_code, {marker.date} as date, "
                f"{marker.label} as label from {marker.source}"
            )
            try:
                events = connection.execute(query).df()
            except Exception as error:  # duckdb's catalog and binder errors
                first = str(error).splitlines()[0]
                raise ValueError(f"markers: {marker.source}: cannot be read ({first})") from None
            try:
                frames.append(chart_markers(events, parent_of, names))
            except ValueError as error:
                raise ValueError(f"markers: {marker.source}: {error}") from None
    return pd.concat(frames, ignore_index=True)
