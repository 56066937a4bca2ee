"""Board packs: three formats per area, the same numbers in each, symbols never leak numbers.

Most tests use `sample_publication`: hand-made published frames in exactly the shape the
publish step writes (all text, EES symbols), with the voice indicators of the voice contract
(`voice_item_positive`, `voice_item_mean`, `voice_domain_positive`, `voice_reach`,
`voice_reach_group`, `cohort_eal_share`, `voice_channel_seldom_heard`, the LA-only linked
indicators and a `reliability` column). Intervals, comparisons and trends in the sample are
computed with `indicators.stats`, as the pipeline does. One test builds packs from the
frames a real pipeline run published.
"""

from __future__ import annotations

import inspect
import math
import re
import zipfile
from dataclasses import dataclass
from functools import partial
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from indicators import stats as st
from indicators.publish.packs import FILES, RunInfo, write_packs
from indicators.voice.items import load_item_bank

ROOT = Path(__file__).resolve().parents[1]
LA = ("E99000999", "Harrowdale (synthetic)")
HOODS = (
    ("HD01", "Harrowdale Central"),
    ("HD02", "Northgate"),
    ("HD03", "Eastfield"),
    ("HD04", "Millbrook"),
    ("HD05", "Hillside Villages"),
)
PERIODS = ("202122", "202223", "202324", "202425")
THRESHOLD = 10
VOICE_MINIMUM = 10
SEN_GROUPS = ("EHC plan", "No SEN", "SEN support")
SELDOM_HEARD = (
    "Not using funded early education",
    "English as an additional language",
    "Not known to the family hub",
)
CHANNELS = ("Outreach visit", "Family hub", "Parent panel", "Online")
LINKED_ITEMS = ("read_together", "two_year_review")
COLUMNS = [
    "indicator_id",
    "time_period",
    "geographic_level",
    "area_code",
    "area_name",
    "breakdown",
    "group",
    "numerator",
    "denominator",
    "value",
    "lower_ci_95",
    "upper_ci_95",
    "lower_ci_998",
    "upper_ci_998",
    "compared_with_la",
    "compared_with_england",
    "recent_trend",
    "reliability",
]
QUOTES = {
    "read_together": (
        "We go to the library on Saturdays and she chooses the books.",
        "Hard to find time to read with three kids and two jobs.",
        "The Bookstart packs really helped us get going with books.",
        "We don't have many books at home in English.",
        "Reading with her big brother is the best part of the day.",
        "Her nan reads to her in Urdu and I read to her in English.",
    ),
    "hub_easy_to_reach": (
        "The hub is a short walk and the staff are lovely.",
        "The bus to the hub takes two changes and costs too much.",
        "We get the bus to the hub and it's easy with the pram.",
        "It's a long walk with the pram and there is no bus.",
        "Easy to get to, the stay and play on Tuesdays is great.",
        "No car and the hub is too far for us to get to.",
    ),
    "enough_money": (
        "We manage but only just, nursery fees are the big worry.",
        "Some weeks we go without so the kids have what they need.",
        "Working more hours has helped but it is still tight.",
        "The cost of nappies and formula has gone up so much.",
        "We are fine for money now that I am back at work.",
        "Food bank vouchers got us through the winter.",
    ),
}


# --------------------------------------------------------------------------------------------
# A hand-made publication in the published shape
# --------------------------------------------------------------------------------------------


@dataclass
class Sample:
    values: pd.DataFrame
    register: pd.DataFrame
    quotes: pd.DataFrame
    england: pd.DataFrame
    items: pd.DataFrame
    run: RunInfo


def _fmt(value: float, decimals: int = 1) -> str:
    if value is None or not math.isfinite(value):
        return "x"
    text = f"{value:.{decimals}f}"
    return "low" if float(text) == 0 and value != 0 else text


class _Rows:
    """Collects rows and fills intervals, comparisons, trends and suppression like the pipeline."""

    def __init__(self) -> None:
        self.rows: list[dict] = []

    def add(
        self,
        indicator_id: str,
        period: str,
        level: str,
        code: str,
        name: str,
        breakdown: str,
        group: str,
        numerator: float,
        denominator: float,
        *,
        kind: str = "proportion",
        sd: float = 0.0,
        voice: bool = False,
        hide: bool = False,
    ) -> None:
        self.rows.append(
            dict(
                indicator_id=indicator_id,
                time_period=period,
                geographic_level=level,
                area_code=code,
                area_name=name,
                breakdown=breakdown,
                group=group,
                n=float(numerator),
                d=float(denominator),
                kind=kind,
                sd=sd,
                voice=voice,
                hide=hide,
            )
        )

    def frame(
        self, england: dict, polarity: dict, units: dict[str, dict[str, str]] | None = None
    ) -> pd.DataFrame:
        units = units or declared_units()
        frame = pd.DataFrame(self.rows)
        proportion = frame["kind"] == "proportion"
        per100 = frame["kind"] == "per100"
        frame["v"] = np.where(
            proportion,
            100 * frame["n"] / frame["d"],
            np.where(per100, 100 * frame["n"] / frame["d"], frame["n"] / frame["d"]),
        )
        lower, upper = st.wilson_interval(frame["n"].clip(upper=frame["d"]), frame["d"])
        mean_low, mean_high = st.mean_interval(frame["v"], frame["sd"], frame["d"])
        frame["lo"] = np.where(frame["kind"] == "mean", mean_low, lower)
        frame["hi"] = np.where(frame["kind"] == "mean", mean_high, upper)
        lower998, upper998 = st.wilson_interval(
            frame["n"].clip(upper=frame["d"]), frame["d"], 0.998
        )
        frame["lo998"] = np.where(frame["kind"] == "mean", mean_low, lower998)
        frame["hi998"] = np.where(frame["kind"] == "mean", mean_high, upper998)
        # per 100 children is not a proportion interval: use a Poisson-ish approximation
        frame.loc[per100, "lo"] = (
            frame.loc[per100, "v"]
            - 1.96 * np.sqrt(frame.loc[per100, "n"]) / frame.loc[per100, "d"] * 100
        )
        frame.loc[per100, "hi"] = (
            frame.loc[per100, "v"]
            + 1.96 * np.sqrt(frame.loc[per100, "n"]) / frame.loc[per100, "d"] * 100
        )
        key = ["indicator_id", "time_period", "breakdown", "group"]
        la = frame[frame["geographic_level"] == "Local authority"]
        la_same = dict(zip(la[key].itertuples(index=False, name=None), la["v"], strict=True))
        la_all = {(i, p): v for (i, p, b, _), v in la_same.items() if b == "All"}
        benchmark = []
        for row in frame.itertuples(index=False):
            if row.geographic_level == "Neighbourhood":
                benchmark.append(
                    la_same.get(
                        (row.indicator_id, row.time_period, row.breakdown, row.group), math.nan
                    )
                )
            elif row.breakdown != "All" and not row.breakdown.startswith("Voice"):
                benchmark.append(la_all.get((row.indicator_id, row.time_period), math.nan))
            else:
                benchmark.append(math.nan)
        polarities = frame["indicator_id"].map(polarity).to_numpy()
        # as the pipeline does: on the printed interval and benchmark, and never for counts
        # of answers (not independent people)
        answers = (
            frame["indicator_id"]
            .map(lambda i: units[i]["denominator_unit"] == "answers")
            .to_numpy()
        )
        la_code = st.compare_as_published(frame["lo"], frame["hi"], benchmark)
        la_code[answers] = "not compared"
        frame["cla"] = st.apply_polarity(la_code, polarities)
        eng = [
            england.get(
                (
                    row.indicator_id,
                    row.time_period,
                    row.breakdown,
                    "All children" if row.breakdown == "All" else row.group,
                ),
                math.nan,
            )
            for row in frame.itertuples(index=False)
        ]
        england_code = st.compare_as_published(frame["lo"], frame["hi"], eng)
        england_code[answers] = "not compared"
        frame["ceng"] = st.apply_polarity(england_code, polarities)
        trends = pd.Series("z", index=frame.index, dtype=object)
        series_key = ["indicator_id", "geographic_level", "area_code", "breakdown", "group"]
        props = frame[proportion & ~answers].sort_values("time_period")
        for _, series in props.groupby(series_key, sort=False):
            pole = polarity[series["indicator_id"].iloc[0]]
            for position, index in enumerate(series.index):
                trend = st.recent_trend(
                    series["n"].to_numpy()[: position + 1], series["d"].to_numpy()[: position + 1]
                )
                trends.loc[index] = st.trend_with_polarity(trend, pole)
        frame["trend"] = trends
        complement = frame["d"] - frame["n"]
        statutory = ~frame["voice"].astype(bool)
        small = (frame["d"] < THRESHOLD) | (
            statutory & proportion & ((frame["n"] < THRESHOLD) | (complement < THRESHOLD))
        )
        small |= frame["voice"].astype(bool) & (frame["d"] < VOICE_MINIMUM)
        small |= frame["hide"].astype(bool)  # e.g. secondary suppression
        small |= frame["group"] == "EHC plan"
        out = pd.DataFrame(
            {
                "indicator_id": frame["indicator_id"],
                "time_period": frame["time_period"],
                "geographic_level": frame["geographic_level"],
                "area_code": frame["area_code"],
                "area_name": frame["area_name"],
                "breakdown": frame["breakdown"],
                "group": frame["group"],
                "numerator": [f"{n:.0f}" for n in frame["n"]],
                "denominator": [f"{d:.0f}" for d in frame["d"]],
                "value": [_fmt(v) for v in frame["v"]],
                "lower_ci_95": [_fmt(v) for v in frame["lo"]],
                "upper_ci_95": [_fmt(v) for v in frame["hi"]],
                "lower_ci_998": [_fmt(v) for v in frame["lo998"]],
                "upper_ci_998": [_fmt(v) for v in frame["hi998"]],
                "compared_with_la": frame["cla"],
                "compared_with_england": frame["ceng"],
                "recent_trend": frame["trend"],
                "reliability": np.where(
                    frame["voice"] & (frame["d"] < 2 * VOICE_MINIMUM), "low", "normal"
                ),
            }
        )
        hidden = [
            "numerator",
            "value",
            "lower_ci_95",
            "upper_ci_95",
            "lower_ci_998",
            "upper_ci_998",
            "compared_with_la",
            "compared_with_england",
            "recent_trend",
        ]
        out.loc[small.to_numpy(), hidden] = "c"
        out.loc[(frame["d"] < THRESHOLD).to_numpy(), "denominator"] = "c"
        return out[COLUMNS].astype(str)


