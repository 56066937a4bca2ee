"""The two care-leaver sources (issue 14) on hostile files, through `chorus validate` and
`chorus run`: each defect named in one line by file, row, column and rule, the rest loaded,
every row accounted for (an Early Help team's code, a team in a district, among them: the
care leavers' indicators publish no district); the child's pseudonym the same in both
sources; dates of birth
reduced to the month and raw child ids nowhere beyond the raw zone; statements kept only
with consent, and a request for help never published.

Every landed row and every expected defect is written out here by hand (the financial year
2023-24 runs 1 April 2023 to 31 March 2024, so a care leaver turning 17 to 21 in it was born
1 April 2002 to 31 March 2007). One `chorus run` for the module, without packs."""

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
BASE = ROOT / "tests" / "fixtures" / "bad" / "good_cp1252_names"  # 6 children, 2023/24
KEY = "care-leaver-sources-test-key"
TEAMS = (  # the personal adviser teams directly in the authority; an Early Help team in a
    # district (the care leavers' indicators publish teams and the authority, no districts)
    "team_code,team_name,new_la_code,district_code\n"
    "LC-A,Leaving Care A,E99000999,\n"
    "LC-B,Leaving Care B,E99000999,\n"
    "EH-A1,Early Help A1,E99000999,E07999901\n"
)
DISTRICTS = "district_code,district_name,new_la_code\nE07999901,Harrowdale North,E99000999\n"

RETURN = "care_leavers/2023-24/return.csv"
RETURN_ROWS = [  # (spreadsheet row, line); the header is row 1
    "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM,eligibility_category,uasc,team_code,latest_review_date",
    "CL001,2005-06-14,YES,F2,U1,relevant,N,LC-A,2023-12-01",  # 2: good, 18
    "CL002,14/02/2003,YES,G5,D1,Former relevant,Y,LC-B,05/03/2024",  # 3: good, 21
    "CL003,2004-09-30,NO,,,former_relevant,N,LC-A,",  # 4: good, nothing known
    "CL004,2005-01-20,YES,F3,U1,former_relevant,N,LC-A,2023-11-11",  # 5: F3 retired
    "CL005,2004-05-05,YES,F1,S1,former_relevant,N,LC-B,2023-10-10",  # 6: S only with 2
    "CL006,2004-07-07,YES,F1,X1,former_relevant,N,LC-B,2023-10-10",  # 7: X only with 2
    "CL007,2010-01-01,YES,F1,U1,eligible,N,LC-A,2023-10-10",  # 8: 14 in the year
    "CL008,31/02/2004,YES,F1,U1,former_relevant,N,LC-A,2023-10-10",  # 9: no such date
    "CL009,2004-08-08,MAYBE,F1,U1,former_relevant,N,LC-A,2023-10-10",  # 10
    "CL010,2004-08-08,YES,F1,U1,former_relevant,N,LC-Z,2023-10-10",  # 11: unknown team
    ",2004-08-08,YES,F1,U1,former_relevant,N,LC-A,2023-10-10",  # 12: blank child id
    "CL011,2004-03-03,YES,F1,U1,former_relevant,N,LC-A,2024-05-01",  # 13: after the year
    "CL012,2004-04-04,YES,F1,U1,former_relevant,N,LC-A,2023-10-10",  # 14: twice
    "CL012,2004-04-04,YES,F1,U1,former_relevant,N,LC-A,2023-10-10",  # 15: twice
    "CL013,2003-12-12,YES,P5,Z1,former_relevant,N,LC-B,2023-04-01",  # 16: good, 20
    "CL014,2004-02-02,YES,F1,U1,former_relevant,X,LC-B,2023-10-10",  # 17: uasc X
    "CL015,2004-08-08,YES,F1,U1,former_relevant,N,eh-a1 ,2023-10-10",  # 18: Early Help team
]
MISSING = "care_leavers/2023-24/missing_dob.csv"  # no DOB column: rejected whole
MISSING_ROWS = [
    "CHILD,IN_TOUCH,ACTIV,ACCOM,eligibility_category,uasc,team_code",
    "CL020,YES,F1,U1,former_relevant,N,LC-A",
    "CL021,YES,F1,U1,former_relevant,N,LC-A",
]

