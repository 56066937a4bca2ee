"""A period's files of one standalone kind checked as one frame: each file's rows read as
their code lists and canonical forms read them, every column's rules and the spec's row
rules, run once over the files' rows stacked, not once a file (a rule costs about the same
on one file as on a hundred: at national scale a month of Early Help referrals is 150
authorities' files). Each file gets exactly what checking it alone gives: its frame, with
its own columns and index, and its defects, in the same order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from indicators.ingest.cells import normalise_codes
from indicators.ingest.defects import Defect, apply_rules
from indicators.ingest.landing import LandedFile
from indicators.ingest.readers import Table
from indicators.ingest.row_checks import row_rule_defects
from indicators.ingest.spec_rules import in_canonical_form, read_as_code_lists, spec_rules
from indicators.ingest.statutory import overflow_defects, ragged
from indicators.sources.spec import SourceSpec

Checked = tuple[pd.DataFrame, list[Defect]]


def check_files(spec: SourceSpec, read: Sequence[tuple[LandedFile, Table]]) -> list[Checked]:
    """Each read file of `spec`'s kind checked (its frame, with code columns trimmed and
    upper-cased, and its row defects: cells, then the row rules), in the order given. Files
    whose rules are the same (one period: its label and first day) are checked together."""
    groups: dict[tuple[str, dt.date | None], list[int]] = {}
    for position, (landed, _) in enumerate(read):
        start = landed.period.start if landed.period is not None else None
        groups.setdefault((landed.loaded_as.label, start), []).append(position)
    checked: dict[int, Checked] = {}
    for (label, start), positions in groups.items():
        names = [read[p][0].display for p in positions]
        if len(set(names)) < len(names):  # two files of one name: checked one by one
            for p in positions:
                (checked[p],) = _together(spec, label, start, [_named(read[p])])
        else:
            together = _together(spec, label, start, [_named(read[p]) for p in positions])
            checked.update(zip(positions, together, strict=True))
    return [checked[p] for p in range(len(read))]


def _named(one: tuple[LandedFile, Table]) -> tuple[str, Table]:
    return one[0].display, one[1]


def _together(
    spec: SourceSpec, label: str, start: dt.date | None, tables: Sequence[tuple[str, Table]]
) -> list[Checked]:
    displays = [display for display, _ in tables]
    lengths = [len(table.frame) for _, table in tables]
    written = pd.concat([table.frame for _, table in tables], ignore_index=True, sort=False)
    free = spec.free_text_columns  # free text as written: scrubbed later, never upper-cased
    frame = normalise_codes(written, [name for name in spec.read_columns if name not in free])
    frame = read_as_code_lists(frame, spec)  # normalise:, synonyms:, blank: of its lists
    frame = in_canonical_form(frame, spec)  # 999 123 4567 as 9991234567, before any rule
    files = np.repeat(np.array(displays, dtype=object), lengths)
    cells = apply_rules(
        frame, spec_rules(spec, label, start), displays[0], as_written=written, row_files=files
    )
    by_file: dict[str, list[Defect]] = {display: [] for display in displays}
    for defect in cells:  # in rule order, then row order, for each file
        by_file[defect.file].append(defect)
    for display, table in tables:
        by_file[display] = ragged(by_file[display] + overflow_defects(table, display), table)
    rows = row_rule_defects(
        spec, frame, displays[0], [d for ds in by_file.values() for d in ds], row_files=files
    )
    for defect in rows:  # file after file, each in check order, then row order
        by_file[defect.file].append(defect)
    added = [column for column in frame.columns if column not in written.columns]
    results = []
    stop = 0
    for (display, table), length in zip(tables, lengths, strict=True):
        begin, stop = stop, stop + length
        own = frame.iloc[begin:stop][[*table.frame.columns, *added]]
        results.append((own.set_axis(table.frame.index), by_file[display]))
    return results
