"""The reference files (neighbourhood lookup, LA list) into their raw tables, accounted for
(raw.load_log, raw.quarantine) beside the returns'; they load before any stream's years
(indicators/ingest/streams.py). The LA's lists of teams and districts go into raw.teams and
raw.districts as read, from the same file the ingest checks placed rows against."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from indicators.config import ChorusSettings
from indicators.ingest.area_lists import AREA_LISTS
from indicators.ingest.defects import FileRejected
from indicators.ingest.landing import reference_file
from indicators.ingest.load_records import log_frame, quarantine_frame
from indicators.ingest.lookups import (
    REFERENCE_KIND,
    ReferenceCheck,
    check_local_authorities,
    check_neighbourhood_lookup,
)
from indicators.ingest.readers import read_table
from indicators.sources.fixed_tables import AS_READ, AS_READ_OPTIONAL, RAW_TABLES
from indicators.steps import Log, StepRefused
from indicators.warehouse import connect, ensure_raw_zone, replace_rows, replace_table, transaction

REFERENCE_CHECKS: dict[str, Callable[[Path], ReferenceCheck]] = {
    "neighbourhood_lookup": check_neighbourhood_lookup,
    "local_authorities": check_local_authorities,
}


@dataclass(frozen=True)
class ReferenceLoad:
    """A reference file loaded into its raw table."""

    rows: int
    source: str
    rows_set_aside: int


def load_reference(settings: ChorusSettings, name: str, log: Log) -> ReferenceLoad:
    """The usable rows of a reference file (landing seeds/ or the project's) into its raw
    table, and its accounting (rows read, used, set aside, each set-aside row in
    raw.quarantine) beside the returns'.

    Rows in conflict are set aside (what depends on them is quarantined at ingest); a file
    that cannot be read at all refuses the step with its one-line reason."""
    path = reference_file(name, settings.landing, settings.seeds)
    try:
        check = REFERENCE_CHECKS[name](path)
    except FileRejected as rejected:
        raise StepRefused(str(rejected.defect)) from None
    source = str(path)
    account = check.account
    quarantine = quarantine_frame("", check.defects, [account])
    with connect(settings.warehouse) as connection:
        ensure_raw_zone(connection)
        with transaction(connection):
            replace_table(connection, name, check.frame.assign(_source_file=source))
            where = {"kind": REFERENCE_KIND, "file": account.file}
            replace_rows(connection, "load_log", log_frame([account]), where)
            replace_rows(connection, "quarantine", quarantine, where)
    log.info(f"{name}: {len(check.frame)} rows from {source}")
    for defect in check.defects:
        log.warning(str(defect.public()))
    if check.defects:
        log.warning(
            f"{account.file}: {account.rows_quarantined} of "
            f"{account.rows_read} rows set aside; what depends on them is "
            "quarantined, the rest loads"
        )
    return ReferenceLoad(len(check.frame), source, account.rows_quarantined)


def load_area_lists(settings: ChorusSettings, log: Log) -> dict[str, int]:
    """The LA's lists of teams and districts (the landing area's seeds/ when it brings one,
    else the project's: `AreaList.file`, as the ingest reads them) into raw.teams and
    raw.districts, every row as read: dbt keeps the usable ones by the same rules
    (macros/placement.sql, area_list), so rows are placed by the list they were checked
    against. A list missing or with its header only is empty; one that cannot be read is
    empty here and the ingest names its problem. Returns rows per list."""
    loaded: dict[str, int] = {}
    with connect(settings.warehouse) as connection:
        ensure_raw_zone(connection)
        with transaction(connection):
            for area in AREA_LISTS.values():
                path = area.file(settings.seeds, settings.landing)
                frame = pd.DataFrame(columns=list(area.columns))
                # header only (an LA without teams), or unreadable: named by the ingest
                with suppress(FileRejected):
                    frame = read_table(path, area.shown) if path.is_file() else frame
                if not set(area.columns) <= set(frame.columns):
                    frame = pd.DataFrame(columns=list(area.columns))
                for column in area.optional:  # absent: blank (a team in its authority)
                    if column not in frame.columns:
                        frame[column] = ""
                columns = [*area.columns, *area.optional]
                rows = frame[columns].astype("string").assign(_source_file=str(path))
                replace_table(connection, area.seed, rows)
                loaded[area.seed] = len(rows)
            for name in AS_READ:
                loaded[name] = _load_as_read(connection, settings, name)
    if any(loaded.values()):
        log.info(", ".join(f"{name}: {rows} rows" for name, rows in loaded.items()))
    return loaded


def _load_as_read(connection, settings: ChorusSettings, name: str) -> int:
    """A reference file loaded as read (fixed_tables.AS_READ: the Early Help trials) into
    raw.<name>, every row as text: the landing area's seeds/<name>.csv when it brings one,
    else the project's; missing, header only or unreadable: empty (dbt's tests on its
    staging model name a bad row)."""
    path = reference_file(name, settings.landing, settings.seeds)
    columns = [
        part.split()[0]
        for part in RAW_TABLES[name].split(",")
        if part.split() and part.split()[0] not in ("_source_file", "_loaded_at")
    ]
    frame = pd.DataFrame(columns=columns)
    with suppress(FileRejected):
        frame = read_table(path, f"seeds/{name}.csv") if path.is_file() else frame
    absent = [c for c in columns if c not in frame.columns and c not in AS_READ_OPTIONAL]
    if absent and len(frame):  # read as blanks, every row would be dropped without a word
        raise StepRefused(
            f"seeds/{name}.csv ({path}): no column {', '.join(repr(c) for c in absent)} "
            f"(it has {', '.join(c for c in map(str, frame.columns) if not c.startswith('_'))}"
            f"): name the columns "
            f"{', '.join(columns)} in its header and land it again"
        )
    for column in columns:
        if column not in frame.columns:
            frame[column] = ""
    rows = frame[columns].astype("string").assign(_source_file=str(path))
    replace_table(connection, name, rows)
    return len(rows)
