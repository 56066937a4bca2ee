"""A hand-made Early Help landing (issue 16) for tests/test_early_help_indicators.py: six
teams in two synthetic districts, 24 months of referrals (April 2023 to March 2025) and
their Voice Notes, written by the test itself (not by Chorus's generator), the Voice Note
starting in October 2023 in North 1 and North 2 and in April 2024 elsewhere. South 3's
March 2025 holds only the hand-worked edge cases (`EDGE`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

NORTH, SOUTH = "E07999901", "E07999902"
TEAMS = {
    "EH-N1": ("North 1 Early Help team", NORTH),
    "EH-N2": ("North 2 Early Help team", NORTH),
    "EH-N3": ("North 3 Early Help team", NORTH),
    "EH-S1": ("South 1 Early Help team", SOUTH),
    "EH-S2": ("South 2 Early Help team", SOUTH),
    "EH-S3": ("South 3 Early Help team", SOUTH),
}
DISTRICTS = {NORTH: "Harrowdale North (synthetic)", SOUTH: "Harrowdale South (synthetic)"}
STARTS = {"EH-N1": "2023-10", "EH-N2": "2023-10"}  # the others: 2024-04
MONTHS = pd.period_range("2023-04", "2025-03", freq="M")
LAST_DAY = dt.date(2025, 3, 31)
WORDS = [
    "We just want someone to listen to what mornings are like for us.",
    "He is much happier since the school started the new plan.",
    "I would like the meeting to know we tried the sleep routine.",
    "She talks about her nan a lot and misses her.",
]
D = dt.date
# (referral id, referral date, hub meeting date, [(date recorded, whose voice)], expected
# family_note_before_hub, expected days to the first family note)
EDGE = [
    ("R-EDGE-SAME", D(2025, 3, 3), D(2025, 3, 10), [(D(2025, 3, 10), "parent")], True, 7),
    ("R-EDGE-AFTER", D(2025, 3, 4), D(2025, 3, 11), [(D(2025, 3, 12), "carer")], False, 8),
    ("R-EDGE-NOHUB", D(2025, 3, 5), None, [(D(2025, 3, 6), "parent")], None, 1),
    ("R-EDGE-CHILD", D(2025, 3, 6), D(2025, 3, 13), [(D(2025, 3, 7), "child")], False, None),
]
UNKNOWN_NOTE = ("R-EDGE-NOT-LANDED", D(2025, 3, 7), "parent")  # its referral never lands


def _started(team: str, month: pd.Period) -> bool:
    return month >= pd.Period(STARTS.get(team, "2024-04"), freq="M")


def write(landing: Path, seed: int = 16) -> None:
    """The teams, districts and trial starts beside the landing's own (its seeds/), and the
    referrals and Voice Notes under early_help_referrals/ and voice_notes/ by month."""
    rng = np.random.default_rng(seed)
    seeds = landing / "seeds"
    teams_path = seeds / "teams.csv"
    teams = pd.read_csv(teams_path, dtype=str) if teams_path.exists() else pd.DataFrame()
    la_code = teams["new_la_code"].dropna().iloc[0]
    teams = teams[~teams["team_code"].isin(TEAMS)] if len(teams) else teams
    mine = pd.DataFrame(
        [
            {"team_code": c, "team_name": n, "new_la_code": la_code, "district_code": d}
            for c, (n, d) in TEAMS.items()
        ]
    )
    pd.concat([teams, mine], ignore_index=True).to_csv(teams_path, index=False)
    pd.DataFrame(
        [
            {"district_code": c, "district_name": n, "new_la_code": la_code}
            for c, n in DISTRICTS.items()
        ]
    ).to_csv(seeds / "districts.csv", index=False)
    pd.DataFrame(
        [
            {
                "team_code": t,
                "starts": STARTS.get(t, "2024-04"),
                "description": "Voice Note trial" if t in STARTS else "Voice Note rolled out",
            }
            for t in TEAMS
        ]
    ).to_csv(seeds / "early_help_trials.csv", index=False)

    referrals, notes = [], []
    children: dict[str, list[str]] = {t: [] for t in TEAMS}
    number = 0
    for month in MONTHS:
        first = month.start_time.date()
        for team in TEAMS:
            if team == "EH-S3" and str(month) == "2025-03":
                continue  # the edge cases' month
            for _ in range(int(rng.integers(12, 22))):
                number += 1
                referral_id = f"R{number:05d}"
                if children[team] and rng.random() < 0.2:
                    child = str(rng.choice(children[team]))
                else:
                    child = f"P{number:05d}"
                    children[team].append(child)
                referred = first + dt.timedelta(days=int(rng.integers(0, month.days_in_month)))
                hub = referred + dt.timedelta(days=int(rng.integers(2, 21)))
                hub = hub if rng.random() < 0.85 and hub <= LAST_DAY else None
                outcome = (
                    rng.choice(
                        ["no_further_action", "early_help", "step_up_csc"], p=[0.3, 0.55, 0.15]
                    )
                    if rng.random() < 0.9
                    else ""
                )
                closed = referred + dt.timedelta(days=int(rng.integers(10, 200)))
                closed = closed if outcome and closed <= LAST_DAY and rng.random() < 0.85 else None
                referrals.append(
                    {
                        "referral_id": referral_id,
                        "child_id": child,
                        "referral_date": referred,
                        "team_code": team,
                        "referral_source": rng.choice(["school", "health", "police"]),
                        "need_level": int(rng.integers(1, 5)),
                        "hub_meeting_date": hub,
                        "outcome": outcome,
                        "closure_date": closed,
                    }
                )
                chance = 0.75 if _started(team, month) else 0.04
                if rng.random() < chance:
                    notes.append(
                        (
                            referral_id,
                            referred + dt.timedelta(days=int(rng.integers(0, 25))),
                            str(rng.choice(["parent", "carer"])),
                            team,
                        )
                    )
                if rng.random() < chance * 0.4:
                    notes.append(
                        (
                            referral_id,
                            referred + dt.timedelta(days=int(rng.integers(1, 30))),
                            str(rng.choice(["child", "young_person"])),
                            team,
                        )
                    )
    for referral_id, referred, hub, edge_notes, _, _ in EDGE:
        referrals.append(
            {
                "referral_id": referral_id,
                "child_id": referral_id.replace("R-", "P-"),
                "referral_date": referred,
                "team_code": "EH-S3",
                "referral_source": "school",
                "need_level": 2,
                "hub_meeting_date": hub,
                "outcome": "",
                "closure_date": None,
            }
        )
        notes += [(referral_id, day, voice, "EH-S3") for day, voice in edge_notes]
    notes.append((UNKNOWN_NOTE[0], UNKNOWN_NOTE[1], UNKNOWN_NOTE[2], "EH-S3"))

    frame = pd.DataFrame(referrals)
    for month, rows in frame.groupby(pd.to_datetime(frame["referral_date"]).dt.strftime("%Y-%m")):
        folder = landing / "early_help_referrals" / month
        folder.mkdir(parents=True, exist_ok=True)
        rows.to_csv(folder / "referrals.csv", index=False, date_format="%Y-%m-%d")
    noted = pd.DataFrame(
        notes, columns=["referral_id", "date_recorded", "whose_voice", "team_code"]
    )
    noted = noted[noted["date_recorded"] <= LAST_DAY].drop_duplicates(
        ["referral_id", "whose_voice", "date_recorded"]
    )
    noted["how"] = np.where(np.arange(len(noted)) % 3, "call", "visit")
    noted["words"] = [WORDS[i % len(WORDS)] for i in range(len(noted))]
    noted["consent_quote"] = np.where(np.arange(len(noted)) % 4, "Y", "N")
    _survey(landing, rng)
    for month, rows in noted.groupby(pd.to_datetime(noted["date_recorded"]).dt.strftime("%Y-%m")):
        folder = landing / "voice_notes" / month
        folder.mkdir(parents=True, exist_ok=True)
        rows.to_csv(folder / "voice_notes.csv", index=False, date_format="%Y-%m-%d")


SURVEY_ITEMS = ("helped_prepare", "family_view_changed_plan", "worth_the_time")
AGREEMENT = ("strongly_disagree", "disagree", "neither", "agree", "strongly_agree", "")


def _survey(landing: Path, rng: np.random.Generator) -> None:
    """The practitioners' survey for 2023-24 and 2024-25: 4 to 9 practitioners a team, each
    answering (or leaving blank) the three items."""
    for year in (2023, 2024):
        rows = []
        for team in TEAMS:
            for number in range(int(rng.integers(4, 10))):
                rows.append(
                    {
                        "respondent_id": f"S{year}-{team}-{number}",
                        "team_code": team,
                        "response_date": dt.date(year, 11, 1 + number),
                        **{
                            item: str(rng.choice(AGREEMENT, p=[0.05, 0.1, 0.15, 0.4, 0.25, 0.05]))
                            for item in SURVEY_ITEMS
                        },
                        "comment": "",
                        "consent_quote": "N",
                    }
                )
        folder = landing / "voice_note_survey" / f"{year}-{(year + 1) % 100:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        pd.DataFrame(rows).to_csv(folder / "survey.csv", index=False, date_format="%Y-%m-%d")
