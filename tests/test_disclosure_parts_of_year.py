"""An indicator counted by quarter beside the same indicator over the whole year (issue 15:
C08b by quarter): the four quarters add up to the year, which an outsider can use to work
out a hidden quarter. The `parts_of_year` rule declares it, so that disclosure control
solves the quarters with the year's table and hides a second cell; worked by hand below:
the year is 40 of 100, the quarters 12 of 30, 3 of 20, 13 of 25 and 12 of 25, so a lone
hidden Q2 would be 40 - 12 - 13 - 12 = 3 exactly."""

import pandas as pd
import pytest

from indicators.disclosure import DisclosureConfig, protect, publishable
from indicators.disclosure.relations import RelationsError, parse_relations
from indicators.publish.register import shapes
from tests.attacker import Attacker, leaks

LA = "E99000999"
THRESHOLD = 10
BASE = {
    "areas": "add_up",
    "absent_cells": "zero",
    "breakdowns": {"All": {"kind": "total", "groups": ["All children"]}},
}
PARTS = {"kind": "parts_of_year", "why": "The quarters' children are the year's.", "whole": "year"}
YEAR = (40, 100)
QUARTERS = {"Q1": (12, 30), "Q2": (3, 20), "Q3": (13, 25), "Q4": (12, 25)}


def _meta(rules: list) -> dict[str, dict]:
    common = {"value_type": "proportion", "source_type": "statutory"}
    return {
        "year": {
            "indicator_id": "year",
            "model": "ind_year",
            "period_type": "financial_year",
            "relations": {**BASE, "rules": []},
            **common,
        },
        "quarter": {
            "indicator_id": "quarter",
            "model": "ind_quarter",
            "period_type": "financial_quarter",
            "relations": {**BASE, "rules": rules},
            **common,
        },
    }


def _table() -> pd.DataFrame:
    rows = [("year", "Financial year", *YEAR)] + [
        ("quarter", f"Financial year {q}", n, d) for q, (n, d) in QUARTERS.items()
    ]
    return pd.DataFrame(
        [
            {
                "indicator_id": indicator,
                "time_period": 202425,
                "time_identifier": identifier,
                "geographic_level": "Local authority",
                "area_code": LA,
                "area_name": "Harrowdale",
                "breakdown": "All",
                "group": "All children",
                "numerator": n,
                "denominator": d,
                "value": 100 * n / d,
                "standard_deviation": None,
            }
            for indicator, identifier, n, d in rows
        ]
    )


def _publish(meta: dict[str, dict]) -> pd.DataFrame:
    config = DisclosureConfig(threshold=THRESHOLD)
    indicator_shapes = shapes(pd.DataFrame(list(meta.values())), config.voice_min_respondents)
    protected = protect(_table(), {}, indicator_shapes, config)
    return publishable(protected, indicator_shapes, config, {})


def test_the_rule_names_the_whole_year_indicator():
    relations = parse_relations("quarter", {**BASE, "rules": [PARTS]})
    assert relations.whole == "year" and relations.referenced_indicators() == {"year"}
    with pytest.raises(RelationsError):
        parse_relations("quarter", {**BASE, "rules": [{"kind": "parts_of_year"}]})


def test_a_small_quarter_is_not_given_away_by_the_year_and_the_other_quarters():
    truth = _meta([PARTS])  # what is true, and what the outsider knows
    published = _publish(truth)
    hidden = published[published["numerator"] == "c"]
    assert "Financial year Q2" in set(hidden["time_identifier"])
    assert len(hidden) >= 2  # another cell hides beside Q2
    findings = Attacker(published, {}, THRESHOLD, None, truth).run()
    assert any(f.count == "numerator" for f in findings), "the hidden quarter is attacked"
    assert not leaks(findings, THRESHOLD)


def test_without_the_declaration_the_lone_hidden_quarter_is_worked_out():
    # the same data published as if the quarters were unrelated to the year: Q2 alone is
    # hidden, and the outsider, who knows quarters add up to the year, finds it is 3
    published = _publish(_meta([]))
    assert list(published.loc[published["numerator"] == "c", "time_identifier"]) == [
        "Financial year Q2"
    ]
    findings = Attacker(published, {}, THRESHOLD, None, _meta([PARTS])).run()
    exact = [f for f in leaks(findings, THRESHOLD) if f.count == "numerator"]
    assert exact and exact[0].low == exact[0].high == 3, findings


