"""Ingest's fast paths give exactly what the plain expressions they replace give.

At national scale a year holds 620,000 children in 150 files, so ingest works on each
column's distinct values, reads plain CSVs column by column and pre-screens UPNs with numpy
(benchmarks/RESULTS.md). Each test here draws awkward inputs with hypothesis and compares
the fast path with the straightforward pandas / standard-library expression.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from unittest import mock

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.gb import upn as stdnum_upn

from indicators.ingest import cells, privacy, readers, upn
from indicators.ingest.defects import FileRejected
from indicators.voice import items as voice_items

# Text that exercises trimming, case and Unicode: ASCII codes, spaces of several kinds,
# letters whose upper case is longer (ß), control characters.
AWKWARD = st.sampled_from(list("aAbZz09 \t\n\r\x0b\x0c\x1c\u00a0\u2003ßéİı-/,:"))
CODES = st.lists(st.text(AWKWARD, max_size=6), min_size=1, max_size=30)
FEW_CODES = st.lists(
    st.sampled_from(["Y", "N", " y", "n ", "", "K", "E", "x", "Ñ"]), min_size=1, max_size=40
)


def series(values: list[str]) -> pd.Series:
    return pd.Series(values, dtype=object, name="column", index=range(10, 10 + len(values)))


@given(st.one_of(CODES, FEW_CODES))
def test_strip_upper_is_strip_then_upper(values):
    expected = series(values).str.strip().str.upper()
    pd.testing.assert_series_equal(cells.strip_upper(series(values)), expected)


@given(st.one_of(CODES, FEW_CODES), st.sampled_from([r"[YN]", r"\d{1,2}", r"[A-Z ]+"]))
def test_fullmatches_is_str_fullmatch(values, pattern):
    expected = series(values).str.fullmatch(pattern)
    pd.testing.assert_series_equal(cells.fullmatches(series(values), pattern), expected)


POSTCODE_LIKE = st.lists(
    st.one_of(
        st.from_regex(cells.POSTCODE_PATTERN, fullmatch=True),
        st.text(st.sampled_from(list("AZ09 az\t\u00a0Ñ")), max_size=9),
    ),
    min_size=1,
    max_size=30,
)


@given(POSTCODE_LIKE)
def test_postcode_rule_is_str_fullmatch(values):
    failing = cells.not_fullmatch(cells.POSTCODE_PATTERN)
    expected = ~series(values).str.fullmatch(cells.POSTCODE_PATTERN)
    pd.testing.assert_series_equal(failing(series(values)), expected, check_names=False)


@given(FEW_CODES)
def test_code_rule_is_not_isin(values):
    codes = {"Y": "yes", "N": "no"}
    expected = ~series(values).isin(set(codes))
    pd.testing.assert_series_equal(cells.not_in(codes)(series(values)), expected, check_names=False)


@given(
    st.lists(
        st.sampled_from(
            [
                "2019-03-14",
                "14/03/2019",
                "1/2/2020",
                "2020-02-30",
                "31/12/2019",
                "",
                "yesterday",
                "2019-3-4",
            ]
        ),
        min_size=1,
        max_size=30,
    )
)
def test_dates_are_parsed_once_per_value_with_the_same_result(values):
    expected = cells._parse_dates(series(values))
    pd.testing.assert_series_equal(cells.parse_dates(series(values)), expected)


@given(
    st.lists(
        st.from_regex(cells.POSTCODE_PATTERN, fullmatch=True).map(
            lambda code: code.lower() if len(code) % 2 else code.replace(" ", "")
        ),
        min_size=1,
        max_size=30,
    )
)
def test_postcode_sectors_with_and_without_cache_match_the_pandas_expression(values):
    expected = privacy._postcode_sector(series(values))
    cache: dict[str, str] = {}
    first = privacy.postcode_sector(series(values), cache)
    again = privacy.postcode_sector(series(values), cache)  # answered from the cache
    for got in (privacy.postcode_sector(series(values)), first, again):
        pd.testing.assert_series_equal(got, expected)


@settings(max_examples=50)
@given(st.binary(max_size=200), st.lists(st.text(max_size=20), min_size=1, max_size=5))
def test_keyed_sha256_is_rfc_2104_hmac(key, messages):
    keyed = privacy._keyed_sha256(key)
    for message in messages:
        data = message.encode("utf-8")
        assert keyed(data) == hmac.new(key, data, hashlib.sha256).hexdigest()


def test_pseudonyms_are_truncated_hmacs_of_the_cleaned_upn():
    key = "a key that is quite long " * 4  # longer than SHA-256's block: hashed first
    upns = series([" a123456789012 ", "A123456789012", "B999999999999"])
    cache: dict[str, str] = {}
    for got in (privacy.pseudonymise(upns, key), privacy.pseudonymise(upns, key, cache)):
        expected = [
            hmac.new(key.encode(), upn.strip().upper().encode(), hashlib.sha256).hexdigest()[
                : privacy.PSEUDONYM_LENGTH
            ]
            for upn in upns
        ]
        assert got.tolist() == expected
    assert len(cache) == 2


UPN_BODY = st.tuples(
    st.sampled_from(sorted(stdnum_upn._la_numbers) + [0, 999, 100]),
    st.text(st.sampled_from("0123456789"), min_size=8, max_size=8),
    st.sampled_from(list(stdnum_upn._alphabet) + ["I", "O", "S"]),
).map(lambda parts: f"{parts[0]:03d}{parts[1]}{parts[2]}")


@st.composite
def upns(draw) -> str:
    body = draw(UPN_BODY)
    valid = (
        stdnum_upn.calc_check_digit(body) + body
        if all(c in stdnum_upn._alphabet for c in body)
        else "A" + body
    )
    return draw(
        st.one_of(
            st.just(valid),
            st.just(valid.lower()),
            st.just(valid[:-1]),
            st.just(valid[0] + valid[2:] + valid[1]),  # a slip of the pen
            st.sampled_from(list(stdnum_upn._alphabet) + ["I", "O", "S"]).map(
                lambda letter: letter + valid[1:]
            ),
            st.text(st.sampled_from("A019 éZ?"), max_size=14),
        )
    )


@settings(max_examples=200)
@given(st.lists(upns(), min_size=1, max_size=30))
def test_upn_prescreen_agrees_with_python_stdnum(numbers):
    verdicts = upn.upn_problems(numbers)
    assert verdicts == [upn.upn_problem(number) for number in numbers]
    passed = upn.upn_prescreen(numbers)
    assert all(valid_upn(number) for number, ok in zip(numbers, passed, strict=True) if ok)


NEWER_THAN_STDNUM = {838, 839, 940, 941, 942, 943}
"""Current English LA numbers (shared/reference/local_authorities_england.csv) that
python-stdnum's list lacks: UPNs issued under them are real."""


