"""The published frames a pack is built from, checked and indexed: the indicator table and
register as published (all text, EES symbols), the consented quotes, England's figures and
the item bank. Nothing here sees a suppressed count.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from indicators.declarations import geographies
from indicators.disclosure import (
    NOT_AVAILABLE,
    SUPPRESSED,
)
from indicators.publish import claims as cl
from indicators.publish.frameworks import Framework, default_framework
from indicators.publish.packs.information import InformationSources
from indicators.publish.packs.layout import ALL, MAX_QUOTES
from indicators.publish.packs.model import Quote, RunInfo
from indicators.publish.packs.wording import MISSING_WHY, SYMBOL_KEY, period_label
from indicators.publish.statement_rules import matches, withheld, year_of

NUMERIC = ("value", "lower_ci_95", "upper_ci_95", "numerator", "denominator")
REQUIRED = (
    "indicator_id",
    "time_period",
    "geographic_level",
    "area_code",
    "area_name",
    "breakdown",
    "group",
    "numerator",
    "denominator",
    "value",
)
QUOTE_COLUMNS = (
    "quote",
    "item_id",
    "item",
    "domain",
    "neighbourhood_code",
    "neighbourhood_name",
    "year",
    "time_period",
)


# --------------------------------------------------------------------------------------------
# The published frames, read once for every pack
# --------------------------------------------------------------------------------------------


def as_records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts (much quicker than DataFrame.to_dict on these mixed-type slices)."""
    columns = list(frame.columns)
    return [dict(zip(columns, row, strict=True)) for row in frame.to_numpy(dtype=object)]


