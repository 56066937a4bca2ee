"""A neighbourhood board pack that carries indicators of three period types at once (issue 15):
school readiness by academic year, the two-year review by financial year and by quarter of
the financial year, and the journey from two to five (by academic year: the reception year)
drawn as a group chart (`group_charts:`), one bar per two-year communication result.

The publication is small and typed out by hand: an authority and two neighbourhoods, with
one neighbourhood's "Below the expected level" group hidden (c). Every expected word and
number below is written out from that table, not computed by the code under test.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pandas as pd
import pytest
import yaml

from indicators.publish.frameworks import FrameworkError, framework_problems, parse_framework
from indicators.publish.packs import Publication, RunInfo, build_pack, render_html, render_pdf
from indicators.publish.period_keys import keyed
from tests.svg_axis import axis_labels
from tests.test_packs import parse_html

LA = ("E99000999", "Harrowdale (synthetic)")
NORTH = ("N01", "Northgate")
SOUTH = ("N02", "Southmoor")
RESULT = "Two-year communication result"
ABOVE, BELOW = "At or above the expected level", "Below the expected level"

FRAMEWORK = """
id: test_early_years
title: Early years (test)
subject: children's early years
audience:
  name: Neighbourhood board
  levels: {authority: Local authority, areas: Neighbourhood}
  pack_titles:
    authority: "{area}: board pack (test)"
    areas: "{area}: neighbourhood board pack (test)"
indicators: [t_gld, t_c08b, t_c08b_q, t_journey_gld]
headline:
  indicator: t_gld
  heading: "Ready for school: the headline"
  words:
    none: "No GLD for {area}."
    figure: "GIRAFFE-FIGURE in {period}, {value}% in {area} ({numerator} of {denominator})."
    caution: GIRAFFE-CAUTION.
    title: "GLD, {period}"
    value_column: GLD (%)
    count_column: Children
    count_sheet: [At a good level, "Children: all"]
    england_note: No England figure here.
sections: [School readiness, The two-year review, From two to five]
trend_charts:
  sections: [School readiness, The two-year review]
group_charts:
  - section: From two to five
    heading: From the two-year review to the end of reception
    indicator: t_journey_gld
    breakdown: Two-year communication result
    alt: "MEERKAT-ALT: in {area}, {period}, good level of development at five by the
      two-year communication result."
    intro: MEERKAT-INTRO linked children only.
statements:
  frame: t_words
  heading: What parents said
  source: [kind, area_name]
  explains:
    - only: {kind: concern at the two-year review}
      indicators: [t_c08b]
      hidden_with: [t_c08b]
