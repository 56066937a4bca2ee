"""A synthetic landing of many authorities with every framework (issue 19: `make bench`
measures national runs with all frameworks in them). Read back with plain pandas: each
authority lands its own care leavers, early communication and Early Help files, as its own
return would be; no two authorities share a child, a review, a referral, an NHS number, a
team, a district or an LSOA; every team a file names is its own authority's; the national
deprivation files cover every authority's postcodes; the statutory returns and voice
surveys are byte for byte what they are without the frameworks; and `chorus validate`
finds nothing wrong in any row."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

from indicators.config import PROJECT_ROOT
from indicators.ingest.validate import validate_paths
from indicators.synthetic.early_communication import NhsSupply
from indicators.synthetic.generate import generate

YEARS = ["2022/23", "2023/24"]
# kind -> (file stem, identifier columns no other authority may share)
PER_AUTHORITY = {
    "care_leavers": ("ssda903_care_leavers", ["CHILD"]),
    "pathway_plan_reviews": ("pathway_plan_reviews", ["review_id", "child_id"]),
    "health_visitor_reviews": ("two_year_reviews", ["nhs_number"]),
    "wellcomm_screenings": ("wellcomm_screenings", ["nhs_number"]),
    "slt_referrals": ("slt_referrals", ["referral_id", "nhs_number"]),
    "health_education_linkage": ("linkage", ["nhs_number", "upn"]),
    "early_help_referrals": ("referrals", ["referral_id", "child_id"]),
    "voice_notes": ("voice_notes", ["referral_id"]),
    "voice_note_survey": ("practitioner_survey", ["respondent_id"]),
}


@pytest.fixture(scope="module")
def landings(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("synth-many")
    options = {
        "seed": 7,
        "children_per_year": 1500,
        "years": YEARS,
        "scale": "national",
        "authorities_count": 3,
    }
    generate(root / "with", **options)
    frameworks = ("care_leavers", "early_communication", "early_help", "deprivation")
    generate(root / "without", **options, **dict.fromkeys(frameworks, False))
    return root / "with", root / "without"


def _authorities(landing: Path) -> dict[str, str]:
    """LA number -> ONS code, from the landing's own seeds/local_authorities.csv."""
    listed = pd.read_csv(landing / "seeds" / "local_authorities.csv", dtype=str)
    return dict(zip(listed["la_code"], listed["new_la_code"], strict=True))


def _files(landing: Path, kind: str) -> dict[str, list[Path]]:
    """LA number -> the kind's files naming it (`<stem>_<LA number>.csv`)."""
    stem = PER_AUTHORITY[kind][0]
    found: dict[str, list[Path]] = defaultdict(list)
    for path in sorted((landing / kind).glob("*/*.csv")):
        match = re.fullmatch(rf"{stem}_(\d{{3}})\.csv", path.name)
        assert match, f"{path} is not named for an authority"
        found[match.group(1)].append(path)
    return found


def _read(paths: list[Path]) -> pd.DataFrame:
    return pd.concat(
        [pd.read_csv(p, dtype=str, keep_default_na=False) for p in paths], ignore_index=True
    )


@pytest.mark.slow
def test_each_authority_lands_every_framework_s_files_in_every_period(landings):
    landing = landings[0]
    numbers = set(_authorities(landing))
    assert len(numbers) == 3
    for kind in PER_AUTHORITY:
        files = _files(landing, kind)
        assert set(files) == numbers, kind
        periods = {p.parent.name for paths in files.values() for p in paths}
        for number, paths in files.items():
            assert {p.parent.name for p in paths} == periods, (kind, number)
            assert sum(len(_read([p])) for p in paths) > 0, (kind, number)
    # Early Help: 24 months of referrals and notes, one survey year
    assert len({p.parent.name for p in (landing / "early_help_referrals").glob("*/*.csv")}) == 24


def test_no_two_authorities_share_a_child_review_referral_or_number(landings):
    landing = landings[0]
    seen: dict[str, dict[str, str]] = defaultdict(dict)  # identifier kind -> value -> LA
    for kind, (_, columns) in PER_AUTHORITY.items():
        for number, paths in _files(landing, kind).items():
            frame = _read(paths)
            for column in columns:
                name = "nhs_number" if column == "nhs_number" else f"{kind}.{column}"
                values = frame[column].str.replace(" ", "", regex=False)
                for value in set(values) - {""}:
                    owner = seen[name].setdefault(value, number)
                    assert owner == number, f"{name} {value} in {owner}'s and {number}'s files"
    assert len(seen["nhs_number"]) > 1000


