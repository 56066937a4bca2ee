"""An outsider's integer-programming attack on what Chorus publishes.

Written apart from Chorus's disclosure control: it imports nothing from `indicators`, reads
the published table as text, the indicators' YAML declarations (`meta.indicator.relations`)
and the public item bank with its own code, and follows the rules written in
docs/architecture.md ("Disclosure control"):

- every suppressed numerator and denominator is an integer unknown; every published count a
  constant, or with rounding an unknown within its rounding band; a published value is two
  linear inequalities on its numerator and denominator (its rounding to the published
  decimals);
- every declared relation is a constraint: areas adding up to their parent, groups of a
  partition to their total, equalities, orderings, score bounds of means (each question's
  own scale), respondent-level majority composites, the parts of a year (quarters, months)
  adding up to the whole year; a cell with no row is zero where the
  indicator says so and publishes that breakdown at that level; counts are at least 0 and
  a proportion's numerator is at most its denominator (Chorus publishes cells with no units
  as `c`, so a published row does not say its denominator is at least 1);
- for each suppressed count (and a proportion's complement) it minimises and maximises
  (HiGHS through scipy: milp, and its relaxations in one model kept between solves) and
  reports the range. A leak is a range of fewer than `threshold` values.

Systems are solved per year and top-level area (nothing published relates two of them),
and within that per connected group of unknowns.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy.sparse import coo_array

from tests.attacker_solve import System

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "dbt_project" / "models" / "indicators"
ITEM_BANK = ROOT / "seeds" / "voice_items.csv"
SYMBOLS = {"c", "x", "z", "u"}


# --------------------------------------------------------------------------------------------
# What the outsider reads
# --------------------------------------------------------------------------------------------


def declarations(models: Path = MODELS) -> dict[str, dict]:
    """indicator_id -> its meta.indicator (value_type, decimals, relations ...) from YAML."""
    found = {}
    for path in sorted(models.glob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for model in document.get("models", []):
            meta = model.get("config", {}).get("meta", {}).get("indicator")
            if meta:
                found[meta["indicator_id"]] = meta
    return found


@dataclass
class Questions:
    """From the public item bank: each domain's questions, each question's score ranges."""

    domains: dict[str, set[str]]
    scores: dict[str, dict[str, tuple[int, int]]]

    @classmethod
    def read(cls, path: Path = ITEM_BANK) -> Questions:
        bank = pd.read_csv(path, dtype=str, keep_default_na=False)
        scales = {"agree5": range(1, 6), "frequency5": range(1, 6), "scale0_10": range(0, 11)}
        domains: dict[str, set[str]] = defaultdict(set)
        scores: dict[str, dict[str, tuple[int, int]]] = {}
        for row in bank.itertuples(index=False):
            domains[row.domain].add(row.item_id)
            if row.response_scale not in scales:
                continue
            positive = set()
            for part in row.positive_responses.split(";"):
                low, _, high = part.strip().partition("-")
                positive |= set(range(int(low), int(high or low) + 1))
            other = set(scales[row.response_scale]) - positive
            entry = scores.setdefault(row.item_id, {})
            for name, values in (("positive answers", positive), ("other answers", other)):
                old = entry.get(name, (min(values), max(values)))
                entry[name] = (min(old[0], min(values)), max(old[1], max(values)))
        return cls(dict(domains), scores)


# --------------------------------------------------------------------------------------------
# The integer programme
# --------------------------------------------------------------------------------------------


@dataclass
class Finding:
    indicator_id: str
    time_period: str
    area_code: str
    breakdown: str
    group: str
    count: str
    low: float
    high: float
    exact: bool = True
    """False when the range is only what solutions found on the way showed (already at
    least twice the threshold wide): the true range is at least as wide."""

    @property
    def values(self) -> float:
        return self.high - self.low + 1


@dataclass
class _Programme:
    """Linear constraints over integer unknowns: sum(coef * x) + constant in [lo, hi]."""

    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    rows: list[dict[int, float]] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    ceiling: list[float] = field(default_factory=list)

    def unknown(self, floor: float = 0, ceiling: float = np.inf) -> int:
        self.floor.append(floor)
        self.ceiling.append(ceiling)
        return len(self.floor) - 1

    def constrain(self, linear: tuple[dict[int, float], float], lower: float, upper: float) -> None:
        terms, constant = linear
        terms = {k: v for k, v in terms.items() if v}
        if not terms:
            assert lower - 1e-9 <= constant <= upper + 1e-9, (lower, constant, upper)
            return
        self.rows.append(terms)
        self.lower.append(lower - constant)
        self.upper.append(upper - constant)


def _add(
    *parts: tuple[dict[int, float], float] | None, signs=None
) -> tuple[dict[int, float], float] | None:
    terms: dict[int, float] = defaultdict(float)
    constant = 0.0
    for index, part in enumerate(parts):
        if part is None:
            return None
        sign = signs[index] if signs else 1
        for k, v in part[0].items():
            terms[k] += sign * v
        constant += sign * part[1]
    return dict(terms), constant


def _scale(part, factor):
    return ({k: v * factor for k, v in part[0].items()}, part[1] * factor)


def _signed_numerator(relations: dict) -> bool:
    """Whether a rule bounds the indicator's own numerator by a score range going below 0
    (`-10 to 10`: a difference or a change), so that the numerator may be negative."""
    for rule in relations.get("rules") or []:
        if rule.get("kind") != "score_bounds" or rule.get("sum", "numerator") != "numerator":
            continue
        for score_class in rule.get("classes") or []:
            if re.fullmatch(r"\s*-\d+\s*(?:-|to)\s*-?\d+\s*", str(score_class.get("scores"))):
                return True
    return False


class Attacker:
    """One attack on one published table."""

    def __init__(
        self,
        published: pd.DataFrame,
        parents: dict[str, str],
        threshold: int,
        round_to: int | None = None,
        meta: dict[str, dict] | None = None,
        questions: Questions | None = None,
        published_counts: bool = False,
        known_zeros: set[tuple] | None = None,
    ) -> None:
        """`published_counts`: with rounding, also bound each published (rounded) count
        (reported as count 'numerator (published)' or 'denominator (published)').
        `known_zeros`: counts the outsider knows are 0 from public inputs (a neighbourhood
        with no LSOA in a quintile has no child there), as (indicator_id, time_period,
        area_code, breakdown, group, 'numerator' or 'denominator'): fixed at 0, not bounded."""
        self.published_counts = published_counts
        self.known_zeros = {tuple(str(part) for part in key) for key in known_zeros or ()}
        self.table = published.astype(str).reset_index(drop=True)
        self.parents = parents
        self.threshold = threshold
        self.round_to = round_to
        self.meta = dict(meta if meta is not None else declarations())
        self.questions = questions or Questions.read()
        self.relations = {}
        for indicator, info in self.meta.items():
            raw = info.get("relations")
            self.relations[indicator] = json.loads(raw) if isinstance(raw, str) else raw
        self.parts: dict[str, tuple[str, list[str]]] = {}
        self.table = self._parts_apart(self.table)
        self.solves = 0
        self.signed = {i for i, r in self.relations.items() if _signed_numerator(r or {})}

    # -- reading the table -------------------------------------------------------------------
    def _parts_apart(self, table: pd.DataFrame) -> pd.DataFrame:
        """An indicator counted over parts of a year (a `parts_of_year` rule: quarters,
        months) is read as one indicator per part, '<id>@<time period>|<time identifier>',
        each with the indicator's own relations, solved with the table of the year it lies in
        (by date: April 2024 to March 2025 with the financial year 2024/25); the parts add up
        to the whole's period they lie in (a month to its quarter, a quarter to its year)."""
        if "time_identifier" not in table:
            return table
        table = table.copy()
        self.part_period: dict[str, tuple[str, str]] = {}
        for indicator, relations in list(self.relations.items()):
            rules = (relations or {}).get("rules") or []
            whole = next((r["whole"] for r in rules if r.get("kind") == "parts_of_year"), None)
            mine = table["indicator_id"] == indicator
            if not whole or not mine.any():
                continue
            names = []
            top = whole
            while self._whole_of(top) and self._whole_of(top) != indicator:
                top = self._whole_of(top)
            years = []
            for period, label in zip(
                table.loc[mine, "time_period"], table.loc[mine, "time_identifier"], strict=True
            ):
                name = f"{indicator}@{period}|{label}"
                if name not in self.part_period:
                    names.append(name)
                    self.meta[name] = self.meta[indicator]
                    self.relations[name] = {
                        **relations,
                        "rules": [r for r in rules if r.get("kind") != "parts_of_year"],
                    }
                self.part_period[name] = self._lies_in(indicator, whole, period, label)
                years.append(self._lies_in(indicator, top, period, label)[0])
            self.parts[indicator] = (whole, names)
            renamed = indicator + "@" + table.loc[mine, "time_period"].astype(str)
            table.loc[mine, "indicator_id"] = renamed + "|" + table.loc[mine, "time_identifier"]
            table.loc[mine, "time_period"] = years
        return table

    def _whole_of(self, indicator: str) -> str | None:
        rules = (self.relations.get(indicator) or {}).get("rules") or []
        return next((r["whole"] for r in rules if r.get("kind") == "parts_of_year"), None)

    def _lies_in(self, part: str, whole: str, period: str, label: str) -> tuple[str, str]:
        """(time period, time identifier) of the whole's period holding the part's first
        month, from dbt_project/metadata/periods.yml read here."""
        declared = yaml.safe_load(
            (ROOT / "dbt_project" / "metadata" / "periods.yml").read_text(encoding="utf-8")
        )["period_types"]
        mine = declared[self.meta[part].get("period_type") or "academic_year"]
        its = declared[self.meta[whole].get("period_type") or "academic_year"]
        labels = [t["label"] for t in mine["time_identifiers"]]
        year = int(str(period)[:4])
        month = year * 12 + mine["starts"] - 1 + labels.index(label) * 12 // len(labels)
        whole_year, within = divmod(month - (its["starts"] - 1), 12)
        written = (
            f"{whole_year}{(whole_year + 1) % 100:02d}"
            if its["time_period"] == "two_years"
            else str(whole_year)
        )
        parts = its["time_identifiers"]
        return written, parts[within * len(parts) // 12]["label"]

    def _parts_of_year(self, p: _Programme, rows: pd.DataFrame, counts, present) -> None:
        """Each area, breakdown and group: the parts' counts add up to the whole year's (a
        missing cell is zero where the indicator says so and publishes that breakdown at
        that level, else the sum is not used)."""
        levels = dict(zip(rows["area_code"], rows["geographic_level"], strict=False))

        def count_of(name, area, breakdown, group, count):
            if (name, area, breakdown, group) in counts:
                return counts[(name, area, breakdown, group)][count]
            relations = self.relations.get(name) or {}
            if relations.get("absent_cells") == "zero" and (
                (name, levels[area], breakdown) in present
            ):
                return ({}, 0.0)
            return None

        for indicator, (whole, names) in self.parts.items():
            groups: dict[str, list[str]] = defaultdict(list)
            year = str(rows["time_period"].iloc[0])  # this table's year
            for name in names:  # each whole period's parts (a quarter's months)
                period, label = self.part_period[name]
                if whole in self.parts:
                    groups[f"{whole}@{period}|{label}"].append(name)
                elif period == year:
                    groups[whole].append(name)
            counted = ("numerator", "denominator")
            if self.meta[indicator]["value_type"] == "median":
                counted = ("denominator",)
            for total_name, members in groups.items():
                cells = {key[1:] for key in counts if key[0] in members or key[0] == total_name}
                for area, breakdown, group in cells:
                    for count in counted:
                        parts = [count_of(n, area, breakdown, group, count) for n in members]
                        total = count_of(total_name, area, breakdown, group, count)
                        if total is None or any(part is None for part in parts):
                            continue
                        p.constrain(_add(*parts, total, signs=[1] * len(parts) + [-1]), 0, 0)

    def _top(self, area: str) -> str:
        while area in self.parents:
            area = self.parents[area]
        return area

    def run(self) -> list[Finding]:
        findings = []
        table = self.table
        tops = table["area_code"].map(self._top)
        for _, rows in table.groupby([table["time_period"], tops], sort=True):
            findings += self._attack(rows.reset_index(drop=True))
        return findings

    def _count(self, programme: _Programme, text: str, floor: int) -> tuple[int | None, float]:
        """(unknown or None, constant) for one published count."""
        if text in ("c", "z"):  # z: no count (a median's numerator), a free unknown
            return programme.unknown(floor), 0.0
        value = int(float(text))
        if self.round_to:
            half_down = self.round_to // 2
            half_up = (self.round_to + 1) // 2 - 1 if self.round_to % 2 else self.round_to // 2 - 1
            low, high = max(floor, value - half_down), value + half_up
            return programme.unknown(low, high), 0.0
        return None, float(value)

    def _attack(self, rows: pd.DataFrame) -> list[Finding]:
        p, _, hidden = self.programme(rows)
        return self._solve(p, rows, hidden)

    def programme(self, rows: pd.DataFrame):
        """The constraints an outsider has on one year and top-level area's table: (the
        programme, each cell's counts as linear expressions, the hidden counts to bound)."""
        rows = rows.reset_index(drop=True)
        p = _Programme()
        counts: dict[tuple, dict[str, tuple[dict[int, float], float]]] = {}
        hidden: list[tuple[int, str, tuple[dict[int, float], float]]] = []
        present: set[tuple] = set()
        for position, row in enumerate(rows.itertuples(index=False)):
            key = (row.indicator_id, row.area_code, row.breakdown, row.group)
            n_var, n_const = self._count(
                p, row.numerator, -np.inf if row.indicator_id in self.signed else 0
            )
            d_var, d_const = self._count(p, row.denominator, 0)
            n = ({n_var: 1.0} if n_var is not None else {}, n_const)
            d = ({d_var: 1.0} if d_var is not None else {}, d_const)
            cell = (row.indicator_id, row.time_period, row.area_code, row.breakdown, row.group)
            known = {c for c in ("numerator", "denominator") if (*cell, c) in self.known_zeros}
            for name, var in (("numerator", n_var), ("denominator", d_var)):
                if name in known and var is not None:
                    p.constrain(({var: 1.0}, 0.0), 0, 0)
            counts[key] = {
                "numerator": n,
                "denominator": d,
                "complement": _add(d, n, signs=(1, -1)),
            }
            present.add((row.indicator_id, row.geographic_level, row.breakdown))
            kind = self.meta[row.indicator_id]["value_type"]
            if kind == "proportion":
                p.constrain(_add(n, d, signs=(1, -1)), -np.inf, 0)
            if not self._stated_from_rounded(row, kind):
                self._value(p, row.value, kind, n, d, row.indicator_id in self.signed)
            if row.numerator == "c" and "numerator" not in known:
                hidden.append((position, "numerator", n))
            elif self.published_counts and n_var is not None:
                hidden.append((position, "numerator (published)", n))
            if row.denominator == "c" and "denominator" not in known:
                hidden.append((position, "denominator", d))
            elif self.published_counts and d_var is not None:
                hidden.append((position, "denominator (published)", d))
            if kind == "proportion" and row.numerator == "c" and d_var is not None:
                hidden.append((position, "complement", counts[key]["complement"]))
        self._relations(p, rows, counts, present)
        self._parts_of_year(p, rows, counts, present)
        self.present = present
        return p, counts, hidden

    def _stated_from_rounded(self, row, kind: str) -> bool:
        """With rounding, a value that is exactly what the published (rounded) counts give says
        nothing more about the true counts; one that is not must come from the true counts,
        and is used against them."""
        if not self.round_to or "c" in (row.numerator, row.denominator) or row.value in SYMBOLS:
            return False
        n, d = float(row.numerator), float(row.denominator)
        if d == 0:
            return row.value == "x"
        value = n / d if kind == "mean" else 100 * n / d
        decimals = len(row.value.split(".")[1]) if "." in row.value else 0
        text = f"{value:.{decimals}f}"
        if float(text) == 0 and value != 0:  # `low`, or 0.0 for a value that may be negative
            return row.value in ("low", f"{0.0:.{decimals}f}")
        return text == row.value

    def _value(self, p: _Programme, text: str, kind: str, n, d, signed: bool = False) -> None:
        """A published value, rounded to its decimals, as two inequalities on n and d."""
        if text in SYMBOLS or not n[0] and not d[0] or kind == "median":
            return  # a median is no ratio of its counts
        scale = 1.0 if kind == "mean" else 100.0
        if text == "low":
            if signed:  # rounds to 0 from either side: |n / d| < 0.05
                p.constrain(_add(_scale(n, 2 * scale * 10), d), 0, np.inf)
                p.constrain(_add(_scale(n, 2 * scale * 10), _scale(d, -1)), -np.inf, 0)
                return
            p.constrain(n, 1, np.inf)
            p.constrain(_add(_scale(n, 2 * scale * 10), _scale(d, -1)), -np.inf, 0)
            return
        decimals = len(text.split(".")[1]) if "." in text else 0
        steps = round(float(text) * 10**decimals)  # value = steps / 10^decimals
        factor = 2 * 10**decimals * scale
        p.constrain(_add(_scale(n, factor), _scale(d, -(2 * steps - 1))), 0, np.inf)
        p.constrain(_add(_scale(n, factor), _scale(d, -(2 * steps + 1))), -np.inf, 0)

    # -- the declarations, read the outsider's way -------------------------------------------
    def _relations(self, p: _Programme, rows: pd.DataFrame, counts, present) -> None:
        levels = dict(zip(rows["area_code"], rows["geographic_level"], strict=False))
        areas_of_level = defaultdict(set)
        for area, level in levels.items():
            areas_of_level[level].add(area)
        keys_by = defaultdict(list)
        for key in counts:
            keys_by[(key[0], key[1], key[2])].append(key)

        def zero_when_absent(indicator: str, level: str, breakdown: str) -> bool:
            relations = self.relations.get(indicator) or {}
            return (
                relations.get("absent_cells") == "zero" and (indicator, level, breakdown) in present
            )

        def lookup(indicator, area, breakdown, group, count):
            if group == "*":
                if not zero_when_absent(indicator, levels.get(area, ""), breakdown):
                    return None
                parts = [counts[k][count] for k in keys_by.get((indicator, area, breakdown), [])]
                return _add(*parts) if parts else ({}, 0.0)
            if (indicator, area, breakdown, group) in counts:
                return counts[(indicator, area, breakdown, group)][count]
            if zero_when_absent(indicator, levels.get(area, ""), breakdown):
                return ({}, 0.0)
            return None

        term_pattern = re.compile(
            r"^(?:(\d+)\s*\*\s*)?(?:([a-z0-9_]+)\.)?(numerator|denominator|complement)"
            r"(?:\s+at\s+(.+?)\s+/\s+(.+?))?$"
        )

        def evaluate(expression: str, indicator, area, breakdown, group, names):
            pieces = re.split(r"\s+([+-])\s+", expression.strip())
            total, sign = ({}, 0.0), 1
            for index, piece in enumerate(pieces):
                if index % 2:
                    sign = -1 if piece == "-" else 1
                    continue
                match = term_pattern.match(piece.strip())
                assert match, piece
                k, other, count, at_breakdown, at_group = match.groups()
                fill = {"breakdown": breakdown, "group": group, **names}
                at_breakdown = (
                    (at_breakdown or breakdown).format(**fill) if at_breakdown else breakdown
                )
                at_group = at_group.format(**fill) if at_group else group
                if other in self.parts and "@" in indicator:  # a part: the same period's
                    other += "@" + indicator.partition("@")[2]
                value = lookup(other or indicator, area, at_breakdown, at_group, count)
                if value is None:
                    return None
                total = _add(total, _scale(value, sign * int(k or 1)))
            return total

        def matches(pattern: str, text: str) -> dict[str, str] | None:
            regex = ""
            for piece in re.split(r"(\{\w+\}|\*)", pattern):
                if piece == "*":
                    regex += ".*"
                elif piece.startswith("{") and piece.endswith("}"):
                    regex += f"(?P<{piece[1:-1]}>.+)"
                else:
                    regex += re.escape(piece)
            found = re.fullmatch(regex, text)
            return found.groupdict() if found else None

        for indicator, relations in self.relations.items():
            mine = [key for key in counts if key[0] == indicator]
            if not mine or relations is None:
                continue
            kinds = relations["breakdowns"]

            def kind_of(breakdown: str, kinds=kinds) -> str | None:
                for pattern, spec in kinds.items():
                    if matches(pattern, breakdown) is not None:
                        return spec["kind"]
                return None

            zero = relations["absent_cells"] == "zero"
            # groups of a partition add up to the area's total
            by_area_breakdown = defaultdict(list)
            for key in mine:
                by_area_breakdown[(key[1], key[2])].append(key)
            for (area, breakdown), keys in by_area_breakdown.items():
                if kind_of(breakdown) != "partition":
                    continue
                totals = [k for k in mine if k[1] == area and k[2] == "All"]
                if not totals and not zero:
                    continue
                for count in ("numerator", "denominator"):
                    parts = [counts[k][count] for k in keys]
                    whole = counts[totals[0]][count] if totals else ({}, 0.0)
                    p.constrain(_add(*parts, whole, signs=[1] * len(parts) + [-1]), 0, 0)
            # areas add up to their parent
            if relations["areas"] == "add_up" and zero:
                children_of = defaultdict(list)  # each child level adds up on its own
                own = {k[1] for k in mine}  # the indicator's areas (not another service's teams)
                for area, parent in self.parents.items():
                    if area in levels and area in own:
                        children_of[(parent, levels[area])].append(area)
                for (parent, child_level), children in children_of.items():
                    cells = {(k[2], k[3]) for k in mine if k[1] in children}
                    cells |= {
                        (k[2], k[3])
                        for k in mine
                        if k[1] == parent and (indicator, child_level, k[2]) in present
                    }
                    if parent not in levels:
                        continue
                    for breakdown, group in cells:
                        for count in ("numerator", "denominator"):
                            parts = [
                                lookup(indicator, c, breakdown, group, count) for c in children
                            ]
                            whole = lookup(indicator, parent, breakdown, group, count)
                            total = _add(*parts, whole, signs=[1] * len(parts) + [-1])
                            if total is not None:
                                p.constrain(total, 0, 0)
            for rule in relations.get("rules") or []:
                self._rule(p, rule, indicator, mine, evaluate, matches, lookup, levels)

    def _rule(self, p, rule, indicator, mine, evaluate, matches, lookup, levels) -> None:
        wanted = rule.get("cells") or {}
        done = set()
        for key in mine:
            _, area, breakdown, group = key
            fields = {"level": levels[area], "breakdown": breakdown, "group": group}
            names: dict[str, str] = {}
            ok = True
            for name, pattern in wanted.items():
                found = matches(str(pattern), fields[name])
                if found is None:
                    ok = False
                    break
                names.update(found)
            if not ok:
                continue
            if rule.get("for_each") == "breakdown":
                if (area, breakdown) in done:
                    continue
                done.add((area, breakdown))

            def value(expression, area=area, breakdown=breakdown, group=group, names=names):
                return evaluate(expression, indicator, area, breakdown, group, names)

            kind = rule["kind"]
            if kind in ("equal", "at_most"):
                both = _add(value(rule["left"]), value(rule["right"]), signs=(1, -1))
                if both is not None:
                    p.constrain(both, -np.inf if kind == "at_most" else 0, 0)
            elif kind == "score_bounds":
                total = value(rule.get("sum", "numerator"))
                low_parts, high_parts = [], []
                for score_class in rule["classes"]:
                    count = value(score_class["count"])
                    scores = str(score_class["scores"])
                    signed = re.fullmatch(r"\s*(-?\d+)\s*(?:-|to)\s*(-?\d+)\s*", scores)
                    if signed:  # 0-16, or -10 to 10 for a signed score
                        low, high = int(signed[1]), int(signed[2])
                    else:
                        item = names.get("item", group)
                        low, high = self.questions.scores[item][scores]
                    if count is None:
                        break
                    low_parts.append(_scale(count, low))
                    high_parts.append(_scale(count, high))
                else:
                    if total is not None:
                        p.constrain(
                            _add(total, *low_parts, signs=[1] + [-1] * len(low_parts)), 0, np.inf
                        )
                        p.constrain(
                            _add(total, *high_parts, signs=[1] + [-1] * len(high_parts)), -np.inf, 0
                        )
            elif kind == "majority_of_items":
                self._majority(p, rule, key, lookup, levels)

    def _majority(self, p, rule, key, lookup, levels) -> None:
        """More than half of each counted respondent's answers to the domain's questions are
        positive: per respondent k answers with 1 <= k <= m; a positive respondent has
        2p >= k + 1, any other 2p <= k."""
        indicator, area, _, domain = key
        item_indicator, _, item_breakdown = rule["items"].partition(" at ")
        items = []
        for item in sorted(self.questions.domains.get(domain, ())):
            positive = lookup(item_indicator, area, item_breakdown, item, "numerator")
            answered = lookup(item_indicator, area, item_breakdown, item, "denominator")
            if positive is None or answered is None:
                return
            if answered[0] or answered[1]:
                items.append((positive, answered))
        m = len(items)
        n = lookup(indicator, area, key[2], domain, "numerator")
        d = lookup(indicator, area, key[2], domain, "denominator")
        P = _add(*[i[0] for i in items]) if items else ({}, 0.0)
        A = _add(*[i[1] for i in items]) if items else ({}, 0.0)
        for _, answered in items:
            p.constrain(_add(answered, d, signs=(1, -1)), -np.inf, 0)
        p.constrain(_add(d, A, signs=(1, -1)), -np.inf, 0)
        p.constrain(_add(A, _scale(d, m), signs=(1, -1)), -np.inf, 0)
        # floors per respondent: others have at most floor(m/2) positives, positive ones at
        # most floor((m-1)/2) other answers
        p.constrain(
            _add(P, _scale(n, m), _scale(_add(d, n, signs=(1, -1)), m // 2), signs=(1, -1, -1)),
            -np.inf,
            0,
        )
        p.constrain(
            _add(
                _add(A, P, signs=(1, -1)),
                _scale(n, (m - 1) // 2),
                _scale(_add(d, n, signs=(1, -1)), m),
                signs=(1, -1, -1),
            ),
            -np.inf,
            0,
        )
        # totals over the respondents counted as positive: answers a, positives q
        a = ({p.unknown(): 1.0}, 0.0)
        q = ({p.unknown(): 1.0}, 0.0)
        p.constrain(_add(a, n, signs=(1, -1)), 0, np.inf)
        p.constrain(_add(a, _scale(n, m), signs=(1, -1)), -np.inf, 0)
        rest = _add(A, a, signs=(1, -1))
        p.constrain(_add(rest, d, n, signs=(1, -1, 1)), 0, np.inf)
        p.constrain(_add(rest, _scale(_add(d, n, signs=(1, -1)), m), signs=(1, -1)), -np.inf, 0)
        p.constrain(_add(_scale(q, 2), a, n, signs=(1, -1, -1)), 0, np.inf)
        p.constrain(_add(q, a, signs=(1, -1)), -np.inf, 0)
        p.constrain(_add(_scale(_add(P, q, signs=(1, -1)), 2), rest, signs=(1, -1)), -np.inf, 0)
        p.constrain(_add(P, q, signs=(1, -1)), 0, np.inf)

    # -- solving -----------------------------------------------------------------------------
    def _solve(self, p: _Programme, rows: pd.DataFrame, hidden) -> list[Finding]:
        size = len(p.floor)
        if not size:
            return []
        parent = list(range(size))

        def find(x):
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for terms in p.rows:
            first, *rest = terms
            for other in rest:
                parent[find(other)] = find(first)
        groups = defaultdict(list)
        for variable in range(size):
            groups[find(variable)].append(variable)
        rows_of = defaultdict(list)
        for index, terms in enumerate(p.rows):
            rows_of[find(next(iter(terms)))].append(index)
        findings = []
        by_group: dict[int, list] = defaultdict(list)
        for position, count, linear in hidden:
            if linear[0]:
                by_group[find(next(iter(linear[0])))].append((position, count, linear))
        for root, wanted in by_group.items():
            members = groups[root]
            column = {v: i for i, v in enumerate(members)}
            ranges = self._ranges(
                p, members, column, rows_of[root], [linear[0] for _, _, linear in wanted]
            )
            for (position, count, (_, constant)), (low, high, exact) in zip(
                wanted, ranges, strict=True
            ):
                row = rows.iloc[position]
                findings.append(
                    Finding(
                        row["indicator_id"],
                        row["time_period"],
                        row["area_code"],
                        row["breakdown"],
                        row["group"],
                        count,
                        low + constant,
                        high + constant,
                        exact,
                    )
                )
        return findings

    def _ranges(self, p, members, column, row_ids, targets) -> list[tuple[float, float, bool]]:
        """Each target's smallest and largest value over the integer solutions.

        A system with no published number left in it (every relation `... = 0`, `<= 0` or
        `>= 0`) is a cone: a target that can be positive anywhere grows without bound, one
        that cannot is 0 (one linear programme). Otherwise the least and the greatest
        integer value of each target (tests/attacker_solve.py: a proven bound that an integer
        solution seen reaches, else an integer programme), skipped for a target already
        seen, in integer solutions found on the way (the first ones in random directions),
        to take values at least twice the threshold apart (it is no leak; its range is then
        reported as what was seen, a lower bound on its width)."""
        size = len(members)
        data, r_index, c_index = [], [], []
        for r, row in enumerate(row_ids):
            for variable, coefficient in p.rows[row].items():
                data.append(coefficient)
                r_index.append(r)
                c_index.append(column[variable])
        matrix = coo_array((data, (r_index, c_index)), shape=(len(row_ids), size)).tocsr()
        lower = np.array([p.lower[r] for r in row_ids])
        upper = np.array([p.upper[r] for r in row_ids])
        floor = np.array([p.floor[v] for v in members], dtype=float)
        ceiling = np.array([p.ceiling[v] for v in members], dtype=float)
        vectors = []
        for terms in targets:
            vector = np.zeros(size)
            for variable, coefficient in terms.items():
                vector[column[variable]] += coefficient
            vectors.append(vector)
        cone = (
            np.all((lower == 0) | np.isneginf(lower))
            and np.all((upper == 0) | np.isposinf(upper))
            and np.all(floor == 0)
            and np.all(np.isposinf(ceiling))
        )
        grows = self._cone(matrix, lower, upper, ceiling, vectors)
        if cone:  # the system is its own cone: what cannot grow is 0
            return [(0.0, np.inf, True) if g else (0.0, 0.0, True) for g in grows]
        finite = [abs(b) for b in np.concatenate([lower, upper, floor, ceiling]) if np.isfinite(b)]
        cap = 100 * (max(finite, default=0) + self.threshold)
        top = np.minimum(ceiling, cap)
        floor = np.maximum(floor, -cap)  # a signed numerator: as far below 0 as above
        system = System(matrix, lower, upper, floor, top, vectors)
        random = np.random.default_rng(size)
        before = len(vectors)
        for attempt in range(12):  # integer solutions in random directions, while they show
            open_k = [  # targets wide (from the third on: one alone shows none)
                k
                for k in range(len(vectors))
                if not grows[k] and system.width(k) < 2 * self.threshold
            ]
            if len(open_k) < 2 or (attempt >= 2 and len(open_k) == before):
                break
            before = len(open_k)
            system.integer(sum(random.choice([-1.0, 1.0]) * vectors[k] for k in open_k), gap=None)
        result = []
        for k in range(len(vectors)):
            if grows[k]:  # unbounded: its range is infinite, whatever its least value
                result.append((0.0, np.inf, False))
                continue
            if system.width(k) >= 2 * self.threshold:
                result.append((float(system.low[k]), float(system.high[k]), False))
                continue
            low = np.ceil(system.minimum(k, 1) - 1e-6)
            high = np.floor(-system.minimum(k, -1) + 1e-6)
            result.append((float(low), np.inf if high >= cap / 2 else float(high), True))
        self.solves += system.solves
        return result

    def _cone(self, matrix, lower, upper, ceiling, vectors) -> list[bool]:
        """Which targets grow without bound: on the recession cone (directions r >= 0, zero
        for a count with a ceiling, keeping each relation's finite sides at 0), max sum z_k
        with 0 <= z_k <= 1 and z_k <= target_k(r). Targets are never negative there and
        directions add, so z_k = 1 exactly for the targets that can grow at all."""
        from scipy.optimize import linprog

        lower = np.where(np.isfinite(lower), 0.0, lower)
        upper = np.where(np.isfinite(upper), 0.0, upper)
        size, count = matrix.shape[1], len(vectors)
        dense = matrix.toarray() if matrix.shape[0] else np.zeros((0, size))
        a_ub, b_ub, a_eq = [], [], []
        for row, (lo, hi) in enumerate(zip(lower, upper, strict=True)):
            if lo == hi:
                a_eq.append(np.concatenate([dense[row], np.zeros(count)]))
                continue
            if np.isfinite(hi):
                a_ub.append(np.concatenate([dense[row], np.zeros(count)]))
                b_ub.append(hi)
            if np.isfinite(lo):
                a_ub.append(np.concatenate([-dense[row], np.zeros(count)]))
                b_ub.append(-lo)
        for k, vector in enumerate(vectors):
            a_ub.append(np.concatenate([-vector, np.eye(count)[k]]))
            b_ub.append(0.0)
        self.solves += 1
        solved = linprog(
            np.concatenate([np.zeros(size), -np.ones(count)]),
            A_ub=np.array(a_ub),
            b_ub=np.array(b_ub),
            A_eq=np.array(a_eq) if a_eq else None,
            b_eq=np.zeros(len(a_eq)) if a_eq else None,
            bounds=[(0, None if np.isposinf(c) else 0) for c in ceiling] + [(0, 1)] * count,
            method="highs",
        )
        assert solved.status == 0, solved.message
        return [bool(z > 0.5) for z in solved.x[size:]]


def leaks(findings: list[Finding], threshold: int) -> list[Finding]:
    return [f for f in findings if f.values < threshold]


def summary(findings: list[Finding]) -> str:
    if not findings:
        return "no suppressed counts"
    narrowest = min(findings, key=lambda f: f.values)
    return (
        f"{len(findings)} suppressed counts attacked; narrowest range "
        f"{narrowest.low:.0f}..{narrowest.high:.0f} ({narrowest.values:.0f} values: "
        f"{narrowest.indicator_id} {narrowest.time_period} {narrowest.area_code} "
        f"{narrowest.breakdown} / {narrowest.group} {narrowest.count})"
    )


def cells_with_units(warehouse: Path) -> set[tuple]:
    """(indicator, period, area, breakdown, group, time identifier) of every cell with a unit
    in it, from the warehouse (the truth), with its identifier and without (a year's cell is
    named by the attacker without one): any other cell is 0 of 0. A cell with no one in it
    is one primary suppression publishes as 0: hidden only as a partner, recovering its 0
    discloses no one (tests/cohorts.py likewise)."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(
            "select indicator_id, cast(time_period as varchar), area_code, breakdown, "
            "\"group\", coalesce(time_identifier, '') from marts.fct_indicator_values "
            "where coalesce(numerator, 0) <> 0 or coalesce(denominator, 0) <> 0"
        ).fetchall()
    return {row for full in rows for row in (tuple(full), tuple(full[:5]))}


def cell_of(finding: Finding) -> tuple:
    """The finding's cell as `cells_with_units` names it (a quarter's: id@period|quarter)."""
    indicator, _, part = finding.indicator_id.partition("@")
    cell = (indicator, finding.time_period, finding.area_code, finding.breakdown, finding.group)
    return (*cell, part.partition("|")[2]) if part else cell
