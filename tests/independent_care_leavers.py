"""An independent computation of the care leavers' indicators (issue 14) straight from the
landing files, with plain pandas, sharing no code with Chorus: the end-to-end test compares
the published table with it.

Written from the definitions in the issue and docs/inputs.md: a care leaver's birthday in the
financial year (April to March), in touch = IN_TOUCH YES, in education, employment or
training = ACTIV F* or P*, suitable = ACCOM ending in 1, reviewed = the latest review dated
from 1 October to 31 March; a review's domain score = the mean of its answered topics that
inform the domain (seeds/pathway_plan_topics.csv, `All` = every domain), rounded to a whole
point, halves up.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
HEADERS = {
    "child": "child_id",
    "dob": "date_of_birth",
    "activ": "activity",
    "accom": "accommodation",
}
LA_LEVEL, TEAM_LEVEL = "Local authority", "Team"
INDICATORS = {
    "cl_in_touch",
    "cl_in_eet",
    "cl_suitable_accommodation",
    "cl_plan_reviewed",
    "cl_domain_mean_young_person",
    "cl_domain_mean_adviser",
    "cl_domain_good_young_person",
    "cl_domain_good_adviser",
    "cl_divergence_mean",
    "cl_divergence_wide",
    "cl_topic_unanswered_young_person",
    "cl_topic_unanswered_adviser",
    "cl_suitable_but_unsafe",
    "cl_distance_travelled",
    "cl_no_voice_review",
}
"""The indicators computed here (the ids of the issue)."""


def _read(folder: Path) -> pd.DataFrame:
    frames = []
    for path in sorted(folder.glob("*/*")):
        if path.suffix.lower() not in (".csv", ".xlsx"):
            continue
        frame = (
            pd.read_csv(path, dtype=str, keep_default_na=False)
            if path.suffix.lower() == ".csv"
            else pd.read_excel(path, dtype=str).fillna("")
        )
        frame.columns = [HEADERS.get(c.strip().lower(), c.strip().lower()) for c in frame.columns]
        start = int(path.parent.name[:4])
        frame["time_period"] = start * 100 + (start + 1) % 100
        frame["start_year"] = start
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _dates(text: pd.Series) -> pd.Series:
    """ISO dates (2024-05-01) or day first (01/05/2024), as the return may write them."""
    text = text.str.strip()
    iso = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    return iso.fillna(pd.to_datetime(text, format="%d/%m/%Y", errors="coerce"))


def topics(seeds: Path = ROOT / "seeds") -> pd.DataFrame:
    """(topic_id, wording, domain), one row per domain a topic informs."""
    table = pd.read_csv(seeds / "pathway_plan_topics.csv", dtype=str)
    named = sorted({d.strip() for ds in table["domains"] for d in ds.split(";") if d != "All"})
    rows = []
    for topic in table.itertuples():
        domains = named if topic.domains.strip() == "All" else topic.domains.split(";")
        rows += [(topic.topic_id, topic.wording, d.strip()) for d in domains]
    return pd.DataFrame(rows, columns=["topic_id", "wording", "domain"])


def care_leavers(landing: Path, la_code: str) -> pd.DataFrame:
    data = _read(landing / "care_leavers")
    data["child_id"] = data["child_id"].str.strip()
    birth = _dates(data["date_of_birth"])
    age = data["start_year"] + (birth.dt.month < 4).astype(int) - birth.dt.year
    data["Age group"] = np.where(age <= 18, "17 to 18", "19 to 21")
    data["UASC"] = np.where(data["uasc"].str.upper().str.startswith("Y"), "UASC", "Not UASC")
    words = data["eligibility_category"].str.strip().str.lower().str.replace("_", " ")
    data["Eligibility category"] = words.str[:1].str.upper() + words.str[1:]
    data["in_touch"] = data["in_touch"].str.strip().str.upper() == "YES"
    data["in_eet"] = data["activity"].str.strip().str.upper().str[:1].isin(["F", "P"])
    data["suitable"] = data["accommodation"].str.strip().str[-1:] == "1"
    review = _dates(data["latest_review_date"])
    from_ = pd.to_datetime(data["start_year"].astype(str) + "-10-01")
    to = pd.to_datetime((data["start_year"] + 1).astype(str) + "-03-31")
    data["reviewed"] = (review >= from_) & (review <= to)
    data["team_code"] = data["team_code"].str.strip()
    data["la_code"] = la_code
    return data


def reviews(landing: Path) -> pd.DataFrame:
    """One row per review, perspective and topic given with consent to aggregate use."""
    data = _read(landing / "pathway_plan_reviews")
    data = data[data["consent_aggregate"].str.strip().str.upper() == "Y"].copy()
    data["child_id"] = data["child_id"].str.strip()
    data["team_code"] = data["team_code"].str.strip()
    data["review_date"] = _dates(data["review_date"])
    ids = list(topics()["topic_id"].unique())
    long = data.melt(
        id_vars=["review_id", "child_id", "perspective", "review_date", "team_code", "time_period"],
        value_vars=ids,
        var_name="topic_id",
        value_name="text",
    )
    long["score"] = pd.to_numeric(long["text"].str.strip(), errors="coerce")
    return long.drop(columns="text")


def domain_scores(long: pd.DataFrame) -> pd.DataFrame:
    answered = long.dropna(subset=["score"]).merge(topics(), on="topic_id")
    keys = ["review_id", "child_id", "perspective", "review_date", "team_code", "time_period"]
    means = answered.groupby([*keys, "domain"], as_index=False)["score"].mean()
    means["score"] = np.floor(means["score"] + 0.5)  # to a whole point, halves up
    return means


def latest(frame: pd.DataFrame) -> pd.DataFrame:
    """Each young person's latest review of the year per perspective (by date, then id)."""
    ordered = frame.sort_values(["review_date", "review_id"])
    last = ordered.groupby(["time_period", "child_id", "perspective"])["review_id"].last()
    return frame.merge(
        last.reset_index(), on=["time_period", "child_id", "perspective", "review_id"]
    )


