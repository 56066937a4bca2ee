"""C: what an LA analyst writes today. A straightforward pandas script computing the same
school-readiness values from the landed CSV files: read each file, join census and the
lookup, then group by each area and breakdown.

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


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve())
