"""Disclosure control on hand-made tables whose right answer can be worked out on paper."""

import numpy as np
import pandas as pd
import pytest

from indicators.disclosure import (
    DisclosureConfig,
    IndicatorShape,
    RelationsError,
    parse_relations,
    protect,
    publishable,
)
from tests.attacker import Attacker, leaks, summary

BREAKDOWNS = {
    "All": {"kind": "total", "groups": ["All children"]},
    "Sex": {"kind": "partition", "groups": ["Female", "Male"]},
    "SEN provision": {"kind": "partition", "groups": ["No SEN", "SEN support", "EHC plan"]},
}
GLD_RELATIONS = {"areas": "add_up", "absent_cells": "zero", "breakdowns": BREAKDOWNS, "rules": []}
AVG_RELATIONS = {
    "areas": "add_up",
    "absent_cells": "zero",
    "breakdowns": BREAKDOWNS,
    "rules": [
        {"kind": "equal", "left": "denominator", "right": "gld.denominator"},
        {"kind": "score_bounds", "classes": [{"count": "denominator", "scores": "0-17"}]},
    ],
}
SHAPES = {
    "gld": IndicatorShape("proportion", relations=parse_relations("gld", GLD_RELATIONS)),
    "avg": IndicatorShape("mean", relations=parse_relations("avg", AVG_RELATIONS)),
}


def _rows(indicator: str, cells: list[tuple[str, str, str, int, int]]) -> pd.DataFrame:
    """cells: (level, area, breakdown/group, numerator, denominator)."""
    rows = []
    for level, area, group, numerator, denominator in cells:
        breakdown = (
            "All"
            if group == "All children"
            else ("Sex" if group in ("Female", "Male") else "SEN provision")
        )
        rows.append(
            {
                "indicator_id": indicator,
                "time_period": 202324,
                "geographic_level": level,
                "area_code": area,
                "area_name": area,
                "breakdown": breakdown,
                "group": group,
                "numerator": numerator,
                "denominator": denominator,
                "value": 100 * numerator / denominator if denominator else np.nan,
            }
        )
    return pd.DataFrame(rows)


LA = "E99000999"
PARENTS = {"N1": LA, "N2": LA, "N3": LA}


def test_one_small_group_takes_the_largest_group_with_it():
    frame = _rows(
        "gld",
        [
            ("Local authority", LA, "All children", 300, 500),
            ("Local authority", LA, "No SEN", 280, 400),
            ("Local authority", LA, "SEN support", 15, 70),
            ("Local authority", LA, "EHC plan", 5, 30),  # numerator under 10
            ("Neighbourhood", "N1", "All children", 100, 170),
            ("Neighbourhood", "N2", "All children", 100, 160),
            ("Neighbourhood", "N3", "All children", 100, 170),
        ],
    )
    protected = protect(frame, PARENTS, SHAPES).set_index("group")
    suppressed = protected.loc[protected["numerator_suppressed"]].index.tolist()
    # EHC plan alone could be recovered as 300 - 280 - 15. Hidden beside it, "No SEN" stays
    # known to within 30 of 400 children (255 to 285), where hiding "SEN support" would
    # lose that group's figure; the total stays published.
    assert sorted(suppressed) == ["EHC plan", "No SEN"]
    assert not protected.loc["All children", "numerator_suppressed"].any()


def test_an_area_with_no_one_in_it_is_published_as_zero_and_costs_its_neighbours_nothing():
    """A lookup can list a neighbourhood before any child lives there. Nobody in it means no
    one to disclose: it is published as 0 of 0, and the other neighbourhoods keep their
    figures (were it protected, one of them would be hidden as its partner, every year)."""
    frame = _rows(
        "gld",
        [
            ("Local authority", LA, "All children", 200, 330),
            ("Local authority", LA, "Female", 100, 165),
            ("Local authority", LA, "Male", 100, 165),
            ("Neighbourhood", "N1", "All children", 100, 170),
            ("Neighbourhood", "N2", "All children", 100, 160),
            ("Neighbourhood", "N3", "All children", 0, 0),
        ],
    )
    protected = protect(frame, PARENTS, SHAPES)
    headline = protected[protected["breakdown"] == "All"].set_index("area_code")
    assert not headline[["numerator_suppressed", "denominator_suppressed"]].any().any()
    published = publishable(protected, SHAPES, DisclosureConfig(), PARENTS).set_index(
        ["area_code", "group"]
    )
    assert published.loc[("N3", "All children"), ["numerator", "denominator"]].tolist() == [
        "0",
        "0",
    ]
    assert published.loc[("N1", "All children"), "numerator"] == "100"


