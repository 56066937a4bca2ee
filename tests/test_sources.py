"""Source specs: the loader refuses a malformed spec naming file, key and what is wrong; a
year's changes merge over the base; the rules a spec declares find what a hand-written
expectation says; and what the specs generate (dbt's raw sources, docs/inputs.md) is current.
"""

import datetime as dt
import re
import shutil
import textwrap
from pathlib import Path

import pandas as pd
import pytest
import yaml

from indicators.ingest.defects import apply_rules
from indicators.ingest.spec_rules import spec_rules
from indicators.sources.generated import SOURCES_YML, sources_yml, with_generated_sections
from indicators.sources.load import SpecInvalid, load_sources, load_spec, specs_digest

ROOT = Path(__file__).resolve().parents[1]

BASE = """\
source: visits
title: health visits
description: One row per health visit.
period: academic_year
stream: standalone
raw_table: {name: health_visits, description: One row per visit (pseudonymised).}
key: {columns: [visit_id], rule: duplicate_visit}
code_lists:
  outcome:
    rule: outcome_code
    message: "outcome must be {codes}"
    codes:
      - {code: S, name: seen}
      - {code: N, name: not seen}
columns:
  - name: visit_id
    type: text
    identifier: keep
    format: {named: not_blank, rule: visit_blank, message: every visit needs an id}
  - {name: upn, type: code, identifier: {handling: pseudonymise, as: child_id}, format: upn}
  - {name: carer_name, type: text, identifier: drop}
  - name: visit_date
    type: date
    identifier: {handling: reduce, to: year_month, as: visit_month}
    format: {named: date, rule: visit_date_format, message: the visit date must be a date}
    window:
      from: {months: 0}
      to: {years: 1, days: -1}
      rule: visit_date_in_year
      message: a visit in {period} is between {first} and {last}
  - {name: outcome, type: code, identifier: keep, show_rejected: true, codes: outcome}
  - name: weeks
    type: number
    identifier: keep
    range: {min: 0, max: 60, rule: weeks_range, message: weeks must be 0 to 60}
"""


def _source(root: Path, kind: str, text: str, years: dict[str, str] | None = None) -> Path:
    folder = root / kind
    folder.mkdir(parents=True)
    (folder / "base.yml").write_text(textwrap.dedent(text), encoding="utf-8")
    for year, change in (years or {}).items():
        (folder / f"{year}.yml").write_text(textwrap.dedent(change), encoding="utf-8")
    return folder


def test_a_well_formed_spec_reads_as_written(tmp_path):
    spec = load_spec(_source(tmp_path, "visits", BASE))
    assert spec.required == ("visit_id", "upn", "carer_name", "visit_date", "outcome", "weeks")
    assert spec.raw_columns == (
        "academic_year",
        "time_period",
        "visit_id",
        "child_id",
        "visit_month",
        "outcome",
        "weeks",
        "_source_file",
        "_source_row",
    )
    assert spec.dropped == ("carer_name",)
    assert spec.shown_columns == {"outcome"}
    assert spec.identifier_columns == {"upn", "carer_name", "visit_date"}
    assert spec.column("outcome").codes.text() == "outcome must be S (seen), N (not seen)"


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda text: text + "free_text: {columns: note, consent: outcome}\n",
            "sources/visits/base.yml: free_text.columns: 'note' is not a column: declare it "
            "under columns: (type: text, identifier: keep)",
        ),
        (
            lambda text: (
                text.replace("stream: standalone", "stream: statutory")
                + "free_text: {columns: note, consent: consent_quote}\n"
            ),
            "sources/visits/base.yml: free_text: only the voice and standalone engines scrub "
            "free text and gate it by consent: leave free_text: out (and keep free-text "
            "columns out of columns:, or drop them: identifier: drop)",
        ),
        (
            lambda text: text.replace("period: academic_year", "period: school_term"),
            "sources/visits/base.yml: period: 'school_term' is not a period type declared in "
            "dbt_project/metadata/periods.yml (academic_year, financial_year, calendar_year, "
            "academic_quarter, financial_quarter, calendar_quarter, month)",
        ),
        (
            lambda text: text.replace(
                "{handling: reduce, to: year_month, as: visit_month}",
                "{handling: reduce, to: year_month, as: visit_month, linked_as: visit_key}",
            ),
            "sources/visits/base.yml: columns[3] (visit_date): identifier.linked_as: only a "
            "postcode reduced to its sector (handling: reduce, to: postcode_sector) is also "
            "kept as a linked pseudonym",
        ),
        (
            lambda text: text + "placement: {method: team}\n",
            "sources/visits/base.yml: placement.column: missing: name the column holding the "
            "team code",
        ),
        (
            lambda text: text + "placement: {method: la_wide}\n",
            "sources/visits/base.yml: placement.authority: missing: name the column holding "
            "the LA number",
        ),
        (
            lambda text: text.replace(
                "  - {name: carer_name, type: text, identifier: drop}",
                "  - {name: carer_name, type: text, identifier: drop, show_rejected: true}",
            ),
            "sources/visits/base.yml: columns[2] (carer_name): show_rejected: not allowed on a "
            "column whose identifier handling is drop: a rejected value would show the "
            "identifier in the rejected-rows report",
        ),
        (
            lambda text: text.replace("format: upn}", "format: upn, show_rejected: true}"),
            "sources/visits/base.yml: columns[1] (upn): show_rejected: not allowed on a column "
            "whose identifier handling is pseudonymise: a rejected value would show the "
            "identifier in the rejected-rows report",
        ),
        (
            lambda text: text.replace("source: visits", "source: visit"),
            "sources/visits/base.yml: source: is 'visit' but the folder is 'visits': they must "
            "be the same (the landing folder of the kind)",
        ),
        (
            lambda text: text.replace("identifier: drop", "identifier: hide"),
            "sources/visits/base.yml: columns[2] (carer_name): identifier: 'hide' must be one "
            "of keep, pseudonymise, reduce, drop (what happens to the values at the door)",
        ),
        (
            lambda text: text.replace("codes: outcome}", "codes: outcomes}"),
            "sources/visits/base.yml: columns[4] (outcome): codes: no code list 'outcomes' "
            "(code_lists: outcome)",
        ),
        (
            lambda text: text.replace("{handling: pseudonymise, as: child_id}", "pseudonymise"),
            "sources/visits/base.yml: columns[1] (upn): identifier.as: the raw table's column "
            "for the pseudonymised value",
        ),
        (
            lambda text: text.replace("format: upn}", "format: chi_number}"),
            "sources/visits/base.yml: columns[1] (upn): format.named: 'chi_number' must be one "
            "of upn, nhs_number, date, datetime, uk_postcode, postcode_sector, not_blank",
        ),
        (
            lambda text: text.replace("raw_table:", "raw_tabel:"),
            "sources/visits/base.yml: raw_table: missing (a spec needs raw_table:)",
        ),
        (
            lambda text: text.replace("      - {code: N, name: not seen}", "      - {code: S}"),
            "sources/visits/base.yml: code_lists.outcome.codes[1]: code 'S' is listed twice",
        ),
        (
            lambda text: text.replace("{months: 0}", "{weeks: 2}"),
            "sources/visits/base.yml: columns[3] (visit_date): window.from: an offset from the "
            "period's start: years:, months:, days:",
        ),
    ],
)
def test_a_malformed_spec_is_refused_naming_file_key_and_problem(tmp_path, edit, expected):
    folder = _source(tmp_path, "visits", edit(BASE))
    with pytest.raises(SpecInvalid) as refused:
        load_spec(folder)
    assert expected in refused.value.problems


