"""Count units are declared (dbt_project/metadata/units.yml), not written into the code: the
register accepts only declared units, a site adds its own unit with its meaning, and the
packs' "How to read" says what each unit of the pack's indicators means, in the words the
file gives. Expected words are written out here."""

import os
import shutil
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from indicators.declarations import DeclarationError
from indicators.publish.frameworks import default_dir, load_frameworks
from indicators.publish.packs.notes import how_to_read_notes
from indicators.publish.register import metadata_problems
from indicators.stats.indicator_values import trend_method
from indicators.units import parse_units

ROOT = Path(__file__).resolve().parents[1]
PUB = SimpleNamespace(
    la_label="the borough average",
    run=SimpleNamespace(la_word="borough"),
    # school readiness: its second sentence is "What is counted: {units}."
    framework=next(f for f in load_frameworks([default_dir()]) if f.id == "school_readiness"),
)


def _unit_problems(numerator: str, denominator: str) -> list[str]:
    register = pd.DataFrame(
        [
            {
                "model": "ind_care__in_touch",
                "numerator_unit": numerator,
                "denominator_unit": denominator,
            }
        ]
    )
    return [p for p in metadata_problems(register) if "_unit" in p]


def test_the_shipped_units_are_the_only_ones_the_register_accepts():
    assert _unit_problems("children", "children") == []
    assert _unit_problems("young people", "reviews") == []  # the care leavers' (issue 14)
    assert _unit_problems("referrals heard", "referrals") == []  # Early Help's (issue 16)
    assert _unit_problems("households", "households") == []  # Census 2021 (issue 17)
    assert _unit_problems("visits", "score") == [
        "ind_care__in_touch: meta.indicator.numerator_unit 'visits' is not one of "
        "children, families, answers, score, young people, reviews, screenings, referrals, "
        "referrals heard, days, practitioners, households",
        "ind_care__in_touch: meta.indicator.denominator_unit 'score' is not one of "
        "children, families, answers, young people, reviews, screenings, referrals, "
        "referrals heard, practitioners, households",
    ]


def test_a_census_count_is_a_full_count_never_independent():
    from indicators.units import full_count_units, independent_units

    assert full_count_units() == ("households",)
    assert "households" not in independent_units()
    with pytest.raises(DeclarationError, match="full_count: true"):
        parse_units({"units": {"x": {"meaning": "m", "full_count": True, "independent": True}}})


@pytest.fixture
def with_referrals(tmp_path, monkeypatch):
    project = tmp_path / "dbt_project"
    shutil.copytree(ROOT / "dbt_project" / "metadata", project / "metadata")
    units = project / "metadata" / "units.yml"
    units.write_text(
        units.read_text(encoding="utf-8") + "  referrals:\n"
        "    meaning: referrals to Early Help (one per referral, from the case system)\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("CHORUS_DBT_PROJECT", str(project))


def test_a_unit_a_site_declares_is_accepted_and_explained_in_the_pack(with_referrals):
    assert _unit_problems("referrals", "referrals") == []
    what_is_counted = how_to_read_notes(PUB, ["referrals", "score", "young people"])[1]
    assert what_is_counted == (  # in the file's order
        "What is counted: score are points on a scale, summed over the people counted (for "
        "an average); young people are care leavers (one per young person, from the "
        "care-leaver return or their Pathway Plan reviews); referrals are referrals to Early "
        "Help (one per referral, from the case system)."
    )


@pytest.mark.parametrize(
    "document",
    [
        {"units": {"children": "children in the cohort"}},
        {"units": {"children": {"meaning": ""}}},
        {"units": {"score": {"meaning": "points", "denominator": "no"}}},
        {"units": {"score": {"meaning": "points", "denomintor": False}}},
        {"units": {"young people": {"meaning": "care leavers", "independent": "yes"}}},
    ],
)
def test_a_malformed_unit_is_refused_in_one_line(document):
    with pytest.raises(DeclarationError) as refused:
        parse_units(document)
    assert str(refused.value).startswith(f"units: '{next(iter(document['units']))}' must be")
    assert "\n" not in str(refused.value)


def test_only_a_unit_declared_independent_is_compared_and_trended(
    with_referrals, tmp_path, monkeypatch
):
    """Referrals counted once each may be compared between areas and tested for a trend
    once the file says so; until then their figures read "not tested". Young people (care
    leavers, one each) are declared so as shipped."""
    assert trend_method("proportion", "referrals").startswith(
        "Not tested (z): it counts referrals, not people"
    )
    assert not trend_method("proportion", "children").startswith("Not tested")
    assert not trend_method("proportion", "young people").startswith("Not tested")
    assert trend_method("proportion", "answers").startswith("Not tested (z): it counts answers")
    declared = tmp_path / "declared" / "dbt_project"
    shutil.copytree(Path(os.environ["CHORUS_DBT_PROJECT"]), declared)
    units = declared / "metadata" / "units.yml"
    units.write_text(
        units.read_text(encoding="utf-8") + "    independent: true\n", encoding="utf-8"
    )
    monkeypatch.setenv("CHORUS_DBT_PROJECT", str(declared))
    assert trend_method("proportion", "referrals").startswith("Recent trend: the Fingertips")
