"""An independent computation of the EYFSP indicators straight from the landing files.

Written from the DfE definitions with plain pandas, sharing no code with Chorus, so the
end-to-end tests compare Chorus against something it could not have influenced.
"""

import csv
from pathlib import Path

import numpy as np
import pandas as pd

GLD_GOALS = [f"elg{n:02d}" for n in range(1, 13)]
ALL_GOALS = [f"elg{n:02d}" for n in range(1, 18)]
_SEED = Path(__file__).resolve().parents[1] / "seeds" / "eyfsp_early_learning_goals.csv"
with _SEED.open(newline="", encoding="utf-8") as _file:
    GOALS = [
        (f"elg{int(row['elg_number']):02d}", row["elg"], row["area"], row["area_code"])
        for row in sorted(csv.DictReader(_file), key=lambda row: int(row["elg_number"]))
    ]
"""(return column, goal, area of learning, area code) in the seed's goal order."""
AREAS = list(dict.fromkeys(area for _, _, area, _ in GOALS))
CLL_GOALS = [column for column, _, _, code in GOALS if code in ("CL", "L")]
"""DfE's "communication and language and literacy" goals: the CL and L areas' goals."""
ETHNICITY = {
    "WHIT": "White",
    "MIXD": "Mixed",
    "ASIA": "Asian",
    "BLAC": "Black",
    "CHNE": "Chinese",
    "AOEG": "Any other ethnic group",
    "REFU": "Unclassified",
    "NOBT": "Unclassified",
}
"""DfE's major ethnic groups as DfE publishes them: refused and not yet obtained together as
Unclassified (written out by hand from the census spec's code list)."""
CROSSED = "FSM eligibility by first language"


def children(landing: Path) -> pd.DataFrame:
    """One row per child per year with outcomes and characteristics."""
    frames = []
    for eyfsp_path in sorted((landing / "eyfsp").glob("*/*.csv")):
        folder = eyfsp_path.parent.name  # e.g. 2023-24
        time_period = int(folder[:4] + folder[5:7])
        eyfsp = pd.read_csv(eyfsp_path, dtype=str, keep_default_na=False)
        census = pd.concat(
            [
                pd.read_csv(p, dtype=str, keep_default_na=False)
                for p in (landing / "census" / folder).glob("*.csv")
            ]
        )
        merged = eyfsp.merge(census, on="upn", how="inner", validate="one_to_one")
        merged["time_period"] = time_period
        frames.append(merged)
    data = pd.concat(frames, ignore_index=True)
    lookup = pd.read_csv(landing / "seeds" / "neighbourhood_lookup.csv", dtype=str)
    authorities = pd.read_csv(landing / "seeds" / "local_authorities.csv", dtype=str)
    # Postcode sector: everything but the last two characters, e.g. "XH3 2AB" -> "XH3 2".
    data["postcode_sector"] = data["postcode"].str[:-2]
    data = data.merge(lookup, on="postcode_sector", how="left", validate="many_to_one")
    data = data.merge(authorities, on="la_code", how="left", validate="many_to_one")
    data["gld"] = (data[GLD_GOALS] == "2").all(axis=1)
    data["all17"] = (data[ALL_GOALS] == "2").all(axis=1)
    data["elgs"] = (data[ALL_GOALS] == "2").sum(axis=1)
    month = data["dob"].str[5:7].astype(int)
    data["Season of birth"] = month.map(
        lambda m: "Autumn-born" if m >= 9 else "Spring-born" if m <= 4 else "Summer-born"
    )
    data["Sex"] = data["sex"].map({"F": "Female", "M": "Male"})
    data["FSM eligibility"] = data["fsm_eligible"].map({"Y": "Eligible", "N": "Not eligible"})
    data["First language"] = data["first_language"].map(
        {"ENG": "English", "OTH": "Other than English", "UNK": "Unknown"}
    )
    data["SEN provision"] = data["sen_provision"].map(
        {"N": "No SEN", "K": "SEN support", "E": "EHC plan"}
    )
    data["Ethnicity"] = data["ethnicity"].map(ETHNICITY).fillna("Unclassified")
    return with_goal_measures(data)


def with_goal_measures(data: pd.DataFrame) -> pd.DataFrame:
    """CLL and the crossed FSM by first language group, from the goals and characteristics."""
    data = data.copy()
    data["cll"] = (data[CLL_GOALS] == "2").all(axis=1)
    data[CROSSED] = data["FSM eligibility"] + ", " + data["First language"]
    return data


def goal_rows(data: pd.DataFrame) -> pd.DataFrame:
    """One row per child per goal: goal, expected (1 or 0)."""
    return pd.concat(
        [
            data.assign(goal=goal, expected=(data[column] == "2").astype(int))
            for column, goal, _, _ in GOALS
        ],
        ignore_index=True,
    )


