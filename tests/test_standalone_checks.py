"""A period's files of one standalone kind are checked at once (indicators/ingest/
standalone_checks.py, issue 19): what an LA relies on is that a file's defects and rows are
its own, whatever other files landed beside it. So files each with defects of their own (a
bad code, a date outside its month, a row rule broken, a cell that breaks its column's rule
on the row a row rule reads, rows too long and too short beside another defect, NHS numbers
written with spaces, free text) and laid out differently (an extra column, columns in
another order, another month, two files of one name) are checked together and held, frame
for frame and defect for defect in order (message, value, sensitive flag), to checking each
file alone as ingest did before, written out here step by step (`_alone`); and the
referrals' defects are listed by hand."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from indicators.ingest.cells import normalise_codes
from indicators.ingest.defects import FileRejected, apply_rules
from indicators.ingest.landing import FileAccount, classify, discover, file_hash
from indicators.ingest.row_checks import row_rule_defects
from indicators.ingest.spec_rules import in_canonical_form, read_as_code_lists, spec_rules
from indicators.ingest.standalone_checks import check_files
from indicators.ingest.statutory import overflow_defects, ragged, read_checked
from indicators.sources.load import load_sources
from tests.early_help_files import HEAD, write_landing
from tests.test_early_communication_sources import REVIEW_ROWS, SCREENING_ROWS

KIND = "early_help_referrals"
REORDERED = (
    "child_id,referral_id,referral_date,team_code,referral_source,need_level,"
    "hub_meeting_date,outcome,closure_date"
)

FILES = {
    f"{KIND}/2024-04/north.csv": [
        HEAD,
        "EHREF-0001,PERSON-7001,2024-04-02,EH-N1,school,2,2024-04-10,early_help,2024-05-31",
        "EHREF-0002,PERSON-7002,2024-04-05,EH-N1,martians,2,,,",  # 3: referral_source
        "EHREF-0003,PERSON-7003,2024-04-10,EH-N1,school,2,2024-04-09,,",  # 4: hub before
        "EHREF-0004,PERSON-7004,2024-05-01,EH-N1,school,2,,,",  # 5: May in April
    ],
    f"{KIND}/2024-04/south.csv": [  # an extra column, and a row too long
        HEAD + ",notes_for_us",
        "EHREF-0101,PERSON-7101,2024-04-03,EH-S1,health,1,,,,fine",
        "EHREF-0102,PERSON-7102,2024-04-04,EH-S1,health,7,,,,x",  # 3: need level 7
        "EHREF-0103,PERSON-7103,2024-04-05,EH-S1,health,1,,,,y,spill",  # 4: too long
    ],
    f"{KIND}/2024-04/reordered.csv": [  # the same columns, in another order
        REORDERED,
        "PERSON-7201,EHREF-0201,2024-04-06,EH-N1,school,2,2024-04-20,closed,",  # 2: outcome
        "PERSON-7202,EHREF-0202,2024-04-12,EH-N1,school,2,2024-04-1x,,",  # 3: bad date
        "PERSON-7203,EHREF-0203,2024-04-12,EH-N1,school,2,,,2024-04-11",  # 4: closed before
    ],
    f"{KIND}/2024-05/may.csv": [  # another month: its own date window
        HEAD,
        "EHREF-0301,PERSON-7301,2024-05-02,EH-S1,school,2,2024-05-03,,",
        "EHREF-0302,PERSON-7302,2024-04-30,EH-S1,school,2,,,",  # 3: April in May
    ],
}

EXPECTED = {  # file -> (row, column, rule), by hand from the rows above
    "north.csv": {
        (3, "referral_source", "referral_source_code"),
        (4, "hub_meeting_date", "hub_meeting_before_referral"),
        (5, "referral_date", "referral_date_in_month"),
    },
    "south.csv": {(3, "need_level", "need_level_range")},
    "reordered.csv": {
        (2, "outcome", "outcome_code"),
        (3, "hub_meeting_date", "hub_meeting_date_format"),
        (4, "closure_date", "closure_before_referral"),
    },
    "may.csv": {(3, "referral_date", "referral_date_in_month")},
}


@pytest.fixture(scope="module")
def read(tmp_path_factory):
    landing = write_landing(tmp_path_factory.mktemp("checks"), FILES)
    files = [landed for landed in discover(landing)[0] if landed.kind == KIND]
    read = []
    for landed in files:
        account = FileAccount(landed.display, KIND, landed.loaded_as.label, file_hash(landed.path))
        read.append((landed, read_checked(landed, account, None, None)))
    assert len(read) == len(FILES)
    return read


def _named(read, checked):
    return {landed.path.name: result for (landed, _), result in zip(read, checked, strict=True)}


def test_each_file_gets_its_own_defects_checked_with_the_others(read):
    spec = load_sources()[KIND]
    together = _named(read, check_files(spec, read))
    found = {
        name: {(d.row, d.column, d.rule) for d in defects if d.rule != "row_too_long"}
        for name, (_, defects) in together.items()
    }
    assert found == EXPECTED
    too_long = [d for d in together["south.csv"][1] if d.rule == "row_too_long"]
    assert [d.row for d in too_long] == [4]
    assert all(d.file.endswith(name) for name, (_, ds) in together.items() for d in ds)


def _alone(spec, landed, table):
    """A file checked alone, as ingest checked each file before (validate_file, then the row
    rules): codes trimmed and upper-cased but free text, code lists and canonical forms,
    each cell's rules quoting the value as written, rows too long, values on ragged rows
    marked sensitive, then the row rules over the cells not already broken."""
    free = spec.free_text_columns
    frame = normalise_codes(table.frame, [n for n in spec.read_columns if n not in free])
    frame = in_canonical_form(read_as_code_lists(frame, spec), spec)
    start = landed.period.start if landed.period is not None else None
    rules = spec_rules(spec, landed.loaded_as.label, start)
    defects = apply_rules(frame, rules, landed.display, as_written=table.frame)
    defects = ragged(defects + overflow_defects(table, landed.display), table)
    return frame, defects + row_rule_defects(spec, frame, landed.display, defects)


def _read(landing: Path, kind: str):
    read = []
    for landed in (f for f in discover(landing)[0] if f.kind == kind):
        account = FileAccount(landed.display, kind, landed.loaded_as.label, file_hash(landed.path))
        read.append((landed, read_checked(landed, account, None, None)))
    return read


def _held_to_alone(kind: str, read) -> int:
    spec = load_sources()[kind]
    together = check_files(spec, read)
    assert len(together) == len(read)
    for (landed, table), (frame, defects) in zip(read, together, strict=True):
        want_frame, want_defects = _alone(spec, landed, table)
        pd.testing.assert_frame_equal(frame, want_frame, check_exact=True)
        assert defects == want_defects, landed.display
    return sum(len(defects) for _, defects in together)


def test_files_checked_together_give_what_each_alone_gives(read):
    assert _held_to_alone(KIND, read) == sum(len(found) for found in EXPECTED.values()) + 1


SPLIT = {  # the hostile rows of tests/test_early_communication_sources.py, in three files
    "health_visitor_reviews": REVIEW_ROWS,
    "wellcomm_screenings": SCREENING_ROWS,
}


@pytest.mark.parametrize("kind", sorted(SPLIT))
def test_hostile_early_communication_files_together_give_what_each_alone_gives(tmp_path, kind):
    head, *rows = SPLIT[kind]
    names = head.split(",")
    moved = ",".join([names[-1], *names[:-1]])  # the last column first
    third = len(rows) // 3
    files = {
        f"{kind}/2023-24/a.csv": [head, *rows[:third], rows[0] + ",spills over"],  # too long
        f"{kind}/2023-24/b.csv": [  # an extra column, and a short row with a bad code
            head + ",our_notes",
            *[row + ",kept here" for row in rows[third : 2 * third]],
            rows[third].rsplit(",", 3)[0].replace("EY00", "ZZ00").replace("no_concern", "nope"),
        ],
        f"{kind}/2023-24/c.csv": [  # columns in another order
            moved,
            *[
                ",".join([row.rsplit(",", 1)[1], row.rsplit(",", 1)[0]])
                for row in rows[2 * third :]
            ],
        ],
    }
    read = _read(write_landing(tmp_path, files), kind)
    assert len(read) == 3
    found = _held_to_alone(kind, read)
    assert found >= len(rows) // 2  # the hostile rows' defects were found


TWINS = {  # two month folders read as one month, each with a file of one name
    f"{KIND}/2024-04/same.csv": [HEAD, *FILES[f"{KIND}/2024-04/north.csv"][1:]],
    f"{KIND}/2024-04 /same.csv": [
        HEAD,
        "EHREF-0101,PERSON-7101,2024-04-03,EH-S1,health,1,,,",
        "EHREF-0102,PERSON-7102,2024-04-04,EH-S1,health,7,,,",  # 3: need level 7
    ],
}


def test_a_second_file_of_one_name_in_a_folder_of_the_same_month_is_not_loaded(tmp_path):
    """Its rows and defects would be named as the first's: it is a layout problem, named
    with what to do, and the first loads."""
    landing = write_landing(tmp_path, TWINS)
    files, problems = discover(landing)
    assert [f.path.parent.name for f in files if f.kind == KIND] == ["2024-04"]
    (problem,) = [p for p in problems if p.kind == KIND]
    assert problem.file == f"{KIND}/2024-04 /same.csv"
    assert problem.rule == "same_file_twice"
    assert problem.message.startswith(
        "its folder '2024-04 ' is read as April 2024, as the folder '2024-04' is, which holds "
        "a file of the same name: not loaded; move the file into the folder '2024-04'"
    )


def test_the_file_kept_is_the_one_in_the_folder_named_as_its_period(tmp_path):
    """With ' 2024-04' (sorted first) beside '2024-04', the file in '2024-04' is loaded."""
    twins = {f"{KIND}/ 2024-04/same.csv" if " " in k else k: rows for k, rows in TWINS.items()}
    files, problems = discover(write_landing(tmp_path, twins))
    assert [f.path.parent.name for f in files if f.kind == KIND] == ["2024-04"]
    assert [p.file for p in problems if p.kind == KIND] == [f"{KIND}/ 2024-04/same.csv"]


def test_chorus_validate_given_both_files_checks_one_and_names_the_other(tmp_path):
    """`chorus validate` on the two files themselves: the second is named, not checked as
    the first (whose defects it would otherwise be charged with)."""
    from indicators.ingest.validate import validate_paths

    landing = write_landing(tmp_path, TWINS)
    report = validate_paths([landing / path for path in TWINS], landing / "seeds")
    twice = [d for d in report.defects if d.rule == "same_file_twice"]
    assert [d.file for d in twice] == [str(landing / f"{KIND}/2024-04 /same.csv")]
    checked = [d for d in report.defects if d.file.startswith(KIND) and d not in twice]
    assert {d.file for d in checked} == {f"{KIND}/2024-04/same.csv"}
    assert {(d.row, d.column, d.rule) for d in checked} == EXPECTED["north.csv"]


def test_two_files_of_one_name_give_what_each_alone_gives(tmp_path):
    """Given two files of one name all the same (a caller other than discover), each is
    checked as its own file."""
    landing = write_landing(tmp_path, TWINS)
    read = []
    for relative in TWINS:
        landed = classify(landing / relative)
        account = FileAccount(landed.display, KIND, landed.loaded_as.label, file_hash(landed.path))
        read.append((landed, read_checked(landed, account, None, None)))
    assert len({landed.display for landed, _ in read}) == 1 < len(read) == 2
    assert _held_to_alone(KIND, read) == 4


def test_each_frame_keeps_its_own_columns_and_rows(read):
    spec = load_sources()[KIND]
    together = _named(read, check_files(spec, read))
    for landed, table in read:
        frame = together[landed.path.name][0]
        assert list(frame.columns) == list(table.frame.columns)
        assert frame.index.equals(table.frame.index)
        assert frame["_source_row"].tolist() == table.frame["_source_row"].tolist()
    # a column the source does not declare is read for its header only, kept in no frame
    headers = {landed.path.name: table.headers for landed, table in read}
    assert "notes_for_us" in headers["south.csv"]
    assert not any("notes_for_us" in frame.columns for frame, _ in together.values())
    assert together["reordered.csv"][0].columns[0] == "child_id"
    # codes as their lists read them, in the right file's rows
    assert together["north.csv"][0]["referral_source"].tolist()[:2] == ["school", "martians"]


def test_the_order_given_is_the_order_returned(read):
    spec = load_sources()[KIND]
    backwards = list(reversed(read))
    names = [landed.path.name for landed, _ in backwards]
    checked = check_files(spec, backwards)
    for name, (frame, defects) in zip(names, checked, strict=True):
        assert {d.file.rsplit("/", 1)[1] for d in defects} <= {name}
        assert len(frame) == len(FILES[next(p for p in FILES if p.endswith(name))]) - 1


def test_rows_broken_in_one_file_do_not_hide_rows_in_another(tmp_path: Path):
    """A cell broken on row 3 of one file is NULL for the row rules on that file's row 3
    only: the other file's row 3 is still checked."""
    files = {
        f"{KIND}/2024-04/a.csv": [
            HEAD,
            "EHREF-0401,PERSON-7401,2024-04-02,EH-N1,school,2,,,",
            "EHREF-0402,PERSON-7402,2024-04-1x,EH-N1,school,2,2024-04-09,,",  # 3: bad date
        ],
        f"{KIND}/2024-04/b.csv": [
            HEAD,
            "EHREF-0501,PERSON-7501,2024-04-02,EH-N1,school,2,,,",
            "EHREF-0502,PERSON-7502,2024-04-10,EH-N1,school,2,2024-04-09,,",  # 3: hub before
        ],
    }
    landing = write_landing(tmp_path, files)
    read = []
    for landed in (f for f in discover(landing)[0] if f.kind == KIND):
        account = FileAccount(landed.display, KIND, landed.loaded_as.label, file_hash(landed.path))
        read.append((landed, read_checked(landed, account, None, None)))
    found = {
        name: {(d.row, d.rule) for d in defects}
        for name, (_, defects) in _named(read, check_files(load_sources()[KIND], read)).items()
    }
    assert found == {
        "a.csv": {(3, "referral_date_format")},
        "b.csv": {(3, "hub_meeting_before_referral")},
    }


