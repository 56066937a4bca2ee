"""Voice: the item bank, the survey rules, consent at the door and the accounting."""

import csv
from pathlib import Path

import pandas as pd
import pytest

from indicators.ingest.landing import LandedFile, classify
from indicators.ingest.lookups import Reference
from indicators.ingest.privacy import pseudonymise
from indicators.ingest.survey import load_voice_year
from indicators.ingest.survey_columns import WITHHELD_VALUE
from indicators.reference import AcademicYear
from indicators.voice.items import (
    active_items,
    is_positive,
    item_bank_changes,
    item_bank_problems,
    load_item_bank,
    scale_range,
    versions_in_force,
    wording_fingerprint,
)

KEY = "test-voice-key"
YEAR = AcademicYear.parse("2023/24")
UPN_A, UPN_B, UPN_C = "N354220122065", "C354220122066", "R354220122067"
BAD_UPN = "A354220122065"  # wrong check letter
REFERENCE = Reference(sectors=frozenset({"XH1 1", "XH1 2", "XH3 2"}), la_codes=frozenset({"999"}))
LOOKUP = {"XH1 1": "HD01", "XH1 2": "HD01", "XH3 2": "HD02"}
BANK_PATH = Path(__file__).resolve().parents[1] / "seeds" / "voice_items.csv"


@pytest.fixture(scope="module")
def bank() -> pd.DataFrame:
    return load_item_bank(BANK_PATH)


# ------------------------------------------------------------------------------ item bank


def test_the_shipped_item_bank_is_sound(bank):
    assert item_bank_problems(bank) == []
    assert 12 <= bank["item_id"].nunique() <= 16
    assert set(bank["domain"]) == {
        "Play and learning at home",
        "Health and development",
        "Access to services",
        "Family circumstances",
    }
    assert (bank["wording"].map(wording_fingerprint) == bank["wording_fingerprint"]).all()


def _bank_with(bank: pd.DataFrame, **changes) -> pd.DataFrame:
    edited = bank.copy()
    row = changes.pop("row", 0)
    for column, value in changes.items():
        edited.loc[row, column] = value
    return edited


def test_a_rewording_in_place_is_reported(bank):
    edited = _bank_with(bank, row=2, wording="How often do you play or sing with your child?")
    problems = item_bank_problems(edited)
    assert problems == [
        "item play_together version 1 was reworded: add a new version row "
        "instead (the fingerprint records the wording as co-designed)"
    ]


def test_a_rewording_with_a_recomputed_fingerprint_is_caught_against_the_last_bank(bank):
    wording = "How often do you play or sing with your child?"
    edited = _bank_with(
        bank, row=2, wording=wording, wording_fingerprint=wording_fingerprint(wording)
    )
    assert item_bank_problems(edited) == []
    assert item_bank_changes(bank, edited) == [
        "item play_together version 1 was reworded: add a new version row instead"
    ]


@pytest.mark.parametrize(
    "changes,expected",
    [
        ({"response_scale": "agree7"}, "unknown response_scale 'agree7'"),
        ({"positive_responses": "6"}, "positive_responses '6' not valid for frequency5"),
        ({"positive_responses": "0-3"}, "positive_responses '0-3' not valid for frequency5"),
        ({"positive_responses": "1-5"}, "every answer is positive"),
        ({"domain": "Happiness"}, "unknown domain 'Happiness'"),
        ({"status": "live"}, "status 'live' must be one of active, retired, draft"),
        ({"co_designed_on": "June 2021"}, "co_designed_on 'June 2021' must be a date"),
        ({"toc_outcome": ""}, "toc_outcome is missing"),
        ({"co_designed_by": ""}, "co_designed_by is missing"),
        ({"item_id": "Read Together"}, "item_id must be lower case"),
        ({"row": 1, "response_scale": "agree5"}, "read_together changes response_scale"),
        ({"row": 1, "co_designed_on": "2020-01-01"}, "later versions must have later"),
    ],
)
def test_item_bank_problems_are_caught(bank, changes, expected):
    problems = item_bank_problems(_bank_with(bank, **changes))
    assert any(expected in problem for problem in problems), problems


