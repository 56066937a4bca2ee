"""The three Early Help sources (issue 16) on hostile files, through `chorus validate` and
`chorus run` (one run for the module, without packs): each defect named in one line by file,
row, column and rule, the rest loaded, every row accounted for; counts computed from the
landing files with plain pandas here; the referral and person ids never beyond the door;
words only with consent and a request for help never; and the journey flags on hand-made
edge cases (a note the same day as the hub meeting is before it, a day after is not, no
meeting date is null, 12 months after the closure not yet landed is null).

Every landed row and every expected value is written out here. Months land by the month of
the referral (or of the note); the latest month landed is June 2025, so 12 months after a
closure are covered up to a closure on 30 June 2024 (+ 365 days = 30 June 2025).
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.early_help_files import HEAD, NOTE_HEAD, run_chorus, write_landing
from tests.early_help_files import TEAMS as LISTED_TEAMS
from tests.tiers import runs_chorus

KEY = "early-help-sources-test-key"

TEAMS = LISTED_TEAMS + "EH-X1,Outreach Early Help team,E99000999,E07999977\n"  # row 4: no district

CONSENTED = "It helped to say what is going on at home in my own words."
UNCONSENTED = "Mornings are the hardest, getting everyone to school on time."
HELP = "Please can someone call me back, I need help with where we are staying"
COMMENT = "Hearing the parent before the hub changed how we framed the plan."

APRIL = "early_help_referrals/2024-04/referrals.csv"
APRIL_ROWS = [
    HEAD,
    "EHREF-0001,PERSON-7001,2024-04-02,EH-N1,school,2,2024-04-10,early_help,2024-05-31",  # 2
    "EHREF-0002,PERSON-7002,05/04/2024,EH-N1,Self or family,3,2024-04-15,Step up CSC,2024-04-20",
    "EHREF-0003,PERSON-7003,2024-04-30,EH-S1,health,1,,,",  # 4: no meeting, undecided, open
    "EHREF-0004,PERSON-7004,2024-05-01,EH-N1,school,2,,,",  # 5: May in April's folder
    "EHREF-0005,PERSON-7005,2024-04-10,EH-N1,school,2,2024-04-09,,",  # 6: hub before referral
    "EHREF-0006,PERSON-7006,2024-04-10,EH-N1,school,5,,,",  # 7: need level 5
    "EHREF-0007,PERSON-7007,2024-04-10,EH-N1,school,2,2024-04-20,closed,",  # 8: outcome
    "EHREF-0008,PERSON-7008,2024-04-10,EH-Z9,school,2,,,",  # 9: team not listed
    "EHREF-0009,PERSON-7009,2024-04-11,EH-N1,police,2,,,",  # 10: twice
    "EHREF-0009,PERSON-7010,2024-04-12,EH-N1,police,2,,,",  # 11: twice
    "EHREF-0011,PERSON-7011,2024-04-12,EH-X1,other,4,2024-04-20,no_further_action,2024-04-25",
    "EHREF-0012,PERSON-7012,2024-04-15,EH-S1,early_years,2,2024-04-25,early_help,2024-09-01",
    "EHREF-0014,PERSON-7014,2024-04-16,EH-S1,school,2,,,",  # 14: its id again in June 2025
]
MAY_2025 = "early_help_referrals/2025-05/referrals.csv"
MAY_2025_ROWS = [HEAD, "EHREF-0010,PERSON-7001,2025-05-20,EH-N1,school,3,,,"]  # 7001 again
JUNE_2025 = "early_help_referrals/2025-06/referrals.csv"
JUNE_2025_ROWS = [
    HEAD,
    "EHREF-0013,PERSON-7012,2025-06-10,EH-S1,school,2,,,",  # 2: 7012 again
    "EHREF-0014,PERSON-7015,2025-06-12,EH-S1,school,2,,,",  # 3: April 2024's referral id
]

NOTES = "voice_notes/2024-04/voice_notes.csv"
NOTE_ROWS = [
    NOTE_HEAD,
    f"EHREF-0001,2024-04-10,parent,call,EH-N1,{CONSENTED},Y",  # 2: the hub's own day
    "EHREF-0001,2024-04-12,child,visit,EH-N1,,",  # 3: the child's voice
    f'EHREF-0002,2024-04-16,Parent,call,EH-N1,"{UNCONSENTED}",N',  # 4: a day after the hub
    "EHREF-0001,2024-04-11,grandparent,call,EH-N1,,",  # 5: whose voice
    f'EHREF-0002,2024-04-20,carer,call,EH-N1,"{HELP}",Y',  # 6: a request for help
    "EHREF-9999,2024-04-20,parent,call,EH-N1,,",  # 7: its referral never landed
    "EHREF-0001,2024-05-01,parent,call,EH-N1,,",  # 8: May in April's folder
    "EHREF-0011,2024-04-15,parent,visit,EH-X1,,N",  # 9: before the hub (20 April)
    "EHREF-0012,2024-04-14,parent,call,EH-S1,,",  # 10: a day before its referral was made
]
NOTES_MAY = "voice_notes/2024-05/voice_notes.csv"
NOTES_MAY_ROWS = [NOTE_HEAD, "EHREF-0003,2024-05-02,carer,call,EH-S1,,"]  # no meeting date

SURVEY = "voice_note_survey/2024-25/survey.csv"
SURVEY_ROWS = [
    "respondent_id,team_code,response_date,helped_prepare,family_view_changed_plan,"
    "worth_the_time,comment,consent_quote",
    f"PRACT-0001,EH-N1,2025-01-10,Agree,strongly_agree,,{COMMENT},Y",  # 2
    "PRACT-0002,EH-S1,2025-01-12,disagree,neither,agree,,",  # 3
    "PRACT-0003,EH-S1,2025-01-12,maybe,agree,agree,,",  # 4: not on the scale
]

FILES = {
    APRIL: APRIL_ROWS,
    MAY_2025: MAY_2025_ROWS,
    JUNE_2025: JUNE_2025_ROWS,
    NOTES: NOTE_ROWS,
    NOTES_MAY: NOTES_MAY_ROWS,
    SURVEY: SURVEY_ROWS,
}
DEFECTS = {  # (file, row, column, rule)
    (APRIL, 5, "referral_date", "referral_date_in_month"),
    (APRIL, 6, "hub_meeting_date", "hub_meeting_before_referral"),
    (APRIL, 7, "need_level", "need_level_range"),
    (APRIL, 8, "outcome", "outcome_code"),
    (APRIL, 9, "team_code", "team_unknown"),
    (APRIL, 10, "referral_id", "duplicate_referral_id"),
    (APRIL, 11, "referral_id", "duplicate_referral_id"),
    (APRIL, 14, "referral_id", "referral_id_in_two_months"),
    (JUNE_2025, 3, "referral_id", "referral_id_in_two_months"),
    (NOTES, 5, "whose_voice", "whose_voice_code"),
    (NOTES, 8, "date_recorded", "date_recorded_in_month"),
    (SURVEY, 4, "helped_prepare", "agreement_code"),
}
SEED_DEFECT = ("seeds/teams.csv", 4, "district_code", "team_district_unknown")


def _landing(root: Path) -> Path:
    return write_landing(root, FILES, teams=TEAMS)


def _cli(*args: str, root: Path, landing: Path):
    return run_chorus(*args, root=root, landing=landing, key=KEY)


@pytest.fixture(scope="module")
@runs_chorus
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("early-help")
    landing = _landing(root)
    validated = _cli("validate", str(landing), root=root, landing=landing)
    ran = _cli("run", "--landing", str(landing), "--out", str(root / "output"), root=root,
               landing=landing)  # fmt: skip
    return root, landing, validated, ran


@pytest.fixture(scope="module")
def warehouse(run):
    root, _, _, ran = run
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    with duckdb.connect(str(root / "home" / "chorus.duckdb"), read_only=True) as connection:
        yield connection


def _expected_counts(landing: Path) -> dict[str, tuple[int, int, int]]:
    """Rows read, loaded and quarantined per file, worked from the landing files with plain
    pandas: the rules as docs/inputs.md states them, applied here without Chorus."""
    teams = set(pd.read_csv(landing / "seeds" / "teams.csv", dtype=str)["team_code"])
    referrals = [f for f in FILES if f.startswith("early_help_referrals")]
    months = pd.concat(
        pd.read_csv(landing / f, dtype=str).assign(month=f.split("/")[1]) for f in referrals
    )
    folders = months.groupby("referral_id")["month"].nunique()
    in_two_months = set(folders[folders > 1].index)  # every row of such an id held back
    counts = {}
    for relative in FILES:
        frame = pd.read_csv(landing / relative, dtype=str, keep_default_na=False)
        folder = relative.split("/")[1]
        bad = ~frame["team_code"].isin(teams)
        if relative.startswith("early_help_referrals"):
            iso = pd.to_datetime(frame["referral_date"], format="%Y-%m-%d", errors="coerce")
            when = iso.fillna(
                pd.to_datetime(frame["referral_date"], format="%d/%m/%Y", errors="coerce")
            )
            hub = pd.to_datetime(frame["hub_meeting_date"].replace("", None))
            bad |= when.dt.strftime("%Y-%m") != folder
            bad |= hub < when
            bad |= ~frame["need_level"].isin(["1", "2", "3", "4"])
            codes = {"", "no_further_action", "early_help", "step_up_csc"}
            bad |= ~frame["outcome"].str.lower().str.replace(" ", "_").isin(codes)
            bad |= frame["referral_id"].duplicated(keep=False)
            bad |= frame["referral_id"].isin(in_two_months)
        elif relative.startswith("voice_notes"):
            bad |= pd.to_datetime(frame["date_recorded"]).dt.strftime("%Y-%m") != folder
            voices = {"parent", "carer", "child", "young_person"}
            bad |= ~frame["whose_voice"].str.lower().isin(voices)
        else:
            scale = {"", "strongly_disagree", "disagree", "neither", "agree", "strongly_agree"}
            for item in ("helped_prepare", "family_view_changed_plan", "worth_the_time"):
                bad |= ~frame[item].str.lower().isin(scale)
        counts[relative] = (len(frame), int((~bad).sum()), int(bad.sum()))
    return counts


def _named(lines: list[str], file: str, row: int, column: str, rule: str) -> list[str]:
    start = f"{file}, row {row}, column {column}:"
    return [line for line in lines if line.startswith(start) and line.endswith(f"[{rule}]")]


def test_validate_names_each_defect_in_one_line_by_file_row_column_and_rule(run):
    _, landing, validated, _ = run
    lines = validated.stdout.splitlines() + validated.stderr.splitlines()
    for defect in DEFECTS | {SEED_DEFECT}:
        assert len(_named(lines, *defect)) == 1, (defect, lines)
    for file, (read, loaded, quarantined) in _expected_counts(landing).items():
        line = f"{file}: {read} rows read, {loaded} would load, {quarantined} would be quarantined"
        assert line in lines, (line, lines)


def test_run_quarantines_the_same_rows_and_loads_the_rest_every_row_accounted_for(run):
    root, landing, _, ran = run
    assert ran.returncode == 0, ran.stderr[-3000:]
    quality = root / "output" / "quality"
    rejections = pd.read_csv(quality / "rejections.csv", dtype=str).fillna("")
    mine = rejections[rejections["file"].isin(list(FILES))]
    found = set(zip(mine["file"], mine["row"], mine["column"], mine["rule"], strict=True))
    assert found == {(f, str(r), c, rule) for f, r, c, rule in DEFECTS}
    summary = pd.read_csv(quality / "load_summary.csv").set_index("file")
    columns = ["rows_read", "rows_loaded", "rows_quarantined"]
    counts = {file: tuple(int(n) for n in summary.loc[file, columns]) for file in FILES}
    expected = _expected_counts(landing)
    assert counts == expected
    for file, (read, loaded, quarantined) in expected.items():
        assert read == loaded + quarantined == len(FILES[file]) - 1
    # as worked by hand: April's referrals 13 read, rows 5 to 11 and 14 quarantined
    assert expected[APRIL] == (13, 5, 8) and expected[NOTES] == (9, 7, 2)
    assert expected[JUNE_2025] == (2, 1, 1)


def test_raw_and_staging_hold_every_loaded_row(run, warehouse):
    counts = _expected_counts(run[1])
    loaded = {
        "referrals": sum(counts[f][1] for f in (APRIL, MAY_2025, JUNE_2025)),
        "notes": counts[NOTES][1] + counts[NOTES_MAY][1],
        "survey": counts[SURVEY][1],
    }
    assert loaded == {"referrals": 7, "notes": 8, "survey": 2}

    def count(table: str) -> int:
        return warehouse.execute(f"select count(*) from {table}").fetchone()[0]

    # the two rows of a referral id landed in two months stay in the raw table (the next
    # run checks afresh, whichever months it reloads) and go no further
    assert count("raw.early_help_referrals") == loaded["referrals"] + 2
    assert count("staging.stg_early_help__referrals") == loaded["referrals"]
    assert count("intermediate.int_early_help__referral_journeys") == loaded["referrals"]
    assert count("raw.voice_notes") == count("staging.stg_early_help__voice_notes") == 8
    assert count("raw.voice_note_survey") == loaded["survey"]
    assert count("staging.stg_early_help__survey") == loaded["survey"] * 3  # three items
    orphans = warehouse.execute(
        "select _source_file, _source_row from staging.stg_early_help__voice_notes "
        "where not referral_found"
    ).fetchall()
    assert orphans == [(NOTES, 7)]
    early = warehouse.execute(
        "select _source_file, _source_row from staging.stg_early_help__voice_notes "
        "where dated_before_referral"
    ).fetchall()
    assert early == [(NOTES, 10)]
    notes = pd.read_csv(run[0] / "output" / "quality" / "period_notes.csv", dtype=str)
    said = notes[notes["note"].str.contains("dated before the referral", regex=False)]
    assert list(zip(said["file"], said["rows"], strict=True)) == [(NOTES, "1")]


def test_the_team_gives_the_district_never_the_row(warehouse):
    placed = warehouse.execute(
        "select _source_row, team_code, district_code, district_name, new_la_code, "
        "time_period, time_identifier, calendar_year, financial_quarter "
        "from staging.stg_early_help__referrals where _source_file = ? order by 1",
        [APRIL],
    ).fetchall()
    assert placed == [
        (2, "EH-N1", "E07999901", "Harrowdale North (synthetic)", "E99000999", 202425,
         "April", 2024, "Financial year Q1"),
        (3, "EH-N1", "E07999901", "Harrowdale North (synthetic)", "E99000999", 202425,
         "April", 2024, "Financial year Q1"),
        (4, "EH-S1", "E07999902", "Harrowdale South (synthetic)", "E99000999", 202425,
         "April", 2024, "Financial year Q1"),
        # EH-X1's district E07999977 is not in districts.csv: counted in the authority
        (12, "EH-X1", None, None, "E99000999", 202425, "April", 2024, "Financial year Q1"),
        (13, "EH-S1", "E07999902", "Harrowdale South (synthetic)", "E99000999", 202425,
         "April", 2024, "Financial year Q1"),
    ]  # fmt: skip
    parents = dict(
        warehouse.execute(
            "select area_code, parent_area_code from marts.dim_areas "
            "where geographic_level in ('Team', 'Local authority district')"
        ).fetchall()
    )
    assert parents == {
        "EH-N1": "E07999901",
        "EH-S1": "E07999902",
        "EH-X1": "E99000999",
        "E07999901": "E99000999",
        "E07999902": "E99000999",
    }


def test_the_journey_flags_on_hand_made_edge_cases(warehouse):
    rows = warehouse.execute(
        "select _source_file, _source_row, first_family_note_date, family_note_before_hub, "
        "days_to_family_note, child_voice_recorded, rereferred_12m, stepped_up "
        "from intermediate.int_early_help__referral_journeys order by referral_date"
    ).fetchall()
    assert rows == [
        # Re-referral is not known for any closure here: June 2024 to April 2025 have no
        # referrals landed, so a re-referral in them would be missed
        # (test_early_help_gaps.py works re-referral on a landing with every month).
        # note on 10 April, the hub meeting's own day: before it; the child heard too;
        # closed 31 May 2024 (the same child referred again 20 May 2025)
        (APRIL, 2, date(2024, 4, 10), True, 8, True, None, False),
        # note on 16 April, a day after the meeting: not before it; stepped up; closed 20
        # April 2024
        (APRIL, 3, date(2024, 4, 16), False, 11, False, None, True),
        # note before the 20 April meeting; no further action, closed
        (APRIL, 12, date(2024, 4, 15), True, 3, False, None, False),
        # a meeting and no note of its own (the note dated 14 April, the day before the
        # referral, is not one): not before; closed 1 September 2024: 365 days reach 1
        # September 2025, after June 2025, so not yet known though the child came back
        (APRIL, 13, None, False, None, False, None, False),
        # no meeting date: null, though a carer was heard on 2 May; undecided, open
        (APRIL, 4, date(2024, 5, 2), None, 2, False, None, None),
        (MAY_2025, 2, None, None, None, False, None, None),
        (JUNE_2025, 2, None, None, None, False, None, None),
    ]


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


def test_referral_person_and_respondent_ids_never_pass_the_door(run, warehouse):
    root = run[0]
    everything = _text_of_every_table(
        warehouse, ("raw", "staging", "intermediate", "indicators", "marts", "reference")
    ) + _text_of_every_file(root / "output")
    ids = {"PERSON-7001", "PERSON-7012", "PRACT-0001", "PRACT-0002"}
    ids |= {"PERSON-7014", "PERSON-7015"}
    ids |= {f"EHREF-{n:04d}" for n in (1, 2, 3, 9, 10, 11, 12, 13, 14, 9999)}
    for identifier in sorted(ids):
        assert identifier not in everything, identifier
    # the same referral id is the same pseudonym in the referrals and the notes
    linked = warehouse.execute(
        "select count(*) from staging.stg_early_help__voice_notes where referral_found"
    ).fetchone()
    assert linked == (7,)


def test_words_only_with_consent_and_a_request_for_help_never(run, warehouse):
    root = run[0]
    words = warehouse.execute(
        "select words, whose_voice, team_code, time_period, time_identifier "
        "from staging.stg_early_help__voice_note_words"
    ).fetchall()
    assert words == [(CONSENTED, "parent", "EH-N1", 202425, "April")]
    everything = _text_of_every_table(
        warehouse, ("raw", "staging", "intermediate", "indicators", "marts")
    ) + _text_of_every_file(root / "output")
    for text in (UNCONSENTED, HELP, "call me back"):
        assert text not in everything, text
    (restricted,) = (root / "home" / "follow_up" / "voice_notes").glob("*.csv")
    assert restricted.read_text(encoding="utf-8").splitlines() == [
        "file,row,column,reason",
        f"{NOTES},6,words,asks for help or contact",
    ]
    survey = warehouse.execute(
        "select item, answer, agrees from staging.stg_early_help__survey "
        "where _source_row = 2 order by item"
    ).fetchall()
    assert survey == [
        ("family_view_changed_plan", "strongly_agree", True),
        ("helped_prepare", "agree", True),
        ("worth_the_time", None, None),
    ]


@pytest.mark.pipeline
def test_a_referral_id_in_two_months_names_the_other_and_clears_once_one_is_removed(run):
    root, landing, _, ran = run
    assert ran.returncode == 0, ran.stderr[-3000:]
    rejections = pd.read_csv(root / "output" / "quality" / "rejections.csv", dtype=str)
    held = rejections[rejections["rule"] == "referral_id_in_two_months"]
    messages = dict(zip(held["file"] + " row " + held["row"], held["message"], strict=True))
    assert set(messages) == {f"{APRIL} row 14", f"{JUNE_2025} row 3"}
    assert f"{JUNE_2025} row 3" in messages[f"{APRIL} row 14"]
    assert f"{APRIL} row 14" in messages[f"{JUNE_2025} row 3"]
    assert "EHREF-0014" not in " ".join(held.fillna("").to_numpy().ravel())
    # June 2025's file corrected (its second row removed): April 2024's row loads on the
    # next run, though April's file is unchanged and is not read again
    again = root.parent / (root.name + "-corrected")
    shutil.copytree(root, again)
    june = again / "landing" / JUNE_2025
    june.write_text("\n".join(JUNE_2025_ROWS[:2]) + "\n", encoding="utf-8")
    rerun = _cli("run", "--landing", str(again / "landing"), "--out", str(again / "output"),
                 root=again, landing=again / "landing")  # fmt: skip
    assert rerun.returncode == 0, rerun.stdout[-3000:] + rerun.stderr[-3000:]
    quality = again / "output" / "quality"
    rejections = pd.read_csv(quality / "rejections.csv", dtype=str)
    assert not (rejections["rule"] == "referral_id_in_two_months").any()
    summary = pd.read_csv(quality / "load_summary.csv").set_index("file")
    columns = ["rows_read", "rows_loaded", "rows_quarantined"]
    assert tuple(summary.loc[APRIL, columns]) == (13, 6, 7)
    assert tuple(summary.loc[JUNE_2025, columns]) == (1, 1, 0)
    with duckdb.connect(str(again / "home" / "chorus.duckdb"), read_only=True) as connection:
        rows = connection.execute(
            "select _source_file, _source_row from staging.stg_early_help__referrals "
            "where referral_date = date '2024-04-16'"
        ).fetchall()
    assert rows == [(APRIL, 14)]