# Months whose whole is the quarter (issue 16: Early Help by month, quarter and year): an
# outsider knows April + May + June = Q1, so a lone hidden June is Q1 less April and May.
# Months are calendar months (EES: January to March 2025 are time period 2025), each in the
# financial quarter and year holding it, by date.
# Worked by hand: Q1 is 30 of 63, April 10 of 20, May 17 of 28, so June is 3 of 15.
MONTHS = {
    "April": (10, 20),
    "May": (17, 28),
    "June": (3, 15),
    **{m: (11, 22) for m in ("July", "August", "September", "October", "November")},
    **{m: (12, 24) for m in ("December", "January", "February", "March")},
}
MONTH_QUARTERS = {"Q1": (30, 63), "Q2": (33, 66), "Q3": (34, 68), "Q4": (36, 72)}


def _monthly_meta(month_whole: str) -> dict[str, dict]:
    common = {"value_type": "proportion", "source_type": "statutory"}
    by_month = {"kind": "parts_of_year", "why": "The months' children.", "whole": month_whole}
    return {
        "year": {
            "indicator_id": "year",
            "model": "ind_year",
            "period_type": "financial_year",
            "relations": {**BASE, "rules": []},
            **common,
        },
        "quarter": {
            "indicator_id": "quarter",
            "model": "ind_quarter",
            "period_type": "financial_quarter",
            "relations": {**BASE, "rules": [PARTS]},
            **common,
        },
        "month": {
            "indicator_id": "month",
            "model": "ind_month",
            "period_type": "month",
            "relations": {**BASE, "rules": [by_month]},
            **common,
        },
    }


def _monthly_table() -> pd.DataFrame:
    year = tuple(sum(c) for c in zip(*MONTH_QUARTERS.values(), strict=True))
    assert year == tuple(sum(c) for c in zip(*MONTHS.values(), strict=True))
    rows = (
        [("year", "Financial year", *year)]
        + [("quarter", f"Financial year {q}", n, d) for q, (n, d) in MONTH_QUARTERS.items()]
        + [("month", m, n, d) for m, (n, d) in MONTHS.items()]
    )
    calendar = {"January": 2025, "February": 2025, "March": 2025}
    return pd.DataFrame(
        [
            {
                "indicator_id": i,
                "time_period": calendar.get(t, 2024) if i == "month" else 202425,
                "time_identifier": t,
                "geographic_level": "Local authority",
                "area_code": LA,
                "area_name": "Harrowdale",
                "breakdown": "All",
                "group": "All children",
                "numerator": n,
                "denominator": d,
                "value": 100 * n / d,
                "standard_deviation": None,
            }
            for i, t, n, d in rows
        ]
    )


def _publish_monthly(meta: dict[str, dict]) -> pd.DataFrame:
    config = DisclosureConfig(threshold=THRESHOLD)
    indicator_shapes = shapes(pd.DataFrame(list(meta.values())), config.voice_min_respondents)
    protected = protect(_monthly_table(), {}, indicator_shapes, config)
    return publishable(protected, indicator_shapes, config, {})


def test_a_small_month_is_not_given_away_by_its_quarter_and_the_other_months():
    truth = _monthly_meta("quarter")  # months add up to their quarter, quarters to the year
    published = _publish_monthly(truth)
    hidden = published[published["numerator"] == "c"]
    assert "June" in set(hidden["time_identifier"])
    findings = Attacker(published, {}, THRESHOLD, None, truth).run()
    assert any(f.count == "numerator" for f in findings)
    assert not leaks(findings, THRESHOLD)


def test_without_the_month_rule_the_lone_hidden_month_is_worked_out():
    # the months published as if unrelated to their quarter: June alone is hidden, and the
    # outsider, who knows April + May + June = Q1, finds June is 30 - 10 - 17 = 3
    meta = _monthly_meta("quarter")
    meta["month"]["relations"] = {**BASE, "rules": []}
    published = _publish_monthly(meta)
    assert list(published.loc[published["numerator"] == "c", "time_identifier"]) == ["June"]
    findings = Attacker(published, {}, THRESHOLD, None, _monthly_meta("quarter")).run()
    exact = [f for f in leaks(findings, THRESHOLD) if f.count == "numerator"]
    assert exact and exact[0].low == exact[0].high == 3, findings
