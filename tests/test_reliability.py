"""Nothing lost, nothing doubled: archive, idempotent reloads, yearly replacement, crash safety."""

import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from indicators.config import ChorusSettings
from indicators.ingest.landing import RETURN_KINDS, sha256_of
from indicators.synthetic.generate import generate
from orchestration.runner import run_pipeline
from tests import RUN_CHILDREN
from tests.run_records import materialized
from tests.tiers import runs_chorus

TABLES = [
    "raw.eyfsp_returns",
    "raw.school_census",
    "raw.quarantine",
    "raw.load_log",
    "marts.fct_indicator_values",
]


def _settings(root: Path) -> ChorusSettings:
    base = ChorusSettings.from_env()
    return replace(
        base, home=root / "home", landing=root / "landing", output=root / "output", packs="none"
    )  # board packs are tested elsewhere; these runs test loading


RUN_ID_AND_TIME = re.compile(
    rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    rb"|\d{2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2} UTC"
)
"""What the quality report says of the run that wrote it (like the manifest's run id and time)."""
NOT_RUN_AGAIN = re.compile(
    rb"Not run again: nothing it reads changed since run [0-9a-f-]{36}\. ?"
    rb"| \([0-9,]+ not run again: nothing they read changed\)"
)
"""A dbt test a run did not run again, its inputs unchanged (orchestration/dbt_state.py)."""


def snapshot(settings: ChorusSettings) -> dict[str, object]:
    """Everything a user relies on: published files (manifest and quality report minus run id
    and time) and tables."""
    state: dict[str, object] = {}
    for path in sorted(settings.output.rglob("*")):
        if path.is_file() and path.name != "manifest.json":
            content = path.read_bytes()
            if path.relative_to(settings.output).as_posix() == "quality/index.html":
                content = RUN_ID_AND_TIME.sub(b"", NOT_RUN_AGAIN.sub(b"", content))
            state[path.relative_to(settings.output).as_posix()] = content
    manifest = json.loads((settings.output / "manifest.json").read_text())
    state["manifest.files"] = [
        entry if entry["path"] != "quality/index.html" else {"path": entry["path"]}
        for entry in manifest["files"]
    ]
    with duckdb.connect(str(settings.warehouse), read_only=True) as connection:
        for table in TABLES:
            frame = connection.execute(f"select * from {table}").df()
            frame = frame.drop(columns=[c for c in frame.columns if c == "_loaded_at"])
            # DuckDB's parallel aggregates (stddev) may differ in the 16th significant digit
            # between runs, which near zero (a signed mean such as a change in score, and
            # its interval) is far more than the 12th significant digit: compared to 9
            # decimal places. Published files are compared byte for byte above.
            floats = frame.select_dtypes("floating").columns
            frame[floats] = frame[floats].apply(
                lambda column: column.map(lambda x: round(x, 9) + 0.0 if x == x else x)
            )
            state[table] = frame.sort_values(list(frame.columns)).to_csv(index=False)
    return state


@pytest.fixture(scope="module")
@runs_chorus
def clean(tmp_path_factory, chorus_env):
    root = tmp_path_factory.mktemp("clean")
    settings = _settings(root)
    generate(
        settings.landing, seed=11, children_per_year=RUN_CHILDREN, years=["2022/23", "2023/24"]
    )
    outcome = run_pipeline(settings)
    assert outcome.success, outcome.reason
    return settings, snapshot(settings)


def _loaded_at(settings: ChorusSettings) -> dict[str, object]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as connection:
        return dict(
            connection.execute("select academic_year, _loaded_at from raw.year_loads").fetchall()
        )


def _landed(settings: ChorusSettings) -> list[Path]:
    return sorted(p for kind in RETURN_KINDS for p in (settings.landing / kind).glob("*/*.*"))


def test_landed_files_are_archived_by_sha256(clean):
    settings, _ = clean
    assert _landed(settings)
    for path in _landed(settings):
        digest = sha256_of(path)
        assert (settings.archive / digest[:2] / f"{digest}.csv").read_bytes() == path.read_bytes()


@pytest.mark.pipeline
def test_landing_the_same_files_again_changes_nothing(clean):
    settings, before = clean
    loaded_at = _loaded_at(settings)
    for path in _landed(settings):  # land every file again, same bytes
        path.write_bytes(path.read_bytes())
    outcome = run_pipeline(settings)
    assert outcome.success, outcome.reason
    assert _loaded_at(settings) == loaded_at  # no year was reloaded
    assert snapshot(settings) == before


