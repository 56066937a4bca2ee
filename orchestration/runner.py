"""Run the Chorus job in this process (as `chorus run` and the tests do) and explain the result.

In-process execution: on two cores the multiprocess executor doubles the wall time.
"""

import contextlib
import json
import os
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from indicators.config import ChorusSettings
from indicators.publish.register_check import (
    framework_line,
    information_map_line,
    unfinished_indicators,
    unfinished_line,
)
from indicators.sources.load import source_spec_line
from orchestration.dbt_setup import (
    INDICATOR_MODELS_DIR,
    dbt_environment,
    prepare_manifest,
    stale_union_line,
)
from orchestration.step_profile import MemoryWatch, step_profile, step_spans

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
    harm_disclosures: dict[str, int] = field(default_factory=dict)
    """Academic year -> families whose free text may disclose harm (on the same list)."""
    notes: list[str] = field(default_factory=list)
    """Things a successful run wants the user to know (landed files it did not load)."""


def run_config(settings: ChorusSettings, log_level: str = "INFO") -> dict[str, Any]:
    config: dict[str, Any] = {
        name: str(getattr(settings, name))
        for name in ("home", "landing", "output", "seeds", "expectations", "packs")
    }
    if settings.xlsx_sheet:
        config["xlsx_sheet"] = settings.xlsx_sheet
    if settings.allow_demo_key:
        config["allow_demo_key"] = True
    return {
        "resources": {"chorus": {"config": config}},
        "loggers": {"console": {"config": {"log_level": log_level}}},
    }


def _watch(
    instance, run_id: str, total: int, on_progress: ProgressCallback, stop: threading.Event
) -> None:
    """The assets and checks done so far, and the last, every half second: only the new
    events of those kinds, read where no fork lands (the storage's libpq and OpenSSL locks)."""
    from dagster import DagsterEventType

    from indicators.isolated import no_fork_meanwhile

    kinds = {DagsterEventType.ASSET_MATERIALIZATION, DagsterEventType.ASSET_CHECK_EVALUATION}
    cursor, done, label = None, 0, "running"
    while not stop.wait(0.5):
        try:
            with no_fork_meanwhile() as guarded:
                if not guarded:  # a fork under way: next time
                    continue
                read = instance.get_records_for_run(run_id, cursor=cursor, of_type=kinds)
        except Exception:  # the run may not be registered yet
            continue
        for record in read.records:
            event = record.event_log_entry.dagster_event
            done += 1
            label = (
                event.asset_key.to_user_string()
                if event.asset_key
                else event.event_specific_data.asset_check_key.name
            )
        cursor = read.cursor or cursor
        on_progress(done, total, label)


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else ""


def _dbt_error_line(text: str) -> str:
    """dbt's own first error and its message ("Database Error in model m (path): syntax error
    at or near ..."), from the errors dagster-dbt parsed out of dbt's log; "" if none."""
    _, found, errors = text.partition("Errors parsed from dbt logs:")
    lines = [line.strip() for line in errors.splitlines() if line.strip()] if found else []
    for number, line in enumerate(lines):
        if " Error in " in f" {line}" and number + 1 < len(lines):
            return f"{line}: {lines[number + 1]}"
    return ""


def _explain(result) -> tuple[list[str], list[str]]:
    from dagster import AssetCheckSeverity, DagsterEventType

    checks, steps = [], []
    for event in result.all_events:
        if event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if not evaluation.passed and evaluation.severity == AssetCheckSeverity.ERROR:
                key = evaluation.asset_check_key
                detail = f": {evaluation.description}" if evaluation.description else ""
                checks.append(
                    f"check '{key.name}' on {key.asset_key.to_user_string()} failed{detail}"
                )
        elif event.event_type == DagsterEventType.STEP_FAILURE:
            error = event.event_specific_data.error
            if error and error.cls_name == "DagsterAssetCheckFailedError":
                continue  # the failed check itself is named above
            while error and error.cause and error.cls_name == "DagsterExecutionStepExecutionError":
                error = error.cause  # the step's own exception, not Dagster's wrapper of it
            message = _first_line(error.message) if error else "failed"
            if error and error.cls_name == "DagsterDbtCliRuntimeError":
                message = _dbt_error_line(error.message) or message
            if error and error.cls_name == "Failure":  # raised on purpose: its description
                # is the whole explanation (what, where, the fix), so it stands alone
                steps.append(message.removeprefix("dagster._core.definitions.events.Failure: "))
                continue
            steps.append(f"step '{event.step_key}' failed: {message}")
        elif event.event_type == DagsterEventType.RESOURCE_INIT_FAILURE:
            error = event.event_specific_data.error
            cause = error.cause if error and error.cause else error
            steps.append(_first_line(cause.message) if cause else "a resource failed to start")
    return checks, steps


