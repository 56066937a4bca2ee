-- Every published indicator with its statistics. The statistics (intervals, comparisons,
-- trends) are computed in Python by the library between dbt's two steps: the Dagster asset
-- computed/indicator_statistics (orchestration/statistics_asset.py) reads
-- int_indicator_values_collected, dim_areas, dim_indicators and the england_benchmarks and
-- voice_items seeds, calls indicators.stats.indicator_values.add_statistics and writes
-- computed.indicator_statistics, on DuckDB and on PostgreSQL alike. This model publishes it
-- to the marts, where its tests (and the Great Expectations suite) guard it.
select * from {{ source('computed', 'indicator_statistics') }}
