"""The restricted follow-up list: families whose free text asked for help, contact or a call
back, or whose free text may disclose harm (a safeguarding matter: its `reason` says so).

Never published, never in the warehouse's published tables: one CSV per academic year under
`$CHORUS_HOME/follow_up/<YYYY-YY>.csv`, readable and writable by its owner only (file 0600,
folder 0700), holding what a practitioner needs to act (survey_columns.HELP_COLUMNS: response id,
item, reason, date, channel, neighbourhood, and the landed file and row), never the text itself.
A year's file is replaced whenever that year's voice files load, so a re-run writes the
same file and a year with no requests has none.

A standalone source's free text has its own list per period, `$CHORUS_HOME/follow_up/<kind>/
<period>.csv` (file, row, column, reason: indicators/ingest/standalone_text.follow_up_rows),
replaced the same way, so the voice survey's files are left as they are.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

FOLDER = "follow_up"


def follow_up_path(home: Path, academic_year: str) -> Path:
    """`$CHORUS_HOME/follow_up/2023-24.csv` for academic year '2023/24'."""
    return Path(home) / FOLDER / f"{academic_year.replace('/', '-')}.csv"


def write_follow_up(home: Path, academic_year: str, requests: pd.DataFrame) -> Path | None:
    """Replace the year's follow-up list with `requests` (owner-only); None when empty."""
    return _write_owner_only(follow_up_path(home, academic_year), requests)


def standalone_follow_up_path(home: Path, kind: str, period: str) -> Path:
    """`$CHORUS_HOME/follow_up/home_visits/2023-24.csv` for kind home_visits, period
    '2023/24'; any other period's label with its spaces and slashes as hyphens:
    'Financial year 2023/24' as Financial-year-2023-24)."""
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", period).strip("-")
    return Path(home) / FOLDER / kind / f"{name}.csv"


def write_standalone_follow_up(
    home: Path, kind: str, period: str, rows: pd.DataFrame
) -> Path | None:
    """Replace a standalone kind's follow-up list for the period with `rows` (owner-only);
    None when empty."""
    return _write_owner_only(standalone_follow_up_path(home, kind, period), rows)


def _write_owner_only(path: Path, frame: pd.DataFrame) -> Path | None:
    if frame.empty:
        path.unlink(missing_ok=True)
        return None
    top = next((folder for folder in path.parents if folder.name == FOLDER), None)
    if top is None:
        raise ValueError(f"{path} is not in a {FOLDER}/ folder")
    path.parent.mkdir(parents=True, exist_ok=True)
    for folder in (path.parent, *path.parent.parents):  # up to the follow-up folder: owner only
        os.chmod(folder, 0o700)
        if folder == top:
            break
    staging = path.with_suffix(".csv.tmp")
    descriptor = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
        frame.to_csv(handle, index=False, lineterminator="\n")
    os.chmod(staging, 0o600)
    os.replace(staging, path)
    return path


def families_asking_for_help(home: Path, reason: str | None = None) -> dict[str, int]:
    """Academic year ('2023/24') -> how many respondents are on the follow-up lists (only those
    listed for `reason`, e.g. help_requests.HARM, when given)."""
    folder = Path(home) / FOLDER
    counts: dict[str, int] = {}
    for path in sorted(folder.glob("*.csv")) if folder.is_dir() else ():
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        if reason is not None:
            frame = frame[frame["reason"] == reason] if "reason" in frame else frame.iloc[:0]
        if "response_id" in frame and len(frame):
            counts[path.stem.replace("-", "/")] = int(frame["response_id"].nunique())
    return counts
