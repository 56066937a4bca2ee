"""The quality report of a run: `output/quality/index.html`, for the engineer who runs Chorus.

One self-contained, accessible page (no external assets; headings, captioned tables, text
in WCAG AA contrast) saying what happened to every landed file, which rules quarantined
rows (with examples, identifiers withheld as in rejections.csv), what dbt's tests and
Great Expectations found in this run, what was published, and what was held back.

Pure: the facts come in (`QualityReport`), the page comes out. `dbt_results` reads a dbt
invocation's run_results.json and manifest.json; indicators/publish/quality_facts.py gathers
the rest from the staged publication and the warehouse, orchestration/run_results.py the
run's checks.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

EXAMPLES_PER_RULE = 3
PASSED = frozenset({"pass", "success", "passed"})


@dataclass(frozen=True)
class CheckResult:
    """One test or check of the run and how it came out."""

    source: str
    """dbt test, dbt unit test, Great Expectations, Dagster check."""
    name: str
    target: str
    """The model, seed or asset it guards."""
    status: str
    """pass, warn, fail, error or skipped (dbt's words); passed or failed for checks."""
    detail: str = ""
    blocking: bool = True
    carried_from: str = ""
    """The run that ran it, when this run did not run it again (orchestration/dbt_state.py)."""

    @property
    def passed(self) -> bool:
        return self.status in PASSED


@dataclass(frozen=True)
class HeldBack:
    """Something the run did not publish, how much, and where to see it."""

    what: str
    count: int
    where: str


@dataclass
class QualityReport:
    run_id: str
    generated_at: str
    accounts: pd.DataFrame
    """quality/load_summary.csv: academic_year, kind, file, rows_read, rows_loaded,
    rows_quarantined, status, message."""
    rejections: pd.DataFrame
    """quality/rejections.csv: academic_year, kind, file, row, column, value, rule, message
    (identifiers already withheld)."""
    checks: list[CheckResult] = field(default_factory=list)
    published: list[tuple[str, int]] = field(default_factory=list)
    """(path under the output folder, bytes) of every published file."""
    held_back: list[HeldBack] = field(default_factory=list)
    quality_files: list[tuple[str, int, str]] = field(default_factory=list)
    """(path, data rows, what it holds) of every CSV under quality/."""
    dbt_found: bool = True
    """Whether the run's dbt results could be read (else the page says so)."""
    period_notes: list[str] = field(default_factory=list)
    """quality/period_notes.csv's notes: periods whose files loaded no rows (counted as not
    landed), part periods, loaded rows linked to nothing."""


# -------------------------------------------------------------------------------- dbt results


def _test_name(unique_id: str) -> str:
    """test.chorus.not_null_stg_x_child_id.1a2b3c -> not_null_stg_x_child_id."""
    parts = unique_id.split(".")
    return parts[2] if parts[0] == "test" and len(parts) > 2 else parts[-1]


def dbt_results(invocation: Path) -> list[CheckResult]:
    """Every dbt test and unit test of one `dbt build` (its target folder), with what it
    guards and its outcome."""
    results = json.loads((invocation / "run_results.json").read_text(encoding="utf-8"))
    manifest_path = invocation / "manifest.json"
    manifest = (
        json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest_path.is_file()
        else {"nodes": {}, "unit_tests": {}}
    )
    checks = []
    for result in results["results"]:
        unique_id = result["unique_id"]
        kind = unique_id.split(".")[0]
        if kind not in ("test", "unit_test"):
            continue
        node = (
            manifest.get("nodes", {}).get(unique_id)
            or manifest.get("unit_tests", {}).get(unique_id)
            or {}
        )
        target = (
            node.get("attached_node")
            or node.get("model")
            or ", ".join((node.get("depends_on") or {}).get("nodes", []))
        )
        severity = str((node.get("config") or {}).get("severity", "ERROR")).upper()
        failures = result.get("failures")
        detail = (result.get("message") or "") if result["status"] not in PASSED else ""
        if failures and result["status"] not in PASSED:
            detail = f"{failures} failing row(s). {detail}".strip()
        if result.get("carried_from"):  # orchestration/dbt_state.py: not run again
            ran = f"Not run again: nothing it reads changed since run {result['carried_from']}."
            detail = f"{ran} {detail}".strip()
        checks.append(
            CheckResult(
                source="dbt unit test" if kind == "unit_test" else "dbt test",
                name=_test_name(unique_id) if kind == "test" else unique_id.split(".")[-1],
                target=str(target).split(".")[-1] if target else "",
                status=str(result["status"]),
                detail=detail,
                blocking=severity == "ERROR",
                carried_from=result.get("carried_from") or "",
            )
        )
    return checks


# ------------------------------------------------------------------------------------- page

_STYLE = """
body { font-family: Arial, Helvetica, sans-serif; color: #0b0c0c; background: #ffffff;
       margin: 0 auto; max-width: 72rem; padding: 1rem 1.5rem 3rem; line-height: 1.45; }
h1 { font-size: 1.9rem; margin: 0.5rem 0 0.25rem; }
h2 { font-size: 1.4rem; margin-top: 2.2rem; border-top: 4px solid #1d70b8;
     padding-top: 0.6rem; }
p.lede { font-size: 1.1rem; }
table { border-collapse: collapse; width: 100%; margin: 0.6rem 0 1.2rem;
        font-size: 0.92rem; }
caption { text-align: left; font-weight: bold; padding: 0.4rem 0; font-size: 1rem; }
th, td { border-bottom: 1px solid #b1b4b6; padding: 0.35rem 0.5rem; text-align: left;
         vertical-align: top; }
td:first-child { overflow-wrap: anywhere; min-width: 10rem; }
td.number, th.number, td .status-ok, td .status-bad, td .status-warn { white-space: nowrap; }
th { background: #f3f2f1; }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
.status-ok { color: #005a30; font-weight: bold; }
.status-bad { color: #942514; font-weight: bold; }
.status-warn { color: #594d00; font-weight: bold; }
code { font-family: "Courier New", monospace; background: #f3f2f1; padding: 0 0.2rem; }
ul.summary li { margin-bottom: 0.3rem; }
a { color: #1d70b8; }
nav li { margin-bottom: 0.4rem; }
nav a { display: inline-block; min-height: 24px; padding: 3px 0; }
a:focus { outline: 3px solid #ffdd00; background: #ffdd00; color: #0b0c0c; }
@media print { h2 { break-after: avoid; } tr { break-inside: avoid; } }
"""


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _number(value: object) -> str:
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return _e(value)


def _table(
    caption: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    numeric: Sequence[int] = (),
    empty: str = "None.",
) -> str:
    """A captioned table; `rows` hold HTML already escaped; `numeric` columns right-aligned."""
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="number">{cell}</td>' if position in numeric else f"<td>{cell}</td>"
            for position, cell in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    if not body:
        return f"<p><strong>{_e(caption)}:</strong> {_e(empty)}</p>"
    head = "".join(
        f'<th scope="col" class="number">{_e(name)}</th>'
        if position in numeric
        else f'<th scope="col">{_e(name)}</th>'
        for position, name in enumerate(headers)
    )
    return (
        f"<table><caption>{_e(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _status(text: str, good: bool, warn: bool = False) -> str:
    css = "status-ok" if good else ("status-warn" if warn else "status-bad")
    return f'<span class="{css}">{_e(text)}</span>'


def _year(value: object, kind: object = "reference") -> str:
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    if text:
        return _e(text)
    return _e("all years (reference)" if kind == "reference" else "none: not in a year folder")


def _accounting(report: QualityReport) -> str:
    accounts = report.accounts
    rows = []
    for account in accounts.itertuples():
        loaded = account.status == "loaded"
        balanced = int(account.rows_read) == int(account.rows_loaded) + int(
            account.rows_quarantined
        )
        rows.append(
            (
                _e(account.file),
                _e(account.kind),
                _year(account.academic_year, account.kind),
                _number(account.rows_read),
                _number(account.rows_loaded),
                _number(account.rows_quarantined),
                _status(account.status, loaded),
                _status("yes" if balanced else "NO", balanced),
                _e(account.message),
            )
        )
    read = int(accounts["rows_read"].sum()) if len(accounts) else 0
    loaded = int(accounts["rows_loaded"].sum()) if len(accounts) else 0
    quarantined = int(accounts["rows_quarantined"].sum()) if len(accounts) else 0
    text = (
        f"<p>{len(accounts):,} file(s): {read:,} rows read, {loaded:,} loaded, "
        f"{quarantined:,} quarantined. For every file, rows read = rows loaded + rows "
        "quarantined; a rejected file, or one not loaded because it is not in a year folder, "
        "counts all its rows as quarantined. Reference files "
        "(the neighbourhood lookup, the LA list) count the rows used and set aside.</p>"
    )
    return text + _table(
        "Each landed file and reference file, as quality/load_summary.csv has it",
        [
            "File",
            "Kind",
            "Academic year",
            "Read",
            "Loaded",
            "Quarantined",
            "Status",
            "Balanced",
            "Note",
        ],
        rows,
        numeric=(3, 4, 5),
    )


def _rules(report: QualityReport) -> str:
    rejections = report.rejections
    if rejections.empty:
        return "<p>No row was quarantined and no file was rejected.</p>"
    rows = []
    frame = rejections.fillna("").astype(str)
    frame["place"] = frame["file"] + "|" + frame["row"]
    for (kind, rule), group in frame.groupby(["kind", "rule"], sort=False):
        files = group["file"].nunique()
        whole = group["row"] == ""
        count = f"{int(group.loc[~whole, 'place'].nunique()):,} row(s)" + (
            f", {int(whole.sum()):,} file(s) rejected" if whole.any() else ""
        )
        examples = []
        for example in group.head(EXAMPLES_PER_RULE).itertuples():
            where = example.file + (f", row {example.row}" if example.row else "")
            where += f", column {example.column}" if example.column else ""
            examples.append(f"<li>{_e(where)}: {_e(example.message)}</li>")
        rows.append(
            (
                f"<code>{_e(rule)}</code>",
                _e(kind),
                count,
                _number(files),
                f"<ul>{''.join(examples)}</ul>",
            )
        )
    rows.sort(key=lambda row: row[0])
    return (
        "<p>A rejected value is shown only from a column of codes, numbers or dates of "
        "answers, and only when it looks like one; every other value (UPNs, names, dates of "
        "birth, postcodes, response ids, free text) is withheld, as in "
        "quality/rejections.csv, which lists every quarantined row.</p>"
        + _table(
            "Rules hit, with up to three examples each",
            ["Rule", "Kind", "How many", "Files", "Examples"],
            rows,
            numeric=(3,),
        )
    )


def _checks(report: QualityReport) -> str:
    parts = []
    if not report.dbt_found:
        parts.append(
            "<p>The dbt results of this run could not be read (its target folder "
            "is gone): see the run in the Dagster UI.</p>"
        )
    by_source: dict[str, list[CheckResult]] = {}
    for check in report.checks:
        by_source.setdefault(check.source, []).append(check)
    summary = []
    for source, checks in by_source.items():
        passed = sum(check.passed for check in checks)
        carried = sum(bool(check.carried_from) for check in checks)
        again = f" ({carried:,} not run again: nothing they read changed)" if carried else ""
        summary.append(f"<li>{_e(source)}: {passed:,} of {len(checks):,} passed{again}</li>")
    if summary:
        parts.append(f'<ul class="summary">{"".join(summary)}</ul>')
    for source, checks in by_source.items():
        ordered = sorted(checks, key=lambda check: (check.passed, check.target, check.name))
        rows = [
            (
                _e(check.name),
                _e(check.target),
                _status(check.status, check.passed, warn=not check.blocking),
                "blocks publication" if check.blocking else "warns only",
                _e(check.detail),
            )
            for check in ordered
        ]
        parts.append(
            _table(
                f"{source}s of this run ({len(checks):,}), any not passed first",
                ["Name", "Guards", "Result", "If it fails", "Detail"],
                rows,
            )
        )
    if not report.checks and report.dbt_found:
        parts.append("<p>No test or check results were recorded for this run.</p>")
    return "".join(parts)


def _published(report: QualityReport) -> str:
    groups: dict[str, list[int]] = {}
    listed = []
    for path, size in report.published:
        parts = path.split("/")
        if len(parts) > 2:  # <packs_under>/<area>/<file>: the only files this deep
            groups.setdefault(parts[0], []).append(size)
            continue
        listed.append((f"<code>{_e(path)}</code>", _number(size)))
    for folder, sizes in groups.items():
        listed.append(
            (
                f"<code>{_e(folder)}/</code>: {len(sizes):,} board pack files "
                "(HTML, PDF and Excel per area)",
                _number(sum(sizes)),
            )
        )
    total = sum(size for _, size in report.published)
    return (
        f"<p>{len(report.published):,} files, {total:,} bytes, besides this page and "
        "manifest.json, which lists every file with its sha256.</p>"
        + _table("Published files", ["File", "Bytes"], listed, numeric=(1,))
    )


def _held_back(report: QualityReport) -> str:
    rows = [(_e(item.what), _number(item.count), _e(item.where)) for item in report.held_back]
    files = [
        (f"<code>{_e(path)}</code>", _number(count), _e(what))
        for path, count, what in report.quality_files
    ]
    return _table(
        "Held back from publication", ["What", "How many", "Where to look"], rows, numeric=(1,)
    ) + _table("Every file under quality/", ["File", "Rows", "What it holds"], files, numeric=(1,))


def _period_notes(report: QualityReport) -> str:
    if not report.period_notes:
        return (
            "<p>Every quarter and year published had each month of its monthly sources "
            "landed with rows, and every loaded row links where it should.</p>"
        )
    items = "".join(f"<li>{_e(note)}</li>" for note in report.period_notes)
    return (
        "<p>A period whose files loaded no rows is counted as not landed; a quarter or year "
        "missing a month is published as a part period (months_landed in the open data); "
        "rows linked to nothing are kept and counted in no figure that needs the link "
        "(quality/period_notes.csv).</p>"
        f"<ul>{items}</ul>"
    )


def render_quality_report(report: QualityReport) -> str:
    """The page, as one self-contained HTML document."""
    bad_checks = [check for check in report.checks if not check.passed and check.blocking]
    rejected = int((report.accounts["status"] != "loaded").sum()) if len(report.accounts) else 0
    quarantined = int(report.accounts["rows_quarantined"].sum()) if len(report.accounts) else 0
    verdict = (
        f"Published. {quarantined:,} row(s) quarantined and {rejected:,} file(s) "
        "rejected; every other row was used. "
        + (
            f"{len(bad_checks)} blocking check(s) did not pass."
            if bad_checks
            else "Every blocking test and check passed."
        )
    )
    sections = [
        ("files", "Every landed file accounted for", _accounting(report)),
        (
            "periods",
            "Months not landed, part periods, rows linked to nothing",
            _period_notes(report),
        ),  # fmt: skip
        ("rules", "Rules that quarantined rows", _rules(report)),
        ("checks", "Tests and checks of this run", _checks(report)),
        ("published", "What was published", _published(report)),
        ("held-back", "What was held back", _held_back(report)),
    ]
    contents = "".join(
        f'<li><a href="#{anchor}">{_e(title)}</a></li>' for anchor, title, _ in sections
    )
    body = "".join(
        f'<section aria-labelledby="{anchor}"><h2 id="{anchor}">{_e(title)}</h2>{content}</section>'
        for anchor, title, content in sections
    )
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Chorus quality report, run {_e(report.run_id)}</title>\n"
        f"<style>{_STYLE}</style>\n</head>\n<body>\n<main>\n"
        "<h1>Quality report</h1>\n"
        f'<p class="lede">Run <code>{_e(report.run_id)}</code>, {_e(report.generated_at)}. '
        f"{_e(verdict)}</p>\n"
        f'<nav aria-label="Sections"><ul>{contents}</ul></nav>\n'
        f"{body}\n</main>\n</body>\n</html>\n"
    )
