"""Dagster's run history in a CHORUS_HOME (orchestration/instance.py): events a run writes
reach the UI while the run is still going, through the event log storage dagster.yaml
names."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indicators.config import ChorusSettings

ROOT = Path(__file__).resolve().parents[1]
EVENTS = 8
WRITER = """
import logging, sys, time
from dagster import DagsterInstance
from dagster._core.events.log import EventLogEntry
instance = DagsterInstance.from_config(sys.argv[1])
for i in range(int(sys.argv[3])):
    entry = EventLogEntry(None, logging.INFO, f"event {i}", sys.argv[2], time.time(), None,
                          "chorus_pipeline", None)
    instance.event_log_storage.store_event(entry)
    time.sleep(0.2)
print("written", flush=True)
time.sleep(float(sys.argv[4]))  # the run goes on: its connections stay open
"""


@pytest.mark.slow
def test_the_ui_sees_a_run_s_events_while_the_run_is_writing_them(tmp_path, monkeypatch):
    from dagster import DagsterInstance

    from orchestration.instance import prepare_dagster_home

    monkeypatch.setenv("DAGSTER_HOME", "")  # prepare_dagster_home sets it: undone after
    settings = ChorusSettings.from_env({"CHORUS_HOME": str(tmp_path / "home")})
    home = str(prepare_dagster_home(settings))
    ui = DagsterInstance.from_config(home)
    assert type(ui.event_log_storage).__name__ == "KeptOpenSqliteEventLogStorage"
    run_id = "a-run-in-progress"

    def writer(events: int, linger: float) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-c", WRITER, home, run_id, str(events), str(linger)],
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.PIPE,
            text=True,
        )

    assert writer(1, 0).wait(timeout=120) == 0  # the run's file exists, as the UI opens it
    seen: list[str] = []
    first = ui.get_records_for_run(run_id)
    ui.watch_event_logs(run_id, first.cursor, lambda event, _: seen.append(event.user_message))
    try:
        run = writer(EVENTS, linger=30)
        deadline = time.monotonic() + 60
        while len(seen) < EVENTS and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        live = list(seen)
        assert run.poll() is None, "the run ended before the UI saw its events"
        run.kill()
        run.wait()
    finally:
        ui.dispose()
    assert live == [f"event {i}" for i in range(EVENTS)]
