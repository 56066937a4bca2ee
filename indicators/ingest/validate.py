"""`chorus validate PATH...`: the ingest rules on files or folders, loading nothing.

PATHs are laid out as in the landing area, so the kind of return and the academic year come
from the path exactly as `chorus run` reads them (`.../eyfsp/2023-24/return.csv`). A folder
means every return under it: a landing root, a kind folder (`eyfsp/`) or a year folder
(`eyfsp/2023-24/`). The reference files (neighbourhood lookup, LA list, header aliases) come
from the landing root's `seeds/` when it has them, else from the project's seeds.

Census and EYFSP returns are matched to each other only when both kinds of a year are among
the paths; otherwise the report notes that the match was skipped. Voice survey files are
checked with the rules `chorus run` applies to them
(`indicators.ingest.survey_check.check_voice_year`), against the project's item bank
(seeds/voice_items.csv).
"""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from indicators.ingest.across_periods import clashes
from indicators.ingest.aliases import AliasesInvalid, aliases_file, load_aliases
from indicators.ingest.defects import Defect
from indicators.ingest.landing import (
    FileAccount,
    LandedFile,
    classify,
    discover,
    named_once,
    return_kinds,
)
from indicators.ingest.lookups import Reference, read_reference
from indicators.ingest.readers import Aliases, read_table
from indicators.ingest.standalone import load_standalone_year, standalone_specs
from indicators.ingest.statutory import check_year, statutory_kinds
from indicators.ingest.survey_check import check_voice_year
from indicators.ingest.survey_columns import shape
from indicators.periods import Period, rules_year
from indicators.reference import AcademicYear
from indicators.sources.load import landing_layout, rules_of_year
from indicators.voice.items import load_item_bank

VOICE_ITEMS = "voice_items.csv"


@dataclass
class ValidationReport:
    """Every defect found, every file's accounting, and the checks that could not run."""

    defects: list[Defect] = field(default_factory=list)
    accounts: list[FileAccount] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.defects

    def format(self, show_identifiers: bool = False) -> list[str]:
        """Lines to print: each file's counts, each defect, notes, then a one-line verdict.

        Identifier values (UPNs, names, dates of birth, postcodes) are withheld unless
        `show_identifiers`; the row number says where to look.
        """
        lines = []
        for account in self.accounts:
            if account.status == "rejected":
                lines.append(
                    f"{account.file}: rejected, {account.rows_read} rows read, nothing would load"
                )
            else:
                lines.append(
                    f"{account.file}: {account.rows_read} rows read, "
                    f"{account.rows_loaded} would load, "
                    f"{account.rows_quarantined} would be quarantined"
                )
        for defect in self.defects:
            lines.append(str(defect if show_identifiers else defect.public()))
        lines.extend(f"note: {note}" for note in self.notes)
        files = len(self.accounts)
        if self.ok:
            lines.append(f"no defects in {files} file(s)")
        else:
            lines.append(f"{len(self.defects)} defect(s) in {files} file(s)")
        return lines


def landing_root(path: Path) -> Path:
    """The landing area a return path belongs to: the folder above kind/YYYY-YY/."""
    if path.is_file():
        return path.parent.parent.parent
    if path.name.lower() in return_kinds():
        return path.parent
    if path.parent.name.lower() in return_kinds():
        return path.parent.parent
    return path


def _layout_defect(path: Path, message: str, rule: str = "layout") -> Defect:
    return Defect(str(path), None, None, "", rule, message)


def _collect(path: Path) -> tuple[list[LandedFile], list[Defect]]:
    """The returns a PATH names, and anything about it that is not laid out as landing."""
    if not path.exists():
        return [], [_layout_defect(path, f"{path}: no such file or folder", "path_missing")]
    if path.is_file():
        found = classify(path)
        if isinstance(found, LandedFile):
            return [found], []
        return [], [Defect(str(path), None, None, "", found.rule, found.message)]
    root = landing_root(path)
    files, problems = discover(root)
    inside = path.resolve()
    files = [f for f in files if f.path.resolve().is_relative_to(inside)]
    defects = [
        Defect(str(p.path), None, None, "", p.rule, p.message)
        for p in problems
        if p.path.resolve().is_relative_to(inside)
    ]
    if not files and not defects:
        defects.append(
            _layout_defect(
                path,
                f"{path}: no returns found: lay them out {landing_layout()} (or .xlsx), "
                "as in the landing area",
                "no_returns",
            )
        )
    return files, defects


def _unique(files: Iterable[LandedFile]) -> list[LandedFile]:
    seen: dict[Path, LandedFile] = {}
    for landed in files:
        seen.setdefault(landed.path.resolve(), landed)
    return sorted(seen.values(), key=lambda f: (f.year, f.kind, str(f.path)))


def _aliases_for(root: Path, seeds: Path, report: ValidationReport) -> Aliases:
    try:
        return load_aliases(aliases_file(seeds, root))
    except AliasesInvalid as invalid:
        report.defects.extend(invalid.defects)
        report.notes.append(
            "headers were read without aliases: seeds/column_aliases.csv has problems"
        )
        return {}


