"""The shared PostgreSQL warehouse, on a real server the test session starts.

What a team relies on when it moves from the embedded DuckDB file to its PostgreSQL server:
CHORUS_WAREHOUSE=postgresql://... selects it; the raw zone's rows arrive unchanged by bulk
COPY (NULLs stay NULL, empty strings stay empty, quotes, commas and line breaks survive);
`chorus run` builds every model there, with the same rows as on DuckDB from the same landing,
and publishes the same files, byte for byte but for the run's own id and time.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from indicators.config import ChorusSettings, SettingsError
from indicators.postgres import connect, copy_frame, copy_raw_zone, parse_url
from indicators.warehouse_tables import reading
from orchestration.dbt_setup import dbt_environment
from tests.postgres_server import free_port
from tests.tiers import runs_chorus

MODEL_SCHEMAS = ("staging", "intermediate", "indicators", "computed", "marts", "reference")


def test_a_postgres_url_selects_the_shared_warehouse_for_dbt(tmp_path):
    environ = {
        "CHORUS_HOME": str(tmp_path),
        "CHORUS_WAREHOUSE": "postgresql://analyst:s%40cret@db.example.org:6543/chorus_la",
    }
    settings = ChorusSettings.from_env(environ, cwd=tmp_path)
    assert settings.warehouse_url == environ["CHORUS_WAREHOUSE"]
    dbt = dbt_environment(settings)
    assert dbt["CHORUS_DBT_TARGET"] == "postgres"
    assert (dbt["CHORUS_PG_HOST"], dbt["CHORUS_PG_PORT"]) == ("db.example.org", "6543")
    assert (dbt["CHORUS_PG_USER"], dbt["CHORUS_PG_PASSWORD"]) == ("analyst", "s@cret")
    assert dbt["CHORUS_PG_DBNAME"] == "chorus_la"
    assert "s@cret" not in str(parse_url(environ["CHORUS_WAREHOUSE"]))


def test_without_a_url_the_warehouse_is_the_embedded_duckdb_file(tmp_path):
    for value in (None, str(tmp_path / "elsewhere.duckdb")):
        environ = {"CHORUS_HOME": str(tmp_path)}
        if value:
            environ["CHORUS_WAREHOUSE"] = value
        settings = ChorusSettings.from_env(environ, cwd=tmp_path)
        assert settings.warehouse_url is None
        dbt = dbt_environment(settings)
        assert dbt["CHORUS_DBT_TARGET"] == "duckdb"
        assert dbt["CHORUS_WAREHOUSE"] == str(tmp_path / "chorus.duckdb")


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://chorus:sec/ret@db.example.org/chorus",
        "postgresql://chorus:sec@ret@db.example.org/chorus",
        "postgresql://chorus:sec#ret@db.example.org/chorus",
    ],
)
def test_a_password_the_url_cannot_carry_is_refused_without_printing_it(tmp_path, url):
    with pytest.raises(SettingsError) as refused:
        ChorusSettings.from_env({"CHORUS_HOME": str(tmp_path), "CHORUS_WAREHOUSE": url})
    assert "sec" not in str(refused.value) and "ret" not in str(refused.value)
    assert "percent-encoded" in str(refused.value)


def test_every_connection_reads_the_same_password_and_tls_settings():
    """psycopg2 and dbt (parse_url), and Dagster's storage (SQLAlchemy, which parses URLs
    its own way) get the same user, password, host and TLS parameters; no repr shows the
    password."""
    from sqlalchemy.engine import make_url

    url = "postgresql://an%40alyst:p%2Fs%40ss%3Aw@db.example.org:6543/chorus?sslmode=verify-full"
    target = parse_url(url)
    dagster = make_url(target.dagster_url())
    assert (dagster.username, dagster.password) == ("an@alyst", "p/s@ss:w")
    assert (dagster.host, dagster.port, dagster.database) == ("db.example.org", 6543, "chorus")
    assert dagster.query == {"sslmode": "verify-full"}
    assert (target.user, target.password) == ("an@alyst", "p/s@ss:w")
    dbt = target.dbt_environment()
    assert dbt["CHORUS_PG_PASSWORD"] == "p/s@ss:w" and dbt["PGSSLMODE"] == "verify-full"
    assert "p/s@ss:w" not in repr(target) and "p/s@ss:w" not in str(target)


@pytest.mark.parametrize(
    "url", ["postgresql://127.0.0.1:5432/", "postgresql:///chorus", "postgres://user@/chorus"]
)
def test_a_url_without_host_or_database_is_refused_when_settings_are_read(tmp_path, url):
    with pytest.raises(ValueError, match="host and a database"):
        ChorusSettings.from_env({"CHORUS_HOME": str(tmp_path), "CHORUS_WAREHOUSE": url})


def test_copy_keeps_every_awkward_value(postgres_server):
    awkward = pd.DataFrame(
        {
            "text": ["plain", "", None, 'say "hi", then go', "line\nbreak", "Zoë, café", "\\N"],
            "number": pd.array([1, 0, None, -7, 2**31 - 1, 42, 3], dtype="Int64"),
            "flag": [True, False, None, True, False, True, False],
            "when": [
                pd.Timestamp("2024-09-01 08:30:00"),
                None,
                pd.Timestamp("2023-01-31"),
                pd.Timestamp("2024-02-29 23:59:59"),
                None,
                pd.Timestamp("2000-01-01"),
                pd.Timestamp("2024-09-01"),
            ],
        }
    )
    target = parse_url(postgres_server.create_database("copy_values"))
    with connect(target) as connection:
        cursor = connection.cursor()
        cursor.execute(
            'create table awkward (text text, number integer, flag boolean, "when" timestamp)'
        )
        assert copy_frame(cursor, "awkward", awkward, list(awkward.columns)) == len(awkward)
        cursor.execute('select text, number, flag, "when" from awkward')
        back = cursor.fetchall()
    expected = [
        ("plain", 1, True, dt.datetime(2024, 9, 1, 8, 30)),
        ("", 0, False, None),
        (None, None, None, dt.datetime(2023, 1, 31)),
        ('say "hi", then go', -7, True, dt.datetime(2024, 2, 29, 23, 59, 59)),
        ("line\nbreak", 2**31 - 1, False, None),
        ("Zoë, café", 42, True, dt.datetime(2000, 1, 1)),
        ("\\N", 3, False, dt.datetime(2024, 9, 1)),
    ]
    assert back == expected


TYPED_TABLE = """
create table typed (
    whole integer, big bigint, small smallint, day date, moment timestamp, share double precision,
    total numeric, label varchar, flag boolean
)
"""
TYPED_ROWS = (
    "insert into typed values (12, 3000000000, 3, '2024-04-01', '2024-04-01 08:30:00', 0.125,"
    " 7, 'a', true), (null, null, null, null, null, null, null, null, null),"
    " (-4, 5, 6, '2025-03-31', '2025-03-31 23:59:59', 2.5, 8, '', false)"
)


@pytest.mark.parametrize("rows", ["all", "without gaps", "none"])
def test_a_postgres_read_gives_the_types_and_values_duckdb_gives(postgres_server, tmp_path, rows):
    """The publication reads the same frame from either warehouse: DuckDB's own df() is the
    expectation (an integer with a gap must still print as 12, not 12.0)."""
    where = {"all": "", "without gaps": " where whole is not null", "none": " where false"}[rows]
    query = f"select * from typed{where} order by day nulls last"
    url = postgres_server.create_database(f"typed_{rows.replace(' ', '_')}")
    with connect(parse_url(url)) as connection:
        connection.cursor().execute(TYPED_TABLE)
        connection.cursor().execute(TYPED_ROWS)
    duck_path = tmp_path / "typed.duckdb"
    with duckdb.connect(str(duck_path)) as duck:
        duck.execute(TYPED_TABLE.replace("numeric", "decimal(18, 3)"))
        duck.execute(TYPED_ROWS)
    with reading(duck_path) as duck:
        expected = duck.execute(query).df()
    with reading(url) as server:
        found = server.execute(query).df()
    pd.testing.assert_frame_equal(found, expected)
    assert found.astype("string").fillna("").iloc[:1, 0].tolist() == (
        ["12"] if rows != "none" else []
    )


def _chorus_run(landing: Path, output: Path, environment: dict) -> subprocess.CompletedProcess:
    """`chorus run` as a user types it, in its own process."""
    return subprocess.run(
        [
            str(Path(sys.executable).with_name("chorus")),
            "run",
            "--landing",
            str(landing),
            "--out",
            str(output),
        ],
        env=environment,
        capture_output=True,
        text=True,
        timeout=1800,
    )


@pytest.mark.parametrize("problem", ["no server there", "no such database"])
@pytest.mark.pipeline
def test_a_warehouse_that_cannot_be_used_stops_the_run_in_one_line(
    pipeline_run, postgres_server, tmp_path, problem
):
    """The server down or the database not created: one line naming the server and what
    to check, and the log; never a traceback, never the password."""
    port = free_port() if problem == "no server there" else postgres_server.port
    url = f"postgresql://chorus:Hunter2secret@127.0.0.1:{port}/not_created"
    result = _chorus_run(
        pipeline_run.landing,
        tmp_path / "output",
        {**os.environ, "CHORUS_HOME": str(tmp_path / "home"), "CHORUS_WAREHOUSE": url},
    )
    said = result.stdout + result.stderr
    assert result.returncode != 0
    assert f"cannot use the PostgreSQL warehouse postgresql://chorus@127.0.0.1:{port}" in said
    assert "log:" in said and "Traceback" not in said
    assert "Hunter2secret" not in said
    assert not (tmp_path / "output").exists()


def test_the_daemon_without_its_server_says_so_in_one_line(tmp_path):
    url = f"postgresql://chorus:Hunter2secret@127.0.0.1:{free_port()}/chorus"
    result = subprocess.run(
        [str(Path(sys.executable).with_name("chorus")), "daemon"],
        env={**os.environ, "CHORUS_HOME": str(tmp_path / "home"), "CHORUS_WAREHOUSE": url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    said = (result.stdout + result.stderr).strip()
    assert result.returncode != 0
    assert said.startswith("chorus: cannot use the PostgreSQL warehouse"), said
    assert "Traceback" not in said and "Hunter2secret" not in said


@pytest.fixture(scope="module")
@runs_chorus
def postgres_run(pipeline_run, postgres_server, tmp_path_factory):
    """`chorus run` on the session's landing with CHORUS_WAREHOUSE naming a database on the
    session's PostgreSQL server: its own home and output, the same key and files. The
    database orders text as British English does (ICU en-GB), as a council's server may,
    where DuckDB orders it byte by byte: nothing published may depend on the difference."""
    url = postgres_server.create_database("chorus_run", collation="en-GB")
    root = tmp_path_factory.mktemp("postgres_run")
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CHORUS_PG_")},
        "CHORUS_HOME": str(root / "home"),
        "CHORUS_LANDING": str(pipeline_run.landing),
        "CHORUS_OUTPUT": str(root / "output"),
        "CHORUS_WAREHOUSE": url,
    }
    result = _chorus_run(pipeline_run.landing, root / "output", environment)
    return PostgresRun(parse_url(url), root / "home", root / "output", result, environment)


@dataclass
class PostgresRun:
    target: object
    home: Path
    output: Path
    result: subprocess.CompletedProcess
    environment: dict


def test_chorus_run_publishes_from_a_postgres_warehouse(postgres_run):
    result = postgres_run.result
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    assert (postgres_run.output / "indicators" / "indicator_values.csv").is_file()


def test_dagster_keeps_the_run_history_on_the_server(postgres_run):
    """The UI and the daemon on any machine see the run: it is in the server's runs table,
    and no SQLite run history was made in CHORUS_HOME."""
    assert postgres_run.result.returncode == 0, "the PostgreSQL run failed (see above)"
    with connect(postgres_run.target) as connection:
        cursor = connection.cursor()
        cursor.execute("select pipeline_name, status from runs")
        runs = cursor.fetchall()
    assert runs == [("chorus_pipeline", "SUCCESS")]
    assert not list((postgres_run.home / "dagster").rglob("runs.db"))


def test_the_daemon_as_a_service_shares_the_server(postgres_run):
    """`chorus daemon` (the sensor, the schedule and the queue, without the UI) records its
    heartbeats on the same server as the runs: a UI anywhere sees it alive."""
    environment = {**os.environ, **postgres_run.environment}
    daemon = subprocess.Popen(
        [str(Path(sys.executable).with_name("chorus")), "daemon"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    beating: list = []
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and not beating and daemon.poll() is None:
            time.sleep(2)
            with connect(postgres_run.target) as connection:
                cursor = connection.cursor()
                cursor.execute(
                    "select count(*) from information_schema.tables "
                    "where table_name = 'daemon_heartbeats'"
                )
                if cursor.fetchone()[0]:
                    cursor.execute("select daemon_type from daemon_heartbeats")
                    beating = sorted(row[0] for row in cursor.fetchall())
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        said = daemon.communicate(timeout=60)[0]
    assert "SENSOR" in beating and "SCHEDULER" in beating, said[-2000:]


def test_the_raw_zone_arrives_whole(postgres_run):
    with duckdb.connect(str(postgres_run.home / "chorus.duckdb"), read_only=True) as duck:
        tables = [row[0] for row in duck.execute(
            "select table_name from information_schema.tables where table_schema = 'raw'"
        ).fetchall()]  # fmt: skip
        expected = {
            table: duck.execute(f"select count(*) from raw.{table}").fetchone()[0]
            for table in tables
        }
    with connect(postgres_run.target) as connection:
        cursor = connection.cursor()
        landed = {}
        for table in tables:
            cursor.execute(f"select count(*) from raw.{table}")
            landed[table] = cursor.fetchone()[0]
    assert landed == expected
    assert sum(expected.values()) > 10_000  # the run landed a borough, not an empty zone


def test_copying_again_replaces_the_rows_and_keeps_what_reads_them(pipeline_run, postgres_server):
    """A second run copies the raw zone again: the same rows, not twice as many, and a view
    built on a raw table (as dbt's staging models are) does not stop it."""
    target = parse_url(postgres_server.create_database("copy_twice"))
    first = copy_raw_zone(pipeline_run.settings.warehouse, target)
    with connect(target) as connection:
        connection.cursor().execute(
            "create view reader as select count(*) as n from raw.eyfsp_returns"
        )
    second = copy_raw_zone(pipeline_run.settings.warehouse, target)
    with connect(target) as connection:
        cursor = connection.cursor()
        cursor.execute("select n from reader")
        through_view = cursor.fetchone()[0]
    assert second == first
    assert through_view == first["eyfsp_returns"] > 0


def _css_escaped(text: str) -> str:
    """`text` as the packs' CSS writes it in a page footer (a hyphen as `\\2d `)."""
    return text.replace("-", "\\2d ")


def _comparable(path: Path, data: bytes, variables: list[str]) -> bytes | str:
    """A published file's content, the run's own id and time left out. A PDF is compared by
    its pages' text and a workbook by its cells: both embed the run id compressed. In the
    quality report, the packs' sizes in bytes are left out for the same reason."""
    if path.suffix == ".pdf":
        from pypdf import PdfReader

        # the footer's run id may wrap anywhere: a page's text is compared without spaces
        text = "\f".join(re.sub(r"\s+", "", page.extract_text()) for page in PdfReader(path).pages)
    elif path.suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True)
        text = repr([[list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book])
    else:
        text = data.decode("utf-8", errors="replace")
    for variable in variables:
        text = text.replace(variable, "<run>").replace(_css_escaped(variable), "<run>")
    if path.name == "index.html" and path.parent.name == "quality":
        text = re.sub(r"[\d,]+ files, [\d,]+ bytes", "<sizes>", text)
        text = re.sub(
            r"(board pack files \(HTML, PDF and Excel per area\)</td><td[^>]*>)"
            r"[\d,]+",
            r"\1<size>",
            text,
        )
    return text


def _published(output: Path) -> dict[str, bytes | str]:
    """Every published file, comparable across runs (_comparable)."""
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    run_id, published = manifest["run_id"], manifest["published_at"]
    stamp = dt.datetime.fromisoformat(published).strftime("%d %B %Y, %H:%M UTC")
    files = {}
    for path in sorted(output.rglob("*")):
        if path.is_file() and path.name != "manifest.json":
            data = path.read_bytes()
            files[str(path.relative_to(output))] = _comparable(
                path, data, [run_id, published, stamp]
            )
    return files


def test_both_warehouses_publish_the_same_files(pipeline_run, postgres_run):
    assert postgres_run.result.returncode == 0, "the PostgreSQL run failed (see above)"
    ours = _published(pipeline_run.settings.output)
    theirs = _published(postgres_run.output)
    assert sorted(theirs) == sorted(ours)
    differing = [name for name in ours if ours[name] != theirs[name]]
    assert len(ours) > 20
    assert differing == []


def _models(duck) -> list[tuple[str, str]]:
    rows = duck.execute(
        "select table_schema, table_name from information_schema.tables "
        f"where table_schema in {MODEL_SCHEMAS} order by 1, 2"
    ).fetchall()
    return list(rows)


def _normalised(frame: pd.DataFrame) -> list[tuple]:
    """Rows as plain Python values, in one order. What differs is only how each driver hands
    values to pandas: floats to 12 significant digits (the engines' standard deviations
    differ in the last binary digits) and whole floats as integers (an integer column with
    nulls reads as floats from PostgreSQL), dates as dates (DuckDB's read as timestamps at
    midnight), arrays as tuples."""

    def value(item):
        if isinstance(item, (list, tuple, np.ndarray)):
            return tuple(value(element) for element in item)
        if isinstance(item, np.generic):
            item = item.item()
        if item is None or pd.isna(item):
            return None
        if isinstance(item, float):
            return int(item) if item.is_integer() else float(f"{item:.12g}")
        if isinstance(item, pd.Timestamp):
            item = item.to_pydatetime()
        if isinstance(item, dt.datetime) and item.time() == dt.time(0):
            return item.date()
        return item

    rows = [tuple(value(item) for item in row) for row in frame.itertuples(index=False)]
    return sorted(rows, key=repr)


def test_every_model_has_the_same_rows_on_both_warehouses(pipeline_run, postgres_run):
    assert postgres_run.result.returncode == 0, "the PostgreSQL run failed (see above)"
    differing = []
    with duckdb.connect(str(pipeline_run.settings.warehouse), read_only=True) as duck:
        models = _models(duck)
        with connect(postgres_run.target) as connection:
            for schema, table in models:
                ours = duck.execute(f"select * from {schema}.{table}").df()
                theirs = pd.read_sql_query(f"select * from {schema}.{table}", connection)
                if list(ours.columns) != list(theirs.columns):
                    differing.append(f"{schema}.{table}: columns differ")
                elif _normalised(ours) != _normalised(theirs):
                    differing.append(f"{schema}.{table}: rows differ")
    assert len(models) > 100
    assert differing == []
