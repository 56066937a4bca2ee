"""What disclosure control cost, as the run reports it: per indicator and year, the cells
published and suppressed (`suppression_summary`, published), and per indicator the cells
suppressed by the primary rules and to protect them (`suppression_reasons`, the LA's log)."""

from __future__ import annotations

import pandas as pd

from indicators.declarations import identifier_place, period_columns


def suppression_summary(
    protected: pd.DataFrame, with_time_identifier: bool = False
) -> pd.DataFrame:
    """Information lost to disclosure control, as published: per indicator and year, cells,
    cells published, cells suppressed (`c`) and denominators suppressed.

    Which suppressed cells are primary (small) and which protect them is *not* published: a
    reader who knew that every hidden cell of an indicator and year was primary would know
    each hides a small count or complement, which can narrow it below the threshold (and a
    mean hidden because everyone is at the top of the scale would be given away). The split
    is in `suppression_reasons`, for the run log. Per month or quarter too (a
    time_identifier column) when `with_time_identifier` (a published indicator's period type
    divides the year)."""
    frame = protected.assign(
        hidden=protected["numerator_suppressed"] | protected["denominator_suppressed"]
    )
    summary = (
        frame.groupby(["indicator_id", *period_columns(frame)], sort=True)
        .agg(
            cells=("indicator_id", "size"),
            suppressed=("hidden", "sum"),
            denominators_suppressed=("denominator_suppressed", "sum"),
        )
        .reset_index()
    )
    summary["published"] = summary["cells"] - summary["suppressed"]
    if "time_identifier" in summary:  # months in calendar order, not by name
        place = summary["time_identifier"].map(identifier_place)
        summary = (
            summary.assign(_place=place)
            .sort_values(["indicator_id", "time_period", "_place"], kind="stable")
            .reset_index(drop=True)
        )
    return summary[
        [
            "indicator_id",
            "time_period",
            *(["time_identifier"] if with_time_identifier else []),
            "cells",
            "published",
            "suppressed",
            "denominators_suppressed",
        ]
    ]


def suppression_reasons(protected: pd.DataFrame) -> pd.DataFrame:
    """Per indicator: cells suppressed by the primary rules and to protect them (secondary),
    all years together. For the LA's own log, never published (see
    `suppression_summary`)."""
    frame = protected.assign(
        primary=protected["suppression"].str.startswith("primary"),
        secondary=protected["suppression"].str.startswith("secondary"),
    )
    return (
        frame.groupby("indicator_id", sort=True)
        .agg(
            cells=("indicator_id", "size"),
            primary=("primary", "sum"),
            secondary=("secondary", "sum"),
        )
        .reset_index()
    )
