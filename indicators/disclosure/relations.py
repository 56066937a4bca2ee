"""Relations between published cells, declared once in each indicator's YAML.

Every indicator model's `meta.indicator.relations` says how its cells relate to each other
and to other indicators' cells, so that disclosure control (and the attacker in the tests,
which reads the same YAML its own way) knows every sum, equality and bound an outsider
could use to work out a suppressed count. Nothing is assumed independent: an indicator
without a complete declaration is refused by the register check.

```yaml
relations:
  areas: add_up           # neighbourhoods add up to their authority (authorities to their
                          # region when there is one), for both counts; or `separate`
  absent_cells: zero      # a cell with no row has no units (zero counts); or `unknown`
  breakdowns:             # every breakdown the model publishes, with every group it can have
    All: {kind: total, groups: [All children]}              # the area's total row
    Sex: {kind: partition, groups: [Female, Male]}          # groups add up to the total
    Voice item: {kind: overlapping, groups: questions}      # groups overlap; the questions
                          # in force in the year (item bank); `domains`: their domains
    'Voice item: {item}': {kind: disjoint, groups: [Positive answer, Other answers],
                           item: questions}                 # no overlap, total unpublished
    # groups: `scaled questions` are those answered on a numeric scale
  rules:                  # relations with other cells, each true in every area and year
  - kind: equal           # left = right
    why: The same children as GLD, cell by cell.
    left: denominator
    right: gld.denominator
  - kind: at_most         # left <= right
    cells: {level: Local authority, breakdown: 'Voice item: {item}', group: Positive answer}
    left: denominator
    right: voice_item_positive.numerator at Voice item / {item}
  - kind: score_bounds    # a mean's numerator lies between the sum of each class's lowest
    classes:              # and highest scores (a-b, or `positive answers` / `other answers`
    - count: all_elgs_expected.numerator          # on the question's scale in the item bank)
      scores: 17-17
  - kind: majority_of_items   # a respondent counts when most answers to the domain's
    items: voice_item_positive at Voice item   # questions (item bank) are positive
```

Every group a breakdown can have is published in every area and year the indicator covers,
as `c` when it has no units, so that a missing row never tells anyone a count is zero
(`complete` in indicators/disclosure/suppress.py).

An expression adds and subtracts terms `[k *] [indicator.]count [at breakdown / group]`
(spaces around `+` and `-`), where count is `numerator`, `denominator` or `complement`
(denominator minus numerator). Without `indicator.` a term is this indicator's; without
`at` it is the anchor cell's own breakdown and group; `{breakdown}`, `{group}` and names
captured by `cells` patterns are filled from the anchor; group `*` sums every group of the
breakdown. A rule is applied to every cell of the indicator matching `cells` (`for_each:
cell`, the default) or once per area and breakdown (`for_each: breakdown`), in the same
year and area.

Besides the declarations, every count is at least 0 and a proportion's numerator is at most
its denominator.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

RULE_KINDS = ("equal", "at_most", "score_bounds", "majority_of_items")
AREA_KINDS = ("add_up", "separate")
ABSENT_KINDS = ("zero", "unknown")
BREAKDOWN_KINDS = ("total", "partition", "disjoint", "overlapping")
COUNTS = ("numerator", "denominator", "complement")
FOR_EACH = ("cell", "breakdown")
CELL_FIELDS = ("level", "breakdown", "group")
ITEM_SCORES = ("positive answers", "other answers")
GROUP_SOURCES = ("questions", "scaled questions", "domains")
"""Groups from the item bank: the questions in force in the year (or those answered on a
numeric scale), or their domains."""
TOTAL_BREAKDOWN = "All"

_TERM = re.compile(
    r"^(?:(?P<k>\d+)\s*\*\s*)?(?:(?P<indicator>[a-z][a-z0-9_]*)\.)?"
    r"(?P<count>numerator|denominator|complement)"
    r"(?:\s+at\s+(?P<breakdown>.+?)\s+/\s+(?P<group>.+?))?$")
_SCORES = re.compile(r"^\s*(\d+)\s*-\s*(\d+)\s*$")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")

WHAT_TO_DECLARE = (
    "declare meta.indicator.relations: areas (add_up or separate), absent_cells (zero or "
    "unknown), breakdowns (each breakdown it publishes: total, partition, disjoint or "
    "overlapping) and rules (equal, at_most, score_bounds, majority_of_items) relating its "
    "counts to other indicators' (e.g. `left: denominator, right: gld.denominator` for the "
    "same children as GLD); [] if none; see docs/architecture.md, Disclosure control")


class RelationsError(ValueError):
    """A declaration that cannot be read, or that the data contradicts."""


@dataclass(frozen=True)
class Term:
    coefficient: int
    indicator: str | None
    count: str
    breakdown: str | None = None
    group: str | None = None


@dataclass(frozen=True)
class ScoreClass:
    count: tuple[Term, ...]
    scores: str


@dataclass(frozen=True)
class Rule:
    kind: str
    why: str = ""
    for_each: str = "cell"
    cells: tuple[tuple[str, str], ...] = ()
    left: tuple[Term, ...] = ()
    right: tuple[Term, ...] = ()
    total: tuple[Term, ...] = ()
    classes: tuple[ScoreClass, ...] = ()
    items: tuple[str, str] | None = None


@dataclass(frozen=True)
class Breakdown:
    name: str
    """The breakdown label, or a pattern such as 'Voice item: {item}'."""
    kind: str
    groups: tuple[str, ...] | str
    """The group labels, or 'questions' / 'domains' (from the item bank, per year)."""
    item: str | None = None
    """For a pattern with {item}: 'questions' (one breakdown per question in force)."""


@dataclass(frozen=True)
class Relations:
    indicator_id: str
    areas: str
    absent_cells: str
    breakdowns: tuple[Breakdown, ...]
    rules: tuple[Rule, ...] = ()
    _patterns: tuple[tuple[re.Pattern, Breakdown], ...] = field(default=(), compare=False,
                                                                repr=False)

    def declared(self, breakdown: str) -> Breakdown | None:
        for pattern, declared in self._patterns:
            if pattern.fullmatch(breakdown):
                return declared
        return None

    def breakdown_kind(self, breakdown: str) -> str | None:
        declared = self.declared(breakdown)
        return declared.kind if declared else None

    def referenced_indicators(self) -> set[str]:
        names = set()
        for rule in self.rules:
            terms = [*rule.left, *rule.right, *rule.total,
                     *(t for c in rule.classes for t in c.count)]
            names |= {t.indicator for t in terms if t.indicator}
            if rule.items:
                names.add(rule.items[0])
        return names


def _pattern(text: str) -> re.Pattern:
    """'Voice item: {item}' -> a regex capturing `item`; '*' matches any text."""
    pieces = []
    for piece in re.split(r"(\{[a-z_]+\}|\*)", text):
        if piece == "*":
            pieces.append(".*")
        elif _PLACEHOLDER.fullmatch(piece):
            pieces.append(f"(?P<{piece[1:-1]}>.+)")
        else:
            pieces.append(re.escape(piece))
    return re.compile("".join(pieces))


def parse_expression(text: object) -> tuple[Term, ...]:
    """'gld.numerator - all_elgs_expected.numerator' -> its signed terms."""
    if not isinstance(text, str) or not text.strip():
        raise RelationsError(f"'{text}' is not an expression such as gld.denominator")
    tokens = re.split(r"\s+([+-])\s+", text.strip())
    terms = []
    for position in range(0, len(tokens), 2):
        sign = -1 if position and tokens[position - 1] == "-" else 1
        match = _TERM.match(tokens[position].strip())
        if not match:
            raise RelationsError(
                f"'{tokens[position]}' in '{text}' is not a term such as numerator, "
                "gld.denominator or voice_item_positive.numerator at Voice item / {item}")
        terms.append(Term(sign * int(match["k"] or 1), match["indicator"], match["count"],
                          match["breakdown"], match["group"]))
    return tuple(terms)


def parse_scores(text: object) -> str:
    text = str(text).strip()
    match = _SCORES.match(text)
    if match and int(match[1]) <= int(match[2]):
        return f"{int(match[1])}-{int(match[2])}"
    if text in ITEM_SCORES:
        return text
    raise RelationsError(f"scores '{text}' is not a range such as 0-16, nor one of "
                         f"{', '.join(ITEM_SCORES)}")


def _rule(raw: object, number: int) -> Rule:
    where = f"rule {number}"
    if not isinstance(raw, Mapping):
        raise RelationsError(f"{where} is not a mapping with kind, left, right ...")
    kind = raw.get("kind")
    if kind not in RULE_KINDS:
        raise RelationsError(f"{where}: kind '{kind}' is not one of {', '.join(RULE_KINDS)}")
    for_each = raw.get("for_each", "cell")
    if for_each not in FOR_EACH:
        raise RelationsError(f"{where}: for_each '{for_each}' is not one of cell, breakdown")
    cells = raw.get("cells") or {}
    if not isinstance(cells, Mapping) or set(cells) - set(CELL_FIELDS):
        raise RelationsError(f"{where}: cells may only name {', '.join(CELL_FIELDS)}")
    try:
        rule = Rule(kind=kind, why=str(raw.get("why", "")).strip(), for_each=for_each,
                    cells=tuple((k, str(v)) for k, v in cells.items()))
        if kind in ("equal", "at_most"):
            rule = Rule(**{**rule.__dict__, "left": parse_expression(raw.get("left")),
                           "right": parse_expression(raw.get("right"))})
        elif kind == "score_bounds":
            classes = raw.get("classes")
            if not isinstance(classes, list) or not classes:
                raise RelationsError("score_bounds needs classes: [{count: ..., scores: a-b}]")
            parsed = tuple(ScoreClass(parse_expression(c.get("count")),
                                      parse_scores(c.get("scores")))
                           for c in classes if isinstance(c, Mapping))
            if len(parsed) != len(classes):
                raise RelationsError("each class is {count: ..., scores: ...}")
            rule = Rule(**{**rule.__dict__, "classes": parsed,
                           "total": parse_expression(raw.get("sum", "numerator"))})
        else:
            items = str(raw.get("items", ""))
            match = re.fullmatch(r"([a-z][a-z0-9_]*) at (.+)", items.strip())
            if not match:
                raise RelationsError("majority_of_items needs items: <indicator> at <breakdown>")
            rule = Rule(**{**rule.__dict__, "items": (match[1], match[2])})
    except RelationsError as error:
        raise RelationsError(f"{where}: {error}") from None
    if for_each == "breakdown":
        for term in [*rule.left, *rule.right, *rule.total,
                     *(t for c in rule.classes for t in c.count)]:
            if term.indicator is None and term.group is None:
                raise RelationsError(f"{where}: with for_each: breakdown, every term of this "
                                     "indicator names its group (e.g. numerator at "
                                     "{breakdown} / *)")
    return rule


def parse_relations(indicator_id: str, raw: object) -> Relations:
    """The declaration in `raw` (a mapping, or its JSON as kept in the register)."""
    if isinstance(raw, str):
        text = raw.strip()
        if not text or text.startswith("TODO"):
            raise RelationsError(f"relations are not declared: {WHAT_TO_DECLARE}")
        try:
            raw = json.loads(text)
        except json.JSONDecodeError:
            raise RelationsError(f"relations are not a mapping: {WHAT_TO_DECLARE}") from None
    if raw is None or (isinstance(raw, float) and np.isnan(raw)):
        raise RelationsError(f"relations are not declared: {WHAT_TO_DECLARE}")
    if not isinstance(raw, Mapping):
        raise RelationsError(f"relations are not a mapping: {WHAT_TO_DECLARE}")
    for key, allowed in (("areas", AREA_KINDS), ("absent_cells", ABSENT_KINDS)):
        if raw.get(key) not in allowed:
            raise RelationsError(f"relations.{key} is '{raw.get(key)}', not one of "
                                 f"{', '.join(allowed)}")
    breakdowns = raw.get("breakdowns")
    if not isinstance(breakdowns, Mapping) or not breakdowns:
        raise RelationsError("relations.breakdowns must list every breakdown the indicator "
                             "publishes with its groups (All: {kind: total, groups: [All "
                             "children]}, Sex: {kind: partition, groups: [Female, Male]}, ...)")
    declared = [_breakdown(str(name), spec) for name, spec in breakdowns.items()]
    rules_raw = raw.get("rules")
    if rules_raw is None or isinstance(rules_raw, str):
        raise RelationsError("relations.rules must be a list ([] if the indicator shares "
                             f"nothing with any other): {WHAT_TO_DECLARE}")
    rules = tuple(_rule(rule, number) for number, rule in enumerate(rules_raw, start=1))
    return Relations(indicator_id, raw["areas"], raw["absent_cells"], tuple(declared), rules,
                     tuple((_pattern(b.name), b) for b in declared))


def _breakdown(name: str, spec: object) -> Breakdown:
    where = f"relations.breakdowns '{name}'"
    if not isinstance(spec, Mapping):
        raise RelationsError(f"{where} must be {{kind: ..., groups: [...]}}: every group it "
                             "can have, so that a missing row never reveals a zero")
    kind, groups = spec.get("kind"), spec.get("groups")
    if kind not in BREAKDOWN_KINDS:
        raise RelationsError(f"{where}: kind '{kind}' is not one of "
                             f"{', '.join(BREAKDOWN_KINDS)}")
    if isinstance(groups, list) and groups and all(isinstance(g, str) for g in groups):
        groups = tuple(groups)
    elif groups not in GROUP_SOURCES:
        raise RelationsError(f"{where}: groups must list every group (e.g. [Female, Male]) or "
                             f"be one of {', '.join(GROUP_SOURCES)}")
    item = spec.get("item")
    if ("{item}" in name) != (item is not None) or item not in (None, "questions"):
        raise RelationsError(f"{where}: a name with {{item}} needs item: questions (and only "
                             "such a name)")
    return Breakdown(name, kind, groups, item)


def relations_problems(register: pd.DataFrame) -> list[str]:
    """What is missing or wrong in each indicator's declared relations, one line each."""
    problems = []
    ids = set(register["indicator_id"].dropna()) if "indicator_id" in register else set()
    for row in register.to_dict("records"):
        model = row.get("model", row.get("indicator_id"))
        try:
            relations = parse_relations(str(row.get("indicator_id")), row.get("relations"))
        except RelationsError as error:
            problems.append(f"{model}: meta.indicator.{error}" if str(error).startswith(
                "relations") else f"{model}: meta.indicator.relations {error}")
            continue
        for name in sorted(relations.referenced_indicators() - ids):
            problems.append(f"{model}: meta.indicator.relations refers to indicator '{name}', "
                            "which is not in the register")
        if row.get("value_type") == "mean" and not any(
                rule.kind == "score_bounds" and rule.total == (Term(1, None, "numerator"),)
                for rule in relations.rules):
            problems.append(f"{model}: meta.indicator.relations needs a score_bounds rule for "
                            "its numerator (the lowest and highest score one unit can have)")
    return problems


