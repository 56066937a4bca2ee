"""Packs over months: the sample borough of tests/test_packs.py published by month, with
June 2023 missing. The months are keyed, named and ordered as the period type declares
(dbt_project/metadata/periods.yml), the trend chart's x-axis has a slot for every month
from the first to the last with the missing one as an empty slot, and the XmR limits take no
moving range across it. Expected words and numbers are written out or worked here from the sample's
published values."""

from __future__ import annotations

import re

import numpy as np

from indicators.publish.packs import Publication, build_pack, render_html
from indicators.publish.period_keys import key_text, keyed, latest, periods_word, span
from tests.svg_axis import axis_labels
from tests.test_packs import sample_publication

MONTHS = (
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
)
# January 2023 to March 2024, June 2023 not published
KEYS = (
    *(f"2023-M{month:02d}" for month in range(1, 13) if month != 6),
    "2024-M01",
    "2024-M02",
    "2024-M03",
)
SHOWN = [f"{MONTHS[m - 1]} 2023" for m in range(1, 13)] + [
    "January 2024",
    "February 2024",
    "March 2024",
]


def test_period_keys_name_and_order_months_and_quarters():
    import pandas as pd

    table = pd.DataFrame(
        {
            "time_period": ["2024", "2024", "202324", "202425"],
            "time_identifier": ["May", "M04", "Academic year", "Financial year Q1"],
        }
    )
    assert keyed(table)["time_period"].tolist() == ["2024-M05", "2024-M04", "202324", "202425-FYQ1"]
    assert "time_identifier" not in keyed(table)
    assert [key_text(k) for k in ("2024-M04", "202425-FYQ1", "202324")] == [
        "April 2024",
        "Financial year Q1 2024/25",
        "2023/24",
    ]
    assert latest(pd.Series(["2024-M12", "2025-M01", "2024-M11"])) == "2025-M01"
    # whole years named by their type too; the academic year by its year alone
    whole = pd.DataFrame(
        {
            "time_period": ["202425", "2024", "202425"],
            "time_identifier": ["Financial year", "Calendar year", "Academic year"],
        }
    )
    assert keyed(whole)["time_period"].tolist() == ["202425-FY", "2024-CY", "202425"]
    assert [key_text(k) for k in keyed(whole)["time_period"]] == [
        "Financial year 2024/25",
        "Calendar year 2024",
        "2024/25",
    ]
    assert span(["202223-FY", "202425-FY"]) == ["202223-FY", "202324-FY", "202425-FY"]
    assert [periods_word(k) for k in ("2024-M04", "202425-FYQ2", "202425-FY", "202425")] == [
        "months",
        "quarters of the financial year",
        "financial years",
        "years",
    ]
    assert span(["2024-M11", "2025-M02", "2024-M12"]) == [
        "2024-M11",
        "2024-M12",
        "2025-M01",
        "2025-M02",
    ]


def _pack_html() -> tuple[str, object]:
    sample = sample_publication(seed=9, periods=KEYS, voice=False)
    register = sample.register.copy()
    register["period_type"] = "month"
    publication = Publication(sample.values, register, None, sample.run, england=sample.england)
    return render_html(build_pack(publication, "HD04")), sample


def test_a_monthly_trend_chart_shows_every_month_in_order_and_the_missing_one_as_a_gap():
    html, sample = _pack_html()
    title = "Children at a good level of development: January 2023 to March 2024"
    start = html.index("<title id=", html.index(title) - 200)
    svg = html[html.rindex("<svg", 0, start) : html.index("</svg>", start)]
    axis = [label for label in axis_labels(svg) if re.fullmatch(r"[A-Z][a-z]+ \d{4}", label)]
    # 15 slots, June 2023 its own (empty): too narrow for every month's name, even on two
    # lines, so every other month is named, January 2023 first, in order
    assert axis == SHOWN[::2]
    assert "(not shown)" not in svg  # a month with no row is not a hidden figure
    # the area's line and the borough's each break at June: two pieces each
    assert svg.count("<polyline") == 4
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", svg, re.S).group(1)
    assert "May 2023 " in desc and ", June 2023 no figure published, July 2023 " in desc
    # XmR limits with no moving range across the gap: worked here from the published values
    gld = sample.values.query(
        "indicator_id == 'gld' and area_code == 'HD04' and breakdown == 'All'"
    ).set_index("time_period")
    values = np.array([float(gld.loc[key, "value"]) for key in KEYS])
    ranges = [abs(values[i + 1] - values[i]) for i in range(len(KEYS) - 1) if i != 4]
    assert len(ranges) == 12  # 14 months published: 13 pairs, one (May, July) across the gap
    mean, spread = values.mean(), 2.66 * np.mean(ranges)
    assert (
        f"XmR mean {mean:.1f}, process limits {mean - spread:.1f} to {mean + spread:.1f}." in desc
    )


def test_a_monthly_pack_names_its_latest_month_and_counts_months_not_years():
    html, _ = _pack_html()
    words = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "Data period January 2023 to March 2024" in words
    assert "In March 2024, " in words and "reached a good level of development" in words
    assert "Trend over 14 months (Making Data Count XmR reading)" in words
    assert "2023/" not in words and "2024/" not in words
    assert (
        "A change from one month to the next is often within normal variation. A recent trend "
        "needs 5 consecutive comparable months of figures (the Fingertips method: no month "
        "missing, and none before a series break"
    ) in words


def test_a_pack_of_financial_years_names_them_as_the_type_declares():
    """A whole year of a type named by more than its year: 'Financial year 2024/25', counted
    in financial years; 2022/23 missing is a gap in the chart."""
    keys = ("202021-FY", "202122-FY", "202324-FY", "202425-FY")
    sample = sample_publication(seed=5, periods=keys, voice=False)
    register = sample.register.copy()
    register["period_type"] = "financial_year"
    publication = Publication(sample.values, register, None, sample.run, england=sample.england)
    html = render_html(build_pack(publication, "HD04"))
    words = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "Data period Financial year 2020/21 to Financial year 2024/25" in words
    assert (
        "Recent trend for Millbrook (Fingertips method, last 5 consecutive financial years): "
        "could not be calculated, because the Fingertips method needs 5 consecutive "
        "comparable financial years of figures, and fewer are published."
    ) in words
    assert "A change from one financial year to the next" in words
    title = "Children at a good level of development: Financial year 2020/21 to Financial"
    start = html.index("<title id=", html.index(title) - 200)
    svg = html[html.rindex("<svg", 0, start) : html.index("</svg>", start)]
    axis = [label for label in axis_labels(svg) if label.startswith("Financial year")]
    # each year named, on two lines ('Financial year' over '2020/21') so the names fit
    assert axis == [f"Financial year {y}/{(y + 1) % 100:02d}" for y in range(2020, 2025)]
