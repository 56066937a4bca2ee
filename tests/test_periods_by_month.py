"""Statistics, trends, XmR charts and disclosure control for an indicator counted by month:
every period is its time_period and time_identifier ("April" 2024), consecutive months are
ordered by the calendar (not by name), and a missing month is a gap.

Each expectation is worked out by hand in the comments."""

import numpy as np
import pandas as pd
import pytest

from indicators import stats as st
from indicators.declarations import period_type
from indicators.disclosure import (
    DisclosureConfig,
    IndicatorShape,
    parse_relations,
    protect,
    suppression_summary,
)
from indicators.stats.indicator_values import add_statistics

LA = "E99000999"
MONTHS = ["January", "February", "March", "April", "May", "June", "July"]

REGISTER = pd.DataFrame(
    [
        {
            "indicator_id": "voice_note_share",
            "value_type": "proportion",
            "polarity": "RAG - High is good",
            "denominator_unit": "families",
            "decimals": 1,
            "comparable_from": None,
            "period_type": "month",
        }
    ]
)
ENGLAND = pd.DataFrame(columns=["indicator_id", "time_period", "breakdown", "group", "value"])


def _monthly(rows: list[tuple[str, int, int]], area: str = LA) -> pd.DataFrame:
    """rows: (month of 2024, numerator, denominator) at the authority."""
    return pd.DataFrame(
        [
            {
                "indicator_id": "voice_note_share",
                "time_period": 2024,
                "time_identifier": month,
                "geographic_level": "Local authority",
                "area_code": area,
                "area_name": "Borough",
                "breakdown": "All",
                "group": "All families",
                "numerator": numerator,
                "denominator": denominator,
                "value": 100 * numerator / denominator,
                "standard_deviation": np.nan,
            }
            for month, numerator, denominator in rows
        ]
    )


def _trend_of(table: pd.DataFrame, month: str) -> str:
    return table.loc[table["time_identifier"] == month, "recent_trend"].item()


def test_a_trend_over_five_consecutive_months_is_read_in_calendar_order():
    # 10, 20, 30, 40, 50 of 100 from January to May: a steady rise the chi-squared test
    # for trend calls significant, and every leave-one-out slope rises too. The rows come
    # in alphabetical order of month (April first): read by name, May would end a window
    # of April, February, January, March, May, whose shares (40, 20, 10, 30, 50) are no
    # steady rise, so the order matters.
    rows = sorted(
        [("January", 10, 100), ("February", 20, 100), ("March", 30, 100), ("April", 40, 100)]
        + [("May", 50, 100)]
    )
    table = add_statistics(_monthly(rows), {}, REGISTER, ENGLAND)
    assert list(table["time_identifier"]) == ["January", "February", "March", "April", "May"]
    assert _trend_of(table, "May") == "increasing and getting better"
    # Fewer than five months up to April: no trend yet.
    assert _trend_of(table, "April") == "could not be calculated"


def test_a_missing_month_is_a_gap_not_a_step():
    # April is missing: the five months up to June are January, February, March, May and
    # June, which are not five consecutive months, so June's trend cannot be calculated
    # (it would be "increasing" if the gap were read as a step).
    rows = [
        ("January", 10, 100),
        ("February", 20, 100),
        ("March", 30, 100),
        ("May", 50, 100),
        ("June", 60, 100),
    ]
    table = add_statistics(_monthly(rows), {}, REGISTER, ENGLAND)
    assert _trend_of(table, "June") == "could not be calculated"
    # With July too, the five months up to July still span the gap.
    table = add_statistics(_monthly([*rows, ("July", 70, 100)]), {}, REGISTER, ENGLAND)
    assert _trend_of(table, "July") == "could not be calculated"


def test_a_monthly_row_without_its_month_is_refused_naming_the_indicator():
    frame = _monthly([("January", 10, 100)]).drop(columns="time_identifier")
    with pytest.raises(ValueError, match="voice_note_share: counted by month, but its model"):
        add_statistics(frame, {}, REGISTER, ENGLAND)


def test_a_neighbourhood_month_is_compared_with_its_authority_in_the_same_month():
    # January: the authority is at 50%; February at 10%. A neighbourhood's February row is
    # compared with February's 10%, never January's 50%.
    authority = _monthly([("January", 50, 100), ("February", 10, 100)])
    neighbourhood = _monthly([("February", 40, 50)], area="N1").assign(
        geographic_level="Neighbourhood", area_name="N1"
    )
    table = add_statistics(pd.concat([authority, neighbourhood]), {"N1": LA}, REGISTER, ENGLAND)
    row = table[table["area_code"] == "N1"].iloc[0]
    assert row["la_value"] == pytest.approx(10.0)
    assert row["compared_with_la"] == "better"


