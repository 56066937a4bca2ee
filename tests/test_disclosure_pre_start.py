"""Months before Voice Notes began (review: a tiny Early Help landing stopped all
publication with "eh_voice_note_before_hub_monthly ... stays narrow with everything around
it suppressed").

Referrals heard before the hub are at most the referrals with a family Voice Note
(`at_most`, difference protected), and a cell with no row is 0 (`absent_cells: zero`). In a
month before the practice began no referral has a Voice Note, so the days-to-a-Voice-Note
indicator had no row at all in that month: `complete` gave an indicator zero rows only in
the periods it had rows in. Its absent count was a published 0 no partner could hide, which
pinned the month's referrals heard before the hub (0 of 1) at 0 however much else was hidden,
and the audit stopped the run. Now an indicator's periods include those of the indicators of
its period type whose relations name it, so that cell is a 0-of-0 row that can be hidden.

The attackers are written for this test (scipy's milp), from the published table alone and
the relations an outsider knows, reading every cell with no row, in any month the table
publishes, as 0. A leak is a suppressed count (or complement) of a cell with units with
fewer than `threshold` possible values, as in tests/attacker.py."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from indicators.disclosure import DisclosureConfig, IndicatorShape, parse_relations, protect
from tests.attacker import Attacker, leaks, summary
from tests.early_help_files import HEAD, NOTE_HEAD, run_chorus, write_landing
from tests.tiers import runs_chorus

LA, NORTH, SOUTH = "E99000999", "E07999901", "E07999902"
PARENTS = {NORTH: LA, SOUTH: LA}
LEVELS = {LA: "Local authority", NORTH: "Local authority district"}
LEVELS |= {SOUTH: "Local authority district"}
THRESHOLD = 10
BASE = {
    "areas": "add_up",
    "absent_cells": "zero",
    "breakdowns": {"All": {"kind": "total", "groups": ["All referrals"]}},
}
HEARD = {
    **BASE,
    "rules": [
        {
            "kind": "at_most",
            "why": "heard before the hub: some of the referrals with a Voice Note",
            "left": "numerator",
            "difference": "protected",
            "right": "noted.denominator",
        }
    ],
}
NOTED = {
    **BASE,
    "rules": [
        {
            "kind": "at_most",
            "why": "referrals with a Voice Note are some of the referrals",
            "left": "denominator",
            "right": "heard.denominator",
        }
    ],
}
SHAPES = {
    "heard": IndicatorShape(
        "proportion", relations=parse_relations("heard", HEARD), period_type="month"
    ),
    "noted": IndicatorShape(
        "median", relations=parse_relations("noted", NOTED), period_type="month"
    ),
}
# month -> district -> (heard before the hub, referrals, referrals with a Voice Note);
# April is before Voice Notes began: none, so `noted` has no row in April
MONTHS = {
    "April": {NORTH: (0, 1, 0), SOUTH: (0, 3, 0)},
    "June": {NORTH: (9, 25, 20), SOUTH: (12, 30, 22)},
}


def _table() -> pd.DataFrame:
    rows = []
    for month, districts in MONTHS.items():
        la = tuple(sum(c[i] for c in districts.values()) for i in range(3))
        for area, (heard, referrals, noted) in {**districts, LA: la}.items():
            cell = {"time_period": 2024, "time_identifier": month, "area_code": area}
            cell |= {"geographic_level": LEVELS[area], "area_name": area, "breakdown": "All"}
            cell["group"] = "All referrals"
            rows.append({**cell, "indicator_id": "heard"})
            rows[-1] |= {"numerator": heard, "denominator": referrals}
            if noted:
                rows.append({**cell, "indicator_id": "noted", "numerator": 0})
                rows[-1]["denominator"] = noted
    return pd.DataFrame(rows)


def _attack(published: pd.DataFrame, month: str) -> dict[tuple, tuple[int, int]]:
    """Each suppressed count's (and a proportion's complement's) least and most value."""
    table = published[published["time_identifier"] == month]
    unknown: dict[tuple, int] = {}
    known: dict[tuple, float] = {}
    for row in table.itertuples():
        cell = (row.indicator_id, row.area_code)
        for count, hidden in (("n", row.numerator_suppressed), ("d", row.denominator_suppressed)):
            if row.indicator_id == "noted" and count == "n":
                continue  # a median's numerator is no count
            if hidden:
                unknown[(*cell, count)] = len(unknown)
            else:
                known[(*cell, count)] = row.numerator if count == "n" else row.denominator
    rows, lower, upper = [], [], []

    def add(terms: dict[tuple, int], low: float, high: float) -> None:
        coefficients, constant = np.zeros(len(unknown)), 0.0
        for key, sign in terms.items():
            if key in unknown:
                coefficients[unknown[key]] += sign
            else:
                constant += sign * known.get(key, 0)  # no row, even in no month of its: 0
        rows.append(coefficients)
        lower.append(low - constant)
        upper.append(high - constant)

    for indicator, counts in (("heard", "nd"), ("noted", "d")):
        for count in counts:
            terms = {(indicator, d, count): 1 for d in (NORTH, SOUTH)}
            add({**terms, (indicator, LA, count): -1}, 0, 0)
    for area in (LA, NORTH, SOUTH):
        add({("heard", area, "n"): 1, ("heard", area, "d"): -1}, -np.inf, 0)
        add({("heard", area, "n"): 1, ("noted", area, "d"): -1}, -np.inf, 0)
        add({("noted", area, "d"): 1, ("heard", area, "d"): -1}, -np.inf, 0)
        if ("heard", area, "d") in unknown:  # hidden: not a structural zero, so a referral
            add({("heard", area, "d"): 1}, 1, np.inf)
    constraints = LinearConstraint(np.array(rows), lower, upper)
    bounds = Bounds(np.zeros(len(unknown)), np.full(len(unknown), 100_000))
    integrality = np.ones(len(unknown))

    def extremes(objective: np.ndarray) -> tuple[int, int]:
        found = [
            milp(sign * objective, constraints=constraints, integrality=integrality, bounds=bounds)
            for sign in (1, -1)
        ]
        assert all(f.success for f in found)
        return round(found[0].fun), round(-found[1].fun)

    ranges = {}
    for key, position in unknown.items():
        objective = np.zeros(len(unknown))
        objective[position] = 1
        ranges[key] = extremes(objective)
        if key[0] == "heard" and key[-1] == "n" and (*key[:-1], "d") in unknown:
            objective[unknown[(*key[:-1], "d")]] = -1
            ranges[(*key[:-1], "d-n")] = extremes(-objective)
    return ranges


