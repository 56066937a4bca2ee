"""Synthetic early communication records for the synthetic borough: the health visitor's
two-year reviews (ASQ-3), WellComm screenings, speech and language therapy referrals (each
by financial year) and the LA's health-to-education linkage (by reception year).

Everything is drawn with numpy from its own random stream ([seed, EARLY_COMMUNICATION_STREAM]),
so adding these files leaves every other synthetic file byte for byte as it was, and the same
seed gives the same files.

- **Who.** The children of the EYFSP cohorts (their date of birth and home postcode from the
  return and census; about 93% were in the borough's child health record at 2½, the others
  moved in later) and younger children not yet in reception (about as many a birth year as a
  cohort), each with a synthetic NHS number in the NHS's test range (999, valid check digit;
  about a third written with spaces, `999 123 4567`). A child's file is the financial year in
  which they reached 30 months: 2020-21 to 2024-25 for the default years, so the 2023/24 and
  2024/25 reception cohorts have their two-year reviews landed.
- **Reviews.** About 92% reviewed, 85% by 30 months (at 24 to 36 months); a communication
  score for about 95% of reviews, on a latent level correlated with the child's later
  communication and language goals (ELGs 1 and 2), about 80% above the cut-off. The concern
  question asked in about 85%; parents of children below the cut-off are concerned about half
  the time, and some parents of children above it are concerned too (the seed's finding).
  Words for some concerns, with quote consent about 65%; one request for help in the whole
  span (it must reach the follow-up list, never a pack).
- **WellComm.** About 300 children screened a year, at 18 to 60 months; an amber or red
  result is rescreened the same day on lower sections until green (the green section
  recorded); a few children are screened again later in the year. The parent's view is
  recorded at about a third of screenings, in words for some.
- **Referrals.** Most red first screenings (about 80%) are referred to speech and language
  therapy 0 to 120 days later (median about 25: within 42 days for about two thirds), a
  referral after the year's end landing in the next year's file; some reviews below the
  cut-off are referred by the health visitor, a few by GPs and parents.
- **Linkage.** For each reception year, about 90% of the cohort's children in the child
  health record are linked (NHS number to UPN, as the EYFSP return writes it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from indicators.ingest.privacy import sector_of
from indicators.synthetic.authorities import SyntheticAuthority
from indicators.synthetic.badges import BOROUGH, Badge
from indicators.synthetic.children import SyntheticCohort

EARLY_COMMUNICATION_STREAM = 1515
IN_RECORD = 0.93
LINKED = 0.90
SCREENED_A_YEAR = 300
HELP_REQUEST = (
    "Please can someone call me back, I need help, I am not coping with his talking at home"
)
CONCERN_WORDS = (
    "He only says a few words and gets frustrated when we do not understand him",
    "I am worried she is not talking as much as her cousin",
    "She understands everything but does not put words together yet",
    "Nursery said he is fine but I think his talking is behind",
    "We speak two languages at home and I am not sure which words he knows",
    "He points instead of asking for things",
)
VIEWS_BY_RESULT = {
    "G": (
        "She chats all the time at home",
        "I am pleased, he has come on a lot since the summer",
        "She sings the songs from nursery at home",
    ),
    "A": (
        "He talks more at home than he does here",
        "I think she is shy with new people",
        "I would like some ideas for games to play at home",
    ),
    "R": (
        "I have been worried about his talking for a while",
        "She gets upset when we cannot understand her",
        "I was not expecting this, he talks to his brother",
    ),
}
REVIEW_HEAD = (
    "nhs_number",
    "date_of_birth",
    "review_date",
    "age_in_months",
    "asq_communication",
    "asq_gross_motor",
    "asq_fine_motor",
    "asq_problem_solving",
    "asq_personal_social",
    "parent_concern",
    "concern_words",
    "consent_quote",
    "postcode_sector",
)


def financial_years(years: Sequence[int]) -> list[int]:
    """The financial years written for reception years starting in `years`: from the year
    before the first to the last (2021/22..2024/25 -> 2020-21..2024-25)."""
    return list(range(min(years) - 1, max(years) + 1))


def _folder(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"


def nhs_numbers(rng: np.random.Generator, count: int, prefix: str = "999") -> np.ndarray:
    """`count` distinct NHS numbers beginning `prefix` (the test range 999 unless told),
    each with its modulus 11 check digit (bodies whose check would be 10 are skipped)."""
    bodies = rng.permutation(1_000_000)
    digits = np.stack([(bodies // 10**power) % 10 for power in range(5, -1, -1)], axis=1)
    weights = np.arange(7, 1, -1)  # the weights of digits 4 to 9 (those of 1 to 3: 10, 9, 8)
    total = sum(int(d) * w for d, w in zip(prefix, (10, 9, 8), strict=True)) + digits @ weights
    check = 11 - total % 11
    check = np.where(check == 11, 0, check)
    usable = check != 10
    bodies, check = bodies[usable][:count], check[usable][:count]
    return np.array(
        [f"{prefix}{body:06d}{digit}" for body, digit in zip(bodies, check, strict=True)]
    )


class NhsSupply:
    """Distinct NHS numbers for a landing of many authorities (a child has one number
    wherever they live): the test range 999 first, then 998 down to 990 as each runs out
    (about 909,000 a prefix). Numbers beginning 99 are outside the ranges issued in England
    and Wales (400 to 499 and 600 to 799 million)."""

    def __init__(self, seed: int) -> None:
        self._rng = np.random.default_rng([seed, EARLY_COMMUNICATION_STREAM, 99])
        self._prefix = 1000
        self._left = np.array([], dtype=str)

    def take(self, count: int) -> np.ndarray:
        parts = []
        while count:
            if not len(self._left):
                self._prefix -= 1
                if self._prefix < 990:
                    raise ValueError("more children than the NHS numbers beginning 99")
                self._left = nhs_numbers(self._rng, 1_000_000, str(self._prefix))
            parts.append(self._left[:count])
            self._left, count = self._left[count:], count - len(parts[-1])
        return np.concatenate(parts) if parts else np.array([], dtype=str)


def _children(
    rng: np.random.Generator,
    authority: SyntheticAuthority,
    cohorts: Sequence[SyntheticCohort],
    last_birth: dt.date,
    supply: NhsSupply | None = None,
) -> pd.DataFrame:
    """The cohorts' children in the child health record and the younger children: NHS
    number, date of birth, postcode sector, UPN (blank for the younger), reception year,
    and a latent communication level (correlated with ELGs 1 and 2 where known)."""
    frames = []
    for cohort in cohorts:
        census = cohort.census.drop_duplicates("upn", keep=False)
        joined = cohort.eyfsp.drop_duplicates("upn", keep=False).merge(
            census[["upn", "postcode"]], on="upn"
        )
        formed = joined["postcode"].astype(str).str.fullmatch(r"[A-Z]{1,2}[0-9]{1,2} [0-9][A-Z]{2}")
        dob = pd.to_datetime(joined["dob"], errors="coerce", format="%Y-%m-%d")
        joined = joined[formed & dob.notna()].assign(dob=dob[formed & dob.notna()])
        joined = joined[rng.random(len(joined)) < IN_RECORD]
        cl = ((joined["elg01"] == "2") & (joined["elg02"] == "2")).to_numpy(dtype=float)
        spread = max(cl.std(), 1e-9)
        frames.append(
            pd.DataFrame(
                {
                    "dob": joined["dob"].to_numpy(),
                    "sector": [sector_of(code) for code in joined["postcode"]],
                    "upn": joined["upn"].to_numpy(),
                    "reception": cohort.year.start,
                    "level": 0.6 * (cl - cl.mean()) / spread
                    + 0.8 * rng.standard_normal(len(joined)),
                }
            )
        )
    latest_cohort = max(cohort.year.start for cohort in cohorts)
    first_young = pd.Timestamp(latest_cohort - 4, 9, 1)  # after the youngest cohort's births
    per_day = np.mean([len(frame) for frame in frames]) / 365.25
    days = max((pd.Timestamp(last_birth) - first_young).days + 1, 0)
    young = rng.poisson(per_day * days)
    sectors = [sector for codes in authority.sectors().values() for sector in codes]
    frames.append(
        pd.DataFrame(
            {
                "dob": first_young + pd.to_timedelta(rng.integers(0, days, young), unit="D"),
                "sector": rng.choice(sectors, young),
                "upn": "",
                "reception": 0,
                "level": rng.standard_normal(young),
            }
        )
    )
    children = pd.concat(frames, ignore_index=True)
    children["nhs_number"] = (
        supply.take(len(children)) if supply else nhs_numbers(rng, len(children))
    )
    return children


def _written(numbers: pd.Series, rng: np.random.Generator) -> pd.Series:
    """About a third of NHS numbers written with spaces, as the NHS prints them."""
    spaced = numbers.str[:3] + " " + numbers.str[3:6] + " " + numbers.str[6:]
    return spaced.where(rng.random(len(numbers)) < 0.33, numbers)


def _plus_months(dates: pd.Series, months: np.ndarray) -> pd.Series:
    """Each date `months` later, the day clipped to the month's length (as DateOffset)."""
    when = pd.DatetimeIndex(dates)
    total = when.year.to_numpy() * 12 + when.month.to_numpy() - 1 + np.asarray(months)
    first = pd.to_datetime(pd.DataFrame({"year": total // 12, "month": total % 12 + 1, "day": 1}))
    day = np.minimum(when.day.to_numpy(), first.dt.days_in_month.to_numpy())
    return pd.Series((first + pd.to_timedelta(day - 1, unit="D")).to_numpy(), index=dates.index)


def _asq(level: np.ndarray, rng: np.random.Generator, mean: float = 43.0) -> np.ndarray:
    raw = mean + 15.0 * level
    return (np.clip(np.round(raw / 5.0), 0, 12) * 5).astype(int)


def _reviews(children: pd.DataFrame, year: int, rng: np.random.Generator) -> pd.DataFrame:
    """The children reaching 30 months in the financial year starting 1 April `year`."""
    start, end = pd.Timestamp(year, 4, 1), pd.Timestamp(year + 1, 3, 31)
    reached = _plus_months(children["dob"], np.full(len(children), 30))
    rows = children[(reached >= start) & (reached <= end)].reset_index(drop=True)
    n = len(rows)
    reviewed = rng.random(n) < 0.92
    late = rng.random(n) < 0.075 / 0.92  # reviewed after 30 months: 92% - 85%
    age = np.where(late, rng.integers(31, 36, n), rng.choice([24, 25, 26, 27, 28, 29, 30], n))
    review_date = _plus_months(rows["dob"], age) + pd.to_timedelta(rng.integers(0, 28, n), "D")
    scored = reviewed & (rng.random(n) < 0.95)
    communication = _asq(rows["level"].to_numpy(), rng)
    below = communication <= np.where(np.isin(age, [29, 30, 31, 35, 36, 37, 38]), 30, 25)
    asked = rng.random(n) < 0.85
    concerned = asked & (rng.random(n) < np.where(below, 0.5, 0.12))
    concern = np.where(concerned, "concern", np.where(asked, "no_concern", ""))
    concern = np.where(~asked & (rng.random(n) < 0.5), "not_asked", concern)
    words = np.where(concerned & (rng.random(n) < 0.4), rng.choice(np.array(CONCERN_WORDS), n), "")
    consent = np.where(words != "", np.where(rng.random(n) < 0.65, "Y", "N"), "")
    others = {
        column: np.where(
            scored & (rng.random(n) < 0.9),
            _asq(0.5 * rows["level"].to_numpy() + rng.standard_normal(n), rng, 47.0).astype(str),
            "",
        )
        for column in REVIEW_HEAD[5:9]
    }
    frame = pd.DataFrame(
        {
            "nhs_number": _written(rows["nhs_number"], rng),
            "date_of_birth": rows["dob"].dt.strftime("%Y-%m-%d"),
            "review_date": np.where(reviewed, review_date.dt.strftime("%Y-%m-%d"), ""),
            "age_in_months": np.where(reviewed, age.astype(str), ""),
            "asq_communication": np.where(scored, communication.astype(str), ""),
            **others,
            "parent_concern": np.where(reviewed, concern, ""),
            "concern_words": np.where(reviewed, words, ""),
            "consent_quote": np.where(reviewed, consent, ""),
            "postcode_sector": rows["sector"],
        }
    )
    frame["_nhs"] = rows["nhs_number"]
    frame["_below"] = scored & below
    frame["_date"] = review_date.where(reviewed)
    return frame


def _section(age: np.ndarray) -> np.ndarray:
    bands = np.array([6, 12, 18, 24, 30, 36, 42, 48, 60])  # seeds/wellcomm_sections.csv
    return np.searchsorted(bands, age, side="right")


def _screenings(children: pd.DataFrame, year: int, rng: np.random.Generator) -> pd.DataFrame:
    """About SCREENED_A_YEAR children screened in the financial year, with rescreens."""
    start = pd.Timestamp(year, 4, 1)
    when = pd.Series(start + pd.to_timedelta(rng.integers(0, 365, len(children)), "D"))
    months = ((when - children["dob"].reset_index(drop=True)).dt.days / 30.4375).astype(int)
    eligible = np.flatnonzero((months >= 18) & (months <= 60))
    chosen = rng.choice(eligible, min(len(eligible), rng.poisson(SCREENED_A_YEAR)), replace=False)
    rows = []
    for index in chosen:
        child = children.iloc[index]
        date, age = when.iloc[index], int(months.iloc[index])
        visits = [(date, age)]
        if rng.random() < 0.08 and date + pd.Timedelta(days=90) < start + pd.Timedelta(days=365):
            later = date + pd.Timedelta(days=int(rng.integers(90, 150)))
            if later < start + pd.Timedelta(days=365):
                visits.append((later, age + (later - date).days // 30))
        for visit_date, visit_age in visits:
            rows.extend(_one_screening(child, visit_date, min(visit_age, 60), rng))
    return pd.DataFrame(rows)


def _one_screening(child: pd.Series, date: pd.Timestamp, age: int, rng) -> list[dict]:
    """A screening and its same-day rescreens on lower sections until green."""
    section = int(_section(np.array([age]))[0])
    signal = child["level"] + 0.6 * rng.standard_normal()
    rag = "R" if signal < -1.25 else "A" if signal < -0.75 else "G"
    screens = [(section, rag)]
    while screens[-1][1] != "G" and screens[-1][0] > 1:
        lower = screens[-1][0] - 1
        screens.append((lower, "G" if rng.random() < 0.6 else screens[-1][1]))
    green = next((s for s, r in screens if r == "G"), None)
    recorded = rng.random() < 0.35
    view = rng.choice(np.array(VIEWS_BY_RESULT[rag])) if recorded and rng.random() < 0.5 else ""
    setting = f"EY{rng.integers(1, 25):03d}"
    rows = []
    for position, (number, result) in enumerate(screens):
        score = {"G": rng.integers(9, 13), "A": rng.integers(5, 9), "R": rng.integers(0, 5)}
        first = position == 0
        rows.append(
            {
                "nhs_number": child["nhs_number"],
                "screening_date": date.strftime("%Y-%m-%d"),
                "setting": setting,
                "age_in_months": age,
                "section": number,
                "score": int(score[result]),
                "rag": {"G": "Green", "A": "Amber", "R": "Red"}[result] if first else result,
                "green_section": "" if green is None else green,
                "rescreen": "N" if first else "Y",
                "parent_view_recorded": "Y" if recorded and first else "N",
                "parent_view": view if first else "",
                "consent_quote": ("Y" if rng.random() < 0.7 else "N") if view and first else "",
                "postcode_sector": child["sector"],
                "_first_red": first and result == "R",
                "_date": date,
            }
        )
    return rows


def _referrals(
    reviews: pd.DataFrame, screenings: pd.DataFrame, year: int, rng: np.random.Generator
) -> pd.DataFrame:
    """Referrals following the year's red screenings and some reviews below the cut-off."""
    reds = screenings[screenings["_first_red"] & (rng.random(len(screenings)) < 0.8)]
    days = np.minimum(np.round(rng.lognormal(np.log(25), 0.8, len(reds))), 120)
    from_reds = pd.DataFrame(
        {
            "nhs": reds["nhs_number"].to_numpy(),
            "date": reds["_date"].to_numpy() + pd.to_timedelta(days, "D").to_numpy(),
            "referral_source": rng.choice(["early_years_setting", "health_visitor"], len(reds)),
            "sector": reds["postcode_sector"].to_numpy(),
        }
    )
    below = reviews[reviews["_below"] & (rng.random(len(reviews)) < 0.3)]
    from_reviews = pd.DataFrame(
        {
            "nhs": below["_nhs"].to_numpy(),
            "date": below["_date"].to_numpy()
            + pd.to_timedelta(rng.integers(0, 60, len(below)), "D").to_numpy(),
            "referral_source": rng.choice(
                ["health_visitor", "gp", "parent", "other"], len(below), p=[0.7, 0.1, 0.15, 0.05]
            ),
            "sector": below["postcode_sector"].to_numpy(),
        }
    )
    referrals = pd.concat([from_reds, from_reviews], ignore_index=True)
    referrals["outcome"] = rng.choice(
        ["assessed", "advice_given", "declined", "waiting"],
        len(referrals),
        p=[0.55, 0.2, 0.1, 0.15],
    )
    return referrals[referrals["date"] >= pd.Timestamp(year, 4, 1)]


def write_early_communication(
    out: Path,
    authority: SyntheticAuthority,
    cohorts: Sequence[SyntheticCohort],
    seed: int,
    badge: Badge = BOROUGH,
    supply: NhsSupply | None = None,
) -> list[Path]:
    """Each financial year's reviews, screenings and referrals and each reception year's
    linkage file, as CSV files; returns the paths written. One authority of many: its
    badge names its files and referrals, and `supply` gives numbers no other has."""
    rng = np.random.default_rng([seed, EARLY_COMMUNICATION_STREAM])
    years = financial_years([cohort.year.start for cohort in cohorts])
    last_birth = pd.Timestamp(years[-1] + 1, 3, 31) - pd.DateOffset(months=30)
    children = _children(rng, authority, cohorts, last_birth.date(), supply)
    reviewed_children: set[str] = set()
    referrals_by_year: dict[int, list[pd.DataFrame]] = {year: [] for year in years}
    written: dict[tuple[str, int], pd.DataFrame] = {}
    help_year = years[len(years) // 2]
    for year in years:
        reviews = _reviews(children, year, rng)
        if year == help_year:  # the one request for help of the span
            concerned = np.flatnonzero(reviews["parent_concern"].to_numpy() == "concern")
            reviews.loc[concerned[0], ["concern_words", "consent_quote"]] = [HELP_REQUEST, "Y"]
        reviewed_children |= set(reviews["_nhs"])
        screenings = _screenings(children, year, rng)
        referrals = _referrals(reviews, screenings, year, rng)
        for when in (year, year + 1):
            end = pd.Timestamp(when + 1, 3, 31)
            part = referrals[
                (referrals["date"] >= pd.Timestamp(when, 4, 1)) & (referrals["date"] <= end)
            ]
            if when in referrals_by_year:
                referrals_by_year[when].append(part)
        written[("health_visitor_reviews", year)] = reviews.drop(
            columns=["_nhs", "_below", "_date"]
        )
        screens = screenings.drop(columns=["_first_red", "_date"])
        screens["nhs_number"] = _written(screens["nhs_number"], rng)
        written[("wellcomm_screenings", year)] = screens
    for year in years:
        referrals = pd.concat(referrals_by_year[year], ignore_index=True).sort_values("date")
        written[("slt_referrals", year)] = badge.frame(
            pd.DataFrame(
                {
                    "referral_id": [
                        f"SLT{year % 100:02d}{n:05d}" for n in range(1, len(referrals) + 1)
                    ],
                    "nhs_number": referrals["nhs"].to_numpy(),
                    "referral_date": pd.to_datetime(referrals["date"]).dt.strftime("%Y-%m-%d"),
                    "referral_source": referrals["referral_source"].to_numpy(),
                    "outcome": referrals["outcome"].to_numpy(),
                    "postcode_sector": referrals["sector"].to_numpy(),
                }
            ),
            ids=["referral_id"],
        )
    paths = []
    names = {
        "health_visitor_reviews": "two_year_reviews.csv",
        "wellcomm_screenings": "wellcomm_screenings.csv",
        "slt_referrals": "slt_referrals.csv",
    }
    for (kind, year), frame in written.items():
        paths.append(_write(out / kind / _folder(year) / badge.name(names[kind]), frame))
    for cohort in cohorts:
        known = children[
            (children["reception"] == cohort.year.start)
            & children["nhs_number"].isin(reviewed_children)
        ]
        linked = known[rng.random(len(known)) < LINKED]
        if linked.empty:
            continue
        frame = pd.DataFrame(
            {"nhs_number": _written(linked["nhs_number"], rng), "upn": linked["upn"]}
        ).iloc[rng.permutation(len(linked))]
        path = out / "health_education_linkage" / cohort.year.folder / badge.name("linkage.csv")
        paths.append(_write(path, frame))
    return paths


def _write(path: Path, frame: pd.DataFrame) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
    return path
