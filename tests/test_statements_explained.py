"""Statements beside the rows of the indicators they explain (`statements.explains`, issue 15:
parents' words beside the early-communication figures about the same children).

The publication is small and typed out by hand: an authority and two neighbourhoods, two
years, four indicators with only a total row each ("All"), and one neighbourhood's count of
screenings with a parent's view hidden (c) in the latest year. Every expected placement
below is read from that table and the words frame, not computed by the code under test.
"""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from indicators.publish.frameworks import framework_problems, parse_framework
from indicators.publish.indicator_tables import statements_to_publish
from indicators.publish.packs import (
    Publication,
    RunInfo,
    build_pack,
    render_html,
    render_pdf,
    write_xlsx,
)
from indicators.publish.period_keys import keyed
from indicators.publish.statement_rules import withheld
from tests.test_packs import parse_html

LA = ("E99000999", "Harrowdale (synthetic)")
NORTH = ("N01", "North")
SOUTH = ("N02", "South")
YEARS = ("202324", "202425")
CONCERN, VIEW = "concern at the two-year review", "view at screening"

FRAMEWORK = """
id: test_words
title: Talking at two (test)
subject: children's talking
audience:
  name: Neighbourhood board
  levels: {authority: Local authority, areas: Neighbourhood}
  pack_titles:
    authority: "{area}: borough pack (test)"
    areas: "{area}: neighbourhood pack (test)"
indicators: [t_expected, t_concern_expected, t_view_recorded, t_other]
headline:
  indicator: t_other
  heading: "The headline"
  words:
    none: "Nothing for {area}."
    figure: "In {period}, {value}% in {area} ({numerator} of {denominator})."
    caution: "A narrow measure."
    title: "Headline, {period}"
    value_column: Share (%)
    count_column: Children
    count_sheet: [Counted, "Children: all"]
    england_note: No England figure here.
sections: [The two-year review, Screening, Elsewhere]
statements:
  frame: test_words
  heading: WOMBAT said
  source: [kind]
  explains:
    - only: {kind: concern at the two-year review}
      indicators: [t_expected, t_concern_expected]
      hidden_with: [t_concern_expected]
    - only: {kind: view at screening}
      indicators: [t_view_recorded]
      hidden_with: [t_view_recorded]
  note: WOMBAT-NOTE quoted with consent, with personal details removed.
"""

REGISTER_ROWS = (
    ("t_expected", "At the expected level", "The two-year review"),
    ("t_concern_expected", "Concerned, yet at the expected level", "The two-year review"),
    ("t_view_recorded", "Screenings with a parent's view", "Screening"),
    ("t_other", "Another figure about other children", "Elsewhere"),
)


def _framework(text: str = FRAMEWORK):
    return parse_framework(yaml.safe_load(text), "test_words.yml")


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
        source_type="statutory",
        unit="%",
        value_type="proportion",
        numerator_unit="children",
        denominator_unit="children",
    )
    return pd.DataFrame(
        [
            dict(common, indicator_id=i, model=f"ind_{i}", title=title, domain=domain)
            for i, title, domain in REGISTER_ROWS
        ]
    )


def _row(indicator, year, level, area, n, d) -> dict:
    shown = "c" not in (n, d)
    value = f"{100 * int(n) / int(d):.1f}" if shown else "c"
    return dict(
        indicator_id=indicator,
        time_period=year,
        time_identifier="Financial year",
        geographic_level=level,
        area_code=area[0],
        area_name=area[1],
        breakdown="All",
        group="All children",
        numerator=n,
        denominator=d,
        value=value,
        lower_ci_95=f"{float(value) - 5:.1f}" if shown else "c",
        upper_ci_95=f"{float(value) + 5:.1f}" if shown else "c",
        compared_with_la="x",
        compared_with_england="x",
        recent_trend="x",
        reliability="normal",
    )


def _published() -> pd.DataFrame:
    """indicator_values.csv as published: South's screenings with a view hidden in 2024/25."""
    places = (("Local authority", LA), ("Neighbourhood", NORTH), ("Neighbourhood", SOUTH))
    rows = []
    for indicator, *_ in REGISTER_ROWS:
        for year in YEARS:
            for level, area in places:
                n, d = ("60", "100") if level == "Local authority" else ("30", "50")
                if (indicator, year, area) == ("t_view_recorded", "202425", SOUTH):
                    n, d = "c", "50"
                rows.append(_row(indicator, year, level, area, n, d))
    return pd.DataFrame(rows)


