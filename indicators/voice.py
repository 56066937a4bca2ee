"""Read, validate and pseudonymise a year's voice survey responses, ready for the raw tables.

Pure: files in, data frames and defects out; the orchestration layer writes them to the
warehouse. The layout is in docs/inputs.md (`voice/<YYYY-YY>/*.csv|xlsx`). The rules follow
the statutory returns: row defects quarantine the row, file defects reject the file, and for
every file rows read = rows loaded + rows quarantined.

Consent decides everything at the door:

- `consent_aggregate` N (or blank): the response is set aside. It is not a defect, so it
  counts as *loaded* (the file was right to contain it), but it is used nowhere: it is not in
  `responses`, `answers` or `quotes`, and none of its other values is validated, echoed or
  kept. `door_log` counts it (`excluded_no_aggregate_consent`).
- `consent_link` Y with a valid UPN: `child_upn` becomes `child_id`, the same keyed pseudonym
  as the statutory returns, so the response joins the child's EYFSP record. Otherwise the
  UPN is dropped and counted. A raw UPN never leaves this module.
- `consent_quote` Y: free text in `<item_id>_comment` columns is scrubbed
  (indicators/quotes.py) and kept only if it can be published with confidence; without quote
  consent it is never kept. Unscrubbed text never leaves this module.
- Requests for help and disclosures of harm: free text (of a respondent who consented to
  aggregate use) that asks for help, contact or a call back, speaks of a need or crisis
  (`quotes.asks_for_help`) or discloses harm (`quotes.discloses_harm`) is never a quote,
  whatever the quote consent. Free text about nothing the survey asked (no service, reading
  or play: `quotes.on_topic`) is never a quote either. The response id, item, the reason
  (harm first), date and where it was landed go to `help_requests`, which
  the ingest writes to a restricted follow-up list under CHORUS_HOME (never published); the
  text itself is not kept.

Blank consent means no consent; it is never assumed.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from indicators.ingest import FileAccount, Reference, read_table
from indicators.landing import LandedFile, sha256_of
from indicators.privacy import postcode_sector, pseudonymise
from indicators.quotes import ScrubResult, follow_up_reason, may_identify, on_topic, scrub
from indicators.readers import rows_landed
from indicators.reference import AcademicYear
from indicators.validation import (
    CONTROL_CHARACTER,
    LONGEST_COMMENT,
    POSTCODE_PATTERN,
    SHORTEST_WITHHELD,
    Defect,
    FileRejected,
    RowRule,
    apply_rules,
    cell_rules,
    check_required_columns,
    describe_codes,
    distinct_text,
    failing_values,
    length_rule,
    parse_dates,
    per_distinct,
    printable,
    shows_safely,
    upn_problems,
)
from indicators.voice_items import in_force as versions_at
from indicators.voice_items import (
    item_bank_problems,
    normalise_answers,
    parse_positive,
    scores,
    valid_answers,
    version_starts,
    versions_in_force,
)

VOICE_KIND = "voice"
CHANNEL_CODES = {"outreach_visit": "outreach visit", "family_hub": "family hub",
                 "parent_panel": "parent panel", "online": "online"}
CHARACTERISTIC_COLUMNS = ("uses_funded_early_education", "english_additional_language",
                          "known_to_family_hub")
CHARACTERISTIC_CODES = {"Y": "yes", "N": "no", "U": "unknown"}
CONSENT_COLUMNS = ("consent_aggregate", "consent_quote", "consent_link")
CONSENT_CODES = {"Y": "yes", "N": "no"}
AREA_COLUMNS = ("postcode_sector", "neighbourhood_code")
VOICE_REQUIRED = ("response_id", "response_date", "channel", *CHARACTERISTIC_COLUMNS,
                  *CONSENT_COLUMNS)
RESPONDENT_COLUMNS = frozenset({*VOICE_REQUIRED, *AREA_COLUMNS, "child_upn"})
COMMENT_SUFFIX = "_comment"
SECTOR_PATTERN = r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9]"
HEADER_ALIASES = {
    "id": "response_id", "respondent_id": "response_id", "submission_id": "response_id",
    "timestamp": "response_date", "submitted": "response_date", "submitted_at": "response_date",
    "submission_date": "response_date", "completion_time": "response_date",
    "date": "response_date", "engagement_channel": "channel", "postcode": "postcode_sector",
    "sector": "postcode_sector", "neighbourhood": "neighbourhood_code", "upn": "child_upn",
    "child_s_upn": "child_upn",
}
"""Form-tool headers (after canonicalisation) read as the documented column, when it is absent."""
WITHHELD_VALUE = "(withheld: may identify someone)"
DOOR_MEASURES = (
    "responses_loaded", "excluded_no_aggregate_consent", "upn_linked",
    "upn_dropped_no_link_consent", "upn_dropped_invalid", "link_consent_without_upn",
    "comments_discarded_no_quote_consent", "quotes_published", "quotes_withheld",
    "comments_asking_for_help",
)

RESPONSE_COLUMNS = ("academic_year", "time_period", "response_id", "response_month",
                    "postcode_sector", "neighbourhood_code", "channel", *CHARACTERISTIC_COLUMNS,
                    *CONSENT_COLUMNS, "child_id", "_source_file", "_source_row")
ANSWER_COLUMNS = ("academic_year", "time_period", "response_id", "item_id", "item_version",
                  "answer", "is_positive", "score")
QUOTE_COLUMNS = ("academic_year", "time_period", "response_id", "item_id", "item_version",
                 "neighbourhood_code", "quote")
HELP_COLUMNS = ("academic_year", "response_id", "item_id", "reason", "response_date", "channel",
                "neighbourhood_code", "file", "row")
"""A request for help, as a practitioner needs it to act: who (response id), about what
(item), why (`reason`: quotes.HARM, a possible disclosure of harm, a safeguarding matter to
read first; or quotes.HELP), when, how it reached us, where, and where the landed row is.
Never published."""
DOOR_LOG_COLUMNS = ("academic_year", "file", "measure", "count")
_DTYPES = {"time_period": "int64", "_source_row": "int64", "item_version": "Int64", "row": "int64",
                    "count": "int64", "is_positive": "bool", "score": "float64"}


@dataclass
class VoiceLoad:
    """One academic year's voice responses after validation and privacy at the door.

    responses  one row per usable response (aggregate consent given, no defect)
    answers    one row per answered item (blank = not answered, so absent)
    quotes     publishable, scrubbed free text (quote consent given)
    door_log   per file, how many rows or values each privacy rule set aside (DOOR_MEASURES)
    help_requests  free text that asks for help or contact (HELP_COLUMNS; restricted, for
               the follow-up list, never published)
    """

    year: AcademicYear
    responses: pd.DataFrame
    answers: pd.DataFrame
    quotes: pd.DataFrame
    door_log: pd.DataFrame
    help_requests: pd.DataFrame = field(default_factory=lambda: empty_frame(HELP_COLUMNS))
    defects: list[Defect] = field(default_factory=list)
    accounts: list[FileAccount] = field(default_factory=list)
    ignored_columns: list[tuple[str, str]] = field(default_factory=list)
    """(file, column) pairs that are neither a documented column nor an item in the bank."""

    def _measure(self, *names: str) -> int:
        return int(self.door_log.loc[self.door_log["measure"].isin(names), "count"].sum())

    @property
    def withheld_quotes(self) -> int:
        """Comments with quote consent that could not be scrubbed with confidence."""
        return self._measure("quotes_withheld")

    @property
    def upns_dropped(self) -> int:
        """UPNs given but not linked: no link consent, or not a valid UPN."""
        return self._measure("upn_dropped_no_link_consent", "upn_dropped_invalid")

    @property
    def excluded_no_consent(self) -> int:
        """Responses set aside because aggregate use was not consented (counted as loaded)."""
        return self._measure("excluded_no_aggregate_consent")

    @property
    def families_asking_for_help(self) -> int:
        """Respondents whose free text asks for help, contact or a call back."""
        return int(self.help_requests["response_id"].nunique())

    @property
    def comments_discarded(self) -> int:
        """Free-text answers discarded unread for want of quote consent."""
        return self._measure("comments_discarded_no_quote_consent")


def empty_frame(columns: Sequence[str]) -> pd.DataFrame:
    """A typed, empty frame with the given columns (text unless known otherwise)."""
    return pd.DataFrame({column: pd.Series(dtype=_DTYPES.get(column, "string"))
                         for column in columns})


def apply_aliases(frame: pd.DataFrame, aliases: Mapping[str, str] = HEADER_ALIASES
                  ) -> pd.DataFrame:
    """Rename form-tool headers to the documented names (where the documented one is absent)."""
    renames: dict[str, str] = {}
    for column in frame.columns:
        target = aliases.get(column)
        if target and target not in frame.columns and target not in renames.values():
            renames[column] = target
    return frame.rename(columns=renames) if renames else frame.copy(deep=False)


def _strip_time(values: pd.Series) -> pd.Series:
    """'2023-10-05 14:32:00' or '05/10/2023 14:32' -> the date part."""
    return values.str.replace(
        r"^\s*(\S+?)(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?\s*$",
        r"\1", regex=True)


def parse_response_dates(values: pd.Series) -> pd.Series:
    """ISO or dd/mm/yyyy dates, with or without a time of day; anything else is NaT."""
    return per_distinct(values, lambda distinct: parse_dates(_strip_time(
        distinct.fillna("").astype(str))))


def _codes(values: pd.Series, synonyms: Mapping[str, str], blank: str | None) -> pd.Series:
    text = values.fillna("").astype(str).str.strip().str.upper()
    text = text.replace(synonyms)
    return text.where(text != "", blank) if blank is not None else text


YES_NO = {"YES": "Y", "NO": "N"}
YES_NO_UNKNOWN = {**YES_NO, "UNKNOWN": "U", "DON'T KNOW": "U", "NOT KNOWN": "U"}


def _normalise_channel(values: pd.Series) -> pd.Series:
    return (values.astype(str).str.strip().str.lower()
            .str.replace(r"[\s\-]+", "_", regex=True))


def _normalise_sectors(values: pd.Series) -> pd.Series:
    """Upper case, one space; a full postcode is reduced to its sector at once."""
    text = values.fillna("").astype(str).str.upper().str.strip().str.replace(
        r"\s+", " ", regex=True)
    full = text.str.fullmatch(POSTCODE_PATTERN)
    return text.where(~full, postcode_sector(text.where(full, "XX0 0XX")).astype(str))


def _stripped(values: pd.Series) -> pd.Series:
    """`values.astype(str).str.strip()`."""
    text = distinct_text(values)
    if text is None:
        return values.astype(str).str.strip()
    return pd.Series([value.strip() for value in text[0]], index=values.index,
                     name=values.name, dtype=str)


def _normalise_upns(values: pd.Series) -> pd.Series:
    text = distinct_text(values)
    if text is None:
        return values.fillna("").astype(str).str.replace(r"\s+", "", regex=True).str.upper()
    items, distinct = text  # as the line above: str.split() splits where \s matches
    upns = {value: "".join(value.split()).upper() for value in distinct}
    return pd.Series([upns[value] for value in items], index=values.index, name=values.name,
                     dtype=str)


def _valid_upn(values: pd.Series) -> pd.Series:
    """True for a UPN python-stdnum accepts (one matching UPN_PATTERN, as stdnum would quietly
    drop spaces)."""
    return pd.Series([problem == "" for problem in upn_problems(values.tolist())],
                     index=values.index, dtype=bool)


def _item_columns(frame: pd.DataFrame, item_ids: Iterable[str]) -> list[str]:
    known = set(item_ids)
    return [column for column in frame.columns if column in known]


def _comment_columns(frame: pd.DataFrame, item_ids: Iterable[str]) -> list[str]:
    known = set(item_ids)
    return [column for column in frame.columns
            if column.endswith(COMMENT_SUFFIX) and column[: -len(COMMENT_SUFFIX)] in known]


def _row_defects(frame: pd.DataFrame, mask: pd.Series, column: str, rule: str,
                 message: Callable[[str], str], file: str | Sequence[object]) -> list[Defect]:
    """A defect for each flagged row; `file` names the file, or each row's file."""
    flags = mask.to_numpy(dtype=bool)
    if not flags.any():
        return []
    files = (itertools.repeat(file) if isinstance(file, str)
             else np.asarray(file, dtype=object)[flags])
    return [Defect(row_file, int(row), column, printable(value), rule,
                   message(printable(value)))
            for row_file, row, value in zip(files, frame["_source_row"].to_numpy()[flags],
                                            frame[column].to_numpy()[flags],
                                            strict=False)]  # one file repeats


