"""Packs whose content did not change are not rendered again.

Laying out and painting the PDF is nearly all of a pack's cost (about 2 s for a 16-page
pack, 5 s for a care leavers pack). A pack's content is its HTML rendered with a neutral run
(no run id, a fixed date): when that, the templates and the PDF renderer are what an earlier
run rendered, that run's pack.html and pack.pdf are the pack, file for file, and its
spreadsheet is written with that run's id and date, so the three formats agree. Its cover
names the run that rendered it and the day it was first published; the figures are the
same. A pack whose content changed in any way is rendered again.

The packs are kept under CHORUS_HOME/cache/packs/<content hash>/ (pack.html, pack.pdf and
run.json). A newly rendered pack is kept with a pending stamp (pending-<run id>.json) that
becomes its run.json only when that run's publication succeeds (`settle`): a run that fails
after its packs never has its id on a later run's pack. `prune` keeps only the packs the
last run wrote.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import inspect
import json
import os
import shutil
import subprocess
from functools import cache
from importlib.metadata import version
from pathlib import Path

from indicators.publish.packs.model import Pack, RunInfo
from indicators.publish.packs.render import TEMPLATES, render_html, render_pdf

NEUTRAL_RUN = "0" * 8
NEUTRAL_DATE = dt.date(2000, 1, 1)
RUN_FILE = "run.json"
REUSED = ("pack.html", "pack.pdf")


def _fonts() -> str:
    """The fonts fontconfig offers (file, version, size, time), as WeasyPrint would find
    them: a font installed, removed or upgraded changes the PDF."""
    try:
        listed = subprocess.run(
            ["fc-list", "--format", "%{file}|%{fontversion}\n"],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return f"no fc-list {dt.datetime.now().isoformat()}"  # never reuse: cannot tell
    lines = []
    for line in sorted(set(listed.splitlines())):
        path = Path(line.split("|", 1)[0])
        stat = path.stat() if path.is_file() else None
        lines.append(f"{line}|{stat.st_size if stat else ''}|{stat.st_mtime_ns if stat else ''}")
    return "\n".join(lines)


@cache
def _renderer() -> str:
    """What else decides the PDF: the templates' files, how render_pdf calls WeasyPrint,
    the renderer's and its libraries' versions (Pango, HarfBuzz through it) and the fonts."""
    from weasyprint.text.ffi import pango

    digest = hashlib.sha256()
    for path in sorted(TEMPLATES.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(TEMPLATES).as_posix().encode())
            digest.update(path.read_bytes())
    digest.update(inspect.getsource(render_pdf).encode("utf-8"))
    for package in ("weasyprint", "pydyf", "tinycss2", "cssselect2", "fonttools"):
        digest.update(f"{package}={version(package)}".encode())
    digest.update(f"pango={pango.pango_version()}".encode())
    digest.update(_fonts().encode("utf-8"))
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


def _pending(run_id: str) -> str:
    return f"pending-{hashlib.sha256(run_id.encode('utf-8')).hexdigest()[:16]}.json"


def keep(cache_dir: Path, key: str, folder: Path, run: RunInfo) -> None:
    """Keep a newly rendered pack's HTML and PDF, with a pending stamp written last: an
    entry is used only once `settle` has made that its run.json, after the run published."""
    entry = cache_dir / key
    entry.mkdir(parents=True, exist_ok=True)
    for stamp in (entry / RUN_FILE, *entry.glob("pending-*.json")):
        stamp.unlink(missing_ok=True)  # never another run's stamp beside these files
    for name in REUSED:
        partial = entry / f"{name}.{os.getpid()}.part"
        shutil.copyfile(folder / name, partial)
        os.replace(partial, entry / name)
    stamp = {"run_id": run.run_id, "published": run.published.isoformat()}
    partial = entry / f"{RUN_FILE}.{os.getpid()}.part"
    partial.write_text(json.dumps(stamp), encoding="utf-8")
    os.replace(partial, entry / _pending(run.run_id))


def settle(cache_dir: Path, run_id: str) -> int:
    """After run `run_id` published: its newly kept packs may be used by later runs (their
    pending stamp becomes run.json); how many."""
    if not cache_dir.is_dir():
        return 0
    settled = 0
    for stamp in cache_dir.glob(f"*/{_pending(run_id)}"):
        os.replace(stamp, stamp.with_name(RUN_FILE))
        settled += 1
    return settled


def prune(cache_dir: Path, used: set[str], run_id: str) -> None:
    """Remove every kept pack run `run_id` did not write, and the pending stamps of runs
    that never published."""
    if not cache_dir.is_dir():
        return
    mine = _pending(run_id)
    for entry in cache_dir.iterdir():
        if entry.name not in used:
            shutil.rmtree(entry, ignore_errors=True)
            continue
        for stale in entry.glob("pending-*.json"):
            if stale.name != mine:
                stale.unlink(missing_ok=True)