def test_yaml_that_cannot_be_read_names_the_line(tmp_path):
    folder = _source(tmp_path, "visits", BASE + "  - {name: broken\n")
    with pytest.raises(SpecInvalid) as refused:
        load_spec(folder)
    assert refused.value.problems == [
        "sources/visits/base.yml: line 37, column 1: not readable YAML: did not find "
        "expected ',' or '}'"
    ]


def test_a_match_must_name_a_source_with_a_spec(tmp_path):
    _source(
        tmp_path,
        "visits",
        BASE.replace(
            "code_lists:",
            "matching: [{source: clinics, column: upn, when_quarantined: both}]\ncode_lists:",
        ),
    )
    with pytest.raises(SpecInvalid) as refused:
        load_sources(tmp_path)
    assert refused.value.problems == [
        "sources/visits/base.yml: matching: source 'clinics' has no spec (known: visits)"
    ]


def test_a_years_changes_merge_over_the_base_from_that_year_on(tmp_path):
    changes = {
        "2024-25": """\
            changes:
              - type: add
                column: {name: visit_type, type: code, identifier: keep, codes: outcome}
                description: the 2024/25 return adds the type of visit
                value: {name: visit_type, type: code, identifier: keep, codes: outcome}
                after: visit_date
              - type: modify
                column: carer_name
                description: no longer collected
                value: {required: false}
            """,
        "2025-26": """\
            changes:
              - type: modify
                column: weeks
                description: visits up to 2 years
                value: {range: {min: 0, max: 104, rule: weeks_range, message: weeks 0 to 104}}
            """,
    }
    folder = _source(tmp_path, "visits", BASE, changes)
    assert "visit_type" not in load_spec(folder, "2023-24").names
    assert "carer_name" in load_spec(folder, "2023-24").required
    later = load_spec(folder, "2024-25")
    assert later.names == (
        "visit_id",
        "upn",
        "carer_name",
        "visit_date",
        "visit_type",
        "outcome",
        "weeks",
    )
    assert "carer_name" not in later.required
    assert later.column("weeks").range.most == 60
    assert load_spec(folder, "2025-26").column("weeks").range.most == 104
    assert load_spec(folder, "2025-26").files == (
        "sources/visits/base.yml",
        "sources/visits/2024-25.yml",
        "sources/visits/2025-26.yml",
    )


def test_a_change_to_a_column_the_base_lacks_is_refused(tmp_path):
    folder = _source(
        tmp_path,
        "visits",
        BASE,
        {"2024-25": "changes:\n  - {type: modify, column: nurse, value: {title: Nurse}}\n"},
    )
    with pytest.raises(SpecInvalid) as refused:
        load_spec(folder)
    assert refused.value.problems == [
        "sources/visits/2024-25.yml: changes[0]: column: no column 'nurse' to modify"
    ]


def test_a_remove_in_a_year_file_is_refused_saying_to_make_the_column_optional(tmp_path):
    folder = _source(
        tmp_path,
        "visits",
        BASE,
        {"2024-25": "changes:\n  - {type: remove, column: carer_name, description: gone}\n"},
    )
    with pytest.raises(SpecInvalid) as refused:
        load_spec(folder)
    assert refused.value.problems == [
        "sources/visits/2024-25.yml: changes[0]: type: remove is not allowed: a kind's raw "
        "table is one table across all years, so a column cannot vanish in a later year; make "
        "it optional instead (type: modify, value: {required: false})"
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            "  - {type: modify, column: weeks, value: {required: 'yes'}}",
            "sources/visits/2024-25.yml: changes[0].value.required: must be true or false, "
            "not text 'yes'",
        ),
        (
            "  - {type: add, value: {name: nurse, type: text, identifier: keep, aliases: abc}}",
            "sources/visits/2024-25.yml: changes[0].value.aliases: must be a list, not text 'abc'",
        ),
        (  # a problem of a column the year file adds names the year file, not base.yml
            "  - {type: add, value: {name: nurse, type: colour, identifier: keep}}",
            "sources/visits/2024-25.yml: columns[6] (nurse): type: 'colour' must be one of "
            "code, text, date, number",
        ),
        (
            "  - {type: rename, column: weeks}",
            "sources/visits/2024-25.yml: changes[0]: type must be one of add, modify",
        ),
    ],
)
def test_a_problem_in_a_year_file_names_the_year_file(tmp_path, change, expected):
    folder = _source(tmp_path, "visits", BASE, {"2024-25": f"changes:\n{change}\n"})
    with pytest.raises(SpecInvalid) as refused:
        load_spec(folder)
    assert refused.value.problems == [expected]


