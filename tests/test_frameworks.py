"""Frameworks, geographies and periods as declarations (issue 13, deliverables 3 and 4).

Expectations are written by hand here: the indicator ids are read from the model YAML with
this file's own code, the framework fixtures and the sentences they should give are typed
out below, and the figures a pack should show are read from the published table as text.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
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
    default_dir,
    framework_problems,
    load_frameworks,
    parse_framework,
)
from indicators.publish.register import declaration_problems
from tests.console import one_line_and_the_log

ROOT = Path(__file__).resolve().parents[1]
PACKS_SOURCE = ROOT / "indicators" / "publish" / "packs"
MODELS = ROOT / "dbt_project" / "models" / "indicators"


def _register() -> dict[str, dict]:
    """indicator id -> meta.indicator, read from the model YAML here (not by the code tested)."""
    register = {}
    for path in sorted(MODELS.glob("ind_*.yml")):
        for model in yaml.safe_load(path.read_text())["models"]:
            meta = model["config"]["meta"]["indicator"]
            register[meta["indicator_id"]] = meta
    return register


def _indicator_ids() -> list[str]:
    return list(_register())


ITEM_DOMAINS = set(pd.read_csv(ROOT / "seeds" / "voice_items.csv")["domain"])


# ----------------------------------------------------------------- packs name no indicator


def test_the_packs_source_names_no_indicator_of_the_register():
    ids = _indicator_ids()
    shipped = {"gld", "cl_no_voice_review", "ec_journey_gld", "eh_step_up"}
    assert len(ids) == 67 and shipped <= set(ids)
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
subject: children in care's early learning
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
    problems = framework_problems([framework], _register(), ITEM_DOMAINS)
    assert problems == [
        "frameworks/test.yml: indicators: 'no_such_indicator' is not in the register",
        "frameworks/test.yml: headline.indicator: 'gld' is not one of the framework's indicators",
        "frameworks/test.yml: audience.levels.areas: 'Ward' is not a declared geographic "
        "level (National, Regional, English devolved area, Local authority, Local authority "
        "district, Neighbourhood, Team)",
    ]
    inverted = dict(yaml.safe_load(SECOND))
    inverted["audience"] = {
        "name": "x",
        "levels": {"authority": "Neighbourhood", "areas": "Local authority"},
    }
    problems = framework_problems([parse_framework(inverted, "f.yml")], _register(), ITEM_DOMAINS)
    assert problems == [
        "f.yml: audience.levels.areas: 'Local authority' does not lie within 'Neighbourhood' "
        "(dbt_project/metadata/geographies.yml)"
    ]


def test_a_framework_without_its_headline_words_is_named():
    document = yaml.safe_load(SECOND)
    del document["headline"]["words"]["figure"]
    with pytest.raises(FrameworkError, match=r"f\.yml: headline\.words lacks figure"):
        parse_framework(document, "f.yml")
    document["headline"]["words"]["figure"] = None  # given with no value: lacking too
    document["headline"]["words"]["count_sheet"] = None
    with pytest.raises(FrameworkError) as refused:
        parse_framework(document, "f.yml")
    assert str(refused.value) == "f.yml: headline.words lacks figure, count_sheet"
    document["headline"]["words"]["figure"] = "In {period}, {value}%."
    document["headline"]["words"]["count_sheet"] = ["Children"]
    with pytest.raises(FrameworkError) as refused:
        parse_framework(document, "f.yml")
    assert str(refused.value) == (
        "f.yml: headline.words.count_sheet: names the spreadsheet's two count columns "
        "(the numerator's and the denominator's), not 1"
    )


def test_the_shipped_frameworks_are_consistent_with_the_register():
    frameworks = load_frameworks()
    assert [f.id for f in frameworks] == [
        "care_leavers",
        "combined_authority",
        "early_help",
        "school_readiness",
    ]
    assert framework_problems(frameworks, _register(), ITEM_DOMAINS) == []
    care, combined, early_help, shipped = frameworks
    assert shipped.headline.indicator == "gld" and shipped.headline.ambition.value == 75.0
    assert "Plan for Change" in shipped.headline.ambition.source
    assert care.headline.indicator == "cl_suitable_accommodation" and care.area_level == "Team"
    assert early_help.area_level == "Local authority district"
    assert [m.source for m in early_help.markers] == ["staging.stg_reference__early_help_trials"]
    # the combined authority's pack (issue 18): school readiness across its authorities,
    # one pack for the combined authority, with funnel plots
    assert combined.authority_level == "English devolved area"
    assert combined.area_level == "Local authority" and combined.area_packs is False
    assert set(combined.indicators) <= set(shipped.indicators)
    assert [f.indicator for f in combined.funnels] == ["gld", "cll_expected", "all_elgs_expected"]
    # every indicator of the register is in one of the authorities' frameworks' packs, and in
    # one only (the combined authority's shows a few of school readiness's again)
    owned = [shipped.indicators, care.indicators, early_help.indicators]
    assert set().union(*owned) == set(_indicator_ids())
    assert sum(len(set(o)) for o in owned) == len(_indicator_ids())


def _write(folder: Path, document: dict, name: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name or document['id']}.yml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True))
    return path


def _refusal(folders: list[Path]) -> str:
    with pytest.raises(FrameworkError) as refused:
        load_frameworks(folders)
    return str(refused.value)


def test_two_frameworks_sharing_a_folder_are_refused(tmp_path):
    for name in ("a", "b"):
        document = yaml.safe_load(SECOND)
        document["id"] = name
        document["packs_under"] = "boards-same"
        _write(tmp_path, document)
    assert _refusal([tmp_path]) == (
        f"{tmp_path}/a.yml and {tmp_path}/b.yml: both write packs into packs_under 'boards-same'"
    )


def test_a_folder_inside_another_frameworks_folder_is_refused(tmp_path):
    document = yaml.safe_load(SECOND)
    document["packs_under"] = "boards/corporate_parenting"  # inside the shipped boards/
    _write(tmp_path, document)
    assert _refusal([default_dir(), tmp_path]) == (
        f"{tmp_path}/corporate_parenting.yml: packs_under 'boards/corporate_parenting' is "
        "inside dbt_project/frameworks/school_readiness.yml's packs_under 'boards': give it "
        "its own folder"
    )
    # without packs_under, a framework's packs go beside boards/, not inside it
    del document["packs_under"]
    _write(tmp_path, document)
    frameworks = load_frameworks([default_dir(), tmp_path])
    assert [f.packs_under for f in frameworks] == [
        "boards-care-leavers",
        "boards-combined-authority",
        "boards-early-help",
        "boards",
        "boards-corporate_parenting",
    ]


def test_an_id_used_twice_names_both_files(tmp_path):
    document = yaml.safe_load(SECOND)
    _write(tmp_path / "one", document)
    document["packs_under"] = "elsewhere"
    _write(tmp_path / "two", document)
    assert _refusal([tmp_path / "one", tmp_path / "two"]).startswith(
        f"{tmp_path}/one/corporate_parenting.yml and {tmp_path}/two/corporate_parenting.yml: "
        "both declare id 'corporate_parenting'"
    )


@pytest.mark.parametrize(
    ("framework_id", "file_name", "expected"),
    [
        (
            "Corporate-Parenting",
            "Corporate-Parenting",
            "id: 'Corporate-Parenting' is not a safe name (lower case letters, digits and "
            "underscores, starting with a letter, at most 63)",
        ),
        (
            "../boards",
            "x",
            "id: '../boards' is not a safe name (lower case letters, digits and "
            "underscores, starting with a letter, at most 63)",
        ),
        (
            "corporate_parenting",
            "cp",
            "id: 'corporate_parenting' is not the file's name: call the file "
            "corporate_parenting.yml or the id cp",
        ),
    ],
)
def test_an_unsafe_id_or_one_that_is_not_the_files_name_is_refused(
    tmp_path, framework_id, file_name, expected
):
    document = yaml.safe_load(SECOND)
    document["id"] = framework_id
    _write(tmp_path, document, file_name)
    assert _refusal([tmp_path]) == f"{tmp_path}/{file_name}.yml: {expected}"


@pytest.mark.parametrize(
    ("packs_under", "why"),
    [
        ("../outside", "must be a relative folder of letters, digits, ., - and _"),
        ("boards/../../etc", "must be a relative folder of letters, digits, ., - and _"),
        ("/tmp/packs", "must be a folder inside the publication, not absolute"),
        ("register", "is in the publication's own register/"),
        ("open-data/packs", "is in the publication's own open-data/"),
        ("quality", "is in the publication's own quality/"),
        ("manifest.json", "is in the publication's own manifest.json/"),
        ("Register", "is in the publication's own register/ (in any case;"),  # one folder on
        ("Quality/packs", "is in the publication's own quality/ (in any case;"),  # Windows, macOS
        ("", None),  # blank: the default folder, boards-<id>
    ],
)
def test_packs_under_must_be_a_free_folder_inside_the_publication(tmp_path, packs_under, why):
    document = yaml.safe_load(SECOND)
    document["packs_under"] = packs_under
    if why is None:
        assert parse_framework(document, "f.yml").packs_under == "boards-corporate_parenting"
        return
    with pytest.raises(FrameworkError) as refused:
        parse_framework(document, "frameworks/cp.yml")
    assert str(refused.value).startswith(f"frameworks/cp.yml: packs_under: '{packs_under}' {why}")


def test_every_folder_the_publish_step_writes_is_refused_as_packs_under(pipeline_run):
    """Found in a real publication, not from the code's list."""
    published = sorted(p.name for p in pipeline_run.settings.output.iterdir())
    assert {"indicators", "register", "quality", "open-data", "boards"} <= set(published)
    shipped = {f.packs_under for f in load_frameworks()}  # the shipped frameworks' own folders
    assert shipped == {
        "boards",
        "boards-care-leavers",
        "boards-combined-authority",
        "boards-early-help",
    }
    # one borough has no combined authority's figures: that framework writes no pack
    assert shipped - {"boards-combined-authority"} <= set(published)
    assert "boards-combined-authority" not in published
    for name in published:
        if name in shipped:
            continue
        document = yaml.safe_load(SECOND)
        document["packs_under"] = f"{name}/packs"
        with pytest.raises(FrameworkError, match=f"is in the publication's own {re.escape(name)}/"):
            parse_framework(document, "f.yml")


