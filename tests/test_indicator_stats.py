"""fct_indicator_values' comparisons and trends: consistent with what a board sees printed."""

import pandas as pd

from indicators.stats.indicator_values import add_statistics

REGISTER = pd.DataFrame([
    {"indicator_id": "gld", "value_type": "proportion", "polarity": "RAG - High is good",
     "denominator_unit": "children", "decimals": None},
    {"indicator_id": "voice_domain_positive", "value_type": "proportion",
     "polarity": "RAG - High is good", "denominator_unit": "answers", "decimals": None},
])
ENGLAND = pd.DataFrame(columns=["indicator_id", "time_period", "breakdown", "group", "value"])


def _row(indicator_id, period, level, code, breakdown, group, numerator, denominator):
    return {"indicator_id": indicator_id, "time_period": period, "geographic_level": level,
            "area_code": code, "area_name": code, "breakdown": breakdown, "group": group,
            "numerator": numerator, "denominator": denominator,
            "value": 100 * numerator / denominator, "standard_deviation": None}


def test_a_neighbourhood_whose_printed_interval_touches_the_printed_borough_is_similar():
    # The neighbourhood: 1151 of 2000 = 57.55%, Wilson 95% upper limit 59.70...%; the borough
    # 5972 of 10000 = 59.72%. Unrounded the upper limit is below the borough ("lower");
    # printed, both read 59.7: they touch, which the pack calls "similar".
    from indicators.stats.intervals import wilson_interval

    upper = float(wilson_interval(1151, 2000)[1])
    assert upper < 59.72 and f"{upper:.1f}" == "59.7" == f"{59.72:.1f}"
    values = pd.DataFrame([
        _row("gld", 202425, "Local authority", "LA", "All", "All children", 5972, 10000),
        _row("gld", 202425, "Neighbourhood", "N1", "All", "All children", 1151, 2000),
    ])
    table = add_statistics(values, {"N1": "LA"}, REGISTER, ENGLAND)
    hood = table[table["area_code"] == "N1"].iloc[0]
    assert hood["compared_with_la"] == "similar"


def test_answers_are_not_compared_and_not_trended():
    rows = []
    for year in range(2019, 2025):
        period = year * 100 + (year + 1) % 100
        rows.append(_row("voice_domain_positive", period, "Local authority", "LA",
                         "Voice domain", "Access", 500 + 60 * (year - 2019), 1000))
        rows.append(_row("voice_domain_positive", period, "Neighbourhood", "N1",
                         "Voice domain", "Access", 100 + 30 * (year - 2019), 400))
        rows.append(_row("gld", period, "Local authority", "LA", "All", "All children",
                         400 + 60 * (year - 2019), 1000))
    table = add_statistics(pd.DataFrame(rows), {"N1": "LA"}, REGISTER, ENGLAND)
    answers = table[table["indicator_id"] == "voice_domain_positive"]
    assert (answers["compared_with_la"] == "not compared").all()
    assert (answers["recent_trend"] == "not applicable").all()
    # The same rise counted in children is a Fingertips trend from the fifth year.
    gld = table[table["indicator_id"] == "gld"].sort_values("time_period")
    assert gld["recent_trend"].tolist() == ["could not be calculated"] * 4 + [
        "increasing and getting better"] * 2