@pytest.mark.parametrize(
    "name", ["2024-25.yaml", "base.yaml", "notes.txt", "2024-2025.yml", "2024-26.yml"]
)
def test_a_file_in_a_source_folder_that_is_not_a_spec_is_refused(tmp_path, name):
    folder = _source(tmp_path, "visits", BASE)
    (folder / name).write_text("changes: []\n", encoding="utf-8")
    with pytest.raises(SpecInvalid) as refused:
        load_spec(folder)
    assert refused.value.problems == [
        f"sources/visits/{name}: not a file a source's folder holds: base.yml, a year file "
        "named YYYY-YY.yml (2024-25.yml) or YYYY.yml (2025.yml), or README.md"
    ]


def test_a_readme_beside_the_specs_is_allowed(tmp_path):
    folder = _source(tmp_path, "visits", BASE)
    (folder / "README.md").write_text("# Health visits\n", encoding="utf-8")
    assert load_spec(folder).names[0] == "visit_id"


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda t: t.replace(
                "    identifier: keep\n    format: {named: not_blank",
                '    identifier: keep\n    required: "yes"\n    format: {named: not_blank',
            ),
            "columns[0].required: must be true or false, not text 'yes'",
        ),
        (
            lambda t: t.replace(
                "{name: carer_name, type: text, identifier: drop}",
                "{name: carer_name, type: text, identifier: drop, aliases: carer}",
            ),
            "columns[2].aliases: must be a list, not text 'carer'",
        ),
        (
            lambda t: t.replace(
                "{name: carer_name, type: text, identifier: drop}",
                "{name: carer_name, type: text, identifier: drop, aliases: [carer, 3]}",
            ),
            "columns[2].aliases[1]: must be text, not a number (3)",
        ),
        (
            lambda t: t.replace(
                "    codes:\n      - {code: S, name: seen}\n      - {code: N, name: not seen}\n",
                "    codes: {S: seen, N: not seen}\n",
            ),
            "code_lists.outcome.codes: must be a list, not a mapping",
        ),
        (
            lambda t: t + 'landing_order: "3"\n',
            "landing_order: must be a whole number, not text '3'",
        ),
        (
            lambda t: t + "landing_order: true\n",
            "landing_order: must be a whole number, not true or false (true)",
        ),
        (
            lambda t: t.replace(
                "  - {name: carer_name, type: text, identifier: drop}", "  - carer_name"
            ),
            "columns[2]: must be a mapping (name:, type:, ...), not text 'carer_name'",
        ),
        (
            lambda t: t + "placement: [postcode_sector]\n",
            "placement: must be a mapping, not a list",
        ),
        (
            lambda t: t + "consent: {aggregate: [visit_id]}\n",
            "consent.aggregate: must be text, not a list",
        ),
        (lambda t: t + "items: {bank: 3}\n", "items.bank: must be text, not a number (3)"),
        (
            lambda t: t + "free_text: {scrub: 'no'}\n",
            "free_text.scrub: must be true or false, not text 'no'",
        ),
        (
            lambda t: t + "headers: {numbered: {prefix: elg, first: one, last: 17}}\n",
            "headers.numbered.first: must be a whole number, not text 'one'",
        ),
        (lambda t: t + "headers: [numbered]\n", "headers: must be a mapping, not a list"),
        (
            lambda t: t.replace(
                "raw_table: {name: health_visits,", "raw_table: {name: [health_visits],"
            ),
            "raw_table.name: must be text, not a list",
        ),
        (
            lambda t: t + "also_tables: [visit_log]\n",
            "also_tables[0]: must be a mapping, not text 'visit_log'",
        ),
        (
            lambda t: t.replace("key: {columns: [visit_id]", "key: {columns: visit_id"),
            "key.columns: must be a list, not text 'visit_id'",
        ),
        (lambda t: t + "matching: {source: census}\n", "matching: must be a list, not a mapping"),
        (
            lambda t: t + "matching: [{source: census, column: [upn]}]\n",
            "matching[0].column: must be text, not a list",
        ),
        (
            lambda t: t.replace("format: {named: not_blank,", "format: {named: [not_blank],"),
            "columns[0].format.named: must be text, not a list",
        ),
        (
            lambda t: t.replace("range: {min: 0,", "range: {min: none,"),
            "columns[5].range.min: must be a number, not text 'none'",
        ),
        (
            lambda t: t.replace("to: {years: 1, days: -1}", "to: {years: 1, days: '-1'}"),
            "columns[3].window.to.days: must be a whole number, not text '-1'",
        ),
        (
            lambda t: t.replace(
                "      rule: visit_date_in_year", "      rule: [visit_date_in_year]"
            ),
            "columns[3].window.rule: must be text, not a list",
        ),
        (
            lambda t: t.replace(
                "identifier: {handling: pseudonymise, as: child_id}",
                "identifier: {handling: pseudonymise, as: 7}",
            ),
            "columns[1].identifier.as: must be text, not a number (7)",
        ),
        (
            lambda t: t.replace(
                "    rule: outcome_code", "    rule: outcome_code\n    synonyms: [SEEN]"
            ),
            "code_lists.outcome.synonyms: must be a mapping, not a list",
        ),
        (
            lambda t: t.replace("range: {min: 0,", "range: {minimum: 0,"),
            "columns[5].range.minimum: not a key of columns[5].range (known: min, max, rule, "
            "message)",
        ),
        (
            lambda t: t + "placement: {method: postcode_sector, colum: visit_id}\n",
            "placement.colum: not a key of placement (known: method, column, via, authority, "
            "neighbourhood, lookup, within, doc)",
        ),
        (
            lambda t: t.replace("codes: outcome}", "codes: [S, N]}"),
            "columns[4].codes: must be text or a mapping, not a list",
        ),
    ],
)
def test_a_key_of_the_wrong_type_is_one_line_naming_file_path_and_type(tmp_path, edit, expected):
    folder = _source(tmp_path, "visits", edit(BASE))
    with pytest.raises(SpecInvalid) as refused:
        load_spec(folder)
    assert refused.value.problems == [f"sources/visits/base.yml: {expected}"]


