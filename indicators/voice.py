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
  consent it is discarded unread. Unscrubbed text never leaves this module.

Blank consent means no consent; it is never assumed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
from stdnum.gb import upn as stdnum_upn

from indicators.ingest import FileAccount, Reference, read_table
from indicators.landing import LandedFile, sha256_of
from indicators.privacy import postcode_sector, pseudonymise
from indicators.quotes import may_identify, scrub
from indicators.reference import AcademicYear
from indicators.validation import (
    POSTCODE_PATTERN,
    UPN_PATTERN,
    Defect,
    FileRejected,
    RowRule,
    apply_rules,
    check_required_columns,
    describe_codes,
    parse_dates,
)
from indicators.voice_items import (
    item_bank_problems,
    normalise_answers,
    parse_positive,
    scores,
    valid_answers,
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
)

RESPONSE_COLUMNS = ("academic_year", "time_period", "response_id", "response_month",
                    "postcode_sector", "neighbourhood_code", "channel", *CHARACTERISTIC_COLUMNS,
                    *CONSENT_COLUMNS, "child_id", "_source_file", "_source_row")
ANSWER_COLUMNS = ("academic_year", "time_period", "response_id", "item_id", "item_version",
                  "answer", "is_positive", "score")
QUOTE_COLUMNS = ("academic_year", "time_period", "response_id", "item_id", "item_version",
                 "neighbourhood_code", "quote")
DOOR_LOG_COLUMNS = ("academic_year", "file", "measure", "count")
_DTYPES = {"time_period": "int64", "_source_row": "int64", "item_version": "Int64",
                    "count": "int64", "is_positive": "bool", "score": "float64"}


@dataclass
class VoiceLoad:
    """One academic year's voice responses after validation and privacy at the door.

    responses  one row per usable response (aggregate consent given, no defect)
    answers    one row per answered item (blank = not answered, so absent)
    quotes     publishable, scrubbed free text (quote consent given)
    door_log   per file, how many rows or values each privacy rule set aside (DOOR_MEASURES)
    """

    year: AcademicYear
    responses: pd.DataFrame
    answers: pd.DataFrame
    quotes: pd.DataFrame
    door_log: pd.DataFrame
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
    return frame.rename(columns=renames)


def _strip_time(values: pd.Series) -> pd.Series:
    """'2023-10-05 14:32:00' or '05/10/2023 14:32' -> the date part."""
    return values.str.replace(
        r"^\s*(\S+?)(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?\s*$",
        r"\1", regex=True)


def parse_response_dates(values: pd.Series) -> pd.Series:
    """ISO or dd/mm/yyyy dates, with or without a time of day; anything else is NaT."""
    return parse_dates(_strip_time(values.fillna("").astype(str)))


def _codes(values: pd.Series, synonyms: Mapping[str, str], blank: str | None) -> pd.Series:
    text = values.fillna("").astype(str).str.strip().str.upper()
    text = text.replace(synonyms)
    return text.where(text != "", blank) if blank is not None else text


YES_NO = {"YES": "Y", "NO": "N"}
YES_NO_UNKNOWN = {**YES_NO, "UNKNOWN": "U", "DON'T KNOW": "U", "NOT KNOWN": "U"}


def _normalise_sectors(values: pd.Series) -> pd.Series:
    """Upper case, one space; a full postcode is reduced to its sector at once."""
    text = values.fillna("").astype(str).str.upper().str.strip().str.replace(
        r"\s+", " ", regex=True)
    full = text.str.fullmatch(POSTCODE_PATTERN)
    return text.where(~full, postcode_sector(text.where(full, "XX0 0XX")).astype(str))


def _normalise_upns(values: pd.Series) -> pd.Series:
    return values.fillna("").astype(str).str.replace(r"\s+", "", regex=True).str.upper()


def _valid_upn(values: pd.Series) -> pd.Series:
    well_formed = values.str.fullmatch(UPN_PATTERN).astype(bool)
    checked = {value: bool(stdnum_upn.is_valid(value)) for value in values[well_formed].unique()}
    return well_formed & values.map(lambda value: checked.get(value, False)).astype(bool)