def valid_upn(number: str) -> bool:
    """python-stdnum's verdict, widened to the authorities it does not know yet."""
    if stdnum_upn.is_valid(number):
        return True
    return (
        re.fullmatch(r"[A-Z][0-9]{11}[0-9A-Z]", number) is not None
        and int(number[1:4]) in NEWER_THAN_STDNUM
        and stdnum_upn.calc_check_digit(number[1:]) == number[0]
    )


@pytest.mark.parametrize("issuing", sorted(NEWER_THAN_STDNUM))
def test_upns_issued_by_authorities_newer_than_python_stdnum_are_valid(issuing):
    body = f"{issuing}2001230{issuing % 10}1"
    number = stdnum_upn.calc_check_digit(body) + body
    assert not stdnum_upn.is_valid(number)  # python-stdnum does not know the authority
    wrong = ("B" if number[0] != "B" else "C") + body
    assert upn.upn_problems([number, wrong]) == ["", "check"]
    assert upn.upn_problem(number) == "" and upn.upn_problem(wrong) == "check"
    assert upn.upn_prescreen([number]).all()


def test_the_prescreen_passes_the_synthetic_upns_it_exists_for():
    from indicators.reference import AcademicYear
    from indicators.synthetic.authorities import national_authorities
    from indicators.synthetic.children import simulate_year

    authorities = national_authorities(count=20, seed=1)
    cohort = simulate_year(authorities, [100] * 20, AcademicYear.parse("2023/24"), 65.0, 5)
    numbers = cohort.eyfsp["upn"].tolist()
    assert all(stdnum_upn.is_valid(number) for number in numbers)
    assert upn.upn_prescreen(numbers).all()  # python-stdnum never needed for these


