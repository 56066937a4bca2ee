"""The page for families (issue 17, item 4): register/families.html names every published
indicator (read from the published register CSV), states the disclosure threshold of the
seed it was made with, says what each source keeps, is linked from the register and the
information map, and passes axe-core in Chromium. The contact seed's bad rows are named one
line each and never stop the page."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest

from tests.test_packs_accessibility import AXE_OPTIONS, CHROMIUM, CHROMIUM_ARGS


def _text(page: str) -> str:
    """The page's words, tags removed and white space collapsed, as a reader sees them."""
    words = re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", " ", page, flags=re.S))
    return re.sub(r"\s+", " ", html.unescape(words)).strip()


@pytest.fixture(scope="module")
def published(pipeline_run) -> Path:
    return pipeline_run.settings.output / "register"


def test_the_page_names_every_published_indicator(published):
    register = pd.read_csv(published / "indicators.csv", dtype=str, keep_default_na=False)
    text = _text((published / "families.html").read_text(encoding="utf-8"))
    assert len(register) > 30
    missing = [title for title in register["title"] if re.sub(r"\s+", " ", title) not in text]
    assert missing == []
    # the consent rates are among them, as published indicators
    assert {"voice_consent_quote", "voice_consent_link", "voice_no_consent_aggregate"} <= set(
        register["indicator_id"]
    )


def test_the_threshold_on_the_page_is_the_seeds(published, pipeline_run):
    seed = pd.read_csv(pipeline_run.settings.seeds / "disclosure_control.csv", dtype=str)
    settings = dict(zip(seed["setting"], seed["value"], strict=True))
    threshold, minimum = int(settings["threshold"]), int(settings["voice_min_respondents"])
    text = _text((published / "families.html").read_text(encoding="utf-8"))
    shown = re.search(r"never publish a count of 1 to (\d+) children or people", text)
    assert shown is not None and int(shown[1]) == threshold - 1
    assert f"answered by fewer than {minimum} people is also shown as c" in text
    assert "A group with nobody in it at all is shown as 0 of 0" in text


def test_the_page_is_linked_from_the_register_and_the_map(published):
    for name in ("index.html", "information_map.html"):
        assert 'href="families.html"' in (published / name).read_text(encoding="utf-8"), name


def test_the_page_says_what_each_source_keeps_and_who_to_ask(published, pipeline_run):
    text = _text((published / "families.html").read_text(encoding="utf-8"))
    contacts = pd.read_csv(pipeline_run.settings.seeds / "families_page.csv", dtype=str)
    for value in contacts["value"]:
        assert value in text
    inventory = pd.read_csv(
        pipeline_run.settings.seeds / "information_inventory.csv", dtype=str, keep_default_na=False
    )
    used = inventory[inventory["ingested_by_chorus"] != ""]
    for name in used["name"]:
        assert name in text
    # jargon is never left unexplained: a short word the page uses is in its word list
    page = (published / "families.html").read_text(encoding="utf-8")
    assert "pseudonymised identifier" not in text
    listed = re.search(r'<section aria-labelledby="words">(.*?)</section>', page, flags=re.S)
    for word in ("LSOA", "UPN", "EYFSP", "ASQ-3", "IDACI"):
        if re.search(rf"(?<![A-Za-z0-9]){re.escape(word)}(?![A-Za-z0-9])", text):
            assert listed is not None and f"<dt>{word}</dt>" in listed[1], word


