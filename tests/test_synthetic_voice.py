"""Synthetic voice responses: deterministic, realistic in who is heard, and linked to outcomes."""

import hashlib
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from indicators.ingest.landing import discover
from indicators.ingest.lookups import Reference
from indicators.ingest.privacy import pseudonymise
from indicators.ingest.survey import load_voice_year
from indicators.reference import AcademicYear, gld_columns
from indicators.synthetic.authorities import HARROWDALE, national_authorities, national_sizes
from indicators.synthetic.children import simulate_year
from indicators.synthetic.generate import generate
from indicators.synthetic.survey_responses import simulate_voice_year
from indicators.voice.items import load_item_bank

KEY = "synthetic-voice-test-key"
SEEDS = Path(__file__).resolve().parents[1] / "seeds"

# sha256 of the statutory files written before voice existed (generate(seed=7, 400 children,
# 2022/23 and 2023/24)): adding voice must not change a byte of them.
STATUTORY_BEFORE_VOICE = {
    "seeds/neighbourhood_lookup.csv": "4818b729a5e1a9eadfc221df7fbc2d5770b2e0e4a465c37073181b83e20467a5",  # noqa: E501
    "seeds/local_authorities.csv": "4249ad330fbbb009cc9ec44df95a059785f835997ffb25bce9e1cce1073d0939",  # noqa: E501
    "eyfsp/2022-23/eyfsp_return.csv": "feef387c8e33220830d4e0e127edc6e55dd648382396a4bfa350e2201cb79d6a",  # noqa: E501
    "census/2022-23/census_extract.csv": "5c5ddcb54a39bc3daa760d5e17deabe5a9212c4002b0c7f14b2defb35f1623f5",  # noqa: E501
    "eyfsp/2023-24/eyfsp_return.csv": "4ecc7db49774a5cf21ca4c9c779c7dbe0dc386ce4707490c7ec4ee98706c56fa",  # noqa: E501
    "census/2023-24/census_extract.csv": "16af6bc72621176afa27dfbbdbc2473164fc3908981bf73ad83edfee4af578c9",  # noqa: E501
}
SECTOR_TO_HOOD = {
    sector: code for code, sectors in HARROWDALE.sectors().items() for sector in sectors
}


def _relative(files: list[Path], root: Path) -> dict[str, Path]:
    return {path.relative_to(root).as_posix(): path for path in files}


def test_statutory_files_are_byte_for_byte_as_before_voice(tmp_path):
    files = _relative(
        generate(
            tmp_path,
            seed=7,
            children_per_year=400,
            years=["2022/23", "2023/24"],
            care_leavers=False,  # their files: tests/test_synthetic_care_leavers.py
            early_communication=False,  # and tests/test_synthetic_early_communication.py
            early_help=False,  # and tests/test_synthetic_early_help.py
            deprivation=False,  # and tests/test_deprivation.py
        ),
        tmp_path,
    )
    for name, digest in STATUTORY_BEFORE_VOICE.items():
        assert hashlib.sha256(files[name].read_bytes()).hexdigest() == digest, name
    assert sorted(set(files) - set(STATUTORY_BEFORE_VOICE)) == [
        "voice/2022-23/survey_responses.csv",
        "voice/2023-24/survey_responses.csv",
    ]


def test_without_voice_nothing_else_changes(tmp_path):
    with_voice = _relative(
        generate(
            tmp_path / "a", seed=9, children_per_year=300, years=["2023/24"], care_leavers=False
        ),
        tmp_path / "a",
    )
    without = _relative(
        generate(
            tmp_path / "b",
            seed=9,
            children_per_year=300,
            years=["2023/24"],
            voice=False,
            care_leavers=False,
        ),
        tmp_path / "b",
    )
    assert set(with_voice) - set(without) == {"voice/2023-24/survey_responses.csv"}
    for name, path in without.items():
        assert path.read_bytes() == with_voice[name].read_bytes()


