"""Operations, tried as a user would: real `chorus` processes on one CHORUS_HOME.

Failures print one line and the log path; two runs at once are safe; nothing is left running;
a run the sensor requests reloads only its years; a purge is logged and the next run
publishes without the purged year. Tests run in file order: later ones change the home.
"""

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from indicators.config import ChorusSettings
from indicators.ingest.landing import sha256_of
from indicators.synthetic.generate import generate
from indicators.warehouse import LockHolder, lock_holder, warehouse_lock
from tests import RUN_CHILDREN
from tests.console import one_line_and_the_log

pytestmark = pytest.mark.pipeline

CHORUS = [sys.executable, "-m", "orchestration.cli"]
YEARS = ["2022/23", "2023/24"]


def _session_processes(session: int) -> list[str]:
    """Processes still alive in a session (a started `chorus` leads its own session)."""
    alive = []
    for stat_path in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_path.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat_path.parent / "cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if int(fields[3]) == session and fields[0] != "Z":
            alive.append(f"{stat_path.parent.name}: {cmdline.decode(errors='replace')}")
    return alive


class Chorus:
    """`chorus ...` in its own session, its output in files (so nothing it leaves behind
    can hold a pipe open), and whatever of it is still running when it has exited."""

    def __init__(self, root: Path, env: dict[str, str], *args: str) -> None:
        self.stdout_path = root / f"out-{time.monotonic_ns()}.txt"
        self.stderr_path = self.stdout_path.with_name(self.stdout_path.name.replace("out-", "err-"))
        with self.stdout_path.open("w") as out, self.stderr_path.open("w") as err:
            self.process = subprocess.Popen(
                [*CHORUS, *args], cwd=root, env=env, stdout=out, stderr=err, start_new_session=True
            )
        self.leftovers: list[str] = []

    def wait(self, timeout: float = 900) -> "Chorus":
        self.process.wait(timeout=timeout)
        time.sleep(0.5)  # anything orphaned has had time to notice
        self.leftovers = _session_processes(self.process.pid)
        return self

    @property
    def returncode(self) -> int:
        return self.process.returncode

    @property
    def stdout(self) -> str:
        return self.stdout_path.read_text()

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text()


def _env(root: Path, **extra: str) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("CHORUS_", "DAGSTER_"))
    }
    return {**env, "CHORUS_HOME": str(root / "home"), "CHORUS_PACKS": "none", **extra}


@pytest.fixture(scope="module")
def ops(tmp_path_factory):
    """A synthetic landing area (no key set: synth's files may use the demo key) and an
    empty home of its own; the concurrency test makes its first publication."""
    root = tmp_path_factory.mktemp("ops")
    # Without care leavers, early communication, Early Help or the deprivation context: the
    # operations here are the statutory and voice streams'.
    generate(
        root / "landing",
        seed=21,
        children_per_year=RUN_CHILDREN,
        years=YEARS,
        care_leavers=False,
        early_communication=False,
        early_help=False,
        deprivation=False,
    )
    return root


def _one_line_and_the_log(run: Chorus) -> tuple[str, Path]:
    """A failure's console: exactly one `chorus:` line and the log's path, nothing else."""
    assert run.returncode == 1
    reason, log = one_line_and_the_log(run.stderr, run.stdout)
    assert not run.leftovers, run.leftovers
    return "chorus: " + reason, log


def _published(root: Path) -> dict:
    return json.loads((root / "output" / "manifest.json").read_text())


def test_the_leftover_check_sees_a_process_left_behind(tmp_path):
    """The check the tests below rely on: a grandchild that outlives its parent is seen."""
    parent = subprocess.Popen(["sh", "-c", "sleep 30 > /dev/null 2>&1 &"], start_new_session=True)
    parent.wait()
    time.sleep(0.2)
    left = _session_processes(parent.pid)
    assert any("sleep 30" in line for line in left), left
    for line in left:
        os.kill(int(line.split(":")[0]), 9)