def _item_columns(frame: pd.DataFrame, item_ids: Iterable[str]) -> list[str]:
    known = set(item_ids)
    return [column for column in frame.columns if column in known]


def _comment_columns(frame: pd.DataFrame, item_ids: Iterable[str]) -> list[str]:
    known = set(item_ids)
    return [column for column in frame.columns
            if column.endswith(COMMENT_SUFFIX) and column[: -len(COMMENT_SUFFIX)] in known]


def _row_defects(frame: pd.DataFrame, mask: pd.Series, column: str, rule: str,
                 message: Callable[[str], str], file: str) -> list[Defect]:
    return [Defect(file, int(row), column, value, rule, message(value))
            for row, value in zip(frame.loc[mask, "_source_row"], frame.loc[mask, column],
                                  strict=True)]


def _safe_defect(defect: Defect) -> Defect:
    """A defect whose value might identify someone (a name typed as an answer) is withheld."""
    if defect.column in {"response_id", "response_date"} or not defect.value:
        return defect
    if defect.column == "postcode_sector" and re.fullmatch(SECTOR_PATTERN, defect.value):
        return defect
    if not may_identify(defect.value):
        return defect
    return replace(defect, value=WITHHELD_VALUE,
                   message=defect.message.replace(defect.value, WITHHELD_VALUE))


def voice_rules(year: AcademicYear, items: pd.DataFrame, item_columns: Sequence[str],
                dates: pd.Series) -> list[RowRule]:
    """Row rules for consenting responses. `dates` are the rows' parsed response dates."""
    first = pd.Timestamp(year.start, 9, 1)
    last = pd.Timestamp(year.start + 1, 8, 31)

    def outside_year(values: pd.Series) -> pd.Series:
        parsed = parse_response_dates(values)
        return parsed.notna() & ((parsed < first) | (parsed > last))

    rules = [
        RowRule("response_id_blank", "response_id", "every response needs a response_id",
                lambda values: values.str.strip() == ""),
        RowRule("response_date_format", "response_date", "the response date must be a date "
                "such as 2023-10-05 or 05/10/2023 (a time of day may follow)",
                lambda values: parse_response_dates(values).isna()),
        RowRule("response_date_in_year", "response_date", f"a response in {year.label} is "
                f"dated between {first:%d %B %Y} and {last:%d %B %Y}: check the date or land "
                "the file under the right year", outside_year),
        RowRule("channel_code", "channel", f"channel must be one of {', '.join(CHANNEL_CODES)}",
                lambda values: ~values.isin(set(CHANNEL_CODES))),
        *[RowRule("characteristic_code", column,
                  f"must be {describe_codes(CHARACTERISTIC_CODES)} (blank reads as U)",
                  lambda values: ~values.isin(set(CHARACTERISTIC_CODES)))
          for column in CHARACTERISTIC_COLUMNS],
        *[RowRule("consent_code", column, f"consent must be {describe_codes(CONSENT_CODES)} "
                  "(blank reads as N: consent is never assumed)",
                  lambda values: ~values.isin(set(CONSENT_CODES)))
          for column in ("consent_quote", "consent_link")],
        RowRule("postcode_sector_format", "postcode_sector", "a postcode sector is the outward "
                "code, a space and one digit, such as OL11 3 (a full postcode is reduced to its "
                "sector)", lambda values: (values != "") & ~values.str.fullmatch(SECTOR_PATTERN)),
    ]
    bank = items.drop_duplicates("item_id").set_index("item_id")
    for column in item_columns:
        scale = bank.loc[column, "response_scale"]
        allowed = valid_answers(scale)
        shown = ", ".join(sorted(allowed, key=lambda code: (len(code), code)))
        rules.append(RowRule("answer_value", column, f"an answer to {column} ({scale}) must be "
                             f"one of {shown}, or blank if not answered",
                             lambda values, allowed=allowed: (values != "")
                             & ~values.isin(allowed)))
        in_force = versions_in_force(items, column, dates)
        first_use = items.loc[(items["item_id"] == column) & (items["status"] != "draft"),
                              "co_designed_on"].min()
        when = f"first version in use from {first_use}" if isinstance(first_use, str) else (
            "no version is in use yet: it is a draft")
        rules.append(RowRule("item_not_in_use", column, f"{column} was not in use on the "
                             f"response date ({when}): check the date or the column",
                             lambda values, in_force=in_force: (values != "")
                             & dates.notna() & in_force.isna()))
    return rules


