"""Geographic levels and period types, as declared in dbt_project/metadata/ (of
CHORUS_DBT_PROJECT when set).

`geographies.yml` lists the levels Chorus can publish at and the level each lies within
(neighbourhood < local authority < region < national; team and district < local authority);
`periods.yml` the period types (academic, financial and calendar years, their quarters,
months) with their EES time identifiers. Indicators name theirs in `meta.indicator.levels`
and `meta.indicator.period_type` (checked by indicators/publish/register_check.py);
statistics, trends, disclosure control, open data and packs read level names and periods
from here rather than from literals.

Pure and small: reading the two files is cached per path; nothing is read at import.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from indicators.config import dbt_project_dir

DEFAULT_PERIOD_TYPE = "academic_year"
"""The period type of an indicator that declares none (every indicator before issue 13)."""


class DeclarationError(ValueError):
    """A geography or period declaration cannot be read or is inconsistent."""


# ------------------------------------------------------------------------------- geographies


@dataclass(frozen=True)
class Level:
    name: str
    within: str | None = None
    open_data: bool = False
    description: str = ""
    columns: tuple[str, str] | None = None
    """The row columns holding an area's code and name at this level (`columns:`)."""
    of_authorities: bool = False
    """Whether the level's areas are groups of whole authorities (`of: authorities`: a
    region, a combined authority), listed in seeds/authority_areas.csv: every figure an
    indicator publishes for authorities is published for such an area too, added up over
    its children, when the run holds all its authorities (int_authority_areas)."""
    every_area: bool = True
    """Whether every area of the level is one of every indicator's areas (`every_area:`,
    default true: neighbourhoods divide the whole authority, so one with no children is a
    0 of 0). False for a level whose areas belong to one service (teams): an indicator's
    areas there are only those it has rows in, in some period."""