def _with_units() -> set[tuple]:
    table = _table()
    units = table[(table["numerator"] > 0) | (table["denominator"] > 0)]
    keys = (units["indicator_id"], units["time_identifier"], units["area_code"])
    return set(zip(*keys, strict=True))


def test_a_month_before_voice_notes_began_is_protected_and_the_rest_publishes():
    published = protect(_table(), PARENTS, SHAPES, DisclosureConfig(threshold=THRESHOLD))
    # the old code published this with April's heard-before-the-hub numerators at 0 to an
    # outsider (its own audit read no rule to `noted`, which had no row in April's table);
    # in a month solved with its year (the run below) it stopped instead
    april = published[published["time_identifier"] == "April"]
    noted = april[april["indicator_id"] == "noted"]
    assert set(noted["area_code"]) == {LA, NORTH, SOUTH}  # 0-of-0 rows, as in June
    assert (noted[["numerator", "denominator"]] == 0).all().all()
    heard = april[april["indicator_id"] == "heard"]
    assert heard["numerator_suppressed"].all()
    units = _with_units()
    for month in MONTHS:
        ranges = _attack(published, month)
        narrow = {
            key: span
            for key, span in ranges.items()
            if span[1] - span[0] + 1 < THRESHOLD and (key[0], month, key[1]) in units
        }
        assert narrow == {}, (month, narrow)


