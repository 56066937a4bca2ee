"""The reference files (neighbourhood lookup, LA list) into their raw tables, accounted for
(raw.load_log, raw.quarantine) beside the returns'; they load before any stream's years
(indicators/ingest/streams.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from indicators.config import ChorusSettings
from indicators.ingest.defects import FileRejected
from indicators.ingest.landing import reference_file
from indicators.ingest.lookups import (
    REFERENCE_KIND,
    ReferenceCheck,
    check_local_authorities,
    check_neighbourhood_lookup,
)
from indicators.ingest.streams import log_frame, quarantine_frame
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
