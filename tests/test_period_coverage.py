"""Which months a quarter or year counts (indicators/publish/period_coverage.py), on a load
log written by hand: the Voice Note began part-way (its spec says `starts_late: true`), so
the months before its first notes file are counted, and a notes file missing after it is a
gap, as the Early Help journeys count them (int_early_help__referral_journeys). Expected
months are worked out by hand below."""

from __future__ import annotations

import pandas as pd

from indicators.publish.period_coverage import declared_starts, landed_months, missing_period_notes
from indicators.sources.load import load_sources


def _month(text: str) -> int:
    stamp = pd.Timestamp(text)
    return stamp.year * 12 + stamp.month - 1


def _log(kind: str, months: dict[str, int]) -> list[dict]:
    return [
        {"kind": kind, "academic_year": month, "file": f"{kind}/{month}.csv", "rows_loaded": rows}
        for month, rows in months.items()
    ]


def test_months_before_the_voice_note_began_count_and_a_missing_month_after_does_not():
    referrals = {m: 5 for m in ("April 2024", "May 2024", "June 2024", "July 2024",
                                "August 2024", "September 2024", "October 2024")}  # fmt: skip
    # Voice Notes from June; August's file never landed; October is the last
    notes = {"June 2024": 3, "July 2024": 2, "September 2024": 4, "October 2024": 1}
    log = pd.DataFrame(_log("early_help_referrals", referrals) + _log("voice_notes", notes))
    landed = landed_months(log, load_sources())
    specs = load_sources()
    referral_table = specs["early_help_referrals"].raw_table
    notes_table = specs["voice_notes"].raw_table
    # a month counts once the next is landed too: referrals April..September
    months = ("April", "May", "June", "July", "August", "September")
    assert landed[referral_table] == {_month(f"{m} 2024") for m in months}
    # notes: April and May are before the first file (counted), then June; July's next
    # (August) never landed, August itself is missing, September is followed by October
    months = ("April", "May", "June", "September")
    assert landed[notes_table] == {_month(f"{m} 2024") for m in months}


def test_a_source_that_has_not_begun_counts_as_none_due():
    referrals = {"April 2024": 5, "May 2024": 5, "June 2024": 5}
    log = pd.DataFrame(_log("early_help_referrals", referrals))
    specs = load_sources()
    landed = landed_months(log, specs)
    # no Voice Notes yet: April and May count (each followed by a month landed), June waits
    assert landed[specs["voice_notes"].raw_table] == {_month("April 2024"), _month("May 2024")}


def test_a_header_only_notes_file_says_the_voice_note_had_begun():
    """Review (H1): header-only Voice Notes files for April and May 2024, then rows from
    June. The journeys leave April and May out (their notes files came empty); so must the
    coverage, rather than count them as before the practice began."""
    referrals = {m: 5 for m in ("April 2024", "May 2024", "June 2024", "July 2024")}
    notes = {"April 2024": 0, "May 2024": 0, "June 2024": 3, "July 2024": 2}
    log = pd.DataFrame(_log("early_help_referrals", referrals) + _log("voice_notes", notes))
    specs = load_sources()
    landed = landed_months(log, specs)
    assert landed[specs["voice_notes"].raw_table] == {_month("June 2024")}


def test_a_declared_start_makes_missing_first_months_gaps_and_says_so():
    """Review (H3): the trials seed says the Voice Note began in June 2024, but the first
    notes file is August's. June and July are gaps (their families would read as unheard),
    not months before the practice began; the notes name each. April still counts."""
    referrals = {m: 5 for m in ("April 2024", "May 2024", "June 2024", "July 2024",
                                "August 2024", "September 2024")}  # fmt: skip
    notes = {"August 2024": 3, "September 2024": 2}
    log = pd.DataFrame(_log("early_help_referrals", referrals) + _log("voice_notes", notes))
    specs = load_sources()
    seeds = {"early_help_trials": pd.DataFrame({"team_code": ["T1", "T2"],
                                                "starts": ["2024-09", "2024-06"]})}  # fmt: skip
    starts = declared_starts(specs, seeds.get)
    landed = landed_months(log, specs, starts)
    # May's referrals' notes would come in June's file, which never landed: May waits too
    assert landed[specs["voice_notes"].raw_table] == {_month("April 2024"), _month("August 2024")}
    said = list(missing_period_notes(log, specs, starts)["note"])
    assert said == [
        "voice_notes: no file landed for June 2024 (begun by June 2024): June 2024 counted as "
        "not landed",
        "voice_notes: no file landed for July 2024 (begun by June 2024): July 2024 counted as "
        "not landed",
    ]


