"""The slope index of inequality (SII) of each indicator broken down by deprivation quintile,
computed from the published table, after disclosure control, as OHID's `phe_sii`
(indicators/stats/sii.py), and said in words.

Which breakdowns are deprivation quintiles is read from the indicators' declared relations:
a `partition` whose groups include `Quintile 1` to `Quintile 5` (quintile 1 the most
deprived, as phe_sii expects; any other group, such as `LSOA not known`, is left out of the
slope). Nothing here names an indicator.

An SII is computed for an area and period only when each of the five quintile cells is
published with its counts (none suppressed as c) and holds children: a suppressed cell is
never worked back into the slope, and a quintile in which the area has no child has no
value to fit (five quintiles are phe_sii's minimum). Its limits come from phe_sii's
simulation with each quintile's 95% Wilson limits (the package's choice, as its users do),
in percentage points (multiplier 100), fixed seed: the same table gives the same limits.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from indicators.disclosure import RelationsError, parse_relations
from indicators.stats.sii import slope_index

QUINTILES = tuple(f"Quintile {number}" for number in range(1, 6))
"""The groups of a deprivation quintile breakdown, most deprived first."""

INEQUALITY_COLUMNS = (
    "indicator_id",
    "time_period",
    "geographic_level",
    "area_code",
    "area_name",
    "breakdown",
    "sii",
    "sii_lower_95",
    "sii_upper_95",
    "most_deprived_value",
    "least_deprived_value",
    "method",
    "statement",
)
METHOD = (
    "Slope index of inequality (OHID PHEindicatormethods phe_sii): the percentages regressed "
    "on each quintile's cumulative population rank, weighted by its children; 95% limits "
    "from 100,000 simulations with each quintile's Wilson interval"
)


def quintile_breakdowns(register: pd.DataFrame) -> dict[str, str]:
    """indicator_id -> its breakdown whose declared partition holds Quintile 1 to 5."""
    found = {}
    for row in register.to_dict("records"):
        try:
            relations = parse_relations(str(row["indicator_id"]), row.get("relations"))
        except RelationsError:
            continue  # the register check refuses it, naming the file
        for breakdown in relations.breakdowns:
            groups = breakdown.groups
            partition = breakdown.kind == "partition" and not isinstance(groups, str)
            if partition and set(QUINTILES) <= set(groups):
                found[str(row["indicator_id"])] = breakdown.name
    return found


def _count(value: object) -> int | None:
    text = str(value).strip()
    return int(float(text)) if text and text.replace(".", "", 1).isdigit() else None


def statement(
    sii: float, lower: float, upper: float, higher_is_good: bool, breakdown: str = "quintile"
) -> str:
    """The SII in words: which way the gap runs, and whether the limits exclude none;
    `breakdown` is the declared quintile breakdown's name, as published."""
    points = f"{abs(sii):.1f} percentage points"
    limits = f"(95% confidence limits {lower:.1f} to {upper:.1f})"
    if lower <= 0 <= upper:
        return (
            f"No clear gap between the most and the least deprived areas {limits}: the "
            "slope could be zero or run either way."
        )
    side = "better" if higher_is_good else "worse"
    fitted = (
        f"It is the slope of a line fitted across all five fifths of the {breakdown} breakdown "
        "(weighted by how many are in each), not the difference between the two end fifths."
    )
    if sii > 0:
        return (
            f"From the most to the least deprived children, the fitted gap is {points} "
            f"{limits}: children in less deprived areas do {side}. {fitted}"
        )
    return (
        f"The gap runs the other way: from the most to the least deprived children, the "
        f"fitted gap is {points} {limits} the other way, so children in more deprived areas "
        f"do {side}. {fitted}"
    )


def inequality_table(
    published: pd.DataFrame,
    register: pd.DataFrame,
    *,
    repetitions: int = 100_000,
) -> pd.DataFrame:
    """One row per indicator, period and area with every quintile cell published: the SII
    (percentage points, least deprived minus most deprived), its 95% limits and a sentence;
    where a cell is suppressed or empty, the row says why and gives no SII."""
    breakdowns = quintile_breakdowns(register)
    polarity: Mapping[str, str] = dict(
        zip(register["indicator_id"], register.get("polarity", ""), strict=True)
    )
    rows = []
    keys = ["indicator_id", "time_period", "geographic_level", "area_code", "area_name"]
    for indicator_id, breakdown in sorted(breakdowns.items()):
        cells = published[
            (published["indicator_id"] == indicator_id)
            & (published["breakdown"] == breakdown)
            & published["group"].isin(QUINTILES)
        ]
        for key, area in cells.groupby(keys, sort=True):
            row = dict(zip(keys, key, strict=True)) | {"breakdown": breakdown}
            by_group = area.set_index("group")
            counts = [
                (_count(by_group.at[g, "numerator"]), _count(by_group.at[g, "denominator"]))
                if g in by_group.index
                else (0, 0)
                for g in QUINTILES
            ]
            higher_is_good = "High is good" in str(polarity.get(indicator_id))
            row |= _slope(counts, higher_is_good, breakdown, repetitions)
            rows.append(row)
    return pd.DataFrame(rows, columns=list(INEQUALITY_COLUMNS))


def _slope(
    counts: list[tuple[int | None, int | None]],
    higher_is_good: bool,
    breakdown: str,
    repetitions: int,
) -> dict[str, object]:
    empty = {"sii": "x", "sii_lower_95": "x", "sii_upper_95": "x"}
    if any(n is None or d is None for n, d in counts):
        return empty | {
            "most_deprived_value": "x",
            "least_deprived_value": "x",
            "method": METHOD,
            "statement": "Not calculated: a quintile's count is suppressed (c) to protect "
            "small numbers, and a slope is never worked from a hidden count.",
        }
    numerators = np.array([n for n, _ in counts], dtype=float)
    denominators = np.array([d for _, d in counts], dtype=float)
    values = {
        "most_deprived_value": f"{100 * numerators[0] / denominators[0]:.1f}"
        if denominators[0]
        else "x",
        "least_deprived_value": f"{100 * numerators[-1] / denominators[-1]:.1f}"
        if denominators[-1]
        else "x",
        "method": METHOD,
    }
    if np.any(denominators == 0):
        return (
            empty
            | values
            | {
                "statement": "Not calculated: the area has no children in at least one "
                "quintile, and the slope needs all five."
            }
        )
    shares = numerators / denominators
    if np.any((shares <= 0) | (shares >= 1)):
        return (
            empty
            | values
            | {
                "statement": "Not calculated: a quintile is at 0% or 100%, which the "
                "method cannot fit."
            }
        )
    index = slope_index(
        shares,
        denominators,
        np.arange(1, 6),
        value_type="proportion",
        denominators=denominators,
        multiplier=100.0,
        repetitions=repetitions,
    )
    lower, upper = index.limits[0.95]
    return values | {
        "sii": f"{index.sii:.1f}",
        "sii_lower_95": f"{lower:.1f}",
        "sii_upper_95": f"{upper:.1f}",
        "statement": statement(index.sii, lower, upper, higher_is_good, breakdown),
    }