def test_the_attacker_pins_the_months_heard_before_the_hub_when_its_days_have_no_row():
    """Teeth: as the old `complete` left it, with no row of `noted` in April and everything
    else hidden, the referrals heard before the hub in April are 0."""
    table = protect(_table(), PARENTS, SHAPES, DisclosureConfig(threshold=THRESHOLD))
    table = table[(table["indicator_id"] != "noted") | (table["time_identifier"] != "April")]
    table = table.assign(numerator_suppressed=True, denominator_suppressed=True)
    ranges = _attack(table, "April")
    assert {ranges[("heard", area, "n")] for area in (LA, NORTH, SOUTH)} == {(0, 0)}


# --- the run on the landing of the review: one referral a month, Voice Notes from June ---

MONTHS_LANDED = [f"{year}-{month:02d}" for year in (2024, 2025) for month in range(1, 13)]
MONTHS_LANDED = MONTHS_LANDED[MONTHS_LANDED.index("2024-04") : MONTHS_LANDED.index("2025-08") + 1]
BEFORE_NOTES, NO_NOTES_FILE = ("2024-04", "2024-05"), "2025-01"
EMPTY_NOTES, EMPTY_REFERRALS = "2024-10", "2025-07"
CLOSURES = {"2024-04": ("PG-A", "2024-04-20"), "2024-05": ("PG-B", "2024-05-25")}
CLOSURES |= {"2024-08": ("PG-C", "2024-08-25")}
AGAIN = {"2025-03": "PG-A"}


def _referral(month: str) -> str:
    child, closure = CLOSURES.get(month, (AGAIN.get(month, f"PG-{month}"), ""))
    return f"EHG-{month},{child},{month}-15,EH-N1,school,2,{month}-20,early_help,{closure}"


def _landing(root: Path) -> Path:
    """One referral a month, April 2024 to August 2025, team EH-N1 of North (South has a
    team and no referral); Voice Notes files from June 2024; October 2024's notes file and
    July 2025's referrals file header-only; January 2025 no notes file."""
    files = {}
    for month in MONTHS_LANDED:
        referrals = [HEAD] + ([] if month == EMPTY_REFERRALS else [_referral(month)])
        files[f"early_help_referrals/{month}/early_help_referrals.csv"] = referrals
        if month in (*BEFORE_NOTES, NO_NOTES_FILE):
            continue
        notes = [NOTE_HEAD] + (
            []
            if month in (EMPTY_NOTES, EMPTY_REFERRALS)
            else [f"EHG-{month},{month}-16,parent,call,EH-N1,,"]
        )
        files[f"voice_notes/{month}/voice_notes.csv"] = notes
    # the Voice Note began in June 2024 (declared): April and May are before it
    return write_landing(root, files, trials="team_code,starts,description\nEH-N1,2024-06,trial\n")


@pytest.fixture(scope="module")
@runs_chorus
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("pre-start")
    landing = _landing(root)
    ran = run_chorus("run", "--landing", str(landing), "--out", str(root / "output"),
                     root=root, landing=landing, key="pre-start-disclosure-test-key")  # fmt: skip
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    published = pd.read_csv(
        root / "output" / "indicators" / "indicator_values.csv", dtype=str, keep_default_na=False
    )
    with duckdb.connect(str(root / "home" / "chorus.duckdb"), read_only=True) as connection:
        parents = dict(
            connection.execute(
                "select area_code, parent_area_code from marts.dim_areas "
                "where parent_area_code is not null"
            ).fetchall()
        )
        units = connection.execute(
            "select indicator_id, cast(time_period as varchar), area_code, breakdown, "
            "\"group\", coalesce(time_identifier, '') from marts.fct_indicator_values "
            "where coalesce(numerator, 0) <> 0 or coalesce(denominator, 0) <> 0"
        ).fetchall()
    return published, parents, {row for full in units for row in (full, full[:5])}