# --------------------------------------------------------------------------------------------
# The item bank: which questions make a domain, and each question's scores
# --------------------------------------------------------------------------------------------


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
            positive = {int(code) for code in parse_positive(row["response_scale"],
                                                             row["positive_responses"])}
            other = {int(code) for code in valid_answers(row["response_scale"])} - positive
            mine = scores.setdefault(row["item_id"], {})
            for name, codes in (("positive answers", positive), ("other answers", other)):
                low, high = mine.get(name, (min(codes), max(codes)))
                mine[name] = (min(low, min(codes)), max(high, max(codes)))
        return cls({k: tuple(v) for k, v in domains.items()}, scores, first_use, domain_of)


# --------------------------------------------------------------------------------------------
# From declarations to linear relations over one table's counts
# --------------------------------------------------------------------------------------------

EQUAL, AT_MOST = "=", "<="


@dataclass
class LinearSystem:
    """Linear relations over the counts of a table's cells.

    Variable 2*i is cell i's numerator, 2*i+1 its denominator; variables from 2*len(cells)
    on are auxiliary (e.g. answers given by respondents counted as positive). Each relation
    is sum(coefficient * variable) between lower and upper, with integer coefficients.
    """

    cells: int
    terms: list[dict[int, int]] = field(default_factory=list)
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    origin: list[tuple[str, int, int]] = field(default_factory=list)
    """(indicator, rule number or 0 for structure, anchor cell) for messages."""
    auxiliary: int = 0

    @property
    def variables(self) -> int:
        return 2 * self.cells + self.auxiliary

    def new_auxiliary(self) -> int:
        self.auxiliary += 1
        return 2 * self.cells + self.auxiliary - 1

    def add(self, terms: Mapping[int, int], lower: float, upper: float,
            origin: tuple[str, int, int]) -> None:
        clean = {v: c for v, c in terms.items() if c}
        if clean:
            self.terms.append(clean)
            self.lower.append(lower)
            self.upper.append(upper)
            self.origin.append(origin)