TOPICS = [
    "future_five_years",
    "relationships",
    "family",
    "home",
    "learning_work",
    "things_you_like",
    "safe_and_well",
    "looking_after_yourself",
    "identity_culture",
]
UNCONSENTED = "She seems settled in the flat and goes to college most days"
HELP = "Please can someone call me back as I need help with my flat"
QUOTED = "I like my room but the area is noisy at weekends"
REVIEWS = "pathway_plan_reviews/2023-24/reviews.csv"


def _review(review, child, date, perspective, team, home="5", statement="", safe_stmt="",
            aggregate="Y", quote="Y"):  # fmt: skip
    scores = ["6", "6", "6", home, "6", "6", "6", "6", "6"]
    return ",".join(
        [review, child, date, perspective, team, *scores, statement, safe_stmt, aggregate, quote]
    )


REVIEW_ROWS = [
    ",".join(
        [
            "review_id,child_id,review_date,perspective,team_code",
            *TOPICS,
            "home_statement,safe_and_well_statement,consent_aggregate,consent_quote",
        ]
    ),
    _review("R1", "CL001", "2023-12-01", "young_person", "LC-A", home=""),  # 2: good
    _review(
        "R1", "CL001", "2023-12-01", "personal_adviser", "LC-A", safe_stmt=UNCONSENTED, quote="N"
    ),  # fmt: skip  # 3: good; its statement not kept
    _review("R2", "CL002", "05/03/2024", "young_person", "LC-B", home="3", statement=QUOTED),  # 4
    _review("R2", "CL002", "2024-03-05", "Personal adviser", "LC-B", home="8"),  # 5: good
    _review("R3", "CL099", "2023-06-01", "young_person", "LC-A"),  # 6: good, not in the return
    _review("R4", "CL003", "2023-07-01", "young_person", "LC-A", home="11"),  # 7
    _review("R5", "CL003", "2023-07-01", "young_person", "LC-A", home="7.5"),  # 8
    _review("R6", "CL003", "2024-04-02", "young_person", "LC-A"),  # 9: after the year
    _review("R7", "CL003", "next Tuesday", "young_person", "LC-A"),  # 10
    _review("R8", "CL003", "2023-07-01", "young_person", "LC-Q"),  # 11: unknown team
    _review("R9", "CL003", "2023-08-01", "young_person", "LC-A"),  # 12: twice
    _review("R9", "CL003", "2023-08-01", "young_person", "LC-A"),  # 13: twice
    _review("R10", "CL003", "2023-08-01", "carer", "LC-A"),  # 14
    _review("R11", "CL013", "2023-09-01", "young_person", "LC-B", statement=HELP),  # 15: good
    _review("R12", "CL013", "2023-09-01", "personal_adviser", "LC-B", aggregate="N"),  # 16
    _review("R13", "", "2023-09-01", "young_person", "LC-B"),  # 17: blank child id
    _review("R14", "CL002", "2023-10-01", "young_person", "EH-A1"),  # 18: Early Help team
]

RETURN_DEFECTS = {  # (file, row, column, rule)
    (RETURN, 5, "activity", "activity_code"),
    (RETURN, 6, "accommodation", "accommodation_code"),
    (RETURN, 7, "accommodation", "accommodation_code"),
    (RETURN, 8, "date_of_birth", "date_of_birth_in_cohort"),
    (RETURN, 9, "date_of_birth", "date_of_birth_format"),
    (RETURN, 10, "in_touch", "in_touch_code"),
    (RETURN, 11, "team_code", "team_unknown"),
    (RETURN, 12, "child_id", "child_id_format"),
    (RETURN, 13, "latest_review_date", "latest_review_date_in_year"),
    (RETURN, 14, "child_id", "duplicate_child_id"),
    (RETURN, 15, "child_id", "duplicate_child_id"),
    (RETURN, 17, "uasc", "uasc_code"),
    (RETURN, 18, "team_code", "team_in_district"),
}
REVIEW_DEFECTS = {
    (REVIEWS, 7, "home", "score_range"),
    (REVIEWS, 8, "home", "score_whole_number"),
    (REVIEWS, 9, "review_date", "review_date_in_year"),
    (REVIEWS, 10, "review_date", "review_date_format"),
    (REVIEWS, 11, "team_code", "team_unknown"),
    (REVIEWS, 12, "review_id", "duplicate_review"),
    (REVIEWS, 13, "review_id", "duplicate_review"),
    (REVIEWS, 14, "perspective", "perspective_code"),
    (REVIEWS, 17, "child_id", "child_id_format"),
    (REVIEWS, 18, "team_code", "team_in_district"),
}
REJECTED = (MISSING, "date_of_birth", "required_columns")


