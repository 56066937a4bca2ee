"""A combined authority's view (issue 18): one run over Greater Manchester's ten authorities
publishes Greater Manchester (EES's "English devolved area" E47000001) in every table,
added up from the children themselves, each authority compared with it, in the open data
with EES's own columns, and with no hidden count recoverable from what is published; a run
holding only some of its authorities publishes no figure for it.

The expectations are computed here from the landing files (tests/independent.py, plain
pandas) and from the published files, never from Chorus's code."""

import csv
import os
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests import independent
from tests.attacker import Attacker, leaks, summary
from tests.project_copy import chorus
from tests.tiers import runs_chorus

ROOT = Path(__file__).resolve().parents[1]
GREATER_MANCHESTER = "E47000001"
# The ten constituent councils (The Greater Manchester Combined Authority Order 2011),
# written out here by hand: ONS codes E08000001 (Bolton) to E08000010 (Wigan).
TEN = [f"E080000{n:02d}" for n in range(1, 11)]
EDA = "English devolved area"
LA = "Local authority"
# 1,200 children an authority (Manchester 2,400): at half that, disclosure control over ten
# authorities' neighbourhoods took more than 15 minutes, before this change as after
# (issue 19). One year: the attacker solves each year on its own, so it is attacked whole.
CHILDREN = 12000
YEARS = "2024/25"


def _environment(home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "CHORUS_HOME": str(home),
        "CHORUS_PACKS": "353",  # Oldham's packs, and so Greater Manchester's
        "GX_ANALYTICS_ENABLED": "False",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    }


def _run(root: Path, landing: Path, env: dict[str, str]) -> Path:
    out = root / "output"
    ran = chorus("run", "--landing", str(landing), "--out", str(out), env=env, cwd=root)
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
@runs_chorus
def ten(tmp_path_factory):
    root = tmp_path_factory.mktemp("combined")
    env = _environment(root / "home")
    landing = root / "landing"
    made = chorus(
        "synth",
        "--out",
        str(landing),
        "--scale",
        "combined",
        "--children-per-year",
        str(CHILDREN),
        "--years",
        YEARS,
        env=env,
        cwd=root,
    )
    assert made.returncode == 0, made.stderr
    out = _run(root, landing, env)
    values = pd.read_csv(
        out / "indicators" / "indicator_values.csv", dtype=str, keep_default_na=False
    )
    return {"root": root, "landing": landing, "out": out, "values": values, "env": env}


def test_the_landing_puts_the_ten_in_greater_manchester_and_the_project_lists_none(ten):
    """`chorus synth --scale combined` writes seeds/authority_areas.csv with Greater
    Manchester's ten authorities (written out by hand above); the project ships the list
    empty, so a run publishes an area above its authorities only when its team lists it."""
    with (ten["landing"] / "seeds" / "authority_areas.csv").open(newline="") as file:
        rows = list(csv.DictReader(file))
    assert {r["new_la_code"] for r in rows} == set(TEN)
    assert {(r["geographic_level"], r["area_code"]) for r in rows} == {(EDA, GREATER_MANCHESTER)}
    with (ROOT / "seeds" / "authority_areas.csv").open(newline="") as file:
        assert list(csv.DictReader(file)) == []


def test_greater_manchester_is_in_every_table_an_authority_is(ten):
    values = ten["values"]
    key = ["indicator_id", "time_period", "time_identifier"]
    authorities = values[values["geographic_level"] == LA]
    above = values[values["geographic_level"] == EDA]
    assert set(above["area_code"]) == {GREATER_MANCHESTER}
    assert set(above["area_name"]) == {"Greater Manchester"}
    with_authorities = set(map(tuple, authorities[key].drop_duplicates().to_numpy()))
    with_above = set(map(tuple, above[key].drop_duplicates().to_numpy()))
    assert with_authorities == with_above, sorted(with_authorities ^ with_above)[:10]
    # no region: the run holds ten of the North West's 23 authorities
    assert "Regional" not in set(values["geographic_level"])