def test_a_check_one_file_cannot_take_leaves_the_other_files_checked(tmp_path: Path):
    """A row rule DuckDB cannot run on one file's value (here a cast) is not checked on that
    file, said in one line, and still checked on the others, as if each were alone."""
    from dataclasses import replace

    from indicators.sources.row_rules import RowCheck

    spec = load_sources()[KIND]
    cast = RowCheck(
        "team_number",
        ("team_code", "need_level"),
        "CAST(replace(team_code, 'EH-N', '') AS INTEGER) <= need_level",
        "the team's number is above the need level",
    )
    spec = replace(spec, row_rules=(cast,))
    files = {
        f"{KIND}/2024-04/a.csv": [
            HEAD,
            "EHREF-0601,PERSON-7601,2024-04-02,EH-N1,school,2,,,",
            "EHREF-0602,PERSON-7602,2024-04-03,EH-N3,school,2,,,",  # 3: 3 > 2
        ],
        f"{KIND}/2024-04/b.csv": [
            HEAD,
            "EHREF-0701,PERSON-7701,2024-04-02,EH-S1,school,2,,,",  # 'EH-S1' is no number
        ],
    }
    landing = write_landing(tmp_path, files)
    read = []
    for landed in (f for f in discover(landing)[0] if f.kind == KIND):
        account = FileAccount(landed.display, KIND, landed.loaded_as.label, file_hash(landed.path))
        read.append((landed, read_checked(landed, account, None, None)))
    together = _named(read, check_files(spec, read))
    assert {(d.row, d.rule) for d in together["a.csv"][1]} == {(3, "team_number")}
    assert {(d.row, d.rule) for d in together["b.csv"][1]} == {(None, "row_rule_not_checked")}
    for one in read:
        assert together[one[0].path.name][1] == check_files(spec, [one])[0][1]


