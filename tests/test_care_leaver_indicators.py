"""The care leavers' indicators (issue 14) end to end: a synthetic borough's care-leaver
return and Pathway Plan reviews through `chorus synth` and `chorus run` (one run for the
module, no packs), then the PUBLISHED table held to an independent computation from the
LANDING files with plain pandas (tests/independent_care_leavers.py, which shares no code
with Chorus), every new indicator in the register, the statements mart's areas, and the
attacker (tests/attacker.py) over every care-leaver cell with the declared relations.
Beside them, a few speech and language therapy referrals written out here, with no EYFSP
return or census: placed by postcode sector in a warehouse without children."""

import os
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.attacker import Attacker, leaks, summary
from tests.independent_care_leavers import INDICATORS, indicators, reviews
from tests.project_copy import chorus
from tests.tiers import runs_chorus

ROOT = Path(__file__).resolve().parents[1]
THRESHOLD = 10  # seeds/disclosure_control.csv
REFERRALS = "slt_referrals/2024-25/referrals.csv"
REFERRAL_ROWS = [  # NHS numbers of the test range, their check digits worked by hand
    "referral_id,nhs_number,referral_date,referral_source,outcome,postcode_sector",
    "SLT1,9991001018,2024-05-01,gp,assessed,XH4 2",
    "SLT2,999 100 1026,2024-06-01,parent,waiting,xh1  1",
    "SLT3,9991001034,2024-07-01,health_visitor,declined,XH10 3",
]
KEY = ["indicator_id", "time_period", "geographic_level", "area_code", "breakdown", "group"]


