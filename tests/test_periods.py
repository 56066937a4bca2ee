"""A landing folder read as a period of its source's type (dbt_project/metadata/periods.yml):
dates, EES time period and identifier, label, and one line for a folder that names none.
Every expectation is worked out by hand."""

import datetime as dt

import pytest

from indicators.declarations import DeclarationError, parse_periods
from indicators.periods import PeriodFolderError, parse_period, period_of_key

D = dt.date


@pytest.mark.parametrize(
    ("type_name", "folder", "start", "end", "time_period", "identifier", "label", "year"),
    [
        (
            "academic_year",
            "2024-25",
            D(2024, 9, 1),
            D(2025, 8, 31),
            202425,
            "Academic year",
            "2024/25",
            "2024-25",
        ),
        (
            "financial_year",
            "2024-25",
            D(2024, 4, 1),
            D(2025, 3, 31),
            202425,
            "Financial year",
            "Financial year 2024/25",
            "2024-25",
        ),
        (
            "calendar_year",
            "2024",
            D(2024, 1, 1),
            D(2024, 12, 31),
            2024,
            "Calendar year",
            "Calendar year 2024",
            "2024",
        ),
        (
            "academic_quarter",
            "2024-25-Q2",
            D(2024, 12, 1),
            D(2025, 2, 28),
            202425,
            "Academic year Q2",
            "Academic year Q2 2024/25",
            "2024-25",
        ),
        (  # a leap year: the quarter ends on 29 February
            "academic_quarter",
            "2023-24-Q2",
            D(2023, 12, 1),
            D(2024, 2, 29),
            202324,
            "Academic year Q2",
            "Academic year Q2 2023/24",
            "2023-24",
        ),
        (
            "financial_quarter",
            "2024-25-Q1",
            D(2024, 4, 1),
            D(2024, 6, 30),
            202425,
            "Financial year Q1",
            "Financial year Q1 2024/25",
            "2024-25",
        ),
        (
            "financial_quarter",
            "2024-25-Q4",
            D(2025, 1, 1),
            D(2025, 3, 31),
            202425,
            "Financial year Q4",
            "Financial year Q4 2024/25",
            "2024-25",
        ),
        (
            "calendar_quarter",
            "2024-Q1",
            D(2024, 1, 1),
            D(2024, 3, 31),
            2024,
            "Calendar year Q1",
            "Calendar year Q1 2024",
            "2024",
        ),
        (
            "month",
            "2024-02",
            D(2024, 2, 1),
            D(2024, 2, 29),
            2024,
            "February",
            "February 2024",
            "2024",
        ),
        (
            "month",
            "2023-02",
            D(2023, 2, 1),
            D(2023, 2, 28),
            2023,
            "February",
            "February 2023",
            "2023",
        ),
        ("month", "2024-04", D(2024, 4, 1), D(2024, 4, 30), 2024, "April", "April 2024", "2024"),
        (
            "month",
            "2024-12",
            D(2024, 12, 1),
            D(2024, 12, 31),
            2024,
            "December",
            "December 2024",
            "2024",
        ),
    ],
)
def test_a_folder_is_read_as_its_period(
    type_name, folder, start, end, time_period, identifier, label, year
):
    period = parse_period(folder, type_name)
    assert (period.start, period.end) == (start, end)
    assert period.time_period == time_period
    assert period.time_identifier == identifier
    assert period.label == label
    assert period.folder == folder
    assert period.year_folder == year
    assert period.type.name == type_name


def test_no_type_is_the_academic_year():
    assert parse_period("2023-24").label == "2023/24"


@pytest.mark.parametrize(
    ("type_name", "folder", "line"),
    [
        ("month", "2024-13", "the folder '2024-13' is not a month: name it YYYY-MM (e.g. 2024-01)"),
        ("month", "2024-00", "the folder '2024-00' is not a month: name it YYYY-MM (e.g. 2024-01)"),
        ("month", "2024-4", "the folder '2024-4' is not a month: name it YYYY-MM (e.g. 2024-01)"),
        (
            "academic_year",
            "2024-26",
            "the folder '2024-26' is not an academic year: name it YYYY-YY (e.g. 2024-25)",
        ),
        (
            "financial_quarter",
            "2024-25-Q5",
            "the folder '2024-25-Q5' is not a quarter of the financial year: "
            "name it YYYY-YY-QN (e.g. 2024-25-Q1)",
        ),
        (
            "calendar_quarter",
            "2024-25-Q1",
            "the folder '2024-25-Q1' is not a quarter of the calendar year: "
            "name it YYYY-QN (e.g. 2024-Q1)",
        ),
        (
            "calendar_year",
            "2024-25",
            "the folder '2024-25' is not a calendar year: name it YYYY (e.g. 2024)",
        ),
        (
            "financial_year",
            "April 2024",
            "the folder 'April 2024' is not a financial year: name it YYYY-YY (e.g. 2024-25)",
        ),
    ],
)
def test_a_wrong_folder_is_one_line_naming_it_the_form_and_an_example(type_name, folder, line):
    with pytest.raises(PeriodFolderError) as refused:
        parse_period(folder, type_name)
    assert str(refused.value).startswith(line)
    assert "\n" not in str(refused.value)


def test_periods_order_within_their_type():
    months = [parse_period(f, "month") for f in ("2024-11", "2023-12", "2024-02")]
    assert [p.folder for p in sorted(months)] == ["2023-12", "2024-02", "2024-11"]


@pytest.mark.parametrize(
    ("key", "folder", "type_name"),
    [
        ("Financial year Q3 2024/25", "2024-25-Q3", "financial_quarter"),
        ("March 2025", "2025-03", "month"),
        ("2023/24", "2023-24", "academic_year"),
    ],
)
def test_a_period_key_reads_back_as_its_period(key, folder, type_name):
    assert period_of_key(key) == parse_period(folder, type_name)


def test_a_key_that_names_no_period_reads_as_none():
    assert period_of_key("not a period") is None


def _declared(**entry):
    base = {
        "label": "month",
        "time_period": "year",
        "time_identifiers": [{"label": "January"}] * 12,
    }
    return {"period_types": {"month": {**base, **entry}}}


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        ({"starts": 13, "landing_folder": "YYYY-MM"}, "month.starts is '13'"),
        ({"starts": 4, "landing_folder": "YYYY-MM"}, "month.landing_folder is 'YYYY-MM'"),
        ({"starts": 1, "landing_folder": "YYYY-YY-MM"}, "month.landing_folder is 'YYYY-YY-MM'"),
        ({"starts": 1, "landing_folder": "YYYY-QN"}, "month.landing_folder is 'YYYY-QN'"),
        (
            {"starts": 1, "landing_folder": "YYYY-MM", "period_label": "{month}"},
            "month.period_label '{month}' may use only {year} and {identifier}",
        ),
    ],
)
def test_a_landing_form_that_cannot_be_read_is_refused_naming_the_key(entry, words):
    with pytest.raises(DeclarationError) as refused:
        parse_periods(_declared(**entry))
    assert words in str(refused.value)


def test_a_declared_landing_form_is_read():
    declared = parse_periods(_declared(starts=1, landing_folder="YYYY-MM"))["month"]
    assert (declared.starts, declared.landing_folder) == (1, "YYYY-MM")
