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
  (indicators/voice/quotes.py) and kept only if it can be published with confidence; without quote
  consent it is never kept. Unscrubbed text never leaves this module.
- Requests for help and disclosures of harm: free text (of a respondent who consented to
  aggregate use) that asks for help, contact or a call back, speaks of a need or crisis
  (`help_requests.asks_for_help`) or discloses harm (`help_requests.discloses_harm`) is never
  a quote, whatever the quote consent. Free text about nothing the survey asked (no service,
  reading or play: `help_requests.on_topic`) is never a quote either. The response id, item,
  the reason (harm first), date and where it was landed go to `help_requests`, which
  the ingest writes to a restricted follow-up list under CHORUS_HOME (never published); the
  text itself is not kept.

Blank consent means no consent; it is never assumed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from indicators.ingest.cells import per_distinct
from indicators.ingest.defects import CONTROL_CHARACTER
from indicators.ingest.landing import LandedFile
from indicators.ingest.lookups import Reference
from indicators.ingest.privacy import pseudonymise
from indicators.ingest.readers import read_table
from indicators.ingest.survey_check import Survey, check_voice_year
from indicators.ingest.survey_columns import (
    ANSWER_COLUMNS,
    DOOR_LOG_COLUMNS,
    DOOR_MEASURES,
    HELP_COLUMNS,
    QUOTE_COLUMNS,
    VoiceLoad,
    concat_frames,
    empty_frame,
    shape,
    typed_frame,
)
from indicators.ingest.survey_rules import placed_in
from indicators.ingest.survey_values import SurveyLoad, normalise_upns
from indicators.reference import AcademicYear
from indicators.voice.help_requests import follow_up_reason, on_topic


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
    checked = check_voice_year(
        year,
        files,
        reference,
        items,
        read,
        neighbourhood_codes=neighbourhood_codes,
        sector_lookup=sector_lookup,
    )
    survey = checked.survey
    if survey is None:
        return VoiceLoad(
            year=year,
            responses=empty_frame(shape().response_columns),
            answers=empty_frame(ANSWER_COLUMNS),
            quotes=empty_frame(QUOTE_COLUMNS),
            door_log=empty_frame(DOOR_LOG_COLUMNS),
            defects=checked.defects,
            accounts=checked.accounts,
            ignored_columns=checked.ignored_columns,
        )
    responses, answers, quotes, door_log, help_requests = _door(
        survey,
        checked.bad_rows,
        year,
        pseudonym_key,
        checked.load,
        sector_lookup,
        tuple(allow_words),
    )
    return VoiceLoad(
        year=year,
        responses=responses,
        answers=answers,
        quotes=quotes,
        door_log=door_log,
        defects=checked.defects,
        accounts=checked.accounts,
        ignored_columns=checked.ignored_columns,
        help_requests=help_requests,
    )


def _good_rows(survey: Survey, bad_rows: Mapping[str, set[int]]) -> np.ndarray:
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


