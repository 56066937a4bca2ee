"""Synthetic voice survey responses for the synthetic borough (or England), one year at a time.

Respondents are parents of the cohort's children, so their answers can relate to the
children's outcomes and a consented subset links to the EYFSP record. Everything is drawn
with numpy from its own random stream ([seed, year, VOICE_STREAM]), so adding voice leaves
the statutory files byte for byte as they were, and the same seed gives the same responses.

- **Who is heard.** Each family has a propensity per channel. Parent panels, online forms and
  the family hub mostly reach families who use funded early education, speak English at home
  and are known to the hub; outreach visits reach the seldom heard (not using funded early
  education, English as an additional language, not known to the hub). Reach also falls with
  the neighbourhood's deprivation and transience, so the most deprived, most transient
  neighbourhood is reached least. A scale factor is solved so that about `rate` of the
  cohort responds.
- **What they say.** Answers come from a few latent factors: home learning (driven by the
  child's ELG results, so daily reading is more common where the child reached GLD), access
  to services (knowing the hub, using funded hours, language, neighbourhood), and family
  circumstances (FSM, deprivation). About 4% of items are left blank.
- **Consent.** Aggregate use ~97%, quotes ~40%, linkage ~50% (a little lower for seldom-heard
  families); the child's real synthetic UPN is written only where linkage is consented.
- **Free text.** A few items carry `<item_id>_comment` answers; some contain the child's
  first name, the family's postcode, the child's date of birth or UPN, a phone number from
  Ofcom's drama ranges or an example.com e-mail address, so that scrubbing is exercised.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from indicators.reference import ELG_COLUMNS, AcademicYear, gld_columns

VOICE_STREAM = 4242
DEFAULT_RATE = 0.125
CHANNELS = ("outreach_visit", "family_hub", "parent_panel", "online")
COMMENT_ITEMS = ("read_together", "hub_easy_to_reach", "enough_money")
SURVEY_HEAD = (
    "response_id",
    "response_date",
    "postcode_sector",
    "neighbourhood_code",
    "channel",
    "uses_funded_early_education",
    "english_additional_language",
    "known_to_family_hub",
    "consent_aggregate",
    "consent_quote",
    "consent_link",
    "child_upn",
)

# Item -> (scale, factor weights, offset). Factors: home, access, circumstances, health.
ITEM_MODEL: dict[str, tuple[dict[str, float], float]] = {
    "read_together": ({"home": 1.0}, 0.55),
    "play_together": ({"home": 0.8}, 0.35),
    "outdoor_play": ({"home": 0.4, "circumstances": 0.3}, 0.2),
    "confident_learning": ({"home": 0.6, "access": 0.2}, 0.35),
    "development_help": ({"access": 0.8}, 0.1),
    "two_year_review": ({"access": 0.7, "health": 0.3}, 1.3),
    "talking_understanding": ({"home": 0.5, "health": 0.5}, 0.0),
    "funded_hours_used": ({"access": 0.5}, 0.0),
    "hub_easy_to_reach": ({"access": 0.7}, 0.0),
    "services_understand": ({"access": 0.7}, 0.2),
    "heard_about_activities": ({"access": 0.8}, 0.1),
    "services_listen": ({"access": 0.6}, 0.0),
    "enough_money": ({"circumstances": 1.0}, 0.7),
    "someone_to_turn_to": ({"circumstances": 0.4, "access": 0.3}, 0.6),
    "home_space": ({"circumstances": 0.8}, 0.3),
    "life_satisfaction": ({"circumstances": 0.6, "home": 0.2}, 0.0),
}
FIVE_POINT_CUTS = np.array([-1.9, -1.1, -0.3, 0.55])

# Ofcom's ranges for drama: never a real person's number.
MOBILES = ("07700 900{n:03d}", "07700900{n:03d}", "+44 7700 900{n:03d}", "07700-900-{n:03d}")
LANDLINES = ("0161 496 0{n:03d}", "(0161) 496 0{n:03d}", "+44 (0)161 496 0{n:03d}")

COMMENTS: dict[str, dict[bool, tuple[str, ...]]] = {
    "read_together": {
        True: (
            "We read every night before bed, {name} loves the library books.",
            "{Name} picks a story every night and we read it together.",
            "Her nan reads to her in Urdu and I read to her in English.",
            "The Bookstart packs really helped us get going with books.",
            "We go to the library on Saturdays and {name} chooses the books.",
            "Reading with her big brother is the best part of the day.",
            "me and {lname} read on the bus to nursery every morning",
            "We read most days, my daughter {name} was born {dob} and loves stories.",
        ),
        False: (
            "Hard to find time to read with three kids and two jobs.",
            "We don't have many books at home in English.",
            "I struggle with reading myself so I don't feel confident reading to him.",
            "My son {name} was born {dob} and still won't sit for a story.",
            "Would like more story sessions at the hub, call me on {phone}.",
            "We went to Rhyme Time at Little Acorns but it stopped.",
            "Not much time, we are in {postcode} and the library shut.",
        ),
    },
    "hub_easy_to_reach": {
        True: (
            "The hub is a short walk and the staff are lovely.",
            "We get the bus to the hub and it's easy with the pram.",
            "The hub in {hood} is close and we go every week.",
            "Easy to get to, the stay and play on Tuesdays is great.",
        ),
        False: (
            "The bus to the hub takes two changes and costs too much.",
            "It's a long walk with the pram and there is no bus.",
            "We live at {postcode}, nothing is close to us.",
            "Email me at {email}, I never hear about sessions at the hub.",
            "No car and the hub is too far, please ring {phone}.",
            "We moved here in {month} and nobody told us where the hub is.",
        ),
    },
    "enough_money": {
        True: (
            "We manage but only just, nursery fees are the big worry.",
            "We're okay for now since I went back to work.",
            "Money is tight but we get by with help from family.",
        ),
        False: (
            "Food bank twice this month, everything costs more.",
            "Nursery fees after the funded hours are hard.",
            "His UPN is {upn}, the school said you could help with uniform.",
            "Universal Credit was cut and we are behind on the rent.",
            "I can't afford the bus to the hub some weeks.",
            "Please contact Mrs {surname} on {phone} about help with costs.",
            "Struggling since Kerrigan Mills closed and my husband lost his job.",
        ),
    },
}
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "June",
    "July",
    "September",
    "October",
    "November",
    "December",
)


def _ordinal(day: int) -> str:
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _written_dob(iso: str, style: int) -> str:
    year, month, day = (int(part) for part in iso.split("-"))
    names = (
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
    )
    if style == 0:
        return f"{_ordinal(day)} {names[month - 1]} {year}"
    if style == 1:
        return f"{day:02d}/{month:02d}/{year}"
    return f"{names[month - 1]} {_ordinal(day)}, {year}"


def _solve_scale(total: np.ndarray, rate: float) -> float:
    """k such that mean(1 - exp(-k * total)) equals the response rate (bisection)."""
    low, high = 0.0, 1000.0
    for _ in range(60):
        middle = (low + high) / 2
        if np.mean(1 - np.exp(-middle * total)) < rate:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def _sigmoid(values: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-values))


def _yes_no(flags: np.ndarray) -> np.ndarray:
    return np.where(flags, "Y", "N")


def _first_use(items: pd.DataFrame) -> dict[str, pd.Timestamp]:
    usable = items[items["status"] != "draft"]
    return {
        item: pd.Timestamp(min(group["co_designed_on"]))
        for item, group in usable.groupby("item_id", sort=False)
    }


def simulate_voice_year(
    authorities: Sequence,
    eyfsp: pd.DataFrame,
    census: pd.DataFrame,
    year: AcademicYear,
    items: pd.DataFrame,
    seed: int,
    rate: float = DEFAULT_RATE,
) -> pd.DataFrame:
    """Survey responses for one year, as form tools export them, plus a `la_code` column.

    `authorities` are the `SyntheticAuthority`s the cohort was simulated for; `eyfsp` and
    `census` are that year's synthetic return and census extract.
    """
    rng = np.random.default_rng([seed, year.start, VOICE_STREAM])
    pupils = census.set_index("upn").reindex(eyfsp["upn"].to_numpy())
    n = len(eyfsp)
    flat = {
        sector: a_index * 100 + h_index
        for a_index, authority in enumerate(authorities)
        for h_index, hood in enumerate(authority.neighbourhoods)
        for sector in authority.sectors()[hood.code]
    }
    postcode = pupils["postcode"].to_numpy(dtype=object)
    sector_series = pd.Series(postcode).str[:-2]
    place_code = sector_series.map(flat).to_numpy(dtype=np.int64)
    sector = sector_series.to_numpy(dtype=object)
    places = np.column_stack([place_code // 100, place_code % 100])
    deprivation = np.array([[h.deprivation for h in a.neighbourhoods] for a in authorities])
    transience = np.array([[h.transience for h in a.neighbourhoods] for a in authorities])
    hood_codes = np.array([[h.code for h in a.neighbourhoods] for a in authorities])
    hood_names = np.array([[h.name for h in a.neighbourhoods] for a in authorities])
    dep = deprivation[places[:, 0], places[:, 1]]
    transient = transience[places[:, 0], places[:, 1]]

    expected = np.zeros(n)
    for column in ELG_COLUMNS:
        expected += eyfsp[column].to_numpy(dtype=object) == "2"
    gld = np.ones(n, dtype=bool)
    for column in gld_columns():
        gld &= eyfsp[column].to_numpy(dtype=object) == "2"
    z = (expected - expected.mean()) / max(expected.std(), 1e-9)
    fsm = pupils["fsm_eligible"].to_numpy(dtype=object) == "Y"
    eal = pupils["first_language"].to_numpy(dtype=object) == "OTH"
    recent = rng.random(n) < transient

    uses = rng.random(n) < np.clip(
        0.93 - 0.10 * fsm - 0.15 * eal - 0.30 * recent - 0.05 * dep, 0.3, 0.98
    )
    known = rng.random(n) < np.clip(0.60 + 0.10 * fsm - 0.30 * recent - 0.15 * eal, 0.05, 0.95)
    seldom = (~uses).astype(int) + eal + (~known).astype(int)

    reach = np.clip(1 - 0.45 * dep - 1.5 * transient, 0.05, 1)
    propensity = np.column_stack(
        [
            0.020 * (1 + 0.9 * seldom) * (1 + 0.4 * fsm) * np.sqrt(reach),  # outreach visit
            0.040 * np.where(known, 1.0, 0.10) * np.where(eal, 0.8, 1.0) * reach,  # family hub
            0.035
            * np.where(uses, 1.0, 0.25)
            * np.where(eal, 0.3, 1.0)
            * np.where(known, 1.0, 0.3)
            * reach,  # parent panel
            0.060
            * np.where(uses, 1.0, 0.5)
            * np.where(eal, 0.45, 1.0)
            * np.where(known, 1.0, 0.7)
            * reach,  # online
        ]
    )
    total = propensity.sum(axis=1)
    scale = _solve_scale(total, rate)
    responds = rng.random(n) < 1 - np.exp(-scale * total)
    cumulative = np.cumsum(propensity, axis=1) / total[:, None]
    channel_index = (rng.random(n)[:, None] > cumulative).sum(axis=1)

    who = np.flatnonzero(responds)
    m = who.size
    channel = np.array(CHANNELS)[np.minimum(channel_index[who], 3)]
    la_codes = eyfsp["la_code"].to_numpy(dtype=object)[who].astype(str)

    # Dates: term time mostly, 1 September .. 31 August.
    start = np.datetime64(f"{year.start}-09-01")
    offsets = np.minimum(rng.integers(7, 330, size=m), 364)
    dates = start + offsets.astype("timedelta64[D]")
    iso = np.datetime_as_string(dates, unit="D")
    uk = np.char.add(
        np.char.add(
            np.char.add(
                np.char.add(np.array([d[8:10] for d in iso]), "/"), np.array([d[5:7] for d in iso])
            ),
            "/",
        ),
        np.array([d[:4] for d in iso]),
    )
    hours = rng.integers(8, 22, size=m)
    minutes = rng.integers(0, 60, size=m)
    stamped = np.array(
        [f"{d} {h:02d}:{mi:02d}" for d, h, mi in zip(iso, hours, minutes, strict=True)]
    )
    style = rng.random(m)
    date_text = np.where(channel == "online", stamped, np.where(style < 0.6, uk, iso))

    # Responses in date order within each authority, numbered as a form tool would.
    order = np.lexsort((rng.random(m), dates, la_codes))
    who, channel, la_codes, dates, date_text = (
        who[order],
        channel[order],
        la_codes[order],
        dates[order],
        date_text[order],
    )
    starts = np.r_[0, np.flatnonzero(la_codes[1:] != la_codes[:-1]) + 1]
    serial = np.arange(m) - np.repeat(starts, np.diff(np.r_[starts, m])) + 1
    period = f"{year.start % 100:02d}{(year.start + 1) % 100:02d}"
    response_id = np.char.add(
        np.char.add(np.char.add("V", la_codes), f"-{period}-"), np.char.zfill(serial.astype(str), 5)
    )

    place = rng.random(m)
    resp_sector = np.where(place < 0.88, sector[who].astype(str), "")
    resp_hood = np.where(place >= 0.80, hood_codes[places[who, 0], places[who, 1]], "")

    def recorded(flags: np.ndarray) -> np.ndarray:
        return np.where(rng.random(m) < 0.04, "U", _yes_no(flags))

    consent_aggregate = rng.random(m) < 0.97
    consent_quote = rng.random(m) < 0.40
    consent_link = rng.random(m) < 0.58 - 0.06 * seldom[who]
    upn = eyfsp["upn"].to_numpy(dtype=object)[who].astype(str)

    factors = {
        "home": 0.2 * z[who]
        + 0.3 * (gld[who] - gld.mean())
        - 0.15 * fsm[who]
        + rng.normal(0, 0.7, m),
        "access": 0.8 * known[who]
        + 0.6 * uses[who]
        - 0.45 * eal[who]
        - 0.6 * dep[who]
        - 0.3 * recent[who]
        + rng.normal(0, 0.7, m)
        - 0.3,
        "circumstances": -0.9 * fsm[who]
        - 0.6 * dep[who]
        - 0.3 * recent[who]
        + rng.normal(0, 0.7, m)
        + 0.3,
        "health": 0.5 * z[who] + 0.3 * known[who] + rng.normal(0, 0.8, m),
    }
    survey: dict[str, np.ndarray] = {
        "response_id": response_id,
        "response_date": date_text,
        "postcode_sector": resp_sector,
        "neighbourhood_code": resp_hood,
        "channel": channel,
        "uses_funded_early_education": recorded(uses[who]),
        "english_additional_language": recorded(eal[who]),
        "known_to_family_hub": recorded(known[who]),
        "consent_aggregate": _yes_no(consent_aggregate),
        "consent_quote": _yes_no(consent_quote),
        "consent_link": _yes_no(consent_link),
        "child_upn": np.where(consent_link, upn, ""),
    }
    first_use = _first_use(items)
    scales = items.drop_duplicates("item_id").set_index("item_id")["response_scale"]
    year_end = pd.Timestamp(year.start + 1, 8, 31)
    positive_answer: dict[str, np.ndarray] = {}
    for item, begins in first_use.items():
        if begins > year_end:
            continue
        weights, offset = ITEM_MODEL.get(item, ({"access": 0.5}, 0.0))
        latent = offset + sum(weight * factors[name] for name, weight in weights.items())
        noise = rng.normal(0, 0.6, m)
        scale_name = scales[item]
        if item == "funded_hours_used":
            yes = rng.random(m) < np.where(uses[who], 0.93, 0.12)
            answer, good = _yes_no(yes), yes
        elif scale_name == "yesno":
            yes = rng.random(m) < _sigmoid(1.6 * latent)
            answer, good = _yes_no(yes), yes
        elif scale_name == "scale0_10":
            value = np.clip(np.rint(6.3 + 1.8 * (latent + noise)), 0, 10).astype(int)
            answer, good = value.astype(str), value >= 7
        else:
            value = 1 + np.searchsorted(FIVE_POINT_CUTS, latent + noise)
            answer, good = value.astype(str), value >= 4
        blank = (rng.random(m) < np.where(channel == "outreach_visit", 0.06, 0.035)) | (
            dates < np.datetime64(begins.date())
        )
        survey[item] = np.where(blank, "", answer)
        positive_answer[item] = good & ~blank

    people = {
        "name": eyfsp["forename"].to_numpy(dtype=object)[who].astype(str),
        "surname": eyfsp["surname"].to_numpy(dtype=object)[who].astype(str),
        "dob": eyfsp["dob"].to_numpy(dtype=object)[who].astype(str),
        "postcode": postcode[who].astype(str),
        "upn": upn,
        "hood": hood_names[places[who, 0], places[who, 1]],
    }
    for item in COMMENT_ITEMS:
        if item not in survey:
            continue
        survey[f"{item}_comment"] = _comments(rng, item, positive_answer[item], channel, people)
    frame = pd.DataFrame(survey)
    frame.insert(0, "la_code", la_codes)
    return frame


def _comments(
    rng: np.random.Generator,
    item: str,
    positive: np.ndarray,
    channel: np.ndarray,
    people: dict[str, np.ndarray],
) -> np.ndarray:
    """Free text for some respondents: outreach workers write more of it down."""
    m = positive.size
    writes = rng.random(m) < np.where(channel == "outreach_visit", 0.32, 0.16)
    pick = rng.random(m)
    detail = rng.integers(0, 1000, size=m)
    dob_style = rng.integers(0, 3, size=m)
    month = rng.integers(0, len(MONTHS), size=m)
    out = np.full(m, "", dtype=object)
    for index in np.flatnonzero(writes):
        options = COMMENTS[item][bool(positive[index])]
        template = options[int(pick[index] * len(options))]
        phones = MOBILES + LANDLINES
        surname = people["surname"][index]
        out[index] = template.format(
            name=people["name"][index],
            Name=people["name"][index],
            lname=people["name"][index].lower(),
            surname=surname,
            dob=_written_dob(people["dob"][index], int(dob_style[index])),
            phone=phones[detail[index] % len(phones)].format(n=detail[index]),
            email=f"{surname.lower()}.family{detail[index] % 100}@example.com",
            postcode=people["postcode"][index],
            upn=people["upn"][index],
            hood=people["hood"][index],
            month=MONTHS[month[index]],
        )
    return out.astype(str)


def survey_file_name(la_code: str | None = None) -> str:
    """survey_responses.csv for the borough, survey_responses_<la>.csv for England."""
    return "survey_responses.csv" if la_code is None else f"survey_responses_{la_code}.csv"


def voice_path(out: Path, year: AcademicYear, la_code: str | None = None) -> Path:
    return out / "voice" / year.folder / survey_file_name(la_code)