def _cells(
    rows: pd.DataFrame, by: list[tuple[str, str | None]], how: str, value: str, la_code: str
) -> pd.DataFrame:
    """One row per (geographic_level, area_code, time_period, breakdown, group) with
    numerator (count or sum of `value`), denominator (rows) and value (% or mean). The
    groups of Age group, UASC and Eligibility category are at the authority only."""
    out = []
    rows = rows.assign(la_code=la_code, _value=rows[value].astype(float))
    for level, area in ((TEAM_LEVEL, "team_code"), (LA_LEVEL, "la_code")):
        for breakdown, column in by:
            if level == TEAM_LEVEL and breakdown in ("Age group", "UASC", "Eligibility category"):
                continue
            keys = [area, "time_period"] + ([column] if column else [])
            table = rows.groupby(keys)["_value"].agg(["sum", "count"]).reset_index()
            for row in table.to_dict("records"):
                scale = 1.0 if how == "mean" else 100.0
                out.append(
                    {
                        "geographic_level": level,
                        "area_code": row[area],
                        "time_period": int(row["time_period"]),
                        "breakdown": breakdown,
                        "group": row[column] if column else "All care leavers",
                        "numerator": float(row["sum"]),
                        "denominator": float(row["count"]),
                        "value": scale * row["sum"] / row["count"],
                    }
                )
    return pd.DataFrame(out)


STATUTORY_BY = [
    ("All", None),
    ("Age group", "Age group"),
    ("UASC", "UASC"),
    ("Eligibility category", "Eligibility category"),
]
DOMAIN_BY = [("Outcome domain", "domain")]