def _door(
    survey: Survey,
    bad_rows: Mapping[str, set[int]],
    year: AcademicYear,
    key: str,
    load: SurveyLoad,
    lookup: Mapping[str, str] | None,
    allow: tuple[str, ...],
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

    survey_shape = shape()
    upns = normalise_upns(frame[survey_shape.linked_id.name])
    given_upn = upns.to_numpy(dtype=object) != ""
    linked = frame[survey_shape.link].to_numpy(dtype=object) == "Y"
    valid = load.valid_upn(upns).to_numpy(dtype=bool)
    use = linked & valid
    child_ids = np.full(len(frame), None, dtype=object)
    if use.any():
        child_ids[use] = pseudonymise(upns[use], key).to_numpy(dtype=object)
    counts["upn_linked"] = per_file(use)
    counts["upn_dropped_no_link_consent"] = per_file(given_upn & ~linked)
    counts["upn_dropped_invalid"] = per_file(given_upn & linked & ~valid)
    counts["link_consent_without_upn"] = per_file(~given_upn & linked)

    sector = frame[survey_shape.sector].where(frame[survey_shape.sector] != "")
    hood = frame[survey_shape.neighbourhood].where(frame[survey_shape.neighbourhood] != "")
    if lookup:
        hood = placed_in(sector, lookup).fillna(hood)
    # Each column as the spec's `identifier` says: kept, reduced (the date to its month; the
    # area as placed), or the linked UPN as its pseudonym where linking was consented.
    values: dict[str, object] = {column: frame[column] for column in survey_shape.spec.read_columns}
    values[survey_shape.sector] = sector
    values[survey_shape.neighbourhood] = hood
    date = survey_shape.date
    values[date.raw_name or date.name] = per_distinct(
        dates, lambda dates: dates.dt.strftime("%Y-%m")
    )
    values[survey_shape.linked_id.raw_name or ""] = pd.Series(
        child_ids, index=frame.index, dtype="string"
    )
    values["academic_year"] = year.label
    values["time_period"] = year.time_period
    values["_source_file"] = survey.files(np.flatnonzero(keep))
    values["_source_row"] = frame["_source_row"]
    responses = pd.DataFrame(
        {column: values[column] for column in survey_shape.response_columns}, index=frame.index
    )

    response_ids = frame[survey_shape.key].to_numpy()
    item_order = [
        {column: order for order, column in enumerate(columns)} for columns in survey.item_columns
    ]
    answered_items: list[str] = []
    parts: dict[str, list[np.ndarray]] = {
        column: []
        for column in (
            "file",
            "order",
            "row",
            "response_id",
            "item_id",
            "item_version",
            "missing",
            "answer",
            "is_positive",
            "score",
        )
    }
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
            is_positive = np.fromiter(
                map(positive.get(int(number[0]), set()).__contains__, answers),
                dtype=bool,
                count=len(answers),
            )
        else:
            is_positive = np.fromiter(
                (
                    answer in positive.get(None if gap else int(version), ())
                    for answer, version, gap in zip(answers, number, missing, strict=True)
                ),
                dtype=bool,
                count=len(answers),
            )
        answer_files = file_of[answered]
        parts["file"].append(answer_files)
        parts["order"].append(
            np.array([order.get(column, -1) for order in item_order], dtype=np.int64)[answer_files]
        )
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
        answer_frame = typed_frame(
            pd.DataFrame(
                {
                    "academic_year": year.label,
                    "time_period": year.time_period,
                    "response_id": joined["response_id"][order],
                    "item_id": np.array(answered_items, dtype=object)[joined["item_id"][order]],
                    "item_version": pd.arrays.IntegerArray(
                        joined["item_version"][order], joined["missing"][order]
                    ),
                    "answer": joined["answer"][order],
                    "is_positive": joined["is_positive"][order],
                    "score": joined["score"][order],
                }
            )
        )
    else:
        answer_frame = empty_frame(ANSWER_COLUMNS)

    neighbourhoods = responses[survey_shape.neighbourhood].to_numpy()
    quote_consent = frame[survey_shape.quote].to_numpy(dtype=object) == "Y"
    comment_order = [
        {column: order for order, column in enumerate(columns)}
        for columns in survey.comment_columns
    ]
    quotes: list[tuple[int, int, int, dict[str, object]]] = []
    helps: list[tuple[int, int, int, dict[str, object]]] = []
    label, time_period = year.label, year.time_period
    days = None
    for column in survey.all_comments:
        item = column[: -len(survey_shape.comment_suffix)]
        text = [
            CONTROL_CHARACTER.sub(" ", value).strip()  # free text: read as spaces
            for value in frame[column].astype(str).tolist()
        ]
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
                helps.append(
                    (
                        file,
                        comment_order[file][column],
                        position,
                        {
                            "academic_year": label,
                            "response_id": response_ids[position],
                            "item_id": item,
                            "reason": reasons[position],
                            "response_date": days[position],
                            "channel": frame["channel"].iloc[position],
                            "neighbourhood_code": neighbourhoods[position],
                            "file": survey.displays[file],
                            "row": int(frame["_source_row"].iloc[position]),
                        },
                    )
                )
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
            quotes.append(
                (
                    file,
                    comment_order[file][column],
                    position,
                    {
                        "academic_year": label,
                        "time_period": time_period,
                        "response_id": response_ids[position],
                        "item_id": item,
                        "item_version": int(version[position]),
                        "neighbourhood_code": neighbourhoods[position],
                        "quote": result.text,
                    },
                )
            )
    helps.sort(key=lambda request: request[:3])
    help_frame = (
        typed_frame(pd.DataFrame([request for *_, request in helps], columns=list(HELP_COLUMNS)))
        if helps
        else empty_frame(HELP_COLUMNS)
    )
    quotes.sort(key=lambda quote: quote[:3])
    quote_frame = (
        typed_frame(pd.DataFrame([quote for *_, quote in quotes], columns=list(QUOTE_COLUMNS)))
        if quotes
        else empty_frame(QUOTE_COLUMNS)
    )
    log = pd.DataFrame(
        [
            (year.label, display, measure, int(counts[measure][position]))
            for position, display in enumerate(survey.displays)
            for measure in DOOR_MEASURES
        ],
        columns=list(DOOR_LOG_COLUMNS),
    )
    return (
        concat_frames([responses], shape().response_columns),
        answer_frame,
        quote_frame,
        typed_frame(log),
        help_frame,
    )