def test_the_rules_a_spec_declares_find_each_defect_once(tmp_path):
    spec = load_spec(_source(tmp_path, "visits", BASE))
    frame = pd.DataFrame(
        {
            "visit_id": ["v1", " ", "v3", "v4", "v5"],
            "upn": ["A123456789012", "", "", "", ""],
            "carer_name": ["Ann", "Bo", "Cy", "Di\x00", "Ed"],
            "visit_date": ["2023-10-01", "2023-10-01", "2025-01-01", "not a day", "2024-08-31"],
            "outcome": ["S", "N", "X", "S", "N"],
            "weeks": ["3", "4", "61", "", "ten"],
            "_source_row": [2, 3, 4, 5, 6],
        }
    )
    found = {
        (defect.row, defect.column, defect.rule, defect.message)
        for defect in apply_rules(frame, spec_rules(spec, "2023/24"), "visits.csv")
        if defect.column != "upn"
    }
    assert found == {
        (3, "visit_id", "visit_blank", "visit_id is '(blank)': every visit needs an id"),
        (
            4,
            "visit_date",
            "visit_date_in_year",
            "visit_date is '2025-01-01': a visit in 2023/24 is between 01 September 2023 and "
            "31 August 2024",
        ),
        (
            5,
            "visit_date",
            "visit_date_format",
            "visit_date is 'not a day': the visit date must be a date",
        ),
        (4, "outcome", "outcome_code", "outcome is 'X': outcome must be S (seen), N (not seen)"),
        (4, "weeks", "weeks_range", "weeks is '61': weeks must be 0 to 60"),
        (6, "weeks", "weeks_range", "weeks is 'ten': weeks must be 0 to 60"),
        (
            5,
            "carer_name",
            "control_character",
            "carer_name is 'Di\\x00': the value holds a control character (shown as \\x and its "
            "code), which no value should: it is invisible in Excel and usually comes from a "
            "damaged export or a copy and paste; retype the value and land the file again",
        ),
    }


def _code_defects(spec, values: list[str]) -> set[tuple[int, str]]:
    frame = pd.DataFrame(
        {
            "visit_id": [f"v{n}" for n in range(len(values))],
            "upn": [""] * len(values),
            "carer_name": ["Ann"] * len(values),
            "visit_date": ["2023-10-01"] * len(values),
            "outcome": values,
            "weeks": ["3"] * len(values),
            "_source_row": list(range(2, 2 + len(values))),
        }
    )
    return {
        (defect.row, defect.message)
        for defect in apply_rules(frame, spec_rules(spec, "2023/24"), "visits.csv")
        if defect.column == "outcome"
    }


def test_a_blank_in_an_optional_coded_column_passes_its_code_list(tmp_path):
    optional = BASE.replace("codes: outcome}", "codes: outcome, required: false}")
    spec = load_spec(_source(tmp_path, "visits", optional))
    assert _code_defects(spec, ["S", "", "  ", "X"]) == {
        (5, "outcome is 'X': outcome must be S (seen), N (not seen)")
    }


def test_a_blank_in_a_required_coded_column_fails_its_code_list(tmp_path):
    spec = load_spec(_source(tmp_path, "visits", BASE))
    assert _code_defects(spec, ["S", ""]) == {
        (3, "outcome is '(blank)': outcome must be S (seen), N (not seen)")
    }


def test_an_optional_coded_column_whose_list_declares_a_blank_reads_it_as_that_code(tmp_path):
    optional = BASE.replace("codes: outcome}", "codes: outcome, required: false}").replace(
        "    rule: outcome_code\n", "    rule: outcome_code\n    blank: N\n"
    )
    spec = load_spec(_source(tmp_path, "visits", optional))
    assert spec.column("outcome").codes.blank == "N"
    assert _code_defects(spec, ["S", "X"]) == {
        (3, "outcome is 'X': outcome must be S (seen), N (not seen)")
    }


def test_a_financial_years_window_starts_on_1_april(tmp_path):
    spec = load_spec(
        _source(tmp_path, "visits", BASE.replace("period: academic_year", "period: financial_year"))
    )
    frame = pd.DataFrame(
        {
            "visit_id": ["v1", "v2", "v3", "v4"],
            "upn": [""] * 4,
            "carer_name": ["Ann"] * 4,
            "visit_date": ["2023-03-31", "2023-04-01", "2024-03-31", "2024-04-01"],
            "outcome": ["S"] * 4,
            "weeks": ["3"] * 4,
            "_source_row": [2, 3, 4, 5],
        }
    )
    found = {
        (defect.row, defect.message)
        for defect in apply_rules(frame, spec_rules(spec, "2023/24"), "visits.csv")
        if defect.rule == "visit_date_in_year"
    }
    between = "a visit in 2023/24 is between 01 April 2023 and 31 March 2024"
    assert found == {
        (2, f"visit_date is '2023-03-31': {between}"),
        (5, f"visit_date is '2024-04-01': {between}"),
    }


