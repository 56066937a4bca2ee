"""Voice, reach and linked indicators against an independent pandas computation.

Reads the landed survey files, the item bank and the statutory files directly (sharing no
code with Chorus) and recomputes what Chorus publishes; every published (unsuppressed)
cell must match.
"""

import pandas as pd
import pytest

from tests import independent

ROOT_SEEDS = independent.Path(__file__).resolve().parents[1] / "seeds"


def _positive_codes(scale: str, text: str) -> set[str]:
    codes: set[str] = set()
    for token in text.split(";"):
        token = token.strip()
        if "-" in token:
            low, high = token.split("-")
            codes |= {str(v) for v in range(int(low), int(high) + 1)}
        else:
            codes.add(token.upper())
    return codes


@pytest.fixture(scope="module")
def voice(pipeline_run):
    landing = pipeline_run.landing
    frames = []
    for path in sorted((landing / "voice").glob("*/*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        folder = path.parent.name
        frame["time_period"] = int(folder[:4] + folder[5:7])
        frames.append(frame)
    responses = pd.concat(frames, ignore_index=True)
    responses = responses[responses["consent_aggregate"] == "Y"].copy()
    lookup = pd.read_csv(landing / "seeds" / "neighbourhood_lookup.csv", dtype=str)
    sector = dict(zip(lookup["postcode_sector"], lookup["neighbourhood_code"], strict=True))
    responses["hood"] = responses["neighbourhood_code"].where(
        responses["neighbourhood_code"] != "", responses["postcode_sector"].map(sector)
    )
    text = responses["response_date"].str[:10]
    iso = text.str.match(r"\d{4}-")
    responses["date"] = pd.to_datetime(text.where(iso), format="%Y-%m-%d").fillna(
        pd.to_datetime(text.where(~iso), format="%d/%m/%Y")
    )
    return responses


@pytest.fixture(scope="module")
def published(pipeline_run):
    table = pd.read_csv(
        pipeline_run.settings.output / "indicators" / "indicator_values.csv",
        dtype=str,
        keep_default_na=False,
    )
    return table[table["numerator"] != "c"]


def _check(
    published: pd.DataFrame, indicator: str, expected: dict[tuple, tuple[int, int]], minimum: int
) -> None:
    rows = published[published["indicator_id"] == indicator]
    assert len(rows) >= minimum, f"too few published {indicator} cells to be a real check"
    for row in rows.itertuples():
        key = (int(row.time_period), row.geographic_level, row.area_code, row.breakdown, row.group)
        assert key in expected, key
        assert (int(row.numerator), int(row.denominator)) == expected[key], (indicator, key)


def _two_levels(frame: pd.DataFrame, la_code: str) -> list[tuple[str, pd.DataFrame]]:
    return [
        ("Neighbourhood", frame.assign(area=frame["hood"])),
        ("Local authority", frame.assign(area=la_code)),
    ]


LA = "E99000999"


def test_item_positive_matches(voice, published):
    bank = pd.read_csv(ROOT_SEEDS / "voice_items.csv", dtype=str)
    bank = bank[bank["status"] != "draft"]
    bank["since"] = pd.to_datetime(bank["co_designed_on"])
    expected: dict[tuple, tuple[int, int]] = {}
    for item, versions in bank.groupby("item_id"):
        answers = voice[voice[item] != ""] if item in voice else voice.iloc[:0]
        positive = []
        for _, answer in answers.iterrows():
            in_force = versions[versions["since"] <= answer["date"]].sort_values("since")
            if in_force.empty:
                positive.append(None)
                continue
            latest = in_force.iloc[-1]
            codes = _positive_codes(latest["response_scale"], latest["positive_responses"])
            positive.append(answer[item].upper() in codes)
        answers = answers.assign(positive=positive).dropna(subset=["positive"])
        for level, frame in _two_levels(answers, LA):
            for (period, area), group in frame.groupby(["time_period", "area"]):
                expected[(period, level, area, "Voice item", item)] = (
                    int(group["positive"].sum()),
                    len(group),
                )
    _check(published, "voice_item_positive", expected, minimum=40)


def test_reach_matches(voice, published, pipeline_run):
    children = independent.children(pipeline_run.landing)
    expected = {}
    for level, column in (
        ("Neighbourhood", "neighbourhood_code"),
        ("Local authority", "new_la_code"),
    ):
        cohort = children.groupby(["time_period", column]).size()
        area = voice["hood"] if level == "Neighbourhood" else pd.Series(LA, index=voice.index)
        heard = voice.groupby([voice["time_period"], area]).size()
        for (period, code), count in heard.items():
            expected[(period, level, code, "All", "All children")] = (
                int(count),
                int(cohort[(period, code)]),
            )
    _check(published, "voice_reach", expected, minimum=8)


def test_channels_reach_matches(voice, published):
    seldom = (
        (voice["uses_funded_early_education"] == "N")
        | (voice["english_additional_language"] == "Y")
        | (voice["known_to_family_hub"] == "N")
    )
    labelled = voice.assign(
        seldom=seldom,
        channel_label=voice["channel"].map(
            {
                "outreach_visit": "Outreach visit",
                "family_hub": "Family hub",
                "parent_panel": "Parent panel",
                "online": "Online",
            }
        ),
    )
    expected = {}
    for level, frame in _two_levels(labelled, LA):
        for (period, area), group in frame.groupby(["time_period", "area"]):
            expected[(period, level, area, "All", "All respondents")] = (
                int(group["seldom"].sum()),
                len(group),
            )
            for channel, part in group.groupby("channel_label"):
                expected[(period, level, area, "Channel", channel)] = (
                    int(part["seldom"].sum()),
                    len(part),
                )
    _check(published, "voice_channel_seldom_heard", expected, minimum=8)


def test_linked_gld_uses_only_consented_links(voice, published, pipeline_run):
    children = independent.children(pipeline_run.landing)
    linked = voice[(voice["consent_link"] == "Y") & (voice["child_upn"] != "")]
    joined = linked.merge(
        children[["upn", "time_period", "gld"]],
        left_on=["child_upn", "time_period"],
        right_on=["upn", "time_period"],
    )
    expected = {}
    for item, scale_positive in (("read_together", {"4", "5"}), ("funded_hours_used", {"Y"})):
        answered = joined[joined[item] != ""]
        answered = answered.assign(
            answer=answered[item]
            .str.upper()
            .isin(scale_positive)
            .map({True: "Positive answer", False: "Other answers"})
        )
        for (period, answer), group in answered.groupby(["time_period", "answer"]):
            expected[(period, "Local authority", LA, f"Voice item: {item}", answer)] = (
                int(group["gld"].sum()),
                len(group),
            )
    rows = published[
        (published["indicator_id"] == "linked_gld_by_answer")
        & published["breakdown"].isin(
            ["Voice item: read_together", "Voice item: funded_hours_used"]
        )
    ]
    _check(rows, "linked_gld_by_answer", expected, minimum=4)
    # No link without consent: Chorus's linked denominators never exceed consented links.
    all_linked = published[published["indicator_id"] == "linked_gld_by_answer"]
    per_item = all_linked.groupby(["time_period", "breakdown"])["denominator"].apply(
        lambda d: d.astype(int).sum()
    )
    for (period, _), total in per_item.items():
        assert total <= len(linked[linked["time_period"] == int(period)])