def test_the_quality_report_counts_each_frameworks_pack_files_by_folder():
    from indicators.publish.quality_report import QualityReport, _published

    report = QualityReport(
        run_id="r",
        generated_at="t",
        accounts=pd.DataFrame(),
        rejections=pd.DataFrame(),
        published=[
            ("boards/eastfield/pack.html", 100),
            ("boards/eastfield/pack.pdf", 200),
            ("boards-corporate_parenting/harrowdale/pack.html", 50),
            ("register/frameworks.csv", 7),
        ],
    )
    html = _published(report)
    assert "<code>boards/</code>: 2 board pack files" in html
    assert "<code>boards-corporate_parenting/</code>: 1 board pack files" in html
    assert "<code>register/frameworks.csv</code>" in html
    assert "harrowdale/pack.html" not in html


def test_a_headline_that_is_not_a_proportion_is_refused():
    document = yaml.safe_load(SECOND)
    document["headline"]["indicator"] = "average_elgs_expected"  # a mean, in ELGs
    problems = framework_problems(
        [parse_framework(document, "frameworks/cp.yml")], _register(), ITEM_DOMAINS
    )
    assert problems == [
        "frameworks/cp.yml: headline.indicator: 'average_elgs_expected' is a mean "
        "(ELGs (0 to 17)), not a proportion in %: the headline shows a percentage with its "
        "numerator, denominator and 95% interval and the ambition line"
    ]
    document["indicators"].append("voice_reach")
    document["headline"]["indicator"] = "voice_reach"  # a rate per 100 children
    problems = framework_problems([parse_framework(document, "f.yml")], _register(), ITEM_DOMAINS)
    assert [p.split(" is a ")[0] for p in problems] == ["f.yml: headline.indicator: 'voice_reach'"]
    assert "is a rate (per 100 children), not a proportion" in problems[0]


