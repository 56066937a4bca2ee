"""The synthetic borough's Early Help (issue 16): the files `chorus synth` writes for it, read
back with plain pandas and held to what the issue and the brief ask of them (24 months, six
teams in two districts, the Voice Note starting per the trials seed, the hub meeting and the
notes' timing, re-referral and step-up, words with consent and one request for help), and
every other synthetic file unchanged by them but seeds/teams.csv, which gains the teams."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from indicators.ingest.validate import validate_paths
from indicators.synthetic.generate import generate

MONTHS = [f"{year}-{month:02d}" for year in (2023, 2024, 2025) for month in range(1, 13)]
MONTHS = MONTHS[3 : 3 + 24]  # April 2023 to March 2025
TEAMS = {"EH-N1", "EH-N2", "EH-N3", "EH-S1", "EH-S2", "EH-S3"}
STARTS = {"EH-N1": "2023-10", "EH-N2": "2023-10"}  # the others January 2024


@pytest.fixture(scope="module")
def borough(tmp_path_factory):
    root = tmp_path_factory.mktemp("synth-early-help")
    options = {"seed": 42, "children_per_year": 200, "voice": False, "early_communication": False}
    generate(root / "with", **options)
    generate(root / "without", **options, early_help=False)
    return root / "with", root / "without"


def _read(landing, kind: str, name: str, folders) -> pd.DataFrame:
    frames = [
        pd.read_csv(landing / kind / folder / name, dtype=str, keep_default_na=False).assign(
            folder=folder
        )
        for folder in folders
    ]
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def landed(borough):
    landing = borough[0]
    referrals = _read(landing, "early_help_referrals", "referrals.csv", MONTHS)
    notes = _read(landing, "voice_notes", "voice_notes.csv", MONTHS)
    for column in ("referral_date", "hub_meeting_date", "closure_date"):
        referrals[column] = pd.to_datetime(referrals[column].replace("", None))
    notes["date_recorded"] = pd.to_datetime(notes["date_recorded"])
    return referrals, notes


def test_every_other_synthetic_file_is_the_same_with_early_help(borough):
    with_it, without = borough
    before = {p.relative_to(without): p.read_bytes() for p in without.rglob("*") if p.is_file()}
    after = {p.relative_to(with_it): p.read_bytes() for p in with_it.rglob("*") if p.is_file()}
    added = {str(path) for path in set(after) - set(before)}
    assert added == {
        "seeds/districts.csv",
        "seeds/early_help_trials.csv",
        *(f"early_help_referrals/{month}/referrals.csv" for month in MONTHS),
        *(f"voice_notes/{month}/voice_notes.csv" for month in MONTHS),
        "voice_note_survey/2024-25/practitioner_survey.csv",
    }
    for path, data in before.items():
        if path.name not in ("synthetic-manifest.json", "teams.csv"):
            assert after[path] == data, path
    manifest = json.loads((with_it / "synthetic-manifest.json").read_text())
    assert set(manifest["files"]) == {str(path) for path in after} - {"synthetic-manifest.json"}
    # the personal adviser teams as they were, the Early Help teams beside them
    old = pd.read_csv(without / "seeds" / "teams.csv", dtype=str)
    new = pd.read_csv(with_it / "seeds" / "teams.csv", dtype=str, keep_default_na=False)
    assert new.iloc[: len(old)][list(old.columns)].equals(old)
    assert set(new.iloc[: len(old)]["district_code"]) == {""}
    teams = new.iloc[len(old) :]
    assert set(teams["team_code"]) == TEAMS
    districts = pd.read_csv(with_it / "seeds" / "districts.csv", dtype=str)
    assert sorted(districts["district_code"]) == ["E07999901", "E07999902"]
    assert set(districts["new_la_code"]) == set(teams["new_la_code"]) == {"E99000999"}
    by_district = teams.groupby("district_code")["team_code"].apply(set).to_dict()
    assert by_district == {
        "E07999901": {"EH-N1", "EH-N2", "EH-N3"},
        "E07999902": {"EH-S1", "EH-S2", "EH-S3"},
    }


def test_the_files_are_clean_for_chorus_validate(borough):
    landing = borough[0]
    report = validate_paths([landing], landing / "seeds")
    mine = ("early_help_referrals/", "voice_notes/", "voice_note_survey/", "seeds/")
    assert [line for line in report.format() if line.startswith(mine) and ", row " in line] == []


def test_referrals_month_by_month_team_by_team(landed):
    referrals, _ = landed
    assert (referrals["referral_date"].dt.strftime("%Y-%m") == referrals["folder"]).all()
    assert set(referrals["team_code"]) == TEAMS
    per_month = referrals.groupby(["team_code", "folder"]).size()
    assert len(per_month) == 6 * 24
    assert 25 <= per_month.mean() <= 45
    assert per_month.min() >= 10 and per_month.max() <= 70
    assert referrals["referral_id"].is_unique
    hub_days = (referrals["hub_meeting_date"] - referrals["referral_date"]).dt.days.dropna()
    assert hub_days.between(5, 20).all()
    # ~5% never have a meeting date; those whose meeting would fall after March 2025 too
    assert 0.03 <= referrals["hub_meeting_date"].isna().mean() <= 0.10
    assert set(referrals["need_level"]) == {"1", "2", "3", "4"}


def test_the_voice_note_starts_when_the_trials_seed_says(borough, landed):
    referrals, notes = landed
    trials = pd.read_csv(borough[0] / "seeds" / "early_help_trials.csv", dtype=str)
    assert dict(zip(trials["team_code"], trials["starts"], strict=True)) == {
        **dict.fromkeys(TEAMS, "2024-01"),
        **STARTS,
    }
    family = notes[notes["whose_voice"].isin(["parent", "carer"])]
    first = family.groupby("referral_id")["date_recorded"].min()
    referrals = referrals.assign(
        note=referrals["referral_id"].map(first),
        live=referrals["folder"] >= referrals["team_code"].map(STARTS).fillna("2024-01"),
    )
    before, after = referrals[~referrals["live"]], referrals[referrals["live"]]
    assert before["note"].notna().mean() <= 0.06  # a rare note before the start (~3%)
    assert 0.6 <= after["note"].notna().mean() <= 0.8  # ~70% after
    days = (after["note"] - after["referral_date"]).dt.days.dropna()
    assert days.between(1, 10).all()
    met = after[after["note"].notna() & after["hub_meeting_date"].notna()]
    assert 0.78 <= (met["note"] <= met["hub_meeting_date"]).mean() <= 0.92  # ~85%
    child = notes[notes["whose_voice"].isin(["child", "young_person"])]
    heard = after["referral_id"].isin(child["referral_id"]).mean()
    assert 0.18 <= heard <= 0.32  # ~25%
    # N1 and N2 began in October 2023: their first year has months before and after
    n1 = referrals[referrals["team_code"] == "EH-N1"]
    assert n1[n1["folder"] < "2023-10"]["note"].notna().mean() < 0.1
    assert n1[n1["folder"].between("2023-10", "2024-03")]["note"].notna().mean() > 0.55


def test_notes_land_in_their_month_and_three_link_to_nothing(landed):
    referrals, notes = landed
    assert (notes["date_recorded"].dt.strftime("%Y-%m") == notes["folder"]).all()
    orphans = notes[~notes["referral_id"].isin(referrals["referral_id"])]
    assert len(orphans) == 3
    assert not notes.duplicated(["referral_id", "whose_voice", "date_recorded"]).any()
    words = notes[notes["words"] != ""]
    consented = words[words["consent_quote"] == "Y"]
    assert 0.33 <= len(consented) / len(notes) <= 0.47  # ~40% of notes quotable
    assert (notes["words"].str.contains("call me back")).sum() == 1


def test_after_the_hub_with_and_without_a_family_note(landed):
    referrals, notes = landed
    family = set(notes.loc[notes["whose_voice"].isin(["parent", "carer"]), "referral_id"])
    decided = referrals[referrals["outcome"] != ""]
    assert set(decided["outcome"]) == {"no_further_action", "early_help", "step_up_csc"}
    with_note = decided["referral_id"].isin(family)
    step_up = decided["outcome"] == "step_up_csc"
    assert 0.05 <= step_up[~with_note].mean() <= 0.11  # ~8%
    assert 0.03 <= step_up[with_note].mean() <= 0.09  # ~6%
    # re-referral: the same child referred again within 365 days of a closure, where March
    # 2025 covers the 365 days
    closed = referrals[referrals["closure_date"].notna()]
    closed = closed[closed["closure_date"] + pd.Timedelta(days=365) <= pd.Timestamp("2025-03-31")]
    later = referrals[["child_id", "referral_id", "referral_date"]]
    pairs = closed.merge(later, on="child_id", suffixes=("", "_again"))
    again = pairs[
        (pairs["referral_id_again"] != pairs["referral_id"])
        & (pairs["referral_date_again"] >= pairs["closure_date"])
        & (pairs["referral_date_again"] <= pairs["closure_date"] + pd.Timedelta(days=365))
    ]
    rereferred = closed["referral_id"].isin(again["referral_id"])
    noted = closed["referral_id"].isin(family)
    assert 0.12 <= rereferred[~noted].mean() <= 0.3  # ~22%
    assert noted.sum() >= 50 and 0.05 <= rereferred[noted].mean() <= 0.3  # ~15%


def test_practitioners_answer_in_the_last_year_only(borough):
    landing = borough[0]
    assert [p.name for p in (landing / "voice_note_survey").iterdir()] == ["2024-25"]
    survey = pd.read_csv(
        landing / "voice_note_survey" / "2024-25" / "practitioner_survey.csv",
        dtype=str,
        keep_default_na=False,
    )
    per_team = survey.groupby("team_code").size()
    assert set(per_team.index) == TEAMS and per_team.between(2, 16).all()
    assert survey["respondent_id"].is_unique
    scale = {"", "strongly_disagree", "disagree", "neither", "agree", "strongly_agree"}
    for item in ("helped_prepare", "family_view_changed_plan", "worth_the_time"):
        assert set(survey[item]) <= scale
    dates = pd.to_datetime(survey["response_date"])
    assert dates.between("2024-04-01", "2025-03-31").all()
