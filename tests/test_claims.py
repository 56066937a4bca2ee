"""Claims against their independent re-derivation, over generated publications.

Each example is a borough's published table made the way the pipeline makes it (counts ->
`add_statistics` -> disclosure control -> text with EES symbols), with suppressed channels,
ties, missing years and up to seven years of trends. Every claim the claims module can make
of it, and every claim the packs built from it make, must agree with `tests.independent_claims`
(which shares no code with Chorus). Targeted tests pin the defects a board once read.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.disclosure import DisclosureConfig, protect, publishable
from indicators.publish import claims as cl
from indicators.publish.register import shapes
from indicators.stats.indicator_values import add_statistics
from tests.independent_claims import Table, check_pack, claim_problems

LA = ("E09000001", "Borough")
CHANNELS = ("Outreach visit", "Family hub", "Parent panel", "Online")
GROUPS = (
    "English as an additional language",
    "Not known to the family hub",
    "Not using funded early education",
)
COHORTS = {"English as an additional language": "cohort_eal_share"}


def _relations(breakdowns):
    """What a disclosure declaration needs for these cells (the test's own, not the project's
    YAML: the generated counts are drawn independently, so no cross-indicator rules)."""
    return {
        "areas": "add_up",
        "absent_cells": "zero",
        "breakdowns": {
            name: {"kind": kind, "groups": groups} for name, (kind, groups) in breakdowns.items()
        },
        "rules": [],
    }


def _meta(
    indicator_id,
    title,
    value_type,
    numerator_unit,
    denominator_unit,
    polarity,
    source_type,
    unit="%",
    breakdowns=None,
):
    return {
        "relations": _relations(breakdowns or {}),
        "indicator_id": indicator_id,
        "model": f"ind_{indicator_id}",
        "title": title,
        "definition": f"{title}.",
        "domain": "Who we heard from",
        "source_type": source_type,
        "value_type": value_type,
        "unit": unit,
        "numerator_unit": numerator_unit,
        "denominator_unit": denominator_unit,
        "polarity": polarity,
        "decimals": "",
        "score_max": "",
        "numerator_definition": "Counted.",
        "denominator_definition": "All.",
        "numerator_source": "Test",
        "denominator_source": "Test",
        "caveats": "",
        "co_designed_by": "Test",
        "co_designed_on": "2021-01-01",
        "ci_method": "Wilson",
        "disclosure_rule": "c",
        "rationale": "Test",
        "frequency": "Annual",
        "outcome": "Test",
    }


REGISTER = pd.DataFrame(
    [
        {
            **_meta(
                "gld",
                "Children at a good level of development",
                "proportion",
                "children",
                "children",
                "RAG - High is good",
                "statutory",
                breakdowns={
                    "All": ("total", ["All children"]),
                    "Sex": ("partition", ["Female", "Male"]),
                },
            ),
            "domain": "School readiness",
        },
        _meta(
            "cohort_eal_share",
            "Children with English as an additional language",
            "proportion",
            "children",
            "children",
            "Not applicable",
            "statutory",
            breakdowns={"All": ("total", ["All children"])},
        ),
        _meta(
            "voice_reach_group",
            "Respondents from seldom-heard groups",
            "proportion",
            "families",
            "families",
            "Not applicable",
            "voice",
            "% of respondents",
            breakdowns={"Seldom-heard group": ("overlapping", list(GROUPS))},
        ),
        _meta(
            "voice_channel_seldom_heard",
            "Seldom-heard families reached by each channel",
            "proportion",
            "families",
            "families",
            "Not applicable",
            "voice",
            "% of respondents",
            breakdowns={
                "All": ("total", ["All respondents"]),
                "Channel": ("partition", list(CHANNELS)),
            },
        ),
        {
            **_meta(
                "voice_domain_positive",
                "Positive answers in each domain",
                "proportion",
                "answers",
                "answers",
                "RAG - High is good",
                "voice",
                "% of answers",
                breakdowns={"Voice domain": ("disjoint", ["Access to services"])},
            ),
            "domain": "Play and learning at home",
        },
    ]
)


def _row(indicator_id, period, level, code, name, breakdown, group, numerator, denominator):
    return {
        "indicator_id": indicator_id,
        "time_period": period,
        "geographic_level": level,
        "area_code": code,
        "area_name": name,
        "breakdown": breakdown,
        "group": group,
        "numerator": numerator,
        "denominator": denominator,
        "value": 100.0 * numerator / denominator,
        "standard_deviation": math.nan,
    }


@st.composite
def boroughs(draw):
    """A borough's counts, then its published table (as the pipeline publishes it)."""
    years = draw(st.integers(1, 7))
    periods = [(2018 + k) * 100 + (2019 + k) % 100 for k in range(years)]
    hoods = [(f"N{k}", f"Hood {k}") for k in range(1, draw(st.integers(2, 4)) + 1)]
    dropped = draw(st.sets(st.sampled_from(periods[:-1]), max_size=1)) if years > 2 else set()
    rows = []
    for period in periods:
        if period in dropped:
            continue  # a missing year
        totals: dict[tuple, list[int]] = {}

        def add(indicator_id, code, name, breakdown, group, n, d, period=period, totals=totals):
            if d <= 0:
                return
            rows.append(
                _row(indicator_id, period, "Neighbourhood", code, name, breakdown, group, n, d)
            )
            total = totals.setdefault((indicator_id, breakdown, group), [0, 0])
            total[0] += n
            total[1] += d

        rising = draw(st.floats(-0.06, 0.06))
        for code, name in hoods:
            d = draw(st.integers(15, 600))
            share = min(max(0.55 + rising * periods.index(period), 0.05), 0.95)
            add(
                "gld",
                code,
                name,
                "All",
                "All children",
                draw(
                    st.integers(int(d * share * 0.9), max(int(d * share * 1.1), 1)).filter(
                        lambda n, d=d: n <= d
                    )
                ),
                d,
            )
            add("cohort_eal_share", code, name, "All", "All children", draw(st.integers(0, d)), d)
            respondents = draw(st.integers(0, 90))
            for group in GROUPS:
                add(
                    "voice_reach_group",
                    code,
                    name,
                    "Seldom-heard group",
                    group,
                    draw(st.integers(0, respondents)),
                    respondents,
                )
            channel_counts = []
            tie = draw(st.booleans())
            for position, channel in enumerate(CHANNELS):
                if tie and position == 1:
                    n, d = channel_counts[0]
                else:
                    d = draw(st.integers(0, 60))
                    n = draw(st.integers(0, d))
                channel_counts.append((n, d))
                add("voice_channel_seldom_heard", code, name, "Channel", channel, n, d)
            n = sum(c for c, _ in channel_counts)
            d = sum(c for _, c in channel_counts)
            add("voice_channel_seldom_heard", code, name, "All", "All respondents", n, d)
            answers = draw(st.integers(0, 300))
            add(
                "voice_domain_positive",
                code,
                name,
                "Voice domain",
                "Access to services",
                draw(st.integers(0, answers)),
                answers,
            )
        for (indicator_id, breakdown, group), (n, d) in totals.items():
            rows.append(_row(indicator_id, period, "Local authority", *LA, breakdown, group, n, d))
        la_gld = totals[("gld", "All", "All children")]
        girls = draw(st.integers(0, la_gld[1]))
        girls_at = draw(st.integers(max(0, la_gld[0] - (la_gld[1] - girls)), min(girls, la_gld[0])))
        for group, n, d in (
            ("Female", girls_at, girls),
            ("Male", la_gld[0] - girls_at, la_gld[1] - girls),
        ):
            if d > 0:
                rows.append(_row("gld", period, "Local authority", *LA, "Sex", group, n, d))
    england = pd.DataFrame(
        [
            {
                "indicator_id": "gld",
                "time_period": period,
                "breakdown": b,
                "group": g,
                "value": draw(st.sampled_from([55.0, 62.1, 68.3])),
            }
            for period in periods
            for b, g in (("All", "All children"), ("Sex", "Female"))
        ]
    )
    values = pd.DataFrame(rows)
    parents = {code: LA[0] for code, _ in hoods}
    table = add_statistics(values, parents, REGISTER, england)
    config = DisclosureConfig()
    indicator_shapes = shapes(REGISTER, config.voice_min_respondents)
    published = publishable(
        protect(table, parents, indicator_shapes, config), indicator_shapes, config
    )
    published = published.astype(str)
    published["time_period"] = published["time_period"].astype(str)
    england_text = england.astype(str)
    return published, england_text


