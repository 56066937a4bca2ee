"""Whether a landed year must load again: its load fingerprint (the landed files' digests,
everything else a load depends on, the key) as loaded (raw.year_loads) and as the landing
area would give it now. `load_stream` (indicators/ingest/streams.py) skips a year whose
fingerprint is unchanged; the landing sensor (orchestration/automation.py) asks for the
years whose fingerprints differ (`changed_years`)."""

from __future__ import annotations

from indicators.config import ChorusSettings
from indicators.ingest.aliases import aliases_file
from indicators.ingest.archive import load_fingerprint
from indicators.ingest.area_lists import AREA_LISTS
from indicators.ingest.landing import reference_file, sha256_of
from indicators.ingest.retention import cutoff as retention_cutoff
from indicators.periods import partition_of_key
from indicators.reference import AcademicYear
from indicators.sources.load import specs_digest
from indicators.warehouse import raw_table_exists


def input_digests(settings: ChorusSettings, extra_inputs: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Digests of everything besides the landed files and the source specs that a year's
    load depends on: the reference files, the column aliases, a stream's own seeds and the
    worksheet setting (the specs are per year: `year_fingerprint`)."""
    paths = [
        reference_file(name, settings.landing, settings.seeds)
        for name in ("neighbourhood_lookup", "local_authorities")
    ]
    areas = [area.file(settings.seeds, settings.landing) for area in AREA_LISTS.values()]
    paths += [path for path in areas if path.is_file()]
    aliases_path = aliases_file(settings.seeds, settings.landing)
    paths += [aliases_path] if aliases_path.exists() else []
    paths += [settings.seeds / name for name in extra_inputs]
    return (*(sha256_of(path) for path in paths), f"sheet:{settings.xlsx_sheet or ''}")


def year_fingerprint(
    landed: dict[str, str], digests: tuple[str, ...], key: str, kinds: tuple[str, ...], year: str
) -> str:
    """A year's load fingerprint: its landed files' digests, everything else it depends on
    (`input_digests`), the key, and its kinds' source specs as resolved for that year (a
    comment in a spec reloads nothing; a rule changed in 2024-25.yml reloads 2024-25 and
    later years only)."""
    rules = (specs_digest(kinds, year=year),) if kinds else ()
    return load_fingerprint(landed, (*digests, *rules), key)


def loaded_fingerprints(connection) -> dict[tuple[str, str], str]:  # noqa: ANN001 - duckdb
    """raw.year_loads as (academic year label, stream) -> fingerprint: what each year was
    loaded from, whoever loaded it (empty before the raw zone exists)."""
    if not raw_table_exists(connection, "year_loads"):
        return {}
    rows = connection.execute(
        "select academic_year, kind, fingerprint from raw.year_loads"
    ).fetchall()
    return {(year, kind): fingerprint for year, kind, fingerprint in rows}


def loaded_state(
    connection,
    landed_years: set[AcademicYear],  # noqa: ANN001 - duckdb
    retention_years: int | None,
) -> tuple[dict[tuple[str, str], str], AcademicYear | None]:
    """What the landing sensor compares the landed files with: raw.year_loads as
    (year, stream) -> fingerprint, and the first year retention keeps (nothing and None
    before the raw zone exists)."""
    if not raw_table_exists(connection, "year_loads"):
        return {}, None
    return (
        loaded_fingerprints(connection),
        retention_cutoff(connection, landed_years, retention_years),
    )


def changed_years(
    loaded: dict[tuple[str, str], str],
    expected: dict[tuple[str, str], str],
    first_kept: AcademicYear | None = None,
) -> list[str]:
    """Landed academic years (folders) whose files differ from what is loaded.

    Both maps are (year label, stream) -> load fingerprint: `expected` from the landed files,
    `loaded` from raw.year_loads (whoever loaded them). A landed year differs if any stream's
    fingerprint differs, or a stream loaded for it has no files left. Years no longer landed
    at all are left alone, and so are years before the retention limit.
    """
    landed = {label for label, _ in expected}
    changed = []
    for label in sorted(landed):
        year = partition_of_key(label)  # a month's or quarter's: the academic year it starts in
        if first_kept is not None and year < first_kept:
            continue
        want = {stream: fp for (y, stream), fp in expected.items() if y == label}
        have = {stream: fp for (y, stream), fp in loaded.items() if y == label}
        if want != have and year.folder not in changed:
            changed.append(year.folder)
    return sorted(changed)