def test_duplicate_versions_and_missing_columns_are_caught(bank):
    doubled = pd.concat([bank, bank.iloc[[3]]], ignore_index=True)
    assert "item outdoor_play version 1 appears more than once: each version is one row" in (
        item_bank_problems(doubled)
    )
    assert item_bank_problems(bank.drop(columns="domain")) == [
        "the item bank lacks column(s): domain"
    ]


def test_active_items_are_the_latest_active_version(bank):
    active = active_items(bank)
    assert active["item_id"].is_unique
    assert active.set_index("item_id").loc["read_together", "version"] == 2
    assert "services_listen" not in set(active["item_id"])  # a draft


def test_versions_in_force_follow_the_co_design_dates(bank):
    dates = pd.to_datetime(pd.Series(["2021-05-01", "2022-10-01", "2023-07-06", "2024-01-01"]))
    assert versions_in_force(bank, "read_together", dates).tolist() == [pd.NA, 1, 2, 2]
    assert versions_in_force(bank, "services_listen", dates).isna().all()


def test_positive_answers_and_scale_ranges(bank):
    read = bank[(bank["item_id"] == "read_together") & (bank["version"] == 2)].iloc[0]
    answers = pd.Series(["5", "4", "3", "", "Every day", "9"])
    assert is_positive(read, answers).tolist() == [True, True, False, False, True, False]
    hub = bank[bank["item_id"] == "hub_easy_to_reach"].iloc[0]
    assert is_positive(hub, pd.Series(["7", "10", "6", "0"])).tolist() == [True, True, False, False]
    money = bank[bank["item_id"] == "enough_money"].iloc[0]
    assert is_positive(money, pd.Series(["Y", "yes", "N", ""])).tolist() == [
        True,
        True,
        False,
        False,
    ]
    assert scale_range("agree5") == (1, 5)
    assert scale_range("frequency5") == (1, 5)
    assert scale_range("scale0_10") == (0, 10)
    assert scale_range("yesno") is None


# ------------------------------------------------------------------------------ survey files

HEADER = [
    "response_id",
    "response_date",
    "postcode_sector",
    "neighbourhood_code",
    "channel",
    "uses_funded_early_education",
    "english_additional_language",
    "known_to_family_hub",
    "consent_aggregate",
    "consent_quote",
    "consent_link",
    "child_upn",
    "read_together",
    "enough_money",
    "hub_easy_to_reach",
    "heard_about_activities",
    "read_together_comment",
]


def row(**values) -> dict[str, str]:
    """A valid response, with any field replaced."""
    base = {
        "response_id": "R1",
        "response_date": "2023-10-05",
        "postcode_sector": "XH1 1",
        "neighbourhood_code": "",
        "channel": "outreach_visit",
        "uses_funded_early_education": "N",
        "english_additional_language": "Y",
        "known_to_family_hub": "N",
        "consent_aggregate": "Y",
        "consent_quote": "N",
        "consent_link": "N",
        "child_upn": "",
        "read_together": "5",
        "enough_money": "Y",
        "hub_easy_to_reach": "7",
        "heard_about_activities": "",
        "read_together_comment": "",
    }
    base.update(values)
    return base


def land(
    tmp_path: Path,
    rows: list[dict[str, str]],
    name: str = "survey.csv",
    header: list[str] | None = None,
    year: AcademicYear = YEAR,
) -> LandedFile:
    path = tmp_path / "voice" / year.folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = header or HEADER
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    landed = classify(path)
    assert isinstance(landed, LandedFile) and landed.kind == "voice"
    return landed


def load(files, bank, year=YEAR):
    return load_voice_year(year, files, REFERENCE, KEY, bank, sector_lookup=LOOKUP)


def balanced(result) -> bool:
    return all(account.balanced for account in result.accounts)


def defect_rules(result) -> list[tuple[int | None, str | None, str]]:
    return [(d.row, d.column, d.rule) for d in result.defects]


