"""The voice survey as it is landed and as it is loaded: its columns by role, codes and
form-tool headers from its source spec (`SurveyShape`, sources/voice/base.yml), and the
frames a year's load gives (`VoiceLoad`: responses, answers, quotes, the door log and the
requests for help).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from indicators.ingest.defects import Defect
from indicators.ingest.landing import FileAccount
from indicators.reference import AcademicYear
from indicators.sources.load import load_sources
from indicators.sources.spec import Column, SourceSpec

SECTOR_PATTERN = r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9]"
"""`format: postcode_sector` in a spec: the outward code, a space and one digit."""


@dataclass(frozen=True)
class SurveyShape:
    """The survey's columns by role, from its source spec (the one with `items:`): the
    engine here (survey_check, survey_rules, survey) reads a survey through these."""

    spec: SourceSpec
    kind: str
    key: str
    date: Column
    """The date of the response (its format and window)."""
    sector: str
    neighbourhood: str
    required: tuple[str, ...]
    area_columns: tuple[str, ...]
    """The placement columns (sector, neighbourhood): a file needs at least one."""
    coded: tuple[Column, ...]
    """Columns with a code list, besides the aggregate consent (checked at the door)."""
    aggregate: Column
    quote: str
    link: str
    linked_id: Column
    """The column pseudonymised when `link` is Y (the child's UPN)."""
    comment_suffix: str
    longest_comment: int

    @property
    def respondent_columns(self) -> frozenset[str]:
        return frozenset(self.spec.names)

    @property
    def header_aliases(self) -> dict[str, str]:
        return self.spec.header_aliases

    @property
    def response_columns(self) -> tuple[str, ...]:
        return self.spec.raw_columns

    @property
    def consent_columns(self) -> tuple[str, ...]:
        return (self.aggregate.name, self.quote, self.link)


def survey_spec() -> SourceSpec:
    """The survey's spec: the source whose answers come from an item bank."""
    surveys = [spec for spec in load_sources().values() if spec.items]
    if len(surveys) != 1:
        raise ValueError(
            "exactly one source spec may declare items: (the voice survey); found "
            f"{', '.join(spec.source for spec in surveys) or 'none'}"
        )
    return surveys[0]


_SHAPES: dict[str, SurveyShape] = {}


def shape() -> SurveyShape:
    spec = survey_spec()
    if spec.digest not in _SHAPES:
        _SHAPES[spec.digest] = _shape(spec)
    return _SHAPES[spec.digest]


def _shape(spec: SourceSpec) -> SurveyShape:
    consent = spec.consent
    pseudonymised = [c for c in spec.with_handling("pseudonymise") if c.identifier.consent]
    placement = spec.placement
    return SurveyShape(
        spec=spec,
        kind=spec.source,
        key=spec.key[0],
        date=next(c for c in spec.columns if c.window is not None),
        sector=placement["column"],
        neighbourhood=placement["neighbourhood"],
        required=spec.required,
        area_columns=(placement["column"], placement["neighbourhood"]),
        coded=tuple(
            c for c in spec.columns if c.codes is not None and c.name != consent["aggregate"]
        ),
        aggregate=spec.column(consent["aggregate"]),
        quote=consent["quote"],
        link=consent["link"],
        linked_id=pseudonymised[0],
        comment_suffix=str(spec.free_text["columns"]).replace("{item}", ""),
        longest_comment=spec.longest_free_text,
    )


WITHHELD_VALUE = "(withheld: may identify someone)"
DOOR_MEASURES = (
    "responses_loaded",
    "excluded_no_aggregate_consent",
    "upn_linked",
    "upn_dropped_no_link_consent",
    "upn_dropped_invalid",
    "link_consent_without_upn",
    "comments_discarded_no_quote_consent",
    "quotes_published",
    "quotes_withheld",
    "comments_asking_for_help",
)

ANSWER_COLUMNS = (
    "academic_year",
    "time_period",
    "response_id",
    "item_id",
    "item_version",
    "answer",
    "is_positive",
    "score",
)
QUOTE_COLUMNS = (
    "academic_year",
    "time_period",
    "response_id",
    "item_id",
    "item_version",
    "neighbourhood_code",
    "quote",
)
HELP_COLUMNS = (
    "academic_year",
    "response_id",
    "item_id",
    "reason",
    "response_date",
    "channel",
    "neighbourhood_code",
    "file",
    "row",
)
"""A request for help, as a practitioner needs it to act: who (response id), about what
(item), why (`reason`: help_requests.HARM, a possible disclosure of harm, a safeguarding
matter to read first; or help_requests.HELP), when, how it reached us, where, and where the
landed row is. Never published."""
DOOR_LOG_COLUMNS = ("academic_year", "file", "measure", "count")
_DTYPES = {
    "time_period": "int64",
    "_source_row": "int64",
    "item_version": "Int64",
    "row": "int64",
    "count": "int64",
    "is_positive": "bool",
    "score": "float64",
}


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
    return pd.DataFrame(
        {column: pd.Series(dtype=_DTYPES.get(column, "string")) for column in columns}
    )


def apply_aliases(frame: pd.DataFrame, aliases: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Rename form-tool headers to the documented names (where the documented one is absent):
    the `aliases:` of the survey spec's columns."""
    aliases = shape().header_aliases if aliases is None else aliases
    renames: dict[str, str] = {}
    for column in frame.columns:
        target = aliases.get(column)
        if target and target not in frame.columns and target not in renames.values():
            renames[column] = target
    return frame.rename(columns=renames) if renames else frame.copy(deep=False)


def concat_frames(frames: Sequence[pd.DataFrame], columns: Sequence[str]) -> pd.DataFrame:
    frames = [frame for frame in frames if not frame.empty]
    if not frames:
        return empty_frame(columns)
    return typed_frame(pd.concat(frames, ignore_index=True)[list(columns)])


def typed_frame(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype({column: _DTYPES.get(column, "string") for column in frame.columns})
