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
from indicators.synthetic.badges import Badge
from indicators.synthetic.care_leavers import write_care_leavers
from indicators.synthetic.children import SyntheticCohort, gld_target, simulate_year
from indicators.synthetic.deprivation import write_deprivation
from indicators.synthetic.early_communication import NhsSupply, write_early_communication
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
    care_leavers: also each authority's personal adviser teams (seeds/teams.csv) and, for
    the financial years of the same span (2021-22 for 2021/22...), the care leavers return
    and the Pathway Plan reviews (indicators/synthetic/care_leavers.py), drawn from their
    own random stream: every other file is the same with or without them.
    early_communication: also the two-year reviews, WellComm screenings and speech and
    language therapy referrals of the financial years from the year before the first to the
    last (2020-21..2024-25 for the default years), for the cohorts' children and younger
    ones, and a health-education linkage file per reception year
    (indicators/synthetic/early_communication.py), from their own random stream.
    early_help: also two districts an authority (seeds/districts.csv), six Early Help teams
    (added to seeds/teams.csv with their district_code), when each began recording Voice
    Notes (seeds/early_help_trials.csv), and the 24 months of Early Help referrals and Voice
    Notes ending March of the last financial year, with that year's practitioner survey
    (indicators/synthetic/early_help.py), from their own random stream.
    deprivation: also, for each year, the postcode-to-LSOA lookup, Census 2021 household
    deprivation (TS011) and IDACI 2025 by LSOA (indicators/synthetic/deprivation.py), from
    their own random stream: one file each, holding every authority's LSOAs.
    At national scale each authority's care leavers, early communication and Early Help
    files are drawn as the borough's are, from its own seed, and told apart by its LA
    number (file names, team codes and identifiers: indicators/synthetic/badges.py); the
    combined scale writes the statutory returns and voice surveys only.
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
        if early_communication and scale != "combined":
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
    if scale != "combined":
        written.extend(
            _frameworks(
                out,
                authorities,
                parsed_years,
                cohorts,
                seed,
                progress,
                care_leavers=care_leavers,
                early_help=early_help,
                deprivation=deprivation,
            )
        )
        written = list(dict.fromkeys(written))  # the seeds each authority and framework add to
    write_synthetic_manifest(out, written)  # what the public demo key may be used for
    return written


def _frameworks(
    out: Path,
    authorities: Sequence[SyntheticAuthority],
    years: Sequence[AcademicYear],
    cohorts: Sequence[SyntheticCohort],
    seed: int,
    progress: Callable[[str], None] | None,
    *,
    care_leavers: bool,
    early_help: bool,
    deprivation: bool,
) -> list[Path]:
    """Each authority's care leavers, early communication and Early Help files and the
    deprivation context: the borough's as they always were, each of many authorities' drawn
    from its own seed and told apart by its badge (indicators/synthetic/badges.py)."""
    many = len(authorities) > 1
    badges = [
        Badge.of(a.la_code, i, seed) if many else Badge(seed=seed)
        for i, a in enumerate(authorities)
    ]
    supply = NhsSupply(seed) if many else None
    written: list[Path] = []
    for step, wanted in (
        ("care leavers", care_leavers),
        ("early communication", bool(cohorts)),
        ("Early Help", early_help),
    ):
        if not wanted:
            continue
        if progress:
            progress(f"simulating {step}")
        for authority, badge in zip(authorities, badges, strict=True):
            if step == "care leavers":
                starts = [year.start for year in years]
                written.extend(write_care_leavers(out, authority, starts, badge.seed, badge))
            elif step == "early communication":
                own = (
                    [_cohort_of(cohort, authority.la_code) for cohort in cohorts]
                    if many
                    else cohorts
                )
                written.extend(
                    write_early_communication(out, authority, own, badge.seed, badge, supply)
                )
            else:
                written.extend(write_early_help(out, authority, years[-1].start, badge.seed, badge))
    if deprivation:
        if progress:
            progress("writing the deprivation context")
        written.extend(write_deprivation(out, authorities, years, seed))
    return written


def _cohort_of(cohort: SyntheticCohort, la_code: str) -> SyntheticCohort:
    """One authority's children of a cohort of many: its returns' rows and their census rows."""
    mine = (cohort.eyfsp["la_code"] == la_code).to_numpy()
    eyfsp = cohort.eyfsp[mine]
    census = cohort.census[cohort.census["upn"].isin(eyfsp["upn"])]
    return SyntheticCohort(cohort.year, eyfsp, census, cohort.la_codes[mine])


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