def test_the_project_specs_declare_the_returns_as_documented():
    """What docs/inputs.md has always said of the returns, written out by hand."""
    specs = load_sources(ROOT / "sources")
    assert list(specs) == [
        "eyfsp",
        "census",
        "voice",
        "care_leavers",
        "pathway_plan_reviews",
        "health_visitor_reviews",
        "wellcomm_screenings",
        "slt_referrals",
        "health_education_linkage",
        "early_help_referrals",
        "voice_notes",
        "voice_note_survey",
        "postcode_lsoa",
        "household_deprivation",
        "idaci",
    ]
    # a home postcode and the postcode-to-LSOA lookup's postcode: reduced to the sector and
    # joined through the same keyed pseudonym, neither kept whole
    for kind, column in (("census", "postcode"), ("postcode_lsoa", "pcds")):
        identifier = specs[kind].column(column).identifier
        assert (identifier.to, identifier.linked_as) == ("postcode_sector", "postcode_pseudonym")
        assert column not in specs[kind].raw_columns
        assert "postcode_pseudonym" in specs[kind].raw_columns
    reviews = specs["health_visitor_reviews"]
    # a child of the 2024-25 file reaches 30 months between 1 April 2024 and 31 March 2025
    assert reviews.column("date_of_birth").window.bounds(dt.date(2024, 4, 1)) == (
        dt.date(2021, 10, 1),
        dt.date(2022, 9, 30),
    )
    assert reviews.column("nhs_number").identifier.as_name == "child_health_pseudonym"
    assert specs["health_education_linkage"].column("upn").identifier.as_name == ("child_pseudonym")
    assert [key.columns for key in specs["health_education_linkage"].also_keys] == [("upn",)]
    eyfsp, census, voice = specs["eyfsp"], specs["census"], specs["voice"]
    assert eyfsp.required[:7] == ("la_code", "estab", "upn", "surname", "forename", "dob", "sex")
    assert eyfsp.required[7:] == tuple(f"elg{n:02d}" for n in range(1, 18))
    assert eyfsp.column("elg09").codes.codes == {
        "1": "emerging",
        "2": "expected",
        "A": "not assessed",
    }
    assert eyfsp.dropped == ("surname", "forename")
    assert census.column("ethnicity").codes.codes.keys() == {
        "WHIT",
        "MIXD",
        "ASIA",
        "BLAC",
        "CHNE",
        "AOEG",
        "REFU",
        "NOBT",
    }
    assert census.column("postcode").identifier.to == "postcode_sector"
    assert eyfsp.column("dob").window.bounds(dt.date(2023, 9, 1)) == (
        dt.date(2018, 9, 1),
        dt.date(2019, 8, 31),
    )
    assert voice.required == (
        "response_id",
        "response_date",
        "channel",
        "uses_funded_early_education",
        "english_additional_language",
        "known_to_family_hub",
        "consent_aggregate",
        "consent_quote",
        "consent_link",
    )
    assert voice.header_aliases["timestamp"] == "response_date"
    assert voice.column("consent_quote").codes.blank == "N"
    assert voice.column("known_to_family_hub").codes.blank == "U"
    assert {match.source for match in eyfsp.matching} == {"census"}


def test_the_care_leaver_specs_say_what_the_ssda903_return_and_the_reviews_hold():
    """The SSDA903 code lists and the cohort's window, written out from the DfE guidance
    (../shared/reference/site_frameworks.md), not read back from the spec's own lists."""
    specs = load_sources(ROOT / "sources")
    leavers, reviews = specs["care_leavers"], specs["pathway_plan_reviews"]
    assert leavers.period == reviews.period == "financial_year"
    accommodation = set(leavers.column("accommodation").codes.codes)
    assert len(accommodation) == 16 * 2 - 2  # 16 letters, S and X with 2 only
    assert {"S2", "X2", "U1", "Z2"} <= accommodation
    assert not {"S1", "X1"} & accommodation
    assert set(leavers.column("in_touch").codes.codes) == {
        "YES",
        "NO",
        "DIED",
        "REFU",
        "NREQ",
        "RHOM",
    }
    assert set(leavers.column("activity").codes.codes) == {
        "F1",
        "P1",
        "F2",
        "P2",
        "F4",
        "P4",
        "F5",
        "P5",
        "G4",
        "G5",
        "G6",
    }
    # 2024-25 starts 1 April 2024: a 21st birthday on 1 April 2024 is born 1 April 2003,
    # a 17th on 31 March 2025 is born 31 March 2008.
    assert leavers.column("date_of_birth").window.bounds(dt.date(2024, 4, 1)) == (
        dt.date(2003, 4, 1),
        dt.date(2008, 3, 31),
    )
    assert leavers.column("child_id").identifier.handling == "pseudonymise"
    assert reviews.column("child_id").identifier.as_name == "child_pseudonym"
    assert leavers.column("child_id").identifier.as_name == "child_pseudonym"
    assert leavers.column("date_of_birth").identifier.to == "year_month"
    # a personal adviser's team is directly in its authority (the care leavers' indicators
    # publish teams and the authority, no districts)
    for spec in (leavers, reviews):
        assert spec.placement == {"method": "team", "column": "team_code", "within": "authority"}
    assert reviews.key == ("review_id", "perspective")
    assert reviews.consent == {"aggregate": "consent_aggregate"}
    topics = pd.read_csv(ROOT / "seeds" / "pathway_plan_topics.csv")["topic_id"].tolist()
    assert len(topics) == 9  # Table 1
    scored = [c.name for c in reviews.columns if c.type == "number"]
    assert scored == topics  # a topic of the seed is a column of the spec, in its order
    assert reviews.free_text_columns == tuple(f"{topic}_statement" for topic in topics)
    assert all(reviews.column(topic).range.most == 10 for topic in topics)


def test_the_rules_version_is_the_spec_as_resolved_for_the_year_not_its_bytes(tmp_path):
    import indicators.sources.load as loader

    sources = tmp_path / "sources"
    shutil.copytree(ROOT / "sources", sources)
    years = ("2023/24", "2024/25", "2025/26")

    def versions(kinds):
        loader.forget_loaded_sources()
        return [specs_digest(kinds, sources, year) for year in years]

    before = versions(("voice",))
    statutory = versions(("eyfsp", "census"))
    spec = sources / "voice" / "base.yml"
    spec.write_text("# a comment changes no rule\n" + spec.read_text() + "\n# nor here\n")
    assert versions(("voice",)) == before
    (sources / "voice" / "2024-25.yml").write_text(
        "changes:\n  - {type: modify, column: postcode_sector, value: {title: Area}}\n"
    )
    after = versions(("voice",))
    assert after[0] == before[0]  # 2023/24: the year file does not reach back
    assert after[1] != before[1] and after[2] != before[2]
    assert versions(("eyfsp", "census")) == statutory


