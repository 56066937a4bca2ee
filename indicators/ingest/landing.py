"""The landing area: which files are there, what kind of return each is, and for which year.

Layout (docs/inputs.md):
    <landing>/eyfsp/<YYYY-YY>/*.csv|xlsx the EYFSP return, one row per child
    <landing>/census/<YYYY-YY>/*.csv|xlsx the school census extract for the same children
    <landing>/seeds/neighbourhood_lookup.csv, local_authorities.csv   (optional: else the
                                          project's seeds/ are used)

Every landed file is accounted for (`FileAccount`): rows read = rows loaded + rows
quarantined (a rejected file counts all its rows as quarantined: nothing is loaded from it).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from indicators.reference import AcademicYear

RETURN_KINDS = ("eyfsp", "census", "voice")
READABLE_SUFFIXES = (".csv", ".xlsx")
REFERENCE_FILES = ("neighbourhood_lookup", "local_authorities")


@dataclass(frozen=True)
class LandedFile:
    kind: str
    year: AcademicYear
    path: Path

    @property
    def display(self) -> str:
        """How messages name the file: relative to the landing area, as the user laid it out."""
        return f"{self.kind}/{self.year.folder}/{self.path.name}"


@dataclass(frozen=True)
class LayoutProblem:
    path: Path
    message: str


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def classify(path: Path) -> LandedFile | LayoutProblem:
    """Read the kind of return and the academic year from a path ending kind/YYYY-YY/file."""
    if path.suffix.lower() not in READABLE_SUFFIXES:
        return LayoutProblem(path, f"{path.name}: not a file Chorus reads "
                                   f"(expected {', '.join(READABLE_SUFFIXES)})")
    kind, folder = path.parent.parent.name.lower(), path.parent.name
    if kind not in RETURN_KINDS:
        return LayoutProblem(path, f"{path}: put returns under one of "
                                   f"{', '.join(RETURN_KINDS)}/<YYYY-YY>/")
    try:
        year = AcademicYear.parse(folder)
    except ValueError as error:
        return LayoutProblem(path, f"{path}: the folder '{folder}' should be the academic year "
                                   f"({error})")
    return LandedFile(kind=kind, year=year, path=path)


def discover(landing: Path) -> tuple[list[LandedFile], list[LayoutProblem]]:
    """Every return under the landing area, in a stable order, and anything misplaced."""
    files: list[LandedFile] = []
    problems: list[LayoutProblem] = []
    for kind in RETURN_KINDS:
        base = landing / kind
        if not base.is_dir():
            continue
        for path in sorted(p for p in base.rglob("*") if p.is_file()):
            if path.name.startswith(".") or path.name.startswith("~$"):
                continue
            found = classify(path)
            (files if isinstance(found, LandedFile) else problems).append(found)
    return files, problems


def reference_file(name: str, landing: Path, seeds: Path) -> Path:
    """A reference CSV from the landing area's seeds/ if it brings one, else the project's."""
    landed = landing / "seeds" / f"{name}.csv"
    return landed if landed.is_file() else seeds / f"{name}.csv"


@dataclass
class FileAccount:
    file: str
    kind: str
    academic_year: str
    sha256: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    status: str = "loaded"
    message: str = ""

    @property
    def balanced(self) -> bool:
        return self.rows_read == self.rows_loaded + self.rows_quarantined


def file_hash(path: Path) -> str:
    """The file's sha256, or "" when it cannot be opened: reading it next rejects the file
    with the reason (`read_return`), so the account says why."""
    try:
        return sha256_of(path)
    except OSError:
        return ""