def test_same_seed_same_responses_different_seed_different(tmp_path):
    name = "voice/2023-24/survey_responses.csv"
    first = generate(tmp_path / "a", seed=5, children_per_year=500, years=["2023/24"])
    second = generate(tmp_path / "b", seed=5, children_per_year=500, years=["2023/24"])
    third = generate(tmp_path / "c", seed=6, children_per_year=500, years=["2023/24"])
    a, b, c = (
        _relative(files, root)[name].read_bytes()
        for files, root in (
            (first, tmp_path / "a"),
            (second, tmp_path / "b"),
            (third, tmp_path / "c"),
        )
    )
    assert a == b
    assert a != c


@pytest.fixture(scope="module")
def big_year():
    """20,000 children and their parents' responses: enough to see the patterns clearly."""
    year = AcademicYear.parse("2023/24")
    cohort = simulate_year((HARROWDALE,), [20_000], year, 63.0, seed=11)
    survey = simulate_voice_year(
        (HARROWDALE,), cohort.eyfsp, cohort.census, year, load_item_bank(), seed=11
    )
    return cohort, survey


def test_about_one_in_eight_respond_with_realistic_consent(big_year):
    cohort, survey = big_year
    assert 0.10 <= len(survey) / len(cohort.eyfsp) <= 0.15
    assert survey["response_id"].is_unique
    rates = {
        column: (survey[column] == "Y").mean()
        for column in ("consent_aggregate", "consent_quote", "consent_link")
    }
    assert 0.95 <= rates["consent_aggregate"] <= 0.99
    assert 0.35 <= rates["consent_quote"] <= 0.45
    assert 0.45 <= rates["consent_link"] <= 0.58
    linked = survey["consent_link"] == "Y"
    assert (survey.loc[linked, "child_upn"] != "").all()
    assert (survey.loc[~linked, "child_upn"] == "").all()
    assert set(survey.loc[linked, "child_upn"]) <= set(cohort.eyfsp["upn"])


def test_the_most_deprived_transient_neighbourhood_is_reached_least(big_year):
    cohort, survey = big_year
    children = cohort.census["postcode"].str[:-2].map(SECTOR_TO_HOOD).value_counts()
    hood = survey["postcode_sector"].map(SECTOR_TO_HOOD)
    hood = hood.where(survey["postcode_sector"] != "", survey["neighbourhood_code"])
    per_100 = 100 * hood.value_counts() / children
    most_deprived = max(HARROWDALE.neighbourhoods, key=lambda h: h.deprivation).code
    assert per_100.idxmin() == most_deprived == "HD01"
    assert per_100["HD05"] > 1.5 * per_100["HD01"]


@pytest.mark.parametrize(
    "column,seldom",
    [
        ("uses_funded_early_education", "N"),
        ("english_additional_language", "Y"),
        ("known_to_family_hub", "N"),
    ],
)
def test_seldom_heard_groups_are_under_represented_in_the_parent_panel(big_year, column, seldom):
    _, survey = big_year
    share = (survey[column] == seldom).groupby(survey["channel"]).mean()
    assert share["parent_panel"] < 0.5 * share["outreach_visit"], share.to_dict()
    assert share["online"] < share["outreach_visit"]


def test_comments_carry_personal_details_for_the_scrubber(big_year):
    cohort, survey = big_year
    comments = pd.concat([survey[c] for c in survey.columns if c.endswith("_comment")])
    comments = comments[comments != ""]
    assert 0.1 < len(comments) / (3 * len(survey)) < 0.35
    forenames = set(cohort.eyfsp["forename"])
    has = {
        "name": comments.map(
            lambda text: any(word.strip(",.") in forenames for word in text.split())
        ).any(),
        "phone": comments.str.contains(r"7700|496 0").any(),
        "email": comments.str.contains("@example.com").any(),
        "postcode": comments.str.contains(r"XH\d+ \d[A-Z]{2}").any(),
        "upn": comments.str.contains(r"[A-Z]\d{12}").any(),
        "dob": comments.str.contains(r"born").any(),
    }
    assert all(has.values()), has


