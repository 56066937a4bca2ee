"""Before dbt: one line when nothing can be published, or an indicator is unfinished."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from indicators.ingest.preflight import nothing_publishable
from indicators.publish.register_check import unfinished_indicators, unfinished_line
from orchestration.scaffold import scaffold_indicator

ROOT = Path(__file__).resolve().parents[1]
LOG_COLUMNS = [
    "academic_year",
    "kind",
    "file",
    "rows_read",
    "rows_loaded",
    "rows_quarantined",
    "status",
]
QUARANTINE_COLUMNS = ["academic_year", "kind", "file", "row", "rule", "message"]
READS = {  # each indicator's raw tables, as dbt's lineage would give them (written here)
    "gld": {"eyfsp_returns", "school_census", "neighbourhood_lookup", "local_authorities"},
    "average_elgs_expected": {"eyfsp_returns", "school_census", "neighbourhood_lookup"},
    "voice_reach": {"voice_responses", "eyfsp_returns", "school_census", "neighbourhood_lookup"},
    "care_leavers_in_touch": {"care_leavers_records", "teams", "local_authorities"},
    "distance_travelled": {"pathway_plan_reviews", "teams"},
    "eh_child_voice": {"early_help_referrals", "voice_notes", "teams"},
    "wellcomm_red": {"wellcomm_screenings", "slt_referrals", "eyfsp_returns", "school_census"},
    "wellcomm_green": {"wellcomm_screenings", "eyfsp_returns", "school_census"},
}


def _log(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=LOG_COLUMNS)


def _quarantine(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=QUARANTINE_COLUMNS).astype({"row": "Int64"})


def test_rows_lost_in_part_are_no_reason_to_stop():
    log = _log(
        ("2023/24", "eyfsp", "e.csv", 10, 9, 1, "loaded"),
        ("2023/24", "census", "c.csv", 10, 9, 1, "loaded"),
    )
    quarantine = _quarantine(
        ("2023/24", "census", "c.csv", 3, "fsm_code", "fsm is 'MAYBE'"),
        ("2023/24", "eyfsp", "e.csv", 5, "census_row_quarantined", "..."),
    )
    assert nothing_publishable(log, quarantine, READS) is None


def test_every_row_quarantined_names_the_dominant_rule_its_count_and_the_fix():
    message = (
        "LA number 354 is not in seeds/local_authorities.csv: add the authority or "
        "correct the number"
    )
    log = _log(
        ("", "reference", "seeds/local_authorities.csv", 1, 1, 0, "loaded"),
        ("2023/24", "eyfsp", "eyfsp/2023-24/r.csv", 5, 0, 5, "loaded"),
        ("2023/24", "census", "census/2023-24/c.csv", 5, 0, 5, "loaded"),
    )
    quarantine = _quarantine(
        *[
            ("2023/24", "eyfsp", "eyfsp/2023-24/r.csv", row, "la_code_unknown", message)
            for row in range(2, 6)
        ],
        ("2023/24", "eyfsp", "eyfsp/2023-24/r.csv", 6, "sex_code", "sex is 'X': ..."),
        ("2023/24", "eyfsp", "eyfsp/2023-24/r.csv", 6, "la_code_unknown", message),
        # The census rows are held back only because of the EYFSP rows: not the reason.
        *[
            (
                "2023/24",
                "census",
                "census/2023-24/c.csv",
                row,
                "eyfsp_row_quarantined",
                "this child's EYFSP row is quarantined: ...",
            )
            for row in range(2, 7)
        ],
    )
    line = nothing_publishable(log, quarantine, READS, Path("/landing"))
    assert line == (
        "nothing can be published: EYFSP 2023/24: 5 of 5 rows: "
        + message
        + " (rule la_code_unknown) (every defect: chorus validate /landing)"
    )


def test_a_rejected_census_is_the_reason_given_not_the_children_it_held_back():
    log = _log(
        ("2022/23", "eyfsp", "eyfsp/2022-23/e.csv", 300, 0, 300, "loaded"),
        ("2022/23", "census", "census/2022-23/c.csv", 0, 0, 0, "rejected"),
        ("2023/24", "eyfsp", "eyfsp/2023-24/e.csv", 300, 280, 20, "loaded"),
    )
    quarantine = _quarantine(
        (
            "2022/23",
            "census",
            "census/2022-23/c.csv",
            None,
            "empty_file",
            "the file is empty: no header and no rows; land the full return",
        ),
        *[
            (
                "2022/23",
                "eyfsp",
                "eyfsp/2022-23/e.csv",
                row,
                "census_missing",
                "no census row that could be read has UPN (withheld: identifier), and "
                "census/2022-23/c.csv was rejected, so the child is held back (they may be in "
                "it): fix census/2022-23/c.csv and land it again",
            )
            for row in range(2, 302)
        ],
    )
    assert nothing_publishable(log, quarantine, READS) == (
        "nothing can be published: census 2022/23: census/2022-23/c.csv was rejected: the "
        "file is empty: no header and no rows; land the full return (rule empty_file)"
    )
    # A rejected file with rows read counts them under its own rule.
    log.loc[1, ["rows_read", "rows_quarantined"]] = [300, 300]
    line = nothing_publishable(log, quarantine, READS)
    assert line.startswith(
        "nothing can be published: census 2022/23: 300 of 300 rows: "
        "census/2022-23/c.csv was rejected: the file is empty"
    )
    assert "(rule empty_file)" in line
    # Were the census not itself in the log, the children's own rows would say why.
    line = nothing_publishable(log.drop(index=1), quarantine, READS)
    assert line.startswith(
        "nothing can be published: EYFSP 2022/23: 300 of 300 rows: no census row that could be read"
    )
    assert "census/2022-23/c.csv was rejected" in line


def test_a_return_rejected_with_no_rows_at_all_is_named():
    log = _log(
        ("2023/24", "eyfsp", "eyfsp/2023-24/e.csv", 0, 0, 0, "rejected"),
        ("2023/24", "census", "census/2023-24/c.csv", 0, 0, 0, "rejected"),
    )
    quarantine = _quarantine(
        (
            "2023/24",
            "eyfsp",
            "eyfsp/2023-24/e.csv",
            None,
            "header_only",
            "the file has a header but no rows: land the return with its children",
        ),
        (
            "2023/24",
            "census",
            "census/2023-24/c.csv",
            None,
            "header_only",
            "the file has a header but no rows: land the return with its children",
        ),
    )
    assert nothing_publishable(log, quarantine, READS) == (
        "nothing can be published: EYFSP 2023/24: eyfsp/2023-24/e.csv was rejected: the file "
        "has a header but no rows: land the return with its children (rule header_only); 1 "
        "other return(s) or year(s) have nothing to publish either"
    )


def test_differing_messages_are_shown_by_example_and_a_missing_return_is_named():
    log = _log(
        ("2023/24", "census", "c.csv", 3, 0, 3, "loaded"),
        ("2023/24", "eyfsp", "e.csv", 3, 0, 3, "loaded"),
    )
    quarantine = _quarantine(
        *[
            (
                "2023/24",
                "census",
                "c.csv",
                row,
                "postcode_sector_unknown",
                f"postcode (withheld: identifier) is in sector OL1{row} 1, which is not in the "
                "neighbourhood lookup",
            )
            for row in (2, 3, 4)
        ],
        *[("2023/24", "eyfsp", "e.csv", row, "census_row_quarantined", "...") for row in (2, 3, 4)],
    )
    line = nothing_publishable(log, quarantine, READS)
    assert "census 2023/24: 3 of 3 rows: for example c.csv, row 2: postcode" in line


def test_a_landing_publishes_when_some_indicator_has_every_kind_of_return_it_reads():
    """A care leavers team lands its return alone: its indicators read nothing else, so it
    publishes. A voice survey alone does not: its indicators read the EYFSP return and census
    too, and the line says so."""
    reference = ("", "reference", "seeds/teams.csv", 4, 4, 0, "loaded")
    care_leavers = ("Financial year 2023/24", "care_leavers", "care_leavers/2023-24/c.csv")
    alone = _log(reference, (*care_leavers, 30, 28, 2, "loaded"))
    assert nothing_publishable(alone, _quarantine(), READS) is None
    voice_only = _log(reference, ("2023/24", "voice", "voice/2023-24/s.csv", 40, 40, 0, "loaded"))
    assert nothing_publishable(voice_only, _quarantine(), READS) == (
        "nothing can be published: no indicator has every kind of return it reads loaded "
        "(loaded: voice survey): 1 indicator(s) also read EYFSP (eyfsp/) and census (census/) "
        "(see docs/inputs.md)"
    )
    nothing = _log(reference)
    assert nothing_publishable(nothing, _quarantine(), READS, headline="gld") == (
        "nothing can be published: no indicator has every kind of return it reads loaded "
        "(loaded: none): the headline indicator, gld, reads EYFSP (eyfsp/) and census "
        "(census/) (see docs/inputs.md)"
    )
    # two sets of kinds short of the same returns are one count
    screenings = [
        (year, kind, f"{kind}/2024-25/{kind}.csv", 30, 30, 0, "loaded")
        for year, kind in (("2024/25", "wellcomm_screenings"), ("2024/25", "slt_referrals"))
    ]
    assert nothing_publishable(_log(reference, *screenings), _quarantine(), READS) == (
        "nothing can be published: no indicator has every kind of return it reads loaded "
        "(loaded: WellComm screenings, speech and language therapy referrals): 2 indicator(s) "
        "also read EYFSP (eyfsp/) and census (census/) (see docs/inputs.md)"
    )


def _month(kind: str, month: str, read: int, loaded: int) -> tuple:
    folder = pd.Timestamp(month).strftime("%Y-%m")
    return (month, kind, f"{kind}/{folder}/f.csv", read, loaded, read - loaded, "loaded")


def test_a_month_counted_once_the_next_is_landed_waits_for_it():
    """Early Help referrals and Voice Notes count a month once the next month is landed
    (their specs' `counted_when`): one month of each publishes nothing yet, and the line says
    which month to land; two months in a row publish."""
    april = [_month("early_help_referrals", "April 2024", 20, 20),
             _month("voice_notes", "April 2024", 15, 15)]  # fmt: skip
    assert nothing_publishable(_log(*april), _quarantine(), READS) == (
        "nothing can be published: Early Help referrals and Voice Notes count a period once "
        "the next is landed too: land May 2024 (see docs/inputs.md)"
    )
    may = [_month("early_help_referrals", "May 2024", 20, 20),
           _month("voice_notes", "May 2024", 15, 15)]  # fmt: skip
    assert nothing_publishable(_log(*april, *may), _quarantine(), READS) is None
    march = [_month("early_help_referrals", "March 2025", 20, 20),
             _month("voice_notes", "March 2025", 15, 15)]  # fmt: skip
    line = nothing_publishable(_log(*march), _quarantine(), READS)
    assert "land April 2025" in line  # the next month, in the next financial year
    june = [_month("early_help_referrals", "June 2024", 20, 20),
            _month("voice_notes", "June 2024", 15, 15)]  # fmt: skip
    line = nothing_publishable(_log(*april, *june), _quarantine(), READS)
    assert "land May 2024" in line  # the gap, not the month after the last
    # each has two months in a row, but not the same months: an indicator reading both
    # has no month counted
    apart = [_month("early_help_referrals", "April 2024", 20, 20),
             _month("early_help_referrals", "May 2024", 20, 20),
             _month("voice_notes", "June 2024", 15, 15),
             _month("voice_notes", "July 2024", 15, 15)]  # fmt: skip
    assert nothing_publishable(_log(*apart), _quarantine(), READS) == (
        "nothing can be published: Early Help referrals and Voice Notes count a period only "
        "once each is loaded for it and for the next, and they share no period loaded: land "
        "them for the same periods (see docs/inputs.md)"
    )


def test_the_month_to_land_landed_and_lost_whole_is_named_with_its_rule():
    """April loaded for both, May's referrals every row quarantined: the line names May's
    rule, not "land May"."""
    message = "team 'ZZ-99' is not in seeds/teams.csv: add it there or correct the team_code"
    log = _log(
        _month("early_help_referrals", "April 2024", 20, 20),
        _month("voice_notes", "April 2024", 15, 15),
        _month("early_help_referrals", "May 2024", 2, 0),
        _month("voice_notes", "May 2024", 15, 15),
    )
    quarantine = _quarantine(
        *[("May 2024", "early_help_referrals", "early_help_referrals/2024-05/f.csv", row,
           "team_unknown", message) for row in (2, 3)]
    )  # fmt: skip
    assert nothing_publishable(log, quarantine, READS, Path("/landing")) == (
        "nothing can be published: Early Help referrals May 2024: 2 of 2 rows: "
        f"{message} (rule team_unknown) (every defect: chorus validate /landing)"
    )


def test_a_source_loaded_on_its_own_and_lost_whole_says_what_else_to_land():
    """Every referral quarantined and no Voice Notes: mending the referrals would not be
    enough, so the one line names both; of two months lost alike, the earlier."""
    message = "team 'ZZ-99' is not in seeds/teams.csv: add it there or correct the team_code"
    months = ("April 2024", "January 2024")  # by label April first, by date January
    log = _log(*[_month("early_help_referrals", month, 3, 0) for month in months])
    quarantine = _quarantine(
        *[
            (month, "early_help_referrals", f"early_help_referrals/{folder}/f.csv", row,
             "team_unknown", message)
            for month, folder in zip(months, ("2024-04", "2024-01"), strict=True)
            for row in (2, 3, 4)
        ]
    )  # fmt: skip
    assert nothing_publishable(log, quarantine, READS) == (
        "nothing can be published: Early Help referrals January 2024: 3 of 3 rows: "
        f"{message} (rule team_unknown); 1 other return(s) or year(s) have nothing to publish "
        "either; and 1 indicator(s) also read Voice Notes (voice_notes/)"
    )


def test_a_source_loaded_on_its_own_and_lost_whole_is_named_when_nothing_else_publishes():
    message = "team 'ZZ' is not in seeds/teams.csv: add it there or correct the team_code"
    lost = (*("Financial year 2023/24", "care_leavers", "care_leavers/2023-24/c.csv"), 3, 0, 3)
    log = _log((*lost, "loaded"))
    quarantine = _quarantine(
        *[
            (
                "Financial year 2023/24",
                "care_leavers",
                "care_leavers/2023-24/c.csv",
                row,
                "team_unknown",
                message,
            )
            for row in (2, 3, 4)
        ]
    )
    assert nothing_publishable(log, quarantine, READS) == (
        "nothing can be published: care leavers return Financial year 2023/24: 3 of 3 rows: "
        f"{message} (rule team_unknown)"
    )
    # beside an EYFSP return and census that load, the lost source stops nothing
    log = _log(
        (*lost, "loaded"),
        ("2023/24", "eyfsp", "e.csv", 10, 10, 0, "loaded"),
        ("2023/24", "census", "c.csv", 10, 10, 0, "loaded"),
    )
    assert nothing_publishable(log, quarantine, READS) is None


def test_an_unfilled_scaffold_is_named_by_file_and_each_field(tmp_path):
    sql, yml = scaffold_indicator("school_readiness__example", tmp_path)
    [problem_yml, problem_sql] = unfinished_indicators(tmp_path)
    assert problem_yml.file == str(yml) and problem_sql.file == str(sql)
    document = yaml.safe_load(yml.read_text())
    meta = document["models"][0]["config"]["meta"]["indicator"]
    todo = [field for field, value in meta.items() if str(value).startswith("TODO")]
    assert list(problem_yml.todo) == ["description", *todo]
    assert problem_sql.todo == ("line 1", "line 5 (TODO_condition)")
    line = unfinished_line([problem_yml, problem_sql])
    assert f"{yml}: still TODO: description, title, definition" in line
    assert f"{sql}: still TODO: line 1, line 5 (TODO_condition)" in line
    assert "\n" not in line


def test_a_mistyped_field_and_a_missing_yaml_are_named(tmp_path):
    sql, yml = scaffold_indicator("school_readiness__example", tmp_path)
    document = yaml.safe_load(yml.read_text())
    model = document["models"][0]
    model["description"] = "Filled in."
    meta = model["config"]["meta"]["indicator"]
    for field in meta:
        meta[field] = f"Filled in: {field}"
    meta.update(
        indicator_id="example",
        value_type="proportion",
        unit="%",
        polarity="High is good",
        source_type="statutory",
        numerator_unit="children",
        denominator_unit="pupils",
        co_designed_on="June 2026",
    )
    del meta["caveats"]
    yml.write_text(yaml.safe_dump(document, sort_keys=False))
    sql.write_text(
        sql.read_text()
        .replace("-- TODO: one line", "-- Children who")
        .replace("TODO_condition", "is_gld")
    )
    (tmp_path / "ind_voice__orphan.sql").write_text("select 1")
    problems = {problem.file: problem for problem in unfinished_indicators(tmp_path)}
    assert set(problems) == {str(yml), str(tmp_path / "ind_voice__orphan.yml")}
    invalid = problems[str(yml)].invalid
    assert any(
        text.startswith("polarity 'High is good' is not one of RAG - High is good")
        for text in invalid
    )
    assert any(text.startswith("denominator_unit 'pupils'") for text in invalid)
    assert "co_designed_on 'June 2026' is not a date such as 2024-06-17" in invalid
    assert "meta.indicator.caveats is missing" in invalid
    assert not any(text.startswith("title is") for text in invalid)
    assert problems[str(yml)].todo == ()
    assert "needs its YAML" in problems[str(tmp_path / "ind_voice__orphan.yml")].line()


def test_a_title_longer_than_an_open_data_label_is_named(tmp_path):
    """EES caps a metadata label at 100 characters; the title is the label, so a longer one
    would be cut mid-word in the open data (as a 147-character title once was)."""
    sql, yml = scaffold_indicator("school_readiness__example", tmp_path)
    document = yaml.safe_load(yml.read_text())
    model = document["models"][0]
    model["description"] = "Filled in."
    meta = model["config"]["meta"]["indicator"]
    long_title = "Children who did well at " + "x" * 76  # 101 characters: one too many
    assert len(" ".join(long_title.split())) == 101
    for field, value in list(meta.items()):
        if str(value).startswith("TODO"):
            meta[field] = f"Filled in: {field}"
    meta["title"] = long_title.strip()
    yml.write_text(yaml.safe_dump(document, sort_keys=False))
    problems = {problem.file: problem for problem in unfinished_indicators(tmp_path)}
    invalid = problems[str(yml)].invalid
    assert any(text.startswith("title is 101 characters: at most 100") for text in invalid), invalid
    meta["title"] = long_title[:100]  # at the limit: accepted
    yml.write_text(yaml.safe_dump(document, sort_keys=False))
    problems = {problem.file: problem for problem in unfinished_indicators(tmp_path)}
    invalid = problems[str(yml)].invalid if str(yml) in problems else ()
    assert not any(text.startswith("title is") for text in invalid), invalid


def test_the_shipped_indicators_are_finished():
    assert unfinished_indicators(ROOT / "dbt_project" / "models" / "indicators") == []


def test_preflight_sits_between_ingest_and_every_dbt_asset():
    from dagster import AssetKey

    from orchestration.dbt_setup import prepare_manifest

    prepare_manifest()
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    preflight = AssetKey("preflight")
    assert {
        AssetKey(["raw", "eyfsp_returns"]),
        AssetKey(["raw", "school_census"]),
        AssetKey(["raw", "voice_responses"]),
    } <= set(graph.get(preflight).parent_keys)
    dbt_keys = [
        key
        for key in graph.get_all_asset_keys()
        if graph.get(key).is_materializable
        and key.path[0] in ("staging", "intermediate", "indicators", "marts", "reference")
    ]
    assert len(dbt_keys) > 30
    assert all(preflight in graph.get(key).parent_keys for key in dbt_keys)


def test_each_indicator_reads_the_raw_tables_of_its_framework():
    """dbt's lineage, as the preflight reads it: every indicator the YAML declares, and the
    raw tables a care leavers', a school readiness and an Early Help indicator stand on."""
    from orchestration.dbt_setup import indicator_reads

    declared = {
        document["models"][0]["config"]["meta"]["indicator"]["indicator_id"]
        for path in (ROOT / "dbt_project" / "models" / "indicators").glob("ind_*.yml")
        for document in [yaml.safe_load(path.read_text(encoding="utf-8"))]
    }
    reads = indicator_reads()
    assert set(reads) == declared
    assert {"care_leavers_records", "teams"} <= reads["cl_in_touch"]
    assert not {"eyfsp_returns", "school_census", "voice_responses"} & reads["cl_in_touch"]
    assert {"eyfsp_returns", "school_census"} <= reads["gld"]
    assert "care_leavers_records" not in reads["gld"]
    assert {"early_help_referrals", "voice_notes"} <= reads["eh_child_voice"]
