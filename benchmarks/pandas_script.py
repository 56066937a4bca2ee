"""C: what an LA analyst writes today. A straightforward pandas script computing the same
school-readiness values from the landed CSV files: read each file, join census and the
lookup, then group by each area and breakdown.

Where the landing holds them, one headline of each other framework too (care leavers in
touch, two-year reviews by 30 months, Early Help referrals with a hub meeting date), by
authority and financial year, as B computes them.

usage: python benchmarks/pandas_script.py LANDING OUT.csv
"""

import sys
import time
from pathlib import Path

import pandas as pd

GLD = [f"elg{n:02d}" for n in range(1, 13)]
ALL = [f"elg{n:02d}" for n in range(1, 18)]


def season(month: int) -> str:
    if month >= 9:
        return "Autumn-born"
    if month <= 4:
        return "Spring-born"
    return "Summer-born"


def main(landing: Path, out: Path) -> None:
    started = time.perf_counter()
    lookup = pd.read_csv(landing / "seeds" / "neighbourhood_lookup.csv")
    authorities = pd.read_csv(landing / "seeds" / "local_authorities.csv", dtype=str)
    years = []
    for year_dir in sorted((landing / "eyfsp").iterdir()):
        eyfsp = pd.concat([pd.read_csv(p, dtype=str) for p in sorted(year_dir.glob("*.csv"))])
        census = pd.concat(
            [
                pd.read_csv(p, dtype=str)
                for p in sorted((landing / "census" / year_dir.name).glob("*.csv"))
            ]
        )
        children = eyfsp.merge(census, on="upn")
        children["time_period"] = int(year_dir.name[:4] + year_dir.name[5:7])
        years.append(children)
    data = pd.concat(years, ignore_index=True)
    data["postcode_sector"] = data["postcode"].apply(lambda p: p[:-2])
    data = data.merge(lookup, on="postcode_sector").merge(authorities, on="la_code")
    data["gld"] = data.apply(lambda row: all(row[c] == "2" for c in GLD), axis=1)
    data["all17"] = data.apply(lambda row: all(row[c] == "2" for c in ALL), axis=1)
    data["elgs"] = data.apply(lambda row: sum(row[c] == "2" for c in ALL), axis=1)
    data["Sex"] = data["sex"].map({"F": "Female", "M": "Male"})
    data["FSM eligibility"] = data["fsm_eligible"].map({"Y": "Eligible", "N": "Not eligible"})
    data["First language"] = data["first_language"].map(
        {"ENG": "English", "OTH": "Other than English", "UNK": "Unknown"}
    )
    data["SEN provision"] = data["sen_provision"].map(
        {"N": "No SEN", "K": "SEN support", "E": "EHC plan"}
    )
    data["Season of birth"] = data["dob"].apply(lambda d: season(int(d[5:7])))
    rows = []
    for indicator, column, scale in (
        ("gld", "gld", 100.0),
        ("all_elgs_expected", "all17", 100.0),
        ("average_elgs_expected", "elgs", 1.0),
    ):
        for (period, code), group in data.groupby(["time_period", "neighbourhood_code"]):
            rows.append(
                (
                    indicator,
                    period,
                    "Neighbourhood",
                    code,
                    "All",
                    "All children",
                    group[column].sum(),
                    len(group),
                    scale * group[column].sum() / len(group),
                )
            )
        for (period, code), group in data.groupby(["time_period", "new_la_code"]):
            rows.append(
                (
                    indicator,
                    period,
                    "Local authority",
                    code,
                    "All",
                    "All children",
                    group[column].sum(),
                    len(group),
                    scale * group[column].sum() / len(group),
                )
            )
            for breakdown in (
                "Sex",
                "FSM eligibility",
                "First language",
                "SEN provision",
                "Season of birth",
            ):
                for name, part in group.groupby(breakdown):
                    rows.append(
                        (
                            indicator,
                            period,
                            "Local authority",
                            code,
                            breakdown,
                            name,
                            part[column].sum(),
                            len(part),
                            scale * part[column].sum() / len(part),
                        )
                    )
    rows += frameworks(landing, data)
    result = pd.DataFrame(
        rows,
        columns=[
            "indicator_id",
            "time_period",
            "level",
            "area_code",
            "breakdown",
            "grp",
            "numerator",
            "denominator",
            "value",
        ],
    )
    result.sort_values(list(result.columns)).to_csv(out, index=False)
    print(f"pandas script: {len(result)} indicator rows in {time.perf_counter() - started:.1f} s")


