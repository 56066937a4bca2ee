"""Early Help months missing or landed empty (issue 16, review 2): a month whose Voice Notes
file loads no rows must not read as families unheard, and a re-referral is known only when
every month of the 12 after the closure has referrals loaded.

One `chorus run` (no packs) on a landing written here: one referral a month, April 2024 to
August 2025, each with a parent's Voice Note before its hub meeting, except that October
2024's notes file and July 2025's referrals file have a header and no rows, and January
2025's notes file was never landed (a month before the first notes file, before the Voice
Note began, is counted: tests/test_period_coverage.py). A second team, EH-S1, has a
referral a month too, each with its note, but February 2025's notes file holds EH-N1's note
alone: EH-S1 had begun (seeds/early_help_trials.csv) and its referral landed, so the file is
one team's, and February 2025 is counted as not landed (review 3, H2). Every expected
value is worked out by hand below, from the rules docs/inputs.md and the journeys model
state, not from Chorus.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.early_help_files import HEAD, NOTE_HEAD, run_chorus, write_landing
from tests.tiers import runs_chorus

MONTHS = [f"{year}-{month:02d}" for year in (2024, 2025) for month in range(1, 13)]
MONTHS = MONTHS[MONTHS.index("2024-04") : MONTHS.index("2025-08") + 1]  # 17 months
EMPTY_NOTES, EMPTY_REFERRALS = "2024-10", "2025-07"
NOTES_NOT_LANDED = "2025-01"
ONE_TEAM_NOTES = "2025-02"  # the notes file holds EH-N1's note, not EH-S1's
TRIALS = "team_code,starts,description\nEH-N1,2024-04,Voice Note trial\nEH-S1,2024-04,trial\n"
CLOSURES = {  # month: (child, closure date)
    "2024-04": ("PG-A", "2024-04-20"),  # child A referred again 10 March 2025
    "2024-05": ("PG-B", "2024-05-25"),  # never again
    "2024-08": ("PG-C", "2024-08-25"),  # never again, but July 2025 has no referrals
}
AGAIN = {"2025-03": "PG-A"}


def _referral(month: str) -> str:
    child, closure = CLOSURES.get(month, (AGAIN.get(month, f"PG-{month}"), ""))
    return f"EHG-{month},{child},{month}-15,EH-N1,school,2,{month}-20,early_help,{closure}"


def _south(month: str) -> str:
    return f"EHS-{month},PS-{month},{month}-10,EH-S1,health,2,{month}-21,early_help,"


def _landing(root: Path) -> Path:
    files = {}
    for month in MONTHS:
        referrals = [HEAD] + ([] if month == EMPTY_REFERRALS else [_referral(month), _south(month)])
        notes = [NOTE_HEAD] + (
            []
            if month in (EMPTY_NOTES, EMPTY_REFERRALS)
            else [f"EHG-{month},{month}-16,parent,call,EH-N1,,"]
            + ([] if month == ONE_TEAM_NOTES else [f"EHS-{month},{month}-12,carer,call,EH-S1,,"])
        )
        for kind, rows in (("early_help_referrals", referrals), ("voice_notes", notes)):
            if kind == "voice_notes" and month == NOTES_NOT_LANDED:
                continue  # no file at all
            files[f"{kind}/{month}/{kind}.csv"] = rows
    return write_landing(root, files, trials=TRIALS)


@pytest.fixture(scope="module")
@runs_chorus
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("early-help-gaps")
    landing = _landing(root)
    ran = run_chorus("run", "--landing", str(landing), "--out", str(root / "output"),
                     root=root, landing=landing, key="early-help-gaps-test-key")  # fmt: skip
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    with duckdb.connect(str(root / "home" / "chorus.duckdb"), read_only=True) as connection:
        journeys = connection.execute(
            "select strftime(referral_date, '%Y-%m') as month, team_code, followed_up,"
            " rereferred_12m from intermediate.int_early_help__referral_journeys"
            " order by referral_date"
        ).df()
    return root, journeys


NOT_COUNTED = {"2024-09", "2024-10", "2024-12", "2025-01", "2025-02", "2025-06", "2025-08"}


def test_a_month_beside_an_empty_notes_or_referrals_file_is_not_counted(run):
    _, journeys = run
    followed = dict(zip(journeys["month"], journeys["followed_up"], strict=True))
    # counted: the month and the next have referrals, and neither came with an empty file
    # nor, once the Voice Note began, without a notes file. September 2024 (next: October's
    # empty notes), October 2024 (its own), December 2024 (next: January's notes not
    # landed), January 2025 (its own; February's file is one team's as well), February 2025
    # (its notes file holds no note of EH-S1), June 2025 (next: July's empty referrals) and
    # August 2025 (nothing after it) are not; the same for both teams.
    not_counted = NOT_COUNTED
    landed = [m for m in MONTHS if m != EMPTY_REFERRALS]
    assert followed == {month: month not in not_counted for month in landed}
    by_team = journeys.groupby("month")["followed_up"].nunique()
    assert (by_team == 1).all()


def test_a_notes_file_missing_a_team_is_named_in_the_period_notes(run):
    root, _ = run
    notes = pd.read_csv(root / "output" / "quality" / "period_notes.csv", dtype=str)
    named = notes[notes["note"].str.contains("EH-S1", na=False)]
    assert named["period"].tolist() == ["February 2025"]
    assert "counted as not landed" in named["note"].iloc[0]


def test_the_monthly_figures_leave_out_the_months_not_counted(run):
    root, _ = run
    values = pd.read_csv(root / "output" / "indicators" / "indicator_values.csv", dtype=str)
    monthly = values[values["indicator_id"] == "eh_voice_note_before_hub_monthly"]
    published = {
        pd.Timestamp(f"{month} 1 {year}").strftime("%Y-%m")
        for year, month in zip(monthly["time_period"], monthly["time_identifier"], strict=True)
    }
    assert published == {m for m in MONTHS if m not in NOT_COUNTED | {EMPTY_REFERRALS}}


def test_the_year_s_months_counted_agree_with_the_months_its_figures_count(run):
    """Financial year 2024/25 (April 2024 to March 2025): the figures count 7 of its months
    (not September, October, December 2024, January or February 2025, as above); the open
    data and indicators/part_periods.csv must say 7 of 12, naming those five."""
    root, _ = run
    data = pd.read_csv(root / "output" / "open-data" / "eh_voice_note_before_hub.csv", dtype=str)
    year = data[(data["time_period"] == "202425") & (data["time_identifier"] == "Financial year")]
    assert set(zip(year["months_landed"], year["months_in_period"], strict=True)) == {("7", "12")}
    parts = pd.read_csv(root / "output" / "indicators" / "part_periods.csv", dtype=str)
    mine = parts[
        (parts["indicator_id"] == "eh_voice_note_before_hub") & (parts["time_period"] == "202425")
    ]
    assert mine[["time_period", "months_not_counted"]].values.tolist() == [
        ["202425", "September 2024, October 2024, December 2024, January 2025, February 2025"]
    ]


def test_a_re_referral_is_known_only_when_every_month_after_the_closure_is_loaded(run):
    _, journeys = run
    north = journeys[journeys["team_code"] == "EH-N1"]
    closed = north[north["month"].isin(list(CLOSURES))]
    known = dict(
        zip(
            closed["month"],
            [None if pd.isna(v) else bool(v) for v in closed["rereferred_12m"]],
            strict=True,
        )
    )
    # April 2024's child came back in March 2025; May 2024's never did, and April 2024 to
    # May 2025 all have referrals; August 2024's window reaches August 2025 across July
    # 2025, whose file came empty: not known (a re-referral there would be missed).
    assert known == {"2024-04": True, "2024-05": False, "2024-08": None}


def test_re_referral_counts_a_closure_month_once_its_12_months_after_are_landed(run):
    """Review 3 (H4): re-referral is by closure, and known once the 12 months after the
    closure's month have referrals loaded. Referrals loaded: April 2024 to June 2025 and
    August 2025 (July 2025's file came empty). So of Financial year 2024/25's closure months,
    April, May and June 2024 are counted (June's 12 months end in June 2025) and July 2024
    to March 2025 are not (each window crosses July 2025): 3 of 12. The notes gaps
    (September 2024 ...) do not bound it: a re-referral is a referral."""
    root, _ = run
    parts = pd.read_csv(root / "output" / "indicators" / "part_periods.csv", dtype=str)
    mine = parts[
        (parts["indicator_id"] == "eh_rereferral_12m") & (parts["time_period"] == "202425")
    ]
    not_counted = [f"{m} 2024" for m in ("July", "August", "September", "October",
                                          "November", "December")]  # fmt: skip
    not_counted += [f"{m} 2025" for m in ("January", "February", "March")]
    assert mine[["months_landed", "months_in_period", "months_not_counted"]].values.tolist() == [
        ["3", "12", ", ".join(not_counted)]
    ]
