"""The shared PostgreSQL warehouse: connections, the raw zone's tables and bulk loads (COPY).

Chosen by CHORUS_WAREHOUSE holding a `postgresql://` URL (DuckDB stays the default). The raw
tables are declared once (indicators.warehouse.raw_tables, in DuckDB's type names); here they
are created with PostgreSQL's names for the same types and loaded with `COPY ... FROM STDIN`,
never row by row. Nothing here connects at import; psycopg2 is imported when first needed.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

import pandas as pd

POSTGRES_SCHEMES = ("postgresql", "postgres")

SESSION_OPTIONS = "-c TimeZone=UTC -c DateStyle=ISO -c extra_float_digits=1"
"""Every Chorus session on the server (psycopg2's and dbt's) reads dates, months and floats
alike, whatever the server's or the role's defaults: UTC (a date truncated to its month
never moves with a clock change), ISO dates, floats written exactly."""

_LIBPQ_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}
"""URL query parameters dbt's connections take from libpq's environment variables."""

# DuckDB's type names in the raw tables' declarations, as PostgreSQL spells them.
_TYPES = {"varchar": "text", "double": "double precision"}


@dataclass(frozen=True)
class PostgresTarget:
    """Where the warehouse is: parsed from a postgresql:// URL (the password never printed)."""

    host: str
    port: int
    user: str
    password: str = field(repr=False)
    dbname: str
    options: tuple[tuple[str, str], ...] = ()
    """The URL's query parameters (e.g. sslmode=verify-full, sslrootcert=...): libpq's
    connection parameters, passed to every connection."""

    def __str__(self) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.dbname}"

    def dagster_url(self) -> str:
        """The URL for Dagster's storage (SQLAlchemy, through psycopg2), built from the parsed
        parts, so that every connection reads the same user, password and host."""
        user = quote(self.user, safe="")
        secret = f":{quote(self.password, safe='')}" if self.password else ""
        query = f"?{urlencode(self.options)}" if self.options else ""
        return f"postgresql+psycopg2://{user}{secret}@{self.host}:{self.port}/{self.dbname}{query}"

    def dbt_environment(self) -> dict[str, str]:
        """The variables dbt's `postgres` target reads (dbt_project/profiles.yml)."""
        return {
            "CHORUS_DBT_TARGET": "postgres",
            "CHORUS_PG_HOST": self.host,
            "CHORUS_PG_PORT": str(self.port),
            "CHORUS_PG_USER": self.user,
            "CHORUS_PG_PASSWORD": self.password,
            "CHORUS_PG_DBNAME": self.dbname,
            # the URL's TLS and timeout parameters, as libpq reads them from the environment
            **{_LIBPQ_ENV[name]: value for name, value in self.options if name in _LIBPQ_ENV},
            "PGOPTIONS": SESSION_OPTIONS,
        }


def is_postgres_url(value: str | None) -> bool:
    return bool(value) and urlsplit(value).scheme in POSTGRES_SCHEMES


def parse_url(url: str) -> PostgresTarget:
    """A postgresql://user[:password]@host[:port]/dbname URL; ValueError saying what is missing."""
    parts = urlsplit(url)
    if parts.scheme not in POSTGRES_SCHEMES:
        raise ValueError(f"not a postgresql:// URL: {parts.scheme}://...")
    unreadable = (
        "the PostgreSQL warehouse URL cannot be read (never printed here): write it as "
        "postgresql://user:password@host:port/database, with any / @ : # ? % in the user "
        "or password percent-encoded (/ as %2F, @ as %40)"
    )
    try:
        port = parts.port or 5432
    except ValueError:
        raise ValueError(unreadable) from None
    dbname = parts.path.lstrip("/")
    if "@" in (parts.password or "") or "/" in dbname or (parts.fragment and not dbname):
        raise ValueError(unreadable)
    if not parts.hostname or not dbname:
        raise ValueError(
            "the PostgreSQL warehouse URL needs a host and a database name "
            "(postgresql://user:password@host:port/database)"
        )
    return PostgresTarget(
        host=parts.hostname,
        port=port,
        user=unquote(parts.username or "postgres"),
        password=unquote(parts.password or ""),
        dbname=unquote(dbname),
        options=tuple(parse_qsl(parts.query)),
    )


@contextmanager
def connect(target: PostgresTarget, **parameters) -> Iterator:
    """A psycopg2 connection, committed on success and closed on exit (`parameters`: more
    of libpq's, e.g. connect_timeout)."""
    import psycopg2

    connection = psycopg2.connect(
        host=target.host,
        port=target.port,
        user=target.user,
        password=target.password or None,
        dbname=target.dbname,
        application_name="chorus",
        options=SESSION_OPTIONS,
        **{**dict(target.options), **parameters},
    )
    try:
        yield connection
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    finally:
        connection.close()