def _land(tmp_path: Path, kind: str, folder: str, files: dict[str, str]) -> dict:
    """Land `files` (name -> text) under <kind>/<folder>/: each file's LandedFile by name."""
    (tmp_path / kind / folder).mkdir(parents=True)
    for name, text in files.items():
        (tmp_path / kind / folder / name).write_text(text)
    return {f.path.name: f for f in discover(tmp_path)[0]}


def _read_one(landed, kind: str = "", period: str = "") -> tuple[object, FileAccount]:
    account = FileAccount(landed.path.name, kind, period, "")
    return read_checked(landed, account, None, None), account


def test_a_files_other_columns_are_not_kept_but_are_named_when_one_is_missing(tmp_path):
    """A postcode lookup as ONS publishes it has dozens of columns, of which the source reads
    two: only those two are kept from the file (with the row), yet a file lacking one of
    them is told every column it has."""
    landed = _land(
        tmp_path,
        "postcode_lsoa",
        "2024-25",
        {  # oa21cd looks like a postcode (OA2 1CD): a header
            "nspl.csv": "pcd7,pcds,lad25cd,oa21cd,lsoa21cd\n"
            "OL111AA,OL11 1AA,E08000005,E00000001,E01005123\n",
            "short.csv": "pcd7,pcds,lad25cd\nOL111AA,OL11 1AA,E08000005\n",
        },
    )
    table, account = _read_one(landed["nspl.csv"], "postcode_lsoa", "2024/25")
    assert list(table.frame.columns) == ["pcds", "lsoa21cd", "_source_row"]
    assert table.frame.iloc[0].tolist() == ["OL11 1AA", "E01005123", 2]
    assert account.rows_read == 1
    with pytest.raises(FileRejected) as rejected:
        _read_one(landed["short.csv"])
    assert "missing: lsoa21cd (found: pcd7, pcds, lad25cd)" in rejected.value.defect.message


