"""Every HTML board pack, and the quality report, passes axe-core's WCAG 2.x A/AA rules
(including 2.2 AA) in Chromium.

Uses Debian's chromium through Playwright's `executable_path` (no browser is downloaded) and
axe-core as bundled by axe-playwright-python. Each pack is opened from a file, must not
request anything else, is checked on screen and as printed, and is photographed.

Run as a script to refresh the README picture:
`.venv/bin/python -m tests.test_packs_accessibility docs/board-pack.png`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from indicators.publish.packs import Publication, build_pack, pack_slugs, render_html
from tests.test_packs import sample_publication

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's chromium is not installed at /usr/bin/chromium (the Makefile installs "
        "it for CI: apt-get install chromium); Playwright must not download a browser",
    ),
]


def write_sample_packs(folder: Path, voice: bool = True) -> dict[str, Path]:
    """HTML packs for the sample borough: slug -> pack.html (no PDF needed for the browser)."""
    sample = sample_publication(voice=voice)
    publication = Publication(
        sample.values,
        sample.register,
        sample.quotes,
        sample.run,
        england=sample.england,
        items=sample.items,
    )
    written = {}
    for code, slug in pack_slugs(publication).items():
        path = folder / slug / "pack.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_html(build_pack(publication, code)), encoding="utf-8")
        written[slug] = path
    return written


@pytest.fixture(scope="module")
def packs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("packs")
    written = write_sample_packs(root / "with-voice")
    statutory = write_sample_packs(root / "statutory-only", voice=False)
    written["millbrook (statutory only)"] = statutory["millbrook"]
    return written


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.mark.parametrize(
    "slug",
    [
        "harrowdale-synthetic",
        "harrowdale-central",
        "northgate",
        "eastfield",
        "millbrook",
        "hillside-villages",
        "millbrook (statutory only)",
    ],
)
def test_a_pack_has_no_axe_violations_and_requests_nothing(packs, browser, slug, tmp_path):
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page(viewport={"width": 1024, "height": 1400})
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    url = packs[slug].resolve().as_uri()
    page.goto(url)
    assert page.evaluate("document.documentElement.lang") == "en-GB"
    axe = Axe()
    for media in ("screen", "print"):
        page.emulate_media(media=media)
        results = axe.run(page, options=AXE_OPTIONS)
        assert results.violations_count == 0, f"{slug} ({media}):\n{results.generate_report()}"
    page.emulate_media(media="screen")
    screenshot = tmp_path / f"{slug.split()[0]}.png"
    page.screenshot(path=str(screenshot), full_page=True)
    page.close()
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert requested == [url], f"the pack fetched other resources: {requested[1:]}"


def test_the_quality_report_has_no_axe_violations_and_requests_nothing(browser, tmp_path):
    from axe_playwright_python.sync_playwright import Axe

    from tests.test_quality_report import write_sample_report

    path = write_sample_report(tmp_path)
    page = browser.new_page(viewport={"width": 1024, "height": 1400})
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    url = path.resolve().as_uri()
    page.goto(url)
    assert page.evaluate("document.documentElement.lang") == "en-GB"
    axe = Axe()
    for media in ("screen", "print"):
        page.emulate_media(media=media)
        results = axe.run(page, options=AXE_OPTIONS)
        assert results.violations_count == 0, f"quality report ({media}):\n" + (
            results.generate_report()
        )
    # Nothing wider than the page: long test names and paths wrap.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024
    page.close()
    assert requested == [url], f"the report fetched other resources: {requested[1:]}"


def save_readme_screenshot(target: Path, slug: str = "northgate") -> Path:
    """Photograph the top of a neighbourhood pack (headline and chart) for the README."""
    import tempfile

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        path = write_sample_packs(Path(folder))[slug]
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = launched.new_page(viewport={"width": 1000, "height": 1500})
            page.goto(path.resolve().as_uri())
            target.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(target))
            launched.close()
    return target


if __name__ == "__main__":
    print(save_readme_screenshot(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/board-pack.png")))


def test_statements_are_revealed_on_hover_and_on_keyboard_focus_with_no_axe_violations(
    browser, tmp_path
):
    """A pack of tests/test_framework_packs.py (a team and an authority, statements beside a
    side-by-side table): axe-clean on screen and printed; a statement is hidden until its
    control is hovered or reached with the Tab key, and its control is described by it."""
    from axe_playwright_python.sync_playwright import Axe

    from tests import test_framework_packs as fp

    run = fp.RunInfo("r", fp.pd.Timestamp("2026-12-01").date(), fp.PERIOD, fp.PERIOD)
    publication = Publication(
        fp._values(),
        fp._register(),
        None,
        run,
        framework=fp._framework(),
        statements=fp.STATEMENTS,
    )
    path = tmp_path / "pack.html"
    path.write_text(render_html(build_pack(publication, fp.LA[0])), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1024, "height": 1400})
    page.goto(path.resolve().as_uri())
    axe = Axe()
    for media in ("screen", "print"):
        page.emulate_media(media=media)
        results = axe.run(page, options=AXE_OPTIONS)
        assert results.violations_count == 0, f"statements ({media}):\n" + (
            results.generate_report()
        )
    page.emulate_media(media="screen")
    control = page.locator("button.statements-toggle").first
    statement = page.locator(f"#{control.get_attribute('aria-describedby')}")
    assert not statement.is_visible()
    control.hover()
    assert statement.is_visible() and "My flat is cold" in statement.inner_text()
    page.mouse.move(0, 0)
    assert not statement.is_visible()
    page.keyboard.press("Tab")  # from the top of the page to the control, by keyboard only
    for _ in range(200):
        if page.evaluate("document.activeElement.classList.contains('statements-toggle')"):
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('aria-describedby')") == (
        control.get_attribute("aria-describedby")
    )
    assert statement.is_visible()
    page.close()
