"""The authority pack's information-map chapter and the register's theory-of-change coverage
(issue 17, items 2 and 3), on a hand-built inventory and theory whose answers are worked out
here by hand: which sources are behind a pack, which never reach a board, which outcomes no
figure measures."""

import re

import pandas as pd

from indicators.publish.packs.information import InformationSources, information_section
from indicators.publish.register import render_register_html

# Five sources: two early-years sources reach the "readiness" pack, one early-years source
# with parents' voice and one without never reach a board, and a care leavers' source
# reaches another pack (a different topic: not in the readiness chapter).
SOURCES = pd.DataFrame(
    [
        ["s1", "Profile return", "early years", "Schools", "aggregate", "statutory", "none",
         "eyfsp", "yes", "gld;avg;cl_x", "readiness;leaving", "o_ready"],
        ["s2", "Parents' survey", "early years", "Early Years", "aggregate", "local", "parent",
         "voice", "yes", "reach", "readiness", "o_heard"],
        ["s3", "Nursery notes", "early years", "Settings", "operational", "local",
         "parent;child", "", "no", "", "", ""],
        ["s4", "Room counts", "early years", "Estates", "operational", "local", "none", "",
         "no", "", "", ""],
        ["s5", "Leaving care return", "care leavers", "Social care", "aggregate", "statutory",
         "none", "care_leavers", "yes", "cl_x", "leaving", "o_home"],
    ],
    columns=["id", "name", "topic", "owner_or_service", "level", "basis", "voice",
             "ingested_by_chorus", "reaches_board", "indicators", "frameworks", "outcomes"],
)  # fmt: skip
THEORY = pd.DataFrame(
    [
        ["v_ey", "vision", "Every child thrives", "", "no", ""],
        ["o_ready", "long_term", "Ready for school", "v_ey", "yes", "gld;avg"],
        ["o_heard", "intermediate", "Parents are heard", "o_ready", "yes", "reach"],
        ["o_play", "intermediate", "Children play outdoors", "o_ready", "no", ""],
        ["v_cl", "vision", "Care leavers flourish", "", "no", ""],
        ["o_home", "long_term", "A safe home", "v_cl", "yes", "cl_x"],
        ["o_work", "long_term", "Work or study", "v_cl", "no", ""],
    ],
    columns=["id", "level", "text", "parent_id", "measured", "indicators"],
)
TITLES = {"gld": "Good level", "avg": "Average goals", "reach": "Parents reached"}


def _chapter(framework_indicators=("gld", "avg", "reach")):
    return information_section(
        InformationSources(SOURCES, THEORY), "readiness", framework_indicators, TITLES
    )


def _rows(table):
    return [(row.attrs["source"], [cell.text for cell in row.cells]) for row in table.rows]


def test_the_chapter_names_the_sources_behind_the_pack_with_their_figures():
    chapter = _chapter()
    behind = chapter.blocks[0].tables[0]
    # s1 builds gld and avg of this pack (cl_x is another pack's); s2 builds reach
    assert _rows(behind) == [
        ("s1", ["Schools", "none recorded", "2"]),
        ("s2", ["Early Years", "parents and carers", "1"]),
    ]
    assert [row.header for row in behind.rows] == ["Profile return", "Parents' survey"]


def test_the_chapter_lists_what_never_reaches_a_board_voice_first_within_the_topic():
    chapter = _chapter()
    never = chapter.blocks[1].tables[0]
    assert _rows(never) == [
        ("s3", ["Settings", "parents and carers, children", "local, operational"]),
        ("s4", ["Estates", "none recorded", "local, operational"]),
    ]
    # four early-years sources (the care leavers' one is another topic), two behind the
    # pack, two never reaching a board, one of which carries voice
    assert chapter.paragraphs[0] == (
        "The council's information inventory lists 4 kinds of information held about early "
        "years. The figures in this pack are built from 2 of them. 2 never reach a board, and "
        "1 of those carries the voices of children, parents and carers or practitioners."
    )


def test_the_chapter_shows_measured_and_unmeasured_outcomes_of_its_own_tree_only():
    items = _chapter().blocks[2].items
    assert [(item.attrs["outcome"], item.attrs["measured"]) for item in items] == [
        ("o_ready", "yes"),
        ("o_heard", "yes"),
        ("o_play", "no"),
    ]  # the care leavers' tree (o_home, o_work) is not this pack's
    assert items[0].text == "Ready for school: measured by Good level; Average goals."
    assert items[2].text == "Children play outdoors: no figure measures this yet."


def test_an_outcome_measured_only_by_another_pack_is_not_called_unmeasured():
    # a pack showing only gld: o_heard is measured (by reach, elsewhere), so it is not listed
    # as "no figure measures this yet"; o_play still is
    items = _chapter(("gld",)).blocks[2].items
    assert [(item.attrs["outcome"], item.attrs["measured"]) for item in items] == [
        ("o_ready", "yes"),
        ("o_play", "no"),
    ]
    assert items[0].text == "Ready for school: measured by Good level."


def test_no_chapter_when_no_source_reaches_the_pack():
    chapter = information_section(InformationSources(SOURCES, THEORY), "nobody", ("gld",), TITLES)
    assert chapter is None


def test_the_register_page_shows_unmeasured_outcomes_and_indicators_serving_none():
    register = pd.DataFrame(
        {
            "indicator_id": ["gld", "avg", "stray"],
            "title": ["Good level", "Average goals", "A stray figure"],
            "outcome": ["Ready for school", "Ready for school", "Something else"],
        }
    )
    theory = THEORY.assign(
        indicators=[(), ("avg", "gld"), (), (), (), (), ()]
    )  # as the map gives it: tuples of ids
    html = render_register_html(register, "2026-12-03", theory)
    rows = re.findall(r'<tr><th scope="row">(.*?)</th>\s*<td>(.*?)</td><td>(.*?)</td>', html, re.S)
    cells = {text: (level, measured.strip()) for text, level, measured in rows}
    assert cells["Ready for school"] == ("Long-term outcome", "Average goals; Good level")
    assert (
        cells["Children play outdoors"][1] == "<strong>No indicator measures this outcome</strong>"
    )
    assert cells["Work or study"][1].endswith("No indicator measures this outcome</strong>")
    assert "Every child thrives" not in cells  # a vision is never measured
    # o_heard, o_play, o_home, o_work: four outcomes with no indicator, of five
    assert "4 of\n5 outcomes are measured by no indicator yet" in html
    assert "Indicators serving no outcome of the theory of change:\nA stray figure." in html
    assert 'href="information_map.html"' in html
