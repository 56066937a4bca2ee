"""The framework keys a corporate parenting board pack needs (issue 14), generic for every
framework: a pack per team, the pack's own sentences declared (`words:`), a statutory figure
beside what people say (`beside:`), indicators side by side over one breakdown
(`side_by_side:`) and statements beside the rows they explain (`statements:`).

The publication here is small and typed out by hand: an authority and two teams, one year,
with one team's figures hidden (c). Every expected word and number below is written out
from that table, not computed by the code under test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from indicators.publish.frameworks import FrameworkError, framework_problems, parse_framework
from indicators.publish.packs import (
    Publication,
    RunInfo,
    build_pack,
    pack_slugs,
    render_html,
    render_pdf,
    write_xlsx,
)
from indicators.publish.period_keys import keyed
from tests.test_packs import parse_html

LA = ("E99000999", "Harrowdale (synthetic)")
TEAMS = (("T01", "North team"), ("T02", "South team"))
PERIOD = "202425"
DOMAIN = "Outcome domain"

FRAMEWORK = """
id: test_parenting
title: Leaving care well (test)
subject: young people leaving care
audience:
  name: Corporate parenting board
  levels: {authority: Local authority, areas: Team}
  pack_titles:
    authority: "{area}: corporate parenting board pack (test)"
    areas: "{area}: team pack for the board (test)"
indicators: [st_housed, voice_unsafe, yp_mean, pa_mean, gap_mean, gap_wide]
headline:
  indicator: st_housed
  heading: "Where care leavers live: the headline"
  words:
    none: "Nothing on housing for {area}."
    figure: "In {period}, {value}% of care leavers in {area} were suitably housed ({numerator}
      of {denominator})."
    caution: "The return's word, not the young person's."
    title: "Suitably housed, {period}"
    value_column: Suitably housed (%)
    count_column: Young people
    count_sheet: [Suitably housed, "Young people: all"]
    england_note: No England figure here.
sections: [What the return shows, Two perspectives]
glance:
  - {section: What the return shows, indicator: st_housed}
beside:
  - section: What the return shows
    heading: Housed, and feeling safe there?
    first: {indicator: st_housed, label: The return says suitably housed}
    second: {indicator: voice_unsafe, label: "Of those, scoring home or safety 4 or less"}
    words:
      made: "ZEBRA-MADE: the return says {first} of care leavers in {area} are suitably
        housed ({first_counts}); of those, {second} scored home or safety 4 or less
        ({second_counts}), {period}."
      not_made: "ZEBRA-NOT-MADE for {area}, {period}: {reason}."
side_by_side:
  - section: Two perspectives
    heading: Two perspectives, domain by domain
    breakdown: Outcome domain
    intro: OKAPI-INTRO both views of each domain.
    columns:
      - {indicator: yp_mean, label: Young person}
      - {indicator: pa_mean, label: Adviser}
      - {indicator: gap_mean, label: Difference}
      - {indicator: gap_wide, label: Differing by 3 or more}
statements:
  frame: test_statements
  heading: PANGOLIN said
  breakdowns: {Outcome domain: domain}
  source: [perspective, area_name, time_period]
  only: {perspective: young_person}
  note: NARWHAL-NOTE statements with consent.
words:
  how_to_read:
    - "QUOKKA-READ compared with {la_label}; at least {spc_points} points."
    - "QUOKKA-QUOTES up to {max_quotes} statements per row."
  glance_none: "QUOKKA-NONE for {area}."
  glance_note: "QUOKKA-GLANCE{la_mark}."
  limits:
    - "QUOKKA-LIMIT the {place} knows more; one {year} to the next, {trend_points} {years}."
  limits_hidden: QUOKKA-HIDDEN few young people behind these.
  limits_small: "QUOKKA-SMALL fewer than {small_number}."
  why_hidden: QUOKKA-WHY not shown (c) to protect the few young people behind it
  key:
    c: QUOKKA-KEY-C hidden to protect young people.
    x: QUOKKA-KEY-X no figure.
    u: QUOKKA-KEY-U few reviews.
