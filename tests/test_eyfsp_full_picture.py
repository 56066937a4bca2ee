"""The full EYFSP picture as DfE publishes it (issue 17, item 6): each goal, each area of
learning, communication and language and literacy, and the ethnicity breakdown.

Expectations are worked out here by hand, from the census spec and the goals seed read with
yaml and csv alone, or from the landed files with plain pandas (tests/independent.py), never
from Chorus's SQL or its disclosure code."""

import csv
from pathlib import Path

import pandas as pd
import pytest
import yaml

from indicators.disclosure import DisclosureConfig
from tests import independent
from tests.cohorts import attack, cohort, people_of, publish

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "dbt_project" / "models" / "indicators"
KEY = ["indicator_id", "time_period", "geographic_level", "area_code", "breakdown", "group"]


def _meta(name: str) -> dict:
    document = yaml.safe_load((MODELS / f"ind_school_readiness__{name}.yml").read_text())
    return document["models"][0]["config"]["meta"]["indicator"]


def _seed() -> list[dict]:
    with (ROOT / "seeds" / "eyfsp_early_learning_goals.csv").open(newline="") as file:
        return sorted(csv.DictReader(file), key=lambda row: int(row["elg_number"]))


# --------------------------------------------------------------------------------------------
# Declarations against the seed and the census spec
# --------------------------------------------------------------------------------------------


def test_ethnicity_groups_are_dfe_major_groups_with_unclassified():
    """The census spec's major groups, named as its code list names them (capitalised), and
    refused / not yet obtained together as Unclassified, as DfE publishes them."""
    spec = yaml.safe_load((ROOT / "sources" / "census" / "base.yml").read_text())
    codes = {c["code"]: c["name"] for c in spec["code_lists"]["ethnicity"]["codes"]}
    assert set(codes) == {"WHIT", "MIXD", "ASIA", "BLAC", "CHNE", "AOEG", "REFU", "NOBT"}
    wanted = {code: "Unclassified" for code in ("REFU", "NOBT")}
    wanted |= {
        code: name[0].upper() + name[1:] for code, name in codes.items() if code not in wanted
    }
    assert wanted["AOEG"] == "Any other ethnic group"
    assert wanted == independent.ETHNICITY
    groups = [*dict.fromkeys(wanted[code] for code in codes)]  # the code list's order
    for name in ("gld", "all_elgs_expected", "average_elgs_expected", "cll_expected"):
        declared = _meta(name)["relations"]["breakdowns"]["Ethnicity"]
        assert declared == {"kind": "partition", "groups": groups}, name


def test_the_sql_maps_every_census_code_as_dfe_does():
    """int_children_joined's CASE, read as text: each code to its group, anything else
    (refused, not yet obtained) to Unclassified."""
    sql = (ROOT / "dbt_project" / "models" / "intermediate" / "int_children_joined.sql").read_text()
    case = sql[sql.index("case census.ethnicity_major_group") : sql.index("end as ethnicity")]
    mapped = dict(
        (line.split("'")[1], line.split("'")[3])
        for line in case.splitlines()
        if line.strip().startswith("when")
    )
    assert "else 'Unclassified'" in case
    assert mapped == {c: g for c, g in independent.ETHNICITY.items() if g != "Unclassified"}


def test_goals_and_areas_are_declared_in_seed_order():
    seed = _seed()
    goals = _meta("elg_expected")["relations"]["breakdowns"]["Early learning goal"]
    assert goals["groups"] == [row["elg"] for row in seed]
    assert len(goals["groups"]) == 17
    areas = _meta("area_expected")["relations"]["breakdowns"]["Area of learning"]
    assert areas["groups"] == [*dict.fromkeys(row["area"] for row in seed)]
    assert len(areas["groups"]) == 7


def _rules(name: str) -> list[dict]:
    return _meta(name)["relations"]["rules"]


def test_every_bound_an_outsider_knows_is_declared():
    """Each GLD goal's count bounds GLD, each CLL goal's bounds CLL, every goal bounds all 17;
    an area's count is at most each of its goals'; the goals add up to the average's total."""
    seed = _seed()
    goal_rules = _rules("elg_expected")
    gld_bounded = {
        r["cells"].get("group")
        for r in goal_rules
        if r["kind"] == "at_most" and r["left"] == "gld.numerator at All / All children"
    }
    assert gld_bounded == {row["elg"] for row in seed if row["counts_towards_gld"] == "true"}
    cll_bounded = {
        r["cells"].get("group")
        for r in goal_rules
        if r["kind"] == "at_most" and r["left"].startswith("cll_expected.numerator")
    }
    assert cll_bounded == {row["elg"] for row in seed if row["area_code"] in ("CL", "L")}
    assert any(
        r["kind"] == "at_most"
        and r["left"].startswith("all_elgs_expected.numerator")
        and r["cells"] == {"breakdown": "Early learning goal"}
        for r in goal_rules
    )
    area_bounds = {
        (r["cells"]["group"], r["right"].split(" / ", 1)[1])
        for r in _rules("area_expected")
        if r["kind"] == "at_most" and r["left"] == "numerator"
    }
    assert area_bounds == {(row["area"], row["elg"]) for row in seed}
    assert [
        (r["kind"], r.get("cells"), r["left"], r["right"])
        for r in _rules("average_elgs_expected")
        if "elg_expected" in str(r.get("right"))
    ] == [
        (
            "equal",
            {"breakdown": "All"},
            "numerator",
            "elg_expected.numerator at Early learning goal / *",
        )
    ]
    crossed = [
        r for r in _rules("gld") if "FSM eligibility by first language" in str(r.get("right"))
    ]
    assert {(r["cells"]["breakdown"], r["left"]) for r in crossed} == {
        (b, c) for b in ("FSM eligibility", "First language") for c in ("numerator", "denominator")
    }


