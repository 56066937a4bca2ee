"""Benchmark comparison, the Fingertips method: an area is "higher" or "lower" than a
benchmark (its authority, England) only when its whole interval sits above or below it;
otherwise the difference could be chance ("similar"). The indicator's polarity then says
whether higher is better, worse, or neither.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from indicators.stats.terms import (
    BETTER,
    BLUE_ORANGE_BLUE,
    COMPARISONS,
    HIGH_IS_GOOD,
    HIGHER,
    LOW_IS_GOOD,
    LOWER,
    NOT_APPLICABLE,
    NOT_COMPARED,
    SIMILAR,
    WORSE,
    as_floats,
    check_polarity,
)

# --------------------------------------------------------------------------------------------
# Benchmark comparison and polarity
# --------------------------------------------------------------------------------------------


def compare_with_benchmark(
    lower: npt.ArrayLike, upper: npt.ArrayLike, benchmark: npt.ArrayLike
) -> np.ndarray:
    """Compare an area with a benchmark (e.g. England, or the authority) the Fingertips way.

    For a board: "higher" means the whole confidence interval is above the benchmark, so the
    difference is very unlikely to be chance; "lower" the whole interval is below it;
    "similar" the interval includes the benchmark (touching it counts as including it), so
    the area may not really differ. "not compared" when the benchmark or either limit is
    missing (e.g. suppressed).

    Inputs broadcast together (a single benchmark for many areas is fine). Returns an array
    of Python strings (object dtype) of the broadcast shape.

    Raises ValueError if a lower limit is above its upper limit.
    """
    low, high, bench = np.broadcast_arrays(as_floats(lower), as_floats(upper), as_floats(benchmark))
    if np.any(low > high):
        raise ValueError("a lower confidence limit is above its upper limit")
    result = np.full(low.shape, SIMILAR, dtype=object)
    result[low > bench] = HIGHER
    result[high < bench] = LOWER
    result[~(np.isfinite(low) & np.isfinite(high) & np.isfinite(bench))] = NOT_COMPARED
    return result


def as_published(values: npt.ArrayLike, decimals: npt.ArrayLike = 1) -> np.ndarray:
    """Numbers rounded exactly as the published table prints them (`f"{value:.{d}f}"`).

    A board compares the interval and benchmark it can see; rounding them the same way
    before comparing keeps a label from contradicting the numbers beside it. NaN stays NaN.
    """
    numbers, places = np.broadcast_arrays(as_floats(values), np.asarray(decimals))
    flat = [
        float(f"{value:.{int(place)}f}") if math.isfinite(value) else math.nan
        for value, place in zip(numbers.ravel().tolist(), places.ravel().tolist(), strict=True)
    ]
    return np.asarray(flat, dtype=float).reshape(numbers.shape)


def compare_as_published(
    lower: npt.ArrayLike,
    upper: npt.ArrayLike,
    benchmark: npt.ArrayLike,
    decimals: npt.ArrayLike = 1,
) -> np.ndarray:
    """`compare_with_benchmark` on the interval and benchmark as published (rounded).

    For a board: the label never contradicts what is printed beside it. An interval that,
    as printed, touches the printed benchmark ("58.0% to 62.1%" against 62.1%) is
    "similar", as the pack's guide says.
    """
    return compare_with_benchmark(
        as_published(lower, decimals),
        as_published(upper, decimals),
        as_published(benchmark, decimals),
    )


_POLARITY_WORDS = {
    HIGH_IS_GOOD: {HIGHER: BETTER, LOWER: WORSE},
    LOW_IS_GOOD: {HIGHER: WORSE, LOWER: BETTER},
    BLUE_ORANGE_BLUE: {},
    NOT_APPLICABLE: {},
}


def apply_polarity(comparison: npt.ArrayLike, polarity: npt.ArrayLike) -> np.ndarray:
    """Turn "higher"/"lower" into "better"/"worse" where the indicator says which way is good.

    For a board: with "RAG - High is good" (e.g. % at a good level of development) higher is
    "better" and lower "worse"; with "RAG - Low is good" the reverse. "BOB - Blue orange blue"
    and "Not applicable" indicators have no good direction, so they keep "higher"/"lower".
    "similar" and "not compared" never change.

    `comparison` is what `compare_with_benchmark` returns; `polarity` is one value for all,
    or one per comparison. Returns an array of Python strings (object dtype).

    Raises ValueError for an unknown polarity or comparison.
    """
    comparisons, polarities = np.broadcast_arrays(
        np.asarray(comparison, dtype=object), np.asarray(polarity, dtype=object)
    )
    words = []
    for word, pole in zip(comparisons.ravel(), polarities.ravel(), strict=True):
        check_polarity(pole)
        if word not in COMPARISONS:
            raise ValueError(f"comparison {word!r} is not one of {', '.join(COMPARISONS)}")
        words.append(_POLARITY_WORDS[pole].get(word, word))
    result = np.empty(len(words), dtype=object)
    result[:] = words
    return result.reshape(comparisons.shape)
