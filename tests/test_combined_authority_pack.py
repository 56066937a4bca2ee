"""The combined authority board's pack (dbt_project/frameworks/combined_authority.yml, issue
18 part 4): one pack for an English devolved area (Greater Manchester), each local authority
beside it and England, and a funnel plot per declared proportion, whose words are a claim.

The publication is typed out by hand: ten authorities with chosen counts of a good level of
development, one of them suppressed (c), one far above the combined authority and one far
below it, and the combined authority's row (every authority's children added up, the
suppressed one's too). The expected funnel limits are computed here, independently of
indicators/stats/funnel.py: by inverting the Wilson score interval as PHEindicatormethods'
documentation describes the limits (the proportion whose 95% or 99.8% Wilson interval just
reaches the centre), found by root finding on the Wilson formula written out below.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from scipy import optimize, stats

from indicators.config import ChorusSettings
from indicators.publish import board_packs
from indicators.publish.frameworks import (
    FrameworkError,
    default_dir,
    framework_problems,
    load_frameworks,
    parse_framework,
)
from indicators.publish.packs import Publication, RunInfo, pack_slugs
from tests.test_packs import _register, parse_html, table_rows

ROOT = Path(__file__).resolve().parents[1]
CA = ("E47000001", "Greater Manchester")
PERIOD = "202425"
# (code, name, children at a good level, children): Rochdale's count is published as c;
# Trafford is built far above the centre, Manchester far below, Bolton just below.
AUTHORITIES = [
    ("E08000001", "Bolton", 800, 1260),
    ("E08000002", "Bury", 560, 780),
    ("E08000003", "Manchester", 1400, 2400),
    ("E08000004", "Oldham", 730, 1080),
    ("E08000005", "Rochdale", 640, 960),
    ("E08000006", "Salford", 700, 1050),
    ("E08000007", "Stockport", 760, 1100),
    ("E08000008", "Tameside", 610, 900),
    ("E08000009", "Trafford", 800, 970),
    ("E08000010", "Wigan", 1060, 1500),
]
HIDDEN = "Rochdale"
Z95, Z998 = stats.norm.ppf(0.975), stats.norm.ppf(0.999)


# ------------------------------------------------------------------- independent arithmetic


def wilson(successes: float, n: float, z: float) -> tuple[float, float]:
    """The Wilson score interval of successes out of n (as proportions)."""
    q = successes / n
    centre = (q + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(q * (1 - q) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def limit(centre: float, n: float, z: float, side: str) -> float:
    """The proportion whose Wilson interval at n just reaches `centre` from above ('upper')
    or below ('lower'): PHEindicatormethods' funnel limit, by root finding."""
    if side == "upper":
        return optimize.brentq(lambda q: wilson(q * n, n, z)[0] - centre, centre, 1.0)
    return optimize.brentq(lambda q: wilson(q * n, n, z)[1] - centre, 0.0, centre)


def position(count: int, n: int, centre: float) -> str:
    """PHEindicatormethods' assign_funnel_significance words (on a limit is within)."""
    share = count / n
    if share > limit(centre, n, Z998, "upper"):
        return "High (0.001)"
    if share < limit(centre, n, Z998, "lower"):
        return "Low (0.001)"
    if share > limit(centre, n, Z95, "upper"):
        return "High (0.025)"
    if share < limit(centre, n, Z95, "lower"):
        return "Low (0.025)"
    return "Not significant"


def printed(number: float) -> str:
    return f"{number:.1f}"


def compared(lower: str, upper: str, benchmark: str) -> str:
    """Fingertips on the printed interval and benchmark, high is good."""
    if float(lower) > float(benchmark):
        return "better"
    if float(upper) < float(benchmark):
        return "worse"
    return "similar"


# ------------------------------------------------------------------ the published table


def england_value(indicator_id: str) -> str:
    seed = pd.read_csv(ROOT / "seeds" / "england_benchmarks.csv", dtype=str)
    row = seed[
        (seed["indicator_id"] == indicator_id)
        & (seed["time_period"] == PERIOD)
        & (seed["breakdown"] == "All")
    ]
    return row["value"].iloc[0] if len(row) else ""


