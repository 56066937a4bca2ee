"""A run's timings file: each step's seconds and peak memory (orchestration/step_profile.py),
what docs/scaling.md's memory figures are read from."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from orchestration.step_profile import MemoryWatch, step_profile, tree_mib

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/smaps_rollup").is_file(), reason="memory is sampled from Linux /proc"
)

HOLD_MIB = 300
CHILD = f"""
import sys, time
block = bytearray({HOLD_MIB} * 2**20)
block[::4096] = b"x" * len(block[::4096])  # every page touched, so resident
print("ready", flush=True)
sys.stdin.readline()
"""


def _holding_child() -> subprocess.Popen:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout.readline().strip() == "ready"
    return child


def test_a_child_processes_memory_is_counted_with_its_parents():
    before = tree_mib(os.getpid())
    child = _holding_child()
    try:
        during = tree_mib(os.getpid())
    finally:
        child.communicate("go\n")
    after = tree_mib(os.getpid())
    assert during - before >= 0.9 * HOLD_MIB
    assert during - after >= 0.9 * HOLD_MIB


def _until(watch: MemoryWatch, seen, deadline: float = 20.0) -> bool:
    """Whether a sample `seen(mib)` is taken before the deadline (the machine may be busy)."""
    count, ends = len(watch.samples), time.monotonic() + deadline
    while time.monotonic() < ends:
        if any(seen(mib) for _, mib in watch.samples[count:]):
            return True
        time.sleep(0.02)
    return False


def test_the_watch_sees_a_peak_that_has_gone_by_the_time_it_stops():
    watch = MemoryWatch(os.getpid(), interval=0.05).start()
    assert _until(watch, lambda mib: True)
    low = watch.samples[-1][1]
    child = _holding_child()
    try:
        assert _until(watch, lambda mib: mib - low >= 0.9 * HOLD_MIB)
    finally:
        child.communicate("go\n")
    assert _until(watch, lambda mib: mib - low < 0.5 * HOLD_MIB)  # and gone again
    watch.stop()
    count = len(watch.samples)
    time.sleep(0.2)
    assert len(watch.samples) == count  # stopped


def test_each_step_gets_the_largest_sample_while_it_ran():
    spans = {"ingest": (10.0, 20.0), "dbt": (20.5, 30.0), "checks": (30.1, 30.2)}
    samples = [(9.5, 100.0), (12.0, 400.0), (19.9, 350.0), (25.0, 900.0), (29.0, 200.0)]
    samples += [(30.05, 150.0), (31.0, 120.0)]
    assert step_profile(spans, samples) == {
        "steps": {"ingest": 10.0, "dbt": 9.5, "checks": 0.1},
        "peak_mib": 900,
        "step_peak_mib": {"ingest": 400, "dbt": 900, "checks": 150},  # none inside: the last before
    }


def test_without_samples_the_timings_hold_seconds_only():
    assert step_profile({"ingest": (1.0, 3.5)}, []) == {"steps": {"ingest": 2.5}}


def test_a_slow_sample_makes_the_watch_wait_longer(monkeypatch):
    import orchestration.step_profile as step_profile_module

    def slow(pid):  # a sample that takes 50 ms of the thread's own CPU, as reading a large
        began = time.thread_time()  # process's PSS does
        while time.thread_time() - began < 0.05:
            pass
        return 1.0

    monkeypatch.setattr(step_profile_module, "tree_mib", slow)
    watch = MemoryWatch(os.getpid(), interval=0.01).start()
    time.sleep(1.5)
    samples = len(watch.samples)
    watch.stop()
    # at most a twentieth of the time sampling: 50 ms, then at least 1 s of waiting
    assert 1 <= samples <= 2