@pytest.fixture(scope="module")
@runs_chorus
def run(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("care-leavers")
    paths = {name: root / name for name in ("home", "landing", "output")}
    env = {
        **os.environ,
        "CHORUS_HOME": str(paths["home"]),
        "CHORUS_LANDING": str(paths["landing"]),
        "CHORUS_OUTPUT": str(paths["output"]),
        "CHORUS_PACKS": "none",
        "GX_ANALYTICS_ENABLED": "False",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "CHORUS_ALLOW_DEMO_KEY": "1",  # the referrals written below are not synth's
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
    # what a care leavers team lands (North Yorkshire's practice): its return, the Pathway
    # Plan reviews and its lists; no EYFSP return, census or any other source, so the run
    # publishes the care leavers' indicators alone (the preflight asks for an indicator
    # whose every kind of return is loaded, not for an EYFSP return)
    for other in paths["landing"].iterdir():
        if other.is_dir() and other.name not in {"care_leavers", "pathway_plan_reviews", "seeds"}:
            shutil.rmtree(other)
    # and the therapy service's referrals: their indicators read the EYFSP return and census
    # too, so publish nothing here, but the rows are placed all the same
    referrals = paths["landing"] / REFERRALS
    referrals.parent.mkdir(parents=True)
    referrals.write_text("\n".join(REFERRAL_ROWS) + "\n", encoding="utf-8")
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


def test_a_care_leavers_team_publishes_its_indicators_alone(run):
    """The care leavers' return and reviews landed, and therapy referrals, which need an
    EYFSP return: the run publishes every care leavers' indicator and nothing of another
    framework (no EYFSP return was landed)."""
    landed = {p.name for p in run["landing"].iterdir() if p.is_dir()}
    assert landed == {"care_leavers", "pathway_plan_reviews", "slt_referrals", "seeds"}
    table = pd.read_csv(run["output"] / "indicators" / "indicator_values.csv", dtype=str)
    assert set(table["indicator_id"]) == set(INDICATORS)


def test_rows_placed_by_postcode_sector_are_placed_without_any_child_loaded(run):
    """No EYFSP return or census, so no child tells which authority a neighbourhood is in:
    the referrals' staging model used to lose every row (0 of 3), its row count check failed
    and nothing was published. The neighbourhoods are now the only authority's, the one the
    LA's teams are in, and every referral is placed in its sector's neighbourhood
    (seeds/neighbourhood_lookup.csv as synth writes it)."""
    with duckdb.connect(str(run["home"] / "chorus.duckdb"), read_only=True) as connection:
        staged = connection.execute(
            "select referral_id, postcode_sector, neighbourhood_code, neighbourhood_name, "
            "new_la_code, la_name from staging.stg_slt__referrals order by referral_id"
        ).fetchall()
    la = ("E99000999", "Harrowdale (synthetic)")
    assert staged == [
        ("SLT1", "XH4 2", "HD02", "Northgate", *la),
        ("SLT2", "XH1 1", "HD01", "Harrowdale Central", *la),
        ("SLT3", "XH10 3", "HD05", "Hillside Villages", *la),
    ]


@pytest.fixture(scope="module")
def la_code(run) -> str:
    teams = pd.read_csv(ROOT / "seeds" / "teams.csv", dtype=str)
    landed = run["landing"] / "seeds" / "teams.csv"
    if landed.exists():
        teams = pd.read_csv(landed, dtype=str)
    codes = teams["new_la_code"].dropna().unique()
    assert len(codes) == 1, codes
    return str(codes[0])


@pytest.fixture(scope="module")
def expected(run, la_code) -> pd.DataFrame:
    table = indicators(run["landing"], la_code)
    return table.assign(time_period=table["time_period"].astype(str))


def test_every_care_leaver_indicator_is_published_and_in_the_register(run, published):
    assert set(published["indicator_id"]) == INDICATORS
    register = pd.read_csv(run["output"] / "register" / "indicators.csv", dtype=str)
    assert set(register["indicator_id"]) >= INDICATORS
    assert set(published["geographic_level"]) == {"Local authority", "Team"}


def test_published_cells_match_an_independent_computation_from_the_landing_files(
    published, expected
):
    both = published.merge(expected, on=KEY, how="outer", suffixes=("", "_expected"))
    # every cell someone is in is published, and nothing else but empty groups (0 of 0)
    missing = both[both["numerator"].isna()]
    assert missing.empty, missing[KEY].head(10).to_string()
    extra = both[both["denominator_expected"].isna()]
    assert set(extra["denominator"]) <= {"0"}, extra[KEY + ["denominator"]].head(10)
    shown = both[
        both["denominator_expected"].notna()
        & (both["numerator"] != "c")
        & (both["denominator"] != "c")
    ]
    # the check has teeth: every indicator has published cells to compare, many in all
    assert set(shown["indicator_id"]) == INDICATORS, set(INDICATORS - set(shown["indicator_id"]))
    assert len(shown) >= 100, len(shown)
    numerator = shown["numerator"].astype(float)
    denominator = shown["denominator"].astype(float)
    wrong = shown[
        (numerator != shown["numerator_expected"])
        | (denominator != shown["denominator_expected"])
        # a value that rounds to 0.0 is published as `low`
        | (
            (pd.to_numeric(shown["value"].replace("low", "0")) - shown["value_expected"]).abs()
            > 0.05 + 1e-9
        )
    ]
    assert wrong.empty, (
        wrong[
            KEY
            + ["numerator", "numerator_expected", "denominator", "denominator_expected", "value"]
        ]
        .head(10)
        .to_string()
    )


def test_no_suppressed_care_leaver_count_can_be_narrowed_below_the_threshold(run, published):
    with duckdb.connect(str(run["home"] / "chorus.duckdb"), read_only=True) as connection:
        parents = dict(
            connection.execute(
                "select area_code, parent_area_code from marts.dim_areas "
                "where parent_area_code is not null"
            ).fetchall()
        )
    assert (published["numerator"] == "c").any(), "small cohorts: some cells are hidden"
    findings = Attacker(published, parents, THRESHOLD).run()
    assert not leaks(findings, THRESHOLD), summary(leaks(findings, THRESHOLD))


def test_statements_come_only_from_areas_with_enough_young_people(run, la_code):
    with duckdb.connect(str(run["home"] / "chorus.duckdb"), read_only=True) as connection:
        statements = connection.execute("select * from marts.fct_care_leaver_statements").df()
    assert not statements.empty
    # young people with a review (either perspective; several reviews are one young person)
    # per team and for the LA, counted from the landing files, as the voice survey counts
    # its respondents
    landed = reviews(run["landing"])[["child_id", "team_code", "time_period"]]
    landed = landed.drop_duplicates()
    per_team = landed.groupby(["team_code", "time_period"]).size()
    per_la = landed[["child_id", "time_period"]].drop_duplicates().groupby("time_period").size()
    for row in statements.itertuples():
        count = (
            per_team.get((row.area_code, int(row.time_period)), 0)
            if row.geographic_level == "Team"
            else per_la.get(int(row.time_period), 0)
        )
        assert count >= THRESHOLD, row
    # the mart is published as it stands: no count of young people per area goes with it
    assert not [column for column in statements.columns if "young_people" in column]
    assert set(statements["perspective"]) <= {"young_person", "personal_adviser"}