HOOD_WORDS = (
    ("CONCERN-NORTH-NEW he only says a few words", CONCERN, NORTH, "202425"),
    ("CONCERN-NORTH-OLD she points instead of asking", CONCERN, NORTH, "202324"),
    ("VIEW-NORTH-NEW he chats at home all day", VIEW, NORTH, "202425"),
    ("VIEW-SOUTH-NEW she is shy with new people", VIEW, SOUTH, "202425"),
    ("CONCERN-SOUTH-NEW he is hard to understand", CONCERN, SOUTH, "202425"),
)
LA_ONLY = "CONCERN-LA-ONLY we worry about his words"
"""Words the mart would place in the authority only (their neighbourhood below the minimum
number of children, or unknown): no neighbourhood keeps them, so the authority does not."""

# as the mart makes it: each word in its neighbourhood and again in its authority
WORDS = pd.DataFrame(
    [
        *((q, kind, *area, "Neighbourhood", year) for q, kind, area, year in HOOD_WORDS),
        *((q, kind, *LA, "Local authority", year) for q, kind, _, year in HOOD_WORDS),
        (LA_ONLY, CONCERN, *LA, "Local authority", "202425"),
    ],
    columns=["quote", "kind", "area_code", "area_name", "geographic_level", "time_period"],
)


@pytest.fixture(scope="module")
def publication() -> Publication:
    run = RunInfo("test-run", pd.Timestamp("2026-12-01").date(), YEARS[0], YEARS[-1])
    return Publication(
        keyed(_published()), _register(), None, run, framework=_framework(), statements=WORDS
    )


def _rows_with_words(html: str) -> dict[tuple[str, str], str]:
    """(table caption, row header) -> the words revealed beside that row, for every row
    that has any."""
    root = parse_html(html)
    tips = {
        div.attrs["id"]: div.text()
        for div in root.iter("div")
        if div.attrs.get("role") == "tooltip" and div.attrs.get("id")
    }
    found = {}
    for table in root.iter("table"):
        caption = next((c.text() for c in table.iter("caption")), "")
        for row in table.iter("tr"):
            header = next((th.text() for th in row.iter("th")), "")
            for button in row.iter("button"):
                if button.attrs.get("aria-describedby") in tips:
                    found[(caption, header)] = tips[button.attrs["aria-describedby"]]
    return found


def _beside(found: dict[tuple[str, str], str], text: str) -> list[tuple[str, str]]:
    return [place for place, words in found.items() if text in words]


def test_each_statement_sits_beside_its_indicators_rows_of_its_area_and_year(publication):
    found = _rows_with_words(render_html(build_pack(publication, NORTH[0])))
    new = _beside(found, "CONCERN-NORTH-NEW")
    # beside both indicators it explains, in the 2024/25 row of each, nowhere else
    assert sorted(caption.split(":")[0] for caption, _ in new) == [
        "At the expected level",
        "Concerned, yet at the expected level",
    ], found
    assert all("2024/25" in header for _, header in new)
    old = _beside(found, "CONCERN-NORTH-OLD")
    assert len(old) == 2 and all("2023/24" in header for _, header in old)
    views = _beside(found, "VIEW-NORTH-NEW")
    assert [c.split(":")[0] for c, _ in views] == ["Screenings with a parent's view"]
    assert all("2024/25" in header for _, header in views)
    # never beside another indicator's "All" row, nor another area's words
    assert not any(c.startswith("Another figure") for c, _ in found)
    assert not any("SOUTH" in words or "-LA-" in words for words in found.values())
    assert "concern at the two-year review" in found[new[0]]  # where it comes from


def test_a_view_from_an_area_year_whose_view_count_is_hidden_is_not_shown(publication):
    south = render_html(build_pack(publication, SOUTH[0]))
    assert "VIEW-SOUTH-NEW" not in south
    assert "CONCERN-SOUTH-NEW" in south  # its concern count is published: its words are shown
    # nor in the authority's pack, whose own view count is published: comparing the two
    # lists would pin the word to South
    authority = render_html(build_pack(publication, LA[0]))
    assert "VIEW-SOUTH-NEW" not in authority
    assert "CONCERN-SOUTH-NEW" in authority
    assert "CONCERN-LA-ONLY" not in authority  # no neighbourhood keeps it