def test_everything_a_framework_names_is_checked_one_line_each():
    document = yaml.safe_load(SECOND)
    document["indicators"] += ["voice_item_positive", "voice_reach_group"]
    document["headline"]["words"]["figure"] = "In {period}, {percent}% of children."
    document["headline"]["words"]["none"] = "Nothing for {area."
    document["headline"]["words"]["caution"] = "Read it with {area}."
    document["headline"]["words"]["title"] = "Every goal, {period:>10}"
    document["audience"]["pack_titles"]["authority"] = "{area} ({board})"
    document["sections"] = ["School readiness", "Play and learning at home", "Ofsted"]
    document["who_we_heard"] = {
        "section": "Who answered",
        "indicators": ["voice_reach_group", "gld"],
        "groups": "voice_reach_group",
        "groups_breakdown": "Seldom heard",
    }
    document["trend_charts"] = {"sections": ["Schools"], "indicators": ["voice_reach"]}
    document["breakdowns"] = {
        "items": "Voice item",
        "domains": "Voice domains",
        "answers": "Question: ",
        "folded": ["voice_item_positive", "voice_item_mean"],
    }
    document["glance"] = [
        {"section": "Who answered", "indicator": "voice_reach_group"},
        {"section": "Nowhere", "indicator": "all_elgs_expected", "breakdown": "Gender"},
        {"indicator": "voice_item_positive", "breakdown": "Voice item: read_together"},
    ]
    problems = framework_problems(
        [parse_framework(document, "frameworks/cp.yml")], _register(), ITEM_DOMAINS
    )
    assert problems == [
        "frameworks/cp.yml: who_we_heard.indicators: 'gld' is not one of the framework's "
        "indicators",
        "frameworks/cp.yml: trend_charts.indicators: 'voice_reach' is not one of the "
        "framework's indicators",
        "frameworks/cp.yml: breakdowns.folded: 'voice_item_mean' is not one of the "
        "framework's indicators",
        "frameworks/cp.yml: sections[2]: 'Ofsted' is no register domain or voice item domain",
        "frameworks/cp.yml: trend_charts.sections: 'Schools' is no register domain, voice "
        "item domain or declared section",
        "frameworks/cp.yml: glance[1].section: 'Nowhere' is no register domain, voice item "
        "domain or declared section",
        "frameworks/cp.yml: breakdowns.domains: 'Voice domains' is not a breakdown any "
        "indicator of the register declares",
        "frameworks/cp.yml: who_we_heard.groups_breakdown: 'Seldom heard' is not a breakdown "
        "any indicator of the register declares",
        "frameworks/cp.yml: glance[1].breakdown: 'Gender' is not a breakdown any indicator "
        "of the register declares",
        "frameworks/cp.yml: breakdowns.answers: no breakdown of the register starts with "
        "'Question: '",
        "frameworks/cp.yml: audience.pack_titles.authority: unknown placeholder {board} (it "
        "takes {area}, {la_word})",
        "frameworks/cp.yml: headline.words.none: a stray brace in 'Nothing for {area.' (it "
        "takes {area}; write {{ for a brace)",
        "frameworks/cp.yml: headline.words.figure: unknown placeholder {percent} (it takes "
        "{area}, {period}, {value}, {numerator}, {denominator}, {lower}, {upper})",
        "frameworks/cp.yml: headline.words.caution: takes no placeholders, but has a brace: "
        "'Read it with {area}.'",
        "frameworks/cp.yml: headline.words.title: unknown placeholder {period:>10} (it takes "
        "{area}, {period})",
    ]