_ESCAPE = re.compile(r"\\x[0-9a-f]{2}|\\[nrt]")
"""How `printable` shows a control character or line break in a value."""


def _safe_defect(defect: Defect, item_ids: Iterable[str] = ()) -> Defect:
    """A defect's value is shown only when its column is declared safe (a code column, the
    area, the response date, an item's answers: `shows_safely`) and nothing in it might
    identify someone (a name typed as an answer); every other value (a response id, a UPN,
    free text, a column not declared) is withheld."""
    if not defect.value or defect.value == WITHHELD_VALUE or defect.row is None:
        return defect  # a file defect's value is about the file (a header), not a person
    declared = defect.column in set(item_ids)
    if shows_safely(defect.column, defect.value, declared_safe=declared) and (
            defect.column in {"response_date", "postcode_sector"}
            or not may_identify(_ESCAPE.sub(" ", defect.value).strip())):  # as read
        return replace(defect, shown=True)
    message = defect.message.replace(f"'{defect.value}'", f"'{WITHHELD_VALUE}'")
    if len(defect.value.strip()) >= SHORTEST_WITHHELD:
        message = message.replace(defect.value, WITHHELD_VALUE)
    return replace(defect, value=WITHHELD_VALUE, message=message)


# Speed: a year's survey is a hundred or more files of a few hundred responses, and nearly
# every column holds a handful of codes. Rather than run each normalisation and rule as
# pandas string operations on every file (most of the time went there), `_Load` works out
# each one once per distinct value over the whole load, and the item bank once.

