"""The synthetic borough's care leavers (issue 14): the files `chorus synth` writes for them,
read back with plain pandas and held to what the issue asks of a realistic cohort (DfE's
published shapes, North Yorkshire's gap), and every other synthetic file unchanged by them."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from indicators.synthetic.generate import generate

YEARS = ("2021-22", "2022-23", "2023-24", "2024-25")


@pytest.fixture(scope="module")
def borough(tmp_path_factory):
    root = tmp_path_factory.mktemp("synth-care-leavers")
    # Early Help adds its teams to the same teams.csv: tests/test_synthetic_early_help.py
    generate(root / "with", seed=42, children_per_year=300, early_help=False)
    generate(root / "without", seed=42, children_per_year=300, care_leavers=False, early_help=False)
    return root / "with", root / "without"


def _returns(landing) -> pd.DataFrame:
    frames = []
    for year in YEARS:
        frame = pd.read_csv(
            landing / "care_leavers" / year / "ssda903_care_leavers.csv", dtype=str
        ).fillna("")
        frames.append(frame.assign(year=year))
    return pd.concat(frames, ignore_index=True)


def _reviews(landing) -> pd.DataFrame:
    frames = []
    for year in YEARS:
        frame = pd.read_csv(
            landing / "pathway_plan_reviews" / year / "pathway_plan_reviews.csv", dtype=str
        ).fillna("")
        frames.append(frame.assign(year=year))
    return pd.concat(frames, ignore_index=True)


def _age(frame: pd.DataFrame) -> pd.Series:
    """The birthday reached in the financial year (1 April to 31 March)."""
    iso = frame["DOB"].str.match(r"\d{4}-")
    born = pd.to_datetime(frame["DOB"].where(iso), format="%Y-%m-%d").fillna(
        pd.to_datetime(frame["DOB"].where(~iso), format="%d/%m/%Y")
    )
    first = frame["year"].str[:4].astype(int)
    return first + (born.dt.month < 4).astype(int) - born.dt.year


def test_every_other_synthetic_file_is_the_same_with_care_leavers(borough):
    with_them, without = borough
    before = {p.relative_to(without): p.read_bytes() for p in without.rglob("*") if p.is_file()}
    after = {p.relative_to(with_them): p.read_bytes() for p in with_them.rglob("*") if p.is_file()}
    added = {str(path) for path in set(after) - set(before)}
    assert added == {
        "seeds/teams.csv",
        *(f"care_leavers/{year}/ssda903_care_leavers.csv" for year in YEARS),
        *(f"pathway_plan_reviews/{year}/pathway_plan_reviews.csv" for year in YEARS),
    }
    for path, data in before.items():
        if path.name != "synthetic-manifest.json":
            assert after[path] == data, path
    manifest = json.loads((with_them / "synthetic-manifest.json").read_text())
    assert added <= set(manifest["files"])  # what the public demo key may be used for


def test_the_teams_are_the_boroughs_and_every_row_names_one(borough):
    landing = borough[0]
    teams = pd.read_csv(landing / "seeds" / "teams.csv", dtype=str)
    authority = pd.read_csv(landing / "seeds" / "local_authorities.csv", dtype=str)
    assert 3 <= len(teams) <= 5
    assert set(teams["new_la_code"]) == set(authority["new_la_code"])
    assert set(_returns(landing)["team_code"]) == set(teams["team_code"])
    assert set(_reviews(landing)["team_code"]) <= set(teams["team_code"])


def test_the_return_is_a_realistic_cohort_followed_across_the_years(borough):
    returns = _returns(borough[0])
    returns["age"] = _age(returns)
    sizes = returns.groupby("year").size()
    assert sizes.between(200, 600).all() and len(sizes) == 4
    assert returns["age"].between(17, 21).all()
    assert not returns.duplicated(["year", "CHILD"]).any()
    # The same young people return year after year: most of a year's are in the next.
    for earlier, later in zip(YEARS, YEARS[1:], strict=False):
        first = set(returns.loc[returns["year"] == earlier, "CHILD"])
        second = set(returns.loc[returns["year"] == later, "CHILD"])
        assert len(first & second) > 0.6 * len(second)
    uasc = returns["uasc"] == "Y"
    assert 0.03 < uasc.mean() < 0.25  # a minority
    younger = returns["age"] <= 18
    assert uasc[younger].mean() > uasc[~younger].mean()  # mostly 17 to 18
    in_touch = (returns["IN_TOUCH"] == "YES").mean()
    assert 0.8 < in_touch < 0.97
    recorded = returns[returns["ACCOM"] != ""]
    assert 0.82 < recorded["ACCOM"].str.endswith("1").mean() < 0.97  # DfE: about 90%
    assert not recorded["ACCOM"].isin(["S1", "X1"]).any()
    active = returns[returns["ACTIV"] != ""]
    eet = active["ACTIV"].str[0].isin(["F", "P"])
    older = active.index.isin(returns.index[returns["age"] >= 19])
    assert 0.35 < eet[older].mean() < 0.65  # about half at 19 to 21


def test_reviews_diverge_and_miss_as_the_issue_describes(borough):
    landing = borough[0]
    returns = _returns(landing)
    reviews = _reviews(landing)
    assert set(reviews["perspective"]) == {"young_person", "personal_adviser"}
    home = pd.to_numeric(reviews["home"], errors="coerce")
    young = reviews["perspective"] == "young_person"
    assert home[~young].mean() > home[young].mean() + 0.5  # advisers rate the home higher
    assert home.dropna().between(0, 10).all()
    # Missing scales are more common among UASC young people.
    uasc = set(returns.loc[returns["uasc"] == "Y", "CHILD"])
    topics = ["future_five_years", "home", "safe_and_well", "identity_culture"]
    blank = (reviews[topics] == "").mean(axis=1)
    is_uasc = reviews["child_id"].isin(uasc)
    assert blank[young & is_uasc].mean() > blank[young & ~is_uasc].mean()
    # Some reviews are of young people not in that year's return (16-year-olds).
    keyed = set(zip(returns["year"], returns["CHILD"], strict=True))
    outside = [key not in keyed for key in zip(reviews["year"], reviews["child_id"], strict=True)]
    assert 0 < sum(outside) < len(reviews) / 3


def test_about_four_in_ten_in_suitable_accommodation_score_home_or_safety_low(borough):
    landing = borough[0]
    returns = _returns(landing)
    reviews = _reviews(landing)
    young = reviews[reviews["perspective"] == "young_person"].sort_values("review_date")
    latest = young.groupby(["year", "child_id"]).tail(1)
    joined = returns[returns["ACCOM"].str.endswith("1")].merge(
        latest, left_on=["year", "CHILD"], right_on=["year", "child_id"]
    )
    scores = joined[["home", "safe_and_well"]].apply(pd.to_numeric, errors="coerce")
    answered = scores.notna().any(axis=1)
    low = (scores <= 4).any(axis=1)[answered]
    assert 0.28 < low.mean() < 0.52


def test_statements_fit_the_scores_and_some_lack_consent_one_asks_for_help(borough):
    reviews = _reviews(borough[0])
    said = reviews[reviews["home_statement"] != ""]
    assert len(said) > 50
    assert (said["consent_quote"] == "N").any() and (said["consent_quote"] == "Y").any()
    assert (reviews["consent_aggregate"] == "N").mean() < 0.1
    statements = reviews.filter(like="_statement").stack()
    asking = statements[statements.str.contains("call me", case=False)]
    assert len(asking) == 1
    # A statement about the home said with a low score is not the one said with a high one.
    home = pd.to_numeric(said["home"], errors="coerce")
    low = set(said.loc[home <= 4, "home_statement"]) - {asking.iloc[0]}
    high = set(said.loc[home >= 7, "home_statement"])
    assert low and high and not low & high
