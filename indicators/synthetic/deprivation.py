"""The synthetic borough's deprivation context, as an LA lands the public files each year:
ONS's postcode lookup (an NSPL extract: `pcds`, `lsoa21cd` ...), Census 2021 household
deprivation by LSOA (TS011, as the bulk download heads it) and IDACI 2025 by LSOA (as the
English Indices of Deprivation's files head it).

Each of a neighbourhood's six postcode sectors holds two LSOAs (a postcode's unit letter
decides which), so every LSOA lies inside one neighbourhood; the LSOA codes are E01 and six
digits from 990000 up (plausible in form, no real LSOA's). A neighbourhood's deprivation
(indicators/synthetic/authorities.py) sets its LSOAs' IDACI deciles and household shares, so
the least deprived neighbourhood has no LSOA in the most deprived IDACI quintile. Drawn from
their own random stream: every other file is the same with or without them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from indicators.reference import AcademicYear
from indicators.synthetic.authorities import SyntheticAuthority
from indicators.synthetic.children import UNIT_LETTERS

DEPRIVATION_STREAM = 17
ENGLAND_LSOAS = 33_755
"""The 2021 LSOAs the Indices of Deprivation 2025 rank."""

POSTCODE_FILE = "NSPL_2025_extract.csv"
HOUSEHOLDS_FILE = "census2021-ts011-lsoa.csv"
IDACI_FILE = "File_3_IoD2025_Supplementary_Indices_IDACI.csv"

TS011_TOTAL = "Household deprivation: Total: All households; measures: Value"
TS011_CATEGORIES = (
    "Household deprivation: Household is not deprived in any dimension; measures: Value",
    "Household deprivation: Household is deprived in one dimension; measures: Value",
    "Household deprivation: Household is deprived in two dimensions; measures: Value",
    "Household deprivation: Household is deprived in three dimensions; measures: Value",
    "Household deprivation: Household is deprived in four dimensions; measures: Value",
)
IDACI_SCORE = "Income Deprivation Affecting Children Index (IDACI) Score (rate)"
IDACI_RANK = "Income Deprivation Affecting Children Index (IDACI) Rank (where 1 is most deprived)"
IDACI_DECILE = (
    "Income Deprivation Affecting Children Index (IDACI) Decile "
    "(where 1 is most deprived 10% of LSOAs)"
)


BOROUGH_LSOAS = 990000
"""The borough's LSOAs are E01990001 on; in a landing of many, the i-th authority's are
E01500001 + 1000 i on (real LSOA codes end below E01040000)."""


def lsoa_code(hood_index: int, sector_index: int, half: int, base: int = BOROUGH_LSOAS) -> str:
    """The synthetic LSOA of a neighbourhood's sector and unit half: E01990000 + ..."""
    return f"E01{base + hood_index * 100 + sector_index * 2 + half + 1:06d}"


def lsoas(authority: SyntheticAuthority, base: int = BOROUGH_LSOAS) -> pd.DataFrame:
    """Every synthetic LSOA with its neighbourhood and sector (two per sector)."""
    rows = []
    sectors = authority.sectors()
    for hood_index, hood in enumerate(authority.neighbourhoods):
        for sector_index, sector in enumerate(sectors[hood.code]):
            for half in (0, 1):
                rows.append(
                    {
                        "lsoa_code": lsoa_code(hood_index, sector_index, half, base),
                        "lsoa_name": f"{authority.la_name.split(' (')[0]} "
                        f"{hood_index * 12 + sector_index * 2 + half + 1:03d}A",
                        "neighbourhood_code": hood.code,
                        "sector": sector,
                        "half": half,
                        "deprivation": hood.deprivation,
                    }
                )
    return pd.DataFrame(rows)


