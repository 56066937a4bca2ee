"""The archive: every landed file is kept, keyed by its sha256, before anything is loaded.

Landing the same file again finds it already archived; a new version of a year's file is a
new archive entry, and the old one stays.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path

from indicators.landing import sha256_of

INGEST_VERSION = "3"
"""Bump when the way a file is validated or loaded changes, so unchanged files load again."""


def archive_file(path: Path, archive: Path, sha256: str | None = None) -> Path:
    """Copy `path` to archive/<sha[:2]>/<sha><suffix> unless it is there already."""
    digest = sha256 or sha256_of(path)
    target = archive / digest[:2] / f"{digest}{path.suffix.lower()}"
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    shutil.copyfile(path, partial)
    os.replace(partial, target)  # atomic: a crash never leaves half a file under its hash
    return target


def load_fingerprint(file_digests: Mapping[str, str], reference_digests: Iterable[str],
                     pseudonym_key: str) -> str:
    """What a year's load depends on: its files, the reference files, the key and the code.

    If none of these changed since the last load, loading again would change nothing.
    """
    key_digest = hashlib.sha256(pseudonym_key.encode("utf-8")).hexdigest()
    payload = json.dumps({
        "files": sorted(file_digests.items()),
        "reference": sorted(reference_digests),
        "key": key_digest,
        "ingest_version": INGEST_VERSION,
    })
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def landing_state(landing: Path, kinds: Iterable[str]) -> dict[str, str]:
    """A cheap fingerprint per academic-year folder (names, sizes, modification times).

    Used by the sensor to notice changes without reading every file; the ingest step then
    decides by sha256 whether anything really changed.
    """
    state: dict[str, list[str]] = {}
    for kind in kinds:
        base = landing / kind
        if not base.is_dir():
            continue
        for year_dir in sorted(p for p in base.iterdir() if p.is_dir()):
            for path in sorted(p for p in year_dir.rglob("*") if p.is_file()):
                stat = path.stat()
                state.setdefault(year_dir.name, []).append(
                    f"{kind}/{path.relative_to(base).as_posix()}:{stat.st_size}:{stat.st_mtime_ns}")
    return {year: hashlib.sha256("\n".join(entries).encode()).hexdigest()[:16]
            for year, entries in state.items()}