class _PerValue:
    """An element-wise operation on a text column, remembered value by value for one load.

    `self(values)` gives exactly `operation(values)` (values and dtype; the index and name
    are the input's), running `operation` only on the values this load has not seen yet.
    The operation must be element-wise and give the same dtype whatever the values.
    """

    def __init__(self, operation: Callable[[pd.Series], pd.Series]) -> None:
        self.operation = operation
        self.seen: dict[object, dict[str, object]] = {}
        self.dtypes: dict[object, object] = {}

    def __call__(self, values: pd.Series) -> pd.Series:
        text = distinct_text(values)
        if text is None or values.empty:
            return self.operation(values)
        items, distinct = text
        return pd.Series(self.results(items, values.dtype, distinct), index=values.index,
                         name=values.name, dtype=self.dtypes[values.dtype])

    def results(self, items: list[str], dtype: object, distinct: set[str] | None = None
                ) -> list[object]:
        """The operation's result for each of `items` (text, from a column of `dtype`)."""
        seen = self.seen.setdefault(dtype, {})
        new = [value for value in (set(items) if distinct is None else distinct)
               if value not in seen]
        if new:
            done = self.operation(pd.Series(new, dtype=dtype))
            seen.update(zip(new, done.tolist(), strict=True))
            self.dtypes[dtype] = done.dtype
        return [seen[value] for value in items]


@dataclass
class _Item:
    """What validation and the door need to know about one item of the bank."""

    scale: str
    allowed: frozenset[str]
    starts: list[tuple[int, pd.Timestamp]]
    """(version, in use from), as `version_starts`."""
    positive: dict[object, set[str]]
    """version -> the answers that count as positive (from every row of the item)."""
    when: str
    """When it was first in use, as the item_not_in_use message says it."""


class _Load:
    """What every file of one load shares: the item bank worked out once, normalisations and
    rules remembered per value, scrubbed quotes per distinct text."""

    def __init__(self, items: pd.DataFrame, reference: Reference,
                 neighbourhood_codes: frozenset[str]) -> None:
        self.items = items
        self.item_ids: list[str] = items["item_id"].unique().tolist()
        self._items: dict[str, _Item] = {}
        self.consent = _PerValue(lambda values: _codes(values, YES_NO, blank="N"))
        self.characteristic = _PerValue(lambda values: _codes(values, YES_NO_UNKNOWN,
                                                              blank="U"))
        self.channel = _PerValue(_normalise_channel)
        self.sectors = _PerValue(_normalise_sectors)
        self.hoods = _PerValue(lambda values: values.astype(str).str.strip().str.upper())
        self.valid_upn = _PerValue(_valid_upn)
        self.answers: dict[str, _PerValue] = {}
        self.scores: dict[str, _PerValue] = {}
        self.sectors_known = reference.sectors
        self.neighbourhood_codes = neighbourhood_codes
        self.dates: dict[str, np.datetime64] = {}
        self.scrubbed: dict[str, ScrubResult] = {}

    def item(self, item_id: str) -> _Item:
        if item_id not in self._items:
            rows = self.items[self.items["item_id"] == item_id]
            scale = rows["response_scale"].iloc[0]
            positive: dict[object, set[str]] = {}
            for version, row_scale, answers in zip(rows["version"], rows["response_scale"],
                                                   rows["positive_responses"], strict=True):
                positive.setdefault(version, set()).update(parse_positive(row_scale, answers))
            first_use = rows.loc[rows["status"] != "draft", "co_designed_on"].min()
            when = f"first version in use from {first_use}" if isinstance(first_use, str) else (
                "no version is in use yet: it is a draft")
            self._items[item_id] = _Item(scale, valid_answers(scale),
                                         version_starts(self.items, item_id), positive, when)
        return self._items[item_id]

    def _answers(self, item_id: str) -> _PerValue:
        scale = self.item(item_id).scale
        if scale not in self.answers:
            self.answers[scale] = _PerValue(lambda answers: normalise_answers(scale, answers))
        return self.answers[scale]

    def normalised_answers(self, item_id: str, values: pd.Series) -> pd.Series:
        return self._answers(item_id)(values)

    def item_scores(self, item_id: str, answers: list[str], dtype: object) -> np.ndarray:
        """`scores` of answers to the item (text, from a column of `dtype`)."""
        scale = self.item(item_id).scale
        if scale not in self.scores:
            self.scores[scale] = _PerValue(lambda answers: scores(scale, answers))
        return np.array(self.scores[scale].results(answers, dtype), dtype="float64")

    def parsed_dates(self, values: pd.Series) -> pd.Series:
        """The dates of `parse_response_dates(values)`, each distinct value parsed once a load.

        Always in microseconds (parse_response_dates gives seconds when no value is a date):
        these dates are only compared, tested for being missing and shown as months.
        """
        text = distinct_text(values)
        if text is None:
            return parse_response_dates(values)
        items, distinct = text
        new = [value for value in distinct if value not in self.dates]
        if new:
            parsed = parse_response_dates(pd.Series(new, dtype=values.dtype))
            self.dates.update(zip(new, parsed.to_numpy().astype("datetime64[us]"),
                                  strict=True))
        return pd.Series(np.array([self.dates[value] for value in items],
                                  dtype="datetime64[us]"), index=values.index)

    def scrub(self, text: str, allow: tuple[str, ...]) -> ScrubResult:
        """`scrub(text, allow=allow)`, once per distinct text."""
        if text not in self.scrubbed:
            self.scrubbed[text] = scrub(text, allow=allow)
        return self.scrubbed[text]


