"""Publish assets: disclosure-controlled tables into the run's own staging folder
(indicators/publish/indicator_tables.py), board packs from those files alone
(indicators/publish/board_packs.py), then the quality report and the manifest, and the
output link switches to the folder in one step (indicators/publish/publication.py).

Nothing here runs unless every blocking check upstream passed (dbt tests with severity
error, and the blocking GX suites).
"""

from collections.abc import Callable
from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetKey,
    DagsterRunStatus,
    MaterializeResult,
    MetadataValue,
    asset,
)

from indicators.config import ChorusSettings
from indicators.publish.board_packs import kept_packs, write_board_packs
from indicators.publish.frameworks import FrameworkError, load_frameworks, statement_frames
from indicators.publish.indicator_tables import disclosure_facts, write_indicator_tables
from indicators.publish.packs import reuse
from indicators.publish.publication import fresh_stage, publish_staged
from indicators.publish.publication import staging_dir as run_staging_dir
from indicators.publish.quality_facts import write_quality_report
from orchestration.resources import ChorusResource
from orchestration.run_results import run_checks


def staging_dir(settings: ChorusSettings, run_id: str) -> Path:
    """This run's staging folder, beside the publications (same filesystem as the output)."""
    return run_staging_dir(settings.output, run_id)


def _run_ended(context: AssetExecutionContext) -> Callable[[str], bool | None]:
    """Whether a run has ended, by its id, as this Dagster instance knows it (None: a run it
    does not know)."""
    finished = {DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED}

    def ended(run_id: str) -> bool | None:
        run = context.instance.get_run_by_id(run_id)
        return None if run is None else run.status in finished

    return ended


def _statement_marts() -> list[AssetKey]:
    """The marts a framework publishes statements from (`statements.frame`); none when the
    frameworks cannot be read (the preflight asset then stops the run, naming the problem)."""
    try:
        frames = statement_frames(load_frameworks())
    except FrameworkError:
        return []
    return [AssetKey(["marts", frame]) for frame in frames]


@asset(
    deps=[
        AssetKey(["marts", "fct_indicator_values"]),
        AssetKey(["marts", "dim_areas"]),
        AssetKey(["marts", "dim_indicators"]),
        AssetKey(["marts", "fct_voice_quotes"]),
        *_statement_marts(),
    ],
    group_name="publish",
    kinds={"csv"},
)
def indicator_tables(context: AssetExecutionContext, chorus: ChorusResource) -> MaterializeResult:
    """indicator_values.csv after disclosure control, the register, and the quality reports."""
    settings = chorus.settings()
    stage = fresh_stage(
        settings.output, settings.home, context.run.run_id, _run_ended(context), context.log
    )
    tables = write_indicator_tables(settings, stage, context.log)
    reasons = tables.reasons
    return MaterializeResult(
        metadata={
            "rows": tables.rows,
            "suppressed": tables.suppressed,
            "suppressed_primary": int(reasons["primary"].sum()),
            "suppressed_secondary": int(reasons["secondary"].sum()),
            "suppression_by_indicator": MetadataValue.json(
                [
                    {k: (v if isinstance(v, str) else int(v)) for k, v in row.items()}
                    for row in reasons.to_dict("records")
                ]
            ),
            "disclosure_seconds": round(tables.seconds, 2),
            "disclosure_tables_solved": tables.tables_solved,
            "disclosure_tables_kept": tables.tables_kept,
            "threshold": tables.config.threshold,
            "round_counts_to": tables.config.round_to or 0,
            "quotes_published": tables.quotes_published,
            "open_data_files": tables.open_data_files,
            "staging": MetadataValue.path(str(stage)),
        }
    )


@asset(deps=[indicator_tables], group_name="publish", kinds={"html", "pdf", "xlsx"})
def board_packs(context: AssetExecutionContext, chorus: ChorusResource) -> MaterializeResult:
    """A pack per neighbourhood and one per authority (HTML, PDF, Excel), built only from the
    staged, disclosure-controlled tables. CHORUS_PACKS chooses the authorities."""
    settings = chorus.settings()
    stage = staging_dir(settings, context.run.run_id)
    packs = write_board_packs(settings, stage, context.run.run_id, context.log)
    return MaterializeResult(
        metadata={
            "packs": packs.packs,
            "files": packs.files,
            "authorities": settings.packs,
            "unchanged packs, not rendered again": packs.reused,
        }
    )


@asset(deps=[indicator_tables, board_packs], group_name="publish")
def publication(context: AssetExecutionContext, chorus: ChorusResource) -> MaterializeResult:
    """Write manifest.json, then switch the output link to this run's folder in one step."""
    settings = chorus.settings()
    stage = staging_dir(settings, context.run.run_id)
    checks, dbt_found = run_checks(context)
    write_quality_report(settings, stage, context.run.run_id, checks, dbt_found, context.log)
    published = publish_staged(
        stage, settings.output, context.run.run_id, disclosure_facts(settings.seeds)
    )
    reuse.settle(kept_packs(settings), context.run.run_id)  # its new packs may now be reused
    context.log.info(
        f"published {len(published.files)} files to {settings.output} (-> {published.folder})"
    )
    return MaterializeResult(
        metadata={
            "output": MetadataValue.path(str(settings.output)),
            "folder": MetadataValue.path(str(published.folder)),
            "files": MetadataValue.json(published.files),
            "manifest": MetadataValue.path(str(settings.output / published.manifest.name)),
        }
    )