def test_greater_manchester_s_figures_are_counted_from_the_children_landed(ten):
    """GLD and its breakdowns for the ten authorities together, from the landed returns
    (tests/independent.py), equal the published Greater Manchester rows wherever published."""
    children = independent.children(ten["landing"])
    assert set(children["new_la_code"]) == set(TEN)
    expected = {}
    for period, rows in children.groupby("time_period"):
        expected[(str(period), "All", "All children")] = (rows["gld"].sum(), len(rows))
        for breakdown in [*independent.BREAKDOWNS, independent.CROSSED]:
            for group, part in rows.groupby(breakdown):
                expected[(str(period), breakdown, group)] = (part["gld"].sum(), len(part))
    values = ten["values"]
    published = values[(values["indicator_id"] == "gld") & (values["geographic_level"] == EDA)]
    compared = 0
    for row in published.itertuples(index=False):
        cell = (row.time_period, row.breakdown, row.group)
        if cell not in expected:
            assert row.denominator in ("0", "c"), cell  # a group nobody is in (a zero row)
            continue
        numerator, denominator = expected[cell]
        if row.denominator != "c":
            assert int(row.denominator) == denominator, cell
            compared += 1
        if row.numerator != "c":
            assert int(row.numerator) == numerator, cell
            assert float(row.value) == pytest.approx(100 * numerator / denominator, abs=0.051)
    totals = published[published["breakdown"] == "All"]
    assert sorted(totals["denominator"]) == sorted(
        str(len(rows)) for _, rows in children.groupby("time_period")
    )
    assert compared >= 20


def test_the_authorities_counts_add_up_to_greater_manchester_s(ten):
    """Wherever all ten authorities' and Greater Manchester's counts are published, the
    authorities' add up to it (an authority with no row counts 0), for every indicator
    with counts: what disclosure control and an outsider both rely on."""
    values = ten["values"]
    key = ["indicator_id", "time_period", "time_identifier", "breakdown", "group"]
    checked = 0
    authorities = values[values["geographic_level"] == LA].groupby(key)
    for cell, above in values[values["geographic_level"] == EDA].groupby(key):
        parts = authorities.get_group(cell) if cell in authorities.groups else values.iloc[:0]
        for count in ("numerator", "denominator"):
            shown = above[count].iloc[0]
            if shown in ("c", "x", "z", "") or (parts[count].isin(["c", "x", "z", ""])).any():
                continue
            assert int(shown) == sum(int(v) for v in parts[count]), (cell, count)
            checked += 1
    assert checked > 200  # the test has teeth: most cells are published


def test_each_authority_is_compared_with_greater_manchester(ten):
    """An authority's compared_with_la is its 95% interval against Greater Manchester's
    published value (GLD: higher is better), as published."""
    values = ten["values"]
    gld = values[(values["indicator_id"] == "gld") & (values["breakdown"] == "All")]
    above = gld[gld["geographic_level"] == EDA].set_index("time_period")["value"].astype(float)
    seen = set()
    for row in gld[gld["geographic_level"] == LA].itertuples(index=False):
        centre = above[row.time_period]
        lower, upper = float(row.lower_ci_95), float(row.upper_ci_95)
        expected = "better" if lower > centre else "worse" if upper < centre else "similar"
        assert row.compared_with_la == expected, (row.area_name, row.time_period)
        seen.add(expected)
    assert seen == {"better", "worse", "similar"}  # the test reaches every verdict
    # Greater Manchester itself lies within no area of the run: nothing to compare with
    assert set(gld.loc[gld["geographic_level"] == EDA, "compared_with_la"]) == {"not compared"}


def test_the_open_data_gives_greater_manchester_its_ees_columns(ten):
    data = pd.read_csv(ten["out"] / "open-data" / "gld.csv", dtype=str, keep_default_na=False)
    above = data[data["geographic_level"] == EDA]
    assert len(above) and set(above["english_devolved_area_code"]) == {GREATER_MANCHESTER}
    assert set(above["english_devolved_area_name"]) == {"Greater Manchester"}
    # a level above leaves the authority's columns blank, as EES files do
    assert set(above["new_la_code"]) == set(above["la_name"]) == set(above["old_la_code"]) == {""}
    authorities = data[data["geographic_level"] == LA]
    assert set(authorities["new_la_code"]) == set(TEN)
    assert set(authorities["english_devolved_area_code"]) == {""}
    totals = above[above["breakdown_topic"] == "Total"]
    published = ten["values"]
    gld = published[
        (published["indicator_id"] == "gld")
        & (published["geographic_level"] == EDA)
        & (published["breakdown"] == "All")
    ]
    assert sorted(totals["numerator_count"]) == sorted(gld["numerator"])
    meta = pd.read_csv(ten["out"] / "open-data" / "gld.meta.csv", dtype=str)
    assert "english_devolved_area_code" not in set(meta["col_name"])  # geography, not a filter


