"""The slope index of inequality in the school-readiness packs and on the register page
(issue 17, item 5): the pack shows indicators/inequality.csv as published, beside the figure
it is computed from, and the register lists the measure of every indicator with a declared
deprivation-quintile partition.

The hand-built cases are worked out here; the real run's pack is compared with the rows of
its own published inequality.csv (the file the pack reads), cell by cell.
"""

import json
import re

import pandas as pd

from indicators.publish.packs.deprivation_gap import add_inequality_blocks
from indicators.publish.packs.model import Block, Section
from indicators.publish.register import render_register_html
from tests.test_packs import parse_html

DOMAIN = "Deprivation in context"
METHOD = "A slope across the fifths"


def _row(indicator, area, period, sii, lower, upper, most, least, statement):
    return {
        "indicator_id": indicator,
        "time_period": period,
        "geographic_level": "Local authority",
        "area_code": area,
        "area_name": area,
        "breakdown": "IDACI quintile of home",
        "sii": sii,
        "sii_lower_95": lower,
        "sii_upper_95": upper,
        "most_deprived_value": most,
        "least_deprived_value": least,
        "method": METHOD,
        "statement": statement,
    }


# two years of "q" for A (the later one first, as a file may hold them), one hidden; B's and
# another framework's indicator's rows must not reach A's pack
ROWS = pd.DataFrame(
    [
        _row("q", "A", "202324", "-3.5", "-6.0", "-1.0", "60.0", "57.0", "The gap runs..."),
        _row("q", "A", "202223", "x", "x", "x", "x", "x", "Not calculated: hidden."),
        _row("q", "B", "202324", "9.9", "1.0", "19.0", "50.0", "60.0", "B's words"),
        _row("other", "A", "202324", "1.0", "0.5", "1.5", "1.0", "2.0", "Other words"),
    ]
)
REGISTER = {
    "q": {"domain": DOMAIN, "title": "Good level by fifth"},
    "other": {"domain": DOMAIN, "title": "Other"},
}


def _sections():
    section = Section(id="d", heading=DOMAIN, sheet=DOMAIN)
    section.blocks = [
        Block(id="a", heading="Before", indicator_id="before"),
        Block(id="q", heading="Q itself", indicator_id="q"),
        Block(id="z", heading="After", indicator_id="after"),
    ]
    return [Section(id="h", heading="Headline things", sheet="Headline"), section]


def test_the_pack_block_sits_after_its_indicator_and_shows_the_published_rows():
    sections = _sections()
    add_inequality_blocks(sections, ROWS, "A", ("q", "before", "after"), REGISTER)
    blocks = sections[1].blocks
    assert [b.heading for b in blocks][:2] == ["Before", "Q itself"]
    assert blocks[3].heading == "After"
    assert sections[0].blocks == []
    table = blocks[2].tables[0]
    # oldest year first; the text of each cell as published, a hidden year as x
    assert [(r.header, [c.text for c in r.cells]) for r in table.rows] == [
        ("2022/23", ["x", "x", "x", "x", "Not calculated: hidden."]),
        ("2023/24", ["-3.5", "-6.0 to -1.0", "60.0%", "57.0%", "The gap runs..."]),
    ]
    # the spreadsheet gets numbers, the limits as two columns
    assert table.rows[1].cells[1].sheet_values() == (-6.0, -1.0)
    assert table.rows[1].cells[0].sheet_values() == (-3.5,)
    words = " ".join(blocks[2].paragraphs + table.notes)
    assert "Good level by fifth" in words and "all five fifths" in words
    assert f"Method: {METHOD}." in table.notes
    assert "ranks areas, not families" in words


def test_no_block_for_an_area_without_rows_or_a_pack_without_the_domain():
    sections = _sections()
    add_inequality_blocks(sections, ROWS, "C", ("q",), REGISTER)
    assert [b.id for b in sections[1].blocks] == ["a", "q", "z"]
    only_headline = _sections()[:1]
    add_inequality_blocks(only_headline, ROWS, "A", ("q",), REGISTER)
    assert only_headline[0].blocks == []
    add_inequality_blocks(sections, None, "A", ("q",), REGISTER)
    assert [b.id for b in sections[1].blocks] == ["a", "q", "z"]