"""


def _framework(text: str = FRAMEWORK):
    return parse_framework(yaml.safe_load(text), "test_parenting.yml")


def _register() -> pd.DataFrame:
    common = dict(
        definition="",
        rationale="",
        ci_method="Wilson score interval",
        disclosure_rule="Counts below 10 are shown as c.",
        frequency="Annual (financial year)",
        outcome="",
        co_designed_by="",
        co_designed_on="",
        polarity="RAG - High is good",
        numerator_source="Test return",
        denominator_source="Test return",
        numerator_definition="",
        denominator_definition="",
        caveats="",
        period_type="financial_year",
    )
    rows = [
        (
            "st_housed",
            "In suitable accommodation",
            "What the return shows",
            "statutory",
            "%",
            "proportion",
            "young people",
        ),
        (
            "voice_unsafe",
            "Suitably housed, scoring home or safety 4 or less",
            "What the return shows",
            "voice",
            "%",
            "proportion",
            "young people",
        ),
        (
            "yp_mean",
            "Young person's mean score",
            "What care leavers say",
            "voice",
            "score",
            "mean",
            "reviews",
        ),
        (
            "pa_mean",
            "Adviser's mean score",
            "What care leavers say",
            "voice",
            "score",
            "mean",
            "reviews",
        ),
        ("gap_mean", "Mean difference", "Two perspectives", "voice", "score", "mean", "reviews"),
        (
            "gap_wide",
            "Differing by 3 or more",
            "Two perspectives",
            "voice",
            "%",
            "proportion",
            "reviews",
        ),
    ]
    return pd.DataFrame(
        [
            dict(
                common,
                indicator_id=i,
                model=f"ind_{i}",
                title=title,
                domain=domain,
                source_type=source,
                unit=unit,
                value_type=kind,
                numerator_unit="score" if kind == "mean" else denominator,
                denominator_unit=denominator,
            )
            for i, title, domain, source, unit, kind, denominator in rows
        ]
    )


def _row(indicator, level, area, breakdown, group, n, d, value, low, high) -> dict:
    return dict(
        indicator_id=indicator,
        time_period=PERIOD,
        time_identifier="Financial year",
        geographic_level=level,
        area_code=area[0],
        area_name=area[1],
        breakdown=breakdown,
        group=group,
        numerator=n,
        denominator=d,
        value=value,
        lower_ci_95=low,
        upper_ci_95=high,
        compared_with_la="x",
        compared_with_england="x",
        recent_trend="x",
        reliability="normal",
    )


def _published() -> pd.DataFrame:
    """indicator_values.csv as published: one year, the authority and two teams."""
    la, north, south = ("Local authority", LA), ("Team", TEAMS[0]), ("Team", TEAMS[1])
    rows = [
        # the statutory figure and the voice figure beside it; the south team's hidden
        _row("st_housed", *la, "All", "All young people", "92", "100", "92.0", "85.0", "95.9"),
        _row("st_housed", *north, "All", "All young people", "45", "50", "90.0", "78.6", "95.7"),
        _row("st_housed", *south, "All", "All young people", "c", "c", "c", "c", "c"),
        _row("voice_unsafe", *la, "All", "All young people", "35", "92", "38.0", "28.8", "48.2"),
        _row("voice_unsafe", *north, "All", "All young people", "18", "45", "40.0", "27.0", "54.5"),
        _row("voice_unsafe", *south, "All", "All young people", "c", "c", "c", "c", "c"),
    ]
    figures = {  # (indicator, group) -> LA's value, north's value (south: all c)
        ("yp_mean", "Accommodation"): ("6.1", "6.0"),
        ("yp_mean", "Relationships"): ("5.2", "c"),
        ("pa_mean", "Accommodation"): ("6.8", "6.5"),
        ("pa_mean", "Relationships"): ("6.0", "c"),
        ("gap_mean", "Accommodation"): ("-0.7", "-0.5"),
        ("gap_mean", "Relationships"): ("-0.8", "c"),
        ("gap_wide", "Accommodation"): ("25.0", "c"),
        ("gap_wide", "Relationships"): ("31.0", "c"),
    }
    for (indicator, group), (la_value, north_value) in figures.items():
        for (level, area), value in ((la, la_value), (north, north_value), (south, "c")):
            shown = value != "c"
            rows.append(
                _row(
                    indicator,
                    level,
                    area,
                    DOMAIN,
                    group,
                    "40" if shown else "c",
                    "80" if shown else "c",
                    value,
                    f"{float(value) - 1:.1f}" if shown else "c",
                    f"{float(value) + 1:.1f}" if shown else "c",
                )
            )
    return pd.DataFrame(rows)


def _values() -> pd.DataFrame:
    """The published table as board_packs reads it (one key per period)."""
    return keyed(_published())


STATEMENTS = pd.DataFrame(
    [
        (
            "I have my own key now and it feels like home.",
            "Accommodation",
            "young_person",
            "T01",
            "North team",
            "Team",
        ),
        (
            "My flat is cold and I do not go out at night.",
            "Accommodation",
            "young_person",
            "E99000999",
            "Harrowdale (synthetic)",
            "Local authority",
        ),
        (
            "We talk every week, she listens.",
            "Relationships",
            "young_person",
            "E99000999",
            "Harrowdale (synthetic)",
            "Local authority",
        ),
        (
            "ADVISER-WORDS: he is settled.",
            "Relationships",
            "personal_adviser",
            "E99000999",
            "Harrowdale (synthetic)",
            "Local authority",
        ),
    ],
    columns=["quote", "domain", "perspective", "area_code", "area_name", "geographic_level"],
).assign(time_period=PERIOD, topic_id="home", topic="Your home")


@pytest.fixture(scope="module")
def publication() -> Publication:
    values = _values()
    run = RunInfo(
        run_id="test-run",
        published=pd.Timestamp("2026-12-01").date(),
        first_period=PERIOD,
        last_period=PERIOD,
    )
    return Publication(
        values, _register(), None, run, framework=_framework(), statements=STATEMENTS
    )


@pytest.fixture(scope="module")
def la_html(publication) -> str:
    return render_html(build_pack(publication, LA[0]))


def _words(html: str) -> str:
    """The page's text as a reader sees it (the body's, not the styles')."""
    return " ".join(re.sub(r"<[^>]+>", " ", html[html.index("<body") :]).split())


