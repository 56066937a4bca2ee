"""The progress a run shows while it runs (orchestration/runner.py `_watch`): the assets and
checks done so far and the last of them, counted once each however often it looks."""

from __future__ import annotations

import threading
import time

import pytest
from dagster import AssetCheckResult, DagsterInstance, asset, asset_check, materialize

from orchestration.runner import _watch


@asset
def first_table() -> int:
    return 1


@asset(deps=[first_table])
def second_table() -> int:
    return 2


@asset_check(asset=second_table)
def second_table_has_rows() -> AssetCheckResult:
    return AssetCheckResult(passed=True)


def test_progress_counts_each_asset_and_check_once_and_names_the_last():
    instance = DagsterInstance.ephemeral()
    result = materialize([first_table, second_table, second_table_has_rows], instance=instance)
    assert result.success
    seen: list[tuple[int, int, str]] = []
    stop = threading.Event()
    watcher = threading.Thread(
        target=_watch,
        args=(instance, result.run_id, 3, lambda *progress: seen.append(progress), stop),
    )
    watcher.start()
    deadline = time.monotonic() + 30
    while len(seen) < 3 and time.monotonic() < deadline:  # it looks three times at least
        time.sleep(0.1)
    stop.set()
    watcher.join()
    assert len(seen) >= 3
    assert set(seen) == {(3, 3, "second_table_has_rows")}


@asset
def slow_first() -> int:
    time.sleep(0.7)
    return 1


@asset(deps=[slow_first])
def slow_second() -> int:
    time.sleep(0.7)
    return 2


@asset_check(asset=slow_second)
def slow_second_checked() -> AssetCheckResult:
    time.sleep(0.7)
    return AssetCheckResult(passed=True)


@asset(deps=[slow_second])
def slow_third() -> int:
    time.sleep(0.7)
    return 3


@pytest.mark.slow
def test_progress_rises_as_the_run_goes_from_before_it_is_registered_to_its_end():
    """Watched from before the run exists (as chorus run starts its watcher): nothing done
    at first, then each asset and check as it comes, in between two reads, never counted
    twice, and the last named at the end."""
    import uuid

    from dagster import Definitions, define_asset_job

    instance = DagsterInstance.ephemeral()
    job = Definitions(
        assets=[slow_first, slow_second, slow_third],
        asset_checks=[slow_second_checked],
        jobs=[define_asset_job("slow")],
    ).resolve_job_def("slow")
    run_id, seen, stop = str(uuid.uuid4()), [], threading.Event()
    watcher = threading.Thread(
        target=_watch, args=(instance, run_id, 4, lambda *progress: seen.append(progress), stop)
    )
    watcher.start()
    time.sleep(1.2)  # not registered yet
    assert job.execute_in_process(instance=instance, run_id=run_id).success
    time.sleep(1.2)
    stop.set()
    watcher.join()
    counts = [done for done, _, _ in seen]
    assert counts[0] == 0
    assert counts == sorted(counts)
    assert set(counts) - {0, 4}, "no count seen between the start and the end"
    assert seen[-1] == (4, 4, "slow_third")