def test_a_valid_file_loads_with_every_frame_shaped_as_documented(tmp_path, bank):
    result = load(
        [
            land(
                tmp_path,
                [
                    row(),
                    row(
                        response_id="R2",
                        response_date="05/10/2023",
                        postcode_sector="",
                        neighbourhood_code="HD02",
                        channel="Family hub",
                        read_together="",
                        hub_easy_to_reach="3",
                    ),
                ],
            )
        ],
        bank,
    )
    assert result.defects == []
    assert balanced(result)
    assert list(result.responses.columns) == [
        "academic_year",
        "time_period",
        "response_id",
        "response_month",
        "postcode_sector",
        "neighbourhood_code",
        "channel",
        "uses_funded_early_education",
        "english_additional_language",
        "known_to_family_hub",
        "consent_aggregate",
        "consent_quote",
        "consent_link",
        "child_id",
        "_source_file",
        "_source_row",
    ]
    assert list(result.answers.columns) == [
        "academic_year",
        "time_period",
        "response_id",
        "item_id",
        "item_version",
        "answer",
        "is_positive",
        "score",
    ]
    assert list(result.quotes.columns) == [
        "academic_year",
        "time_period",
        "response_id",
        "item_id",
        "item_version",
        "neighbourhood_code",
        "quote",
    ]
    responses = result.responses.set_index("response_id")
    assert responses.loc["R1", "neighbourhood_code"] == "HD01"  # from the sector
    assert responses.loc["R2", "neighbourhood_code"] == "HD02"
    assert pd.isna(responses.loc["R2", "postcode_sector"])
    assert responses.loc["R2", "channel"] == "family_hub"
    assert responses["response_month"].tolist() == ["2023-10", "2023-10"]
    answers = result.answers.set_index(["response_id", "item_id"])
    assert len(answers) == 5  # R2 left read_together blank: not answered, so absent
    assert answers.loc[("R1", "read_together"), "item_version"] == 2
    assert answers.loc[("R1", "read_together"), "score"] == 5.0
    assert bool(answers.loc[("R1", "read_together"), "is_positive"])
    assert pd.isna(answers.loc[("R1", "enough_money"), "score"])  # yesno: no score
    assert not bool(answers.loc[("R2", "hub_easy_to_reach"), "is_positive"])


@pytest.mark.parametrize(
    "change,rule,column",
    [
        ({"response_id": ""}, "response_id_blank", "response_id"),
        ({"response_date": "5th October"}, "response_date_format", "response_date"),
        ({"response_date": "2023-13-01"}, "response_date_format", "response_date"),
        ({"response_date": "2023-08-31"}, "response_date_in_year", "response_date"),
        ({"response_date": "01/09/2024"}, "response_date_in_year", "response_date"),
        ({"channel": "phone"}, "channel_code", "channel"),
        (
            {"uses_funded_early_education": "X"},
            "characteristic_code",
            "uses_funded_early_education",
        ),
        ({"known_to_family_hub": "maybe"}, "characteristic_code", "known_to_family_hub"),
        ({"consent_quote": "1"}, "consent_code", "consent_quote"),
        ({"consent_link": "ok"}, "consent_code", "consent_link"),
        ({"consent_aggregate": "?"}, "consent_code", "consent_aggregate"),
        ({"read_together": "6"}, "answer_value", "read_together"),
        ({"enough_money": "sometimes"}, "answer_value", "enough_money"),
        ({"hub_easy_to_reach": "11"}, "answer_value", "hub_easy_to_reach"),
        ({"postcode_sector": "XH9 9"}, "postcode_sector_unknown", "postcode_sector"),
        ({"postcode_sector": "XH11"}, "postcode_sector_format", "postcode_sector"),
        ({"postcode_sector": "", "neighbourhood_code": ""}, "area_missing", "postcode_sector"),
        (
            {"postcode_sector": "", "neighbourhood_code": "HD99"},
            "neighbourhood_unknown",
            "neighbourhood_code",
        ),
        ({"neighbourhood_code": "HD02"}, "area_conflict", "neighbourhood_code"),
    ],
)
def test_each_rule_quarantines_its_row_and_the_rest_load(tmp_path, bank, change, rule, column):
    rows = [row(response_id="OK1"), row(**{"response_id": "BAD", **change}), row(response_id="OK2")]
    result = load([land(tmp_path, rows)], bank)
    assert defect_rules(result) == [(3, column, rule)]
    assert result.defects[0].file == "voice/2023-24/survey.csv"
    assert balanced(result)
    account = result.accounts[0]
    assert (account.rows_read, account.rows_loaded, account.rows_quarantined) == (3, 2, 1)
    assert sorted(result.responses["response_id"]) == ["OK1", "OK2"]
    assert set(result.answers["response_id"]) == {"OK1", "OK2"}