def _combine(*parts: Mapping[int, int] | None, signs: Sequence[int] | None = None
             ) -> dict[int, int] | None:
    result: dict[int, int] = defaultdict(int)
    for position, part in enumerate(parts):
        if part is None:
            return None
        sign = signs[position] if signs else 1
        for variable, coefficient in part.items():
            result[variable] += sign * coefficient
    return dict(result)


class _Cells:
    """Index of one table's cells by (indicator, year, area, breakdown, group)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.indicator = frame["indicator_id"].to_numpy(dtype=object)
        self.year = frame["time_period"].to_numpy()
        self.level = frame["geographic_level"].to_numpy(dtype=object)
        self.area = frame["area_code"].to_numpy(dtype=object)
        self.breakdown = frame["breakdown"].to_numpy(dtype=object)
        self.group = frame["group"].to_numpy(dtype=object)
        self.at: dict[tuple, int] = {}
        self.groups: dict[tuple, list[int]] = defaultdict(list)
        for i, key in enumerate(zip(self.indicator, self.year, self.area, self.breakdown,
                                    self.group, strict=True)):
            self.at[key] = i
            self.groups[key[:4]].append(i)


def _count_terms(position: int, count: str, coefficient: int) -> dict[int, int]:
    if count == "numerator":
        return {2 * position: coefficient}
    if count == "denominator":
        return {2 * position + 1: coefficient}
    return {2 * position + 1: coefficient, 2 * position: -coefficient}


class Expander:
    """Turns declarations into a LinearSystem for one table (a year of one authority, or
    any set of whole authority-years)."""

    def __init__(self, frame: pd.DataFrame, relations: Mapping[str, Relations],
                 value_types: Mapping[str, str], parents: Mapping[str, str],
                 items: ItemBank) -> None:
        self.cells = _Cells(frame.reset_index(drop=True))
        self.relations = relations
        self.value_types = value_types
        self.parents = parents
        self.items = items
        self.system = LinearSystem(len(self.cells.at))

    # -- terms ---------------------------------------------------------------------------
    def publishes(self, indicator: str, level: str, breakdown: str) -> bool:
        """Whether the indicator has cells of this breakdown at this geographic level (only
        then does a missing cell mean zero)."""
        return (indicator, level, breakdown) in self._published

    def _absent_is_zero(self, indicator: str) -> bool:
        relations = self.relations.get(indicator)
        return relations is not None and relations.absent_cells == "zero"

    def _fill(self, text: str, context: Mapping[str, str]) -> str:
        return _PLACEHOLDER.sub(lambda m: context.get(m[1], m[0]), text)

    def term(self, term: Term, anchor: int, indicator: str, context: Mapping[str, str]
             ) -> dict[int, int] | None:
        """The term's variables at the anchor's year and area (None: unknown, skip)."""
        cells = self.cells
        name = term.indicator or indicator
        breakdown = self._fill(term.breakdown, context) if term.breakdown else \
            cells.breakdown[anchor]
        group = self._fill(term.group, context) if term.group else cells.group[anchor]
        base = (name, cells.year[anchor], cells.area[anchor], breakdown)
        zero = self._absent_is_zero(name) and self.publishes(name, cells.level[anchor],
                                                             breakdown)
        if group == "*":
            members = cells.groups.get(base, [])
            if not zero:
                return None
            result: dict[int, int] = defaultdict(int)
            for member in members:
                for v, c in _count_terms(member, term.count, term.coefficient).items():
                    result[v] += c
            return dict(result)
        position = cells.at.get((*base, group))
        if position is None:
            return {} if zero else None
        return _count_terms(position, term.count, term.coefficient)

    def expression(self, terms: Iterable[Term], anchor: int, indicator: str,
                   context: Mapping[str, str]) -> dict[int, int] | None:
        return _combine(*(self.term(t, anchor, indicator, context) for t in terms))

    # -- anchors -------------------------------------------------------------------------
    def anchors(self, indicator: str, rule: Rule) -> Iterable[tuple[int, dict[str, str]]]:
        cells = self.cells
        patterns = [(name, _pattern(text)) for name, text in rule.cells]
        seen: set[tuple] = set()
        for position in self._positions.get(indicator, []):
            context = {"breakdown": cells.breakdown[position], "group": cells.group[position]}
            matched = True
            for name, pattern in patterns:
                value = {"level": cells.level, "breakdown": cells.breakdown,
                         "group": cells.group}[name][position]
                found = pattern.fullmatch(str(value))
                if not found:
                    matched = False
                    break
                context.update(found.groupdict())
            if not matched:
                continue
            if rule.for_each == "breakdown":
                key = (cells.year[position], cells.area[position], cells.breakdown[position])
                if key in seen:
                    continue
                seen.add(key)
            yield position, context

    # -- building ------------------------------------------------------------------------
    def build(self) -> LinearSystem:
        cells = self.cells
        self._positions: dict[str, list[int]] = defaultdict(list)
        for position, indicator in enumerate(cells.indicator):
            self._positions[indicator].append(position)
        self._published = set(zip(cells.indicator, cells.level, cells.breakdown, strict=True))
        self.child_level: dict[str, str] = {}
        for area, level in zip(cells.area, cells.level, strict=True):
            parent = self.parents.get(area)
            if parent is not None:
                self.child_level[parent] = level
        for indicator in self._positions:
            relations = self.relations.get(indicator)
            if relations is None:
                raise RelationsError(f"indicator '{indicator}' has no declared relations: "
                                     f"{WHAT_TO_DECLARE}")
            self._structure(indicator, relations)
            for number, rule in enumerate(relations.rules, start=1):
                self._rule(indicator, number, rule)
        return self.system

    def _structure(self, indicator: str, relations: Relations) -> None:
        """Undeclared breakdowns refused; partitions of groups and of areas."""
        cells, system = self.cells, self.system
        positions = self._positions[indicator]
        undeclared = sorted({cells.breakdown[p] for p in positions
                             if relations.breakdown_kind(cells.breakdown[p]) is None})
        if undeclared:
            raise RelationsError(
                f"indicator '{indicator}' publishes breakdown(s) {', '.join(undeclared)} that "
                "meta.indicator.relations.breakdowns does not declare: say whether the groups "
                "add up to the area's total (partition), do not overlap but have no published "
                "total (disjoint), or overlap (overlapping)")
        zero = relations.absent_cells == "zero"
        # Groups of a partition add up to the area's total row.
        totals = {}
        for p in positions:
            if cells.breakdown[p] == TOTAL_BREAKDOWN:
                totals[(cells.year[p], cells.area[p])] = p
        for key, members in cells.groups.items():
            if key[0] != indicator or relations.breakdown_kind(key[3]) != "partition":
                continue
            total = totals.get((key[1], key[2]))
            if total is None and not zero:
                continue
            for count in (0, 1):
                terms = {2 * m + count: 1 for m in members}
                if total is not None:
                    terms[2 * total + count] = -1
                system.add(terms, 0, 0, (indicator, 0, members[0]))
        # Areas add up to their parent area, group by group, where the indicator publishes
        # the breakdown at the children's level (absent child cells are then zero).
        if relations.areas != "add_up" or not zero:
            return
        children: dict[tuple, list[int]] = defaultdict(list)
        for p in positions:
            parent = self.parents.get(cells.area[p])
            if parent is not None:
                children[(cells.year[p], parent, cells.breakdown[p], cells.group[p])].append(p)
        keys = set(children)
        for p in positions:
            child_level = self.child_level.get(cells.area[p])
            if child_level is not None and self.publishes(indicator, child_level,
                                                          cells.breakdown[p]):
                keys.add((cells.year[p], cells.area[p], cells.breakdown[p], cells.group[p]))
        for key in keys:
            members = children.get(key, [])
            total = cells.at.get((indicator, *key))
            for count in (0, 1):
                terms = {2 * m + count: 1 for m in members}
                if total is not None:
                    terms[2 * total + count] = -1
                system.add(terms, 0, 0, (indicator, 0, members[0] if members else total))

    def _rule(self, indicator: str, number: int, rule: Rule) -> None:
        system = self.system
        for anchor, context in self.anchors(indicator, rule):
            origin = (indicator, number, anchor)
            if rule.kind in ("equal", "at_most"):
                left = self.expression(rule.left, anchor, indicator, context)
                right = self.expression(rule.right, anchor, indicator, context)
                terms = _combine(left, right, signs=(1, -1))
                if terms is None:
                    continue
                system.add(terms, 0 if rule.kind == "equal" else -np.inf, 0, origin)
            elif rule.kind == "score_bounds":
                self._score_bounds(rule, anchor, indicator, context, origin)
            else:
                self._majority(rule, anchor, indicator, context, origin)

    def _score_range(self, scores: str, context: Mapping[str, str]) -> tuple[int, int] | None:
        match = _SCORES.match(scores)
        if match:
            return int(match[1]), int(match[2])
        item = context.get("item", context.get("group"))
        return self.items.scores.get(item, {}).get(scores)

    def _score_bounds(self, rule: Rule, anchor: int, indicator: str,
                      context: Mapping[str, str], origin: tuple[str, int, int]) -> None:
        total = self.expression(rule.total, anchor, indicator, context)
        lowest: list[dict[int, int]] = []
        highest: list[dict[int, int]] = []
        for score_class in rule.classes:
            count = self.expression(score_class.count, anchor, indicator, context)
            bounds = self._score_range(score_class.scores, context)
            if count is None or total is None:
                return
            if bounds is None:
                raise RelationsError(
                    f"indicator '{indicator}': no scores '{score_class.scores}' for "
                    f"'{context.get('group')}' in the item bank (seeds/voice_items.csv)")
            lowest.append({v: c * bounds[0] for v, c in count.items()})
            highest.append({v: c * bounds[1] for v, c in count.items()})
        low = _combine(total, *lowest, signs=(1, *[-1] * len(lowest)))
        high = _combine(total, *highest, signs=(1, *[-1] * len(highest)))
        self.system.add(low, 0, np.inf, origin)
        self.system.add(high, -np.inf, 0, origin)

    def _majority(self, rule: Rule, anchor: int, indicator: str,
                  context: Mapping[str, str], origin: tuple[str, int, int]) -> None:
        """A respondent counts when more than half of their answers to the domain's items
        are positive (respondent-level composite of item cells)."""
        cells, system = self.cells, self.system
        item_indicator, item_breakdown = rule.items
        domain = cells.group[anchor]
        present = []
        for item in self.items.domain_items.get(domain, ()):
            position = cells.at.get((item_indicator, cells.year[anchor], cells.area[anchor],
                                     item_breakdown, item))
            if position is not None:
                present.append(position)
        if not (self._absent_is_zero(item_indicator)
                and self.publishes(item_indicator, cells.level[anchor], item_breakdown)):
            return
        n, d = 2 * anchor, 2 * anchor + 1
        m = len(present)
        positives = {2 * p: 1 for p in present}
        answers = {2 * p + 1: 1 for p in present}
        # Every respondent answered at least one and at most m of the domain's questions.
        system.add(_combine({d: 1}, answers, signs=(1, -1)), -np.inf, 0, origin)
        system.add(_combine(answers, {d: m}, signs=(1, -1)), -np.inf, 0, origin)
        for p in present:  # whoever answered a question is in the domain's denominator
            system.add({2 * p + 1: 1, d: -1}, -np.inf, 0, origin)
        # Per respondent: positive ones have more positive answers than not (at most m,
        # at most floor((m-1)/2) not positive); the others at most floor(m/2) positive.
        system.add(_combine(positives, {n: m, d: m // 2}, {n: -(m // 2)}, signs=(1, -1, -1)),
                   -np.inf, 0, origin)
        others = _combine(answers, positives, signs=(1, -1))
        system.add(_combine(others, {n: (m - 1) // 2, d: m}, {n: -m}, signs=(1, -1, -1)),
                   -np.inf, 0, origin)
        # Aggregates over respondents: A+ answers and P+ positive answers of the respondents
        # counted as positive. n <= A+ <= m n; d - n <= A - A+ <= m (d - n);
        # 2 P+ >= A+ + n; P+ <= A+; 2 (P - P+) <= A - A+; P+ <= P.
        a_plus, p_plus = system.new_auxiliary(), system.new_auxiliary()
        system.add({a_plus: 1, n: -1}, 0, np.inf, origin)
        system.add({a_plus: 1, n: -m}, -np.inf, 0, origin)
        rest = _combine(answers, {a_plus: 1}, signs=(1, -1))
        system.add(_combine(rest, {d: 1, n: -1}, signs=(1, -1)), 0, np.inf, origin)
        system.add(_combine(rest, {d: m, n: -m}, signs=(1, -1)), -np.inf, 0, origin)
        system.add({p_plus: 2, a_plus: -1, n: -1}, 0, np.inf, origin)
        system.add({p_plus: 1, a_plus: -1}, -np.inf, 0, origin)
        system.add(_combine({v: 2 * c for v, c in positives.items()}, {p_plus: -2},
                            answers, {a_plus: -1}, signs=(1, 1, -1, 1)), -np.inf, 0, origin)
        system.add(_combine(positives, {p_plus: 1}, signs=(1, -1)), 0, np.inf, origin)


def implicit_relations(system: LinearSystem, frame: pd.DataFrame,
                       value_types: Mapping[str, str]) -> None:
    """Every cell: numerator >= 0, denominator >= 1; a proportion's numerator <= its
    denominator (kept as variable bounds and rows)."""
    kinds = frame["indicator_id"].map(value_types).to_numpy(dtype=object)
    for position, kind in enumerate(kinds):
        if kind == "proportion":
            system.add({2 * position: 1, 2 * position + 1: -1}, -np.inf, 0,
                       (str(frame["indicator_id"].iat[position]), 0, position))


def expand(frame: pd.DataFrame, relations: Mapping[str, Relations],
           value_types: Mapping[str, str], parents: Mapping[str, str],
           items: ItemBank) -> LinearSystem:
    """All declared and implicit relations among the counts of `frame`'s cells."""
    frame = frame.reset_index(drop=True)
    system = Expander(frame, relations, value_types, parents, items).build()
    implicit_relations(system, frame, value_types)
    return system


def violations(system: LinearSystem, numerator: np.ndarray, denominator: np.ndarray,
               limit: int = 5) -> list[int]:
    """Relations (without auxiliary variables) that the true counts break: a declaration
    that is not true of the data."""
    values = np.empty(2 * system.cells)
    values[0::2], values[1::2] = numerator, denominator
    broken = []
    for row, terms in enumerate(system.terms):
        if any(v >= 2 * system.cells for v in terms):
            continue
        total = sum(values[v] * c for v, c in terms.items())
        if total < system.lower[row] - 1e-9 or total > system.upper[row] + 1e-9:
            broken.append(row)
            if len(broken) >= limit:
                break
    return broken