def _register(units: dict[str, dict[str, str]] | None = None) -> pd.DataFrame:
    common = dict(
        rationale="Co-designed with families.",
        ci_method="Wilson score interval",
        disclosure_rule="Counts below 10 are shown as c.",
        frequency="Annual (academic year)",
        outcome="Children thrive",
        co_designed_on="2021-09-01",
        polarity="RAG - High is good",
        unit="%",
        value_type="proportion",
        numerator_source="Chorus survey",
        denominator_source="Chorus survey",
        caveats="",
    )
    rows = [
        dict(
            indicator_id="gld",
            model="ind_school_readiness__gld",
            title="Children at a good level of development",
            definition="The percentage of children at the end of reception at the expected "
            "level in the 12 GLD early learning goals.",
            domain="School readiness",
            source_type="statutory",
            numerator_definition="Children at the expected level in all 12 GLD goals.",
            denominator_definition="All children with an EYFSP result.",
            numerator_source="EYFSP return",
            denominator_source="EYFSP return",
            caveats="Figures from 2021/22 onward are not comparable with earlier years.",
            co_designed_by="Statutory measure (DfE)",
        ),
        dict(
            indicator_id="average_elgs_expected",
            model="ind_school_readiness__average",
            title="Average number of early learning goals at the expected level",
            definition="The mean number of the 17 goals at the expected level.",
            domain="School readiness",
            source_type="statutory",
            value_type="mean",
            unit="ELGs (0 to 17)",
            ci_method="t interval for a mean",
            numerator_definition="Goals at expected, summed over children.",
            denominator_definition="All children with an EYFSP result.",
            numerator_source="EYFSP return",
            denominator_source="EYFSP return",
            co_designed_by="Statutory measure (DfE)",
        ),
        dict(
            indicator_id="all_elgs_expected",
            model="ind_school_readiness__all_elgs",
            title="Children at the expected level in all 17 early learning goals",
            definition="The percentage of children at the expected level in all 17 goals.",
            domain="School readiness",
            source_type="statutory",
            numerator_definition="Children at expected in all 17 goals.",
            denominator_definition="All children with an EYFSP result.",
            numerator_source="EYFSP return",
            denominator_source="EYFSP return",
            co_designed_by="Statutory measure (DfE)",
        ),
        dict(
            indicator_id="voice_domain_positive",
            model="ind_voice__domain_positive",
            title="Families answering positively across the domain",
            definition="Of all answers to the domain's questions, the percentage that were "
            "positive.",
            domain="Play and learning at home",
            source_type="voice",
            numerator_definition="Positive answers.",
            denominator_definition="All answers.",
            co_designed_by="Harrowdale parent co-design group (synthetic)",
        ),
        dict(
            indicator_id="voice_item_positive",
            model="ind_voice__item_positive",
            title="Families answering positively",
            definition="Of the families who answered a question, the percentage whose "
            "answer was positive.",
            domain="Play and learning at home",
            source_type="voice",
            numerator_definition="Respondents answering positively.",
            denominator_definition="Respondents answering the question.",
            caveats="Survey answers describe the families who answered, not every family.",
            co_designed_by="Harrowdale parent co-design group (synthetic)",
        ),
        dict(
            indicator_id="voice_item_mean",
            model="ind_voice__item_mean",
            title="Average score",
            value_type="mean",
            unit="score",
            definition="The mean score of the answers to a scale question.",
            domain="Play and learning at home",
            source_type="voice",
            ci_method="t interval for a mean",
            numerator_definition="Sum of scores.",
            denominator_definition="Respondents answering the question.",
            co_designed_by="Harrowdale parent co-design group (synthetic)",
        ),
        dict(
            indicator_id="voice_reach",
            model="ind_voice__reach",
            title="Families who answered, per 100 children",
            unit="per 100 children",
            value_type="rate",
            polarity="RAG - High is good",
            domain="Who we heard from",
            source_type="voice",
            definition="Survey respondents for every 100 children in the cohort.",
            numerator_definition="Respondents.",
            denominator_definition="Children in the cohort (EYFSP).",
            denominator_source="EYFSP return",
            ci_method="Poisson approximation",
            co_designed_by="Harrowdale outreach workers and parents (synthetic)",
        ),
        dict(
            indicator_id="voice_reach_group",
            model="ind_voice__reach_group",
            title="Seldom-heard families among those who answered",
            polarity="Not applicable",
            domain="Who we heard from",
            source_type="voice",
            definition="The percentage of respondents in each seldom-heard group.",
            numerator_definition="Respondents in the group.",
            denominator_definition="All respondents.",
            co_designed_by="Harrowdale outreach workers and parents (synthetic)",
        ),
        dict(
            indicator_id="cohort_eal_share",
            model="ind_cohort__eal_share",
            title="Children with English as an additional language",
            domain="Who we heard from",
            source_type="statutory",
            polarity="Not applicable",
            definition="The percentage of children in the cohort whose first language is "
            "not English.",
            numerator_definition="Children with EAL.",
            denominator_definition="All children in the cohort.",
            numerator_source="School census",
            denominator_source="School census",
            co_designed_by="Statutory measure (DfE)",
        ),
        dict(
            indicator_id="voice_channel_seldom_heard",
            model="ind_voice__channel",
            title="Seldom-heard families reached through each channel",
            polarity="Not applicable",
            domain="Who we heard from",
            source_type="voice",
            definition="Of a channel's respondents, the percentage in any seldom-heard group.",
            numerator_definition="Respondents in a seldom-heard group.",
            denominator_definition="The channel's respondents.",
            co_designed_by="Harrowdale outreach workers and parents (synthetic)",
        ),
        dict(
            indicator_id="linked_gld_by_answer",
            model="ind_linked__gld_by_answer",
            title="Children at a good level of development",
            domain="Play and learning at home",
            source_type="linked",
            definition="GLD for children whose families answered the question positively, "
            "and for the others (linked with consent).",
            numerator_definition="Children at GLD.",
            denominator_definition="Linked children.",
            co_designed_by="Harrowdale parent co-design group (synthetic)",
        ),
        dict(
            indicator_id="linked_average_elgs_by_answer",
            model="ind_linked__elgs_by_answer",
            title="Average number of early learning goals at the expected level",
            domain="Play and learning at home",
            source_type="linked",
            value_type="mean",
            unit="ELGs (0 to 17)",
            ci_method="t interval for a mean",
            definition="Average goals at expected by the family's answer (linked).",
            numerator_definition="Goals at expected.",
            denominator_definition="Linked children.",
            co_designed_by="Harrowdale parent co-design group (synthetic)",
        ),
    ]
    declared = units or declared_units()
    return pd.DataFrame(
        [{**common, **row, **declared[row["indicator_id"]]} for row in rows]
    ).astype(str)


