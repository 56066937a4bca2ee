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
      scores: 17-17       # `-10 to 10` for a signed score: the numerator may then be negative
  - kind: majority_of_items   # a respondent counts when most answers to the domain's
    items: voice_item_positive at Voice item   # questions (item bank) are positive
  - kind: parts_of_year   # this indicator counts parts of a year (quarters, months) of the
    whole: c08b         # units `whole` counts over the year: in every area, breakdown and
                        # group, its numerators (and denominators) over the year's time
                        # identifiers add up to the whole's
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

Besides the declarations, every count is at least 0 (but a mean's numerator whose own
score_bounds allow a negative score: it lies between those bounds) and a proportion's
numerator is at most its denominator.

Here the declarations are read and checked (`parse_relations`, `relations_problems`);
indicators/disclosure/linear_system.py turns them into linear relations over one table's
counts, with the item bank's questions and scores from indicators/disclosure/questions.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

RULE_KINDS = ("equal", "at_most", "score_bounds", "majority_of_items", "parts_of_year")
AREA_KINDS = ("add_up", "separate")
ABSENT_KINDS = ("zero", "unknown")
BREAKDOWN_KINDS = ("total", "partition", "disjoint", "overlapping")
COUNTS = ("numerator", "denominator", "complement")
FOR_EACH = ("cell", "breakdown")
CELL_FIELDS = ("level", "breakdown", "group")
ITEMSCORE_RANGE = ("positive answers", "other answers")
GROUP_SOURCES = ("questions", "scaled questions", "domains")
"""Groups from the item bank: the questions in force in the year (or those answered on a
numeric scale), or their domains."""


def counts_of(value_type: str) -> tuple[int, ...]:
    """The counts of a cell that relations add up: 0 the numerator, 1 the denominator; a
    median's numerator is no count (blank), so only its denominator adds up."""
    return (1,) if value_type == "median" else (0, 1)


TOTAL_BREAKDOWN = "All"

_TERM = re.compile(
    r"^(?:(?P<k>\d+)\s*\*\s*)?(?:(?P<indicator>[a-z][a-z0-9_]*)\.)?"
    r"(?P<count>numerator|denominator|complement)"
    r"(?:\s+at\s+(?P<breakdown>.+?)\s+/\s+(?P<group>.+?))?$"
)
SCORE_RANGE = re.compile(r"^\s*(-?\d+)\s*(?:-|to)\s*(-?\d+)\s*$")
"""A range of whole scores, `0-16`, or `-10 to 10` for a signed score (a difference or a
change); a numerator whose lowest score is negative may itself be negative."""
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")

WHAT_TO_DECLARE = (
    "declare meta.indicator.relations: areas (add_up or separate), absent_cells (zero or "
    "unknown), breakdowns (each breakdown it publishes: total, partition, disjoint or "
    "overlapping) and rules (equal, at_most, score_bounds, majority_of_items, parts_of_year) "
    "relating its "
    "counts to other indicators' (e.g. `left: denominator, right: gld.denominator` for the "
    "same children as GLD); [] if none; see docs/architecture.md, Disclosure control"
)


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
    whole: str | None = None
    """parts_of_year: the indicator counting the same units over the whole year."""
    difference: str = "published"
    """at_most: 'protected' when right - left counts units of their own that must not be
    known below the threshold (referrals whose family was heard only after the hub);
    'published' (the default) when it may be (respondents who skipped a question)."""


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
    _patterns: tuple[tuple[re.Pattern, Breakdown], ...] = field(
        default=(), compare=False, repr=False
    )

    def declared(self, breakdown: str) -> Breakdown | None:
        for pattern, declared in self._patterns:
            if pattern.fullmatch(breakdown):
                return declared
        return None

    def breakdown_kind(self, breakdown: str) -> str | None:
        declared = self.declared(breakdown)
        return declared.kind if declared else None

    @property
    def signed(self) -> bool:
        """Whether its value may be negative: a score_bounds rule on its numerator declares a
        class whose lowest score is below 0 (`-10 to 10`, a change or a difference)."""
        for rule in self.rules:
            if rule.kind != "score_bounds" or rule.total != (Term(1, None, "numerator"),):
                continue
            for score_class in rule.classes:
                match = SCORE_RANGE.match(score_class.scores)
                if match and int(match[1]) < 0:
                    return True
        return False

    def referenced_indicators(self) -> set[str]:
        names = set()
        for rule in self.rules:
            terms = [
                *rule.left,
                *rule.right,
                *rule.total,
                *(t for c in rule.classes for t in c.count),
            ]
            names |= {t.indicator for t in terms if t.indicator}
            if rule.items:
                names.add(rule.items[0])
            if rule.whole:
                names.add(rule.whole)
        return names

    @property
    def whole(self) -> str | None:
        """The indicator whose year this one's parts (quarters, months) add up to, if any."""
        return next((rule.whole for rule in self.rules if rule.kind == "parts_of_year"), None)


def name_pattern(text: str) -> re.Pattern:
    """'Voice item: {item}' -> a regex capturing `item`; '*' matches any text."""
    pieces = []
    for piece in re.split(r"(\{[a-z_]+\}|\*)", text):
        if piece == "*":
            pieces.append(".*")
        elif PLACEHOLDER.fullmatch(piece):
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
                "gld.denominator or voice_item_positive.numerator at Voice item / {item}"
            )
        terms.append(
            Term(
                sign * int(match["k"] or 1),
                match["indicator"],
                match["count"],
                match["breakdown"],
                match["group"],
            )
        )
    return tuple(terms)