def test_an_academic_year_indicator_gets_its_time_identifier_from_its_period_type():
    register = REGISTER.assign(period_type=None)  # no period type: academic year
    frame = _monthly([("January", 10, 100)]).drop(columns="time_identifier")
    frame["time_period"] = 202324
    table = add_statistics(frame, {}, register, ENGLAND)
    assert table["time_identifier"].tolist() == ["Academic year"]


MONTHS_OF_2024 = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def test_month_ordinals_run_on_from_december_to_january():
    month = period_type("month")
    ordinals = month.ordinals([2024, 2024, 2025], ["November", "December", "January"])
    assert list(np.diff(ordinals)) == [1, 1]


def test_xmr_over_twelve_months_with_a_point_beyond_the_upper_limit():
    # 5 and 7 in turn for eleven months, then 20 in December.
    # mean = (6 x 5 + 5 x 7 + 20) / 12 = 85 / 12 = 7.0833
    # moving ranges: ten of 2, then |20 - 5| = 15: average 35 / 11 = 3.1818
    # upper limit = 85/12 + 2.66 x 35/11 = 15.547; lower = 7.0833 - 8.4636 = -1.380
    values = [5, 7, 5, 7, 5, 7, 5, 7, 5, 7, 5, 20]
    periods = period_type("month").ordinals([2024] * 12, MONTHS_OF_2024)
    chart = st.xmr(values, periods=periods)
    assert chart.mean == pytest.approx(85 / 12)
    assert chart.average_moving_range == pytest.approx(35 / 11)
    assert chart.upper_process_limit == pytest.approx(15.5470, abs=1e-4)
    assert chart.lower_process_limit == pytest.approx(-1.3803, abs=1e-4)
    assert chart.beyond_limits.tolist() == [False] * 11 + [True]
    assert chart.enough_points and chart.gaps == 0


def test_xmr_does_not_run_a_shift_or_a_moving_range_across_a_missing_month():
    # Seven months at 1, then seven at 9: mean 5. Consecutive (January 2024 to February
    # 2025), the last seven are a shift above the mean (rule 3), and the one moving range
    # that is not 0 (1 -> 9) averages over 13 ranges: 8 / 13.
    values = [1] * 7 + [9] * 7
    years = [2024] * 12 + [2025] * 2
    months = MONTHS_OF_2024 + ["January", "February"]
    consecutive = st.xmr(values, periods=period_type("month").ordinals(years, months))
    assert consecutive.shift.tolist() == [True] * 14
    assert consecutive.average_moving_range == pytest.approx(8 / 13)
    # November 2024 missing (the 9s run August-October, then December-March): runs of
    # 3 and 4 above the mean, neither 7 long; 12 moving ranges, one of them 8: 8 / 12.
    years = [2024] * 11 + [2025] * 3
    months = MONTHS_OF_2024[:10] + ["December", "January", "February", "March"]
    gapped = st.xmr(values, periods=period_type("month").ordinals(years, months))
    assert gapped.shift.tolist() == [True] * 7 + [False] * 7
    assert gapped.average_moving_range == pytest.approx(8 / 12)
    assert gapped.gaps == 1


def test_xmr_refuses_periods_out_of_order():
    with pytest.raises(ValueError, match="in order, each period once"):
        st.xmr([1, 2, 3], periods=[3, 2, 1])


ADD_UP = {
    "areas": "add_up",
    "absent_cells": "zero",
    "breakdowns": {"All": {"kind": "total", "groups": ["All families"]}},
    "rules": [],
}
SHAPES = {
    "monthly": IndicatorShape(
        "proportion", relations=parse_relations("monthly", ADD_UP), period_type="month"
    )
}
PARENTS = {"N1": LA, "N2": LA, "N3": LA}


def _cells(month: str, cells: list[tuple[str, str, int, int]]) -> list[dict]:
    return [
        {
            "indicator_id": "monthly",
            "time_period": 2024,
            "time_identifier": month,
            "geographic_level": level,
            "area_code": area,
            "area_name": area,
            "breakdown": "All",
            "group": "All families",
            "numerator": numerator,
            "denominator": denominator,
            "value": 100 * numerator / denominator,
        }
        for level, area, numerator, denominator in cells
    ]


