"""Free text on a standalone source (`free_text: {columns: note, consent: consent_quote}` in
its spec, or several columns under one consent: indicators/sources/free_text.py), each
kept as the voice survey keeps its quotes:

- only where the consent column is Y (blank or anything else: no consent, never assumed);
- never when it asks for help or discloses harm (`help_requests.follow_up_reason`, the
  voice engine's rule): its rows are named on the file's load_log line, and every such row
  read (quarantined or not) in a warning, so someone can follow it up from the landed file;
  nothing of it is loaded;
- scrubbed by the voice quotes' scrubber (`indicators/voice/quotes.py`), and withheld when it
  cannot be scrubbed with confidence.

Whatever is not kept is null in the raw table, which holds only scrubbed, consented text.
The counts (kept, without consent, withheld) are said on each file's load_log line."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from indicators.ingest.defects import CONTROL_CHARACTER
from indicators.ingest.landing import FileAccount
from indicators.sources.spec import SourceSpec
from indicators.voice.help_requests import follow_up_reason
from indicators.voice.quotes import scrub


def follow_up_notes(spec: SourceSpec, frames: Sequence[tuple[str, pd.DataFrame]]) -> list[str]:
    """One line per landed file and free-text column naming the rows whose text asks for help
    or discloses harm: every row read, loaded or not (a row quarantined for a wrong score, or
    set aside without consent, may still say so), to be followed up from the landed file."""
    notes: list[str] = []
    for file, frame in frames:
        for column in spec.free_text_columns:
            if column not in frame or not len(frame):
                continue
            rows = [
                int(row)
                for text, row in zip(
                    frame[column].astype("string").fillna("").tolist(),
                    frame["_source_row"].tolist(),
                    strict=True,
                )
                if text.strip() and follow_up_reason(CONTROL_CHARACTER.sub(" ", text)) is not None
            ]
            if rows:
                notes.append(
                    f"{file}: {column} at row {', '.join(map(str, rows))} asks for help or "
                    "discloses harm: not loaded; read it in the landed file and follow it up "
                    "(never published)"
                )
    return notes


def keep_free_text(
    spec: SourceSpec,
    frames: list[pd.DataFrame],
    accounts: Sequence[FileAccount],
    allow: Sequence[str] = (),
) -> list[pd.DataFrame]:
    """`frames` (each one file's loaded rows, with `_source_file`) with each free-text column
    scrubbed, or null where it may not be kept; each file's counts on its account (the rows
    to follow up are named by follow_up_notes, over every row read)."""
    by_file = {account.file: account for account in accounts if account.kind == spec.source}
    kept_frames = []
    for frame in frames:
        for column in spec.free_text_columns:
            if len(frame):
                frame = _kept_column(spec, frame, column, by_file, allow)
        kept_frames.append(frame)
    return kept_frames


def _kept_column(
    spec: SourceSpec,
    frame: pd.DataFrame,
    column: str,
    by_file: dict[str, FileAccount],
    allow: Sequence[str],
) -> pd.DataFrame:
    """One file's rows with `column` scrubbed, or null where it may not be kept; its counts
    said on the file's account."""
    consent = str(spec.free_text["consent"])
    file = str(frame["_source_file"].iloc[0])
    texts = [
        CONTROL_CHARACTER.sub(" ", value).strip()
        for value in frame[column].astype("string").fillna("").tolist()
    ]
    consenting = frame[consent].astype("string").fillna("").str.strip().str.upper() == "Y"
    values: list[str | None] = []
    no_consent = withheld = 0
    asking: list[int] = []
    for text, agreed, row in zip(
        texts, consenting.tolist(), frame["_source_row"].tolist(), strict=True
    ):
        value = None
        if not text:
            pass
        elif follow_up_reason(text) is not None:  # with consent or without
            asking.append(int(row))
        elif not agreed:
            no_consent += 1
        else:
            result = scrub(text, allow=tuple(allow))
            if result.withheld:
                withheld += 1
            else:
                value = result.text
        values.append(value)
    kept = frame.assign(**{column: pd.Series(values, index=frame.index)})
    written = sum(1 for text in texts if text)
    if not written:
        return kept
    said = [
        f"free text {column}: {sum(1 for value in values if value is not None)} of {written} "
        "kept, scrubbed"
    ]
    if no_consent:
        said.append(f"{no_consent} without consent ({consent} not Y) not kept")
    if withheld:
        said.append(f"{withheld} withheld: could not be scrubbed with confidence")
    if asking:
        rows = ", ".join(str(row) for row in asking)
        said.append(f"{len(asking)} withheld: asks for help or discloses harm (row {rows})")
    account = by_file[file]
    account.message = "; ".join([*([account.message] if account.message else []), *said])
    return kept
