"""EYFSP and census returns matched child by child, and against the reference files.

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


def unknown_sectors(
    census: Sequence[tuple[str, pd.DataFrame]],
    known: frozenset[str],
    cache: dict[str, str],
    set_aside: Mapping[str, str] | None = None,
) -> list[Defect]:
    """Census rows whose postcode's sector is not in the lookup (or was set aside there)."""
    defects = []
    set_aside = set_aside or {}
    stack = stacked(census, ["postcode"])
    postcodes = pd.Series(stack.values["postcode"], dtype=object)
    sectors = postcode_sector(postcodes, cache)
    unknown = postcodes_well_formed(postcodes) & ~sectors.isin(known)
    sectors = sectors.tolist()
    for file, row, (value, sector) in stacked_with(stack, "sector", sectors).where(unknown):
        if sector in set_aside:
            defects.append(
                Defect(
                    file,
                    int(row),
                    "postcode",
                    value,
                    "postcode_sector_set_aside",
                    f"postcode '{value}' is in sector {sector}, whose row in the neighbourhood "
                    f"lookup was set aside: {set_aside[sector]}; correct "
                    "seeds/neighbourhood_lookup.csv and run again",
                )
            )
            continue
        defects.append(
            Defect(
                file,
                int(row),
                "postcode",
                value,
                "postcode_sector_unknown",
                f"postcode '{value}' is in sector {sector}, which is not in the neighbourhood "
                "lookup (seeds/neighbourhood_lookup.csv): add the sector or correct the postcode",
            )
        )
    return defects


def unknown_la_codes(
    eyfsp: Sequence[tuple[str, pd.DataFrame]],
    known: frozenset[str],
    set_aside: Mapping[str, str] | None = None,
) -> list[Defect]:
    defects = []
    set_aside = set_aside or {}
    stack = stacked(eyfsp, ["la_code"])
    codes = pd.Series(stack.values["la_code"], dtype=object)
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
                    "la_code",
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
                "la_code",
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


def unmatched_children(
    stacks: dict[str, Stack],
    year: AcademicYear,
    cross_kind: bool,
    rejected: dict[str, list[str]],
    landed_kinds: set[str],
    notes: list[str],
) -> list[Defect]:
    """An EYFSP child needs a census row (to place them) and a census row needs an EYFSP child.

    `stacks` holds each kind's files `stacked`, without rows whose UPN is already reported.
    A child is matched against the other kind's files that could be read; when one was
    rejected, or none was landed, the message says so (the child may be in it), because a
    child loaded from one return without the other could not be placed or counted.
    """
    upns = {
        kind: (
            set(stack.values["upn"])
            if stack.text("upn")
            else pd.Series(stack.values["upn"], dtype=object)
        )
        for kind, stack in stacks.items()
    }
    if not cross_kind:
        notes.append(
            f"{year.label}: EYFSP and census returns were not matched to each other "
            "(only one kind was checked): check both together to match them"
        )
        return []
    defects = []
    for kind, other, rule, why in (
        (
            "eyfsp",
            "census",
            "census_missing",
            "no census row has UPN '{upn}', so the child cannot be placed in a neighbourhood: add "
            f"them to the {year.label} census extract",
        ),
        (
            "census",
            "eyfsp",
            "eyfsp_missing",
            f"no EYFSP result has UPN '{{upn}}' in {year.label}: remove the row or land the "
            "missing result",
        ),
    ):
        label = "census extract" if other == "census" else "EYFSP return"
        if rejected.get(other):
            files = ", ".join(rejected[other])
            why = (
                f"no {other} row that could be read has UPN '{{upn}}', and {files} was "
                f"rejected, so the child is held back (they may be in it): fix {files} "
                "and land it again"
            )
        elif other not in landed_kinds:
            why = (
                f"no {year.label} {label} is landed, so the child is held back: land it "
                f"under {other}/{year.folder}/"
            )
        stack, known = stacks[kind], upns[other]
        if isinstance(known, set) and isinstance(upns[kind], set):
            missing = (
                []
                if known.issuperset(upns[kind])  # every child matched, as usual
                else [upn not in known for upn in stack.values["upn"]]
            )
        else:  # not all text: as pandas matches them
            missing = ~pd.Series(stack.values["upn"], dtype=object).isin(
                pd.Series(stacks[other].values["upn"], dtype=object)
            )
        for file, row, (value,) in stack.where(missing):
            defects.append(Defect(file, int(row), "upn", value, rule, why.format(upn=value)))
    return defects


