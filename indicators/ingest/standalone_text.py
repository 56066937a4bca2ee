"""Free text on a standalone source (`free_text: {columns: note, consent: consent_quote}` in
its spec, or several columns under one consent: indicators/sources/free_text.py), each
kept as the voice survey keeps its quotes:

- only where the consent column is Y (blank or anything else: no consent, never assumed);
- never when it asks for help or discloses harm (`help_requests.follow_up_reason`, the
  voice engine's rule): the file's load_log line (published in quality/load_summary.csv)
  counts them, never naming a row; every such row read (quarantined or not) is named in a
  warning and on the restricted follow-up list (`follow_up_rows`: file, row, column, reason,
  never the text; written by indicators/voice/follow_up.py), so someone can follow it up
  from the landed file; nothing of it is loaded;
- scrubbed by the voice quotes' scrubber (`indicators/voice/quotes.py`), and withheld when it
  cannot be scrubbed with confidence.

Whatever is not kept is null in the raw table, which holds only scrubbed, consented text.
The counts (kept, without consent, withheld) are said on each file's load_log line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from indicators.ingest.defects import CONTROL_CHARACTER
from indicators.ingest.landing import FileAccount
from indicators.sources.spec import SourceSpec
from indicators.voice.help_requests import follow_up_reason
from indicators.voice.quotes import scrub

FOLLOW_UP_COLUMNS = ["file", "row", "column", "reason"]


def follow_up_rows(spec: SourceSpec, frames: Sequence[tuple[str, pd.DataFrame]]) -> pd.DataFrame:
    """Every row read (loaded or not: a row quarantined for a wrong score, or set aside
    without consent, may still ask) whose free text asks for help or discloses harm: its
    landed file, row, column and reason (FOLLOW_UP_COLUMNS), never the text."""
    found: list[tuple[str, int, str, str]] = []
    for file, frame in frames:
        for column in spec.free_text_columns:
            if column not in frame or not len(frame):
                continue
            for text, row in zip(
                frame[column].astype("string").fillna("").tolist(),
                frame["_source_row"].tolist(),
                strict=True,
            ):
                reason = (
                    follow_up_reason(CONTROL_CHARACTER.sub(" ", text)) if text.strip() else None
                )
                if reason is not None:
                    found.append((file, int(row), column, reason))
    return pd.DataFrame(found, columns=FOLLOW_UP_COLUMNS)


def follow_up_notes(rows: pd.DataFrame) -> list[str]:
    """One warning per landed file and free-text column naming the rows of `follow_up_rows`
    (for the run's log, never published)."""
    return [
        f"{file}: {column} at row {', '.join(map(str, group['row']))} asks for help or "
        "discloses harm: not loaded; read it in the landed file and follow it up "
        "(never published)"
        for (file, column), group in rows.groupby(["file", "column"], sort=False)
    ]


def keep_free_text(
    spec: SourceSpec,
    frames: list[pd.DataFrame],
    accounts: Sequence[FileAccount],
    allow: Sequence[str] = (),
) -> list[pd.DataFrame]:
    """`frames` (each one file's loaded rows, with `_source_file`) with each free-text column
    scrubbed, or null where it may not be kept; each file's counts on its account, summed
    over the columns when there are several (the rows to follow up are named only on the
    restricted list and in the log: follow_up_rows, over every row read)."""
    by_file = {account.file: account for account in accounts if account.kind == spec.source}
    columns = spec.free_text_columns
    kept_frames = []
    for frame in frames:
        counts = _Counts()
        for column in columns:
            if len(frame):
                frame = _kept_column(spec, frame, column, counts, allow)
        if counts.written:
            account = by_file[str(frame["_source_file"].iloc[0])]
            said = counts.said(columns, str(spec.free_text["consent"]))
            account.message = "; ".join([*([account.message] if account.message else []), *said])
        kept_frames.append(frame)
    return kept_frames


@dataclass
class _Counts:
    """One file's free text: values written, kept, without consent, withheld (the published
    load summary never names a row, and never gives `written`)."""

    written: int = 0
    kept: int = 0
    no_consent: int = 0
    withheld: int = 0

    def said(self, columns: Sequence[str], consent: str) -> list[str]:
        """The published load line's words. Requests for help are neither counted nor left
        to be worked out (no total of text written): their number is a small count of a
        sensitive kind. The warning in the run log and the restricted follow-up list name
        their rows."""
        named = columns[0] if len(columns) == 1 else f"({len(columns)} columns)"
        said = [f"free text {named}: {self.kept} kept, scrubbed"]
        if self.no_consent:
            said.append(f"{self.no_consent} without consent ({consent} not Y) not kept")
        if self.withheld:
            said.append(f"{self.withheld} withheld: could not be scrubbed with confidence")
        return said


def _kept_column(
    spec: SourceSpec,
    frame: pd.DataFrame,
    column: str,
    counts: _Counts,
    allow: Sequence[str],
) -> pd.DataFrame:
    """One file's rows with `column` scrubbed, or null where it may not be kept; its counts
    added to `counts`."""
    consent = str(spec.free_text["consent"])
    texts = [
        CONTROL_CHARACTER.sub(" ", value).strip()
        for value in frame[column].astype("string").fillna("").tolist()
    ]
    consenting = frame[consent].astype("string").fillna("").str.strip().str.upper() == "Y"
    values: list[str | None] = []
    for text, agreed in zip(texts, consenting.tolist(), strict=True):
        value = None
        if not text or follow_up_reason(text) is not None:
            pass  # a request for help, with consent or without: never kept, never counted
        elif not agreed:
            counts.no_consent += 1
        else:
            result = scrub(text, allow=tuple(allow))
            if result.withheld:
                counts.withheld += 1
            else:
                value = result.text
        values.append(value)
    counts.written += sum(1 for text in texts if text)
    counts.kept += sum(1 for value in values if value is not None)
    return frame.assign(**{column: pd.Series(values, index=frame.index)})