def test_an_item_not_yet_in_use_cannot_be_answered(tmp_path, bank):
    year = AcademicYear.parse("2022/23")
    rows = [
        row(response_id="early", response_date="2022-10-01", heard_about_activities="Y"),
        row(response_id="late", response_date="2023-06-01", heard_about_activities="Y"),
    ]
    result = load([land(tmp_path, rows, year=year)], bank, year=year)
    assert defect_rules(result) == [(2, "heard_about_activities", "item_not_in_use")]
    assert "first version in use from 2023-05-11" in result.defects[0].message
    assert result.answers.query("item_id == 'heard_about_activities'")["response_id"].tolist() == [
        "late"
    ]


def test_answers_count_against_the_version_in_use_on_the_day(tmp_path, bank):
    year = AcademicYear.parse("2022/23")
    rows = [
        row(response_id="before", response_date="2023-07-05"),
        row(response_id="after", response_date="2023-07-06"),
    ]
    result = load([land(tmp_path, rows, year=year)], bank, year=year)
    versions = result.answers.query("item_id == 'read_together'").set_index("response_id")
    assert versions["item_version"].to_dict() == {"before": 1, "after": 2}


def test_forgiving_where_meaning_is_clear(tmp_path, bank):
    rows = [
        row(
            response_id="R1",
            response_date="2023-10-05 14:32:10",
            channel="Outreach visit",
            uses_funded_early_education="",
            english_additional_language="yes",
            consent_quote="",
            read_together="Every day",
            enough_money="No",
            hub_easy_to_reach="7.0",
            postcode_sector="xh1  2ab",
        )
    ]
    result = load([land(tmp_path, rows)], bank)
    assert result.defects == []
    response = result.responses.iloc[0]
    assert response["channel"] == "outreach_visit"
    assert response["uses_funded_early_education"] == "U"  # blank reads as unknown
    assert response["english_additional_language"] == "Y"
    assert response["consent_quote"] == "N"  # blank is never consent
    assert response["postcode_sector"] == "XH1 2"  # a full postcode reduced at the door
    answers = result.answers.set_index("item_id")["answer"].to_dict()
    assert answers == {"read_together": "5", "enough_money": "N", "hub_easy_to_reach": "7"}


def test_duplicate_response_ids_across_files_are_all_quarantined(tmp_path, bank):
    first = land(tmp_path, [row(response_id="R1"), row(response_id="R2")], "a.csv")
    second = land(tmp_path, [row(response_id="R2")], "b.csv")
    result = load([first, second], bank)
    assert sorted((d.file, d.row, d.rule) for d in result.defects) == [
        ("voice/2023-24/a.csv", 3, "duplicate_response_id"),
        ("voice/2023-24/b.csv", 2, "duplicate_response_id"),
    ]
    assert "also appears at voice/2023-24/b.csv row 2" in result.defects[0].message
    assert result.responses["response_id"].tolist() == ["R1"]
    assert balanced(result)


@pytest.mark.parametrize(
    "header,rule",
    [
        ([c for c in HEADER if c != "channel"], "required_columns"),
        (
            [c for c in HEADER if c not in ("postcode_sector", "neighbourhood_code")],
            "required_columns",
        ),
        (
            [
                c
                for c in HEADER
                if c
                not in (
                    "read_together",
                    "enough_money",
                    "hub_easy_to_reach",
                    "heard_about_activities",
                )
            ],
            "no_item_columns",
        ),
    ],
)
def test_file_defects_reject_the_whole_file(tmp_path, bank, header, rule):
    result = load([land(tmp_path, [row(), row(response_id="R2")], header=header)], bank)
    assert defect_rules(result) == [(None, result.defects[0].column, rule)]
    account = result.accounts[0]
    assert account.status == "rejected" and account.rows_loaded == 0
    assert account.rows_quarantined == account.rows_read == 2
    assert result.responses.empty and result.answers.empty and result.quotes.empty


