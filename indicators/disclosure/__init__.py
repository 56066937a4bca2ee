"""Disclosure control: no published number may let anyone recover a count below the threshold.

- `relations`: the relations between published cells each indicator declares in its YAML
  (`meta.indicator.relations`), read into linear relations over the table's counts;
- `suppress`: primary suppression, then secondary suppression over every relation at once,
  audited by integer programming (`audit`) until no suppressed count can be narrowed to
  fewer than `threshold` possible values;
- `publish`: the table as published (EES symbols, optional rounding with every statistic
  recomputed from the rounded counts).
"""

from indicators.disclosure.control import (
    LOW_RELIABILITY,
    NOT_APPLICABLE,
    NOT_AVAILABLE,
    SUPPRESSED,
    DisclosureConfig,
    IndicatorShape,
)
from indicators.disclosure.published_table import (
    LOW,
    NON_PARTITION_BREAKDOWNS,
    PUBLISHED_STATISTICS,
    STANDARD_COLUMNS,
    divides_the_year,
    in_declared_order,
    publishable,
    suppressed_trend_windows,
    with_rounded_counts,
)
from indicators.disclosure.questions import ItemBank
from indicators.disclosure.relations import Relations, RelationsError, parse_relations
from indicators.disclosure.suppress import protect
from indicators.disclosure.suppression_cost import suppression_reasons, suppression_summary

__all__ = [
    "LOW",
    "LOW_RELIABILITY",
    "NON_PARTITION_BREAKDOWNS",
    "NOT_APPLICABLE",
    "NOT_AVAILABLE",
    "PUBLISHED_STATISTICS",
    "STANDARD_COLUMNS",
    "SUPPRESSED",
    "DisclosureConfig",
    "IndicatorShape",
    "ItemBank",
    "Relations",
    "RelationsError",
    "parse_relations",
    "protect",
    "divides_the_year",
    "publishable",
    "in_declared_order",
    "suppressed_trend_windows",
    "suppression_reasons",
    "suppression_summary",
    "with_rounded_counts",
]
