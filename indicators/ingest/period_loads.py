"""Which periods one academic-year partition of a stream loads (issue 13).

The Dagster partitions, the landing sensor and retention count academic years. A source
counted in another period type (a month, a quarter, a financial or calendar year) lands in
its own folders (`<kind>/2024-04/`) and each of its periods loads on its own, with its own
fingerprint in raw.year_loads (so only a changed period reloads), under the partition of
the academic year it starts in (April 2024 under 2023/24). A period loaded before whose
files are gone is emptied, as an academic year is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from indicators.ingest.landing import LandedFile
from indicators.periods import Period, partition_of_key, period_of_key
from indicators.reference import AcademicYear


def periods_of(
    year: AcademicYear, files: Sequence[LandedFile], previous_keys: Iterable[str]
) -> list[AcademicYear | Period]:
    """The academic year itself, then each other period landed in it or loaded before
    under it, in order."""
    others = {f.period for f in files if f.period is not None}
    for key in previous_keys:
        period = period_of_key(key)
        if period is not None and not period.is_academic_year:
            try:
                if partition_of_key(key) == year:
                    others.add(period)
            except ValueError:
                continue
    return [year, *sorted(others)]


def files_of(period: AcademicYear | Period, files: Sequence[LandedFile]) -> list[LandedFile]:
    """The files loaded for one period."""
    return [f for f in files if f.loaded_as == period]