def test_the_register_page_lists_the_inequality_measure_of_a_quintile_partition():
    quintiles = [f"Quintile {n}" for n in range(1, 6)]
    relations = {
        "areas": "add_up",
        "absent_cells": "zero",
        "rules": [],
        "breakdowns": {
            "All": {"kind": "total", "groups": ["All children"]},
            "By fifth": {"kind": "partition", "groups": [*quintiles, "Not known"]},
        },
    }
    plain = {
        "areas": "add_up",
        "absent_cells": "zero",
        "rules": [],
        "breakdowns": {"All": {"kind": "total", "groups": ["All"]}},
    }
    register = pd.DataFrame(
        {
            "indicator_id": ["byfifth", "plain"],
            "title": ["Good level by fifth", "Good level"],
            "relations": [json.dumps(relations), json.dumps(plain)],
        }
    )
    html = render_register_html(register, "2026-12-03")
    listed = re.findall(r'<li><a href="#(\w+)">([^<]*)</a>: slope index of inequality', html)
    assert listed == [("byfifth", "Good level by fifth")]
    sections = dict(re.findall(r'<section aria-labelledby="([\w-]+)">(.*?)</section>', html, re.S))
    assert "Inequality measure" in sections["byfifth"]
    assert "By fifth breakdown" in " ".join(sections["byfifth"].split())
    assert "Inequality measure" not in sections["plain"]
    assert "indicators/inequality.csv" in sections["inequality-measures"]


def test_the_real_run_s_authority_pack_shows_its_published_slope_indices(pipeline_run):
    """The school-readiness authority pack of the synthetic borough, HTML and spreadsheet,
    against the rows of the run's own indicators/inequality.csv."""
    import openpyxl

    from indicators.publish.packs import slugify

    output = pipeline_run.settings.output
    published = pd.read_csv(
        output / "indicators" / "inequality.csv", dtype=str, keep_default_na=False
    )
    authority = published[published["geographic_level"] == "Local authority"]
    assert not authority.empty
    ((la_code, la_name),) = set(zip(authority["area_code"], authority["area_name"], strict=True))
    pack = output / "boards" / slugify(la_name)
    root = parse_html((pack / "pack.html").read_text(encoding="utf-8"))
    shown = {
        (tr.attrs["data-indicator"], tr.attrs["data-period"]): [
            td.text().strip().replace("’", "'") for td in tr.iter("td")
        ]
        for tr in root.iter("tr")
        if tr.attrs.get("data-inequality") == "sii"
    }
    expected = {}
    for row in authority.to_dict("records"):
        hidden = row["sii"] == "x"
        expected[(row["indicator_id"], row["time_period"])] = [
            row["sii"],
            "x" if hidden else f"{row['sii_lower_95']} to {row['sii_upper_95']}",
            row["most_deprived_value"] + ("" if row["most_deprived_value"] == "x" else "%"),
            row["least_deprived_value"] + ("" if row["least_deprived_value"] == "x" else "%"),
            row["statement"].replace("’", "'"),
        ]
    assert shown == expected
    # in the Deprivation in context section (the indicator's register domain)
    register = pd.read_csv(output / "register" / "indicators.csv", dtype=str)
    domain = register.set_index("indicator_id").loc["gld_by_idaci_quintile", "domain"]
    rows = [tr for tr in root.iter("tr") if tr.attrs.get("data-inequality") == "sii"]

    def sections_around(node):
        ids = []
        while (node := node.ancestor("section")) is not None:
            ids.append(node.attrs.get("id", ""))
        return ids

    assert rows and all(slugify(domain) in sections_around(tr) for tr in rows)
    # the spreadsheet: each statement and SII on the domain's sheet
    workbook = openpyxl.load_workbook(pack / "pack.xlsx", read_only=True)
    cells = [
        value
        for sheet in workbook.worksheets
        for line in sheet.iter_rows(values_only=True)
        for value in line
        if value is not None
    ]
    for row in authority.to_dict("records"):
        assert row["statement"] in cells
        if row["sii"] != "x":
            assert float(row["sii"]) in cells
    # the register page lists the measure
    page = (output / "register" / "index.html").read_text(encoding="utf-8")
    assert 'href="#gld_by_idaci_quintile">' in page
    assert "Inequality measure" in page


def test_the_comparison_summary_counts_only_groups_with_children_in_them(pipeline_run):
    """GLD by IDACI quintile has an 'LSOA not known' row of 0 of 0 when every postcode is
    placed: a row of the table, but no figure to compare, so not one of "these N"."""
    from indicators.publish.packs import slugify

    output = pipeline_run.settings.output
    table = pd.read_csv(
        output / "indicators" / "indicator_values.csv", dtype=str, keep_default_na=False
    )
    cells = table[
        (table["indicator_id"] == "gld_by_idaci_quintile")
        & (table["geographic_level"] == "Local authority")
        & (table["breakdown"] == "IDACI quintile of home")
    ]
    latest = cells[cells["time_period"] == max(cells["time_period"])]
    assert (latest["denominator"] == "0").any(), "no empty group: the test lacks teeth"
    peopled = (latest["denominator"] != "0").sum()
    (la_name,) = set(latest["area_name"])
    html = (output / "boards" / slugify(la_name) / "pack.html").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    title = "Good level of development by deprivation of home area (IDACI quintile), by IDACI"
    block = text[text.index(title) :][:2000]
    said = re.search(r"Compared with [^,]+, of these (\d+):", block)
    assert said is not None, block
    assert int(said[1]) == peopled, (said[0], peopled)
