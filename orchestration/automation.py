"""Leaving Chorus running: a sensor on the landing folder and a schedule for the return window.

Both run under the Dagster daemon (`chorus ui` starts one; so does `dagster-daemon run`).
Runs queue one at a time (dagster.yaml: DuckDB has one writer).
"""

import datetime as dt
import json

from dagster import (
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    ScheduleEvaluationContext,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    schedule,
    sensor,
)

from indicators.archive import landing_state
from indicators.config import ChorusSettings
from indicators.landing import RETURN_KINDS
from indicators.reference import AcademicYear
from orchestration.partitions import ACADEMIC_YEARS, academic_years

PIPELINE_JOB = "chorus_pipeline"


def changed_years(previous: dict[str, str], current: dict[str, str]) -> list[str]:
    """Year folders that appeared or whose files changed (a vanished year is left alone)."""
    return sorted(year for year, state in current.items() if previous.get(year) != state)


def _valid_years(state: dict[str, str]) -> dict[str, str]:
    valid = {}
    for folder, fingerprint in state.items():
        try:
            valid[AcademicYear.parse(folder).folder] = fingerprint
        except ValueError:
            continue
    return valid


@sensor(
    job_name=PIPELINE_JOB,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description="Requests a run for each academic year whose landed files changed.",
)
def landing_sensor(context: SensorEvaluationContext):
    settings = ChorusSettings.from_env()
    current = _valid_years(landing_state(settings.landing, RETURN_KINDS))
    previous = json.loads(context.cursor) if context.cursor else {}
    years = changed_years(previous, current)
    if not years:
        return SkipReason(f"no changes under {settings.landing}")
    return SensorResult(
        run_requests=[RunRequest(run_key=f"{year}:{current[year]}", partition_key=year)
                      for year in years],
        dynamic_partitions_requests=[academic_years.build_add_request(years)],
        cursor=json.dumps(current, sort_keys=True),
    )


def academic_year_of(moment: dt.datetime) -> str:
    """The academic year a date falls in (1 September to 31 August)."""
    start = moment.year if moment.month >= 9 else moment.year - 1
    return AcademicYear(start).folder


@schedule(
    job_name=PIPELINE_JOB,
    cron_schedule="0 6 * 6,7 *",
    execution_timezone="Europe/London",
    default_status=DefaultScheduleStatus.RUNNING,
    description="Daily at 06:00 in June and July, when the EYFSP return is collected: "
                "reloads the current academic year if its files changed and republishes.",
)
def eyfsp_return_window(context: ScheduleEvaluationContext):
    return return_window_request(context.instance, context.scheduled_execution_time)


def return_window_request(instance, when: dt.datetime) -> RunRequest:
    """A run for the academic year `when` falls in, its partition created if new."""
    year = academic_year_of(when)
    if not instance.has_dynamic_partition(ACADEMIC_YEARS, year):
        instance.add_dynamic_partitions(ACADEMIC_YEARS, [year])
    return RunRequest(partition_key=year)