def voice_rules(year: AcademicYear, items: pd.DataFrame, item_columns: Sequence[str],
                dates: pd.Series, *, load: _Load | None = None,
                in_force: Mapping[str, pd.Series] | None = None) -> list[RowRule]:
    """Row rules for consenting responses. `dates` are the rows' parsed response dates.

    `load` (the load's shared state) and `in_force` (item -> the version in use on each
    date) save working them out again.
    """
    load = load or _Load(items, Reference(None, None), frozenset())
    first = pd.Timestamp(year.start, 9, 1)
    last = pd.Timestamp(year.start + 1, 8, 31)

    def outside_year(values: pd.Series) -> pd.Series:
        parsed = load.parsed_dates(values)
        return parsed.notna() & ((parsed < first) | (parsed > last))

    # Each rule as its pandas expression, decided once per distinct value (failing_values).
    sector = re.compile(SECTOR_PATTERN)
    rules = [
        RowRule("response_id_blank", "response_id", "every response needs a response_id",
                lambda values: failing_values(values, lambda value: value.strip() == "",
                                              lambda values: values.str.strip() == "")),
        RowRule("response_date_format", "response_date", "the response date must be a date "
                "such as 2023-10-05 or 05/10/2023 (a time of day may follow)",
                lambda values: load.parsed_dates(values).isna()),
        RowRule("response_date_in_year", "response_date", f"a response in {year.label} is "
                f"dated between {first:%d %B %Y} and {last:%d %B %Y}: check the date or land "
                "the file under the right year", outside_year),
        RowRule("channel_code", "channel", f"channel must be one of {', '.join(CHANNEL_CODES)}",
                _not_one_of(CHANNEL_CODES)),
        *[RowRule("characteristic_code", column,
                  f"must be {describe_codes(CHARACTERISTIC_CODES)} (blank reads as U)",
                  _not_one_of(CHARACTERISTIC_CODES))
          for column in CHARACTERISTIC_COLUMNS],
        *[RowRule("consent_code", column, f"consent must be {describe_codes(CONSENT_CODES)} "
                  "(blank reads as N: consent is never assumed)", _not_one_of(CONSENT_CODES))
          for column in ("consent_quote", "consent_link")],
        RowRule("postcode_sector_format", "postcode_sector", "a postcode sector is the outward "
                "code, a space and one digit, such as OL11 3 (a full postcode is reduced to its "
                "sector)", lambda values: failing_values(
                    values, lambda value: value != "" and sector.fullmatch(value) is None,
                    lambda values: (values != "") & ~values.str.fullmatch(SECTOR_PATTERN))),
    ]
    dated = dates.notna().to_numpy(dtype=bool)
    for column in item_columns:
        item = load.item(column)
        shown = ", ".join(sorted(item.allowed, key=lambda code: (len(code), code)))
        rules.append(RowRule("answer_value", column, f"an answer to {column} ({item.scale}) "
                             f"must be one of {shown}, or blank if not answered",
                             _not_an_answer(item.allowed)))
        versions = (in_force[column] if in_force is not None and column in in_force
                    else versions_in_force(items, column, dates))
        rules.append(RowRule("item_not_in_use", column, f"{column} was not in use on the "
                             f"response date ({item.when}): check the date or the column",
                             _answered_when(dates, dated & versions.isna().to_numpy())))
    return rules


def _not_one_of(codes: Mapping[str, str]) -> Callable[[pd.Series], pd.Series]:
    """`~values.isin(set(codes))`."""
    return lambda values: failing_values(values, lambda value: value not in codes,
                                         lambda values: ~values.isin(set(codes)))


def _not_an_answer(allowed: frozenset[str]) -> Callable[[pd.Series], pd.Series]:
    """`(values != "") & ~values.isin(allowed)`."""
    return lambda values: failing_values(
        values, lambda value: value != "" and value not in allowed,
        lambda values: (values != "") & ~values.isin(allowed))


def _answered_when(dates: pd.Series, flags: np.ndarray) -> Callable[[pd.Series], pd.Series]:
    """`(values != "") & not_in_use`, `flags` being `not_in_use` for the rows of `dates`."""

    def failing(values: pd.Series) -> pd.Series:
        if not values.index.equals(dates.index):
            return (values != "") & pd.Series(flags, index=dates.index)
        return pd.Series((values.to_numpy(dtype=object) != "") & flags, index=values.index)

    return failing


def _area_defects(frame: pd.DataFrame, files: Sequence[str] | str, reference: Reference,
                  neighbourhood_codes: frozenset[str], lookup: Mapping[str, str] | None
                  ) -> list[Defect]:
    """Rows that cannot be placed, or whose sector or neighbourhood is unknown or disagree.

    `files` is the file of every row (or one file for all of them); the defects come rule by
    rule, each in row order.
    """
    sector, hood = frame["postcode_sector"], frame["neighbourhood_code"]
    codes = sorted(neighbourhood_codes)
    known = (", ".join(codes[:8]) + (f" ... ({len(codes)} in all)" if len(codes) > 8 else "")
             ) or "(none known)"
    formed = re.compile(SECTOR_PATTERN)
    well_formed = failing_values(sector, lambda value: formed.fullmatch(value) is not None,
                                 lambda values: values.str.fullmatch(SECTOR_PATTERN))
    defects = _row_defects(
        frame, (sector == "") & (hood == ""), "postcode_sector", "area_missing",
        lambda _: "give the postcode sector (preferred) or the neighbourhood code, so the "
                  "response can be placed", files)
    if reference.sectors is not None:  # None: the lookup could not be read (said elsewhere)
        known_sectors = reference.sectors
        set_aside = reference.sector_problems
        unknown = well_formed & ~failing_values(sector, lambda value: value in known_sectors,
                                                lambda values: values.isin(known_sectors))
        aside = unknown & failing_values(sector, lambda value: value in set_aside,
                                         lambda values: values.isin(set(set_aside)))
        defects += _row_defects(
            frame, aside, "postcode_sector", "postcode_sector_set_aside",
            lambda value: f"sector {value} has its row in the neighbourhood lookup set aside: "
                          f"{set_aside[value]}; correct seeds/neighbourhood_lookup.csv and run "
                          "again", files)
        defects += _row_defects(
            frame, unknown & ~aside,
            "postcode_sector",
            "postcode_sector_unknown",
            lambda value: f"sector {value} is not in the neighbourhood lookup "
                          "(seeds/neighbourhood_lookup.csv): add the sector or correct it",
            files)
    defects += _row_defects(
        frame, (hood != "") & ~failing_values(hood, lambda value: value in neighbourhood_codes,
                                              lambda values: values.isin(neighbourhood_codes)),
        "neighbourhood_code",
        "neighbourhood_unknown",
        lambda value: f"neighbourhood {value} is not in the neighbourhood lookup "
                      f"(seeds/neighbourhood_lookup.csv): use one of {known}", files)
    if lookup:
        placed = _placed(sector, lookup)
        conflict = well_formed & placed.notna() & (hood != "") & (placed != hood)
        defects += _row_defects(
            frame, conflict, "neighbourhood_code", "area_conflict",
            lambda value: f"neighbourhood {value} disagrees with the postcode sector given on "
                          "the same row: correct one of them (the sector is preferred)", files)
    return defects