@pytest.fixture(scope="module")
def landed(tmp_path_factory):
    """A generated borough's landing area, its voice loaded as the pipeline would."""
    root = tmp_path_factory.mktemp("voice")
    generate(root, seed=21, children_per_year=6000, years=["2023/24"])
    files, problems = discover(root)
    assert problems == []
    lookup = pd.read_csv(root / "seeds" / "neighbourhood_lookup.csv", dtype=str)
    sector_lookup = dict(zip(lookup["postcode_sector"], lookup["neighbourhood_code"], strict=True))
    voice_files = [f for f in files if f.kind == "voice"]
    load = load_voice_year(
        AcademicYear.parse("2023/24"),
        voice_files,
        Reference(frozenset(sector_lookup), frozenset({"999"})),
        KEY,
        load_item_bank(),
        sector_lookup=sector_lookup,
    )
    eyfsp = pd.read_csv(root / "eyfsp" / "2023-24" / "eyfsp_return.csv", dtype=str)
    census = pd.read_csv(root / "census" / "2023-24" / "census_extract.csv", dtype=str)
    return root, load, eyfsp, census


def test_generated_responses_load_cleanly(landed):
    _, load, _, _ = landed
    assert load.defects == []
    assert all(account.balanced for account in load.accounts)
    assert load.excluded_no_consent > 0
    assert set(load.responses["neighbourhood_code"]) == {h.code for h in HARROWDALE.neighbourhoods}
    assert len(load.quotes) > 20 and load.withheld_quotes > 0


def test_daily_reading_is_more_common_where_the_child_reached_gld(landed):
    """On the consented linked subset, joined exactly as the warehouse will join it."""
    _, load, eyfsp, _ = landed
    gld = (eyfsp[list(gld_columns())] == "2").all(axis=1)
    children = pd.DataFrame({"child_id": pseudonymise(eyfsp["upn"], KEY), "gld": gld})
    reading = load.answers[load.answers["item_id"] == "read_together"]
    linked = (
        reading.merge(load.responses[["response_id", "child_id"]], on="response_id")
        .dropna(subset=["child_id"])
        .merge(children, on="child_id")
    )
    assert len(linked) > 250
    daily = linked["answer"] == "5"
    at_gld, not_gld = daily[linked["gld"]].mean(), daily[~linked["gld"]].mean()
    assert at_gld - not_gld > 0.10, (at_gld, not_gld)


def test_no_personal_detail_from_the_returns_reaches_a_published_quote(landed):
    _, load, eyfsp, census = landed
    text = " ".join(load.quotes["quote"])
    words = set(re.findall(r"[a-z']+", text.lower()))
    assert not words & {name.lower() for name in eyfsp["forename"]}
    assert not re.search(r"\d{5}", text.replace(" ", ""))
    assert not re.search(r"[A-Z]\d{12}|XH\d", text)
    for dob in eyfsp["dob"].unique():
        year, month, day = dob.split("-")
        assert f"{day}/{month}/{year}" not in text and dob not in text
    assert "@" not in text
    assert not any(postcode in text for postcode in census["postcode"])


def test_national_scale_responds_in_every_authority_at_a_similar_rate():
    authorities = national_authorities(seed=1)
    sizes = national_sizes(authorities, 60_000, seed=1)
    year = AcademicYear.parse("2023/24")
    cohort = simulate_year(authorities, sizes, year, 67.0, seed=1)
    survey = simulate_voice_year(
        authorities, cohort.eyfsp, cohort.census, year, load_item_bank(), seed=1
    )
    rates = survey.groupby("la_code").size() / cohort.eyfsp.groupby("la_code").size()
    assert rates.index.size == 150
    assert 0.10 <= len(survey) / len(cohort.eyfsp) <= 0.15
    assert np.percentile(rates, 10) > 0.06 and np.percentile(rates, 90) < 0.22
    assert (
        survey.groupby("la_code")["response_id"]
        .apply(lambda ids: ids.str.startswith("V").all() and ids.is_unique)
        .all()
    )