def test_with_a_hand_built_seed(tmp_path):
    """Threshold 7 and rounding 5 from a seed written here; two contact rows that cannot be
    used are named and left out."""
    from indicators.disclosure.control import DisclosureConfig
    from indicators.publish.families_page import (
        families_page,
        load_contacts,
        render_families_html,
    )
    from indicators.sources.load import load_sources

    seed = tmp_path / "disclosure_control.csv"
    seed.write_text(
        "setting,value,meaning\nthreshold,7,t\nround_counts_to,5,r\nvoice_min_respondents,12,m\n"
    )
    contacts_file = tmp_path / "families_page.csv"
    contacts_file.write_text(
        "field,value\nauthority_name,Testshire Council\nteam,the data team\n"
        "fax,0161 496 0999\nemail,\n"
    )
    contacts, problems = load_contacts(contacts_file, "seeds/families_page.csv")
    assert contacts == {"authority_name": "Testshire Council", "team": "the data team"}
    assert problems == [
        "seeds/families_page.csv, row 4, column field: 'fax' is not one of authority_name, "
        "team, email, phone, address, privacy_notice [contact_field]",
        "seeds/families_page.csv, row 5, column value: email is blank",
    ]
    register = pd.DataFrame(
        [
            ("a1", "Children reading daily", "Share reading every day.", "Voice"),
            ("a2", "Good level of development", "Share at the expected level.", "School"),
        ],
        columns=["indicator_id", "title", "definition", "domain"],
    )
    sources = pd.DataFrame(
        [
            ("s1", "The parents' survey", "Early Years", "parent", "voice", ("a1",)),
            ("s2", "Learning journals", "Settings", "child", "", ()),
        ],
        columns=["id", "name", "owner_or_service", "voice", "ingested_by_chorus", "indicators"],
    )
    listing = pd.DataFrame(
        [("f1", "Readiness", "Neighbourhood board", "Local authority", "Neighbourhood", "a1")],
        columns=[
            "framework_id",
            "framework_title",
            "audience",
            "authority_level",
            "area_level",
            "indicator_id",
        ],
    )
    specs = {"voice": load_sources()["voice"]}
    page = families_page(
        register, sources, listing, specs, DisclosureConfig.from_seed(seed), contacts
    )
    text = _text(render_families_html(page, "2026-01-01"))
    assert "How Testshire Council uses your family's information" in text
    assert "never publish a count of 1 to 6 children or people" in text
    assert "answered by fewer than 12 people is also shown as c" in text
    assert "rounded to the nearest 5" in text
    assert "Children reading daily" in text and "Good level of development" in text
    assert "The parents' survey" in text and "1 other kinds of information" in text
    assert "Neighbourhood board" in text and "each neighbourhood" in text
    # the voice spec asks three consents; its month-only date and coded UPN are said plainly
    assert "whether their answers may be linked to their child's school record" in text
    assert "kept only as a month and year" in text
    assert "Ask the data team" in text
    # the one source used builds one figure, about its domain
    assert "1 published figure, about: Voice" in text


pytestmark_axe = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"
)


@pytestmark_axe
@pytest.mark.browser
def test_the_page_has_no_axe_violations_and_requests_nothing(published):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    path = published / "families.html"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1024, "height": 1400})
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        url = path.resolve().as_uri()
        page.goto(url)
        assert page.evaluate("document.documentElement.lang") == "en-GB"
        levels = page.evaluate(
            "Array.from(document.querySelectorAll('h1,h2,h3')).map(h => +h.tagName[1])"
        )
        assert levels[0] == 1 and levels.count(1) == 1
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))
        axe = Axe()
        for media in ("screen", "print"):
            page.emulate_media(media=media)
            results = axe.run(page, options=AXE_OPTIONS)
            assert results.violations_count == 0, f"{media}:\n{results.generate_report()}"
        assert page.evaluate("document.documentElement.scrollWidth") <= 1024
        browser.close()
    assert requested == [url], f"the page fetched other resources: {requested[1:]}"


def test_a_postcode_kept_as_a_code_is_told_to_families(published):
    """A source that keeps the whole postcode as a keyed code (identifier.linked_as, to find a
    child's LSOA) must say so on its row, not only that the postcode is cut to its sector."""
    import yaml

    root = Path(__file__).resolve().parents[1]
    page = (published / "families.html").read_text(encoding="utf-8")
    rows = re.findall(r"<tr>(.*?)</tr>", page, flags=re.S)
    linked = []
    for path in sorted((root / "sources").glob("*/base.yml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        columns = spec.get("columns", [])
        # `identifier: keep` (a string) says nothing is done to a column: only a mapping links
        identifiers = [c.get("identifier") for c in columns]
        identifiers = [i for i in identifiers if isinstance(i, dict)]
        if any(i.get("linked_as") for i in identifiers) and any(
            i.get("to") == "postcode_sector" for i in identifiers
        ):
            linked.append(spec["title"])
    assert linked, "no source keeps a linked postcode: the test lacks teeth"
    for title in linked:
        row = [_text(r) for r in rows if title.lower() in _text(r).lower()]
        assert row, title
        assert "secret key" in row[0] and "small area" in row[0], row[0]
        assert "kept only as its first part" not in row[0], row[0]