def test_complement_below_threshold_is_suppressed():
    frame = _rows(
        "gld",
        [
            ("Local authority", LA, "All children", 100, 200),
            ("Local authority", LA, "Female", 95, 100),  # only 5 not at GLD
            ("Local authority", LA, "Male", 5, 100),
        ],
    )
    protected = protect(frame, PARENTS, SHAPES)
    assert protected.loc[1, "numerator_suppressed"] and protected.loc[2, "numerator_suppressed"]
    assert "complement" in protected.loc[1, "suppression"]


def test_two_suppressed_zeros_are_not_enough():
    """Two suppressed cells that sum to 0 would give both away: a third joins them."""
    frame = _rows(
        "gld",
        [
            ("Local authority", LA, "All children", 100, 300),
            ("Local authority", LA, "No SEN", 100, 250),
            ("Local authority", LA, "SEN support", 0, 30),
            ("Local authority", LA, "EHC plan", 0, 20),
        ],
    )
    protected = protect(frame, PARENTS, SHAPES)
    assert protected.loc[1:3, "numerator_suppressed"].all()


def test_small_denominator_hides_counts_in_every_indicator_sharing_it():
    gld = _rows(
        "gld",
        [
            ("Local authority", LA, "All children", 100, 200),
            ("Local authority", LA, "No SEN", 95, 180),
            ("Local authority", LA, "SEN support", 4, 12),
            ("Local authority", LA, "EHC plan", 1, 8),
        ],
    )
    avg = gld.assign(indicator_id="avg", numerator=gld["denominator"] * 12, value=12.0)
    protected = protect(pd.concat([gld, avg], ignore_index=True), PARENTS, SHAPES)
    ehc = protected[protected["group"] == "EHC plan"]
    assert ehc["denominator_suppressed"].all() and ehc["numerator_suppressed"].all()
    support = protected[protected["group"] == "SEN support"]
    assert support["denominator_suppressed"].all()  # else 200 - 180 - 12 = 8 gives EHC away


def test_published_table_uses_symbols_and_never_blanks():
    frame = _rows(
        "gld",
        [
            ("Local authority", LA, "All children", 100, 200),
            ("Local authority", LA, "Female", 3, 100),
            ("Local authority", LA, "Male", 97, 100),
        ],
    )
    published = publishable(protect(frame, PARENTS, SHAPES), SHAPES)
    assert published["value"].tolist() == ["50.0", "c", "c"]
    assert published["denominator"].tolist() == ["200", "100", "100"]
    assert not (published == "").any().any()


def test_rounding_to_five_rounds_counts_and_states_the_value_from_them():
    """101 of 203 (49.75%) is published as 100 of 205, and as 48.8%: the value of the
    rounded counts, so it cannot be used to find the exact ones."""
    from indicators.disclosure import with_rounded_counts

    frame = _rows("gld", [("Local authority", LA, "All children", 101, 203)])
    frame["standard_deviation"] = np.nan
    config = DisclosureConfig(threshold=10, round_to=5)
    register = pd.DataFrame(
        {"indicator_id": ["gld"], "value_type": ["proportion"], "polarity": ["RAG - High is good"]}
    )
    england = pd.DataFrame(columns=["indicator_id", "time_period", "breakdown", "group", "value"])
    protected = with_rounded_counts(
        protect(frame, PARENTS, SHAPES, config), 5, PARENTS, register, england
    )
    published = publishable(protected, SHAPES, config)
    assert published.loc[0, ["numerator", "denominator", "value"]].tolist() == [
        "100",
        "205",
        "48.8",
    ]


def test_an_undeclared_breakdown_is_refused_with_what_to_declare():
    frame = _rows(
        "gld",
        [
            ("Local authority", LA, "All children", 100, 200),
            ("Local authority", LA, "Female", 50, 100),
            ("Local authority", LA, "Male", 50, 100),
        ],
    )
    frame["breakdown"] = frame["breakdown"].replace("Sex", "Gender")
    with pytest.raises(RelationsError, match="Gender.*partition"):
        protect(frame, PARENTS, SHAPES)