"""


def _framework(text: str = FRAMEWORK):
    return parse_framework(yaml.safe_load(text), "test_early_years.yml")


def _register() -> pd.DataFrame:
    common = dict(
        definition="",
        rationale="",
        ci_method="Wilson score interval",
        disclosure_rule="Counts below 10 are shown as c.",
        frequency="Annual",
        outcome="",
        co_designed_by="",
        co_designed_on="",
        polarity="RAG - High is good",
        numerator_source="Test return",
        denominator_source="Test return",
        numerator_definition="",
        denominator_definition="",
        caveats="",
        source_type="statutory",
        unit="%",
        value_type="proportion",
        numerator_unit="children",
        denominator_unit="children",
    )
    rows = [
        ("t_gld", "Good level of development", "School readiness", "academic_year"),
        ("t_c08b", "At or above the expected level (ASQ-3)", "The two-year review",
         "financial_year"),
        ("t_c08b_q", "At or above the expected level, by quarter", "The two-year review",
         "financial_quarter"),
        ("t_journey_gld", "GLD by two-year result", "From two to five", "academic_year"),
    ]  # fmt: skip
    return pd.DataFrame(
        [
            dict(common, indicator_id=i, model=f"ind_{i}", title=t, domain=d, period_type=p)
            for i, t, d, p in rows
        ]
    )


def _row(indicator, period, identifier, level, area, breakdown, group, figures) -> dict:
    n, d, value, low, high = figures
    return dict(
        indicator_id=indicator,
        time_period=period,
        time_identifier=identifier,
        geographic_level=level,
        area_code=area[0],
        area_name=area[1],
        breakdown=breakdown,
        group=group,
        numerator=n,
        denominator=d,
        value=value,
        lower_ci_95=low,
        upper_ci_95=high,
        compared_with_la="x",
        compared_with_england="x",
        recent_trend="x",
        reliability="normal",
    )


HIDDEN = ("c", "c", "c", "c", "c")
AREAS = (("Local authority", LA), ("Neighbourhood", NORTH), ("Neighbourhood", SOUTH))


def _published() -> pd.DataFrame:
    rows = []
    gld = {"202223": ("60", "100", "60.0", "50.2", "69.1"), "202324": ("62", "100", "62.0",
           "52.2", "70.9"), "202425": ("66", "100", "66.0", "56.3", "74.5")}  # fmt: skip
    c08b = {"202324": ("70", "100", "70.0", "60.4", "78.1"), "202425": ("81", "100", "81.0",
            "72.2", "87.5")}  # fmt: skip
    quarters = {
        ("202324", "Financial year Q4"): ("18", "25", "72.0", "52.4", "85.7"),
        ("202425", "Financial year Q1"): ("20", "25", "80.0", "60.9", "91.1"),
        ("202425", "Financial year Q2"): ("21", "25", "84.0", "65.3", "93.6"),
        ("202425", "Financial year Q3"): ("19", "25", "76.0", "56.6", "88.5"),
    }
    for level, area in AREAS:
        for period, figures in gld.items():
            rows.append(_row("t_gld", period, "Academic year", level, area, "All", "All children",
                             figures))  # fmt: skip
        for period, figures in c08b.items():
            rows.append(_row("t_c08b", period, "Financial year", level, area, "All",
                             "All children", figures))  # fmt: skip
        for (period, quarter), figures in quarters.items():
            rows.append(_row("t_c08b_q", period, quarter, level, area, "All", "All children",
                             figures))  # fmt: skip
    journey = {
        LA: [("50", "80", "62.5", "51.5", "72.3"), ("12", "30", "40.0", "24.6", "57.7")],
        NORTH: [("25", "40", "62.5", "47.0", "75.8"), HIDDEN],
        SOUTH: [("25", "40", "62.5", "47.0", "75.8"), ("10", "20", "50.0", "29.9", "70.1")],
    }
    for level, area in AREAS:
        above, below = journey[area]
        rows.append(_row("t_journey_gld", "202425", "Academic year", level, area, RESULT, ABOVE,
                         above))  # fmt: skip
        rows.append(_row("t_journey_gld", "202425", "Academic year", level, area, RESULT, BELOW,
                         below))  # fmt: skip
        # an earlier reception year: the chart shows the latest only
        rows.append(_row("t_journey_gld", "202324", "Academic year", level, area, RESULT, ABOVE,
                         ("30", "40", "75.0", "59.8", "85.8")))  # fmt: skip
    return pd.DataFrame(rows)


WORDS = pd.DataFrame(
    [
        ("He only says a few words and I worry.", "concern at the two-year review", NORTH),
        ("She chats all day at nursery.", "view at screening", NORTH),
        ("He points instead of talking.", "concern at the two-year review", SOUTH),
    ],
    columns=["quote", "kind", "area"],
).assign(
    area_code=lambda f: [a[0] for a in f["area"]],
    area_name=lambda f: [a[1] for a in f["area"]],
    geographic_level="Neighbourhood",
    time_period="202425",
)


@pytest.fixture(scope="module")
def publication() -> Publication:
    values = keyed(_published())
    run = RunInfo.for_values("test-run", values, pd.Timestamp("2026-12-01").date())
    words = WORDS.drop(columns="area")
    return Publication(values, _register(), None, run, framework=_framework(), statements=words)


@pytest.fixture(scope="module")
def north_html(publication) -> str:
    return render_html(build_pack(publication, NORTH[0]))


def _words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html[html.index("<body") :]).split())


def _svg_titled(html: str, title: str) -> str:
    start = html.index(f">{title}</title>")
    return html[html.rindex("<svg", 0, start) : html.index("</svg>", start)]


# ------------------------------------------------------------------------- mixed periods


def test_each_indicator_shows_and_names_its_own_latest_period(north_html):
    words = _words(north_html)
    # school readiness: the 2024/25 academic year, named by its year as the type declares
    assert "GIRAFFE-FIGURE in 2024/25, 66.0% in Northgate (66 of 100)." in words
    # the two-year review: its own latest financial year and its own latest quarter
    assert "In Financial year 2024/25, Northgate: 81.0%." in words
    assert "In Financial year Q3 2024/25, Northgate: 76.0%." in words
    # the data period names each period type's span, not one span across them (in the
    # order of their first periods)
    assert (
        "Data period 2022/23 to 2024/25 (academic years); Financial year 2023/24 to Financial "
        "year 2024/25; Financial year Q4 2023/24 to Financial year Q3 2024/25"
    ) in words


def test_each_trend_runs_over_its_own_indicator_s_periods(north_html):
    gld = _svg_titled(north_html, "Good level of development: 2022/23 to 2024/25")
    axis = axis_labels(gld)
    assert [a for a in axis if "/" in a] == ["2022/23", "2023/24", "2024/25"]
    title = (
        "At or above the expected level, by quarter: Financial year Q4 2023/24 to Financial "
        "year Q3 2024/25"
    )
    quarterly = _svg_titled(north_html, title)
    axis = axis_labels(quarterly)
    assert [a for a in axis if "Financial" in a] == [
        "Financial year Q4 2023/24",
        "Financial year Q1 2024/25",
        "Financial year Q2 2024/25",
        "Financial year Q3 2024/25",
    ]
    words = _words(north_html)
    assert "At or above the expected level, by quarter: Northgate, period by period" in words


# --------------------------------------------------------------------------- group chart

JOURNEY = "From the two-year review to the end of reception"


def test_the_group_chart_draws_each_group_with_its_interval_and_the_declared_alt(publication):
    html = render_html(build_pack(publication, SOUTH[0]))
    svg = _svg_titled(html, f"{JOURNEY}: Southmoor, 2024/25")
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", svg, re.S).group(1)
    assert desc == (
        "MEERKAT-ALT: in Southmoor, 2024/25, good level of development at five by the "
        "two-year communication result. At or above the expected level 62.5%; Below the "
        "expected level 50.0%."
    )
    assert svg.count("<rect") == 2  # one bar per group, each with its whisker
    assert svg.count('stroke-width="2" fill="none"') == 2
    assert "MEERKAT-INTRO linked children only." in _words(html)
    rows = [
        [next(tr.iter("th")).text(), *(td.text() for td in tr.iter("td"))]
        for tr in parse_html(html).iter("tr")
        if tr.attrs.get("data-group-chart") == "yes"
    ]
    assert rows == [
        [ABOVE, "62.5%", "47.0% to 75.8%", "25 of 40"],
        [BELOW, "50.0%", "29.9% to 70.1%", "10 of 20"],
    ]


def test_a_hidden_group_is_drawn_as_suppressed_never_as_a_number(north_html):
    svg = _svg_titled(north_html, f"{JOURNEY}: Northgate, 2024/25")
    assert svg.count("<rect") == 1  # the hidden group has no bar
    assert "Below the expected level suppressed (c)" in svg  # in the text alternative
    assert ">suppressed (c)</text>" in svg  # and where its bar would be
    rows = [
        [td.text() for td in tr.iter("td")]
        for tr in parse_html(north_html).iter("tr")
        if tr.attrs.get("data-group-chart") == "yes"
    ]
    assert rows[1] == ["c", "c", "c of c"]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")
def test_the_pdf_prints_the_group_chart_with_its_suppressed_group(tmp_path, north_html):
    pdf = render_pdf(north_html, tmp_path / "pack.pdf")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    assert f"{JOURNEY}: Northgate, 2024/25" in flat
    assert "suppressed (c)" in flat
    assert "62.5%" in flat and "47.0% to 75.8%" in flat
    assert "He only says a few words and I worry." in flat  # printed after the table


# ------------------------------------------------------------------------ parents' words


def test_parents_words_sit_beside_the_two_year_review_of_their_own_area_and_year(north_html):
    """Words about this year's two-year-olds sit beside the two-year review's 2024/25 row,
    not beside the journey's groups (other children: the reception cohort) or the quarters."""
    root = parse_html(north_html)
    beside = [tr for tr in root.iter("tr") if any(True for _ in tr.iter("button"))]
    assert [(tr.attrs.get("data-indicator"), tr.attrs.get("data-period")) for tr in beside] == [
        ("t_c08b", "202425-FY")
    ]
    (button,) = list(beside[0].iter("button"))
    assert button.text() == "What parents said (1)"
    target = next(
        n for n in root.iter("div") if n.attrs.get("id") == button.attrs["aria-describedby"]
    )
    said = target.text()
    assert "“He only says a few words and I worry.”" in said
    assert "concern at the two-year review, Northgate" in said
    # another area's words, and words no declared indicator is explained by, are not here
    assert "He points instead of talking." not in north_html
    assert "She chats all day" not in north_html