CELL = st.text(st.sampled_from(list("ab1 é\t")), max_size=4)


@st.composite
def plain_csvs(draw) -> str:
    header = draw(
        st.lists(
            st.sampled_from(["upn", "sex", "Gender", "notes", "x", " dob "]),
            min_size=1,
            max_size=5,
            unique=True,
        )
    )
    rows = draw(
        st.lists(
            st.one_of(
                st.lists(CELL, min_size=len(header), max_size=len(header)),
                st.lists(st.just(""), min_size=1, max_size=len(header) + 1),  # blank rows
                st.lists(CELL, min_size=1, max_size=len(header) + 2),  # ragged rows
            ),
            max_size=8,
        )
    )
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = end.join(",".join(cells) for cells in [header, *rows])
    return text + draw(st.sampled_from(["", end]))


def _outcome(read):
    try:
        table = read()
    except FileRejected as rejected:
        return ("rejected", rejected.defect.rule, rejected.defect.message)
    return table


@settings(max_examples=300)
@given(plain_csvs())
def test_plain_csv_reader_gives_the_careful_readers_table(text):
    fast = _outcome(lambda: readers.plain_csv_table(text, "f.csv", "census"))
    careful = _outcome(
        lambda: readers.table_from_rows(readers.csv_rows(text, "f.csv"), "f.csv", "census")
    )
    if fast is None:
        return  # not plain: the careful reader reads it
    if isinstance(careful, tuple) or isinstance(fast, tuple):
        assert fast == careful
        return
    pd.testing.assert_frame_equal(fast.frame, careful.frame)
    assert (fast.headers, fast.last_column, fast.overflow) == (
        careful.headers,
        careful.last_column,
        careful.overflow,
    )


@st.composite
def ordinary_csvs(draw) -> str:
    """Returns as most systems export them: no quotes, every row as wide as the header, which
    names at least one of the return's columns (upn)."""
    header = draw(
        st.lists(st.sampled_from(["sex", "Gender", "notes", "x"]), max_size=4, unique=True)
    )
    header.insert(draw(st.integers(0, len(header))), "upn")
    rows = draw(
        st.lists(
            st.lists(CELL, min_size=len(header), max_size=len(header)).filter(
                lambda cells: cells[0].strip()
            ),
            min_size=1,
            max_size=8,
        )
    )
    end = draw(st.sampled_from(["\n", "\r\n"]))
    return end.join(",".join(cells) for cells in [header, *rows]) + end


@settings(max_examples=200)
@given(ordinary_csvs())
def test_plain_csv_reader_reads_every_ordinary_return_as_the_careful_reader(text):
    fast = readers.plain_csv_table(text, "f.csv", "census")
    careful = readers.table_from_rows(readers.csv_rows(text, "f.csv"), "f.csv", "census")
    assert fast is not None  # the fast path is taken, not skipped
    pd.testing.assert_frame_equal(fast.frame, careful.frame)
    assert (fast.headers, fast.last_column) == (careful.headers, careful.last_column)