def test_a_declaration_the_data_contradicts_stops_disclosure_control():
    """Declared: groups add up to the total. Here they do not, so nothing is published."""
    frame = _rows(
        "gld",
        [
            ("Local authority", LA, "All children", 100, 200),
            ("Local authority", LA, "Female", 50, 100),
            ("Local authority", LA, "Male", 40, 90),
        ],
    )
    with pytest.raises(RelationsError, match="not true of the data"):
        protect(frame, PARENTS, SHAPES)


def test_a_trend_is_hidden_when_any_of_its_five_years_had_a_suppressed_count():
    """Whatever the row order: the trend of a year uses that year and the four before it."""
    from indicators.disclosure import suppressed_trend_windows

    rng = np.random.default_rng(11)
    rows = []
    for area in ("E1", "N1", "N2"):
        for group in ("All children", "Girls"):
            for year in range(201516, 202526, 101):
                rows.append(
                    {
                        "indicator_id": "gld",
                        "geographic_level": "Neighbourhood",
                        "area_code": area,
                        "breakdown": "Sex",
                        "group": group,
                        "time_period": year,
                        "numerator_suppressed": bool(rng.random() < 0.15),
                    }
                )
    frame = pd.DataFrame(rows).sample(frac=1, random_state=5).reset_index(drop=True)
    hidden = suppressed_trend_windows(frame)
    for index, row in frame.iterrows():
        same = frame[
            (frame["area_code"] == row["area_code"])
            & (frame["group"] == row["group"])
            & (frame["time_period"] <= row["time_period"])
            & (frame["time_period"] > row["time_period"] - 5 * 101)
        ]
        assert hidden[index] == same["numerator_suppressed"].any()
    assert hidden.any() and not hidden.all()


def _trend_rows(years, suppressed_year, trend_of):
    rows = []
    for year in years:
        period = year * 100 + (year + 1) % 100
        hide = year == suppressed_year
        rows.append(
            {
                "indicator_id": "gld",
                "time_period": period,
                "geographic_level": "Local authority",
                "area_code": LA,
                "area_name": LA,
                "breakdown": "All",
                "group": "All children",
                "numerator": 5 if hide else 60,
                "denominator": 100,
                "value": 5.0 if hide else 60.0,
                "numerator_suppressed": hide,
                "denominator_suppressed": False,
                "recent_trend": trend_of(year),
            }
        )
    return pd.DataFrame(rows)


def test_could_not_be_calculated_is_never_hidden_as_c_for_want_of_years():
    # Three years, the first with a hidden count: the later two could not be calculated for
    # want of 5 years, which says nothing about the hidden count (it was shown as c before).
    frame = _trend_rows([2021, 2022, 2023], 2021, lambda year: "could not be calculated")
    published = publishable(frame, SHAPES)
    assert published["recent_trend"].tolist() == [
        "c",
        "could not be calculated",
        "could not be calculated",
    ]


def test_a_calculated_trend_over_a_hidden_count_stays_hidden():
    years = range(2019, 2025)  # six consecutive years, 2019/20 hidden
    frame = _trend_rows(
        years,
        2019,
        lambda year: "no significant change" if year >= 2023 else "could not be calculated",
    )
    published = publishable(frame, SHAPES).set_index("time_period")["recent_trend"]
    assert published[202324] == "c"  # 2019/20..2023/24 holds the hidden count
    assert published[202425] == "no significant change"  # 2020/21..2024/25 does not
    assert published[202223] == "could not be calculated"  # only 4 years by then


def test_a_declared_series_break_makes_no_trend_structural():
    from dataclasses import replace

    shapes = {**SHAPES, "gld": replace(SHAPES["gld"], comparable_from=202122)}
    years = range(2018, 2025)  # 2018/19 hidden; comparable only from 2021/22
    frame = _trend_rows(years, 2018, lambda year: "could not be calculated")
    published = publishable(frame, shapes).set_index("time_period")["recent_trend"]
    # every window from 2021/22 to 2024/25 has fewer than 5 comparable years: no count used
    assert published[202223] == "could not be calculated"
    assert (published.drop(201819) == "could not be calculated").all()


