"""The published tables as claims read them: the indicator table (as written to
indicator_values.csv, all text), the published register and the England figures, indexed
by indicator, period, area, breakdown and group; and the benchmark each row is compared with.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from indicators.declarations import geographies, period_type
from indicators.disclosure import (
    NON_PARTITION_BREAKDOWNS,
    NOT_AVAILABLE,
)
from indicators.publish import period_keys as pk
from indicators.publish.claims.claim import ALL
from indicators.publish.frameworks import Framework, default_framework

# --------------------------------------------------------------------------------------------
# The published table, indexed
# --------------------------------------------------------------------------------------------


class Published:
    """The published indicator table (as written to indicator_values.csv), the published
    register and the England figures, indexed for claims.

    `parents` maps each neighbourhood to its authority; without it, a table with exactly one
    authority gives every neighbourhood to that authority. `framework` (default: the default
    framework, dbt_project/frameworks/) gives the levels (its audience's authority level and
    the level within it), the ambitions and the seldom-heard groups' indicator.
    """

    def __init__(
        self,
        values: pd.DataFrame,
        register: pd.DataFrame,
        england: pd.DataFrame | None = None,
        parents: Mapping[str, str] | None = None,
        framework: Framework | None = None,
    ) -> None:
        framework = framework or default_framework()
        self.la_level = framework.authority_level
        self.area_level = framework.area_level or ""
        self.ambitions = framework.ambitions
        self.reach_group = framework.who.groups
        self.groups_breakdown = framework.who.groups_breakdown
        text = values.astype("string").fillna("").astype(object)
        for column in (
            "lower_ci_95",
            "upper_ci_95",
            "compared_with_la",
            "compared_with_england",
            "recent_trend",
        ):
            if column not in text:
                text[column] = NOT_AVAILABLE
        columns = list(text.columns)
        self.rows: dict[tuple[str, str, str, str, str], dict[str, str]] = {}
        self.groups: dict[tuple[str, str, str, str], list[dict[str, str]]] = {}
        self.series: dict[tuple[str, str, str, str], list[dict[str, str]]] = {}
        self.names: dict[str, str] = {}
        self.levels: dict[str, str] = {}
        for values_row in text.to_numpy(dtype=object):
            row = dict(zip(columns, values_row, strict=True))
            if row["geographic_level"] not in (self.la_level, self.area_level):
                continue
            key = (
                row["indicator_id"],
                row["time_period"],
                row["area_code"],
                row["breakdown"],
                row["group"],
            )
            self.rows[key] = row
            self.groups.setdefault(key[:4], []).append(row)
            self.series.setdefault(
                (row["indicator_id"], row["area_code"], row["breakdown"], row["group"]), []
            ).append(row)
            self.names[row["area_code"]] = row["area_name"]
            self.levels[row["area_code"]] = row["geographic_level"]
        for rows in self.series.values():
            if pk.divided(r["time_period"] for r in rows):
                rows.sort(key=lambda r: pk.key_order(r["time_period"]))
            else:
                rows.sort(key=lambda r: r["time_period"])
        authorities = [code for code, level in self.levels.items() if level == self.la_level]
        if parents is None:
            only = authorities[0] if len(authorities) == 1 else None
            parents = {
                code: only
                for code, level in self.levels.items()
                if level == self.area_level and only is not None
            }
        self.parents = dict(parents)
        self.register = {
            row["indicator_id"]: row
            for row in register.astype("string").fillna("").astype(object).to_dict("records")
        }
        self.england: dict[tuple[str, str, str, str], str] = {}
        if england is not None and len(england):
            frame = england.astype("string").fillna("").astype(object)
            for row in frame.to_dict("records"):
                self.england[
                    (row["indicator_id"], str(row["time_period"]), row["breakdown"], row["group"])
                ] = row["value"]

    def meta(self, indicator_id: str) -> dict[str, str]:
        return self.register.get(indicator_id, {"indicator_id": indicator_id})

    def period_ordinal(self, indicator_id: str, time_period: str) -> int:
        """A period's place among its indicator's declared period type (`period_type` in the
        register; academic year when it has none): consecutive periods differ by one; a
        month or quarter keyed as period_keys does ('2024-M04')."""
        return pk.key_ordinal(time_period, period_type(self.meta(indicator_id).get("period_type")))

    def row(
        self, indicator_id: str, time_period: str, area_code: str, breakdown: str, group: str
    ) -> dict[str, str] | None:
        return self.rows.get((indicator_id, time_period, area_code, breakdown, group))

    def neighbourhoods(self, la_code: str) -> list[str]:
        return sorted(
            code
            for code, parent in self.parents.items()
            if parent == la_code and code in self.levels
        )

    def la_benchmark(self, row: Mapping[str, str]) -> dict[str, str] | None:
        """The authority row a row is compared with (indicator_stats' rule), or None."""
        above = self.la_level in geographies().of_authorities()
        if row["geographic_level"] == self.area_level and (row["breakdown"] == ALL or not above):
            parent = self.parents.get(row["area_code"])
            return (
                None
                if parent is None
                else self.row(
                    row["indicator_id"], row["time_period"], parent, row["breakdown"], row["group"]
                )
            )
        if row["breakdown"] == ALL or row["breakdown"] in NON_PARTITION_BREAKDOWNS:
            return None
        totals = self.groups.get(
            (row["indicator_id"], row["time_period"], row["area_code"], ALL), []
        )
        return totals[0] if totals else None

    def england_value(self, row: Mapping[str, str]) -> str:
        group = "All children" if row["breakdown"] == ALL else row["group"]
        return self.england.get(
            (row["indicator_id"], row["time_period"], row["breakdown"], group), ""
        )
