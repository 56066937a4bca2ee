"""The words the published methods speak, and the checks they share.

Polarity follows OHID Fingertips metadata; comparison and trend words are Fingertips'
own, lower case. Every method in `indicators.stats` returns these words and nothing else.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# Polarity: which direction is good (OHID Fingertips metadata values).
HIGH_IS_GOOD = "RAG - High is good"
LOW_IS_GOOD = "RAG - Low is good"
BLUE_ORANGE_BLUE = "BOB - Blue orange blue"
NOT_APPLICABLE = "Not applicable"
POLARITIES = (HIGH_IS_GOOD, LOW_IS_GOOD, BLUE_ORANGE_BLUE, NOT_APPLICABLE)

# Benchmark comparisons (Fingertips wording, lower case).
HIGHER = "higher"
LOWER = "lower"
SIMILAR = "similar"
NOT_COMPARED = "not compared"
BETTER = "better"
WORSE = "worse"
COMPARISONS = (HIGHER, LOWER, SIMILAR, NOT_COMPARED)

# Recent trends (Fingertips wording, lower case).
INCREASING = "increasing"
DECREASING = "decreasing"
NO_SIGNIFICANT_CHANGE = "no significant change"
COULD_NOT_BE_CALCULATED = "could not be calculated"
TRENDS = (INCREASING, DECREASING, NO_SIGNIFICANT_CHANGE, COULD_NOT_BE_CALCULATED)


def as_floats(values: Any) -> np.ndarray:
    """Any array-like (including pandas with missing values) as a float array, NaN for missing."""
    to_numpy = getattr(values, "to_numpy", None)
    if to_numpy is not None:
        return np.asarray(to_numpy(dtype=float, na_value=np.nan), dtype=float)
    return np.asarray(values, dtype=float)


def check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(
            f"confidence must be between 0 and 1 (e.g. 0.95 or 0.998), not {confidence!r}"
        )


def check_polarity(polarity: object) -> None:
    if polarity not in POLARITIES:
        raise ValueError(f"polarity {polarity!r} is not one of {', '.join(POLARITIES)}")