def test_a_childs_details_in_row_1_are_no_header_even_holding_a_column_name(tmp_path):
    """A health visitor review file without its header, whose first child's parent has a
    concern: `concern` is a code of parent_concern and also an alias of it, yet the row is a
    child's details (an NHS number, dates), so the file is rejected as having no header, and
    nothing of the child is repeated in the message; its two rows are both counted."""
    landed = _land(
        tmp_path,
        "health_visitor_reviews",
        "2023-24",
        {
            "reviews.csv": "9991001042,2021-06-30,2024-02-10,31,35,concern,"
            "He only says mummy and no,Y,XH7 1\n"
            "9991001018,2021-01-15,2023-04-20,27,45,no_concern,,,XH1 1\n"
        },
    )
    account = FileAccount("reviews.csv", "health_visitor_reviews", "2023/24", "")
    with pytest.raises(FileRejected) as rejected:
        read_checked(landed["reviews.csv"], account, None, None)
    defect = rejected.value.defect
    assert defect.rule == "header_missing"
    assert not any(
        part in defect.message for part in ("9991001042", "2021", "mummy", "XH7", "concern")
    )
    assert (account.rows_read, account.rows_quarantined) == (2, 2)


def test_a_lookup_rejected_for_its_columns_counts_its_rows_below_its_header(tmp_path):
    """A postcode lookup whose header names its columns twice is rejected; its header (with
    oa21cd, which reads as a postcode) is a header, so only the two rows below it count."""
    landed = _land(
        tmp_path,
        "postcode_lsoa",
        "2024-25",
        {
            "twice.csv": "pcds,oa21cd,lsoa21cd,LSOA21CD\n"
            "OL11 1AA,E00000001,E01005123,E01005123\n"
            "OL11 1AB,E00000001,E01005123,E01005123\n"
        },
    )
    account = FileAccount("twice.csv", "postcode_lsoa", "2024/25", "")
    with pytest.raises(FileRejected) as rejected:
        read_checked(landed["twice.csv"], account, None, None)
    assert rejected.value.defect.rule == "duplicate_column"
    assert (account.rows_read, account.rows_quarantined) == (2, 2)