def _read_all(landing: Path, kind: str) -> pd.DataFrame:
    """Every file of a kind, with its folder (a financial year or a month)."""
    frames = [
        pd.read_csv(path, dtype=str, keep_default_na=False).assign(folder=path.parent.name)
        for path in sorted((landing / kind).glob("*/*.csv"))
    ]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _financial_year(folder: str) -> int:
    return int(folder[:4] + folder[5:7])


def _headline(frame, indicator, period, area, group, hit) -> list[tuple]:
    rows = []
    for (time_period, code), part in frame.groupby([period, area]):
        count = int(part[hit].sum())
        rows.append(
            (
                indicator,
                time_period,
                "Local authority",
                code,
                "All",
                group,
                count,
                len(part),
                100.0 * count / len(part),
            )
        )
    return rows


def _code(values: pd.Series) -> pd.Series:
    """A code as ingest reads it: trimmed, upper case."""
    return values.fillna("").astype(str).str.strip().str.upper()


def _sector(values: pd.Series) -> pd.Series:
    """A postcode sector as the lookups read it: upper case, one space, a full postcode cut
    to its sector."""
    spaced = _code(values).str.replace(r"\s+", " ", regex=True)
    return spaced.str.replace(r"^([A-Z]{1,2}[0-9][0-9A-Z]? [0-9])[A-Z]{2}$", r"\1", regex=True)


def frameworks(landing: Path, children: pd.DataFrame) -> list[tuple]:
    rows = []
    teams = (
        pd.read_csv(landing / "seeds" / "teams.csv", dtype=str)
        if (landing / "seeds" / "teams.csv").exists()
        else None
    )
    owners = None
    if teams is not None:
        owners = teams.assign(team_code=_code(teams["team_code"]))[["team_code", "new_la_code"]]
    leavers = _read_all(landing, "care_leavers")
    if len(leavers):
        leavers = leavers.assign(team_code=_code(leavers["team_code"])).merge(
            owners, on="team_code"
        )
        leavers["time_period"] = leavers["folder"].map(_financial_year)
        leavers["hit"] = _code(leavers["IN_TOUCH"]) == "YES"
        rows += _headline(
            leavers, "cl_in_touch", "time_period", "new_la_code", "All care leavers", "hit"
        )
    reviews = _read_all(landing, "health_visitor_reviews")
    if len(reviews):
        # a neighbourhood's authority: the one most of its children are returned under
        owner = children.groupby("neighbourhood_code")["new_la_code"].agg(
            lambda codes: codes.value_counts().index[0]
        )
        lookup = pd.read_csv(landing / "seeds" / "neighbourhood_lookup.csv", dtype=str)
        sector_hood = dict(
            zip(_sector(lookup["postcode_sector"]), lookup["neighbourhood_code"], strict=True)
        )
        reviews["new_la_code"] = _sector(reviews["postcode_sector"]).map(sector_hood).map(owner)
        reviews = reviews.dropna(subset=["new_la_code"])
        reviews["time_period"] = reviews["folder"].map(_financial_year)
        age = pd.to_numeric(reviews["age_in_months"], errors="coerce")
        reviews["hit"] = (reviews["review_date"].str.strip() != "") & (age <= 30)
        rows += _headline(
            reviews, "ec_review_by_30_months", "time_period", "new_la_code", "All children", "hit"
        )
    referrals = _read_all(landing, "early_help_referrals")
    if len(referrals):
        # a month's referrals count once the next month's file is landed
        month = pd.to_datetime(referrals["referral_date"]).dt.to_period("M")
        landed = set(pd.PeriodIndex(referrals["folder"], freq="M"))
        referrals = referrals[(month + 1).isin(landed)].copy()
        month = month[(month + 1).isin(landed)]
        start = month.dt.year.where(month.dt.month >= 4, month.dt.year - 1)
        referrals["time_period"] = start * 100 + (start + 1) % 100
        referrals = referrals.assign(team_code=_code(referrals["team_code"])).merge(
            owners, on="team_code"
        )
        referrals["hit"] = referrals["hub_meeting_date"].str.strip() != ""
        rows += _headline(
            referrals,
            "eh_hub_meeting_recorded",
            "time_period",
            "new_la_code",
            "All referrals",
            "hit",
        )
    return rows


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve())