@settings(max_examples=300)
@given(plain_csvs(), st.sets(st.sampled_from(["upn", "sex", "notes", "x", "dob"])))
def test_a_reader_given_the_wanted_columns_keeps_just_those_of_the_whole_table(text, wanted):
    """Read two rows at a time (so chunks end on blank rows, and some hold only those),
    keeping the wanted columns: the careful reader's whole table, cut to those columns."""
    whole = _outcome(
        lambda: readers.table_from_rows(readers.csv_rows(text, "f.csv"), "f.csv", "census")
    )
    with mock.patch.object(readers, "PLAIN_CHUNK", 2):
        fast = _outcome(lambda: readers.plain_csv_table(text, "f.csv", "census", wanted=wanted))
    careful = _outcome(
        lambda: readers.table_from_rows(
            readers.csv_rows(text, "f.csv"), "f.csv", "census", wanted=wanted
        )
    )
    for table in (careful, fast):
        if table is None:
            continue  # not plain: the careful reader reads it
        if isinstance(whole, tuple) or isinstance(table, tuple):
            assert table == whole
            continue
        kept = [c for c in whole.frame.columns if c in wanted or c == "_source_row"]
        pd.testing.assert_frame_equal(table.frame, whole.frame[kept])
        assert (table.headers, table.last_column) == (whole.headers, whole.last_column)


def test_plain_csv_reader_takes_an_ordinary_return():
    text = "upn,sex\nA123,M\n,\nB456,F\n"
    table = readers.plain_csv_table(text, "f.csv", "census")
    assert table is not None
    assert table.frame["_source_row"].tolist() == [2, 4]  # the blank row 3 skipped, counted


@given(
    st.lists(
        st.one_of(
            st.none(),
            st.dates(
                min_value=pd.Timestamp("2019-01-01").date(),
                max_value=pd.Timestamp("2026-12-31").date(),
            ),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_item_version_in_force_matches_masking_version_by_version(dates):
    bank = pd.DataFrame(
        {
            "item_id": ["q1", "q1", "q1", "q1", "q2"],
            "version": [3, 1, 2, 4, 1],
            "status": ["active", "retired", "active", "draft", "active"],
            "co_designed_on": [
                "2024-06-30",
                "2021-09-01",
                "2023-01-15",
                "2025-01-01",
                "2020-01-01",
            ],
        }
    )
    starts = [
        (1, pd.Timestamp("2021-09-01")),
        (2, pd.Timestamp("2023-01-15")),
        (3, pd.Timestamp("2024-06-30")),
    ]
    values = pd.to_datetime(pd.Series(dates, dtype=object))
    expected = pd.Series(pd.NA, index=values.index, dtype="Int64")
    for number, begins in starts:
        expected = expected.mask(values >= begins, number)
    assert voice_items.version_starts(bank, "q1") == starts  # drafts are never in force
    pd.testing.assert_series_equal(voice_items.versions_in_force(bank, "q1", values), expected)


# NHS numbers: ten digits, some right, some one off, some with spaces, letters, other
# scripts' digits (Python's isdigit takes them; the NHS does not), too short or too long.
NHS_CHARACTERS = st.sampled_from(list("0123456789  9\u0669\uff19x-"))
NHS_LIKE = st.one_of(
    st.text(NHS_CHARACTERS, min_size=8, max_size=13),
    st.from_regex(r"9[0-9]{9}", fullmatch=True),
    st.from_regex(r"[0-9]{3} [0-9]{3} [0-9]{4}", fullmatch=True),
)


@given(st.lists(NHS_LIKE, max_size=60))
@settings(max_examples=300, deadline=None)
def test_nhs_number_problems_in_one_pass_are_each_numbers_problem(values):
    from indicators.ingest.nhs_number import nhs_number_problem, problems

    assert problems(values) == [nhs_number_problem(value) for value in values]


@given(st.lists(st.one_of(NHS_LIKE, st.none()), min_size=1, max_size=40))
@settings(max_examples=100, deadline=None)
def test_nhs_number_rules_flag_what_the_plain_expression_flags(values):
    from indicators.ingest.nhs_number import nhs_number_problem, nhs_number_rules

    column = series(values)
    plain = column.fillna("").astype(str).map(nhs_number_problem)
    fast_format, fast_check = nhs_number_rules("column")
    assert fast_format.failing(column).tolist() == (plain == "format").tolist()
    assert fast_check.failing(column).tolist() == (plain == "check").tolist()
