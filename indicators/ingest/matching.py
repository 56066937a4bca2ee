"""Returns matched row by row as their specs declare (`matching:`, `placement:`; the EYFSP
return and the census today), and against the reference files.

A child in one return and not the other, or quarantined in one, is held back from both
(pointing at the row to fix); a child in an unknown sector or with an unknown LA number is
quarantined with the reason. So the dbt tests that hold counts equal see a consistent set.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence

import pandas as pd

from indicators.ingest.cells import failing_values, postcodes_well_formed
from indicators.ingest.defects import Defect
from indicators.ingest.lookups import Reference
from indicators.ingest.privacy import postcode_sector
from indicators.ingest.statutory_rules import Stack, stacked
from indicators.reference import AcademicYear
from indicators.sources.spec import Match, SourceSpec


def unknown_sectors(
    frames: Sequence[tuple[str, pd.DataFrame]],
    known: frozenset[str],
    cache: dict[str, str],
    set_aside: Mapping[str, str] | None = None,
    *,
    column: str,
) -> list[Defect]:
    """Rows whose postcode (`column`, a spec's `placement.column`) is in a sector not in the
    lookup (or set aside there)."""
    defects = []
    set_aside = set_aside or {}
    stack = stacked(frames, [column])
    postcodes = pd.Series(stack.values[column], dtype=object)
    sectors = postcode_sector(postcodes, cache)
    unknown = postcodes_well_formed(postcodes) & ~sectors.isin(known)
    sectors = sectors.tolist()
    for file, row, (value, sector) in stacked_with(stack, "sector", sectors).where(unknown):
        if sector in set_aside:
            defects.append(
                Defect(
                    file,
                    int(row),
                    column,
                    value,
                    "postcode_sector_set_aside",
                    f"{column} '{value}' is in sector {sector}, whose row in the neighbourhood "
                    f"lookup was set aside: {set_aside[sector]}; correct "
                    "seeds/neighbourhood_lookup.csv and run again",
                )
            )
            continue
        defects.append(
            Defect(
                file,
                int(row),
                column,
                value,
                "postcode_sector_unknown",
                f"{column} '{value}' is in sector {sector}, which is not in the neighbourhood "
                "lookup (seeds/neighbourhood_lookup.csv): add the sector or correct the postcode",
            )
        )
    return defects


def unknown_la_codes(
    frames: Sequence[tuple[str, pd.DataFrame]],
    known: frozenset[str],
    set_aside: Mapping[str, str] | None = None,
    *,
    column: str,
) -> list[Defect]:
    """Rows whose LA number (`column`, a spec's `placement.authority`) is not a known one."""
    defects = []
    set_aside = set_aside or {}
    stack = stacked(frames, [column])
    codes = pd.Series(stack.values[column], dtype=object)
    three_digits = re.compile(r"\d{3}")
    unknown = failing_values(
        codes,
        lambda code: three_digits.fullmatch(code) is not None and code not in known,
        lambda values: values.str.fullmatch(r"\d{3}") & ~values.isin(known),
    )
    for file, row, (value,) in stack.where(unknown):
        if value in set_aside:
            defects.append(
                Defect(
                    file,
                    int(row),
                    column,
                    value,
                    "la_code_set_aside",
                    f"LA number {value} has its row in seeds/local_authorities.csv set aside: "
                    f"{set_aside[value]}; correct the LA list and run again",
                )
            )
            continue
        defects.append(
            Defect(
                file,
                int(row),
                column,
                value,
                "la_code_unknown",
                f"LA number {value} is not in seeds/local_authorities.csv: add the authority "
                "or correct the number",
            )
        )
    return defects


def stacked_with(stack: Stack, column: str, values: list[object]) -> Stack:
    """The stack with one more column."""
    return Stack(stack.files, stack.rows, {**stack.values, column: values})


def pairs(specs: Mapping[str, SourceSpec]) -> list[tuple[str, Match]]:
    """(kind, its match) for every match the specs declare between these kinds."""
    return [
        (kind, match)
        for kind, spec in specs.items()
        for match in spec.matching
        if match.source in specs
    ]


def _key(specs: Mapping[str, SourceSpec], kind: str) -> str:
    return specs[kind].key[0]


def unmatched_children(
    stacks: dict[str, Stack],
    year: AcademicYear,
    cross_kind: bool,
    rejected: Mapping[str, list[str]],
    landed_kinds: set[str],
    notes: list[str],
    specs: Mapping[str, SourceSpec],
) -> list[Defect]:
    """Each row needs a row of the kind its spec says it matches (`matching:`): an EYFSP
    child a census row (to place them), a census row an EYFSP child.

    `stacks` holds each kind's files `stacked` on its key, without rows whose key is already
    reported. A row is matched against the other kind's files that could be read; when one
    was rejected, or none was landed, the message says so (the child may be in it), because
    a child loaded from one return without the other could not be placed or counted.
    Messages are the match's (`missing`, `rejected`, `not_landed`).
    """
    keys = {
        kind: (
            set(stack.values[_key(specs, kind)])
            if stack.text(_key(specs, kind))
            else pd.Series(stack.values[_key(specs, kind)], dtype=object)
        )
        for kind, stack in stacks.items()
    }
    if not cross_kind:
        labels = " and ".join(specs[kind].label for kind in specs)
        notes.append(
            f"{year.label}: {labels} returns were not matched to each other "
            "(only one kind was checked): check both together to match them"
        )
        return []
    defects = []
    for kind, match in pairs(specs):
        other = match.source
        rule = f"{other}_missing"
        why = match.missing
        if rejected.get(other):
            why = match.rejected.replace("{files}", ", ".join(rejected[other]))
        elif other not in landed_kinds:
            why = match.not_landed
        why = why.replace("{period}", year.label).replace("{folder}", year.folder)
        key = _key(specs, kind)
        stack, known = stacks[kind], keys[other]
        if isinstance(known, set) and isinstance(keys[kind], set):
            missing = (
                []
                if known.issuperset(keys[kind])  # every row matched, as usual
                else [value not in known for value in stack.values[key]]
            )
        else:  # not all text: as pandas matches them
            missing = ~pd.Series(stack.values[key], dtype=object).isin(
                pd.Series(stacks[other].values[_key(specs, other)], dtype=object)
            )
        for file, row, (value,) in stack.where(missing):
            defects.append(
                Defect(file, int(row), key, value, rule, why.replace("{value}", str(value)))
            )
    return defects


def other_authority_children(
    frames: Mapping[str, Sequence[tuple[str, pd.DataFrame]]],
    defects: Sequence[Defect],
    reference: Reference,
    cache: dict[str, str],
    specs: Mapping[str, SourceSpec],
) -> list[Defect]:
    """Rows whose LA number is not the authority of the child's neighbourhood, for a kind
    whose spec places it through another's postcode (`placement: {via: census.postcode,
    authority: la_code}`).

    A neighbourhood belongs to one authority (the publication nests neighbourhoods in their
    authority), and the lookup declares only sectors and neighbourhoods. So the authority of
    a neighbourhood is the LA number most of its children (rows without other defects, placed
    by their census postcode) are returned under; on a tie, the LA with more children in the
    year, then the lower number. A child returned under another LA number (a row for another
    authority among this one's, usually a typing slip) is quarantined; its census row is then
    held back too (`partners_held_back`).
    """
    found = []
    for kind, spec in specs.items():
        via, authority = spec.placement.get("via"), spec.placement.get("authority")
        if not via or not authority or via.split(".")[0] not in frames:
            continue
        home_kind, home_column = via.split(".", 1)
        found += _other_authority(
            frames[kind],
            frames[home_kind],
            (_key(specs, kind), authority),
            (_key(specs, home_kind), home_column),
            defects,
            reference,
            cache,
        )
    return found


def _other_authority(
    child_frames: Sequence[tuple[str, pd.DataFrame]],
    home_frames: Sequence[tuple[str, pd.DataFrame]],
    child_columns: tuple[str, str],
    home_columns: tuple[str, str],
    defects: Sequence[Defect],
    reference: Reference,
    cache: dict[str, str],
) -> list[Defect]:
    placement = reference.placement or {}
    bad = {(defect.file, defect.row) for defect in defects if defect.row is not None}
    (child_key, authority), (home_key, postcode) = child_columns, home_columns
    children = stacked(child_frames, [child_key, authority])
    homes = stacked(home_frames, [home_key, postcode])
    sectors = postcode_sector(pd.Series(homes.values[postcode], dtype=object), cache).tolist()
    neighbourhood_of: dict[object, str] = {}
    for file, row, upn, sector in zip(
        homes.files, homes.rows, homes.values[home_key], sectors, strict=True
    ):
        if (file, row) not in bad and sector in placement:
            neighbourhood_of[upn] = placement[sector]
    placed = [
        (file, row, upn, la_code, neighbourhood_of[upn])
        for file, row, upn, la_code in zip(
            children.files,
            children.rows,
            children.values[child_key],
            children.values[authority],
            strict=True,
        )
        if (file, row) not in bad and upn in neighbourhood_of
    ]
    by_neighbourhood: dict[str, Counter[str]] = defaultdict(Counter)
    for *_, la_code, neighbourhood in placed:
        by_neighbourhood[neighbourhood][la_code] += 1
    if all(len(codes) == 1 for codes in by_neighbourhood.values()):
        return []  # every neighbourhood's children under one LA number, as usual
    in_year = Counter(la_code for *_, la_code, _ in placed)
    owner = {
        neighbourhood: max(codes, key=lambda code: (codes[code], in_year[code], -int(code)))
        for neighbourhood, codes in by_neighbourhood.items()
    }
    found = []
    for file, row, _, la_code, neighbourhood in placed:
        if la_code == owner[neighbourhood]:
            continue
        codes = by_neighbourhood[neighbourhood]
        found.append(
            Defect(
                file,
                int(row),
                authority,
                str(la_code),
                "la_code_not_neighbourhood",
                f"LA number {la_code} is not the authority of this child's neighbourhood "
                f"{neighbourhood} (from the census postcode): {codes[owner[neighbourhood]]:,} of "
                f"its {sum(codes.values()):,} children this year are returned under LA "
                f"{owner[neighbourhood]}, and a neighbourhood belongs to one authority; correct "
                "the LA number (or the census postcode) and land the file again",
            )
        )
    return found


def partners_held_back(
    stacks: dict[str, Stack], defects: Sequence[Defect], specs: Mapping[str, SourceSpec]
) -> list[Defect]:
    """A row quarantined in one return (any rule) is quarantined in the return it matches
    too, where the match says `when_quarantined: both`.

    Every stage after ingest then sees the same children in both returns. `stacks` holds each
    kind's rows without those whose key is itself reported (they match nothing); each row
    held back names the other return's rows, and their rules, as a person finds them (the
    match's `held_back` message).
    """
    bad: dict[tuple[str, int], list[str]] = defaultdict(list)
    for defect in defects:
        if defect.row is not None:
            bad[(defect.file, defect.row)].append(defect.rule)
    held: dict[str, dict[object, list[tuple[str, int, list[str]]]]] = {}
    for kind, stack in stacks.items():
        places: dict[object, list[tuple[str, int, list[str]]]] = defaultdict(list)
        values = stack.values[_key(specs, kind)]
        for file, row, value in zip(stack.files, stack.rows, values, strict=True):
            if (file, row) in bad:
                places[value].append((file, row, bad[(file, row)]))
        held[kind] = places
    partners = []
    for kind, match in pairs(specs):
        if match.when_quarantined != "both":
            continue
        other, rule = match.source, f"{match.source}_row_quarantined"
        key = _key(specs, kind)
        stack, others = stacks[kind], held[other]
        if not others:
            continue
        for file, row, value in zip(stack.files, stack.rows, stack.values[key], strict=True):
            if (file, row) in bad or value not in others:
                continue
            where = "; ".join(
                f"{other_file}, row {other_row} ({', '.join(rules)})"
                for other_file, other_row, rules in others[value][:3]
            )
            more = len(others[value]) - 3
            where += f" and {more} more" if more > 0 else ""
            partners.append(
                Defect(
                    file,
                    int(row),
                    key,
                    str(value),
                    rule,
                    match.held_back.replace("{rows}", where).replace("{value}", str(value)),
                )
            )
    return partners
