"""What `chorus run` shows on the terminal: a progress bar fed by the run's events, then the
summary (files and their rows, the headline, notes, where everything went)."""

import os
import sys

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from indicators.config import ChorusSettings
from orchestration.runner import PipelineOutcome, run_pipeline

console = Console(stderr=True)
out = Console()


def _terminal():
    """A stream to the terminal that stays one while the run sends stderr to its log."""
    try:
        return os.fdopen(os.dup(sys.stderr.fileno()), "w", buffering=1, encoding="utf-8")
    except (AttributeError, OSError, ValueError):  # no real stderr (e.g. a test runner)
        return None


def execute(settings: ChorusSettings) -> PipelineOutcome:
    """Run the pipeline with a progress bar fed by the run's events."""
    terminal = _terminal()
    screen = Console(file=terminal) if terminal else console
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=screen,
        transient=True,
        disable=not screen.is_terminal,
        redirect_stdout=False,
        redirect_stderr=False,
    )  # the run's go to its log
    task = progress.add_task("starting", total=None)

    def report(done: int, total: int, label: str) -> None:
        progress.update(task, completed=done, total=total, description=label)

    def waiting(holder, seconds: float) -> None:
        who = holder.describe() if holder else "another Chorus process"
        screen.print(
            f"waiting up to {seconds:.0f} s (CHORUS_LOCK_WAIT) for {who} to finish "
            "with the warehouse",
            soft_wrap=True,
            markup=False,
            highlight=False,
        )

    try:
        with progress:
            return run_pipeline(settings, on_progress=report, on_wait=waiting)
    finally:
        if terminal:
            terminal.close()


SUMMARY_ROWS = 40
"""Above this many files, the summary groups the unremarkable ones by folder."""


def _grouped_files(entries: list[dict]) -> list[tuple[str, int]]:
    """Published files, or (when there are many, as with a pack per neighbourhood of many
    authorities) their folders with a count: `boards/*/ (2,250 files)`."""
    if len(entries) <= SUMMARY_ROWS:
        return [(entry["path"], entry["bytes"]) for entry in entries]
    groups: dict[str, list[int]] = {}
    for entry in entries:
        parts = entry["path"].split("/")
        key = parts[0] + ("/*/" if len(parts) > 2 else "/")
        groups.setdefault(key, []).append(entry["bytes"])
    return [(f"{key} ({len(sizes):,} files)", sum(sizes)) for key, sizes in groups.items()]


def _grouped_accounts(accounts: list[dict]) -> list[dict]:
    """Every file's account, or (when there are many) one line per kind and year for the
    files loaded whole, and every file with a quarantined row or not loaded on its own."""
    if len(accounts) <= SUMMARY_ROWS:
        return accounts
    rows: list[dict] = []
    clean: dict[str, dict] = {}
    for account in accounts:
        if account["status"] == "loaded" and not account["rows_quarantined"]:
            folder = account["file"].rsplit("/", 1)[0]
            group = clean.setdefault(
                folder,
                {
                    "file": folder,
                    "files": 0,
                    "rows_read": 0,
                    "rows_loaded": 0,
                    "rows_quarantined": 0,
                    "status": "loaded",
                },
            )
            group["files"] += 1
            group["rows_read"] += account["rows_read"]
            group["rows_loaded"] += account["rows_loaded"]
        else:
            rows.append(account)
    for group in clean.values():
        group["file"] = f"{group['file']}/ ({group['files']:,} files)"
    return [*clean.values(), *rows]


def summary(settings: ChorusSettings, outcome: PipelineOutcome) -> None:
    from indicators.publish.publication import read_manifest

    manifest = read_manifest(settings.output)
    files = Table(title=f"Published to {settings.output}", title_justify="left")
    files.add_column("file")
    files.add_column("bytes", justify="right")
    for path, size in _grouped_files(manifest["files"]):
        files.add_row(path, f"{size:,}")
    files.add_row("manifest.json", "")
    out.print(files)
    accounting = Table(title="Every landed row accounted for", title_justify="left")
    for column in ("file", "read", "loaded", "quarantined", "status"):
        accounting.add_column(column, justify="left" if column in ("file", "status") else "right")
    for row in _grouped_accounts(outcome.accounts):
        accounting.add_row(
            row["file"],
            f"{row['rows_read']:,}",
            f"{row['rows_loaded']:,}",
            f"{row['rows_quarantined']:,}",
            row["status"],
        )
    out.print(accounting)
    if outcome.headlines:
        out.print("GLD (all children, by authority): " + "; ".join(outcome.headlines))
    for note in outcome.notes[:SUMMARY_ROWS]:
        out.print(note, soft_wrap=True, markup=False, highlight=False)
    if len(outcome.notes) > SUMMARY_ROWS:
        out.print(
            f"... and {len(outcome.notes) - SUMMARY_ROWS:,} more files not loaded "
            f"(see {outcome.log_path})",
            soft_wrap=True,
            markup=False,
            highlight=False,
        )
    if outcome.help_requests:
        total = sum(outcome.help_requests.values())
        by_year = "; ".join(f"{year} {count}" for year, count in outcome.help_requests.items())
        harm = sum(outcome.harm_disclosures.values())
        harm_note = (
            f", {harm} of them wrote of possible harm (safeguarding: read those first)"
            if harm
            else ""
        )
        out.print(
            f"{total} families asked for help, contact or a call back, or wrote of a need "
            f"or of harm, in their free text ({by_year}){harm_note}: never published; "
            f"who and where are in the restricted follow-up list "
            f"{settings.home / 'follow_up'}"
        )
    out.print(
        f"run {outcome.run_id} finished in {outcome.seconds:.1f} s. "
        "See every step in the Dagster UI: chorus ui"
    )
