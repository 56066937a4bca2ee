"""One table's cells indexed for disclosure control's relations (`linear_system.Expander`)."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from indicators.declarations import row_periods


class CellIndex:
    """Index of one table's cells by (indicator, period, area, breakdown, group)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.indicator = frame["indicator_id"].to_numpy(dtype=object)
        # a cell's period: its time_period, and its time_identifier when the table has one
        # (two months of a year are two periods, never related to each other)
        self.year = np.empty(len(frame), dtype=object)
        self.year[:] = row_periods(frame)
        self.level = frame["geographic_level"].to_numpy(dtype=object)
        self.area = frame["area_code"].to_numpy(dtype=object)
        self.breakdown = frame["breakdown"].to_numpy(dtype=object)
        self.group = frame["group"].to_numpy(dtype=object)
        self.at: dict[tuple, int] = {}
        self.groups: dict[tuple, list[int]] = defaultdict(list)
        for i, key in enumerate(
            zip(self.indicator, self.year, self.area, self.breakdown, self.group, strict=True)
        ):
            self.at[key] = i
            self.groups[key[:4]].append(i)