def _placed(sectors: pd.Series, lookup: Mapping[str, str]) -> pd.Series:
    """The neighbourhood each sector is in (missing where the lookup has none): the values
    of `sectors.map(lookup)`, looked up in Python rather than by a Series made of the
    lookup."""
    if isinstance(lookup, dict) and hasattr(lookup, "__missing__"):
        return sectors.map(lookup)
    places = []
    for sector in sectors.tolist():
        try:
            places.append(lookup.get(sector))
        except TypeError:  # not hashable
            places.append(None)
    return pd.Series(places, index=sectors.index, dtype=object)


def _duplicate_response_ids(frames: Sequence[tuple[str, pd.DataFrame]]) -> list[Defect]:
    if not frames:
        return []
    stacked = pd.concat([frame[["response_id", "_source_row"]].assign(_file=file)
                         for file, frame in frames], ignore_index=True)
    return _duplicates_in(stacked)


def _duplicates_in(stacked: pd.DataFrame) -> list[Defect]:
    """`_duplicate_response_ids` of the rows of `stacked` (with their `_file`)."""
    repeated = stacked[stacked["response_id"].duplicated(keep=False)
                       & (stacked["response_id"].str.strip() != "")]
    defects = []
    for response_id, group in repeated.groupby("response_id", sort=False):
        places = [f"{file} row {row}" for file, row in zip(group["_file"], group["_source_row"],
                                                             strict=True)]
        for file, row in zip(group["_file"], group["_source_row"], strict=True):
            others = "; ".join(place for place in places if place != f"{file} row {row}")
            defects.append(Defect(file, int(row), "response_id", str(response_id),
                                  "duplicate_response_id",
                                  f"response_id '{response_id}' also appears at {others}: "
                                  "each response once a year; keep one and land again"))
    return defects


def _read_checked(landed: LandedFile, account: FileAccount,
                  read: Callable[[Path, str], pd.DataFrame], load: _Load) -> pd.DataFrame:
    """A voice file read and checked as a whole (problems raise FileRejected), with every
    documented area and UPN column and no missing values."""
    display = landed.display
    item_ids = load.item_ids
    try:
        frame = read(landed.path, display)
        account.rows_read = len(frame)
        frame = apply_aliases(frame)
        check_required_columns(frame, VOICE_REQUIRED, display)
        if not any(column in frame.columns for column in AREA_COLUMNS):
            raise FileRejected(Defect(
                display, None, "postcode_sector, neighbourhood_code", "", "required_columns",
                "the file needs a postcode_sector or a neighbourhood_code column to place "
                "responses; nothing was loaded from this file"))
        if not _item_columns(frame, item_ids):
            raise FileRejected(Defect(
                display, None, None, "", "no_item_columns",
                "no column is named after an item in seeds/voice_items.csv (e.g. "
                f"{', '.join(item_ids[:3])}); nothing was loaded from this file"))
        if frame.empty:
            raise FileRejected(Defect(display, None, None, "", "empty_file",
                                      "the file has a header but no rows"))
    except FileRejected as rejected:
        account.status = "rejected"
        account.message = str(rejected.defect)
        if not account.rows_read:  # rejected before its rows could be read: counted anyway
            keywords = getattr(read, "keywords", None) or {}
            account.rows_read = rows_landed(landed.path, keywords.get("sheet"))
        account.rows_quarantined = account.rows_read
        raise
    for column in AREA_COLUMNS + ("child_upn",):
        if column not in frame.columns:
            frame[column] = ""
    return frame.fillna("")


# A year's files are read one by one, then validated and let through the door together, as
# one frame of all their rows (a pandas operation costs about as much on one file as on all
# of them, and a year is a hundred or more files). Everything that depends on the file is
# worked out per row from its file, and put back in the order file-by-file processing gives:
# defects file by file (consent, then rule by rule, then area); answers and quotes file by
# file, then column by column as that file has them, then row by row.

@dataclass
class _Survey:
    """The rows of a load's files that have aggregate consent, normalised, in file order.

    Files lacking an item or comment column that others have get it blank, which is what
    not having it means: not answered, no comment.
    """

    displays: list[str]
    """The files, in order."""
    frame: pd.DataFrame
    file_of: np.ndarray
    """For each row, its file (position in `displays`)."""
    item_columns: list[list[str]]
    """Each file's item columns, in its order."""
    comment_columns: list[list[str]]
    all_items: list[str]
    all_comments: list[str]
    excluded: np.ndarray
    """For each file, responses without consent to aggregate use (set aside)."""
    dates: pd.Series
    in_force: dict[str, pd.Series]
    """item -> the version in use on each row's date."""

    def files(self, positions: np.ndarray | None = None) -> np.ndarray:
        """The file (as displayed) of each row, or of the rows at `positions`."""
        names = np.array(self.displays, dtype=object)
        return names[self.file_of if positions is None else self.file_of[positions]]


CODED_COLUMNS = ("response_id", "response_date", "channel", *CHARACTERISTIC_COLUMNS,
                 "consent_quote", "consent_link", *AREA_COLUMNS)
"""The documented columns that hold codes, dates or identifiers of a response (not free
text, and not `child_upn`, whose problems only drop the link)."""


