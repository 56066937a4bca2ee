"""Published EYFSP facts and academic-year arithmetic, shared by every part of Chorus."""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from indicators.config import PROJECT_ROOT

ELG_COLUMNS: tuple[str, ...] = tuple(f"elg{n:02d}" for n in range(1, 18))
ELG_VALUES = {"1": "emerging", "2": "expected", "A": "not assessed"}


@dataclass(frozen=True)
class EarlyLearningGoal:
    number: int
    column: str
    area_code: str
    area: str
    area_type: str
    name: str
    counts_towards_gld: bool


@cache
def early_learning_goals(path: Path | None = None) -> tuple[EarlyLearningGoal, ...]:
    """The 17 ELGs in return order, from seeds/eyfsp_early_learning_goals.csv."""
    source = path or PROJECT_ROOT / "seeds" / "eyfsp_early_learning_goals.csv"
    with source.open(encoding="utf-8", newline="") as handle:
        goals = tuple(
            EarlyLearningGoal(
                number=int(row["elg_number"]),
                column=f"elg{int(row['elg_number']):02d}",
                area_code=row["area_code"],
                area=row["area"],
                area_type=row["area_type"],
                name=row["elg"],
                counts_towards_gld=row["counts_towards_gld"].strip().lower() == "true",
            )
            for row in csv.DictReader(handle)
        )
    if tuple(goal.column for goal in goals) != ELG_COLUMNS:
        raise ValueError(f"{source}: expected ELGs 1 to 17 in order")
    return goals


def gld_columns() -> tuple[str, ...]:
    """The 12 ELG columns that must all be at expected for a Good Level of Development."""
    return tuple(goal.column for goal in early_learning_goals() if goal.counts_towards_gld)


_YEAR_PATTERN = re.compile(r"^(\d{4})[-/](\d{2})$")


@dataclass(frozen=True, order=True)
class AcademicYear:
    """An academic year such as 2023/24, which runs 1 September 2023 to 31 August 2024."""

    start: int

    @classmethod
    def parse(cls, text: str) -> AcademicYear:
        """Accept '2023-24' (folder names), '2023/24' (people) or '202324' (EES)."""
        text = text.strip()
        match = _YEAR_PATTERN.match(text)
        if match:
            start, end = int(match.group(1)), int(match.group(2))
        elif re.fullmatch(r"\d{6}", text):
            start, end = int(text[:4]), int(text[4:])
        else:
            raise ValueError(f"'{text}' is not an academic year: write it as 2023-24")
        if (start + 1) % 100 != end:
            raise ValueError(f"'{text}' is not an academic year: the years must be consecutive")
        return cls(start)

    @property
    def folder(self) -> str:
        return f"{self.start}-{(self.start + 1) % 100:02d}"

    @property
    def label(self) -> str:
        return f"{self.start}/{(self.start + 1) % 100:02d}"

    @property
    def time_period(self) -> int:
        return int(f"{self.start}{(self.start + 1) % 100:02d}")

    def reception_birth_window(self) -> tuple[dt.date, dt.date]:
        """Children in reception in this year were born 1 Sep five years before to 31 Aug."""
        return dt.date(self.start - 5, 9, 1), dt.date(self.start - 4, 8, 31)

    def __str__(self) -> str:
        return self.label


def season_of_birth(month: int) -> str:
    """DfE seasons: autumn-born Sep-Dec, spring-born Jan-Apr, summer-born May-Aug."""
    if month >= 9:
        return "Autumn-born"
    if month <= 4:
        return "Spring-born"
    return "Summer-born"
