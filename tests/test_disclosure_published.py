"""The end-to-end run's published files, attacked and checked for closure.

The attacker (tests/attacker.py) reads `indicators/indicator_values.csv`, the YAML
declarations and the item bank. Every other published number must then add nothing: the
values and intervals are functions of the published counts, trends and comparisons use only
published cells, and every number in open data and in the board packs' workbooks is one
already in indicator_values.csv (so the attack on that file covers them).
"""

from calendar import month_name
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from tests.attacker import Attacker, cell_of, cells_with_units, leaks, summary

ROOT = Path(__file__).resolve().parents[1]
THRESHOLD = 10
SYMBOLS = {"c", "x", "z", "low", "u"}
KEY = [
    "indicator_id",
    "time_period",
    "time_identifier",  # a year, or a quarter of it
    "geographic_level",
    "area_code",
    "breakdown",
    "group",
]


@pytest.fixture(scope="module")
def output(pipeline_run) -> Path:
    return pipeline_run.settings.output


@pytest.fixture(scope="module")
def published(output) -> pd.DataFrame:
    return pd.read_csv(
        output / "indicators" / "indicator_values.csv", dtype=str, keep_default_na=False
    )


@pytest.fixture(scope="module")
def parents(pipeline_run) -> dict[str, str]:
    """Which authority each neighbourhood belongs to (public: the packs say so)."""
    with duckdb.connect(str(pipeline_run.settings.warehouse), read_only=True) as connection:
        return dict(
            connection.execute(
                "select area_code, parent_area_code from marts.dim_areas "
                "where parent_area_code is not null"
            ).fetchall()
        )


def test_the_attacker_narrows_no_suppressed_count_below_the_threshold(
    published, parents, pipeline_run
):
    findings = Attacker(published, parents, THRESHOLD).run()
    assert len(findings) > 50, "the run should suppress enough to make this a real attack"
    print(f"\nend-to-end attack: {len(published)} published rows; {summary(findings)}")
    # A cell with no one in it (0 of 0) is one primary suppression publishes as 0: hidden
    # only as a partner, recovering its 0 discloses no one (tests/cohorts.py likewise).
    units = cells_with_units(pipeline_run.settings.warehouse)
    found = [f for f in leaks(findings, THRESHOLD) if cell_of(f) in units]
    assert not found, summary(found)
    assert all(f.low == f.high == 0 for f in leaks(findings, THRESHOLD) if f not in found)


def _number(text: str) -> float:
    return float(text) if text not in SYMBOLS else np.nan


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def _as_published(value: float, places: int) -> set[str]:
    """How a value may be published: rounded to its places; one that rounds to zero as 0.0
    (never -0.0), or as `low` only when it is above zero (a value that may be negative, a
    change in score, is published as the number: `low` would say "above zero")."""
    text = f"{value:.{places}f}"
    if float(text) == 0:
        zero = f"{0.0:.{places}f}"
        return {zero, "low"} if value > 0 else {zero}
    return {text}