# ------------------------------------------------------------------------ packs per team


def test_a_pack_for_the_authority_and_one_per_team_named_by_the_declared_titles(publication):
    assert pack_slugs(publication) == {
        "E99000999": "harrowdale-synthetic",
        "T01": "north-team",
        "T02": "south-team",
    }
    la, north = build_pack(publication, LA[0]), build_pack(publication, "T01")
    assert la.title == "Harrowdale (synthetic): corporate parenting board pack (test)"
    assert (la.level, north.level) == ("Local authority", "Team")
    assert north.title == "North team: team pack for the board (test)"
    # the authority's pack ranks and lists its teams as the level within it
    assert "In suitable accommodation, by team" in _words(render_html(la))


# --------------------------------------------------------------------- declared wording


def test_two_authorities_teams_of_one_name_get_a_folder_each(publication):
    """Each authority's packs of a framework are written into the framework's one folder:
    a second authority with a "North team" too must not overwrite the first's pack."""
    codes = {LA[0]: "E99000998", "T01": "T11", "T02": "T12"}
    other_values = _values().replace({"area_code": codes, "area_name": {LA[1]: "Elsewhere"}})
    other = Publication(other_values, _register(), None, publication.run, framework=_framework())
    taken: set[str] = set()
    first, second = pack_slugs(publication, taken), pack_slugs(other, taken)
    assert first == pack_slugs(publication)  # the first authority's names are unchanged
    folders = [*first.values(), *second.values()]
    assert len(set(folders)) == 6
    assert second["T11"] != first["T01"] and second["T11"].startswith("north-team")
    assert build_pack(other, "T11").title.startswith("North team")