def _accounts_and_headlines(settings: ChorusSettings) -> tuple[list[dict], list[str]]:
    """Every file's account (from the warehouse) and the default framework's headline (GLD
    today) from what was just published. Called with the warehouse lock held."""
    from indicators.warehouse import file_accounts

    accounts = file_accounts(settings.warehouse)
    if accounts is None:
        return [], []
    headlines = []
    published = settings.output / "indicators" / "indicator_values.csv"
    if published.exists():
        import pandas as pd

        from indicators.publish.frameworks import default_framework

        framework = default_framework()  # its headline, at its authority level
        table = pd.read_csv(published, dtype=str, keep_default_na=False)
        la = table[
            (table["indicator_id"] == framework.headline.indicator)
            & (table["geographic_level"] == framework.authority_level)
            & (table["breakdown"] == "All")
        ]
        if la.empty:  # nothing of the default framework landed (a care leavers team's run)
            headlines = []
        elif la["area_code"].nunique() == 1:
            headlines = [
                f"{row.time_period[:4]}/{row.time_period[4:]} {row.value}%"
                for row in la.itertuples()
            ]
        else:
            headlines = [f"{la['area_code'].nunique()} authorities"]
    return accounts, headlines


def _year_partitions(instance, settings: ChorusSettings) -> list[str]:
    """Every academic year in the landing area or the warehouse, as partition keys.

    The run covers them all: unchanged years are left as they are, changed years reload and
    years no longer landed are emptied (`chorus run` treats its landing folder as the truth).
    """
    from indicators.ingest.archive import landing_state
    from indicators.ingest.landing import discover, return_kinds
    from indicators.periods import partition_of_key
    from indicators.reference import AcademicYear
    from indicators.warehouse import loaded_year_labels
    from orchestration.partitions import ACADEMIC_YEARS

    years = set()
    for folder in landing_state(settings.landing, return_kinds()):
        with contextlib.suppress(ValueError):  # not a year folder: discover() reports it
            years.add(AcademicYear.parse(folder).folder)
    # a month's or quarter's files (issue 13) load under the academic year they start in
    years |= {f.year.folder for f in discover(settings.landing)[0] if f.period is not None}
    years |= {partition_of_key(label).folder for label in loaded_year_labels(settings.warehouse)}
    if not years:
        return []
    known = set(instance.get_dynamic_partitions(ACADEMIC_YEARS))
    missing = sorted(years - known)
    if missing:
        instance.add_dynamic_partitions(ACADEMIC_YEARS, missing)
    return list(instance.get_dynamic_partitions(ACADEMIC_YEARS))


class ExpectedFailure(Exception):
    """A run that cannot go ahead for a reason the user can act on (one line)."""


class PipelineCrashed(RuntimeError):
    """An unexpected error: its traceback is in the run log at `log_path`."""

    def __init__(self, message: str, log_path: Path) -> None:
        super().__init__(message)
        self.log_path = log_path


