"""Synthetic Early Help for the synthetic borough: referrals to the Early Help Hub, the parent
and carer Voice Notes (Hampshire's, ../shared/seeds/ 3.1 and 5.7) and a practitioner survey,
month by month over the two financial years that end the span (April 2023 to March 2025 for
the default years).

Everything is drawn with numpy from its own random stream ([seed, EARLY_HELP_STREAM]), so
adding Early Help leaves every other synthetic file byte for byte as it was (seeds/teams.csv
gains the Early Help teams and a district_code column), and the same seed gives the same
files.

- **Where.** Two synthetic districts of Harrowdale (E07999901 North, E07999902 South, in the
  landing's seeds/districts.csv; E07999... is never a real ONS code), three Early Help teams
  each (EH-N1 ... EH-S3, beside the personal adviser teams in seeds/teams.csv, each with its
  district_code), each with its own monthly rate of 25 to 45 referrals.
- **When the Voice Note started.** seeds/early_help_trials.csv, written here from TRIALS:
  EH-N1 and EH-N2 from October 2023 (a trial), the others from January 2024 (rolled out).
  Before its team's start a referral rarely has a note (~3%); after, ~70% have a family
  note, 1 to 10 days after the referral, ~85% of them on or before the hub meeting (5 to 20
  days after the referral); ~25% have the child's or young person's own voice.
- **After the hub.** ~5% have no meeting date. Step-up to children's social care ~8% without
  a family note, ~6% with; re-referral within 12 months of closure ~22% without, ~15% with
  (the same child referred again, a new referral in a later month). What has not happened
  by the end of the span (a meeting, a decision, a closure, a note) is blank or absent.
- **Words.** ~40% of notes have words with consent to quote; one in the span asks for help
  (it must reach the follow-up list, never the pack); three notes name a referral that was
  never landed (kept, counted, linking to nothing).
- **Practitioners.** ~8 a team answer the survey in the last financial year only.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from indicators.config import PROJECT_ROOT
from indicators.synthetic.authorities import SyntheticAuthority
from indicators.synthetic.badges import BOROUGH, Badge, merge_seed

EARLY_HELP_STREAM = 1616
MONTHS = 24
DISTRICTS: tuple[tuple[str, str], ...] = (
    ("E07999901", "Harrowdale North (synthetic)"),
    ("E07999902", "Harrowdale South (synthetic)"),
)
TEAMS: tuple[tuple[str, str, str], ...] = (
    ("EH-N1", "North 1 Early Help team", "E07999901"),
    ("EH-N2", "North 2 Early Help team", "E07999901"),
    ("EH-N3", "North 3 Early Help team", "E07999901"),
    ("EH-S1", "South 1 Early Help team", "E07999902"),
    ("EH-S2", "South 2 Early Help team", "E07999902"),
    ("EH-S3", "South 3 Early Help team", "E07999902"),
)
TRIALS: tuple[tuple[str, str, str], ...] = (
    ("EH-N1", "2023-10", "Voice Note trial"),
    ("EH-N2", "2023-10", "Voice Note trial"),
    ("EH-N3", "2024-01", "Voice Note rolled out"),
    ("EH-S1", "2024-01", "Voice Note rolled out"),
    ("EH-S2", "2024-01", "Voice Note rolled out"),
    ("EH-S3", "2024-01", "Voice Note rolled out"),
)
SOURCES = ("school", "health", "police", "self_or_family", "early_years", "other")
SOURCE_WEIGHTS = (0.34, 0.2, 0.14, 0.12, 0.08, 0.12)
NEED_WEIGHTS = (0.08, 0.42, 0.38, 0.12)
FAMILY_WORDS = (  # none asks for help (indicators/voice/help_requests.py): HELP_REQUEST does
    "It helped to say what is going on at home in my own words.",
    "Mornings are the hardest, getting everyone to school on time.",
    "We are coping better since the school started helping.",
    "It was good to explain our family in our own words before the meeting.",
    "Bedtimes are a battle and the school has noticed he is tired.",
    "My daughter is happier at school this term.",
)
CHILD_WORDS = (
    "I like my school but I get worried about my mum.",
    "I want to see my friends more after school.",
    "I like playing football with my dad at the weekend.",
)
HELP_REQUEST = "Please can someone call me back, I need help with where we are staying"
AGREEMENT = ("strongly_disagree", "disagree", "neither", "agree", "strongly_agree")
AGREEMENT_WEIGHTS = (0.04, 0.1, 0.2, 0.42, 0.24)
COMMENTS = (
    "Hearing the parent before the hub changed how we framed the plan.",
    "It takes time in a busy week but the meeting is better for it.",
    "Families say they feel listened to at the meeting.",
    "Some parents are hard to reach by phone in the time before the meeting.",
)


def teams_frame(authority: SyntheticAuthority) -> pd.DataFrame:
    """The borough's Early Help teams as seeds/teams.csv rows, each with its district."""
    return pd.DataFrame(
        [
            {
                "team_code": code,
                "team_name": name,
                "new_la_code": authority.new_la_code,
                "district_code": district,
            }
            for code, name, district in TEAMS
        ]
    )


