"""Which period of its whole a part of a year lies in, by date (relations kind
`parts_of_year`): a month of a calendar year (2025, "January") lies in the financial year
202425 and its quarter "Financial year Q4". A part's first month is its date (its period
type's `starts` and place in dbt_project/metadata/periods.yml); the whole's period is the one
of the whole's type that contains that month. Disclosure control sums each whole period's
parts (linear_system), and solves them with the table of the year they end in (suppress).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from indicators.declarations import PeriodType, period_columns, period_type
from indicators.disclosure.control import IndicatorShape

ACADEMIC = "academic_year"  # the period type of an indicator that declares none


def first_month(kind: PeriodType, time_period: object, identifier: object) -> int:
    """The period's first month as a month count (year * 12 + month - 1)."""
    year = kind.year_of(str(time_period))
    labels = [t.label for t in kind.time_identifiers]
    codes = [t.code for t in kind.time_identifiers]
    place = labels.index(identifier) if identifier in labels else codes.index(identifier)
    return year * 12 + (kind.starts or 1) - 1 + place * 12 // kind.parts


def containing(kind: PeriodType, month: int) -> tuple[int, str]:
    """(time_period, time identifier label) of the period of `kind` that holds `month`."""
    since = month - ((kind.starts or 1) - 1)
    year, within = divmod(since, 12)
    time_period = year * 100 + (year + 1) % 100 if kind.time_period == "two_years" else year
    return time_period, kind.time_identifiers[within * kind.parts // 12].label


def _as(written: object, period: tuple[int, str]) -> tuple[object, str]:
    return type(written)(period[0]), period[1]


def _type_of(shape: IndicatorShape) -> PeriodType:
    return period_type(shape.period_type or ACADEMIC)


def _whole(shapes: Mapping[str, IndicatorShape], indicator: str) -> str | None:
    relations = shapes[indicator].relations
    whole = relations.whole if relations is not None else None
    return whole if whole in shapes else None


def whole_periods(
    frame: pd.DataFrame, shapes: Mapping[str, IndicatorShape], last: bool = False
) -> pd.Series:
    """For each row of an indicator with a `parts_of_year` whole: the whole's period it lies
    in, (time_period, time identifier); with `last`, the period of the last whole up the
    chain (a month's quarter's year). None for every other row, and for every row of a
    table without time identifiers."""
    result = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    if "time_identifier" not in frame:
        return result
    for indicator in pd.unique(frame["indicator_id"]):
        whole = _whole(shapes, indicator) if indicator in shapes else None
        if whole is None:
            continue
        seen = {indicator, whole}
        while last and (above := _whole(shapes, whole)) is not None and above not in seen:
            whole = above
            seen.add(above)
        part_type, whole_type = _type_of(shapes[indicator]), _type_of(shapes[whole])
        rows = frame["indicator_id"] == indicator
        result[rows] = [  # the whole's time period written as the part's (2024 or "2024")
            _as(time_period, containing(whole_type, first_month(part_type, time_period, label)))
            for time_period, label in zip(
                frame.loc[rows, "time_period"], frame.loc[rows, "time_identifier"], strict=True
            )
        ]
    return result


def table_periods(frame: pd.DataFrame, shapes: Mapping[str, IndicatorShape]) -> list[pd.Series]:
    """The period columns that split a table into the tables disclosure control solves
    apart: time_period, and time_identifier when the table has it (a month is its own
    table), except that an indicator's parts of a year (a `parts_of_year` rule: quarters,
    months) are solved with the whole year's table they add up to."""
    columns = [frame[column] for column in period_columns(frame)]
    if len(columns) < 2:
        return columns
    # a part (a month, a quarter) goes to the table of the whole year it lies in, by date
    year = whole_periods(frame, shapes, last=True)
    parts = year.notna()
    time_period, identifier = columns[0].astype(object).copy(), columns[1].copy()
    time_period[parts] = [period for period, _ in year[parts]]  # written as the column's
    identifier[parts] = [label for _, label in year[parts]]
    return [time_period, identifier]