def test_a_run_on_a_bad_framework_stops_before_anything_is_built(tmp_path):
    """`chorus run` with CHORUS_FRAMEWORKS naming a framework with an unknown placeholder:
    one line naming the file and key, the log, and no publication, no warehouse."""
    from indicators.synthetic.generate import generate

    landing = tmp_path / "landing"
    generate(landing, seed=3, children_per_year=300, years=["2023/24"])
    document = yaml.safe_load(SECOND)
    document["headline"]["words"]["figure"] = "In {period}, {percent}% met every goal."
    bad = _write(tmp_path / "frameworks", document)
    output = tmp_path / "output"
    env = {
        **os.environ,
        "CHORUS_HOME": str(tmp_path / "home"),
        "CHORUS_PSEUDONYM_KEY": "test-key",
        "CHORUS_LANDING": str(landing),
        "CHORUS_OUTPUT": str(output),
        "CHORUS_FRAMEWORKS": str(bad.parent),
    }
    result = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "run", "--landing", str(landing)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode != 0
    reason, _ = one_line_and_the_log(result.stderr, result.stdout)
    assert reason == (
        "the frameworks name what is not declared, so nothing was built or published: "
        f"{bad}: headline.words.figure: unknown placeholder {{percent}} (it takes {{area}}, "
        "{period}, {value}, {numerator}, {denominator}, {lower}, {upper}) "
        "(README.md, Adding a framework)"
    )
    assert not output.exists() or not any(output.iterdir())
    assert not (tmp_path / "home" / "chorus.duckdb").exists()