def other_authority_children(
    frames: Mapping[str, Sequence[tuple[str, pd.DataFrame]]],
    defects: Sequence[Defect],
    reference: Reference,
    cache: dict[str, str],
) -> list[Defect]:
    """EYFSP rows whose LA number is not the authority of the child's neighbourhood.

    A neighbourhood belongs to one authority (the publication nests neighbourhoods in their
    authority), and the lookup declares only sectors and neighbourhoods. So the authority of
    a neighbourhood is the LA number most of its children (rows without other defects, placed
    by their census postcode) are returned under; on a tie, the LA with more children in the
    year, then the lower number. A child returned under another LA number (a row for another
    authority among this one's, usually a typing slip) is quarantined; its census row is then
    held back too (`partners_held_back`).
    """
    placement = reference.placement or {}
    bad = {(defect.file, defect.row) for defect in defects if defect.row is not None}
    children = stacked(frames["eyfsp"], ["upn", "la_code"])
    homes = stacked(frames["census"], ["upn", "postcode"])
    sectors = postcode_sector(pd.Series(homes.values["postcode"], dtype=object), cache).tolist()
    neighbourhood_of: dict[object, str] = {}
    for file, row, upn, sector in zip(
        homes.files, homes.rows, homes.values["upn"], sectors, strict=True
    ):
        if (file, row) not in bad and sector in placement:
            neighbourhood_of[upn] = placement[sector]
    placed = [
        (file, row, upn, la_code, neighbourhood_of[upn])
        for file, row, upn, la_code in zip(
            children.files,
            children.rows,
            children.values["upn"],
            children.values["la_code"],
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
                "la_code",
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


def partners_held_back(stacks: dict[str, Stack], defects: Sequence[Defect]) -> list[Defect]:
    """A child quarantined in one return (any rule) is quarantined in the other too.

    Every stage after ingest then sees the same children in both returns. `stacks` holds each
    kind's rows without those whose UPN is itself reported (they match nothing); each row
    held back names the other return's rows, and their rules, as a person finds them.
    """
    bad: dict[tuple[str, int], list[str]] = defaultdict(list)
    for defect in defects:
        if defect.row is not None:
            bad[(defect.file, defect.row)].append(defect.rule)
    held: dict[str, dict[object, list[tuple[str, int, list[str]]]]] = {}
    for kind, stack in stacks.items():
        places: dict[object, list[tuple[str, int, list[str]]]] = defaultdict(list)
        for file, row, upn in zip(stack.files, stack.rows, stack.values["upn"], strict=True):
            if (file, row) in bad:
                places[upn].append((file, row, bad[(file, row)]))
        held[kind] = places
    partners = []
    for kind, other, rule in (
        ("eyfsp", "census", "census_row_quarantined"),
        ("census", "eyfsp", "eyfsp_row_quarantined"),
    ):
        label = "census" if other == "census" else "EYFSP"
        stack, others = stacks[kind], held[other]
        if not others:
            continue
        for file, row, upn in zip(stack.files, stack.rows, stack.values["upn"], strict=True):
            if (file, row) in bad or upn not in others:
                continue
            where = "; ".join(
                f"{other_file}, row {other_row} ({', '.join(rules)})"
                for other_file, other_row, rules in others[upn][:3]
            )
            more = len(others[upn]) - 3
            where += f" and {more} more" if more > 0 else ""
            partners.append(
                Defect(
                    file,
                    int(row),
                    "upn",
                    str(upn),
                    rule,
                    f"this child's {label} row is quarantined: {where}. The child is held back "
                    "from both returns until it is fixed: fix that row and land the file again",
                )
            )
    return partners
