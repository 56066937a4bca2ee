"""Validation: each defect names file, spreadsheet row, column, value and rule."""

from pathlib import Path

import pandas as pd
import pytest

from indicators.ingest import Reference, load_year
from indicators.landing import LandedFile, classify, discover
from indicators.reference import AcademicYear
from indicators.synthetic import HARROWDALE, generate

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


@pytest.mark.parametrize("column,value,rule", [
    ("elg05", "3", "elg_value"),
    ("sex", "X", "sex_code"),
    ("dob", "2012-01-01", "dob_in_cohort"),
    ("dob", "31/02/2019", "dob_format"),
    ("la_code", "12", "la_code_format"),
    ("la_code", "123", "la_code_unknown"),
])
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