def test_refusals_print_one_line_and_the_log(ops, tmp_path):
    landing = tmp_path / "landing"
    shutil.copytree(ops / "landing", landing)
    census = landing / "census" / "2023-24" / "census_extract.csv"
    census.write_text(census.read_text() + census.read_text().splitlines()[-1] + "\n")
    refused = Chorus(ops, _env(ops), "run", "--landing", str(landing), "--out", "output").wait()
    line, _ = _one_line_and_the_log(refused)
    assert "census/2023-24/census_extract.csv is not a synthetic return" in line
    assert "chorus key new" in line

    empty = tmp_path / "empty"
    (empty / "eyfsp").mkdir(parents=True)
    (empty / "eyfsp" / "return.csv").write_text("upn\n")
    nothing = Chorus(ops, _env(ops), "run", "--landing", str(empty), "--out", "output").wait()
    line, _ = _one_line_and_the_log(nothing)
    assert "no returns found" in line and "eyfsp/<YYYY-YY>" in line and "care_leavers/" in line

    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "notes.txt").write_text("not Chorus's")
    clash = Chorus(ops, _env(ops), "run", "--landing", "landing", "--out", str(theirs)).wait()
    line, _ = _one_line_and_the_log(clash)
    assert "not a Chorus publication" in line
    assert (theirs / "notes.txt").read_text() == "not Chorus's"

    warehouse = ops / "home" / "chorus.duckdb"
    with warehouse_lock(warehouse, LockHolder(started_by="a test", run_id="run-held")):
        busy = Chorus(
            ops, _env(ops, CHORUS_LOCK_WAIT="0"), "run", "--landing", "landing", "--out", "output"
        ).wait()
    line, _ = _one_line_and_the_log(busy)
    assert "in use by run run-held (started by a test" in line and "since" in line


def test_a_damaged_warehouse_is_reported_never_read_as_empty(tmp_path, ops):
    home = tmp_path / "home"
    home.mkdir()
    (home / "chorus.duckdb").write_bytes(b"not a warehouse " * 1000)
    env = {**_env(ops), "CHORUS_HOME": str(home)}
    run = Chorus(ops, env, "run", "--landing", "landing", "--out", str(tmp_path / "out")).wait()
    line, _ = _one_line_and_the_log(run)
    assert f"the warehouse {home / 'chorus.duckdb'} cannot be read" in line
    assert not (tmp_path / "out").exists()
    purge = Chorus(ops, env, "purge", "--before", "2020/21", "--yes").wait()
    line, log = _one_line_and_the_log(purge)  # not expected here: still one line and a log
    assert line.startswith("chorus: unexpected error: ")
    assert "Traceback" in log.read_text()
    bad = Chorus(
        ops, {**env, "CHORUS_RETENTION_YEARS": "seven"}, "run", "--landing", "landing"
    ).wait()
    assert bad.returncode == 1
    assert bad.stderr.strip() == (
        "chorus: CHORUS_RETENTION_YEARS is 'seven': set a number of "
        "academic years (default 6) or 'all' to keep every year"
    )


def _await_holder(warehouse: Path, run: Chorus, timeout: float = 120) -> LockHolder:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        holder = lock_holder(warehouse)
        if holder and holder.pid == run.process.pid:
            return holder
        assert run.process.poll() is None, run.stderr
        time.sleep(0.2)
    raise AssertionError("the first run never took the warehouse")


def test_two_runs_at_once_one_waits_and_the_publication_is_whole(ops):
    warehouse = ops / "home" / "chorus.duckdb"
    first = Chorus(ops, _env(ops), "run", "--landing", "landing", "--out", "output")
    holder = _await_holder(warehouse, first)
    impatient = Chorus(
        ops, _env(ops, CHORUS_LOCK_WAIT="0"), "run", "--landing", "landing", "--out", "output"
    ).wait()
    line, _ = _one_line_and_the_log(impatient)
    assert f"run {holder.run_id} (started by chorus run, process {first.process.pid}" in line
    second = Chorus(ops, _env(ops), "run", "--landing", "landing", "--out", "output")
    first.wait()
    second.wait()
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert f"waiting up to 600 s (CHORUS_LOCK_WAIT) for run {holder.run_id}" in second.stderr
    assert not first.leftovers and not second.leftovers
    output = ops / "output"
    manifest = _published(ops)
    assert manifest["run_id"] in second.stdout  # the later run published last
    listed = {entry["path"]: entry for entry in manifest["files"]}
    on_disk = {p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_file()}
    assert on_disk == set(listed) | {"manifest.json"}
    for path, entry in listed.items():
        assert sha256_of(output / path) == entry["sha256"]
        assert (output / path).stat().st_size == entry["bytes"]
    publications = output.with_name("output.publications")
    assert not [p for p in publications.iterdir() if p.name.startswith(".")]  # no staging
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        loads = connection.execute(
            "select academic_year, kind from raw.year_loads order by 1, 2"
        ).fetchall()
    assert loads == [(year, kind) for year in YEARS for kind in ("statutory", "voice")]


