"""The archive: every landed file is kept, keyed by its sha256, before anything is loaded.

Landing the same file again finds it already archived; a new version of a year's file is a
new archive entry, and the old one stays until its academic year passes the retention limit
(indicators/ingest/retention.py). Archived files hold children's details as landed: the archive
folder is readable by its owner only (0700, files 0600), whatever the umask. Beside each
file, `<file>.json` records the academic years and names it was landed under, so that a
purge knows which files belong to which years.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from indicators.ingest.landing import LandedFile, sha256_of
from indicators.periods import partition_of_key
from indicators.reference import AcademicYear

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
RECORD_SUFFIX = ".json"

INGEST_VERSION = "3"
"""Bump when the way a file is validated or loaded changes, so unchanged files load again."""


def private_dir(path: Path) -> Path:
    """Create `path` (and parents) and make it readable by its owner only."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    os.chmod(path, PRIVATE_DIR)
    return path


def _write_private(target: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write a file readable by its owner only, atomically (a crash never leaves half a file
    under its final name)."""
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    partial.unlink(missing_ok=True)
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, PRIVATE_FILE)
    try:
        os.fchmod(descriptor, PRIVATE_FILE)  # whatever the umask
        with os.fdopen(descriptor, "wb") as handle:
            write(handle)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, target)


def archive_file(
    path: Path, archive: Path, sha256: str | None = None, landed: LandedFile | None = None
) -> Path:
    """Copy `path` to archive/<sha[:2]>/<sha><suffix> unless it is there already, owner-only,
    and record the year and name it was landed under."""
    digest = sha256 or sha256_of(path)
    target = archive / digest[:2] / f"{digest}{path.suffix.lower()}"
    private_dir(archive)
    private_dir(target.parent)
    if target.exists():
        os.chmod(target, PRIVATE_FILE)  # archived by an older Chorus, with the umask's mode
    else:
        with path.open("rb") as source:
            _write_private(target, lambda handle: shutil.copyfileobj(source, handle))
    if landed is not None:
        record_landing(target, landed.kind, landed.year.label, landed.display)
    return target


def _record_path(archived: Path) -> Path:
    return archived.with_name(archived.name + RECORD_SUFFIX)


def landed_years(archived: Path) -> set[str]:
    """The academic years (labels) an archived file was landed under, from its record."""
    try:
        record = json.loads(_record_path(archived).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    return {entry["academic_year"] for entry in record.get("landed_as", [])}


def record_landing(archived: Path, kind: str, academic_year: str, name: str) -> None:
    """Add (kind, year, name) to an archived file's record, if it is not there yet."""
    record_path = _record_path(archived)
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = {"file": archived.name, "landed_as": []}
    entry = {"kind": kind, "academic_year": academic_year, "file": name}
    if entry in record["landed_as"]:
        os.chmod(record_path, PRIVATE_FILE)
        return
    record["landed_as"].append(entry)
    payload = (json.dumps(record, indent=1, sort_keys=True) + "\n").encode("utf-8")
    _write_private(record_path, lambda handle: handle.write(payload))


def archived_files(archive: Path) -> list[Path]:
    """Every archived return (not the records beside them, nor partial copies)."""
    if not archive.is_dir():
        return []
    return sorted(
        path
        for path in archive.glob("*/*")
        if path.is_file()
        and not path.name.startswith(".")
        and not path.name.endswith(RECORD_SUFFIX)
    )


@dataclass(frozen=True)
class ArchivePurge:
    removed: list[Path]
    unknown: list[Path]
    """Files with no record of their year (archived before Chorus kept records, and not in
    the load log): kept, and reported."""


def purge_archive(
    archive: Path, before: AcademicYear, known_years: Mapping[str, set[str]] | None = None
) -> ArchivePurge:
    """Remove archived files landed only under academic years before `before`.

    `known_years` (sha256 -> year labels, from the load log) fills in files archived before
    Chorus kept records; a file landed under a kept year as well is kept.
    """
    removed, unknown = [], []
    for path in archived_files(archive):
        digest = path.name.split(".")[0]
        years = landed_years(path) or set((known_years or {}).get(digest, set()))
        if not years:
            unknown.append(path)
            continue
        if all(partition_of_key(year) < before for year in years):  # a month: its year
            path.unlink()
            with contextlib.suppress(FileNotFoundError):
                _record_path(path).unlink()
            removed.append(path)
    return ArchivePurge(removed=removed, unknown=unknown)


def load_fingerprint(
    file_digests: Mapping[str, str], reference_digests: Iterable[str], pseudonym_key: str
) -> str:
    """What a year's load depends on: its files, the reference files, the key and the code.

    If none of these changed since the last load, loading again would change nothing.
    """
    key_digest = hashlib.sha256(pseudonym_key.encode("utf-8")).hexdigest()
    payload = json.dumps(
        {
            "files": sorted(file_digests.items()),
            "reference": sorted(reference_digests),
            "key": key_digest,
            "ingest_version": INGEST_VERSION,
        }
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class DigestCache:
    """sha256 of files, computed again only when a file's size or modification time changed.

    The landing sensor keeps one in its cursor, so that looking at a large landing area
    every minute does not read every file every minute.
    """

    def __init__(self, entries: Mapping[str, list] | None = None) -> None:
        self.entries: dict[str, list] = dict(entries or {})
        self.used: set[str] = set()

    def __call__(self, path: Path) -> str:
        stat = path.stat()
        key = str(path)
        self.used.add(key)
        known = self.entries.get(key)
        if known and known[0] == stat.st_size and known[1] == stat.st_mtime_ns:
            return str(known[2])
        digest = sha256_of(path)
        self.entries[key] = [stat.st_size, stat.st_mtime_ns, digest]
        return digest

    def to_json(self) -> str:
        """The entries used since this cache was made (files gone are forgotten)."""
        return json.dumps({key: self.entries[key] for key in sorted(self.used)})

    @classmethod
    def from_json(cls, text: str | None) -> DigestCache:
        try:
            entries = json.loads(text) if text else {}
        except ValueError:
            entries = {}
        return cls(entries if isinstance(entries, dict) else {})


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
                    f"{kind}/{path.relative_to(base).as_posix()}:{stat.st_size}:{stat.st_mtime_ns}"
                )
    return {
        year: hashlib.sha256("\n".join(entries).encode()).hexdigest()[:16]
        for year, entries in state.items()
    }
