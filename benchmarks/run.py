"""`make bench`: Chorus (A) against the engine's limit (B) and an analyst's pandas script (C).

For each size it generates the same synthetic landing area once, then measures, each as a
separate process timed by /usr/bin/time (wall, CPU, peak RSS):
  A  chorus run end to end on a fresh CHORUS_HOME (ingest with validation and
     pseudonymisation, dbt build with its tests, GX checks, publication; packs for one LA);
  B  benchmarks/engine_limit.py: one DuckDB process, plain SQL from the CSV files;
  C  benchmarks/pandas_script.py: a straightforward pandas implementation.
It checks that A, B and C agree on every school-readiness value A publishes (A suppresses
small cells; those are compared between B and C only), breaks A down by Dagster step, times
adding one new academic year to an existing warehouse, and writes benchmarks/RESULTS.md.

usage: python benchmarks/run.py [--sizes borough,x10] [--all] [--skip-c-above N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / "work"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
BIN = Path(sys.executable).parent
YEARS = ["2021/22", "2022/23", "2023/24", "2024/25"]


@dataclass(frozen=True)
class Size:
    name: str
    children_per_year: int
    scale: str
    authorities: int

    @property
    def children(self) -> int:
        return self.children_per_year * len(YEARS)


SIZES = {
    "borough": Size("borough", 3_000, "borough", 1),
    "x10": Size("x10", 30_000, "national", 10),
    "x50": Size("x50", 150_000, "national", 50),
    "national": Size("national", 620_000, "national", 150),
}
DEFAULT_SIZES = ["borough", "x10"]


@dataclass
class Measure:
    wall: float
    cpu: float
    rss_mib: float
    ok: bool
    note: str = ""


@dataclass
class SizeResult:
    size: Size
    a: Measure | None = None
    b: Measure | None = None
    c: Measure | None = None
    steps: dict[str, float] = field(default_factory=dict)
    step_peak_mib: dict[str, int] = field(default_factory=dict)
    peak_mib: int | None = None
    incremental: Measure | None = None
    full_before_increment: Measure | None = None
    agreement: str = ""
    packs: dict = field(default_factory=dict)
    measured: str = ""


def timed(
    command: list[str], env: dict[str, str] | None = None, log: Path | None = None
) -> Measure:
    """Run a command under /usr/bin/time: wall and CPU seconds, peak RSS."""
    stats = WORK / ".time"
    full = ["/usr/bin/time", "-f", "%e %U %S %M", "-o", str(stats), *command]
    with log.open("w") if log else open(os.devnull, "w") as out:
        result = subprocess.run(
            full,
            env={**os.environ, **(env or {})},
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    wall, user, system, rss_kb = stats.read_text().split()[-4:]
    return Measure(
        float(wall),
        float(user) + float(system),
        int(rss_kb) / 1024,
        result.returncode == 0,
        "" if result.returncode == 0 else f"exit {result.returncode}, see {log}",
    )


def generator_fingerprint() -> str:
    """The synthetic generator's code: a landing written by other code is written again."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted((ROOT / "indicators" / "synthetic").glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def landing_for(size: Size, years: list[str], name: str | None = None) -> Path:
    landing = WORK / "landing" / (name or size.name)
    marker = landing / ".complete"
    if marker.exists() and marker.read_text() == generator_fingerprint():
        return landing
    shutil.rmtree(landing, ignore_errors=True)
    command = [
        str(BIN / "chorus"),
        "synth",
        "--out",
        str(landing),
        "--children-per-year",
        str(size.children_per_year),
        "--years",
        ",".join(years),
        "--scale",
        size.scale,
    ]
    if size.scale == "national":
        command += ["--authorities", str(size.authorities)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    marker.write_text(generator_fingerprint())
    return landing


def chorus_env(home: Path, pack_authority: str) -> dict[str, str]:
    return {
        "CHORUS_HOME": str(home),
        "CHORUS_PSEUDONYM_KEY": "benchmark-key-not-a-secret",
        "CHORUS_PACKS": pack_authority,
    }


def run_a(size: Size, landing: Path, home: Path, output: Path, log: Path) -> tuple[Measure, dict]:
    """A's measure, and the run's timings file (its steps' seconds and peak memory)."""
    first_la = pd.read_csv(landing / "seeds" / "local_authorities.csv", dtype=str)["la_code"][0]
    measure = timed(
        [str(BIN / "chorus"), "run", "--landing", str(landing), "--out", str(output)],
        env=chorus_env(home, first_la),
        log=log,
    )
    timings = sorted((home / "logs").glob("*.timings.json"), key=lambda p: p.stat().st_mtime)
    recorded = json.loads(timings[-1].read_text()) if timings else {}
    return measure, recorded


def compare(a_output: Path, b_csv: Path, c_csv: Path | None) -> str:
    key = ["indicator_id", "time_period", "level", "area_code", "breakdown", "grp"]
    b = pd.read_csv(b_csv, dtype={"time_period": str})
    problems = []
    if c_csv is not None and c_csv.exists():
        c = pd.read_csv(c_csv, dtype={"time_period": str})
        merged = b.merge(c, on=key, how="outer", suffixes=("_b", "_c"), indicator=True)
        if (
            not (merged["_merge"] == "both").all()
            or not (
                (merged["numerator_b"] == merged["numerator_c"])
                & (merged["denominator_b"] == merged["denominator_c"])
            ).all()
        ):
            problems.append("B and C disagree")
    a = pd.read_csv(
        a_output / "indicators" / "indicator_values.csv", dtype=str, keep_default_na=False
    )
    a = a.rename(columns={"geographic_level": "level", "group": "grp"})
    computed = b[["indicator_id", "level", "breakdown"]].drop_duplicates()
    a = a.merge(computed, on=["indicator_id", "level", "breakdown"])  # what B computes
    shown = a[a["numerator"] != "c"]
    merged = shown.merge(b, on=key, how="left", suffixes=("_a", "_b"))
    if merged["numerator_b"].isna().any():
        problems.append("A publishes cells B does not compute")
    same = (merged["numerator_a"].astype(float) == merged["numerator_b"]) & (
        merged["denominator_a"].astype(float) == merged["denominator_b"]
    )
    if not same.all():
        problems.append(f"A and B disagree on {int((~same).sum())} cells")
    checked = (
        f"{len(shown)} published cells (of {len(a)}; the rest suppressed) of "
        f"{a['indicator_id'].nunique()} indicators"
    )
    return ("agree on " + checked) if not problems else "; ".join(problems) + f" ({checked})"


def incremental(size: Size, out: Path) -> tuple[Measure, Measure]:
    """A warehouse with all years but the last, then the last year lands: time that run."""
    landing = landing_for(size, YEARS)
    partial = WORK / "landing" / f"{size.name}-without-last-year"
    shutil.rmtree(partial, ignore_errors=True)
    last = YEARS[-1].replace("/", "-")
    shutil.copytree(landing, partial, ignore=shutil.ignore_patterns(last, ".complete"))
    home = out / "home-incremental"
    shutil.rmtree(home, ignore_errors=True)
    full, _ = run_a(size, partial, home, out / "output-incremental", out / "a-before-increment.log")
    for kind in sorted(path for path in landing.iterdir() if (path / last).is_dir()):
        shutil.copytree(kind / last, partial / kind.name / last)
    added, _ = run_a(size, partial, home, out / "output-incremental", out / "a-increment.log")
    return full, added


def measure_size(size: Size, skip_c_above: int, with_incremental: bool) -> SizeResult:
    out = WORK / "runs" / size.name
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    landing = landing_for(size, YEARS)
    result = SizeResult(size, measured=dt.date.today().isoformat())
    print(f"[{size.name}] A: chorus run", flush=True)
    result.a, recorded = run_a(size, landing, out / "home", out / "output", out / "a.log")
    result.steps = recorded.get("steps", {})
    result.step_peak_mib = recorded.get("step_peak_mib", {})
    result.peak_mib = recorded.get("peak_mib")
    print(f"[{size.name}] B: engine limit", flush=True)
    result.b = timed(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "engine_limit.py"),
            str(landing),
            str(out / "b.csv"),
        ],
        log=out / "b.log",
    )
    c_csv = None
    if size.children <= skip_c_above:
        print(f"[{size.name}] C: pandas script", flush=True)
        c_csv = out / "c.csv"
        result.c = timed(
            [
                sys.executable,
                str(ROOT / "benchmarks" / "pandas_script.py"),
                str(landing),
                str(c_csv),
            ],
            log=out / "c.log",
        )
    if result.a.ok and result.b.ok:
        result.agreement = compare(out / "output", out / "b.csv", c_csv)
    if result.a.ok:
        print(f"[{size.name}] one neighbourhood pack (HTML + PDF + XLSX)", flush=True)
        rendered = subprocess.run(
            [
                sys.executable,
                str(ROOT / "benchmarks" / "pack_render.py"),
                str(out / "output"),
                str(out / "home" / "chorus.duckdb"),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if rendered.returncode == 0:
            result.packs = json.loads(rendered.stdout.strip().splitlines()[-1])
    if with_incremental:
        print(f"[{size.name}] A: adding one academic year", flush=True)
        result.full_before_increment, result.incremental = incremental(size, out)
    return result


def machine() -> str:
    cores = os.cpu_count()
    memory = "?"
    with open("/proc/meminfo") as handle:
        for line in handle:
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    return f"{cores} cores, {memory} RAM, {platform.platform()}, Python {platform.python_version()}"


def _fmt(measure: dict | None) -> str:
    if not measure:
        return "not run"
    text = f"{measure['wall']:.1f} s / {measure['cpu']:.1f} s / {measure['rss_mib']:,.0f} MiB"
    return text if measure["ok"] else f"{text} (failed: {measure['note']})"


STORE = ROOT / "benchmarks" / "results.json"
"""Every size's latest measurements: `make bench` and `--sizes national` add to one table."""


def store(results: list[SizeResult]) -> list[dict]:
    """Merge these results into results.json (by size); return every size's, smallest first."""
    from dataclasses import asdict

    kept = json.loads(STORE.read_text()) if STORE.exists() else {}
    for result in results:
        record = asdict(result)
        record["size"] = asdict(result.size) | {"children": result.size.children}
        kept[result.size.name] = record
    STORE.write_text(json.dumps(kept, indent=1) + "\n")
    return [kept[name] for name in SIZES if name in kept]


def _step_table(results: list[dict], steps: list[str], key: str, show) -> list[str]:
    """A table of one figure per step (rows) and size (columns); blank where not measured."""
    lines = ["| step | " + " | ".join(r["size"]["name"] for r in results) + " |"]
    lines.append("|---|" + "---|" * len(results))
    for step in steps:
        figures = [r.get(key, {}).get(step) for r in results]
        cells = ["" if f is None else show(f) for f in figures]
        lines.append(f"| {step} | " + " | ".join(cells) + " |")
    return lines


def write_results(results: list[dict], analysis: str) -> None:
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {machine()}. Sizes measured on: "
        + ", ".join(f"{r['size']['name']} {r['measured']}" for r in results)
        + ".",
        "`make bench` measures borough and x10; `python benchmarks/run.py --sizes x50,national`",
        "(or `--all`) the rest; benchmarks/results.json keeps each size's latest figures.",
        "Each cell: wall time / CPU time / peak memory (RSS). A: `chorus run` end to end on a",
        "fresh warehouse (packs for one authority). B: one DuckDB process, plain SQL from the",
        "CSV files (the engine's limit). C: a straightforward pandas script. Four academic",
        "years at every size.",
        "",
        "| size | children (4 years) | A: Chorus | B: engine limit | C: pandas | A/B | C/A |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        a, b, c = r["a"], r["b"], r["c"]
        ab = f"{a['wall'] / b['wall']:.1f}" if a and b and b["wall"] else "-"
        ca = f"{c['wall'] / a['wall']:.2f}" if a and c and a["wall"] else "-"
        lines.append(
            f"| {r['size']['name']} | {r['size']['children']:,} | {_fmt(a)} | "
            f"{_fmt(b)} | {_fmt(c)} | {ab} | {ca} |"
        )
    lines += [
        "",
        "Agreement (A's published cells of the indicators B computes, at B's levels and "
        "breakdowns, against B; B against C):",
        "",
    ]
    lines += [f"- {r['size']['name']}: {r['agreement'] or 'not compared'}" for r in results]
    steps = sorted({step for r in results for step in r["steps"]})
    lines += ["", "## Where A's time goes (Dagster step timings, seconds)", ""]
    lines += _step_table(results, steps, "steps", lambda s: f"{s:.1f}")
    lines += [
        "",
        "## Where A's memory goes (each step's peak, MiB: PSS of the run and its processes)",
        "",
    ]
    lines += _step_table(results, steps, "step_peak_mib", str)
    lines.append(
        "| the whole run | " + " | ".join(str(r.get("peak_mib") or "") for r in results) + " |"
    )
    lines += [
        "",
        "## Adding one academic year",
        "",
        "A warehouse holding three years; the fourth lands and `chorus run` runs again.",
        "",
        "| size | full run, four years (A) | run after the fourth year lands | ratio |",
        "|---|---|---|---|",
    ]
    for r in results:
        if r["incremental"] and r["a"]:
            ratio = r["incremental"]["wall"] / r["a"]["wall"]
            lines.append(
                f"| {r['size']['name']} | {r['a']['wall']:.1f} s | "
                f"{r['incremental']['wall']:.1f} s | {ratio:.2f} |"
            )
    lines += [
        "",
        "## One neighbourhood pack (HTML + PDF + XLSX)",
        "",
        "`benchmarks/pack_render.py` on A's output: five neighbourhood packs, three times,",
        "after one warm-up (fonts, templates). Seconds per pack.",
        "",
        "| size | best | median | worst | build | html | pdf | xlsx |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        if r["packs"]:
            p = r["packs"]
            parts = p["median_parts_s"]
            lines.append(
                f"| {r['size']['name']} | {p['best_s']:.2f} | {p['median_s']:.2f} | "
                f"{p['worst_s']:.2f} | {parts['build']:.2f} | {parts['html']:.2f} | "
                f"{parts['pdf']:.2f} | {parts['xlsx']:.2f} |"
            )
    lines += [
        "",
        "## Cost against size",
        "",
        "| size | children | A wall (s) | A per 100,000 children (s) | B wall (s) |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        if r["a"] and r["a"]["ok"]:
            n = r["size"]["children"]
            lines.append(
                f"| {r['size']['name']} | {n:,} | {r['a']['wall']:.1f} | "
                f"{r['a']['wall'] / n * 1e5:.1f} | "
                f"{r['b']['wall'] if r['b'] else '-'} |"
            )
    rows = [(r["size"]["children"], r["a"]["wall"]) for r in results if r["a"] and r["a"]["ok"]]
    if len(rows) >= 2:
        (x0, y0), (x1, y1) = rows[-2], rows[-1]
        slope = (y1 - y0) / (x1 - x0)
        lines += [
            "",
            f"Between the two largest sizes measured ({x0:,} and {x1:,} children), A "
            f"grows by {slope * 1e5:.1f} s per 100,000 children on top of a fixed "
            f"{y0 - slope * x0:.1f} s.",
        ]
    lines += ["", analysis.strip(), ""] if analysis.strip() else [""]
    RESULTS.write_text("\n".join(lines).rstrip() + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default=",".join(DEFAULT_SIZES))
    parser.add_argument("--all", action="store_true", help="every size, national included")
    parser.add_argument(
        "--skip-c-above",
        type=int,
        default=700_000,
        help="skip the pandas script above this many children (it is slow)",
    )
    parser.add_argument("--no-incremental", action="store_true")
    args = parser.parse_args()
    names = list(SIZES) if args.all else args.sizes.split(",")
    WORK.mkdir(parents=True, exist_ok=True)
    results = [
        measure_size(SIZES[name], args.skip_c_above, not args.no_incremental) for name in names
    ]
    text = RESULTS.read_text() if RESULTS.exists() else ""
    analysis = "## Analysis" + text.split("## Analysis", 1)[1] if "## Analysis" in text else ""
    write_results(store(results), analysis)
    print(RESULTS.read_text())


if __name__ == "__main__":
    main()