def test_a_blocking_check_that_fails_prints_one_line_and_the_log(ops):
    suites = ops / "expectations"
    shutil.copytree(ChorusSettings.from_env().expectations, suites, dirs_exist_ok=True)
    suite = json.loads((suites / "fct_indicator_values.json").read_text())
    suite["expectations"].append(
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "value", "min_value": 0, "max_value": 1},
            "meta": {"why": "an impossible rule, to make the run fail"},
        }
    )
    (suites / "fct_indicator_values.json").write_text(json.dumps(suite))
    before = _published(ops)
    run = Chorus(
        ops,
        _env(ops, CHORUS_EXPECTATIONS=str(suites)),
        "run",
        "--landing",
        "landing",
        "--out",
        "output",
    ).wait()
    line, log = _one_line_and_the_log(run)
    assert "gx_fct_indicator_values" in line and "nothing was published" in line
    text = log.read_text()
    assert "dagster - ERROR" in text and "DagsterAssetCheckFailedError" in text
    assert _published(ops) == before


def test_a_run_the_sensor_requests_reloads_only_the_changed_year(ops, monkeypatch):
    from dagster import DagsterInstance

    from orchestration.automation import landing_requests
    from orchestration.instance import prepare_dagster_home
    from orchestration.runner import run_config

    # The test edits a synthetic file below, so it is no longer synth's: allow the demo key.
    for name, value in _env(ops, CHORUS_ALLOW_DEMO_KEY="1").items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("CHORUS_PSEUDONYM_KEY", raising=False)
    settings = replace(ChorusSettings.from_env(), landing=ops / "landing", output=ops / "output")
    prepare_dagster_home(settings)
    instance = DagsterInstance.get()
    assert not landing_requests(settings, None, instance).run_requests
    census = settings.landing / "census" / "2023-24" / "census_extract.csv"
    frame = pd.read_csv(census, dtype=str, keep_default_na=False)
    frame.iloc[:-3].to_csv(census, index=False)  # three children fewer in the new version

    def loaded_at() -> dict:
        with duckdb.connect(str(settings.warehouse), read_only=True) as connection:
            return dict(
                connection.execute(
                    "select academic_year || kind, _loaded_at from raw.year_loads"
                ).fetchall()
            )

    before = loaded_at()
    [request] = landing_requests(settings, None, instance).run_requests
    from orchestration.definitions import PIPELINE_JOB, defs

    result = defs.resolve_job_def(PIPELINE_JOB).execute_in_process(
        run_config=run_config(settings), instance=instance, tags=request.tags, raise_on_error=False
    )
    assert result.success
    after = loaded_at()
    assert after["2022/23statutory"] == before["2022/23statutory"]
    assert after["2022/23voice"] == before["2022/23voice"]
    assert after["2023/24statutory"] != before["2023/24statutory"]
    assert not landing_requests(settings, None, instance).run_requests
    published = pd.read_csv(ops / "output" / "quality" / "load_summary.csv")
    eyfsp = published[published["file"] == "eyfsp/2023-24/eyfsp_return.csv"].iloc[0]
    assert (eyfsp["rows_loaded"], eyfsp["rows_quarantined"]) == (RUN_CHILDREN - 3, 3)


