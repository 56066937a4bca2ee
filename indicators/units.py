"""The count units an indicator's numerator and denominator are in, as declared in
dbt_project/metadata/units.yml (a child, a family, an answer, a mean's summed score; a site
adds its own). Read by the register check (only declared units) and the packs' "How to read"
(what each unit means)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from indicators.config import dbt_project_dir
from indicators.declarations import DeclarationError, read_metadata


@dataclass(frozen=True)
class CountUnit:
    """What one unit of a numerator or denominator is (dbt_project/metadata/units.yml)."""

    name: str
    meaning: str
    denominator: bool = True
    independent: bool = False
    """Counts each person once: intervals over it can be compared and trends tested."""
    not_compared: str = "not one per person"
    """Why a figure over it is not compared (a unit not independent), after "it counts
    <unit>, ": 'not people: a family answers several questions'."""
    full_count: bool = False
    """Counts every member of a population (a census), not a sample: a figure over it has
    no sampling error, so no confidence interval is given."""


def parse_units(document: Mapping) -> dict[str, CountUnit]:
    raw = (document or {}).get("units")
    if not isinstance(raw, Mapping) or not raw:
        raise DeclarationError("units: must map each unit's name to its meaning")
    units = {}
    for name, entry in raw.items():
        if (
            not isinstance(entry, Mapping)
            or not isinstance(entry.get("meaning"), str)
            or not entry["meaning"].strip()
            or not isinstance(entry.get("denominator", True), bool)
            or not isinstance(entry.get("independent", False), bool)
            or not isinstance(entry.get("not_compared", ""), str)
            or not isinstance(entry.get("full_count", False), bool)
            or entry.get("full_count") is True
            and entry.get("independent") is True
            or set(entry) - {"meaning", "denominator", "independent", "not_compared", "full_count"}
        ):
            raise DeclarationError(
                f"units: '{name}' must be {{meaning: <words>}} (and denominator: false for a "
                f"unit that is never a denominator, independent: true for one that counts "
                f"each person once, not_compared: <words> for why one that does not is not "
                f"compared, full_count: true for a census of every member, never independent), "
                f"got {entry!r}"
            )
        units[str(name)] = CountUnit(
            str(name),
            entry["meaning"].strip(),
            entry.get("denominator", True),
            entry.get("independent", False),
            str(entry.get("not_compared") or "not one per person").strip(),
            entry.get("full_count", False),
        )
    return units


@functools.cache
def _units_at(path: Path) -> dict[str, CountUnit]:
    return parse_units(read_metadata(path))


def count_units(metadata: Path | None = None) -> dict[str, CountUnit]:
    """The declared count units by name, in the file's order (dbt_project/metadata/units.yml)."""
    return _units_at((metadata or dbt_project_dir() / "metadata") / "units.yml")


def independent_units(metadata: Path | None = None) -> tuple[str, ...]:
    """The units declared `independent: true`: only figures over such a denominator are
    compared between areas and tested for a trend (dbt_project/metadata/units.yml)."""
    return tuple(name for name, unit in count_units(metadata).items() if unit.independent)


def full_count_units(metadata: Path | None = None) -> tuple[str, ...]:
    """The units declared `full_count: true` (a census of every household): figures over
    such a denominator get no confidence interval (dbt_project/metadata/units.yml)."""
    return tuple(name for name, unit in count_units(metadata).items() if unit.full_count)


def not_compared_why(unit: str, metadata: Path | None = None) -> str:
    """Why a figure over `unit` (not independent) is not compared, in the unit's own words
    (units.yml `not_compared`); the default for a unit not declared."""
    declared = count_units(metadata).get(unit)
    return declared.not_compared if declared else CountUnit.not_compared
