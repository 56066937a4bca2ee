"""Every eh_* referral indicator computed from the LANDING files with plain pandas (not
from staging, not from Chorus's generator or code): the referrals and Voice Notes as
landed, the teams' districts from the landing's seeds/teams.csv. Rules, written from the
issue: a family note is a parent's or carer's, dated on or before the hub meeting day
counts as before it; days from referral to the FIRST family note; re-referral = the same
child referred again 0-365 days after closure, counted only where the latest landed month
is at least 12 months after the closure's month (its 12 months of follow-up landed);
periods by referral (re-referral: by closure) in financial years and quarters, and calendar
months as EES writes them (January 2025 is time period 2025)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _read(folder: Path) -> pd.DataFrame:
    return pd.concat(
        [
            pd.read_csv(path, dtype=str, keep_default_na=False)
            for path in sorted(folder.rglob("*.csv"))
        ],
        ignore_index=True,
    )


def _periods(dates: pd.Series, prefix: str = "") -> pd.DataFrame:
    year = dates.dt.year - (dates.dt.month < 4)
    return pd.DataFrame(
        {
            f"{prefix}year": (year * 100 + (year + 1) % 100).astype("Int64").astype(str),
            f"{prefix}quarter": "Financial year Q"
            + (((dates.dt.month + 8) % 12) // 3 + 1).astype("Int64").astype(str),
            f"{prefix}month": dates.dt.month.map(
                lambda m: MONTH_NAMES[int(m) - 1] if m == m else None
            ),
            f"{prefix}calendar_year": dates.dt.year.astype("Int64").astype(str),
        }
    )


def journeys(landing: Path) -> pd.DataFrame:
    referrals = _read(landing / "early_help_referrals")
    notes = _read(landing / "voice_notes")
    teams = pd.read_csv(landing / "seeds" / "teams.csv", dtype=str, keep_default_na=False)
    for column in ("referral_date", "hub_meeting_date", "closure_date"):
        referrals[column] = pd.to_datetime(referrals[column].replace("", None))
    notes["date_recorded"] = pd.to_datetime(notes["date_recorded"])
    family = notes[notes["whose_voice"].isin(["parent", "carer"])]
    first = family.groupby("referral_id")["date_recorded"].min().rename("first_family")
    child = set(notes.loc[notes["whose_voice"].isin(["child", "young_person"]), "referral_id"])
    frame = referrals.merge(first, left_on="referral_id", right_index=True, how="left")
    frame = frame.merge(teams[["team_code", "district_code", "new_la_code"]], on="team_code")
    # No meeting date: counted, and not as heard before the hub (a note cannot be shown to
    # precede a meeting with no date).
    frame["before_hub"] = (
        frame["hub_meeting_date"].notna()
        & frame["first_family"].notna()
        & (frame["first_family"] <= frame["hub_meeting_date"])
    )
    frame["days"] = (frame["first_family"] - frame["referral_date"]).dt.days
    frame["child_voice"] = frame["referral_id"].isin(child)
    frame["has_hub"] = frame["hub_meeting_date"].notna()
    last_month = frame["referral_date"].max().to_period("M")
    # by referral month, a month counts once the next is landed (its notes and meetings)
    frame["followed_up"] = frame["referral_date"].dt.to_period("M") < last_month
    again = []
    for row in frame.itertuples():
        if pd.isna(row.closure_date) or row.closure_date.to_period("M") + 12 > last_month:
            again.append(None)
            continue
        later = frame[
            (frame["child_id"] == row.child_id) & (frame["referral_id"] != row.referral_id)
        ]
        gap = (later["referral_date"] - row.closure_date).dt.days
        again.append(bool(((gap >= 0) & (gap <= 365)).any()))
    frame["rereferred"] = again
    frame["stepped_up"] = np.where(frame["outcome"] == "", None, frame["outcome"] == "step_up_csc")
    frame["voice_note"] = np.where(
        frame["first_family"].notna(), "With a family Voice Note", "Without a family Voice Note"
    )
    frame = pd.concat(
        [frame, _periods(frame["referral_date"]), _periods(frame["closure_date"], "closed_")],
        axis=1,
    )
    return frame


# id: (period column, time identifier column or None, rows kept (a column not null; None:
#      every referral), numerator or median column, by closure, with the Voice Note breakdown)
SPECS = {
    "eh_voice_note_before_hub": ("year", None, None, "before_hub", False, False),
    "eh_voice_note_before_hub_quarterly": (
        "year",
        "quarter",
        None,
        "before_hub",
        False,
        False,
    ),
    "eh_voice_note_before_hub_monthly": (
        "calendar_year",
        "month",
        None,
        "before_hub",
        False,
        False,
    ),
    "eh_hub_meeting_recorded": ("year", None, None, "has_hub", False, False),
    "eh_hub_meeting_recorded_monthly": ("calendar_year", "month", None, "has_hub", False, False),
    "eh_days_to_voice_note": ("year", None, "days", "median:days", False, False),
    "eh_days_to_voice_note_quarterly": ("year", "quarter", "days", "median:days", False, False),
    "eh_days_to_voice_note_monthly": (
        "calendar_year",
        "month",
        "days",
        "median:days",
        False,
        False,
    ),
    "eh_child_voice": ("year", None, None, "child_voice", False, False),
    "eh_child_voice_quarterly": ("year", "quarter", None, "child_voice", False, False),
    "eh_child_voice_monthly": ("calendar_year", "month", None, "child_voice", False, False),
    "eh_rereferral_12m": ("closed_year", None, "rereferred", "rereferred", True, True),
    "eh_rereferral_12m_quarterly": (
        "closed_year",
        "closed_quarter",
        "rereferred",
        "rereferred",
        True,
        True,
    ),
    "eh_step_up": ("year", None, None, "stepped_up", False, True),
    "eh_step_up_quarterly": ("year", "quarter", None, "stepped_up", False, True),
}
INDICATORS = set(SPECS)
LEVELS = {
    "Team": "team_code",
    "Local authority district": "district_code",
    "Local authority": "new_la_code",
}


def indicators(landing: Path) -> pd.DataFrame:
    """indicator_id, time_period, time_identifier, geographic_level, area_code, breakdown,
    group, numerator_expected, denominator_expected, value_expected (median: the median)."""
    frame = journeys(landing)
    rows = []
    for indicator, (year, part, kept, measure, by_closure, voice) in SPECS.items():
        chosen = frame if kept is None else frame[frame[kept].notna()]
        if not by_closure:
            chosen = chosen[chosen["followed_up"]]
        whole = {"None": "Financial year"}
        breakdowns = [("All", None)] + ([("Voice Note", "voice_note")] if voice else [])
        for level, area in LEVELS.items():
            if part == "month" and level == "Team":
                continue  # months are published by district and authority only
            for breakdown, column in breakdowns:
                keys = [year, area] + ([part] if part else []) + ([column] if column else [])
                for key, cell in chosen.groupby(keys):
                    key = dict(zip(keys, key, strict=True))
                    if measure.startswith("median:"):
                        numerator, value = None, float(np.median(cell["days"]))
                    else:
                        numerator = int(cell[measure].astype(bool).sum())
                        value = 100 * numerator / len(cell)
                    rows.append(
                        {
                            "indicator_id": indicator,
                            "time_period": key[year],
                            "time_identifier": key[part] if part else whole["None"],
                            "geographic_level": level,
                            "area_code": key[area],
                            "breakdown": breakdown,
                            "group": key[column] if column else "All referrals",
                            "numerator_expected": numerator,
                            "denominator_expected": len(cell),
                            "value_expected": value,
                        }
                    )
    return pd.DataFrame(rows)


def practitioners(landing: Path, items: Path) -> pd.DataFrame:
    """eh_practitioner_agree from the landed survey: per item (by its wording in `items`,
    seeds/voice_note_survey_items.csv), district and authority, practitioners answering agree
    or strongly agree of those who answered."""
    folder = landing / "voice_note_survey"
    if not folder.is_dir():
        return pd.DataFrame()
    wording = dict(pd.read_csv(items, dtype=str)[["item", "wording"]].itertuples(index=False))
    teams = pd.read_csv(landing / "seeds" / "teams.csv", dtype=str, keep_default_na=False)
    frames = []
    for path in sorted(folder.rglob("*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        year = path.parent.name
        frame["time_period"] = year[:4] + year[5:7]
        frames.append(frame)
    survey = pd.concat(frames, ignore_index=True).merge(
        teams[["team_code", "district_code", "new_la_code"]], on="team_code"
    )
    rows = []
    for item, words in wording.items():
        answered = survey[survey[item].str.strip() != ""]
        agrees = answered[item].isin(["agree", "strongly_agree"])
        for level, area in (
            ("Local authority district", "district_code"),
            ("Local authority", "new_la_code"),
        ):
            for (year, code), cell in answered.assign(agrees=agrees).groupby(["time_period", area]):
                rows.append(
                    {
                        "indicator_id": "eh_practitioner_agree",
                        "time_period": year,
                        "time_identifier": "Financial year",
                        "geographic_level": level,
                        "area_code": code,
                        "breakdown": "Survey item",
                        "group": words,
                        "numerator_expected": int(cell["agrees"].sum()),
                        "denominator_expected": len(cell),
                        "value_expected": 100 * cell["agrees"].sum() / len(cell),
                    }
                )
    return pd.DataFrame(rows)