def declared_units() -> dict[str, dict[str, str]]:
    """Each indicator's unit, numerator_unit and denominator_unit as its dbt YAML declares
    them (the register's source), so labels are checked against the register, not a copy."""
    import yaml

    units = {}
    for path in (ROOT / "dbt_project" / "models" / "indicators").glob("ind_*.yml"):
        for model in yaml.safe_load(path.read_text(encoding="utf-8"))["models"]:
            meta = model["config"]["meta"]["indicator"]
            units[meta["indicator_id"]] = {
                key: str(meta[key]) for key in ("unit", "numerator_unit", "denominator_unit")
            }
    return units


def _add_summed(
    rows: _Rows,
    totals: dict,
    period: str,
    indicator_id: str,
    code: str,
    name: str,
    breakdown: str,
    group: str,
    n: float,
    d: float,
    **kw,
) -> None:
    """Add a neighbourhood row and add its counts to the authority's total."""
    rows.add(indicator_id, period, "Neighbourhood", code, name, breakdown, group, n, d, **kw)
    total = totals.setdefault(
        (indicator_id, breakdown, group, kw.get("kind", "proportion")), [0.0, 0.0]
    )
    total[0] += n
    total[1] += d


def sample_publication(
    seed: int = 5,
    periods: tuple[str, ...] = PERIODS,
    voice: bool = True,
    units: dict[str, dict[str, str]] | None = None,
) -> Sample:
    """A borough of five neighbourhoods, published: statutory and (optionally) voice rows.

    `units` overrides the register's declared units (e.g. domains counted in families)."""
    rng = np.random.default_rng(seed)
    england_frame = pd.read_csv(
        ROOT / "seeds" / "england_benchmarks.csv", dtype=str, keep_default_na=False
    )
    england = {
        (r.indicator_id, r.time_period, r.breakdown, r.group): float(r.value)
        for r in england_frame.itertuples(index=False)
    }
    items = load_item_bank()
    active = items[items["status"] == "active"].drop_duplicates("item_id", keep="last")
    register = _register(units)
    polarity = dict(zip(register["indicator_id"], register["polarity"], strict=True))
    rows = _Rows()
    hood_effect = {
        code: effect
        for (code, _), effect in zip(HOODS, (-0.07, -0.02, -0.04, 0.06, 0.08), strict=True)
    }
    quotes = []
    for t, period in enumerate(periods):
        cohort_total = 0
        la_counts: dict[tuple, list[float]] = {}

        add_hood = partial(_add_summed, rows, la_counts, period)

        hood_cohort = {}
        for code, name in HOODS:
            d = int(rng.integers(440, 800))
            hood_cohort[code] = d
            cohort_total += d
            p = 0.60 + hood_effect[code] + 0.01 * t
            add_hood("gld", code, name, "All", "All children", rng.binomial(d, p), d)
            add_hood(
                "all_elgs_expected", code, name, "All", "All children", rng.binomial(d, p - 0.05), d
            )
            mean = 13.6 + 10 * hood_effect[code]
            add_hood(
                "average_elgs_expected",
                code,
                name,
                "All",
                "All children",
                round(mean * d),
                d,
                kind="mean",
                sd=4.4,
            )
            eal = rng.binomial(d, 0.25 - hood_effect[code])
            add_hood("cohort_eal_share", code, name, "All", "All children", eal, d)
        for (indicator_id, breakdown, group, kind), (n, d) in la_counts.items():
            rows.add(
                indicator_id,
                period,
                "Local authority",
                *LA,
                breakdown,
                group,
                n,
                d,
                kind=kind,
                sd=4.4,
            )
        for group, share in (("Female", 0.49), ("Male", 0.51)):
            d = round(cohort_total * share)
            rows.add(
                "gld",
                period,
                "Local authority",
                *LA,
                "Sex",
                group,
                rng.binomial(d, 0.68 if group == "Female" else 0.55),
                d,
            )
        for group, share, p in zip(
            SEN_GROUPS, (0.012, 0.87, 0.118), (0.1, 0.68, 0.22), strict=True
        ):
            d = round(cohort_total * share)
            rows.add(
                "gld", period, "Local authority", *LA, "SEN provision", group, rng.binomial(d, p), d
            )
        if not voice or t == 0:
            continue
        la_voice: dict[tuple, list[float]] = {}

        add_voice = partial(_add_summed, rows, la_voice, period, voice=True)

        for code, name in HOODS:
            respondents = {"HD02": 96, "HD03": 17}.get(code, int(rng.integers(40, 110)))
            domain_counts: dict[str, list[int]] = {}
            for item in active.itertuples(index=False):
                d = max(respondents - int(rng.integers(0, 4)), 1)
                p = 0.62 + hood_effect[code] + (0.1 if item.item_id == "read_together" else 0)
                n = int(rng.binomial(d, min(p, 0.97)))
                hide = code == "HD01" and item.item_id == "enough_money"  # suppressed (c)
                add_voice(
                    "voice_item_positive", code, name, "Voice item", item.item_id, n, d, hide=hide
                )
                counts = domain_counts.setdefault(item.domain, [0, 0])
                counts[0] += n
                counts[1] += d
                if item.response_scale != "yesno":
                    top = 10 if item.response_scale == "scale0_10" else 5
                    mean = top * (0.55 + hood_effect[code])
                    add_voice(
                        "voice_item_mean",
                        code,
                        name,
                        "Voice item",
                        item.item_id,
                        round(mean * d, 1),
                        d,
                        kind="mean",
                        sd=top / 4,
                    )
            for domain, (n, d) in domain_counts.items():
                add_voice("voice_domain_positive", code, name, "Voice domain", domain, n, d)
            add_voice(
                "voice_reach",
                code,
                name,
                "All",
                "All children",
                respondents,
                hood_cohort[code],
                kind="per100",
            )
            for group, share in zip(SELDOM_HEARD, (0.15, 0.14, 0.3), strict=True):
                add_voice(
                    "voice_reach_group",
                    code,
                    name,
                    "Seldom-heard group",
                    group,
                    max(int(respondents * share), 0),
                    respondents,
                )
            split = rng.multinomial(respondents, (0.3, 0.3, 0.1, 0.3))
            for channel, d, p in zip(CHANNELS, split, (0.7, 0.4, 0.2, 0.15), strict=True):
                add_voice(
                    "voice_channel_seldom_heard",
                    code,
                    name,
                    "Channel",
                    channel,
                    rng.binomial(d, p),
                    d,
                )
            for item_id, texts in QUOTES.items():
                if t < len(periods) - 2:
                    continue  # quotes from the last two years only
                hood_index = [c for c, _ in HOODS].index(code)
                picks = [texts[(hood_index + t) % len(texts)]]
                if code == "HD02" and t == len(periods) - 1:
                    picks.append(texts[(hood_index + t + 3) % len(texts)])
                for text in picks:
                    wording = active.set_index("item_id").loc[item_id]
                    quotes.append(
                        dict(
                            quote=text,
                            item_id=item_id,
                            item=wording["wording"],
                            domain=wording["domain"],
                            neighbourhood_code=code,
                            neighbourhood_name=name,
                            year=f"{period[:4]}/{period[4:]}",
                            time_period=period,
                        )
                    )
        for (indicator_id, breakdown, group, kind), (n, d) in la_voice.items():
            rows.add(
                indicator_id,
                period,
                "Local authority",
                *LA,
                breakdown,
                group,
                n,
                d,
                kind=kind,
                voice=True,
                sd=1.2,
            )
        for item_id in LINKED_ITEMS:
            for group, share, p in (("Positive answer", 0.7, 0.66), ("Other answers", 0.3, 0.5)):
                d = round(160 * share)
                rows.add(
                    "linked_gld_by_answer",
                    period,
                    "Local authority",
                    *LA,
                    f"Voice item: {item_id}",
                    group,
                    rng.binomial(d, p),
                    d,
                )
                rows.add(
                    "linked_average_elgs_by_answer",
                    period,
                    "Local authority",
                    *LA,
                    f"Voice item: {item_id}",
                    group,
                    round((12 + 3 * p) * d),
                    d,
                    kind="mean",
                    sd=4.0,
                )
    values = rows.frame(england, polarity, units)
    quotes_frame = pd.DataFrame(
        quotes,
        columns=[
            "quote",
            "item_id",
            "item",
            "domain",
            "neighbourhood_code",
            "neighbourhood_name",
            "year",
            "time_period",
        ],
    )
    run = RunInfo.for_values("sample-run-0001", values)
    return Sample(
        values=values,
        register=register,
        quotes=quotes_frame,
        england=england_frame,
        items=items,
        run=run,
    )


