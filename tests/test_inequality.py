"""The slope index of inequality published beside GLD by deprivation quintile
(indicators/publish/inequality.py), from the published cells, against hand-worked examples."""

from __future__ import annotations

import json

import pandas as pd

from indicators.publish.inequality import inequality_table, quintile_breakdowns

RELATIONS = {
    "areas": "add_up",
    "absent_cells": "zero",
    "breakdowns": {
        "All": {"kind": "total", "groups": ["All children"]},
        "IDACI quintile of home": {
            "kind": "partition",
            "groups": [f"Quintile {n}" for n in range(1, 6)] + ["LSOA not known"],
        },
    },
    "rules": [],
}
REGISTER = pd.DataFrame(
    [
        {
            "indicator_id": "gld_by_quintile",
            "polarity": "RAG - High is good",
            "relations": json.dumps(RELATIONS),
        },
        {  # no quintile breakdown: no SII
            "indicator_id": "gld",
            "polarity": "RAG - High is good",
            "relations": json.dumps(
                {**RELATIONS, "breakdowns": {"All": RELATIONS["breakdowns"]["All"]}}
            ),
        },
    ]
)


def _published(area: str, cells: list[tuple[str, str]], level: str = "Neighbourhood") -> list[dict]:
    """Published rows (counts as text, as indicator_values.csv holds them), Quintile 1 first."""
    rows = []
    for number, (numerator, denominator) in enumerate(cells, start=1):
        rows.append(
            {
                "indicator_id": "gld_by_quintile",
                "time_period": "202324",
                "geographic_level": level,
                "area_code": area,
                "area_name": area.title(),
                "breakdown": "IDACI quintile of home",
                "group": f"Quintile {number}",
                "numerator": numerator,
                "denominator": denominator,
            }
        )
    rows.append({**rows[0], "group": "LSOA not known", "numerator": "1", "denominator": "3"})
    return rows


def _table(rows: list[dict]) -> pd.DataFrame:
    return inequality_table(pd.DataFrame(rows), REGISTER, repetitions=2000).set_index("area_code")


def test_the_quintile_breakdown_is_found_from_the_declared_partition():
    assert quintile_breakdowns(REGISTER) == {"gld_by_quintile": "IDACI quintile of home"}


def test_equal_quintiles_on_a_straight_line_give_the_slope_worked_by_hand():
    # 100 children in each quintile at 50, 55, 60, 65, 70%: the ranks are the midpoints
    # 0.1, 0.3, 0.5, 0.7, 0.9, so the line rises 5 points per 0.2 of rank, 25 points from
    # rank 0 (47.5%) to rank 1 (72.5%): SII = 25.0, the least deprived end doing better.
    table = _table(
        _published(
            "N1", [("50", "100"), ("55", "100"), ("60", "100"), ("65", "100"), ("70", "100")]
        )
    )
    row = table.loc["N1"]
    assert row["sii"] == "25.0"
    assert float(row["sii_lower_95"]) < 25.0 < float(row["sii_upper_95"])
    assert (row["most_deprived_value"], row["least_deprived_value"]) == ("50.0", "70.0")
    assert row["statement"].startswith(
        "From the most to the least deprived children, the fitted gap is 25.0"
    )
    assert "children in less deprived areas do better" in row["statement"]
    # the sentence names the declared breakdown it was fitted across, not a fixed index
    assert "all five fifths of the IDACI quintile of home breakdown" in row["statement"]


def test_unequal_quintiles_weight_the_ranks_by_children():
    # 200, 100, 100, 100, 500 children: cumulative shares 0.2, 0.3, 0.4, 0.5, 1.0, midpoints
    # 0.1, 0.25, 0.35, 0.45, 0.75. Values 40, 46, 50, 54, 66%: on the line 36 + 40 x rank
    # exactly (36 + 4 = 40, 36 + 10 = 46, 36 + 14 = 50, 36 + 18 = 54, 36 + 30 = 66), so the
    # weighted fit is that line and the SII is 40.0 points.
    cells = [("80", "200"), ("46", "100"), ("50", "100"), ("54", "100"), ("330", "500")]
    assert _table(_published("N1", cells)).loc["N1", "sii"] == "40.0"


def test_a_negative_slope_says_the_gap_runs_the_other_way():
    cells = [("70", "100"), ("65", "100"), ("60", "100"), ("55", "100"), ("50", "100")]
    row = _table(_published("N2", cells)).loc["N2"]
    assert row["sii"] == "-25.0"
    assert row["statement"].startswith("The gap runs the other way")
    assert "children in more deprived areas do better" in row["statement"]


def test_a_flat_slope_whose_limits_cross_zero_claims_no_gap():
    cells = [("30", "50"), ("31", "50"), ("29", "50"), ("30", "50"), ("30", "50")]
    row = _table(_published("N3", cells)).loc["N3"]
    assert float(row["sii_lower_95"]) < 0 < float(row["sii_upper_95"])
    assert row["statement"].startswith("No clear gap")


def test_a_suppressed_or_empty_quintile_gives_no_slope_and_says_why():
    suppressed = _published(
        "N4", [("c", "c"), ("55", "100"), ("60", "100"), ("65", "100"), ("70", "100")]
    )
    empty = _published(
        "N5", [("50", "100"), ("55", "100"), ("60", "100"), ("65", "100"), ("0", "0")]
    )
    missing = [row for row in _published("N6", [("50", "100")] * 5) if row["group"] != "Quintile 1"]
    table = _table(suppressed + empty + missing)
    assert table.loc["N4", "sii"] == "x" and "suppressed (c)" in table.loc["N4", "statement"]
    assert (
        table.loc["N5", "sii"] == "x"
        and "no children in at least one" in table.loc["N5", "statement"]
    )
    assert (
        table.loc["N6", "sii"] == "x"
        and "no children in at least one" in table.loc["N6", "statement"]
    )