def test_who_we_heard_words_take_their_own_placeholders_only():
    document = yaml.safe_load(SECOND)
    document["indicators"].append("voice_reach")
    document["who_we_heard"] = {
        "section": "Who answered",
        "heading": "Who answered, and who did not",
        "indicators": ["voice_reach"],
        "reach": "voice_reach",
        "words": {
            "no_survey": "No survey for {area}.",
            "limits": "Survey results for {area}: see “{heading}”.",
        },
    }
    problems = framework_problems([parse_framework(document, "f.yml")], _register(), ITEM_DOMAINS)
    assert problems == [
        "f.yml: who_we_heard.words.limits: unknown placeholder {area} (it takes {heading})",
    ]
    document["who_we_heard"]["words"]["intro"] = "Hello."  # refused as it is read
    with pytest.raises(FrameworkError) as refused:
        parse_framework(document, "f.yml")
    assert str(refused.value) == (
        "f.yml: who_we_heard.words.intro: unknown key (the keys known under "
        "who_we_heard.words: no_survey, who_answered, limits)"
    )


def test_subject_and_who_heading_default_to_the_title_and_section():
    document = yaml.safe_load(SECOND)
    del document["subject"]
    framework = parse_framework(document, "f.yml")
    assert framework.subject == "Early learning for a corporate parenting board (test)"
    document["who_we_heard"] = {"section": "Who answered", "indicators": []}
    assert parse_framework(document, "f.yml").who.heading == "Who answered"
    shipped = next(f for f in load_frameworks([default_dir()]) if f.id == "school_readiness")
    assert shipped.subject == "children's early years"
    assert shipped.who.heading == "Who we heard from, and who we did not"
    assert shipped.words["limits"][2] == (  # worded in its place among the limits
        "Survey results describe the families who answered, not every family: see “{who_heading}”."
    )


# ------------------------------------------- every key known, of its type, given once (review)

SHIPPED = ROOT / "dbt_project" / "frameworks" / "school_readiness.yml"


def _copy_of_the_shipped(folder: Path, edit) -> Path:
    """The shipped framework as a new one (id t, its own folder), its text edited by `edit`."""
    text = SHIPPED.read_text(encoding="utf-8")
    text = text.replace("id: school_readiness", "id: t").replace(
        "packs_under: boards ", "packs_under: boards-t "
    )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "t.yml"
    edited = edit(text)
    path.write_bytes(edited if isinstance(edited, bytes) else edited.encode("utf-8"))
    return path


def test_a_copy_of_the_shipped_framework_is_read_as_it_is(tmp_path):
    path = _copy_of_the_shipped(tmp_path / "fw", lambda text: text)
    (framework,) = load_frameworks([path.parent])
    assert framework.id == "t" and framework.sections[0] == "School readiness"


TOP_KEYS = (
    "id, title, subject, audience, packs_under, indicators, headline, sections, "
    "who_we_heard, trend_charts, breakdowns, glance, words, beside, side_by_side, group_charts, "
    "statements, markers, funnels"
)


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        (
            "\nsections:",
            "\nsectons:",
            f"sectons: unknown key (the keys known at the top: {TOP_KEYS}; "
            "did you mean `sections`?)",
        ),
        (
            "trend_charts:",
            "trend_chart:",
            f"trend_chart: unknown key (the keys known at the top: {TOP_KEYS}; "
            "did you mean `trend_charts`?)",
        ),
        (
            '  heading: "School readiness: the headline"',
            '  headng: "School readiness: the headline"',
            "headline.headng: unknown key (the keys known under headline: indicator, heading, "
            "ambition, words; did you mean `heading`?)",
        ),
        (
            "  - {section: School readiness, indicator: gld}",
            "  - {section: School readiness, indicator: gld, colour: red}",
            "glance[0].colour: unknown key (the keys known under glance[0]: section, "
            "indicator, breakdown)",
        ),
    ],
)
def test_an_unknown_key_at_any_level_is_refused(tmp_path, old, new, said):
    path = _copy_of_the_shipped(tmp_path / "fw", lambda text: text.replace(old, new, 1))
    assert _refusal([path.parent]) == f"{path}: {said}"


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        (
            "who_we_heard:\n  section: Who we heard from\n",
            'who_we_heard: "yes"\nold_who:\n  section: Who we heard from\n',
            "who_we_heard: must be a mapping of keys (section, heading, indicators, reach, "
            "channels, groups, groups_breakdown, cohort_shares, words), not the text 'yes'",
        ),
        (
            '  pack_titles:\n    authority: "{area}: {la_word}-wide board pack"\n'
            '    areas: "{area}: neighbourhood board pack"\n',
            '  pack_titles: "{area} pack"\n',
            "audience.pack_titles: must be a mapping of keys (authority, areas), "
            "not the text '{area} pack'",
        ),
        (
            'count_sheet: [Children at a good level, "Children: all"]',
            "count_sheet: Children",
            "headline.words.count_sheet: must be a list of texts, not the text 'Children'",
        ),
        (
            "value: 75.0",
            "value: high",
            "headline.ambition.value: must be a number, not the text 'high'",
        ),
        (
            "  - gld\n",
            "  - 7\n",
            "indicators[0]: must be a text (in quotes if it looks like "
            "another type), not 7 (a number)",
        ),
        (
            "indicators:\n  - gld\n",
            "indicators: gld\nold_indicators:\n  - gld\n",
            "indicators: must be a list of texts, not the text 'gld'",
        ),
        (
            "sections:\n  - School readiness\n",
            "sections: School readiness\nx:\n  - y\n",
            "sections: must be a list of texts, not the text 'School readiness'",
        ),
        (
            "folded: [voice_item_positive, voice_item_mean]",
            "folded: voice_item_positive",
            "breakdowns.folded: must be a list of texts, not the text 'voice_item_positive'",
        ),
    ],
)
def test_a_key_of_the_wrong_type_is_one_line_naming_file_and_key(tmp_path, old, new, said):
    def edit(text: str) -> str:
        assert old in text
        return text.replace(old, new, 1)

    path = _copy_of_the_shipped(tmp_path / "fw", edit)
    assert _refusal([path.parent]) == f"{path}: {said}"