def _landing(root: Path) -> Path:
    landing = root / "landing"
    shutil.copytree(BASE, landing, ignore=shutil.ignore_patterns("expected.json"))
    (landing / "seeds" / "teams.csv").write_text(TEAMS, encoding="utf-8")
    (landing / "seeds" / "districts.csv").write_text(DISTRICTS, encoding="utf-8")
    for relative, rows in ((RETURN, RETURN_ROWS), (MISSING, MISSING_ROWS), (REVIEWS, REVIEW_ROWS)):
        path = landing / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return landing


def _cli(*args: str, root: Path, landing: Path, **environment: str):
    env = {
        **os.environ,
        "CHORUS_HOME": str(root / "home"),
        "CHORUS_PSEUDONYM_KEY": KEY,
        "CHORUS_LANDING": str(landing),
        "CHORUS_OUTPUT": str(root / "output"),
        "CHORUS_PACKS": "none",
        **environment,
    }
    return chorus(*args, env=env, cwd=root, timeout=1800)


@pytest.fixture(scope="module")
@runs_chorus
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("care-leavers")
    landing = _landing(root)
    validated = _cli("validate", str(landing), root=root, landing=landing)
    ran = _cli("run", "--landing", str(landing), "--out", str(root / "output"), root=root,
               landing=landing)  # fmt: skip
    return root, landing, validated, ran


def _named(lines: list[str], defect: tuple[str, int, str, str]) -> list[str]:
    file, row, column, rule = defect
    return [
        line
        for line in lines
        if line.startswith(f"{file}, row {row}, column {column}:") and line.endswith(f"[{rule}]")
    ]


def test_validate_names_each_defect_in_one_line_by_file_row_column_and_rule(run):
    _, _, validated, _ = run
    lines = validated.stdout.splitlines() + validated.stderr.splitlines()
    for defect in RETURN_DEFECTS | REVIEW_DEFECTS:
        assert len(_named(lines, defect)) == 1, defect
    file, column, rule = REJECTED
    assert any(
        line.startswith(f"{file}, column {column}") and line.endswith(f"[{rule}]") for line in lines
    )
    # And each file's line says what would load (the rejected file's rows are counted).
    assert f"{RETURN}: 17 rows read, 4 would load, 13 would be quarantined" in lines
    assert f"{REVIEWS}: 17 rows read, 7 would load, 10 would be quarantined" in lines


def test_run_quarantines_the_same_rows_and_loads_the_rest_every_row_accounted_for(run):
    root, _, _, ran = run
    assert ran.returncode == 0, ran.stderr[-3000:]
    output = root / "output"
    rejections = pd.read_csv(output / "quality" / "rejections.csv", dtype=str).fillna("")
    mine = rejections[rejections["kind"].isin(["care_leavers", "pathway_plan_reviews"])]
    found = set(zip(mine["file"], mine["row"], mine["column"], mine["rule"], strict=True))
    expected = {(f, str(r), c, rule) for f, r, c, rule in RETURN_DEFECTS | REVIEW_DEFECTS}
    # The rejected file: one line for the file, its rows counted as quarantined.
    expected.add((MISSING, "", "date_of_birth", "required_columns"))
    assert found == expected
    summary = pd.read_csv(output / "quality" / "load_summary.csv").set_index("file")
    counts = {
        file: tuple(summary.loc[file, ["rows_read", "rows_loaded", "rows_quarantined"]])
        for file in (RETURN, MISSING, REVIEWS)
    }
    assert counts == {RETURN: (17, 4, 13), MISSING: (2, 0, 2), REVIEWS: (17, 7, 10)}


