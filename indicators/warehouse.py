"""The DuckDB warehouse: connections and the raw zone the ingest step writes.

DuckDB allows one writer per file, and even a read-only connection held elsewhere blocks
it: open a connection only for the work at hand and close it (use `connect` as a context
manager). Nothing here connects at import.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import socket
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from indicators.config import duckdb_memory_limit
from indicators.sources.fixed_tables import RAW_TABLES

_CONNECTIONS: list[int] = [0]


@contextmanager
def connect(path: Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the warehouse, closed on exit, holding at most CHORUS_DUCKDB_MEMORY."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    connection = duckdb.connect(str(path), read_only=read_only)
    _CONNECTIONS[0] += 1
    try:
        # SET, not config=: DuckDB refuses a 2nd connection to a file with another config
        connection.execute(f"set memory_limit = '{duckdb_memory_limit()}'")
        yield connection
    finally:
        connection.close()
        _CONNECTIONS[0] -= 1


def connections_held() -> int:
    """Warehouse connections this process holds open now: a process forked meanwhile would
    be handed the open database by DuckDB, whose threads do not survive a fork."""
    return _CONNECTIONS[0]


def declared_columns(columns: str) -> list[str]:
    return [part.split()[0].strip('"') for part in columns.split(",")]


def raw_tables() -> dict[str, str]:
    """Every raw table and its columns: each source spec's table, then RAW_TABLES."""
    from indicators.sources.generated import raw_table_columns
    from indicators.sources.load import load_sources

    declared = {spec.raw_table: raw_table_columns(spec) for spec in load_sources().values()}
    return {**declared, **RAW_TABLES}