def _survey(read_files: Sequence[tuple[str, pd.DataFrame]], load: _Load
            ) -> tuple[_Survey, list[list[Defect]], list[list[Defect]]]:
    """The files read, stacked, split by aggregate consent and normalised; and for each file
    its consent defects and its cell defects (`cell_rules` on the values as written, of the
    consenting rows: a control character anywhere but free text, a line break in a code)."""
    displays = [display for display, _ in read_files]
    item_columns = [_item_columns(frame, load.item_ids) for _, frame in read_files]
    comment_columns = [_comment_columns(frame, load.item_ids) for _, frame in read_files]
    frame = pd.concat([frame for _, frame in read_files], ignore_index=True).fillna("")
    file_of = np.repeat(np.arange(len(read_files)), [len(frame) for _, frame in read_files])
    consent = load.consent(frame["consent_aggregate"])
    invalid = ~consent.isin(set(CONSENT_CODES))
    consent_defects = _row_defects(
        frame, invalid, "consent_aggregate", "consent_code",
        lambda value: f"consent_aggregate is '{value}': consent must be "
        f"{describe_codes(CONSENT_CODES)} (blank reads as N: consent is never assumed)",
        file_of)
    excluded = np.bincount(file_of[(consent == "N").to_numpy(dtype=bool)],
                           minlength=len(displays))
    aggregate = (consent == "Y").to_numpy(dtype=bool)
    kept = frame[aggregate].reset_index(drop=True)
    all_items = list(dict.fromkeys(column for columns in item_columns for column in columns))
    all_comments = list(dict.fromkeys(column for columns in comment_columns
                                      for column in columns))
    cell_defects = apply_rules(kept, [*cell_rules([*CODED_COLUMNS, *all_items]),
                                      *[length_rule(column, LONGEST_COMMENT)
                                        for column in all_comments]], "",
                               row_files=file_of[aggregate])
    kept["consent_aggregate"] = "Y"
    kept["response_id"] = _stripped(kept["response_id"])
    kept["channel"] = load.channel(kept["channel"])
    for column in CHARACTERISTIC_COLUMNS:
        kept[column] = load.characteristic(kept[column])
    for column in ("consent_quote", "consent_link"):
        kept[column] = load.consent(kept[column])
    kept["postcode_sector"] = load.sectors(kept["postcode_sector"])
    kept["neighbourhood_code"] = load.hoods(kept["neighbourhood_code"])
    for column in all_items:
        kept[column] = load.normalised_answers(column, kept[column])
    dates = load.parsed_dates(kept["response_date"])
    in_force: dict[str, pd.Series] = {}
    by_starts: dict[tuple[tuple[int, pd.Timestamp], ...], pd.Series] = {}
    for item in dict.fromkeys([*all_items, *(column[: -len(COMMENT_SUFFIX)]
                                             for column in all_comments)]):
        starts = tuple(load.item(item).starts)  # items co-designed together share them
        if starts not in by_starts:
            by_starts[starts] = versions_at(list(starts), dates)
        in_force[item] = by_starts[starts]
    survey = _Survey(displays, kept, file_of[aggregate], item_columns, comment_columns,
                     all_items, all_comments, excluded, dates, in_force)
    return (survey, _share_out(consent_defects, displays),
            _share_out(cell_defects, displays))


def _share_out(defects: Sequence[Defect], displays: Sequence[str]) -> list[list[Defect]]:
    """The defects (in row order, `file` a position in `displays`) file by file."""
    shared: list[list[Defect]] = [[] for _ in displays]
    for defect in defects:
        shared[defect.file].append(replace(defect, file=displays[defect.file]))
    return shared


def _validated(survey: _Survey, year: AcademicYear, reference: Reference,
               codes: frozenset[str], lookup: Mapping[str, str] | None, load: _Load
               ) -> tuple[list[list[Defect]], list[list[Defect]]]:
    """For each file, its rule defects (rule by rule in the order its columns give) and its
    area defects."""
    rules = voice_rules(year, load.items, survey.all_items, survey.dates, load=load,
                        in_force=survey.in_force)
    by_rule: dict[tuple[str, str], list[list[Defect]]] = {
        (rule.rule, rule.column): [[] for _ in survey.displays] for rule in rules}
    for defect in apply_rules(survey.frame, rules, "", row_files=survey.file_of):
        by_rule[(defect.rule, defect.column)][defect.file].append(
            replace(defect, file=survey.displays[defect.file]))
    items = set(survey.all_items)
    fixed = [key for key in by_rule if key[1] not in items]
    per_item = [rule.rule for rule in rules if survey.all_items
                and rule.column == survey.all_items[0]]
    rule_defects = []
    for position, columns in enumerate(survey.item_columns):
        keys = fixed + [(rule, column) for column in columns for rule in per_item]
        rule_defects.append([defect for key in keys for defect in by_rule[key][position]])
    area = _area_defects(survey.frame, survey.file_of, reference, codes, lookup)
    by_area: dict[str, list[list[Defect]]] = {}
    for defect in area:
        by_area.setdefault(defect.rule, [[] for _ in survey.displays])[defect.file].append(
            replace(defect, file=survey.displays[defect.file]))
    area_defects = [[defect for lists in by_area.values() for defect in lists[position]]
                    for position in range(len(survey.displays))]
    return rule_defects, area_defects


@dataclass
class CheckedVoiceYear:
    """One academic year's voice files validated, consent read, nothing pseudonymised or
    scrubbed yet: what `chorus validate` reports, and what `load_voice_year` lets through
    the door."""

    year: AcademicYear
    defects: list[Defect]
    accounts: list[FileAccount]
    ignored_columns: list[tuple[str, str]]
    survey: _Survey | None
    bad_rows: dict[str, set[int]]
    load: _Load


def check_voice_year(
    year: AcademicYear,
    files: Sequence[LandedFile],
    reference: Reference,
    items: pd.DataFrame,
    read: Callable[[Path, str], pd.DataFrame] = read_table,
    *,
    neighbourhood_codes: frozenset[str] | None = None,
    sector_lookup: Mapping[str, str] | None = None,
) -> CheckedVoiceYear:
    """Every rule `load_voice_year` applies, on every voice file of one academic year; no
    pseudonym is made and no text is scrubbed. Arguments as for `load_voice_year`."""
    problems = item_bank_problems(items)
    if problems:
        raise ValueError("the item bank has problems: " + "; ".join(problems))
    codes = (neighbourhood_codes if neighbourhood_codes is not None
             else frozenset((sector_lookup or {}).values()))
    load = _Load(items, reference, codes)
    accounts: list[FileAccount] = []
    landed_frames: list[tuple[str, pd.DataFrame | Defect]] = []
    for landed in files:
        account = FileAccount(landed.display, landed.kind, year.label, sha256_of(landed.path))
        accounts.append(account)
        try:
            landed_frames.append((landed.display, _read_checked(landed, account, read, load)))
        except FileRejected as rejected:
            landed_frames.append((landed.display, rejected.defect))
    read_files = [(display, frame) for display, frame in landed_frames
                  if isinstance(frame, pd.DataFrame)]
    survey = None
    if read_files:
        survey, consent_defects, cell_defects = _survey(read_files, load)
        rule_defects, area_defects = _validated(survey, year, reference, codes, sector_lookup,
                                                load)
    defects: list[Defect] = []
    ignored: list[tuple[str, str]] = []
    position = 0
    for display, frame in landed_frames:
        if isinstance(frame, Defect):
            defects.append(frame)
            continue
        ignored.extend(_ignored_columns(display, frame, load.item_ids))
        # A cell with a control character or a line break is reported for that alone.
        cells = {(defect.row, defect.column) for defect in cell_defects[position]}
        defects.extend(consent_defects[position] + cell_defects[position] + [
            defect for defect in rule_defects[position] + area_defects[position]
            if (defect.row, defect.column) not in cells])
        position += 1
    if survey is not None:
        defects.extend(_duplicates_in(pd.DataFrame({
            "response_id": survey.frame["response_id"],
            "_source_row": survey.frame["_source_row"], "_file": survey.files()})))
    defects = [_safe_defect(defect, load.item_ids) for defect in defects]

    bad_rows: dict[str, set[int]] = {}
    for defect in defects:
        if defect.row is not None:
            bad_rows.setdefault(defect.file, set()).add(defect.row)
    by_file: dict[str, FileAccount] = {}
    for account in accounts:
        by_file.setdefault(account.file, account)
        if account.status == "loaded":
            account.rows_quarantined = len(bad_rows.get(account.file, ()))
            account.rows_loaded = account.rows_read - account.rows_quarantined
    if survey is not None:
        for display, excluded in zip(survey.displays, survey.excluded.tolist(), strict=True):
            if excluded:
                by_file[display].message = (
                    f"{excluded} response(s) without consent to aggregate use set aside: "
                    "counted as loaded, used nowhere")
    return CheckedVoiceYear(year, defects, accounts, ignored, survey, bad_rows, load)