def test_an_early_help_team_in_a_care_leavers_file_is_quarantined_and_the_rest_publishes(run):
    """An Early Help team's code (a team seeds/teams.csv puts in a district) on a row of the
    return and of the reviews: counted there, its figures would add up to a district the
    care leavers' indicators never publish, and disclosure control refused the whole run
    ('declared relations are not true of the data'), publishing nothing. Now each such row
    is quarantined at the door in one line that says what to do, and the indicators publish
    the personal adviser teams and the authority."""
    _, _, validated, ran = run
    lines = validated.stdout.splitlines() + validated.stderr.splitlines()
    for file in (RETURN, REVIEWS):
        line = (
            f"{file}, row 18, column team_code: team 'EH-A1' is in district E07999901 (its "
            "district_code in seeds/teams.csv), but a personal adviser's team is counted "
            "directly in its authority: correct the team_code to a team that is in no "
            "district, or blank that team's district_code [team_in_district]"
        )
        assert line in lines, file
    assert ran.returncode == 0, ran.stdout[-2000:] + ran.stderr[-3000:]
    table = pd.read_csv(
        run[0] / "output" / "indicators" / "indicator_values.csv", dtype=str, keep_default_na=False
    )
    for indicator in ("cl_in_touch", "cl_topic_unanswered_young_person"):
        mine = table[table["indicator_id"] == indicator]
        areas = set(zip(mine["geographic_level"], mine["area_code"], strict=True))
        assert areas == {
            ("Local authority", "E99000999"),
            ("Team", "LC-A"),
            ("Team", "LC-B"),
        }, (indicator, areas)


@pytest.fixture(scope="module")
def warehouse(run):
    root, _, _, ran = run
    assert ran.returncode == 0, ran.stderr[-3000:]
    with duckdb.connect(str(root / "home" / "chorus.duckdb"), read_only=True) as connection:
        yield connection


def test_the_loaded_rows_reach_raw_and_staging_as_landed(warehouse):
    good_rows = [2, 3, 4, 16]  # spreadsheet rows, worked out above
    staged = warehouse.execute(
        "select _source_row, age, age_group, accommodation_suitable, reviewed_in_six_months, "
        "eligibility_category, uasc, team_name from staging.stg_care_leavers__records "
        "order by _source_row"
    ).fetchall()
    assert [row[0] for row in staged] == good_rows
    assert staged == [
        (2, 18, "17 to 18", True, True, "relevant", "N", "Leaving Care A"),
        # Born February 2003: the 21st birthday is in February 2024, inside 2023-24.
        (3, 21, "19 to 21", True, True, "former_relevant", "Y", "Leaving Care B"),
        (4, 19, "19 to 21", None, False, "former_relevant", "N", "Leaving Care A"),
        # Reviewed 1 April 2023: not in the six months before 31 March 2024.
        (16, 20, "19 to 21", True, False, "former_relevant", "N", "Leaving Care B"),
    ]
    reviews = warehouse.execute(
        "select _source_row, perspective from staging.stg_pathway_plan__reviews "
        "order by _source_row"
    ).fetchall()
    # Row 16 has no consent to aggregate use: counted as loaded, not kept.
    assert reviews == [
        (2, "young_person"),
        (3, "personal_adviser"),
        (4, "young_person"),
        (5, "personal_adviser"),
        (6, "young_person"),
        (15, "young_person"),
    ]
    scores = warehouse.execute(
        "select review_id, perspective, topic_id, score from staging.stg_pathway_plan__scores"
    ).df()
    assert len(scores) == 6 * 9  # one row per topic of each review row
    home = scores[scores["topic_id"] == "home"].set_index(["review_id", "perspective"])["score"]
    assert pd.isna(home[("R1", "young_person")])  # blank: not answered
    assert home[("R2", "young_person")] == 3 and home[("R2", "personal_adviser")] == 8


