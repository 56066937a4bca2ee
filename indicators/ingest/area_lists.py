"""The LA's lists of teams and districts (seeds/teams.csv, seeds/districts.csv), and the
check of a source placed by team, by district or LA-wide (`placement: {method: team,
column: team}`, `{method: district, column: ...}`, `{method: la_wide, authority: la}`).

A list row with a blank field, a code listed twice with a different name or authority, an
authority not in the LA list, or a code a neighbourhood, an authority or the team list
already has, is set aside (its rows are defects); a landed row whose team, district or LA
number is not listed (or set aside) is quarantined with the reason; the rest load.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from indicators.ingest.defects import Defect, FileRejected, check_required_columns
from indicators.ingest.readers import read_table
from indicators.ingest.statutory_rules import stacked


@dataclass(frozen=True)
class AreaList:
    """A seed the LA edits: one row per area (code, name, the ONS code of its authority)."""

    seed: str
    code: str
    name: str
    noun: str
    optional: tuple[str, ...] = ()
    """Columns the list may have (a team's district_code); blank or absent reads as none."""

    @property
    def columns(self) -> tuple[str, str, str]:
        return (self.code, self.name, "new_la_code")

    @property
    def shown(self) -> str:
        return f"seeds/{self.seed}.csv"

    def file(self, seeds: Path, landing: Path | None = None) -> Path:
        """The list the run reads: the landing area's seeds/ when it brings one (as the
        neighbourhood lookup), else the project's (CHORUS_SEEDS)."""
        landed = landing / self.shown if landing is not None else None
        return landed if landed is not None and landed.is_file() else seeds / self.shown[6:]


AREA_LISTS = {
    "team": AreaList("teams", "team_code", "team_name", "team", optional=("district_code",)),
    "district": AreaList("districts", "district_code", "district_name", "district"),
}
"""A placement method -> the seed listing its areas."""


@dataclass(frozen=True)
class AreaCodes:
    """The usable codes of one list, and the codes set aside -> why, in words."""

    codes: frozenset[str]
    set_aside: Mapping[str, str]
    within: Mapping[str, str] = field(default_factory=dict)
    """A usable code -> the area it is counted in below its authority (a team -> the district
    of its `district_code`, when that is a usable district of the team's authority); a code
    not here is counted directly in its authority."""


def check_area_list(
    area: AreaList,
    path: Path,
    authorities: frozenset[str] | None = None,
    taken: Mapping[str, str] | None = None,
) -> tuple[AreaCodes, list[Defect]]:
    """One list read and checked row by row (FileRejected: unreadable, or a column missing).

    `authorities`: the LA list's ONS codes (None: not read, not checked); a row naming
    another is set aside, since its rows could be counted nowhere. `taken`: codes other
    areas already have (a neighbourhood, an LA, the other list) -> what has it; a row
    reusing one is set aside, since an area code names one area."""
    try:
        frame = read_table(path, area.shown)
    except FileRejected as rejected:
        if rejected.defect.rule == "header_only":  # an LA without teams (the demo's)
            return AreaCodes(frozenset(), {}), []
        raise
    check_required_columns(frame, area.columns, area.shown)
    for column in area.columns:
        frame[column] = frame[column].astype("string").fillna("").str.strip()
    defects: list[Defect] = []
    set_aside: dict[str, str] = {}
    blank = pd.Series(False, index=frame.index)
    for column in area.columns:
        for row, code in zip(
            frame.loc[frame[column] == "", "_source_row"],
            frame.loc[frame[column] == "", area.code],
            strict=True,
        ):
            defects.append(
                Defect(
                    area.shown,
                    int(row),
                    column,
                    "",
                    f"{area.noun}_list_blank",
                    f"{column} is blank: every {area.noun} needs its {', '.join(area.columns)}; "
                    "the row is set aside",
                )
            )
            if code:
                set_aside.setdefault(code, f"row {row} has no {column}")
        blank |= frame[column] == ""
    for row, code, authority in zip(
        frame.loc[~blank, "_source_row"],
        frame.loc[~blank, area.code],
        frame.loc[~blank, "new_la_code"],
        strict=True,
    ):
        if authorities is not None and authority not in authorities:
            why = f"its new_la_code {authority} is not in seeds/local_authorities.csv"
            rule, column, value = f"{area.noun}_authority_unknown", "new_la_code", authority
        elif taken and code in taken:
            why = f"its code {code} is already used by {taken[code]}"
            rule, column, value = f"{area.noun}_code_taken", area.code, code
        else:
            continue
        defects.append(
            Defect(area.shown, int(row), column, value, rule, f"{why}: the row is set aside")
        )
        set_aside.setdefault(code, f"row {row}: {why}")
        blank |= frame["_source_row"] == row
    usable = frame[~blank].drop_duplicates(subset=list(area.columns))
    for code in usable.loc[usable[area.code].duplicated(keep=False), area.code].unique():
        rows = frame[~blank & (frame[area.code] == code)]["_source_row"].tolist()
        listed = ", ".join(f"row {row}" for row in rows)
        for row in rows:
            defects.append(
                Defect(
                    area.shown,
                    int(row),
                    area.code,
                    code,
                    f"{area.noun}_listed_twice",
                    f"{area.noun} {code} is listed with different names or authorities "
                    f"({listed}): keep one; its rows are set aside",
                )
            )
        set_aside[code] = f"it is listed twice with different names or authorities ({listed})"
    codes = frozenset(usable[area.code]) - set(set_aside)
    return AreaCodes(codes, set_aside), defects


def read_area_lists(
    seeds: Path,
    authorities: frozenset[str] | None = None,
    taken: Mapping[str, str] | None = None,
    landing: Path | None = None,
) -> tuple[dict[str, AreaCodes], list[Defect]]:
    """Every list, from the landing area's seeds/ when it brings one, else the project's
    seeds (CHORUS_SEEDS); the same file is loaded into raw.teams and raw.districts for dbt
    (indicators/ingest/reference_load.py: dim_areas and the placed rows' names come from
    it): a list that is not there lists nothing. `authorities` and `taken` as
    check_area_list's; each list's usable codes are taken for the lists after it.
    FileRejected when one cannot be read."""
    lists: dict[str, AreaCodes] = {}
    defects: list[Defect] = []
    taken = dict(taken or {})
    for method, area in AREA_LISTS.items():
        path = area.file(seeds, landing)
        if not path.is_file():
            lists[method] = AreaCodes(frozenset(), {})
            continue
        lists[method], found = check_area_list(area, path, authorities, taken)
        defects.extend(found)
        taken.update({code: f"{area.noun} {code}" for code in lists[method].codes})
    within, found = team_districts(seeds, landing, lists)
    defects.extend(found)
    if within:
        lists["team"] = replace(lists["team"], within=within)
    return lists, defects


def team_districts(
    seeds: Path, landing: Path | None, lists: Mapping[str, AreaCodes]
) -> tuple[dict[str, str], list[Defect]]:
    """Each usable team's district, where its optional `district_code` names a usable
    district of the team's authority (seeds/districts.csv), as stg_reference__team_districts
    has it; one that does not is named, and the team is counted directly in its authority
    (dbt: dim_areas gives it the authority as parent, its rows no district). The team itself
    stays usable: its rows are placed as before."""
    teams, districts = AREA_LISTS["team"], AREA_LISTS["district"]
    path = teams.file(seeds, landing)
    if not path.is_file() or not lists.get("team", AreaCodes(frozenset(), {})).codes:
        return {}, []
    try:
        frame = read_table(path, teams.shown)
    except FileRejected:
        return {}, []
    if "district_code" not in frame.columns:
        return {}, []
    authority_of: dict[str, str] = {}
    district_path = districts.file(seeds, landing)
    if district_path.is_file():
        with suppress(FileRejected):
            listed = read_table(district_path, districts.shown)
            for code, authority in zip(
                listed["district_code"].astype("string").fillna("").str.strip(),
                listed["new_la_code"].astype("string").fillna("").str.strip(),
                strict=True,
            ):
                if code in lists.get("district", AreaCodes(frozenset(), {})).codes:
                    authority_of[code] = authority
    defects = []
    within: dict[str, str] = {}
    for row, code, district, authority in zip(
        frame["_source_row"],
        frame["team_code"].astype("string").fillna("").str.strip(),
        frame["district_code"].astype("string").fillna("").str.strip(),
        frame["new_la_code"].astype("string").fillna("").str.strip(),
        strict=True,
    ):
        if not district or code not in lists["team"].codes:
            continue
        if authority_of.get(district) == authority:
            within[code] = district
            continue
        defects.append(
            Defect(
                teams.shown,
                int(row),
                "district_code",
                district,
                "team_district_unknown",
                f"district {district} is not a district of seeds/districts.csv in the "
                f"team's authority {authority}: team {code} is counted directly in its "
                "authority; correct the district_code or add the district",
            )
        )
    return within, defects


def unlisted(
    frames: Sequence[tuple[str, pd.DataFrame]],
    column: str,
    listed: AreaCodes,
    *,
    noun: str,
    seed: str,
    rule: str,
) -> list[Defect]:
    """Rows whose `column` names no usable area of the list (`seed`, as displayed)."""
    defects = []
    stack = stacked(frames, [column])
    values = ["" if value is None else str(value).strip() for value in stack.values[column]]
    flags = [value not in listed.codes for value in values]
    for file, row, (value,) in stack.where(flags):
        value = "" if value is None else str(value).strip()
        if not value:
            message = (
                f"{column} is blank: the row cannot be placed; give one of the codes in {seed}"
            )
        elif value in listed.set_aside:
            message = (
                f"{noun} '{value}' has its row in {seed} set aside: {listed.set_aside[value]}; "
                f"correct {seed} and run again"
            )
        else:
            message = f"{noun} '{value}' is not in {seed}: add it there or correct the {column}"
        defects.append(Defect(file, int(row), column, value, rule, message))
    return defects