def test_every_sentence_of_the_pack_s_own_is_the_framework_s_verbatim(la_html, publication):
    words = _words(la_html)
    for said in (
        "QUOKKA-READ compared with the borough average; at least 12 points.",
        "QUOKKA-QUOTES up to 3 statements per row.",
        "QUOKKA-LIMIT the team knows more; one financial year to the next, 5 financial years.",
        "QUOKKA-KEY-C hidden to protect young people.",
        "QUOKKA-KEY-X no figure.",
        "QUOKKA-KEY-U few reviews.",
        "QUOKKA-GLANCE.",
        "QUOKKA-HIDDEN few young people behind these.",
    ):
        assert said in words, said
    south = _words(render_html(build_pack(publication, "T02")))
    assert "QUOKKA-GLANCE, ◆ the borough average." in south
    assert "is QUOKKA-WHY not shown (c) to protect the few young people behind it." in south
    # nothing of the school readiness framework's own wording is left, in the pages or in
    # the claims published beside them (why a count not declared independent is not compared)
    claims = [c.record() for area in ("T01", "T02") for c in build_pack(publication, area).claims]
    for page in (words, south, *(c["words"] for c in claims)):
        assert not re.search(r"famil|reception|survey|Survey|children", page)
    # a count of reviews (not declared independent in units.yml) is not compared, and the
    # claim says why without the survey's families
    from indicators.publish import claims as cl

    review = cl.comparison(
        publication.published, "yp_mean", "202425-FY", "T01", DOMAIN, "Accommodation", cl.LA
    )
    assert not review.made
    assert review.reason == (
        "it counts reviews, not one per person, so its interval is too narrow to compare"
    )


def test_with_no_glance_figure_the_pack_says_the_declared_words():
    text = FRAMEWORK.replace(
        "  - {section: What the return shows, indicator: st_housed}",
        "  - {section: What the return shows, indicator: st_housed, breakdown: Age group}",
    )
    run = RunInfo("r", pd.Timestamp("2026-12-01").date(), PERIOD, PERIOD)
    pub = Publication(_values(), _register(), None, run, framework=_framework(text))
    assert build_pack(pub, "T01").glance.paragraphs == ["QUOKKA-NONE for North team."]


# ------------------------------------------------------------------------------- beside


def test_beside_sets_both_published_figures_out_in_the_declared_words(la_html, publication):
    assert (
        "ZEBRA-MADE: the return says 92.0% of care leavers in Harrowdale (synthetic) are "
        "suitably housed (92 of 100); of those, 38.0% scored home or safety 4 or less (35 of "
        "92), Financial year 2024/25."
    ) in _words(la_html)
    root = parse_html(la_html)
    rows = [
        [td.text() for td in tr.iter("td")]
        for tr in root.iter("tr")
        if tr.attrs.get("data-beside") == "yes"
    ]
    assert rows == [
        ["92.0%", "85.0% to 95.9%", "92 of 100"],
        ["38.0%", "28.8% to 48.2%", "35 of 92"],
    ]
    claims = {c.kind: c for c in build_pack(publication, LA[0]).claims}
    assert claims["beside"].made and claims["beside"].record()["words"].startswith("ZEBRA-MADE")


def test_beside_a_hidden_figure_reads_as_hidden_and_makes_no_claim(publication):
    pack = build_pack(publication, "T02")
    html = render_html(pack)
    assert (
        "ZEBRA-NOT-MADE for South team, Financial year 2024/25: The return says suitably "
        "housed is not shown (c)."
    ) in _words(html)
    root = parse_html(html)
    cells = [
        td.text()
        for tr in root.iter("tr")
        if tr.attrs.get("data-beside") == "yes"
        for td in tr.iter("td")
    ]
    assert cells == ["c", "c", "c of c", "c", "c", "c of c"]
    beside = next(c for c in pack.claims if c.kind == "beside")
    assert not beside.made and beside.verdict == ""


# ------------------------------------------------------------------------- side by side


def _side_by_side(html: str) -> list[list[str]]:
    root = parse_html(html)
    return [
        [next(tr.iter("th")).text(), *(td.text() for td in tr.iter("td"))]
        for tr in root.iter("tr")
        if tr.attrs.get("data-side-by-side") == "yes"
    ]


def test_side_by_side_shows_each_indicator_as_a_column_of_the_breakdown_s_groups(la_html):
    rows = _side_by_side(la_html)
    assert [row[:5] for row in rows] == [
        ["Accommodation", "6.1", "6.8", "-0.7", "25.0%"],
        ["Relationships", "5.2", "6.0", "-0.8", "31.0%"],
    ]
    root = parse_html(la_html)
    table = next(t for t in root.iter("table") if "side-by-side" in t.attrs.get("class", ""))
    headings = [th.text() for th in next(table.iter("thead")).iter("th")]
    assert headings == [
        "Outcome domain",
        "Young person (score)",
        "Adviser (score)",
        "Difference (score)",
        "Differing by 3 or more (%)",
        "PANGOLIN said",
    ]
    assert "OKAPI-INTRO both views of each domain." in _words(la_html)


