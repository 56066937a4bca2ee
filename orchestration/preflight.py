"""The gate between ingest and dbt: a run with nothing to publish, or an indicator left
unfinished, stops here with one line (indicators/ingest/preflight.py), before dbt builds anything.

Every dbt asset depends on `preflight` (orchestration/dbt_assets.py), so runs from the UI,
the daemon and `chorus run` all pass through it.
"""

from dagster import AssetExecutionContext, AssetKey, Failure, MaterializeResult, asset

from indicators.ingest.preflight import nothing_publishable
from indicators.publish.register_check import unfinished_indicators, unfinished_line
from indicators.warehouse import connect
from orchestration.dbt_setup import INDICATOR_MODELS_DIR
from orchestration.ingest_assets import (
    EYFSP_RETURNS,
    LOCAL_AUTHORITIES,
    NEIGHBOURHOOD_LOOKUP,
    SCHOOL_CENSUS,
    VOICE_RESPONSES,
)
from orchestration.resources import ChorusResource

PREFLIGHT = AssetKey("preflight")


@asset(key=PREFLIGHT, group_name="ingest",
       deps=[NEIGHBOURHOOD_LOOKUP, LOCAL_AUTHORITIES, EYFSP_RETURNS, SCHOOL_CENSUS,
             VOICE_RESPONSES])
def preflight(context: AssetExecutionContext, chorus: ChorusResource) -> MaterializeResult:
    """Before dbt: every indicator definition is filled in, and the rows ingest loaded can be
    published (no kind of return and year lost whole). Fails with the one line that says
    what to do, naming the rule, its count and the fix, or each unfinished file and field."""
    unfinished = unfinished_line(unfinished_indicators(INDICATOR_MODELS_DIR))
    if unfinished:
        raise Failure(description=unfinished)
    settings = chorus.settings()
    with connect(settings.warehouse, read_only=True) as connection:
        load_log = connection.execute(
            "select academic_year, kind, file, rows_read, rows_loaded, rows_quarantined, "
            "status from raw.load_log").df()
        quarantine = connection.execute(
            'select academic_year, kind, file, "row", rule, message from raw.quarantine').df()
    reason = nothing_publishable(load_log, quarantine, settings.landing)
    if reason:
        raise Failure(description=reason)
    returns = load_log[load_log["kind"] != "reference"]
    context.log.info(f"{int(returns['rows_loaded'].sum()):,} landed rows loaded, "
                     f"{int(returns['rows_quarantined'].sum()):,} quarantined: dbt may run")
    return MaterializeResult(metadata={
        "rows_loaded": int(returns["rows_loaded"].sum()),
        "rows_quarantined": int(returns["rows_quarantined"].sum()),
    })
