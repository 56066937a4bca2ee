"""The synthetic borough: valid, deterministic, and calibrated to published national gaps."""

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from stdnum.gb import upn as stdnum_upn

from indicators.reference import AcademicYear, gld_columns
from indicators.synthetic.authorities import HARROWDALE, national_authorities, national_sizes
from indicators.synthetic.children import simulate_year, upn_check_letters
from indicators.synthetic.generate import ROCHDALE_GLD_2021, generate

REFERENCE = Path(__file__).resolve().parents[1] / "seeds" / "eyfsp_england_headlines.csv"


def national_gap(breakdown: str, high: str, low: str, period: int = 202223) -> float:
    with REFERENCE.open() as handle:
        rows = {
            (int(r["time_period"]), r["breakdown"], r["group"]): float(r["gld_percent"])
            for r in csv.DictReader(handle)
        }
    return rows[(period, breakdown, high)] - rows[(period, breakdown, low)]


@pytest.fixture(scope="module")
def large_year():
    """One year of 40,000 children: large enough that sampling error is well under 1 point."""
    year = AcademicYear.parse("2022/23")
    cohort = simulate_year((HARROWDALE,), [40_000], year, 61.6, seed=3)
    census = cohort.census.set_index("upn").loc[cohort.eyfsp["upn"]].reset_index()
    gld = (cohort.eyfsp[list(gld_columns())] == "2").all(axis=1).to_numpy()
    return cohort, census, gld


def _gap(gld: np.ndarray, high: np.ndarray, low: np.ndarray) -> float:
    return 100 * (gld[high].mean() - gld[low].mean())


def test_borough_gld_lands_on_its_target(large_year):
    _, _, gld = large_year
    assert abs(100 * gld.mean() - 61.6) < 1.0


@pytest.mark.parametrize(
    "breakdown,high,low,column,high_code,low_code",
    [
        ("Sex", "Female", "Male", "sex", "F", "M"),
        ("FSM eligibility", "Not eligible", "Eligible", "fsm_eligible", "N", "Y"),
        ("First language", "English", "Other than English", "first_language", "ENG", "OTH"),
    ],
)
def test_gaps_are_near_the_national_gaps(
    large_year, breakdown, high, low, column, high_code, low_code
):
    cohort, census, gld = large_year
    source = cohort.eyfsp if column == "sex" else census
    values = source[column].to_numpy()
    gap = _gap(gld, values == high_code, values == low_code)
    assert abs(gap - national_gap(breakdown, high, low)) < 3.0, gap


def test_season_of_birth_gap_is_near_the_national_gap(large_year):
    cohort, _, gld = large_year
    month = cohort.eyfsp["dob"].str[5:7].astype(int).to_numpy()
    gap = _gap(gld, month >= 9, (month >= 5) & (month <= 8))
    assert abs(gap - national_gap("Season of birth", "Autumn-born", "Summer-born")) < 3.0, gap


def test_upns_are_valid_and_unique(large_year):
    cohort, census, _ = large_year
    upns = cohort.eyfsp["upn"]
    assert upns.is_unique
    assert all(stdnum_upn.is_valid(number) for number in upns)
    assert set(census["upn"]) == set(upns)


def test_vectorised_check_letter_agrees_with_python_stdnum():
    rng = np.random.default_rng(0)
    bodies = np.array(["".join(map(str, rng.integers(0, 10, 12))) for _ in range(500)])
    letters = upn_check_letters(bodies)
    assert [stdnum_upn.calc_check_digit(b) for b in bodies] == list(letters)


def test_dates_of_birth_fall_in_the_reception_cohort(large_year):
    cohort, _, _ = large_year
    first, last = AcademicYear.parse("2022/23").reception_birth_window()
    dob = pd.to_datetime(cohort.eyfsp["dob"], format="%Y-%m-%d")
    assert dob.min() >= pd.Timestamp(first) and dob.max() <= pd.Timestamp(last)


def test_neighbourhoods_contrast(large_year):
    cohort, census, gld = large_year
    sector_to_hood = {s: code for code, sectors in HARROWDALE.sectors().items() for s in sectors}
    hood = census["postcode"].str[:-2].map(sector_to_hood)
    assert hood.notna().all()
    fsm = (census["fsm_eligible"] == "Y").groupby(hood).mean()
    eal = (census["first_language"] == "OTH").groupby(hood).mean()
    rates = pd.Series(gld).groupby(hood.to_numpy()).mean()
    assert fsm["HD01"] > 2 * fsm["HD05"]
    assert eal["HD01"] > 5 * eal["HD05"]
    assert rates["HD05"] - rates["HD01"] > 0.10


def test_same_seed_same_files_different_seed_different(tmp_path):
    first = generate(tmp_path / "a", seed=5, children_per_year=300, years=["2023/24"])
    second = generate(tmp_path / "b", seed=5, children_per_year=300, years=["2023/24"])
    third = generate(tmp_path / "c", seed=6, children_per_year=300, years=["2023/24"])
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()
    assert first[-1].read_bytes() != third[-1].read_bytes()