def every_claim(published: pd.DataFrame, england: pd.DataFrame) -> list[cl.Claim]:
    """Every claim the claims module can make of a published table."""
    pub = cl.Published(published, REGISTER.astype(str), england)
    made = []
    for row in published.to_dict("records"):
        key = (
            row["indicator_id"],
            row["time_period"],
            row["area_code"],
            row["breakdown"],
            row["group"],
        )
        for benchmark in (cl.LA, cl.ENGLAND, cl.AMBITION):
            made.append(cl.comparison(pub, *key, benchmark))
        made.append(cl.trend(pub, *key))
        if row["indicator_id"] == cl.REACH_GROUP:
            made.append(
                cl.representation(
                    pub,
                    row["time_period"],
                    row["area_code"],
                    row["group"],
                    COHORTS.get(row["group"]),
                )
            )
    keys = published[["indicator_id", "time_period", "area_code", "breakdown"]]
    for indicator_id, period, area, breakdown in keys.drop_duplicates().itertuples(index=False):
        if breakdown != "All":
            made.append(cl.ranking(pub, indicator_id, period, area, breakdown))
        elif area == LA[0]:
            made.append(cl.ranking(pub, indicator_id, period, area, cl.NEIGHBOURHOODS))
    for period, area in (
        published[["time_period", "area_code"]].drop_duplicates().itertuples(index=False)
    ):
        made.append(cl.not_heard(pub, period, area, COHORTS))
    return made


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(borough=boroughs())
@pytest.mark.slow
def test_every_claim_agrees_with_its_independent_rederivation(borough):
    published, england = borough
    table = Table(published, REGISTER.astype(str), england)
    problems = []
    for claim in every_claim(published, england):
        problems += claim_problems(table, claim.record())
    assert problems == []


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(borough=boroughs())
def test_every_pack_built_from_a_generated_borough_checks_out(borough, tmp_path_factory):
    from indicators.publish.claims import write_claims
    from indicators.publish.packs import Publication, RunInfo, build_pack, pack_slugs, render_html
    from indicators.publish.packs.render import write_xlsx

    published, england = borough
    folder = tmp_path_factory.mktemp("packs")
    run = RunInfo.for_values("property", published)
    publication = Publication(published, REGISTER.astype(str), None, run, england=england)
    for area, slug in pack_slugs(publication).items():
        pack = build_pack(publication, area)
        (folder / slug).mkdir()
        (folder / slug / "pack.html").write_text(render_html(pack), encoding="utf-8")
        write_xlsx(pack, folder / slug / "pack.xlsx")
        write_claims(folder / slug / "claims.csv", pack.claims, area)
        assert check_pack(folder / slug, published, REGISTER.astype(str), england) == []


