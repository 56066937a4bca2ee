"""Run the Chorus job in this process (as `chorus run` and the tests do) and explain the result.

In-process execution: on two cores the multiprocess executor doubles the wall time.
"""

import contextlib
import json
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from indicators.config import ChorusSettings
from indicators.preflight import unfinished_indicators, unfinished_line
from orchestration.dbt_setup import INDICATOR_MODELS_DIR, dbt_environment, prepare_manifest

ProgressCallback = Callable[[int, int, str], None]


@dataclass
class PipelineOutcome:
    success: bool
    run_id: str
    seconds: float
    reason: str = ""
    failed_checks: list[str] = field(default_factory=list)
    failed_steps: list[str] = field(default_factory=list)
    accounts: list[dict[str, Any]] = field(default_factory=list)
    headlines: list[str] = field(default_factory=list)
    step_seconds: dict[str, float] = field(default_factory=dict)
    log_path: str = ""
    help_requests: dict[str, int] = field(default_factory=dict)
    """Academic year -> families whose free text asked for help (restricted follow-up list)."""


def run_config(settings: ChorusSettings, log_level: str = "WARNING") -> dict[str, Any]:
    config = {name: str(getattr(settings, name))
              for name in ("home", "landing", "output", "seeds", "expectations", "packs")}
    if settings.xlsx_sheet:
        config["xlsx_sheet"] = settings.xlsx_sheet
    return {
        "resources": {"chorus": {"config": config}},
        "loggers": {"console": {"config": {"log_level": log_level}}},
    }


def _watch(instance, run_id: str, total: int, on_progress: ProgressCallback,
           stop: threading.Event) -> None:
    from dagster import DagsterEventType

    kinds = {DagsterEventType.ASSET_MATERIALIZATION, DagsterEventType.ASSET_CHECK_EVALUATION}
    while not stop.wait(0.5):
        try:
            records = instance.all_logs(run_id)
        except Exception:  # the run may not be registered yet
            continue
        done = [r for r in records if r.dagster_event and r.dagster_event.event_type in kinds]
        label = "running"
        if done:
            last = done[-1].dagster_event
            label = (last.asset_key.to_user_string() if last.asset_key else
                     last.event_specific_data.asset_check_key.name)
        on_progress(len(done), total, label)


def _explain(result) -> tuple[list[str], list[str]]:
    from dagster import AssetCheckSeverity, DagsterEventType

    checks, steps = [], []
    for event in result.all_events:
        if event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if not evaluation.passed and evaluation.severity == AssetCheckSeverity.ERROR:
                key = evaluation.asset_check_key
                detail = f": {evaluation.description}" if evaluation.description else ""
                checks.append(f"check '{key.name}' on {key.asset_key.to_user_string()} "
                              f"failed{detail}")
        elif event.event_type == DagsterEventType.STEP_FAILURE:
            error = event.event_specific_data.error
            message = (error.message if error else "failed").strip().splitlines()
            steps.append(f"step '{event.step_key}' failed: {message[0] if message else ''}")
    return checks, steps


def _step_seconds(instance, run_id: str) -> dict[str, float]:
    stats = instance.get_run_step_stats(run_id)
    return {s.step_key: (s.end_time or 0) - (s.start_time or 0) for s in stats
            if s.start_time and s.end_time}


def _accounts_and_headlines(settings: ChorusSettings) -> tuple[list[dict], list[str]]:
    from indicators.warehouse import connect

    if not settings.warehouse.exists():
        return [], []
    with connect(settings.warehouse, read_only=True) as connection:
        try:
            accounts = connection.execute(
                "select file, rows_read, rows_loaded, rows_quarantined, status "
                "from raw.load_log order by academic_year, kind, file").df()
        except Exception:
            return [], []
    headlines = []
    published = settings.output / "indicators" / "indicator_values.csv"
    if published.exists():
        import pandas as pd

        table = pd.read_csv(published, dtype=str, keep_default_na=False)
        la = table[(table["indicator_id"] == "gld") & (table["geographic_level"] ==
                                                        "Local authority")
                   & (table["breakdown"] == "All")]
        if la["area_code"].nunique() == 1:
            headlines = [f"{row.time_period[:4]}/{row.time_period[4:]} {row.value}%"
                         for row in la.itertuples()]
        else:
            headlines = [f"{la['area_code'].nunique()} authorities"]
    return accounts.to_dict("records"), headlines


