"""Unique pupil numbers: the DfE format, its check letter (python-stdnum) and the LA numbers
that issue them, checked for a whole column at once (`upn_prescreen`) with the full check
only where it is needed; and the row rules that report a bad UPN.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence
from functools import cache

import numpy as np
import pandas as pd
from stdnum import exceptions as stdnum_errors
from stdnum.gb import upn as stdnum_upn

from indicators.config import PROJECT_ROOT
from indicators.ingest.defects import RowRule

UPN_PATTERN = r"[A-Z][0-9]{11}[0-9A-Z]"
UPN_FORMAT = (
    "a UPN is 13 characters: a check letter, then 11 digits, then a digit or a "
    "letter (never I, O or S)"
)


@cache
def issuing_la_numbers() -> frozenset[int]:
    """The LA numbers a UPN may be issued under: python-stdnum's list (which keeps former
    authorities, whose UPNs children still carry) and every current English authority in
    the project's seeds/local_authorities.csv. python-stdnum lacks the newest (838 Dorset and
    839 Bournemouth, Christchurch and Poole from 2019; 940 to 943, the Northamptonshire and
    Cumbria successors), so without the seed their children's UPNs would all be refused."""
    current: set[int] = set()
    seed = PROJECT_ROOT / "seeds" / "local_authorities.csv"
    with seed.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code = (row.get("la_code") or "").strip()
            if code.isdigit() and len(code) == 3:
                current.add(int(code))
    return frozenset(stdnum_upn._la_numbers) | frozenset(current)


def upn_problem(number: str) -> str:
    """'' for a valid UPN, else which python-stdnum check it fails: format, la or check.

    An issuing LA that python-stdnum does not know but `issuing_la_numbers` does (a current
    authority newer than its list) is checked for its check letter as python-stdnum would.
    """
    if not re.fullmatch(UPN_PATTERN, number):  # stdnum would quietly drop spaces
        return "format"
    try:
        stdnum_upn.validate(number)
    except stdnum_errors.InvalidComponent:
        if int(number[1:4]) not in issuing_la_numbers():
            return "la"
        return "" if stdnum_upn.calc_check_digit(number[1:]) == number[0] else "check"
    except stdnum_errors.InvalidChecksum:
        return "check"
    except stdnum_errors.ValidationError:
        return "format"
    return ""


_UPN = re.compile(UPN_PATTERN)
_UPN_ALPHABET = np.frombuffer(stdnum_upn._alphabet.encode("ascii"), dtype=np.uint8)
_UPN_VALUES = np.full(256, -1, dtype=np.int64)
_UPN_VALUES[_UPN_ALPHABET] = np.arange(len(_UPN_ALPHABET))
"""Byte -> position in python-stdnum's UPN alphabet (digits come after the 23 letters); -1
for a character not in it (I, O, S)."""
_UPN_WEIGHTS = np.arange(2, 14, dtype=np.int64)


@cache
def _known_la() -> np.ndarray:
    """`issuing_la_numbers` as a lookup table: LA number -> known."""
    known = np.zeros(1000, dtype=bool)
    known[sorted(issuing_la_numbers())] = True
    return known


def upn_prescreen(numbers: Sequence[str]) -> np.ndarray:
    """True where a UPN is certainly valid, by python-stdnum's own rules, done with numpy.

    Well formed (UPN_PATTERN, so 13 ASCII characters), the last character in stdnum's
    alphabet, an issuing LA number (`issuing_la_numbers`), and the check letter stdnum
    computes: the DfE weights 2..13 on the alphabet positions of characters 2 to 13, mod 23.
    False means only "not certainly valid": `upn_problem` (python-stdnum) decides those
    (`upn_problems`).
    """
    valid = np.zeros(len(numbers), dtype=bool)
    try:
        # Every character as one byte (any that is not ASCII becomes "?", which no check
        # accepts), so character i of number k is at byte start[k] + i.
        text = "".join(numbers).encode("ascii", errors="replace")
    except TypeError:  # something other than text: checked one by one
        formed = [
            position
            for position, number in enumerate(numbers)
            if isinstance(number, str) and _UPN.fullmatch(number) is not None
        ]
        if formed:
            valid[formed] = upn_prescreen([numbers[position] for position in formed])
        return valid
    lengths = np.fromiter(map(len, numbers), dtype=np.int64, count=len(numbers))
    where = np.flatnonzero(lengths == 13)
    if not len(where):
        return valid
    start = (np.cumsum(lengths) - lengths)[where]
    chars = np.frombuffer(text, dtype=np.uint8)[start[:, None] + np.arange(13)]
    letter, digits, last = chars[:, 0], chars[:, 1:12], chars[:, 12]
    formed = (
        (letter >= ord("A"))
        & (letter <= ord("Z"))  # UPN_PATTERN, with last in the
        & ((digits >= ord("0")) & (digits <= ord("9"))).all(axis=1)  # alphabet
        & (_UPN_VALUES[last] >= 0)
    )
    issuing = np.where(formed, (digits[:, :3].astype(np.int64) - ord("0")) @ [100, 10, 1], 0)
    check = (_UPN_VALUES[chars[:, 1:]] @ _UPN_WEIGHTS) % 23
    valid[where] = formed & _known_la()[issuing] & (_UPN_ALPHABET[check] == letter)
    return valid


def upn_problems(numbers: Sequence[str]) -> list[str]:
    """`upn_problem` for many UPNs: python-stdnum runs on those the pre-screen does not pass."""
    numbers = list(numbers)
    valid = upn_prescreen(numbers)
    return ["" if ok else upn_problem(number) for number, ok in zip(numbers, valid, strict=True)]


class _UpnVerdicts:
    """`upn_problem` for each UPN of a column, worked out once for the three UPN rules."""

    def __init__(self) -> None:
        self.memo: dict[str, str] = {}
        self.numbers: list[str] | None = None
        self.verdicts = np.array([], dtype=object)

    def __call__(self, values: pd.Series) -> np.ndarray:
        numbers = values.to_numpy(dtype=object).tolist()
        if numbers != self.numbers:
            verdicts = np.full(len(numbers), "", dtype=object)
            for position in np.flatnonzero(~upn_prescreen(numbers)).tolist():
                number = numbers[position]
                if number not in self.memo:
                    self.memo[number] = upn_problem(number)
                verdicts[position] = self.memo[number]
            self.numbers, self.verdicts = numbers, verdicts
        return self.verdicts


def _upn_failing(problem: str, verdicts: _UpnVerdicts) -> Callable[[pd.Series], pd.Series]:
    def failing(values: pd.Series) -> pd.Series:
        return pd.Series(verdicts(values) == problem, index=values.index, dtype=bool)

    return failing


def upn_rules(column: str = "upn") -> list[RowRule]:
    """UPN checks of a column (`format: upn` in a source spec), in order: a malformed UPN is
    not also reported for its check letter.

    The three rules share one python-stdnum verdict per distinct UPN.
    """
    memo = _UpnVerdicts()
    return [
        RowRule("upn_format", column, UPN_FORMAT, _upn_failing("format", memo)),
        RowRule(
            "upn_issuing_la",
            column,
            "the 3 digits after the check letter must be the LA "
            "number of the authority that issued the UPN, and these are not one; check it "
            "was copied correctly",
            _upn_failing("la", memo),
        ),
        RowRule(
            "upn_check_letter",
            column,
            "the check letter does not match the rest of the UPN; check it was copied correctly",
            _upn_failing("check", memo),
        ),
    ]
