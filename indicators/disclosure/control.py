"""How disclosure control is configured (seeds/disclosure_control.csv) and how it sees an
indicator (its value type, decimals, which count is respondents, its declared relations)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from indicators.disclosure.relations import Relations

SUPPRESSED = "c"
NOT_AVAILABLE = "x"
NOT_APPLICABLE = "z"
LOW = "low"
LOW_RELIABILITY = "u"


@dataclass(frozen=True)
class DisclosureConfig:
    threshold: int = 10
    round_to: int | None = None
    """Round published counts to the nearest multiple (ONS common rule: 5), or None."""
    voice_min_respondents: int = 10

    @classmethod
    def from_seed(cls, path: Path) -> DisclosureConfig:
        """The one place disclosure control is configured: seeds/disclosure_control.csv."""
        settings = dict(
            pd.read_csv(path, dtype=str)[["setting", "value"]].itertuples(index=False, name=None)
        )
        round_to = int(settings.get("round_counts_to", "0"))
        config = cls(
            threshold=int(settings.get("threshold", "10")),
            round_to=round_to or None,
            voice_min_respondents=int(settings.get("voice_min_respondents", "10")),
        )
        if config.threshold < 1 or (config.round_to is not None and config.round_to < 1):
            raise ValueError(f"{path}: threshold must be at least 1 and rounding 0 or more")
        return config


@dataclass(frozen=True)
class IndicatorShape:
    value_type: str
    """'proportion' (numerator counts units of the denominator), 'rate' (a count per 100 of
    another count) or 'mean' (numerator sums a score over the denominator's units)."""
    decimals: int = 1
    respondents: str | None = None
    """Which count is the number of respondents the result rests on ('numerator' or
    'denominator'), for the minimum number of respondents and the reliability flag; None
    for statutory indicators."""
    min_respondents: int = 0
    """Results resting on fewer respondents than this are suppressed; under twice it they are
    published but marked low reliability."""
    relations: Relations | None = field(default=None, compare=False)
    """The indicator's declared relations (YAML meta.indicator.relations)."""
    comparable_from: int = 0
    """The first comparable year (a time period, meta.indicator.comparable_from; 0 for
    none): a trend window reaching back before it is not calculated, whatever it holds."""
    period_type: str = ""
    """Its declared period type (meta.indicator.period_type; blank: academic year), which
    orders its periods: a trend's consecutive periods are consecutive months of a monthly
    indicator."""

    @property
    def signed(self) -> bool:
        """Whether its value may be negative (declared by its relations' score bounds): then
        a value that rounds to zero is published as 0.0, never `low`."""
        return self.relations is not None and self.relations.signed
