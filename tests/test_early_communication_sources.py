"""The four early communication sources (issue 15) on hostile files, through `chorus
validate` and `chorus run`: each defect named in one line by file, row, column and rule, the
rest loaded, every row accounted for (the rules across a row's columns, `row_rules:`,
among them: an age that disagrees with the dates, a score without a review, a section that
does not fit the age; a score at an age without a cut-off is kept, with no result;
tests/test_row_rules.py has more); the
health pseudonym the same in the reviews, screenings, referrals and linkage file, and the
linkage's UPN pseudonym the EYFSP return's; NHS numbers, UPNs and dates of birth never
beyond the raw zone (birth month only); the parents' words kept only with consent, and a
request for help never kept.

Every landed row and every expected defect is written out here by hand. The financial year
2023-24 runs 1 April 2023 to 31 March 2024, so a child reaching 30 months in it was born 1
October 2020 to 30 September 2021. The NHS numbers are in the test range, their check digits
worked by hand (weights 10..2 on the first nine digits, 11 - sum mod 11), e.g.
999 100 101: 90 + 81 + 72 + 7 + 0 + 0 + 4 + 0 + 2 = 256, 256 mod 11 = 3, check 8: 9991001018.
The ASQ-3 zones use seeds/asq3_cutoffs.csv as shipped: the 27 month questionnaire (26 to 28
months) cut-off 25, monitoring to 40; the 30 month one (29 to 31) cut-off 30, monitoring to 45.
One `chorus run` for the module, without packs.
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
BASE = ROOT / "tests" / "fixtures" / "bad" / "good_cp1252_names"  # 6 children, 2023/24
KEY = "early-communication-sources-test-key"

CONSENTED = "He only says a few words and gets frustrated"
UNCONSENTED = "I am worried she is not talking as much as her cousin"
HELP = "Please can someone call me back, I need help, I am not coping with his talking"
VIEW = "She gets upset when we cannot understand her"
VIEW_UNCONSENTED = "He talks more at home than with other people"

REVIEWS = "health_visitor_reviews/2023-24/reviews.csv"
REVIEW_ROWS = [
    "nhs_number,date_of_birth,review_date,age_in_months,asq_communication,parent_concern,"
    "concern_words,consent_quote,postcode_sector",
    "9991001018,2021-01-15,2023-04-20,27,45,no_concern,,,XH1 1",  # 2: good, above
    f"999 100 1026,14/03/2021,2023-09-01,29,30,Concern,{CONSENTED},Y,xh3 2",  # 3: good, below
    "9991001034,2020-11-02,,,,,,,XH5 1",  # 4: good, not reviewed
    f"9991001042,2021-06-30,2024-02-10,31,35,concern,{UNCONSENTED},N,XH7 1",  # 5: monitoring
    f'9991001050,2021-08-08,2024-01-05,28,50,concern,"{HELP}",Y,XH9 2',  # 6: good, help
    "9991001019,2021-01-15,2023-04-20,27,45,no_concern,,,XH1 1",  # 7: check digit
    "999100101,2021-01-15,2023-04-20,27,45,no_concern,,,XH1 1",  # 8: nine digits
    "9991001069,2021-01-15,2023-04-20,27,62,no_concern,,,XH1 1",  # 9: score 62
    "9991001077,2021-01-15,2023-04-20,27,7,no_concern,,,XH1 1",  # 10: score 7
    "9991001085,2021-01-15,2023-04-20,27,45,no_concern,,,XH11 1",  # 11: unknown sector
    "9991001093,2019-05-05,2023-04-20,27,45,no_concern,,,XH1 1",  # 12: born too early
    "999 100 1107,2021-02-02,2023-08-01,29,55,no_concern,,,XH2 1",  # 13: twice (spaces)
    "9991001107,2021-02-02,2023-08-01,29,55,no_concern,,,XH2 1",  # 14: twice
    "9991001115,2021-02-02,2023-08-01,29,55,maybe,,,XH2 1",  # 15: concern code
    # row_rules: 15 January 2021 to 20 April 2023 is 27 whole months, to 20 May 2024 40
    "9991001158,2021-01-15,2023-04-20,25,45,no_concern,,,XH1 1",  # 16: 25 is 2 off 27
    "9991001166,2021-01-15,,,45,,,,XH1 1",  # 17: a score without a review date
    "9991001174,2021-01-15,2024-05-20,40,45,no_concern,,,XH1 1",  # 18: good: 40, no cut-off
]
SCREENINGS = "wellcomm_screenings/2023-24/screenings.csv"
SCREENING_ROWS = [
    "nhs_number,screening_date,setting,age_in_months,section,score,rag,green_section,"
    "rescreen,parent_view_recorded,parent_view,consent_quote,postcode_sector",
    f"9991001026,2023-10-02,EY001,30,5,3,Red,4,N,Y,{VIEW},Y,XH3 2",  # 2: good, red
    "9991001026,2023-10-02,EY001,30,4,10,G,4,Y,N,,,XH3 2",  # 3: good, rescreen
    "999 100 1018,2023-05-01,EY002,26,4,11,green,,N,N,,,XH1 1",  # 4: good, first
    f"9991001018,2023-11-01,EY002,32,5,9,A,,N,Y,{VIEW_UNCONSENTED},N,XH1 1",  # 5: good, later
    "9991001027,2023-10-02,EY001,30,5,3,R,4,N,N,,,XH3 2",  # 6: check digit
    "9991001034,2023-10-02,EY001,30,5,13,R,4,N,N,,,XH5 1",  # 7: score 13
    "9991001042,2023-10-02,EY001,30,5,3,X,4,N,N,,,XH7 1",  # 8: rag X
    "9991001050,2023-10-02,EY001,30,10,3,R,4,N,N,,,XH9 2",  # 9: section 10
    "9991001123,2023-10-02,EY001,30,5,3,R,4,N,N,,,XH11 1",  # 10: unknown sector
    "9991001131,2024-04-01,EY001,30,5,3,R,4,N,N,,,XH1 1",  # 11: after the year
    "9991001182,2023-10-03,EY001,30,4,10,G,,N,N,,,XH1 1",  # 12: 30 months is section 5
]
REFERRALS = "slt_referrals/2023-24/referrals.csv"
REFERRAL_ROWS = [
    "referral_id,nhs_number,referral_date,referral_source,outcome,postcode_sector",
    "R001,9991001026,2023-10-20,Early years setting,assessed,XH3 2",  # 2: good
    "R002,9991001018,2023-12-01,health_visitor,waiting,XH1 1",  # 3: good
    "R003,9991001034,2023-06-01,gp,advice_given,XH5 1",  # 4: good
    "R004,9991001042,2023-06-01,teacher,assessed,XH7 1",  # 5: source code
    "R005,9991001050,2023-06-01,parent,assessed,XH9 2",  # 6: twice
    "R005,9991001050,2023-07-01,parent,assessed,XH9 2",  # 7: twice
    "R006,9991001050,2023-06-01,parent,lost,XH9 2",  # 8: outcome code
]
LINKAGE = "health_education_linkage/2023-24/linkage.csv"
LINKAGE_ROWS = [
    "nhs_number,upn",
    "9991001018,P354220122000",  # 2: good (EYFSP row 2)
    "999 100 1026,E354200122002",  # 3: good (EYFSP row 3)
    "9991001034,C354240122000",  # 4: good (EYFSP row 6)
    "9991001042,X354210122001",  # 5: one UPN, two NHS numbers
    "9991001050,X354210122001",  # 6: one UPN, two NHS numbers
    "9991001069,W354230122001",  # 7: UPN check letter wrong (W...000 is right)
    "9991001019,Q354200122001",  # 8: NHS number check digit
]

DEFECTS = {  # (file, row, column, rule)
    (REVIEWS, 7, "nhs_number", "nhs_number_check"),
    (REVIEWS, 8, "nhs_number", "nhs_number_format"),
    (REVIEWS, 9, "asq_communication", "asq_score_step"),
    (REVIEWS, 10, "asq_communication", "asq_score_step"),
    (REVIEWS, 11, "postcode_sector", "postcode_sector_unknown"),
    (REVIEWS, 12, "date_of_birth", "date_of_birth_in_cohort"),
    (REVIEWS, 13, "nhs_number", "duplicate_nhs_number"),
    (REVIEWS, 14, "nhs_number", "duplicate_nhs_number"),
    (REVIEWS, 15, "parent_concern", "parent_concern_code"),
    (REVIEWS, 16, "age_in_months", "age_in_months_matches_dates"),
    (REVIEWS, 17, "review_date", "asq_score_without_review"),
    (SCREENINGS, 6, "nhs_number", "nhs_number_check"),
    (SCREENINGS, 7, "score", "score_range"),
    (SCREENINGS, 8, "rag", "rag_code"),
    (SCREENINGS, 9, "section", "wellcomm_section"),
    (SCREENINGS, 10, "postcode_sector", "postcode_sector_unknown"),
    (SCREENINGS, 11, "screening_date", "screening_date_in_year"),
    (SCREENINGS, 12, "section", "wellcomm_section_for_age"),
    (REFERRALS, 5, "referral_source", "referral_source_code"),
    (REFERRALS, 6, "referral_id", "duplicate_referral_id"),
    (REFERRALS, 7, "referral_id", "duplicate_referral_id"),
    (REFERRALS, 8, "outcome", "outcome_code"),
    (LINKAGE, 5, "upn", "upn_linked_twice"),
    (LINKAGE, 6, "upn", "upn_linked_twice"),
    (LINKAGE, 7, "upn", "upn_check_letter"),
    (LINKAGE, 8, "nhs_number", "nhs_number_check"),
}
COUNTS = {  # rows read, loaded, quarantined
    REVIEWS: (17, 6, 11),
    SCREENINGS: (11, 4, 7),
    REFERRALS: (7, 3, 4),
    LINKAGE: (7, 3, 4),
}
FILES = {REVIEWS: REVIEW_ROWS, SCREENINGS: SCREENING_ROWS, REFERRALS: REFERRAL_ROWS}
FILES[LINKAGE] = LINKAGE_ROWS


def _landing(root: Path) -> Path:
    landing = root / "landing"
    shutil.copytree(BASE, landing, ignore=shutil.ignore_patterns("expected.json"))
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
    root = tmp_path_factory.mktemp("early-communication")
    landing = _landing(root)
    validated = _cli("validate", str(landing), root=root, landing=landing)
    ran = _cli("run", "--landing", str(landing), "--out", str(root / "output"), root=root,
               landing=landing)  # fmt: skip
    return root, landing, validated, ran


@pytest.fixture(scope="module")
def warehouse(run):
    root, _, _, ran = run
    assert ran.returncode == 0, ran.stderr[-3000:]
    with duckdb.connect(str(root / "home" / "chorus.duckdb"), read_only=True) as connection:
        yield connection


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
    for defect in DEFECTS:
        assert len(_named(lines, defect)) == 1, defect
    for file, (read, loaded, quarantined) in COUNTS.items():
        line = f"{file}: {read} rows read, {loaded} would load, {quarantined} would be quarantined"
        assert line in lines, line


def test_run_quarantines_the_same_rows_and_loads_the_rest_every_row_accounted_for(run):
    root, _, _, ran = run
    assert ran.returncode == 0, ran.stderr[-3000:]
    output = root / "output"
    rejections = pd.read_csv(output / "quality" / "rejections.csv", dtype=str).fillna("")
    mine = rejections[rejections["file"].isin(list(FILES))]
    found = set(zip(mine["file"], mine["row"], mine["column"], mine["rule"], strict=True))
    assert found == {(f, str(r), c, rule) for f, r, c, rule in DEFECTS}
    summary = pd.read_csv(output / "quality" / "load_summary.csv").set_index("file")
    counts = {
        file: tuple(
            int(n) for n in summary.loc[file, ["rows_read", "rows_loaded", "rows_quarantined"]]
        )
        for file in FILES
    }
    assert counts == COUNTS
    for file, (read, loaded, quarantined) in COUNTS.items():
        assert read == loaded + quarantined == len(FILES[file]) - 1


def test_the_raw_tables_hold_the_loaded_rows_and_staging_every_one(warehouse):
    tables = {
        REVIEWS: ("health_visitor_reviews", "stg_health_visitor__reviews"),
        SCREENINGS: ("wellcomm_screenings", "stg_wellcomm__screenings"),
        REFERRALS: ("slt_referrals", "stg_slt__referrals"),
        LINKAGE: ("health_education_linkage", "stg_linkage__health_education"),
    }
    for file, (raw, staged) in tables.items():
        (in_raw,) = warehouse.execute(f"select count(*) from raw.{raw}").fetchone()
        (in_staging,) = warehouse.execute(f"select count(*) from staging.{staged}").fetchone()
        assert in_raw == in_staging == COUNTS[file][1], file


def test_the_loaded_rows_reach_raw_and_staging_as_landed(warehouse):
    reviews = warehouse.execute(
        "select _source_row, birth_month, reviewed, age_in_months, reviewed_by_30_months, "
        "asq_communication_zone, at_or_above_expected, parent_concern, financial_quarter, "
        "reached_30_months_quarter, neighbourhood_name from staging.stg_health_visitor__reviews "
        "order by _source_row"
    ).fetchall()
    assert reviews == [
        # born January 2021: 30 months in July 2023, the year's second quarter
        (2, "2021-01", True, 27, True, "above", True, "no_concern", "Financial year Q2",
         "Financial year Q2", "Harrowdale Central"),
        # 29 months: the 30 month questionnaire, cut-off 30: a score of 30 is below
        (3, "2021-03", True, 29, True, "below", False, "concern", "Financial year Q2",
         "Financial year Q2", "Northgate"),
        # not reviewed: no quarter of review, the concern not asked
        (4, "2020-11", False, None, False, None, None, "not_asked", None,
         "Financial year Q1", "Eastfield"),
        # 31 months: cut-off 30, monitoring to 45: 35 is at or above the expected level
        (5, "2021-06", True, 31, False, "monitoring", True, "concern", "Financial year Q3",
         "Financial year Q3", "Millbrook"),
        # born August 2021: 30 months in February 2024
        (6, "2021-08", True, 28, True, "above", True, "concern", "Financial year Q4",
         "Financial year Q4", "Hillside Villages"),
        # reviewed at 40 months: a review, not by 30 months; no cut-off at 40, so no result
        (18, "2021-01", True, 40, False, None, None, "no_concern", "Financial year Q2",
         "Financial year Q2", "Harrowdale Central"),
    ]  # fmt: skip
    screenings = warehouse.execute(
        "select _source_row, section, section_label, score, rag, green_section, rescreen, "
        "parent_view_recorded, first_in_year from staging.stg_wellcomm__screenings "
        "order by _source_row"
    ).fetchall()
    assert screenings == [
        (2, 5, "Section 5 (30 to 35 months)", 3, "red", 4, False, True, True),
        (3, 4, "Section 4 (24 to 29 months)", 10, "green", 4, True, False, False),
        (4, 4, "Section 4 (24 to 29 months)", 11, "green", None, False, False, True),
        (5, 5, "Section 5 (30 to 35 months)", 9, "amber", None, False, True, False),
    ]
    referrals = warehouse.execute(
        "select referral_id, referral_source, outcome from staging.stg_slt__referrals "
        "order by referral_id"
    ).fetchall()
    assert referrals == [
        ("R001", "early_years_setting", "assessed"),
        ("R002", "health_visitor", "waiting"),
        ("R003", "gp", "advice_given"),
    ]
    linked = warehouse.execute(
        "select _source_row from staging.stg_linkage__health_education order by 1"
    ).fetchall()
    assert linked == [(2,), (3,), (4,)]


def test_the_same_child_has_the_same_pseudonym_in_every_file(warehouse):
    def by_row(model: str, column: str = "child_health_pseudonym") -> dict[int, str]:
        return dict(
            warehouse.execute(f"select _source_row, {column} from staging.{model}").fetchall()
        )

    reviews = by_row("stg_health_visitor__reviews")
    screenings = by_row("stg_wellcomm__screenings")
    referrals = by_row("stg_slt__referrals")
    health = by_row("stg_linkage__health_education")
    education = by_row("stg_linkage__health_education", "child_pseudonym")
    eyfsp = dict(
        warehouse.execute("select source_row, child_id from staging.stg_eyfsp__results").fetchall()
    )
    census = dict(
        warehouse.execute("select source_row, child_id from staging.stg_census__pupils").fetchall()
    )
    # 999 100 1018: review 2, screenings 4 and 5 (one written with spaces), referral 3,
    # linkage 2 with P354220122000 (EYFSP row 2)
    assert reviews[2] == screenings[4] == screenings[5] == referrals[3] == health[2]
    assert education[2] == eyfsp[2] == census[6]  # census rows: C, X, E, W, P, Q
    # 999 100 1026: review 3 (with spaces), screenings 2, 3, referral 2, linkage 3 (spaces)
    assert reviews[3] == screenings[2] == screenings[3] == referrals[2] == health[3]
    assert education[3] == eyfsp[3] == census[4]
    # 999 100 1034: review 4, referral 4, linkage 4 with C354240122000 (EYFSP row 6)
    assert reviews[4] == referrals[4] == health[4]
    assert education[4] == eyfsp[6] == census[2]
    assert len(set(reviews.values())) == 6
    assert not set(health.values()) & set(education.values())


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


def test_nhs_numbers_upns_and_dates_of_birth_never_leave_the_raw_zone(run, warehouse):
    root = run[0]
    beyond_raw = _text_of_every_table(
        warehouse, ("staging", "intermediate", "indicators", "marts", "reference")
    )
    raw = _text_of_every_table(warehouse, ("raw",))
    published = _text_of_every_file(root / "output")
    numbers = set()
    for rows in FILES.values():
        header = rows[0].split(",")
        for line in rows[1:]:
            cells = dict(zip(header, line.split(","), strict=False))
            numbers |= {cells.get("nhs_number", ""), cells.get("upn", "")}
    numbers -= {""}
    spaced = {number for number in numbers if " " in number}
    numbers |= {number.replace(" ", "") for number in spaced}
    assert len(numbers) >= 20
    for number in sorted(numbers):
        assert number not in beyond_raw and number not in published, number
        assert number not in raw, number  # pseudonymised at the door
    for born in ("2021-01-15", "14/03/2021", "2021-03-14", "2020-11-02", "2021-06-30"):
        assert born not in beyond_raw and born not in published and born not in raw, born
    months = warehouse.execute(
        "select birth_month from raw.health_visitor_reviews order by _source_row"
    ).fetchall()
    assert months == [
        ("2021-01",),
        ("2021-03",),
        ("2020-11",),
        ("2021-06",),
        ("2021-08",),
        ("2021-01",),  # row 18, reviewed at 40 months
    ]


def test_words_are_kept_only_with_consent_and_a_request_for_help_never(run, warehouse):
    root = run[0]
    concerns = warehouse.execute(
        "select concern_words, asq_communication_zone, parent_concern "
        "from staging.stg_health_visitor__concerns"
    ).fetchall()
    assert concerns == [(CONSENTED, "below", "concern")]
    views = warehouse.execute(
        "select parent_view, rag, section from staging.stg_wellcomm__parent_views"
    ).fetchall()
    assert views == [(VIEW, "red", 5)]
    everything = _text_of_every_table(
        warehouse, ("raw", "staging", "intermediate", "indicators", "marts")
    ) + _text_of_every_file(root / "output")
    for words in (UNCONSENTED, VIEW_UNCONSENTED, HELP, "not coping"):
        assert words not in everything, words
    (restricted,) = (root / "home" / "follow_up" / "health_visitor_reviews").glob("*.csv")
    assert restricted.read_text(encoding="utf-8").splitlines() == [
        "file,row,column,reason",
        f"{REVIEWS},6,concern_words,asks for help or contact",
    ]
