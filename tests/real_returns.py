"""Landing areas shaped like real LAs' first runs (synthetic children, real LA numbers).

`rochdale_landing` rebuilds the return of issue 12: LA 354 (Rochdale), 3,615 children in
2023/24, its own neighbourhood lookup of OL postcode sectors and no LA list of its own (the
project's seeds/local_authorities.csv must know it), with one census postcode in a sector
the lookup lacks and one FSM code `MAYBE`. `england_landing` lands a small return for every
one of the 153 English LAs of the project's seed, each with neighbourhoods of its own.
"""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import pandas as pd

from indicators.reference import AcademicYear
from indicators.synthetic.authorities import HARROWDALE, SyntheticAuthority
from indicators.synthetic.children import simulate_year
from indicators.synthetic.generate import write_reference

ROOT = Path(__file__).resolve().parents[1]
YEAR = AcademicYear.parse("2023/24")
ROCHDALE_CHILDREN = 3615
UNKNOWN_POSTCODE = "OL99 9ZZ"
"""A postcode in sector OL99 9, which Rochdale's lookup does not have."""


def _write(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\r\n")


def rochdale() -> SyntheticAuthority:
    hoods = tuple(
        replace(hood, code=f"RD0{number}", name=f"Rochdale {name}")
        for number, (hood, name) in enumerate(
            zip(
                HARROWDALE.neighbourhoods,
                ("Central", "North", "Pennines", "South", "West"),
                strict=True,
            ),
            start=1,
        )
    )
    return SyntheticAuthority(
        la_code="354",
        new_la_code="E08000005",
        la_name="Rochdale",
        postcode_area="OL",
        first_district=10,
        neighbourhoods=hoods,
        upn_la_numbers=("354",),
    )


def rochdale_landing(
    out: Path, children: int = ROCHDALE_CHILDREN, la_code: str = "354"
) -> dict[str, object]:
    """The issue's landing set under `out`; returns where the two defects were put.

    `la_code` writes another LA number into every EYFSP row (e.g. one the LA list lacks).
    """
    authority = rochdale()
    cohort = simulate_year((authority,), [children], YEAR, 60.0, seed=354)
    eyfsp = cohort.eyfsp.astype(str).assign(la_code=la_code)
    census = cohort.census.astype(str).reset_index(drop=True)
    census.loc[4, "postcode"] = UNKNOWN_POSTCODE  # spreadsheet row 6
    census.loc[1999, "fsm_eligible"] = "MAYBE"  # spreadsheet row 2001
    _write(eyfsp, out / "eyfsp" / YEAR.folder / "rochdale_eyfsp_2023-24.csv")
    _write(census, out / "census" / YEAR.folder / "rochdale_census_2023-24.csv")
    write_reference((authority,), out)
    (out / "seeds" / "local_authorities.csv").unlink()  # the project's list must know 354
    return {
        "eyfsp": eyfsp,
        "census": census,
        "defect_upns": [census.loc[4, "upn"], census.loc[1999, "upn"]],
    }


def english_authorities() -> list[dict[str, str]]:
    with (ROOT / "seeds" / "local_authorities.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def england_landing(
    out: Path, children_per_authority: int = 12, skip: frozenset[str] = frozenset()
) -> list[SyntheticAuthority]:
    """A return and census for each English LA of the project's seed but `skip` (one
    neighbourhood each, in a postcode district of its own), in files of their own, and their
    sectors added to the landing's lookup; no LA list of its own."""
    letters = "ABCDEFGHJKLMNPRSTUWYZ"
    authorities = []
    for index, row in enumerate(english_authorities()):
        if row["la_code"] in skip:
            continue
        hood = replace(
            HARROWDALE.neighbourhoods[index % 5],
            code=f"N{row['la_code']}",
            name=f"{row['la_name']} neighbourhood",
            share=1.0,
        )
        authorities.append(
            SyntheticAuthority(
                la_code=row["la_code"],
                new_la_code=row["new_la_code"],
                la_name=row["la_name"],
                postcode_area="Q" + letters[index // 9 % len(letters)],
                first_district=1 + index % 9 * 2,
                neighbourhoods=(hood,),
                upn_la_numbers=(row["la_code"],),
            )
        )
    cohort = simulate_year(
        authorities, [children_per_authority] * len(authorities), YEAR, 60.0, seed=153
    )
    _write(cohort.eyfsp.astype(str), out / "eyfsp" / YEAR.folder / "england_eyfsp.csv")
    _write(cohort.census.astype(str), out / "census" / YEAR.folder / "england_census.csv")
    lookup = out / "seeds" / "neighbourhood_lookup.csv"
    earlier = pd.read_csv(lookup, dtype=str) if lookup.exists() else None
    write_reference(authorities, out)
    (out / "seeds" / "local_authorities.csv").unlink()
    if earlier is not None:
        merged = pd.concat([earlier, pd.read_csv(lookup, dtype=str)], ignore_index=True)
        merged.to_csv(lookup, index=False)
    return authorities
