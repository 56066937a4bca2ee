"""Which statements of a framework's `statements:` frame may be published and where they sit,
when the framework declares what they explain (`statements.explains`): each statement beside
the total rows of the indicators it explains, of its own area and period, and none where a
count it bounds from below is hidden. Used when the frame is published (indicator_tables)
and again when a pack is built from it (packs/frames.py), so a hand-made frame obeys too.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from indicators.disclosure import SUPPRESSED
from indicators.publish.framework_layout import Explains, Statements
from indicators.publish.period_keys import keyed, split_key

TOTAL = "All"
AREA_COLUMNS = ("area_code", "area_name", "geographic_level")
"""A statement's place: the rest of its row (its words, kind and period) is what it says."""


def year_of(key: object) -> str | None:
    """The period a statement's `time_period` names, from a published period key: the key
    itself for a whole period (a financial or academic year), None for a part of one (a
    quarter, a month), which no statement of a year explains."""
    period, kind, _ = split_key(str(key).strip().removesuffix(".0"))
    if kind is not None and kind.parts > 1:
        return None
    return period


def matches(row: dict, entry: Explains) -> bool:
    """Whether a statement (a frame's row, as text) is of the kind `entry` explains."""
    return all(str(row.get(column, "")) == value for column, value in entry.only.items())


def shown_periods(values: pd.DataFrame, indicators: tuple[str, ...]) -> set[tuple[str, str]]:
    """(area_code, period) where every one of `indicators` has its total row published with
    neither its numerator nor its denominator suppressed (c)."""
    if not indicators:
        return set()
    table = keyed(values) if "time_identifier" in values else values
    rows = table[table["indicator_id"].isin(indicators) & (table["breakdown"] == TOTAL)]
    fine: dict[tuple[str, str], set[str]] = {}
    hidden: set[tuple[str, str]] = set()
    for indicator, area, key, numerator, denominator in zip(
        rows["indicator_id"],
        rows["area_code"],
        rows["time_period"],
        rows["numerator"].astype(str),
        rows["denominator"].astype(str),
        strict=True,
    ):
        period = year_of(key)
        if period is None:
            continue
        if SUPPRESSED in (numerator.strip(), denominator.strip()):
            hidden.add((str(area), period))
        else:
            fine.setdefault((str(area), period), set()).add(str(indicator))
    return {place for place, found in fine.items() if found >= set(indicators)} - hidden


def withheld(
    statements: pd.DataFrame,
    declared: Statements,
    values: pd.DataFrame,
    parents: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """`statements` without those that explain none of the declared rows, and without those
    whose area and period has a `hidden_with` indicator's count hidden or unpublished (a
    count of distinct statements would bound it from below). With `parents` (area -> the
    area it is part of: a neighbourhood -> its authority), an area that has parts keeps only
    the statements one of its parts keeps (the same words, kind and period): else comparing
    an authority's words with its neighbourhoods' would pin a withheld word to a hidden or
    small neighbourhood. Unchanged when the framework declares no `explains`."""
    if not declared.explains or statements.empty:
        return statements
    allowed = [
        shown_periods(values, entry.hidden_with) if entry.hidden_with else None
        for entry in declared.explains
    ]
    keep = []
    rows = statements.astype(str).to_dict("records")
    for row in rows:
        place = (row.get("area_code", ""), year_of(row.get("time_period", "")) or "")
        keep.append(
            any(
                matches(row, entry) and (shown is None or place in shown)
                for entry, shown in zip(declared.explains, allowed, strict=True)
            )
        )
    if parents:
        whole = {parent for parent in parents.values() if isinstance(parent, str) and parent}
        said = [tuple((c, v) for c, v in row.items() if c not in AREA_COLUMNS) for row in rows]
        by_parts = {
            (str(parents.get(row.get("area_code", ""), "")), what)
            for row, what, kept in zip(rows, said, keep, strict=True)
            if kept
        }
        keep = [
            kept and (row.get("area_code", "") not in whole or (row["area_code"], what) in by_parts)
            for row, what, kept in zip(rows, said, keep, strict=True)
        ]
    return statements[keep].reset_index(drop=True)