def test_a_key_given_twice_or_a_byte_that_is_not_utf8_is_refused(tmp_path):
    path = _copy_of_the_shipped(tmp_path / "a", lambda text: text + "title: Another title\n")
    last = len(SHIPPED.read_text(encoding="utf-8").splitlines()) + 1  # the line appended
    assert _refusal([path.parent]) == (
        f"{path}: line {last}: key 'title' is given twice in one mapping (first on line 7): "
        "keep one"
    )
    path = _copy_of_the_shipped(
        tmp_path / "b",
        lambda text: text.replace("  - gld\n", "  - gld\n  - gld2\n", 1) + "indicators: [gld]\n",
    )
    assert _refusal([path.parent]) == (
        f"{path}: line {last + 1}: key 'indicators' is given twice in one mapping (first on "
        "line 19): keep one"
    )
    path = _copy_of_the_shipped(
        tmp_path / "c",
        lambda text: text.encode("utf-8").replace(b"title: School", b"title: \xe9cole School"),
    )
    assert _refusal([path.parent]) == (
        f"{path}: line 7: byte 0xe9 is not UTF-8: save the file as UTF-8"
    )


def test_a_run_on_a_framework_key_of_the_wrong_type_is_one_line(tmp_path, monkeypatch):
    """The register check a run makes first (framework_line): one line, no traceback."""
    from indicators.publish.register_check import framework_line

    path = _copy_of_the_shipped(
        tmp_path / "fw",
        lambda text: text.split("who_we_heard:")[0] + 'who_we_heard: "yes"\n',
    )
    monkeypatch.setenv("CHORUS_FRAMEWORKS", str(path.parent))
    line = framework_line(MODELS)
    assert line == (
        "the frameworks name what is not declared, so nothing was built or published: "
        f"{path}: who_we_heard: must be a mapping of keys (section, heading, indicators, "
        "reach, channels, groups, groups_breakdown, cohort_shares, words), not the text 'yes' "
        "(README.md, Adding a framework)"
    )


def test_an_indicator_the_pack_would_leave_out_of_every_section_is_refused():
    """The reviewer's early help framework: voice_reach (domain "Who we heard from") listed,
    charted and at a glance, but with no who_we_heard: no section would show it."""
    document = yaml.safe_load(SECOND)
    document["indicators"].append("voice_reach")
    document["trend_charts"] = {"indicators": ["voice_reach"]}
    document["glance"] = [{"section": "", "indicator": "voice_reach"}]
    problems = framework_problems([parse_framework(document, "f.yml")], _register(), ITEM_DOMAINS)
    assert problems == [
        "f.yml: indicators: 'voice_reach' is in the domain 'Who we heard from', the "
        "who_we_heard section, which shows who_we_heard.indicators only: the pack would leave "
        "it out of every section; add it to who_we_heard.indicators (or leave it out)"
    ]
    document["who_we_heard"] = {"indicators": ["voice_reach"], "reach": "voice_reach"}
    problems = framework_problems([parse_framework(document, "f.yml")], _register(), ITEM_DOMAINS)
    assert problems == []
    # a who_we_heard section of another name: "Who we heard from" is an ordinary section
    document["who_we_heard"] = {"section": "Who answered", "indicators": []}
    problems = framework_problems([parse_framework(document, "f.yml")], _register(), ITEM_DOMAINS)
    assert problems == []


