"""Board packs: one per neighbourhood and one for the whole authority, in three formats.

A pure library (no Dagster, no warehouse). `write_packs` takes only what has already been
published, after disclosure control: the indicator table and register as text with EES
symbols, and the scrubbed, consented quotes. For each neighbourhood, and for the authority,
it writes `boards/<slug>/pack.html` (self-contained: inline CSS and SVG, no scripts, no
external URLs), `pack.pdf` (WeasyPrint's rendering of that same HTML) and `pack.xlsx`
(numbers stored as numbers, symbols as text with a key), all built from one content model so
they say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from indicators.publish.claims import write_claims
from indicators.publish.packs import reuse
from indicators.publish.packs.content import build_pack
from indicators.publish.packs.frames import Publication
from indicators.publish.packs.model import Pack, RunInfo
from indicators.publish.packs.render import render_html, render_pdf, write_xlsx
from indicators.publish.packs.wording import period_label, slugify, trend_words

BOARDS = "boards"
FILES = ("pack.html", "pack.pdf", "pack.xlsx", "claims.csv")

__all__ = [
    "BOARDS",
    "FILES",
    "Pack",
    "Publication",
    "RunInfo",
    "build_pack",
    "pack_slugs",
    "period_label",
    "render_html",
    "render_pdf",
    "slugify",
    "trend_words",
    "write_pack",
    "write_pack_reusing",
    "write_packs",
    "write_xlsx",
]


def pack_slugs(publication: Publication, taken: set[str] | None = None) -> dict[str, str]:
    """area_code -> folder name: the authority first, then each neighbourhood (none when the
    framework declares `audience.area_packs: false`).

    The slug is the lower-case-hyphenated area name; a clash gets the area code appended.
    `taken`: the folder names other publications written beside this one already hold (each
    authority's packs of a framework share its folder, and two authorities' teams can share
    a name); the names given here are added to it.
    """
    areas = [(publication.la_code, publication.la_name)]
    if publication.framework.area_packs:
        areas += publication.neighbourhoods
    taken = set() if taken is None else taken
    slugs: dict[str, str] = {}
    for code, name in areas:
        slug = slugify(name)
        if slug in taken:
            slug = f"{slug}-{slugify(code)}"
        taken.add(slug)
        slugs[code] = slug
    return slugs


def write_pack(folder: Path, pack: Pack) -> list[Path]:
    """Write one pack's files into `folder` (HTML, PDF, spreadsheet and the claims it makes,
    claims.csv); return their paths."""
    return write_pack_reusing(folder, pack, None).paths


@dataclass(frozen=True)
class PackFiles:
    paths: list[Path]
    key: str | None
    """The pack's content hash (reuse.py), when packs are reused."""
    reused: bool


def write_pack_reusing(folder: Path, pack: Pack, kept: Path | None) -> PackFiles:
    """`write_pack`, taking the HTML and PDF from `kept` (reuse.py) when an earlier run
    rendered the same content, and keeping them there when not."""
    folder.mkdir(parents=True, exist_ok=True)
    html_path, pdf_path = folder / "pack.html", folder / "pack.pdf"
    key = reuse.content_key(pack) if kept is not None else None
    earlier = reuse.reuse(kept, key, folder, pack) if key else None
    if earlier is not None:
        pack = earlier  # stamped with the run that rendered it
    else:
        html = render_html(pack)
        html_path.write_text(html, encoding="utf-8")
        render_pdf(html, pdf_path)
        if key:
            reuse.keep(kept, key, folder, pack.run)
    xlsx_path = write_xlsx(pack, folder / "pack.xlsx")
    claims_path = write_claims(folder / "claims.csv", pack.claims, pack.area_code)
    return PackFiles([html_path, pdf_path, xlsx_path, claims_path], key, earlier is not None)


def write_packs(
    stage: Path,
    indicator_values: pd.DataFrame,
    register: pd.DataFrame,
    quotes: pd.DataFrame,
    run: RunInfo,
    *,
    england: pd.DataFrame | None = None,
    items: pd.DataFrame | None = None,
) -> list[Path]:
    """Write `boards/<slug>/pack.html|pdf|xlsx` and `claims.csv` under `stage` for the LA and
    each neighbourhood.

    - `indicator_values`: the published indicator table (all text, EES symbols), as written
      to indicators/indicator_values.csv; an optional `reliability` column marks low
      reliability voice results.
    - `register`: the published register (register/indicators.csv).
    - `quotes`: scrubbed, consented quotes (`quote, item_id, item, domain,
      neighbourhood_code, neighbourhood_name, year, time_period`); may be empty.
    - `run`: run id, publication date and data period (`RunInfo.for_values` reads the period
      from the table).
    - `england` (optional): England figures by `indicator_id, time_period, breakdown, group,
      value` (seeds/england_benchmarks.csv) for the headline and the charts; rows with
      geographic_level "National" in `indicator_values` serve too. Without either, England
      figures show as x and only the published comparison words are given.
    - `items` (optional): the survey's item bank (a seed, `load_item_bank`) for question wording
      and domains; without it, wording comes from the quotes, else from the item id.

    Returns the paths written, four per area, authority first.
    """
    publication = Publication(indicator_values, register, quotes, run, england=england, items=items)
    written: list[Path] = []
    for code, slug in pack_slugs(publication).items():
        pack = build_pack(publication, code)
        written += write_pack(Path(stage) / BOARDS / slug, pack)
    return written
