"""Intervals of means that would give away hidden counts.

A mean's 95% and 99.8% intervals are computed from the standard deviation of the scores, so
with the published sum (the numerator) and count (the denominator) they give the sum of the
squared scores, Q. When the mean's `score_bounds` relation splits its people into classes
whose scores lie in different ranges (young people scoring 7 or more against the rest; reviews
whose two perspectives differ by 3 or more against the rest), Q bounds how many are in each
class: every review differing by 3 or more adds at least 9 to Q, every other at most 4. A
hidden class count can then be narrowed from the interval alone.

And Q adds up as the counts do: a team's Q is the authority's less the other teams', a group's
is the total's less the other groups'. So an interval cannot be hidden on its own: it is hidden
with every interval it adds up with.

The rule: a mean's intervals (and its comparisons with the authority and England, which say
where a benchmark lies against the interval) are hidden in every cell of a cluster where any
class count of any cell is hidden. A cluster is, for one indicator and period, one group of an
overlapping or disjoint breakdown in every area; or the total and every partition in every
area (they add up to one another).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

import numpy as np
import pandas as pd

from indicators.declarations import row_periods
from indicators.disclosure.control import IndicatorShape

SUMMING_KINDS = ("total", "partition")
"""Breakdown kinds whose groups add up to one another (and to the total)."""


Term = tuple[str, str, str | None, str | None]


def _class_terms(shape: IndicatorShape, indicator: str) -> list[Term]:
    """(indicator, count, breakdown, group) of every score class of the mean's score_bounds."""
    relations = shape.relations
    if relations is None or shape.value_type != "mean":
        return []
    terms = []
    for rule in relations.rules:
        if rule.kind != "score_bounds":
            continue
        for score_class in rule.classes:
            for term in score_class.count:
                terms.append((term.indicator or indicator, term.count, term.breakdown, term.group))
    return terms


def hidden_spreads(protected: pd.DataFrame, shapes: Mapping[str, IndicatorShape]) -> np.ndarray:
    """Rows whose intervals (and comparisons) are hidden because they would narrow a hidden
    count through the spread of the scores (module docstring)."""
    frame = protected.reset_index(drop=True)
    period = row_periods(frame)
    hidden_count: dict[tuple, tuple[bool, bool]] = {}
    for position, row in enumerate(frame.itertuples(index=False)):
        key = (row.indicator_id, period[position], row.area_code, row.breakdown, row.group)
        hidden_count[key] = (bool(row.numerator_suppressed), bool(row.denominator_suppressed))

    def count_hidden(indicator: str, count: str, key: tuple) -> bool:
        numerator, denominator = hidden_count.get((indicator, *key), (False, False))
        if count == "numerator":
            return numerator
        if count == "denominator":
            return denominator
        return numerator or denominator  # complement

    terms_of = {
        indicator: _class_terms(shapes[indicator], indicator)
        for indicator in frame["indicator_id"].unique()
        if indicator in shapes
    }
    kinds: dict[tuple[str, str], str] = {}  # (indicator, breakdown) -> its declared kind
    clusters: dict[tuple, list[int]] = defaultdict(list)
    seeds: set[tuple] = set()
    for position, row in enumerate(frame.itertuples(index=False)):
        terms = terms_of.get(row.indicator_id)
        if not terms:
            continue
        if (row.indicator_id, row.breakdown) not in kinds:
            relations = shapes[row.indicator_id].relations
            kinds[row.indicator_id, row.breakdown] = (
                relations.breakdown_kind(row.breakdown) if relations else None
            ) or "total"
        kind = kinds[row.indicator_id, row.breakdown]
        cluster = (
            (row.indicator_id, period[position], "summing")
            if kind in SUMMING_KINDS
            else (row.indicator_id, period[position], row.breakdown, row.group)
        )
        clusters[cluster].append(position)
        for indicator, count, breakdown, group in terms:
            key = (
                period[position],
                row.area_code,
                breakdown if breakdown and "{" not in breakdown else row.breakdown,
                group if group and "{" not in group else row.group,
            )
            if count_hidden(indicator, count, key):
                seeds.add(cluster)
    hidden = np.zeros(len(frame), dtype=bool)
    for cluster in seeds:
        hidden[clusters[cluster]] = True
    return hidden