def test_the_same_child_has_the_same_pseudonym_in_both_sources(warehouse):
    returned = dict(
        warehouse.execute(
            "select _source_row, child_pseudonym from staging.stg_care_leavers__records"
        ).fetchall()
    )
    reviewed = dict(
        warehouse.execute(
            "select _source_row, child_pseudonym from staging.stg_pathway_plan__reviews"
        ).fetchall()
    )
    # CL001 is return row 2 and review rows 2, 3; CL002 return row 3, reviews 4, 5;
    # CL013 return row 16, review 15; CL099 (review 6) is in no return row.
    assert returned[2] == reviewed[2] == reviewed[3]
    assert returned[3] == reviewed[4] == reviewed[5]
    assert returned[16] == reviewed[15]
    assert reviewed[6] not in returned.values()
    assert len(set(returned.values())) == 4


def _text_of_every_table(connection, schemas: tuple[str, ...]) -> str:
    tables = connection.execute(
        "select table_schema, table_name from information_schema.tables "
        f"where table_schema in ({', '.join(repr(s) for s in schemas)})"
    ).fetchall()
    parts = []
    for schema, table in tables:
        frame = connection.execute(f'select * from "{schema}"."{table}"').df()
        parts.append(frame.astype(str).to_csv(index=False))
    return "\n".join(parts)


def _text_of_every_file(folder: Path) -> str:
    return "\n".join(
        path.read_bytes().decode("utf-8", errors="replace")
        for path in folder.rglob("*")
        if path.is_file()
    )


def test_child_ids_and_dates_of_birth_never_leave_the_raw_zone(run, warehouse):
    root = run[0]
    beyond_raw = _text_of_every_table(
        warehouse, ("staging", "intermediate", "indicators", "marts", "reference")
    )
    raw = _text_of_every_table(warehouse, ("raw",))
    published = _text_of_every_file(root / "output")
    ids = {line.split(",")[0] for line in RETURN_ROWS[1:] + MISSING_ROWS[1:]}
    ids |= {line.split(",")[1] for line in REVIEW_ROWS[1:]}
    ids -= {""}
    assert len(ids) == 18  # CL001 to CL015, CL020, CL021 and CL099
    births = ["2005-06-14", "14/02/2003", "2003-02-14", "2004-09-30", "2003-12-12"]
    for child in sorted(ids):
        assert child not in beyond_raw and child not in published, child
    for born in births:
        assert born not in beyond_raw and born not in published and born not in raw, born
    # The raw table keeps the month only.
    months = warehouse.execute(
        "select birth_month from raw.care_leavers_records order by _source_row"
    ).fetchall()
    assert months == [("2005-06",), ("2003-02",), ("2004-09",), ("2003-12",)]


def test_statements_are_kept_only_with_consent_and_a_request_for_help_never(run, warehouse):
    root, _, _, ran = run
    statements = warehouse.execute(
        "select review_id, perspective, topic_id, statement "
        "from staging.stg_pathway_plan__statements"
    ).fetchall()
    assert statements == [("R2", "young_person", "home", QUOTED)]
    everything = _text_of_every_table(
        warehouse, ("raw", "staging", "intermediate", "indicators", "marts")
    ) + _text_of_every_file(root / "output")
    assert UNCONSENTED not in everything
    assert HELP not in everything
    # The published load line neither counts the request for help nor gives the total of
    # statements written (3), from which with the other counts its number would follow: a
    # count of 1 of a sensitive kind. Its file, row and column go on the restricted
    # follow-up list, never its words.
    log = warehouse.execute("select message from raw.load_log where file = ?", [REVIEWS]).fetchall()
    assert "help" not in log[0][0] and "harm" not in log[0][0]
    assert "of 3" not in log[0][0]
    assert "row 15" not in log[0][0]
    (restricted,) = (root / "home" / "follow_up" / "pathway_plan_reviews").glob("*.csv")
    assert restricted.read_text(encoding="utf-8").splitlines() == [
        "file,row,column,reason",
        f"{REVIEWS},15,home_statement,asks for help or contact",
    ]
    assert "free text (9 columns): 1 kept, scrubbed; 1 without consent" in log[0][0]