def test_an_indicator_is_completed_over_its_own_areas_never_another_services_teams():
    """Teams of two services share a level and an authority. An Early Help indicator's
    table gains a zero row for an Early Help team it had rows for in another year (a team
    with no visits this year), never rows for the leaving care teams, which are not its
    areas: a board would read "Leaving Care North: 0 of 0 visits" as a fact about that team.
    Neighbourhoods divide the whole authority (geographies.yml, every_area): there a
    neighbourhood with no visits ever is still a visits area, 0 of 0."""
    shape = {"areas": "add_up", "absent_cells": "zero", "breakdowns": {"All": BREAKDOWNS["All"]}}
    shapes = {
        name: IndicatorShape("proportion", relations=parse_relations(name, {**shape, "rules": []}))
        for name in ("visits", "leavers")
    }
    parents = {"EH1": LA, "EH2": LA, "LC1": LA, "N1": LA, "N2": LA}

    def rows(indicator, year, cells):
        frame = _rows(indicator, cells)
        frame["time_period"] = year
        return frame

    frame = pd.concat(
        [
            rows(
                "visits",
                202223,
                [
                    ("Local authority", LA, "All children", 40, 80),
                    ("Team", "EH1", "All children", 20, 40),
                    ("Team", "EH2", "All children", 20, 40),
                    ("Neighbourhood", "N1", "All children", 40, 80),
                ],
            ),
            rows(
                "visits",
                202324,
                [
                    ("Local authority", LA, "All children", 30, 60),
                    ("Team", "EH1", "All children", 30, 60),
                    ("Neighbourhood", "N1", "All children", 30, 60),
                ],
            ),
            rows(
                "leavers",
                202324,
                [
                    ("Local authority", LA, "All children", 50, 90),
                    ("Team", "LC1", "All children", 50, 90),
                    ("Neighbourhood", "N1", "All children", 20, 40),
                    ("Neighbourhood", "N2", "All children", 30, 50),
                ],
            ),
        ],
        ignore_index=True,
    )
    protected = protect(frame, parents, shapes)
    areas = {
        (row.indicator_id, row.time_period, row.area_code): (row.numerator, row.denominator)
        for row in protected.itertuples()
        if row.geographic_level == "Team"
    }
    assert set(areas) == {
        ("visits", 202223, "EH1"),
        ("visits", 202223, "EH2"),
        ("visits", 202324, "EH1"),
        ("visits", 202324, "EH2"),
        ("leavers", 202324, "LC1"),
    }
    assert areas[("visits", 202324, "EH2")] == (0, 0)
    visited = {
        row.area_code: (row.numerator, row.denominator)
        for row in protected.itertuples()
        if row.geographic_level == "Neighbourhood"
        and (row.indicator_id, row.time_period) == ("visits", 202324)
    }
    assert visited == {"N1": (30, 60), "N2": (0, 0)}


KNOWN_N2 = pd.DataFrame(
    [
        {
            "indicator_id": "gld",
            "time_period": 202324,
            "area_code": "N2",
            "breakdown": "All",
            "group": "All children",
            "count": "numerator",
        }
    ]
)


def test_a_count_public_inputs_fix_at_zero_is_published_and_hides_nothing_beside_it():
    """N2 has no LSOA in the most deprived quintile (the postcode lookup and IDACI say so):
    its 0 is public. Hidden as small, it took N1's count with it (else the authority's total
    less N1 and N3 gives it back); declared known, it is published as 0 and nothing is
    hidden, since every other count is 10 or more."""
    frame = _rows(
        "gld",
        [
            ("Local authority", LA, "All children", 505, 2013),
            ("Neighbourhood", "N1", "All children", 300, 779),
            ("Neighbourhood", "N2", "All children", 0, 613),
            ("Neighbourhood", "N3", "All children", 205, 621),
        ],
    )
    unknown = protect(frame, PARENTS, SHAPES).set_index("area_code")
    assert unknown.loc["N2", "numerator_suppressed"]
    assert unknown.loc["N1", "numerator_suppressed"] or unknown.loc["N3", "numerator_suppressed"]
    known = protect(frame, PARENTS, SHAPES, known=KNOWN_N2).set_index("area_code")
    assert not known[["numerator_suppressed", "denominator_suppressed"]].to_numpy().any()
    published = publishable(protect(frame, PARENTS, SHAPES, known=KNOWN_N2), SHAPES)
    n2 = published[published["area_code"] == "N2"].iloc[0]
    assert (n2["numerator"], n2["value"]) in {(0, 0.0), ("0", "0.0")}