# --------------------------------------------------------------------------------------------
# Reading the outputs back
# --------------------------------------------------------------------------------------------

VOID = {"br", "col", "meta", "img", "input", "hr", "link", "source", "wbr"}


class Node:
    """A minimal DOM node, enough to find a table row and read its cells."""

    def __init__(self, tag: str, attrs: dict[str, str], parent: Node | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self, tag: str | None = None):
        for child in self.children:
            if isinstance(child, Node):
                if tag is None or child.tag == tag:
                    yield child
                yield from child.iter(tag)

    def ancestor(self, tag: str) -> Node | None:
        node = self.parent
        while node is not None and node.tag != tag:
            node = node.parent
        return node

    def section_id(self) -> str:
        """The id of the nearest enclosing <section>, or ''."""
        section = self.ancestor("section")
        return section.attrs.get("id", "") if section is not None else ""


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None)
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.current.children.append(Node(tag, {k: v or "" for k, v in attrs}, self.current))

    def handle_endtag(self, tag: str) -> None:
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse_html(text: str) -> Node:
    parser = _Parser()
    parser.feed(text)
    return parser.root


def table_rows(root: Node) -> list[tuple[dict[str, str], dict[str, Node]]]:
    """(row data-* attributes without 'data-', {column heading: cell}) for every body row."""
    out = []
    for table in root.iter("table"):
        headings = [th.text().strip() for th in table.iter("th") if th.attrs.get("scope") == "col"]
        for tr in table.iter("tr"):
            cells = [c for c in tr.children if isinstance(c, Node) and c.tag in ("th", "td")]
            if not cells or cells[0].attrs.get("scope") != "row":
                continue
            attrs = {key.removeprefix("data-"): value for key, value in tr.attrs.items()}
            out.append((attrs, dict(zip(headings, cells, strict=False))))
    return out


def pdf_layout_text(html: str) -> tuple[str, int]:
    """The text WeasyPrint lays out on the PDF's pages for this HTML, and the page count."""
    from weasyprint import HTML

    document = HTML(string=html).render()
    parts: list[str] = []

    def walk(box: object) -> None:
        text = getattr(box, "text", None)
        if isinstance(text, str):
            parts.append(text)
        for child in getattr(box, "children", None) or ():
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    return " ".join(parts), len(document.pages)


def pdf_page_count(path: Path) -> int:
    """Pages in a PDF written by WeasyPrint (reads the page tree inside its object streams)."""
    import zlib

    data = path.read_bytes()
    chunks = [data]
    for match in re.finditer(rb"stream\r?\n", data):
        end = data.find(b"endstream", match.end())
        try:
            chunks.append(zlib.decompress(data[match.end() : end]))
        except zlib.error:
            continue
    counts = [
        int(n)
        for chunk in chunks
        for n in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", chunk)
    ]
    counts += [
        int(n)
        for chunk in chunks
        for n in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", chunk)
    ]
    assert counts, f"no page tree found in {path}"
    return max(counts)


def sheet_rows(path: Path, sheet: str) -> list[list[object]]:
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return [list(row) for row in workbook[sheet].iter_rows(values_only=True)]
    finally:
        workbook.close()


def sheet_table(
    rows: list[list[object]], first_heading: str, caption_start: str
) -> list[dict[str, object]]:
    """Rows of the spreadsheet table whose caption starts with `caption_start`."""
    for index, row in enumerate(rows):
        if (
            row
            and isinstance(row[0], str)
            and row[0].startswith(caption_start)
            and index + 1 < len(rows)
            and rows[index + 1][0] == first_heading
        ):
            headings = [h for h in rows[index + 1] if h is not None]
            out = []
            for body in rows[index + 2 :]:
                if not body or body[0] is None or all(v is None for v in body[1:]):
                    break  # a blank row, or a note written across the sheet
                out.append(dict(zip(headings, body, strict=False)))
            return out
    raise AssertionError(f"no table '{caption_start}' in the sheet")


# --------------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> Sample:
    return sample_publication()


