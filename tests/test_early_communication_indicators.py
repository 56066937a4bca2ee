"""The early-communication indicators (issue 15) end to end: a `chorus synth` landing's EYFSP
return and census, with health visitor reviews, WellComm screenings, therapy referrals and
the linkage file written by the test itself (tests/early_communication_landing.py), through
`chorus run` (one run for the module, no packs). The PUBLISHED table is held to an
independent computation from the LANDING files with plain pandas
(tests/independent_early_communication.py), to figures worked by hand for the concern
agreement and the 42-day rule, and to the attacker (tests/attacker.py) with the declared
relations."""

import os
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests import early_communication_landing
from tests.attacker import Attacker, cell_of, cells_with_units, leaks, summary
from tests.early_communication_landing import CONCERNS, HAND_WORKED, HELP_REQUEST, VIEWS
from tests.independent_early_communication import INDICATORS, indicators, reviews, screenings
from tests.project_copy import chorus
from tests.tiers import runs_chorus

ROOT = Path(__file__).resolve().parents[1]
THRESHOLD = 10  # seeds/disclosure_control.csv
KEY = [
    "indicator_id",
    "time_period",
    "time_identifier",
    "geographic_level",
    "area_code",
    "breakdown",
    "group",
]


@pytest.fixture(scope="module")
@runs_chorus
def run(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("early-communication")
    paths = {name: root / name for name in ("home", "landing", "output")}
    env = {
        **os.environ,
        "CHORUS_HOME": str(paths["home"]),
        "CHORUS_LANDING": str(paths["landing"]),
        "CHORUS_OUTPUT": str(paths["output"]),
        "CHORUS_PACKS": "none",
        "GX_ANALYTICS_ENABLED": "False",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "CHORUS_ALLOW_DEMO_KEY": "1",  # test data made here, beside synth's
    }
    for name in ("CHORUS_PSEUDONYM_KEY", "CHORUS_PSEUDONYM_KEY_FILE"):
        env.pop(name, None)  # synth's files run with the demo key
    synth = chorus(
        "synth",
        "--out",
        str(paths["landing"]),
        "--seed",
        "11",
        "--children-per-year",
        "400",
        "--years",
        "2023/24,2024/25",
        env=env,
        cwd=ROOT,
    )
    assert synth.returncode == 0, synth.stderr
    early_communication_landing.write(paths["landing"])
    for other in ("care_leavers", "pathway_plan_reviews", "voice"):  # not needed here: cheaper
        shutil.rmtree(paths["landing"] / other, ignore_errors=True)
    done = chorus(
        "run",
        "--landing",
        str(paths["landing"]),
        "--out",
        str(paths["output"]),
        env=env,
        cwd=ROOT,
        timeout=1800,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    yield paths
    shutil.rmtree(paths["home"] / "dagster", ignore_errors=True)


@pytest.fixture(scope="module")
def published(run) -> pd.DataFrame:
    table = pd.read_csv(
        run["output"] / "indicators" / "indicator_values.csv", dtype=str, keep_default_na=False
    )
    return table[table["indicator_id"].isin(INDICATORS)].reset_index(drop=True)


def test_every_early_communication_indicator_is_published_and_in_the_register(run, published):
    assert set(published["indicator_id"]) == INDICATORS
    register = pd.read_csv(run["output"] / "register" / "indicators.csv", dtype=str)
    assert set(register["indicator_id"]) >= INDICATORS
    assert set(published["geographic_level"]) == {"Local authority", "Neighbourhood"}


def test_published_cells_match_an_independent_computation_from_the_landing_files(run, published):
    expected = indicators(run["landing"])
    both = published.merge(expected, on=KEY, how="outer", suffixes=("", "_expected"))
    missing = both[both["numerator"].isna()]
    assert missing.empty, missing[KEY].head(10).to_string()
    extra = both[both["denominator_expected"].isna()]
    # only groups with no one in them (0 of 0, or hidden as c beside a small cell)
    assert set(extra["denominator"]) <= {"0", "c"}, extra[KEY + ["denominator"]].head(10)
    shown = both[
        both["denominator_expected"].notna()
        & (both["numerator"] != "c")
        & (both["denominator"] != "c")
    ]
    assert set(shown["indicator_id"]) == INDICATORS, INDICATORS - set(shown["indicator_id"])
    assert len(shown) >= 60, len(shown)
    wrong = shown[
        (shown["numerator"].astype(float) != shown["numerator_expected"])
        | (shown["denominator"].astype(float) != shown["denominator_expected"])
        | (
            (pd.to_numeric(shown["value"].replace("low", "0")) - shown["value_expected"]).abs()
            > 0.05 + 1e-9
        )
    ]
    assert wrong.empty, (
        wrong[KEY + ["numerator", "numerator_expected", "denominator", "denominator_expected"]]
        .head(10)
        .to_string()
    )


@pytest.mark.parametrize("level", ["Local authority", "Neighbourhood"])
def test_hand_worked_year_concern_agreement_and_the_42_day_rule(published, level):
    # 2023-24 holds only hand-worked children, all in one neighbourhood: red first
    # screenings referred the same day (10, counted), on day 42 (10, counted, their referrals in
    # the next year's file), on day 43 (10, not) and 5 days before the
    # screening (10, not): 20 of 40. A red RESCREEN after an amber first screening is amber.
    year = published[
        (published["time_period"] == "202324")
        & (published["geographic_level"] == level)
        & (published["breakdown"] == "All")
        & (published["time_identifier"] == "Financial year")
        & (published["denominator"] != "0")
    ]
    got = {
        row.indicator_id: (int(row.numerator), int(row.denominator))
        for row in year.itertuples()
        if row.indicator_id in HAND_WORKED
    }
    assert got == HAND_WORKED


def test_no_suppressed_early_communication_count_can_be_narrowed_below_the_threshold(
    run, published
):
    with duckdb.connect(str(run["home"] / "chorus.duckdb"), read_only=True) as connection:
        parents = dict(
            connection.execute(
                "select area_code, parent_area_code from marts.dim_areas "
                "where parent_area_code is not null"
            ).fetchall()
        )
    assert (published["numerator"] == "c").any(), "small neighbourhoods: some cells are hidden"
    table = pd.read_csv(
        run["output"] / "indicators" / "indicator_values.csv", dtype=str, keep_default_na=False
    )
    # with GLD, which the linkage and journey indicators' relations reach
    attacked = table[table["indicator_id"].isin(INDICATORS | {"gld"})].reset_index(drop=True)
    findings = Attacker(attacked, parents, THRESHOLD).run()
    # a 0-of-0 cell hidden as a partner discloses no one (tests/attacker.cells_with_units:
    # GLD's FSM-by-first-language cells of an unknown first language, when no child has one);
    # one with a unit in it is a leak when narrowed below the threshold
    units = cells_with_units(run["home"] / "chorus.duckdb")
    found = [f for f in leaks(findings, THRESHOLD) if cell_of(f) in units]
    assert not found, summary(found)
    assert all(f.low == f.high == 0 for f in leaks(findings, THRESHOLD) if f not in found)


def test_parents_words_come_with_consent_from_areas_with_enough_children_never_for_help(run):
    with duckdb.connect(str(run["home"] / "chorus.duckdb"), read_only=True) as connection:
        words = connection.execute("select * from marts.fct_early_communication_words").df()
    assert set(words["kind"]) == {"concern at the two-year review", "view at screening"}
    assert HELP_REQUEST not in set(words["quote"])
    assert set(words["quote"]) <= set(CONCERNS) | set(VIEWS)
    assert "count" not in " ".join(words.columns)  # no undeclared count of people is published
    settings = pd.read_csv(ROOT / "seeds" / "disclosure_control.csv").set_index("setting")
    minimum = int(settings.loc["voice_min_respondents", "value"])
    # children reviewed / screened per area and year, counted from the landing files
    reviewed = reviews(run["landing"])
    reviewed = reviewed[reviewed["review_date"] != ""]
    screened, _ = screenings(run["landing"])
    for kind, frame in (
        ("concern at the two-year review", reviewed),
        ("view at screening", screened),
    ):
        counted = {}
        for code in ("neighbourhood_code", "new_la_code"):
            counted |= frame.groupby([code, "time_period"])["nhs"].nunique().to_dict()
        mine = words[words["kind"] == kind]
        assert not mine.empty
        for row in mine.itertuples():
            assert counted[(row.area_code, int(row.time_period))] >= minimum, row
        # the consented words of the LA's year are all there (the LA has enough children)
        la = mine[mine["geographic_level"] == "Local authority"]
        column = "concern_words" if kind.startswith("concern") else "parent_view"
        landed = frame[(frame["consent_quote"] == "Y") & (frame[column] != "")]
        assert set(la["quote"]) == set(landed[column]) - {HELP_REQUEST}


def test_parents_words_are_published_by_kind_area_and_year_never_beside_a_hidden_count(
    run, published
):
    """quotes/fct_early_communication_words.csv: no colour, zone or result label (a label
    finer than the area and year bounds that group's hidden count), and none of an area and
    year whose count of the records the words come from is hidden (c): views with
    ec_wellcomm_parent_view, concerns with ec_concern_but_expected (school_readiness.yml)."""
    words = pd.read_csv(
        run["output"] / "quotes" / "fct_early_communication_words.csv",
        dtype=str,
        keep_default_na=False,
    )
    assert set(words.columns) == {
        "quote",
        "kind",
        "area_code",
        "area_name",
        "geographic_level",
        "time_period",
    }
    labels = {"Green", "Amber", "Red", "At or above the expected level", "Below the expected level"}
    assert not words.isin(labels).any().any()
    guard = {
        "view at screening": "ec_wellcomm_parent_view",
        "concern at the two-year review": "ec_concern_but_expected",
    }
    totals = published[
        published["indicator_id"].isin(guard.values()) & (published["breakdown"] == "All")
    ]
    shown = {
        (row.indicator_id, row.area_code, row.time_period)
        for row in totals.itertuples()
        if "c" not in (row.numerator, row.denominator)
    }
    with duckdb.connect(str(run["home"] / "chorus.duckdb"), read_only=True) as connection:
        mart = connection.execute("select * from marts.fct_early_communication_words").df()
    mart = mart.astype(str)
    guarded = mart[
        [
            (guard[kind], area, year) in shown
            for kind, area, year in zip(
                mart["kind"], mart["area_code"], mart["time_period"], strict=True
            )
        ]
    ]
    hoods = guarded[guarded["geographic_level"] == "Neighbourhood"]
    # the authority's words: only those a neighbourhood keeps (one authority in the demo)
    said_in_a_hood = set(zip(hoods["quote"], hoods["kind"], hoods["time_period"], strict=True))
    guarded_la = guarded[guarded["geographic_level"] == "Local authority"]
    la = guarded_la[
        [
            said in said_in_a_hood
            for said in zip(
                guarded_la["quote"], guarded_la["kind"], guarded_la["time_period"], strict=True
            )
        ]
    ]
    expected = {
        (row.quote, row.kind, row.area_code, row.time_period)
        for row in pd.concat([hoods, la]).itertuples()
    }
    got = {(r.quote, r.kind, r.area_code, r.time_period) for r in words.itertuples()}
    assert got == expected
    assert set(mart["kind"]) == set(guard)  # words of both kinds reach the mart
    assert "view at screening" in {kind for _, kind, _, _ in got}  # and words are published
    # the authority's rule bites here: words its own count would allow, no neighbourhood keeps
    assert len(la) < len(guarded_la)
    # the rule bites here: some words of an area and year with a hidden count are withheld
    assert len(got) < len(mart)
