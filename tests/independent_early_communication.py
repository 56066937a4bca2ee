"""An independent computation of the early-communication indicators straight from the
LANDING files, with plain pandas and the definitions as the contract words them (issue 15),
sharing no code with Chorus. Only the LA-editable ASQ-3 cut-offs are read from the seed
(seeds/asq3_cutoffs.csv), as a user would read them.

Financial years come from the landing folder (2024-25 -> 202425); the linkage file's folder
is the reception (academic) year.
"""

from pathlib import Path

import pandas as pd

from tests import independent

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = {
    1: (6, 11),
    2: (12, 17),
    3: (18, 23),
    4: (24, 29),
    5: (30, 35),
    6: (36, 41),
    7: (42, 47),
    8: (48, 59),
    9: (60, 72),
}
INDICATORS = {
    "ec_asq_communication_expected",
    "ec_review_by_30_months",
    "ec_wellcomm_green",
    "ec_wellcomm_amber",
    "ec_wellcomm_red",
    "ec_wellcomm_parent_view",
    "ec_concern_but_expected",
    "ec_below_without_concern",
    "ec_red_referred_6_weeks",
    "ec_linkage_coverage",
    "ec_asq_communication_expected_quarterly",
    "ec_review_by_30_months_quarterly",
    "ec_journey_gld",
    "ec_journey_cl_expected",
}
RESULT = "Two-year communication result"