def unreachable_line(url: str, timeout_seconds: int = 10) -> str | None:
    """None when the warehouse answers; else the one line saying which server and why
    (the server down, a wrong password, a database not created), never the password."""
    import psycopg2

    target = parse_url(url)
    try:
        with connect(target, connect_timeout=timeout_seconds) as connection:
            connection.cursor().execute("select 1")
    except psycopg2.Error as error:
        said = " ".join(str(error).split())
        if target.password:
            said = said.replace(target.password, "***")
        return (
            f"cannot use the PostgreSQL warehouse {target} (CHORUS_WAREHOUSE): {said}; "
            "check that the server is running, the user and password, and that the "
            "database has been created"
        )
    return None


def column_type(declared: str) -> str:
    """A raw column's declared DuckDB type as PostgreSQL names it."""
    return _TYPES.get(declared.strip().lower(), declared.strip().lower())


def create_table_sql(table: str, columns: str) -> str:
    """`create table if not exists raw.<table>` from a raw table's DuckDB declaration."""
    parts = []
    for part in columns.split(","):
        name, _, declared = part.strip().partition(" ")
        parts.append(f"{name} {column_type(declared)}")
    return f"create table if not exists raw.{table} ({', '.join(parts)})"


def copy_frame(cursor, table: str, frame: pd.DataFrame, columns: Sequence[str]) -> int:
    """Load `frame`'s `columns` into `table` with one COPY; returns the rows loaded.

    Missing values travel as an unquoted empty field (NULL); an empty string is quoted, so it
    stays an empty string, as DuckDB keeps it.
    """
    if frame.empty:
        return 0
    buffer = io.StringIO()
    for row in frame[list(columns)].itertuples(index=False, name=None):
        buffer.write(",".join(_csv_field(value) for value in row))
        buffer.write("\n")
    buffer.seek(0)
    quoted = ", ".join(f'"{column}"' for column in columns)
    cursor.copy_expert(f"copy {table} ({quoted}) from stdin with (format csv)", buffer)
    return len(frame)


def _csv_field(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, pd.Timestamp):
        return value.isoformat(sep=" ")
    text = str(value)
    return '"' + text.replace('"', '""') + '"'


def _replace_rows(cursor, table: str, columns: str) -> None:
    """Empty raw.<table> for a new copy: truncated when its columns are as declared (dbt's
    staging views on it stay), else dropped with what depends on it and created again (dbt
    builds the views again in the same run)."""
    cursor.execute(
        "select column_name from information_schema.columns where table_schema = 'raw' "
        "and table_name = %s order by ordinal_position",
        [table],
    )
    existing = [row[0] for row in cursor.fetchall()]
    from indicators.warehouse import declared_columns

    if existing == declared_columns(columns):
        cursor.execute(f"truncate raw.{table}")
        return
    cursor.execute(f"drop table if exists raw.{table} cascade")
    cursor.execute(create_table_sql(table, columns))


def copy_raw_zone(duckdb_path: Path, target: PostgresTarget) -> dict[str, int]:
    """Copy a DuckDB warehouse's raw zone to PostgreSQL (every row replaced, in one
    transaction); rows per table.

    How a team moves an existing embedded warehouse to its shared server, and how the tests
    give both warehouses the same raw rows.
    """
    from indicators.warehouse import connect as duckdb_connect
    from indicators.warehouse import raw_tables

    copied = {}
    with duckdb_connect(duckdb_path, read_only=True) as source, connect(target) as connection:
        cursor = connection.cursor()
        cursor.execute("create schema if not exists raw")
        for table, columns in raw_tables().items():
            _replace_rows(cursor, table, columns)
            frame = source.execute(f"select * from raw.{table}").df()
            copied[table] = copy_frame(cursor, f"raw.{table}", frame, list(frame.columns))
    return copied


def frame_columns_sql(frame: pd.DataFrame) -> str:
    """Column declarations for a table holding `frame`, typed as DuckDB types a frame
    (int32 integer, other integers bigint, floats double, booleans, timestamps, text)."""
    declared = []
    for name, dtype in frame.dtypes.items():
        if pd.api.types.is_bool_dtype(dtype):
            kind = "boolean"
        elif pd.api.types.is_integer_dtype(dtype):
            kind = "integer" if dtype.itemsize <= 4 else "bigint"
        elif pd.api.types.is_float_dtype(dtype):
            kind = "double precision"
        elif pd.api.types.is_datetime64_any_dtype(dtype):
            kind = "timestamp"
        else:
            kind = "text"
        declared.append(f'"{name}" {kind}')
    return ", ".join(declared)
