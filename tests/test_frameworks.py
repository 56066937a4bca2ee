"""Frameworks, geographies and periods as declarations (issue 13, deliverables 3 and 4).

Expectations are written by hand here: the indicator ids are read from the model YAML with
this file's own code, the framework fixtures and the sentences they should give are typed
out below, and the figures a pack should show are read from the published table as text.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from indicators.declarations import (
    DeclarationError,
    geographies,
    parse_geographies,
    period_type,
)
from indicators.publish.frameworks import (
    FrameworkError,
    framework_problems,
    load_frameworks,
    parse_framework,
)
from indicators.publish.register import declaration_problems

ROOT = Path(__file__).resolve().parents[1]
PACKS_SOURCE = ROOT / "indicators" / "publish" / "packs"
MODELS = ROOT / "dbt_project" / "models" / "indicators"


def _indicator_ids() -> list[str]:
    ids = []
    for path in sorted(MODELS.glob("ind_*.yml")):
        for model in yaml.safe_load(path.read_text())["models"]:
            ids.append(model["config"]["meta"]["indicator"]["indicator_id"])
    return ids


# ----------------------------------------------------------------- packs name no indicator


def test_the_packs_source_names_no_indicator_of_the_register():
    ids = _indicator_ids()
    assert len(ids) == 12 and "gld" in ids  # the register as shipped
    sources = [p for p in PACKS_SOURCE.rglob("*") if p.suffix in (".py", ".j2")]
    assert len(sources) > 10
    found = []
    for path in sources:
        text = path.read_text(encoding="utf-8")
        for indicator_id in ids:
            if re.search(rf"(?<![A-Za-z0-9_]){re.escape(indicator_id)}(?![A-Za-z0-9_])", text):
                found.append(f"{path.name}: {indicator_id}")
        # the brief's own grep, which also catches prefixes of indicator families
        for line in text.splitlines():
            if re.search(r"gld|voice_|linked_|cohort_|school_readiness", line):
                found.append(f"{path.name}: {line.strip()}")
    assert found == []


# ------------------------------------------------------------------- framework declarations

SECOND = """
id: corporate_parenting
title: Early learning for a corporate parenting board (test)
audience:
  name: Corporate parenting board
  levels: {authority: Local authority}
  pack_titles:
    authority: "{area}: corporate parenting board pack"
indicators: [all_elgs_expected, average_elgs_expected]
headline:
  indicator: all_elgs_expected
  heading: "Every goal: the headline"
  words:
    none: "Nothing on every goal for {area}."
    figure: "In {period}, {value}% of children in {area} met every early learning goal
      ({numerator} of {denominator})."
    caution: "A test framework's caution."
    title: "Every goal met, {period}"
    value_column: Every goal (%)
    count_column: Children
    count_sheet: [Children meeting every goal, "Children: all"]
    england_note: England's figure is the DfE's.