# --------------------------------------------------------------------------------------------
# The independent computation, by hand on a few children
# --------------------------------------------------------------------------------------------


def test_the_independent_goal_measures_on_three_children():
    """Worked by hand: A expected in all; B all GLD goals but Writing emerging is impossible,
    so B misses Past and Present only; C misses Speaking (A, not assessed) and Writing."""
    children = pd.DataFrame(
        {
            "child": ["A", "B", "C"],
            "FSM eligibility": ["Eligible", "Not eligible", "Eligible"],
            "First language": ["English", "English", "Other than English"],
            **{f"elg{n:02d}": ["2", "2", "2"] for n in range(1, 18)},
        }
    )
    children.loc[1, "elg13"] = "1"
    children.loc[2, "elg02"] = "A"
    children.loc[2, "elg10"] = "1"
    frame = independent.with_goal_measures(children)
    assert list(frame["cll"]) == [True, True, False]
    assert list(frame["FSM eligibility by first language"]) == [
        "Eligible, English",
        "Not eligible, English",
        "Eligible, Other than English",
    ]
    goals = independent.goal_rows(frame).groupby("goal")["expected"].sum()
    assert goals["Speaking"] == 2 and goals["Writing"] == 2 and goals["Past and Present"] == 2
    assert goals["Number"] == 3 and len(goals) == 17
    areas = independent.area_rows(frame).groupby("area")["expected"].sum()
    assert areas["Communication and language"] == 2
    assert areas["Literacy"] == 2
    assert areas["Understanding the world"] == 2
    assert areas["Mathematics"] == 3 and len(areas) == 7


# --------------------------------------------------------------------------------------------
# The attacker finds nothing over the new cells
# --------------------------------------------------------------------------------------------

NEW = {"elg_expected", "area_expected", "cll_expected"}


@pytest.mark.parametrize(
    "spec",
    [
        dict(seed=11, years=1, authorities=1, hoods=3, per_year=150, heard=0.0, rare=0.05),
        dict(seed=12, years=2, authorities=1, hoods=2, per_year=60, heard=0.0, rare=0.2),
    ],
)
def test_the_attacker_finds_nothing_over_the_new_cells(spec):
    values, parents = cohort(*people_of(**spec, lean=0.85))
    assert set(values["indicator_id"]) >= NEW
    assert "Ethnicity" in set(values["breakdown"])
    config = DisclosureConfig(threshold=10, round_to=None, voice_min_respondents=10)
    protected, published = publish(values, parents, config)
    new = protected[
        protected["indicator_id"].isin(NEW)
        | protected["breakdown"].isin(["Ethnicity", "FSM eligibility by first language"])
    ]
    # the new cells include small ones, so there is something to protect
    small = (new["numerator"] < 10) & (new["numerator"] > 0)
    assert small.any()
    assert new.loc[small, "numerator_suppressed"].all()
    findings = attack(protected, published, parents, config)
    narrow = [f for f in findings if f.values < config.threshold]
    assert not narrow, narrow[:5]


def test_published_goals_come_in_seed_order_not_a_to_z():
    """The published table (and so the packs' goals table) lists the goals as the seed
    numbers them; a breakdown with no declared list keeps the cells' order."""
    from indicators.disclosure import in_declared_order
    from indicators.publish.register import shapes
    from tests.cohorts import REGISTER

    seed = [row["elg"] for row in _seed()]
    rows = [
        {"indicator_id": i, "time_period": "202324", "geographic_level": "Local authority"}
        | {"area_code": "E1", "breakdown": b, "group": g}
        for i, b, groups in (
            ("elg_expected", "Early learning goal", sorted(seed)),
            ("gld", "SEN provision", ["EHC plan", "No SEN", "SEN support"]),
        )
        for g in groups
    ]
    ordered = in_declared_order(pd.DataFrame(rows), shapes(REGISTER, 10))
    assert ordered["group"].tolist()[:17] == seed
    assert ordered["group"].tolist()[17:] == ["No SEN", "SEN support", "EHC plan"]