def test_a_header_naming_its_goals_by_number_is_a_header_whatever_else_it_holds(tmp_path):
    """An EYFSP return naming its goals `ELG 1` to `ELG 17`, as schools' systems export them,
    with an output area column (oa21cd reads as the postcode OA2 1CD): row 1 names every
    column the return requires once its numbered headers are read, so it is the header."""
    goals = ",".join(f"ELG {n}" for n in range(1, 18))
    landed = _land(
        tmp_path,
        "eyfsp",
        "2023-24",
        {
            "eyfsp.csv": f"LA_code,Estab,UPN,Surname,Forename,DOB,Sex,oa21cd,{goals}\n"
            "201,2001,A123456789012,Smith,Ann,2018-10-01,F,E00000001," + ",".join(["2"] * 17) + "\n"
        },
    )
    table, account = _read_one(landed["eyfsp.csv"], "eyfsp", "2023/24")
    assert account.rows_read == 1
    assert {"upn", "elg01", "elg17"} <= set(table.frame.columns)
    assert table.frame["elg09"].tolist() == ["2"]


def test_a_row_1_naming_none_of_the_columns_is_never_repeated(tmp_path):
    """A Voice Note file without its header, whose first note has no date (so nothing in
    row 1 looks like a child's details): that row names none of the return's columns, so it
    is no header. The file is rejected without a word of the child's in the message (it is
    published on the quality page), and both its rows are counted."""
    landed = _land(
        tmp_path,
        "voice_notes",
        "2024-10",
        {
            "notes.csv": "EHR104018,,child,call,EH-N3,I get worried about my mum,Y\n"
            "EHR104019,2024-10-02,parent,call,EH-N3,We need help with housing,Y\n"
        },
    )
    account = FileAccount("notes.csv", "voice_notes", "2024/25", "")
    with pytest.raises(FileRejected) as rejected:
        read_checked(landed["notes.csv"], account, None, None)
    defect = rejected.value.defect
    assert defect.rule == "header_missing"
    text = f"{defect.message} {defect.value} {defect.column}".lower()
    assert not any(part in text for part in ("ehr104018", "worried", "mum", "eh_n3", "eh-n3"))
    assert (account.rows_read, account.rows_quarantined) == (2, 2)