def area_rows(data: pd.DataFrame) -> pd.DataFrame:
    """One row per child per area of learning: area, expected in every goal of it (1 or 0)."""
    return pd.concat(
        [
            data.assign(
                area=area,
                expected=(data[[c for c, _, a, _ in GOALS if a == area]] == "2")
                .all(axis=1)
                .astype(int),
            )
            for area in AREAS
        ],
        ignore_index=True,
    )


BREAKDOWNS = [
    "Sex",
    "FSM eligibility",
    "First language",
    "SEN provision",
    "Season of birth",
    "Ethnicity",
]
MEASURES = {
    "gld": ("gld", 100.0),
    "all_elgs_expected": ("all17", 100.0),
    "average_elgs_expected": ("elgs", 1.0),
    "cll_expected": ("cll", 100.0),
}


def _aggregate(
    frame: pd.DataFrame,
    indicator_id: str,
    column: str,
    scale: float,
    level: str,
    code_col: str,
    breakdown: str,
    group_col: str | None,
) -> list[dict]:
    keys = ["time_period", code_col] + ([group_col] if group_col else [])
    grouped = frame.groupby(keys)[column].agg(["sum", "count"]).reset_index()
    return [
        {
            "indicator_id": indicator_id,
            "time_period": row["time_period"],
            "geographic_level": level,
            "area_code": row[code_col],
            "breakdown": breakdown,
            "group": row[group_col] if group_col else "All children",
            "numerator": int(row["sum"]),
            "denominator": int(row["count"]),
            "value": scale * row["sum"] / row["count"],
        }
        for row in grouped.to_dict("records")
    ]


def indicator_values(data: pd.DataFrame) -> pd.DataFrame:
    """indicator_id, time_period, geographic_level, area_code, breakdown, group, n, d, value."""
    rows = []
    for indicator_id, (column, scale) in MEASURES.items():
        rows += _aggregate(
            data, indicator_id, column, scale, "Neighbourhood", "neighbourhood_code", "All", None
        )
        rows += _aggregate(
            data, indicator_id, column, scale, "Local authority", "new_la_code", "All", None
        )
        for breakdown in BREAKDOWNS + ([CROSSED] if indicator_id == "gld" else []):
            rows += _aggregate(
                data,
                indicator_id,
                column,
                scale,
                "Local authority",
                "new_la_code",
                breakdown,
                breakdown,
            )
    for indicator_id, frame, breakdown, group in (
        ("elg_expected", goal_rows(data), "Early learning goal", "goal"),
        ("area_expected", area_rows(data), "Area of learning", "area"),
    ):
        for level, code in (("Neighbourhood", "neighbourhood_code"), AUTHORITY):
            rows += _aggregate(
                frame, indicator_id, "expected", 100.0, level, code, breakdown, group
            )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# Every indicator, voice and linked too, from children, respondents and answers
# --------------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
CHANNELS = {
    "outreach_visit": "Outreach visit",
    "family_hub": "Family hub",
    "parent_panel": "Parent panel",
    "online": "Online",
}
SELDOM_GROUPS = {
    "Not using funded early education": ("funded", "N"),
    "English as an additional language": ("eal", "Y"),
    "Not known to the family hub": ("hub", "N"),
}
SCALES = {"agree5": range(1, 6), "frequency5": range(1, 6), "scale0_10": range(0, 11)}


def item_bank(path: Path = ROOT / "seeds" / "voice_items.csv") -> pd.DataFrame:
    """The item bank, with the set of positive answer codes of each version."""
    bank = pd.read_csv(path, dtype=str, keep_default_na=False)
    bank = bank[bank["status"] != "draft"].copy()

    def codes(text: str) -> frozenset[str]:
        found: set[str] = set()
        for token in text.split(";"):
            low, _, high = token.strip().partition("-")
            found |= {str(v) for v in range(int(low), int(high) + 1)} if high else {low.upper()}
        return frozenset(found)

    bank["positive_codes"] = bank["positive_responses"].map(codes)
    bank["since"] = pd.to_datetime(bank["co_designed_on"])
    return bank


