"""Great Expectations suites as Dagster asset checks (written here: dagster-ge lacks GX 1).

One check per suite in expectations/. The suite's content is read when the check runs
(from CHORUS_EXPECTATIONS, default the project's expectations/), so an LA can tighten a
suite without touching code. A blocking suite that fails stops everything downstream of
its asset, publication included.
"""

from pathlib import Path

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    asset_check,
)

from indicators.config import PROJECT_ROOT, ChorusSettings
from indicators.expectations import SuiteOutcome, SuiteSpec, validate_frame
from indicators.isolated import isolated
from indicators.publish.register_check import register_problems
from indicators.warehouse_tables import read_table
from orchestration.failures import refusals_fail
from orchestration.resources import ChorusResource

SUITES_DIR = PROJECT_ROOT / "expectations"


def _suite_check(suite_file: str, spec: SuiteSpec) -> AssetChecksDefinition:
    @asset_check(
        asset=AssetKey.from_user_string(spec.asset),
        name=f"gx_{spec.name}",
        blocking=spec.blocking,
        description=f"Great Expectations suite expectations/{suite_file}",
    )
    def _check(context: AssetCheckExecutionContext, chorus: ChorusResource) -> AssetCheckResult:
        settings = chorus.settings()
        current = SuiteSpec.load(settings.expectations / suite_file)
        with refusals_fail():  # in a process of its own: the table read is not kept
            rows, outcome = isolated(
                lambda: _validated(settings, current), f"the GX suite expectations/{suite_file}"
            )
        if not outcome.success:
            context.log.error(outcome.summary())
        return AssetCheckResult(
            passed=outcome.success,
            severity=AssetCheckSeverity.ERROR if current.blocking else AssetCheckSeverity.WARN,
            description=outcome.summary(),
            metadata={
                "expectations": len(outcome.outcomes),
                "failed": MetadataValue.json(
                    [
                        {
                            "expectation": f.expectation,
                            "column": f.column,
                            "unexpected_count": f.unexpected_count,
                            "why": f.why,
                        }
                        for f in outcome.failures
                    ]
                ),
                "rows": rows,
            },
        )

    return _check


def _validated(settings: ChorusSettings, suite: SuiteSpec) -> tuple[int, SuiteOutcome]:
    frame = read_table(settings, suite.table)
    return len(frame), validate_frame(frame, suite)


def gx_asset_checks(suites_dir: Path = SUITES_DIR) -> list[AssetChecksDefinition]:
    """An asset check for every suite file."""
    return [
        _suite_check(path.name, SuiteSpec.load(path)) for path in sorted(suites_dir.glob("*.json"))
    ]


@asset_check(
    asset=AssetKey(["marts", "dim_indicators"]),
    name="indicator_register_complete",
    blocking=True,
    description="Every indicator model returns the standard columns and carries every "
    "required metadata field (meta.indicator in its YAML).",
)
def indicator_register_complete(
    context: AssetCheckExecutionContext, chorus: ChorusResource
) -> AssetCheckResult:
    indicators, problems = register_problems(chorus.settings().data_warehouse)
    for problem in problems:
        context.log.error(problem)
    return AssetCheckResult(
        passed=not problems,
        severity=AssetCheckSeverity.ERROR,
        description="; ".join(problems)
        if problems
        else f"{indicators} indicators, all with complete metadata and standard columns",
        metadata={"indicators": indicators, "problems": MetadataValue.json(problems)},
    )