@pytest.mark.parametrize("n2_children", [613, 5])
def test_a_known_zero_is_never_what_protects_a_small_count(n2_children):
    """N1's 5 of 12 and N3's 10 of 11 are small (N3's complement is 1). N2 has no child in
    the most deprived quintile, which is public. Were N2's 0 hidden and counted on to absorb
    some of the 15 the authority's total leaves for N1, N2 and N3, an outsider who knows it is
    0 would put N1 within 4..12. Told the same, the attacker must find every hidden count
    within at least 10 values; N2's 0 is published unless its own denominator is small (5),
    and then its hidden numerator is still known, so protects nothing."""
    frame = _rows(
        "gld",
        [
            ("Local authority", LA, "All children", 315, 1403 + n2_children - 613 + 12 + 11),
            ("Neighbourhood", "N1", "All children", 5, 12),
            ("Neighbourhood", "N2", "All children", 0, n2_children),
            ("Neighbourhood", "N3", "All children", 10, 11),
            ("Neighbourhood", "N4", "All children", 300, 790),
        ],
    )
    parents = {**PARENTS, "N4": LA}
    protected = protect(frame, parents, SHAPES, known=KNOWN_N2)
    published = publishable(protected, SHAPES)
    by_area = published.set_index("area_code")
    assert str(by_area.loc["N1", "numerator"]) == "c"
    assert str(by_area.loc["N2", "numerator"]) == ("0" if n2_children >= 10 else "c")
    meta = {"gld": {"value_type": "proportion", "decimals": 1, "relations": GLD_RELATIONS}}
    known = {("gld", "202324", "N2", "All", "All children", "numerator")}
    findings = Attacker(published, parents, 10, None, meta, known_zeros=known).run()
    assert findings and not leaks(findings, 10), summary(findings)


@pytest.mark.parametrize(
    ("cells", "known"),
    [
        # found by a random search over small tables (seeds 28 and 129): with the audit not
        # reading the known zeros, an outsider who knew them recovered a hidden count exactly
        ([("N0", 182, 608), ("N1", 0, 8), ("N2", 0, 7)], ["N1", "N2"]),
        (
            [("N0", 0, 7), ("N1", 0, 4), ("N2", 0, 5), ("N3", 123, 191), ("N4", 137, 518)],
            ["N0", "N1", "N2"],
        ),
        # an authority whose every neighbourhood is a known zero is a known zero too
        ([("N0", 0, 300), ("N1", 0, 8), ("N2", 0, 450)], ["N0", "N1", "N2"]),
        # ... or has no one in it (0 of 0, published): found by review, this stopped the run
        ([("N0", 0, 0), ("N1", 0, 20), ("N2", 0, 45)], ["N1", "N2"]),
    ],
)
def test_known_zeros_hidden_with_their_small_denominators_protect_nothing(cells, known):
    """Zeros whose denominators are small are hidden with them, but an outsider still knows
    they are 0: disclosure control must audit as that outsider, so the attacker, told the
    same zeros, narrows no hidden count below 10 values (and nothing stops the run)."""
    rows = [("Neighbourhood", area, "All children", n, d) for area, n, d in cells]
    total = (
        "Local authority",
        LA,
        "All children",
        sum(c[1] for c in cells),
        sum(c[2] for c in cells),
    )
    frame = _rows("gld", [total, *rows])
    parents = {area: LA for area, _, _ in cells}
    declared = pd.DataFrame(
        [
            {
                "indicator_id": "gld",
                "time_period": 202324,
                "area_code": area,
                "breakdown": "All",
                "group": "All children",
                "count": "numerator",
            }
            for area in known
        ]
    )
    published = publishable(protect(frame, parents, SHAPES, known=declared), SHAPES)
    meta = {"gld": {"value_type": "proportion", "decimals": 1, "relations": GLD_RELATIONS}}
    told = {("gld", "202324", area, "All", "All children", "numerator") for area in known}
    findings = Attacker(published, parents, 10, None, meta, known_zeros=told).run()
    assert not leaks(findings, 10), summary(findings)


def test_a_known_zero_the_data_do_not_bear_out_stops_the_run():
    """Declared 0 but 5: hidden as small, its c would tell anyone who works the declaration
    out that it is not 0. A wrong declaration stops the run, as a false relation does."""
    frame = _rows(
        "gld",
        [
            ("Local authority", LA, "All children", 305, 1400),
            ("Neighbourhood", "N1", "All children", 5, 613),
            ("Neighbourhood", "N2", "All children", 300, 787),
        ],
    )
    wrong = KNOWN_N2.assign(area_code="N1")
    with pytest.raises(RelationsError, match="declared known to be 0"):
        protect(frame, {"N1": LA, "N2": LA}, SHAPES, known=wrong)
