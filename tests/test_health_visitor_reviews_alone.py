"""Health visitor reviews landed without an EYFSP return or census (a fuzzed landing's review,
issue 15's sources): two ways good rows used to pass ingest and then stop the whole
publication in a staging test, so nothing was published.

- A row with an age at review but no review date (a blank date, or a file without the
  optional `review_date` column) passed every rule and failed
  `stg_health_visitor__reviews`' test "reviewed or no age and no score". It is now a
  defect of its own, `age_without_review`, one line naming file, row, column and rule; and a
  malformed review date is named once, by its own rule, not again as a missing date.
- With no child of an EYFSP return and census in the warehouse, no neighbourhood had an
  authority (int_neighbourhood_authorities took it from the children alone), so
  `placed_rows` dropped every review and the staging model's row count test failed. A
  neighbourhood where no child lives now belongs to the run's only authority, here the
  one of the LA's team list.

One `chorus run` for the module, without packs, on a landing of a care leavers team's
return (what makes the run publishable without an EYFSP return: the preflight) and the
reviews; every landed row and every expected defect is written out here by hand. The
financial year 2023-24: a child reaching 30 months in it was born 1 October 2020 to 30
September 2021. The sectors are in seeds/neighbourhood_lookup.csv as shipped: XH1 1 and
XH2 1 in Harrowdale Central (HD01), XH3 2 in Northgate (HD02), XH5 1 in Eastfield (HD03).
The NHS numbers are those of tests/test_early_communication_sources.py (check digits worked
there by hand).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.project_copy import chorus
from tests.tiers import runs_chorus

ROOT = Path(__file__).resolve().parents[1]
AUTHORITIES = ROOT / "tests" / "fixtures" / "bad" / "good_cp1252_names" / "seeds"
KEY = "health-visitor-reviews-alone-test-key"
LA = ("E99000999", "Harrowdale (synthetic)")  # the landing's LA list, and its teams'
TEAMS = "team_code,team_name,new_la_code\nLC-A,Leaving Care A,E99000999\n"

CARE_LEAVERS = "care_leavers/2023-24/return.csv"
CARE_LEAVER_ROWS = [
    "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM,eligibility_category,uasc,team_code,latest_review_date",
    "CL001,2005-06-14,YES,F2,U1,relevant,N,LC-A,2023-12-01",
    "CL002,14/02/2003,YES,G5,D1,Former relevant,Y,LC-A,05/03/2024",
]
REVIEWS = "health_visitor_reviews/2023-24/reviews.csv"
REVIEW_ROWS = [
    "nhs_number,date_of_birth,review_date,age_in_months,asq_communication,postcode_sector",
    "9991001018,2021-01-15,2023-04-20,27,45,XH1 1",  # 2: good, reviewed
    "999 100 1026,14/03/2021,2023-09-01,29,30,XH3 2",  # 3: good, reviewed
    "9991001034,2020-11-02,,,,XH5 1",  # 4: good, not reviewed
    "9991001042,2021-06-30,,31,,XH1 1",  # 5: an age, no review date
    "9991001050,2021-01-15,2023-13-45,27,45,XH1 1",  # 6: no such date (named once)
]
UNDATED = "health_visitor_reviews/2023-24/undated.csv"  # no review_date column at all
UNDATED_ROWS = [
    "nhs_number,date_of_birth,age_in_months,postcode_sector",
    "9991001069,2021-02-02,29,XH2 1",  # 2: an age, no review date
    "9991001077,2021-02-02,,XH2 1",  # 3: good, not reviewed
]
FILES = {CARE_LEAVERS: CARE_LEAVER_ROWS, REVIEWS: REVIEW_ROWS, UNDATED: UNDATED_ROWS}

DEFECTS = {  # (file, row, column, rule): the reviews' every defect
    (REVIEWS, 5, "review_date", "age_without_review"),
    (REVIEWS, 6, "review_date", "review_date_format"),
    (UNDATED, 2, "review_date", "age_without_review"),
}
COUNTS = {REVIEWS: (5, 3, 2), UNDATED: (2, 1, 1)}  # rows read, loaded, quarantined
STAGED = [  # (file, row, reviewed, age_in_months, neighbourhood, authority)
    (REVIEWS, 2, True, 27, "Harrowdale Central", LA[1]),
    (REVIEWS, 3, True, 29, "Northgate", LA[1]),
    (REVIEWS, 4, False, None, "Eastfield", LA[1]),
    (UNDATED, 3, False, None, "Harrowdale Central", LA[1]),
]


def _landing(root: Path) -> Path:
    landing = root / "landing"
    (landing / "seeds").mkdir(parents=True)
    shutil.copy(AUTHORITIES / "local_authorities.csv", landing / "seeds")
    (landing / "seeds" / "teams.csv").write_text(TEAMS, encoding="utf-8")
    for relative, rows in FILES.items():
        path = landing / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return landing


def _cli(*args: str, root: Path, landing: Path):
    env = {
        **os.environ,
        "CHORUS_HOME": str(root / "home"),
        "CHORUS_PSEUDONYM_KEY": KEY,
        "CHORUS_LANDING": str(landing),
        "CHORUS_OUTPUT": str(root / "output"),
        "CHORUS_PACKS": "none",
    }
    return chorus(*args, env=env, cwd=root, timeout=1800)


@pytest.fixture(scope="module")
@runs_chorus
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("health-visitor-reviews-alone")
    landing = _landing(root)
    validated = _cli("validate", str(landing), root=root, landing=landing)
    ran = _cli("run", "--landing", str(landing), "--out", str(root / "output"), root=root,
               landing=landing)  # fmt: skip
    return root, validated, ran


@pytest.fixture(scope="module")
def published(run):
    root, _, ran = run
    assert ran.returncode == 0, ran.stdout[-2000:] + ran.stderr[-3000:]
    return root / "output"


def test_validate_names_each_defect_once_in_one_line_by_file_row_column_and_rule(run):
    _, validated, _ = run
    lines = validated.stdout.splitlines() + validated.stderr.splitlines()
    mine = [line for line in lines if line.startswith((f"{REVIEWS}, row", f"{UNDATED}, row"))]
    assert len(mine) == len(DEFECTS), mine
    for file, row, column, rule in DEFECTS:
        named = [
            line
            for line in mine
            if line.startswith(f"{file}, row {row}, column {column}:")
            and line.endswith(f"[{rule}]")
        ]
        assert len(named) == 1, (file, row, rule, mine)
    (line,) = [line for line in mine if line.startswith(f"{UNDATED}, row 2,")]
    assert "an age at review but no review date" in line
    assert "add the review date" in line


def test_the_run_publishes_with_the_rows_quarantined_and_every_row_accounted_for(published):
    rejections = pd.read_csv(published / "quality" / "rejections.csv", dtype=str).fillna("")
    mine = rejections[rejections["file"].isin([REVIEWS, UNDATED])]
    found = set(zip(mine["file"], mine["row"], mine["column"], mine["rule"], strict=True))
    assert found == {(f, str(r), c, rule) for f, r, c, rule in DEFECTS}
    summary = pd.read_csv(published / "quality" / "load_summary.csv").set_index("file")
    for file, counts in COUNTS.items():
        columns = ["rows_read", "rows_loaded", "rows_quarantined"]
        assert tuple(int(n) for n in summary.loc[file, columns]) == counts, file


def test_every_loaded_review_is_placed_in_its_neighbourhood_and_the_authority(run, published):
    root = run[0]
    with duckdb.connect(str(root / "home" / "chorus.duckdb"), read_only=True) as warehouse:
        (in_raw,) = warehouse.execute("select count(*) from raw.health_visitor_reviews").fetchone()
        staged = warehouse.execute(
            "select _source_file, _source_row, reviewed, age_in_months, neighbourhood_name, "
            "la_name from staging.stg_health_visitor__reviews order by 1, 2"
        ).fetchall()
    assert in_raw == len(STAGED)
    assert sorted(staged) == sorted(STAGED)


def test_the_reviews_indicators_and_the_care_leavers_are_published(published):
    values = pd.read_csv(published / "indicators" / "indicator_values.csv", dtype=str)
    reviews = values[values["indicator_id"] == "ec_review_by_30_months"]
    # the authority, and the neighbourhoods of the loaded rows' sectors
    assert set(zip(reviews["geographic_level"], reviews["area_code"], strict=True)) == {
        ("Local authority", LA[0]),
        ("Neighbourhood", "HD01"),
        ("Neighbourhood", "HD02"),
        ("Neighbourhood", "HD03"),
    }
    assert (values["indicator_id"] == "cl_in_touch").any()
