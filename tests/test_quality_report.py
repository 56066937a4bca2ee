"""The quality report (output/quality/index.html): what an engineer needs, and nothing leaked."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd

from indicators.publish.quality_report import (
    CheckResult,
    HeldBack,
    QualityReport,
    dbt_results,
    render_quality_report,
)

UPN = "A354200122002"


def sample_report() -> QualityReport:
    """A run with a rejected census, two quarantine rules and one warning test."""
    accounts = pd.DataFrame(
        [
            ["", "reference", "seeds/neighbourhood_lookup.csv", 30, 28, 2, "loaded", ""],
            [
                "2023/24",
                "census",
                "census/2023-24/census.csv",
                0,
                0,
                0,
                "rejected",
                "census/2023-24/census.csv: the file is empty [empty_file]",
            ],
            ["2023/24", "eyfsp", "eyfsp/2023-24/return.csv", 3615, 3611, 4, "loaded", ""],
        ],
        columns=[
            "academic_year",
            "kind",
            "file",
            "rows_read",
            "rows_loaded",
            "rows_quarantined",
            "status",
            "message",
        ],
    )
    rejections = pd.DataFrame(
        [
            [
                "",
                "reference",
                "seeds/neighbourhood_lookup.csv",
                "2",
                "postcode_sector",
                "OL1 1",
                "lookup_sector_conflict",
                "sector OL1 1 maps to more than one neighbourhood",
            ],
            [
                "",
                "reference",
                "seeds/neighbourhood_lookup.csv",
                "31",
                "postcode_sector",
                "OL1 1",
                "lookup_sector_conflict",
                "sector OL1 1 maps to more than one neighbourhood",
            ],
            [
                "2023/24",
                "census",
                "census/2023-24/census.csv",
                "",
                "",
                "",
                "empty_file",
                "the file is empty: no header and no rows; land the full return",
            ],
            *[
                [
                    "2023/24",
                    "eyfsp",
                    "eyfsp/2023-24/return.csv",
                    str(row),
                    "sex",
                    "X",
                    "sex_code",
                    "sex is 'X': sex must be M (male), F (female)",
                ]
                for row in (5, 9, 40)
            ],
            [
                "2023/24",
                "eyfsp",
                "eyfsp/2023-24/return.csv",
                "77",
                "upn",
                "(withheld: identifier)",
                "upn_check_letter",
                "upn is (withheld: identifier): the check letter does not match",
            ],
        ],
        columns=["academic_year", "kind", "file", "row", "column", "value", "rule", "message"],
    )
    checks = [
        CheckResult(
            "dbt test", "not_null_stg_eyfsp__results_child_id", "stg_eyfsp__results", "pass"
        ),
        CheckResult(
            "dbt test",
            "unique_combination_int_children_joined_time_period__child_id",
            "int_children_joined",
            "pass",
        ),
        CheckResult(
            "dbt test",
            "expression_true_fct_indicator_values_reliability",
            "fct",
            "warn",
            "3 failing row(s).",
            blocking=False,
        ),
        CheckResult(
            "dbt unit test", "reach_is_respondents_per_100_children", "ind_voice__reach", "pass"
        ),
        CheckResult(
            "Great Expectations suite",
            "gx_fct_indicator_values",
            "marts/fct_indicator_values",
            "passed",
            "fct_indicator_values: all 25 expectations met",
        ),
    ]
    published = [
        ("indicators/indicator_values.csv", 227_653),
        ("quality/load_summary.csv", 400),
        ("quality/rejections.csv", 900),
        *[
            (f"boards/area-{n}/pack.{ext}", 1000)
            for n in range(6)
            for ext in ("html", "pdf", "xlsx")
        ],
    ]
    held = [
        HeldBack("Landed rows quarantined", 4, "quality/rejections.csv"),
        HeldBack("Published cells suppressed (c)", 120, "indicators/indicator_values.csv"),
    ]
    quality_files = [
        ("quality/load_summary.csv", 3, "each landed file"),
        ("quality/rejections.csv", 7, "each quarantined row"),
        ("quality/suppression_summary.csv", 12, "see its header"),
    ]
    return QualityReport(
        "0f1e2d3c-run",
        "30 November 2026, 11:28 UTC",
        accounts,
        rejections,
        checks,
        published,
        held,
        quality_files,
    )


class _Structure(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _parse(page: str) -> _Structure:
    parser = _Structure()
    parser.feed(page)
    return parser


def test_the_report_says_what_happened_to_every_file_rule_check_and_publication():
    page = render_quality_report(sample_report())
    text = " ".join(" ".join(_parse(page).text).split())
    for file in (
        "seeds/neighbourhood_lookup.csv",
        "census/2023-24/census.csv",
        "eyfsp/2023-24/return.csv",
    ):
        assert file in text
    assert "3 file(s): 3,645 rows read, 3,639 loaded, 6 quarantined" in text
    # Rules with counts and (at most three) examples, as rejections.csv words them.
    assert re.search(r"sex_code eyfsp 3 row\(s\) 1", text)
    assert "eyfsp/2023-24/return.csv, row 40, column sex: sex is 'X'" in text
    assert re.search(r"empty_file census 0 row\(s\), 1 file\(s\) rejected", text)
    assert re.search(r"lookup_sector_conflict reference 2 row\(s\)", text)
    # Tests: counted by source, the one not passed listed first, and whether it blocks.
    assert "dbt test: 2 of 3 passed" in text and "dbt unit test: 1 of 1 passed" in text
    assert "Great Expectations suite: 1 of 1 passed" in text
    warn = text.index("expression_true_fct_indicator_values_reliability")
    assert warn < text.index("not_null_stg_eyfsp__results_child_id")
    assert "warns only 3 failing row(s)." in text
    # Published files (packs grouped) and what was held back, every quality CSV listed.
    assert "indicators/indicator_values.csv 227,653" in text
    assert re.search(r"boards/ ?: 18 board pack files", text)
    assert "Published cells suppressed (c) 120 indicators/indicator_values.csv" in text
    assert "quality/suppression_summary.csv 12" in text


def test_the_report_is_self_contained_and_structured_for_assistive_technology():
    page = render_quality_report(sample_report())
    structure = _parse(page)
    tags = [tag for tag, _ in structure.tags]
    assert ("html", {"lang": "en-GB"}) in structure.tags
    assert tags.count("h1") == 1 and tags.count("h2") == 6  # with the period notes
    assert tags.count("table") == tags.count("caption") > 0
    assert all(attrs.get("scope") == "col" for tag, attrs in structure.tags if tag == "th")
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
    assert "<link" not in page and "<script" not in page and "@import" not in page
    assert UPN not in page


def test_dbt_results_are_read_from_the_runs_own_target_folder(tmp_path):
    (tmp_path / "run_results.json").write_text(
        json.dumps(
            {
                "results": [
                    {
                        "unique_id": "model.chorus.stg_x",
                        "status": "success",
                        "failures": None,
                        "message": None,
                    },
                    {
                        "unique_id": "test.chorus.not_null_stg_x_child_id.abc123",
                        "status": "pass",
                        "failures": 0,
                        "message": None,
                    },
                    {
                        "unique_id": "test.chorus.expression_true_fct_x.def456",
                        "status": "warn",
                        "failures": 2,
                        "message": "Got 2 results, configured to warn if != 0",
                    },
                    {
                        "unique_id": "unit_test.chorus.ind_voice__reach.reach_keeps_them",
                        "status": "pass",
                        "failures": 0,
                        "message": None,
                    },
                ]
            }
        )
    )
    (tmp_path / "manifest.json").write_text(
        json.dumps(
            {
                "nodes": {
                    "test.chorus.not_null_stg_x_child_id.abc123": {
                        "attached_node": "model.chorus.stg_x",
                        "config": {"severity": "ERROR"},
                    },
                    "test.chorus.expression_true_fct_x.def456": {
                        "attached_node": "model.chorus.fct_x",
                        "config": {"severity": "warn"},
                    },
                },
                "unit_tests": {
                    "unit_test.chorus.ind_voice__reach.reach_keeps_them": {
                        "model": "ind_voice__reach",
                        "config": {},
                    }
                },
            }
        )
    )
    checks = dbt_results(tmp_path)
    assert [(c.source, c.name, c.target, c.status, c.blocking) for c in checks] == [
        ("dbt test", "not_null_stg_x_child_id", "stg_x", "pass", True),
        ("dbt test", "expression_true_fct_x", "fct_x", "warn", False),
        ("dbt unit test", "reach_keeps_them", "ind_voice__reach", "pass", True),
    ]
    assert checks[1].detail == "2 failing row(s). Got 2 results, configured to warn if != 0"


def write_sample_report(folder: Path) -> Path:
    """The sample report as a file (for the accessibility test)."""
    path = folder / "quality" / "index.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_quality_report(sample_report()), encoding="utf-8")
    return path


def test_a_dbt_test_not_run_again_says_so_and_which_run_ran_it(tmp_path):
    """orchestration/dbt_state.py carries a test whose inputs did not change from the run
    that ran it: the report must not present it as run by this run."""
    results = [
        {"unique_id": "test.chorus.not_null_stg_x_id.a1", "status": "pass", "failures": 0},
        {
            "unique_id": "test.chorus.not_null_stg_y_id.b2",
            "status": "pass",
            "failures": 0,
            "carried_from": "11111111-2222-3333-4444-555555555555",
        },
    ]
    (tmp_path / "run_results.json").write_text(json.dumps({"results": results}))
    checks = dbt_results(tmp_path)
    assert [(c.name, c.status, c.detail) for c in checks] == [
        ("not_null_stg_x_id", "pass", ""),
        (
            "not_null_stg_y_id",
            "pass",
            "Not run again: nothing it reads changed since run "
            "11111111-2222-3333-4444-555555555555.",
        ),
    ]
    page = render_quality_report(replace(sample_report(), checks=checks))
    text = re.sub(r"<[^>]+>", "", page)
    assert "dbt test: 2 of 2 passed (1 not run again: nothing they read changed)" in text
