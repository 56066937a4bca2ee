"""A mean's interval gives the spread of its scores, and with the published sum and count the
sum of their squares, Q. When the mean's score classes lie in different ranges (reviews whose
two perspectives differ by 3 or more score at least 9 in Q, the others at most 4), Q narrows a
hidden class count: found by a fresh-context review of issue 14, where 127 of 128 hidden team
counts of "differing by 3 or more" were narrowed below 10 values through the published
intervals of the mean difference. And Q adds up over teams as the counts do, so a hidden
interval is recovered from the authority's less the other teams'.

So where a class count is hidden, the mean's intervals and comparisons are hidden in every area
for that group (and, for a total and its partitions, in all of them); the mean itself stays.
Worked by hand below.

Why, in T3's numbers below: with n reviews, sum S and standard deviation s (the interval's
half-width over t times s/sqrt(n)), Q = (n - 1) s^2 + S^2 / n. 4 wide reviews at -3 and 26
others near 0.27 (sum -5) give Q about 36 + 1.9; each wide review adds at least 9 and each
other at most 4, so 9w <= Q: w <= 4, the hidden count pinned from above by Q alone."""

import pandas as pd

from indicators.disclosure import DisclosureConfig, protect, publishable
from indicators.publish.register import shapes

LA = "E99000999"
PARENTS = {"T1": LA, "T2": LA, "T3": LA}

WIDE_RELATIONS = {
    "areas": "add_up",
    "absent_cells": "zero",
    "breakdowns": {"Outcome domain": {"kind": "overlapping", "groups": ["Risk", "Work"]}},
    "rules": [],
}
MEAN_RELATIONS = {
    "areas": "add_up",
    "absent_cells": "zero",
    "breakdowns": {"Outcome domain": {"kind": "overlapping", "groups": ["Risk", "Work"]}},
    "rules": [
        {
            "kind": "score_bounds",
            "why": "A review differing by 3 or more lies in -10..10, the others in -2..2.",
            "classes": [
                {"count": "wide.numerator", "scores": "-10 to 10"},
                {"count": "wide.complement", "scores": "-2 to 2"},
            ],
        }
    ],
}
REGISTER = pd.DataFrame(
    [
        {
            "indicator_id": "wide",
            "model": "ind_wide",
            "value_type": "proportion",
            "source_type": "voice",
            "relations": WIDE_RELATIONS,
        },
        {
            "indicator_id": "difference",
            "model": "ind_difference",
            "value_type": "mean",
            "source_type": "voice",
            "relations": MEAN_RELATIONS,
        },
    ]
)
# (group, area, reviews differing by 3 or more, reviews, sum of differences): in Risk, team
# T3 has 4 wide reviews of 30 (fewer than 10: hidden, with a partner); in Work every count is
# at least 10 and its complement too.
CELLS = [
    ("Risk", LA, 44, 120, -40),
    ("Risk", "T1", 20, 45, -20),
    ("Risk", "T2", 20, 45, -15),
    ("Risk", "T3", 4, 30, -5),
    ("Work", LA, 60, 120, -30),
    ("Work", "T1", 20, 40, -10),
    ("Work", "T2", 20, 40, -10),
    ("Work", "T3", 20, 40, -10),
]


def _row(indicator, group, area, numerator, denominator, value):
    return {
        "indicator_id": indicator,
        "time_period": 202425,
        "geographic_level": "Local authority" if area == LA else "Team",
        "area_code": area,
        "area_name": area,
        "breakdown": "Outcome domain",
        "group": group,
        "numerator": numerator,
        "denominator": denominator,
        "value": value,
        "lower_ci_95": value - 0.5,
        "upper_ci_95": value + 0.5,
        "compared_with_la": "similar",
    }


