"""Early-communication landing files written by the tests themselves (not the synthetic
generator): health visitor reviews, WellComm screenings, speech and language therapy
referrals and the health-education linkage file, beside a `chorus synth` landing's EYFSP
return and census.

- Financial year 2023-24 holds only HAND-WORKED children, all in one postcode sector, so the
  authority's and that neighbourhood's figures are known without computing anything
  (HAND_WORKED): the concern agreement and the 42-day rule with its edge cases (referral the
  same day, on day 42, on day 43, before the screening; a day-42 referral in the next
  year's file; a red rescreen after an amber first screening).
- Financial year 2024-25 holds random children in every postcode sector.
- The reception children of 2024/25 (the synth landing's EYFSP return) are partly linked to
  a two-year review (in the financial year they reached 30 months) by the linkage file
  (academic year 2024-25); some linkage rows point at NHS numbers without a review.
"""

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

SOURCES = (
    "health_visitor_reviews",
    "wellcomm_screenings",
    "slt_referrals",
    "health_education_linkage",
)
HAND_WORKED = {
    # (indicator, numerator, denominator) for 2023-24, the authority and the one neighbourhood
    # 53 scored by 30 months (12 + 10 + 11 + 10 + 10), 22 above the cut-off; the 10 scored at
    # 32 months are not two-to-two-and-a-half-year reviews
    "ec_asq_communication_expected": (22, 53),
    "ec_review_by_30_months": (53, 73),
    "ec_concern_but_expected": (12, 22),
    "ec_below_without_concern": (11, 21),
    "ec_wellcomm_green": (12, 73),
    "ec_wellcomm_amber": (21, 73),
    "ec_wellcomm_red": (40, 73),
    "ec_red_referred_6_weeks": (20, 40),
    "ec_wellcomm_parent_view": (30, 83),
}


CONCERNS = [
    "He only has a few words and gets cross when we do not understand him.",
    "She points at things instead of saying them.",
    "Her older brother talked much earlier than she has.",
]
VIEWS = [
    "We sing songs at bath time and he joins in now.",
    "She understands everything but does not say much yet.",
]
HELP_REQUEST = "Please can someone ring me, I am worried and do not know where to turn."
"""Written with consent to quote: a request for help is never a quote (it goes on the
restricted follow-up list)."""


def nhs_numbers(rng: np.random.Generator, count: int) -> list[str]:
    """Distinct valid NHS numbers in the test range (999...), modulus 11 check digit."""
    found: dict[str, None] = {}
    while len(found) < count:
        digits = [9, 9, 9, *rng.integers(0, 10, size=6).tolist()]
        check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
        if check == 10:
            continue
        check = 0 if check == 11 else check
        found["".join(map(str, [*digits, check]))] = None
    return list(found)


def _months(start: date, months: int) -> date:
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, min(start.day, 28))


def _review(nhs, born, sector, age=None, score=None, concern="not_asked") -> dict:
    reviewed = age is not None
    return {
        "nhs_number": nhs,
        "date_of_birth": born.isoformat(),
        "review_date": _months(born, age).isoformat() if reviewed else "",
        "age_in_months": str(age) if reviewed else "",
        "asq_communication": "" if score is None else str(score),
        "parent_concern": concern if reviewed else "",
        "concern_words": "",
        "consent_quote": "N",
        "postcode_sector": sector,
    }


BANDS = [(6, 11), (12, 17), (18, 23), (24, 29), (30, 35), (36, 41), (42, 47), (48, 59), (60, 72)]


def _screening(nhs, day, sector, rag, rescreen="N", view="N", age=26) -> dict:
    section = next(i for i, (low, high) in enumerate(BANDS, start=1) if low <= age <= high)
    return {
        "nhs_number": nhs,
        "screening_date": day.isoformat(),
        "setting": "Little Acorns Nursery",
        "age_in_months": str(age),
        "section": str(section),
        "score": {"G": "11", "A": "7", "R": "3"}[rag],
        "rag": rag,
        "green_section": str(section) if rag == "G" else "",
        "rescreen": rescreen,
        "parent_view_recorded": view,
        "parent_view": "",
        "consent_quote": "N",
        "postcode_sector": sector,
    }