def _year_partitions(instance, settings: ChorusSettings) -> list[str]:
    """Every academic year in the landing area or the warehouse, as partition keys.

    The run covers them all: unchanged years are left as they are, changed years reload and
    years no longer landed are emptied (`chorus run` treats its landing folder as the truth).
    """
    from indicators.archive import landing_state
    from indicators.landing import RETURN_KINDS
    from indicators.reference import AcademicYear
    from indicators.warehouse import connect
    from orchestration.partitions import ACADEMIC_YEARS

    years = set()
    for folder in landing_state(settings.landing, RETURN_KINDS):
        with contextlib.suppress(ValueError):
            years.add(AcademicYear.parse(folder).folder)
    if settings.warehouse.exists():
        with connect(settings.warehouse, read_only=True) as connection, \
                contextlib.suppress(Exception):  # no raw zone yet
            rows = connection.execute("select academic_year from raw.year_loads").fetchall()
            years |= {AcademicYear.parse(row[0]).folder for row in rows}
    if not years:
        return []
    known = set(instance.get_dynamic_partitions(ACADEMIC_YEARS))
    missing = sorted(years - known)
    if missing:
        instance.add_dynamic_partitions(ACADEMIC_YEARS, missing)
    return list(instance.get_dynamic_partitions(ACADEMIC_YEARS))


def run_pipeline(settings: ChorusSettings, on_progress: ProgressCallback | None = None,
                 log_level: str = "WARNING") -> PipelineOutcome:
    """Run every asset and check once, in process, against the settings' warehouse."""
    os.environ.update(dbt_environment(settings))
    os.environ["CHORUS_HOME"] = str(settings.home)
    unfinished = unfinished_line(unfinished_indicators(INDICATOR_MODELS_DIR))
    if unfinished:  # before dbt parses them (the preflight asset checks again in the run)
        return PipelineOutcome(success=False, run_id="", seconds=0.0, reason=unfinished)
    prepare_manifest()
    from dagster import DagsterInstance
    from dagster._core.storage.tags import (
        ASSET_PARTITION_RANGE_END_TAG,
        ASSET_PARTITION_RANGE_START_TAG,
    )

    from orchestration.definitions import PIPELINE_JOB, defs

    job = defs.resolve_job_def(PIPELINE_JOB)
    instance = DagsterInstance.get()
    partitions = _year_partitions(instance, settings)
    run_id = str(uuid.uuid4())
    if not partitions:
        return PipelineOutcome(
            success=False, run_id=run_id, seconds=0.0,
            reason=f"no returns found under {settings.landing}: land files as "
                   "eyfsp/<YYYY-YY>/*.csv and census/<YYYY-YY>/*.csv (see docs/inputs.md)")
    graph = defs.resolve_asset_graph()
    total = len(list(graph.get_all_asset_keys())) - len(
        [k for k in graph.get_all_asset_keys() if graph.get(k).is_external]) + len(
        list(graph.asset_check_keys))
    stop = threading.Event()
    watcher = None
    if on_progress:
        watcher = threading.Thread(target=_watch, args=(instance, run_id, total, on_progress,
                                                        stop), daemon=True)
        watcher.start()
    started = time.perf_counter()
    log_path = settings.home / "logs" / f"{run_id}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # dbt's own output goes to the run's log file rather than the terminal.
        with log_path.open("w", encoding="utf-8") as log, contextlib.redirect_stdout(log):
            result = job.execute_in_process(
                run_config=run_config(settings, log_level), instance=instance, run_id=run_id,
                raise_on_error=False, tags={ASSET_PARTITION_RANGE_START_TAG: partitions[0],
                                            ASSET_PARTITION_RANGE_END_TAG: partitions[-1]})
    finally:
        stop.set()
        if watcher:
            watcher.join()
    seconds = time.perf_counter() - started
    checks, steps = _explain(result)
    accounts, headlines = _accounts_and_headlines(settings)
    reason = ""
    if not result.success:
        reason = (checks or steps or ["the run failed"])[0]
        reason += f"; nothing was published (details: {log_path} and chorus ui)"
    step_seconds = _step_seconds(instance, run_id)
    from indicators.follow_up import families_asking_for_help
    log_path.with_suffix(".timings.json").write_text(json.dumps(
        {"run_id": run_id, "success": result.success, "seconds": round(seconds, 3),
         "steps": {key: round(value, 3) for key, value in step_seconds.items()}}, indent=2))
    return PipelineOutcome(
        success=result.success, run_id=run_id, seconds=seconds, reason=reason,
        failed_checks=checks, failed_steps=steps, accounts=accounts,
        headlines=headlines if result.success else [],
        step_seconds=step_seconds,
        log_path=str(log_path),
        help_requests=families_asking_for_help(settings.home),
    )
