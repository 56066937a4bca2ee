"""`chorus synth` and `chorus demo`: a synthetic landing area written to a folder, with the
reference files that go with it and `synthetic-manifest.json` listing every file written
(the only files the public demo key may be used for).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import duckdb
import pandas as pd

from indicators.ingest.keys import write_synthetic_manifest
from indicators.reference import AcademicYear
from indicators.synthetic.authorities import (
    COMBINED_AUTHORITY,
    HARROWDALE,
    SyntheticAuthority,
    combined_authority,
    national_authorities,
    national_sizes,
)
from indicators.synthetic.care_leavers import write_care_leavers
from indicators.synthetic.children import SyntheticCohort, gld_target, simulate_year
from indicators.synthetic.deprivation import write_deprivation
from indicators.synthetic.early_communication import write_early_communication
from indicators.synthetic.early_help import write_early_help
from indicators.synthetic.survey_responses import simulate_voice_year, voice_path
from indicators.voice.items import load_item_bank

DEFAULT_YEARS: tuple[str, ...] = ("2021/22", "2022/23", "2023/24", "2024/25")

# England GLD % by year (seeds/eyfsp_england_headlines.csv); the borough follows Rochdale's
# 2021/22 figure and England's change since.
ROCHDALE_GLD_2021 = 59.6


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = duckdb.connect()
    try:
        connection.register("frame", frame)
        connection.execute(
            f"copy frame to '{path.as_posix()}' (header true, delimiter ',', quote '\"')"
        )
    finally:
        connection.close()


def write_reference(authorities: Sequence[SyntheticAuthority], out: Path) -> list[Path]:
    """The neighbourhood lookup and authority list that go with the synthetic returns."""
    lookup = pd.DataFrame(
        [
            {
                "postcode_sector": sector,
                "neighbourhood_code": hood.code,
                "neighbourhood_name": hood.name,
            }
            for authority in authorities
            for hood in authority.neighbourhoods
            for sector in authority.sectors()[hood.code]
        ]
    )
    authorities_frame = pd.DataFrame(
        [
            {"la_code": a.la_code, "new_la_code": a.new_la_code, "la_name": a.la_name}
            for a in authorities
        ]
    )
    paths = [out / "seeds" / "neighbourhood_lookup.csv", out / "seeds" / "local_authorities.csv"]
    paths[0].parent.mkdir(parents=True, exist_ok=True)
    lookup.to_csv(paths[0], index=False)
    authorities_frame.to_csv(paths[1], index=False)
    return paths


def write_authority_areas(authorities: Sequence[SyntheticAuthority], out: Path) -> Path:
    """seeds/authority_areas.csv for the ten authorities: each in Greater Manchester
    (E47000001, EES's English devolved area), so a run publishes its figures."""
    path = out / "seeds" / "authority_areas.csv"
    frame = pd.DataFrame(
        [
            {
                "new_la_code": authority.new_la_code,
                "geographic_level": "English devolved area",
                "area_code": COMBINED_AUTHORITY[0],
                "area_name": COMBINED_AUTHORITY[1],
            }
            for authority in authorities
        ]
    )
    frame.to_csv(path, index=False)
    return path


def generate(
    out: Path,
    *,
    seed: int = 42,
    children_per_year: int = 3000,
    years: Sequence[str] = DEFAULT_YEARS,
    scale: str = "borough",
    progress: Callable[[str], None] | None = None,
    voice: bool = True,
    authorities_count: int = 150,
    care_leavers: bool = True,
    early_communication: bool = True,
    early_help: bool = True,
    deprivation: bool = True,
) -> list[Path]:
    """Write a synthetic landing area to `out` and return the files written.

    scale "borough": Harrowdale, five neighbourhoods, one return and one census file a year.
    scale "national": about 150 authorities, one pair of files per authority a year.
    scale "combined": Greater Manchester's ten authorities (real LA numbers and ONS codes,
    synthetic neighbourhoods and children; `children_per_year` shared among them by
    roughly their births), one pair of files per authority a year, as national, and
    seeds/authority_areas.csv putting them in Greater Manchester, so a run publishes the
    combined authority's figures.
    voice: also write each year's voice survey responses (indicators/synthetic/survey_responses.py):
    voice/<YYYY-YY>/survey_responses.csv, or survey_responses_<la_code>.csv per authority.
    The statutory files are the same with or without them.
    care_leavers (borough only): also the borough's personal adviser teams (seeds/teams.csv)
    and, for the financial years of the same span (2021-22 for 2021/22...), the care leavers
    return and the Pathway Plan reviews (indicators/synthetic/care_leavers.py), drawn from
    their own random stream: every other file is the same with or without them.
    early_communication (borough only): also the two-year reviews, WellComm screenings and
    speech and language therapy referrals of the financial years from the year before the
    first to the last (2020-21..2024-25 for the default years), for the cohorts' children
    and younger ones, and a health-education linkage file per reception year
    (indicators/synthetic/early_communication.py), from their own random stream.
    early_help (borough only): also two districts (seeds/districts.csv), six Early Help
    teams (added to seeds/teams.csv with their district_code), when each began recording
    Voice Notes (seeds/early_help_trials.csv), and the 24 months of Early Help referrals
    and Voice Notes ending March of the last financial year, with that year's practitioner
    survey (indicators/synthetic/early_help.py), from their own random stream.
    deprivation (borough only): also, for each year, the postcode-to-LSOA lookup, Census
    2021 household deprivation (TS011) and IDACI 2025 by LSOA (indicators/synthetic/
    deprivation.py), from their own random stream.
    """
    parsed_years = [AcademicYear.parse(text) for text in years]
    if scale == "borough":
        authorities: tuple[SyntheticAuthority, ...] = (HARROWDALE,)
        sizes = [children_per_year]
        base: float | None = ROCHDALE_GLD_2021
    elif scale == "national":
        authorities = national_authorities(count=authorities_count, seed=seed)
        sizes = national_sizes(authorities, children_per_year, seed)
        base = None
    elif scale == "combined":
        authorities, shares = combined_authority(seed)
        sizes = [max(1, round(children_per_year * share)) for share in shares]
        base = None
    else:
        raise ValueError(f"unknown scale '{scale}': use borough, combined or national")
    written = write_reference(authorities, out)
    if scale == "combined":  # the combined authority its ten authorities make up
        written.append(write_authority_areas(authorities, out))
    items = load_item_bank() if voice else None
    cohorts: list[SyntheticCohort] = []
    for year in parsed_years:
        if progress:
            progress(f"simulating {year.label}")
        cohort = simulate_year(authorities, sizes, year, gld_target(year, base), seed)
        if early_communication and scale == "borough":
            cohorts.append(cohort)
        if scale == "borough":
            written.append(out / "eyfsp" / year.folder / "eyfsp_return.csv")
            _write_csv(cohort.eyfsp, written[-1])
            written.append(out / "census" / year.folder / "census_extract.csv")
            _write_csv(cohort.census, written[-1])
        else:
            census_la = cohort.eyfsp.set_index("upn")["la_code"]
            census = cohort.census.assign(la_code=census_la.loc[cohort.census["upn"]].to_numpy())
            for authority in authorities:
                code = authority.la_code
                written.append(out / "eyfsp" / year.folder / f"eyfsp_{code}.csv")
                _write_csv(cohort.eyfsp[cohort.eyfsp["la_code"] == code], written[-1])
                written.append(out / "census" / year.folder / f"census_{code}.csv")
                _write_csv(census[census["la_code"] == code].drop(columns="la_code"), written[-1])
        if items is not None:
            written.extend(_write_voice(out, authorities, cohort, items, seed, scale))
    if care_leavers and scale == "borough":
        if progress:
            progress("simulating care leavers")
        written.extend(
            write_care_leavers(out, HARROWDALE, [year.start for year in parsed_years], seed)
        )
    if cohorts:
        if progress:
            progress("simulating early communication")
        written.extend(write_early_communication(out, HARROWDALE, cohorts, seed))
    if early_help and scale == "borough":
        if progress:
            progress("simulating Early Help")
        written.extend(write_early_help(out, HARROWDALE, parsed_years[-1].start, seed))
        written = list(dict.fromkeys(written))  # seeds/teams.csv: care leavers' and Early Help's
    if deprivation and scale == "borough":
        if progress:
            progress("writing the deprivation context")
        written.extend(write_deprivation(out, HARROWDALE, parsed_years, seed))
    write_synthetic_manifest(out, written)  # what the public demo key may be used for
    return written


def _write_voice(
    out: Path,
    authorities: Sequence[SyntheticAuthority],
    cohort: SyntheticCohort,
    items: pd.DataFrame,
    seed: int,
    scale: str,
) -> list[Path]:
    """One year's synthetic voice survey: one file for the borough, one per authority else."""
    survey = simulate_voice_year(authorities, cohort.eyfsp, cohort.census, cohort.year, items, seed)
    if scale == "borough":
        groups = [(None, survey)]
    else:
        groups = [(str(code), frame) for code, frame in survey.groupby("la_code", sort=False)]
    paths = []
    for code, frame in groups:
        paths.append(voice_path(out, cohort.year, code))
        paths[-1].parent.mkdir(parents=True, exist_ok=True)
        # As form tools export: unanswered items are empty fields.
        frame.drop(columns="la_code").to_csv(
            paths[-1], index=False, lineterminator="\n", encoding="utf-8"
        )
    return paths


def parse_years(text: str) -> list[str]:
    """'2021/22,2022/23' -> ['2021/22', '2022/23'], each checked."""
    years = [part.strip() for part in text.split(",") if part.strip()]
    return [AcademicYear.parse(year).label for year in years]