def _area_defects(frame: pd.DataFrame, file: str, reference: Reference,
                  neighbourhood_codes: frozenset[str], lookup: Mapping[str, str] | None
                  ) -> list[Defect]:
    sector, hood = frame["postcode_sector"], frame["neighbourhood_code"]
    codes = sorted(neighbourhood_codes)
    known = (", ".join(codes[:8]) + (f" ... ({len(codes)} in all)" if len(codes) > 8 else "")
             ) or "(none known)"
    well_formed = sector.str.fullmatch(SECTOR_PATTERN)
    defects = _row_defects(
        frame, (sector == "") & (hood == ""), "postcode_sector", "area_missing",
        lambda _: "give the postcode sector (preferred) or the neighbourhood code, so the "
                  "response can be placed", file)
    if reference.sectors is not None:  # None: the lookup could not be read (said elsewhere)
        defects += _row_defects(
            frame, well_formed & ~sector.isin(reference.sectors), "postcode_sector",
            "postcode_sector_unknown",
            lambda value: f"sector {value} is not in the neighbourhood lookup "
                          "(seeds/neighbourhood_lookup.csv): add the sector or correct it",
            file)
    defects += _row_defects(
        frame, (hood != "") & ~hood.isin(neighbourhood_codes), "neighbourhood_code",
        "neighbourhood_unknown",
        lambda value: f"neighbourhood {value} is not in the neighbourhood lookup "
                      f"(seeds/neighbourhood_lookup.csv): use one of {known}", file)
    if lookup:
        placed = sector.map(lookup)
        conflict = well_formed & placed.notna() & (hood != "") & (placed != hood)
        defects += _row_defects(
            frame, conflict, "neighbourhood_code", "area_conflict",
            lambda value: f"neighbourhood {value} disagrees with the postcode sector given on "
                          "the same row: correct one of them (the sector is preferred)", file)
    return defects


def _duplicate_response_ids(frames: Sequence[tuple[str, pd.DataFrame]]) -> list[Defect]:
    if not frames:
        return []
    stacked = pd.concat([frame[["response_id", "_source_row"]].assign(_file=file)
                         for file, frame in frames], ignore_index=True)
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


@dataclass
class _FileRows:
    """A read file, split by aggregate consent."""

    display: str
    frame: pd.DataFrame
    """Rows with aggregate consent, normalised."""
    excluded: int
    item_columns: list[str]
    comment_columns: list[str]
    dates: pd.Series


