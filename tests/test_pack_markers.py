"""Chart markers (`markers:` in a framework, issue 16): dated events read from a warehouse
table as data, drawn as a labelled vertical line on the monthly trend charts of the areas
they concern and of the areas containing them.

The publication is typed out by hand: an authority, two districts, teams in each (the teams
only in the warehouse's area table, as a district pack shows its districts' figures), a
monthly share over 15 months. The events table is made in a throwaway DuckDB warehouse. What
a pack must say is written out below from these tables, not from the code under test.
"""

from __future__ import annotations

import re

import duckdb
import pandas as pd
import pytest
import yaml

from indicators.publish.framework_markers import read_markers
from indicators.publish.frameworks import FrameworkError, parse_framework
from indicators.publish.packs import Publication, RunInfo, build_pack, render_html
from indicators.publish.period_keys import keyed

LA = ("E99000999", "Harrowdale (synthetic)")
NORTH = ("E07999901", "Harrowdale North (synthetic)")
SOUTH = ("E07999902", "Harrowdale South (synthetic)")
TEAMS = [
    ("EH-N1", "North 1 team", NORTH[0]),
    ("EH-N2", "North 2 team", NORTH[0]),
    ("EH-N3", "North 3 team", NORTH[0]),
    ("EH-S1", "South 1 team", SOUTH[0]),
]
TRIALS = [  # team, starts, description: as the trial seed is written
    ("EH-N1", "2023-10", "Voice Note trial"),
    ("EH-N2", "2023-10", "Voice Note trial"),
    ("EH-N3", "2024-04", "Voice Note rolled out"),
    ("EH-S1", "2024-04", "Voice Note rolled out"),
]
MONTHS = [  # July 2023 to September 2024: 15 months
    *((2023, m) for m in ("July", "August", "September", "October", "November", "December")),
    *((2024, m) for m in ("January", "February", "March", "April", "May", "June", "July")),
    *((2024, m) for m in ("August", "September")),
]

FRAMEWORK = """
id: test_early_help
title: Early Help (test)
audience:
  name: Early Help partnership
  levels: {authority: Local authority, areas: Local authority district}
indicators: [t_before_hub_monthly]
headline:
  indicator: t_before_hub_monthly
  words:
    none: "None for {area}."
    figure: "In {period}, {value}% in {area} ({numerator} of {denominator})."
    caution: A caution.
    title: "Before the hub, {period}"
    value_column: Before the hub (%)
    count_column: Referrals
    count_sheet: [Before the hub, "Referrals: all"]
    england_note: No England figure.
sections: [Hearing families before the hub]
trend_charts:
  sections: [Hearing families before the hub]
markers:
  - {from: staging.trials, date: starts, label: description, areas: team_code}
"""


def _register() -> pd.DataFrame:
    return pd.DataFrame(
        [
            dict(
                indicator_id="t_before_hub_monthly",
                model="ind_t",
                title="Family Voice Note before the hub meeting, by month",
                domain="Hearing families before the hub",
                period_type="month",
                definition="",
                polarity="RAG - High is good",
                source_type="statutory",
                unit="%",
                value_type="proportion",
                numerator_unit="referrals",
                denominator_unit="referrals",
            )
        ]
    )


def _published() -> pd.DataFrame:
    rows = []
    for level, area, base in (
        ("Local authority", LA, 40),
        ("Local authority district", NORTH, 50),
        ("Local authority district", SOUTH, 30),
    ):
        for position, (year, month) in enumerate(MONTHS):
            n = base + position % 3  # 3 of every 100 up and down: no special cause
            rows.append(
                dict(
                    indicator_id="t_before_hub_monthly",
                    time_period=str(year),
                    time_identifier=month,
                    geographic_level=level,
                    area_code=area[0],
                    area_name=area[1],
                    breakdown="All",
                    group="All referrals",
                    numerator=str(n),
                    denominator="100",
                    value=f"{n}.0",
                    lower_ci_95=f"{n - 9}.0",
                    upper_ci_95=f"{n + 9}.0",
                    compared_with_la="x",
                    compared_with_england="x",
                    recent_trend="x",
                    reliability="normal",
                )
            )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    path = tmp_path_factory.mktemp("markers") / "warehouse.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema marts; create schema staging")
        connection.execute("create table marts.dim_areas (area_code text, area_name text)")
        connection.executemany(
            "insert into marts.dim_areas values (?, ?)",
            [LA, NORTH, SOUTH, *((code, name) for code, name, _ in TEAMS)],
        )
        connection.execute(
            "create table staging.trials (team_code text, starts text, description text)"
        )
        connection.executemany("insert into staging.trials values (?, ?, ?)", TRIALS)
    return path


def _parents() -> pd.DataFrame:
    pairs = [(NORTH[0], LA[0]), (SOUTH[0], LA[0]), *((c, d) for c, _, d in TEAMS)]
    return pd.DataFrame(pairs, columns=["area_code", "parent_area_code"])


@pytest.fixture(scope="module")
def publication(warehouse) -> Publication:
    framework = parse_framework(yaml.safe_load(FRAMEWORK), "test_early_help.yml")
    markers = read_markers(warehouse, framework.markers, _parents())
    values = keyed(_published())
    run = RunInfo.for_values("test-run", values, pd.Timestamp("2026-12-01").date())
    return Publication(values, _register(), None, run, framework=framework, markers=markers)