def _text(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype("string").fillna("").astype(object)


class Publication:
    """The published frames, indexed once so each area's pack is quick to build.

    Raises ValueError when the table has no local authority row, more than one authority
    (packs assume one authority per publication), or an indicator without a register entry.
    """

    def __init__(
        self,
        indicator_values: pd.DataFrame,
        register: pd.DataFrame,
        quotes: pd.DataFrame | None,
        run: RunInfo,
        england: pd.DataFrame | None = None,
        items: pd.DataFrame | None = None,
        framework: Framework | None = None,
        statements: pd.DataFrame | None = None,
        markers: pd.DataFrame | None = None,
        information: InformationSources | None = None,
        inequality: pd.DataFrame | None = None,
    ) -> None:
        self.framework = framework or default_framework()
        self.information = information
        self.inequality = inequality  # indicators/inequality.csv as published
        # chart area -> its markers (framework_markers.MARKER_COLUMNS), oldest first
        self.markers: dict[str, list[dict]] = {}
        if markers is not None and len(markers):
            for record in as_records(markers.sort_values(["month", "area_code"], kind="stable")):
                self.markers.setdefault(str(record["chart_area_code"]), []).append(record)
        self.la_level = self.framework.authority_level
        self.area_level = self.framework.area_level or ""
        missing = [c for c in REQUIRED if c not in indicator_values.columns]
        if missing:
            raise ValueError(f"the indicator table lacks {', '.join(missing)}")
        self.run = run
        values = _text(indicator_values)
        for column in (
            "lower_ci_95",
            "upper_ci_95",
            "compared_with_la",
            "compared_with_england",
            "recent_trend",
        ):
            if column not in values:
                values[column] = NOT_AVAILABLE
        if "reliability" not in values:
            values["reliability"] = "normal"
        for column in NUMERIC:
            values[f"_{column}"] = pd.to_numeric(values[column], errors="coerce")
        values["_published_breakdown"] = values["breakdown"]
        values["_published_group"] = values["group"]
        national = values["geographic_level"] == geographies().national
        self.values = values[~national].reset_index(drop=True)
        self.register = {row["indicator_id"]: row for row in _text(register).to_dict("records")}
        self.order = {key: position for position, key in enumerate(self.register)}
        unknown = sorted(set(self.values["indicator_id"]) - set(self.register))
        if unknown:
            raise ValueError(f"indicators without a register entry: {', '.join(unknown)}")
        authorities = self.values.loc[
            self.values["geographic_level"] == self.la_level, ["area_code", "area_name"]
        ].drop_duplicates()
        if len(authorities) != 1:
            raise ValueError(
                "board packs need exactly one local authority in the table, "
                f"found {len(authorities)}"
            )
        self.la_code, self.la_name = authorities.iloc[0]
        self.la_label = f"the {run.la_word} average"
        hoods = self.values.loc[
            self.values["geographic_level"] == self.area_level, ["area_code", "area_name"]
        ].drop_duplicates("area_code")
        self.neighbourhoods = list(
            hoods.sort_values("area_code").itertuples(index=False, name=None)
        )
        self.items = self._items(items, quotes)
        self.england = self._england(england, values[national])
        self.labels = {
            item_id: item["wording"] for item_id, item in self.items.items() if item.get("wording")
        }
        england_columns = ["indicator_id", "time_period", "breakdown", "group", "value"]
        reference = pd.concat(
            [
                values.loc[national, england_columns],
                *(
                    [_text(england)[england_columns]]
                    if england is not None and len(england)
                    else []
                ),
            ],
            ignore_index=True,
        )
        published_columns = [
            *REQUIRED,
            "lower_ci_95",
            "upper_ci_95",
            "compared_with_la",
            "compared_with_england",
            "recent_trend",
            "reliability",
        ]
        self.published = cl.Published(
            self.values[published_columns], register, reference, framework=self.framework
        )
        self.quotes = self._quotes(quotes)
        self._index_quotes()
        self._index_statements(statements)
        self._annotate()
        la = self.values[self.values["geographic_level"] == self.la_level]
        self.la_values = dict(
            zip(
                zip(
                    la["indicator_id"], la["time_period"], la["breakdown"], la["group"], strict=True
                ),
                la["_value"],
                strict=True,
            )
        )
        self.la_all = {(i, p): v for (i, p, b, _), v in self.la_values.items() if b == ALL}
        self.by_area = {code: frame for code, frame in self.values.groupby("area_code", sort=False)}

    @staticmethod
    def _items(
        items: pd.DataFrame | None, quotes: pd.DataFrame | None
    ) -> dict[str, dict[str, str]]:
        """item_id -> wording, domain and order, from the item bank or else the quotes."""
        found: dict[str, dict[str, str]] = {}
        if items is not None and len(items):
            bank = _text(items)
            if "status" in bank:
                bank = bank.assign(_rank=(bank["status"] == "active").astype(int))
                bank = bank.sort_values("_rank", kind="stable")
            for row in bank.to_dict("records"):
                found[row["item_id"]] = {
                    "wording": row.get("wording", ""),
                    "domain": row.get("domain", ""),
                    "scale": row.get("response_scale", ""),
                }
        if quotes is not None and len(quotes) and {"item_id", "item"} <= set(quotes.columns):
            for row in _text(quotes).drop_duplicates("item_id").to_dict("records"):
                found.setdefault(
                    row["item_id"],
                    {"wording": row.get("item", ""), "domain": row.get("domain", ""), "scale": ""},
                )
        for position, key in enumerate(found):
            found[key]["order"] = str(position)
        return found

    @staticmethod
    def _england(
        england: pd.DataFrame | None, national: pd.DataFrame
    ) -> dict[tuple[str, str, str, str], float]:
        frames = [national[["indicator_id", "time_period", "breakdown", "group", "value"]]]
        if england is not None and len(england):
            frames.append(
                _text(england)[["indicator_id", "time_period", "breakdown", "group", "value"]]
            )
        reference = pd.concat(frames, ignore_index=True)
        numbers = pd.to_numeric(reference["value"], errors="coerce")
        return dict(
            zip(
                zip(
                    reference["indicator_id"],
                    reference["time_period"],
                    reference["breakdown"],
                    reference["group"],
                    strict=True,
                ),
                numbers,
                strict=True,
            )
        )

    @staticmethod
    def _quotes(quotes: pd.DataFrame | None) -> pd.DataFrame:
        if quotes is None or not len(quotes):
            return pd.DataFrame(columns=list(QUOTE_COLUMNS))
        frame = _text(quotes)
        for column in QUOTE_COLUMNS:
            if column not in frame:
                frame[column] = ""
        frame = frame[frame["quote"].str.strip() != ""]
        return frame.sort_values("time_period", ascending=False, kind="stable")

    def missing_why(self, symbol: str) -> str:
        """Why a figure is missing, in words (words.why_hidden for c, when declared)."""
        if symbol == SUPPRESSED and self.framework.said("why_hidden"):
            return self.framework.said("why_hidden")
        return MISSING_WHY.get(symbol, "not available")

    @property
    def key(self) -> tuple[tuple[str, str], ...]:
        """The key to symbols, each meaning as the framework words it (words.key) or as
        Chorus does (SYMBOL_KEY)."""
        worded = dict(self.framework.words.get("key") or {})
        return tuple((symbol, str(worded.get(symbol, meaning))) for symbol, meaning in SYMBOL_KEY)

    def item_wording(self, item_id: str) -> str:
        item = self.items.get(item_id)
        return (
            item["wording"] if item and item["wording"] else item_id.replace("_", " ").capitalize()
        )

    def _annotate(self) -> None:
        """Each row's domain (voice items by their own domain) and its row label."""
        declared = self.framework.breakdowns
        items, answers = declared.items or None, declared.answers or None
        keys = self.values[["indicator_id", "breakdown", "group"]].drop_duplicates()
        domains, labels, orders = [], [], []
        for indicator_id, breakdown, group in keys.itertuples(index=False, name=None):
            meta = self.register[indicator_id]
            item_id = (
                group
                if breakdown == items
                else breakdown[len(answers) :]
                if answers and breakdown.startswith(answers)
                else ""
            )
            if indicator_id in self.framework.who.indicators:
                domain = self.framework.who.section
            elif item_id and self.items.get(item_id, {}).get("domain"):
                domain = self.items[item_id]["domain"]
            elif breakdown == declared.domains:
                domain = group
            else:
                domain = meta.get("domain", "") or "Other"
            domains.append(domain)
            labels.append(self.item_wording(group) if breakdown == items else group)
            orders.append(
                int(self.items.get(group, {}).get("order", 0)) if breakdown == items else 0
            )
        keys = keys.assign(_domain=domains, _label=labels, _order=orders)
        self.values = self.values.merge(
            keys, on=["indicator_id", "breakdown", "group"], how="left", sort=False
        )

    def _index_quotes(self) -> None:
        """Quotes by (area, item), most recent first: the LA's are every neighbourhood's.

        The same words appear once in a cell (the most recent, with its source), even when
        families in several neighbourhoods or years wrote them.
        """
        self._quotes_by: dict[tuple[str, str], list[Quote]] = {}
        seen: set[tuple[str, str, str]] = set()
        for row in as_records(self.quotes):
            when = row["year"] or period_label(row["time_period"])
            quote = Quote(
                text=row["quote"].strip(),
                source=", ".join(p for p in (row["neighbourhood_name"], when) if p),
            )
            for area in dict.fromkeys((row["neighbourhood_code"], self.la_code)):
                if (area, row["item_id"], quote.text) in seen:
                    continue
                seen.add((area, row["item_id"], quote.text))
                self._quotes_by.setdefault((area, row["item_id"]), []).append(quote)

    def _index_statements(self, statements: pd.DataFrame | None) -> None:
        """Statements (the framework's `statements:` frame) by (area, breakdown, group), or
        with `statements.explains` by (area, indicator, period) once statement_rules.withheld
        has dropped those it withholds; most recent first, each text once per key; where each
        comes from in `source`'s columns."""
        self._statements_by: dict[tuple[str, str, str], list[Quote]] = {}
        self._statement_reach: dict[tuple[str, str, str], int] = {}
        self._explained_by: dict[tuple[str, str, str], list[Quote]] = {}
        declared = self.framework.statements
        if statements is None or not len(statements):
            return
        if not declared.breakdowns and not declared.explains:
            return
        frame = _text(statements)
        frame = frame[frame["quote"].str.strip() != ""]
        for column, value in declared.only.items():
            frame = frame[frame[column] == value] if column in frame else frame.iloc[0:0]
        # every area of the publication is a part of its one authority (an authority's
        # words are only those one of its areas keeps)
        parts = {code for code, _ in self.neighbourhoods}
        if "geographic_level" in frame:
            parts |= set(frame.loc[frame["geographic_level"] == self.area_level, "area_code"])
        frame = withheld(frame, declared, self.values, dict.fromkeys(parts, self.la_code))
        if "time_period" in frame:
            frame = frame.sort_values("time_period", ascending=False, kind="stable")
        seen: set[tuple[str, ...]] = set()
        for row in as_records(frame):
            parts = [
                period_label(row[c]) if c == "time_period" else row.get(c, "")
                for c in declared.source
            ]
            quote = Quote(text=row["quote"].strip(), source=", ".join(p for p in parts if p))
            for entry in declared.explains:
                if not matches(row, entry):
                    continue
                for indicator in entry.indicators:
                    key = (row["area_code"], indicator, year_of(row.get("time_period", "")) or "")
                    if (*key, quote.text) not in seen:
                        seen.add((*key, quote.text))
                        self._explained_by.setdefault(key, []).append(quote)
            if declared.explains:
                continue
            for breakdown, column in declared.breakdowns.items():
                key = (row["area_code"], breakdown, row.get(column, ""))
                if (*key, quote.text) in seen:
                    continue
                seen.add((*key, quote.text))
                self._statements_by.setdefault(key, []).append(quote)
        for (area, breakdown, _), quotes in self._statements_by.items():
            for quote in quotes:
                reach = (area, breakdown, quote.text)
                self._statement_reach[reach] = self._statement_reach.get(reach, 0) + 1

    def statement_reach(self, area_code: str, breakdown: str, text: str) -> int:
        """How many of the breakdown's groups a statement explains in the area (a topic's
        statement explains every domain the topic informs): 1 is the most specific."""
        return self._statement_reach.get((area_code, breakdown, text), 0)

    def has_statements(self, attrs: Mapping[str, str]) -> bool:
        """Whether statements are declared and published for a row like this one (its
        breakdown's; with `statements.explains`, its indicator's)."""
        if self.framework.statements.explains:
            return any(key[1] == attrs.get("indicator") for key in self._explained_by)
        return any(key[1] == attrs.get("breakdown", "") for key in self._statements_by)

    def row_statements(self, area_code: str, attrs: Mapping[str, str]) -> tuple[Quote, ...]:
        """Every statement explaining one table row, most recent first: with
        `statements.explains`, those of the row's area and period beside its indicator's
        total row only; else those of the pack's area beside its breakdown's group."""
        if not self.framework.statements.explains:
            return self.statements_for(
                area_code, attrs.get("breakdown", ""), attrs.get("group", ""), limit=None
            )
        if attrs.get("breakdown") != ALL or attrs.get("beside") or attrs.get("side-by-side"):
            return ()
        period = year_of(attrs.get("period", ""))
        if period is None:
            return ()
        key = (attrs.get("area") or area_code, attrs.get("indicator", ""), period)
        return tuple(self._explained_by.get(key, ()))

    def statements_for(
        self, area_code: str, breakdown: str, group: str, limit: int | None = MAX_QUOTES
    ) -> tuple[Quote, ...]:
        """The statements explaining one row (area, breakdown's group), most recent first:
        up to `limit` (None: all)."""
        return tuple(self._statements_by.get((area_code, breakdown, group), ())[:limit])

    def quotes_for(self, area_code: str, item_id: str) -> tuple[Quote, ...]:
        """Up to MAX_QUOTES consented quotes about one item: the area's (all, for the LA)."""
        return tuple(self._quotes_by.get((area_code, item_id), ())[:MAX_QUOTES])

    def area_rows(self, area_code: str) -> pd.DataFrame:
        """The rows a pack shows: the area's own, and for the LA its neighbourhoods too."""
        own = self.by_area.get(area_code, self.values.iloc[0:0])
        if area_code != self.la_code:
            return own
        hoods = self.values[
            (self.values["geographic_level"] == self.area_level) & (self.values["breakdown"] == ALL)
        ]
        hoods = hoods.assign(
            breakdown=self.area_level, group=hoods["area_name"], _label=hoods["area_name"]
        )
        return pd.concat([own, hoods], ignore_index=True)

    def borough_value(self, row: Mapping[str, str], area_code: str) -> float:
        """The borough figure a row is compared with (NaN for the borough itself)."""
        if area_code != self.la_code:
            return self.la_values.get(
                (row["indicator_id"], row["time_period"], row["breakdown"], row["group"]), math.nan
            )
        if row["breakdown"] == ALL:
            return math.nan
        return self.la_all.get((row["indicator_id"], row["time_period"]), math.nan)

    def england_value(self, row: Mapping[str, str]) -> float:
        breakdown = ALL if row["breakdown"] == self.area_level else row["breakdown"]
        group = "All children" if breakdown == ALL else row["group"]
        return self.england.get(
            (row["indicator_id"], row["time_period"], breakdown, group), math.nan
        )