def test_dbt_raw_sources_are_generated_from_the_specs_and_current():
    committed = (ROOT / "dbt_project" / SOURCES_YML).read_text(encoding="utf-8")
    assert committed == sources_yml(load_sources(ROOT / "sources"), ROOT / "sources"), (
        "dbt_project/models/staging/_sources.yml is not what the specs give: run "
        "`chorus dbt-refresh`"
    )
    tables = {t["name"] for t in yaml.safe_load(committed)["sources"][0]["tables"]}
    assert tables == {
        "eyfsp_returns",
        "school_census",
        "voice_responses",
        "voice_answers",
        "voice_quotes",
        "neighbourhood_lookup",
        "local_authorities",
        "teams",
        "districts",
        "quarantine",
        "voice_door_log",
        "load_log",
        "care_leavers_records",
        "pathway_plan_reviews",
        "health_visitor_reviews",
        "wellcomm_screenings",
        "slt_referrals",
        "health_education_linkage",
        "early_help_referrals",
        "voice_notes",
        "voice_note_survey",
        "early_help_trials",
        "postcode_lsoa",
        "household_deprivation",
        "idaci",
        "authority_areas",
    }
    used = set()
    for model in (ROOT / "dbt_project" / "models").rglob("*.sql"):
        used |= set(re.findall(r"source\('raw', '([a-z_]+)'\)", model.read_text()))
    assert used <= tables


def test_the_input_docs_sections_are_generated_from_the_specs_and_current():
    doc = (ROOT / "docs" / "inputs.md").read_text(encoding="utf-8")
    assert doc == with_generated_sections(doc, load_sources(ROOT / "sources")), (
        "docs/inputs.md's generated sections are not what the specs give: run `chorus dbt-refresh`"
    )
    assert "| `sex` | `M` male, `F` female |" in doc
    assert "| `elg01` … `elg17` | `1` emerging, `2` expected, `A` not assessed" in doc


def test_the_returns_matched_as_their_specs_declare_say_what_they_said(tmp_path):
    """Messages of the EYFSP/census match, now the specs' words: written out by hand."""
    from indicators.ingest.landing import discover
    from indicators.ingest.lookups import Reference
    from indicators.ingest.statutory import check_year
    from indicators.reference import AcademicYear
    from indicators.synthetic.authorities import HARROWDALE
    from indicators.synthetic.generate import generate

    generate(tmp_path, seed=2, children_per_year=40, years=["2023/24"])
    eyfsp_path = tmp_path / "eyfsp/2023-24/eyfsp_return.csv"
    census_path = tmp_path / "census/2023-24/census_extract.csv"
    eyfsp = pd.read_csv(eyfsp_path, dtype=str, keep_default_na=False)
    census = pd.read_csv(census_path, dtype=str, keep_default_na=False)
    unplaced, unreturned, quarantined = eyfsp["upn"].iloc[0:3]
    census = census[census["upn"] != unplaced].reset_index(drop=True)
    census.loc[census["upn"] == quarantined, "fsm_eligible"] = "Q"
    census_row = int(census.index[census["upn"] == quarantined][0]) + 2
    unreturned_row = int(census.index[census["upn"] == unreturned][0]) + 2
    eyfsp = eyfsp[eyfsp["upn"] != unreturned].reset_index(drop=True)
    eyfsp.to_csv(eyfsp_path, index=False)
    census.to_csv(census_path, index=False)
    files, _ = discover(tmp_path)
    reference = Reference(
        sectors=frozenset(s for sectors in HARROWDALE.sectors().values() for s in sectors),
        la_codes=frozenset({"999"}),
    )
    checked = check_year(AcademicYear.parse("2023/24"), files, reference)
    found = {(d.file, d.row, d.rule, d.message) for d in checked.defects}
    assert found == {
        (
            "eyfsp/2023-24/eyfsp_return.csv",
            2,
            "census_missing",
            f"no census row has UPN '{unplaced}', so the child cannot be placed in a "
            "neighbourhood: add them to the 2023/24 census extract",
        ),
        (
            "census/2023-24/census_extract.csv",
            unreturned_row,
            "eyfsp_missing",
            f"no EYFSP result has UPN '{unreturned}' in 2023/24: remove the row or land the "
            "missing result",
        ),
        (
            "census/2023-24/census_extract.csv",
            census_row,
            "fsm_code",
            "fsm_eligible is 'Q': must be Y (eligible), N (not eligible)",
        ),
        (
            "eyfsp/2023-24/eyfsp_return.csv",
            3,
            "census_row_quarantined",
            f"this child's census row is quarantined: census/2023-24/census_extract.csv, row "
            f"{census_row} (fsm_code). The child is held back from both returns until it is "
            "fixed: fix that row and land the file again",
        ),
    }
    census_path.unlink()
    files, _ = discover(tmp_path)
    alone = check_year(AcademicYear.parse("2023/24"), files, reference)
    assert {d.message for d in alone.defects} == {
        "no 2023/24 census extract is landed, so the child is held back: land it under "
        "census/2023-24/"
    }


def test_a_malformed_project_spec_stops_validate_with_one_line_naming_only_its_problem(tmp_path):
    import os
    import subprocess
    import sys

    shutil.copytree(ROOT / "sources", tmp_path / "sources")
    census = tmp_path / "sources" / "census" / "base.yml"
    census.write_text(
        census.read_text().replace(
            "identifier: {handling: pseudonymise, as: child_id}\n    format: upn\n    doc: as",
            "identifier: hash\n    format: upn\n    doc: as",
        )
    )
    result = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "validate", str(tmp_path)],
        env={**os.environ, "CHORUS_SOURCES": str(tmp_path / "sources")},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"chorus: the source specs in {tmp_path / 'sources'} have problems: "
        "sources/census/base.yml: columns[0] (upn): identifier: 'hash' must be one of keep, "
        "pseudonymise, reduce, drop (what happens to the values at the door); correct them "
        "(docs/inputs.md, docs/architecture.md: Source specs)"
    ]


