"""Generated cohorts for the disclosure tests: children, respondents, answers and links, their
true indicator table (tests/independent.py), and Chorus's disclosure control applied to it as
the publish step applies it."""

from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import strategies as st

from indicators.disclosure import DisclosureConfig, protect, publishable, with_rounded_counts
from indicators.publish.register import shapes
from indicators.voice.items import load_item_bank
from tests import independent
from tests.attacker import Attacker, declarations

ROOT = Path(__file__).resolve().parents[1]
META = declarations()
REGISTER = pd.DataFrame([{"model": f"ind_{i}", **meta} for i, meta in META.items()])
ITEMS = load_item_bank(ROOT / "seeds" / "voice_items.csv")
ENGLAND = pd.DataFrame(columns=["indicator_id", "time_period", "breakdown", "group", "value"])
YEARS = [202223, 202324]
AUTHORITIES = ["E99000001", "E99000002"]

BANK = independent.item_bank()
CODES = {
    "yesno": ["Y", "N"],
    "agree5": list("12345"),
    "frequency5": list("12345"),
    "scale0_10": [str(v) for v in range(11)],
}
QUESTIONS = {
    row.item_id: CODES[row.response_scale] for row in BANK.drop_duplicates("item_id").itertuples()
}
cohorts = st.fixed_dictionaries(
    {
        "seed": st.integers(0, 2**32 - 1),
        "years": st.integers(1, 2),
        "authorities": st.integers(1, 2),
        "hoods": st.integers(1, 4),
        "per_year": st.sampled_from([5, 20, 60, 150, 400]),
        "heard": st.sampled_from([0.0, 0.1, 0.3, 0.8]),
        "rare": st.sampled_from([0.0, 0.01, 0.05, 0.2]),
        "lean": st.sampled_from([0.5, 0.85, 0.97]),
    }
)
"""A cohort's few hypothesis choices: sizes from a handful to a few hundred children a year,
uneven neighbourhoods (some tiny), how many families answer, rare groups (EHC plan, unknown
first language, a little-used channel), questions nearly everyone answers the same way
(small complements). The rest is drawn with numpy from the seed."""


def people_of(
    seed: int,
    years: int,
    authorities: int,
    hoods: int,
    per_year: int,
    heard: float,
    rare: float,
    lean: float,
) -> tuple[list[dict], list[dict]]:
    """Children and respondents (with answers and consented links) of one cohort."""
    rng = np.random.default_rng(seed)
    # ethnicity and which goals: a stream of their own, so the cohort drawn from `rng` (its
    # sizes, characteristics, outcomes, GLD, all 17 and goals counted) is the one drawn before
    own = np.random.default_rng([seed, 17])
    children, people = [], []
    for year in YEARS[:years]:
        for la in range(authorities):
            shares = rng.dirichlet(np.full(hoods, 0.7))
            size = int(rng.integers(1, per_year + 1))
            hood = rng.choice(hoods, size=size, p=shares)
            for i in range(size):
                outcome = rng.choice(["all17", "gld", "none"], p=[0.45, 0.2, 0.35])
                extra = int(rng.integers(0, 17))
                children.append(
                    {
                        "year": year,
                        "la": la,
                        "hood": int(hood[i]),
                        "Sex": rng.choice(["Female", "Male"]),
                        "FSM eligibility": rng.choice(["Eligible", "Not eligible"], p=[0.2, 0.8]),
                        "First language": rng.choice(
                            ["English", "Other than English", "Unknown"], p=[0.8 - rare, 0.2, rare]
                        ),
                        "SEN provision": rng.choice(
                            ["No SEN", "SEN support", "EHC plan"], p=[0.9 - rare, 0.1, rare]
                        ),
                        "Season of birth": rng.choice(
                            ["Autumn-born", "Spring-born", "Summer-born"]
                        ),
                        "Ethnicity": own.choice(
                            ETHNICITIES, p=[0.7 - 3 * rare, 0.1, 0.15, 0.05, rare, rare, rare]
                        ),
                        **_goals(own, str(outcome), extra),
                    }
                )
            for _ in range(int(rng.binomial(size, heard))):
                answers = {}
                for item, codes in QUESTIONS.items():
                    if rng.random() < 0.85:
                        answers[item] = codes[-1] if rng.random() < lean else str(rng.choice(codes))
                people.append(
                    {
                        "year": year,
                        "la": la,
                        "hood": int(rng.choice(hoods, p=shares)),
                        "channel": rng.choice(
                            list(independent.CHANNELS.values()),
                            p=[0.3, 0.3 - rare, 0.1 + rare, 0.3],
                        ),
                        "funded": rng.choice(list("YNU"), p=[0.8, 0.15, 0.05]),
                        "eal": rng.choice(list("NYU"), p=[0.75, 0.2, 0.05]),
                        "hub": rng.choice(list("YNU"), p=[0.6, 0.35, 0.05]),
                        "link": int(rng.integers(0, 10_000)) if rng.random() < 0.5 else None,
                        "answers": answers,
                    }
                )
    return children, people


ETHNICITIES = [
    "White",
    "Asian",
    "Mixed",
    "Black",
    "Chinese",
    "Any other ethnic group",
    "Unclassified",
]
GOAL_COLUMNS = [f"elg{n:02d}" for n in range(1, 18)]