def validate_paths(
    paths: Sequence[Path], seeds: Path, aliases: Aliases | None = None, sheet: str | None = None
) -> ValidationReport:
    """Run the ingest rules on returns (files or folders laid out as landing); load nothing.

    `seeds` is the project's seeds folder (ChorusSettings.seeds). `aliases` None reads
    column_aliases.csv from the landing root's seeds/ or `seeds`; `sheet` names the
    worksheet of .xlsx files (default: the first).
    """
    report = ValidationReport()
    found: list[LandedFile] = []
    for path in paths:
        files, defects = _collect(Path(path))
        found.extend(files)
        report.defects.extend(defects)
    groups: dict[Path, dict[AcademicYear | Period, list[LandedFile]]] = defaultdict(
        lambda: defaultdict(list)
    )
    files, twice = named_once(_unique(found))
    report.defects.extend(Defect(str(p.path), None, None, "", p.rule, p.message) for p in twice)
    for landed in files:  # a month's files (issue 13) are checked as that month
        groups[landing_root(landed.path).resolve()][landed.loaded_as].append(landed)
    for root, years in groups.items():
        reference, reference_defects = read_reference(root, seeds)
        report.defects.extend(reference_defects)
        root_aliases = aliases if aliases is not None else _aliases_for(root, seeds, report)
        loaded: dict[str, list[pd.DataFrame]] = defaultdict(list)  # raw table -> periods'
        for year, files in sorted(years.items(), key=lambda item: item[0].folder):
            with rules_of_year(rules_year(year)):  # checked by its own year's spec
                tables = _check_period(year, files, reference, seeds, root_aliases, sheet, report)
            for table, frame in tables.items():
                loaded[table].append(frame)
        _check_across_periods(loaded, report)
    return report


def _check_across_periods(loaded: dict[str, list[pd.DataFrame]], report: ValidationReport) -> None:
    """A key declared once across periods (`key: across_periods:`) found under two of the
    periods checked: every row of it quarantined, as `chorus run` does once all loaded."""
    for kind, spec in standalone_specs().items():
        frames = [frame for frame in loaded.get(spec.raw_table, []) if not frame.empty]
        if spec.key_across_periods is None or not frames:
            continue
        held = Counter()
        for _, defect in clashes(spec, pd.concat(frames, ignore_index=True)):
            report.defects.append(defect)
            held[defect.file] += 1
        for account in report.accounts:
            if account.kind == kind and held[account.file]:
                account.rows_quarantined += held[account.file]
                account.rows_loaded -= held[account.file]


def _check_period(
    year: AcademicYear | Period,
    files: list[LandedFile],
    reference: Reference,
    seeds: Path,
    root_aliases: Aliases,
    sheet: str | None,
    report: ValidationReport,
) -> dict[str, pd.DataFrame]:
    """One period's files checked as `chorus run` checks them; the standalone sources'
    rows as their raw tables would hold them (pseudonyms under a throwaway key)."""
    kinds = statutory_kinds()
    statutory = [landed for landed in files if landed.kind in kinds]
    if statutory:
        both = {landed.kind for landed in statutory} >= set(kinds)
        checked = check_year(
            year, statutory, reference, aliases=root_aliases, sheet=sheet, cross_kind=both
        )
        report.defects.extend(checked.defects)
        report.accounts.extend(checked.accounts)
        report.notes.extend(checked.notes)
    voice = [landed for landed in files if landed.kind == shape().kind]
    if voice:
        _check_voice(year, voice, reference, seeds, root_aliases, sheet, report)
    alone = [landed for landed in files if landed.kind in standalone_specs()]
    if alone:  # checked as `chorus run` loads them; the key is never used
        checked_alone = load_standalone_year(
            year, alone, reference, "validate", aliases=root_aliases, sheet=sheet
        )
        report.defects.extend(checked_alone.defects)
        report.accounts.extend(checked_alone.accounts)
        return checked_alone.tables
    return {}


def _check_voice(
    year: AcademicYear,
    files: list[LandedFile],
    reference: Reference,
    seeds: Path,
    aliases: Aliases,
    sheet: str | None,
    report: ValidationReport,
) -> None:
    """A year's voice files through `check_voice_year`, as `chorus run` checks them."""
    try:
        items = load_item_bank(seeds / VOICE_ITEMS)
        read = functools.partial(read_table, kind=shape().kind, aliases=aliases, sheet=sheet)
        checked = check_voice_year(
            year, files, reference, items, read, sector_lookup=reference.placement
        )
    except ValueError as problems:  # the item bank itself has problems: nothing can be checked
        report.defects.append(
            Defect(
                f"seeds/{VOICE_ITEMS}",
                None,
                None,
                "",
                "item_bank",
                f"{problems}: the voice files were not checked",
            )
        )
        return
    report.defects.extend(checked.defects)
    report.accounts.extend(checked.accounts)
    report.notes.extend(
        f"{file}: column '{column}' is neither a documented column nor an item "
        "in seeds/voice_items.csv, so it would not be loaded"
        for file, column in checked.ignored_columns
    )
