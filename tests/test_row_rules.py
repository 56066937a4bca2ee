"""Rules across a row's columns (`row_rules:` in a source spec, issue 15 review) on the
health sources, through `chorus validate`'s path (validate_paths): an age at review that
disagrees with the dates, an ASQ-3 score or an age on a row without a review date (or in a
file without the column), a WellComm section that does not fit the age
(seeds/wellcomm_sections.csv). Each defect is one line by file, row, column and rule; a
value that already broke its column's rule is not reported again (a malformed review date
is not also a missing one);
a malformed `row_rules:` entry is one spec problem. `chorus run` on the same rules:
tests/test_early_communication_sources.py.

Every expectation is worked by hand. Financial year 2023-24: a child reaching 30 months in
it was born 1 October 2020 to 30 September 2021. Whole months from 15 January 2021: to 20
April 2023, 27 (15 April 2023 is 27 months on); to 14 April 2023, 26 (one day short of 27).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from indicators.ingest.validate import validate_paths
from indicators.sources.load import SpecInvalid, forget_loaded_sources, load_sources

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "tests" / "fixtures" / "bad" / "good_cp1252_names"  # 2023/24, sectors XH...


def nhs(serial: int) -> str:
    """A test-range NHS number 99910011xx with its modulus 11 check digit (weights 10 to 2;
    a check of 10 is never issued, so such a serial is skipped by the caller)."""
    nine = f"99910{serial:04d}"
    check = 11 - sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True)) % 11
    assert check != 10, serial
    return nine + str(check % 11)


REVIEWS = "health_visitor_reviews/2023-24/reviews.csv"
REVIEW_HEAD = "nhs_number,date_of_birth,review_date,age_in_months,asq_communication,"
REVIEW_HEAD += "asq_gross_motor,postcode_sector"
REVIEW_ROWS = [  # spreadsheet row: what it tests
    f"{nhs(101)},2021-01-15,2023-04-20,27,45,50,XH1 1",  # 2: good (27 months)
    f"{nhs(102)},2021-01-15,2023-04-20,25,45,,XH1 1",  # 3: 25 is 2 months off 27
    f"{nhs(103)},2021-01-15,2023-04-20,28,45,,XH1 1",  # 4: 28 is 1 off: allowed
    f"{nhs(104)},15/01/2021,14/04/2023,28,45,,XH1 1",  # 5: 26 whole months; 28 is 2 off
    f"{nhs(105)},2021-01-15,,,45,,XH1 1",  # 6: a score, no review date
    f"{nhs(106)},2021-01-15,,,,50,XH1 1",  # 7: a gross motor score, no review date
    f"{nhs(107)},2021-01-15,,,,,XH1 1",  # 8: good, not reviewed
    # 9: good: a score at 40 months, where the cut-offs (23-38) give no result: the review
    # is kept (it counts as a review), the score reads as no result
    f"{nhs(108)},2021-01-15,2024-05-20,40,45,,XH1 1",
    f"{nhs(109)},2021-01-15,2024-05-20,40,,,XH1 1",  # 10: good: 40 months, no score
    f"{nhs(110)},2021-01-15,2023-04-20,99,45,,XH1 1",  # 11: age out of range only
    f"{nhs(111)},2021-01-15,2023-04-20,38,45,,XH1 1",  # 12: off by 11
    # 13: good: the year's last-born child (30 September 2021) reviewed at 47 months, on 30
    # August 2025: a review is at 18 to 48 months, so its date may fall up to 30 months
    # after the year starts (1 April 2023 to 30 September 2025)
    f"{nhs(112)},2021-09-30,2025-08-30,47,,,XH1 1",
    f"{nhs(113)},2021-01-15,,27,,,XH1 1",  # 14: an age, no review date
    # 15: no such date, with an age and a score: the date's own rule names it; the rules
    # that ask for a review date do not say it is missing
    f"{nhs(115)},2021-01-15,2023-13-45,27,45,,XH1 1",
]
UNDATED = "health_visitor_reviews/2023-24/undated.csv"  # the optional review_date left out
UNDATED_HEAD = "nhs_number,date_of_birth,age_in_months,postcode_sector"
UNDATED_ROWS = [
    f"{nhs(116)},2021-01-15,27,XH1 1",  # 2: an age, so a review date is missing
    f"{nhs(117)},2021-01-15,,XH1 1",  # 3: good, not reviewed
]
SCREENINGS = "wellcomm_screenings/2023-24/screenings.csv"
SCREENING_HEAD = "nhs_number,screening_date,setting,age_in_months,section,score,rag,"
SCREENING_HEAD += "green_section,rescreen,parent_view_recorded,postcode_sector"
SCREENING_ROWS = [  # sections: 4 is 24 to 29 months, 5 is 30 to 35, 9 is 60 to 72
    f"{nhs(101)},2023-10-02,EY001,30,5,3,R,4,N,N,XH1 1",  # 2: good
    f"{nhs(101)},2023-10-02,EY001,30,4,10,G,4,Y,N,XH1 1",  # 3: good: rescreen, lower
    f"{nhs(101)},2023-10-03,EY001,30,4,10,G,,N,N,XH1 1",  # 4: first screen, too low
    f"{nhs(101)},2023-10-04,EY001,30,6,10,G,,N,N,XH1 1",  # 5: first screen, too high
    f"{nhs(101)},2023-10-05,EY001,30,6,10,G,,Yes,N,XH1 1",  # 6: rescreen, higher
    f"{nhs(101)},2023-10-06,EY001,30,5,10,G,,Y,N,XH1 1",  # 7: good: rescreen, same
    f"{nhs(102)},2023-10-02,EY001,29,4,10,G,,N,N,XH1 1",  # 8: good: 29 is section 4
    f"{nhs(102)},2023-10-03,EY001,29,5,10,G,,N,N,XH1 1",  # 9: 29 is not section 5
    f"{nhs(103)},2023-10-02,EY001,72,9,10,G,,N,N,XH1 1",  # 10: good: 72 is section 9
    f"{nhs(103)},2023-10-03,EY001,30,12,10,G,,N,N,XH1 1",  # 11: section format only
]

ROW_RULE_DEFECTS = {  # (file, row, column, rule)
    (REVIEWS, 3, "age_in_months", "age_in_months_matches_dates"),
    (REVIEWS, 5, "age_in_months", "age_in_months_matches_dates"),
    (REVIEWS, 6, "review_date", "asq_score_without_review"),
    (REVIEWS, 7, "review_date", "asq_score_without_review"),
    (REVIEWS, 12, "age_in_months", "age_in_months_matches_dates"),
    (REVIEWS, 14, "review_date", "age_without_review"),
    (UNDATED, 2, "review_date", "age_without_review"),
    (SCREENINGS, 4, "section", "wellcomm_section_for_age"),
    (SCREENINGS, 5, "section", "wellcomm_section_for_age"),
    (SCREENINGS, 6, "section", "wellcomm_section_for_age"),
    (SCREENINGS, 9, "section", "wellcomm_section_for_age"),
}
COLUMN_DEFECTS = {
    (REVIEWS, 11, "age_in_months", "age_in_months_range"),
    (REVIEWS, 15, "review_date", "review_date_format"),
    (SCREENINGS, 11, "section", "wellcomm_section"),
}


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    root = tmp_path_factory.mktemp("row-rules") / "landing"
    shutil.copytree(BASE, root, ignore=shutil.ignore_patterns("expected.json"))
    for relative, head, rows in (
        (REVIEWS, REVIEW_HEAD, REVIEW_ROWS),
        (SCREENINGS, SCREENING_HEAD, SCREENING_ROWS),
        (UNDATED, UNDATED_HEAD, UNDATED_ROWS),
    ):
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join([head, *rows]) + "\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def report(landing):
    forget_loaded_sources()
    return validate_paths([landing], ROOT / "seeds")


def _mine(report) -> set[tuple[str, int, str, str]]:
    return {
        (d.file, d.row, d.column, d.rule)
        for d in report.defects
        if d.file in (REVIEWS, UNDATED, SCREENINGS) and d.row is not None
    }


def test_each_inconsistent_row_is_one_defect_and_nothing_else(report):
    assert _mine(report) == ROW_RULE_DEFECTS | COLUMN_DEFECTS


def test_each_defect_is_one_line_by_file_row_column_and_rule(report):
    lines = report.format()
    for file, row, column, rule in ROW_RULE_DEFECTS:
        where = f"{file}, row {row}, column {column}:"
        named = [line for line in lines if line.startswith(where) and line.endswith(f"[{rule}]")]
        assert len(named) == 1, (file, row, rule, lines)
    (line,) = [line for line in lines if line.startswith(f"{REVIEWS}, row 3,")]
    assert "age_in_months is '25' (with date_of_birth, review_date)" in line
    assert "2021-01-15" not in line  # the date of birth never in a message


def test_every_row_is_accounted_for(report):
    counts = {a.file: (a.rows_read, a.rows_loaded, a.rows_quarantined) for a in report.accounts}
    assert counts[REVIEWS] == (14, 14 - 8, 8)  # rows 3, 5, 6, 7, 11, 12, 14, 15
    assert counts[UNDATED] == (2, 1, 1)  # row 2
    assert counts[SCREENINGS] == (10, 10 - 5, 5)  # rows 4, 5, 6, 9, 11


BAD_RULES = [  # (entry, what its one problem line says)
    (
        "  - {rule: r1, columns: [age_in_months], check: 'age_in_months > nonsense',\n"
        "     message: m}\n",
        "row_rules[0].check: 'age_in_months > nonsense' is not a DuckDB expression",
    ),
    (
        "  - {rule: r1, columns: [age_in_months], check: 'age_in_months + 1', message: m}\n",
        "row_rules[0].check: 'age_in_months + 1' gives DOUBLE, not true or false",
    ),
    (
        "  - {rule: r1, columns: [age], check: 'TRUE', message: m}\n",
        "row_rules[0].columns: 'age' is not a column of the spec",
    ),
    (
        "  - {rule: r1, columns: [age_in_months], check: 'TRUE'}\n",
        "row_rules[0].message: missing",
    ),
    (
        "  - {rule: r1, columns: [age_in_months], seeds: [no_such_seed], check: 'TRUE',\n"
        "     message: m}\n",
        "row_rules[0].seeds: no seed seeds/no_such_seed.csv",
    ),
    (
        "  - {rule: r1, columns: [age_in_months], check: 'TRUE', message: m, when: x}\n",
        "row_rules[0].when: not a key",
    ),
]


@pytest.mark.parametrize(("entry", "said"), BAD_RULES)
def test_a_malformed_row_rule_is_one_spec_problem(tmp_path, monkeypatch, entry, said):
    sources = tmp_path / "sources"
    shutil.copytree(ROOT / "sources", sources)
    spec = sources / "wellcomm_screenings" / "base.yml"
    text = spec.read_text(encoding="utf-8")
    start = text.index("\nrow_rules:\n")
    end = text.index("\ncolumns:\n")
    spec.write_text(text[:start] + "\nrow_rules:\n" + entry + text[end:], encoding="utf-8")
    monkeypatch.setenv("CHORUS_SOURCES", str(sources))
    forget_loaded_sources()
    try:
        with pytest.raises(SpecInvalid) as raised:
            load_sources()
    finally:
        forget_loaded_sources()
    lines = [line for line in raised.value.problems if said in line]
    assert len(lines) == 1, raised.value.problems
    assert lines[0].startswith("sources/wellcomm_screenings/base.yml: row_rules[0]")
    assert "\n" not in lines[0]


def test_a_seed_the_rule_cannot_read_is_one_line_for_the_file_not_a_traceback(
    landing, tmp_path, monkeypatch
):
    seeds = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)
    sections = seeds / "wellcomm_sections.csv"
    text = sections.read_text(encoding="utf-8")
    sections.write_text(text.replace("age_from_months", "from_months", 1), encoding="utf-8")
    monkeypatch.setenv("CHORUS_SEEDS", str(seeds))
    forget_loaded_sources()
    report = validate_paths([landing], seeds)
    (line,) = [line for line in report.format() if line.endswith("[row_rule_not_checked]")]
    assert line.startswith(f"{SCREENINGS}: the row rule wellcomm_section_for_age could not")
    found = {(d.file, d.row, d.rule) for d in report.defects if d.file == SCREENINGS}
    assert (SCREENINGS, None, "row_rule_not_checked") in found
    assert not any(rule == "wellcomm_section_for_age" for _, _, rule in found)
    assert (REVIEWS, 3, "age_in_months", "age_in_months_matches_dates") in _mine(report)


def _sections_frame() -> pd.DataFrame:
    return pd.DataFrame(  # first screenings: section 5 at 30 and at 36 months
        {
            "_source_row": [2, 3],
            "section": ["5", "5"],
            "age_in_months": ["30", "36"],
            "rescreen": ["N", "N"],
        }
    )


def test_a_seed_edited_between_files_is_read_again(tmp_path):
    """The seeds a row rule reads are kept open between files (one database a process, not
    one a file): a seed edited on disk between two files is read again for the second."""
    from indicators.ingest.row_checks import row_rule_defects
    from indicators.sources.load import source_spec

    spec = source_spec("wellcomm_screenings")
    shutil.copy(ROOT / "seeds" / "wellcomm_sections.csv", tmp_path / "wellcomm_sections.csv")
    frame = _sections_frame()

    def failing_rows() -> list[int]:
        found = row_rule_defects(spec, frame, "screenings.csv", seeds=tmp_path)
        return sorted(d.row for d in found if d.rule == "wellcomm_section_for_age")

    assert failing_rows() == [3]  # 36 months is section 6
    assert failing_rows() == [3]  # kept: the same answer
    seed = tmp_path / "wellcomm_sections.csv"
    text = seed.read_text(encoding="utf-8")  # section 5 now runs to 41 months, 6 is empty
    text = text.replace("5,30,35,", "5,30,41,").replace("6,36,41,", "6,99,99,")
    seed.write_text(text + "\n", encoding="utf-8")  # a different size: seen as edited
    assert failing_rows() == []


def test_row_rules_checked_from_many_threads_agree():
    """Files checked at once from several threads (each its own connection to the kept
    database) find what one thread finds."""
    from concurrent.futures import ThreadPoolExecutor

    from indicators.ingest.row_checks import row_rule_defects
    from indicators.sources.load import source_spec

    spec = source_spec("wellcomm_screenings")
    frame = _sections_frame()

    def rows(_: int) -> list[int]:
        found = row_rule_defects(spec, frame, "s.csv", seeds=ROOT / "seeds")
        return sorted(d.row for d in found)

    with ThreadPoolExecutor(4) as pool:
        assert set(map(tuple, pool.map(rows, range(40)))) == {(3,)}


def test_a_seed_put_in_place_with_its_old_size_and_time_is_read_again(tmp_path):
    """A seed replaced by a file of the same size and modification time (as `cp -p`, `rsync
    -t` or `tar` leave it), or written and its time set back, is read again."""
    import os

    from indicators.ingest.row_checks import row_rule_defects
    from indicators.sources.load import source_spec

    spec = source_spec("wellcomm_screenings")
    seed = tmp_path / "wellcomm_sections.csv"
    shutil.copy(ROOT / "seeds" / "wellcomm_sections.csv", seed)
    frame = _sections_frame()

    def failing_rows() -> list[int]:
        found = row_rule_defects(spec, frame, "screenings.csv", seeds=tmp_path)
        return sorted(d.row for d in found if d.rule == "wellcomm_section_for_age")

    assert failing_rows() == [3]
    before = seed.stat()
    text = seed.read_text(encoding="utf-8")
    edited = text.replace("5,30,35,", "5,30,41,").replace("6,36,41,", "6,99,99,")
    assert len(edited) == len(text)
    replacement = tmp_path / "new.csv"
    replacement.write_text(edited, encoding="utf-8")
    os.utime(replacement, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(replacement, seed)
    assert (seed.stat().st_size, seed.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert failing_rows() == []
    seed.write_text(text, encoding="utf-8")  # written in place, its time set back
    os.utime(seed, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert failing_rows() == [3]


def test_a_check_under_way_outlives_the_seeds_being_read_again_many_times(tmp_path):
    """A file being checked keeps its connection while other files' seeds are read afresh
    (more seed folders or edits than the process keeps open)."""
    from indicators.sources import row_rules
    from indicators.sources.load import source_spec

    spec = source_spec("wellcomm_screenings")
    check = spec.row_rules[0]
    columns = [spec.column(name) for name in check.columns]
    held = row_rules.connect(columns, check.seeds, ROOT / "seeds")
    for k in range(20):
        folder = tmp_path / str(k)
        folder.mkdir()
        shutil.copy(ROOT / "seeds" / "wellcomm_sections.csv", folder)
        row_rules.connect(columns, check.seeds, folder).close()
    held.execute("INSERT INTO landed_row VALUES (0, 5, 36, 'N')")
    assert held.execute(row_rules.failing_query(check)).fetchall() == [(0,)]
    held.close()