@pytest.mark.pipeline
def test_a_killed_run_started_again_matches_a_clean_run(clean, tmp_path):
    """Killed mid-run, inside dbt (after ingest has written the raw tables), then run again."""
    settings, expected = clean
    killed = _settings(tmp_path)
    generate(killed.landing, seed=11, children_per_year=RUN_CHILDREN, years=["2022/23", "2023/24"])
    env = {**os.environ, "CHORUS_HOME": str(killed.home), "CHORUS_PACKS": "none"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "orchestration.cli",
            "run",
            "--landing",
            str(killed.landing),
            "--out",
            str(killed.output),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    # the run's log says when dbt starts; killed a moment later, whatever the machine's speed
    deadline = time.monotonic() + 600
    while process.poll() is None and time.monotonic() < deadline:
        logs = list((killed.home / "logs").glob("*.log"))
        if any("Running dbt command" in log.read_text(errors="replace") for log in logs):
            time.sleep(2.0)
            break
        time.sleep(0.5)
    assert process.poll() is None, "the run ended before dbt had run for two seconds"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    outcome = run_pipeline(killed)
    assert outcome.success, outcome.reason
    assert snapshot(killed) == expected
    from dagster import DagsterInstance, DagsterRunStatus, RunsFilter

    runs = DagsterInstance.get().get_run_records(RunsFilter())
    assert {record.dagster_run.run_id for record in runs} >= {outcome.run_id}
    # The killed run, if it had started, is marked failed: it must not hold the run queue.
    assert [r.dagster_run.status for r in runs if r.dagster_run.run_id != outcome.run_id] in (
        [],
        [DagsterRunStatus.FAILURE],
    )


@pytest.mark.pipeline
def test_a_new_version_replaces_only_its_year_and_the_old_stays_archived(clean):
    """Runs last in this module: it changes the landing area for good."""
    settings, before = clean
    census = settings.landing / "census" / "2023-24" / "census_extract.csv"
    old_digest = sha256_of(census)
    frame = pd.read_csv(census, dtype=str)
    frame.iloc[:-5].to_csv(census, index=False)  # five children fewer in the new version
    loaded_at = _loaded_at(settings)
    outcome = run_pipeline(settings)
    assert outcome.success, outcome.reason
    after = _loaded_at(settings)
    assert after["2022/23"] == loaded_at["2022/23"]
    assert after["2023/24"] != loaded_at["2023/24"]
    assert (settings.archive / old_digest[:2] / f"{old_digest}.csv").exists()
    new_digest = sha256_of(census)
    assert (settings.archive / new_digest[:2] / f"{new_digest}.csv").exists()
    accounts = {a["file"]: a for a in outcome.accounts}
    eyfsp = accounts["eyfsp/2023-24/eyfsp_return.csv"]
    assert (eyfsp["rows_loaded"], eyfsp["rows_quarantined"]) == (RUN_CHILDREN - 5, 5)
    after_state = snapshot(settings)
    unchanged = ["raw.eyfsp_returns", "raw.school_census"]
    for table in unchanged:  # the other year's rows are exactly as they were
        old_rows = [r for r in before[table].splitlines() if "2022/23" in r]
        assert old_rows == [r for r in after_state[table].splitlines() if "2022/23" in r]
    # dbt built again only what reads the census (and the load log), and published what a
    # new home publishes from the same landing, file for file and table for table
    report = (settings.output / "quality" / "index.html").read_bytes()
    assert NOT_RUN_AGAIN.search(report)
    from orchestration.dbt_setup import DBT_PROJECT_DIR

    models = list((DBT_PROJECT_DIR / "target").glob(f"chorus_dbt_models-{outcome.run_id[:7]}-*"))
    logs = "".join(log.read_text(encoding="utf-8") for log in models[0].glob("dbt.log*"))
    assert "source:raw.school_census+" in logs  # what dbt was asked to build
    assert "Nothing changed, skipping partial parsing" in logs  # this home's parse, reused
    # disclosure control solved again the tables of the year that changed, not the other's
    tables = materialized(outcome.run_id, "indicator_tables")
    assert tables["disclosure_tables_solved"] > 0 and tables["disclosure_tables_kept"] > 0, tables
    fresh = replace(settings, home=settings.home.with_name("fresh-home"))
    fresh = replace(fresh, output=settings.output.with_name("fresh-output"))
    outcome = run_pipeline(fresh)
    assert outcome.success, outcome.reason
    assert not NOT_RUN_AGAIN.search((fresh.output / "quality" / "index.html").read_bytes())
    published = {k: v for k, v in after_state.items() if not k.startswith("raw.")}
    assert {k: v for k, v in snapshot(fresh).items() if not k.startswith("raw.")} == published


def test_old_dbt_run_folders_are_pruned_so_a_schedule_does_not_fill_the_disk(tmp_path):
    import os

    from orchestration.dbt_setup import prune_run_targets

    for age in range(6):
        folder = tmp_path / f"chorus_dbt_models-run{age}"
        (folder / "compiled").mkdir(parents=True)
        os.utime(folder, (1_000_000 - age * 60, 1_000_000 - age * 60))
    (tmp_path / "manifest.json").write_text("{}")
    (tmp_path / "other_op-run9").mkdir()
    prune_run_targets(tmp_path, "chorus_dbt_models", keep=3)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == [
        "chorus_dbt_models-run0",
        "chorus_dbt_models-run1",
        "chorus_dbt_models-run2",
        "manifest.json",
        "other_op-run9",
    ]


def test_a_run_killed_while_dagster_made_its_storage_does_not_break_the_next(tmp_path, monkeypatch):
    """Killed while Dagster was first creating its SQLite storage, a run leaves tables
    missing; the next run must repair them (as `dagster instance migrate` would), not stop
    with Dagster's advice to run that command."""
    import sqlite3

    from orchestration.instance import chorus_instance, prepare_dagster_home

    settings = _settings(tmp_path)
    home = prepare_dagster_home(settings)
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    chorus_instance().get_runs(limit=1)  # the storage as a first run makes it
    index = next(home.rglob("index.db"))
    with sqlite3.connect(index) as db:  # as if killed before this table was made
        db.execute("drop table dynamic_partitions")
    with sqlite3.connect(index) as db:
        tables = {r[0] for r in db.execute("select name from sqlite_master")}
    assert "dynamic_partitions" not in tables
    instance = chorus_instance()
    instance.add_dynamic_partitions("academic_year_probe", ["2024-25"])
    assert list(instance.get_dynamic_partitions("academic_year_probe")) == ["2024-25"]