def _row(indicator_id, level, code, name, count, n, ca_value, england, hidden=False) -> dict:
    low, high = wilson(count, n, Z95)
    low998, high998 = wilson(count, n, Z998)
    row = {
        "indicator_id": indicator_id,
        "time_period": PERIOD,
        "time_identifier": "Academic year",
        "geographic_level": level,
        "area_code": code,
        "area_name": name,
        "breakdown": "All",
        "group": "All children",
        "numerator": str(count),
        "denominator": str(n),
        "value": printed(100 * count / n),
        "lower_ci_95": printed(100 * low),
        "upper_ci_95": printed(100 * high),
        "lower_ci_998": printed(100 * low998),
        "upper_ci_998": printed(100 * high998),
        "recent_trend": "could not be calculated",
        "reliability": "normal",
    }
    row["compared_with_la"] = (
        compared(row["lower_ci_95"], row["upper_ci_95"], ca_value) if ca_value else "not compared"
    )
    row["compared_with_england"] = (
        compared(row["lower_ci_95"], row["upper_ci_95"], england) if england else "not compared"
    )
    if hidden:
        for column in row:
            if column in ("numerator", "value") or column.startswith(("lower", "upper")):
                row[column] = "c"
        row["compared_with_la"] = row["compared_with_england"] = row["recent_trend"] = "c"
    return row


def published_table(with_ca: bool = True) -> pd.DataFrame:
    """gld with the authorities above; cll_expected with every authority at 70% (all within
    the limits); the combined authority's rows when `with_ca`."""
    rows = []
    for indicator_id, counts in (
        ("gld", [(code, name, c, n) for code, name, c, n in AUTHORITIES]),
        ("cll_expected", [(code, name, round(0.7 * n), n) for code, name, _, n in AUTHORITIES]),
    ):
        england = england_value(indicator_id)
        total = sum(c for *_, c, _ in counts), sum(n for *_, n in counts)
        ca_value = printed(100 * total[0] / total[1])
        if with_ca:
            rows.append(_row(indicator_id, "English devolved area", *CA, *total, "", england))
        for code, name, count, n in counts:
            hidden = indicator_id == "gld" and name == HIDDEN
            rows.append(
                _row(
                    indicator_id,
                    "Local authority",
                    code,
                    name,
                    count,
                    n,
                    ca_value if with_ca else "",
                    england,
                    hidden,
                )
            )
    return pd.DataFrame(rows).astype(str)


def register() -> pd.DataFrame:
    frame = _register()
    frame = frame[frame["indicator_id"] == "gld"]
    cll = frame.iloc[0].copy()
    cll["indicator_id"] = "cll_expected"
    cll["title"] = (
        "Children at the expected level in all communication and language and literacy goals"
    )
    return pd.concat([frame, cll.to_frame().T], ignore_index=True).astype(str)


def the_framework():
    return next(f for f in load_frameworks([default_dir()]) if f.id == "combined_authority")


class Log:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def info(self, message: str) -> None:
        self.lines.append(message)

    warning = error = info


def write_stage(stage: Path, values: pd.DataFrame) -> None:
    """A staged publication's files as the board_packs step reads them."""
    for folder in ("indicators", "register", "quotes"):
        (stage / folder).mkdir(parents=True, exist_ok=True)
    values.to_csv(stage / "indicators" / "indicator_values.csv", index=False)
    register().to_csv(stage / "register" / "indicators.csv", index=False)
    pd.DataFrame(
        {"indicator_id": ["gld", "cll_expected"], "period_type": ["academic_year"] * 2}
    ).to_csv(stage / "register" / "frameworks.csv", index=False)
    pd.DataFrame(
        columns=[
            "quote",
            "item_id",
            "item",
            "domain",
            "neighbourhood_code",
            "neighbourhood_name",
            "year",
            "time_period",
        ]
    ).to_csv(stage / "quotes" / "quotes.csv", index=False)


def run_packs(tmp_path: Path, monkeypatch, values: pd.DataFrame, parents: pd.DataFrame):
    """write_board_packs over a hand-made stage, for the combined authority's framework only
    (the warehouse's dim_areas given as `parents`)."""
    stage = tmp_path / "stage"
    write_stage(stage, values)
    framework = the_framework()
    monkeypatch.setattr(board_packs, "load_frameworks", lambda: [framework])
    monkeypatch.setattr(board_packs, "area_parents", lambda warehouse: parents)
    settings = ChorusSettings.from_env(
        {"CHORUS_HOME": str(tmp_path / "home"), "CHORUS_LANDING": str(tmp_path / "landing")}
    )
    log = Log()
    written = board_packs.write_board_packs(settings, stage, "test-run", log)
    return stage, written, log


