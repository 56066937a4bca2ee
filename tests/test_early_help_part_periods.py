"""A month whose file loads no rows, and Voice Notes whose referral never landed (review of
the Early Help sources): one `chorus run` on a small hand-made landing, only PUBLISHED files
read back (open-data/, quality/) and the run log.

- May 2024's referrals file is its header alone: May counts as not landed, so Financial
  year Q1 2024/25 and the financial year 2024/25 are part periods. The open data's
  `months_landed` of `months_in_period` is recomputed here from the landing files (a month
  counts when every monthly source of the indicator has a file with a row there and in the
  next month: the sources' figures count a month once the next is landed, docs/inputs.md).
- Some Voice Notes name referral ids in no referrals file: the count per file is worked out
  here with plain pandas and must be stated in the quality report and the run log.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.early_help_files import HEAD, NOTE_HEAD, run_chorus, write_landing
from tests.tiers import runs_chorus

KEY = "early-help-part-periods-test-key"
EMPTY = "early_help_referrals/2024-05/referrals.csv"


def _referrals(month: str, count: int, first: int) -> list[str]:
    rows = [HEAD]
    for n in range(first, first + count):
        team = "EH-N1" if n % 2 else "EH-S1"
        rows.append(
            f"R{n:05d},P{n:05d},{month}-{1 + n % 20:02d},{team},school,2,"
            f"{month}-{2 + n % 20:02d},early_help,"
        )
    return rows


def _notes(month: str, ids: list[str]) -> list[str]:
    rows = [NOTE_HEAD]
    for n, referral in enumerate(ids):
        team = "EH-N1" if n % 2 else "EH-S1"
        rows.append(f"{referral},{month}-{1 + n % 20:02d},parent,call,{team},,")
    return rows


FILES = {
    "early_help_referrals/2024-04/referrals.csv": _referrals("2024-04", 30, 1),
    EMPTY: [HEAD],  # header only: loads no rows
    "early_help_referrals/2024-06/referrals.csv": _referrals("2024-06", 30, 101),
    "early_help_referrals/2024-07/referrals.csv": _referrals("2024-07", 30, 201),
    # April's notes: 20 for April's referrals, 3 for referrals never landed
    "voice_notes/2024-04/voice_notes.csv": _notes(
        "2024-04", [f"R{n:05d}" for n in range(1, 21)] + ["R90001", "R90002", "R90003"]
    ),
    # May's notes: 2 for April's referrals, 4 for May's (whose file is empty)
    "voice_notes/2024-05/voice_notes.csv": _notes(
        "2024-05", ["R00021", "R00022", "R00051", "R00052", "R00053", "R00054"]
    ),
    "voice_notes/2024-06/voice_notes.csv": _notes(
        "2024-06", [f"R{n:05d}" for n in range(101, 121)] + ["R90004"]
    ),
    "voice_notes/2024-07/voice_notes.csv": _notes(
        "2024-07", [f"R{n:05d}" for n in range(201, 211)]
    ),
}


@pytest.fixture(scope="module")
@runs_chorus
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("early-help-part-periods")
    landing = write_landing(root, FILES)
    ran = run_chorus("run", "--landing", str(landing), "--out", str(root / "output"),
                     root=root, landing=landing, key=KEY)  # fmt: skip
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    log = "\n".join(p.read_text(encoding="utf-8") for p in (root / "home" / "logs").glob("*.log"))
    return root / "output", landing, ran.stdout + ran.stderr + log


def _months_with_rows(landing: Path, kind: str) -> set[str]:
    """The YYYY-MM folders of `kind` with a file holding at least one row (plain pandas)."""
    found = set()
    for path in (landing / kind).glob("*/*.csv"):
        if len(pd.read_csv(path, dtype=str)):
            found.add(path.parent.name)
    return found


def _months_of(time_period: str, identifier: str) -> list[str]:
    """The YYYY-MM months of a financial quarter or year as EES writes it (202425)."""
    year = int(time_period[:4])
    start = pd.Period(f"{year}-04", freq="M")
    if identifier.startswith("Financial year Q"):
        start += 3 * (int(identifier[-1]) - 1)
        length = 3
    else:
        length = 12
    return [str(start + k) for k in range(length)]


@pytest.mark.parametrize("indicator", ["eh_step_up_quarterly", "eh_step_up"])
def test_a_month_whose_file_loads_no_rows_makes_its_quarter_and_year_part_periods(run, indicator):
    output, landing, _ = run
    landed = _months_with_rows(landing, "early_help_referrals") & _months_with_rows(
        landing, "voice_notes"
    )
    assert "2024-05" not in landed  # the header-only month
    landed = {m for m in landed if str(pd.Period(m, freq="M") + 1) in landed}  # next one too
    data = pd.read_csv(output / "open-data" / f"{indicator}.csv", dtype=str)
    assert {"months_landed", "months_in_period"} <= set(data.columns)
    periods = data[["time_period", "time_identifier", "months_landed", "months_in_period"]]
    seen = set()
    for row in periods.drop_duplicates().itertuples():
        months = _months_of(row.time_period, row.time_identifier)
        assert int(row.months_in_period) == len(months), row
        assert int(row.months_landed) == sum(m in landed for m in months), row
        seen.add((row.time_period, row.time_identifier))
    whole = "Financial year Q1" if indicator.endswith("quarterly") else "Financial year"
    assert ("202425", whole) in seen  # the period holding May 2024 is published
    row = periods[(periods["time_period"] == "202425") & (periods["time_identifier"] == whole)]
    assert (row["months_landed"].astype(int) < row["months_in_period"].astype(int)).all()
    guidance = (output / "open-data" / "data_guidance.txt").read_text(encoding="utf-8")
    assert "May 2024 not counted)" in " ".join(guidance.split())  # lines wrapped at 88


def test_the_empty_file_is_named_in_the_run_log_and_the_quality_report(run):
    output, _, log = run
    line = f"{EMPTY} loaded no rows: May 2024 counted as not landed"
    assert line in log
    notes = pd.read_csv(output / "quality" / "period_notes.csv", dtype=str, keep_default_na=False)
    assert line in set(notes["note"])
    assert line in (output / "quality" / "index.html").read_text(encoding="utf-8")


def test_voice_notes_linked_to_no_landed_referral_are_counted_per_month(run):
    output, landing, log = run
    referral_ids: set[str] = set()
    for path in (landing / "early_help_referrals").glob("*/*.csv"):
        referral_ids |= set(pd.read_csv(path, dtype=str)["referral_id"])
    expected = {}
    for path in sorted((landing / "voice_notes").glob("*/*.csv")):
        notes = pd.read_csv(path, dtype=str)
        orphans = int((~notes["referral_id"].isin(referral_ids)).sum())
        if orphans:
            expected[path.relative_to(landing).as_posix()] = orphans
    assert sum(expected.values()) == 8  # 3 in April, 4 in May (its referrals empty), 1 June
    notes = pd.read_csv(output / "quality" / "period_notes.csv", dtype=str, keep_default_na=False)
    stated = notes[
        (notes["kind"] == "voice_notes")
        & notes["note"].str.contains("to no landed referral", regex=False)
    ]
    assert dict(zip(stated["file"], stated["rows"].astype(int), strict=True)) == expected
    report = (output / "quality" / "index.html").read_text(encoding="utf-8")
    for file, count in expected.items():
        said = "1 Voice Note links" if count == 1 else f"{count} Voice Notes link"
        line = f"{file}: {said} to no landed referral"
        assert line in report
        assert line in log
