"""One period a source is counted in, as its landing folder names it (issue 13).

The period types, the month each one's year starts, the form of its landing folder and how
messages name a period are declared in dbt_project/metadata/periods.yml (read by
indicators/declarations.py); nothing about them is written here. `parse_period` reads a
folder name for a period type: `2024-25-Q1` of a financial quarter is 1 April 2024 to
30 June 2024, time period 202425, time identifier "Financial year Q1".

A period's `key` is what the raw zone stores in its `academic_year` column (quarantine,
load_log, year_loads and each raw table): an academic year's label as before ("2023/24"),
any other period's label ("April 2024", "Financial year Q1 2024/25"), unique across types.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from indicators.declarations import DEFAULT_PERIOD_TYPE, PeriodType, period_type, period_types
from indicators.reference import AcademicYear


class PeriodFolderError(ValueError):
    """A landing folder that does not name a period of its source's type."""


@dataclass(frozen=True)
class Period:
    type: PeriodType
    year: int
    """The calendar year the period's year starts in (2024 for 2024-25 and for 2024-04)."""
    part: int = 1
    """Its place in its year: 1 for a year, 1-4 for a quarter, 1-12 for a month."""

    @property
    def start(self) -> dt.date:
        month = self.type.starts - 1 + (self.part - 1) * self.months
        return dt.date(self.year + month // 12, month % 12 + 1, 1)

    @property
    def months(self) -> int:
        """How many months the period lasts (12, 3 or 1)."""
        return 12 // self.type.parts

    @property
    def end(self) -> dt.date:
        """The period's last day (inclusive)."""
        month = self.start.month - 1 + self.months - 1
        year = self.start.year + month // 12
        month = month % 12 + 1
        return dt.date(year, month, calendar.monthrange(year, month)[1])

    @property
    def time_period(self) -> int:
        """As EES writes it: 202425 (two_years) or 2024 (year)."""
        if self.type.time_period == "two_years":
            return int(f"{self.year}{(self.year + 1) % 100:02d}")
        return self.year

    @property
    def time_identifier(self) -> str:
        """EES's label: "Academic year", "Financial year Q1", "February"."""
        return self.type.time_identifiers[self.part - 1].label

    @property
    def year_folder(self) -> str:
        """The year it belongs to, as a year change file names it: 2024-25 or 2024."""
        if self.type.time_period == "two_years":
            return f"{self.year}-{(self.year + 1) % 100:02d}"
        return str(self.year)

    @property
    def folder(self) -> str:
        """Its landing folder's name: 2024-25, 2024, 2024-25-Q1, 2024-Q1, 2024-04."""
        form = self.type.landing_folder
        text = form.replace("YYYY", f"{self.year:04d}").replace(
            "YY", f"{(self.year + 1) % 100:02d}"
        )
        return text.replace("QN", f"Q{self.part}").replace("MM", f"{self.part:02d}")

    @property
    def label(self) -> str:
        """How messages name it: "2024/25", "Financial year Q1 2024/25", "April 2024"."""
        year = self.year_folder.replace("-", "/")
        return self.type.period_label.format(year=year, identifier=self.time_identifier)

    @property
    def key(self) -> str:
        """The raw zone's `academic_year` value for the period (see the module's docstring)."""
        return self.label

    @property
    def sort_key(self) -> tuple[str, int, int]:
        return (self.type.name, self.year, self.part)

    @property
    def is_academic_year(self) -> bool:
        return self.type.name == DEFAULT_PERIOD_TYPE

    def __lt__(self, other: Period) -> bool:
        return self.sort_key < other.sort_key

    def __str__(self) -> str:
        return self.label


def folder_example(kind_type: PeriodType) -> str:
    """An example folder of a period type: the first period of its 2024 year."""
    return Period(kind_type, 2024, 1).folder


def period_form(type_name: str | None) -> tuple[str, str]:
    """A period type's landing folder form and an example: ('YYYY-MM', '2024-01')."""
    kind_type = period_type(type_name)
    return kind_type.landing_folder, folder_example(kind_type)


def _pattern(kind_type: PeriodType) -> re.Pattern[str]:
    form = re.escape(kind_type.landing_folder)
    form = form.replace("YYYY", r"(?P<year>\d{4})").replace("YY", r"(?P<next>\d{2})")
    form = form.replace("QN", r"Q(?P<part>\d)").replace("MM", r"(?P<part>\d{2})")
    return re.compile(form)


def parse_period(folder: str, type_name: str | None = None, metadata: Path | None = None) -> Period:
    """The period a landing folder names for a period type (academic year when None).

    Raises PeriodFolderError with one line naming the folder, the form expected and an
    example: '2024-13' is not a month (write YYYY-MM, e.g. 2024-04)."""
    kind_type = period_type(type_name, metadata)
    if not kind_type.landing_folder or kind_type.starts is None:
        raise PeriodFolderError(
            f"the folder '{folder}': a {kind_type.label} is not landed "
            "(dbt_project/metadata/periods.yml declares no landing_folder for it)"
        )
    article = "an" if kind_type.label[:1] in "aeiou" else "a"
    expected = (
        f"the folder '{folder}' is not {article} {kind_type.label}: name it "
        f"{kind_type.landing_folder} (e.g. {folder_example(kind_type)})"
    )
    match = _pattern(kind_type).fullmatch(str(folder).strip())
    if match is None:
        raise PeriodFolderError(expected)
    year = int(match.group("year"))
    following = match.groupdict().get("next")
    if following is not None and (year + 1) % 100 != int(following):
        raise PeriodFolderError(f"{expected}: the two years must be consecutive")
    part_text = match.groupdict().get("part")
    part = int(part_text) if part_text is not None else 1
    if not 1 <= part <= kind_type.parts:
        raise PeriodFolderError(f"{expected}: {part_text} is not 1 to {kind_type.parts}")
    return Period(kind_type, year, part)


def period_of_key(key: str, metadata: Path | None = None) -> Period | None:
    """The period whose `key` (raw zone label) this is, of any landed type; None if none."""
    for kind_type in period_types(metadata).values():
        if not kind_type.landing_folder:
            continue
        starts = re.search(r"\d{4}", key)
        if starts is None:
            return None
        year = int(starts.group())
        for part in range(1, kind_type.parts + 1):
            period = Period(kind_type, year, part)
            if period.key == key:
                return period
    return None


def landed_type_names(metadata: Path | None = None) -> tuple[str, ...]:
    """The period types a source may be counted in: those periods.yml gives a landing form."""
    return tuple(
        name for name, kind_type in period_types(metadata).items() if kind_type.landing_folder
    )


def academic_year_of(period: Period) -> AcademicYear:
    """The academic year a period starts in: the (Dagster) partition it is loaded under and
    the year retention counts it in. April 2024 and financial year 2024/25 are in 2023/24."""
    start = period.start
    return AcademicYear(start.year if start.month >= 9 else start.year - 1)


def partition_of_key(key: str) -> AcademicYear:
    """The academic year (partition) of a raw zone period key: "2023/24" itself, "April
    2024" 2023/24. Raises ValueError for a key that names no period."""
    period = period_of_key(key)
    if period is None or period.is_academic_year:
        return AcademicYear.parse(key)
    return academic_year_of(period)


def year_file_form(type_name: str | None) -> str:
    """How a year change file of a source counted in `type_name` is named: YYYY-YY.yml when
    its type writes two years (academic, financial, their quarters), YYYY.yml when it writes
    one (calendar year, calendar quarter, month). It applies from the first period of that
    year: sources/<kind>/2025-26.yml from April 2025 for a financial quarter, 2025.yml from
    January 2025 for a month."""
    return "YYYY-YY.yml" if period_type(type_name).time_period == "two_years" else "YYYY.yml"


def year_file_problem(name: str, type_name: str | None) -> str | None:
    """Why `name` is not a year change file of a source counted in `type_name` (or None)."""
    form = year_file_form(type_name)
    two_years = re.fullmatch(r"(\d{4})-(\d{2})\.yml", name)
    if form == "YYYY-YY.yml" and two_years:
        return None
    if form == "YYYY.yml" and re.fullmatch(r"\d{4}\.yml", name):
        return None
    example = "2025-26.yml" if form == "YYYY-YY.yml" else "2025.yml"
    return (
        f"the source is counted by {period_type(type_name).label}: name its year change files "
        f"{form} (the year they apply from, e.g. {example})"
    )


def rules_year(period: AcademicYear | Period) -> str:
    """The year whose spec rules a period is checked and fingerprinted by, as year change
    files are named: 2024-25 (an academic year's folder) or a period's `year_folder`."""
    return period.year_folder if isinstance(period, Period) else period.folder