GM_PARENTS = pd.DataFrame(
    {"area_code": [code for code, *_ in AUTHORITIES], "parent_area_code": [CA[0]] * 10}
)


@pytest.fixture(scope="module")
def gm_pack(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("ca")
    monkeypatch = pytest.MonkeyPatch()
    try:
        stage, written, log = run_packs(tmp_path, monkeypatch, published_table(), GM_PARENTS)
    finally:
        monkeypatch.undo()
    return stage / "boards-combined-authority", written, log


# --------------------------------------------------------------------------------- the pack


def test_one_pack_for_the_combined_authority_and_none_per_authority(gm_pack):
    folder, written, _ = gm_pack
    assert sorted(p.name for p in folder.iterdir()) == ["greater-manchester"]
    assert written.packs == 1 and written.files == 4
    assert sorted(p.name for p in (folder / "greater-manchester").iterdir()) == [
        "claims.csv",
        "pack.html",
        "pack.pdf",
        "pack.xlsx",
    ]
    html = (folder / "greater-manchester" / "pack.html").read_text(encoding="utf-8")
    assert "<title>Greater Manchester: combined authority board pack" in html
    # each authority beside the combined authority (its published comparison) and England
    values = published_table()
    shown = values[
        (values["indicator_id"] == "gld") & (values["geographic_level"] == "Local authority")
    ]
    root = parse_html(html)
    rows = [
        (attrs, cells)
        for attrs, cells in table_rows(root)
        if attrs.get("indicator") == "gld"
        and attrs.get("area", "").startswith("E08")
        and "funnel" not in attrs
    ]
    assert len(rows) == 10
    assert "Compared with the combined authority average" in html
    for record in shown.to_dict("records"):
        assert record["area_name"] in html
    claims = pd.read_csv(folder / "greater-manchester" / "claims.csv", dtype=str)
    la_claims = claims[
        (claims["kind"] == "comparison")
        & (claims["benchmark"] == "la")
        & (claims["indicator_id"] == "gld")
    ]
    by_area = dict(zip(shown["area_code"], shown["compared_with_la"], strict=True))
    assert len(la_claims) == 10
    for claim in la_claims.to_dict("records"):
        assert claim["verdict"] == by_area[claim["area_code"]]


def _funnel_svg(html: str, indicator: str) -> str:
    block = re.search(
        rf'<section class="block" id="[^"]*funnel[^"]*"[^>]*data-indicator="{indicator}">'
        r"(.*?)</section>",
        html,
        re.S,
    )
    assert block, f"no funnel block for {indicator}"
    svg = re.search(r"<svg.*?</svg>", block.group(1), re.S)
    assert svg
    return svg.group(0)


def _points(path: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in re.findall(r"(-?[\d.]+) (-?[\d.]+)", path)]


def test_the_funnel_limits_drawn_are_the_wilson_limits_around_the_combined_authority(gm_pack):
    folder, *_ = gm_pack
    html = (folder / "greater-manchester" / "pack.html").read_text(encoding="utf-8")
    svg = _funnel_svg(html, "gld")
    centre = sum(c for *_, c, _ in AUTHORITIES) / sum(n for *_, n in AUTHORITIES)
    # the plotted points (the legend's point is the first circle), matched by their order
    # across: each at its published denominator and value
    circles = [
        (float(x), float(y)) for x, y in re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)"', svg)[1:]
    ]
    plotted = sorted((n, round(100 * c / n, 1)) for _, name, c, n in AUTHORITIES if name != HIDDEN)
    assert len(circles) == len(plotted) == 9
    circles.sort()
    # the plot's two linear maps, from the two points furthest apart
    (n1, v1), (n2, v2) = plotted[0], plotted[-1]
    (x1, y1), (x2, y2) = circles[0], circles[-1]
    ax, ay = (x2 - x1) / (n2 - n1), (y2 - y1) / (v2 - v1)
    for (n, v), (x, y) in zip(plotted, circles, strict=True):
        assert x == pytest.approx(x1 + ax * (n - n1), abs=0.15)
        assert y == pytest.approx(y1 + ay * (v - v1), abs=0.15)
    # every vertex of every limit line lies on the independently computed limit
    lines = re.findall(r'<path d="(M[^"]* L[^"]*)"[^>]*stroke-dasharray="([^"]+)"', svg)
    dashes = {dash for _, dash in lines}
    assert len(dashes) == 2  # the 95% and the 99.8% limits: told apart by their pattern
    centre_y = y1 + ay * (100 * centre - v1)
    checked = 0
    for path, dash in lines:
        z = Z998 if dash == "2 3" else Z95
        vertices = _points(path)
        side = "upper" if vertices[-1][1] < centre_y else "lower"
        for x, y in vertices:
            # coordinates are printed to 0.1 px (the points' too, from which the maps come):
            # the limit at the vertex's denominator, give or take 0.15 px across, within
            # 0.06 px up; from 100 children on (below, the curve is too steep to read back)
            n = n1 + (x - x1) / ax
            v = v1 + (y - y1) / ay
            spread = 0.15 / ax
            if n < 100:
                continue
            bounds = [100 * limit(centre, m, z, side) for m in (n - spread, n + spread)]
            slack = abs(0.06 / ay)
            assert min(bounds) - slack <= v <= max(bounds) + slack, (dash, side, n)
            checked += 1
    assert checked > 200
    # the centre line: solid, at the combined authority's published numerator over denominator
    solid = re.findall(
        r'<path d="M[\d.]+ ([\d.]+) H[\d.]+" stroke="[^"]+" stroke-width="2" fill', svg
    )
    assert len(solid) == 1 and float(solid[0]) == pytest.approx(centre_y, abs=0.15)


