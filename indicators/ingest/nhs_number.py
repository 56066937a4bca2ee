"""NHS numbers (`format: {named: nhs_number}` in a source spec): ten digits, spaces allowed
as the NHS writes them (`999 123 4567`), the tenth a modulus 11 check digit; and the row
rules that report a bad one. Implemented once, for any source (indicators/ingest/spec_rules.py).

The check digit (NHS Data Dictionary, "NHS Number"): multiply the first nine digits by 10,
9, ..., 2 and add the products; the check digit is 11 minus the remainder of the sum divided
by 11, 0 when that is 11; a result of 10 means the nine digits have no valid NHS number.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from indicators.ingest.cells import distinct_text, failing_where
from indicators.ingest.defects import RowRule

NHS_NUMBER_FORMAT = (
    "an NHS number is 10 digits, spaces allowed as 999 123 4567 (no letters, hyphens or "
    "other characters)"
)
NHS_NUMBER_CHECK = (
    "the last digit of the NHS number is not its modulus 11 check digit; check it was "
    "copied correctly"
)
_FORMED = re.compile(r"[0-9]{10}")
_WEIGHTS = range(10, 1, -1)
_WEIGHTS_ARRAY = np.arange(10, 1, -1, dtype=np.int64)


def compact(value: str) -> str:
    """The NHS number with its spaces removed (`999 123 4567` -> `9991234567`): the form
    it is checked, keyed and pseudonymised in, so the two spellings are the same child."""
    return "".join(str(value).split())


def check_digit(first_nine: str) -> int | None:
    """The check digit the first nine digits call for, None when there is none (10)."""
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, _WEIGHTS, strict=True))
    digit = 11 - total % 11
    if digit == 11:
        return 0
    return None if digit == 10 else digit


def nhs_number_problem(value: str) -> str:
    """'' for a valid NHS number, 'format' when not ten digits (spaces aside), else 'check'."""
    number = compact(value)
    if not _FORMED.fullmatch(number):
        return "format"
    return "" if check_digit(number[:9]) == int(number[9]) else "check"


def problems(values: Sequence[str]) -> list[str]:
    """`nhs_number_problem` of each value, the check digits worked in one numpy pass (a
    column of a national landing holds millions of numbers, each its own)."""
    numbers = [compact(value) for value in values]
    formed = [len(n) == 10 and n.isascii() and n.isdigit() for n in numbers]
    digits = "".join(n for n, ok in zip(numbers, formed, strict=True) if ok).encode("ascii")
    table = np.frombuffer(digits, dtype=np.uint8).reshape(-1, 10).astype(np.int64) - ord("0")
    wanted = 11 - (table[:, :9] @ _WEIGHTS_ARRAY) % 11
    wanted[wanted == 11] = 0  # 10 matches no digit: no valid number
    valid = iter((wanted == table[:, 9]).tolist())
    return [("" if next(valid) else "check") if ok else "format" for ok in formed]


def nhs_number_rules(
    column: str, rule: str = "nhs_number_check", message: str = ""
) -> list[RowRule]:
    """The NHS number checks of a column, in order (a malformed number is not also reported
    for its check digit): `nhs_number_format`, then the spec's rule (default
    nhs_number_check) with its message."""

    def failing(problem: str):
        def flags(values: pd.Series) -> pd.Series:
            text = distinct_text(values)
            if text is None:  # a value missing or not text
                return values.fillna("").astype(str).map(nhs_number_problem) == problem
            items, distinct = text
            distinct = list(distinct)
            found = problems(distinct)
            return failing_where(
                values, items, {v for v, p in zip(distinct, found, strict=True) if p == problem}
            )

        return flags

    return [
        RowRule("nhs_number_format", column, NHS_NUMBER_FORMAT, failing("format")),
        RowRule(rule or "nhs_number_check", column, message or NHS_NUMBER_CHECK, failing("check")),
    ]