def _read_voice_file(landed: LandedFile, account: FileAccount, items: pd.DataFrame,
                     read: Callable[[Path, str], pd.DataFrame]
                     ) -> tuple[_FileRows, list[Defect], list[tuple[str, str]]]:
    display = landed.display
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
        item_ids = items["item_id"].unique().tolist()
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
        account.rows_quarantined = account.rows_read
        raise
    item_ids = items["item_id"].unique().tolist()
    ignored = [(display, column) for column in frame.columns
               if not column.startswith("_") and column not in RESPONDENT_COLUMNS
               and column not in item_ids
               and not (column.endswith(COMMENT_SUFFIX)
                        and column[: -len(COMMENT_SUFFIX)] in item_ids)]
    for column in AREA_COLUMNS + ("child_upn",):
        if column not in frame.columns:
            frame[column] = ""
    frame = frame.fillna("")
    consent = _codes(frame["consent_aggregate"], YES_NO, blank="N")
    invalid = ~consent.isin(set(CONSENT_CODES))
    defects = [Defect(display, int(row), "consent_aggregate", value, "consent_code",
                      f"consent_aggregate is '{value}': consent must be "
                      f"{describe_codes(CONSENT_CODES)} (blank reads as N: consent is never "
                      "assumed)")
               for row, value in zip(frame.loc[invalid, "_source_row"],
                                     frame.loc[invalid, "consent_aggregate"], strict=True)]
    excluded = int((consent == "N").sum())
    kept = frame[consent == "Y"].copy()
    kept["consent_aggregate"] = "Y"
    kept["response_id"] = kept["response_id"].astype(str).str.strip()
    kept["channel"] = (kept["channel"].astype(str).str.strip().str.lower()
                       .str.replace(r"[\s\-]+", "_", regex=True))
    for column in CHARACTERISTIC_COLUMNS:
        kept[column] = _codes(kept[column], YES_NO_UNKNOWN, blank="U")
    for column in ("consent_quote", "consent_link"):
        kept[column] = _codes(kept[column], YES_NO, blank="N")
    kept["postcode_sector"] = _normalise_sectors(kept["postcode_sector"])
    kept["neighbourhood_code"] = kept["neighbourhood_code"].astype(str).str.strip().str.upper()
    bank = items.drop_duplicates("item_id").set_index("item_id")
    item_columns = _item_columns(kept, item_ids)
    for column in item_columns:
        kept[column] = normalise_answers(bank.loc[column, "response_scale"], kept[column])
    dates = parse_response_dates(kept["response_date"])
    return (_FileRows(display, kept, excluded, item_columns, _comment_columns(kept, item_ids),
                      dates), defects, ignored)


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
    """
    problems = item_bank_problems(items)
    if problems:
        raise ValueError("the item bank has problems: " + "; ".join(problems))
    codes = (neighbourhood_codes if neighbourhood_codes is not None
             else frozenset((sector_lookup or {}).values()))
    allow = tuple(allow_words)
    defects: list[Defect] = []
    accounts: list[FileAccount] = []
    ignored: list[tuple[str, str]] = []
    read_files: list[_FileRows] = []
    for landed in files:
        account = FileAccount(landed.display, landed.kind, year.label, sha256_of(landed.path))
        accounts.append(account)
        try:
            rows, consent_defects, file_ignored = _read_voice_file(landed, account, items, read)
        except FileRejected as rejected:
            defects.append(rejected.defect)
            continue
        defects.extend(consent_defects)
        ignored.extend(file_ignored)
        rules = voice_rules(year, items, rows.item_columns, rows.dates)
        defects.extend(apply_rules(rows.frame, rules, rows.display))
        defects.extend(_area_defects(rows.frame, rows.display, reference, codes, sector_lookup))
        read_files.append(rows)
    defects.extend(_duplicate_response_ids([(rows.display, rows.frame) for rows in read_files]))
    defects = [_safe_defect(defect) for defect in defects]

    bad_rows = {(d.file, d.row) for d in defects if d.row is not None}
    for account in accounts:
        if account.status == "loaded":
            account.rows_quarantined = sum(1 for file, _ in bad_rows if file == account.file)
            account.rows_loaded = account.rows_read - account.rows_quarantined
    responses, answers, quotes, logs = [], [], [], []
    for rows in read_files:
        bad = {row for file, row in bad_rows if file == rows.display}
        good = ~rows.frame["_source_row"].isin(bad)
        parts = _door(rows, good, year, pseudonym_key, items, sector_lookup, allow)
        responses.append(parts[0])
        answers.append(parts[1])
        quotes.append(parts[2])
        logs.append(parts[3])
        account = next(a for a in accounts if a.file == rows.display)
        if rows.excluded:
            account.message = (f"{rows.excluded} response(s) without consent to aggregate use "
                               "set aside: counted as loaded, used nowhere")
    return VoiceLoad(
        year=year,
        responses=_concat(responses, RESPONSE_COLUMNS),
        answers=_concat(answers, ANSWER_COLUMNS),
        quotes=_concat(quotes, QUOTE_COLUMNS),
        door_log=_concat(logs, DOOR_LOG_COLUMNS),
        defects=defects,
        accounts=accounts,
        ignored_columns=ignored,
    )


def _concat(frames: Sequence[pd.DataFrame], columns: Sequence[str]) -> pd.DataFrame:
    frames = [frame for frame in frames if not frame.empty]
    if not frames:
        return empty_frame(columns)
    return _typed(pd.concat(frames, ignore_index=True)[list(columns)])


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype({column: _DTYPES.get(column, "string")
                         for column in frame.columns})


def _door(rows: _FileRows, good: pd.Series, year: AcademicYear, key: str,
          items: pd.DataFrame, lookup: Mapping[str, str] | None, allow: tuple[str, ...]
          ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Responses, answers, quotes and the door log for one file's good rows."""
    frame = rows.frame[good]
    dates = rows.dates[good]
    counts = dict.fromkeys(DOOR_MEASURES, 0)
    counts["excluded_no_aggregate_consent"] = rows.excluded
    counts["responses_loaded"] = len(frame)

    upns = _normalise_upns(frame["child_upn"])
    linked = frame["consent_link"] == "Y"
    valid = _valid_upn(upns)
    child_id = pd.Series(pd.NA, index=frame.index, dtype="string")
    use = linked & valid
    if use.any():
        child_id[use] = pseudonymise(upns[use], key)
    counts["upn_linked"] = int(use.sum())
    counts["upn_dropped_no_link_consent"] = int(((upns != "") & ~linked).sum())
    counts["upn_dropped_invalid"] = int(((upns != "") & linked & ~valid).sum())
    counts["link_consent_without_upn"] = int(((upns == "") & linked).sum())

    sector = frame["postcode_sector"].where(frame["postcode_sector"] != "")
    hood = frame["neighbourhood_code"].where(frame["neighbourhood_code"] != "")
    if lookup:
        hood = sector.map(lookup).fillna(hood)
    responses = pd.DataFrame({
        "academic_year": year.label,
        "time_period": year.time_period,
        "response_id": frame["response_id"],
        "response_month": dates.dt.strftime("%Y-%m"),
        "postcode_sector": sector,
        "neighbourhood_code": hood,
        "channel": frame["channel"],
        **{column: frame[column] for column in CHARACTERISTIC_COLUMNS},
        **{column: frame[column] for column in CONSENT_COLUMNS},
        "child_id": child_id,
        "_source_file": rows.display,
        "_source_row": frame["_source_row"],
    }, index=frame.index)

    answers = []
    for column in rows.item_columns:
        answered = frame[column] != ""
        if not answered.any():
            continue
        version = versions_in_force(items, column, dates)[answered]
        values = frame.loc[answered, column]
        positive = pd.Series(False, index=values.index)
        for _, item_row in items[items["item_id"] == column].iterrows():
            this_version = version == item_row["version"]
            positive |= this_version & values.isin(
                parse_positive(item_row["response_scale"], item_row["positive_responses"]))
        answers.append(pd.DataFrame({
            "academic_year": year.label,
            "time_period": year.time_period,
            "response_id": frame.loc[answered, "response_id"],
            "item_id": column,
            "item_version": version,
            "answer": values,
            "is_positive": positive.astype(bool),
            "score": scores(items.loc[items["item_id"] == column, "response_scale"].iloc[0],
                            values),
        }))

    quotes = []
    for column in rows.comment_columns:
        item = column[: -len(COMMENT_SUFFIX)]
        text = frame[column].astype(str).str.strip()
        written = text != ""
        consented = written & (frame["consent_quote"] == "Y")
        counts["comments_discarded_no_quote_consent"] += int((written & ~consented).sum())
        version = versions_in_force(items, item, dates)
        for index in frame.index[consented]:
            result = scrub(text[index], allow=allow)
            if result.withheld or pd.isna(version[index]):
                counts["quotes_withheld"] += 1
                continue
            counts["quotes_published"] += 1
            quotes.append({
                "academic_year": year.label, "time_period": year.time_period,
                "response_id": frame.at[index, "response_id"], "item_id": item,
                "item_version": int(version[index]),
                "neighbourhood_code": responses.at[index, "neighbourhood_code"],
                "quote": result.text,
            })
    log = pd.DataFrame({"academic_year": year.label, "file": rows.display,
                        "measure": list(counts), "count": list(counts.values())})
    return (responses,
            pd.concat(answers, ignore_index=True) if answers else empty_frame(ANSWER_COLUMNS),
            pd.DataFrame(quotes, columns=list(QUOTE_COLUMNS)),
            log)
