"""Each step's seconds and memory, for a run's `logs/<run>.timings.json` (benchmarks/run.py
reads it; docs/scaling.md says what it holds).

Memory is sampled, not traced: every `interval` seconds (longer when a sample is slow: see
COST_SHARE) a thread adds up the proportional set size (PSS) of this process and every
process under it (dbt's, disclosure control's workers), so a page forked workers share is
counted once, in parts. A step's peak is the largest sample taken while it ran. Linux only
(/proc); elsewhere nothing is sampled and the timings say so by leaving `peak_mib` out.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

PROC = Path("/proc")
COST_SHARE = 20
"""A sample waits at least this many times as long as the last one took: the watch spends
at most a twentieth of one core (reading a 2 GiB process's PSS took 64 ms on this machine)."""
MAX_WAIT = 5.0
"""Nor longer than this, seconds."""


def _pss_kib(pid: int) -> int:
    """The process's PSS in KiB (0 when it has gone, or cannot be read)."""
    try:
        text = (PROC / str(pid) / "smaps_rollup").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def _children(pid: int) -> list[int]:
    """The processes `pid`'s threads started (one level)."""
    found = []
    try:
        tasks = list((PROC / str(pid) / "task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return found


def tree_mib(pid: int) -> float:
    """PSS of `pid` and every process under it, in MiB."""
    total, todo, seen = 0, [pid], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        total += _pss_kib(current)
        todo += _children(current)
    return total / 1024


class MemoryWatch:
    """`MemoryWatch(pid).start()` samples the process tree's memory until `stop()`;
    `samples` holds (unix time, MiB)."""

    def __init__(self, pid: int, interval: float = 0.5) -> None:
        self.pid = pid
        self.interval = interval
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self.available = (PROC / str(pid) / "smaps_rollup").is_file()

    def _sample(self) -> None:
        while True:
            began = time.thread_time()  # this thread's own CPU, not time spent waiting for it
            self.samples.append((time.time(), tree_mib(self.pid)))
            cost = time.thread_time() - began  # the kernel walks every page: 64 ms at 2 GiB
            if self._stop.wait(min(MAX_WAIT, max(self.interval, COST_SHARE * cost))):
                return

    def start(self) -> MemoryWatch:
        if self.available:
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
            self.samples.append((time.time(), tree_mib(self.pid)))  # as the run ends


def step_profile(
    spans: dict[str, tuple[float, float]], samples: list[tuple[float, float]] | None
) -> dict:
    """The timings file's content: each step's seconds (its (start, end) span), and, when
    memory was sampled, each step's and the whole run's peak in MiB."""
    profile: dict = {"steps": {key: round(end - start, 3) for key, (start, end) in spans.items()}}
    if samples:
        profile["peak_mib"] = round(max(mib for _, mib in samples))
        profile["step_peak_mib"] = {
            key: round(_peak(samples, start, end)) for key, (start, end) in spans.items()
        }
    return profile


def _peak(samples: list[tuple[float, float]], start: float, end: float) -> float:
    """The largest sample taken from `start` to `end`; a step shorter than the interval
    between samples has none, and gets the last sample before it ended."""
    inside = [mib for at, mib in samples if start <= at <= end]
    if inside:
        return max(inside)
    before = [mib for at, mib in samples if at <= end]
    return before[-1] if before else samples[0][1]


def step_spans(instance, run_id: str) -> dict[str, tuple[float, float]]:
    """Each finished step's (start, end), unix time, from Dagster's step stats."""
    return {
        s.step_key: (s.start_time, s.end_time)
        for s in instance.get_run_step_stats(run_id)
        if s.start_time and s.end_time
    }