def test_a_file_with_only_a_header_is_rejected(tmp_path, bank):
    result = load([land(tmp_path, [])], bank)
    assert result.accounts[0].status == "rejected"
    assert balanced(result)


def test_a_name_typed_into_an_answer_column_is_withheld_from_the_message(tmp_path, bank):
    result = load([land(tmp_path, [row(enough_money="ask Amelia")])], bank)
    (defect,) = result.defects
    assert defect.rule == "answer_value" and defect.value == WITHHELD_VALUE
    assert "Amelia" not in defect.message and "Amelia" not in str(defect.public())


def test_other_columns_are_ignored_and_never_loaded(tmp_path, bank):
    header = [*HEADER, "parent_name"]
    result = load([land(tmp_path, [row(parent_name="Fatima Begum")], header=header)], bank)
    assert result.ignored_columns == [("voice/2023-24/survey.csv", "parent_name")]
    frames = (result.responses, result.answers, result.quotes, result.door_log)
    assert all("parent_name" not in frame.columns for frame in frames)


def test_the_item_bank_must_be_sound(tmp_path, bank):
    broken = _bank_with(bank, row=2, wording="Reworded in place")
    with pytest.raises(ValueError, match="was reworded"):
        load([land(tmp_path, [row()])], broken)


# ------------------------------------------------------------------------------ consent


def test_linkage_only_with_consent_and_a_valid_upn(tmp_path, bank):
    rows = [
        row(response_id="linked", consent_link="Y", child_upn=UPN_A),
        row(response_id="no_consent", consent_link="N", child_upn=UPN_B),
        row(response_id="bad_upn", consent_link="Y", child_upn=BAD_UPN),
        row(response_id="no_upn", consent_link="Y", child_upn=""),
        row(response_id="lower", consent_link="y", child_upn=UPN_C.lower()),
    ]
    result = load([land(tmp_path, rows)], bank)
    assert result.defects == []  # a UPN that cannot be linked is dropped, not quarantined
    child = result.responses.set_index("response_id")["child_id"]
    assert child["linked"] == pseudonymise(pd.Series([UPN_A]), KEY)[0]
    assert child["lower"] == pseudonymise(pd.Series([UPN_C]), KEY)[0]
    assert child[["no_consent", "bad_upn", "no_upn"]].isna().all()
    log = result.door_log.set_index("measure")["count"]
    assert log["upn_linked"] == 2
    assert log["upn_dropped_no_link_consent"] == 1
    assert log["upn_dropped_invalid"] == 1
    assert log["link_consent_without_upn"] == 1
    assert result.upns_dropped == 2


def test_quotes_only_with_quote_consent_and_only_scrubbed(tmp_path, bank):
    rows = [
        row(
            response_id="consented",
            consent_quote="Y",
            read_together_comment="We read every night, Amelia loves the library books.",
        ),
        row(
            response_id="refused",
            consent_quote="N",
            read_together_comment="We read every night and the library is brilliant.",
        ),
        row(
            response_id="unsure",
            consent_quote="Y",
            read_together_comment="We go to Tinkerbells with Kayden on Tuesdays.",
        ),
        row(response_id="blank", consent_quote="Y", read_together_comment="  "),
    ]
    result = load([land(tmp_path, rows)], bank)
    assert result.quotes[
        ["response_id", "item_id", "item_version", "neighbourhood_code", "quote"]
    ].to_dict("records") == [
        {
            "response_id": "consented",
            "item_id": "read_together",
            "item_version": 2,
            "neighbourhood_code": "HD01",
            "quote": "We read every night, [name] loves the library books.",
        }
    ]
    assert result.withheld_quotes == 1
    assert result.comments_discarded == 1


