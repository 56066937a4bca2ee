"""Synthetic care leavers for the synthetic borough: the SSDA903 care-leaver table (OC3) with
local case fields, and the Pathway Plan reviews scored 0 to 10 on each topic of
seeds/pathway_plan_topics.csv from both perspectives, one financial year at a time.

Everything is drawn with numpy from its own random stream ([seed, CARE_LEAVERS_STREAM]), so
adding care leavers leaves every other synthetic file byte for byte as it was, and the same
seed gives the same files. The same young people are followed across the years: a cohort
born April 2002 to March 2009 (about 75 a birth year), each in a year's return while their
17th to 21st birthday falls in it, with reviews from their 16th year on (a review of a
16-year-old has no row in that year's return, as in practice).

- **Who they are.** Four personal adviser teams; unaccompanied asylum-seeking young people
  about one in eight, more of them in the younger cohorts (recent arrivals) and mostly male.
  Eligibility: eligible or relevant at 17, former relevant after (a few qualifying).
- **What the return says.** In touch ~90%; education, employment or training about two
  thirds at 17 to 18 and half at 19 to 21; accommodation suitable ~90% (S and X always
  unsuitable); the latest Pathway Plan review within six months for most.
- **What they say.** Each young person has a level per topic; the adviser's score follows
  the young person's (correlation about 0.6) but rates home higher and safety a little
  higher. About 40% of those in suitable accommodation score "Your home" or "Feeling safe
  and well" 4 or less. Topics are left unanswered more often by UASC young people and by
  19 to 21 year olds (identity and culture most often).
- **Statements** fit the score (low, middling, high), with quote consent about 70%; about 3%
  of reviews have no consent to aggregate use; one statement in the whole span asks for help
  (it must reach the follow-up list, never the pack).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from indicators.config import PROJECT_ROOT
from indicators.synthetic.authorities import SyntheticAuthority
from indicators.synthetic.badges import BOROUGH, Badge, merge_seed

CARE_LEAVERS_STREAM = 1414
PER_BIRTH_YEAR = 75
TEAMS: tuple[tuple[str, str], ...] = (
    ("LC-N", "Leaving Care North"),
    ("LC-S", "Leaving Care South"),
    ("LC-E", "Leaving Care East"),
    ("LC-U", "Leaving Care UASC and Young Adults"),
)
TEAM_SHARES = (0.3, 0.3, 0.25, 0.15)
RETURN_HEAD = (
    "CHILD",
    "DOB",
    "IN_TOUCH",
    "ACTIV",
    "ACCOM",
    "eligibility_category",
    "uasc",
    "team_code",
    "latest_review_date",
)
SUITABLE_TYPES = ("B", "C", "D", "E", "K", "T", "U", "Z")
SUITABLE_WEIGHTS = (0.12, 0.05, 0.2, 0.12, 0.03, 0.06, 0.3, 0.12)
UNSUITABLE_CODES = ("S2", "X2", "W2", "V2", "D2", "U2", "K2")
UNSUITABLE_WEIGHTS = (0.15, 0.12, 0.13, 0.1, 0.2, 0.2, 0.1)
EET_CODES = ("F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5")
EET_WEIGHTS = (0.1, 0.03, 0.3, 0.07, 0.1, 0.03, 0.22, 0.15)
NEET_CODES = ("G4", "G5", "G6")
NEET_WEIGHTS = (0.3, 0.5, 0.2)
# A topic's typical young person's score, and how much higher the adviser rates it.
TOPIC_MEAN = {"home": 6.4, "safe_and_well": 6.8, "future_five_years": 5.8}
ADVISER_LIFT = {"home": 1.6, "safe_and_well": 0.8}
# The one request for help in the whole span (it must go to the follow-up list).
HELP_REQUEST = "Please can someone call me back, I need help with where I am staying"


@dataclass(frozen=True)
class Topic:
    topic_id: str
    wording: str


def load_topics(path: Path | None = None) -> list[Topic]:
    """The topics of seeds/pathway_plan_topics.csv, in the seed's order."""
    source = path or PROJECT_ROOT / "seeds" / "pathway_plan_topics.csv"
    with source.open(encoding="utf-8", newline="") as handle:
        return [Topic(row["topic_id"], row["wording"]) for row in csv.DictReader(handle)]