def test_generated_layout_matches_docs_inputs(tmp_path):
    files = generate(tmp_path, seed=1, children_per_year=200, years=["2021/22", "2022/23"])
    relative = sorted(p.relative_to(tmp_path).as_posix() for p in files)
    assert relative == sorted(
        [
            "seeds/neighbourhood_lookup.csv",
            "seeds/local_authorities.csv",
            "eyfsp/2021-22/eyfsp_return.csv",
            "census/2021-22/census_extract.csv",
            "eyfsp/2022-23/eyfsp_return.csv",
            "census/2022-23/census_extract.csv",
            "voice/2021-22/survey_responses.csv",
            "voice/2022-23/survey_responses.csv",
            "seeds/teams.csv",
            "care_leavers/2021-22/ssda903_care_leavers.csv",
            "care_leavers/2022-23/ssda903_care_leavers.csv",
            "pathway_plan_reviews/2021-22/pathway_plan_reviews.csv",
            "pathway_plan_reviews/2022-23/pathway_plan_reviews.csv",
            # the financial years from the one before the first reception year; the linkage
            # for a reception cohort whose children reached 2 1/2 in them (2022/23's)
            *(
                f"{kind}/{year}/{name}"
                for kind, name in (
                    ("health_visitor_reviews", "two_year_reviews.csv"),
                    ("wellcomm_screenings", "wellcomm_screenings.csv"),
                    ("slt_referrals", "slt_referrals.csv"),
                )
                for year in ("2020-21", "2021-22", "2022-23")
            ),
            "health_education_linkage/2022-23/linkage.csv",
            # Early Help: the 24 months ending March 2023 (the last financial year's end),
            # its districts and trials beside the teams, and the last year's survey
            "seeds/districts.csv",
            "seeds/early_help_trials.csv",
            *(
                f"{kind}/{year}-{month:02d}/{name}"
                for kind, name in (
                    ("early_help_referrals", "referrals.csv"),
                    ("voice_notes", "voice_notes.csv"),
                )
                for year, months in ((2021, range(4, 13)), (2022, range(1, 13)), (2023, (1, 2, 3)))
                for month in months
            ),
            "voice_note_survey/2022-23/practitioner_survey.csv",
            # the deprivation context (docs/inputs.md), beside each academic year's returns
            *(
                f"{kind}/{year}/{name}"
                for kind, name in (
                    ("postcode_lsoa", "NSPL_2025_extract.csv"),
                    ("household_deprivation", "census2021-ts011-lsoa.csv"),
                    ("idaci", "File_3_IoD2025_Supplementary_Indices_IDACI.csv"),
                )
                for year in ("2021-22", "2022-23")
            ),
        ]
    )
    header = (tmp_path / "eyfsp/2021-22/eyfsp_return.csv").read_text().splitlines()[0]
    assert header.split(",") == [
        "la_code",
        "estab",
        "upn",
        "surname",
        "forename",
        "dob",
        "sex",
        *[f"elg{n:02d}" for n in range(1, 18)],
    ]


def test_project_lookup_is_the_synthetic_boroughs_and_its_authority_lands_with_it(tmp_path):
    """seeds/ ships Harrowdale's lookup as an example; the synthetic authority itself is not
    in the project's list of English authorities, so `chorus synth` lands it beside the
    returns (seeds/local_authorities.csv in the landing area)."""
    generate(tmp_path, seed=1, children_per_year=50, years=["2023/24"])
    project = Path(__file__).resolve().parents[1] / "seeds"
    name = "neighbourhood_lookup.csv"
    assert (tmp_path / "seeds" / name).read_text() == (project / name).read_text()
    landed = pd.read_csv(tmp_path / "seeds" / "local_authorities.csv", dtype=str)
    assert landed.to_dict("records") == [
        {"la_code": "999", "new_la_code": "E99000999", "la_name": "Harrowdale (synthetic)"}
    ]
    shipped = pd.read_csv(project / "local_authorities.csv", dtype=str)
    assert not set(landed["la_code"]) & set(shipped["la_code"])


def test_the_project_knows_every_english_authority_out_of_the_box():
    """seeds/local_authorities.csv: the 153 English LAs of DfE's EES screener (its
    provenance in seeds/local_authorities.SOURCE.txt), by LA number, ONS code, name and
    region, and nothing synthetic."""
    seeds = Path(__file__).resolve().parents[1] / "seeds"
    shipped = pd.read_csv(seeds / "local_authorities.csv", dtype=str, keep_default_na=False)
    assert list(shipped.columns) == [
        "la_code",
        "new_la_code",
        "la_name",
        "region_code",
        "region_name",
    ]
    assert len(shipped) == 153 and shipped["la_code"].is_unique
    assert shipped["new_la_code"].is_unique and (shipped != "").all().all()
    assert shipped["la_code"].str.fullmatch(r"\d{3}").all()
    # As the source counts them: 63 unitaries, 36 metropolitan districts, 33 London
    # boroughs (with the City), 21 counties; regions are the nine English regions.
    assert shipped["new_la_code"].str[:3].value_counts().to_dict() == {
        "E06": 63,
        "E08": 36,
        "E09": 33,
        "E10": 21,
    }
    assert shipped["region_code"].nunique() == 9
    assert shipped["region_code"].str.fullmatch(r"E120000\d\d").all()
    rochdale = shipped.set_index("la_code").loc["354"]
    assert (rochdale["new_la_code"], rochdale["la_name"]) == ("E08000005", "Rochdale")
    assert "local_authorities_england.csv" in (seeds / "local_authorities.SOURCE.txt").read_text()


def test_borough_follows_rochdale_then_englands_change():
    from indicators.synthetic.children import gld_target

    assert gld_target(AcademicYear.parse("2021/22"), ROCHDALE_GLD_2021) == pytest.approx(59.6)
    assert gld_target(AcademicYear.parse("2024/25"), ROCHDALE_GLD_2021) == pytest.approx(
        ROCHDALE_GLD_2021 + 68.3 - 65.2
    )


def test_national_scale_is_about_150_authorities_and_620000_children():
    authorities = national_authorities()
    sizes = national_sizes(authorities, 620_000, seed=42)
    assert len(authorities) == 150 and sum(sizes) == 620_000
    assert len({a.la_code for a in authorities}) == 150
    sectors = [s for a in authorities for hood in a.sectors().values() for s in hood]
    assert len(sectors) == len(set(sectors)) == 150 * 5 * 6
