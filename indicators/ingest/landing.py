"""The landing area: which files are there, what kind of return each is, and for which period.

Layout (docs/inputs.md): <landing>/<kind>/<YYYY-YY>/*.csv|xlsx for each kind with a source
spec in sources/ (eyfsp, census, voice today); a kind whose spec says another `period:`
lands in that period type's folders (periods.yml `landing_folder`: 2024-04 for a month), and
    <landing>/seeds/neighbourhood_lookup.csv, local_authorities.csv   (optional: else the
                                          project's seeds/ are used)

Every landed file is accounted for (`FileAccount`): rows read = rows loaded + rows
quarantined (a rejected file counts all its rows as quarantined: nothing is loaded from it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from indicators.periods import (
    Period,
    PeriodFolderError,
    academic_year_of,
    parse_period,
    period_form,
)
from indicators.reference import AcademicYear
from indicators.sources.load import load_sources


def return_kinds() -> tuple[str, ...]:
    """The kinds of return a landing area holds: one folder for each source spec."""
    return tuple(load_sources())


def __getattr__(name: str) -> tuple[str, ...]:
    if name == "RETURN_KINDS":
        return return_kinds()
    raise AttributeError(name)


READABLE_SUFFIXES = (".csv", ".xlsx")
REFERENCE_FILES = ("neighbourhood_lookup", "local_authorities")


@dataclass(frozen=True)
class LandedFile:
    kind: str
    year: AcademicYear
    """The academic year it is loaded under (a period of another type: the one it starts in)."""
    path: Path
    period: Period | None = None
    """The period of a kind not counted in academic years (None: the academic year)."""

    @property
    def loaded_as(self) -> AcademicYear | Period:
        """What the file is loaded, fingerprinted and named in messages for."""
        return self.period or self.year

    @property
    def display(self) -> str:
        """How messages name the file: relative to the landing area, as the user laid it out."""
        return f"{self.kind}/{self.loaded_as.folder}/{self.path.name}"


@dataclass(frozen=True)
class LayoutProblem:
    """A file in the landing area that is not where a return goes: not loaded."""

    path: Path
    message: str
    """Why, and what to do (without the file's name: `line` gives both)."""
    display: str = ""
    """The file as the user laid it out, relative to the landing area (else its path)."""
    rule: str = "layout"
    """not_a_return_file, not_in_year_folder, year_folder_name or same_file_twice."""

    @property
    def file(self) -> str:
        return self.display or str(self.path)

    @property
    def kind(self) -> str:
        """The kind of return its folder names, or "" when it names none."""
        first = Path(self.display).parts[0].lower() if self.display else ""
        return first if first in return_kinds() else ""

    def line(self) -> str:
        return f"{self.file}: {self.message}"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def classify(path: Path) -> LandedFile | LayoutProblem:
    """Read the kind of return and the academic year from a path ending kind/YYYY-YY/file."""
    if path.suffix.lower() not in READABLE_SUFFIXES:
        return LayoutProblem(
            path,
            f"not a file Chorus reads (expected "
            f"{', '.join(READABLE_SUFFIXES)}): save it as one, or move "
            "it out of the landing area",
            rule="not_a_return_file",
        )
    kind, folder = path.parent.parent.name.lower(), path.parent.name
    kinds = return_kinds()
    if kind not in kinds:
        above = path.parent.name.lower()
        counted_in = load_sources()[above].period if above in kinds else "academic_year"
        if counted_in != "academic_year":  # a month's or quarter's kind (issue 13)
            form, folder = period_form(counted_in)
            return LayoutProblem(
                path,
                f"not in a period folder: move it to {above}/<{form}>/ (e.g. "
                f"{above}/{folder}/{path.name}) and run again",
                rule="not_in_year_folder",
            )
        example = f"{above if above in kinds else kinds[0]}/2023-24/{path.name}"
        return LayoutProblem(
            path,
            f"not in a year folder: move it to one of "
            f"{', '.join(kinds)}/<YYYY-YY>/ (e.g. {example}) "
            "and run again",
            rule="not_in_year_folder",
        )
    counted_in = load_sources()[kind].period
    if counted_in != "academic_year":
        try:
            period = parse_period(folder, counted_in)
        except PeriodFolderError as wrong:
            return LayoutProblem(path, f"{wrong} and run again", rule="year_folder_name")
        return LandedFile(kind=kind, year=academic_year_of(period), path=path, period=period)
    try:
        year = AcademicYear.parse(folder)
    except ValueError:
        return LayoutProblem(
            path,
            f"the folder '{folder}' is not an academic year: name it "
            f"YYYY-YY (e.g. {kind}/2023-24/) and run again",
            rule="year_folder_name",
        )
    return LandedFile(kind=kind, year=year, path=path)


def discover(landing: Path) -> tuple[list[LandedFile], list[LayoutProblem]]:
    """Every return under the landing area, in a stable order, and anything misplaced."""
    files: list[LandedFile] = []
    problems: list[LayoutProblem] = []
    for kind in return_kinds():
        base = landing / kind
        if not base.is_dir():
            continue
        for path in sorted(p for p in base.rglob("*") if p.is_file()):
            if path.name.startswith(".") or path.name.startswith("~$"):
                continue
            found = classify(path)
            if isinstance(found, LandedFile):
                files.append(found)
            else:
                problems.append(found)
    files, twice = named_once(files)
    problems += twice
    return files, [replace(p, display=p.path.relative_to(landing).as_posix()) for p in problems]


def named_once(files: Sequence[LandedFile]) -> tuple[list[LandedFile], list[LayoutProblem]]:
    """`files` with one file of each name messages give (`LandedFile.display`): of files in
    two folders read as one period (`2023-06` and `2023-06 `), each holding a file of one
    name, the one in the folder named as the period is kept (else the first by path), and
    the others are layout problems, not loaded: loading both would name two files' rows
    alike in every defect and account."""
    alike: dict[str, list[LandedFile]] = {}
    for landed in files:
        alike.setdefault(landed.display, []).append(landed)
    kept: list[LandedFile] = []
    problems: list[LayoutProblem] = []
    for landed in files:
        same = sorted(alike[landed.display], key=lambda f: str(f.path))
        first = next((f for f in same if f.path.parent.name == f.loaded_as.folder), same[0])
        if landed is first:
            kept.append(landed)
            continue
        problems.append(
            LayoutProblem(
                landed.path,
                f"its folder '{landed.path.parent.name}' is read as {landed.loaded_as.label}, "
                f"as the folder '{first.path.parent.name}' is, which holds a file of the same "
                "name: not loaded; move the file into the folder "
                f"'{first.path.parent.name}' under another name (or remove one of the two) "
                "and run again",
                rule="same_file_twice",
            )
        )
    return kept, problems


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


NOT_LOADED = "not loaded"
"""The load summary's status of a landed file that is not where a return goes."""


def not_loaded_accounts(
    problems: list[LayoutProblem], count_rows: Callable[[Path], int]
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """The misplaced files of a landing area for the load summary and the rejections: each
    file's rows (`count_rows`) read and held back whole, status "not loaded", with why and
    what to do; and one file-level line each for the rejections."""
    accounts, rejections = [], []
    for problem in problems:
        rows = count_rows(problem.path) if problem.path.is_file() else 0
        accounts.append(
            {
                "academic_year": "",
                "kind": problem.kind,
                "file": problem.file,
                "rows_read": rows,
                "rows_loaded": 0,
                "rows_quarantined": rows,
                "status": NOT_LOADED,
                "message": problem.message,
            }
        )
        rejections.append(
            {
                "academic_year": "",
                "kind": problem.kind,
                "file": problem.file,
                "row": "",
                "column": "",
                "value": "",
                "rule": problem.rule,
                "message": f"not loaded: {problem.message}",
            }
        )
    return accounts, rejections