def _chart(html: str) -> str:
    start = html.index("Family Voice Note before the hub meeting, by month: July 2023 to")
    return html[html.rindex("<svg", 0, start) : html.index("</svg>", start)]


def _lines(svg: str) -> list[float]:
    """x of each dashed vertical marker line."""
    return [float(x) for x in re.findall(r'<path d="M([\d.]+) [\d.]+ V[\d.]+"[^>]*dasharray', svg)]


def _points(svg: str) -> list[float]:
    """x of each of the area's points (filled circles), oldest first (the first circle is the
    legend's)."""
    return [float(x) for x in re.findall(r'<circle cx="([\d.]+)"', svg)][1:]


def test_a_district_chart_marks_each_of_its_teams_starts_and_no_other_district_s(publication):
    svg = _chart(render_html(build_pack(publication, NORTH[0])))
    assert ">Voice Note trial: North 1 team and North 2 team</text>" in svg
    assert ">Voice Note rolled out: North 3 team</text>" in svg
    assert "South 1" not in svg
    points, lines = _points(svg), _lines(svg)
    assert len(points) == 15 and len(lines) == 2
    # October 2023 is the 4th month, April 2024 the 10th: each line before its month's point
    assert points[2] < lines[0] < points[3]
    assert points[8] < lines[1] < points[9]
    # the text alternative says so too
    assert "Marked: Voice Note trial: North 1 team and North 2 team (October 2023)" in svg


def test_the_authority_chart_marks_every_team_and_says_which(publication):
    svg = _chart(render_html(build_pack(publication, LA[0])))
    assert ">Voice Note trial: North 1 team and North 2 team</text>" in svg
    # words too long for the room right of the line wrap onto a second line
    assert ">Voice Note rolled out: North 3 team</text>" in svg
    assert ">and South 1 team</text>" in svg
    assert len(_lines(svg)) == 2
    assert (
        "Marked: Voice Note trial: North 1 team and North 2 team (October 2023); Voice Note "
        "rolled out: North 3 team and South 1 team (April 2024)."
    ) in svg


def test_markers_are_checked_when_the_framework_is_read():
    document = yaml.safe_load(FRAMEWORK)
    document["markers"] = [{"from": "staging.trials; drop table x", "date": "starts",
                            "label": "description", "areas": "team_code"}]  # fmt: skip
    with pytest.raises(FrameworkError, match=r"markers\[0\]\.from"):
        parse_framework(document, "test_early_help.yml")
    document["markers"] = [{"from": "staging.trials", "date": "starts", "label": "description"}]
    with pytest.raises(FrameworkError, match=r"markers\[0\].*areas missing"):
        parse_framework(document, "test_early_help.yml")
    document["markers"] = [{"from": "staging.trials", "when": "starts"}]
    with pytest.raises(FrameworkError, match=r"markers\[0\]\.when: unknown key"):
        parse_framework(document, "test_early_help.yml")


def test_an_unreadable_marker_table_or_date_is_one_line_naming_it(warehouse, tmp_path):
    framework = parse_framework(yaml.safe_load(FRAMEWORK.replace("staging.trials", "staging.nope")))
    with pytest.raises(ValueError, match=r"^markers: staging\.nope: cannot be read"):
        read_markers(warehouse, framework.markers, _parents())
    bad = tmp_path / "bad.duckdb"
    with duckdb.connect(str(bad)) as connection:
        connection.execute("create schema marts; create schema staging")
        connection.execute("create table marts.dim_areas (area_code text, area_name text)")
        connection.execute(
            "create table staging.trials (team_code text, starts text, description text)"
        )
        connection.execute("insert into staging.trials values ('EH-N1', 'soon', 'trial')")
    framework = parse_framework(yaml.safe_load(FRAMEWORK))
    with pytest.raises(ValueError, match=r"staging\.trials: row 1: date 'soon' is not a month"):
        read_markers(bad, framework.markers, _parents())


def test_the_xmr_reads_only_the_months_since_the_latest_marked_change(warehouse):
    """Making Data Count recalculates the limits at a known change. With the trial (October
    2023) as the only change, North's XmR reads October 2023 to September 2024: 12 months,
    mean worked here from the typed-out values (50 + position % 3, positions 3 to 14). With
    the roll-out (April 2024) as the latest change, 6 months are too few for any reading."""
    framework = parse_framework(yaml.safe_load(FRAMEWORK), "test_early_help.yml")
    markers = read_markers(warehouse, framework.markers, _parents())
    values = keyed(_published())
    run = RunInfo.for_values("test-run", values, pd.Timestamp("2026-12-01").date())

    def north(kept: pd.DataFrame) -> str:
        publication = Publication(values, _register(), None, run, framework=framework, markers=kept)
        return render_html(build_pack(publication, NORTH[0]))

    trial_only = north(markers[markers["label"] == "Voice Note trial"])
    mean = sum(50 + position % 3 for position in range(3, 15)) / 12
    assert f"XmR mean {mean:.1f}, process limits" in _chart(trial_only)
    assert "Trend over 12 months (Making Data Count XmR reading)" in " ".join(
        re.sub(r"<[^>]+>", " ", trial_only).split()
    )
    both = north(markers)
    assert "XmR mean" not in _chart(both)
    assert "Making Data Count XmR reading" not in both