def test_the_authority_pack_sets_each_area_s_words_beside_that_area_s_row(publication):
    found = _rows_with_words(render_html(build_pack(publication, LA[0])))
    # each word beside the authority's own year-by-year row of its year (2024/25), and
    # beside its neighbourhood's row of the table by neighbourhood
    for text, name in (
        ("CONCERN-NORTH-NEW", NORTH[1]),
        ("VIEW-NORTH-NEW", NORTH[1]),
        ("CONCERN-SOUTH-NEW", SOUTH[1]),
    ):
        places = _beside(found, text)
        own = [(c, row) for c, row in places if LA[1] in c and "2024/25" in row]
        hoods = [(c, row) for c, row in places if "by neighbourhood" in c and row == name]
        assert own and hoods and len(own) + len(hoods) == len(places), places
    assert not any(c.startswith("Another figure") for c, _ in found)


def test_the_pdf_prints_the_words_after_the_table_and_the_spreadsheet_carries_them(
    tmp_path, publication
):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    pack = build_pack(publication, NORTH[0])
    html = render_html(pack)
    pdf = render_pdf(html, tmp_path / "pack.pdf")
    text = " ".join(
        " ".join(page.extract_text() or "" for page in PdfReader(str(pdf)).pages).split()
    )
    table = text.index("Screenings with a parent's view")
    assert table < text.index("“VIEW-NORTH-NEW he chats at home all day”")
    assert "WOMBAT-NOTE quoted with consent, with personal details removed." in text
    book = load_workbook(write_xlsx(pack, tmp_path / "pack.xlsx"))
    cells = [str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row]
    assert any("VIEW-NORTH-NEW he chats at home all day" in c for c in cells)


def test_the_published_frame_drops_words_that_would_bound_a_hidden_count():
    parents = {NORTH[0]: LA[0], SOUTH[0]: LA[0]}
    published = withheld(
        statements_to_publish(WORDS), _framework().statements, _published(), parents
    )
    place = list(zip(WORDS["quote"], WORDS["area_code"], strict=True))
    kept = set(zip(published["quote"], published["area_code"], strict=True))
    # South's view (its count is hidden) in neither South nor the authority; the words no
    # neighbourhood keeps not in the authority; every other row as it came
    assert set(place) - kept == {
        ("VIEW-SOUTH-NEW she is shy with new people", SOUTH[0]),
        ("VIEW-SOUTH-NEW she is shy with new people", LA[0]),
        (LA_ONLY, LA[0]),
    }
    assert list(published.columns) == list(WORDS.columns)
    # a statement of a kind no entry explains has no place, so it is not published either
    other = WORDS.assign(kind="said somewhere else")
    assert withheld(other, _framework().statements, _published(), parents).empty


def test_an_authority_keeps_a_word_one_of_its_neighbourhoods_keeps():
    """The same words from South (hidden) and North (shown) are North's to publish: the
    authority's list then tells nothing about South."""
    both = "VIEW-BOTH he says mama and dada"
    words = pd.DataFrame(
        [
            (both, VIEW, *NORTH, "Neighbourhood", "202425"),
            (both, VIEW, *SOUTH, "Neighbourhood", "202425"),
            (both, VIEW, *LA, "Local authority", "202425"),
        ],
        columns=WORDS.columns,
    )
    parents = {NORTH[0]: LA[0], SOUTH[0]: LA[0]}
    kept = withheld(words, _framework().statements, _published(), parents)
    assert sorted(kept["area_code"]) == sorted([NORTH[0], LA[0]])