@dataclass(frozen=True)
class Geographies:
    levels: tuple[Level, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(level.name for level in self.levels)

    def level(self, name: str) -> Level:
        for level in self.levels:
            if level.name == name:
                return level
        raise DeclarationError(
            f"geographic level '{name}' is not declared (dbt_project/metadata/geographies.yml "
            f"declares {', '.join(self.names)})"
        )

    @property
    def national(self) -> str:
        """The level that lies within no other (England)."""
        return next(level.name for level in self.levels if level.within is None)

    def parent(self, name: str) -> str | None:
        return self.level(name).within

    def children(self, name: str) -> tuple[str, ...]:
        return tuple(level.name for level in self.levels if level.within == name)

    def of_authorities(self) -> tuple[str, ...]:
        """The levels whose areas are groups of authorities, nearest the authority first."""
        chosen = [level.name for level in self.levels if level.of_authorities]
        return tuple(sorted(chosen, key=lambda name: -len(self.ancestors(name))))

    def ancestors(self, name: str) -> tuple[str, ...]:
        """The levels `name` lies within, nearest first."""
        found: list[str] = []
        parent = self.parent(name)
        while parent is not None:
            found.append(parent)
            parent = self.parent(parent)
        return tuple(found)


def _columns(entry: Mapping) -> tuple[str, str] | None:
    columns = entry.get("columns")
    if columns is None:
        return None
    if (
        not isinstance(columns, Mapping)
        or set(columns) != {"code", "name"}
        or not all(
            isinstance(v, str) and re.fullmatch(r"[a-z][a-z0-9_]*", v) for v in columns.values()
        )
    ):
        raise DeclarationError(
            f"geographies: level '{entry['name']}': columns: must be {{code: <column>, name: "
            f"<column>}} (lower-case column names), got {columns!r}"
        )
    return str(columns["code"]), str(columns["name"])


def parse_geographies(document: Mapping) -> Geographies:
    raw = (document or {}).get("levels")
    if not isinstance(raw, list) or not raw:
        raise DeclarationError("geographies: `levels` must be a list of levels")
    levels = []
    for entry in raw:
        if not isinstance(entry, Mapping) or not str(entry.get("name") or "").strip():
            raise DeclarationError(f"geographies: a level needs a name, got {entry!r}")
        within = entry.get("within")
        levels.append(
            Level(
                name=str(entry["name"]).strip(),
                within=str(within).strip() if within else None,
                open_data=bool(entry.get("open_data", False)),
                description=str(entry.get("description") or ""),
                columns=_columns(entry),
                every_area=_every_area(entry),
                of_authorities=_of_authorities(entry),
            )
        )
    names = [level.name for level in levels]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise DeclarationError(f"geographies: level declared twice: {', '.join(duplicates)}")
    roots = [level.name for level in levels if level.within is None]
    if len(roots) != 1:
        raise DeclarationError(
            "geographies: exactly one level must lie within no other (the national level), "
            f"found {', '.join(roots) or 'none'}"
        )
    for level in levels:
        if level.within is not None and level.within not in names:
            raise DeclarationError(
                f"geographies: level '{level.name}' lies within '{level.within}', "
                "which is not declared"
            )
    declared = Geographies(tuple(levels))
    for level in levels:  # a cycle never reaches the root
        seen = {level.name}
        parent = level.within
        while parent is not None:
            if parent in seen:
                raise DeclarationError(f"geographies: level '{level.name}' lies within itself")
            seen.add(parent)
            parent = declared.parent(parent)
    return declared


def _of_authorities(entry: Mapping) -> bool:
    value = entry.get("of")
    if value is None:
        return False
    if value != "authorities":
        raise DeclarationError(
            f"geographies: level '{entry.get('name')}': `of` may only be `authorities` (its "
            f"areas are groups of whole authorities, seeds/authority_areas.csv), not {value!r}"
        )
    if entry.get("columns"):
        raise DeclarationError(
            f"geographies: level '{entry.get('name')}' is `of: authorities`: its areas come "
            "from seeds/authority_areas.csv, so it has no row `columns`"
        )
    return True


def _every_area(entry: Mapping) -> bool:
    value = entry.get("every_area", True)
    if not isinstance(value, bool):
        raise DeclarationError(
            f"geographies: level '{entry.get('name')}': every_area must be true or false, "
            f"not {value!r}"
        )
    return value


@functools.cache
def _geographies_at(path: Path) -> Geographies:
    return parse_geographies(read_metadata(path))


def geographies(metadata: Path | None = None) -> Geographies:
    """The declared levels (dbt_project/metadata/geographies.yml, or `metadata`'s)."""
    return _geographies_at((metadata or dbt_project_dir() / "metadata") / "geographies.yml")


# ---------------------------------------------------------------------------------- periods

_TWO_YEARS = re.compile(r"\d{6}")
_YEAR = re.compile(r"\d{4}")


@dataclass(frozen=True)
class TimeIdentifier:
    code: str
    label: str


@dataclass(frozen=True)
class PeriodType:
    name: str
    label: str
    time_period: str
    """`two_years` (202324) or `year` (2024)."""
    time_identifiers: tuple[TimeIdentifier, ...]
    starts: int | None = None
    """The month its year starts (9 academic, 4 financial, 1 calendar); None: not landed."""
    landing_folder: str = ""
    """The form of a period's landing folder: YYYY-YY, YYYY, YYYY-YY-QN, YYYY-QN, YYYY-MM."""
    period_label: str = "{year}"
    """How messages name one period: {year} (2024/25 or 2024), {identifier} (April)."""

    @property
    def time_identifier(self) -> str:
        """The time identifier of a period type that does not divide its year."""
        return self.time_identifiers[0].label

    @property
    def parts(self) -> int:
        """Periods in a year: 1 for years, 4 for quarters, 12 for months."""
        return len(self.time_identifiers)

    def year_of(self, time_period: str) -> int:
        """The (first) calendar year a time period names: 2023 for 202324 or 2023.

        Raises DeclarationError when `time_period` is not written as this type writes it.
        """
        text = str(time_period).strip().removesuffix(".0")
        if self.time_period == "two_years":
            if _TWO_YEARS.fullmatch(text) and (int(text[:4]) + 1) % 100 == int(text[4:]):
                return int(text[:4])
            raise DeclarationError(
                f"'{time_period}' is not a {self.label} written as a time period (e.g. 202324)"
            )
        if _YEAR.fullmatch(text):
            return int(text)
        raise DeclarationError(
            f"'{time_period}' is not a {self.label} written as a time period (e.g. 2024)"
        )

    def ordinal(self, time_period: str, time_identifier: str | None = None) -> int:
        """A period's place in the sequence of its type: consecutive periods differ by 1."""
        year = self.year_of(time_period)
        if self.parts == 1:
            return year
        labels = [t.label for t in self.time_identifiers]
        codes = [t.code for t in self.time_identifiers]
        if time_identifier in labels:
            return year * self.parts + labels.index(time_identifier)
        if time_identifier in codes:
            return year * self.parts + codes.index(time_identifier)
        raise DeclarationError(
            f"'{time_identifier}' is not a time identifier of a {self.label} ({', '.join(labels)})"
        )

    def ordinals(
        self, time_periods: Iterable[object], time_identifiers: Iterable[object] | None = None
    ) -> np.ndarray:
        """Ordinals of many periods at once: 202122 -> 2021 for years written two_years,
        2024 -> 2024 for `year`; a type that divides its year needs each period's time
        identifier too (label or code: 2024 + "April" -> 2024 * 12 + 3). 0 stays 0 (no
        period, e.g. no series break); a break given as a bare time period of a divided year
        starts at its first part."""
        periods = np.asarray(list(time_periods), dtype=np.int64)
        years = (
            np.where(periods == 0, 0, periods // 100)
            if self.time_period == "two_years"
            else periods
        )
        if self.parts == 1:
            return years
        if time_identifiers is None:
            raise DeclarationError(
                f"a {self.label} needs its time identifier as well as its time period"
            )
        place = {t.label: i for i, t in enumerate(self.time_identifiers)}
        place.update({t.code: i for i, t in enumerate(self.time_identifiers)})
        labels = list(time_identifiers)
        if len(labels) != len(periods):
            raise DeclarationError("one time identifier is needed per time period")
        parts = np.zeros(len(periods), dtype=np.int64)
        for position, label in enumerate(labels):
            if periods[position] == 0:
                continue
            if label is None or (isinstance(label, float) and label != label):
                parts[position] = 0  # a bare year (a series break): its first part
            elif label in place:
                parts[position] = place[label]
            else:
                raise DeclarationError(
                    f"'{label}' is not a time identifier of a {self.label} "
                    f"({', '.join(t.label for t in self.time_identifiers)})"
                )
        return np.where(periods == 0, 0, years * self.parts + parts)

    def text(self, time_period: object, time_identifier: object = None) -> str:
        """One period as packs and claims name it (`period_label`): "2023/24", "April 2024",
        "Financial year Q1 2024/25"."""
        year = self.year_of(str(time_period))
        written = f"{year}/{(year + 1) % 100:02d}" if self.time_period == "two_years" else str(year)
        identifier = "" if time_identifier is None else str(time_identifier)
        if identifier in {t.code for t in self.time_identifiers}:
            identifier = next(t.label for t in self.time_identifiers if t.code == identifier)
        return self.period_label.format(year=written, identifier=identifier or self.time_identifier)


def identifier_places(metadata: Path | None = None) -> dict[str, tuple[PeriodType, int]]:
    """Each declared time identifier, by label and by code ("April", "M04") -> its period
    type and its place within the year (January 0, April 3; "Financial year Q2" 1)."""
    found: dict[str, tuple[PeriodType, int]] = {}
    for kind in period_types(metadata).values():
        for place, identifier in enumerate(kind.time_identifiers):
            found.setdefault(identifier.label, (kind, place))
            found.setdefault(identifier.code, (kind, place))
    return found


def identifier_place(label: object, metadata: Path | None = None) -> int:
    """A time identifier's place within its year, from whichever declared period type has
    it; 0 for an unknown or whole-year one. Orders a table's rows by period where the
    period type is not at hand."""
    found = identifier_places(metadata).get(str(label)) if isinstance(label, str) else None
    return 0 if found is None else found[1]


def period_columns(frame: object) -> list[str]:
    """The columns that identify a period in a table: time_period, and time_identifier when
    the table carries it (a month or quarter is named by both)."""
    columns = getattr(frame, "columns", ())
    return ["time_period", "time_identifier"] if "time_identifier" in columns else ["time_period"]


def parse_periods(document: Mapping) -> dict[str, PeriodType]:
    raw = (document or {}).get("period_types")
    if not isinstance(raw, Mapping) or not raw:
        raise DeclarationError("periods: `period_types` must map names to period types")
    found = {}
    for name, entry in raw.items():
        if not isinstance(entry, Mapping):
            raise DeclarationError(f"periods: period type '{name}' must be a mapping")
        written = entry.get("time_period")
        if written not in ("two_years", "year"):
            raise DeclarationError(
                f"periods: {name}.time_period is '{written}': write two_years (202324) or year"
            )
        identifiers = entry.get("time_identifiers")
        if not isinstance(identifiers, Sequence) or not identifiers:
            raise DeclarationError(f"periods: {name}.time_identifiers must list at least one")
        parsed = []
        for identifier in identifiers:
            if not isinstance(identifier, Mapping) or not identifier.get("label"):
                raise DeclarationError(
                    f"periods: {name}.time_identifiers: each needs a code and a label"
                )
            parsed.append(
                TimeIdentifier(code=str(identifier.get("code", "")), label=identifier["label"])
            )
        found[str(name)] = PeriodType(
            name=str(name),
            label=str(entry.get("label") or name).strip(),
            time_period=written,
            time_identifiers=tuple(parsed),
            **_landing_form(str(name), entry, written, len(parsed)),
        )
    return found


_FORM = re.compile(r"YYYY(?P<next>-YY)?(?:-(?P<part>QN|MM))?")


def _landing_form(name: str, entry: Mapping, written: str, parts: int) -> dict:
    """`starts`, `landing_folder` and `period_label` of a period type, checked (a type that
    declares no landing folder is not landed). The folder form is YYYY, then -YY when the
    time period is two_years, then -QN for 4 parts or -MM for 12 (months of a calendar year)."""
    if "landing_folder" not in entry and "starts" not in entry:
        return {}
    starts, form = entry.get("starts"), str(entry.get("landing_folder") or "")
    if not isinstance(starts, int) or isinstance(starts, bool) or not 1 <= starts <= 12:
        raise DeclarationError(
            f"periods: {name}.starts is '{starts}': the month its year starts, 1 to 12"
        )
    match = _FORM.fullmatch(form)
    part = match.group("part") if match else None
    if (
        match is None
        or bool(match.group("next")) != (written == "two_years")
        or {None: 1, "QN": 4, "MM": 12}[part] != parts
        or (part == "MM" and starts != 1)
    ):
        raise DeclarationError(
            f"periods: {name}.landing_folder is '{form}': write YYYY, with -YY when its "
            "time_period is two_years, then -QN for 4 time identifiers or -MM for 12 "
            "(starts: 1)"
        )
    label = str(entry.get("period_label") or "{year}")
    try:
        label.format(year="", identifier="")
    except (KeyError, IndexError, ValueError):
        raise DeclarationError(
            f"periods: {name}.period_label '{label}' may use only {{year}} and {{identifier}}"
        ) from None
    return {"starts": starts, "landing_folder": form, "period_label": label}


@functools.cache
def _periods_at(path: Path) -> dict[str, PeriodType]:
    return parse_periods(read_metadata(path))


def period_types(metadata: Path | None = None) -> dict[str, PeriodType]:
    """The declared period types by name (dbt_project/metadata/periods.yml)."""
    return _periods_at((metadata or dbt_project_dir() / "metadata") / "periods.yml")


def period_type(name: object, metadata: Path | None = None) -> PeriodType:
    """A declared period type; an undeclared (blank) name is the default, academic year."""
    text = "" if name is None or (isinstance(name, float) and name != name) else str(name)
    declared = period_types(metadata)
    key = text.strip() or DEFAULT_PERIOD_TYPE
    if key not in declared:
        raise DeclarationError(
            f"period type '{key}' is not declared (dbt_project/metadata/periods.yml declares "
            f"{', '.join(declared)})"
        )
    return declared[key]


def row_periods(frame: object) -> list[tuple]:
    """Each row's period as a key: (time_period,), or (time_period, time_identifier) when
    the table carries time identifiers (two months of a year are two periods)."""
    return list(zip(*(frame[column] for column in period_columns(frame)), strict=True))


def ordinals_by_type(
    type_names: Iterable[object],
    time_periods: Iterable[object],
    time_identifiers: Iterable[object] | None,
    breaks: Iterable[object],
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's period and its series break (a bare time period, 0 for none) as ordinals
    of the row's declared period type (blank: academic year): consecutive periods differ by
    one, so a missing month is a gap. Rows without time identifiers are whole years."""
    names = np.asarray([name if isinstance(name, str) else "" for name in type_names], dtype=object)
    periods = np.asarray(list(time_periods), dtype=np.int64)
    identifiers = (
        np.full(len(periods), None, dtype=object)
        if time_identifiers is None
        else np.asarray(list(time_identifiers), dtype=object)
    )
    floors_in = np.asarray(list(breaks), dtype=np.int64)
    ordinals = np.zeros(len(periods), dtype=np.int64)
    floors = np.zeros(len(periods), dtype=np.int64)
    for name in dict.fromkeys(names.tolist()):
        chosen = names == name
        kind = period_type(name)
        ordinals[chosen] = kind.ordinals(periods[chosen], identifiers[chosen])
        floors[chosen] = kind.ordinals(floors_in[chosen], [None] * int(chosen.sum()))
    return ordinals, floors


def read_metadata(path: Path) -> Mapping:
    """One file of dbt_project/metadata/ read (DeclarationError when it cannot be)."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise DeclarationError(f"{path}: cannot be read ({error})") from None
