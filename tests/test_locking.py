"""The warehouse lock: one holder at a time across processes, a waiting holder is told who
holds it, and a holder that was killed is recognised by the next one."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from indicators.warehouse import (
    LockHolder,
    WarehouseBusy,
    lock_holder,
    lock_path,
    warehouse_lock,
)

HOLD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from indicators.warehouse import LockHolder, warehouse_lock
    with warehouse_lock(Path(sys.argv[1]), LockHolder(started_by="a test", run_id="run-A")):
        print("held", flush=True)
        time.sleep(float(sys.argv[2]))
""")


def _hold(warehouse: Path, seconds: float) -> subprocess.Popen:
    """Another process holding the lock for `seconds` (returns once it holds it)."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(warehouse), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "held"
    return process


def test_a_second_holder_is_refused_with_the_holders_run_how_started_and_since(tmp_path):
    warehouse = tmp_path / "chorus.duckdb"
    other = _hold(warehouse, 30)
    try:
        started = time.monotonic()
        with pytest.raises(WarehouseBusy) as busy, warehouse_lock(warehouse, LockHolder("me")):
            pass
        assert time.monotonic() - started < 5  # no wait asked for: refused at once
        message = str(busy.value)
        assert "run run-A" in message and "started by a test" in message
        assert f"process {other.pid}" in message and "since 20" in message
        assert oct(lock_path(warehouse).stat().st_mode & 0o777) == "0o600"
    finally:
        other.kill()
        other.wait()


def test_a_waiting_holder_is_told_once_and_gets_the_lock_when_it_is_released(tmp_path):
    warehouse = tmp_path / "chorus.duckdb"
    other = _hold(warehouse, 2)
    told = []
    started = time.monotonic()
    with warehouse_lock(
        warehouse,
        LockHolder("me", run_id="run-B"),
        wait_seconds=60,
        on_wait=lambda holder, seconds: told.append((holder, seconds)),
    ):
        assert time.monotonic() - started > 1.5  # only once the other process let go
        assert lock_holder(warehouse).run_id == "run-B"
    other.wait()
    assert [(holder.run_id, seconds) for holder, seconds in told] == [("run-A", 60)]
    assert lock_holder(warehouse) is None  # released cleanly: nobody named any more


def test_a_bounded_wait_gives_up_and_names_the_holder(tmp_path):
    warehouse = tmp_path / "chorus.duckdb"
    other = _hold(warehouse, 30)
    try:
        started = time.monotonic()
        with (
            pytest.raises(WarehouseBusy) as busy,
            warehouse_lock(warehouse, LockHolder("me"), wait_seconds=1.5),
        ):
            pass
        assert 1.4 < time.monotonic() - started < 10
        assert busy.value.holder.run_id == "run-A"
    finally:
        other.kill()
        other.wait()


def test_a_killed_holder_frees_the_lock_and_is_reported_to_the_next(tmp_path):
    warehouse = tmp_path / "chorus.duckdb"
    other = _hold(warehouse, 60)
    os.kill(other.pid, signal.SIGKILL)
    other.wait()
    with warehouse_lock(warehouse, LockHolder("me")) as held:
        assert held.previous is not None and held.previous.run_id == "run-A"
        assert held.previous.pid == other.pid
    with warehouse_lock(warehouse, LockHolder("me again")) as held:
        assert held.previous is None  # the previous holder released it properly


def test_a_run_re_enters_the_lock_its_launcher_took_but_nobody_else_does(tmp_path):
    warehouse = tmp_path / "chorus.duckdb"
    with warehouse_lock(warehouse, LockHolder("chorus run", run_id="run-C")):
        with warehouse_lock(warehouse, LockHolder("the run's resource", run_id="run-C")) as inner:
            assert inner.reentered
        with (
            pytest.raises(WarehouseBusy),
            warehouse_lock(warehouse, LockHolder("another run", run_id="run-D")),
        ):
            pass
        assert json.loads(lock_path(warehouse).read_text())["run_id"] == "run-C"


def test_the_run_of_a_killed_holder_is_marked_failed_so_it_never_holds_the_queue():
    from dagster import DagsterInstance, DagsterRunStatus
    from dagster._core.storage.dagster_run import DagsterRun

    from orchestration.instance import settle_abandoned

    instance = DagsterInstance.ephemeral()
    for run_id, status in (
        ("never-started", DagsterRunStatus.NOT_STARTED),
        ("was-running", DagsterRunStatus.STARTED),
        ("had-finished", DagsterRunStatus.SUCCESS),
    ):
        instance.add_run(DagsterRun(job_name="chorus_pipeline", run_id=run_id, status=status))
        settled = settle_abandoned(instance, LockHolder("chorus run", run_id=run_id, pid=4242))
        after = instance.get_run_by_id(run_id).status
        if status == DagsterRunStatus.SUCCESS:
            assert settled is None and after == DagsterRunStatus.SUCCESS
        else:
            assert after == DagsterRunStatus.FAILURE and "process 4242" in settled
    assert settle_abandoned(instance, LockHolder("the landing_sensor")) is None  # no run