def test_a_framework_file_ending_in_upper_case_is_read(tmp_path):
    document = yaml.safe_load(SECOND)
    _write(tmp_path, document)
    (tmp_path / "corporate_parenting.yml").rename(tmp_path / "corporate_parenting.YML")
    (tmp_path / "notes.txt").write_text("not a framework")
    frameworks = load_frameworks([tmp_path])
    assert [f.id for f in frameworks] == ["corporate_parenting"]
    assert frameworks[0].file == f"{tmp_path}/corporate_parenting.YML"


def test_two_frameworks_folders_differing_only_in_case_are_refused(tmp_path):
    for name, folder in (("a", "boards-cp"), ("b", "Boards-CP/x")):
        document = yaml.safe_load(SECOND)
        document["id"] = name
        document["packs_under"] = folder
        _write(tmp_path, document)
    assert _refusal([tmp_path]) == (
        f"{tmp_path}/b.yml: packs_under 'Boards-CP/x' is inside {tmp_path}/a.yml's "
        "packs_under 'boards-cp': give it its own folder"
    )


@pytest.mark.parametrize(
    ("name", "authority", "area"),
    [
        ("Early Help partnership", "Harrowdale: Early Help partnership pack", None),
        ("SEND board", "Harrowdale: SEND board pack", None),
        ("Corporate parenting board", "Harrowdale: Corporate parenting board pack", "Ward 1"),
    ],
)
def test_the_default_pack_title_is_the_audience_name_as_written(name, authority, area):
    document = yaml.safe_load(SECOND)
    del document["audience"]["pack_titles"]
    document["audience"]["name"] = name
    framework = parse_framework(document, "f.yml")
    assert framework.pack_title("Harrowdale", "borough", True) == authority
    if area:
        assert framework.pack_title(area, "borough", False) == (
            "Ward 1: Corporate parenting board pack"
        )


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
    care = [p for p in (output / "boards-care-leavers").iterdir() if p.is_dir()]
    early_help = [p for p in (output / "boards-early-help").iterdir() if p.is_dir()]
    mine = sorted(p for p in (stage / "boards-corporate_parenting").iterdir())
    assert len(mine) == 1  # the authority only
    # every shipped pack, and this one
    assert written.packs == len(shipped) + len(care) + len(early_help) + 1
    assert sorted(p.name for p in (stage / "boards").iterdir()) == sorted(p.name for p in shipped)
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
    # its subject at the top and in the description; no "who we heard from" to refer to
    assert f'<p class="kicker">{name} · children in care’s early learning</p>' in html
    assert f"Board pack for {name}: children in care's early learning, " in html
    assert "Survey results describe the families who answered" not in html
    assert "across the neighbourhoods" not in html  # its audience has no areas to rank
    headings = re.findall(r'<section class="part[^"]*" id="([^"]+)"', html)
    assert "school-readiness" in headings
    assert "who-we-heard-from" not in headings and "play-and-learning-at-home" not in headings
    claims = pd.read_csv(mine[0] / "claims.csv", dtype=str)
    assert set(claims["indicator_id"]) <= {"all_elgs_expected", "average_elgs_expected"}
    listing = pd.read_csv(output / "register" / "frameworks.csv", dtype=str)
    assert set(listing["framework_id"]) == {
        "school_readiness",
        "care_leavers",
        "combined_authority",
        "early_help",
    }
    assert listing.loc[listing["indicator_id"] == "gld", "audience"].tolist() == [
        "Combined authority board",
        "Neighbourhood board",
    ]


# ------------------------------------------------------------------ geographies and periods


def test_the_declared_hierarchy():
    levels = geographies()
    assert levels.national == "National"
    assert levels.ancestors("Neighbourhood") == (
        "Local authority",
        "English devolved area",
        "Regional",
        "National",
    )
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
