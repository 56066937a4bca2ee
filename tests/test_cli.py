"""The `chorus` command: clear one-line failures and a working synth."""

import subprocess
import sys
from pathlib import Path

CHORUS = [sys.executable, "-m", "orchestration.cli"]


def _chorus(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*CHORUS, *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=120
    )


def test_synth_writes_the_landing_layout(tmp_path):
    result = _chorus(
        "synth",
        "--out",
        str(tmp_path / "landing"),
        "--children-per-year",
        "100",
        "--years",
        "2023/24",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "landing/eyfsp/2023-24/eyfsp_return.csv").exists()
    assert (tmp_path / "landing/care_leavers/2023-24/ssda903_care_leavers.csv").exists()
    assert (tmp_path / "landing/health_visitor_reviews/2023-24/two_year_reviews.csv").exists()
    # Early Help: the 24 months that end with the last year's financial year (April 2022 to
    # March 2024), referrals and Voice Notes by month, the practitioners' survey once
    for month in ("2022-04", "2023-09", "2024-03"):
        assert (tmp_path / f"landing/early_help_referrals/{month}/referrals.csv").exists()
        assert (tmp_path / f"landing/voice_notes/{month}/voice_notes.csv").exists()
    assert not (tmp_path / "landing/early_help_referrals/2024-04").exists()
    # eyfsp, census, voice, the two lookups; the teams, care leavers and their reviews; the
    # two-year reviews, screenings and referrals of 2022-23 and 2023-24 (no linkage: the
    # 2023/24 cohort reached 2 1/2 before 2022-23): 14; Early Help's districts and trials,
    # 24 months of referrals and of Voice Notes, one survey: 51 more; the year's postcode
    # lookup, household deprivation (TS011) and IDACI: 3 more
    assert "wrote 68 files" in result.stderr
    for kind in ("postcode_lsoa", "household_deprivation", "idaci"):
        assert len(list((tmp_path / f"landing/{kind}/2023-24").glob("*.csv"))) == 1, kind


def test_bad_year_is_one_line_and_non_zero(tmp_path):
    result = _chorus("synth", "--out", str(tmp_path), "--years", "2023/25", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "consecutive" in result.stderr


def test_run_on_a_missing_landing_folder_says_so(tmp_path):
    result = _chorus("run", "--landing", str(tmp_path / "nowhere"), cwd=tmp_path)
    assert result.returncode == 1
    assert "does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_on_a_landing_that_is_a_file_says_it_is_a_file(tmp_path):
    landing = tmp_path / "eyfsp_return.csv"
    landing.write_text("la_code\n999\n")
    result = _chorus("run", "--landing", str(landing), cwd=tmp_path)
    assert result.returncode == 1
    assert f"{landing} is a file, not a folder" in result.stderr, result.stderr
    assert "does not exist" not in result.stderr and "Traceback" not in result.stderr


def test_validate_names_a_wrongly_named_year_folder_once_with_the_fix(tmp_path):
    wrong = tmp_path / "landing" / "eyfsp" / "2023-2024" / "eyfsp_return.csv"
    wrong.parent.mkdir(parents=True)
    wrong.write_text("la_code\n999\n")
    for path in (wrong, tmp_path / "landing"):
        result = _chorus("validate", str(path), cwd=tmp_path)
        assert result.returncode == 1
        [line] = [line for line in result.stdout.splitlines() if "2023-2024" in line]
        assert line.count("eyfsp_return.csv") == 1, line
        assert "name it YYYY-YY" in line


def test_validate_prints_each_defect_and_exits_non_zero(tmp_path):
    root = Path(__file__).resolve().parent / "fixtures" / "bad"
    result = _chorus("validate", str(root / "eyfsp_upn_check_letter"), cwd=tmp_path)
    assert result.returncode == 1
    assert "row 4, column upn" in result.stdout and "[upn_check_letter]" in result.stdout
    good = _chorus("validate", str(root / "good_cp1252_names"), cwd=tmp_path)
    assert good.returncode == 0, good.stdout
    assert "no defects" in good.stdout


def test_a_national_summary_groups_clean_files_but_shows_every_defective_one():
    from orchestration.run_screen import SUMMARY_ROWS, _grouped_accounts

    accounts = [
        {
            "file": f"eyfsp/2024-25/eyfsp_{n}.csv",
            "rows_read": 100,
            "rows_loaded": 100,
            "rows_quarantined": 0,
            "status": "loaded",
        }
        for n in range(SUMMARY_ROWS)
    ]
    accounts += [
        {
            "file": "eyfsp/2024-25/bad.csv",
            "rows_read": 50,
            "rows_loaded": 47,
            "rows_quarantined": 3,
            "status": "loaded",
        },
        {
            "file": "census/2024-25/broken.csv",
            "rows_read": 0,
            "rows_loaded": 0,
            "rows_quarantined": 0,
            "status": "rejected",
        },
    ]
    rows = _grouped_accounts(accounts)
    assert [row["file"] for row in rows] == [
        f"eyfsp/2024-25/ ({SUMMARY_ROWS} files)",
        "eyfsp/2024-25/bad.csv",
        "census/2024-25/broken.csv",
    ]
    for column in ("rows_read", "rows_loaded", "rows_quarantined"):
        assert sum(row[column] for row in rows) == sum(a[column] for a in accounts)
    assert _grouped_accounts(accounts[:3]) == accounts[:3]  # few files: each shown