def test_a_request_for_help_is_never_a_quote_but_goes_to_the_follow_up_list(tmp_path, bank):
    rows = [
        row(
            response_id="asks",
            consent_quote="Y",
            response_date="2023-11-14 09:30",
            read_together_comment="Please ring me about help with nursery costs.",
        ),
        row(
            response_id="asks_no_quote_consent",
            consent_quote="N",
            response_date="2024-02-01",
            read_together_comment="Can someone call me back about the two year check?",
        ),
        row(
            response_id="leaves_a_number",
            consent_quote="Y",
            read_together_comment="Lovely sessions, my number is 07700 900123 for the group.",
        ),
        row(
            response_id="quote",
            consent_quote="Y",
            read_together_comment="We read every night and the library is brilliant.",
        ),
        row(
            response_id="no_consent",
            consent_aggregate="N",
            read_together_comment="Please call me on 07700 900123.",
        ),
    ]
    result = load([land(tmp_path, rows)], bank)
    assert result.quotes["response_id"].tolist() == ["quote"]
    requests = result.help_requests
    assert requests["response_id"].tolist() == ["asks", "asks_no_quote_consent", "leaves_a_number"]
    assert requests["item_id"].tolist() == ["read_together"] * 3
    assert requests["response_date"].tolist()[:2] == ["2023-11-14", "2024-02-01"]
    assert requests["file"].tolist() == ["voice/2023-24/survey.csv"] * 3
    assert requests["row"].tolist() == [2, 3, 4]  # spreadsheet rows: the header is row 1
    assert result.families_asking_for_help == 3
    # what a practitioner needs to act, never the text itself
    assert set(requests.columns) == {
        "academic_year",
        "response_id",
        "item_id",
        "reason",
        "response_date",
        "channel",
        "neighbourhood_code",
        "file",
        "row",
    }
    cells = " ".join(str(value) for value in requests.to_numpy().ravel())
    assert "ring" not in cells and "900123" not in cells
    log = result.door_log.set_index("measure")["count"]
    assert log["comments_asking_for_help"] == 3
    assert log["quotes_withheld"] == 2  # the two with quote consent that ask for help


def test_a_disclosure_of_harm_goes_to_the_follow_up_list_flagged_and_is_never_a_quote(
    tmp_path, bank
):
    rows = [
        row(
            response_id="harm",
            consent_quote="Y",
            read_together_comment="My partner hits me and I am scared, we read at the hub.",
        ),
        row(
            response_id="asks",
            consent_quote="Y",
            read_together_comment="Is anyone able to help us with food vouchers at the hub",
        ),
        row(
            response_id="off_topic",
            consent_quote="Y",
            read_together_comment="Things have been quiet lately and we are fine thanks.",
        ),
        row(
            response_id="quote",
            consent_quote="Y",
            read_together_comment="We read every night and the library is brilliant.",
        ),
    ]
    result = load([land(tmp_path, rows)], bank)
    assert result.quotes["response_id"].tolist() == ["quote"]
    requests = result.help_requests.set_index("response_id")["reason"]
    assert requests.to_dict() == {
        "harm": "possible harm disclosed (safeguarding)",
        "asks": "asks for help or contact",
    }
    cells = " ".join(str(value) for value in result.help_requests.to_numpy().ravel())
    assert "hits" not in cells and "vouchers" not in cells


def test_no_aggregate_consent_means_used_nowhere_but_counted_as_loaded(tmp_path, bank):
    rows = [
        row(response_id="yes"),
        row(
            response_id="no",
            consent_aggregate="N",
            consent_quote="Y",
            consent_link="Y",
            child_upn=UPN_A,
            read_together_comment="We love the library, call 07700 900123",
            channel="not a channel",
            read_together="99",
        ),
        row(response_id="blank", consent_aggregate=""),
    ]
    result = load([land(tmp_path, rows)], bank)
    assert result.defects == []  # nothing of theirs is checked, so nothing is echoed
    assert result.responses["response_id"].tolist() == ["yes"]
    assert set(result.answers["response_id"]) == {"yes"}
    assert result.quotes.empty
    account = result.accounts[0]
    assert (account.rows_read, account.rows_loaded, account.rows_quarantined) == (3, 3, 0)
    assert account.message.startswith("2 response(s) without consent to aggregate use")
    assert result.excluded_no_consent == 2
    assert result.upns_dropped == 0  # never looked at