def test_values_and_intervals_are_functions_of_the_published_counts(output, published):
    """Recomputed here from the published counts alone (statsmodels' Wilson interval for
    percentages, the exact Poisson interval for rates): a value or interval that carried
    more than its counts would not match. A mean's interval also uses the spread of the
    scores, which no count pins down; it must at least contain the mean."""
    register = pd.read_csv(output / "register" / "indicators.csv", dtype=str)
    kinds = dict(zip(register["indicator_id"], register["value_type"], strict=True))
    # a census of every member (a unit declared full_count in units.yml) has no sampling
    # error: its figures are published with no interval (x), never a Wilson interval
    units = yaml.safe_load((ROOT / "dbt_project" / "metadata" / "units.yml").read_text())
    census = {name for name, unit in units["units"].items() if unit.get("full_count")}
    whole = set(register.loc[register["denominator_unit"].isin(census), "indicator_id"])
    assert whole == {"households_deprived_two_plus"}, whole  # the one census count today
    shown = published[
        (published["numerator"] != "c")
        & (published["denominator"] != "c")
        & (published["value"] != "x")
    ]
    checked = 0
    for row in shown.itertuples(index=False):
        kind = kinds[row.indicator_id]
        if kind == "median":  # no numerator (z): the interval is two observed values
            assert row.numerator == "z", row
            assert float(row.lower_ci_95) <= float(row.value) <= float(row.upper_ci_95), row
            continue
        n, d = float(row.numerator), float(row.denominator)
        value = n / d if kind == "mean" else 100 * n / d
        places = max(_decimals(text) for text in (row.value, row.upper_ci_95))
        assert row.value in _as_published(value, places), row
        if row.indicator_id in whole:
            intervals = (row.lower_ci_95, row.upper_ci_95, row.lower_ci_998, row.upper_ci_998)
            assert set(intervals) == {"x"}, row
        elif kind == "proportion":
            for level, low_text, high_text in (
                (0.05, row.lower_ci_95, row.upper_ci_95),
                (0.002, row.lower_ci_998, row.upper_ci_998),
            ):
                low, high = proportion_confint(n, d, alpha=level, method="wilson")
                assert low_text in _as_published(100 * low, places), row
                assert high_text in _as_published(100 * high, places), row
        elif kind == "rate":
            low = stats.chi2.ppf(0.025, 2 * n) / 2 if n else 0.0
            high = stats.chi2.ppf(0.975, 2 * n + 2) / 2
            assert row.lower_ci_95 in _as_published(100 * low / d, places), row
            assert row.upper_ci_95 in _as_published(100 * high / d, places), row
        elif (row.lower_ci_95, row.upper_ci_95) != ("c", "c"):
            # (a mean's interval is hidden where its spread would narrow a hidden count:
            # test_disclosure_spread.py)
            assert _number(row.lower_ci_95) <= float(row.value) <= _number(row.upper_ci_95)
        checked += 1
    assert checked > 500


def test_trends_and_comparisons_use_only_published_cells(published, parents):
    """A trend is calculated only when every year of its window is shown; a comparison with the
    authority only when the authority's figure it is compared with is shown."""
    # a period is its year and, for a quarter, "Financial year Q1" to "Q4" (in that order);
    # for a calendar month (time_period 2024, "February"), its number in the year
    months = {month_name[m]: f"{m:02d}" for m in range(1, 13)}
    table = published.assign(
        period=list(
            zip(
                published["time_period"].astype(int),
                published["time_identifier"].map(lambda named: months.get(named, named)),
                strict=True,
            )
        )
    )
    numerator = {tuple(r[k] for k in KEY): r["numerator"] for r in table.to_dict("records")}
    assert len(numerator) == len(table)
    series = ["indicator_id", "geographic_level", "area_code", "breakdown", "group"]
    comparisons = 0
    level_of = dict(zip(published["area_code"], published["geographic_level"], strict=True))
    for _, rows in table.groupby(series):
        periods = sorted(rows["period"])
        for row in rows.itertuples(index=False):
            if row.recent_trend in SYMBOLS or row.recent_trend == "could not be calculated":
                continue  # not calculated for want of periods: rests on no count
            window = [p for p in periods if p <= row.period][-5:]
            used = rows[[period in window for period in rows["period"]]]
            assert (used["numerator"] != "c").all(), (row, used["numerator"].tolist())
    for row in table.to_dict("records"):
        if row["compared_with_la"] in SYMBOLS or row["compared_with_la"] == "not compared":
            continue
        if row["area_code"] in parents:  # a neighbourhood or district: its authority's
            # figure; a team within a district: its district's
            parent = parents[row["area_code"]]
            benchmark = (
                row["indicator_id"],
                row["time_period"],
                row["time_identifier"],
                level_of[parent],
                parent,
                row["breakdown"],
                row["group"],
            )
        else:
            totals = table[
                (table["indicator_id"] == row["indicator_id"])
                & (table["time_period"] == row["time_period"])
                & (table["time_identifier"] == row["time_identifier"])
                & (table["area_code"] == row["area_code"])
                & (table["breakdown"] == "All")
            ]
            benchmark = tuple(totals.iloc[0][KEY])
        assert numerator[benchmark] != "c", (row, benchmark)
        comparisons += 1
    # This run has two academic years, so no yearly trend is calculated (5 consecutive years
    # are needed); the quarterly two-year review indicators have twelve quarters. Hidden
    # windows are also held to on hand-made series in test_disclosure.py.
    assert comparisons > 50


