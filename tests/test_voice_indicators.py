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


def _consent_groups(frame: pd.DataFrame) -> list[tuple[str, str, pd.DataFrame]]:
    """All respondents, then each seldom-heard group's, worked out from the survey's columns."""
    return [
        ("All", "All respondents", frame),
        (
            "Seldom-heard group",
            "Not using funded early education",
            frame[frame["uses_funded_early_education"] == "N"],
        ),
        (
            "Seldom-heard group",
            "English as an additional language",
            frame[frame["english_additional_language"] == "Y"],
        ),
        (
            "Seldom-heard group",
            "Not known to the family hub",
            frame[frame["known_to_family_hub"] == "N"],
        ),
    ]


@pytest.mark.parametrize(
    ("indicator", "column"),
    [("voice_consent_quote", "consent_quote"), ("voice_consent_link", "consent_link")],
)
def test_consent_rates_match(voice, published, indicator, column, pipeline_run):
    """Quote and link consent among respondents (who all agreed to aggregate use), by area and
    seldom-heard group, from the landed files: every published count, and every cell the
    warehouse holds before disclosure control, both ways (no cell missing or extra)."""
    expected = {}
    for level, frame in _two_levels(voice, LA):
        for (period, area), group in frame.groupby(["time_period", "area"]):
            for breakdown, label, members in _consent_groups(group):
                if len(members):
                    expected[(period, level, area, breakdown, label)] = (
                        int((members[column] == "Y").sum()),
                        len(members),
                    )
    _check(published, indicator, expected, minimum=12)
    import duckdb

    with duckdb.connect(str(pipeline_run.settings.warehouse), read_only=True) as connection:
        held = connection.execute(
            'select time_period, geographic_level, area_code, breakdown, "group",'
            " numerator, denominator from marts.fct_indicator_values"
            " where indicator_id = ? and denominator > 0",
            [indicator],
        ).fetchall()
    warehouse = {
        (int(period), level, area, breakdown, group): (int(n), int(d))
        for period, level, area, breakdown, group, n, d in held
    }
    assert warehouse == expected, (
        sorted(set(warehouse) ^ set(expected))[:10],
        [k for k in expected if k in warehouse and warehouse[k] != expected[k]][:10],
    )
    # The authority's rows are published in full for each year (hundreds of respondents).
    authority = published[
        (published["indicator_id"] == indicator)
        & (published["geographic_level"] == "Local authority")
        & (published["breakdown"] == "All")
    ]
    assert sorted(authority["time_period"].astype(int)) == sorted(voice["time_period"].unique())


def test_no_consent_aggregate_counted_at_the_door(pipeline_run):
    """People who did not agree to aggregate use, of everyone asked, by authority: from every
    row of the landed files (blank consent is no consent), before disclosure control (the
    warehouse) and as published where not suppressed."""
    import duckdb

    frames = []
    for path in sorted((pipeline_run.landing / "voice").glob("*/*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame["time_period"] = int(path.parent.name[:4] + path.parent.name[5:7])
        frames.append(frame)
    asked = pd.concat(frames, ignore_index=True)
    refused = asked["consent_aggregate"].str.strip().str.upper().isin(["N", "NO", ""])
    expected = {
        int(period): (int(refused[group.index].sum()), len(group))
        for period, group in asked.groupby("time_period")
    }
    assert all(n > 0 for n, _ in expected.values()), "the synthetic survey has refusals"
    with duckdb.connect(str(pipeline_run.settings.warehouse), read_only=True) as connection:
        built = connection.execute(
            'select time_period, geographic_level, area_code, breakdown, "group", numerator,'
            " denominator from marts.fct_indicator_values"
            " where indicator_id = 'voice_no_consent_aggregate'"
        ).df()
    assert set(built["geographic_level"]) == {"Local authority"}
    assert set(built["area_code"]) == {LA}
    assert {
        int(row.time_period): (int(row.numerator), int(row.denominator))
        for row in built.itertuples()
    } == expected
    table = pd.read_csv(
        pipeline_run.settings.output / "indicators" / "indicator_values.csv",
        dtype=str,
        keep_default_na=False,
    )
    rows = table[table["indicator_id"] == "voice_no_consent_aggregate"]
    assert len(rows) == len(expected)
    for row in rows.itertuples():
        if row.numerator != "c":
            assert (int(row.numerator), int(row.denominator)) == expected[int(row.time_period)]
        elif row.denominator != "c":  # a small count hidden: the people asked are hidden too,
            # or the respondents, published elsewhere, would give it away
            raise AssertionError(f"{row.time_period}: numerator hidden, denominator published")