def test_no_hidden_count_can_be_recovered_with_greater_manchester_s_totals(ten):
    """An outsider knows which authorities make up Greater Manchester (published by ONS) and
    each neighbourhood's authority: with every published number and declared relation,
    no hidden count is narrowed below the threshold (scipy's milp: tests/attacker.py)."""
    values = ten["values"]
    assert (values.loc[values["geographic_level"] == EDA, "numerator"] == "c").any(), (
        "nothing hidden at Greater Manchester: the attack lacks teeth"
    )
    parents = {code: GREATER_MANCHESTER for code in TEN}
    with duckdb.connect(str(ten["root"] / "home" / "chorus.duckdb"), read_only=True) as db:
        parents |= dict(
            db.execute(
                "select area_code, parent_area_code from marts.dim_areas "
                "where geographic_level = 'Neighbourhood'"
            ).fetchall()
        )
        assert dict(
            db.execute(
                "select area_code, parent_area_code from marts.dim_areas "
                "where geographic_level = 'Local authority'"
            ).fetchall()
        ) == {code: GREATER_MANCHESTER for code in TEN}
    findings = Attacker(values, parents, 10).run()
    assert findings, "no hidden count was attacked"
    assert not leaks(findings, 10), summary(leaks(findings, 10))


@pytest.mark.pipeline
def test_nine_of_the_ten_publish_no_greater_manchester_figure(ten, tmp_path):
    """Without Wigan's returns, the run holds nine of Greater Manchester's ten authorities:
    no figure is published for it (it would be nine tenths of it), and each authority is
    then compared with nothing above it."""
    landing = tmp_path / "landing"
    shutil.copytree(ten["landing"], landing)
    for path in landing.rglob("*_359.csv"):
        path.unlink()
    out = _run(tmp_path, landing, {**_environment(tmp_path / "home"), "CHORUS_PACKS": "none"})
    values = pd.read_csv(
        out / "indicators" / "indicator_values.csv", dtype=str, keep_default_na=False
    )
    assert set(values["geographic_level"]) >= {LA, "Neighbourhood"}
    assert EDA not in set(values["geographic_level"])
    authorities = values[values["geographic_level"] == LA]
    assert set(authorities["area_code"]) == set(TEN) - {"E08000010"}
    gld = authorities[(authorities["indicator_id"] == "gld") & (authorities["breakdown"] == "All")]
    assert set(gld["compared_with_la"]) == {"not compared"}


def test_the_ten_authority_run_publishes_greater_manchester_s_pack_with_funnels(ten):
    """The real run's combined authority pack (CHORUS_PACKS names Oldham, one of its
    authorities): HTML, PDF and spreadsheet, a funnel plot per declared proportion, and
    every claim re-derived from the published table by tests/independent_claims.py."""
    from tests.independent_claims import check_pack

    folder = ten["out"] / "boards-combined-authority" / "greater-manchester"
    assert {p.name for p in folder.iterdir()} >= {"pack.html", "pack.pdf", "pack.xlsx"}
    html = (folder / "pack.html").read_text(encoding="utf-8")
    assert html.count("Funnel plot:") >= 3  # gld, cll_expected, all_elgs_expected
    claims = pd.read_csv(folder / "claims.csv", dtype=str, keep_default_na=False)
    funnels = claims[claims["kind"] == "funnel"]
    assert set(funnels["indicator_id"]) == {"gld", "cll_expected", "all_elgs_expected"}
    assert (funnels["made"] == "yes").any()
    register = pd.read_csv(ten["out"] / "register" / "indicators.csv", dtype=str)
    england = pd.read_csv(ROOT / "seeds" / "england_benchmarks.csv", dtype=str)
    values = ten["values"]
    shown = values[values["geographic_level"].isin([EDA, LA])]
    problems = check_pack(folder, shown, register, england, authority_level=EDA)
    assert problems == [], problems[:10]
    # Oldham's own packs are there; no other authority's (CHORUS_PACKS)
    boards = {p.name for p in (ten["out"] / "boards").iterdir()}
    assert "oldham" in boards and "bolton" not in boards