def test_a_started_source_with_no_file_at_all_is_named_and_counts_no_month_since():
    referrals = {m: 5 for m in ("April 2024", "May 2024", "June 2024")}
    log = pd.DataFrame(_log("early_help_referrals", referrals))
    specs = load_sources()
    starts = declared_starts(
        specs, {"early_help_trials": pd.DataFrame({"starts": ["2024-05"]})}.get
    )
    assert landed_months(log, specs, starts)[specs["voice_notes"].raw_table] == set()
    said = list(missing_period_notes(log, specs, starts)["note"])
    assert said == [
        "voice_notes: no file has landed since May 2024 (seeds/early_help_trials.csv): no "
        "month since is counted"
    ]


def test_a_notes_month_missing_a_team_that_has_begun_is_not_counted():
    """Review 3 (H2): August's notes file holds T1's notes alone. T2 began in July and has
    referrals in August, so August is not counted (its families would read as unheard), and
    July waits for it. T3 began in October: its silence in August is before its start. In
    September T2 has no referrals, so its silence then says nothing."""
    from indicators.publish.unit_gaps import (
        silent_months,
        silent_unit_notes,
        silent_units,
        unit_starts,
    )

    months = ("June 2024", "July 2024", "August 2024", "September 2024", "October 2024")
    referrals = {m: 5 for m in months}
    notes = {m: 3 for m in months}
    log = pd.DataFrame(_log("early_help_referrals", referrals) + _log("voice_notes", notes))
    rows = []
    for month in months:
        for team in ("T1", "T2", "T3"):
            if not (team == "T2" and month == "September 2024"):
                rows.append(("early_help_referrals", month, team, 2))
            if team == "T1" or (team == "T2" and month not in ("August 2024", "September 2024")):
                rows.append(("voice_notes", month, team, 1))
    units = pd.DataFrame(rows, columns=["kind", "academic_year", "unit", "rows"])
    specs = load_sources()
    seed = pd.DataFrame({"team_code": ["T1", "T2", "T3"],
                         "starts": ["2024-06", "2024-07", "2024-10"]})  # fmt: skip
    read = {"early_help_trials": seed}.get
    starts = unit_starts(specs, read)
    silent = silent_units(units, specs, starts)
    # T3 in October: begun and referred, no note: October is one team's file too
    assert sorted(zip(silent["month"], silent["unit"], strict=True)) == [
        (_month("August 2024"), "T2"),
        (_month("October 2024"), "T3"),
    ]
    landed = landed_months(log, specs, declared_starts(specs, read), silent_months(silent, specs))
    # June counts (July landed); July waits for August; September waits for October;
    # October is the last and one team's
    assert landed[specs["voice_notes"].raw_table] == {_month("June 2024")}
    said = list(silent_unit_notes(silent, specs, starts)["note"])
    assert said[0] == (
        "voice_notes: the files for August 2024 hold no row of team_code T2, begun July 2024 "
        "(seeds/early_help_trials.csv), which has 2 early_help_referrals rows that month: "
        "August 2024 counted as not landed"
    )


def test_a_referrals_month_missing_between_landed_months_is_named():
    """Review (H2/H4 follow-up, LOW 8): a monthly source's month with no file between its
    first and last files is named on its own line, not only inside the part-period notes."""
    referrals = {m: 5 for m in ("April 2024", "May 2024", "July 2024", "September 2024")}
    log = pd.DataFrame(_log("early_help_referrals", referrals))
    said = [n for n in missing_period_notes(log, load_sources())["note"] if "referrals" in n]
    assert said == [
        "early_help_referrals: no file landed for June 2024 (between its first and last "
        "files): June 2024 counted as not landed",
        "early_help_referrals: no file landed for August 2024 (between its first and last "
        "files): August 2024 counted as not landed",
    ]