def teams_frame(authority: SyntheticAuthority) -> pd.DataFrame:
    """seeds/teams.csv for the borough: its four personal adviser teams."""
    return pd.DataFrame(
        [
            {"team_code": code, "team_name": name, "new_la_code": authority.new_la_code}
            for code, name in TEAMS
        ]
    )


def _cohort(rng: np.random.Generator, first_birth_year: int, last_birth_year: int) -> pd.DataFrame:
    """The young people: one row each, born April `first` to March `last + 1`."""
    rows = []
    serial = 0
    for birth_year in range(first_birth_year, last_birth_year + 1):
        recency = (birth_year - first_birth_year) / max(last_birth_year - first_birth_year, 1)
        for _ in range(int(rng.poisson(PER_BIRTH_YEAR))):
            serial += 1
            start = dt.date(birth_year, 4, 1)
            born = start + dt.timedelta(days=int(rng.integers(0, 365)))
            uasc = rng.random() < 0.05 + 0.15 * recency
            male = rng.random() < (0.9 if uasc else 0.55)
            team = 3 if uasc and rng.random() < 0.6 else int(rng.choice(4, p=TEAM_SHARES))
            rows.append(
                {
                    "child": f"HD{700000 + serial * 7:07d}",
                    "born": born,
                    "uasc": uasc,
                    "male": male,
                    "team": TEAMS[team][0],
                    "wellbeing": rng.normal(0, 1.0),
                    "unsafe": rng.random() < 0.27,
                    "engagement": rng.normal(0, 1.0),
                    "qualifying": rng.random() < 0.05,
                    "looked_after_at_17": rng.random() < 0.45,
                }
            )
    return pd.DataFrame(rows)


def _age_in(born: dt.date, first_calendar_year: int) -> int:
    """The birthday reached in the financial year starting 1 April `first_calendar_year`."""
    year = first_calendar_year if born.month >= 4 else first_calendar_year + 1
    return year - born.year


def _choice(rng: np.random.Generator, codes: Sequence[str], weights: Sequence[float]) -> str:
    p = np.asarray(weights, dtype=float)
    return str(codes[int(rng.choice(len(codes), p=p / p.sum()))])


def _return_row(rng: np.random.Generator, person: pd.Series, age: int, year: int) -> dict:
    """One young person's row of a year's return (the review date is filled in later)."""
    roll = rng.random() - 0.03 * person["engagement"]
    in_touch = (
        "YES"
        if roll < 0.9
        else "NO"
        if roll < 0.94
        else "REFU"
        if roll < 0.965
        else "NREQ"
        if roll < 0.985
        else "RHOM"
        if roll < 0.9985
        else "DIED"
    )
    activity = accommodation = ""
    if in_touch == "YES" or (in_touch in ("NO", "RHOM") and rng.random() < 0.5):
        eet = (0.66 if age <= 18 else 0.5) + 0.08 * person["engagement"] - 0.1 * person["uasc"]
        activity = (
            _choice(rng, EET_CODES, EET_WEIGHTS)
            if rng.random() < eet
            else _choice(rng, NEET_CODES, NEET_WEIGHTS)
        )
        if rng.random() < 0.9 + 0.02 * person["wellbeing"]:
            kind = _choice(rng, SUITABLE_TYPES, SUITABLE_WEIGHTS)
            kind = "D" if kind == "C" and age > 18 else kind
            accommodation = f"{kind}1"
        else:
            accommodation = _choice(rng, UNSUITABLE_CODES, UNSUITABLE_WEIGHTS)
    if person["qualifying"]:
        eligibility = "qualifying"
    elif age == 17:
        eligibility = "eligible" if person["looked_after_at_17"] else "relevant"
    else:
        eligibility = "former_relevant"
    born = person["born"]
    return {
        "CHILD": person["child"],
        "DOB": born.strftime("%d/%m/%Y") if rng.random() < 0.5 else born.isoformat(),
        "IN_TOUCH": in_touch,
        "ACTIV": activity,
        "ACCOM": accommodation,
        "eligibility_category": eligibility.replace("_", " ").capitalize()
        if rng.random() < 0.3
        else eligibility,
        "uasc": "Y" if person["uasc"] else "N",
        "team_code": person["team"],
        "latest_review_date": "",
        "_suitable": accommodation.endswith("1"),
        "_age": age,
    }


