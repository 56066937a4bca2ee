"""The information map on hand-built declarations (issue 17, items 1-3): its headline counts,
the theory of change's coverage, and the one-line messages for seeds that break their rules.
Every expectation below is worked out by hand from the rows written here."""

from pathlib import Path

import pandas as pd
import pytest

from indicators.publish.information_inputs import (
    InformationInputError,
    load_inventory,
    load_theory,
    outcome_problems,
)
from indicators.publish.information_map import build_map, summary_table
from indicators.publish.information_map_page import render_information_map_html

INVENTORY = """id,name,topic,owner_or_service,level,basis,voice,ingested_by_chorus
s1,Profile return,early years,Schools,aggregate,statutory,none,k1
s2,Parent survey,early years,Early Years,aggregate,local,parent,k2
s3,Learning journals,early years,Settings,operational,local,child,
s4,Immunisations,early years,Public health,aggregate,statutory,none,
s5,Practitioner survey,early years,Early Years,aggregate,local,practitioner,k3
s6,EHC plan views,early years,SEND,operational,statutory,child;parent,
"""
THEORY = """id,level,text,parent_id
v,vision,Children thrive,
lt1,long_term,Children are ready for school,v
lt2,long_term,Boards hear seldom-heard parents,v
in1,intermediate,Parents' views are captured,lt1
a1,activity,Engage seldom-heard families,in1
"""
KIND_TABLES = {"k1": ("t1",), "k2": ("t2", "t2_answers"), "k3": ("t3",), "k4": ("t4",)}
LINEAGE = pd.DataFrame(
    [
        ("i1", "t1"),
        ("i1", "lookup"),  # a reference table: no source kind
        ("i2", "t2"),
        ("i4", "t2_answers"),
        ("i3", "t3"),
    ],
    columns=["indicator_id", "source_table"],
)
REGISTER = pd.DataFrame(
    [
        ("i1", "Ready at five", "Children are ready for school"),
        ("i2", "Parents heard", "Parents' views are captured"),
        ("i3", "Practitioners agree", "Something no theory names"),
        ("i4", "Answers positive", "Engage seldom-heard families"),
    ],
    columns=["indicator_id", "title", "outcome"],
)
FRAMEWORKS = pd.DataFrame(
    [("p1", "Board pack", "i1"), ("p1", "Board pack", "i2"), ("p2", "Other pack", "i4")],
    columns=["framework_id", "framework_title", "indicator_id"],
)


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def information(tmp_path):
    inventory = load_inventory(_write(tmp_path, "inv.csv", INVENTORY), KIND_TABLES, "inv.csv")
    theory = load_theory(_write(tmp_path, "toc.csv", THEORY), "toc.csv")
    return build_map(inventory, theory, KIND_TABLES, LINEAGE, REGISTER, FRAMEWORKS)


def test_headline_counts_on_a_hand_built_inventory(information):
    # s1 -> i1 (p1), s2 -> i2 (p1) and i4 (p2): two reach a board. s5 -> i3, in no pack;
    # s3, s4, s6 are not ingested: four never do, three of them with a voice (s3, s5, s6).
    assert information.headline() == (
        "6 information sources collected, 2 reach a board, 4 never do, of which 3 carry "
        "the voice of a child, parent or practitioner."
    )
    facts = summary_table(information).set_index("fact")
    assert facts.loc["information sources collected", "count"] == 6
    assert facts.loc["sources Chorus ingests", "items"] == "s1;s2;s5"
    assert facts.loc["sources reaching a board", "items"] == "s1;s2"
    assert facts.loc["sources never reaching a board", "items"] == "s3;s4;s5;s6"
    assert facts.loc["sources never reaching a board that carry voice", "items"] == "s3;s5;s6"
    assert facts.loc["indicators shown in no pack", "items"] == "i3"
    assert facts.loc["source kinds Chorus ingests that the inventory does not list", "items"] == (
        "k4"
    )


def test_which_sources_reach_which_indicators_packs_and_outcomes(information):
    sources = information.sources.set_index("id")
    assert sources.loc["s2", "indicators"] == ("i2", "i4")  # through both of k2's tables
    assert sources.loc["s2", "frameworks"] == ("p1", "p2")
    assert sources.loc["s2", "outcomes"] == ("a1", "in1")
    assert sources.loc["s1", "indicators"] == ("i1",)  # the lookup table adds no source
    assert sources.loc["s4", "indicators"] == ()
    links = set(map(tuple, information.links[["from_id", "to_type", "to_id"]].values))
    assert links == {
        ("s1", "indicator", "i1"),
        ("s2", "indicator", "i2"),
        ("s2", "indicator", "i4"),
        ("s5", "indicator", "i3"),
        ("i1", "framework", "p1"),
        ("i2", "framework", "p1"),
        ("i4", "framework", "p2"),
        ("i1", "outcome", "lt1"),
        ("i2", "outcome", "in1"),
        ("i4", "outcome", "a1"),
    }