def _goals(rng: np.random.Generator, outcome: str, extra: int) -> dict[str, str]:
    """Each goal's result ("2" expected, "1" emerging, "A" not assessed) for an outcome: all
    17 at expected; a good level of development (the first 12) and 12 + extra % 5 goals; or
    `extra` goals (0 to 16) at expected, never all 12 GLD goals."""
    expected = np.zeros(17, dtype=bool)
    if outcome == "all17":
        expected[:] = True
    elif outcome == "gld":
        expected[:12] = True
        expected[12 + rng.choice(5, size=extra % 5, replace=False)] = True
    else:
        missed = int(rng.integers(0, 12))  # a GLD goal not at expected
        others = [n for n in range(17) if n != missed]
        expected[rng.choice(others, size=extra, replace=False)] = True
    results = np.where(expected, "2", rng.choice(["1", "A"], size=17, p=[0.9, 0.1]))
    return dict(zip(GOAL_COLUMNS, (str(r) for r in results), strict=True))


def cohort(children: list[dict], people: list[dict]) -> tuple[pd.DataFrame, dict[str, str]]:
    """The true indicator table of a generated cohort, and each area's parent."""
    kids = pd.DataFrame(children)
    kids["time_period"] = kids["year"]
    kids["new_la_code"] = kids["la"].map(lambda i: AUTHORITIES[i])
    kids["neighbourhood_code"] = "N" + kids["la"].astype(str) + kids["hood"].astype(str)
    expected = kids[GOAL_COLUMNS] == "2"
    kids["gld"] = expected[GOAL_COLUMNS[:12]].all(axis=1)
    kids["all17"] = expected.all(axis=1)
    kids["elgs"] = expected.sum(axis=1)
    kids = independent.with_goal_measures(kids)
    kids["upn"] = [f"C{i}" for i in range(len(kids))]
    latest = BANK.sort_values("since").groupby("item_id").last()
    rows, answers = [], []
    for number, person in enumerate(people):
        hood = f"N{person['la']}{person['hood']}"
        la = AUTHORITIES[person["la"]]
        same = kids[(kids["time_period"] == person["year"]) & (kids["new_la_code"] == la)]
        linked = (
            same["upn"].iloc[person["link"] % len(same)]
            if person["link"] is not None and len(same)
            else ""
        )
        response = f"R{number}"
        rows.append(
            {
                "time_period": person["year"],
                "response_id": response,
                "neighbourhood_code": hood,
                "new_la_code": la,
                "channel": person["channel"],
                "funded": person["funded"],
                "eal": person["eal"],
                "hub": person["hub"],
                "child": linked,
            }
        )
        for item, code in person["answers"].items():
            if code is None:
                continue
            version = latest.loc[item]
            score = float(code) if version["response_scale"] in independent.SCALES else np.nan
            answers.append(
                {
                    "time_period": person["year"],
                    "response_id": response,
                    "item_id": item,
                    "domain": version["domain"],
                    "positive": code in version["positive_codes"],
                    "score": score,
                }
            )
    respondents = pd.DataFrame(
        rows,
        columns=[
            "time_period",
            "response_id",
            "neighbourhood_code",
            "new_la_code",
            "channel",
            "funded",
            "eal",
            "hub",
            "child",
        ],
    )
    answered = pd.DataFrame(
        answers, columns=["time_period", "response_id", "item_id", "domain", "positive", "score"]
    )
    values = independent.all_indicator_values(kids, respondents, answered)
    parents = {f"N{la}{hood}": AUTHORITIES[la] for la in (0, 1) for hood in range(4)}
    return values, parents


def publish(
    values: pd.DataFrame, parents: dict[str, str], config: DisclosureConfig
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Chorus's disclosure control, as the publish step runs it."""
    indicator_shapes = shapes(REGISTER, config.voice_min_respondents)
    protected = protect(values, parents, indicator_shapes, config, ITEMS)
    if config.round_to:
        protected = with_rounded_counts(protected, config.round_to, parents, REGISTER, ENGLAND)
    return protected, publishable(protected, indicator_shapes, config, parents)


def attack(
    protected: pd.DataFrame,
    published: pd.DataFrame,
    parents: dict[str, str],
    config: DisclosureConfig,
):
    findings = Attacker(published, parents, config.threshold, config.round_to, META).run()
    truth = {
        (str(r.indicator_id), str(r.time_period), r.area_code, r.breakdown, r.group): (
            r.numerator,
            r.denominator,
        )
        for r in protected.itertuples(index=False)
    }
    for finding in findings:  # the attacker is sound: the truth is always possible
        n, d = truth[
            (
                finding.indicator_id,
                finding.time_period,
                finding.area_code,
                finding.breakdown,
                finding.group,
            )
        ]
        true = {"numerator": n, "denominator": d, "complement": d - n}[finding.count]
        if finding.exact and not config.round_to:  # (rounding: the table kept is rounded)
            assert finding.low - 1e-6 <= true <= finding.high + 1e-6, (finding, true)
    # A cell with no one in it (0 of 0) is one primary suppression publishes as 0: hidden
    # only as a partner, recovering its 0 discloses no one. A count equal to it in a cell
    # with units (respondents heard, 0, of a cohort) is attacked in that cell.
    return [
        finding
        for finding in findings
        if any(truth[_key(finding)])  # not 0 of 0
    ]


def _key(finding) -> tuple:
    return (
        finding.indicator_id,
        finding.time_period,
        finding.area_code,
        finding.breakdown,
        finding.group,
    )
