"""The NHS number check (modulus 11), declared as `format: {named: nhs_number}`, on numbers
whose check digits are worked out by hand below; the canonical form (spaces removed), and
the spec machinery's second key (`also_keys:`) and sector placement, each as a user relies
on them."""

from __future__ import annotations

import pandas as pd
import pytest

from indicators.ingest.nhs_number import check_digit, nhs_number_problem
from indicators.ingest.spec_rules import in_canonical_form, spec_rules
from indicators.ingest.standalone import duplicate_keys, sectors_unlisted
from indicators.sources.load import load_sources

# Worked by hand (weights 10, 9, ..., 2 on the first nine digits; 11 - sum mod 11; 11 -> 0):
# 943 476 591: 9*10 + 4*9 + 3*8 + 4*7 + 7*6 + 6*5 + 5*4 + 9*3 + 1*2 = 299; 299 mod 11 = 2;
#   11 - 2 = 9, so 943 476 5919 is valid (the NHS's own example number).
# 999 000 001: 90 + 81 + 72 + 0 + 0 + 0 + 0 + 0 + 2 = 245; 245 mod 11 = 3; 11 - 3 = 8.
# 999 000 005: 243 + 10 = 253 = 11 * 23, remainder 0; 11 - 0 = 11 -> check digit 0.
# 999 123 456: 90 + 81 + 72 + 7 + 12 + 15 + 16 + 15 + 12 = 320; 320 mod 11 = 1; 11 - 1 = 10:
#   no valid NHS number starts 999 123 456.
VALID = ["9434765919", "943 476 5919", "9990000018", "999 000 0018", "9990000050"]
BAD_CHECK = ["9434765918", "9990000017", "9990000051", "9991234560", "9991234567"]
BAD_FORMAT = ["999000001", "99900000180", "999-000-0018", "999000001X", "", "N/A"]


@pytest.mark.parametrize("number", VALID)
def test_valid_numbers_pass(number):
    assert nhs_number_problem(number) == ""


@pytest.mark.parametrize("number", BAD_CHECK)
def test_a_wrong_check_digit_fails_the_check(number):
    assert nhs_number_problem(number) == "check"


@pytest.mark.parametrize("number", BAD_FORMAT)
def test_not_ten_digits_fails_the_format(number):
    assert nhs_number_problem(number) == "format"


def test_check_digits_worked_by_hand():
    assert check_digit("943476591") == 9
    assert check_digit("999000001") == 8
    assert check_digit("999000005") == 0  # 11 -> 0
    assert check_digit("999123456") is None  # 10: no valid number


def _rule_failures(kind: str, column: str, values: list[str]) -> dict[str, list[bool]]:
    spec = load_sources()[kind]
    frame = in_canonical_form(pd.DataFrame({column: values}), spec)
    return {
        rule.rule: rule.failing(frame[column]).tolist()
        for rule in spec_rules(spec, "2024/25")
        if rule.column == column and rule.rule.startswith("nhs_number")
    }


def test_declared_rules_name_format_then_check():
    found = _rule_failures(
        "health_visitor_reviews", "nhs_number", ["943 476 5919", "9434765918", "12345"]
    )
    assert found == {
        "nhs_number_format": [False, False, True],
        "nhs_number_check": [False, True, False],
    }


def test_spaces_do_not_make_another_child():
    spec = load_sources()["health_visitor_reviews"]
    frame = in_canonical_form(
        pd.DataFrame(
            {"nhs_number": ["943 476 5919", "9434765919"], "postcode_sector": ["xh3  2", "XH32AB"]}
        ),
        spec,
    )
    assert frame["nhs_number"].tolist() == ["9434765919", "9434765919"]
    assert frame["postcode_sector"].tolist() == ["XH3 2", "XH3 2"]


def test_a_linkage_key_is_unique_both_ways():
    spec = load_sources()["health_education_linkage"]
    frame = pd.DataFrame(
        {
            "nhs_number": ["9434765919", "9990000018", "9990000050"],
            "upn": ["A1", "B2", "A1"],  # one UPN linked to two NHS numbers
            "_source_row": [2, 3, 4],
        }
    )
    defects = duplicate_keys(spec, [("links.csv", frame)])
    assert sorted((d.row, d.column, d.rule) for d in defects) == [
        (2, "upn", "upn_linked_twice"),
        (4, "upn", "upn_linked_twice"),
    ]
    frame.loc[2, ["nhs_number", "upn"]] = ["9434765919", "C3"]  # one NHS number, two UPNs
    defects = duplicate_keys(spec, [("links.csv", frame)])
    assert sorted((d.row, d.rule) for d in defects) == [
        (2, "nhs_number_linked_twice"),
        (4, "nhs_number_linked_twice"),
    ]


def test_a_sector_not_in_the_lookup_is_named():
    frame = pd.DataFrame({"postcode_sector": ["XH3 2", "ZZ9 9", ""], "_source_row": [2, 3, 4]})
    defects = sectors_unlisted(
        [("reviews.csv", frame)], "postcode_sector", frozenset({"XH3 2"}), {}
    )
    assert [(d.row, d.rule) for d in defects] == [(3, "postcode_sector_unknown")]