@contextlib.contextmanager
def _console_into(log) -> Iterator[None]:
    """Send this process's stdout and stderr (file descriptors 1 and 2, so subprocesses,
    Dagster's console logger and stray warnings too) to the run log until the end."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = (os.dup(1), os.dup(2))
    try:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        yield
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        os.close(saved[0])
        os.close(saved[1])


def run_pipeline(
    settings: ChorusSettings,
    on_progress: ProgressCallback | None = None,
    log_level: str = "INFO",
    started_by: str = "chorus run",
    on_wait: Callable[[Any, float], None] | None = None,
) -> PipelineOutcome:
    """Run every asset and check once, in process, against the settings' warehouse.

    Everything the run prints, Dagster's log included, goes to the run log
    $CHORUS_HOME/logs/<run id>.log. An expected failure (a blocking check, a refused key, a
    busy warehouse, nothing landed...) comes back as an outcome with a one-line reason; an
    unexpected error raises PipelineCrashed naming the log that holds its traceback.
    """
    from orchestration.instance import RUN_LOG_ENV

    run_id = str(uuid.uuid4())
    log_path = settings.home / "logs" / f"{run_id}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with log_path.open("a", encoding="utf-8", buffering=1) as log:
        log.write(
            f"chorus run {run_id} started by {started_by}: landing {settings.landing}, "
            f"output {settings.output}, home {settings.home}\n"
        )
        previous_env = os.environ.get(RUN_LOG_ENV)
        os.environ[RUN_LOG_ENV] = str(log_path)
        try:
            with _console_into(log):
                outcome = _run_locked(
                    settings, run_id, log_path, started_by, on_progress, on_wait, log_level
                )
        except ExpectedFailure as failure:
            outcome = PipelineOutcome(
                success=False,
                run_id=run_id,
                seconds=time.perf_counter() - started,
                reason=str(failure),
                log_path=str(log_path),
            )
        except Exception as error:
            log.write("".join(traceback.format_exception(error)))
            raise PipelineCrashed(
                f"{type(error).__name__}: {_first_line(str(error))}", log_path
            ) from error
        finally:
            if previous_env is None:
                os.environ.pop(RUN_LOG_ENV, None)
            else:
                os.environ[RUN_LOG_ENV] = previous_env
        log.write(
            ("chorus: run succeeded" if outcome.success else f"chorus: {outcome.reason}") + "\n"
        )
    return outcome


def _run_locked(
    settings: ChorusSettings,
    run_id: str,
    log_path: Path,
    started_by: str,
    on_progress: ProgressCallback | None,
    on_wait,
    log_level: str,
) -> PipelineOutcome:
    from indicators.ingest.keys import KeyRefused, run_key
    from indicators.ingest.landing import discover
    from indicators.publish.publication import PublicationError, check_output
    from indicators.warehouse import (
        LockHolder,
        WarehouseBusy,
        WarehouseUnreadable,
        warehouse_lock,
    )
    from orchestration.instance import (
        RUN_LOG_TAG,
        STARTED_BY_TAG,
        chorus_instance,
        prepare_dagster_home,
        settle_abandoned,
    )

    holder = LockHolder(started_by=started_by, run_id=run_id)
    try:
        with warehouse_lock(
            settings.warehouse, holder, settings.lock_wait_seconds, on_wait=on_wait
        ) as held:
            prepare_dagster_home(settings)
            if held.previous is not None:  # settle it before anything here can fail
                settled = settle_abandoned(chorus_instance(), held.previous)
                if settled:
                    print(f"chorus: {settled}", flush=True)
            if settings.landing.is_file():
                raise ExpectedFailure(
                    f"the landing area {settings.landing} is a file, not a folder: give the "
                    "folder that holds eyfsp/, census/ and voice/ (--landing or "
                    "CHORUS_LANDING)"
                )
            if not settings.landing.is_dir():
                raise ExpectedFailure(f"the landing folder {settings.landing} does not exist")
            spec_problem = source_spec_line()
            if spec_problem:  # a malformed source spec: no landed file could be read by it
                raise ExpectedFailure(spec_problem)
            try:
                check_output(settings.output)
                files, problems = discover(settings.landing)
                run_key(settings, files)
            except (PublicationError, KeyRefused) as refused:
                raise ExpectedFailure(str(refused)) from None
            if not files:  # a wrong --landing must not empty every loaded year
                found = (
                    (
                        f" ({problems[0].line()}"
                        + (f", and {len(problems) - 1} more" if len(problems) > 1 else "")
                        + ")"
                    )
                    if problems
                    else ""
                )
                from indicators.sources.load import landing_layout

                raise ExpectedFailure(
                    f"no returns found under {settings.landing}{found}: land "
                    f"{landing_layout()} (see docs/inputs.md)"
                )
            if settings.warehouse_url:  # before Dagster opens its storage there
                from indicators.postgres import unreachable_line

                unreachable = unreachable_line(settings.warehouse_url)
                if unreachable:
                    raise ExpectedFailure(unreachable)
            os.environ.update(dbt_environment(settings))
            os.environ["CHORUS_HOME"] = str(settings.home)
            unfinished = (
                unfinished_line(unfinished_indicators(INDICATOR_MODELS_DIR))
                or framework_line(INDICATOR_MODELS_DIR, settings.seeds)
                or information_map_line(INDICATOR_MODELS_DIR, settings.seeds)
            )
            if unfinished:  # before dbt parses them (the preflight asset checks again in the run)
                raise ExpectedFailure(unfinished)
            stale = stale_union_line()
            if stale:  # a model added or removed by hand (dbt would stop on it too)
                raise ExpectedFailure(stale)
            prepare_manifest()
            from dagster._core.storage.tags import (
                ASSET_PARTITION_RANGE_END_TAG,
                ASSET_PARTITION_RANGE_START_TAG,
            )

            from orchestration.definitions import PIPELINE_JOB, defs

            instance = chorus_instance()
            try:
                partitions = _year_partitions(instance, settings)
            except WarehouseUnreadable as unreadable:
                raise ExpectedFailure(str(unreadable)) from None
            # Pre-flight checks of the landed returns (stop before dbt with one line) go here.
            job = defs.resolve_job_def(PIPELINE_JOB)
            graph = defs.resolve_asset_graph()
            total = len(
                [k for k in graph.get_all_asset_keys() if not graph.get(k).is_external]
            ) + len(list(graph.asset_check_keys))
            stop = threading.Event()
            watcher = None
            if on_progress:
                watcher = threading.Thread(
                    target=_watch, args=(instance, run_id, total, on_progress, stop), daemon=True
                )
                watcher.start()
            started = time.perf_counter()
            memory = MemoryWatch(os.getpid()).start()
            try:
                result = job.execute_in_process(
                    run_config=run_config(settings, log_level),
                    instance=instance,
                    run_id=run_id,
                    raise_on_error=False,
                    tags={
                        ASSET_PARTITION_RANGE_START_TAG: partitions[0],
                        ASSET_PARTITION_RANGE_END_TAG: partitions[-1],
                        STARTED_BY_TAG: started_by,
                        RUN_LOG_TAG: str(log_path),
                    },
                )
            finally:
                stop.set()
                memory.stop()
                if watcher:
                    watcher.join()
            seconds = time.perf_counter() - started
            checks, steps = _explain(result)
            accounts, headlines = _accounts_and_headlines(settings)
            notes = _not_loaded(settings, files, problems)
            spans = step_spans(instance, run_id)
    except WarehouseBusy as busy:
        raise ExpectedFailure(str(busy)) from None
    reason = ""
    if not result.success:
        reason = (checks or steps or ["the run failed"])[0]
        if not reason.startswith("nothing can be published"):
            reason += "; nothing was published"
    from indicators.voice.follow_up import families_asking_for_help
    from indicators.voice.help_requests import HARM

    log_path.with_suffix(".timings.json").write_text(
        json.dumps(
            {
                "run_id": run_id,
                "success": result.success,
                "seconds": round(seconds, 3),
                **step_profile(spans, memory.samples),
            },
            indent=2,
        )
    )
    return PipelineOutcome(
        success=result.success,
        run_id=run_id,
        seconds=seconds,
        reason=reason,
        failed_checks=checks,
        failed_steps=steps,
        accounts=accounts,
        headlines=headlines if result.success else [],
        step_seconds={key: end - start for key, (start, end) in spans.items()},
        log_path=str(log_path),
        notes=notes,
        help_requests=families_asking_for_help(settings.home),
        harm_disclosures=families_asking_for_help(settings.home, HARM),
    )


def _not_loaded(settings: ChorusSettings, files, problems) -> list[str]:
    """Landed files the run did not load: misplaced ones, and years past the retention
    limit (called with the warehouse lock held, after the run)."""
    from indicators.ingest.retention import cutoff
    from indicators.warehouse import connect

    notes = [f"not loaded: {problem.line()}" for problem in problems]
    if settings.warehouse.exists():
        with connect(settings.warehouse, read_only=True) as connection:
            limit = cutoff(connection, {landed.year for landed in files}, settings.retention_years)
        expired = [landed for landed in files if limit is not None and landed.year < limit]
        if expired:
            years = sorted({landed.year.label for landed in expired})
            notes.append(
                f"not loaded: {len(expired)} landed files of {', '.join(years)}, "
                f"before the retention limit {limit.label} (CHORUS_RETENTION_YEARS "
                "or chorus purge): remove them from the landing area"
            )
    return notes