def test_the_label_counts_every_word_of_the_year_and_the_pdf_prints_them_once(tmp_path):
    """Four words of North's 2023/24 concerns: three shown (at most three per row), the
    control says "3 of 4"; both tables they explain carry them, printed after the first."""
    from pypdf import PdfReader

    more = pd.DataFrame(
        [
            (f"CONCERN-NORTH-EXTRA-{n} word {n}", CONCERN, *NORTH, "Neighbourhood", "202324")
            for n in (1, 2, 3)
        ],
        columns=WORDS.columns,
    )
    run = RunInfo("test-run", pd.Timestamp("2026-12-01").date(), YEARS[0], YEARS[-1])
    pub = Publication(
        keyed(_published()),
        _register(),
        None,
        run,
        framework=_framework(),
        statements=pd.concat([WORDS, more], ignore_index=True),
    )
    pack = build_pack(pub, NORTH[0])
    html = render_html(pack)
    labels = [b.text() for b in parse_html(html).iter("button")]
    assert labels.count("WOMBAT said (3 of 4)") == 2  # 2023/24 beside both concern tables
    assert labels.count("WOMBAT said (1)") == 3  # 2024/25: the concern beside both, the view
    flat = " ".join(
        " ".join(
            p.extract_text() or ""
            for p in PdfReader(str(render_pdf(html, tmp_path / "p.pdf"))).pages
        ).split()
    )
    assert flat.count("CONCERN-NORTH-NEW he only says a few words") == 1
    assert "2024/25: as printed after “At the expected level" in flat


def _problems(text: str) -> list[str]:
    register = {
        row["indicator_id"]: {**row, "relations": {"breakdowns": {"All": {}}}}
        for row in _register().to_dict("records")
    }
    return framework_problems([_framework(text)], register)


def test_the_test_framework_is_consistent():
    assert _problems(FRAMEWORK) == []


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        (
            "indicators: [t_view_recorded]\n",
            "indicators: [t_view_recorded, t_missing]\n",
            "statements.explains[1].indicators[1]: 't_missing' is not one of the framework's "
            "indicators",
        ),
        (
            "hidden_with: [t_concern_expected]\n",
            "hidden_with: [t_nowhere]\n",
            "statements.explains[0].hidden_with[0]: 't_nowhere' is not one of the framework's "
            "indicators",
        ),
        (
            "  source: [kind]\n",
            "  source: [kind]\n  breakdowns: {Outcome domain: domain}\n",
            "statements.explains: declare either explains",
        ),
    ],
)
def test_a_misdeclared_explains_is_refused_in_one_line(old, new, said):
    problems = _problems(FRAMEWORK.replace(old, new))
    assert any(said in problem and "\n" not in problem for problem in problems), problems


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        (
            "      indicators: [t_view_recorded]\n",
            "",
            "statements.explains[1].indicators is missing (the rows it explains)",
        ),
        (
            "      indicators: [t_view_recorded]\n",
            "      indicator: [t_view_recorded]\n",
            "statements.explains[1].indicator: unknown key (the keys known under "
            "statements.explains[1]: indicators, only, hidden_with; did you mean `indicators`?)",
        ),
        (
            "      hidden_with: [t_view_recorded]\n",
            "      hidden_with: t_view_recorded\n",
            "statements.explains[1].hidden_with: must be a list of texts, not the text "
            "'t_view_recorded'",
        ),
    ],
)
def test_a_malformed_explains_is_refused_in_one_line(old, new, said):
    from indicators.publish.frameworks import FrameworkError

    assert old in FRAMEWORK
    with pytest.raises(FrameworkError) as error:
        _framework(FRAMEWORK.replace(old, new, 1))
    assert str(error.value) == f"test_words.yml: {said}"


def test_the_note_under_figures_not_about_people_is_in_the_unit_s_own_words():
    """words.dependent_counts with {not_compared}: under a table counting screenings, why as
    units.yml words it for screenings, not the survey's answers."""
    framework = _framework(
        FRAMEWORK
        + "words:\n"
        + '  dependent_counts: "WALRUS these figures count {unit}, {not_compared}."\n'
    )
    register = _register()
    view = register["indicator_id"] == "t_view_recorded"
    register.loc[view, ["numerator_unit", "denominator_unit"]] = "screenings"
    run = RunInfo("test-run", pd.Timestamp("2026-12-01").date(), YEARS[0], YEARS[-1])
    pub = Publication(keyed(_published()), register, None, run, framework=framework)
    notes = [
        " ".join(p.text().split())
        for p in parse_html(render_html(build_pack(pub, NORTH[0]))).iter("p")
        if "WALRUS" in p.text()
    ]
    assert notes and set(notes) == {
        "WALRUS these figures count screenings, not children: a child may be screened more "
        "than once."
    }
