"""Retention: how long the archive and the raw tables keep an academic year's returns.

CHORUS_RETENTION_YEARS (default 6) academic years are kept, counted back from the newest
year landed or loaded (a year later than the current academic year, a typo, does not count).
Every run removes older years: their archived files, their raw rows, and (through a fresh
copy of the warehouse) the bytes DuckDB would otherwise leave in its free blocks.
`chorus purge --before YEAR` does the same at once for every year before YEAR. A purge
that removed something (and every `chorus purge`) records its limit in raw.purges, which
holds from then on: files of those years still in the landing area are not loaded again
(the run says so), so the next publication is made without them, even if the newest year
is later removed.

Call these with the warehouse lock held (indicators/warehouse.py: warehouse_lock).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from indicators.ingest.archive import archived_files, landed_years, purge_archive
from indicators.periods import partition_of_key
from indicators.reference import AcademicYear
from indicators.warehouse import (
    connect,
    delete_years,
    drop_derived,
    ensure_raw_zone,
    raw_years,
    transaction,
)


def current_academic_year(today: dt.date | None = None) -> AcademicYear:
    """The academic year `today` falls in (1 September to 31 August)."""
    today = today or dt.date.today()
    return AcademicYear(today.year if today.month >= 9 else today.year - 1)


def automatic_cutoff(
    years: Iterable[AcademicYear], keep: int | None, today: dt.date | None = None
) -> AcademicYear | None:
    """The first year kept when `keep` years are kept back from the newest of `years`."""
    current = current_academic_year(today)
    real = [year for year in years if year <= current]
    if keep is None or not real:
        return None
    return AcademicYear(max(real).start - keep + 1)


def recorded_cutoff(connection) -> AcademicYear | None:
    """The latest limit a purge recorded (None if nothing was ever purged)."""
    exists = connection.execute(
        "select count(*) from information_schema.tables where table_schema = 'raw' "
        "and table_name = 'purges'"
    ).fetchone()[0]
    if not exists:
        return None
    rows = connection.execute("select purged_before from raw.purges").fetchall()
    limits = [AcademicYear.parse(row[0]) for row in rows if row[0]]
    return max(limits) if limits else None


def cutoff(
    connection, landed: Iterable[AcademicYear], keep: int | None, today: dt.date | None = None
) -> AcademicYear | None:
    """The first academic year kept: the later of the recorded limit and the automatic one."""
    loaded = {partition_of_key(year) for years in raw_years(connection).values() for year in years}
    limits = [
        limit
        for limit in (
            recorded_cutoff(connection),
            automatic_cutoff({*landed, *loaded}, keep, today),
        )
        if limit is not None
    ]
    return max(limits) if limits else None


@dataclass
class PurgeReport:
    before: AcademicYear
    reason: str
    years: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    archive_files: int = 0
    archive_unknown: int = 0
    derived_dropped: list[str] = field(default_factory=list)
    recorded: bool = False

    @property
    def removed_anything(self) -> bool:
        return bool(self.archive_files or sum(self.rows.values()))

    def lines(self) -> list[str]:
        """The purge in words, for the console and the log."""
        lines = [
            f"purge before {self.before.label} ({self.reason}): "
            f"{self.archive_files:,} archived files and "
            f"{sum(self.rows.values()):,} raw rows removed"
            + (f" (years {', '.join(self.years)})" if self.years else "")
        ]
        lines += [f"  raw.{table}: {count:,} rows" for table, count in sorted(self.rows.items())]
        if self.archive_unknown:
            lines.append(
                f"  {self.archive_unknown:,} archived files have no record of their "
                "year (archived by an older Chorus, not in the load log): kept; "
                "remove them by hand if they are old"
            )
        if self.derived_dropped:
            lines.append(f"  rebuilt by the next run: {', '.join(self.derived_dropped)}")
        return lines

    def as_json(self) -> dict:
        return {
            "before": self.before.label,
            "reason": self.reason,
            "years": self.years,
            "rows": self.rows,
            "archive_files": self.archive_files,
            "archive_unknown": self.archive_unknown,
            "derived_dropped": self.derived_dropped,
        }


def _known_years(connection) -> dict[str, set[str]]:
    """sha256 -> years from the load log (for files archived before records were kept)."""
    known: dict[str, set[str]] = {}
    for digest, year in connection.execute(
        "select sha256, academic_year from raw.load_log where sha256 is not null"
    ).fetchall():
        known.setdefault(digest, set()).add(year)
    return known


def purge(
    warehouse: Path, archive: Path, before: AcademicYear, reason: str, record: bool = True
) -> PurgeReport:
    """Remove every archived file and raw row of academic years before `before`, record the
    limit, and rewrite the warehouse file if rows were removed (warehouse lock held).

    The limit is recorded (with `record`, as `chorus purge` does, or whenever something was
    removed) in the same transaction as the rows are deleted, so a crash part way never
    lets those years load again; the next purge finishes the archive. The automatic
    retention purge records nothing when it removed nothing: its limit is worked out again
    at every run, and changing CHORUS_RETENTION_YEARS then changes it.
    """
    report = PurgeReport(before=before, reason=reason)
    with connect(warehouse) as connection:
        ensure_raw_zone(connection)
        present = {year for years in raw_years(connection).values() for year in years}
        report.years = sorted(year for year in present if partition_of_key(year) < before)
        known = _known_years(connection)
        recorded = recorded_cutoff(connection)
        report.recorded = record and (recorded is None or before > recorded)
        with transaction(connection):
            report.rows = delete_years(connection, report.years)
            if report.rows:
                report.derived_dropped = drop_derived(connection)
            if report.recorded or report.rows:
                report.recorded = True
                connection.execute(
                    "insert into raw.purges (purged_before, reason, archive_files, "
                    "rows_deleted, _loaded_at) values (?, ?, null, ?, current_timestamp)",
                    [before.label, reason, json.dumps(report.rows)],
                )
    outcome = purge_archive(archive, before, known)
    report.archive_files = len(outcome.removed)
    report.archive_unknown = len(outcome.unknown)
    if report.archive_files and not report.recorded:
        report.recorded = True
        with connect(warehouse) as connection:
            connection.execute(
                "insert into raw.purges (purged_before, reason, archive_files, rows_deleted, "
                "_loaded_at) values (?, ?, ?, '{}', current_timestamp)",
                [before.label, reason, report.archive_files],
            )
    elif report.recorded:
        with connect(warehouse) as connection:
            connection.execute(
                "update raw.purges set archive_files = ? where purged_before = ? "
                "and archive_files is null",
                [report.archive_files, before.label],
            )
    if report.rows:
        compact(warehouse)
    return report


def expired_archive(archive: Path, before: AcademicYear) -> list[Path]:
    """Archived files whose every landing is before `before` (what a purge would remove)."""
    return [
        path
        for path in archived_files(archive)
        if (years := landed_years(path))
        and all(AcademicYear.parse(year) < before for year in years)
    ]


def compact(path: Path) -> None:
    """Rewrite the warehouse into a new file and swap it in (call with no connection open).

    DuckDB leaves deleted rows' bytes in the file's free blocks: after a purge, only a fresh
    copy makes them unrecoverable. The copy is made beside the warehouse and replaces it in
    one rename, so a crash leaves either the old file or the new one.
    """
    fresh = path.with_name(f".{path.name}.compact-{os.getpid()}")
    for leftover in (fresh, fresh.with_name(fresh.name + ".wal")):
        leftover.unlink(missing_ok=True)
    with connect(path) as connection:
        database = connection.execute("select current_database()").fetchone()[0]
        connection.execute(f"attach '{fresh}' as compacted")
        connection.execute(f'copy from database "{database}" to compacted')
        connection.execute("detach compacted")
    os.chmod(fresh, path.stat().st_mode & 0o777)
    os.replace(fresh, path)
    path.with_name(path.name + ".wal").unlink(missing_ok=True)
