"""What a load writes to raw.quarantine and raw.load_log, and reads back from raw.load_log."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from indicators.ingest.defects import Defect
from indicators.ingest.landing import FileAccount
from indicators.periods import Period
from indicators.reference import AcademicYear
from indicators.warehouse import connect


def quarantine_frame(
    year: AcademicYear | Period | str, defects: list[Defect], accounts: list[FileAccount]
) -> pd.DataFrame:
    """Defects as raw.quarantine rows (public: identifiers withheld); `year` "" for a
    reference file."""
    kinds = {account.file: account.kind for account in accounts}
    label = year if isinstance(year, str) else year.label
    rows = []
    for defect in defects:
        public = defect.public()
        rows.append(
            {
                "academic_year": label,
                "kind": kinds.get(defect.file, ""),
                "file": public.file,
                "row": public.row,
                "column_name": public.column,
                "value": public.value,
                "rule": public.rule,
                "message": public.message,
            }
        )
    return pd.DataFrame(
        rows,
        columns=["academic_year", "kind", "file", "row", "column_name", "value", "rule", "message"],
    )


def log_frame(accounts: list[FileAccount]) -> pd.DataFrame:
    return pd.DataFrame(
        [vars(account) for account in accounts],
        columns=[
            "file",
            "kind",
            "academic_year",
            "sha256",
            "rows_read",
            "rows_loaded",
            "rows_quarantined",
            "status",
            "message",
        ],
    )


def logged_accounts(warehouse: Path, kinds: tuple[str, ...]) -> pd.DataFrame:
    """The stream's raw.load_log, read once a run for the years that are unchanged."""
    with connect(warehouse, read_only=True) as connection:
        return connection.execute(
            "select * exclude (_loaded_at) from raw.load_log "
            "where kind in (select unnest(?::varchar[]))",
            [list(kinds)],
        ).df()
