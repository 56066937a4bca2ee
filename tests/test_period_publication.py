"""An indicator counted by month, end to end: a monthly source scaffolded and landed for two
months (one with a small count), an indicator model over its staging by month at
Neighbourhood and Local authority, `chorus run`, and only the PUBLISHED files read back
(indicators/indicator_values.csv, open-data/). Every expected value is worked out here by
hand from the rows landed."""

import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import yaml

from tests import RUN_CHILDREN
from tests.attacker import declarations
from tests.project_copy import chorus, fill_scaffolded_yaml, project_copy, upn_of

ROOT = Path(__file__).resolve().parents[1]
HEADER = "record_id,upn,surname,record_date,postcode,outcome,score\n"
LA = "E99000999"

# (month folder, day of month, postcode sector, outcomes): Harrowdale Central is sectors
# XH1 1..XH2 3, Northgate XH3 1..XH4 2 (seeds/neighbourhood_lookup.csv).
#   April 2024: Central 20 records, 12 Y (8 not Y: a small complement, so c), Northgate 30,
#               15 Y (hidden too: the authority's 27 less it would give Central's 12).
#               Authority: 50 records, 27 Y = 54.0%.
#   May 2024:   Central 25, 15 Y; Northgate 30, 18 Y; authority 55, 33 Y = 60.0%. No small
#               count: all published.
LANDED = {
    "2024-04": [("XH1 1", 12, 8), ("XH3 1", 15, 15)],
    "2024-05": [("XH1 2", 15, 10), ("XH3 2", 18, 12)],
}


def _land(landing: Path) -> None:
    serial = 0
    for folder, groups in LANDED.items():
        lines = [HEADER]
        for sector, yes, no in groups:
            for outcome in ["Y"] * yes + ["N"] * no:
                serial += 1
                day = 1 + serial % 28
                lines.append(
                    f"V{serial:04d},{upn_of(20_000 + serial)},Example,{folder}-{day:02d},"
                    f"{sector}AB,{outcome},50\n"
                )
        path = landing / "home_visits" / folder / "visits.csv"
        path.parent.mkdir(parents=True)
        path.write_text("".join(lines), encoding="utf-8")


MODEL = """-- Share of home visits with a positive outcome, by month.
{% set placed %}
(
    select
        visits.time_period,
        visits.time_identifier,
        visits.outcome,
        lookup.neighbourhood_code,
        places.neighbourhood_name,
        places.new_la_code,
        places.la_name
    from {{ ref('stg_home_visits__records') }} as visits
    inner join {{ ref('stg_reference__neighbourhoods') }} as lookup
        on visits.postcode_sector = lookup.postcode_sector
    inner join {{ ref('int_neighbourhood_authorities') }} as places
        on lookup.neighbourhood_code = places.neighbourhood_code
) as placed
{% endset %}
{{ indicator_over_rows(
    indicator_id='home_visit_positive',
    value_type='proportion',
    rows=placed,
    numerator="sum(case when outcome = 'Y' then 1 else 0 end)",
    total_group='All visits',
    time_identifier='time_identifier',
) }}
"""


def _fill(yml: Path) -> None:
    document, meta = fill_scaffolded_yaml(
        yml,
        description="Home visits with a positive outcome, by month.",
        title="Home visits with a positive outcome",
        co_designed_on="2026-11-30",
        note="the monthly test",
    )
    meta["indicator_id"] = "home_visit_positive"
    meta["domain"] = "Home visits"
    meta["period_type"] = "month"
    meta["levels"] = ["Local authority", "Neighbourhood"]
    meta["relations"] = {
        "areas": "add_up",
        "absent_cells": "zero",
        "breakdowns": {"All": {"kind": "total", "groups": ["All visits"]}},
        "rules": [],
    }
    yml.write_text(yaml.safe_dump(document, sort_keys=False))


# A framework listing the monthly indicator (README.md, Adding a framework): its packs, for
# the authority and each neighbourhood, go in boards-home_visits/.
FRAMEWORK = """
id: home_visits
title: Home visits by month (test)
subject: home visits
audience:
  name: Early Help partnership
  levels: {authority: Local authority, areas: Neighbourhood}
indicators: [home_visit_positive]
headline:
  indicator: home_visit_positive
  heading: "Home visits: the headline"
  words:
    none: "No home visit figures are published for {area}."
    figure: "In {period}, {value}% of home visits in {area} had a positive outcome
      ({numerator} of {denominator})."
    caution: "A test framework's caution."
    title: "Positive home visits, {period}"
    value_column: Positive (%)
    count_column: Visits
    count_sheet: [Positive visits, "Visits: all"]
    england_note: No England figure is published.
sections: [Home visits]
trend_charts: {indicators: [home_visit_positive]}
"""


