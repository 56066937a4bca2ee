"""Packs whose content did not change are not rendered again.

Laying out and painting the PDF is nearly all of a pack's cost (about 2 s for a 16-page
pack, 5 s for a care leavers pack). A pack's content is its HTML rendered with a neutral run
(no run id, a fixed date): when that, the templates and the PDF renderer are what an earlier
run rendered, that run's pack.html and pack.pdf are the pack, file for file, and its
spreadsheet is written with that run's id and date, so the three formats agree. Its cover
names the run that rendered it and the day it was first published; the figures are the
same. A pack whose content changed in any way is rendered again.

The packs are kept under CHORUS_HOME/cache/packs/<content hash>/ (pack.html, pack.pdf and
run.json); `prune` keeps only those the last run published.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import shutil
from functools import cache
from importlib.metadata import version
from pathlib import Path

from indicators.publish.packs.model import Pack, RunInfo
from indicators.publish.packs.render import TEMPLATES, render_html

NEUTRAL_RUN = "0" * 8
NEUTRAL_DATE = dt.date(2000, 1, 1)
RUN_FILE = "run.json"
REUSED = ("pack.html", "pack.pdf")


@cache
def _renderer() -> str:
    """What else decides the PDF: the templates' files and the renderer's versions."""
    digest = hashlib.sha256()
    for path in sorted(TEMPLATES.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(TEMPLATES).as_posix().encode())
            digest.update(path.read_bytes())
    for package in ("weasyprint", "pydyf", "tinycss2", "cssselect2"):
        digest.update(f"{package}={version(package)}".encode())
    return digest.hexdigest()


def content_key(pack: Pack) -> str:
    """The pack's content, whatever run publishes it: the SHA-256 of its HTML with a neutral
    run id and date, and of the renderer."""
    neutral = dataclasses.replace(
        pack, run=dataclasses.replace(pack.run, run_id=NEUTRAL_RUN, published=NEUTRAL_DATE)
    )
    digest = hashlib.sha256(_renderer().encode())
    digest.update(render_html(neutral).encode("utf-8"))
    return digest.hexdigest()


def rendered_before(cache_dir: Path, key: str) -> tuple[str, dt.date] | None:
    """The run id and publication date of an earlier rendering of this content, or None."""
    entry = cache_dir / key
    marker = entry / RUN_FILE
    if not marker.is_file() or not all((entry / name).is_file() for name in REUSED):
        return None
    stamp = json.loads(marker.read_text(encoding="utf-8"))
    return stamp["run_id"], dt.date.fromisoformat(stamp["published"])


def reuse(cache_dir: Path, key: str, folder: Path, pack: Pack) -> Pack | None:
    """Copy an earlier rendering of this content into `folder` and return the pack as that
    run stamped it (for its spreadsheet), or None when there is none."""
    earlier = rendered_before(cache_dir, key)
    if earlier is None:
        return None
    for name in REUSED:
        shutil.copyfile(cache_dir / key / name, folder / name)
    run_id, published = earlier
    return dataclasses.replace(
        pack, run=dataclasses.replace(pack.run, run_id=run_id, published=published)
    )


def keep(cache_dir: Path, key: str, folder: Path, run: RunInfo) -> None:
    """Keep a newly rendered pack's HTML and PDF; the run stamp is written last, so an entry
    without one (a run stopped halfway) is never used."""
    entry = cache_dir / key
    entry.mkdir(parents=True, exist_ok=True)
    for name in REUSED:
        partial = entry / f"{name}.{os.getpid()}.part"
        shutil.copyfile(folder / name, partial)
        os.replace(partial, entry / name)
    stamp = {"run_id": run.run_id, "published": run.published.isoformat()}
    partial = entry / f"{RUN_FILE}.{os.getpid()}.part"
    partial.write_text(json.dumps(stamp), encoding="utf-8")
    os.replace(partial, entry / RUN_FILE)


def prune(cache_dir: Path, used: set[str]) -> None:
    """Remove every kept pack the last run did not publish."""
    if not cache_dir.is_dir():
        return
    for entry in cache_dir.iterdir():
        if entry.name not in used:
            shutil.rmtree(entry, ignore_errors=True)