@pytest.fixture(scope="module")
def written(sample: Sample, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    stage = tmp_path_factory.mktemp("stage")
    paths = write_packs(
        stage,
        sample.values,
        sample.register,
        sample.quotes,
        sample.run,
        england=sample.england,
        items=sample.items,
    )
    return stage, paths


def _boards(written: tuple[Path, list[Path]]) -> Path:
    return written[0] / "boards"


SLUGS = {
    "harrowdale-synthetic": LA[0],
    "harrowdale-central": "HD01",
    "northgate": "HD02",
    "eastfield": "HD03",
    "millbrook": "HD04",
    "hillside-villages": "HD05",
}


# --------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_every_neighbourhood_and_the_la_get_a_pack_in_three_formats_and_its_claims(written):
    stage, paths = written
    boards = stage / "boards"
    assert sorted(p.name for p in boards.iterdir()) == sorted(SLUGS)
    assert len(paths) == 4 * len(SLUGS)
    assert set(paths) == {boards / slug / name for slug in SLUGS for name in FILES}
    for slug in SLUGS:
        html = (boards / slug / "pack.html").read_text(encoding="utf-8")
        assert html.startswith("<!DOCTYPE html>")
        assert (boards / slug / "pack.pdf").read_bytes().startswith(b"%PDF-")
        with zipfile.ZipFile(boards / slug / "pack.xlsx") as archive:
            assert "xl/workbook.xml" in archive.namelist()
        claims = pd.read_csv(boards / slug / "claims.csv", dtype=str, keep_default_na=False)
        assert len(claims) > 20 and claims["claim_id"].is_unique


def test_the_slug_is_the_lower_case_hyphenated_area_name():
    from indicators.publish.packs import slugify

    assert slugify("Harrowdale (synthetic)") == "harrowdale-synthetic"
    assert slugify("Hillside Villages") == "hillside-villages"
    assert slugify("St Mary's & Kirkby-in-Ashfield ") == "st-mary-s-kirkby-in-ashfield"
    assert slugify("Ynys Môn") == "ynys-mon"


@pytest.mark.slow
def test_the_headline_numbers_are_the_same_in_html_pdf_and_xlsx(written, sample):
    values = sample.values
    gld = values[
        (values["indicator_id"] == "gld")
        & (values["breakdown"] == "All")
        & (values["time_period"] == PERIODS[-1])
    ].set_index("area_code")
    england = float(
        sample.england.query(
            f"indicator_id == 'gld' and breakdown == 'All' and time_period == '{PERIODS[-1]}'"
        )["value"].iloc[0]
    )
    for slug, code in SLUGS.items():
        folder = _boards(written) / slug
        html = (folder / "pack.html").read_text(encoding="utf-8")
        expected = {"area": gld.loc[code, "value"], "england": f"{england:.1f}", "ambition": "75.0"}
        if code != LA[0]:
            expected["borough"] = gld.loc[LA[0], "value"]
        # HTML: the headline table
        shown = {
            attrs["headline"]: cells["Good level of development (%)"].text()
            for attrs, cells in table_rows(parse_html(html))
            if "headline" in attrs
        }
        assert shown == {key: f"{value}%" for key, value in expected.items()}
        # PDF: the laid-out text of the very HTML written to pack.html, and its page count
        text, pages = pdf_layout_text(html)
        for value in expected.values():
            assert f"{value}%" in text
        assert f"In 2024/25, {gld.loc[code, 'value']}% of children" in text
        assert pdf_page_count(folder / "pack.pdf") == pages
        # XLSX: the same table on the front sheet, numbers stored as numbers
        table = sheet_table(
            sheet_rows(folder / "pack.xlsx", "About this pack"),
            "Area",
            "Children at a good level of development",
        )
        in_sheet = {row["Area"]: row["Good level of development (%)"] for row in table}
        assert all(isinstance(v, (int, float)) for v in in_sheet.values())
        assert sorted(in_sheet.values()) == sorted(float(v) for v in expected.values())
        assert in_sheet["England"] == pytest.approx(england)


def test_a_suppressed_value_appears_as_c_with_the_key_and_never_as_a_number(written, sample):
    values = sample.values
    hidden = values[
        (values["area_code"] == "HD01")
        & (values["group"] == "enough_money")
        & (values["indicator_id"] == "voice_item_positive")
        & (values["time_period"] == PERIODS[-1])
    ]
    assert hidden["value"].tolist() == ["c"]  # the sample hides it
    folder = _boards(written) / "harrowdale-central"
    root = parse_html((folder / "pack.html").read_text(encoding="utf-8"))
    rows = [
        cells
        for attrs, cells in table_rows(root)
        if attrs.get("indicator") == "voice_item_positive" and attrs.get("group") == "enough_money"
    ]
    assert len(rows) == 1
    cells = rows[0]
    assert cells["Value (%)"].text() == "c"
    assert cells["95% interval"].text() == "c"
    assert cells["Families"].text() == f"c of {hidden['denominator'].iloc[0]}"
    assert not list(cells["95% interval"].iter("svg"))  # no bar drawn for a hidden value
    key = {attrs["symbol"]: cells for attrs, cells in table_rows(root) if "symbol" in attrs}
    assert set(key) == {"c", "x", "z", "low", "u"}
    assert "not shown" in key["c"]["Meaning"].text()
    limits = [
        li.text()
        for li in root.iter("li")
        if li.attrs.get("data-indicator") == "voice_item_positive"
        and li.attrs.get("data-period") == PERIODS[-1]
        and li.section_id() == "limits-suppressed"
    ]
    assert len(limits) == 1 and "Do you have enough money" in limits[0]
    # The spreadsheet: the symbol as text, never a number, and the key on the front sheet
    sheet = sheet_rows(folder / "pack.xlsx", "Family circumstances")
    table = sheet_table(sheet, "Question", "Families answering positively: question by")
    row = next(r for r in table if str(r["Question"]).startswith("Do you have enough money"))
    assert row["Value (%)"] == "c"
    assert row["95% interval from (%)"] == "c" and row["95% interval to (%)"] == "c"
    assert row["Families: counted"] == "c"
    front = sheet_rows(folder / "pack.xlsx", "About this pack")
    symbols = {r[0]: r[1] for r in front if r and r[0] in {"c", "x", "z", "low", "u"}}
    assert set(symbols) == {"c", "x", "z", "low", "u"}
    # The LA pack: a suppressed breakdown (children with an EHC plan) reads c too
    root = parse_html(
        (_boards(written) / "harrowdale-synthetic" / "pack.html").read_text(encoding="utf-8")
    )
    ehc = [
        cells
        for attrs, cells in table_rows(root)
        if attrs.get("group") == "EHC plan" and attrs.get("indicator") == "gld"
    ]
    assert ehc and all(cells["Value (%)"].text() == "c" for cells in ehc)


def test_quotes_appear_only_beside_their_item_and_in_their_area(written, sample):
    quotes = sample.quotes.sort_values("time_period", ascending=False, kind="stable")
    for slug, code in SLUGS.items():
        root = parse_html((_boards(written) / slug / "pack.html").read_text(encoding="utf-8"))
        shown = []
        for block in root.iter("blockquote"):
            row = block.ancestor("tr")
            assert row is not None, "a quote outside a table row"
            assert row.attrs["data-indicator"] == "voice_item_positive"
            text = next(block.iter("p")).text().strip("“”")
            shown.append((row.attrs["data-group"], row.attrs["data-area"], text))
        mine = quotes if code == LA[0] else quotes[quotes["neighbourhood_code"] == code]
        expected = {
            (item, code, text)
            for item, part in mine.groupby("item_id")
            for text in part["quote"].head(3)
        }
        assert set(shown) == expected
        assert len(shown) == len(expected)
        others = set(quotes["quote"]) - set(mine["quote"])
        html = (_boards(written) / slug / "pack.html").read_text(encoding="utf-8")
        assert not any(text in html for text in others - {t for _, _, t in expected})


def test_the_html_is_self_contained(written):
    for slug in SLUGS:
        html = (_boards(written) / slug / "pack.html").read_text(encoding="utf-8")
        assert '<html lang="en-GB">' in html
        for forbidden in (
            "<script",
            "<link",
            "<img",
            "<iframe",
            "<object",
            "@import",
            "url(",
            " src=",
        ):
            assert forbidden not in html, forbidden
        hrefs = re.findall(r'href="([^"]*)"', html)
        assert hrefs and all(h.startswith("#") for h in hrefs)
        # the only URL is the SVG namespace name, which is never fetched
        urls = set(re.findall(r"[a-z]+://[^\s\"'<>)]+", html))
        assert urls <= {"http://www.w3.org/2000/svg"}


EXPECTED_WORDS = {
    ("better", "RAG - High is good"): "higher (better)",
    ("worse", "RAG - High is good"): "lower (worse)",
    ("better", "RAG - Low is good"): "lower (better)",
    ("worse", "RAG - Low is good"): "higher (worse)",
    ("similar", None): "similar",
    ("higher", None): "higher",
    ("lower", None): "lower",
    ("not compared", None): "not compared",
    ("c", None): "c",
}


MARKS = {"higher": "▲", "lower": "▼", "similar": "●"}


def test_comparisons_in_words_match_the_published_columns(written, sample):
    published = sample.values.set_index(
        ["indicator_id", "time_period", "area_code", "breakdown", "group"]
    )
    polarity = dict(zip(sample.register["indicator_id"], sample.register["polarity"], strict=True))
    checked = 0
    for slug in SLUGS:
        root = parse_html((_boards(written) / slug / "pack.html").read_text(encoding="utf-8"))
        for attrs, cells in table_rows(root):
            if "breakdown" not in attrs or "period" not in attrs:
                continue
            row = published.loc[
                (
                    attrs["indicator"],
                    attrs["period"],
                    attrs["area"],
                    attrs["breakdown"],
                    attrs["group"],
                )
            ]
            for heading, column in (
                ("Compared with the borough average", "compared_with_la"),
                ("Compared with England", "compared_with_england"),
            ):
                if heading not in cells:
                    continue
                code = row[column]
                assert cells[heading].attrs["data-code"] == code
                words = EXPECTED_WORDS.get(
                    (code, polarity[attrs["indicator"]]), EXPECTED_WORDS.get((code, None))
                )
                text = cells[heading].text()
                if attrs.get("glance") == "yes":  # words with a symbol on the front page
                    direction = words.split(" ")[0] if code in _COMPARED else ""
                    mark, text = text.split(" ", 1)
                    assert mark == MARKS.get(direction, "○"), (mark, words)
                assert text == words
                checked += 1
    assert checked > 100
    # and in sentences, one comparison each: Northgate's GLD headline
    html = (_boards(written) / "northgate" / "pack.html").read_text(encoding="utf-8")
    row = published.loc[("gld", PERIODS[-1], "HD02", "All", "All children")]
    value = row["value"]
    borough = published.loc[("gld", PERIODS[-1], LA[0], "All", "All children"), "value"]
    england = sample.england.query(
        f"indicator_id == 'gld' and time_period == '{PERIODS[-1]}' and breakdown == 'All'"
    )["value"].iloc[0]
    sentence = {
        "similar": f"similar to the borough average ({borough}%): the difference could be chance.",
        "worse": f"lower than the borough average ({borough}%), which is worse.",
        "better": f"higher than the borough average ({borough}%), which is better.",
    }[row["compared_with_la"]]
    assert f"In 2024/25, at {value}%, Northgate is {sentence}" in html
    sentence = {
        "similar": f"similar to England ({england}%): the difference could be chance.",
        "worse": f"lower than England ({england}%), which is worse.",
        "better": f"higher than England ({england}%), which is better.",
    }[row["compared_with_england"]]
    assert f"In 2024/25, at {value}%, Northgate is {sentence}" in html
    assert ", which is worse and " not in html and ", which is better and " not in html


_COMPARED = {"better", "worse", "similar", "higher", "lower"}


def test_with_four_years_the_pack_says_the_trend_could_not_be_calculated(written, sample):
    html = (_boards(written) / "northgate" / "pack.html").read_text(encoding="utf-8")
    trend = sample.values.query(
        f"indicator_id == 'gld' and area_code == 'HD02' and time_period == '{PERIODS[-1]}'"
    )["recent_trend"].iloc[0]
    assert trend == "could not be calculated"  # the sample's 4 years, by the Fingertips rule
    assert (
        "Recent trend for Northgate (Fingertips method, last 5 consecutive years): could "
        "not be calculated, because the Fingertips method needs 5 consecutive comparable "
        "years of figures, and fewer are published."
    ) in html
    assert "XmR:" not in html


def test_with_enough_points_the_pack_gives_the_making_data_count_reading(tmp_path):
    from indicators.publish.packs import Publication, build_pack, render_html

    periods = tuple(f"{year}{(year + 1) % 100:02d}" for year in range(2008, 2022))
    sample = sample_publication(seed=9, periods=periods, voice=False)
    publication = Publication(
        sample.values, sample.register, None, sample.run, england=sample.england
    )
    html = render_html(build_pack(publication, "HD04"))
    series = (
        sample.values.query("indicator_id == 'gld' and area_code == 'HD04'")
        .sort_values("time_period")["value"]
        .astype(float)
    )
    reading = st.xmr_reading(st.xmr(series.to_numpy()), st.HIGH_IS_GOOD)
    assert len(series) == 14 and st.enough_points_for_spc(14)
    assert f"Trend over 14 years (Making Data Count XmR reading): XmR: {reading}." in html
    assert "process limits" in html  # drawn on the chart


def test_low_reliability_results_are_marked_u_and_listed(written, sample):
    low = sample.values[
        (sample.values["area_code"] == "HD03")
        & (sample.values["reliability"] == "low")
        & (sample.values["time_period"] == PERIODS[-1])
        & (sample.values["indicator_id"] == "voice_item_positive")
        & (sample.values["value"] != "c")
    ]
    assert len(low)
    folder = _boards(written) / "eastfield"
    root = parse_html((folder / "pack.html").read_text(encoding="utf-8"))
    marked = {
        attrs["group"]: cells["Value (%)"].text()
        for attrs, cells in table_rows(root)
        if attrs.get("indicator") == "voice_item_positive" and "Value (%)" in cells
    }
    for group, value in zip(low["group"], low["value"], strict=True):
        assert marked[group] == f"{value}% (u)"
    listed = [li.text() for li in root.iter("li") if li.section_id() == "limits-low-reliability"]
    assert any(f"{PERIODS[-1][:4]}/{PERIODS[-1][4:]}:" in text for text in listed)
    sheet = sheet_rows(folder / "pack.xlsx", "Play and learning at home")
    table = sheet_table(sheet, "Question", "Families answering positively: question by")
    assert {row["Reliability"] for row in table} <= {"u", "", None}
    assert any(row["Reliability"] == "u" for row in table)


def test_the_spreadsheet_stores_numbers_as_numbers_with_one_sheet_per_domain(written, sample):
    path = _boards(written) / "northgate" / "pack.xlsx"
    workbook = openpyxl.load_workbook(path, read_only=True)
    names = workbook.sheetnames
    workbook.close()
    assert names == [
        "About this pack",
        "School readiness",
        "Play and learning at home",
        "Health and development",
        "Access to services",
        "Family circumstances",
        "Who we heard from",
        "Limits of the figures",
        "Notes and definitions",
    ]
    table = sheet_table(
        sheet_rows(path, "School readiness"), "Year", "Children at a good level of development"
    )
    published = sample.values.query("indicator_id == 'gld' and area_code == 'HD02'").sort_values(
        "time_period"
    )
    assert [row["Value (%)"] for row in table] == [float(v) for v in published["value"]]
    assert [row["Children: counted"] for row in table] == [float(v) for v in published["numerator"]]
    notes = sheet_rows(path, "Notes and definitions")
    assert notes[3][:3] == ["Indicator", "Definition", "Counted"]
    titles = {row[0] for row in notes[4:] if row and row[0]}
    assert "Children at a good level of development" in titles


def test_who_we_heard_from_sets_reach_and_groups_against_the_cohort(written, sample):
    values = sample.values.set_index(["indicator_id", "area_code", "time_period", "group"])
    reach = values.loc[("voice_reach", "HD02", PERIODS[-1], "All children")]
    eal = values.loc[("voice_reach_group", "HD02", PERIODS[-1], EAL)]
    cohort = values.loc[("cohort_eal_share", "HD02", PERIODS[-1], "All children")]
    units = declared_units()["voice_reach"]
    html = (_boards(written) / "northgate" / "pack.html").read_text(encoding="utf-8")
    assert (
        f"In 2024/25 we heard from {reach['numerator']} {units['numerator_unit']} in "
        f"Northgate: {reach['value']} {units['unit']} in the cohort "
        f"({reach['denominator']} {units['denominator_unit']})"
    ) in html
    assert (
        f"Families in the group “{EAL}”: {eal['value']}% of those who answered (95% "
        f"interval {eal['lower_ci_95']}% to {eal['upper_ci_95']}%), against "
        f"{cohort['value']}% of children in the cohort"
    ) in html
    assert "across the channels:" in html
    # a number derived from published ones is not printed: no "for about N in every 100"
    assert "in every 100 children we did not hear" not in html


def test_the_authority_pack_sets_its_groups_beside_its_own_cohort(written, sample):
    """The inverted conclusion a board was once given: the authority's EAL share of
    respondents was set beside the last neighbourhood's cohort share (2.8%), not its own."""
    values = sample.values.set_index(["indicator_id", "area_code", "time_period", "group"])
    eal = values.loc[("voice_reach_group", LA[0], PERIODS[-1], EAL)]
    cohort = values.loc[("cohort_eal_share", LA[0], PERIODS[-1], "All children")]
    others = {
        values.loc[("cohort_eal_share", code, PERIODS[-1], "All children"), "value"]
        for code, _ in HOODS
    } - {cohort["value"]}
    html = (_boards(written) / "harrowdale-synthetic" / "pack.html").read_text(encoding="utf-8")
    said = re.search(rf"Families in the group “{EAL}”: [^<]*", html).group(0)
    assert f"against {cohort['value']}% of children in the cohort" in said
    assert not any(f"against {other}%" in said for other in others)
    lower, upper, share = (float(eal[c]) for c in ("lower_ci_95", "upper_ci_95", "value"))
    expected = (
        "under-represented"
        if upper < float(cohort["value"])
        else "over-represented"
        if lower > float(cohort["value"])
        else "similar"
    )
    assert expected in said
    del share


def test_every_claim_in_every_pack_matches_its_independent_rederivation(written, sample):
    from tests.independent_claims import check_pack

    kinds = set()
    for slug in SLUGS:
        folder = _boards(written) / slug
        assert check_pack(folder, sample.values, sample.register, sample.england) == []
        claims = pd.read_csv(folder / "claims.csv", dtype=str, keep_default_na=False)
        kinds |= set(zip(claims["kind"], claims["made"], strict=True))
    assert {
        ("comparison", "yes"),
        ("comparison", "no"),
        ("ranking", "yes"),
        ("ranking", "no"),
        ("trend", "no"),
        ("representation", "yes"),
        ("representation", "no"),
        ("not heard", "yes"),
    } <= kinds


def test_counts_are_labelled_by_the_registers_units(written, sample):
    units = declared_units()
    value_type = dict(
        zip(sample.register["indicator_id"], sample.register["value_type"], strict=True)
    )

    def heading(indicator_id: str) -> str:
        numerator, denominator = (
            units[indicator_id]["numerator_unit"],
            units[indicator_id]["denominator_unit"],
        )
        if value_type[indicator_id] == "mean":
            return denominator.capitalize()
        return (
            numerator.capitalize()
            if numerator == denominator
            else f"{numerator.capitalize()} / {denominator}"
        )

    checked = set()
    for slug in SLUGS:
        root = parse_html((_boards(written) / slug / "pack.html").read_text(encoding="utf-8"))
        for table in root.iter("table"):
            headings = [
                th.text().strip() for th in table.iter("th") if th.attrs.get("scope") == "col"
            ]
            rows = [
                tr
                for tr in table.iter("tr")
                if "data-indicator" in tr.attrs
                and "data-glance" not in tr.attrs
                and "data-headline" not in tr.attrs
            ]
            if not rows or len(headings) < 4:
                continue
            indicator_id = rows[0].attrs["data-indicator"]
            assert headings[3] == heading(indicator_id), (indicator_id, headings)
            checked.add(indicator_id)
    assert {
        "gld",
        "voice_domain_positive",
        "voice_item_positive",
        "voice_reach",
        "voice_reach_group",
    } <= checked


EAL = "English as an additional language"


@pytest.mark.slow
def test_a_statutory_only_publication_still_gets_packs_and_says_no_voices_yet(tmp_path):
    sample = sample_publication(voice=False)
    today = sample.values.drop(columns=["reliability"])  # today's published columns
    paths = write_packs(tmp_path, today, sample.register, pd.DataFrame(), sample.run)
    assert len(paths) == 4 * len(SLUGS)
    html = (tmp_path / "boards" / "millbrook" / "pack.html").read_text(encoding="utf-8")
    assert "No survey results from families are published for Millbrook yet" in html
    # without England figures the headline says x rather than inventing a number
    shown = {
        attrs["headline"]: cells["Good level of development (%)"].text()
        for attrs, cells in table_rows(parse_html(html))
        if "headline" in attrs
    }
    assert shown["england"] == "x"


def test_headings_tables_and_charts_are_marked_up_accessibly(written):
    html = (_boards(written) / "harrowdale-synthetic" / "pack.html").read_text(encoding="utf-8")
    root = parse_html(html)
    levels = [int(node.tag[1]) for node in root.iter() if re.fullmatch(r"h[1-6]", node.tag)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))
    for table in root.iter("table"):
        assert list(table.iter("caption"))
        assert all(th.attrs.get("scope") in ("col", "row") for th in table.iter("th"))
    for svg in root.iter("svg"):
        assert svg.attrs.get("role") == "img"
        if "chart" in svg.attrs.get("class", ""):
            title_id, desc_id = svg.attrs["aria-labelledby"].split()
            assert [t.attrs["id"] for t in svg.iter("title")] == [title_id]
            assert next(svg.iter("title")).text().strip()
        else:
            assert svg.attrs.get("aria-label", "").strip()
    ids = [node.attrs["id"] for node in root.iter() if "id" in node.attrs]
    assert len(ids) == len(set(ids))