def _table() -> pd.DataFrame:
    rows = []
    for group, area, wide, reviews, total in CELLS:
        rows.append(_row("wide", group, area, wide, reviews, 100 * wide / reviews))
        rows.append(_row("difference", group, area, total, reviews, total / reviews))
    return pd.DataFrame(rows)


def _published() -> pd.DataFrame:
    config = DisclosureConfig(threshold=10)
    indicator_shapes = shapes(REGISTER, config.voice_min_respondents)
    protected = protect(_table(), PARENTS, indicator_shapes, config)
    return publishable(protected, indicator_shapes, config, PARENTS)


def test_a_mean_hides_its_intervals_in_every_area_where_a_class_count_is_hidden():
    published = _published().set_index(["indicator_id", "group", "area_code"]).sort_index()
    wide_risk = published.loc[("wide", "Risk"), "numerator"]
    assert wide_risk["T3"] == "c"  # the small count, hidden with at least one partner
    for area in (LA, "T1", "T2", "T3"):
        row = published.loc[("difference", "Risk", area)]
        assert row["value"] != "c" and row["numerator"] != "c"  # the mean stays
        assert (row["lower_ci_95"], row["upper_ci_95"], row["compared_with_la"]) == (
            "c",
            "c",
            "c",
        ), area
    for area in (LA, "T1", "T2", "T3"):  # Work hides nothing: its intervals are published
        row = published.loc[("difference", "Work", area)]
        assert row["lower_ci_95"] != "c" and row["compared_with_la"] != "c", area


def test_a_total_and_its_partitions_hide_their_intervals_together():
    """Sums of squared scores add up over a partition's groups as counts do: one group's
    hidden interval would be the total's less the others'. So when a class count of one
    group is hidden, the total's and every group's intervals are hidden."""
    relations = {
        "areas": "add_up",
        "absent_cells": "zero",
        "breakdowns": {
            "All": {"kind": "total", "groups": ["All"]},
            "Sex": {"kind": "partition", "groups": ["Female", "Male"]},
        },
        "rules": [],
    }
    mean_relations = {
        **relations,
        "rules": [
            {
                "kind": "score_bounds",
                "why": "Those scoring 7 or more score 7-10, the others 0-6.",
                "classes": [
                    {"count": "good.numerator", "scores": "7-10"},
                    {"count": "good.complement", "scores": "0-6"},
                ],
            }
        ],
    }
    register = pd.DataFrame(
        [
            {"indicator_id": "good", "model": "ind_good", "value_type": "proportion",
             "source_type": "voice", "relations": relations},
            {"indicator_id": "score", "model": "ind_score", "value_type": "mean",
             "source_type": "voice", "relations": mean_relations},
        ]
    )  # fmt: skip
    # (breakdown, group, scoring 7+, people, sum of scores) at the authority only: Female has
    # 4 scoring 7 or more (hidden), so Male's 30 (its partner) too.
    cells = [
        ("All", "All", 34, 100, 520),
        ("Sex", "Female", 4, 40, 190),
        ("Sex", "Male", 30, 60, 330),
    ]
    rows = []
    for breakdown, group, good, people, total in cells:
        for indicator, numerator, value in (
            ("good", good, 100 * good / people),
            ("score", total, total / people),
        ):
            row = _row(indicator, group, LA, numerator, people, value)
            rows.append({**row, "breakdown": breakdown})
    config = DisclosureConfig(threshold=10)
    indicator_shapes = shapes(register, config.voice_min_respondents)
    protected = protect(pd.DataFrame(rows), {}, indicator_shapes, config)
    published = publishable(protected, indicator_shapes, config, {})
    good = published[published["indicator_id"] == "good"].set_index("group")
    assert good.loc["Female", "numerator"] == "c"
    score = published[published["indicator_id"] == "score"].set_index("group")
    for group in ("All", "Female", "Male"):
        assert score.loc[group, "value"] != "c", group
        assert (score.loc[group, "lower_ci_95"], score.loc[group, "upper_ci_95"]) == ("c", "c")