def test_a_header_of_other_names_is_told_how_to_map_them(tmp_path):
    """A return whose header names its columns otherwise (an LA's own system's names, no
    alias yet) is rejected, telling the engineer to map them in seeds/column_aliases.csv.
    Whether such a row 1 is a header cannot be told, so it is counted as a row too."""
    landed = _land(
        tmp_path,
        "voice_notes",
        "2024-10",
        {"notes.csv": "Ref,When,Person,Channel,Unit,Text,Consent\n1,2,3,4,5,6,7\n"},
    )
    account = FileAccount("notes.csv", "voice_notes", "2024/25", "")
    with pytest.raises(FileRejected) as rejected:
        read_checked(landed["notes.csv"], account, None, None)
    assert rejected.value.defect.rule == "header_missing"
    assert "seeds/column_aliases.csv" in rejected.value.defect.message
    assert (account.rows_read, account.rows_quarantined) == (2, 2)


def test_a_survey_header_through_its_own_aliases_is_a_header_whatever_else_it_holds(tmp_path):
    """A survey exported by a form tool names its columns its own way (`ID`, `Timestamp`:
    the survey spec's aliases) and carries an output area (oa21cd reads as a postcode): row
    1 names every column the survey requires once those aliases are read, so it is the
    header, and the response below it is read."""
    from indicators.ingest.readers import read_table
    from indicators.ingest.survey_columns import shape

    header = (
        "ID,Timestamp,engagement_channel,uses_funded_early_education,"
        "english_additional_language,known_to_family_hub,consent_aggregate,consent_quote,"
        "consent_link,oa21cd,read_together"
    )
    path = tmp_path / "responses.csv"
    path.write_text(f"{header}\nV1,08/09/2022,outreach_visit,Y,N,Y,Y,N,N,E00000001,4\n")
    frame = read_table(path, "voice/2022-23/responses.csv", kind=shape().kind)
    assert len(frame) == 1
    assert frame["id"].tolist() == ["V1"] and frame["read_together"].tolist() == ["4"]