def test_side_by_side_never_shows_a_hidden_cell_as_a_number(publication):
    north = _side_by_side(render_html(build_pack(publication, "T01")))
    assert [row[:5] for row in north] == [
        ["Accommodation", "6.0", "6.5", "-0.5", "c"],
        ["Relationships", "c", "c", "c", "c"],
    ]


# --------------------------------------------------------------------------- statements


def test_statements_sit_beside_their_row_revealed_on_hover_and_keyboard_focus(la_html):
    root = parse_html(la_html)
    table = next(t for t in root.iter("table") if "side-by-side" in t.attrs.get("class", ""))
    buttons = [b for b in table.iter("button") if "statements-toggle" in b.attrs.get("class", "")]
    assert [b.text() for b in buttons] == ["PANGOLIN said (1)", "PANGOLIN said (1)"]
    for button, quote in zip(
        buttons,
        ("My flat is cold and I do not go out at night.", "We talk every week, she listens."),
        strict=True,
    ):
        assert button.attrs["type"] == "button"  # focusable by keyboard, no script needed
        described = button.attrs["aria-describedby"]
        target = next(n for n in root.iter("div") if n.attrs.get("id") == described)
        assert target.attrs["role"] == "tooltip"
        assert f"“{quote}”" in target.text()
        assert "young_person, Harrowdale (synthetic), 2024/25" in target.text()
    # beside the side-by-side table only, not again beside each indicator's own table
    everywhere = [b for b in root.iter("button") if b.attrs.get("aria-describedby")]
    assert everywhere == buttons
    css = la_html[la_html.index("<style>") : la_html.index("</style>")]
    assert ".statements-cue:hover .statements-pop" in css
    assert ".statements-cue:focus-within .statements-pop" in css
    # a team's statement is not the authority's; only the declared perspective's are shown
    assert "I have my own key now" not in la_html and "ADVISER-WORDS" not in la_html
    assert "NARWHAL-NOTE statements with consent." in _words(la_html)


def test_a_team_pack_shows_its_own_statements_only(publication):
    html = render_html(build_pack(publication, "T01"))
    assert "I have my own key now and it feels like home." in html
    assert "My flat is cold" not in html and "We talk every week" not in html


def test_the_pdf_prints_the_statements_after_the_table(tmp_path, publication):
    from pypdf import PdfReader

    pack = build_pack(publication, LA[0])
    pdf = render_pdf(render_html(pack), tmp_path / "pack.pdf")
    text = " ".join(
        " ".join(page.extract_text() or "" for page in PdfReader(str(pdf)).pages).split()
    )
    table = text.index("Differing by 3")
    printed = text.index("PANGOLIN said: Two perspectives, domain by domain")
    assert table < printed < text.index("“My flat is cold and I do not go out at night.”")
    assert "“We talk every week, she listens.”" in text[printed:]
    assert "ZEBRA-MADE: the return says 92.0%" in text
    # hidden in print: the control, not the words
    assert "PANGOLIN said (1): printed below the table" in text


def test_the_spreadsheet_carries_the_statements_and_the_figures(tmp_path, publication):
    from openpyxl import load_workbook

    pack = build_pack(publication, LA[0])
    book = load_workbook(write_xlsx(pack, tmp_path / "pack.xlsx"))
    cells = [str(c) for row in book["Two perspectives"].iter_rows(values_only=True) for c in row]
    assert any("My flat is cold and I do not go out at night." in c for c in cells)
    assert 6.1 in [c for row in book["Two perspectives"].iter_rows(values_only=True) for c in row]


# --------------------------------------------------------------- each new key's check


def _problems(text: str) -> list[str]:
    register = {
        row["indicator_id"]: {
            **row,
            "relations": {
                "breakdowns": {
                    "All": {},
                    **({} if row["indicator_id"] == "st_housed" else {DOMAIN: {}}),
                }
            },
        }
        for row in _register().to_dict("records")
    }
    return framework_problems([_framework(text)], register)