def test_the_table_gives_each_authoritys_limits_at_its_own_size(gm_pack):
    folder, *_ = gm_pack
    html = (folder / "greater-manchester" / "pack.html").read_text(encoding="utf-8")
    centre = sum(c for *_, c, _ in AUTHORITIES) / sum(n for *_, n in AUTHORITIES)
    rows = {
        attrs["area"]: cells
        for attrs, cells in table_rows(parse_html(html))
        if attrs.get("funnel") == "yes" and attrs.get("indicator") == "gld"
    }
    assert len(rows) == 10
    for code, name, count, n in AUTHORITIES:
        texts = {heading: " ".join(cell.text().split()) for heading, cell in rows[code].items()}
        assert texts["Local authority"] == name
        for z, heading in ((Z95, "95% limits"), (Z998, "99.8% limits")):
            low, high = (100 * limit(centre, n, z, side) for side in ("lower", "upper"))
            assert texts[heading] == f"{low:.1f}% to {high:.1f}%", name
        if name == HIDDEN:
            assert texts["Value"] == "c" and texts["Counts"] == f"c of {n:,}"
            assert texts["Where it lies"] == "not plotted: its count is not shown (c)"
        else:
            assert texts["Value"] == f"{100 * count / n:.1f}%"
            assert texts["Counts"] == f"{count:,} of {n:,}"


def test_the_funnels_words_are_a_claim_naming_who_lies_outside_and_who_is_not_shown(gm_pack):
    folder, *_ = gm_pack
    pack = folder / "greater-manchester"
    claims = pd.read_csv(pack / "claims.csv", dtype=str, keep_default_na=False)
    funnel = claims[(claims["kind"] == "funnel") & (claims["indicator_id"] == "gld")]
    assert len(funnel) == 1
    claim = funnel.iloc[0]
    centre = sum(c for *_, c, _ in AUTHORITIES) / sum(n for *_, n in AUTHORITIES)
    expected = {
        name: position(count, n, centre) for _, name, count, n in AUTHORITIES if name != HIDDEN
    }
    # the constructed authorities are where they were built to be
    assert expected["Trafford"] == "High (0.001)" and expected["Manchester"] == "Low (0.001)"
    assert expected["Bolton"] == "Low (0.025)" and expected["Bury"] == "High (0.025)"
    assert claim["made"] == "yes"
    assert claim["verdict"] == "; ".join(f"{name}: {where}" for name, where in expected.items())
    total = (sum(c for *_, c, _ in AUTHORITIES), sum(n for *_, n in AUTHORITIES))
    assert f"centre={total[0]} of {total[1]}" in claim["evidence"]
    assert "Rochdale=c of 960" in claim["evidence"]
    words = claim["words"]
    assert words.startswith(
        "Children at a good level of development, 2024/25, on a funnel plot of the local "
        f"authorities around Greater Manchester ({100 * total[0] / total[1]:.1f}%): "
    )
    assert "Trafford lies above the 99.8% limit (better)" in words
    assert "Manchester lies below the 99.8% limit (worse)" in words
    assert "Bury and Wigan lie above the 95% limit, within the 99.8% limits (better)" in words
    assert "Bolton lies below the 95% limit, within the 99.8% limits (worse)" in words
    within = [name for name, where in expected.items() if where == "Not significant"]
    assert ", ".join(within[:-1]) + f" and {within[-1]} lie within the 95% limits" in words
    assert words.endswith("Rochdale is not plotted: its count is not shown (c).")
    # Rochdale is named, never drawn, and no number of its is printed beside it
    html = (pack / "pack.html").read_text(encoding="utf-8")
    svg = _funnel_svg(html, "gld")
    assert HIDDEN not in re.sub(r"<desc.*?</desc>", "", svg, flags=re.S)
    assert "Rochdale is not plotted: its count is not shown (c)" in svg  # the text alternative
    assert words.replace("’", "'") in html.replace("&#39;", "'").replace("’", "'")
    # all within: the words say so
    cll = claims[(claims["kind"] == "funnel") & (claims["indicator_id"] == "cll_expected")]
    assert cll.iloc[0]["words"].endswith(
        "every local authority placed lies within the 95% limits, so its difference from "
        "Greater Manchester could be chance."
    )