def test_open_data_holds_only_numbers_of_the_published_table(output, published):
    """Each open data row is an authority cell of indicator_values.csv: its counts, value and
    intervals are the same text (or `u` where the result is of low reliability)."""
    by_key = {}
    for row in published[published["geographic_level"] == "Local authority"].to_dict("records"):
        key = (row["indicator_id"], row["time_period"], row["time_identifier"])
        by_key.setdefault(key, []).append(row)
    files = [p for p in (output / "open-data").glob("*.csv") if not p.name.endswith(".meta.csv")]
    assert len(files) >= 10
    compared = 0
    for path in files:
        data = pd.read_csv(path, dtype=str, keep_default_na=False)
        indicator = path.stem
        numbers = [
            c
            for c in data.columns
            if c.endswith(("_count", "_sum", "_percent", "_average", "_rate"))
            or c.startswith(("lower_ci", "upper_ci"))
            or c == indicator
        ]
        for row in data.to_dict("records"):
            candidates = by_key.get((indicator, row["time_period"], row["time_identifier"]), [])
            allowed = {
                row_[c]
                for row_ in candidates
                for c in (
                    "numerator",
                    "denominator",
                    "value",
                    "lower_ci_95",
                    "upper_ci_95",
                    "lower_ci_998",
                    "upper_ci_998",
                )
            } | SYMBOLS
            for column in numbers:
                assert row[column] in allowed, (path.name, column, row[column])
                compared += 1
    assert compared > 1000


def test_board_pack_workbooks_show_only_published_numbers(output, published):
    """Every number in a pack's workbook is a count, value or interval of indicator_values.csv
    (the packs are built from the published table alone, so no derived sum of hidden cells
    can appear); England benchmarks are public figures."""
    from openpyxl import load_workbook

    shown = set()
    for column in (
        "numerator",
        "denominator",
        "value",
        "lower_ci_95",
        "upper_ci_95",
        "lower_ci_998",
        "upper_ci_998",
    ):
        shown |= {round(float(v), 6) for v in published[column] if v not in SYMBOLS}
    england = pd.read_csv(
        Path(__file__).resolve().parents[1] / "seeds" / "england_benchmarks.csv", dtype=str
    )
    shown |= {round(float(v), 6) for v in england["value"]}
    books = sorted(output.glob("boards/*/pack.xlsx"))
    assert books
    numbers = 0
    for path in books:
        for sheet in load_workbook(path, read_only=True).worksheets:
            for row in sheet.iter_rows(values_only=True):
                for cell in row:
                    if isinstance(cell, int | float) and not isinstance(cell, bool):
                        assert round(float(cell), 6) in shown, (path.parent.name, sheet.title, cell)
                        numbers += 1
    assert numbers > 100


def test_information_loss_is_published_without_saying_which_cells_are_small(output, published):
    """quality/suppression.csv counts, per indicator and year, the cells published and the
    cells shown as c, as the published table shows them; it does not say which hidden cells
    are small themselves (that would tell a reader each of them hides a small count)."""
    loss = pd.read_csv(output / "quality" / "suppression.csv", dtype={"time_period": str})
    assert list(loss.columns) == [
        "indicator_id",
        "time_period",
        "time_identifier",
        "cells",
        "published",
        "suppressed",
        "denominators_suppressed",
    ]
    hidden = (published["numerator"] == "c") | (published["denominator"] == "c")
    expected = (
        published.assign(hidden=hidden)
        .groupby(["indicator_id", "time_period", "time_identifier"])
        .agg(cells=("hidden", "size"), suppressed=("hidden", "sum"))
        .reset_index()
    )
    joined = loss.merge(
        expected, on=["indicator_id", "time_period", "time_identifier"], suffixes=("", "_table")
    )
    assert len(joined) == len(loss) == len(expected)
    assert (joined["cells"] == joined["cells_table"]).all()
    assert (joined["suppressed"] == joined["suppressed_table"]).all()
    assert (joined["published"] + joined["suppressed"] == joined["cells"]).all()
