"""fct_indicator_values' comparisons and trends: consistent with what a board sees printed."""

import pandas as pd

from indicators.stats.indicator_values import add_statistics

REGISTER = pd.DataFrame(
    [
        {
            "indicator_id": "gld",
            "value_type": "proportion",
            "polarity": "RAG - High is good",
            "denominator_unit": "children",
            "decimals": None,
        },
        {
            "indicator_id": "voice_domain_positive",
            "value_type": "proportion",
            "polarity": "RAG - High is good",
            "denominator_unit": "answers",
            "decimals": None,
        },
    ]
)
ENGLAND = pd.DataFrame(columns=["indicator_id", "time_period", "breakdown", "group", "value"])


def _row(indicator_id, period, level, code, breakdown, group, numerator, denominator):
    return {
        "indicator_id": indicator_id,
        "time_period": period,
        "geographic_level": level,
        "area_code": code,
        "area_name": code,
        "breakdown": breakdown,
        "group": group,
        "numerator": numerator,
        "denominator": denominator,
        "value": 100 * numerator / denominator,
        "standard_deviation": None,
    }


def test_a_neighbourhood_whose_printed_interval_touches_the_printed_borough_is_similar():
    # The neighbourhood: 1151 of 2000 = 57.55%, Wilson 95% upper limit 59.70...%; the borough
    # 5972 of 10000 = 59.72%. Unrounded the upper limit is below the borough ("lower");
    # printed, both read 59.7: they touch, which the pack calls "similar".
    from indicators.stats.intervals import wilson_interval

    upper = float(wilson_interval(1151, 2000)[1])
    assert upper < 59.72 and f"{upper:.1f}" == "59.7" == f"{59.72:.1f}"
    values = pd.DataFrame(
        [
            _row("gld", 202425, "Local authority", "LA", "All", "All children", 5972, 10000),
            _row("gld", 202425, "Neighbourhood", "N1", "All", "All children", 1151, 2000),
        ]
    )
    table = add_statistics(values, {"N1": "LA"}, REGISTER, ENGLAND)
    hood = table[table["area_code"] == "N1"].iloc[0]
    assert hood["compared_with_la"] == "similar"


def test_answers_are_not_compared_and_not_trended():
    rows = []
    for year in range(2019, 2025):
        period = year * 100 + (year + 1) % 100
        rows.append(
            _row(
                "voice_domain_positive",
                period,
                "Local authority",
                "LA",
                "Voice domain",
                "Access",
                500 + 60 * (year - 2019),
                1000,
            )
        )
        rows.append(
            _row(
                "voice_domain_positive",
                period,
                "Neighbourhood",
                "N1",
                "Voice domain",
                "Access",
                100 + 30 * (year - 2019),
                400,
            )
        )
        rows.append(
            _row(
                "gld",
                period,
                "Local authority",
                "LA",
                "All",
                "All children",
                400 + 60 * (year - 2019),
                1000,
            )
        )
    table = add_statistics(pd.DataFrame(rows), {"N1": "LA"}, REGISTER, ENGLAND)
    answers = table[table["indicator_id"] == "voice_domain_positive"]
    assert (answers["compared_with_la"] == "not compared").all()
    assert (answers["recent_trend"] == "not applicable").all()
    # The same rise counted in children is a Fingertips trend from the fifth year.
    gld = table[table["indicator_id"] == "gld"].sort_values("time_period")
    assert (
        gld["recent_trend"].tolist()
        == ["could not be calculated"] * 4 + ["increasing and getting better"] * 2
    )


# ------------------------------------------------ trends: 5 consecutive comparable years only


def _period(year: int) -> int:
    return year * 100 + (year + 1) % 100


