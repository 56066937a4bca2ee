"""Months whose files hold only some teams' rows (a source's `declared_start` with `per:`
and `due_with:`, e.g. the Voice Notes: each team in seeds/early_help_trials.csv began at its
own start).

From its own start, a team with rows of the `due_with` source in a month (its referrals)
but none of this source's rows in that month's files (its Voice Notes) means the month's
files are incomplete: an export run for some teams only, or a team's file not landed. Its
families would read as unheard, so the month is **counted as not landed** for every figure
built from the source (as a month whose file is missing), and the run log and
quality/period_notes.csv name the team and the month. The Early Help journeys
(int_early_help__referral_journeys) apply the same rule.

Pure: frames in, month sets and notes out. Months are year * 12 + month - 1.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pandas as pd

from indicators.periods import period_of_key
from indicators.sources.spec import SourceSpec

UNIT_COLUMNS = ["kind", "academic_year", "unit", "rows"]
"""Rows landed per source (kind), landed period key (e.g. 'August 2023') and unit (team)."""


def per_unit_kinds(specs: Mapping[str, SourceSpec]) -> dict[str, SourceSpec]:
    """The kinds whose spec declares a start per unit (`declared_start: {per, due_with}`)."""
    return {kind: spec for kind, spec in specs.items() if spec.declared_start_per}


def unit_row_queries(specs: Mapping[str, SourceSpec]) -> list[tuple[str, str]]:
    """(kind, SQL) giving UNIT_COLUMNS for each raw table the per-unit rule reads."""
    wanted: dict[str, str] = {}
    for kind, spec in per_unit_kinds(specs).items():
        per, due_with = spec.declared_start_per
        wanted[kind] = per
        wanted[due_with] = per
    return [
        (
            kind,
            f"select '{kind}' as kind, academic_year, cast({per} as varchar) as unit, "
            f'count(*) as "rows" from raw.{specs[kind].raw_table} group by academic_year, {per}',
        )
        for kind, per in sorted(wanted.items())
        if kind in specs
    ]


def _month(text: str) -> int | None:
    moment = pd.to_datetime(str(text).strip(), format="%Y-%m", errors="coerce")
    return None if pd.isna(moment) else moment.year * 12 + moment.month - 1


def unit_starts(
    specs: Mapping[str, SourceSpec], read_seed: Callable[[str], pd.DataFrame | None]
) -> dict[str, dict[str, int]]:
    """Per kind with a per-unit start: each unit's own start month, from the seed."""
    starts: dict[str, dict[str, int]] = {}
    for kind, spec in per_unit_kinds(specs).items():
        seed, column = spec.declared_start
        per, _ = spec.declared_start_per
        frame = read_seed(seed)
        if frame is None or column not in frame or per not in frame:
            continue
        months = {str(u).strip(): _month(s) for u, s in zip(frame[per], frame[column], strict=True)}
        starts[kind] = {unit: month for unit, month in months.items() if month is not None}
    return starts


def silent_units(
    unit_rows: pd.DataFrame,
    specs: Mapping[str, SourceSpec],
    starts: Mapping[str, Mapping[str, int]],
) -> pd.DataFrame:
    """kind, month, unit, due: each month, from a unit's start, in which the kind's files
    loaded rows but none of that unit's, while the `due_with` source has `due` rows of it."""
    found = []
    rows = unit_rows.assign(
        month=[_period_month(key) for key in unit_rows["academic_year"]],
        rows=pd.to_numeric(unit_rows["rows"], errors="coerce").fillna(0),
    )
    for kind, spec in per_unit_kinds(specs).items():
        _, due_with = spec.declared_start_per
        mine = rows[(rows["kind"] == kind) & (rows["rows"] > 0)]
        had = set(zip(mine["month"], mine["unit"], strict=True))
        months_with_rows = set(mine["month"])
        due = rows[(rows["kind"] == due_with) & (rows["rows"] > 0)]
        for (month, unit), count in due.groupby(["month", "unit"])["rows"].sum().items():
            start = starts.get(kind, {}).get(unit)
            if start is None or month < start or month not in months_with_rows:
                continue  # not begun, or the whole month is missing (said elsewhere)
            if (month, unit) not in had:
                found.append({"kind": kind, "month": int(month), "unit": unit, "due": int(count)})
    return pd.DataFrame(found, columns=["kind", "month", "unit", "due"])


def month_name(month: int) -> str:
    year, place = divmod(int(month), 12)
    return pd.Timestamp(year=year, month=place + 1, day=1).strftime("%B %Y")


def _period_month(key: str) -> int | None:
    period = period_of_key(str(key))
    return None if period is None else period.start.year * 12 + period.start.month - 1


def silent_months(silent: pd.DataFrame, specs: Mapping[str, SourceSpec]) -> dict[str, set[int]]:
    """Per raw table: the months counted as not landed because a unit is silent."""
    months: dict[str, set[int]] = {}
    for kind, month in zip(silent["kind"], silent["month"], strict=True):
        months.setdefault(specs[kind].raw_table, set()).add(int(month))
    return months


def silent_unit_notes(
    silent: pd.DataFrame,
    specs: Mapping[str, SourceSpec],
    starts: Mapping[str, Mapping[str, int]],
) -> pd.DataFrame:
    """One note per kind, month and unit silent ("voice_notes: the files for August 2023
    hold no row of EH-N2 ...: August 2023 counted as not landed")."""
    notes = []
    for row in silent.sort_values(["kind", "month", "unit"]).itertuples(index=False):
        spec = specs[row.kind]
        seed, _ = spec.declared_start
        per, due_with = spec.declared_start_per
        name = month_name(row.month)
        since = month_name(starts[row.kind][row.unit])
        notes.append(
            {
                "kind": row.kind,
                "period": name,
                "file": "",
                "rows": 0,
                "note": f"{row.kind}: the files for {name} hold no row of {per} {row.unit}, "
                f"begun {since} (seeds/{seed}.csv), which has {row.due} {due_with} rows that "
                f"month: {name} counted as not landed",
            }
        )
    return pd.DataFrame(notes, columns=["kind", "period", "file", "rows", "note"])
