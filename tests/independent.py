"""An independent computation of the EYFSP indicators straight from the landing files.

Written from the DfE definitions with plain pandas, sharing no code with Chorus, so the
end-to-end tests compare Chorus against something it could not have influenced.
"""

from pathlib import Path

import pandas as pd

GLD_GOALS = [f"elg{n:02d}" for n in range(1, 13)]
ALL_GOALS = [f"elg{n:02d}" for n in range(1, 18)]


def children(landing: Path) -> pd.DataFrame:
    """One row per child per year with outcomes and characteristics."""
    frames = []
    for eyfsp_path in sorted((landing / "eyfsp").glob("*/*.csv")):
        folder = eyfsp_path.parent.name  # e.g. 2023-24
        time_period = int(folder[:4] + folder[5:7])
        eyfsp = pd.read_csv(eyfsp_path, dtype=str, keep_default_na=False)
        census = pd.concat([pd.read_csv(p, dtype=str, keep_default_na=False)
                            for p in (landing / "census" / folder).glob("*.csv")])
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
        lambda m: "Autumn-born" if m >= 9 else "Spring-born" if m <= 4 else "Summer-born")
    data["Sex"] = data["sex"].map({"F": "Female", "M": "Male"})
    data["FSM eligibility"] = data["fsm_eligible"].map({"Y": "Eligible", "N": "Not eligible"})
    data["First language"] = data["first_language"].map(
        {"ENG": "English", "OTH": "Other than English", "UNK": "Unknown"})
    data["SEN provision"] = data["sen_provision"].map(
        {"N": "No SEN", "K": "SEN support", "E": "EHC plan"})
    return data


BREAKDOWNS = ["Sex", "FSM eligibility", "First language", "SEN provision", "Season of birth"]
MEASURES = {"gld": ("gld", 100.0), "all_elgs_expected": ("all17", 100.0),
            "average_elgs_expected": ("elgs", 1.0)}


def _aggregate(frame: pd.DataFrame, indicator_id: str, column: str, scale: float, level: str,
               code_col: str, breakdown: str, group_col: str | None) -> list[dict]:
    keys = ["time_period", code_col] + ([group_col] if group_col else [])
    grouped = frame.groupby(keys)[column].agg(["sum", "count"]).reset_index()
    return [{
        "indicator_id": indicator_id, "time_period": row["time_period"],
        "geographic_level": level, "area_code": row[code_col], "breakdown": breakdown,
        "group": row[group_col] if group_col else "All children",
        "numerator": int(row["sum"]), "denominator": int(row["count"]),
        "value": scale * row["sum"] / row["count"],
    } for row in grouped.to_dict("records")]


def indicator_values(data: pd.DataFrame) -> pd.DataFrame:
    """indicator_id, time_period, geographic_level, area_code, breakdown, group, n, d, value."""
    rows = []
    for indicator_id, (column, scale) in MEASURES.items():
        rows += _aggregate(data, indicator_id, column, scale, "Neighbourhood",
                           "neighbourhood_code", "All", None)
        rows += _aggregate(data, indicator_id, column, scale, "Local authority", "new_la_code",
                           "All", None)
        for breakdown in BREAKDOWNS:
            rows += _aggregate(data, indicator_id, column, scale, "Local authority",
                               "new_la_code", breakdown, breakdown)
    return pd.DataFrame(rows)