# ---------------------------------------------------------------------- the defects found


def _published(rows: list[dict]) -> pd.DataFrame:
    columns = [
        "indicator_id",
        "time_period",
        "geographic_level",
        "area_code",
        "area_name",
        "breakdown",
        "group",
        "numerator",
        "denominator",
        "value",
        "lower_ci_95",
        "upper_ci_95",
        "compared_with_la",
        "compared_with_england",
        "recent_trend",
    ]
    return pd.DataFrame([{column: row.get(column, "x") for column in columns} for row in rows])


def _channel(area, name, group, value, breakdown="Channel"):
    level = "Local authority" if area == LA[0] else "Neighbourhood"
    return {
        "indicator_id": "voice_channel_seldom_heard",
        "time_period": "202425",
        "geographic_level": level,
        "area_code": area,
        "area_name": name,
        "breakdown": breakdown,
        "group": group,
        "numerator": "c" if value == "c" else "20",
        "denominator": "50",
        "value": value,
    }


def test_a_total_is_never_ranked_with_its_parts():
    rows = [
        _channel(LA[0], LA[1], "All respondents", "40.5", "All"),
        _channel(LA[0], LA[1], "Online", "50.0"),
        _channel(LA[0], LA[1], "Family hub", "41.0"),
    ]
    pub = cl.Published(_published(rows), REGISTER.astype(str))
    claim = cl.ranking(
        pub, "voice_channel_seldom_heard", "202425", LA[0], "Channel", parts_noun="channels"
    )
    assert claim.made and claim.verdict == "highest: Online; lowest: Family hub"
    assert "All respondents" not in cl.sentence(claim)
    with pytest.raises(ValueError):
        cl.ranking(pub, "voice_channel_seldom_heard", "202425", LA[0], "All")


