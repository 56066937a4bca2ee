"""Whole tables in and out of whichever warehouse is configured (DuckDB or PostgreSQL).

For the steps that compute in Python between dbt's layers (the indicator statistics): read a
relation into pandas, and replace a table with a frame, in one transaction. On DuckDB the frame
is registered and copied; on PostgreSQL the table is created from the frame's types and
loaded with one COPY (indicators/postgres.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from indicators.config import ChorusSettings


def read_table(settings: ChorusSettings, relation: str) -> pd.DataFrame:
    """Every row of `relation` (schema.table), as the warehouse holds it, each text column's
    equal values held once a chunk read (shared_frame: the statistics' and GX's read of the
    indicator values took 0.55 GiB of strings at national)."""
    with reading(settings.data_warehouse) as connection:
        return shared_frame(connection.execute(f"select * from {relation}"))


def replace_table(settings: ChorusSettings, schema: str, table: str, frame: pd.DataFrame) -> int:
    """Make `schema`.`table` exactly `frame` (created or replaced); returns its rows."""
    if settings.warehouse_url:
        from indicators.postgres import connect, copy_frame, frame_columns_sql, parse_url

        with connect(parse_url(settings.warehouse_url)) as connection:
            cursor = connection.cursor()
            cursor.execute(f"create schema if not exists {schema}")
            cursor.execute(f"drop table if exists {schema}.{table}")
            cursor.execute(f"create table {schema}.{table} ({frame_columns_sql(frame)})")
            copy_frame(cursor, f"{schema}.{table}", frame, list(frame.columns))
        return len(frame)
    from indicators.warehouse import connect, transaction

    with connect(settings.warehouse) as connection, transaction(connection):
        connection.execute(f"create schema if not exists {schema}")
        connection.register("incoming_frame", frame)
        try:
            connection.execute(
                f"create or replace table {schema}.{table} as select * from incoming_frame"
            )
        finally:
            connection.unregister("incoming_frame")
    return len(frame)


_POSTGRES_TYPES = {
    20: "int8",
    21: "int2",
    23: "int4",
    700: "float",
    701: "float",
    1700: "float",
    16: "bool",
    1082: "date",
    1114: "timestamp",
}
"""PostgreSQL's type codes (pg_type oids) of the columns typed like DuckDB's df()."""

_INTEGERS = {
    "int8": {False: "int64", True: "Int64"},
    "int4": {False: "int32", True: "Int32"},
    "int2": {False: "int16", True: "Int16"},
}


class _PostgresResult:
    """What a DuckDB result offers the readers: fetchone, fetchall and df."""

    def __init__(self, cursor):
        self._cursor = cursor

    def fetchone(self):
        return self._cursor.fetchone()

    def fetchall(self):
        return self._cursor.fetchall()

    def df(self) -> pd.DataFrame:
        """The rows as DuckDB's df() types them, so that what is published from them (an
        integer column with a gap written as text, say) is the same on both warehouses:
        integers as numpy integers, or pandas' nullable ones where a value is missing; dates
        and timestamps as datetime64; numeric as float; booleans as numpy or nullable."""
        description = self._cursor.description
        frame = pd.DataFrame(self._cursor.fetchall(), columns=[c.name for c in description])
        for number, column in enumerate(description):
            values = frame.iloc[:, number]
            kind = _POSTGRES_TYPES.get(column.type_code)
            if kind is None:
                continue
            missing = values.isna().any()
            if kind in _INTEGERS:
                typed = values.astype(_INTEGERS[kind][missing])
            elif kind == "float":
                typed = values.astype("float64")
            elif kind == "bool":
                typed = values.astype("boolean" if missing else "bool")
            else:
                typed = pd.to_datetime(values).astype("datetime64[us]")
            frame[frame.columns[number]] = typed
        return frame


class _PostgresReader:
    """A read-only PostgreSQL connection with DuckDB's `execute(sql, parameters)`: `?`
    placeholders become psycopg2's `%s` (the readers' SQL has no other `?` or `%`)."""

    def __init__(self, connection):
        self._connection = connection

    def execute(self, sql: str, parameters=None) -> _PostgresResult:
        cursor = self._connection.cursor()
        cursor.execute(sql.replace("?", "%s"), parameters)
        return _PostgresResult(cursor)


@contextmanager
def reading(warehouse: Path | str) -> Iterator:
    """A read-only connection to the warehouse the publication reads: a DuckDB file (Path)
    or a PostgreSQL URL (str); both answer `execute(sql, parameters).df()`."""
    if isinstance(warehouse, str):
        from indicators.postgres import connect, parse_url

        with connect(parse_url(warehouse)) as connection:
            connection.set_session(readonly=True)
            yield _PostgresReader(connection)
        return
    from indicators.warehouse import connect as duckdb_connect

    with duckdb_connect(warehouse, read_only=True) as connection:
        yield connection


CHUNK_VECTORS = 50
"""Rows read at a time by `shared_frame`, in DuckDB's vectors of 2,048 rows."""


def shared_frame(result, vectors: int = CHUNK_VECTORS) -> pd.DataFrame:
    """`result.df()`, each text column's equal values held once (`shared_strings`), read
    `vectors` × 2,048 rows at a time where the engine can (DuckDB), so that a string per cell
    is only ever held for one chunk: read whole, fct_indicator_values' 972,358 rows took
    1.1 GiB for a moment to keep 0.3 (national, issue 19). Each column's type is the whole
    result's, as `.df()` gives it. PostgreSQL's result is read whole."""
    if not hasattr(result, "fetch_df_chunk"):
        return shared_strings(result.df())
    chunks = [shared_strings(result.fetch_df_chunk(vectors))]  # the columns, even of none
    while len(chunks[-1]):
        chunk = shared_strings(result.fetch_df_chunk(vectors))
        if not len(chunk):
            break
        chunks.append(chunk)
    if len(chunks) == 1:
        return chunks[0]
    frame = pd.concat(chunks, ignore_index=True)
    for column in frame.columns:  # text is objects in a chunk holding nothing else but nulls
        text = [c[column].dtype for c in chunks if isinstance(c[column].dtype, pd.StringDtype)]
        if text and frame[column].dtype != text[0]:
            frame[column] = frame[column].astype(text[0])
    return frame


def shared_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with each text column's equal values held as one object. The engine hands
    pandas a new string for every cell, so a column of a few distinct values (an indicator
    id, a level, a trend) costs a string per row: at national, fct_indicator_values' 972,358
    rows took 0.89 GiB as read and 0.30 GiB shared. Values, dtypes, order and index are
    unchanged (text columns only: an object column's None would come back as NaN)."""
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.StringDtype):
            frame[column] = frame[column].astype("category").astype(frame[column].dtype)
    return frame