def postcode_lookup(authority: SyntheticAuthority, base: int = BOROUGH_LSOAS) -> pd.DataFrame:
    """Every postcode the synthetic children can have (sector + two unit letters), with its
    LSOA: the first ten unit letters in the sector's first LSOA, the others in its second."""
    areas = lsoas(authority, base)
    rows = []
    for area in areas.itertuples(index=False):
        letters = UNIT_LETTERS[:10] if area.half == 0 else UNIT_LETTERS[10:]
        for first in letters:
            for second in UNIT_LETTERS:
                postcode = f"{area.sector}{first}{second}"
                compact = postcode.replace(" ", "")
                rows.append(
                    {
                        "pcd7": f"{compact[:-3]:<4}{compact[-3:]}",
                        "pcd8": postcode,
                        "pcds": postcode,
                        "dointr": "198001",
                        "doterm": "",
                        "lad25cd": authority.new_la_code,
                        "lsoa21cd": area.lsoa_code,
                    }
                )
    return pd.DataFrame(rows)


def household_deprivation(areas: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """TS011 for the LSOAs: households by the number of dimensions deprived in."""
    rows = []
    for area in areas.itertuples(index=False):
        d = area.deprivation
        shares = np.array(
            [0.58 - 0.36 * d, 0.30, 0.08 + 0.22 * d, 0.02 + 0.08 * d, 0.004 + 0.02 * d]
        )
        households = int(rng.integers(520, 820))
        counts = rng.multinomial(households, shares / shares.sum())
        rows.append(
            {
                "date": 2021,
                "geography": area.lsoa_name,
                "geography code": area.lsoa_code,
                TS011_TOTAL: households,
                **dict(zip(TS011_CATEGORIES, counts.tolist(), strict=True)),
            }
        )
    return pd.DataFrame(rows)


def idaci(
    areas: pd.DataFrame, authority: SyntheticAuthority, rng: np.random.Generator
) -> pd.DataFrame:
    """IDACI 2025 for the LSOAs: decile from the neighbourhood's deprivation, a rank inside
    the decile's band of England's 33,755, and a score falling with the rank."""
    band = ENGLAND_LSOAS / 10
    rows = []
    for area in areas.itertuples(index=False):
        decile = int(np.clip(round(1 + 9 * (1 - area.deprivation) + rng.normal(0, 1.0)), 1, 10))
        rank = int(rng.integers(int((decile - 1) * band) + 1, int(decile * band) + 1))
        score = round(0.02 + 0.5 * (1 - rank / ENGLAND_LSOAS) ** 2.5, 3)
        rows.append(
            {
                "LSOA code (2021)": area.lsoa_code,
                "LSOA name (2021)": area.lsoa_name,
                "Local Authority District code (2024)": authority.new_la_code,
                "Local Authority District name (2024)": authority.la_name,
                IDACI_SCORE: score,
                IDACI_RANK: rank,
                IDACI_DECILE: decile,
            }
        )
    return pd.DataFrame(rows)


def write_deprivation(
    out: Path, authorities: Sequence[SyntheticAuthority], years: Sequence[AcademicYear], seed: int
) -> list[Path]:
    """The three files under each academic year's folder (the same publication each year, as
    an LA lands the latest one it uses): postcode_lsoa/, household_deprivation/, idaci/.
    They are national publications: with many authorities, each file holds all of them
    (each drawn from its own random stream, its LSOAs numbered apart)."""
    parts: dict[tuple[str, str], list[pd.DataFrame]] = {}
    for index, authority in enumerate(authorities):
        if len(authorities) == 1:  # the borough, as it always was
            rng, base = np.random.default_rng([seed, DEPRIVATION_STREAM]), BOROUGH_LSOAS
        else:
            rng = np.random.default_rng([seed, DEPRIVATION_STREAM, index + 1])
            base = 500000 + 1000 * index
        areas = lsoas(authority, base)
        for key, frame in (
            (("postcode_lsoa", POSTCODE_FILE), postcode_lookup(authority, base)),
            (("household_deprivation", HOUSEHOLDS_FILE), household_deprivation(areas, rng)),
            (("idaci", IDACI_FILE), idaci(areas, authority, rng)),
        ):
            parts.setdefault(key, []).append(frame)
    frames = {key: pd.concat(found, ignore_index=True) for key, found in parts.items()}
    written = []
    for year in years:
        for (kind, name), frame in frames.items():
            path = out / kind / year.folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
            written.append(path)
    return written