def test_channels_are_not_ranked_when_one_is_hidden():
    """Millbrook: "All respondents reached the most (40.0%)" while the hidden channels
    together were 45.5%: with a hidden part there is no ranking, and the pack says why."""
    rows = [
        _channel("N1", "Millbrook", "All respondents", "40.0", "All"),
        _channel("N1", "Millbrook", "Online", "38.0"),
        _channel("N1", "Millbrook", "Family hub", "c"),
        _channel("N1", "Millbrook", "Parent panel", "c"),
    ]
    pub = cl.Published(_published(rows), REGISTER.astype(str), parents={"N1": LA[0]})
    claim = cl.ranking(
        pub, "voice_channel_seldom_heard", "202425", "N1", "Channel", parts_noun="channels"
    )
    assert not claim.made
    words = cl.sentence(claim)
    assert "not ranked" in words and "channels are not shown (c)" in words
    assert "45.5" not in words and "40.0" not in words  # nothing derived, nothing hidden


def test_ties_are_named_together():
    rows = [
        _channel(LA[0], LA[1], "Online", "50.0"),
        _channel(LA[0], LA[1], "Family hub", "50.0"),
        _channel(LA[0], LA[1], "Parent panel", "20.0"),
    ]
    pub = cl.Published(_published(rows), REGISTER.astype(str))
    claim = cl.ranking(pub, "voice_channel_seldom_heard", "202425", LA[0], "Channel")
    assert claim.verdict == "highest: Online = Family hub; lowest: Parent panel"
    assert "highest “Online” and “Family hub” (50.0%)" in cl.sentence(claim)


def test_representation_uses_the_cohort_of_the_same_area_and_year():
    """The inverted conclusion: the authority's 15.4% of respondents against Hillside
    Villages' 2.8% cohort share read "more than in the cohort"; against its own 21.9% it is
    under-represented."""

    def cohort(area, name, value, period="202425"):
        level = "Local authority" if area == LA[0] else "Neighbourhood"
        return {
            "indicator_id": "cohort_eal_share",
            "time_period": period,
            "geographic_level": level,
            "area_code": area,
            "area_name": name,
            "breakdown": "All",
            "group": "All children",
            "numerator": "656",
            "denominator": "3000",
            "value": value,
        }

    rows = [
        {
            "indicator_id": "voice_reach_group",
            "time_period": "202425",
            "geographic_level": "Local authority",
            "area_code": LA[0],
            "area_name": LA[1],
            "breakdown": "Seldom-heard group",
            "group": GROUPS[0],
            "numerator": "56",
            "denominator": "363",
            "value": "15.4",
            "lower_ci_95": "12.1",
            "upper_ci_95": "19.5",
        },
        cohort(LA[0], LA[1], "21.9"),
        cohort("N5", "Hillside Villages", "2.8"),
        cohort(LA[0], LA[1], "9.0", period="202324"),
    ]
    pub = cl.Published(_published(rows), REGISTER.astype(str), parents={"N5": LA[0]})
    claim = cl.representation(pub, "202425", LA[0], GROUPS[0], "cohort_eal_share")
    assert claim.made and claim.verdict == cl.UNDER
    assert "against 21.9% of children in the cohort, so they were under-represented" in cl.sentence(
        claim
    )


