"""Rules for statutory returns: one rule, one message, one affected column.

Every defect names the file, the row as the user sees it in a spreadsheet (the header is
row 1), the column, the value and the rule. Row defects send that row to quarantine; file
defects (unreadable, empty, a required column missing) reject the whole file.
Values of identifier columns are withheld from anything that leaves the raw zone.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache

import numpy as np
import pandas as pd
from stdnum import exceptions as stdnum_errors
from stdnum.gb import upn as stdnum_upn

from indicators.config import PROJECT_ROOT
from indicators.reference import ELG_COLUMNS, AcademicYear

IDENTIFIER_COLUMNS = frozenset({"upn", "surname", "forename", "dob", "postcode"})
WITHHELD = "(withheld: identifier)"
SAFE_COLUMNS = frozenset({
    # statutory returns: codes and numbers
    "la_code", "estab", "sex", *ELG_COLUMNS, "fsm_eligible", "first_language",
    "sen_provision", "ethnicity",
    # voice surveys: codes, areas and the date of the answers (an item's answers are
    # declared in seeds/voice_items.csv: indicators.voice marks them)
    "channel", "uses_funded_early_education", "english_additional_language",
    "known_to_family_hub", "consent_aggregate", "consent_quote", "consent_link",
    "neighbourhood_code", "postcode_sector", "response_date",
})
"""The columns whose rejected values may be shown outside the raw zone (in rejections.csv,
the quality report, the console), and then only when the value looks like what the column
holds (`shows_safely`). Every other column (UPN, names, date of birth, postcode, response id,
child_upn, free text, anything not declared) has its values withheld."""
_CODE_SHAPE = re.compile(r"[A-Za-z0-9 ._/+()\\-]{0,16}")
"""A code, a number or a short word as a value of a code column may be mistyped (the
backslash for an escaped control character, \\x00)."""
_SHAPES = {
    "response_date": re.compile(
        r"[0-9]{1,4}[-/.][0-9]{1,2}[-/.][0-9]{1,4}(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)?"
        r"|[A-Za-z]{3,9}\.? [0-9]{1,2},? [0-9]{4}|[0-9]{1,2} [A-Za-z]{3,9},? [0-9]{4}"),
    "postcode_sector": re.compile(r"[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9]"),
}
"""Columns whose values have a shape of their own: a date, a postcode sector (a full
postcode typed there is withheld)."""
MOST_DIGITS_SHOWN = 8
"""More digits than this in a code column's value looks like a phone number or a UPN."""


def shows_safely(column: str | None, value: str, declared_safe: bool = False) -> bool:
    """True when a rejected value may be shown: its column is declared safe (or the caller
    declares it so: a voice item's answers) and the value looks like what such a column
    holds, with no personal name in it (indicators/wordlists/names.txt)."""
    if not (declared_safe or column in SAFE_COLUMNS):
        return False
    text = value.strip()
    if not _SHAPES.get(column or "", _CODE_SHAPE).fullmatch(text):
        return False
    if column not in _SHAPES and sum(character.isdigit() for character in text) > \
            MOST_DIGITS_SHOWN:
        return False
    from indicators.quotes import name_list  # the scrubber's names (quotes imports this)

    names = name_list()
    return not any(word.lower() in names for word in re.findall(r"[A-Za-z]+", text))

EYFSP_REQUIRED = ("la_code", "estab", "upn", "surname", "forename", "dob", "sex", *ELG_COLUMNS)
CENSUS_REQUIRED = ("upn", "fsm_eligible", "first_language", "sen_provision", "ethnicity",
                   "postcode")
SEX_CODES = {"M": "male", "F": "female"}
ELG_CODES = {"1": "emerging", "2": "expected", "A": "not assessed"}
FSM_CODES = {"Y": "eligible", "N": "not eligible"}
LANGUAGE_CODES = {"ENG": "English", "OTH": "other than English", "UNK": "unknown"}
SEN_CODES = {"N": "no special provision", "K": "SEN support", "E": "EHC plan"}
ETHNICITY_CODES = {
    "WHIT": "White", "MIXD": "Mixed", "ASIA": "Asian", "BLAC": "Black", "CHNE": "Chinese",
    "AOEG": "any other ethnic group", "REFU": "refused", "NOBT": "not yet obtained",
}
# A full UK postcode: outward code, space, inward code (digit and two letters).
POSTCODE_PATTERN = r"[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}"
UPN_PATTERN = r"[A-Z][0-9]{11}[0-9A-Z]"
UPN_FORMAT = ("a UPN is 13 characters: a check letter, then 11 digits, then a digit or a "
              "letter (never I, O or S)")