def _cli(*args: str, env: dict[str, str]):
    import os
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "orchestration.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_a_deleted_kind_the_project_needs_stops_validate_and_run_in_one_line(tmp_path):
    shutil.copytree(ROOT / "sources", tmp_path / "sources")
    shutil.rmtree(tmp_path / "sources" / "voice")
    (tmp_path / "landing").mkdir()
    env = {
        "CHORUS_SOURCES": str(tmp_path / "sources"),
        "CHORUS_HOME": str(tmp_path / "home"),
        "CHORUS_PSEUDONYM_KEY": "a test key, long enough and varied",
    }
    expected = (
        f"chorus: the source specs in {tmp_path / 'sources'} have problems: "
        "sources/voice/base.yml: missing: the project needs the voice source "
        "(stg_voice__responses.sql reads raw.voice_responses, which no source spec makes): "
        "restore sources/voice/ (git checkout -- sources/voice if it was committed) or remove "
        "models/staging/stg_voice__*.sql; correct them "
        "(docs/inputs.md, docs/architecture.md: Source specs)"
    )
    validated = _cli("validate", str(tmp_path / "landing"), env=env)
    assert validated.returncode == 1
    assert validated.stderr.strip().splitlines() == [expected]
    ran = _cli("run", "--landing", str(tmp_path / "landing"), env=env)
    assert ran.returncode == 1
    assert expected in ran.stderr.splitlines()
    assert "Traceback" not in ran.stderr + ran.stdout


def test_a_deleted_base_yml_stops_validate_in_one_line(tmp_path):
    shutil.copytree(ROOT / "sources", tmp_path / "sources")
    (tmp_path / "sources" / "census" / "base.yml").unlink()
    validated = _cli("validate", str(tmp_path), env={"CHORUS_SOURCES": str(tmp_path / "sources")})
    assert validated.returncode == 1
    assert validated.stderr.strip().splitlines() == [
        f"chorus: the source specs in {tmp_path / 'sources'} have problems: "
        "sources/census/base.yml: missing: every source needs a base.yml; correct them "
        "(docs/inputs.md, docs/architecture.md: Source specs)"
    ]


def test_show_rejected_is_refused_on_a_reduced_column_in_base_and_year_files(tmp_path):
    shown = BASE.replace(
        "    identifier: {handling: reduce, to: year_month, as: visit_month}\n",
        "    identifier: {handling: reduce, to: year_month, as: visit_month}\n"
        "    show_rejected: true\n",
    )
    with pytest.raises(SpecInvalid) as refused:
        load_spec(_source(tmp_path / "a", "visits", shown))
    assert refused.value.problems == [
        "sources/visits/base.yml: columns[3] (visit_date): show_rejected: not allowed on a "
        "column whose identifier handling is reduce: a rejected value would show the "
        "identifier in the rejected-rows report"
    ]
    folder = _source(
        tmp_path / "b",
        "visits",
        BASE,
        {
            "2024-25": "changes:\n"
            "  - {type: modify, column: visit_date, value: {show_rejected: true}}\n"
        },
    )
    with pytest.raises(SpecInvalid) as refused:
        load_spec(folder)
    assert len(refused.value.problems) == 1
    assert refused.value.problems[0].startswith("sources/visits/2024-25.yml: ")
    assert refused.value.problems[0].endswith(
        "(visit_date): show_rejected: not allowed on a column whose identifier handling is "
        "reduce: a rejected value would show the identifier in the rejected-rows report"
    )


def test_a_modify_cannot_rename_a_column(tmp_path):
    folder = _source(
        tmp_path,
        "visits",
        BASE,
        {"2024-25": "changes:\n  - {type: modify, column: weeks, value: {name: weeks_open}}\n"},
    )
    with pytest.raises(SpecInvalid) as refused:
        load_spec(folder)
    assert refused.value.problems == [
        "sources/visits/2024-25.yml: changes[0]: value.name: a modify cannot rename weeks: a "
        "kind's raw table is one table across all years; add the new column (type: add) and "
        "make this one optional (value: {required: false})"
    ]


@pytest.mark.parametrize(
    ("edit", "years", "expected"),
    [
        (
            lambda text: text.replace(
                "message: a visit in {period} is", "message: a visit in {period.year} is"
            ),
            {},
            "sources/visits/base.yml: columns[3] (visit_date): window.message: may use only "
            "{period}, {first}, {last}",
        ),
        (
            lambda text: text + "1: x\nfoo: y\n",
            {},
            "sources/visits/base.yml: 1: not a key a source spec has",
        ),
        (
            lambda text: text + "placement: {method: postcode_sector}\n",
            {},
            "sources/visits/base.yml: placement.column: missing: name the column holding the "
            "postcode (or sector)",
        ),
        (
            lambda text: text,
            {
                "2024-25": "changes:\n  - {type: add, value: {name: nurse, type: text, "
                "identifier: keep}, afer: outcome, descripton: a nurse}\n"
            },
            "sources/visits/2024-25.yml: changes[0]: afer, descripton: not a key of a change "
            "(a change has type, column, value, after, description)",
        ),
    ],
)
def test_bad_keys_and_messages_are_one_line_not_a_traceback(tmp_path, edit, years, expected):
    folder = _source(tmp_path, "visits", edit(BASE), years)
    with pytest.raises(SpecInvalid) as refused:
        load_spec(folder)
    assert any(problem.startswith(expected) for problem in refused.value.problems), (
        refused.value.problems
    )
    assert all("\n" not in problem for problem in refused.value.problems)