def test_packs_are_built_from_published_frames_only():
    parameters = inspect.signature(write_packs).parameters
    assert list(parameters)[:5] == ["stage", "indicator_values", "register", "quotes", "run"]
    assert all(p.kind == p.KEYWORD_ONLY for p in list(parameters.values())[5:])
    package = ROOT / "indicators" / "publish" / "packs"
    for source in package.glob("*.py"):
        text = source.read_text(encoding="utf-8")
        for forbidden in ("duckdb", "dagster", "indicators.warehouse", "connect("):
            assert forbidden not in text, f"{source.name} mentions {forbidden}"


def test_packs_from_a_real_pipeline_run(pipeline_run, tmp_path):
    output = pipeline_run.settings.output
    values = pd.read_csv(
        output / "indicators" / "indicator_values.csv", dtype=str, keep_default_na=False
    )
    register = pd.read_csv(output / "register" / "indicators.csv", dtype=str, keep_default_na=False)
    england = pd.read_csv(
        ROOT / "seeds" / "england_benchmarks.csv", dtype=str, keep_default_na=False
    )
    run = RunInfo.for_values("pipeline-run", values)
    paths = write_packs(tmp_path, values, register, pd.DataFrame(), run, england=england)
    # a pack per area of the school readiness framework (the borough and its
    # neighbourhoods, as gld is published); the care leavers' team packs are another
    # framework's, which this call does not write
    areas = values.loc[values["indicator_id"] == "gld", ["geographic_level", "area_name"]]
    assert len(paths) == 4 * len(areas.drop_duplicates())
    latest = values["time_period"].max()
    for row in values[
        (values["indicator_id"] == "gld")
        & (values["breakdown"] == "All")
        & (values["time_period"] == latest)
    ].itertuples(index=False):
        from indicators.publish.packs import slugify

        html = (tmp_path / "boards" / slugify(row.area_name) / "pack.html").read_text(
            encoding="utf-8"
        )
        shown = {
            attrs["headline"]: cells["Good level of development (%)"].text()
            for attrs, cells in table_rows(parse_html(html))
            if "headline" in attrs
        }
        assert shown["area"] == (f"{row.value}%" if row.value != "c" else "c")


