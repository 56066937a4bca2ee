"""A key once across every period loaded (`key: across_periods:` in a source's spec).

A source counted by month loads month by month, each month on its own (period_loads.py), so
the key's check within a month's files cannot see another month. A referral id in April's
and in May's files is such a clash: neither row can be trusted over the other. Once every
period of a stream has loaded, `set_aside` finds each key value that the raw table holds
under more than one period and quarantines every row of it, each naming the others
(raw.quarantine, under the declared rule), moving them from loaded to quarantined in their
files' raw.load_log rows. The rows stay in the raw table, so the check is made afresh from
everything loaded on every run, whichever periods reloaded (a period whose files are
unchanged is not read again); staging leaves out every row raw.quarantine names
(stg_early_help__referrals). `chorus validate` makes the same check (`clashes`) over the
periods it is given.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from indicators.ingest.defects import Defect
from indicators.sources.load import load_sources
from indicators.sources.spec import SourceSpec
from indicators.warehouse import connect, transaction

PROVENANCE = ["academic_year", "_source_file", "_source_row"]
SHOWN = 5
"""How many such rows the run's log names one by one (the quality report names all)."""


def raw_key_columns(spec: SourceSpec) -> list[str]:
    """The key's columns as the raw table holds them (a pseudonymised id by its pseudonym)."""
    names = []
    for name in spec.key:
        raw = spec.column(name).raw_name
        if not raw:
            raise ValueError(f"{spec.source}: key column {name} is not kept in the raw table")
        names.append(raw)
    return names


def clashes(spec: SourceSpec, rows: pd.DataFrame) -> list[tuple[str, Defect]]:
    """(period label, defect) for every row of `rows` (a raw table's: its period, file, row
    and key columns) whose key value is also under another period; a blank key is none."""
    across = spec.key_across_periods
    if across is None or rows.empty:
        return []
    columns = raw_key_columns(spec)
    frame = rows[[*PROVENANCE, *columns]].copy()
    text = frame[columns].astype("string").fillna("").apply(lambda column: column.str.strip())
    frame = frame[(text != "").all(axis=1)]
    periods = frame.groupby(columns, sort=False)["academic_year"].transform("nunique")
    clashing = frame[periods > 1].sort_values(PROVENANCE, kind="stable")
    found = []
    for _, group in clashing.groupby(columns, sort=False):
        places = [
            (period, str(file), int(row))
            for period, file, row in zip(
                group["academic_year"], group["_source_file"], group["_source_row"], strict=True
            )
        ]
        for period, file, row in places:
            others = "; ".join(
                f"{other} row {number}"
                for _, other, number in places
                if (other, number) != (file, row)
            )
            message = (
                across.message
                or "the same key is also landed in another period, at {places}: keep one"
            ).replace("{places}", others)
            found.append((period, Defect(file, row, across.columns[0], "", across.rule, message)))
    return found


def set_aside(warehouse: Path, kinds: Iterable[str]) -> list[tuple[str, Defect]]:
    """Quarantine, afresh, every row of `kinds`' raw tables whose key another period also
    holds (for the sources whose spec declares `key: across_periods:`); their files' load
    log moves them from loaded to quarantined. Returns the defects, by period."""
    specs = load_sources()
    found: list[tuple[str, Defect]] = []
    with connect(warehouse) as connection, transaction(connection):
        for kind in kinds:
            spec = specs[kind]
            if spec.key_across_periods is None:
                continue
            rule = spec.key_across_periods.rule
            selected = ", ".join(f'"{name}"' for name in [*PROVENANCE, *raw_key_columns(spec)])
            rows = connection.execute(f"select {selected} from raw.{spec.raw_table}").df()
            defects = clashes(spec, rows)
            before = Counter(
                {
                    (period, file): count
                    for period, file, count in connection.execute(
                        "select academic_year, file, count(*) from raw.quarantine "
                        "where kind = ? and rule = ? group by academic_year, file",
                        [kind, rule],
                    ).fetchall()
                }
            )
            connection.execute(
                "delete from raw.quarantine where kind = ? and rule = ?", [kind, rule]
            )
            if defects:
                connection.register("held", _quarantine_rows(kind, defects))
                try:
                    connection.execute(
                        'insert into raw.quarantine (academic_year, kind, file, "row", '
                        "column_name, value, rule, message, _loaded_at) select academic_year, "
                        'kind, file, "row", column_name, value, rule, message, '
                        "current_timestamp from held"
                    )
                finally:
                    connection.unregister("held")
            after = Counter((period, defect.file) for period, defect in defects)
            for period, file in sorted(set(before) | set(after)):
                change = after[(period, file)] - before[(period, file)]
                if change:
                    connection.execute(
                        "update raw.load_log set rows_quarantined = rows_quarantined + ?, "
                        "rows_loaded = rows_loaded - ? where academic_year = ? and kind = ? "
                        "and file = ? and status = 'loaded'",
                        [change, change, period, kind, file],
                    )
            found.extend(defects)
    return found


def _quarantine_rows(kind: str, defects: list[tuple[str, Defect]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "academic_year": period,
                "kind": kind,
                "file": defect.file,
                "row": defect.row,
                "column_name": defect.column,
                "value": defect.value,
                "rule": defect.rule,
                "message": defect.message,
            }
            for period, defect in defects
        ]
    )


def held_lines(held: list[tuple[str, Defect]]) -> list[str]:
    """The run log's lines for rows `set_aside` quarantined: the first SHOWN one by one."""
    lines = [f"{period}: quarantined: {defect.public()}" for period, defect in held[:SHOWN]]
    if len(held) > SHOWN:
        lines.append(
            f"and {len(held) - SHOWN} more rows quarantined for a key landed in two periods "
            "(every one in quality/rejections.csv)"
        )
    return lines
