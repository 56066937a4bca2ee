"""Leaving Chorus running: a sensor on the landing folder and a schedule for the return window.

Both run under the Dagster daemon (`chorus ui` starts one; so does `dagster-daemon run`).
Runs queue one at a time (dagster.yaml), and every run holds the warehouse lock.
"""

import datetime as dt
import hashlib
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

from indicators.config import DEMO_PSEUDONYM_KEY, ChorusSettings
from indicators.ingest.archive import DigestCache
from indicators.ingest.freshness import changed_years, loaded_state
from indicators.ingest.keys import KeyRefused, run_key
from indicators.ingest.landing import discover
from indicators.ingest.streams import expected_fingerprints
from indicators.periods import partition_of_key
from indicators.reference import AcademicYear
from indicators.warehouse import LockHolder, WarehouseBusy, connect, warehouse_lock
from orchestration.partitions import ACADEMIC_YEARS, YEARS_TAG, academic_years

PIPELINE_JOB = "chorus_pipeline"
SENSOR_HOLDER = "the landing_sensor (comparing landed files with the warehouse)"


def warehouse_state(
    settings: ChorusSettings, landed_years: set[AcademicYear], instance=None
) -> tuple[dict[tuple[str, str], str], AcademicYear | None]:
    """raw.year_loads as (year, stream) -> fingerprint, and the first year retention keeps.

    Reads the warehouse under its lock, without waiting: WarehouseBusy if a run holds it.
    """
    from orchestration.instance import settle_abandoned

    if not settings.warehouse.exists():
        return {}, None
    with warehouse_lock(settings.warehouse, LockHolder(started_by=SENSOR_HOLDER)) as held:
        settle_abandoned(instance, held.previous)
        with connect(settings.warehouse, read_only=True) as connection:
            return loaded_state(connection, landed_years, settings.retention_years)


def landing_requests(
    settings: ChorusSettings, cursor: str | None, instance
) -> SensorResult | SkipReason:
    """One run for every landed academic year whose files differ from what is loaded."""
    from dagster._core.storage.tags import (
        ASSET_PARTITION_RANGE_END_TAG,
        ASSET_PARTITION_RANGE_START_TAG,
    )

    files, _ = discover(settings.landing)
    if not files:
        return SkipReason(f"no returns under {settings.landing}")
    digests = DigestCache.from_json(cursor)
    try:
        key = run_key(settings, files, digests)
    except KeyRefused:
        key = DEMO_PSEUDONYM_KEY  # the run will refuse the files, and say why
    expected = expected_fingerprints(settings, key, files, digests)
    try:
        loaded, first_kept = warehouse_state(settings, {f.year for f in files}, instance)
    except WarehouseBusy as busy:
        who = busy.holder.describe() if busy.holder else "another Chorus process"
        return SkipReason(f"{who} is using the warehouse: looking again at the next tick")
    years = changed_years(loaded, expected, first_kept)
    if not years:
        return SensorResult(
            skip_reason=SkipReason(f"the files under {settings.landing} are the ones loaded"),
            cursor=digests.to_json(),
        )
    known = list(instance.get_dynamic_partitions(ACADEMIC_YEARS)) if instance else []
    new = [year for year in years if year not in known]
    keys = known + new
    target = json.dumps(
        {
            year: {
                stream: fp
                for (label, stream), fp in expected.items()
                if partition_of_key(label).folder == year
            }
            for year in years
        },
        sort_keys=True,
    )
    return SensorResult(
        run_requests=[
            RunRequest(
                run_key=hashlib.sha256(target.encode()).hexdigest()[:32],
                tags={
                    ASSET_PARTITION_RANGE_START_TAG: keys[0],
                    ASSET_PARTITION_RANGE_END_TAG: keys[-1],
                    YEARS_TAG: ",".join(years),
                },
            )
        ],
        dynamic_partitions_requests=[academic_years.build_add_request(new)] if new else [],
        cursor=digests.to_json(),
    )


@sensor(
    job_name=PIPELINE_JOB,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description="Requests one run for every academic year whose landed files differ from "
    "what the warehouse has loaded (raw.year_loads), whoever loaded it.",
)
def landing_sensor(context: SensorEvaluationContext):
    return landing_requests(ChorusSettings.from_env(), context.cursor, context.instance)


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
