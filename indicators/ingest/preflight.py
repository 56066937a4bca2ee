"""Before dbt runs: can anything be published?

`nothing_publishable` gives the one line a person needs (or nothing when all is well): from
the load log and the quarantine (what ingest made of the landed files), a kind of return and
year whose every row is quarantined or whose file was rejected, or no indicator with every
kind of return it reads loaded (each indicator's kinds come from dbt's lineage: the raw
tables upstream of its model, each a spec's `raw_table` or `also_tables`). A care leavers
team with only its return and Pathway Plan reviews publishes the care leavers' indicators;
a voice survey alone publishes nothing, as its indicators read the EYFSP return and census.
The line names the dominant rule, how many rows it took and what to do: "EYFSP 2023/24: 3,615
of 3,615 rows: LA number 354 is not in seeds/local_authorities.csv: add the authority or
correct the number (rule la_code_unknown)". Defects in some rows are not this: the rest
publishes.

`publishable_totals` refuses the step with that line (`indicators.steps.StepRefused`); the
preflight asset (orchestration/ingest_assets.py) runs it upstream of dbt (UI and CLI runs
alike), after checking that every indicator definition is finished
(indicators/publish/register_check.py).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from indicators.periods import Period, period_of_key
from indicators.reference import AcademicYear
from indicators.sources.load import load_sources
from indicators.steps import StepRefused
from indicators.warehouse import connect


def kind_labels() -> dict[str, str]:
    """The kinds of landed return, in the order a reason is looked for, with their names
    (each spec's `label`)."""
    return {kind: spec.label for kind, spec in load_sources().items()}


def consequences() -> frozenset[str]:
    """Rules that only follow another return's defect (a matched row quarantined): its own
    reason is the one to give."""
    return frozenset(
        f"{match.source}_row_quarantined"
        for spec in load_sources().values()
        for match in spec.matching
    )


def _missing_rules() -> frozenset[str]:
    return frozenset(
        f"{match.source}_missing" for spec in load_sources().values() for match in spec.matching
    )


@dataclass(frozen=True)
class Blocked:
    """A kind of return and year with landed rows and none to publish, and why."""

    kind: str
    academic_year: str
    rows_read: int
    rule: str
    rows: int
    """Rows the dominant rule took (a rejected file's rows count under its rule)."""
    reason: str
    consequence: bool
    """The dominant rule only follows a defect elsewhere (another return's row or file)."""

    def line(self) -> str:
        try:
            year = AcademicYear.parse(self.academic_year).label
        except ValueError:  # a period of a source loaded on its own: "April 2024"
            year = self.academic_year
        count = f"{self.rows:,} of {self.rows_read:,} rows: " if self.rows_read else ""
        return (
            f"{kind_labels().get(self.kind, self.kind)} {year}: {count}{self.reason} "
            f"(rule {self.rule})"
        )


def _is_consequence(rule: str, message: str) -> bool:
    """A row held back only because of another return: its row, its rejection, its absence."""
    return rule in consequences() or (
        rule in _missing_rules()
        and (" was rejected" in message or " is landed, so the child is held back" in message)
    )


def _blocked(kind: str, year: str, files: pd.DataFrame, quarantine: pd.DataFrame) -> Blocked:
    """The dominant reason a kind and year has nothing to publish."""
    counts: dict[str, int] = {}
    examples: dict[str, list[tuple[str, str, object]]] = {}
    for file in files.itertuples():
        if file.status == "rejected":  # a header with no rows counts, with none
            counts[f"file:{file.file}"] = int(file.rows_read)
    mine = quarantine[(quarantine["academic_year"] == year) & (quarantine["kind"] == kind)]
    rejected = mine[mine["row"].isna()]
    for defect in rejected.itertuples():
        examples.setdefault(f"file:{defect.file}", []).append(
            (defect.rule, f"{defect.file} was rejected: {defect.message}", None)
        )
    rows = mine[mine["row"].notna()].drop_duplicates(subset=["file", "row", "rule"])
    for rule, group in rows.groupby("rule", sort=False):
        counts[str(rule)] = group[["file", "row"]].drop_duplicates().shape[0]
        examples[str(rule)] = [
            (str(rule), str(message), (file, row))
            for file, row, message in zip(
                group["file"], group["row"], group["message"], strict=True
            )
        ]
    if not counts:
        raise ValueError(f"{kind} {year}: no row loaded and no reason recorded")
    key = max(counts, key=lambda name: (counts[name], name))
    found = examples.get(key) or [(key.removeprefix("file:"), "was rejected", None)]
    rule = found[0][0]
    messages = {message for _, message, _ in found}
    if len(messages) == 1:
        reason = found[0][1]
    else:  # the messages differ row by row (each names its own value): one of them
        _, message, (file, row) = found[0]
        reason = f"for example {file}, row {int(row)}: {message}"
    return Blocked(
        kind,
        year,
        int(files["rows_read"].sum()),
        rule,
        counts[key],
        reason,
        _is_consequence(rule, found[0][1]),
    )


def kinds_read(reads: Mapping[str, Iterable[str]]) -> dict[str, frozenset[str]]:
    """Each indicator's kinds of return, from the raw tables it reads (`reads`: indicator ->
    raw table names, dbt's lineage): a table is its spec's kind. Reference files and the
    bookkeeping tables are no kind: every run has them."""
    kind_of = {
        table: kind
        for kind, spec in load_sources().items()
        for table in (spec.raw_table, *(name for name, _ in spec.also_tables))
    }
    return {
        indicator: frozenset(kind_of[table] for table in tables if table in kind_of)
        for indicator, tables in reads.items()
    }


def _named(kinds: Iterable[str]) -> str:
    labels = kind_labels()
    shown = [f"{labels[kind]} ({kind}/)" for kind in sorted(kinds, key=list(labels).index)]
    return ", ".join(shown[:-1]) + " and " + shown[-1] if len(shown) > 1 else shown[0]


def _also(needs: dict[str, frozenset[str]], landed: set[str], headline: str | None) -> str:
    """What else to land: of the indicators reading something landed, what the fewest kinds
    still missing are (at most two, the most indicators first); with nothing landed that an
    indicator reads, what the headline indicator reads."""
    missing = Counter(
        kinds - landed for kinds in needs.values() if kinds & landed and kinds - landed
    )
    if missing:  # (each lacks a kind: with all its kinds loaded, something would publish)
        nearest = sorted(missing, key=lambda k: (len(k), -missing[k], sorted(k)))[:2]
        return "; ".join(f"{missing[k]} indicator(s) also read {_named(k)}" for k in nearest)
    kinds = needs.get(headline or "")
    if not kinds:
        return "land the returns an indicator reads"
    return f"the headline indicator, {headline}, reads {_named(kinds)}"


def _following(period: Period) -> Period:
    if period.part < period.type.parts:
        return Period(period.type, period.year, period.part + 1)
    return Period(period.type, period.year + 1, 1)


@dataclass(frozen=True)
class Waiting:
    """An indicator whose kinds are all loaded but none of whose periods counts yet."""

    kinds: tuple[str, ...]
    """Its kinds counted once the next period is landed, in the specs' order."""
    period: str | None
    """The period to land (its raw-zone label), None when they share no period."""

    def line(self) -> str:
        labels = kind_labels()
        names = " and ".join(labels[kind] for kind in self.kinds)
        if self.period is None:
            return (
                f"{names} count a period only once each is loaded for it and for the next, "
                "and they share no period loaded: land them for the same periods"
            )
        verb = "counts" if len(self.kinds) == 1 else "count"
        return f"{names} {verb} a period once the next is landed too: land {self.period}"


def _loaded_periods(load_log: pd.DataFrame, kind: str) -> set[Period]:
    rows = load_log[(load_log["kind"] == kind) & (load_log["rows_loaded"] > 0)]
    return {p for p in (period_of_key(str(key)) for key in rows["academic_year"]) if p}


def _waiting(load_log: pd.DataFrame, kinds: frozenset[str]) -> Waiting | None:
    """None when an indicator reading `kinds` (all loaded) has a period that counts: for its
    kinds counted once the next period is landed (`counted_when: next_period_landed`: a
    referral's Voice Notes arrive in next month's files), a period each has loaded rows for,
    and the period after it too, as indicators/publish/period_coverage.py counts its months;
    otherwise what to land: the period after the earliest one they all have."""
    order = list(kind_labels())
    later = sorted(
        (kind for kind in kinds if load_sources()[kind].counted_when == "next_period_landed"),
        key=order.index,
    )
    if not later:
        return None
    every = [_loaded_periods(load_log, kind) for kind in later]
    if not any(every):
        return None  # no period it can read: nothing to hold it back on
    common = set.intersection(*every)
    if any(_following(p) in common for p in common):
        return None
    gaps = sorted((p for p in common if _following(p) not in common), key=lambda p: p.start)
    return Waiting(tuple(later), _following(gaps[0]).key if gaps else None)


def nothing_publishable(
    load_log: pd.DataFrame,
    quarantine: pd.DataFrame,
    reads: Mapping[str, Iterable[str]],
    landing: Path | None = None,
    headline: str | None = None,
) -> str | None:
    """Why nothing can be published, in one line, or None when the rows loaded allow it.

    `load_log` and `quarantine` are raw.load_log and raw.quarantine (public: identifiers
    withheld); `reads` each indicator's raw tables (`kinds_read`); `headline` the default
    framework's headline indicator (named when nothing landed is read by any indicator).
    Blocked: a statutory or voice kind and year with rows read and none loaded; or no
    indicator whose every kind of return has rows loaded that count. The line gives the
    root cause first (a child held back because the other return rejected them points at
    that return's reason), then what else to land, then where to see every defect.
    """
    see = f" (every defect: chorus validate {landing})" if landing is not None else ""
    labels = kind_labels()
    on_their_own = {kind for kind in labels if load_sources()[kind].stream == "standalone"}
    # a statutory or voice year lost whole stops the run; a source loaded on its own never
    # stops the others publishing
    blocked = _lost(load_log, quarantine, set(labels) - on_their_own)
    if blocked:
        return f"nothing can be published: {_first(blocked)}{see}"
    loaded = set(load_log.loc[load_log["rows_loaded"] > 0, "kind"]) & set(labels)
    read = kinds_read(reads)
    needs = [kinds for kinds in read.values() if kinds]
    complete = Counter(kinds for kinds in needs if kinds <= loaded)
    waits = {kinds: _waiting(load_log, kinds) for kinds in complete}
    if any(wait is None for wait in waits.values()):
        return None
    lost = _lost(load_log, quarantine, on_their_own)  # why what was landed cannot serve
    if waits:  # loaded, but no period counts yet: the most indicators' kinds
        wait = waits[max(complete, key=lambda kinds: (complete[kinds], sorted(kinds)))]
        landed_lost = [b for b in lost if b.kind in wait.kinds and b.academic_year == wait.period]
        if landed_lost:  # the period to land is landed, and lost whole: why
            return f"nothing can be published: {_first(landed_lost)}{see}"
        return f"nothing can be published: {wait.line()} (see docs/inputs.md)"
    landed = loaded | {b.kind for b in lost}
    if lost and any(kinds <= landed for kinds in needs):
        return f"nothing can be published: {_first(lost)}{see}"
    also = _also(read, landed, headline)
    if lost:  # mending it would not be enough: say what else to land, in the same line
        return f"nothing can be published: {_first(lost)}; and {also}{see}"
    have = ", ".join(labels[kind] for kind in labels if kind in loaded) or "none"
    return (
        "nothing can be published: no indicator has every kind of return it reads loaded "
        f"(loaded: {have}): {also} (see docs/inputs.md)"
    )


def _lost(load_log: pd.DataFrame, quarantine: pd.DataFrame, kinds: set[str]) -> list[Blocked]:
    """The kinds' periods with rows read (or a file rejected) and none loaded."""
    lost = []
    returns = load_log[load_log["kind"].isin(list(kinds))]
    for (kind, year), files in returns.groupby(["kind", "academic_year"], sort=True):
        landed = files["rows_read"].sum() > 0 or (files["status"] == "rejected").any()
        if landed and files["rows_loaded"].sum() == 0:
            lost.append(_blocked(str(kind), str(year), files, quarantine))
    return lost


def _first(blocked: list[Blocked]) -> str:
    """The root cause first: a year lost for its own reason before one lost to another
    return's, the most rows, the earliest period, the kinds in the specs' order."""
    order = list(kind_labels())

    def began(b: Blocked) -> dt.date:
        period = period_of_key(b.academic_year)
        return period.start if period else dt.date.max

    first = min(blocked, key=lambda b: (b.consequence, -b.rows, began(b), order.index(b.kind)))
    more = sum(not b.consequence for b in blocked if b is not first)
    also = f"; {more} other return(s) or year(s) have nothing to publish either" if more else ""
    return first.line() + also


def publishable_totals(
    warehouse: Path, landing: Path, reads: Mapping[str, Iterable[str]], headline: str | None
) -> tuple[int, int]:
    """Rows of the landed returns loaded and quarantined, when something can be published;
    otherwise the step is refused with the one line `nothing_publishable` gives (`reads`:
    each indicator's raw tables, dbt's lineage)."""
    with connect(warehouse, read_only=True) as connection:
        load_log = connection.execute(
            "select academic_year, kind, file, rows_read, rows_loaded, rows_quarantined, "
            "status from raw.load_log"
        ).df()
        quarantine = connection.execute(
            'select academic_year, kind, file, "row", rule, message from raw.quarantine'
        ).df()
    reason = nothing_publishable(load_log, quarantine, reads, landing, headline)
    if reason:
        raise StepRefused(reason)
    returns = load_log[load_log["kind"] != "reference"]
    return int(returns["rows_loaded"].sum()), int(returns["rows_quarantined"].sum())
