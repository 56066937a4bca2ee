"""Deprivation in context (issue 17, item 5): the households, IDACI and GLD-by-quintile
indicators recomputed independently from the landed files of the session's run (the
synthetic borough: the postcode-to-LSOA lookup, Census 2021 TS011, IDACI 2025, the census
and EYFSP returns, the neighbourhood lookup), the slope index beside them, and the attacker
on every cell they publish."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.attacker import Attacker, cell_of, cells_with_units, leaks, summary
from tests.project_copy import chorus
from tests.test_information_map_lineage import _upstream_sources
from tests.tiers import runs_chorus

ROOT = Path(__file__).resolve().parents[1]

THRESHOLD = 10  # seeds/disclosure_control.csv
INDICATORS = {
    "households_deprived_two_plus",
    "children_idaci_most_deprived",
    "gld_by_idaci_quintile",
    "child_mdh_local",
}
KEY = ["indicator_id", "time_period", "geographic_level", "area_code", "breakdown", "group"]
GLD_GOALS = 12  # DfE: the goals of the prime areas, literacy and mathematics


def _landed(landing, kind: str) -> pd.DataFrame:
    frames = []
    for path in sorted((landing / kind).glob("*/*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        year = path.parent.name  # 2023-24 -> 202324
        frames.append(frame.assign(time_period=year[:4] + year[5:]))
    return pd.concat(frames, ignore_index=True)


def _sector(postcode: str) -> str:
    compact = postcode.replace(" ", "").upper()
    return compact[:-3] + " " + compact[-3]


@pytest.fixture(scope="module")
def published(pipeline_run) -> pd.DataFrame:
    table = pd.read_csv(
        pipeline_run.settings.output / "indicators" / "indicator_values.csv",
        dtype=str,
        keep_default_na=False,
    )
    return table[table["indicator_id"].isin(INDICATORS)].reset_index(drop=True)


@pytest.fixture(scope="module")
def expected(pipeline_run) -> pd.DataFrame:
    """Every cell worked out from the landed files alone."""
    landing = pipeline_run.landing
    hoods = pd.read_csv(landing / "seeds" / "neighbourhood_lookup.csv", dtype=str)
    hood_of_sector = dict(zip(hoods["postcode_sector"], hoods["neighbourhood_code"], strict=True))
    authorities = pd.read_csv(landing / "seeds" / "local_authorities.csv", dtype=str)
    (la,) = authorities["new_la_code"]
    lookup = _landed(landing, "postcode_lsoa")
    lookup["neighbourhood"] = lookup["pcds"].map(_sector).map(hood_of_sector)
    # an LSOA's neighbourhood: where most of its postcodes lie
    counted = lookup.groupby(["time_period", "lsoa21cd", "neighbourhood"]).size().rename("n")
    counted = counted.reset_index().sort_values(["n", "neighbourhood"], ascending=[False, True])
    lsoa_hood = counted.drop_duplicates(["time_period", "lsoa21cd"])
    lsoa_hood = lsoa_hood.set_index(["time_period", "lsoa21cd"])["neighbourhood"]
    rows = []

    def add(indicator, period, level, area, breakdown, group, numerator, denominator):
        rows.append(
            {
                "indicator_id": indicator,
                "time_period": period,
                "geographic_level": level,
                "area_code": area,
                "breakdown": breakdown,
                "group": group,
                "numerator_expected": float(numerator),
                "denominator_expected": float(denominator),
            }
        )

    ts011 = _landed(landing, "household_deprivation")
    counts = ts011.columns[3:9]  # all households, then 0, 1, 2, 3, 4 dimensions (TS011's order)
    ts011["all"] = ts011[counts[0]].astype(int)
    ts011["two_plus"] = ts011[list(counts[3:6])].astype(int).sum(axis=1)
    ts011["hood"] = [
        lsoa_hood.get((p, c))
        for p, c in zip(ts011["time_period"], ts011["geography code"], strict=True)
    ]
    ts011 = ts011[ts011["hood"].notna()]
    for (period, hood), part in ts011.groupby(["time_period", "hood"]):
        add(
            "households_deprived_two_plus",
            period,
            "Neighbourhood",
            hood,
            "All",
            "All households",
            part["two_plus"].sum(),
            part["all"].sum(),
        )
    for period, part in ts011.groupby("time_period"):
        add(
            "households_deprived_two_plus",
            period,
            "Local authority",
            la,
            "All",
            "All households",
            part["two_plus"].sum(),
            part["all"].sum(),
        )

    idaci = _landed(landing, "idaci")
    decile_column = next(c for c in idaci.columns if "Decile" in c)
    decile = dict(
        zip(
            zip(idaci["time_period"], idaci["LSOA code (2021)"], strict=True),
            idaci[decile_column].astype(int),
            strict=True,
        )
    )
    lsoa_of = dict(
        zip(
            zip(lookup["time_period"], lookup["pcds"], strict=True), lookup["lsoa21cd"], strict=True
        )
    )
    eyfsp = _landed(landing, "eyfsp")
    census = _landed(landing, "census")
    children = eyfsp.merge(census, on=["time_period", "upn"], how="inner")
    goals = pd.read_csv(pipeline_run.settings.seeds / "eyfsp_early_learning_goals.csv", dtype=str)
    gld_goals = [
        f"elg{int(n):02d}" for n in goals.loc[goals["counts_towards_gld"] == "true", "elg_number"]
    ]
    assert len(gld_goals) == GLD_GOALS
    children["gld"] = (children[gld_goals] == "2").all(axis=1)
    children["hood"] = children["postcode"].map(_sector).map(hood_of_sector)
    quintile = []
    for period, postcode in zip(children["time_period"], children["postcode"], strict=True):
        lsoa = lsoa_of.get((period, postcode))
        found = decile.get((period, lsoa))
        quintile.append("LSOA not known" if found is None else f"Quintile {(found + 1) // 2}")
    children["quintile"] = quintile
    # the local Child-MDH analogue: FSM and a home LSOA with 20% or more of its households
    # deprived in two or more dimensions
    share = {
        (period, code): two_plus / households
        for period, code, two_plus, households in zip(
            ts011["time_period"],
            ts011["geography code"],
            ts011["two_plus"],
            ts011["all"],
            strict=True,
        )
    }
    children["mdh"] = [
        fsm == "Y" and share.get((period, lsoa_of.get((period, postcode))), 0) >= 0.2
        for period, postcode, fsm in zip(
            children["time_period"], children["postcode"], children["fsm_eligible"], strict=True
        )
    ]
    for level, area in (("Neighbourhood", "hood"), ("Local authority", None)):
        keys = ["time_period"] + ([area] if area else [])
        for key, part in children.groupby(keys):
            period, code = (key[0], key[1]) if area else (key[0], la)
            most = (part["quintile"] == "Quintile 1").sum()
            add(
                "children_idaci_most_deprived",
                period,
                level,
                code,
                "All",
                "All children",
                most,
                len(part),
            )
            add(
                "child_mdh_local",
                period,
                level,
                code,
                "All",
                "All children",
                part["mdh"].sum(),
                len(part),
            )
            if level != "Local authority":
                continue  # GLD by quintile is published by authority only
            add(
                "gld_by_idaci_quintile",
                period,
                level,
                code,
                "All",
                "All children",
                part["gld"].sum(),
                len(part),
            )
            for group, cell in part.groupby("quintile"):
                add(
                    "gld_by_idaci_quintile",
                    period,
                    level,
                    code,
                    "IDACI quintile of home",
                    group,
                    cell["gld"].sum(),
                    len(cell),
                )
    return pd.DataFrame(rows)


def test_the_deprivation_indicators_match_an_independent_computation_from_the_landed_files(
    published, expected
):
    both = published.merge(expected, on=KEY, how="outer", suffixes=("", "_expected"))
    missing = both[both["numerator"].isna()]
    assert missing.empty, missing[KEY].head(10).to_string()
    # published cells nobody is in: only a quintile with no child in an area, published as
    # 0 of 0 or hidden (c) with its neighbours, never a count
    extra = both[both["denominator_expected"].isna()]
    assert set(extra["denominator"]) <= {"0", "c"}, extra[KEY + ["denominator"]].head(10)
    assert set(extra["group"]) <= {f"Quintile {n}" for n in range(1, 6)} | {"LSOA not known"}
    counted = both[both["denominator_expected"].notna()]
    shown = counted[(counted["numerator"] != "c") & (counted["denominator"] != "c")]
    assert set(shown["indicator_id"]) == INDICATORS
    assert len(shown) >= 30, len(shown)  # 38 on the demo: every indicator, many cells
    # each published count on its own, also beside a hidden one
    wrong = counted[
        (counted["numerator"] != "c")
        & (pd.to_numeric(counted["numerator"], errors="coerce") != counted["numerator_expected"])
        | (counted["denominator"] != "c")
        & (
            pd.to_numeric(counted["denominator"], errors="coerce")
            != counted["denominator_expected"]
        )
    ]
    assert wrong.empty, (
        wrong[KEY + ["numerator", "numerator_expected", "denominator", "denominator_expected"]]
        .head(10)
        .to_string()
    )


def test_a_census_count_of_households_has_no_interval(published):
    households = published[published["indicator_id"] == "households_deprived_two_plus"]
    assert not households.empty
    assert set(households["lower_ci_95"]) | set(households["upper_ci_95"]) <= {"x", "z"}
    gld = published[published["indicator_id"] == "gld_by_idaci_quintile"]
    assert (pd.to_numeric(gld["lower_ci_95"], errors="coerce").notna()).any()


@pytest.fixture(scope="module")
def public_zeros(pipeline_run) -> set[tuple]:
    """The counts anyone can work out are 0 from the public files alone, no child's record:
    a neighbourhood none of whose postcodes (its sectors' postcodes in the landed lookup)
    lies in an LSOA of IDACI quintile 1 (deciles 1-2) has no child there; one with none in
    an LSOA where a fifth of households are deprived in two or more dimensions (TS011) has no
    child in the local Child-MDH analogue. As the attacker's known zeros."""
    landing = pipeline_run.landing
    hoods = pd.read_csv(landing / "seeds" / "neighbourhood_lookup.csv", dtype=str)
    hood_of_sector = dict(zip(hoods["postcode_sector"], hoods["neighbourhood_code"], strict=True))
    lookup = _landed(landing, "postcode_lsoa")
    lookup["hood"] = lookup["pcds"].map(_sector).map(hood_of_sector)
    idaci = _landed(landing, "idaci")
    decile_column = next(c for c in idaci.columns if "Decile" in c)
    most = {
        (period, code)
        for period, code, decile in zip(
            idaci["time_period"], idaci["LSOA code (2021)"], idaci[decile_column], strict=True
        )
        if int(decile) <= 2
    }
    ts011 = _landed(landing, "household_deprivation")
    counts = ts011.columns[3:9]  # all households, then 0, 1, 2, 3, 4 dimensions
    deprived = {
        (period, code)
        for period, code, every, two, three, four in zip(
            ts011["time_period"],
            ts011["geography code"],
            *(ts011[c].astype(int) for c in (counts[0], *counts[3:6])),
            strict=True,
        )
        if two + three + four >= 0.2 * every
    }
    zeros = set()
    for (period, hood), part in lookup[lookup["hood"].notna()].groupby(["time_period", "hood"]):
        lsoas = {(period, code) for code in part["lsoa21cd"]}
        for indicator, places in (
            ("children_idaci_most_deprived", most),
            ("child_mdh_local", deprived),
        ):
            if not lsoas & places:
                zeros.add((indicator, period, hood, "All", "All children", "numerator"))
    return zeros


def test_a_zero_public_files_give_is_published_and_hides_no_neighbour(
    published, expected, public_zeros
):
    """Review finding M1: a neighbourhood with no most deprived LSOA has a 0 anyone can work
    out, once hidden as a small count and costing Harrowdale Central its figure beside it.
    Published as 0, it hides nothing: each neighbourhood count of 10 or more whose
    complement is 10 or more is published."""
    most = {z for z in public_zeros if z[0] == "children_idaci_most_deprived"}
    assert most, "no neighbourhood lacks a most deprived LSOA: the test lacks teeth"
    cells = published.set_index(KEY[:1] + KEY[1:2] + KEY[3:])
    truth = expected.set_index(KEY[:1] + KEY[1:2] + KEY[3:])
    for key in public_zeros:
        assert truth.loc[key[:5], "numerator_expected"] == 0, key  # the files bear it out
        assert cells.loc[key[:5], "numerator"] == "0", key
    cells = published.merge(expected, on=KEY)
    cells = cells[cells["indicator_id"].isin({"children_idaci_most_deprived", "child_mdh_local"})]
    known = {z[:3] + z[3:5] for z in public_zeros}
    safe = [
        (row.indicator_id, row.time_period, row.area_code, row.breakdown, row.group) in known
        or min(row.numerator_expected, row.denominator_expected - row.numerator_expected)
        >= THRESHOLD
        for row in cells.itertuples()
    ]
    # a table (indicator, year) whose every count is a public zero or 10 or more either way
    tables = cells.assign(safe=safe).groupby(["indicator_id", "time_period"])
    clear = [key for key, part in tables if part["safe"].all()]
    assert clear, "no table of public zeros and large counts alone: the test lacks teeth"
    for indicator, period in clear:
        part = cells[(cells["indicator_id"] == indicator) & (cells["time_period"] == period)]
        assert not part[["numerator", "denominator"]].isin(["c"]).any().any(), part.to_string()


def test_fct_known_zeros_reads_no_childs_record(pipeline_run):
    """The known zeros disclosure control publishes as 0 must be public: dbt's manifest puts
    only the postcode lookup, the neighbourhoods, IDACI and TS011 upstream of them."""
    manifest = json.loads((ROOT / "dbt_project" / "target" / "manifest.json").read_text())
    upstream = _upstream_sources(manifest, "model.chorus.fct_known_zeros")
    assert {"postcode_lsoa", "idaci", "household_deprivation"} <= upstream, upstream
    assert upstream <= {"postcode_lsoa", "idaci", "household_deprivation", "neighbourhood_lookup"}


def test_gld_by_quintile_is_published_by_authority_only(published):
    """A neighbourhood's quintile cells are small; publishing them hid neighbourhoods' GLD."""
    cells = published[published["indicator_id"] == "gld_by_idaci_quintile"]
    assert set(cells["geographic_level"]) == {"Local authority"}


def test_neighbourhood_gld_is_not_hidden_by_the_deprivation_figures(pipeline_run):
    """Every neighbourhood's GLD (hundreds of children) stays published beside them."""
    table = pd.read_csv(
        pipeline_run.settings.output / "indicators" / "indicator_values.csv",
        dtype=str,
        keep_default_na=False,
    )
    gld = table[
        (table["indicator_id"] == "gld")
        & (table["geographic_level"] == "Neighbourhood")
        & (table["breakdown"] == "All")
    ]
    assert not gld.empty
    assert not gld["numerator"].isin(["c", "x"]).any(), gld.to_string()


def test_no_suppressed_deprivation_count_can_be_narrowed_below_the_threshold(
    pipeline_run, published, public_zeros
):
    # with GLD's own cells: the quintiles' totals are declared equal to GLD's
    table = pd.read_csv(
        pipeline_run.settings.output / "indicators" / "indicator_values.csv",
        dtype=str,
        keep_default_na=False,
    )
    attacked = table[table["indicator_id"].isin(INDICATORS | {"gld"})].reset_index(drop=True)
    with duckdb.connect(str(pipeline_run.settings.warehouse), read_only=True) as connection:
        parents = dict(
            connection.execute(
                "select area_code, parent_area_code from marts.dim_areas "
                "where parent_area_code is not null"
            ).fetchall()
        )
    # the deprivation cells may all be published (their small counts are public zeros), so
    # the attack is on them beside GLD's hidden cells, whose relations bind them
    assert (attacked["numerator"] == "c").any(), "nothing hidden: the attack lacks teeth"
    # an outsider who knows the zeros the public files give (the attacker told them too)
    findings = Attacker(attacked, parents, THRESHOLD, known_zeros=public_zeros).run()
    # A cell with no one in it (0 of 0: a quintile with no child in the area) is one primary
    # suppression publishes as 0 or hides only as a partner: recovering its 0 discloses no
    # one (tests/test_disclosure_published.py likewise). Every other narrowing is a leak.
    units = cells_with_units(pipeline_run.settings.warehouse)
    found = [f for f in leaks(findings, THRESHOLD) if cell_of(f) in units]
    assert not found, summary(found)
    assert all(f.low == f.high == 0 for f in leaks(findings, THRESHOLD) if f not in found)


def test_the_slope_index_is_published_from_the_published_quintiles(pipeline_run, published):
    inequality = pd.read_csv(
        pipeline_run.settings.output / "indicators" / "inequality.csv",
        dtype=str,
        keep_default_na=False,
    )
    assert set(inequality["indicator_id"]) == {"gld_by_idaci_quintile"}
    authority = inequality[inequality["geographic_level"] == "Local authority"]
    assert not authority.empty
    for row in inequality.to_dict("records"):
        cells = published[
            (published["indicator_id"] == row["indicator_id"])
            & (published["time_period"] == row["time_period"])
            & (published["area_code"] == row["area_code"])
            & published["group"].isin([f"Quintile {n}" for n in range(1, 6)])
        ]
        hidden = (
            (cells["numerator"] == "c").any()
            or len(cells) < 5
            or (cells["denominator"] == "0").any()
        )
        assert (row["sii"] == "x") == bool(hidden), row
        if row["sii"] != "x":
            sii, lower, upper = (
                float(row["sii"]),
                float(row["sii_lower_95"]),
                float(row["sii_upper_95"]),
            )
            assert lower <= sii <= upper
            opening = (
                "No clear gap"
                if lower <= 0 <= upper
                else "The gap runs the other way"
                if sii < 0
                else "From the most to the least deprived"
            )
            assert row["statement"].startswith(opening), row


@pytest.fixture(scope="module")
@runs_chorus
def hostile_run(tmp_path_factory) -> dict[str, Path]:
    """A small borough's year through `chorus run` with three hostile deprivation files
    landed beside the good ones: a TS011 table with a misspelt header, an IDACI file with a
    malformed LSOA code and an LSOA listed twice (once more than in the good file)."""
    root = tmp_path_factory.mktemp("deprivation-hostile")
    paths = {name: root / name for name in ("home", "landing", "output")}
    env = {
        **os.environ,
        "CHORUS_HOME": str(paths["home"]),
        "CHORUS_LANDING": str(paths["landing"]),
        "CHORUS_OUTPUT": str(paths["output"]),
        "CHORUS_PACKS": "none",
        "CHORUS_PSEUDONYM_KEY": "deprivation-hostile-test-key-7Qx",
        "GX_ANALYTICS_ENABLED": "False",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    }
    env.pop("CHORUS_PSEUDONYM_KEY_FILE", None)
    synth = chorus(
        "synth",
        *("--out", str(paths["landing"]), "--children-per-year", "300", "--years", "2023/24"),
        env=env,
        cwd=ROOT,
    )
    assert synth.returncode == 0, synth.stderr
    year = paths["landing"] / "household_deprivation" / "2023-24"
    (good,) = year.glob("*.csv")
    lines = good.read_text(encoding="utf-8").splitlines()
    header = lines[0].replace("deprived in one dimension", "deprived in one")
    (year / "ts011_extra.csv").write_text("\n".join([header, *lines[1:3]]) + "\n")
    idaci = paths["landing"] / "idaci" / "2023-24"
    (good,) = idaci.glob("*.csv")
    lines = good.read_text(encoding="utf-8").splitlines()
    bad_code = lines[1].replace("E01990001", "E0199O001", 1)  # a letter O for a zero
    (idaci / "idaci_extra.csv").write_text("\n".join([lines[0], bad_code, lines[2]]) + "\n")
    done = chorus(
        "run",
        *("--landing", str(paths["landing"]), "--out", str(paths["output"])),
        env=env,
        cwd=ROOT,
        timeout=1800,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    yield paths
    shutil.rmtree(paths["home"] / "dagster", ignore_errors=True)


def test_hostile_deprivation_files_give_one_line_each_and_do_not_block_the_rest(hostile_run):
    output = hostile_run["output"]
    rejections = pd.read_csv(
        output / "quality" / "rejections.csv", dtype=str, keep_default_na=False
    )
    mine = rejections[rejections["file"].str.contains("_extra.csv|idaci/", regex=True)]
    rules = sorted(zip(mine["file"], mine["rule"], strict=True))
    assert rules == [
        ("household_deprivation/2023-24/ts011_extra.csv", "required_columns"),
        ("idaci/2023-24/File_3_IoD2025_Supplementary_Indices_IDACI.csv", "duplicate_lsoa"),
        ("idaci/2023-24/idaci_extra.csv", "duplicate_lsoa"),
        ("idaci/2023-24/idaci_extra.csv", "lsoa_code_format"),
    ], mine.to_string()
    messages = " | ".join(mine["message"])
    assert "deprived_1" in messages  # the missing column, by the spec's name
    assert "E01 and six digits" in messages
    assert "listed again" in messages
    # the rest is published: the households of the good table, the children's quintiles
    table = pd.read_csv(
        output / "indicators" / "indicator_values.csv", dtype=str, keep_default_na=False
    )
    assert set(table["indicator_id"]) >= INDICATORS
    households = table[
        (table["indicator_id"] == "households_deprived_two_plus")
        & (table["geographic_level"] == "Local authority")
    ]
    assert len(households) == 1 and households["denominator"].iloc[0] not in ("c", "0")
    # each landed file's rows are accounted for
    loads = pd.read_csv(output / "quality" / "load_summary.csv", dtype=str, keep_default_na=False)
    mine = loads[loads["kind"].isin(["household_deprivation", "idaci", "postcode_lsoa"])]
    assert (
        mine["rows_read"].astype(int)
        == mine["rows_loaded"].astype(int) + mine["rows_quarantined"].astype(int)
    ).all(), mine.to_string()