sections: [School readiness]
"""


def test_a_framework_naming_what_is_not_declared_is_refused(tmp_path):
    document = yaml.safe_load(SECOND)
    document["indicators"].append("no_such_indicator")
    document["headline"]["indicator"] = "gld"  # in the register, not in this framework
    document["audience"]["levels"] = {"authority": "Local authority", "areas": "Ward"}
    framework = parse_framework(document, "frameworks/test.yml")
    problems = framework_problems([framework], _indicator_ids())
    assert problems == [
        "frameworks/test.yml: indicators: 'no_such_indicator' is not in the register",
        "frameworks/test.yml: headline.indicator: 'gld' is not one of the framework's indicators",
        "frameworks/test.yml: audience.levels.areas: 'Ward' is not a declared geographic "
        "level (National, Regional, Local authority, Local authority district, "
        "Neighbourhood, Team)",
    ]
    inverted = dict(yaml.safe_load(SECOND))
    inverted["audience"] = {
        "name": "x",
        "levels": {"authority": "Neighbourhood", "areas": "Local authority"},
    }
    problems = framework_problems([parse_framework(inverted, "f.yml")], _indicator_ids())
    assert problems == [
        "f.yml: audience.levels.areas: 'Local authority' does not lie within 'Neighbourhood' "
        "(dbt_project/metadata/geographies.yml)"
    ]


def test_a_framework_without_its_headline_words_is_named():
    document = yaml.safe_load(SECOND)
    del document["headline"]["words"]["figure"]
    with pytest.raises(FrameworkError, match=r"f\.yml: headline\.words lacks figure"):
        parse_framework(document, "f.yml")


def test_the_shipped_frameworks_are_consistent_with_the_register():
    frameworks = load_frameworks()
    assert [f.id for f in frameworks] == ["school_readiness"]
    assert framework_problems(frameworks, _indicator_ids()) == []
    shipped = frameworks[0]
    assert shipped.headline.indicator == "gld" and shipped.headline.ambition.value == 75.0
    assert "Plan for Change" in shipped.headline.ambition.source
    assert set(shipped.indicators) == set(_indicator_ids())


def test_two_frameworks_sharing_a_folder_are_refused(tmp_path):
    for name in ("a", "b"):
        document = yaml.safe_load(SECOND)
        document["id"] = name
        document["packs_under"] = "boards/same"
        (tmp_path / f"{name}.yml").write_text(yaml.safe_dump(document))
    with pytest.raises(FrameworkError, match="share a packs_under folder: boards/same"):
        load_frameworks([tmp_path])


# ------------------------------------------------------------- a second framework, a pack


def test_a_second_framework_yaml_adds_its_own_pack(pipeline_run, tmp_path, monkeypatch):
    """A framework YAML in a folder CHORUS_FRAMEWORKS names: the run's packs step writes its
    pack (authority only: its audience has no areas) with its own headline, title and
    sections, beside the school readiness packs, without a line of Python."""
    from indicators.publish.board_packs import write_board_packs

    output = pipeline_run.settings.output
    stage = tmp_path / "stage"
    for folder in ("indicators", "register", "quotes"):
        shutil.copytree(output / folder, stage / folder)
    extra = tmp_path / "frameworks"
    extra.mkdir()
    (extra / "corporate_parenting.yml").write_text(SECOND)
    monkeypatch.setenv("CHORUS_FRAMEWORKS", str(extra))

    class Quiet:
        def info(self, msg):
            return None

        warning = error = info

    written = write_board_packs(pipeline_run.settings, stage, "test-run", Quiet())
    shipped = [p for p in (output / "boards").iterdir() if p.is_dir()]
    mine = sorted(p for p in (stage / "boards" / "corporate_parenting").iterdir())
    assert len(mine) == 1  # the authority only
    assert written.packs == len(shipped) + 1  # every shipped pack, and this one
    assert sorted(
        p.name for p in (stage / "boards").iterdir() if p.name != "corporate_parenting"
    ) == sorted(p.name for p in shipped)
    html = (mine[0] / "pack.html").read_text(encoding="utf-8")

    values = pd.read_csv(output / "indicators" / "indicator_values.csv", dtype=str)
    la = values[
        (values["indicator_id"] == "all_elgs_expected")
        & (values["geographic_level"] == "Local authority")
        & (values["breakdown"] == "All")
    ].sort_values("time_period")
    latest = la.iloc[-1]
    name = latest["area_name"]
    period = f"{latest['time_period'][:4]}/{latest['time_period'][4:]}"
    expected = (
        f"In {period}, {latest['value']}% of children in {name} met every early learning "
        f"goal ({int(latest['numerator']):,} of {int(latest['denominator']):,})."
    )
    assert expected in html
    assert f"<title>{name}: corporate parenting board pack" in html
    assert '<h2 id="headline-h">Every goal: the headline</h2>' in html
    assert "A test framework&#39;s caution." in html or "A test framework's caution." in html
    assert "ambition" not in html.lower()
    assert "across the neighbourhoods" not in html  # its audience has no areas to rank
    headings = re.findall(r'<section class="part[^"]*" id="([^"]+)"', html)
    assert "school-readiness" in headings
    assert "who-we-heard-from" not in headings and "play-and-learning-at-home" not in headings
    claims = pd.read_csv(mine[0] / "claims.csv", dtype=str)
    assert set(claims["indicator_id"]) <= {"all_elgs_expected", "average_elgs_expected"}
    listing = pd.read_csv(output / "register" / "frameworks.csv", dtype=str)
    assert set(listing["framework_id"]) == {"school_readiness"}
    assert listing.loc[listing["indicator_id"] == "gld", "audience"].tolist() == [
        "Neighbourhood board"
    ]


# ------------------------------------------------------------------ geographies and periods


def test_the_declared_hierarchy():
    levels = geographies()
    assert levels.national == "National"
    assert levels.ancestors("Neighbourhood") == ("Local authority", "Regional", "National")
    assert levels.parent("Team") == "Local authority"
    assert levels.parent("Local authority district") == "Local authority"
    with pytest.raises(DeclarationError, match="'Ward' is not declared"):
        levels.level("Ward")


def test_a_hierarchy_with_a_cycle_or_two_roots_is_refused():
    with pytest.raises(DeclarationError, match="lies within itself"):
        parse_geographies(
            {
                "levels": [
                    {"name": "National"},
                    {"name": "A", "within": "B"},
                    {"name": "B", "within": "A"},
                ]
            }
        )
    with pytest.raises(DeclarationError, match="exactly one level"):
        parse_geographies({"levels": [{"name": "National"}, {"name": "Elsewhere"}]})


@pytest.mark.parametrize(
    ("kind", "time_period", "identifier", "expected_identifier", "next_period", "next_identifier"),
    [
        ("academic_year", "202324", None, "Academic year", "202425", None),
        ("financial_year", "202425", None, "Financial year", "202526", None),
        ("calendar_year", "2024", None, "Calendar year", "2025", None),
        ("calendar_quarter", "2024", "CYQ4", "Calendar year Q1", "2025", "Calendar year Q1"),
        ("financial_quarter", "202425", "FYQ2", "Financial year Q1", "202425", "FYQ3"),
        ("month", "2024", "December", "January", "2025", "M01"),
    ],
)
def test_period_types_and_consecutive_periods(
    kind, time_period, identifier, expected_identifier, next_period, next_identifier
):
    declared = period_type(kind)
    assert declared.time_identifier == expected_identifier
    here = declared.ordinal(time_period, identifier)
    assert declared.ordinal(next_period, next_identifier) == here + 1


def test_a_time_period_written_for_another_type_is_refused():
    with pytest.raises(DeclarationError, match="not a academic year|not a academic"):
        period_type("academic_year").ordinal("2024")
    with pytest.raises(DeclarationError, match="'202326'"):
        period_type("financial_year").ordinal("202326")
    assert period_type(None).name == "academic_year"  # an indicator declaring none


def test_an_undeclared_level_or_period_type_is_refused():
    assert (
        declaration_problems(
            {"levels": ["Local authority", "Neighbourhood"], "period_type": "academic_year"}
        )
        == []
    )
    problems = declaration_problems({"levels": ["Ward"], "period_type": "school_term"})
    assert problems[0].startswith("levels: 'Ward' is not a declared geographic level")
    assert problems[1].startswith("period_type 'school_term' is not a declared period type")
    missing = declaration_problems({})
    assert [p.split(":")[0] for p in missing] == [
        "meta.indicator.levels is missing",
        "meta.indicator.period_type is missing",
    ]


def test_the_register_check_names_an_undeclared_period_in_the_file(tmp_path):
    from indicators.publish.register_check import unfinished_indicators

    for path in MODELS.glob("ind_school_readiness__gld.*"):
        shutil.copy(path, tmp_path / path.name)
    yml = tmp_path / "ind_school_readiness__gld.yml"
    yml.write_text(yml.read_text().replace("period_type: academic_year", "period_type: term"))
    problems = unfinished_indicators(tmp_path)
    assert len(problems) == 1
    assert any(
        text.startswith("period_type 'term' is not a declared period type")
        for text in problems[0].invalid
    )