def test_nhs_numbers_carry_their_check_digit_and_begin_99(landings):
    numbers = set()
    for kind in ("health_visitor_reviews", "wellcomm_screenings", "slt_referrals"):
        for paths in _files(landings[0], kind).values():
            numbers |= set(_read(paths)["nhs_number"].str.replace(" ", "", regex=False))
    for number in numbers:
        assert re.fullmatch(r"99\d{8}", number), number
        total = sum(int(d) * (10 - i) for i, d in enumerate(number[:9]))
        assert (11 - total % 11) % 11 == int(number[9]), number


def test_a_supply_of_numbers_moves_to_the_next_prefix_without_repeating():
    supply = NhsSupply(seed=3)
    first = supply.take(900_000)
    rest = supply.take(30_000)  # about 909,000 usable numbers begin 999
    every = [*first, *rest]
    assert len(set(every)) == len(every)
    assert {n[:3] for n in first} == {"999"}
    assert {n[:3] for n in rest} == {"999", "998"}


def test_every_team_and_district_a_file_names_is_its_own_authority_s(landings):
    landing = landings[0]
    codes = _authorities(landing)
    teams = pd.read_csv(landing / "seeds" / "teams.csv", dtype=str, keep_default_na=False)
    assert teams["team_code"].is_unique
    owner = dict(zip(teams["team_code"], teams["new_la_code"], strict=True))
    districts = pd.read_csv(landing / "seeds" / "districts.csv", dtype=str)
    assert districts["district_code"].is_unique
    assert len(districts) == 2 * len(codes)
    district_owner = dict(zip(districts["district_code"], districts["new_la_code"], strict=True))
    for row in teams[teams["district_code"] != ""].itertuples():
        assert district_owner[row.district_code] == row.new_la_code, row.team_code
    trials = pd.read_csv(landing / "seeds" / "early_help_trials.csv", dtype=str)
    assert {owner[code] for code in trials["team_code"]} == set(codes.values())
    for kind in ("care_leavers", "pathway_plan_reviews", "early_help_referrals", "voice_notes"):
        for number, paths in _files(landing, kind).items():
            named = set(_read(paths)["team_code"]) - {""}
            assert named, (kind, number)
            assert {owner[code] for code in named} == {codes[number]}, (kind, number)


def test_the_deprivation_files_cover_every_authority_s_children(landings):
    landing = landings[0]
    folder = YEARS[-1].replace("/", "-")
    lookup = pd.read_csv(next((landing / "postcode_lsoa" / folder).glob("*.csv")), dtype=str)
    households = pd.read_csv(
        next((landing / "household_deprivation" / folder).glob("*.csv")), dtype=str
    )
    idaci = pd.read_csv(next((landing / "idaci" / folder).glob("*.csv")), dtype=str)
    lsoas = set(lookup["lsoa21cd"])
    assert lsoas == set(households["geography code"]) == set(idaci["LSOA code (2021)"])
    assert all(int(code[3:]) >= 40000 for code in lsoas)  # never a real LSOA
    assert lookup.groupby("lsoa21cd")["lad25cd"].nunique().max() == 1
    codes = _authorities(landing)
    postcodes = dict(zip(lookup["pcds"], lookup["lad25cd"], strict=True))
    for number, code in codes.items():
        census = pd.read_csv(landing / "census" / folder / f"census_{number}.csv", dtype=str)
        placed = [postcodes.get(p) for p in census["postcode"]]
        assert placed.count(code) / len(placed) > 0.9, number  # a few are badly written


def test_the_statutory_returns_and_surveys_are_the_same_without_the_frameworks(landings):
    with_them, without = landings
    for kind in ("eyfsp", "census", "voice"):
        before = {p.relative_to(without): p.read_bytes() for p in (without / kind).rglob("*.csv")}
        after = {
            p.relative_to(with_them): p.read_bytes() for p in (with_them / kind).rglob("*.csv")
        }
        assert before and before == after, kind


def test_chorus_validate_finds_nothing_wrong_in_any_row(landings):
    landing = landings[0]
    lines = validate_paths([landing], PROJECT_ROOT / "seeds").format()
    assert [line for line in lines if ", row " in line] == []
    for kind in PER_AUTHORITY:
        for paths in _files(landing, kind).values():
            for path in paths:
                name = path.relative_to(landing).as_posix()
                said = [line for line in lines if line.startswith(f"{name}: ")]
                assert len(said) == 1 and said[0].endswith(" 0 would be quarantined"), said