def test_no_raw_upn_or_unscrubbed_text_in_any_frame(tmp_path, bank):
    secret_texts = [
        "Call me on 07700 900123, Amelia loves books and the hub is great.",
        "We read every night and the library is brilliant for us.",
        "His UPN is N354220122065, he is at the school near us.",
    ]
    rows = [
        row(
            response_id=f"R{i}",
            consent_link="Y" if i % 2 else "N",
            consent_quote="N" if i == 1 else "Y",
            child_upn=upn,
            read_together_comment=text,
        )
        for i, (upn, text) in enumerate(zip([UPN_A, UPN_B, BAD_UPN], secret_texts, strict=True))
    ]
    rows.append(row(response_id="R9", read_together="Amelia 07700 900123"))
    result = load([land(tmp_path, rows)], bank)
    cells = " | ".join(
        str(value)
        for frame in (result.responses, result.answers, result.quotes, result.door_log)
        for column in frame.columns
        for value in frame[column].tolist()
    )
    cells += " | ".join(f"{d.value} {d.message}" for d in result.defects)
    for secret in (UPN_A, UPN_B, BAD_UPN, "900123", "Amelia", *secret_texts):
        assert secret not in cells
    assert "child_upn" not in result.responses.columns
    assert all("comment" not in column for column in result.responses.columns)


@pytest.mark.parametrize(
    "column,value",
    [
        ("channel", "online\x00"),
        ("read_together", "4\x07"),
        ("postcode_sector", "XH1\x001"),
        ("response_id", "R\x1b9"),
    ],
)
def test_a_control_character_quarantines_its_response_named_by_row_and_column(
    tmp_path, bank, column, value
):
    rows = [
        row(response_id="OK1"),
        row(**{"response_id": "BAD", column: value}),
        row(response_id="OK2"),
    ]
    result = load([land(tmp_path, rows)], bank)
    assert defect_rules(result) == [(3, column, "control_character")]  # reported once
    assert "\\x" in result.defects[0].message and "\x00" not in str(result.defects[0])
    assert balanced(result) and sorted(result.responses["response_id"]) == ["OK1", "OK2"]


def test_free_text_reads_control_characters_and_line_breaks_as_spaces(tmp_path, bank):
    comment = "We read\x0bevery night.\nShe loves it."
    rows = [row(response_id="Q1", consent_quote="Y", read_together_comment=comment)]
    result = load([land(tmp_path, rows)], bank)
    assert result.defects == [] and balanced(result)
    assert result.quotes["quote"].tolist() == ["We read every night. She loves it."]


def test_chorus_validate_checks_voice_files_with_the_rules_chorus_run_applies(tmp_path, bank):
    from indicators.ingest.validate import validate_paths

    rows = [
        row(response_id="OK1"),
        row(response_id="BAD1", channel="phone"),
        row(response_id="BAD2", read_together="4\x00"),
        row(response_id="OUT", consent_aggregate="N", channel="phone"),
        row(response_id="OK2", postcode_sector="XH9 9"),
    ]
    landed = land(tmp_path, rows)
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "neighbourhood_lookup.csv").write_text(
        "postcode_sector,neighbourhood_code,neighbourhood_name\n"
        + "".join(f"{sector},{hood},Name {hood}\n" for sector, hood in LOOKUP.items())
    )
    (seeds / "local_authorities.csv").write_text(
        "la_code,new_la_code,la_name\n999,E99000999,Harrowdale (synthetic)\n"
    )
    report = validate_paths([tmp_path / "voice"], BANK_PATH.parent)
    loaded = load([landed], bank)
    assert [(d.file, d.row, d.column, d.rule) for d in report.defects] == [
        (d.file, d.row, d.column, d.rule) for d in loaded.defects
    ]
    assert {(d.row, d.rule) for d in report.defects} == {
        (3, "channel_code"),
        (4, "control_character"),
        (6, "postcode_sector_unknown"),
    }
    [account] = report.accounts
    assert (account.file, account.rows_read, account.rows_loaded, account.rows_quarantined) == (
        "voice/2023-24/survey.csv",
        5,
        2,
        3,
    )
    assert not report.ok and report.format()[-1] == "3 defect(s) in 1 file(s)"
    assert not any("not a statutory return" in note for note in report.notes)
