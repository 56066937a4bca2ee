"""The DuckDB warehouse: connections and the raw zone the ingest step writes.

DuckDB allows one writer per file, and even a read-only connection held elsewhere blocks
it: open a connection only for the work at hand and close it (use `connect` as a context
manager). Nothing here connects at import.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from indicators.reference import ELG_COLUMNS

RAW_TABLES: dict[str, str] = {
    "eyfsp_returns": """
        academic_year varchar, time_period integer, child_id varchar, la_code varchar,
        estab varchar, sex varchar, birth_month varchar,
        {elgs},
        _source_file varchar, _source_row integer, _loaded_at timestamp
    """.format(elgs=", ".join(f"{column} varchar" for column in ELG_COLUMNS)),
    "school_census": """
        academic_year varchar, time_period integer, child_id varchar, fsm_eligible varchar,
        first_language varchar, sen_provision varchar, ethnicity varchar,
        postcode_sector varchar, _source_file varchar, _source_row integer,
        _loaded_at timestamp
    """,
    "neighbourhood_lookup": """
        postcode_sector varchar, neighbourhood_code varchar, neighbourhood_name varchar,
        _source_file varchar, _loaded_at timestamp
    """,
    "local_authorities": """
        la_code varchar, new_la_code varchar, la_name varchar, _source_file varchar,
        _loaded_at timestamp
    """,
    "quarantine": """
        academic_year varchar, kind varchar, file varchar, "row" integer, column_name varchar,
        value varchar, rule varchar, message varchar, _loaded_at timestamp
    """,
    "load_log": """
        academic_year varchar, kind varchar, file varchar, sha256 varchar, rows_read integer,
        rows_loaded integer, rows_quarantined integer, status varchar, message varchar,
        _loaded_at timestamp
    """,
    "year_loads": """
        academic_year varchar, kind varchar, fingerprint varchar, _loaded_at timestamp
    """,
    "voice_responses": """
        academic_year varchar, time_period integer, response_id varchar,
        response_month varchar, postcode_sector varchar, neighbourhood_code varchar,
        channel varchar, uses_funded_early_education varchar,
        english_additional_language varchar, known_to_family_hub varchar,
        consent_aggregate varchar, consent_quote varchar, consent_link varchar,
        child_id varchar, _source_file varchar, _source_row integer, _loaded_at timestamp
    """,
    "voice_answers": """
        academic_year varchar, time_period integer, response_id varchar, item_id varchar,
        item_version integer, answer varchar, is_positive boolean, score double,
        _loaded_at timestamp
    """,
    "voice_quotes": """
        academic_year varchar, time_period integer, response_id varchar, item_id varchar,
        item_version integer, neighbourhood_code varchar, quote varchar, _loaded_at timestamp
    """,
    "voice_door_log": """
        academic_year varchar, file varchar, measure varchar, count integer,
        _loaded_at timestamp
    """,
}


@contextmanager
def connect(path: Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the warehouse, closed on exit."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    connection = duckdb.connect(str(path), read_only=read_only)
    try:
        yield connection
    finally:
        connection.close()


def _declared_columns(columns: str) -> list[str]:
    return [part.split()[0].strip('"') for part in columns.split(",")]


def ensure_raw_zone(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """Create the raw tables; a table whose columns changed since an older Chorus is rebuilt.

    Returns the tables rebuilt (their years load again from the landing area; the archive
    keeps every file).
    """
    connection.execute("create schema if not exists raw")
    rebuilt = []
    for table, columns in RAW_TABLES.items():
        existing = _columns(connection, table)
        if existing and existing != _declared_columns(columns):
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
    columns = [column for column in _columns(connection, table) if column in frame.columns
               or column == "_loaded_at"]
    selected = ", ".join(
        "current_timestamp" if column == "_loaded_at" else f'"{column}"' for column in columns
    )
    connection.register("incoming", frame)
    try:
        quoted = ", ".join(f'"{column}"' for column in columns)
        connection.execute(f"insert into raw.{table} ({quoted}) select {selected} from incoming")
    finally:
        connection.unregister("incoming")


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


def replace_rows(connection: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame,
                 where: Mapping[str, str]) -> None:
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


@contextmanager
def warehouse_lock(path: Path) -> Iterator[None]:
    """Hold the warehouse for one run at a time; a second run is told, not queued silently."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_suffix(".lock")
    with lock_path.open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WarehouseBusy(
                f"another Chorus run is using the warehouse {path}: wait for it to finish "
                "(see the Dagster UI) and try again") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