def parse_scores(text: object) -> str:
    text = str(text).strip()
    match = SCORE_RANGE.match(text)
    if match and int(match[1]) <= int(match[2]):
        low, high = int(match[1]), int(match[2])
        return f"{low}-{high}" if low >= 0 else f"{low} to {high}"
    if text in ITEMSCORE_RANGE:
        return text
    raise RelationsError(
        f"scores '{text}' is not a range such as 0-16 or -10 to 10, nor one of "
        f"{', '.join(ITEMSCORE_RANGE)}"
    )


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
        rule = Rule(
            kind=kind,
            why=str(raw.get("why", "")).strip(),
            for_each=for_each,
            cells=tuple((k, str(v)) for k, v in cells.items()),
        )
        if kind in ("equal", "at_most"):
            difference = str(raw.get("difference", "published"))
            if difference not in ("published", "protected") or (
                kind == "equal" and "difference" in raw
            ):
                raise RelationsError(
                    f"difference (at_most only) is 'protected' or 'published', not '{difference}'"
                )
            rule = Rule(
                **{
                    **rule.__dict__,
                    "left": parse_expression(raw.get("left")),
                    "right": parse_expression(raw.get("right")),
                    "difference": difference,
                }
            )
        elif kind == "score_bounds":
            classes = raw.get("classes")
            if not isinstance(classes, list) or not classes:
                raise RelationsError("score_bounds needs classes: [{count: ..., scores: a-b}]")
            parsed = tuple(
                ScoreClass(parse_expression(c.get("count")), parse_scores(c.get("scores")))
                for c in classes
                if isinstance(c, Mapping)
            )
            if len(parsed) != len(classes):
                raise RelationsError("each class is {count: ..., scores: ...}")
            rule = Rule(
                **{
                    **rule.__dict__,
                    "classes": parsed,
                    "total": parse_expression(raw.get("sum", "numerator")),
                }
            )
        elif kind == "parts_of_year":
            whole = str(raw.get("whole", "")).strip()
            if not re.fullmatch(r"[a-z][a-z0-9_]*", whole):
                raise RelationsError("parts_of_year needs whole: <indicator over the year>")
            rule = Rule(**{**rule.__dict__, "whole": whole})
        else:
            items = str(raw.get("items", ""))
            match = re.fullmatch(r"([a-z][a-z0-9_]*) at (.+)", items.strip())
            if not match:
                raise RelationsError("majority_of_items needs items: <indicator> at <breakdown>")
            rule = Rule(**{**rule.__dict__, "items": (match[1], match[2])})
    except RelationsError as error:
        raise RelationsError(f"{where}: {error}") from None
    if for_each == "breakdown":
        for term in [
            *rule.left,
            *rule.right,
            *rule.total,
            *(t for c in rule.classes for t in c.count),
        ]:
            if term.indicator is None and term.group is None:
                raise RelationsError(
                    f"{where}: with for_each: breakdown, every term of this "
                    "indicator names its group (e.g. numerator at "
                    "{breakdown} / *)"
                )
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
            raise RelationsError(
                f"relations.{key} is '{raw.get(key)}', not one of {', '.join(allowed)}"
            )
    breakdowns = raw.get("breakdowns")
    if not isinstance(breakdowns, Mapping) or not breakdowns:
        raise RelationsError(
            "relations.breakdowns must list every breakdown the indicator "
            "publishes with its groups (All: {kind: total, groups: [All "
            "children]}, Sex: {kind: partition, groups: [Female, Male]}, ...)"
        )
    declared = [_breakdown(str(name), spec) for name, spec in breakdowns.items()]
    rules_raw = raw.get("rules")
    if rules_raw is None or isinstance(rules_raw, str):
        raise RelationsError(
            "relations.rules must be a list ([] if the indicator shares "
            f"nothing with any other): {WHAT_TO_DECLARE}"
        )
    rules = tuple(_rule(rule, number) for number, rule in enumerate(rules_raw, start=1))
    return Relations(
        indicator_id,
        raw["areas"],
        raw["absent_cells"],
        tuple(declared),
        rules,
        tuple((name_pattern(b.name), b) for b in declared),
    )


def _breakdown(name: str, spec: object) -> Breakdown:
    where = f"relations.breakdowns '{name}'"
    if not isinstance(spec, Mapping):
        raise RelationsError(
            f"{where} must be {{kind: ..., groups: [...]}}: every group it "
            "can have, so that a missing row never reveals a zero"
        )
    kind, groups = spec.get("kind"), spec.get("groups")
    if kind not in BREAKDOWN_KINDS:
        raise RelationsError(f"{where}: kind '{kind}' is not one of {', '.join(BREAKDOWN_KINDS)}")
    if isinstance(groups, list) and groups and all(isinstance(g, str) for g in groups):
        groups = tuple(groups)
    elif groups not in GROUP_SOURCES:
        raise RelationsError(
            f"{where}: groups must list every group (e.g. [Female, Male]) or "
            f"be one of {', '.join(GROUP_SOURCES)}"
        )
    item = spec.get("item")
    if ("{item}" in name) != (item is not None) or item not in (None, "questions"):
        raise RelationsError(
            f"{where}: a name with {{item}} needs item: questions (and only such a name)"
        )
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
            problems.append(
                f"{model}: meta.indicator.{error}"
                if str(error).startswith("relations")
                else f"{model}: meta.indicator.relations {error}"
            )
            continue
        for name in sorted(relations.referenced_indicators() - ids):
            problems.append(
                f"{model}: meta.indicator.relations refers to indicator '{name}', "
                "which is not in the register"
            )
        if row.get("value_type") == "mean" and not any(
            rule.kind == "score_bounds" and rule.total == (Term(1, None, "numerator"),)
            for rule in relations.rules
        ):
            problems.append(
                f"{model}: meta.indicator.relations needs a score_bounds rule for "
                "its numerator (the lowest and highest score one unit can have)"
            )
    return problems