def voice_frames(landing: Path, children_frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(respondents, answers) from the landed survey files, consent to aggregate use only.

    respondents: time_period, response_id, neighbourhood_code, new_la_code, channel, funded,
    eal, hub (Y/N/U) and child (the linked child's upn, or ""); answers: time_period,
    response_id, item_id, domain, positive, score (the item version in force on the date).
    """
    frames = []
    for path in sorted((landing / "voice").glob("*/*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        folder = path.parent.name
        frame["time_period"] = int(folder[:4] + folder[5:7])
        frames.append(frame)
    survey = pd.concat(frames, ignore_index=True)
    survey = survey[survey["consent_aggregate"] == "Y"].copy()
    lookup = pd.read_csv(landing / "seeds" / "neighbourhood_lookup.csv", dtype=str)
    sector = dict(zip(lookup["postcode_sector"], lookup["neighbourhood_code"], strict=True))
    survey["neighbourhood_code"] = survey["neighbourhood_code"].where(
        survey["neighbourhood_code"] != "", survey["postcode_sector"].map(sector)
    )
    hood_la = children_frame.drop_duplicates("neighbourhood_code").set_index("neighbourhood_code")[
        "new_la_code"
    ]
    survey["new_la_code"] = survey["neighbourhood_code"].map(hood_la)
    text = survey["response_date"].str[:10]
    iso = text.str.match(r"\d{4}-")
    survey["date"] = pd.to_datetime(text.where(iso), format="%Y-%m-%d").fillna(
        pd.to_datetime(text.where(~iso), format="%d/%m/%Y")
    )
    linked = (survey["consent_link"] == "Y") & (survey["child_upn"] != "")
    respondents = pd.DataFrame(
        {
            "time_period": survey["time_period"],
            "response_id": survey["response_id"],
            "neighbourhood_code": survey["neighbourhood_code"],
            "new_la_code": survey["new_la_code"],
            "channel": survey["channel"].map(CHANNELS),
            "funded": survey["uses_funded_early_education"],
            "eal": survey["english_additional_language"],
            "hub": survey["known_to_family_hub"],
            "child": survey["child_upn"].where(linked, ""),
        }
    )
    bank = item_bank()
    rows = []
    for item, versions in bank.groupby("item_id"):
        if item not in survey:
            continue
        versions = versions.sort_values("since")
        answered = survey[survey[item] != ""]
        for record in answered[["time_period", "response_id", "date", item]].itertuples(
            index=False
        ):
            in_force = versions[versions["since"] <= record.date]
            if in_force.empty:
                continue
            version = in_force.iloc[-1]
            code = str(record[3]).upper()
            score = float(code) if version["response_scale"] in SCALES else np.nan
            rows.append(
                (
                    record.time_period,
                    record.response_id,
                    item,
                    version["domain"],
                    code in version["positive_codes"],
                    score,
                )
            )
    answers = pd.DataFrame(
        rows, columns=["time_period", "response_id", "item_id", "domain", "positive", "score"]
    )
    return respondents, answers


def _cells(
    frame: pd.DataFrame,
    indicator_id: str,
    levels: list[tuple[str, str]],
    breakdown: str | None,
    group: str | None,
    numerator: str,
    kind: str,
    total_group: str | None = None,
) -> list[dict]:
    """Rows of one indicator: per level (label, area column), per group (or one total)."""
    rows = []
    for level, area in levels:
        keys = ["time_period", area] + ([group] if group else [])
        if frame.empty:
            continue
        grouped = frame.groupby(keys, dropna=False)
        for key, part in grouped:
            key = key if isinstance(key, tuple) else (key,)
            n = float(part[numerator].sum())
            d = len(part)
            spread = float(part[numerator].std()) if kind == "mean" and d > 1 else np.nan
            rows.append(
                {
                    "indicator_id": indicator_id,
                    "time_period": int(key[0]),
                    "geographic_level": level,
                    "area_code": key[1],
                    "area_name": key[1],
                    "breakdown": breakdown if group else "All",
                    "group": key[2] if group else total_group,
                    "numerator": n,
                    "denominator": d,
                    "value": n / d if kind == "mean" else 100 * n / d,
                    "standard_deviation": spread,
                }
            )
    return rows


HOOD = ("Neighbourhood", "neighbourhood_code")
AUTHORITY = ("Local authority", "new_la_code")


def all_indicator_values(
    children: pd.DataFrame, respondents: pd.DataFrame, answers: pd.DataFrame
) -> pd.DataFrame:
    """Every Chorus indicator, computed from its definition in the register.

    children: time_period, neighbourhood_code, new_la_code, the six breakdowns and FSM
    eligibility by first language, elg01 to elg17 ("2" expected), gld, all17, elgs, cll and
    upn; respondents and answers as from `voice_frames`.
    """
    rows: list[dict] = []
    kids = children.assign(
        gld=children["gld"].astype(int),
        all17=children["all17"].astype(int),
        elgs=children["elgs"].astype(int),
        cll=children["cll"].astype(int),
        eal=(children["First language"] == "Other than English").astype(int),
    )
    for indicator, column, kind in (
        ("gld", "gld", "proportion"),
        ("all_elgs_expected", "all17", "proportion"),
        ("average_elgs_expected", "elgs", "mean"),
        ("cll_expected", "cll", "proportion"),
    ):
        rows += _cells(kids, indicator, [HOOD, AUTHORITY], None, None, column, kind, "All children")
        for breakdown in BREAKDOWNS + ([CROSSED] if indicator == "gld" else []):
            rows += _cells(kids, indicator, [AUTHORITY], breakdown, breakdown, column, kind)
    rows += _cells(
        goal_rows(kids),
        "elg_expected",
        [HOOD, AUTHORITY],
        "Early learning goal",
        "goal",
        "expected",
        "proportion",
    )
    rows += _cells(
        area_rows(kids),
        "area_expected",
        [HOOD, AUTHORITY],
        "Area of learning",
        "area",
        "expected",
        "proportion",
    )
    rows += _cells(
        kids, "cohort_eal_share", [HOOD, AUTHORITY], None, None, "eal", "proportion", "All children"
    )
    people = respondents.copy()
    people["seldom"] = (
        (people["funded"] == "N") | (people["eal"] == "Y") | (people["hub"] == "N")
    ).astype(int)
    rows += _cells(
        people,
        "voice_channel_seldom_heard",
        [HOOD, AUTHORITY],
        None,
        None,
        "seldom",
        "proportion",
        "All respondents",
    )
    rows += _cells(
        people,
        "voice_channel_seldom_heard",
        [HOOD, AUTHORITY],
        "Channel",
        "channel",
        "seldom",
        "proportion",
    )
    known = []
    for label, (column, value) in SELDOM_GROUPS.items():
        part = people[people[column].isin(["Y", "N"])]
        known.append(part.assign(seldom_group=label, in_group=(part[column] == value).astype(int)))
    if known:
        rows += _cells(
            pd.concat(known),
            "voice_reach_group",
            [HOOD, AUTHORITY],
            "Seldom-heard group",
            "seldom_group",
            "in_group",
            "proportion",
        )
    surveyed = set(people["time_period"])
    for level, area in (HOOD, AUTHORITY):  # reach: respondents per 100 children
        heard = people.groupby(["time_period", area]).size()
        cohort = kids.groupby(["time_period", area]).size()
        for period, code in sorted(set(cohort.index) | set(heard.index)):
            if period in surveyed:
                count = int(heard.get((period, code), 0))
                d = int(cohort.get((period, code), 0))
                rows.append(
                    {
                        "indicator_id": "voice_reach",
                        "time_period": int(period),
                        "geographic_level": level,
                        "area_code": code,
                        "area_name": code,
                        "breakdown": "All",
                        "group": "All children",
                        "numerator": float(count),
                        "denominator": d,
                        "value": 100 * count / d if d else np.nan,
                        "standard_deviation": np.nan,
                    }
                )
    answered = answers.merge(
        people[["response_id", "time_period", "neighbourhood_code", "new_la_code", "child"]],
        on=["response_id", "time_period"],
    )
    answered["positive_int"] = answered["positive"].astype(int)
    rows += _cells(
        answered,
        "voice_item_positive",
        [HOOD, AUTHORITY],
        "Voice item",
        "item_id",
        "positive_int",
        "proportion",
    )
    rows += _cells(
        answered[answered["score"].notna()],
        "voice_item_mean",
        [HOOD, AUTHORITY],
        "Voice item",
        "item_id",
        "score",
        "mean",
    )
    per_domain = (
        answered.groupby(
            ["time_period", "response_id", "neighbourhood_code", "new_la_code", "domain"]
        )
        .agg(answered=("positive_int", "size"), positive=("positive_int", "sum"))
        .reset_index()
    )
    per_domain["mostly"] = (2 * per_domain["positive"] > per_domain["answered"]).astype(int)
    rows += _cells(
        per_domain,
        "voice_domain_positive",
        [HOOD, AUTHORITY],
        "Voice domain",
        "domain",
        "mostly",
        "proportion",
    )
    linked = answered[answered["child"] != ""].merge(
        kids[["upn", "time_period", "new_la_code", "gld", "elgs"]],
        left_on=["child", "time_period", "new_la_code"],
        right_on=["upn", "time_period", "new_la_code"],
    )
    per_child = (
        linked.groupby(["time_period", "new_la_code", "item_id", "child"])
        .agg(positive=("positive_int", "max"), gld=("gld", "first"), elgs=("elgs", "first"))
        .reset_index()
    )
    per_child["answer"] = np.where(per_child["positive"] == 1, "Positive answer", "Other answers")
    per_child["item_breakdown"] = "Voice item: " + per_child["item_id"]
    for indicator, column, kind in (
        ("linked_gld_by_answer", "gld", "proportion"),
        ("linked_average_elgs_by_answer", "elgs", "mean"),
    ):
        for breakdown, part in per_child.groupby("item_breakdown"):
            rows += _cells(part, indicator, [AUTHORITY], breakdown, "answer", column, kind)
    return pd.DataFrame(rows)