STATEMENTS: dict[str, tuple[str, str, str]] = {
    "future_five_years": (
        "I don't really know what happens next, it feels a long way off",
        "I have some ideas about what I want but I am not sure how to get there",
        "I want to finish my course and get a job I like, I have a plan",
    ),
    "relationships": (
        "I don't have many people I can talk to at the moment",
        "I have a couple of friends I see sometimes",
        "I have good friends and my personal adviser listens to me",
    ),
    "family": (
        "Things with my family are difficult and we don't speak much",
        "I see my brother sometimes, it is getting a bit better",
        "I get on well with my family and see them every week",
    ),
    "home": (
        "The flat is too small and noisy, it does not feel like mine",
        "The flat is alright but the area is noisy",
        "I like my flat, it feels like my own place",
    ),
    "learning_work": (
        "I left college and I am not doing anything at the moment",
        "I am looking for work and doing a short course",
        "I am enjoying my apprenticeship and learning a lot",
    ),
    "things_you_like": (
        "I don't really do much, I stay in most days",
        "I go to the gym sometimes when I can afford it",
        "I play football every week and go to a youth club",
    ),
    "safe_and_well": (
        "I worry a lot when I am out in the evenings round here",
        "Mostly okay but I worry sometimes when I walk home",
        "I feel settled where I live and things are calm",
    ),
    "looking_after_yourself": (
        "I find it hard to manage money and cook for myself",
        "I am getting better at budgeting but it is still hard",
        "I can cook and budget and I keep on top of things",
    ),
    "identity_culture": (
        "There are not many people here who share my language or culture",
        "I sometimes go to a community group",
        "I go to my mosque and meet people from my country, it helps a lot",
    ),
}


def _statement(topic_id: str, score: int) -> str:
    low, middle, high = STATEMENTS.get(topic_id, ("Not good", "Okay", "Good"))
    return low if score <= 4 else middle if score <= 6 else high


def _scores(
    rng: np.random.Generator,
    person: pd.Series,
    topics: Sequence[Topic],
    age: int,
    suitable: bool,
) -> tuple[dict[str, float | None], dict[str, float | None]]:
    """A review's scores from both perspectives (None: not answered)."""
    young: dict[str, float | None] = {}
    adviser: dict[str, float | None] = {}
    unsafe_topic = "home" if rng.random() < 0.5 else "safe_and_well"
    for topic in topics:
        mean = TOPIC_MEAN.get(topic.topic_id, 6.2) + 1.1 * person["wellbeing"]
        own = mean + rng.normal(0, 1.4)
        if person["unsafe"] and suitable and topic.topic_id == unsafe_topic:
            own = min(own, rng.uniform(1, 4.4))
        if not suitable and topic.topic_id in ("home", "safe_and_well"):
            own -= 1.5
        view = own + ADVISER_LIFT.get(topic.topic_id, 0.2) + rng.normal(0, 1.3)
        missing = 0.04 + 0.12 * person["uasc"] + 0.08 * (age >= 19)
        if topic.topic_id == "identity_culture":
            missing += 0.08
        young[topic.topic_id] = (
            None if rng.random() < missing else float(np.clip(round(own), 0, 10))
        )
        adviser[topic.topic_id] = (
            None if rng.random() < missing / 3 else float(np.clip(round(view), 0, 10))
        )
    return young, adviser