def _referral(referral_id, nhs, day, sector) -> dict:
    return {
        "referral_id": referral_id,
        "nhs_number": nhs,
        "referral_date": day.isoformat(),
        "referral_source": "health_visitor",
        "outcome": "assessed",
        "postcode_sector": sector,
    }


def write(landing: Path, seed: int = 5) -> None:
    """Write the four sources into `landing` (replacing any the generator wrote)."""
    rng = np.random.default_rng(seed)
    sectors = pd.read_csv(landing / "seeds" / "neighbourhood_lookup.csv", dtype=str)[
        "postcode_sector"
    ].tolist()
    numbers = iter(nhs_numbers(rng, 3000))
    reviews: dict[str, list] = {"2021-22": [], "2022-23": [], "2023-24": [], "2024-25": []}
    screenings: dict[str, list] = {"2023-24": [], "2024-25": []}
    referrals: dict[str, list] = {"2023-24": [], "2024-25": []}

    # -- 2023-24, hand-worked: one sector; born in 2021, so 30 months in 2023-24 ------------
    one = sectors[0]
    born = date(2021, 3, 10)  # 30 months on 2023-09-10
    cases = (
        [(27, 60, "concern")] * 12
        + [(27, 0, "concern")] * 10
        + [(27, 0, "no_concern")] * 11
        + [(27, 0, "not_asked")] * 10
        + [(27, 60, "no_concern")] * 10
        + [(32, 60, "no_concern")] * 10  # reviewed after 30 months: scored, not in time
        + [(None, None, "")] * 10  # not reviewed
    )
    for age, score, concern in cases:
        reviews["2023-24"].append(_review(next(numbers), born, one, age, score, concern))
    day = date(2023, 10, 2)
    referral_id = 1

    def refer(nhs, when):
        nonlocal referral_id
        folder = "2023-24" if when < date(2024, 4, 1) else "2024-25"
        referrals[folder].append(_referral(f"R{referral_id:05d}", nhs, when, one))
        referral_id += 1

    views = iter([True] * 30 + [False] * 100)
    for offset in (0, 42, 43, -5):  # 10 red first screenings each; referral on this day
        for _ in range(10):
            nhs = next(numbers)
            screenings["2023-24"].append(_screening(nhs, day, one, "R", view="YN"[not next(views)]))
            refer(nhs, day + timedelta(days=offset))
    # the day-42 children are screened on 20 March 2024 and referred on 1 May 2024 (day 42),
    # in the next year's referral file
    late = date(2024, 3, 20)
    for row in screenings["2023-24"][10:20]:  # the day-42 children: move them to 20 March
        row["screening_date"] = late.isoformat()
    for row in referrals["2023-24"][10:20]:
        row["referral_date"] = (late + timedelta(days=42)).isoformat()
    referrals["2024-25"] += referrals["2023-24"][10:20]
    del referrals["2023-24"][10:20]
    for rag, count in (("G", 12), ("A", 11)):
        for _ in range(count):
            view = "YN"[not next(views)]
            screenings["2023-24"].append(_screening(next(numbers), day, one, rag, view=view))
    for _ in range(10):  # amber first, then a red rescreen referred the next day: not red
        nhs = next(numbers)
        screenings["2023-24"].append(_screening(nhs, day, one, "A", view="YN"[not next(views)]))
        again = day + timedelta(days=20)
        screenings["2023-24"].append(_screening(nhs, again, one, "R", "Y", "YN"[not next(views)]))
        refer(nhs, again + timedelta(days=1))

    # -- 2024-25, random: born April 2022 to March 2023 minus 30 months --------------------
    for _ in range(320):
        nhs = next(numbers)
        born = date(2021, 10, 1) + timedelta(days=int(rng.integers(0, 360)))
        sector = sectors[int(rng.integers(0, len(sectors)))]
        reviewed = rng.random() < 0.85
        age = int(rng.integers(24, 34)) if reviewed else None
        score = int(rng.choice(np.arange(0, 65, 5))) if reviewed and rng.random() < 0.9 else None
        concern = str(rng.choice(["concern", "no_concern", "not_asked"], p=[0.25, 0.6, 0.15]))
        review = _review(nhs, born, sector, age, score, concern)
        if reviewed and concern == "concern" and rng.random() < 0.5:
            review["concern_words"] = CONCERNS[int(rng.integers(0, len(CONCERNS)))]
            review["consent_quote"] = "Y" if rng.random() < 0.8 else "N"
        if len(reviews["2024-25"]) == 7:
            review |= {"concern_words": HELP_REQUEST, "consent_quote": "Y"}
        reviews["2024-25"].append(review)
        if rng.random() < 0.8:
            first = date(2024, 4, 1) + timedelta(days=int(rng.integers(0, 300)))
            rag = str(rng.choice(["G", "A", "R"], p=[0.6, 0.25, 0.15]))
            view = "Y" if rng.random() < 0.4 else "N"
            age = int(rng.integers(12, 60))
            screening = _screening(nhs, first, sector, rag, view=view, age=age)
            if view == "Y" and rng.random() < 0.5:
                screening["parent_view"] = VIEWS[int(rng.integers(0, len(VIEWS)))]
                screening["consent_quote"] = "Y"
            screenings["2024-25"].append(screening)
            if rag != "G" and rng.random() < 0.5:
                again = first + timedelta(days=int(rng.integers(14, 60)))
                if again < date(2025, 4, 1):
                    rag2 = str(rng.choice(["G", "A", "R"]))
                    screenings["2024-25"].append(
                        _screening(nhs, again, sector, rag2, "Y", view, age=age)
                    )
            if rag == "R" and rng.random() < 0.7:
                when = first + timedelta(days=int(rng.integers(-10, 70)))
                if date(2024, 4, 1) <= when < date(2025, 4, 1):
                    referrals["2024-25"].append(_referral(f"R{referral_id:05d}", nhs, when, sector))
                    referral_id += 1

    # -- linkage: 2024/25 reception children, reviewed when they reached 30 months ----------
    eyfsp = pd.read_csv(landing / "eyfsp" / "2024-25" / "eyfsp_return.csv", dtype=str)
    links = []
    for row in eyfsp.itertuples():
        if rng.random() < 0.35:
            continue
        nhs = next(numbers)
        links.append({"nhs_number": f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}", "upn": row.upn})
        if rng.random() < 0.1:
            continue  # linked, but no review in any file
        born = date.fromisoformat(row.dob)
        thirty = _months(born, 30)
        starts = thirty.year - (thirty.month < 4)  # the financial year of the 30 months
        folder = f"{starts}-{(starts + 1) % 100:02d}"
        sector = sectors[int(rng.integers(0, len(sectors)))]
        score = int(rng.choice(np.arange(0, 65, 5))) if rng.random() < 0.9 else None
        reviews[folder].append(_review(nhs, born, sector, 27, score, "no_concern"))

    for source, by_year in (
        ("health_visitor_reviews", reviews),
        ("wellcomm_screenings", screenings),
        ("slt_referrals", referrals),
        ("health_education_linkage", {"2024-25": links}),
    ):
        for old in (landing / source).glob("*/*.csv"):
            old.unlink()
        for folder, rows in by_year.items():
            if rows:
                (landing / source / folder).mkdir(parents=True, exist_ok=True)
                pd.DataFrame(rows).to_csv(landing / source / folder / f"{source}.csv", index=False)
