"""The progress a run shows while it runs (orchestration/runner.py `_watch`): the assets and
checks done so far and the last of them, counted once each however often it looks."""

from __future__ import annotations

import threading
import time

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