def test_every_claim_in_a_real_run_s_packs_matches_its_independent_rederivation(pipeline_run):
    """The packs a pipeline run published, checked from its published files alone."""
    from tests.independent_claims import check_pack

    output = pipeline_run.settings.output
    read = partial(pd.read_csv, dtype=str, keep_default_na=False)
    values = read(output / "indicators" / "indicator_values.csv")
    register = read(output / "register" / "indicators.csv")
    england = read(ROOT / "seeds" / "england_benchmarks.csv")
    folders = sorted((output / "boards").iterdir())
    assert (
        len(folders)
        == 1 + values.loc[values["geographic_level"] == "Neighbourhood", "area_code"].nunique()
    )
    made = 0
    for folder in folders:
        assert check_pack(folder, values, register, england) == [], folder.name
        claims = read(folder / "claims.csv")
        made += (claims["made"] == "yes").sum()
    assert made > 50
    # trends by the Fingertips rule: two years are too few for any trend to be called (the
    # Early Help months and quarters are many: a trend may be called there)
    yearly = values[values["time_identifier"].isin(["Academic year", "Financial year"])]
    assert not yearly["recent_trend"].str.startswith(("increasing", "decreasing")).any()


def test_no_quote_is_repeated_in_a_cell_or_asks_for_help(pipeline_run):
    from indicators.voice.help_requests import needs_follow_up

    output = pipeline_run.settings.output
    quotes = pd.read_csv(output / "quotes" / "quotes.csv", dtype=str, keep_default_na=False)
    assert len(quotes) > 10
    assert not quotes.duplicated(["quote", "item_id", "neighbourhood_code", "time_period"]).any()
    assert not quotes["quote"].map(needs_follow_up).any()
    shown = 0
    for folder in sorted((output / "boards").iterdir()):
        root = parse_html((folder / "pack.html").read_text(encoding="utf-8"))
        for cell in root.iter("td"):
            texts = [next(block.iter("p")).text() for block in cell.iter("blockquote")]
            assert len(texts) == len(set(texts)), (folder.name, texts)
            assert not any(needs_follow_up(text) for text in texts)
            shown += len(texts)
    assert shown > 10
    # the families who asked for help: counted in the run summary, listed where only the
    # service can read them, never with their words
    assert sum(pipeline_run.outcome.help_requests.values()) > 0
    follow_up = pipeline_run.settings.home / "follow_up"
    for path in follow_up.glob("*.csv"):
        assert path.stat().st_mode & 0o077 == 0
        frame = pd.read_csv(path, dtype=str)
        assert list(frame.columns) == [
            "academic_year",
            "response_id",
            "item_id",
            "reason",
            "response_date",
            "channel",
            "neighbourhood_code",
            "file",
            "row",
        ]
    assert not any(path.is_relative_to(output) for path in follow_up.rglob("*"))