def test_the_chart_is_accessible_and_readable_in_greyscale(gm_pack):
    folder, *_ = gm_pack
    html = (folder / "greater-manchester" / "pack.html").read_text(encoding="utf-8")
    svg = _funnel_svg(html, "gld")
    assert 'role="img"' in svg and "aria-labelledby" in svg
    title = re.search(r"<title[^>]*>(.*?)</title>", svg).group(1)
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", svg, re.S).group(1)
    assert title.startswith("Good level of development: each authority against the combined")
    assert desc.startswith("Funnel plot: the share of children at a good level of development")
    for _, name, count, n in AUTHORITIES:
        if name != HIDDEN:
            assert f"{name} {100 * count / n:.1f}% of {n:,} children" in desc
    # the legend in words; the centre solid, the limits dashed and dotted (two patterns)
    for words in ("local authority", "Greater Manchester (", "95% limits", "99.8% limits"):
        assert f">{words}" in svg
    patterns = set(re.findall(r'stroke-dasharray="([^"]+)"', svg))
    assert patterns == {"7 4", "2 3"}
    figure = re.search(r"<figure>.*?" + re.escape(title[:40]) + r".*?</figure>", html, re.S)
    assert figure and "<figcaption>" in figure.group(0)
    assert "the dashed lines its 95% limits and the dotted lines its 99.8% limits" in html