# A value this short is not withheld wherever it appears in a message, only where quoted.
SHORTEST_WITHHELD = 4


@dataclass(frozen=True)
class Defect:
    file: str
    row: int | None
    """Spreadsheet row: the header is row 1, so the first child is row 2. None for file defects."""
    column: str | None
    value: str
    rule: str
    message: str
    sensitive: bool = False
    """The value may identify a child even though the column is not an identifier column."""
    shown: bool = False
    """The value was judged safe to show where the defect was found (a voice item's answer,
    see indicators.voice): `public` keeps it."""

    @property
    def level(self) -> str:
        return "file" if self.row is None else "row"

    def public(self) -> Defect:
        """The defect as it may leave the raw zone: a value is shown only when its column
        is declared safe and it looks like what the column holds (`shows_safely`), or
        when it is about a file rather than a person (a header, a sheet name, a reference
        file's row); every other value is withheld."""
        if not self.value or self.shown and not self.sensitive or self.value.startswith(
                "(withheld"):
            return self  # nothing to withhold, judged safe, or withheld already
        about_a_file = self.row is None or self.file.startswith("seeds/")
        if not self.sensitive and (about_a_file or shows_safely(self.column, self.value)):
            return self
        message = self.message.replace(f"'{self.value}'", WITHHELD)
        if len(self.value.strip()) >= SHORTEST_WITHHELD:
            message = message.replace(self.value, WITHHELD)
        return replace(self, value=WITHHELD, message=message)

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file}, row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message} [{self.rule}]"


class FileRejected(Exception):
    """A file-level defect: nothing is loaded from the file."""

    def __init__(self, defect: Defect):
        super().__init__(str(defect))
        self.defect = defect


@dataclass(frozen=True)
class RowRule:
    """One check on one column: `failing` marks the values that break it."""

    rule: str
    column: str
    explain: str
    failing: Callable[[pd.Series], pd.Series]
    on_written: bool = False
    """Test the value as written in the file (before codes are trimmed and upper-cased)."""
    describe: Callable[[str], str] | None = None
    """What a message says of the value in place of quoting it (a value too long to quote)."""


# Speed: a year's returns are hundreds of files of a few thousand rows, and most columns hold
# a handful of codes. The helpers below work on each column's distinct values with plain
# Python, which costs far less than a pandas string operation per file per column; each
# gives exactly what the pandas expression beside it gives (tests/test_fast_paths.py).

_WHITESPACE = re.compile(r"\s")
"""Python's whitespace (str.isspace, what str.strip removes)."""


def distinct_text(values: pd.Series) -> tuple[list[str], set[str]] | None:
    """The values as a list and as a set, when every value is text (none missing)."""
    items = values.to_numpy(dtype=object).tolist()
    try:
        distinct = set(items)
        "".join(distinct)  # str.join takes only text: a quick check that none is missing
    except TypeError:
        return None
    return items, distinct


