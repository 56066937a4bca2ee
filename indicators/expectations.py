"""Great Expectations suites (expectations/*.json) run on pandas data frames.

GX 1.x, validated in memory: GX over SQL on DuckDB fails with metric errors, and the
dagster-ge integration does not support GX 1, so orchestration/asset_checks.py wraps this in
a Dagster asset check. GX is imported inside the function (it takes seconds) with its
analytics and progress bars off.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class SuiteSpec:
    name: str
    table: str
    """The warehouse relation the suite guards, e.g. marts.fct_indicator_values."""
    asset: str
    """The asset key (as in the UI, e.g. marts/fct_indicator_values) the suite checks."""
    blocking: bool
    expectations: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> SuiteSpec:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            name=raw["name"],
            table=raw["table"],
            asset=raw["asset"],
            blocking=bool(raw.get("blocking", True)),
            expectations=list(raw["expectations"]),
        )


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str
    column: str | None
    success: bool
    unexpected_count: int | None
    examples: list[Any]
    why: str


@dataclass(frozen=True)
class SuiteOutcome:
    suite: str
    success: bool
    outcomes: list[ExpectationOutcome]

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [outcome for outcome in self.outcomes if not outcome.success]

    def summary(self) -> str:
        if self.success:
            return f"{self.suite}: all {len(self.outcomes)} expectations met"
        parts = [
            f"{failure.expectation}"
            + (f" on {failure.column}" if failure.column else "")
            + (
                f" ({failure.unexpected_count} rows, e.g. {failure.examples[:3]})"
                if failure.unexpected_count
                else ""
            )
            + (f": {failure.why}" if failure.why else "")
            for failure in self.failures
        ]
        return f"{self.suite}: {len(parts)} expectation(s) failed: " + "; ".join(parts)


def validate_frame(frame: pd.DataFrame, suite: SuiteSpec) -> SuiteOutcome:
    """Run every expectation of the suite on the frame."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    expectation_suite = gx.ExpectationSuite(name=suite.name)
    for spec in suite.expectations:
        expectation_suite.add_expectation_configuration(
            ExpectationConfiguration(
                type=spec["type"],
                kwargs=spec.get("kwargs", {}),
                meta=spec.get("meta", {}),
            )
        )
    source = context.data_sources.add_pandas("chorus")
    try:
        batch = (
            source.add_dataframe_asset(suite.table)
            .add_batch_definition_whole_dataframe("whole_table")
            .get_batch(batch_parameters={"dataframe": frame})
        )
        result = batch.validate(expectation_suite)
    finally:
        # GX's context outlives the call (its project) and holds the frame through this
        # data source: at national, 0.9 GiB kept through disclosure control and forked into
        # its workers (benchmarks/RESULTS.md, issue 19's tenth step)
        context.data_sources.delete("chorus")
    outcomes = []
    for item in result.results:
        config = item.expectation_config
        details = item.result or {}
        if item.exception_info and item.exception_info.get("raised_exception"):
            message = item.exception_info.get("exception_message", "")
            why = f"could not be evaluated: {message}"
        else:
            why = (config.meta or {}).get("why", "")
        outcomes.append(
            ExpectationOutcome(
                expectation=config.type,
                column=config.kwargs.get("column"),
                success=bool(item.success),
                unexpected_count=details.get("unexpected_count"),
                examples=list(details.get("partial_unexpected_list") or [])[:5],
                why=why,
            )
        )
    return SuiteOutcome(suite=suite.name, success=bool(result.success), outcomes=outcomes)