def test_theory_of_change_coverage(information):
    # lt2 has no indicator; the vision and the activity are not outcomes to cover.
    assert list(information.unmeasured_outcomes["id"]) == ["lt2"]
    # i3's outcome is in no row of the theory of change: it serves no outcome.
    assert list(information.indicators_without_outcome["indicator_id"]) == ["i3"]
    facts = summary_table(information).set_index("fact")
    assert facts.loc["outcomes no indicator measures", "items"] == "lt2"
    assert facts.loc["indicators serving no outcome in the theory of change", "items"] == "i3"


def test_an_outcome_not_in_the_theory_of_change_is_refused_by_name(tmp_path):
    theory = load_theory(_write(tmp_path, "toc.csv", THEORY), "toc.csv")
    problems = outcome_problems(
        {
            "i1": "Children are ready for school",
            "i2": "Children are ready for schools",
            "i3": "Children thrive",
        },
        theory,
        "seeds/theory_of_change.csv",
    )
    assert problems == [
        "indicator i2: meta.indicator.outcome 'Children are ready for schools' is not an "
        "outcome in seeds/theory_of_change.csv (closest: 'Children are ready for school'); "
        "write an outcome's text exactly as the theory of change has it, or add the outcome "
        "there",
        "indicator i3: meta.indicator.outcome 'Children thrive' is the vision, too broad to "
        "measure; link a long-term or intermediate outcome; write an outcome's text exactly "
        "as the theory of change has it, or add the outcome there",
    ]


def test_invalid_inventory_rows_are_named_one_line_each(tmp_path):
    bad = INVENTORY.replace(
        "s3,Learning journals,early years,Settings,operational,local,child,",
        "s3,Learning journals,early years,Settings,strategic,local,carer,",
    ).replace(
        "s5,Practitioner survey,early years,Early Years,aggregate,local,practitioner,k3",
        "s1,Practitioner survey,early years,Early Years,aggregate,local,none;parent,k9",
    )
    with pytest.raises(InformationInputError) as raised:
        load_inventory(_write(tmp_path, "inv.csv", bad), KIND_TABLES, "inv.csv")
    assert raised.value.problems == [
        "inv.csv, row 6, column id: 's1' is already used in row 2 (rule: unique); give each "
        "row its own id",
        "inv.csv, row 4, column level: 'strategic' is not one of operational, aggregate "
        "(rule: level)",
        "inv.csv, row 4, column voice: 'carer' is not one of child, parent, practitioner, "
        "none (rule: voice; several voices are written 'parent;child', never with none)",
        "inv.csv, row 6, column voice: 'none;parent' is not one of child, parent, "
        "practitioner, none (rule: voice; several voices are written 'parent;child', never "
        "with none)",
        "inv.csv, row 6, column ingested_by_chorus: 'k9' has no source spec (rule: a Chorus "
        "source kind, sources/<kind>/base.yml: k1, k2, k3, k4); leave it blank for a source "
        "Chorus does not ingest",
    ]
    assert all("\n" not in problem for problem in raised.value.problems)


def test_a_missing_column_and_a_bad_theory_row_are_named(tmp_path):
    with pytest.raises(InformationInputError) as raised:
        load_inventory(
            _write(tmp_path, "inv.csv", INVENTORY.replace(",voice,", ",voices,")),
            KIND_TABLES,
            "inv.csv",
        )
    assert raised.value.problems[0].startswith(
        "inv.csv, row 1 (the header), column voice: the column is missing"
    )
    theory = THEORY + "a2,activity,Trial it,lt9\nin2,intermediate,Heard,a1\n"
    with pytest.raises(InformationInputError) as raised:
        load_theory(_write(tmp_path, "toc.csv", theory), "toc.csv")
    assert raised.value.problems == [
        "toc.csv, row 7, column parent_id: 'lt9' is not the id of any row (rule: parent)",
        "toc.csv, row 8, column parent_id: 'a1' is an activity row; an intermediate row "
        "serves a row of an earlier level (vision, long_term) (rule: parent)",
    ]


def test_the_page_has_a_labelled_map_and_tables_with_the_same_facts(information):
    html = render_information_map_html(information, "2025-01-01")
    assert 'role="img"' in html and 'aria-labelledby="map-title map-desc"' in html
    assert html.count("<table>") == 3 and '<th scope="col">' in html
    assert information.headline() in html
    for name in ("Profile return", "Learning journals", "EHC plan views"):
        assert html.count(name) >= 2  # in the map and in a table
    assert "Boards hear seldom-heard parents" in html.split('id="tables"')[1]


def test_the_shipped_seeds_are_valid_and_every_outcome_is_in_the_theory():
    from indicators.publish.register_check import information_map_line
    from orchestration.dbt_setup import INDICATOR_MODELS_DIR

    assert information_map_line(INDICATOR_MODELS_DIR) is None
