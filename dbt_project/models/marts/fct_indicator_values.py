"""Every published indicator, statutory and voice, with intervals, comparisons and trends.

A dbt Python model: the statistics come from Chorus's library (indicators/stats/indicator_values.py,
which uses statsmodels' Wilson interval), so the board packs and this table agree.
"""


def model(dbt, session):
    dbt.config(materialized="table")
    from indicators.stats.indicator_values import add_statistics

    values = dbt.ref("int_indicator_values_collected").df()
    areas = dbt.ref("dim_areas").df()
    register = dbt.ref("dim_indicators").df()
    england = dbt.ref("england_benchmarks").df()
    item_bank = dbt.ref("voice_items").df()  # a reworded question breaks its trend series
    neighbourhoods = areas[areas["parent_area_code"].notna()]
    parents = dict(
        zip(neighbourhoods["area_code"], neighbourhoods["parent_area_code"], strict=True)
    )
    return add_statistics(values, parents, register, england, item_bank)
