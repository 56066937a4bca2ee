"""Synthetic children, simulated year by year: their EYFSP returns and census extracts.

No real child is in here. Children are simulated column by column with numpy, so national
size (about 620,000 children a year) takes seconds, and the same seed always gives the same
files.

Outcomes come from one latent "development" score per child: sex, free school meals,
English as an additional language, special educational needs, age within the year and the
neighbourhood's deprivation shift it, and each ELG is at expected when the score plus some
goal-specific noise clears that goal's difficulty. The coefficients were tuned so that the
gaps by sex, FSM, first language and season of birth land near the national gaps in
seeds/eyfsp_england_headlines.csv, and each year's intercept is solved by bisection so the
area's GLD lands on its target (the borough near Rochdale's ~60%, England on England's).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from indicators.config import PROJECT_ROOT
from indicators.reference import ELG_COLUMNS, AcademicYear, early_learning_goals
from indicators.synthetic.authorities import SyntheticAuthority

# Relative difficulty of each ELG on the latent scale (higher = fewer at expected), chosen so
# the order matches national results: writing and word reading hardest, gross motor easiest.
ELG_DIFFICULTY: tuple[float, ...] = (
    -0.20,
    -0.15,
    -0.15,
    -0.30,
    -0.35,
    -0.55,
    -0.10,  # CL, PSED, PD
    0.00,
    0.20,
    0.40,
    0.10,
    0.15,  # literacy, maths
    -0.15,
    -0.15,
    -0.25,
    -0.30,
    -0.25,  # UW, EAD
)
ELG_NOISE = 0.45

# Latent-scale effects, tuned against the national gaps (see tests/test_synthetic.py).
EFFECT_FEMALE = 0.34
EFFECT_FSM = -0.47
EFFECT_EAL = -0.12
EFFECT_AGE_PER_MONTH = 0.062  # oldest (September) to youngest (August): 11 months
EFFECT_SEN_SUPPORT = -1.10
EFFECT_EHCP = -2.40
EFFECT_DEPRIVATION = -0.30
EFFECT_RECENT_ARRIVAL = -0.30

ETHNICITY_ENGLISH = (
    ("WHIT", 0.82),
    ("MIXD", 0.07),
    ("ASIA", 0.06),
    ("BLAC", 0.03),
    ("AOEG", 0.01),
    ("REFU", 0.005),
    ("NOBT", 0.005),
)
ETHNICITY_OTHER = (
    ("ASIA", 0.58),
    ("BLAC", 0.14),
    ("WHIT", 0.14),
    ("AOEG", 0.08),
    ("CHNE", 0.04),
    ("MIXD", 0.02),
)

FORENAMES = (
    "Amelia",
    "Olivia",
    "Isla",
    "Ava",
    "Mia",
    "Aisha",
    "Fatima",
    "Zara",
    "Maryam",
    "Lily",
    "Grace",
    "Ruby",
    "Freya",
    "Hana",
    "Noor",
    "Oliver",
    "George",
    "Noah",
    "Muhammad",
    "Arthur",
    "Leo",
    "Harry",
    "Oscar",
    "Jack",
    "Ibrahim",
    "Yusuf",
    "Ayaan",
    "Theo",
    "Alfie",
    "Kacper",
    "Jakub",
    "Tomasz",
    "Chidi",
    "Kwame",
    "Ali",
)
SURNAMES = (
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Hussain",
    "Khan",
    "Ahmed",
    "Ali",
    "Begum",
    "Akhtar",
    "Walker",
    "Wright",
    "Thompson",
    "Robinson",
    "Hughes",
    "Kowalski",
    "Nowak",
    "Okafor",
    "Mensah",
    "Patel",
    "Shah",
    "Iqbal",
    "Clarke",
    "Butterworth",
    "Ashworth",
    "Greenwood",
    "Kershaw",
    "Holt",
)
UNIT_LETTERS = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))
UPN_ALPHABET = np.array(list("ABCDEFGHJKLMNPQRTUVWXYZ"))

EYFSP_COLUMNS = ("la_code", "estab", "upn", "surname", "forename", "dob", "sex", *ELG_COLUMNS)
CENSUS_COLUMNS = ("upn", "fsm_eligible", "first_language", "sen_provision", "ethnicity", "postcode")


@dataclass
class SyntheticCohort:
    """One academic year's children for one or more authorities, as landed files would hold them."""

    year: AcademicYear
    eyfsp: pd.DataFrame
    census: pd.DataFrame
    la_codes: np.ndarray = field(repr=False)