def test_the_test_framework_is_consistent():
    assert _problems(FRAMEWORK) == []


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        (
            "second: {indicator: voice_unsafe,",
            "second: {indicator: voice_unsure,",
            "beside[0].second.indicator: 'voice_unsure' is not one of the framework's indicators",
        ),
        (
            "first: {indicator: st_housed, label",
            "first: {indicator: st_housed, breakdown: Age group, label",
            "beside[0].first.indicator: 'st_housed' declares no breakdown 'Age group'",
        ),
        (
            "  - section: What the return shows\n    heading: Housed",
            "  - section: What the return said\n    heading: Housed",
            "beside[0].section: 'What the return said' is no register domain, voice item "
            "domain or declared section",
        ),
        (
            "housed ({first_counts});",
            "housed ({first_count});",
            "beside.words.made: unknown placeholder {first_count} (it takes {area}, {period}, "
            "{first}, {second}, {first_counts}, {second_counts})",
        ),
        (
            "    breakdown: Outcome domain\n    intro",
            "    breakdown: Outcome domains\n    intro",
            "side_by_side[0].breakdown: 'Outcome domains' is not a breakdown any indicator of "
            "the register declares",
        ),
        (
            "      - {indicator: pa_mean, label: Adviser}",
            "      - {indicator: st_housed, label: Adviser}",
            "side_by_side[0].columns[1].indicator: 'st_housed' declares no breakdown "
            "'Outcome domain'",
        ),
        (
            "breakdowns: {Outcome domain: domain}",
            "breakdowns: {Outcome area: domain}",
            "statements.breakdowns.Outcome area: 'Outcome area' is not a breakdown any "
            "indicator of the register declares",
        ),
        (
            "frame: test_statements",
            "frame: marts.test_statements",
            "statements.frame: 'marts.test_statements' is not a safe name (a-z, 0-9, _): it "
            "names the published file quotes/<frame>.csv",
        ),
        (
            "    u: QUOKKA-KEY-U few reviews.",
            "    v: QUOKKA-KEY-V few reviews.",
            "words.key.v: is not one of c, x, z, low, u",
        ),
        (
            "{spc_points} points.",
            "{spc_point} points.",
            "words.how_to_read: unknown placeholder {spc_point} (it takes {la_label}, "
            "{la_word}, {units}, {trend_method}, {spc_points}, {max_quotes})",
        ),
        (
            "QUOKKA-NONE for {area}.",
            "QUOKKA-NONE for {team}.",
            "words.glance_none: unknown placeholder {team} (it takes {area})",
        ),
    ],
)
def test_each_new_key_s_problem_is_one_line_naming_file_and_key(old, new, said):
    assert old in FRAMEWORK
    assert _problems(FRAMEWORK.replace(old, new, 1)) == [f"test_parenting.yml: {said}"]


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        (
            '    second: {indicator: voice_unsafe, label: "Of those, scoring home or safety 4 '
            'or less"}\n',
            "",
            "beside: each entry needs second (section, heading, first, second, words)",
        ),
        (
            '      not_made: "ZEBRA-NOT-MADE for {area}, {period}: {reason}."\n',
            "",
            "beside.words: needs made and not_made",
        ),
        (
            "      - {indicator: yp_mean, label: Young person}",
            "      - {indicator: yp_mean}",
            "side_by_side.columns: each column needs indicator and label",
        ),
        (
            "  frame: test_statements\n",
            "",
            "statements.frame is missing (the published frame of statements)",
        ),
        (
            "  glance_none:",
            "  glance_non:",
            "words.glance_non: unknown key (the keys known under words: how_to_read, "
            "glance_none, glance_note, limits, limits_hidden, limits_low, limits_small, "
            "limits_part_periods, why_hidden, quotes_column, dependent_counts, key; "
            "did you mean `glance_none`?)",
        ),
    ],
)
def test_a_malformed_new_key_is_refused_in_one_line(old, new, said):
    assert old in FRAMEWORK
    with pytest.raises(FrameworkError) as error:
        _framework(FRAMEWORK.replace(old, new, 1))
    assert str(error.value) == f"test_parenting.yml: {said}"


