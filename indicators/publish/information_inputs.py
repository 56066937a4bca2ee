"""The two seeds the information map is drawn from, read and checked: the LA's information
inventory (seeds/information_inventory.csv: every information source it holds for a topic)
and its theory of change (seeds/theory_of_change.csv: vision, long-term and intermediate
outcomes, activities).

Every problem is one line naming the file, the row (as a spreadsheet numbers it: the header
is row 1), the column and the rule broken, and what to do. `information_line` gathers them,
with every indicator whose `outcome` is not in the theory of change, for the check a run
makes before dbt (indicators/publish/register_check.py:require_finished).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

INVENTORY_FILE = "information_inventory.csv"
THEORY_FILE = "theory_of_change.csv"
INVENTORY_COLUMNS = (
    "id",
    "name",
    "topic",
    "owner_or_service",
    "level",
    "basis",
    "voice",
    "ingested_by_chorus",
)
LEVELS = ("operational", "aggregate")
BASES = ("statutory", "local")
VOICES = ("child", "parent", "practitioner", "none")
VOICE_SEPARATOR = ";"
THEORY_COLUMNS = ("id", "level", "text", "parent_id")
THEORY_LEVELS = ("vision", "long_term", "intermediate", "activity")
"""From the broadest to the most concrete: a row's parent is at an earlier level."""
OUTCOME_LEVELS = ("long_term", "intermediate")
"""The levels an indicator may measure and the map reports when none does (an indicator
may also link to an activity; a vision is too broad to measure)."""


class InformationInputError(ValueError):
    """A seed of the information map that cannot be read as declared: one line a problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(" | ".join(problems))


def read_seed(path: Path, columns: Iterable[str], shown: str) -> pd.DataFrame:
    """The seed as text (blank cells as ''), or InformationInputError naming what is missing."""
    if not path.is_file():
        raise InformationInputError(
            [f"{shown}: the file is missing; the information map is drawn from it (docs/inputs.md)"]
        )
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.columns = [str(column).strip() for column in frame.columns]
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise InformationInputError(
            [
                f"{shown}, row 1 (the header), column {column}: the column is missing "
                f"(the header must name {', '.join(columns)})"
                for column in missing
            ]
        )
    return frame.apply(lambda column: column.str.strip())


def _where(shown: str, index: int, column: str) -> str:
    return f"{shown}, row {index + 2}, column {column}"


def _duplicates(frame: pd.DataFrame, column: str, shown: str) -> list[str]:
    problems = []
    first: dict[str, int] = {}
    for index, value in enumerate(frame[column]):
        if value and value in first:
            problems.append(
                f"{_where(shown, index, column)}: '{value}' is already used in row "
                f"{first[value] + 2} (rule: unique); give each row its own {column}"
            )
        first.setdefault(value, index)
    return problems


def _a(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word


def voices(text: str) -> tuple[str, ...]:
    """A voice cell's voices ('parent;child' -> ('parent', 'child')); () for none."""
    found = tuple(part.strip() for part in text.split(VOICE_SEPARATOR) if part.strip())
    return tuple(voice for voice in found if voice != "none")


def inventory_problems(inventory: pd.DataFrame, kinds: Iterable[str], shown: str) -> list[str]:
    """Each row breaking the inventory's rules, one line each."""
    kinds = sorted(kinds)
    problems = _duplicates(inventory, "id", shown)
    for index, row in enumerate(inventory.to_dict("records")):
        for column in ("id", "name", "topic", "owner_or_service"):
            if not row[column]:
                problems.append(
                    f"{_where(shown, index, column)}: blank (rule: required); fill it in"
                )
        for column, allowed in (("level", LEVELS), ("basis", BASES)):
            if row[column] not in allowed:
                problems.append(
                    f"{_where(shown, index, column)}: '{row[column]}' is not one of "
                    f"{', '.join(allowed)} (rule: {column})"
                )
        given = [part.strip() for part in row["voice"].split(VOICE_SEPARATOR)]
        wrong = [part for part in given if part not in VOICES]
        if wrong or ("none" in given and len(given) > 1):
            problems.append(
                f"{_where(shown, index, 'voice')}: '{row['voice']}' is not one of "
                f"{', '.join(VOICES)} (rule: voice; several voices are written "
                f"'parent{VOICE_SEPARATOR}child', never with none)"
            )
        kind = row["ingested_by_chorus"]
        if kind and kind not in kinds:
            problems.append(
                f"{_where(shown, index, 'ingested_by_chorus')}: '{kind}' has no source spec "
                f"(rule: a Chorus source kind, sources/<kind>/base.yml: {', '.join(kinds)}); "
                "leave it blank for a source Chorus does not ingest"
            )
    return problems