def _read(landing: Path, source: str) -> pd.DataFrame:
    frames = []
    for path in sorted((landing / source).glob("*/*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame["time_period"] = int(path.parent.name[:4] + path.parent.name[5:7])
        frames.append(frame)
    data = pd.concat(frames, ignore_index=True)
    data["nhs"] = data["nhs_number"].str.replace(" ", "", regex=False)
    return data


def _place(data: pd.DataFrame, landing: Path) -> pd.DataFrame:
    lookup = pd.read_csv(landing / "seeds" / "neighbourhood_lookup.csv", dtype=str)
    authorities = pd.read_csv(landing / "seeds" / "local_authorities.csv", dtype=str)
    placed = data.merge(lookup, on="postcode_sector", how="inner", validate="many_to_one")
    placed["new_la_code"] = authorities["new_la_code"].iloc[0]
    return placed


def reviews(landing: Path) -> pd.DataFrame:
    data = _place(_read(landing, "health_visitor_reviews"), landing)
    cutoffs = pd.read_csv(ROOT / "seeds" / "asq3_cutoffs.csv")
    cutoffs = cutoffs[cutoffs["domain"].str.lower().str.startswith("communication")]
    score = pd.to_numeric(data["asq_communication"], errors="coerce")
    age = pd.to_numeric(data["age_in_months"], errors="coerce")
    data["expected"] = pd.NA
    for i in data.index[score.notna()]:
        band = cutoffs[
            (cutoffs["age_from_months"] <= age[i]) & (age[i] <= cutoffs["age_to_months"])
        ]
        if len(band) == 1:  # no questionnaire for the age: no result
            data.loc[i, "expected"] = bool(score[i] > band["cutoff"].iloc[0])
    data["reviewed_in_time"] = (data["review_date"] != "") & (age <= 30)
    # the quarter of the financial year in which the child reached 30 months
    reached = (pd.to_datetime(data["date_of_birth"]).dt.month + 30 - 1) % 12 + 1
    data["quarter"] = "Financial year Q" + ((reached - 4) % 12 // 3 + 1).astype(str)
    data["concern"] = data["parent_concern"].replace("", "not_asked")
    return data


def screenings(landing: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All screenings, and each child's first non-rescreen screening of the year with
    whether a referral (any year's file) fell 0 to 42 days after it."""
    data = _place(_read(landing, "wellcomm_screenings"), landing)
    # the spec's message says so: "Green, Amber and Red are read as G, A and R"
    words = {"GREEN": "G", "AMBER": "A", "RED": "R"}
    data["rag"] = data["rag"].str.strip().str.upper().replace(words)
    data["date"] = pd.to_datetime(data["screening_date"])
    first = (
        data[data["rescreen"] == "N"]
        .sort_values("date")
        .drop_duplicates(["time_period", "nhs"], keep="first")
        .copy()
    )
    first["label"] = (
        first["section"]
        .astype(int)
        .map(lambda s: f"Section {s} ({SECTIONS[s][0]} to {SECTIONS[s][1]} months)")
    )
    referrals = _read(landing, "slt_referrals")
    referrals["referred"] = pd.to_datetime(referrals["referral_date"])
    pairs = first[["time_period", "nhs", "date"]].merge(referrals[["nhs", "referred"]], on="nhs")
    days = (pairs["referred"] - pairs["date"]).dt.days
    quick = pairs[(days >= 0) & (days <= 42)][["time_period", "nhs"]].drop_duplicates()
    quick["quick"] = True
    first = first.merge(quick, on=["time_period", "nhs"], how="left")
    first["quick"] = first["quick"].fillna(False).astype(bool)
    return data, first


def journeys(landing: Path) -> pd.DataFrame:
    """Reception children (as for GLD) with their linked two-year result, if any."""
    children = independent.children(landing)
    links = _read(landing, "health_education_linkage")
    children = children[children["time_period"].isin(set(links["time_period"]))]  # linked years
    children = children.assign(cl=(children[["elg01", "elg02"]] == "2").all(axis=1))
    scored = reviews(landing)
    scored = scored[scored["expected"].notna()].sort_values("review_date")
    latest = scored.drop_duplicates("nhs", keep="last")[["nhs", "expected"]]
    linked = links.merge(latest, on="nhs")[["time_period", "upn", "expected"]]
    out = children.merge(linked, on=["time_period", "upn"], how="left")
    out["linked"] = out["expected"].notna()
    out[RESULT] = out["expected"].map(
        {True: "At or above the expected level", False: "Below the expected level"}
    )
    return out


def _cells(
    frame, indicator, flag, total, breakdown=None, when="Financial year", by=None
) -> list[dict]:
    """Cells at both levels, All and the breakdown; `by`: the column naming each row's part
    of the year (a quarter), else every row is `when` (the whole year)."""
    if by is None:
        frame = frame.assign(_when=when)
        by = "_when"
    rows = []
    levels = (("Neighbourhood", "neighbourhood_code"), ("Local authority", "new_la_code"))
    for level, code in levels:
        groupings = [("All", None)] + ([(breakdown[0], breakdown[1])] if breakdown else [])
        for name, column in groupings:
            keys = ["time_period", by, code] + ([column] if column else [])
            counted = frame.groupby(keys)[flag].agg(["sum", "count"]).reset_index()
            for row in counted.to_dict("records"):
                rows.append(
                    {
                        "indicator_id": indicator,
                        "time_period": str(row["time_period"]),
                        "time_identifier": row[by],
                        "geographic_level": level,
                        "area_code": row[code],
                        "breakdown": name,
                        "group": row[column] if column else total,
                        "numerator_expected": int(row["sum"]),
                        "denominator_expected": int(row["count"]),
                        "value_expected": 100.0 * row["sum"] / row["count"],
                    }
                )
    return rows


def indicators(landing: Path) -> pd.DataFrame:
    rows = []
    hv = reviews(landing)
    # PHOF C08b counts two-to-two-and-a-half-year reviews: a review after 30 months is not one
    scored = hv[hv["expected"].notna() & hv["reviewed_in_time"]]
    scored = scored.assign(expected=lambda f: f["expected"].astype(bool))
    rows += _cells(scored, "ec_asq_communication_expected", "expected", "All children")
    rows += _cells(hv, "ec_review_by_30_months", "reviewed_in_time", "All children")
    rows += _cells(
        scored, "ec_asq_communication_expected_quarterly", "expected", "All children", by="quarter"
    )
    rows += _cells(
        hv, "ec_review_by_30_months_quarterly", "reviewed_in_time", "All children", by="quarter"
    )
    concerned = scored[scored["concern"] == "concern"]
    rows += _cells(concerned, "ec_concern_but_expected", "expected", "All children")
    below = scored[~scored["expected"] & scored["concern"].isin(["concern", "no_concern"])]
    below = below.assign(unconcerned=below["concern"] == "no_concern")
    rows += _cells(below, "ec_below_without_concern", "unconcerned", "All children")
    every, first = screenings(landing)
    for rag, code in (("green", "G"), ("amber", "A"), ("red", "R")):
        flagged = first.assign(hit=first["rag"] == code)
        rows += _cells(
            flagged, f"ec_wellcomm_{rag}", "hit", "All children", ("WellComm section", "label")
        )
    every = every.assign(view=every["parent_view_recorded"] == "Y")
    rows += _cells(every, "ec_wellcomm_parent_view", "view", "All screenings")
    # a red result counts once the referral files cover its 42 days: the folders name the
    # financial years landed (2024-25 covers up to 31 March 2025)
    folders = sorted(p.name for p in (landing / "slt_referrals").iterdir() if p.is_dir())
    covered = pd.Timestamp(int(folders[-1][:4]) + 1, 3, 31)
    red = first[(first["rag"] == "R") & (first["date"] + pd.Timedelta(days=42) <= covered)]
    rows += _cells(red, "ec_red_referred_6_weeks", "quick", "All children")
    children = journeys(landing)
    academic = "Academic year"
    rows += _cells(children, "ec_linkage_coverage", "linked", "All children", when=academic)
    linked = children[children["linked"]]
    rows += _cells(linked, "ec_journey_gld", "gld", "All children", (RESULT, RESULT), academic)
    rows += _cells(
        linked, "ec_journey_cl_expected", "cl", "All children", (RESULT, RESULT), academic
    )
    return pd.DataFrame(rows)