def england_gld_targets(path: Path | None = None) -> dict[int, float]:
    """England's GLD % by time period from the reference seed."""
    source = path or PROJECT_ROOT / "seeds" / "eyfsp_england_headlines.csv"
    with source.open(encoding="utf-8", newline="") as handle:
        return {
            int(row["time_period"]): float(row["gld_percent"])
            for row in csv.DictReader(handle)
            if row["geographic_level"] == "National" and row["breakdown"] == "All"
        }


def gld_target(year: AcademicYear, base: float | None) -> float:
    targets = england_gld_targets()
    # Beyond the published years, carry the latest forward.
    england = targets.get(year.time_period, targets[max(targets)])
    if base is None:
        return england
    return base + england - targets[min(targets)]


def upn_check_letters(bodies: np.ndarray) -> np.ndarray:
    """Check letters for 12-digit UPN bodies (the DfE algorithm, vectorised).

    Digits sit at alphabet positions 23 to 32, so each adds 23 x weight, which is 0 mod 23.
    """
    digits = np.frombuffer("".join(bodies).encode("ascii"), dtype=np.uint8).reshape(-1, 12) - 48
    weights = np.arange(2, 14)
    return UPN_ALPHABET[(digits.astype(np.int64) @ weights) % 23]


def _choice(
    rng: np.random.Generator, options: Sequence[tuple[str, float]], size: int
) -> np.ndarray:
    labels = np.array([label for label, _ in options])
    weights = np.array([weight for _, weight in options], dtype=float)
    return labels[rng.choice(len(labels), size=size, p=weights / weights.sum())]