def test_every_claim_of_a_team_and_the_authority_s_pack_checks_out_independently(
    tmp_path, publication
):
    """tests/independent_claims.py re-derives each claim (the beside claims too) from the
    published table and finds its words in the HTML and the spreadsheet."""
    from indicators.publish.packs import write_pack
    from tests.independent_claims import check_pack

    values = _published()  # as claims.csv keys periods: time_period and time_identifier
    for area in (LA[0], "T02"):
        folder = tmp_path / area
        write_pack(folder, build_pack(publication, area))
        claims = pd.read_csv(folder / "claims.csv", dtype=str, keep_default_na=False)
        assert "beside" in set(claims["kind"])
        assert (
            check_pack(
                folder,
                values,
                _register(),
                pd.DataFrame(
                    columns=["indicator_id", "time_period", "breakdown", "group", "value"]
                ),
            )
            == []
        )


def test_the_publish_step_never_publishes_a_request_for_help_as_a_statement():
    """(A care leaver's words about home are not the early years survey's topics: kept.)"""
    from indicators.publish.indicator_tables import statements_to_publish

    mart = STATEMENTS.assign(
        quote=[
            "I have my own key now and it feels like home.",
            "Can someone please help me, I have nowhere to sleep tonight",
            "We talk every week, she listens.",
            "I need help, please call me",
        ]
    )
    published = statements_to_publish(mart)
    assert published["quote"].tolist() == [
        "I have my own key now and it feels like home.",
        "We talk every week, she listens.",
    ]
    assert list(published.columns) == list(mart.columns)  # every column, as text
    # the same file whatever order the warehouse hands the rows over in (re-runs are equal)
    assert statements_to_publish(mart.iloc[::-1]).equals(published)


def test_without_a_side_by_side_statements_go_beside_each_table_of_their_breakdown():
    text = (
        FRAMEWORK[: FRAMEWORK.index("side_by_side:")] + FRAMEWORK[FRAMEWORK.index("statements:") :]
    )
    run = RunInfo("r", pd.Timestamp("2026-12-01").date(), PERIOD, PERIOD)
    pub = Publication(
        _values(), _register(), None, run, framework=_framework(text), statements=STATEMENTS
    )
    root = parse_html(render_html(build_pack(pub, LA[0])))
    described = [b for b in root.iter("button") if b.attrs.get("aria-describedby")]
    assert len(described) == 4 * 2  # 4 indicators by outcome domain, 2 domains each
    assert len({b.attrs["aria-describedby"] for b in described}) == 8  # each its own id


def test_a_statement_informing_several_rows_is_given_once_in_a_table():
    """'Your future' informs every domain: its statement sits beside the first row only,
    while each row keeps its own."""
    future = pd.DataFrame(
        [
            ("FUTURE-WORDS I want to be a nurse.", domain, "young_person", LA[0], LA[1], "")
            for domain in ("Accommodation", "Relationships")
        ],
        columns=["quote", "domain", "perspective", "area_code", "area_name", "geographic_level"],
    ).assign(time_period=PERIOD)
    run = RunInfo("r", pd.Timestamp("2026-12-01").date(), PERIOD, PERIOD)
    pub = Publication(
        _values(),
        _register(),
        None,
        run,
        framework=_framework(),
        statements=pd.concat([STATEMENTS, future], ignore_index=True),
    )
    root = parse_html(render_html(build_pack(pub, LA[0])))
    tips = [div.text() for div in root.iter("div") if div.attrs.get("role") == "tooltip"]
    assert len(tips) == 2
    assert "My flat is cold" in tips[0] and "FUTURE-WORDS" in tips[0]
    assert "We talk every week" in tips[1] and "FUTURE-WORDS" not in tips[1]


def test_a_row_gives_the_statements_most_specific_to_it_first():
    """Three newer 'Your family' statements inform Accommodation and Relationships; an older
    'Your home' one informs Accommodation alone. Accommodation (the first row) gives the home
    statement first, then two family ones; Relationships the third family one, not the
    same three again."""
    family = [
        (f"FAMILY-{n} words.", domain, "young_person", LA[0], LA[1], "", PERIOD)
        for n in (1, 2, 3)
        for domain in ("Accommodation", "Relationships")
    ]
    home = [("HOME-WORDS my own key.", "Accommodation", "young_person", LA[0], LA[1], "", "202324")]
    statements = pd.DataFrame(
        family + home,
        columns=[
            "quote",
            "domain",
            "perspective",
            "area_code",
            "area_name",
            "geographic_level",
            "time_period",
        ],
    )
    run = RunInfo("r", pd.Timestamp("2026-12-01").date(), PERIOD, PERIOD)
    pub = Publication(
        _values(), _register(), None, run, framework=_framework(), statements=statements
    )
    root = parse_html(render_html(build_pack(pub, LA[0])))
    tips = [div.text() for div in root.iter("div") if div.attrs.get("role") == "tooltip"]
    assert len(tips) == 2
    accommodation, relationships = tips
    assert accommodation.index("HOME-WORDS") < accommodation.index("FAMILY-1")
    assert "FAMILY-2" in accommodation and "FAMILY-3" not in accommodation
    assert "FAMILY-3" in relationships
    assert "FAMILY-1" not in relationships and "FAMILY-2" not in relationships