@pytest.mark.parametrize("domain_unit", ["answers", "families"])
def test_labels_and_claims_follow_the_register_in_either_unit_state(domain_unit, tmp_path):
    """Domains counted in answers (today) or in families (the voice models' next state):
    the count column, the notes and the comparisons follow the register, and every claim
    still checks out."""
    from indicators.publish.claims import write_claims
    from indicators.publish.packs import Publication, build_pack, render_html
    from indicators.publish.packs.render import write_xlsx
    from tests.independent_claims import check_pack

    units = declared_units()
    units["voice_domain_positive"] = {
        "unit": f"% of {domain_unit}",
        "numerator_unit": domain_unit,
        "denominator_unit": domain_unit,
    }
    sample = sample_publication(units=units)
    publication = Publication(
        sample.values,
        sample.register,
        sample.quotes,
        sample.run,
        england=sample.england,
        items=sample.items,
    )
    pack = build_pack(publication, "HD02")
    html = render_html(pack)
    (tmp_path / "pack.html").write_text(html, encoding="utf-8")
    write_xlsx(pack, tmp_path / "pack.xlsx")
    write_claims(tmp_path / "claims.csv", pack.claims, "HD02")
    assert check_pack(tmp_path, sample.values, sample.register, sample.england) == []
    root = parse_html(html)
    domain_tables = [
        table
        for table in root.iter("table")
        if any(
            tr.attrs.get("data-indicator") == "voice_domain_positive"
            and "data-glance" not in tr.attrs
            for tr in table.iter("tr")
        )
    ]
    assert domain_tables
    for table in domain_tables:
        headings = [th.text().strip() for th in table.iter("th") if th.attrs.get("scope") == "col"]
        assert headings[3] == domain_unit.capitalize()
    claims = pd.read_csv(tmp_path / "claims.csv", dtype=str, keep_default_na=False)
    domain = claims[
        (claims["indicator_id"] == "voice_domain_positive")
        & (claims["kind"] == "comparison")
        & (claims["benchmark"] == "la")
    ]
    assert len(domain)
    if domain_unit == "answers":
        assert (domain["made"] == "no").all()
        assert domain["reason"].str.contains("counts answers, not people").all()
        assert "These figures count answers, not people" in html
    else:
        assert (domain["made"] == "yes").all()
        assert "These figures count" not in html


def test_a_hidden_figure_is_said_once_with_its_reason():
    from indicators.publish.packs.blocks import _value_sentence

    record = {
        "time_period": "202425",
        "value": "c",
        "_value": "c",
        "reliability": "c",
        "geographic_level": "Local authority",
        "area_name": "Harrowdale",
        "breakdown": "Voice domain",
        "group": "Play and learning at home",
        "_label": "Play and learning at home",
    }
    sentence = _value_sentence({"unit": "%"}, record, "Harrowdale")
    assert sentence.count("not shown") == 1, sentence
    assert "(c)" in sentence and "privacy" in sentence
    assert ": not shown" not in sentence


@pytest.mark.parametrize("symbol", ["c", "x", "cx"])
@pytest.mark.slow
def test_a_table_whose_intervals_are_all_hidden_does_not_say_its_bars_show_intervals(
    tmp_path, symbol
):
    """A mean's intervals may be hidden (c) while its values are shown (a spread that would
    give away a hidden count): the caption under the neighbourhoods' bars must then not say
    that the bars show each 95% interval. A figure that has none, such as a census count of
    every household (x), must not be said to be hidden (c) either; a table with some of
    each (cx: alternate rows) says both."""
    sample = sample_publication()
    values = sample.values.copy()
    mine = (values["indicator_id"] == "average_elgs_expected") & (
        values["geographic_level"] == "Neighbourhood"
    )
    rows = values.index[mine]
    for column in ("lower_ci_95", "upper_ci_95", "lower_ci_998", "upper_ci_998"):
        for place, row in enumerate(rows):
            values.loc[row, column] = symbol[place % len(symbol)]
    write_packs(
        tmp_path,
        values,
        sample.register,
        sample.quotes,
        sample.run,
        england=sample.england,
        items=sample.items,
    )
    html = (tmp_path / "boards" / "harrowdale-synthetic" / "pack.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", " ", html)
    title = "Average number of early learning goals at the expected level, by neighbourhood"
    start = text.index(title)
    after = text[start : start + 20000]
    caption = re.search(r"(Bars show each 95% interval|Each value is marked)", after)
    assert caption is not None and caption[0] == "Each value is marked", caption
    said = after[caption.start() :][:200]
    if symbol == "c":
        assert "without its 95% interval, which is not shown (c)" in said, said
    elif symbol == "x":
        assert "without its 95% interval" in said and "(x)" in said and "(c)" not in said, said
    else:
        assert "without its 95% interval" in said and "(x)" in said and "(c)" in said, said
    # where the intervals are shown, the bars are said to show them
    assert "Bars show each 95% interval" in text