@pytest.mark.pipeline
def test_a_monthly_indicator_is_published_month_by_month(tmp_path):
    project, env = project_copy(tmp_path, "a monthly publication key, long enough and varied")
    env["CHORUS_PACKS"] = LA
    (project / "dbt_project" / "frameworks" / "home_visits.yml").write_text(FRAMEWORK)

    # A source counted by month, its staging model carrying the month.
    made = chorus("new-source", "home_visits", env=env, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    spec = project / "sources" / "home_visits" / "base.yml"
    spec.write_text(
        spec.read_text()
        .replace("period: academic_year", "period: month")
        .replace("to: {years: 1, days: -1}", "to: {months: 1, days: -1}")
    )
    staging = project / "dbt_project" / "models" / "staging" / "stg_home_visits__records.sql"
    staging.write_text(
        staging.read_text().replace(
            "cast(time_period as integer) as time_period,",
            "cast(time_period as integer) as time_period,\n        time_identifier,",
        )
    )

    # An indicator over it by month, at Neighbourhood and Local authority.
    made = chorus("new-indicator", "home_visits__positive", env=env, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    models = project / "dbt_project" / "models" / "indicators"
    (models / "ind_home_visits__positive.sql").write_text(MODEL)
    _fill(models / "ind_home_visits__positive.yml")
    refreshed = chorus("dbt-refresh", env=env, cwd=tmp_path)
    assert refreshed.returncode == 0, refreshed.stderr + refreshed.stdout

    landing, output = tmp_path / "landing", tmp_path / "output"
    synth = chorus(
        "synth",
        "--out",
        str(landing),
        "--children-per-year",
        str(RUN_CHILDREN),
        "--years",
        "2023/24",
        env=env,
        cwd=tmp_path,
    )
    assert synth.returncode == 0, synth.stderr
    _land(landing)
    run = chorus("run", "--landing", str(landing), "--out", str(output), env=env, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-3000:] + run.stdout[-3000:]

    # The published table: each row names its month; April's small complement is c, with
    # Northgate hidden beside it; May is published in full.
    values = pd.read_csv(
        output / "indicators" / "indicator_values.csv", dtype=str, keep_default_na=False
    )
    assert list(values.columns[:3]) == ["indicator_id", "time_period", "time_identifier"]
    # Every cell is a number, a word or a symbol; a neighbourhood with no visits in a month
    # (0 of 0) is compared with nothing, and says so.
    assert not values.isin(["nan", "NaN", "None", ""]).any().any()
    empty = values[
        (values["indicator_id"] == "home_visit_positive") & (values["area_code"] == "HD03")
    ]
    assert set(empty["compared_with_la"]) == {"not compared"}
    mine = values[
        (values["indicator_id"] == "home_visit_positive")
        & values["area_code"].isin([LA, "HD01", "HD02"])
    ]
    got = sorted(
        mine[
            ["time_period", "time_identifier", "area_code", "numerator", "denominator", "value"]
        ].values.tolist()
    )
    assert got == [
        ["2024", "April", "E99000999", "27", "50", "54.0"],
        ["2024", "April", "HD01", "c", "20", "c"],
        ["2024", "April", "HD02", "c", "30", "c"],
        ["2024", "May", "E99000999", "33", "55", "60.0"],
        ["2024", "May", "HD01", "15", "25", "60.0"],
        ["2024", "May", "HD02", "18", "30", "60.0"],
    ]
    others = values[values["indicator_id"] != "home_visit_positive"]
    # whole years, a financial year's quarters or calendar months, each as its indicator
    # declares (the care leavers' return: financial years; the two-year review: also by
    # quarter; Early Help: also by month)
    quarters = {f"Financial year Q{n}" for n in range(1, 5)}
    months = {date(2024, n, 1).strftime("%B") for n in range(1, 13)}
    assert set(others["time_identifier"]) == (
        {"Academic year", "Financial year"} | quarters | months
    )
    declared = declarations(project / "dbt_project" / "models" / "indicators")
    for identifiers, period_type in (
        ({"Financial year"}, "financial_year"),
        (quarters, "financial_quarter"),
        (months, "month"),
    ):
        named = others[others["time_identifier"].isin(identifiers)]
        assert set(named["indicator_id"]) == {
            indicator
            for indicator, meta in declared.items()
            if meta.get("period_type") == period_type and indicator != "home_visit_positive"
        }

    # Open data: the authority's rows, each month in EES form.
    open_data = pd.read_csv(output / "open-data" / "home_visit_positive.csv", dtype=str)
    assert open_data[
        ["time_period", "time_identifier", "numerator_count", "denominator_count"]
    ].values.tolist() == [["2024", "April", "27", "50"], ["2024", "May", "33", "55"]]
    assert open_data["home_visit_positive_percent"].tolist() == ["54.0", "60.0"]
    guidance = (output / "open-data" / "data_guidance.txt").read_text()
    assert "Periods: April 2024 to May 2024; 2 rows" in guidance

    # The information lost, per month: what the published table hides in each month.
    loss = pd.read_csv(output / "quality" / "suppression.csv", dtype=str)
    loss = loss[loss["indicator_id"] == "home_visit_positive"]
    hidden = values[
        (values["indicator_id"] == "home_visit_positive") & (values["numerator"] == "c")
    ]
    counted = hidden.groupby("time_identifier").size().reindex(["April", "May"], fill_value=0)
    assert loss[["time_period", "time_identifier", "suppressed"]].values.tolist() == [
        ["2024", "April", str(counted["April"])],
        ["2024", "May", "0"],
    ]
    assert counted["April"] >= 2

    # The register of frameworks: the monthly indicator's period type and its months.
    listed = pd.read_csv(output / "register" / "frameworks.csv", dtype=str)
    listed = listed[listed["framework_id"] == "home_visits"]
    assert listed[["indicator_id", "period_type", "time_identifier"]].values.tolist() == [
        ["home_visit_positive", "month", "January to December"]
    ]

    # The framework's packs: months named and ordered in the pack and in its claims.
    _check_packs(output)


def _text(html: str) -> str:
    """A page's words, tags dropped and white space closed up."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _check_packs(output: Path) -> None:
    folder = output / "boards-home_visits"
    la_pack = folder / "harrowdale-synthetic"
    html = (la_pack / "pack.html").read_text(encoding="utf-8")
    words = _text(html)
    # The cover's data period, the latest month's headline, the months in order.
    assert "Data period April 2024 to May 2024" in words
    assert "In May 2024, 60.0% of home visits in" in words
    assert "(33 of 55)" in words
    assert "Positive home visits, May 2024" in words
    assert "2024/25" not in words and "2024/" not in words
    chart = html[html.index("<svg") :]
    assert chart.index(">April 2024<") < chart.index(">May 2024<")
    # The areas ranked in May (April's neighbourhood figures are hidden).
    claims = pd.read_csv(la_pack / "claims.csv", dtype=str, keep_default_na=False)
    assert list(claims.columns[4:7]) == ["time_period", "time_identifier", "area_code"]
    ranking = claims[claims["kind"] == "ranking"]
    assert ranking[["time_period", "time_identifier"]].values.tolist() == [["2024", "May"]]
    assert "May 2024" in ranking["words"].iloc[0]
    # A neighbourhood's pack: both months, April's hidden figure as c, in order.
    central = folder / "harrowdale-central"
    page = _text((central / "pack.html").read_text(encoding="utf-8"))
    assert "In May 2024, 60.0% of home visits in Harrowdale Central" in page
    assert "(15 of 25)" in page
    assert "Home visits with a positive outcome: Harrowdale Central, period by period" in page
    assert page.index("Period Value (%)") < page.index("April 2024 c c c of 20")
    assert page.index("April 2024 c c c of 20") < page.index("May 2024 60.0% 40.7% to 76.6%")
    made = pd.read_csv(central / "claims.csv", dtype=str, keep_default_na=False)
    compared = made[(made["kind"] == "comparison") & (made["benchmark"] == "la")]
    assert sorted(
        compared[["time_identifier", "time_period", "made", "words"]].values.tolist()
    ) == [
        [
            "April",
            "2024",
            "no",
            "In April 2024, Harrowdale Central is not compared with the borough average: its "
            "figure is not shown (c).",
        ],
        [
            "May",
            "2024",
            "yes",
            "In May 2024, at 60.0%, Harrowdale Central is similar to the borough average "
            "(60.0%): the difference could be chance.",
        ],
    ]
    # The trend: the months it rests on, named, and why there is none yet (5 months needed).
    trend = made[made["kind"] == "trend"]
    assert trend[["time_identifier", "evidence"]].values.tolist() == [
        ["May", "April 2024=c of 20; May 2024=15 of 25"]
    ]
    assert trend["words"].iloc[0] == (
        "Recent trend for Harrowdale Central (Fingertips method, last 5 consecutive months): "
        "could not be calculated, because the Fingertips method needs 5 consecutive "
        "comparable months of figures, and fewer are published."
    )