def test_disclosure_protects_each_month_of_a_two_month_table_on_its_own():
    # April: N1 has 5 of 50 (under 10): hidden, and one other neighbourhood with it, or N1
    # would be the authority's 75 less N2's and N3's.
    # May: no one in N3 (a 0 row is added for May only: N3 is in April's table, but a
    # month's table is completed from its own month); N2 has 6 of 40: hidden, and the only
    # other neighbourhood with anyone in it, N1, with it (36 - 30 = 6 otherwise). May's
    # authority total (36 of 100) is never added to April's neighbourhoods.
    april = [
        ("Local authority", LA, 75, 180),
        ("Neighbourhood", "N1", 5, 50),
        ("Neighbourhood", "N2", 30, 60),
        ("Neighbourhood", "N3", 40, 70),
    ]
    may = [
        ("Local authority", LA, 36, 100),
        ("Neighbourhood", "N1", 30, 60),
        ("Neighbourhood", "N2", 6, 40),
    ]
    frame = pd.DataFrame(_cells("April", april) + _cells("May", may))
    protected = protect(frame, PARENTS, SHAPES, DisclosureConfig(threshold=10))
    hidden = protected[protected["numerator_suppressed"]]
    by_month = {
        month: sorted(rows["area_code"]) for month, rows in hidden.groupby("time_identifier")
    }
    assert by_month["May"] == ["N1", "N2"]
    assert len(by_month["April"]) == 2 and "N1" in by_month["April"]
    assert LA not in by_month["April"] + by_month["May"]
    added = protected.iloc[len(frame) :]
    assert added[["time_identifier", "area_code", "numerator"]].values.tolist() == [
        ["May", "N3", 0]
    ]
    summary = suppression_summary(protected, with_time_identifier=True)
    assert summary[["time_identifier", "cells", "suppressed"]].values.tolist() == [
        ["April", 4, 2],
        ["May", 4, 2],
    ]


def _published(month: str, numerator: str, denominator: str, value: str) -> dict:
    return {
        "indicator_id": "voice_note_share",
        "time_period": "2024",
        "time_identifier": month,
        "geographic_level": "Local authority",
        "area_code": LA,
        "area_name": "Borough",
        "breakdown": "All",
        "group": "All families",
        "numerator": numerator,
        "denominator": denominator,
        "value": value,
    }


OPEN_REGISTER = pd.DataFrame(
    [
        {
            "indicator_id": "voice_note_share",
            "title": "Referrals with a Voice Note",
            "value_type": "proportion",
            "unit": "%",
            "period_type": "month",
        }
    ]
)


def test_open_data_writes_each_month_in_calendar_order_with_its_time_identifier(tmp_path):
    from indicators.publish.open_data import write_open_data

    # Given May before April, and a month whose count is suppressed.
    published = pd.DataFrame(
        [
            _published("May", "c", "40", "c"),
            _published("April", "20", "50", "40.0"),
        ]
    )
    write_open_data(tmp_path, published, OPEN_REGISTER)
    data = pd.read_csv(tmp_path / "open-data" / "voice_note_share.csv", dtype=str)
    assert data[["time_period", "time_identifier", "numerator_count"]].values.tolist() == [
        ["2024", "April", "20"],
        ["2024", "May", "c"],
    ]
    guidance = (tmp_path / "open-data" / "data_guidance.txt").read_text()
    assert "Time: time_period 2024 with time_identifier January is January 2024 (month)." in (
        guidance
    )
    assert "Periods: April 2024 to May 2024; 2 rows" in guidance
    assert "  time_period: the year the month is in, e.g. 2024 for January 2024" in guidance
    assert "  time_identifier: the month (January to December)" in guidance


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"time_period": "202425"},
            r"voice_note_share \(month\): time_period '202425' is not four",
        ),
        ({"time_identifier": "Spring"}, r"time_identifier 'Spring' is not one of January, "),
        ({"time_identifier": ""}, r"time_period '2024' has no time_identifier"),
    ],
)
def test_open_data_refuses_a_period_not_written_as_its_type_writes_it(tmp_path, change, message):
    from indicators.publish.open_data import write_open_data

    published = pd.DataFrame([{**_published("April", "20", "50", "40.0"), **change}])
    with pytest.raises(ValueError, match=message):
        write_open_data(tmp_path, published, OPEN_REGISTER)
    assert not (tmp_path / "open-data").exists()


def test_the_published_table_names_the_month_only_when_an_indicator_is_monthly():
    from indicators.disclosure import publishable

    frame = pd.DataFrame(
        _cells("April", [("Local authority", LA, 40, 100)])
        + _cells("May", [("Local authority", LA, 30, 100)])
    )
    protected = protect(frame, {}, SHAPES, DisclosureConfig(threshold=10))
    table = publishable(protected, SHAPES)
    assert list(table.columns[:3]) == ["indicator_id", "time_period", "time_identifier"]
    assert table[["time_identifier", "numerator"]].values.tolist() == [
        ["April", "40"],
        ["May", "30"],
    ]
    yearly = {"monthly": IndicatorShape("proportion", relations=SHAPES["monthly"].relations)}
    assert "time_identifier" not in publishable(protected, yearly).columns


def test_the_suppression_summary_lists_months_in_calendar_order():
    # August comes before February by name, after it in the calendar.
    frame = pd.DataFrame(
        _cells("August", [("Local authority", LA, 40, 100)])
        + _cells("February", [("Local authority", LA, 30, 100)])
    )
    protected = protect(frame, {}, SHAPES, DisclosureConfig(threshold=10))
    summary = suppression_summary(protected, with_time_identifier=True)
    assert summary["time_identifier"].tolist() == ["February", "August"]
