"""The checks of a run, for its quality report (indicators/publish/quality_facts.py): the
tests of its `dbt build` (from its own dbt target folder) and the asset checks Dagster
recorded for it (Great Expectations suites, the register check)."""

from __future__ import annotations

from dagster import AssetExecutionContext, DagsterEventType

from indicators.publish.quality_report import CheckResult, dbt_results
from orchestration.dbt_setup import DBT_PROJECT_DIR

DBT_STEPS = ("chorus_dbt_models", "chorus_dbt_published")
"""The run's dbt steps in the order they run (orchestration/dbt_assets.py)."""


def _dbt_checks(run_id: str) -> tuple[list[CheckResult], bool]:
    """The tests of this run's dbt steps, each from its own target folder, in run order."""
    checks: list[CheckResult] = []
    found = False
    for step in DBT_STEPS:
        folders = sorted(
            (DBT_PROJECT_DIR / "target").glob(f"{step}-{run_id[:7]}-*"),
            key=lambda path: path.stat().st_mtime,
        )
        for folder in reversed(folders):
            if (folder / "run_results.json").is_file():
                checks.extend(dbt_results(folder))
                found = True
                break
    return checks, found


def _dagster_checks(context: AssetExecutionContext, dbt_names: set[str]) -> list[CheckResult]:
    """The asset checks of this run that are not dbt tests (Great Expectations, the register)."""
    records = context.instance.get_records_for_run(
        context.run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    checks = []
    for record in records:
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        key = evaluation.asset_check_key
        if key.name in dbt_names:
            continue
        source = "Great Expectations suite" if key.name.startswith("gx_") else "Dagster check"
        checks.append(
            CheckResult(
                source=source,
                name=key.name,
                target=key.asset_key.to_user_string(),
                status="passed" if evaluation.passed else "failed",
                detail=evaluation.description or "",
                blocking=evaluation.severity.value == "ERROR",
            )
        )
    return checks


def run_checks(context: AssetExecutionContext) -> tuple[list[CheckResult], bool]:
    """Every test and check of this run, dbt's first; and whether its dbt results were found."""
    dbt_checks, dbt_found = _dbt_checks(context.run.run_id)
    return dbt_checks + _dagster_checks(context, {check.name for check in dbt_checks}), dbt_found