def ensure_raw_zone(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """Create the raw tables; a table whose columns changed since an older Chorus is rebuilt.

    Returns the tables rebuilt (their years load again from the landing area; the archive
    keeps every file).
    """
    connection.execute("create schema if not exists raw")
    rebuilt = []
    for table, columns in raw_tables().items():
        existing = _columns(connection, table)
        if existing and existing != declared_columns(columns):
            connection.execute(f"drop table raw.{table}")
            rebuilt.append(table)
        connection.execute(f"create table if not exists raw.{table} ({columns})")
    if rebuilt:
        connection.execute("delete from raw.year_loads")
    return rebuilt


def _columns(connection: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    rows = connection.execute(
        "select column_name from information_schema.columns "
        "where table_schema = 'raw' and table_name = ? order by ordinal_position",
        [table],
    ).fetchall()
    return [row[0] for row in rows]


def _insert(connection: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """Insert a frame by column name; columns the frame lacks are left null."""
    if frame.empty:
        return
    columns = [
        column
        for column in _columns(connection, table)
        if column in frame.columns or column == "_loaded_at"
    ]
    selected = ", ".join(
        "current_timestamp" if column == "_loaded_at" else f'"{column}"' for column in columns
    )
    connection.register("incoming", frame)
    try:
        quoted = ", ".join(f'"{column}"' for column in columns)
        connection.execute(f"insert into raw.{table} ({quoted}) select {selected} from incoming")
    finally:
        connection.unregister("incoming")


def raw_table_exists(connection: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether the raw zone has `table` yet (a warehouse made before it has not)."""
    return table_exists(connection, "raw", table)


def table_exists(connection: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    """Whether the warehouse has `schema`.`table` (a table or a view)."""
    return bool(
        connection.execute(
            "select count(*) from information_schema.tables where table_schema = ? "
            "and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def file_accounts(path: Path) -> list[dict] | None:
    """raw.load_log as records: each landed and reference file's rows read, loaded and
    quarantined and its status, by year, kind and file; None before the raw zone exists."""
    if not path.exists():
        return None
    with connect(path, read_only=True) as connection:
        if not raw_table_exists(connection, "load_log"):
            return None
        return (
            connection.execute(
                "select file, rows_read, rows_loaded, rows_quarantined, status "
                "from raw.load_log order by academic_year, kind, file"
            )
            .df()
            .to_dict("records")
        )


class WarehouseUnreadable(RuntimeError):
    """The warehouse exists but cannot be read: never taken to mean "nothing loaded yet"."""


def loaded_year_labels(path: Path) -> set[str]:
    """Academic years (labels) the warehouse has loaded, from raw.year_loads.

    A warehouse not created yet, or without a raw zone yet, has loaded nothing; any other
    problem reading it (a damaged file, a table with the wrong shape) raises
    WarehouseUnreadable with the one line to show.
    """
    if not path.exists():
        return set()
    try:
        with connect(path, read_only=True) as connection:
            if not raw_table_exists(connection, "year_loads"):
                return set()
            rows = connection.execute("select academic_year from raw.year_loads").fetchall()
    except Exception as error:
        lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
        raise WarehouseUnreadable(
            f"the warehouse {path} cannot be read ({type(error).__name__}: "
            f"{lines[0] if lines else ''}): restore it from a backup, or move it aside and run "
            "again to load every landed year afresh"
        ) from error
    return {row[0] for row in rows}


@contextmanager
def transaction(connection: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """All or nothing: a failure part-way leaves the warehouse as it was."""
    connection.execute("begin transaction")
    try:
        yield
    except BaseException:
        connection.execute("rollback")
        raise
    connection.execute("commit")


def replace_years(
    connection: duckdb.DuckDBPyConnection,
    frames: Mapping[str, pd.DataFrame],
    academic_years: Sequence[str],
    kinds: Sequence[str] | None = None,
) -> None:
    """Replace the given academic years of each raw table with its frame (call in a transaction).

    In tables shared by several kinds of return (quarantine, load_log, year_loads), only
    the rows of `kinds` are replaced, so loading voice responses leaves EYFSP rows alone.
    """
    for table, frame in frames.items():
        condition = "academic_year in (select unnest(?::varchar[]))"
        parameters: list = [list(academic_years)]
        if kinds is not None and "kind" in _columns(connection, table):
            condition += " and kind in (select unnest(?::varchar[]))"
            parameters.append(list(kinds))
        connection.execute(f"delete from raw.{table} where {condition}", parameters)
        _insert(connection, table, frame)


def replace_rows(
    connection: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, where: Mapping[str, str]
) -> None:
    """Replace the rows of a raw table whose columns equal `where` (say, one reference
    file's rows of the load log) with `frame` (call in a transaction)."""
    condition = " and ".join(f'"{column}" = ?' for column in where) or "true"
    connection.execute(f"delete from raw.{table} where {condition}", list(where.values()))
    _insert(connection, table, frame)


def replace_table(connection: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """Replace the whole of a raw table with `frame` (call in a transaction)."""
    connection.execute(f"delete from raw.{table}")
    _insert(connection, table, frame)


class WarehouseBusy(RuntimeError):
    """Another Chorus run holds the warehouse (DuckDB allows one writer)."""

    def __init__(self, path: Path, holder: LockHolder | None, waited: float) -> None:
        self.path = path
        self.holder = holder
        self.waited = waited
        who = holder.describe() if holder else "another Chorus process"
        waited_text = f"; waited {waited:.0f} s" if waited >= 1 else ""
        super().__init__(
            f"the warehouse {path} is in use by {who}{waited_text}: wait for it to finish "
            "(chorus ui shows it) and try again, or set CHORUS_LOCK_WAIT to wait longer"
        )


@dataclass(frozen=True)
class LockHolder:
    """Who holds the warehouse: written into the lock file, shown to whoever has to wait."""

    started_by: str
    """How the holder was started: `chorus run`, `the Dagster UI`, `the landing_sensor`..."""
    run_id: str = ""
    pid: int = field(default_factory=os.getpid)
    host: str = field(default_factory=socket.gethostname)
    since: str = field(
        default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    )

    def describe(self) -> str:
        what = f"run {self.run_id}" if self.run_id else "a Chorus process"
        return (
            f"{what} (started by {self.started_by}, process {self.pid} on {self.host}, "
            f"since {self.since.replace('T', ' ').replace('+00:00', ' UTC')})"
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> LockHolder | None:
        try:
            data = json.loads(text)
            return cls(
                **{name: data[name] for name in ("started_by", "run_id", "pid", "host", "since")}
            )
        except (ValueError, KeyError, TypeError):
            return None


@dataclass(frozen=True)
class HeldLock:
    holder: LockHolder
    previous: LockHolder | None
    """A holder recorded in the lock file by a process that ended without releasing it
    (killed): its run, if Dagster still shows it as running, never finished."""
    reentered: bool = False


_HELD: dict[str, LockHolder] = {}
"""Locks this process holds, by lock file: a run's own steps re-enter the lock its launcher
took for it (`chorus run` takes the lock before the run starts; the run's resource re-enters)."""


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_suffix(".lock")


def lock_holder(warehouse: Path) -> LockHolder | None:
    """Who holds the warehouse now, as written in its lock file (None if free or unknown)."""
    try:
        text = lock_path(warehouse).read_text(encoding="utf-8")
    except OSError:
        return None
    return LockHolder.from_json(text) if text.strip() else None


@contextmanager
def warehouse_lock(
    path: Path,
    holder: LockHolder | None = None,
    wait_seconds: float = 0,
    on_wait: Callable[[LockHolder | None, float], None] | None = None,
    poll_seconds: float = 0.5,
) -> Iterator[HeldLock]:
    """Hold the warehouse for one run (or one purge) at a time, however it was started.

    A second caller waits up to `wait_seconds` (telling `on_wait` once, with the holder),
    then raises WarehouseBusy naming the holder. The lock is an flock on `<warehouse>.lock`,
    released by the kernel if the holder dies; the holder's details are written into the
    file so that a waiting run can say who it waits for. The run that holds the lock may
    enter it again from its own steps (same process, same run id).
    """
    import fcntl

    holder = holder or LockHolder(started_by="a Chorus command")
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = lock_path(path)
    key = str(lock.resolve())
    held = _HELD.get(key)
    if held is not None:
        if held.run_id and held.run_id == holder.run_id:
            yield HeldLock(held, None, reentered=True)
            return
        raise WarehouseBusy(path, held, 0.0)
    descriptor = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        started = time.monotonic()
        told = False
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waited = time.monotonic() - started
                current = lock_holder(path)
                if waited >= wait_seconds:
                    raise WarehouseBusy(path, current, waited) from None
                if on_wait and not told:
                    on_wait(current, wait_seconds)
                    told = True
                time.sleep(min(poll_seconds, max(0.01, wait_seconds - waited)))
        os.fchmod(descriptor, 0o600)
        previous_text = os.pread(descriptor, 65536, 0).decode("utf-8", "replace")
        previous = LockHolder.from_json(previous_text) if previous_text.strip() else None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, holder.to_json().encode("utf-8"), 0)
        _HELD[key] = holder
        try:
            yield HeldLock(holder, previous)
        finally:
            _HELD.pop(key, None)
            os.ftruncate(descriptor, 0)  # released cleanly: nobody to report as killed
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)


# Retention: removing whole academic years ------------------------------------------------


DERIVED_SCHEMAS = (
    *("staging", "intermediate", "indicators", "computed", "marts", "reference"),
    "dbt_builds",
)
"""Schemas dbt builds from the raw zone, and the record of which build they hold."""


def raw_years(connection: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """The academic years present in each raw table that has an academic_year column (rows
    of the reference files, which belong to no year, have a blank one)."""
    tables = [
        row[0]
        for row in connection.execute(
            "select table_name from information_schema.columns where table_schema = 'raw' "
            "and column_name = 'academic_year' order by table_name"
        ).fetchall()
    ]
    return {
        table: {
            row[0]
            for row in connection.execute(
                f"select distinct academic_year from raw.{table} "
                "where academic_year is not null and academic_year <> ''"
            ).fetchall()
        }
        for table in tables
    }


def delete_years(connection: duckdb.DuckDBPyConnection, years: Sequence[str]) -> dict[str, int]:
    """Delete the rows of `years` (labels such as 2019/20) from every raw table with an
    academic_year column (call in a transaction). Returns the rows deleted per table."""
    deleted: dict[str, int] = {}
    for table, present in raw_years(connection).items():
        doomed = sorted(present & set(years))
        if not doomed:
            continue
        count = connection.execute(
            f"select count(*) from raw.{table} where academic_year in "
            "(select unnest(?::varchar[]))",
            [doomed],
        ).fetchone()[0]
        connection.execute(
            f"delete from raw.{table} where academic_year in (select unnest(?::varchar[]))",
            [doomed],
        )
        deleted[table] = int(count)
    return deleted


def drop_derived(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """Drop what dbt builds from the raw zone (every run rebuilds it)."""
    schemas = {
        row[0]
        for row in connection.execute(
            "select schema_name from information_schema.schemata"
        ).fetchall()
    }
    dropped = [schema for schema in DERIVED_SCHEMAS if schema in schemas]
    for schema in dropped:
        connection.execute(f'drop schema "{schema}" cascade')
    return dropped


# ------------------------------------------ what dbt built from (orchestration/dbt_state.py)

MARK_SCHEMA, MARK_TABLE = "dbt_builds", "marks"
"""Where the warehouse records the build each step's kept state describes: a derived
schema, so that dropping the derived tables (retention, a purge) drops the mark with them."""


LOAD_TIME = "_loaded_at"
"""The time each raw row was written (`_insert`): the reference tables are
written again at every run, so it changes when nothing else does."""


def fingerprint(connection: duckdb.DuckDBPyConnection, schema: str, table: str) -> str:
    """The table's columns, row count and the sum of its rows' hashes (order-free), leaving
    out when its rows were loaded (no model reads it)."""
    if not table_exists(connection, schema, table):
        return "absent"
    columns = connection.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    rows = f'"{schema}"."{table}"'
    if any(name == LOAD_TIME for name, _ in columns):
        rows = f"(select * exclude ({LOAD_TIME}) from {rows})"
    count, total = connection.execute(  # an alias no column has: the row, not a column
        f"select count(*), coalesce(sum(hash(chorus__row)), 0)::varchar from {rows} as chorus__row"
    ).fetchone()
    shape = hashlib.sha256(json.dumps(columns).encode("utf-8")).hexdigest()[:16]
    return f"{count}:{total}:{shape}"


def build_mark(connection: duckdb.DuckDBPyConnection, step: str) -> str | None:
    """The build of a dbt step the warehouse holds (orchestration/dbt_state.py), if marked."""
    if not table_exists(connection, MARK_SCHEMA, MARK_TABLE):
        return None
    row = connection.execute(
        f"select build from {MARK_SCHEMA}.{MARK_TABLE} where step = ?", [step]
    ).fetchone()
    return row[0] if row else None


def mark_build(connection: duckdb.DuckDBPyConnection, step: str, build: str) -> None:
    """Record that the warehouse holds this build of a dbt step."""
    connection.execute(f"create schema if not exists {MARK_SCHEMA}")
    connection.execute(
        f"create table if not exists {MARK_SCHEMA}.{MARK_TABLE} (step varchar, build varchar)"
    )
    connection.execute(f"delete from {MARK_SCHEMA}.{MARK_TABLE} where step = ?", [step])
    connection.execute(f"insert into {MARK_SCHEMA}.{MARK_TABLE} values (?, ?)", [step, build])


def clear_build_marks(connection: duckdb.DuckDBPyConnection, step: str | None = None) -> None:
    """Remove a dbt step's mark (every step's when `step` is None)."""
    if table_exists(connection, MARK_SCHEMA, MARK_TABLE):
        condition = "" if step is None else " where step = ?"
        connection.execute(
            f"delete from {MARK_SCHEMA}.{MARK_TABLE}{condition}", [step] if step else []
        )
