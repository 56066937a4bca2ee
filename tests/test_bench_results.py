"""benchmarks/run.py's RESULTS.md: each size's step seconds and step peaks, and the run's peak,
as the run's timings files gave them (the figures here are written out by hand)."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _bench(monkeypatch):
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "bench_run", module)  # its dataclasses look it up
    spec.loader.exec_module(module)
    return module


def _record(bench, name: str, steps: dict, peaks: dict, peak: int | None) -> dict:
    result = bench.SizeResult(bench.SIZES[name], steps=steps, step_peak_mib=peaks)
    result.peak_mib = peak
    return asdict(result) | {"size": asdict(result.size) | {"children": result.size.children}}


def test_results_show_each_steps_seconds_and_peak_and_the_runs_peak(tmp_path, monkeypatch):
    bench = _bench(monkeypatch)
    monkeypatch.setattr(bench, "RESULTS", tmp_path / "RESULTS.md")
    borough = _record(bench, "borough", {"dbt models": 12.34, "packs": 3.0}, {"packs": 690}, 700)
    # x10 ran no packs step, and its timings file had no peaks (not Linux)
    x10 = _record(bench, "x10", {"dbt models": 40.0}, {}, None)
    bench.write_results([borough, x10], "")
    text = (tmp_path / "RESULTS.md").read_text()
    seconds = text.split("## Where A's time goes")[1].split("##")[0]
    memory = text.split("## Where A's memory goes")[1].split("##")[0]
    assert "| dbt models | 12.3 | 40.0 |" in seconds
    assert "| packs | 3.0 |  |" in seconds  # not measured is blank, not 0
    assert "| dbt models |  |  |" in memory
    assert "| packs | 690 |  |" in memory
    assert "| the whole run | 700 |  |" in memory


def test_adding_a_year_times_both_runs(tmp_path, monkeypatch):
    """`make bench`'s new-year step: the run on all years but the last, then the run after
    the last lands, each A's measure (run_a gives the measure and the timings file)."""
    bench = _bench(monkeypatch)
    landing = tmp_path / "landing"
    last = bench.YEARS[-1].replace("/", "-")
    (landing / "census" / last).mkdir(parents=True)
    (landing / "census" / "2021-22").mkdir(parents=True)
    calls = []

    def run_a(size, landed, home, output, log):
        calls.append(sorted(p.name for p in (landed / "census").iterdir()))
        return bench.Measure(float(len(calls)), 1.0, 1.0, True), {"steps": {}}

    monkeypatch.setattr(bench, "WORK", tmp_path)
    monkeypatch.setattr(bench, "landing_for", lambda *args: landing)
    monkeypatch.setattr(bench, "run_a", run_a)
    full, added = bench.incremental(bench.SIZES["borough"], tmp_path / "out")
    assert (full.wall, added.wall) == (1.0, 2.0)
    assert calls == [["2021-22"], ["2021-22", last]]  # the last year lands for the second