def test_a_label_never_contradicts_the_printed_interval():
    """Printed, 58.0% to 62.1% touches a benchmark of 62.1%: similar, whatever the
    unrounded numbers said."""
    row = {
        "indicator_id": "gld",
        "time_period": "202425",
        "geographic_level": "Neighbourhood",
        "area_code": "N1",
        "area_name": "Northgate",
        "breakdown": "All",
        "group": "All children",
        "numerator": "354",
        "denominator": "615",
        "value": "60.0",
        "lower_ci_95": "58.0",
        "upper_ci_95": "62.1",
        "compared_with_la": "worse",
        "compared_with_england": "similar",
    }
    borough = {
        **row,
        "geographic_level": "Local authority",
        "area_code": LA[0],
        "area_name": LA[1],
        "value": "62.1",
        "lower_ci_95": "61.0",
        "upper_ci_95": "63.2",
        "compared_with_la": "x",
    }
    pub = cl.Published(_published([row, borough]), REGISTER.astype(str))
    claim = cl.comparison(pub, "gld", "202425", "N1", "All", "All children", cl.LA)
    assert not claim.made  # the published "worse" contradicts what is printed
    assert "disagrees" in claim.reason
    fixed = cl.Published(
        _published([{**row, "compared_with_la": "similar"}, borough]), REGISTER.astype(str)
    )
    claim = cl.comparison(fixed, "gld", "202425", "N1", "All", "All children", cl.LA)
    assert claim.made and claim.verdict == "similar"
    assert cl.sentence(claim) == (
        "In 2024/25, at 60.0%, Northgate is similar to the borough "
        "average (62.1%): the difference could be chance."
    )


def test_one_comparison_per_sentence():
    row = {
        "indicator_id": "gld",
        "time_period": "202425",
        "geographic_level": "Neighbourhood",
        "area_code": "N1",
        "area_name": "Northgate",
        "breakdown": "All",
        "group": "All children",
        "numerator": "354",
        "denominator": "615",
        "value": "57.6",
        "lower_ci_95": "53.6",
        "upper_ci_95": "61.4",
        "compared_with_la": "worse",
        "compared_with_england": "worse",
    }
    borough = {
        **row,
        "geographic_level": "Local authority",
        "area_code": LA[0],
        "area_name": LA[1],
        "value": "62.1",
        "lower_ci_95": "60.3",
        "upper_ci_95": "63.8",
    }
    england = pd.DataFrame(
        [
            {
                "indicator_id": "gld",
                "time_period": "202425",
                "breakdown": "All",
                "group": "All children",
                "value": "68.3",
            }
        ]
    )
    pub = cl.Published(_published([row, borough]), REGISTER.astype(str), england)
    said = [
        cl.sentence(cl.comparison(pub, "gld", "202425", "N1", "All", "All children", b))
        for b in (cl.LA, cl.ENGLAND)
    ]
    assert said == [
        "In 2024/25, at 57.6%, Northgate is lower than the borough average (62.1%), "
        "which is worse.",
        "In 2024/25, at 57.6%, Northgate is lower than England (68.3%), which is worse.",
    ]


def test_answers_are_not_compared():
    row = {
        "indicator_id": "voice_domain_positive",
        "time_period": "202425",
        "geographic_level": "Neighbourhood",
        "area_code": "N1",
        "area_name": "Northgate",
        "breakdown": "Voice domain",
        "group": "Access to services",
        "numerator": "157",
        "denominator": "234",
        "value": "67.1",
        "lower_ci_95": "60.8",
        "upper_ci_95": "72.8",
        "compared_with_la": "not compared",
    }
    borough = {
        **row,
        "geographic_level": "Local authority",
        "area_code": LA[0],
        "area_name": LA[1],
        "value": "80.0",
        "lower_ci_95": "78.0",
        "upper_ci_95": "82.0",
    }
    pub = cl.Published(_published([row, borough]), REGISTER.astype(str))
    claim = cl.comparison(
        pub, "voice_domain_positive", "202425", "N1", "Voice domain", "Access to services", cl.LA
    )
    unit = REGISTER.set_index("indicator_id").loc["voice_domain_positive", "denominator_unit"]
    assert claim.made == (unit in ("children", "families"))
    if not claim.made:
        assert f"it counts {unit}, not people" in claim.reason