def load_voice_year(
    year: AcademicYear,
    files: Sequence[LandedFile],
    reference: Reference,
    pseudonym_key: str,
    items: pd.DataFrame,
    read: Callable[[Path, str], pd.DataFrame] = read_table,
    *,
    neighbourhood_codes: frozenset[str] | None = None,
    sector_lookup: Mapping[str, str] | None = None,
    allow_words: Iterable[str] = (),
) -> VoiceLoad:
    """Validate every voice file landed for one academic year and apply consent at the door.

    `items` is the whole item bank (`load_item_bank`); it must have no problems.
    `neighbourhood_codes` are the valid codes (default: the values of `sector_lookup`);
    `sector_lookup` (postcode sector -> neighbourhood code, from the LA's lookup) fills
    `neighbourhood_code` from the sector and checks the two agree when both are given.
    `allow_words` may appear capitalised in quotes (e.g. the neighbourhoods' names).
    The rules are `check_voice_year`'s, the same `chorus validate` applies.
    """
    checked = check_voice_year(year, files, reference, items, read,
                               neighbourhood_codes=neighbourhood_codes,
                               sector_lookup=sector_lookup)
    survey = checked.survey
    if survey is None:
        return VoiceLoad(year=year, responses=empty_frame(RESPONSE_COLUMNS),
                         answers=empty_frame(ANSWER_COLUMNS), quotes=empty_frame(QUOTE_COLUMNS),
                         door_log=empty_frame(DOOR_LOG_COLUMNS), defects=checked.defects,
                         accounts=checked.accounts, ignored_columns=checked.ignored_columns)
    responses, answers, quotes, door_log, help_requests = _door(
        survey, checked.bad_rows, year, pseudonym_key, checked.load, sector_lookup,
        tuple(allow_words))
    return VoiceLoad(year=year, responses=responses, answers=answers, quotes=quotes,
                     door_log=door_log, defects=checked.defects, accounts=checked.accounts,
                     ignored_columns=checked.ignored_columns, help_requests=help_requests)


def _ignored_columns(display: str, frame: pd.DataFrame, item_ids: Sequence[str]
                     ) -> list[tuple[str, str]]:
    return [(display, column) for column in frame.columns
            if not column.startswith("_") and column not in RESPONDENT_COLUMNS
            and column not in item_ids
            and not (column.endswith(COMMENT_SUFFIX)
                     and column[: -len(COMMENT_SUFFIX)] in item_ids)]


def _concat(frames: Sequence[pd.DataFrame], columns: Sequence[str]) -> pd.DataFrame:
    frames = [frame for frame in frames if not frame.empty]
    if not frames:
        return empty_frame(columns)
    return _typed(pd.concat(frames, ignore_index=True)[list(columns)])


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype({column: _DTYPES.get(column, "string")
                         for column in frame.columns})


def _good_rows(survey: _Survey, bad_rows: Mapping[str, set[int]]) -> np.ndarray:
    """For each row of the survey, whether it has no defect."""
    good = np.ones(len(survey.frame), dtype=bool)
    rows = survey.frame["_source_row"].to_numpy()
    bounds = np.searchsorted(survey.file_of, np.arange(len(survey.displays) + 1))
    for position, display in enumerate(survey.displays):
        bad = bad_rows.get(display)
        if bad:
            start, stop = bounds[position], bounds[position + 1]
            good[start:stop] = [row not in bad for row in rows[start:stop].tolist()]
    return good


