"""What the quality report says (indicators/publish/quality_report.py renders it), gathered
from the staged publication's own files, what the warehouse held back (quotes, responses
set aside at the door) and the checks of the run (dbt's tests and the Dagster asset checks,
which orchestration/run_results.py reads from the run).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from indicators.config import ChorusSettings
from indicators.publish.quality_report import (
    CheckResult,
    HeldBack,
    QualityReport,
    render_quality_report,
)
from indicators.steps import Log
from indicators.warehouse_tables import reading

REPORT = Path("quality") / "index.html"
KNOWN_QUALITY_FILES = {
    "load_summary.csv": "each landed file and reference file: rows read, loaded, quarantined",
    "rejections.csv": "each quarantined row or rejected file: file, row, column, rule, what "
    "to fix (identifiers withheld)",
    "period_notes.csv": "months whose files loaded no rows (counted as not landed), part "
    "periods, loaded rows linked to nothing (a Voice Note whose referral was never landed)",
}


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _count_rows(path: Path) -> int:
    with path.open(encoding="utf-8") as handle:
        return max(0, sum(1 for _ in handle) - 1)


def _held_back(settings: ChorusSettings, stage: Path, accounts: pd.DataFrame) -> list[HeldBack]:
    held = []
    returns = accounts[accounts["kind"] != "reference"]
    reference = accounts[accounts["kind"] == "reference"]
    held.append(
        HeldBack(
            "Landed rows quarantined (a defect, or the same child's row in the other return)",
            int(returns["rows_quarantined"].astype(int).sum()),
            "quality/rejections.csv",
        )
    )
    rejected = returns[returns["status"] != "loaded"]
    held.append(
        HeldBack(
            "Files rejected whole, or not loaded because they are not where a "
            "return goes (nothing loaded from them)",
            len(rejected),
            "quality/load_summary.csv, status rejected or not loaded",
        )
    )
    held.append(
        HeldBack(
            "Reference rows set aside (lookup or LA list rows in conflict)",
            int(reference["rows_quarantined"].astype(int).sum()),
            "quality/rejections.csv, kind reference",
        )
    )
    values = _read(stage / "indicators" / "indicator_values.csv")
    held.append(
        HeldBack(
            "Published cells suppressed (c): counts below the threshold, values "
            "built on them and cells that would let them be recovered",
            int((values == "c").sum().sum()),
            "indicators/indicator_values.csv",
        )
    )
    published_quotes = _count_rows(stage / "quotes" / "quotes.csv")
    with reading(settings.data_warehouse) as connection:
        consented = connection.execute("select count(*) from marts.fct_voice_quotes").fetchone()
        door = connection.execute(
            "select measure, sum(count) from raw.voice_door_log group by measure"
        ).fetchall()
    measures = {measure: int(count or 0) for measure, count in door}
    held.append(
        HeldBack(
            "Consented quotes not published (too few respondents in the area)",
            max(0, int(consented[0]) - published_quotes),
            "quotes/quotes.csv",
        )
    )
    held.append(
        HeldBack(
            "Comments withheld at the door (could not be scrubbed with confidence)",
            measures.get("quotes_withheld", 0),
            "raw.voice_door_log in the warehouse",
        )
    )
    held.append(
        HeldBack(
            "Survey responses set aside: no consent to aggregate use",
            measures.get("excluded_no_aggregate_consent", 0),
            "quality/load_summary.csv, note",
        )
    )
    return held


def _notes(path: Path) -> list[str]:
    return list(_read(path)["note"]) if path.is_file() else []


def write_quality_report(
    settings: ChorusSettings,
    stage: Path,
    run_id: str,
    checks: list[CheckResult],
    dbt_found: bool,
    log: Log,
) -> Path:
    """quality/index.html in the staged publication, from the staged files and the run's
    `checks` (`dbt_found`: whether the run's dbt results were found)."""
    accounts = _read(stage / "quality" / "load_summary.csv")
    rejections = _read(stage / "quality" / "rejections.csv")
    published = sorted(
        (path.relative_to(stage).as_posix(), path.stat().st_size)
        for path in stage.rglob("*")
        if path.is_file()
    )
    quality_files = [
        (
            path.relative_to(stage).as_posix(),
            _count_rows(path),
            KNOWN_QUALITY_FILES.get(
                path.name, "see its header (written by another step of the run)"
            ),
        )
        for path in sorted((stage / "quality").glob("*.csv"))
    ]
    report = QualityReport(
        run_id=run_id,
        generated_at=dt.datetime.now(dt.UTC).strftime("%d %B %Y, %H:%M UTC"),
        accounts=accounts.astype(
            {column: int for column in ("rows_read", "rows_loaded", "rows_quarantined")}
        ),
        rejections=rejections,
        checks=checks,
        published=published,
        held_back=_held_back(settings, stage, accounts),
        quality_files=quality_files,
        dbt_found=dbt_found,
        period_notes=_notes(stage / "quality" / "period_notes.csv"),
    )
    path = stage / REPORT
    path.write_text(render_quality_report(report), encoding="utf-8")
    log.info(f"quality report: {path.relative_to(stage)} ({len(checks)} tests and checks)")
    return path