def theory_problems(theory: pd.DataFrame, shown: str) -> list[str]:
    """Each row breaking the theory of change's rules, one line each."""
    problems = _duplicates(theory, "id", shown) + _duplicates(theory, "text", shown)
    level_of = dict(zip(theory["id"], theory["level"], strict=True))
    for index, row in enumerate(theory.to_dict("records")):
        for column in ("id", "text"):
            if not row[column]:
                problems.append(
                    f"{_where(shown, index, column)}: blank (rule: required); fill it in"
                )
        level, parent = row["level"], row["parent_id"]
        if level not in THEORY_LEVELS:
            problems.append(
                f"{_where(shown, index, 'level')}: '{level}' is not one of "
                f"{', '.join(THEORY_LEVELS)} (rule: level)"
            )
            continue
        where = _where(shown, index, "parent_id")
        if level == "vision":
            if parent:
                problems.append(f"{where}: a vision has no parent (rule: parent); blank it")
        elif not parent:
            problems.append(
                f"{where}: blank (rule: parent); {_a(level)} row names the row it serves"
            )
        elif parent not in level_of:
            problems.append(f"{where}: '{parent}' is not the id of any row (rule: parent)")
        elif level_of[parent] not in (earlier := THEORY_LEVELS[: THEORY_LEVELS.index(level)]):
            problems.append(
                f"{where}: '{parent}' is {_a(level_of[parent])} row; {_a(level)} row serves "
                f"a row of an earlier level ({', '.join(earlier)}) (rule: parent)"
            )
    return problems


def load_inventory(path: Path, kinds: Iterable[str], shown: str | None = None) -> pd.DataFrame:
    """The inventory, checked; InformationInputError with every problem otherwise."""
    shown = shown or f"seeds/{INVENTORY_FILE}"
    inventory = read_seed(path, INVENTORY_COLUMNS, shown)
    problems = inventory_problems(inventory, kinds, shown)
    if problems:
        raise InformationInputError(problems)
    return inventory


def load_theory(path: Path, shown: str | None = None) -> pd.DataFrame:
    """The theory of change, checked; InformationInputError with every problem otherwise."""
    shown = shown or f"seeds/{THEORY_FILE}"
    theory = read_seed(path, THEORY_COLUMNS, shown)
    problems = theory_problems(theory, shown)
    if problems:
        raise InformationInputError(problems)
    return theory


def outcome_problems(outcomes: Mapping[str, str], theory: pd.DataFrame, shown: str) -> list[str]:
    """Each indicator (id -> its meta.indicator.outcome) whose outcome is not the text of a
    long-term or intermediate outcome or an activity of the theory of change."""
    linkable = theory[theory["level"] != "vision"]
    texts = list(linkable["text"])
    visions = set(theory.loc[theory["level"] == "vision", "text"])
    problems = []
    for indicator_id, outcome in sorted(outcomes.items()):
        text = str(outcome or "").strip()
        if text in texts or not text:  # a blank outcome is the register check's to name
            continue
        if text in visions:
            reason = "is the vision, too broad to measure; link a long-term or intermediate outcome"
        else:
            closest = difflib.get_close_matches(text, texts, n=1, cutoff=0.5)
            reason = f"is not an outcome in {shown}" + (
                f" (closest: '{closest[0]}')" if closest else ""
            )
        problems.append(
            f"indicator {indicator_id}: meta.indicator.outcome '{text}' {reason}; write an "
            f"outcome's text exactly as the theory of change has it, or add the outcome there"
        )
    return problems


def information_line(declared: Mapping[str, dict], seeds: Path, kinds: Iterable[str]) -> str | None:
    """The one line naming every problem of the inventory, the theory of change, and the
    indicators' outcomes (`declared`: indicator id -> meta.indicator), or None."""
    problems: list[str] = []
    try:
        load_inventory(seeds / INVENTORY_FILE, kinds)
    except InformationInputError as error:
        problems += error.problems
    try:
        theory = load_theory(seeds / THEORY_FILE)
    except InformationInputError as error:
        problems += error.problems
    else:
        outcomes = {key: str(meta.get("outcome") or "") for key, meta in declared.items()}
        problems += outcome_problems(outcomes, theory, f"seeds/{THEORY_FILE}")
    if not problems:
        return None
    return (
        "the information map's inputs break their rules, so nothing was built or published: "
        + " | ".join(problems)
        + " (docs/inputs.md, The information inventory and the theory of change)"
    )