def _monthly_absent_as_zero(published: pd.DataFrame) -> pd.DataFrame:
    """The table with a published 0 for every Early Help monthly cell with no row in a month
    some monthly indicator publishes (each declares `absent_cells: zero`): the strictest
    reading of a missing row (tests/attacker.py reads a month with no row as unknown)."""
    monthly = published[
        published["indicator_id"].str.startswith("eh_")
        & published["indicator_id"].str.endswith("_monthly")
    ]
    months = set(zip(monthly["time_period"], monthly["time_identifier"], strict=True))
    added = []
    for _indicator, rows in monthly.groupby("indicator_id"):
        cells = rows.drop_duplicates(["geographic_level", "area_code", "breakdown", "group"])
        for period, identifier in months - set(
            zip(rows["time_period"], rows["time_identifier"], strict=True)
        ):
            zero = cells.assign(time_period=period, time_identifier=identifier)
            median = rows["numerator"].eq("z").any()  # a median's numerator is no count
            added.append(zero.assign(numerator="z" if median else "0", denominator="0", value="x"))
    return pd.concat([published, *added], ignore_index=True) if added else published


def test_the_landing_before_voice_notes_began_publishes(run):
    published, _, _ = run
    days = published[published["indicator_id"] == "eh_days_to_voice_note_monthly"]
    months = set(zip(days["time_period"], days["time_identifier"], strict=True))
    # the months with referrals and no Voice Note (before it began): rows, hidden as
    # partners; January 2025, whose notes file never landed, is a gap, in no figure
    assert ("2025", "January") not in months
    for month in (("2024", "April"), ("2024", "May")):
        assert month in months
        rows = days[(days["time_period"] == month[0]) & (days["time_identifier"] == month[1])]
        assert (rows["denominator"] == "c").all()
    heard = published[published["indicator_id"] == "eh_voice_note_before_hub_monthly"]
    april = heard[(heard["time_period"] == "2024") & (heard["time_identifier"] == "April")]
    assert len(april) == 2 and (april["numerator"] == "c").all()


def test_the_attacker_narrows_no_count_of_the_run_below_the_threshold(run):
    published, parents, units = run
    strict = _monthly_absent_as_zero(published)
    assert len(strict) == len(published)  # no monthly cell is missing a row
    findings = Attacker(published, parents, THRESHOLD).run()
    assert len(findings) > 100, "everything here is small: most counts are hidden"

    def cell_of(finding) -> tuple:
        indicator, _, part = finding.indicator_id.partition("@")
        cell = (indicator, finding.time_period, finding.area_code, finding.breakdown)
        cell += (finding.group,)
        return (*cell, part.partition("|")[2]) if part else cell

    found = [f for f in leaks(findings, THRESHOLD) if cell_of(f) in units]
    assert not found, summary(found)


def test_the_strict_reading_pins_april_without_the_days_rows(run):
    """Teeth: with April's days-to-a-Voice-Note rows taken out, as the old code left them,
    the strict reading gives April's referrals heard before the hub away (0)."""
    published, parents, _ = run
    days = published["indicator_id"] == "eh_days_to_voice_note_monthly"
    april = (published["time_period"] == "2024") & (published["time_identifier"] == "April")
    strict = _monthly_absent_as_zero(published[~(days & april)])
    findings = Attacker(strict, parents, THRESHOLD).run()
    pinned = [
        f
        for f in leaks(findings, THRESHOLD)
        if f.indicator_id.startswith("eh_voice_note_before_hub_monthly@2024|April")
        and f.count == "numerator"
    ]
    assert pinned and all(f.low == f.high == 0 for f in pinned), summary(findings[:5])