def _latent(
    rng: np.random.Generator, people: dict[str, np.ndarray], n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Latent score without the year intercept, and goal noise (n x 17)."""
    months_old = (8 - people["birth_month"]) % 12  # September-born 11, August-born 0
    score = (
        EFFECT_FEMALE * (people["sex"] == "F")
        + EFFECT_FSM * people["fsm"]
        + EFFECT_EAL * (people["first_language"] == "OTH")
        + EFFECT_AGE_PER_MONTH * (months_old - 5.5)
        + EFFECT_SEN_SUPPORT * (people["sen"] == "K")
        + EFFECT_EHCP * (people["sen"] == "E")
        + EFFECT_DEPRIVATION * people["deprivation"]
        + EFFECT_RECENT_ARRIVAL * people["recent_arrival"]
        + people["shift"]
        + rng.standard_normal(n)
    )
    noise = ELG_NOISE * rng.standard_normal((n, len(ELG_COLUMNS))) - np.asarray(ELG_DIFFICULTY)
    return score, noise


def _gld_rate(
    score: np.ndarray, noise: np.ndarray, intercept: float, gld_mask: np.ndarray
) -> float:
    expected = (score + intercept)[:, None] + noise[:, gld_mask] > 0
    return float(expected.all(axis=1).mean())


def solve_intercept(score: np.ndarray, noise: np.ndarray, target_percent: float) -> float:
    """The intercept at which the share at GLD equals the target (bisection; GLD rises with it)."""
    gld_mask = np.array([goal.counts_towards_gld for goal in early_learning_goals()])
    low, high = -4.0, 6.0
    for _ in range(40):
        middle = (low + high) / 2
        if _gld_rate(score, noise, middle, gld_mask) * 100 < target_percent:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def _people(
    rng: np.random.Generator,
    authorities: Sequence[SyntheticAuthority],
    sizes: Sequence[int],
    year: AcademicYear,
) -> dict[str, np.ndarray]:
    """Everything about each child except outcomes and identifiers."""
    la_index = np.repeat(np.arange(len(authorities)), sizes)
    n = int(la_index.size)
    hood_share = [np.array([h.share for h in a.neighbourhoods]) for a in authorities]
    hood_index = np.empty(n, dtype=np.int64)
    for index, size in enumerate(sizes):
        where = la_index == index
        shares = hood_share[index] / hood_share[index].sum()
        hood_index[where] = rng.choice(len(shares), size=size, p=shares)

    def per_hood(attribute: str) -> np.ndarray:
        table = np.array([[getattr(h, attribute) for h in a.neighbourhoods] for a in authorities])
        return table[la_index, hood_index]

    sex = np.where(rng.random(n) < 0.488, "F", "M")
    # Slightly more summer and autumn births, as in England.
    month_weights = np.array([8.3, 8.0, 8.3, 8.0, 8.4, 8.3, 8.5, 8.7, 8.6, 8.4, 8.5, 8.0])
    months = np.array([9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8])
    birth_month = months[rng.choice(12, size=n, p=month_weights / month_weights.sum())]
    birth_year = np.where(birth_month >= 9, year.start - 5, year.start - 4)
    days_in_month = _days_in_month(birth_year, birth_month)
    birth_day = 1 + (rng.random(n) * days_in_month).astype(np.int64)

    fsm = rng.random(n) < per_hood("fsm_rate")
    eal_draw = rng.random(n)
    first_language = np.where(eal_draw < per_hood("eal_rate"), "OTH", "ENG")
    first_language = np.where(eal_draw > 0.995, "UNK", first_language)
    boy = sex == "M"
    sen_draw = rng.random(n)
    ehcp_rate = 0.012 * np.where(boy, 1.5, 0.5)
    support_rate = 0.075 * np.where(boy, 1.4, 0.6) * np.where(fsm, 1.5, 0.85)
    sen = np.where(
        sen_draw < ehcp_rate, "E", np.where(sen_draw < ehcp_rate + support_rate, "K", "N")
    )
    ethnicity = np.where(
        first_language == "OTH",
        _choice(rng, ETHNICITY_OTHER, n),
        _choice(rng, ETHNICITY_ENGLISH, n),
    )
    recent_arrival = rng.random(n) < per_hood("transience")
    return {
        "la_index": la_index,
        "hood_index": hood_index,
        "sex": sex,
        "birth_year": birth_year,
        "birth_month": birth_month,
        "birth_day": birth_day,
        "fsm": fsm,
        "first_language": first_language,
        "sen": sen,
        "ethnicity": ethnicity,
        "recent_arrival": recent_arrival,
        "deprivation": per_hood("deprivation"),
        "shift": np.array([a.shift for a in authorities])[la_index],
    }


def _days_in_month(years: np.ndarray, months: np.ndarray) -> np.ndarray:
    starts = (years - 1970) * 12 + (months - 1)
    first = np.array(starts, dtype="datetime64[M]")
    return ((first + 1).astype("datetime64[D]") - first.astype("datetime64[D]")).astype(np.int64)


def _elg_results(
    rng: np.random.Generator,
    score: np.ndarray,
    noise: np.ndarray,
    intercept: float,
    recent_arrival: np.ndarray,
) -> np.ndarray:
    expected = (score + intercept)[:, None] + noise > 0
    results = np.where(expected, "2", "1").astype("<U1")
    n = score.size
    # Not assessed: mostly children who arrived too late in the year, rarely one goal alone.
    whole_child = rng.random(n) < np.where(recent_arrival, 0.03, 0.002)
    results[whole_child, :] = "A"
    single = rng.random(n) < 0.002
    results[single, rng.integers(0, len(ELG_COLUMNS), size=n)[single]] = "A"
    return results


def _identifiers(
    rng: np.random.Generator,
    authorities: Sequence[SyntheticAuthority],
    people: dict[str, np.ndarray],
    year: AcademicYear,
) -> dict[str, np.ndarray]:
    n = people["la_index"].size
    la_index, hood_index = people["la_index"], people["hood_index"]
    # About 45 children per school, schools numbered 2001.. within each neighbourhood block.
    key = la_index * 10 + hood_index
    schools_per_hood = np.maximum(1, np.bincount(key) // 45)
    school_in_hood = (rng.random(n) * schools_per_hood[key]).astype(np.int64)
    estab_number = 2001 + hood_index * 100 + school_in_hood
    # UPN: check letter, issuing LA, school, two-digit year of issue, serial within school.
    upn_las = [np.array(a.upn_la_numbers) for a in authorities]
    issuing = np.empty(n, dtype="<U3")
    for index, numbers in enumerate(upn_las):
        where = la_index == index
        issuing[where] = numbers[
            rng.choice(len(numbers), size=int(where.sum()), p=_issuing_weights(len(numbers)))
        ]
    order = np.lexsort((rng.random(n), estab_number, la_index))
    serial = np.empty(n, dtype=np.int64)
    group_key = la_index[order] * 10_000 + estab_number[order]
    starts = np.r_[0, np.flatnonzero(np.diff(group_key)) + 1]
    counts = np.diff(np.r_[starts, n])
    serial[order] = np.arange(n) - np.repeat(starts, counts)
    issue_year = f"{(year.start - 1) % 100:02d}"
    bodies = np.char.add(
        np.char.add(np.char.add(issuing, np.char.zfill(estab_number.astype(str), 4)), issue_year),
        np.char.zfill(serial.astype(str), 3),
    )
    if serial.max(initial=0) > 999:
        raise ValueError("too many children per school for a 3-digit UPN serial")
    upn = np.char.add(upn_check_letters(bodies), bodies)

    sectors = [a.sectors() for a in authorities]
    sector_table = np.array(
        [[sectors[i][h.code] for h in a.neighbourhoods] for i, a in enumerate(authorities)]
    )
    sector = sector_table[la_index, hood_index, rng.integers(0, 6, size=n)]
    unit = np.char.add(
        UNIT_LETTERS[rng.integers(0, 20, size=n)], UNIT_LETTERS[rng.integers(0, 20, size=n)]
    )
    # A sector is the outward code and the inward digit ("XH3 2"); the unit adds two letters.
    postcode = np.char.add(sector, unit)
    dob = np.char.add(
        np.char.add(
            np.char.add(people["birth_year"].astype(str), "-"),
            np.char.zfill(people["birth_month"].astype(str), 2),
        ),
        np.char.add("-", np.char.zfill(people["birth_day"].astype(str), 2)),
    )
    return {
        "estab": np.char.zfill(estab_number.astype(str), 4),
        "upn": upn,
        "postcode": postcode,
        "forename": np.array(FORENAMES)[rng.integers(0, len(FORENAMES), size=n)],
        "surname": np.array(SURNAMES)[rng.integers(0, len(SURNAMES), size=n)],
        "dob": dob,
    }


def _issuing_weights(count: int) -> np.ndarray:
    weights = np.array([0.8] + [0.2 / max(count - 1, 1)] * (count - 1)) if count > 1 else np.ones(1)
    return weights / weights.sum()


def simulate_year(
    authorities: Sequence[SyntheticAuthority],
    sizes: Sequence[int],
    year: AcademicYear,
    target_gld_percent: float,
    seed: int,
) -> SyntheticCohort:
    """One year's EYFSP return and census extract for the given authorities."""
    rng = np.random.default_rng([seed, year.start])
    people = _people(rng, authorities, sizes, year)
    n = people["la_index"].size
    score, noise = _latent(rng, people, n)
    # Solve the intercept on (up to) 60,000 of these children: common random numbers make
    # the bisection exact for them and representative for the rest.
    sample = slice(0, n) if n <= 60_000 else rng.choice(n, size=60_000, replace=False)
    intercept = solve_intercept(score[sample], noise[sample], target_gld_percent)
    results = _elg_results(rng, score, noise, intercept, people["recent_arrival"])
    ids = _identifiers(rng, authorities, people, year)

    la_codes = np.array([a.la_code for a in authorities])[people["la_index"]]
    eyfsp = pd.DataFrame(
        {
            "la_code": la_codes,
            "estab": ids["estab"],
            "upn": ids["upn"],
            "surname": ids["surname"],
            "forename": ids["forename"],
            "dob": ids["dob"],
            "sex": people["sex"],
            **{column: results[:, index] for index, column in enumerate(ELG_COLUMNS)},
        }
    )
    census = pd.DataFrame(
        {
            "upn": ids["upn"],
            "fsm_eligible": np.where(people["fsm"], "Y", "N"),
            "first_language": people["first_language"],
            "sen_provision": people["sen"],
            "ethnicity": people["ethnicity"],
            "postcode": ids["postcode"],
        }
    )
    # Census extracts come from a different system, in a different order.
    census_order = rng.permutation(n)
    return SyntheticCohort(
        year=year,
        eyfsp=eyfsp,
        census=census.iloc[census_order].reset_index(drop=True),
        la_codes=la_codes,
    )