def per_distinct(values: pd.Series, transform: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """`transform`, an element-wise operation, run once per distinct value and spread back.

    The same result as `transform(values)` (index, name and dtype included), at the cost of
    the distinct values: a column of codes has a handful, whatever its length.
    """
    text = distinct_text(values) if values.dtype == object or isinstance(
        values.dtype, pd.StringDtype) else None
    if text is None:
        codes, uniques = pd.factorize(values.array, use_na_sentinel=False)
    else:
        items, distinct = text
        if len(distinct) == len(items):
            return transform(values)
        uniques = list(dict.fromkeys(items))
        position = {value: number for number, value in enumerate(uniques)}
        codes = np.fromiter(map(position.__getitem__, items), dtype=np.intp, count=len(items))
    if len(uniques) == len(values):
        return transform(values)
    done = transform(pd.Series(uniques, dtype=values.dtype, name=values.name))
    return pd.Series(done.array.take(codes), index=values.index, name=done.name,
                     dtype=done.dtype)


def strip_upper(values: pd.Series) -> pd.Series:
    """`values.str.strip().str.upper()`."""
    changed = strip_upper_changes(values)
    return values.copy() if changed is None else changed


def strip_upper_changes(values: pd.Series) -> pd.Series | None:
    """`strip_upper(values)`, or None when it would change nothing."""
    items = values.to_numpy(dtype=object).tolist()
    try:
        joined = ",".join(items)  # only if every value is text
    except TypeError:
        return values.str.strip().str.upper()
    if joined.upper() == joined and _WHITESPACE.search(joined) is None:
        return None  # upper-casing changes no character, and there is none to trim
    changed = {value: clean for value in set(items)
               if (clean := value.strip().upper()) != value}
    if not changed:
        return None
    return pd.Series([changed.get(value, value) for value in items], index=values.index,
                     name=values.name, dtype=values.dtype)


def failing_values(values: pd.Series, failing: Callable[[str], bool],
                   otherwise: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """True where `failing(value)`, decided once per distinct value: the same as the pandas
    expression `otherwise(values)`, which is used when a value is missing or not text."""
    text = distinct_text(values)
    if text is None:
        return otherwise(values)
    items, distinct = text
    return _failing_where(values, items, {value for value in distinct if failing(value)})


def _failing_where(values: pd.Series, items: list[str], bad: set[str]) -> pd.Series:
    """True for the values in `bad`, as a Series like `values`."""
    if not bad:
        flags = np.zeros(len(items), dtype=bool)
    else:
        flags = np.fromiter((value in bad for value in items), dtype=bool, count=len(items))
    return pd.Series(flags, index=values.index, name=values.name)


def fullmatches(values: pd.Series, pattern: str) -> pd.Series:
    """`values.str.fullmatch(pattern)`."""
    text = distinct_text(values)
    if text is None:
        return values.str.fullmatch(pattern)
    items, distinct = text
    compiled = re.compile(pattern)
    return _failing_where(values, items, {value for value in distinct
                                          if compiled.fullmatch(value) is not None})


_POSTCODE = re.compile(POSTCODE_PATTERN)
_POSTCODE_SHAPES = {**dict.fromkeys(range(ord("A"), ord("Z") + 1), "A"),
                    **dict.fromkeys(range(ord("0"), ord("9") + 1), "9")}
"""A capital letter -> A, a digit -> 9: POSTCODE_PATTERN's classes ([A-Z], [0-9], [A-Z0-9]
and the space) cannot tell a character from its stand-in, and every other character is
left as it is, so a postcode matches exactly when its shape does."""


def postcodes_formed(postcodes: Sequence[object]) -> list[bool] | None:
    """`re.fullmatch(POSTCODE_PATTERN, postcode)` for each postcode, tested once per shape
    ("XA2 1RB" -> "AA9 9AA"; a year's half a million postcodes have a handful of shapes).
    None when a postcode is not text (or holds a NUL), and the caller should test them."""
    try:
        joined = "\x00".join(postcodes)
    except TypeError:
        return None
    shapes = joined.translate(_POSTCODE_SHAPES).split("\x00")
    if len(shapes) != len(postcodes):
        return None
    formed = {shape: _POSTCODE.fullmatch(shape) is not None for shape in set(shapes)}
    return [formed[shape] for shape in shapes]


def postcodes_well_formed(values: pd.Series) -> pd.Series:
    """`values.str.fullmatch(POSTCODE_PATTERN)`, tested once per shape where it can be."""
    formed = postcodes_formed(values.to_numpy(dtype=object).tolist())
    if formed is None:
        return fullmatches(values, POSTCODE_PATTERN)
    return pd.Series(np.array(formed, dtype=bool), index=values.index, name=values.name)


def _not_fullmatch(pattern: str) -> Callable[[pd.Series], pd.Series]:
    """`~values.str.fullmatch(pattern)`."""
    return lambda values: ~fullmatches(values, pattern)


def _not_in(codes: dict[str, str]) -> Callable[[pd.Series], pd.Series]:
    """`~values.isin(codes)`."""
    allowed = set(codes)

    def failing(values: pd.Series) -> pd.Series:
        text = distinct_text(values)
        if text is None:
            return ~values.isin(allowed)
        items, distinct = text
        return _failing_where(values, items, distinct - allowed)

    return failing


def describe_codes(codes: dict[str, str]) -> str:
    return ", ".join(f"{code} ({meaning})" for code, meaning in codes.items())


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
        formed = [position for position, number in enumerate(numbers)
                  if isinstance(number, str) and _UPN.fullmatch(number) is not None]
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
    formed = ((letter >= ord("A")) & (letter <= ord("Z"))  # UPN_PATTERN, with last in the
              & ((digits >= ord("0")) & (digits <= ord("9"))).all(axis=1)  # alphabet
              & (_UPN_VALUES[last] >= 0))
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


def upn_rules() -> list[RowRule]:
    """UPN checks, in order: a malformed UPN is not also reported for its check letter.

    The three rules share one python-stdnum verdict per distinct UPN.
    """
    memo = _UpnVerdicts()
    return [
        RowRule("upn_format", "upn", UPN_FORMAT, _upn_failing("format", memo)),
        RowRule("upn_issuing_la", "upn", "the 3 digits after the check letter must be the LA "
                "number of the authority that issued the UPN, and these are not one; check it "
                "was copied correctly", _upn_failing("la", memo)),
        RowRule("upn_check_letter", "upn", "the check letter does not match the rest of the "
                "UPN; check it was copied correctly", _upn_failing("check", memo)),
    ]


def parse_dates(values: pd.Series) -> pd.Series:
    """ISO (2019-03-14) or UK (14/03/2019) dates; anything else becomes NaT."""
    return per_distinct(values, _parse_dates)


def _parse_dates(values: pd.Series) -> pd.Series:
    uk = values.str.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}")
    iso_text = values.where(~uk, values.str.replace(
        r"^(\d{1,2})/(\d{1,2})/(\d{4})$", r"\3-\2-\1", regex=True))
    iso_text = iso_text.where(iso_text.str.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}"), "")
    return pd.to_datetime(iso_text, format="%Y-%m-%d", errors="coerce")


class _Once:
    """`operation(values)`, worked out again only when the values change: two rules on one
    column share it."""

    def __init__(self, operation: Callable[[pd.Series], pd.Series]) -> None:
        self.operation = operation
        self.values: pd.Series | None = None
        self.result = pd.Series(dtype=object)

    def __call__(self, values: pd.Series) -> pd.Series:
        if not (self.values is not None and values.index.equals(self.values.index)
                and values.name == self.values.name and values.dtype == self.values.dtype
                and values.to_numpy(dtype=object).tolist()
                == self.values.to_numpy(dtype=object).tolist()):
            self.values, self.result = values, self.operation(values)
        return self.result


# Cells ------------------------------------------------------------------------------------

CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""A character no value should hold: NUL and the other C0 controls but tab and line breaks,
DEL, and the C1 controls (also what a byte Windows-1252 leaves undefined reads as)."""
LINE_BREAK = re.compile("[\r\n]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(value: object) -> str:
    """A value as it can be shown in a message, a CSV or the warehouse: control characters
    and line breaks as escapes (NUL as \\x00, a line break as \\n), everything else as is."""
    text = str(value)
    if CONTROL_CHARACTER.search(text) is None and LINE_BREAK.search(text) is None:
        return text
    return re.sub("[\x00-\x1f\x7f-\x9f]",
                  lambda found: _ESCAPES.get(found.group(), f"\\x{ord(found.group()):02x}"),
                  text)


def containing(pattern: re.Pattern[str]) -> Callable[[pd.Series], pd.Series]:
    """True for the values in which `pattern` is found (looked for once in all of them
    first: nearly always it is in none)."""

    def failing(values: pd.Series) -> pd.Series:
        text = distinct_text(values)
        if text is None:
            return values.astype(str).str.contains(pattern.pattern, regex=True)
        items, distinct = text
        if pattern.search("\t".join(distinct)) is None:
            return _failing_where(values, items, set())
        return _failing_where(values, items, {value for value in distinct
                                              if pattern.search(value) is not None})

    return failing


LONGEST_VALUE = 100
"""The most characters a value Chorus reads may hold (a name, a code, a date, an id)."""
LONGEST_COMMENT = 2_000
"""The most characters a free-text comment in a survey may hold."""


def _length(value: object) -> str:
    return f"holds {len(str(value)):,} characters"


def length_rule(column: str, longest: int = LONGEST_VALUE) -> RowRule:
    """A value longer than `longest` characters quarantines its row (named by row and column,
    the value described, never quoted): usually a damaged export or text pasted into the
    wrong cell."""

    def failing(values: pd.Series) -> pd.Series:
        text = distinct_text(values)
        if text is None:
            return values.astype(str).str.len() > longest
        items, distinct = text
        if max(map(len, distinct), default=0) <= longest:
            return _failing_where(values, items, set())
        return _failing_where(values, items, {value for value in distinct
                                              if len(value) > longest})

    return RowRule("value_too_long", column, f"a value in this column holds at most "
                   f"{longest:,} characters: usually a damaged export, or text pasted into the "
                   "wrong cell; correct the value and land the file again", failing,
                   on_written=True, describe=_length)


def cell_rules(columns: Iterable[str], *, line_breaks: bool = True,
               longest: int = LONGEST_VALUE) -> list[RowRule]:
    """Rules every cell Chorus reads must meet, for each of `columns`: at most `longest`
    characters, no control character (a NUL byte, say), and, unless `line_breaks` is False
    (free text), no line break. They come before a column's own rules, so such a value is
    reported once, for this."""
    rules = []
    for column in columns:
        rules.append(length_rule(column, longest))
        rules.append(RowRule(
            "control_character", column, "the value holds a control character (shown as \\x "
            "and its code), which no value should: it is invisible in Excel and usually comes "
            "from a damaged export or a copy and paste; retype the value and land the file "
            "again", containing(CONTROL_CHARACTER), on_written=True))
        if line_breaks:
            rules.append(RowRule(
                "value_spans_lines", column, "the value runs over several lines (shown as "
                "\\n), which no value in this column can: usually a quote (\") that is not "
                "closed where it should be, which joins the rows after it into this value; "
                "remove the stray quote or the line break, and land the file again",
                containing(LINE_BREAK), on_written=True))
    return rules


def eyfsp_rules(year: AcademicYear) -> list[RowRule]:
    first, last = year.reception_birth_window()
    dates_of = _Once(parse_dates)

    def outside_window(values: pd.Series) -> pd.Series:
        dates = dates_of(values)
        return dates.notna() & ((dates < pd.Timestamp(first)) | (dates > pd.Timestamp(last)))

    return [
        RowRule("la_code_format", "la_code", "the LA number must be 3 digits",
                _not_fullmatch(r"\d{3}")),
        RowRule("estab_format", "estab", "the establishment number must be 4 digits (or the "
                "7-digit DfE number: LA number then establishment number)",
                _not_fullmatch(r"\d{4}|\d{7}")),
        *upn_rules(),
        RowRule("sex_code", "sex", f"sex must be {describe_codes(SEX_CODES)}",
                _not_in(SEX_CODES)),
        RowRule("dob_format", "dob", "date of birth must be a date such as 2019-03-14 or "
                "14/03/2019", lambda values: dates_of(values).isna()),
        RowRule("dob_in_cohort", "dob", f"a child in reception in {year.label} was born between "
                f"{first:%d %B %Y} and {last:%d %B %Y}", outside_window),
        *[RowRule("elg_value", column, f"ELG results must be {describe_codes(ELG_CODES)}",
                  _not_in(ELG_CODES)) for column in ELG_COLUMNS],
    ]


def census_rules() -> list[RowRule]:
    return [
        *upn_rules(),
        RowRule("fsm_code", "fsm_eligible", f"must be {describe_codes(FSM_CODES)}",
                _not_in(FSM_CODES)),
        RowRule("first_language_code", "first_language",
                f"must be {describe_codes(LANGUAGE_CODES)}", _not_in(LANGUAGE_CODES)),
        RowRule("sen_provision_code", "sen_provision", f"must be {describe_codes(SEN_CODES)}",
                _not_in(SEN_CODES)),
        RowRule("ethnicity_code", "ethnicity",
                f"must be a DfE major ethnic group code: {', '.join(ETHNICITY_CODES)}",
                _not_in(ETHNICITY_CODES)),
        RowRule("postcode_format", "postcode", "must be a full UK postcode such as OL11 3AB",
                lambda values: ~postcodes_well_formed(values)),
    ]


def normalise_codes(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """Trim and upper-case code columns, so ' m ' and 'M' mean the same."""
    out = frame.copy(deep=False)  # pandas copies on write: out is independent of frame
    for column in columns:
        changed = strip_upper_changes(out[column])
        if changed is not None:
            out[column] = changed
    return out


def check_required_columns(frame: pd.DataFrame, required: Sequence[str], file: str) -> None:
    missing = [column for column in required if column not in frame.columns]
    if missing:
        found = ", ".join(str(c) for c in frame.columns if not str(c).startswith("_")) or "none"
        raise FileRejected(Defect(
            file=file, row=None, column=", ".join(missing), value="", rule="required_columns",
            message=f"required column(s) missing: {', '.join(missing)} (found: {found}); "
                    "nothing was loaded from this file",
        ))


def apply_rules(frame: pd.DataFrame, rules: Sequence[RowRule], file: str,
                as_written: pd.DataFrame | None = None, *,
                row_files: Sequence[str] | None = None) -> list[Defect]:
    """Every row defect in the frame. `frame` has a `_source_row` column (spreadsheet rows).

    Rules test `frame` (codes trimmed and upper-cased); messages quote the value as written
    in `as_written` when given. A value already reported under one rule (a malformed UPN,
    say) is not reported again under a later rule for the same column. `row_files`, when
    given, names each row's file (for a frame of many files' rows) in place of `file`.
    """
    written = frame if as_written is None else as_written
    if row_files is not None:
        row_files = np.asarray(row_files, dtype=object)
    if not (written.index.equals(frame.index) and frame.index.is_unique):
        return _apply_rules_aligned(frame, rules, file, written, row_files)
    defects: list[Defect] = []
    reported: dict[str, np.ndarray] = {}
    source_rows = frame["_source_row"].to_numpy()
    for rule in rules:
        failing = rule.failing((written if rule.on_written else frame)[rule.column])
        if not failing.index.equals(frame.index):
            return _apply_rules_aligned(frame, rules, file, written, row_files)
        mask = (failing.to_numpy() if failing.dtype == bool
                else failing.astype(bool).to_numpy())
        if rule.column in reported:
            mask = mask & ~reported[rule.column]
            reported[rule.column] |= mask
        else:
            reported[rule.column] = mask.copy()
        if not mask.any():
            continue
        defects.extend(_rule_defects(
            rule, file if row_files is None else row_files[mask], source_rows[mask],
            written[rule.column].to_numpy()[mask]))
    return defects


def _rule_defects(rule: RowRule, file: str | Iterable[str], rows: Iterable[int],
                  values: Iterable[str]) -> list[Defect]:
    files = itertools.repeat(file) if isinstance(file, str) else file
    defects = []
    for row_file, row, written in zip(files, rows, values, strict=False):  # one file repeats
        if rule.describe is not None:
            said = rule.describe(written)
            defects.append(Defect(row_file, int(row), rule.column, f"({said})", rule.rule,
                                  f"{rule.column} {said}: {rule.explain}"))
            continue
        value = printable(written)
        shown = value if value.strip() != "" else "(blank)"
        defects.append(Defect(
            file=row_file, row=int(row), column=rule.column, value=value, rule=rule.rule,
            message=f"{rule.column} is '{shown}': {rule.explain}",
        ))
    return defects


def _apply_rules_aligned(frame: pd.DataFrame, rules: Sequence[RowRule], file: str,
                         written: pd.DataFrame, row_files: np.ndarray | None = None
                         ) -> list[Defect]:
    """`apply_rules` matching rows by index label, for frames whose indexes differ."""
    defects: list[Defect] = []
    reported: dict[str, pd.Series] = {}
    files = None if row_files is None else pd.Series(row_files, index=frame.index)
    for rule in rules:
        tested = written[rule.column].reindex(frame.index) if rule.on_written else \
            frame[rule.column]
        mask = rule.failing(tested).astype(bool)
        if rule.column in reported:
            mask &= ~reported[rule.column]
            reported[rule.column] |= mask
        else:
            reported[rule.column] = mask
        defects.extend(_rule_defects(rule, file if files is None else files.loc[mask],
                                     frame.loc[mask, "_source_row"],
                                     written.loc[mask, rule.column]))
    return defects


@dataclass(frozen=True)
class Stack:
    """A year's files of one kind one after another, as plain lists: for each row its file
    (as displayed), its spreadsheet row, and its values of some columns."""

    files: list[str]
    rows: list[int]
    values: dict[str, list[object]]

    def text(self, column: str) -> bool:
        """Every value of the column is text (so sets and dicts treat them as pandas does)."""
        try:
            "".join(self.values[column])
        except TypeError:
            return False
        return True

    def where(self, flags: Sequence[bool]) -> Iterable[tuple[str, int, list[object]]]:
        """(file, row, [values]) of the flagged rows, in order."""
        columns = list(self.values.values())
        for position in np.flatnonzero(np.asarray(flags, dtype=bool)).tolist():
            yield (self.files[position], self.rows[position],
                   [values[position] for values in columns])


def stacked(frames: Sequence[tuple[str, pd.DataFrame]], columns: Sequence[str] = ("upn",),
            without: Mapping[str, set[int | None]] | None = None) -> Stack:
    """A year's files of one kind as a `Stack`, in file order, leaving out the rows `without`
    names for each file."""
    files: list[str] = []
    rows: list[int] = []
    values: dict[str, list[object]] = {column: [] for column in columns}
    for file, frame in frames:
        numbers = frame["_source_row"].to_numpy().tolist()
        keep = None
        if without and without.get(file):
            left_out = without[file]
            keep = [number not in left_out for number in numbers]
            numbers = [number for number, kept in zip(numbers, keep, strict=True) if kept]
        files.extend([file] * len(numbers))
        rows.extend(numbers)
        for column in columns:
            column_values = frame[column].to_numpy(dtype=object).tolist()
            if keep is not None:
                column_values = [value for value, kept in zip(column_values, keep, strict=True)
                                 if kept]
            values[column].extend(column_values)
    return Stack(files, rows, values)


def duplicate_upns(frames: Sequence[tuple[str, pd.DataFrame]]) -> list[Defect]:
    """The same UPN more than once in a year's files of one kind: every occurrence is a defect."""
    return duplicates_in(stacked(frames))


def duplicates_in(stack: Stack) -> list[Defect]:
    """`duplicate_upns` of the files `stacked` gives."""
    upns = stack.values["upn"]
    if stack.text("upn") and len(set(upns)) == len(upns):
        return []  # no UPN twice (the usual case, and quick to see)
    frame = pd.DataFrame({"upn": pd.Series(upns, dtype=object), "_file": stack.files,
                          "_source_row": stack.rows})
    repeated = frame[frame["upn"].duplicated(keep=False) & (frame["upn"] != "")]
    members = [(upn, list(zip(group["_file"], group["_source_row"], strict=True)))
               for upn, group in repeated.groupby("upn", sort=False)]
    defects = []
    for upn, group in members:
        places = [f"{file} row {row}" for file, row in group]
        for file, row in group:
            others = [place for place in places if place != f"{file} row {row}"]
            defects.append(Defect(
                file=file, row=int(row), column="upn", value=str(upn), rule="duplicate_upn",
                message=f"the same child (UPN '{upn}') also appears at {'; '.join(others)}: "
                        "keep one record and land the file again",
            ))
    return defects