def test_the_pdf_and_spreadsheet_carry_the_funnel(gm_pack):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    folder, *_ = gm_pack
    pack = folder / "greater-manchester"
    text = " ".join(page.extract_text() for page in PdfReader(pack / "pack.pdf").pages)
    text = " ".join(text.split())
    assert "Good level of development: each authority against the combined authority" in text
    assert "the dashed lines its 95% limits and the dotted lines its 99.8% limits" in text
    book = load_workbook(pack / "pack.xlsx", read_only=True)
    cells = [
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    assert "not plotted: its count is not shown (c)" in cells
    assert "above the 99.8% limit (better)" in cells


# ------------------------------------------------------------------- no combined authority


def test_a_run_without_a_combined_authority_writes_no_pack_and_says_why(tmp_path, monkeypatch):
    one = published_table(with_ca=False)
    one = one[one["area_code"] == "E08000001"]  # one borough, no devolved area row
    stage, written, log = run_packs(tmp_path, monkeypatch, one, GM_PARENTS.iloc[0:0])
    assert written.packs == 0 and written.files == 0
    assert not (stage / "boards-combined-authority").exists()
    assert (
        "combined_authority: no packs, as the publication has no English devolved area "
        "figures for its indicators"
    ) in log.lines


def test_the_areas_of_a_framework_come_from_its_authority_level():
    values = published_table()
    chosen = pd.DataFrame({"new_la_code": ["E08000009"]})  # CHORUS_PACKS=E08000009
    assert board_packs.pack_authorities("English devolved area", values, chosen, GM_PARENTS) == [
        CA[0]
    ]
    assert board_packs.pack_authorities("Local authority", values, chosen, GM_PARENTS) == [
        "E08000009"
    ]
    none = chosen.iloc[0:0]  # CHORUS_PACKS=none
    assert board_packs.pack_authorities("English devolved area", values, none, GM_PARENTS) == []


def test_area_packs_false_gives_the_authority_only():
    values = published_table()
    framework = the_framework()
    assert framework.area_packs is False and framework.area_level == "Local authority"
    run = RunInfo.for_values("r", values, la_word=framework.authority_word)
    publication = Publication(values, register(), None, run, framework=framework)
    assert pack_slugs(publication) == {CA[0]: "greater-manchester"}
    assert publication.la_label == "the combined authority average"


# ------------------------------------------------------------------------ the declarations


def test_the_shipped_framework_declares_its_funnels():
    framework = the_framework()
    assert [f.indicator for f in framework.funnels] == ["gld", "cll_expected", "all_elgs_expected"]
    assert framework.authority_level == "English devolved area"
    assert framework.packs_under == "boards-combined-authority"


def _document() -> dict:
    text = (default_dir() / "combined_authority.yml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def test_a_funnel_of_a_mean_or_an_undeclared_indicator_is_refused():
    document = _document()
    document["funnels"] = [
        {
            "section": "School readiness",
            "heading": "h",
            "indicator": "average_elgs_expected",
            "alt": "{area} {period}",
        },
        {"section": "Nowhere", "heading": "h", "indicator": "cll_expected", "alt": "{board}"},
        {"section": "School readiness", "heading": "h", "indicator": "gld_x", "alt": "a"},
    ]
    framework = parse_framework(document, "frameworks/ca.yml")
    meta = {
        "average_elgs_expected": {"value_type": "mean", "unit": "ELGs (0 to 17)"},
        "cll_expected": {"value_type": "proportion", "unit": "%", "domain": "School readiness"},
        "gld": {"value_type": "proportion", "unit": "%", "domain": "School readiness"},
    }
    full = {i: meta.get(i, {"value_type": "proportion", "unit": "%"}) for i in framework.indicators}
    problems = [p for p in framework_problems([framework], full) if "funnels" in p]
    assert problems == [
        "frameworks/ca.yml: funnels[0].indicator: 'average_elgs_expected' is a mean (ELGs (0 to "
        "17)), not a proportion in %: a funnel's limits are for proportions",
        "frameworks/ca.yml: funnels[1].section: 'Nowhere' is no register domain, voice item "
        "domain or declared section",
        "frameworks/ca.yml: funnels[2].indicator: 'gld_x' is not one of the framework's indicators",
        "frameworks/ca.yml: funnels.alt: unknown placeholder {board} (it takes {area}, {period})",
    ]


def test_area_packs_must_be_true_or_false_and_a_funnel_needs_its_keys():
    document = _document()
    document["audience"]["area_packs"] = "no"
    with pytest.raises(FrameworkError) as refused:
        parse_framework(document, "ca.yml")
    assert str(refused.value) == (
        "ca.yml: audience.area_packs: must be true or false, not the text 'no'"
    )
    document = _document()
    del document["funnels"][0]["alt"]
    with pytest.raises(FrameworkError) as refused:
        parse_framework(document, "ca.yml")
    assert str(refused.value) == (
        "ca.yml: funnels[0]: needs section, heading, indicator, alt; alt missing"
    )


def test_every_claim_of_the_pack_checks_out_independently(gm_pack):
    """tests/independent_claims.py re-derives each claim of the combined authority's pack
    (each authority against the combined authority and England, the rankings across them,
    the funnel placings) from the published table alone, and finds its words in the pack."""
    from tests.independent_claims import check_pack

    folder, *_ = gm_pack
    england = pd.read_csv(ROOT / "seeds" / "england_benchmarks.csv", dtype=str)
    problems = check_pack(
        folder / "greater-manchester",
        published_table(),
        register(),
        england,
        authority_level="English devolved area",
    )
    assert problems == []
    kinds = set(pd.read_csv(folder / "greater-manchester" / "claims.csv", dtype=str)["kind"])
    assert {"comparison", "ranking", "funnel"} <= kinds


@pytest.mark.skipif(
    not Path("/usr/bin/chromium").exists(), reason="Debian's chromium is not installed"
)
@pytest.mark.browser
def test_the_pack_with_its_funnels_has_no_axe_violations(gm_pack):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    from tests.test_packs_accessibility import AXE_OPTIONS, CHROMIUM, CHROMIUM_ARGS

    folder, *_ = gm_pack
    url = (folder / "greater-manchester" / "pack.html").resolve().as_uri()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1024, "height": 1400})
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        page.goto(url)
        for media in ("screen", "print"):
            page.emulate_media(media=media)
            results = Axe().run(page, options=AXE_OPTIONS)
            assert results.violations_count == 0, results.generate_report()
        browser.close()
    assert requested == [url]
