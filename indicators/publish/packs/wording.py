"""Words and numbers as a pack prints them: what each count unit means, the EES symbols and
their key, polarity and trend words, units beside numbers, periods, folder names.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

from indicators import stats as st
from indicators.disclosure import (
    LOW,
    LOW_RELIABILITY,
    NOT_APPLICABLE,
    NOT_AVAILABLE,
    SUPPRESSED,
)
from indicators.publish.period_keys import key_text

SYMBOL_KEY: tuple[tuple[str, str], ...] = (
    (
        SUPPRESSED,
        "Confidential: not shown, because it rests on a small number of children or "
        "families, or could be used to work one out.",
    ),
    (
        NOT_AVAILABLE,
        "Not available: there is no figure (for example, no England figure for a survey question).",
    ),
    (
        NOT_APPLICABLE,
        "Not applicable: the measure does not apply (for example, the trend test "
        "is only for percentages).",
    ),
    (LOW, "Rounds to zero but is not zero."),
    (
        LOW_RELIABILITY,
        "Low reliability: a survey result from fewer than twice the minimum "
        "number of respondents. Read it with care.",
    ),
)
SYMBOLS = frozenset(symbol for symbol, _ in SYMBOL_KEY)
SYMBOL_WORDS = {
    SUPPRESSED: "not shown",
    NOT_AVAILABLE: "not available",
    NOT_APPLICABLE: "not applicable",
    LOW: "rounds to zero",
    LOW_RELIABILITY: "low reliability",
}
MISSING_WHY = {
    SUPPRESSED: "not shown (c), to protect the privacy of the few children or families behind "
    "it or a figure beside it",
    NOT_AVAILABLE: "not available (x)",
    NOT_APPLICABLE: "not applicable (z)",
}
"""Why a figure is missing, said once (the symbol and its reason, never the symbol twice)."""


POLARITY_WORDS = {
    st.HIGH_IS_GOOD: "Higher is better",
    st.LOW_IS_GOOD: "Lower is better",
    st.BLUE_ORANGE_BLUE: "Neither higher nor lower is better in itself",
    st.NOT_APPLICABLE: "Neither higher nor lower is better in itself",
}
_TREND_WORDS = {
    SUPPRESSED: "not shown (c)",
    NOT_AVAILABLE: "not available (x)",
    NOT_APPLICABLE: "not tested (z)",
    st.COULD_NOT_BE_CALCULATED: "could not be calculated",
}


# --------------------------------------------------------------------------------------------
# Small words and numbers
# --------------------------------------------------------------------------------------------


def slugify(name: str) -> str:
    """Lower-case-hyphenated area name: 'Harrowdale (synthetic)' -> 'harrowdale-synthetic'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug or "area"


def period_label(time_period: str | int) -> str:
    """A period key in words (indicators/publish/period_keys.py): '202425' -> '2024/25' (EES
    six-digit academic years), '2024-M04' -> 'April 2024'; anything else unchanged."""
    return key_text(time_period)


def part_note(record: Mapping, short: bool = False) -> str:
    """'11 of 12 months; March 2025 not counted' for a row of a part period (board_packs
    .with_part_periods), '11 of 12 months' when `short`; '' for a whole period."""
    landed, length = record.get("months_landed", ""), record.get("months_in_period", "")
    if not landed or not length or landed == length:
        return ""
    note = f"{landed} of {length} months"
    missing = record.get("months_not_counted", "")
    return note if short or not missing else f"{note}; {missing} not counted"


def period_words(record: Mapping, short: bool = False) -> str:
    """A row's period in words, with its part-period note: 'Financial year 2024/25 (11 of
    12 months; March 2025 not counted)'."""
    note = part_note(record, short)
    return period_label(record["time_period"]) + (f" ({note})" if note else "")


def lower_first(text: str) -> str:
    """'Sex' -> 'sex' but 'FSM eligibility' and 'WellComm section' stay (a first word with a
    capital after its first letter is a name or an acronym), and so do 'Voice Note' and
    'Pathway Plan topic' (a later word with a capital: the words are a name)."""
    first, *rest = text.split(" ")
    named = any(word[:1].isupper() for word in rest)
    return (
        text
        if named or len(first) < 2 or first != first[:1] + first[1:].lower()
        else (text[:1].lower() + text[1:])
    )


def count_text(text: str) -> str:
    """A published count with thousands separators; symbols unchanged."""
    return f"{int(float(text)):,}" if re.fullmatch(r"\d+(\.0+)?", text) else text


def _decimals(text: str) -> int:
    return len(text.split(".", 1)[1]) if "." in text else 0


def unit_suffix(unit: str) -> str:
    """What follows a number of this unit in running text ('%' for '%', '% of answers'...,
    or nothing)."""
    return "%" if unit.strip().startswith("%") else ""


def with_unit_suffix(text: str, unit: str) -> str:
    """'55.2' -> '55.2%'; a symbol stays bare."""
    return text + unit_suffix(unit) if text not in SYMBOLS else text


def unit_label(unit: str) -> str:
    unit = unit.strip()
    return "%" if unit == "%" else unit


def sheet_format(text: str, unit: str, count: bool = False) -> str:
    decimals = _decimals(text)
    base = "#,##0" if count else "0"
    number = base + ("." + "0" * decimals if decimals else "")
    return number + '"%"' if unit_suffix(unit) and not count else number


def valid_polarity(polarity: str) -> str:
    return polarity if polarity in st.POLARITIES else st.NOT_APPLICABLE


def count_units(meta: Mapping[str, str]) -> tuple[str, str]:
    """What the indicator's numerator and denominator count (register numerator_unit and
    denominator_unit: children, families, answers or score).

    Raises ValueError when the register does not say: a pack never guesses a unit.
    """
    units = (
        str(meta.get("numerator_unit", "")).strip(),
        str(meta.get("denominator_unit", "")).strip(),
    )
    if not all(units):
        raise ValueError(
            f"the register gives no numerator_unit or denominator_unit for "
            f"{meta.get('indicator_id', 'an indicator')}: every indicator "
            "declares what it counts"
        )
    return units


def count_heading(meta: Mapping[str, str]) -> tuple[str, tuple[str, ...]]:
    """The count column's heading and its spreadsheet headings, named by the units.

    'Children' (n of d) when both count children; 'Families / children' when a number of
    families is set against a number of children; for an average, what it is over.
    """
    numerator, denominator = count_units(meta)
    if meta.get("value_type") in ("mean", "median"):
        return denominator.capitalize(), (denominator.capitalize(),)
    if numerator == denominator:
        return numerator.capitalize(), (
            f"{numerator.capitalize()}: counted",
            f"{denominator.capitalize()}: all",
        )
    return (
        f"{numerator.capitalize()} / {denominator}",
        (f"{numerator.capitalize()}: counted", f"{denominator.capitalize()}: all"),
    )


def trend_words(code: str) -> str:
    """The published `recent_trend` as plain words."""
    code = code.strip()
    return _TREND_WORDS.get(code, code or _TREND_WORDS[NOT_AVAILABLE])


def join_words(words: Sequence[str]) -> str:
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]
