"""The item bank as declared groups read it: which questions make a domain, which are in
force in a year, and the scores each scaled question's answers can have (for the
`questions`, `scaled questions` and `domains` groups and `score_bounds` rules of
indicators/disclosure/relations.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class ItemBank:
    domain_items: Mapping[str, tuple[str, ...]]
    scores: Mapping[str, Mapping[str, tuple[int, int]]]
    """item_id -> {'positive answers': (lo, hi), 'other answers': (lo, hi)} (scaled items)."""
    first_use: Mapping[str, str] = field(default_factory=dict)
    """item_id -> the date (YYYY-MM-DD) its first version that is not a draft comes in."""
    domain_of: Mapping[str, str] = field(default_factory=dict)

    def questions(self, time_period: int) -> list[str]:
        """Questions in force at some time in an academic year (e.g. 202324: by 31 August
        2024)."""
        year_end = f"{str(time_period)[:2]}{str(time_period)[4:6]}-08-31"
        return sorted(item for item, since in self.first_use.items() if since <= year_end)

    def scaled_questions(self, time_period: int) -> list[str]:
        return [item for item in self.questions(time_period) if item in self.scores]

    def domains(self, time_period: int) -> list[str]:
        return sorted({self.domain_of[item] for item in self.questions(time_period)})

    @classmethod
    def from_frame(cls, items: pd.DataFrame | None) -> ItemBank:
        from indicators.voice.items import SCALE_RANGES, parse_positive, valid_answers

        if items is None or items.empty:
            return cls({}, {})
        domains: dict[str, list[str]] = defaultdict(list)
        scores: dict[str, dict[str, tuple[int, int]]] = {}
        first_use: dict[str, str] = {}
        domain_of: dict[str, str] = {}
        for row in items.astype(str).to_dict("records"):
            if row["item_id"] not in domains[row["domain"]]:
                domains[row["domain"]].append(row["item_id"])
            domain_of[row["item_id"]] = row["domain"]
            if row["status"] != "draft":
                since = str(row["co_designed_on"])
                first_use[row["item_id"]] = min(first_use.get(row["item_id"], since), since)
            if SCALE_RANGES.get(row["response_scale"]) is None:
                continue
            positive = {
                int(code)
                for code in parse_positive(row["response_scale"], row["positive_responses"])
            }
            other = {int(code) for code in valid_answers(row["response_scale"])} - positive
            mine = scores.setdefault(row["item_id"], {})
            for name, codes in (("positive answers", positive), ("other answers", other)):
                low, high = mine.get(name, (min(codes), max(codes)))
                mine[name] = (min(low, min(codes)), max(high, max(codes)))
        return cls({k: tuple(v) for k, v in domains.items()}, scores, first_use, domain_of)
