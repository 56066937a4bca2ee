"""Validation: each defect names file, spreadsheet row, column, value and rule."""

from pathlib import Path

import pandas as pd
import pytest

from indicators.ingest.aliases import AliasesInvalid, load_aliases, read_aliases
from indicators.ingest.defects import Defect, FileRejected
from indicators.ingest.file_rows import cell_text
from indicators.ingest.headers import canonical_header, map_headers
from indicators.ingest.landing import LandedFile, classify, discover
from indicators.ingest.lookups import Reference
from indicators.ingest.readers import read_return, read_table
from indicators.ingest.statutory import check_year, load_year
from indicators.reference import AcademicYear
from indicators.synthetic.authorities import HARROWDALE
from indicators.synthetic.generate import generate

YEAR = AcademicYear.parse("2023/24")
REFERENCE = Reference(
    sectors=frozenset(s for sectors in HARROWDALE.sectors().values() for s in sectors),
    la_codes=frozenset({"999"}),
)


@pytest.fixture
def landing(tmp_path) -> Path:
    generate(tmp_path, seed=2, children_per_year=40, years=["2023/24"])
    return tmp_path


def _edit(path: Path, row: int, column: str, value: str) -> None:
    """Set a cell, addressing rows as a spreadsheet does (header is row 1)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[row - 2, column] = value
    frame.to_csv(path, index=False)


def _load(landing: Path):
    files, problems = discover(landing)
    assert not problems
    return load_year(YEAR, files, REFERENCE, "key")


def test_clean_files_load_every_row(landing):
    load = _load(landing)
    assert not load.defects
    assert len(load.eyfsp) == len(load.census) == 40
    assert all(a.rows_read == a.rows_loaded == 40 for a in load.accounts)


@pytest.mark.parametrize(
    "column,value,rule",
    [
        ("elg05", "3", "elg_value"),
        ("sex", "X", "sex_code"),
        ("dob", "2012-01-01", "dob_in_cohort"),
        ("dob", "31/02/2019", "dob_format"),
        ("la_code", "12", "la_code_format"),
        ("la_code", "123", "la_code_unknown"),
    ],
)
def test_eyfsp_row_defect_is_quarantined_with_a_precise_message(landing, column, value, rule):
    path = landing / "eyfsp/2023-24/eyfsp_return.csv"
    _edit(path, 7, column, value)
    load = _load(landing)
    [defect] = [d for d in load.defects if d.file == "eyfsp/2023-24/eyfsp_return.csv"]
    assert (defect.row, defect.column, defect.rule) == (7, column, rule)
    assert f"row 7, column {column}" in str(defect)
    eyfsp_account = next(a for a in load.accounts if a.kind == "eyfsp")
    assert (eyfsp_account.rows_loaded, eyfsp_account.rows_quarantined) == (39, 1)
    assert len(load.eyfsp) == 39


def test_wrong_check_letter_is_caught_by_stdnum(landing):
    path = landing / "eyfsp/2023-24/eyfsp_return.csv"
    frame = pd.read_csv(path, dtype=str)
    original = frame.loc[3, "upn"]
    wrong = "A" if original[0] != "A" else "B"
    _edit(path, 5, "upn", wrong + original[1:])
    load = _load(landing)
    rules = {(d.file.split("/")[0], d.row, d.rule) for d in load.defects}
    assert ("eyfsp", 5, "upn_check_letter") in rules
    # The census row of the child whose UPN was mistyped now has no EYFSP partner.
    assert any(rule == "eyfsp_missing" for kind, _, rule in rules if kind == "census")


def test_missing_required_column_rejects_the_file(landing):
    path = landing / "census/2023-24/census_extract.csv"
    pd.read_csv(path, dtype=str).drop(columns="postcode").to_csv(path, index=False)
    load = _load(landing)
    census = next(a for a in load.accounts if a.kind == "census")
    assert census.status == "rejected" and census.rows_loaded == 0
    assert census.rows_read == census.rows_quarantined == 40
    assert "postcode" in census.message and "required column" in census.message
    assert len(load.census) == 0


def test_identifier_values_are_withheld_from_public_defects(landing):
    path = landing / "census/2023-24/census_extract.csv"
    _edit(path, 3, "postcode", "ZZ9 9ZZ")
    load = _load(landing)
    [defect] = [d for d in load.defects if d.rule == "postcode_sector_unknown"]
    assert "ZZ9 9ZZ" in defect.message
    public = defect.public()
    assert "ZZ9 9ZZ" not in public.message and public.value != "ZZ9 9ZZ"


def test_headers_are_matched_case_insensitively(landing):
    path = landing / "eyfsp/2023-24/eyfsp_return.csv"
    frame = pd.read_csv(path, dtype=str)
    frame.columns = [c.upper() for c in frame.columns]
    frame.to_csv(path, index=False)
    assert not _load(landing).defects


def test_layout_gives_kind_and_year(tmp_path):
    found = classify(tmp_path / "eyfsp" / "2023-24" / "x.csv")
    assert isinstance(found, LandedFile)
    assert (found.kind, found.year) == ("eyfsp", YEAR)
    assert not isinstance(classify(tmp_path / "eyfsp" / "2023" / "x.csv"), LandedFile)
    assert not isinstance(classify(tmp_path / "other" / "2023-24" / "x.csv"), LandedFile)


# ------------------------------------------------------------------------------------ readers


def _returns(landing: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    eyfsp = pd.read_csv(
        landing / "eyfsp/2023-24/eyfsp_return.csv", dtype=str, keep_default_na=False
    )
    census = pd.read_csv(
        landing / "census/2023-24/census_extract.csv", dtype=str, keep_default_na=False
    )
    return eyfsp, census


def _write_xlsx(
    frame: pd.DataFrame,
    path: Path,
    sheet: str = "Sheet1",
    cells: dict[tuple[int, str], object] | None = None,
) -> None:
    """A workbook with whole numbers as numbers and `cells` (spreadsheet row, column) set."""
    import openpyxl

    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    worksheet.append(list(frame.columns))
    for record in frame.itertuples(index=False):
        worksheet.append(
            [
                int(v) if v.isdigit() and c != "upn" else v
                for c, v in zip(frame.columns, record, strict=True)
            ]
        )
    for (row, column), value in (cells or {}).items():
        worksheet.cell(row=row, column=list(frame.columns).index(column) + 1, value=value)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)


def test_utf8_with_bom_and_windows_1252_read_the_same(tmp_path):
    text = "upn,surname,forename\r\nA1,Brontë,Zoë\r\nA2,Šimek,Renée\r\n"
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    (tmp_path / "win.csv").write_bytes(text.encode("cp1252"))
    bom = read_return(tmp_path / "bom.csv", "bom.csv")
    win = read_return(tmp_path / "win.csv", "win.csv")
    assert (bom.encoding, win.encoding) == ("utf-8", "windows-1252")
    assert list(bom.frame.columns) == ["upn", "surname", "forename", "_source_row"]
    assert bom.frame.equals(win.frame)
    assert list(win.frame["surname"]) == ["Brontë", "Šimek"]
    assert list(win.frame["_source_row"]) == [2, 3]


@pytest.mark.parametrize(
    "content,rule,words",
    [
        (b"", "empty_file", "empty"),
        (b"\r\n\r\n", "empty_file", "empty"),
        (b"upn,sex\r\n", "header_only", "header but no rows"),
        (b"\r\nupn,sex\r\nA,M\r\n", "header_blank", "row 1 is blank"),
        (b",,\r\nA,M\r\n", "header_blank", "row 1 is blank"),
        ("upn,sex\r\n".encode("utf-16"), "unreadable_file", "UTF-16"),
        (b"upn,sex\r\nA\x00\x01\x02,M\r\n", "unreadable_file", "not text"),
        (b"\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0e\x0f\x10", "unreadable_file", "not text"),
        (b"PK\x03\x04rest", "unreadable_file", "Excel workbook with a .csv name"),
        (b'upn,sex\r\n"A,M\r\nB,F\r\n', "unclosed_quote", "row 2"),
        (b"upn;sex\r\nA;M\r\n", "not_comma_separated", "semicolons"),
        (b"A354200122002,M\r\n", "header_missing", "rather than column names"),
    ],
)
def test_file_defects_are_rejections_not_tracebacks(tmp_path, content, rule, words):
    path = tmp_path / "eyfsp" / "2023-24" / "x.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    with pytest.raises(FileRejected) as caught:
        read_table(path, "eyfsp/2023-24/x.csv", kind="eyfsp")
    defect = caught.value.defect
    assert (defect.rule, defect.row, defect.file) == (rule, None, "eyfsp/2023-24/x.csv")
    assert words in defect.message


def test_odd_but_readable_csv(tmp_path):
    """Blank lines keep spreadsheet numbering; short rows pad; quotes and extra columns work."""
    path = tmp_path / "x.csv"
    path.write_bytes(
        b'upn,surname,sex,,\r\nA,"O\'Brien, Jr",M\r\n\r\n,,,,\r\nB,O"Neil,F,,\r\n'
        b'C,"two\nlines",M,,\r\nD\r\nE,x,M,,,,oops\r\n'
    )
    table = read_return(path, "x.csv")
    assert list(table.frame["_source_row"]) == [2, 5, 6, 7, 8]
    assert list(table.frame["surname"]) == ["O'Brien, Jr", 'O"Neil', "two\nlines", "", "x"]
    assert table.short_rows == frozenset({7})
    [overflow] = table.overflow
    assert (overflow.row, overflow.column, overflow.values) == (8, "G", ("oops",))


def test_cell_text_shows_what_a_person_sees():
    import datetime as dt

    assert cell_text(None) == ""
    assert cell_text(354.0) == "354"
    assert cell_text(354) == "354"
    assert cell_text(354200122002) == "354200122002"
    assert cell_text(2.5) == "2.5"
    assert cell_text(123, "0000") == "0123"
    assert cell_text(dt.datetime(2019, 3, 14)) == "2019-03-14"
    assert cell_text(dt.datetime(2019, 3, 14, 9, 30)) == "2019-03-14 09:30:00"
    assert cell_text(dt.date(2019, 3, 14)) == "2019-03-14"
    assert cell_text(True) == "TRUE"
    assert cell_text(" M ") == " M "


def test_xlsx_with_numbers_and_dates_loads(landing):
    import datetime as dt

    eyfsp, census = _returns(landing)
    csv_path = landing / "eyfsp/2023-24/eyfsp_return.csv"
    xlsx_path = csv_path.with_suffix(".xlsx")
    first_dob = dt.datetime.fromisoformat(eyfsp.loc[0, "dob"])
    _write_xlsx(eyfsp, xlsx_path, cells={(2, "dob"): first_dob, (3, "elg04"): 3})
    csv_path.unlink()
    frame = read_table(xlsx_path, "x.xlsx")
    assert frame.loc[0, "dob"] == eyfsp.loc[0, "dob"]
    assert frame.loc[0, "la_code"] == "999" and frame.loc[0, "elg01"] in {"1", "2", "A"}
    load = _load(landing)
    defect, partner = sorted(load.defects, key=lambda d: d.file, reverse=True)
    assert (defect.file, defect.row, defect.column, defect.rule, defect.value) == (
        "eyfsp/2023-24/eyfsp_return.xlsx",
        3,
        "elg04",
        "elg_value",
        "3",
    )
    census_row = int(census.index[census["upn"] == eyfsp.loc[1, "upn"]][0]) + 2
    assert (partner.file, partner.row, partner.rule) == (
        "census/2023-24/census_extract.csv",
        census_row,
        "eyfsp_row_quarantined",
    )
    assert "eyfsp/2023-24/eyfsp_return.xlsx, row 3 (elg_value)" in partner.message
    assert len(load.eyfsp) == len(load.census) == 39


def test_xlsx_sheet_by_name_and_corrupt_workbooks(tmp_path):
    frame = pd.DataFrame({"upn": ["A"], "sex": ["M"]})
    path = tmp_path / "x.xlsx"
    _write_xlsx(frame, path, sheet="Returns")
    assert list(read_table(path, "x.xlsx", sheet="returns")["sex"]) == ["M"]
    with pytest.raises(FileRejected) as caught:
        read_table(path, "x.xlsx", sheet="EYFSP")
    assert caught.value.defect.rule == "sheet_missing" and "'Returns'" in str(caught.value)
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(FileRejected) as caught:
        read_table(path, "x.xlsx")
    assert caught.value.defect.rule == "unreadable_file"


def test_xlsx_header_must_be_on_row_1(tmp_path):
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active["A3"], workbook.active["A4"] = "upn", "A"
    workbook.save(tmp_path / "x.xlsx")
    with pytest.raises(FileRejected) as caught:
        read_table(tmp_path / "x.xlsx", "x.xlsx")
    assert caught.value.defect.rule == "header_blank"


ALIASES = load_aliases(Path(__file__).resolve().parents[1] / "seeds" / "column_aliases.csv")


def test_the_alias_seed_is_valid_and_covers_the_elgs():
    from indicators.reference import early_learning_goals

    for goal in early_learning_goals():
        assert ALIASES["eyfsp"][canonical_header(goal.name)] == goal.column
    assert ALIASES["*"]["gender"] == "sex" and ALIASES["*"]["unique_pupil_number"] == "upn"
    assert ALIASES["census"]["free_school_meals"] == "fsm_eligible"


@pytest.mark.parametrize(
    "header,column",
    [
        ("Gender", "sex"),
        ("DATE OF BIRTH", "dob"),
        ("Word Reading", "elg09"),
        ("Listening, Attention and Understanding", "elg01"),
        ("ELG 1", "elg01"),
        ("ELG09 Word Reading", "elg09"),
        ("elg_17", "elg17"),
        ("LA number", "la_code"),
        ("Notes", "notes"),
    ],
)
def test_headers_resolve_through_aliases(header, column):
    assert map_headers([header], "eyfsp", ALIASES, "x.csv") == [column]


def test_a_numbered_elg_header_naming_another_goal_is_ambiguous():
    with pytest.raises(FileRejected) as caught:
        map_headers(["ELG 9 Writing"], "eyfsp", ALIASES, "x.csv")
    assert caught.value.defect.rule == "column_ambiguous"


def test_two_columns_giving_one_name_are_a_file_defect():
    with pytest.raises(FileRejected) as caught:
        map_headers(["UPN", "Gender", "Sex"], "eyfsp", ALIASES, "x.csv")
    defect = caught.value.defect
    assert (defect.rule, defect.column) == ("duplicate_column", "sex")
    assert "'Gender' (B)" in defect.message and "'Sex' (C)" in defect.message
    # Columns Chorus does not use may repeat: they are kept apart and ignored.
    assert map_headers(["upn", "Notes", "notes"], "census", ALIASES, "x") == [
        "upn",
        "notes",
        "notes_2",
    ]


def test_aliases_are_applied_by_load_year(landing):
    path = landing / "eyfsp/2023-24/eyfsp_return.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = frame.rename(
        columns={
            "sex": "Gender",
            "dob": "Date of Birth",
            "elg09": "Word Reading",
            "upn": "Unique Pupil Number",
        }
    )
    frame.to_csv(path, index=False)
    files, _ = discover(landing)
    without = load_year(YEAR, files, REFERENCE, "key")
    assert {d.rule for d in without.defects} >= {"required_columns"}
    with_aliases = load_year(YEAR, files, REFERENCE, "key", aliases=ALIASES)
    assert not with_aliases.defects and len(with_aliases.eyfsp) == 40


def test_the_alias_loader_rejects_conflicts(tmp_path):
    path = tmp_path / "column_aliases.csv"
    path.write_text(
        "source,alias,canonical\neyfsp,Gender,sex\neyfsp,GENDER,dob\n"
        "census,Free meals,fsm_eligible\nschool,x,upn\neyfsp,Reading,elg9\n",
        encoding="utf-8",
    )
    table, defects = read_aliases(path)
    assert sorted((d.rule, d.row) for d in defects) == [
        ("alias_canonical", 6),
        ("alias_conflict", 2),
        ("alias_conflict", 3),
        ("alias_source", 5),
    ]
    assert table == {"census": {"free_meals": "fsm_eligible"}}
    with pytest.raises(AliasesInvalid):
        load_aliases(path)
    assert load_aliases(tmp_path / "absent.csv") == {}


def test_more_values_than_headers_quarantine_the_row_and_withhold_its_values(landing):
    path = landing / "census/2023-24/census_extract.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] += ",Smith"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    load = _load(landing)
    [defect] = [d for d in load.defects if d.file.startswith("census")]
    assert (defect.row, defect.column, defect.rule) == (4, "G", "row_too_long")
    assert "Smith" in defect.message and "Smith" not in str(defect.public())
    census = next(a for a in load.accounts if a.kind == "census")
    assert (census.rows_read, census.rows_loaded, census.rows_quarantined) == (40, 39, 1)


def test_public_defects_do_not_mangle_short_values():
    defect = Defect("f", 2, "upn", "A", "upn_format", "upn is 'A': a UPN is 13 characters")
    assert defect.public().message == "upn is (withheld: identifier): a UPN is 13 characters"


def test_a_rejected_census_holds_back_every_eyfsp_child_and_says_why(landing):
    (landing / "census/2023-24/census_extract.csv").write_bytes(b"")
    load = _load(landing)
    rules = [d.rule for d in load.defects]
    assert rules == ["empty_file"] + ["census_missing"] * 40
    rows = sorted(d.row for d in load.defects if d.rule == "census_missing")
    assert rows == list(range(2, 42))
    assert all(
        "census/2023-24/census_extract.csv was rejected" in d.message for d in load.defects[1:]
    )
    assert len(load.eyfsp) == len(load.census) == 0


def test_a_year_without_a_census_holds_back_its_children_and_says_what_to_land(landing):
    (landing / "census/2023-24/census_extract.csv").unlink()
    load = _load(landing)
    assert {d.rule for d in load.defects} == {"census_missing"} and len(load.defects) == 40
    assert "no 2023/24 census extract is landed" in load.defects[0].message
    assert "census/2023-24/" in load.defects[0].message


@pytest.mark.parametrize(
    "kind,row,column,value,rule,partner_rule",
    [
        ("census", 5, "fsm_eligible", "MAYBE", "fsm_code", "census_row_quarantined"),
        ("census", 9, "postcode", "OL11 3AB", "postcode_sector_unknown", "census_row_quarantined"),
        ("eyfsp", 4, "sex", "X", "sex_code", "eyfsp_row_quarantined"),
        ("eyfsp", 6, "la_code", "123", "la_code_unknown", "eyfsp_row_quarantined"),
    ],
)
def test_a_child_quarantined_in_one_return_is_held_back_from_the_other(
    landing, kind, row, column, value, rule, partner_rule
):
    eyfsp, census = _returns(landing)
    path = landing / (
        "census/2023-24/census_extract.csv"
        if kind == "census"
        else "eyfsp/2023-24/eyfsp_return.csv"
    )
    upn = (census if kind == "census" else eyfsp).loc[row - 2, "upn"]
    other = eyfsp if kind == "census" else census
    other_row = int(other.index[other["upn"] == upn][0]) + 2
    _edit(path, row, column, value)
    load = _load(landing)
    defect, partner = sorted(load.defects, key=lambda d: d.file.startswith(kind), reverse=True)
    assert (defect.row, defect.column, defect.rule) == (row, column, rule)
    other_file = (
        "eyfsp/2023-24/eyfsp_return.csv"
        if kind == "census"
        else "census/2023-24/census_extract.csv"
    )
    assert (partner.file, partner.row, partner.column, partner.rule) == (
        other_file,
        other_row,
        "upn",
        partner_rule,
    )
    assert f"{defect.file}, row {row} ({rule})" in partner.message
    assert upn not in str(partner.public())
    assert len(load.eyfsp) == len(load.census) == 39
    assert all(a.rows_loaded == 39 and a.rows_quarantined == 1 for a in load.accounts)


@pytest.mark.parametrize(
    "data,column,shown",
    [
        (b"\x00", "sex", "\\x00"),
        (b"\x07", "elg03", "\\x07"),
        (b"\x81", "la_code", "\\x81"),  # a byte Windows-1252 does not define
        (b"\x00", "surname", "\\x00"),  # dropped at ingest, read all the same
    ],
)
def test_a_control_character_quarantines_its_row_named_by_row_and_column(
    landing, data, column, shown
):
    path = landing / "eyfsp/2023-24/eyfsp_return.csv"
    lines = path.read_bytes().split(b"\n")
    header = lines[0].decode().split(",")
    cells = lines[6].split(b",")  # spreadsheet row 7
    position = header.index(column)
    cells[position] = cells[position][:1] + data + cells[position][1:]
    lines[6] = b",".join(cells)
    path.write_bytes(b"\n".join(lines))
    load = _load(landing)
    [defect] = [d for d in load.defects if d.file == "eyfsp/2023-24/eyfsp_return.csv"]
    assert (defect.row, defect.column, defect.rule) == (7, column, "control_character")
    assert shown in defect.message and "\x00" not in str(defect) and "\x81" not in str(defect)
    assert f"row 7, column {column}" in str(defect)
    eyfsp_account = next(a for a in load.accounts if a.kind == "eyfsp")
    assert (eyfsp_account.status, eyfsp_account.rows_loaded) == ("loaded", 39)
    assert len(load.eyfsp) == 39


def test_check_year_can_skip_the_cross_kind_match(landing):
    files, _ = discover(landing)
    eyfsp_only = [f for f in files if f.kind == "eyfsp"]
    assert {d.rule for d in _load_files(eyfsp_only).defects} == {"census_missing"}
    checked = check_year(YEAR, eyfsp_only, REFERENCE, cross_kind=False)
    assert not checked.defects and checked.notes


def _load_files(files):
    return load_year(YEAR, files, REFERENCE, "key")


def test_a_line_break_inside_a_quoted_value_is_read_and_a_code_spanning_lines_is_named(landing):
    path = landing / "census/2023-24/census_extract.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    # A stray quote on row 4 closed on row 6 joins rows 4 to 6 into one record (as in Excel).
    lines[3] = lines[3].replace(",XH", ',"XH', 1)
    lines[5] = lines[5].replace(",XH", ',"XH', 1) + '"'
    path.write_text("\n".join(lines), encoding="utf-8")
    load = _load(landing)
    census = [d for d in load.defects if d.file.startswith("census")]
    assert [(d.row, d.column, d.rule) for d in census] == [(4, "postcode", "value_spans_lines")]
    assert "\\n" in census[0].message and "stray quote" in census[0].message
    account = next(a for a in load.accounts if a.kind == "census")
    assert (account.rows_read, account.rows_loaded, account.rows_quarantined) == (38, 37, 1)
    # The three children of the joined rows are held back from the EYFSP return too.
    assert len(load.eyfsp) == len(load.census) == 37
    # A line break in a name, which is read and dropped, is no defect.
    eyfsp = landing / "eyfsp/2023-24/eyfsp_return.csv"
    frame = pd.read_csv(eyfsp, dtype=str, keep_default_na=False)
    frame.loc[0, "surname"] = "two\nlines"
    frame.to_csv(eyfsp, index=False)
    assert len(_load(landing).eyfsp) == 37