def _door(survey: _Survey, bad_rows: Mapping[str, set[int]], year: AcademicYear, key: str,
          load: _Load, lookup: Mapping[str, str] | None, allow: tuple[str, ...]
          ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Responses, answers, quotes, the door log and requests for help for every file's good
    rows."""
    keep = _good_rows(survey, bad_rows)
    frame = survey.frame[keep]
    dates = survey.dates[keep]
    file_of = survey.file_of[keep]
    files = len(survey.displays)
    counts = {measure: np.zeros(files, dtype=np.int64) for measure in DOOR_MEASURES}
    counts["excluded_no_aggregate_consent"] = survey.excluded
    counts["responses_loaded"] = np.bincount(file_of, minlength=files)

    def per_file(flags: np.ndarray) -> np.ndarray:
        return np.bincount(file_of[flags], minlength=files)

    upns = _normalise_upns(frame["child_upn"])
    given_upn = upns.to_numpy(dtype=object) != ""
    linked = frame["consent_link"].to_numpy(dtype=object) == "Y"
    valid = load.valid_upn(upns).to_numpy(dtype=bool)
    use = linked & valid
    child_ids = np.full(len(frame), None, dtype=object)
    if use.any():
        child_ids[use] = pseudonymise(upns[use], key).to_numpy(dtype=object)
    counts["upn_linked"] = per_file(use)
    counts["upn_dropped_no_link_consent"] = per_file(given_upn & ~linked)
    counts["upn_dropped_invalid"] = per_file(given_upn & linked & ~valid)
    counts["link_consent_without_upn"] = per_file(~given_upn & linked)

    sector = frame["postcode_sector"].where(frame["postcode_sector"] != "")
    hood = frame["neighbourhood_code"].where(frame["neighbourhood_code"] != "")
    if lookup:
        hood = _placed(sector, lookup).fillna(hood)
    responses = pd.DataFrame({
        "academic_year": year.label,
        "time_period": year.time_period,
        "response_id": frame["response_id"],
        "response_month": per_distinct(dates, lambda dates: dates.dt.strftime("%Y-%m")),
        "postcode_sector": sector,
        "neighbourhood_code": hood,
        "channel": frame["channel"],
        **{column: frame[column] for column in CHARACTERISTIC_COLUMNS},
        **{column: frame[column] for column in CONSENT_COLUMNS},
        "child_id": pd.Series(child_ids, index=frame.index, dtype="string"),
        "_source_file": survey.files(np.flatnonzero(keep)),
        "_source_row": frame["_source_row"],
    }, index=frame.index)

    response_ids = frame["response_id"].to_numpy()
    item_order = [{column: order for order, column in enumerate(columns)}
                  for columns in survey.item_columns]
    answered_items: list[str] = []
    parts: dict[str, list[np.ndarray]] = {column: [] for column in (
        "file", "order", "row", "response_id", "item_id", "item_version", "missing", "answer",
        "is_positive", "score")}
    for column in survey.all_items:
        values = frame[column].to_numpy(dtype=object)
        answered = np.flatnonzero(values != "")  # files without the column have it blank
        if not len(answered):
            continue
        in_force = survey.in_force[column]
        number = in_force.to_numpy(dtype="int64", na_value=0)[keep][answered]
        missing = in_force.isna().to_numpy()[keep][answered]
        answers = values[answered].tolist()
        positive = load.item(column).positive
        if not missing.any() and (number == number[0]).all():  # one version, as usual
            is_positive = np.fromiter(map(positive.get(int(number[0]), set()).__contains__,
                                          answers), dtype=bool, count=len(answers))
        else:
            is_positive = np.fromiter(
                (answer in positive.get(None if gap else int(version), ())
                 for answer, version, gap in zip(answers, number, missing, strict=True)),
                dtype=bool, count=len(answers))
        answer_files = file_of[answered]
        parts["file"].append(answer_files)
        parts["order"].append(np.array([order.get(column, -1) for order in item_order],
                                       dtype=np.int64)[answer_files])
        parts["row"].append(answered)
        parts["response_id"].append(response_ids[answered])
        parts["item_id"].append(np.full(len(answered), len(answered_items)))
        answered_items.append(column)
        parts["item_version"].append(number)
        parts["missing"].append(missing)
        parts["answer"].append(values[answered])
        parts["is_positive"].append(is_positive)
        parts["score"].append(load.item_scores(column, answers, frame[column].dtype))
    if parts["file"]:
        joined = {name: np.concatenate(arrays) for name, arrays in parts.items()}
        order = np.lexsort((joined["row"], joined["order"], joined["file"]))
        answer_frame = _typed(pd.DataFrame({
            "academic_year": year.label,
            "time_period": year.time_period,
            "response_id": joined["response_id"][order],
            "item_id": np.array(answered_items, dtype=object)[joined["item_id"][order]],
            "item_version": pd.arrays.IntegerArray(joined["item_version"][order],
                                                   joined["missing"][order]),
            "answer": joined["answer"][order],
            "is_positive": joined["is_positive"][order],
            "score": joined["score"][order],
        }))
    else:
        answer_frame = empty_frame(ANSWER_COLUMNS)

    neighbourhoods = responses["neighbourhood_code"].to_numpy()
    quote_consent = frame["consent_quote"].to_numpy(dtype=object) == "Y"
    comment_order = [{column: order for order, column in enumerate(columns)}
                     for columns in survey.comment_columns]
    quotes: list[tuple[int, int, int, dict[str, object]]] = []
    helps: list[tuple[int, int, int, dict[str, object]]] = []
    label, time_period = year.label, year.time_period
    days = None
    for column in survey.all_comments:
        item = column[: -len(COMMENT_SUFFIX)]
        text = [CONTROL_CHARACTER.sub(" ", value).strip()  # free text: read as spaces
                for value in frame[column].astype(str).tolist()]
        written = np.array([value != "" for value in text], dtype=bool)
        asking = np.zeros(len(text), dtype=bool)
        reasons: dict[int, str] = {}
        for position in np.flatnonzero(written).tolist():
            reason = follow_up_reason(text[position])
            if reason is not None:
                asking[position] = True
                reasons[position] = reason
        if asking.any():
            if days is None:
                days = per_distinct(dates, lambda dates: dates.dt.strftime("%Y-%m-%d"))
                days = days.to_numpy(dtype=object)
            counts["comments_asking_for_help"] += per_file(asking)
            for position in np.flatnonzero(asking).tolist():
                file = int(file_of[position])
                helps.append((file, comment_order[file][column], position, {
                    "academic_year": label, "response_id": response_ids[position],
                    "item_id": item, "reason": reasons[position],
                    "response_date": days[position],
                    "channel": frame["channel"].iloc[position],
                    "neighbourhood_code": neighbourhoods[position],
                    "file": survey.displays[file],
                    "row": int(frame["_source_row"].iloc[position]),
                }))
        consented = written & quote_consent
        counts["comments_discarded_no_quote_consent"] += per_file(written & ~consented)
        version = survey.in_force[item][keep].to_numpy(dtype=object, na_value=None)
        for position in np.flatnonzero(consented).tolist():
            file = int(file_of[position])
            if asking[position]:
                counts["quotes_withheld"][file] += 1  # a request for help is not a quote
                continue
            result = load.scrub(text[position], allow)
            if result.withheld or version[position] is None or not on_topic(result.text):
                counts["quotes_withheld"][file] += 1
                continue
            counts["quotes_published"][file] += 1
            quotes.append((file, comment_order[file][column], position, {
                "academic_year": label, "time_period": time_period,
                "response_id": response_ids[position], "item_id": item,
                "item_version": int(version[position]),
                "neighbourhood_code": neighbourhoods[position],
                "quote": result.text,
            }))
    helps.sort(key=lambda request: request[:3])
    help_frame = (_typed(pd.DataFrame([request for *_, request in helps],
                                      columns=list(HELP_COLUMNS)))
                  if helps else empty_frame(HELP_COLUMNS))
    quotes.sort(key=lambda quote: quote[:3])
    quote_frame = (_typed(pd.DataFrame([quote for *_, quote in quotes],
                                       columns=list(QUOTE_COLUMNS)))
                   if quotes else empty_frame(QUOTE_COLUMNS))
    log = pd.DataFrame([(year.label, display, measure, int(counts[measure][position]))
                        for position, display in enumerate(survey.displays)
                        for measure in DOOR_MEASURES], columns=list(DOOR_LOG_COLUMNS))
    return (_concat([responses], RESPONSE_COLUMNS), answer_frame, quote_frame, _typed(log),
            help_frame)
