"""The indicator statistics as a step between dbt's layers, on whichever warehouse is set.

Reads what the dbt Python model used to read (the collected indicator values, the areas, the
register, England's figures and the item bank), adds the statistics with the one definition
of each (indicator_values.add_statistics) and writes computed.indicator_statistics, which
marts.fct_indicator_values publishes. Python rather than SQL: the t and binomial quantiles,
the order-statistic medians and the trend test have no portable SQL, and the packs use the
same functions.
"""

from __future__ import annotations

import pandas as pd

from indicators.config import ChorusSettings
from indicators.stats.indicator_values import add_statistics
from indicators.warehouse_tables import read_table, replace_table

STATISTICS_SCHEMA = "computed"
STATISTICS_TABLE = "indicator_statistics"


def indicator_statistics(settings: ChorusSettings) -> pd.DataFrame:
    """Every collected indicator value with its intervals, comparisons and trend."""
    values = read_table(settings, "intermediate.int_indicator_values_collected")
    areas = read_table(settings, "marts.dim_areas")
    register = read_table(settings, "marts.dim_indicators")
    england = read_table(settings, "reference.england_benchmarks")
    item_bank = read_table(settings, "reference.voice_items")  # a reworded question breaks
    neighbourhoods = areas[areas["parent_area_code"].notna()]
    parents = dict(
        zip(neighbourhoods["area_code"], neighbourhoods["parent_area_code"], strict=True)
    )
    return add_statistics(values, parents, register, england, item_bank)


def write_indicator_statistics(settings: ChorusSettings) -> int:
    """Compute the statistics and replace computed.indicator_statistics; returns its rows."""
    frame = indicator_statistics(settings)
    return replace_table(settings, STATISTICS_SCHEMA, STATISTICS_TABLE, frame)
