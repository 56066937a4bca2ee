"""The indicator statistics, between dbt's two steps (indicators/stats/warehouse_statistics.py).

A Dagster asset rather than a dbt Python model, so that it runs on every warehouse (PostgreSQL
runs no dbt Python models); its key is the dbt source computed.indicator_statistics, which
marts.fct_indicator_values reads.
"""

from dagster import AssetExecutionContext, MaterializeResult, asset
from dagster_dbt import get_asset_key_for_model, get_asset_key_for_source

from orchestration.dbt_assets import chorus_dbt_models, chorus_dbt_published
from orchestration.failures import refusals_fail
from orchestration.resources import ChorusResource

_READS = (
    "int_indicator_values_collected",
    "dim_areas",
    "dim_indicators",
    "england_benchmarks",
    "voice_items",
)


@asset(
    key=get_asset_key_for_source([chorus_dbt_published], "computed"),
    deps=[get_asset_key_for_model([chorus_dbt_models], name) for name in _READS],
    group_name="marts",
    kinds={"python", "pandas"},
)
def indicator_statistics(context: AssetExecutionContext, chorus: ChorusResource):
    """Intervals, comparisons with the authority and England, and trends for every indicator
    value (one definition of each statistic, in indicators/stats)."""
    from indicators.isolated import isolated
    from indicators.stats.warehouse_statistics import write_indicator_statistics

    settings = chorus.settings()  # in a process of its own: what it read is not kept
    with refusals_fail():
        rows = isolated(lambda: write_indicator_statistics(settings), "the indicator statistics")
    context.log.info(f"computed.indicator_statistics: {rows} rows")
    return MaterializeResult(metadata={"rows": rows})