# ------------------------------------------------------------------------ the key's check


def _problems(text: str) -> list[str]:
    register = {
        row["indicator_id"]: {
            **row,
            "relations": {
                "breakdowns": {
                    "All": {},
                    **({RESULT: {}} if row["indicator_id"] == "t_journey_gld" else {}),
                }
            },
        }
        for row in _register().to_dict("records")
    }
    register["t_c08b"]["value_type"] = "mean"  # to test a chart of a mean
    register["t_c08b"]["unit"] = "score"
    register["t_c08b"]["relations"]["breakdowns"][RESULT] = {}
    return framework_problems([_framework(text)], register)


def test_the_test_framework_is_consistent():
    assert _problems(FRAMEWORK) == []


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        (
            "    indicator: t_journey_gld\n",
            "    indicator: t_journey_cl\n",
            "group_charts[0].indicator: 't_journey_cl' is not one of the framework's indicators",
        ),
        (
            "    breakdown: Two-year communication result\n",
            "    breakdown: WellComm section\n",
            "group_charts[0].indicator: 't_journey_gld' declares no breakdown 'WellComm section'",
        ),
        (
            "    indicator: t_journey_gld\n",
            "    indicator: t_c08b\n",
            "group_charts[0].indicator: 't_c08b' is a mean (score), not a proportion in %: the "
            "chart draws 0% to 100%",
        ),
        (
            "  - section: From two to five\n",
            "  - section: From two to six\n",
            "group_charts[0].section: 'From two to six' is no register domain, voice item "
            "domain or declared section",
        ),
        (
            "    breakdown: Two-year communication result\n",
            "    breakdown: All\n",
            "group_charts[0].breakdown: names no breakdown's groups: 'All'",
        ),
        (
            '    alt: "MEERKAT-ALT: in {area}, {period},',
            '    alt: "MEERKAT-ALT: in {place}, {period},',
            "group_charts.alt: unknown placeholder {place} (it takes {area}, {period})",
        ),
    ],
)
def test_a_wrong_group_chart_is_named_in_one_line(old, new, said):
    assert old in FRAMEWORK
    assert _problems(FRAMEWORK.replace(old, new, 1)) == [f"test_early_years.yml: {said}"]


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        (
            '    alt: "MEERKAT-ALT',
            '    alts: "MEERKAT-ALT',
            "group_charts[0].alts: unknown key (the keys known under group_charts[0]: "
            "section, heading, indicator, breakdown, alt, intro; did you mean `alt`?)",
        ),
        (
            "    intro: MEERKAT-INTRO linked children only.\n",
            "    intro: MEERKAT-INTRO linked children only.\n  - {section: From two to five}\n",
            "group_charts[1].heading is missing (each chart needs section, heading, indicator, "
            "breakdown and alt)",
        ),
    ],
)
def test_a_malformed_group_chart_is_refused_in_one_line(old, new, said):
    assert old in FRAMEWORK
    with pytest.raises(FrameworkError) as error:
        _framework(FRAMEWORK.replace(old, new, 1))
    assert str(error.value) == f"test_early_years.yml: {said}"
