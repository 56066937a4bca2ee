"""Statistics that let a neighbourhood board read an indicator honestly: the published methods,
one function per method (as OHID's PHEindicatormethods), each in its module and all of them
here, so that `from indicators import stats as st` gives `st.wilson_interval`, `st.xmr` ...

Pure functions over numbers: no Dagster, no dbt, no warehouse. The dbt Python model that
adds confidence intervals and comparisons to the indicator table and the board-pack renderer
both call these modules, so a board sees the same answer wherever a number appears.

What each part tells a board member:

- **Confidence intervals** (`intervals`: `wilson_interval`, `mean_interval`): the range the
  "true" value for the area plausibly lies in, given how many children were counted. A
  neighbourhood of 40 children has a wide interval; the whole authority a narrow one.
- **Median intervals** (`medians`: `median_interval`, `median_ranks`): a median (e.g. days
  from referral to a Voice Note) with a distribution-free interval between two observed
  values, ranked by the binomial distribution.
- **Benchmark comparison** (`comparisons`: `compare_with_benchmark`, `apply_polarity`): the
  Fingertips method. An area is "higher" or "lower" than a benchmark (e.g. England) only when
  its whole interval sits above or below it; otherwise the difference could be chance
  ("similar"). The indicator's polarity then says whether higher is better, worse, or neither.
- **Recent trend** (`trends`: `recent_trend`, `trend_with_polarity`): whether a proportion has
  been rising or falling over the last five years by more than chance would explain, by the
  Fingertips rule (chi-squared for trend above 9.5495, i.e. 99.8%, with no outlier).
- **Inequality across deprivation** (`sii`: `slope_index`): OHID's `phe_sii` slope index of
  inequality, the gap between the most and least deprived ends of the area allowing for every
  quantile and its size, with simulated confidence limits, and the relative index (RII).
- **XmR charts** (`spc`: `xmr`, `xmr_reading`, `enough_points_for_spc`): NHS "Making Data
  Count" statistical process control, which separates the everyday ups and downs of a measure
  (common cause variation) from changes worth asking about (special cause variation).

The words they return are in `terms`; polarity names follow OHID Fingertips metadata, as in
`indicators.publish.register.POLARITIES`. `indicator_values` applies the methods to every
row of the indicator table (the dbt model fct_indicator_values).
"""

from indicators.stats.comparisons import (
    apply_polarity,
    as_published,
    compare_as_published,
    compare_with_benchmark,
)
from indicators.stats.intervals import mean_interval, wilson_interval
from indicators.stats.medians import (
    MEDIAN_METHOD,
    median_interval,
    median_intervals,
    median_ranks,
)
from indicators.stats.sii import (
    SII_MAX_QUANTILES,
    SII_MIN_QUANTILES,
    SII_MIN_REPETITIONS,
    SII_SEED,
    SII_VALUE_TYPES,
    SlopeIndex,
    rank_midpoints,
    slope_index,
)
from indicators.stats.spc import (
    SPC_MIN_POINTS,
    XMR_D2,
    XMR_LIMIT_FACTOR,
    XMR_RUN,
    XmrResult,
    enough_points_for_spc,
    xmr,
    xmr_reading,
)
from indicators.stats.terms import (
    BETTER,
    BLUE_ORANGE_BLUE,
    COMPARISONS,
    COULD_NOT_BE_CALCULATED,
    DECREASING,
    HIGH_IS_GOOD,
    HIGHER,
    INCREASING,
    LOW_IS_GOOD,
    LOWER,
    NO_SIGNIFICANT_CHANGE,
    NOT_APPLICABLE,
    NOT_COMPARED,
    POLARITIES,
    SIMILAR,
    TRENDS,
    WORSE,
)
from indicators.stats.trends import (
    TREND_CHI_SQUARED,
    TREND_CONFIDENCE,
    TREND_METHOD,
    TREND_POINTS,
    TREND_VALUE_TYPES,
    TrendReading,
    TrendTest,
    academic_year_start,
    chi_squared_for_trend,
    logit_slope,
    read_trend,
    recent_trend,
    recent_trends,
    trend_with_polarity,
)

__all__ = [
    "MEDIAN_METHOD",
    "median_interval",
    "median_intervals",
    "median_ranks",
    "BETTER",
    "BLUE_ORANGE_BLUE",
    "COMPARISONS",
    "COULD_NOT_BE_CALCULATED",
    "DECREASING",
    "HIGHER",
    "HIGH_IS_GOOD",
    "INCREASING",
    "LOWER",
    "LOW_IS_GOOD",
    "NOT_APPLICABLE",
    "NOT_COMPARED",
    "NO_SIGNIFICANT_CHANGE",
    "POLARITIES",
    "SIMILAR",
    "SII_MAX_QUANTILES",
    "SII_MIN_QUANTILES",
    "SII_MIN_REPETITIONS",
    "SII_SEED",
    "SII_VALUE_TYPES",
    "SlopeIndex",
    "SPC_MIN_POINTS",
    "TRENDS",
    "TREND_CHI_SQUARED",
    "TREND_CONFIDENCE",
    "TREND_METHOD",
    "TREND_POINTS",
    "TREND_VALUE_TYPES",
    "WORSE",
    "XMR_D2",
    "XMR_LIMIT_FACTOR",
    "XMR_RUN",
    "TrendReading",
    "TrendTest",
    "XmrResult",
    "academic_year_start",
    "apply_polarity",
    "as_published",
    "chi_squared_for_trend",
    "compare_as_published",
    "compare_with_benchmark",
    "enough_points_for_spc",
    "logit_slope",
    "mean_interval",
    "rank_midpoints",
    "read_trend",
    "recent_trend",
    "recent_trends",
    "slope_index",
    "trend_with_polarity",
    "wilson_interval",
    "xmr",
    "xmr_reading",
]