def _gld_series(
    years, step=60, comparable_from=None, breakdown="All", group="All children", indicator="gld"
):
    register = pd.DataFrame(
        [
            {
                "indicator_id": indicator,
                "value_type": "proportion",
                "polarity": "RAG - High is good",
                "denominator_unit": "children",
                "decimals": None,
                "comparable_from": comparable_from,
            }
        ]
    )
    rows = [
        _row(
            indicator,
            _period(year),
            "Local authority",
            "LA",
            breakdown,
            group,
            400 + step * index,
            1000,
        )
        for index, year in enumerate(years)
    ]
    table = add_statistics(pd.DataFrame(rows), {}, register, ENGLAND)
    return dict(zip(table["time_period"], table["recent_trend"], strict=True))


def test_a_missing_year_means_no_trend_until_five_consecutive_years_follow_it():
    # No 2021/22 return: 2017/18 to 2020/21, then 2022/23 to 2026/27. A steady rise of 6
    # points a year is a Fingertips trend over 5 consecutive years, and only then.
    years = [2017, 2018, 2019, 2020, 2022, 2023, 2024, 2025, 2026]
    trends = _gld_series(years)
    calculated = {period for period, trend in trends.items() if trend != "could not be calculated"}
    assert calculated == {_period(2026)}  # 2022/23..2026/27: the first 5 in a row
    assert trends[_period(2026)] == "increasing and getting better"


def test_a_declared_series_break_is_never_crossed():
    years = range(2017, 2025)  # 2017/18 .. 2024/25, every year present
    without = _gld_series(years)
    assert without[_period(2024)] == "increasing and getting better"
    broken = _gld_series(years, comparable_from="202122")
    # from 2021/22 only 2021/22..2024/25 (4 years) are comparable: no trend yet
    assert set(broken.values()) == {"could not be calculated"}
    assert (
        _gld_series(range(2017, 2026), comparable_from=202122)[_period(2025)]
        == "increasing and getting better"
    )  # 2021/22..2025/26: 5 comparable years


def test_a_reworded_question_breaks_its_series():
    # read_together reworded (version 2) in July 2023: 2023/24 is the first year wholly
    # under the new wording, so no trend reaches back before it.
    bank = pd.DataFrame(
        [
            {
                "item_id": "read_together",
                "version": 1,
                "co_designed_on": "2019-06-01",
                "domain": "Home learning",
            },
            {
                "item_id": "read_together",
                "version": 2,
                "co_designed_on": "2023-07-06",
                "domain": "Home learning",
            },
            {
                "item_id": "play_together",
                "version": 1,
                "co_designed_on": "2019-06-01",
                "domain": "Home learning",
            },
        ]
    )
    register = pd.DataFrame(
        [
            {
                "indicator_id": "voice_item_positive",
                "value_type": "proportion",
                "polarity": "RAG - High is good",
                "denominator_unit": "families",
                "decimals": None,
            }
        ]
    )
    rows = [
        _row(
            "voice_item_positive",
            _period(year),
            "Local authority",
            "LA",
            "Voice item",
            item,
            300 + 40 * index,
            1000,
        )
        for item in ("read_together", "play_together")
        for index, year in enumerate(range(2019, 2025))
    ]
    table = add_statistics(pd.DataFrame(rows), {}, register, ENGLAND, bank)
    trends = {
        (row["group"], row["time_period"]): row["recent_trend"] for row in table.to_dict("records")
    }
    assert all(
        trends[("read_together", _period(year))] == "could not be calculated"
        for year in range(2019, 2025)
    )
    assert trends[("play_together", _period(2024))] == "increasing and getting better"


def test_the_eyfsp_indicators_declare_the_2021_22_reform():
    # DfE: the EYFS reforms of September 2021 make 2021/22 results not comparable with earlier
    # years (reference/eyfsp). Each EYFSP-based indicator declares it.
    from pathlib import Path

    import yaml

    models = Path(__file__).resolve().parents[1] / "dbt_project" / "models" / "indicators"
    for name in (
        "ind_school_readiness__gld",
        "ind_school_readiness__all_elgs_expected",
        "ind_school_readiness__average_elgs_expected",
        "ind_linked__gld_by_answer",
    ):
        meta = yaml.safe_load((models / f"{name}.yml").read_text())["models"][0]
        assert str(meta["config"]["meta"]["indicator"]["comparable_from"]) == "202122", name
