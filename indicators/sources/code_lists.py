"""Check a spec's `code_lists:` and build its `CodeList`s: each problem is one line naming the
file, the key path and what is wrong (collected by `indicators.sources.check`)."""

from __future__ import annotations

from typing import Any

from indicators.sources.spec import CodeList
from indicators.sources.value_rules import text as _text

CODE_LIST_KEYS = {"codes", "rule", "message", "blank", "synonyms", "normalise", "doc"}


def code_lists(entries: Any, shown: str, problems: list[str]) -> dict[str, CodeList]:
    if not isinstance(entries, dict):
        problems.append(f"{shown}: code_lists: must map a list's name to its codes")
        return {}
    lists = {}
    for name, entry in entries.items():
        where = f"{shown}: code_lists.{name}"
        made = code_list(str(name), entry, where, problems)
        if made is not None:
            lists[str(name)] = made
    return lists


def code_list(name: str, entry: Any, where: str, problems: list[str]) -> CodeList | None:
    if not isinstance(entry, dict):
        problems.append(f"{where}: must be a mapping with codes:, rule: and message:")
        return None
    for key in sorted(set(entry) - CODE_LIST_KEYS, key=str):
        problems.append(f"{where}.{key}: not a key of a code list ({', '.join(CODE_LIST_KEYS)})")
    codes: dict[str, str] = {}
    for position, code in enumerate(entry.get("codes") or []):
        if not isinstance(code, dict) or "code" not in code:
            problems.append(f"{where}.codes[{position}]: needs code: (and name: its meaning)")
            continue
        value = str(code["code"])
        if value in codes:
            problems.append(f"{where}.codes[{position}]: code '{value}' is listed twice")
        codes[value] = str(code.get("name", value))
    if not codes:
        problems.append(f"{where}.codes: a code list needs at least one code")
    for key in ("rule", "message"):
        if not entry.get(key):
            problems.append(f"{where}.{key}: missing (the rule's name and its message)")
    message = _text(entry.get("message"))
    try:
        message.format(codes="", code_list="")
    except (KeyError, IndexError, ValueError, AttributeError, TypeError):
        problems.append(f"{where}.message: may use only {{codes}} and {{code_list}}")
    blank = entry.get("blank")
    if blank is not None and str(blank) not in codes:
        problems.append(f"{where}.blank: '{blank}' is not one of its codes")
    synonyms = {str(k).upper(): str(v) for k, v in (entry.get("synonyms") or {}).items()}
    for spelling, code in synonyms.items():
        if code not in codes:
            problems.append(f"{where}.synonyms: {spelling} reads as '{code}', not a code")
    if entry.get("normalise") not in (None, "snake_case"):
        problems.append(f"{where}.normalise: only snake_case is known")
    return CodeList(
        name=name,
        codes=codes,
        rule=str(entry.get("rule", "")),
        message=message,
        blank=None if blank is None else str(blank),
        synonyms=synonyms,
        normalise=entry.get("normalise"),
        doc=_text(entry.get("doc")),
    )