def indicators(landing: Path, la_code: str) -> pd.DataFrame:
    """Every care-leaver indicator's cells, by indicator_id."""
    found = {}
    leavers = care_leavers(landing, la_code)
    for indicator, column in (
        ("cl_in_touch", "in_touch"),
        ("cl_in_eet", "in_eet"),
        ("cl_suitable_accommodation", "suitable"),
        ("cl_plan_reviewed", "reviewed"),
    ):
        found[indicator] = _cells(leavers, STATUTORY_BY, "share", column, la_code)
    long = reviews(landing)
    scores = domain_scores(long)
    for perspective, suffix in (("young_person", "young_person"), ("personal_adviser", "adviser")):
        last = latest(scores[scores["perspective"] == perspective])
        last = last.assign(good=last["score"] >= 7)
        found[f"cl_domain_mean_{suffix}"] = _cells(last, DOMAIN_BY, "mean", "score", la_code)
        found[f"cl_domain_good_{suffix}"] = _cells(last, DOMAIN_BY, "share", "good", la_code)
        mine = long[long["perspective"] == perspective].merge(
            topics()[["topic_id", "wording"]].drop_duplicates(), on="topic_id"
        )
        mine = mine.assign(blank=mine["score"].isna())
        found[f"cl_topic_unanswered_{suffix}"] = _cells(
            mine, [("Pathway Plan topic", "wording")], "share", "blank", la_code
        )
    young = scores[scores["perspective"] == "young_person"]
    adviser = scores[scores["perspective"] == "personal_adviser"]
    # a review is its financial year and id: ids repeat across years
    both = young.merge(
        adviser[["time_period", "review_id", "domain", "score"]],
        on=["time_period", "review_id", "domain"],
    )
    both["difference"] = both["score_x"] - both["score_y"]
    both["wide"] = both["difference"].abs() >= 3
    found["cl_divergence_mean"] = _cells(both, DOMAIN_BY, "mean", "difference", la_code)
    found["cl_divergence_wide"] = _cells(both, DOMAIN_BY, "share", "wide", la_code)
    # distance travelled: latest young-person review of the year minus the one before it
    ordered = (
        long[long["perspective"] == "young_person"][
            ["time_period", "review_id", "child_id", "review_date"]
        ]
        .drop_duplicates()
        .sort_values(["review_date", "review_id"])
    )
    ordered["previous_review_id"] = ordered.groupby("child_id")["review_id"].shift()
    ordered["previous_time_period"] = ordered.groupby("child_id")["time_period"].shift()
    last = latest(young).merge(
        ordered[["time_period", "review_id", "previous_time_period", "previous_review_id"]],
        on=["time_period", "review_id"],
    )
    before = young[["time_period", "review_id", "domain", "score"]].rename(
        columns={
            "time_period": "previous_time_period",
            "review_id": "previous_review_id",
            "score": "previous",
        }
    )
    moved = last.merge(before, on=["previous_time_period", "previous_review_id", "domain"])
    moved["change"] = moved["score"] - moved["previous"]
    found["cl_distance_travelled"] = _cells(moved, DOMAIN_BY, "mean", "change", la_code)
    # suitable but unsafe: the latest young-person review's "home" / "safe and well" scores
    review_rows = long.drop(columns=["topic_id", "score"]).drop_duplicates()
    last_reviews = latest(review_rows[review_rows["perspective"] == "young_person"])
    flagship = long[long["topic_id"].isin(["home", "safe_and_well"])].dropna(subset=["score"])
    flagship = flagship.merge(
        last_reviews[["time_period", "review_id", "perspective"]],
        on=["time_period", "review_id", "perspective"],
    )
    lowest = flagship.groupby(["time_period", "child_id"], as_index=False)["score"].min()
    suitable = leavers[leavers["suitable"]].merge(lowest, on=["time_period", "child_id"])
    suitable["unsafe"] = suitable["score"] <= 4
    found["cl_suitable_but_unsafe"] = _cells(suitable, STATUTORY_BY, "share", "unsafe", la_code)
    # no review of the year given from the young person's own perspective (with consent)
    heard = long[long["perspective"] == "young_person"][["time_period", "child_id"]]
    heard = heard.drop_duplicates().assign(heard=True)
    missing = leavers.merge(heard, on=["time_period", "child_id"], how="left")
    missing["unheard"] = missing["heard"].isna()
    found["cl_no_voice_review"] = _cells(missing, STATUTORY_BY, "share", "unheard", la_code)
    return pd.concat(
        [frame.assign(indicator_id=indicator) for indicator, frame in found.items()],
        ignore_index=True,
    )