# ------------------------------------------------- the real run: care leavers' packs


def test_the_corporate_parenting_board_packs_of_a_real_run(pipeline_run):
    """dbt_project/frameworks/care_leavers.yml on the synthetic borough run end to end: a
    pack for the authority and one per team of the landing's care leavers, no Team row in
    open data, the return beside what care leavers say as published, statements only from
    the published statements of the pack's own area, and every claim re-derived."""
    from indicators.publish.packs import slugify
    from tests.independent_claims import check_pack

    def read(path):
        return pd.read_csv(path, dtype=str, keep_default_na=False)

    output, landing = pipeline_run.settings.output, pipeline_run.landing
    values = read(output / "indicators" / "indicator_values.csv")
    teams = read(landing / "seeds" / "teams.csv")
    # the teams of the care leavers' return (the teams list also holds Early Help's teams)
    returned = set(
        pd.concat(read(path) for path in (landing / "care_leavers").glob("*/*.csv"))["team_code"]
    )
    packs = output / "boards-care-leavers"
    la_code, la_name = values.loc[
        values["geographic_level"] == "Local authority", ["area_code", "area_name"]
    ].iloc[0]
    assert {p.name for p in packs.iterdir()} == {slugify(la_name)} | {
        slugify(name)
        for code, name in zip(teams["team_code"], teams["team_name"], strict=True)
        if code in returned
    }
    for path in (output / "open-data").glob("cl_*.csv"):
        if not path.name.endswith(".meta.csv"):
            assert "Team" not in set(read(path)["geographic_level"]), path.name
    # the return beside what care leavers say: the published figures, in the YAML's words
    latest = values[values["indicator_id"] == "cl_suitable_accommodation"]["time_period"].max()

    def published(indicator):
        return values[
            (values["indicator_id"] == indicator)
            & (values["area_code"] == la_code)
            & (values["breakdown"] == "All")
            & (values["time_period"] == latest)
        ].iloc[0]

    first, second = published("cl_suitable_accommodation"), published("cl_suitable_but_unsafe")
    html = (packs / slugify(la_name) / "pack.html").read_text(encoding="utf-8")
    assert (
        f"The return says {first['value']}% of care leavers in {la_name} are in suitable "
        f"accommodation ({first['numerator']} of {first['denominator']}). Of those who scored "
        "“Your home” or “Feeling safe and well” at their latest Pathway Plan review, "
        f"{second['value']}% scored either 4 or less ({second['numerator']} of "
        f"{second['denominator']})."
    ) in _words(html).replace("’", "'")
    # statements: each is a published young person's statement of the pack's own area
    statements = read(output / "quotes" / "fct_care_leaver_statements.csv")
    for slug, code in [
        (slugify(la_name), la_code),
        *(
            (slugify(name), code)
            for code, name in zip(teams["team_code"], teams["team_name"], strict=True)
            if code in returned
        ),
    ]:
        root = parse_html((packs / slug / "pack.html").read_text(encoding="utf-8"))
        mine = set(
            statements.loc[
                (statements["area_code"] == code) & (statements["perspective"] == "young_person"),
                "quote",
            ]
        )
        for tip in (d for d in root.iter("div") if d.attrs.get("role") == "tooltip"):
            for quote in tip.iter("blockquote"):
                said = next(quote.iter("p")).text().strip("“”")
                assert said in mine, (slug, said)
    register = read(output / "register" / "indicators.csv")
    england = read(Path(__file__).resolve().parents[1] / "seeds" / "england_benchmarks.csv")
    problems = [p for pack in packs.iterdir() for p in check_pack(pack, values, register, england)]
    assert problems == []