def test_the_checker_would_catch_a_wrong_claim(tmp_path):
    """The independent checker is not a formality: a claim that says 'better' where the
    published table says 'worse' is reported."""
    row = {
        "indicator_id": "gld",
        "time_period": "202425",
        "geographic_level": "Neighbourhood",
        "area_code": "N1",
        "area_name": "Northgate",
        "breakdown": "All",
        "group": "All children",
        "numerator": "354",
        "denominator": "615",
        "value": "57.6",
        "lower_ci_95": "53.6",
        "upper_ci_95": "61.4",
        "compared_with_la": "worse",
        "compared_with_england": "x",
        "recent_trend": "z",
    }
    borough = {
        **row,
        "geographic_level": "Local authority",
        "area_code": LA[0],
        "area_name": LA[1],
        "value": "62.1",
        "lower_ci_95": "60.3",
        "upper_ci_95": "63.8",
    }
    published = _published([row, borough])
    pub = cl.Published(published, REGISTER.astype(str))
    claim = cl.comparison(pub, "gld", "202425", "N1", "All", "All children", cl.LA)
    record = claim.record()
    table = Table(
        published,
        REGISTER.astype(str),
        pd.DataFrame(columns=["indicator_id", "time_period", "breakdown", "group", "value"]),
    )
    assert claim_problems(table, record) == []
    wrong = {**record, "verdict": "better", "words": record["words"].replace("worse", "better")}
    assert claim_problems(table, wrong)
    derived = {**record, "words": record["words"].replace("(62.1%)", "(62.1%, 4.5 points above)")}
    assert any("numbers" in problem for problem in claim_problems(table, derived))


def test_a_trend_over_screenings_is_not_given_in_the_unit_s_own_words():
    """units.yml: screenings are 'not children: a child may be screened more than once'."""
    row = {
        "indicator_id": "voice_domain_positive",
        "time_period": "202425",
        "geographic_level": "Neighbourhood",
        "area_code": "N1",
        "area_name": "Northgate",
        "breakdown": "All",
        "group": "All children",
        "numerator": "49",
        "denominator": "89",
        "value": "55.1",
        "lower_ci_95": "44.7",
        "upper_ci_95": "65.0",
        "recent_trend": "z",
    }
    register = REGISTER.astype(str)
    register.loc[register["indicator_id"] == "voice_domain_positive", "denominator_unit"] = (
        "screenings"
    )
    pub = cl.Published(_published([row]), register)
    claim = cl.trend(pub, "voice_domain_positive", "202425", "N1", "All", "All children")
    assert not claim.made
    assert claim.reason == (
        "it counts screenings, not children: a child may be screened more than once, so the "
        "test for trend does not apply"
    )


def test_medians_are_never_ranked():
    """Two districts' median days to a Voice Note, 6.0 and 9.0: a median is never compared
    between areas or groups (its value type says so), so the pack names no highest or
    lowest, and says why."""
    register = REGISTER.astype(str).copy()
    register.loc[register["indicator_id"] == "voice_channel_seldom_heard", "value_type"] = "median"
    rows = [
        _channel(LA[0], LA[1], "North", "6.0"),
        _channel(LA[0], LA[1], "South", "9.0"),
    ]
    pub = cl.Published(_published(rows), register)
    claim = cl.ranking(pub, "voice_channel_seldom_heard", "202425", LA[0], "Channel")
    assert not claim.made and claim.verdict == ""
    words = cl.sentence(claim)
    assert "not ranked" in words and "a median is not compared" in words
    assert "highest" not in words and "lowest" not in words