def test_a_purge_is_logged_and_the_next_run_publishes_without_the_year(ops):
    warehouse = ops / "home" / "chorus.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "select table_name from information_schema.columns where table_schema = 'raw' "
                "and column_name = 'academic_year'"
            ).fetchall()
        ]
        expected = {
            table: connection.execute(
                f"select count(*) from raw.{table} where academic_year = '2022/23'"
            ).fetchone()[0]
            for table in tables
        }
    expected = {table: count for table, count in expected.items() if count}
    landed_2022 = sorted((ops / "landing").glob("*/2022-23/*"))
    archive = ops / "home" / "archive"
    archived_before = len([p for p in archive.glob("*/*") if not p.name.endswith(".json")])
    kept = ops / "home" / "cache" / "packs" / "a-pack-of-2022-23"  # as a run with packs keeps
    kept.mkdir(parents=True)
    (kept / "pack.pdf").write_bytes(b"%PDF of 2022/23")
    decisions = ops / "home" / "cache" / "disclosure"  # kept by the runs before (ops runs)
    assert len(list(decisions.glob("*.npy"))) >= 2
    purge = Chorus(ops, _env(ops), "purge", "--before", "2023/24", "--yes").wait()
    assert purge.returncode == 0, purge.stderr
    assert not kept.exists()  # a pack kept for reuse showed the purged year
    assert not decisions.exists()  # so did a kept disclosure decision (a purged year's table)
    assert (
        f"{len(landed_2022)} archived files and {sum(expected.values()):,} raw rows "
        "removed (years 2022/23)" in purge.stdout
    )
    for table, count in expected.items():
        assert f"raw.{table}: {count:,} rows" in purge.stdout
    [log] = [
        Path(line.removeprefix("log: "))
        for line in purge.stdout.splitlines()
        if line.startswith("log: ")
    ]
    logged = json.loads(log.read_text().splitlines()[0].split(" ", 1)[1])
    assert logged["rows"] == expected and logged["archive_files"] == len(landed_2022)
    archived_after = len([p for p in archive.glob("*/*") if not p.name.endswith(".json")])
    assert archived_before - archived_after == len(landed_2022)

    run = Chorus(
        ops, _env(ops), "run", "--landing", "landing", "--out", "output", "--allow-demo-key"
    ).wait()  # the test above edited a synthetic file
    assert run.returncode == 0, run.stderr
    assert (
        f"not loaded: {len(landed_2022)} landed files of 2022/23, before the retention "
        "limit 2023/24" in run.stdout
    )
    values = pd.read_csv(ops / "output" / "indicators" / "indicator_values.csv", dtype=str)
    assert set(values["time_period"]) == {"202324"}
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        years = connection.execute(
            "select distinct academic_year from raw.eyfsp_returns"
        ).fetchall()
    assert years == [("2023/24",)]


def test_retention_removes_the_oldest_year_when_a_newer_one_lands(ops):
    """CHORUS_RETENTION_YEARS=1: landing 2024/25 retires 2023/24 in the same run."""
    synth = Chorus(
        ops,
        _env(ops),
        "synth",
        "--out",
        "landing",
        "--seed",
        "21",
        "--children-per-year",
        str(RUN_CHILDREN),
        "--years",
        "2024/25",
    ).wait()
    assert synth.returncode == 0, synth.stderr
    for kind in (  # counted by financial year (and the linkage with them); the academic
        "care_leavers",
        "pathway_plan_reviews",
        "health_visitor_reviews",
        "wellcomm_screenings",
        "slt_referrals",
        "health_education_linkage",
        "early_help_referrals",  # by month: not this test's academic years
        "voice_notes",
        "voice_note_survey",
    ):
        shutil.rmtree(ops / "landing" / kind, ignore_errors=True)  # years are tested
    landed_2024 = sorted((ops / "landing").glob("*/2024-25/*"))
    older = sorted((ops / "landing").glob("*/2022-23/*")) + sorted(
        (ops / "landing").glob("*/2023-24/*")
    )
    kept = ops / "home" / "cache" / "packs" / "a-pack-of-2023-24"  # (packs are off here)
    kept.mkdir(parents=True)
    (kept / "pack.pdf").write_bytes(b"%PDF of 2023/24")
    run = Chorus(
        ops,
        _env(ops, CHORUS_RETENTION_YEARS="1"),
        "run",
        "--landing",
        "landing",
        "--out",
        "output",
        "--allow-demo-key",
    ).wait()
    assert run.returncode == 0, run.stderr
    assert (
        f"not loaded: {len(older)} landed files of 2022/23, 2023/24, before the "
        "retention limit 2024/25" in run.stdout
    )
    values = pd.read_csv(ops / "output" / "indicators" / "indicator_values.csv", dtype=str)
    assert set(values["time_period"]) == {"202425"}
    assert not kept.exists()  # the retention purge removed what runs kept of those years
    archive = ops / "home" / "archive"
    assert len([p for p in archive.glob("*/*") if not p.name.endswith(".json")]) == len(landed_2024)
    warehouse = ops / "home" / "chorus.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        years = connection.execute(
            "select distinct academic_year from raw.eyfsp_returns"
        ).fetchall()
        purges = connection.execute(
            "select purged_before, reason from raw.purges order by purged_before"
        ).fetchall()
    assert years == [("2024/25",)]
    assert purges == [
        ("2023/24", "chorus purge"),
        ("2024/25", "retention (CHORUS_RETENTION_YEARS=1)"),
    ]