def test_a_spec_not_in_utf8_is_one_line_naming_file_and_line(tmp_path):
    folder = _source(tmp_path, "visits", BASE)
    text = (folder / "base.yml").read_text(encoding="utf-8")
    latin = text.replace("title: health", "title: caf\xe9 health").encode("latin-1")
    (folder / "base.yml").write_bytes(latin)
    with pytest.raises(SpecInvalid) as refused:
        load_spec(folder)
    assert refused.value.problems == [
        "sources/visits/base.yml: line 2: byte 0xe9 is not UTF-8: save the file as UTF-8"
    ]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda t: t.replace("stream: standalone", "stream: voices"),
            "sources/visits/base.yml: stream: 'voices' must be one of statutory, voice, "
            "standalone (the engine that loads it; a new source is standalone)",
        ),
        (
            lambda t: t.replace("title: health visits", 'title: ""'),
            "sources/visits/base.yml: title: must not be blank (how docs and messages name it)",
        ),
        (
            lambda t: t.replace("as: child_id}", "as: child_id, consent: consent_lnk}"),
            "sources/visits/base.yml: columns[1] (upn): identifier.consent: 'consent_lnk' is "
            "not a column",
        ),
        (
            lambda t: t.replace("as: visit_month}", "as: outcome}"),
            "sources/visits/base.yml: columns[3] (visit_date): identifier.as: 'outcome' is "
            "also outcome's column in the raw table: name another",
        ),
        (
            lambda t: t.replace("to: year_month, as: visit_month", "to: postcode_sector, as: vs"),
            "sources/visits/base.yml: columns[3] (visit_date): identifier.to: postcode_sector "
            "reduces a code or text column, not a date one",
        ),
        (
            lambda t: t.replace(
                "{name: carer_name, type: text, identifier: drop}",
                "{name: carer_name, type: text, identifier: {handling: reduce, to: year_month, "
                "as: carer_month}}",
            ),
            "sources/visits/base.yml: columns[2] (carer_name): identifier.to: year_month "
            "reduces a date column, not a text one",
        ),
    ],
)
def test_values_a_spec_names_are_checked(tmp_path, edit, expected):
    with pytest.raises(SpecInvalid) as refused:
        load_spec(_source(tmp_path, "visits", edit(BASE)))
    assert refused.value.problems == [expected]


def test_a_window_offset_beyond_a_hundred_years_is_refused(tmp_path):
    folder = _source(
        tmp_path, "visits", BASE.replace("to: {years: 1, days: -1}", "to: {years: 9000}")
    )
    with pytest.raises(SpecInvalid) as refused:
        load_spec(folder)
    assert refused.value.problems == [
        "sources/visits/base.yml: columns[3] (visit_date): window.to: more than 100 years from "
        "the period's start: a window is within a child's or a service's lifetime"
    ]


@pytest.mark.parametrize("text", ["", "# nothing yet\n", "- {type: add}\n"])
def test_an_empty_or_list_only_year_file_says_it_needs_changes(tmp_path, text):
    folder = _source(tmp_path, "visits", BASE, {"2024-25": text})
    with pytest.raises(SpecInvalid) as refused:
        load_spec(folder)
    assert refused.value.problems == [
        "sources/visits/2024-25.yml: a year file holds changes: (a list of {type, column, "
        "...}), and nothing else"
    ]


def test_a_base_problem_is_not_blamed_on_a_year_file_that_only_rewords_the_column(tmp_path):
    folder = _source(
        tmp_path,
        "visits",
        BASE.replace("  - name: weeks\n    type: number", "  - name: weeks\n    type: numbr"),
        {"2024-25": "changes:\n  - {type: modify, column: weeks, value: {doc: weeks open}}\n"},
    )
    with pytest.raises(SpecInvalid) as refused:
        load_spec(folder)
    assert refused.value.problems == [
        "sources/visits/base.yml: columns[5] (weeks): type: 'numbr' must be one of code, text, "
        "date, number"
    ]


def test_a_deleted_kind_another_matches_gets_the_missing_kind_line(tmp_path):
    shutil.copytree(ROOT / "sources", tmp_path / "sources")
    shutil.rmtree(tmp_path / "sources" / "census")
    (tmp_path / "landing").mkdir()
    env = {
        "CHORUS_SOURCES": str(tmp_path / "sources"),
        "CHORUS_HOME": str(tmp_path / "home"),
        "CHORUS_PSEUDONYM_KEY": "a test key, long enough and varied",
    }
    validated = _cli("validate", str(tmp_path / "landing"), env=env)
    assert validated.returncode == 1
    assert validated.stderr.strip().splitlines() == [
        f"chorus: the source specs in {tmp_path / 'sources'} have problems: "
        "sources/census/base.yml: missing: the project needs the census source "
        "(stg_census__pupils.sql reads raw.school_census, which no source spec makes): "
        "restore sources/census/ (git checkout -- sources/census if it was committed) or "
        "remove models/staging/stg_census__*.sql; correct them (docs/inputs.md, "
        "docs/architecture.md: Source specs)"
    ]


def test_each_year_s_specs_are_what_reading_that_year_s_files_gives(tmp_path):
    """`load_sources` inside `rules_of_year` reuses the spec read with every year file for a
    kind whose year files all apply: each must be what `load_spec` reads for the year."""
    import indicators.sources.load as loader

    sources = tmp_path / "sources"
    shutil.copytree(ROOT / "sources", sources)
    (sources / "voice" / "2024-25.yml").write_text(
        "changes:\n  - {type: modify, column: postcode_sector, value: {title: Area}}\n"
    )
    loader.forget_loaded_sources()
    seen = set()
    for year in ("2019-20", "2023-24", "2024-25", "2026-27", "2025"):
        with loader.rules_of_year(year):
            specs = loader.load_sources(sources)
        for kind, spec in specs.items():
            read = loader.load_spec(sources / kind, year, root=sources)
            assert (spec.files, spec.digest) == (read.files, read.digest), (kind, year)
            seen.add((kind, spec.digest))
    voice = {digest for kind, digest in seen if kind == "voice"}
    assert len(voice) == 2  # before 2024-25, and from it on