def _months(last_year_start: int) -> list[dt.date]:
    """The MONTHS months that end with March of the financial year starting in April of
    `last_year_start`: April 2023 to March 2025 for 2024."""
    first = dt.date(last_year_start + 1 - MONTHS // 12, 4, 1)
    return [
        dt.date(first.year + (first.month - 1 + k) // 12, (first.month - 1 + k) % 12 + 1, 1)
        for k in range(MONTHS)
    ]


def _days_in(month: dt.date) -> int:
    following = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return (following - month).days


def _pick(rng: np.random.Generator, codes: Sequence, weights: Sequence[float]):
    p = np.asarray(weights, dtype=float)
    return codes[int(rng.choice(len(codes), p=p / p.sum()))]


def _journey(
    rng: np.random.Generator, team: str, referred: dt.date, started: dt.date, last_day: dt.date
) -> dict:
    """One referral's hub meeting, Voice Notes, outcome and closure, as known at `last_day`."""
    hub_offset = int(rng.integers(5, 21))
    hub = None if rng.random() < 0.05 else referred + dt.timedelta(days=hub_offset)
    live = referred >= started
    notes = []
    if rng.random() < (0.70 if live else 0.03):
        # 1 to 10 days after the referral: after the meeting only when it is within them
        # (meetings 5 to 9 days on, about 5 in 16), half of those: ~15% after it in all
        if hub is not None and hub_offset < 10 and rng.random() < 0.48:
            offset = int(rng.integers(hub_offset + 1, 11))
        else:
            offset = int(rng.integers(1, min(10, hub_offset) + 1))
        notes.append((_pick(rng, ("parent", "carer"), (0.85, 0.15)), offset))
    if rng.random() < (0.25 if live else 0.01):
        notes.append((_pick(rng, ("child", "young_person"), (0.6, 0.4)), int(rng.integers(1, 15))))
    family = any(voice in ("parent", "carer") for voice, _ in notes)
    outcome = closure = None
    if hub is not None and hub <= last_day:
        draw = rng.random()
        step_up = 0.06 if family else 0.08
        outcome = (
            "step_up_csc"
            if draw < step_up
            else "no_further_action"
            if draw < step_up + 0.3
            else "early_help"
        )
        days = {"step_up_csc": (0, 8), "no_further_action": (0, 15), "early_help": (60, 240)}
        low, high = days[outcome]
        closed = hub + dt.timedelta(days=int(rng.integers(low, high)))
        closure = closed if closed <= last_day else None
    return {
        "team_code": team,
        "referral_date": referred,
        "hub_meeting_date": hub if hub is not None and hub <= last_day else None,
        "outcome": outcome,
        "closure_date": closure,
        "notes": [
            (voice, referred + dt.timedelta(days=offset))
            for voice, offset in notes
            if referred + dt.timedelta(days=offset) <= last_day
        ],
        "family": family,
    }


def simulate_early_help(
    last_year_start: int, seed: int, items: Sequence[str]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(referrals, Voice Notes, survey) for the MONTHS months ending March of the financial
    year starting in `last_year_start`, as the landed files hold them (ids as text)."""
    rng = np.random.default_rng([seed, EARLY_HELP_STREAM])
    months = _months(last_year_start)
    last_day = dt.date(last_year_start + 1, 3, 31)
    starts = {team: dt.date(int(s[:4]), int(s[5:]), 1) for team, s, _ in TRIALS}
    rates = {code: float(rng.uniform(23, 40)) for code, _, _ in TEAMS}
    journeys: list[dict] = []
    children = 0
    for month in months:
        for code, _, _ in TEAMS:
            for _ in range(int(rng.poisson(rates[code]))):
                referred = month + dt.timedelta(days=int(rng.integers(0, _days_in(month))))
                children += 1
                journey = _journey(rng, code, referred, starts[code], last_day)
                journey["child"] = f"P{400000 + children * 3:07d}"
                journeys.append(journey)
    # Re-referrals: the same child, a new referral 20 to 365 days after the closure.
    for journey in list(journeys):
        chance = 0.15 if journey["family"] else 0.22
        if journey["closure_date"] is None or rng.random() >= chance:
            continue
        again = journey["closure_date"] + dt.timedelta(days=int(rng.integers(20, 366)))
        if again <= last_day:
            repeat = _journey(
                rng, journey["team_code"], again, starts[journey["team_code"]], last_day
            )
            repeat["child"] = journey["child"]
            journeys.append(repeat)
    journeys.sort(key=lambda j: (j["referral_date"], j["team_code"], j["child"]))
    referrals, notes = [], []
    for number, journey in enumerate(journeys, start=1):
        referral_id = f"EHR{100000 + number}"
        referrals.append(
            {
                "referral_id": referral_id,
                "child_id": journey["child"],
                "referral_date": journey["referral_date"],
                "team_code": journey["team_code"],
                "referral_source": _pick(rng, SOURCES, SOURCE_WEIGHTS),
                "need_level": int(_pick(rng, (1, 2, 3, 4), NEED_WEIGHTS)),
                "hub_meeting_date": journey["hub_meeting_date"],
                "outcome": journey["outcome"],
                "closure_date": journey["closure_date"],
            }
        )
        for voice, recorded in journey["notes"]:
            notes.append(_note(rng, referral_id, voice, recorded, journey["team_code"]))
    _rare_notes(rng, notes, months)
    notes.sort(key=lambda n: (n["date_recorded"], n["referral_id"], n["whose_voice"]))
    survey = _survey(rng, last_year_start, items)
    return pd.DataFrame(referrals), pd.DataFrame(notes), survey


def _note(
    rng: np.random.Generator, referral_id: str, voice: str, recorded: dt.date, team: str
) -> dict:
    consent = rng.random() < 0.4
    bank = FAMILY_WORDS if voice in ("parent", "carer") else CHILD_WORDS
    return {
        "referral_id": referral_id,
        "date_recorded": recorded,
        "whose_voice": voice,
        "how": _pick(rng, ("call", "visit"), (0.8, 0.2)),
        "team_code": team,
        "words": str(_pick(rng, bank, [1] * len(bank))) if consent or rng.random() < 0.3 else "",
        "consent_quote": "Y" if consent else "N",
    }


def _rare_notes(rng: np.random.Generator, notes: list[dict], months: list[dt.date]) -> None:
    """The one request for help in the span (on a consented note of the last year) and three
    notes whose referral was never landed."""
    late = [
        note
        for note in notes
        if note["date_recorded"] >= months[12] and note["whose_voice"] in ("parent", "carer")
    ]
    if late:
        chosen = late[int(rng.integers(0, len(late)))]
        chosen["words"], chosen["consent_quote"] = HELP_REQUEST, "Y"
    for k in range(3):
        month = months[6 + 6 * k]
        notes.append(
            {
                "referral_id": f"EHR{900001 + k}",
                "date_recorded": month + dt.timedelta(days=int(rng.integers(0, 28))),
                "whose_voice": "parent",
                "how": "call",
                "team_code": TEAMS[k][0],
                "words": "",
                "consent_quote": "N",
            }
        )


def _survey(rng: np.random.Generator, last_year_start: int, items: Sequence[str]) -> pd.DataFrame:
    """About eight practitioners a team answering in the last financial year."""
    rows = []
    for code, _, _ in TEAMS:
        for _ in range(int(rng.poisson(8))):
            row = {
                "respondent_id": f"PR{len(rows) + 1:04d}",
                "team_code": code,
                "response_date": dt.date(last_year_start + 1, 1, 6)
                + dt.timedelta(days=int(rng.integers(0, 60))),
            }
            for item in items:
                row[item] = "" if rng.random() < 0.05 else _pick(rng, AGREEMENT, AGREEMENT_WEIGHTS)
            consent = rng.random() < 0.5
            row["comment"] = str(_pick(rng, COMMENTS, [1] * len(COMMENTS))) if consent else ""
            row["consent_quote"] = "Y" if consent else "N"
            rows.append(row)
    return pd.DataFrame(rows)


def survey_items(path: Path | None = None) -> list[str]:
    """The items of seeds/voice_note_survey_items.csv, in the seed's order."""
    source = path or PROJECT_ROOT / "seeds" / "voice_note_survey_items.csv"
    with source.open(encoding="utf-8", newline="") as handle:
        return [row["item"] for row in csv.DictReader(handle)]


def _write(frame: pd.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8", date_format="%Y-%m-%d")
    return path


def districts(authority: SyntheticAuthority) -> list[tuple[str, str]]:
    """The authority's two synthetic districts: E079 + its LA number + 01 or 02 (E07999901
    and E07999902 for Harrowdale: E079... is never a real ONS code), named after it."""
    short = authority.la_name.split(" (")[0]
    return [
        (f"E079{authority.la_code}{k + 1:02d}", f"{short} {part} (synthetic)")
        for k, part in enumerate(("North", "South"))
    ]


def write_early_help(
    out: Path,
    authority: SyntheticAuthority,
    last_year_start: int,
    seed: int,
    badge: Badge = BOROUGH,
) -> list[Path]:
    """The districts, the Early Help teams (added to seeds/teams.csv, with a district_code
    column), the trials, and each month's referrals and Voice Notes and the last year's
    survey, as CSV files; returns the paths written. One authority of many: its badge
    names its files, teams, children and referrals, and its rows are added to the seeds."""
    seeds = out / "seeds"
    teams_path = seeds / "teams.csv"
    codes = {old: new for (old, _), (new, _) in zip(DISTRICTS, districts(authority), strict=True)}
    own = badge.frame(teams_frame(authority), teams=["team_code"])
    own["district_code"] = own["district_code"].map(codes)
    teams = merge_seed(teams_path, own, "team_code")  # district_code blank for others
    district_frame = pd.DataFrame(
        [
            {"district_code": code, "district_name": name, "new_la_code": authority.new_la_code}
            for code, name in districts(authority)
        ]
    )
    trials = badge.frame(
        pd.DataFrame(TRIALS, columns=["team_code", "starts", "description"]), teams=["team_code"]
    )
    paths = [
        _write(teams, teams_path),
        _write(
            merge_seed(seeds / "districts.csv", district_frame, "district_code"),
            seeds / "districts.csv",
        ),
        _write(
            merge_seed(seeds / "early_help_trials.csv", trials, "team_code"),
            seeds / "early_help_trials.csv",
        ),
    ]
    referrals, notes, survey = simulate_early_help(last_year_start, seed, survey_items())
    referrals = badge.frame(referrals, ids=["referral_id", "child_id"], teams=["team_code"])
    notes = badge.frame(notes, ids=["referral_id"], teams=["team_code"])
    survey = badge.frame(survey, ids=["respondent_id"], teams=["team_code"])
    for month in _months(last_year_start):
        folder = f"{month:%Y-%m}"
        in_month = pd.to_datetime(referrals["referral_date"]).dt.strftime("%Y-%m") == folder
        path = out / "early_help_referrals" / folder / badge.name("referrals.csv")
        paths.append(_write(referrals[in_month], path))
        recorded = pd.to_datetime(notes["date_recorded"]).dt.strftime("%Y-%m") == folder
        path = out / "voice_notes" / folder / badge.name("voice_notes.csv")
        paths.append(_write(notes[recorded], path))
    year = f"{last_year_start}-{(last_year_start + 1) % 100:02d}"
    path = out / "voice_note_survey" / year / badge.name("practitioner_survey.csv")
    paths.append(_write(survey, path))
    return paths