def simulate_care_leavers(
    years: Sequence[int], topics: Sequence[Topic], seed: int
) -> dict[int, tuple[pd.DataFrame, pd.DataFrame]]:
    """For each financial year (its first calendar year: 2024 for 2024-25), the return's
    rows and the reviews' rows as an LA would land them."""
    rng = np.random.default_rng([seed, CARE_LEAVERS_STREAM])
    first, last = min(years), max(years)
    people = _cohort(rng, first - 21, last - 16)
    helped = False
    died: set[str] = set()
    out: dict[int, tuple[pd.DataFrame, pd.DataFrame]] = {}
    serial = 0
    for year in sorted(years):
        returns: list[dict] = []
        reviews: list[dict] = []
        for _, person in people.iterrows():
            age = _age_in(person["born"], year)
            if not 16 <= age <= 21:
                continue
            if person["child"] in died:
                continue
            row = _return_row(rng, person, age, year) if age >= 17 else None
            if row is not None and row["IN_TOUCH"] == "DIED":
                died.add(person["child"])
            suitable = bool(row["_suitable"]) if row else True
            engaged = row is None or row["IN_TOUCH"] == "YES"
            count = int(rng.choice([0, 1, 2, 2, 2, 3])) if engaged else int(rng.random() < 0.2)
            start = dt.date(year, 4, 1)
            days = sorted(int(d) for d in rng.choice(365, size=count, replace=False))
            dates = [start + dt.timedelta(days=d) for d in days]
            if row is not None:
                if dates:
                    row["latest_review_date"] = dates[-1].isoformat()
                elif rng.random() < 0.9:
                    previous = start - dt.timedelta(days=int(rng.integers(30, 300)))
                    row["latest_review_date"] = previous.strftime("%d/%m/%Y")
                returns.append(row)
            for date in dates:
                serial += 1
                young, adviser = _scores(rng, person, topics, age, suitable)
                aggregate = "N" if rng.random() < 0.03 else "Y"
                quote = "Y" if rng.random() < 0.7 else "N"
                for perspective, scores in (("young_person", young), ("personal_adviser", adviser)):
                    if perspective == "young_person" and rng.random() < 0.06:
                        continue  # the young person did not take part in this review
                    record = {
                        "review_id": f"PPR{serial:06d}",
                        "child_id": person["child"],
                        "review_date": date.isoformat(),
                        "perspective": perspective,
                        "team_code": person["team"],
                    }
                    for topic in topics:
                        score = scores[topic.topic_id]
                        record[topic.topic_id] = "" if score is None else str(int(score))
                    for topic in topics:
                        score = scores[topic.topic_id]
                        said = score is not None and rng.random() < (
                            0.25 if perspective == "young_person" else 0.1
                        )
                        record[f"{topic.topic_id}_statement"] = (
                            _statement(topic.topic_id, int(score)) if said else ""
                        )
                    if not helped and perspective == "young_person" and not suitable:
                        record["home_statement"] = HELP_REQUEST
                        helped = True
                    record["consent_aggregate"] = aggregate
                    record["consent_quote"] = quote
                    reviews.append(record)
        frame = pd.DataFrame(returns)
        out[year] = (
            frame[list(RETURN_HEAD)] if len(frame) else pd.DataFrame(columns=RETURN_HEAD),
            pd.DataFrame(reviews),
        )
    return out


def write_care_leavers(
    out: Path,
    authority: SyntheticAuthority,
    years: Sequence[int],
    seed: int,
    badge: Badge = BOROUGH,
) -> list[Path]:
    """The authority's teams (added to seeds/teams.csv), and for each financial year its
    care leavers return and Pathway Plan reviews, as CSV files; returns the paths written.
    One authority of many: its badge names its files, teams and young people."""
    topics = load_topics()
    paths = [out / "seeds" / "teams.csv"]
    paths[0].parent.mkdir(parents=True, exist_ok=True)
    teams = badge.frame(teams_frame(authority), teams=["team_code"])
    merge_seed(paths[0], teams, "team_code").to_csv(paths[0], index=False, lineterminator="\n")
    for year, (returns, reviews) in simulate_care_leavers(years, topics, seed).items():
        folder = f"{year}-{(year + 1) % 100:02d}"
        for kind, name, frame in (
            ("care_leavers", "ssda903_care_leavers.csv", returns),
            ("pathway_plan_reviews", "pathway_plan_reviews.csv", reviews),
        ):
            path = out / kind / folder / badge.name(name)
            path.parent.mkdir(parents=True, exist_ok=True)
            if len(frame):
                ids = ["CHILD"] if kind == "care_leavers" else ["review_id", "child_id"]
                frame = badge.frame(frame, ids=ids, teams=["team_code"])
            frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
            paths.append(path)
    return paths
