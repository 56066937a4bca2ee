"""The optional keys of a source spec that describe how its rows relate beyond one row:
`declared_start`, `also_keys`, `key.across_periods` and `placement`. Each problem is one line
naming the file, the key path and what is wrong, appended to `problems` (see `check`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from indicators.sources.spec import PLACEMENTS, Key
from indicators.sources.value_rules import text as _text


def declared_start(data: Mapping[str, Any], shown: str, problems: list[str]) -> tuple:
    """`declared_start: {seed, column}` of a `starts_late` source, as (seed, column)."""
    declared = data.get("declared_start")
    if not declared:
        return ()
    if not isinstance(declared, dict) or not declared.get("seed") or not declared.get("column"):
        problems.append(f"{shown}: declared_start: a mapping with seed and column")
        return ()
    if not data.get("starts_late"):
        problems.append(f"{shown}: declared_start: only for a source that says starts_late")
    return (str(declared["seed"]), str(declared["column"]))


def declared_start_per(
    data: Mapping[str, Any], names: Any, shown: str, problems: list[str]
) -> tuple:
    """`declared_start: {..., per, due_with}`: each value of the seed's `per` column (a team)
    began at its own start, and from then a period whose files hold none of its rows, while
    the `due_with` source has its rows that period, is counted as not landed (a file holding
    only some teams' rows). As (per, due_with); () when not declared."""
    declared = data.get("declared_start")
    if not isinstance(declared, dict) or not (declared.get("per") or declared.get("due_with")):
        return ()
    if not declared.get("per") or not declared.get("due_with"):
        problems.append(f"{shown}: declared_start: per and due_with go together")
        return ()
    if str(declared["per"]) not in names:
        problems.append(f"{shown}: declared_start.per: '{declared['per']}' is not a column")
        return ()
    return (str(declared["per"]), str(declared["due_with"]))


def also_keys(data: Mapping[str, Any], names: Any, shown: str, problems: list[str]) -> tuple:
    """`also_keys:` of a standalone source: a list of {columns, rule, message, doc}, each
    unique on its own across a period's files (a linkage file's one UPN per NHS number
    beside its one NHS number per UPN)."""
    entries = data.get("also_keys") or []
    if not entries:
        return ()
    if data.get("stream") != "standalone":
        problems.append(f"{shown}: also_keys: only a standalone source (stream: standalone)")
        return ()
    if not isinstance(entries, list):
        problems.append(f"{shown}: also_keys: a list of {{columns:, rule:, message:}}")
        return ()
    keys = []
    for position, entry in enumerate(entries):
        where = f"{shown}: also_keys[{position}]"
        if not isinstance(entry, dict) or not entry.get("columns") or not entry.get("rule"):
            problems.append(f"{where}: needs columns: and rule:")
            continue
        stray = sorted(str(key) for key in set(entry) - {"columns", "rule", "message", "doc"})
        if stray:
            problems.append(f"{where}: {', '.join(stray)}: not a key (columns, rule, message, doc)")
            continue
        columns = tuple(str(name) for name in entry["columns"])
        for name in columns:
            if name not in names:
                problems.append(f"{where}.columns: '{name}' is not a column of the spec")
        keys.append(
            Key(columns, str(entry["rule"]), _text(entry.get("message")), _text(entry.get("doc")))
        )
    return tuple(keys)


def key_across_periods(
    data: Mapping[str, Any], columns: tuple[str, ...], shown: str, problems: list[str]
) -> Key | None:
    """`key: across_periods: {rule, message}`: the key once across every period loaded, not
    only within a period's files (a standalone source counted by month, say); `message` may
    use {places} (the rows in other periods)."""
    key = data.get("key")
    entry = key.get("across_periods") if isinstance(key, dict) else None
    if entry is None:
        return None
    where = f"{shown}: key.across_periods"
    if data.get("stream") != "standalone" or not columns:
        problems.append(f"{where}: only a standalone source's key (stream: standalone)")
        return None
    if not isinstance(entry, dict) or not entry.get("rule"):
        problems.append(f"{where}: needs rule: (and a message: with {{places}})")
        return None
    stray = sorted(str(name) for name in set(entry) - {"rule", "message"})
    if stray:
        problems.append(f"{where}: {', '.join(stray)}: not a key (rule, message)")
        return None
    if str(entry["rule"]) == str(key.get("rule", "")):
        problems.append(f"{where}.rule: must differ from key.rule (each names its own defect)")
        return None
    return Key(columns, str(entry["rule"]), _text(entry.get("message")))


def placement_problems(
    placement: Mapping[str, Any],
    data: Mapping[str, Any],
    names: Any,
    shown: str,
    problems: list[str],
) -> None:
    """`placement:` by postcode sector (or `via:` another source's postcode), by team or
    district (`column:` checked against seeds/teams.csv or seeds/districts.csv; by team,
    `within: authority` when the source's teams are counted directly in their authority,
    never in a district) or LA-wide (`authority:` the LA number column, checked against
    seeds/local_authorities.csv)."""
    if not placement:
        return
    method = placement.get("method")
    if method not in PLACEMENTS:
        problems.append(
            f"{shown}: placement.method: '{method}' must be one of {', '.join(PLACEMENTS)}"
        )
        return
    for key in ("column", "neighbourhood", "authority"):
        if key in placement and placement[key] not in names:
            problems.append(f"{shown}: placement.{key}: '{placement[key]}' is not a column")
    if method != "postcode_sector":
        wanted = "authority" if method == "la_wide" else "column"
        holding = "the LA number" if method == "la_wide" else f"the {method} code"
        own = ("method", wanted, "doc", *(("within",) if method == "team" else ()))
        extra = sorted(key for key in placement if key not in own)
        if data.get("stream") != "standalone":
            problems.append(
                f"{shown}: placement.method: '{method}' places rows of a standalone source "
                "only (stream: standalone); this one is loaded by its own stream"
            )
        elif wanted not in placement:
            problems.append(
                f"{shown}: placement.{wanted}: missing: name the column holding {holding}"
            )
        elif extra:
            problems.append(
                f"{shown}: placement.{extra[0]}: not used by method {method} (it takes "
                f"only {wanted}:" + (" and within:)" if method == "team" else ")")
            )
        elif placement.get("within", "authority") != "authority":
            problems.append(
                f"{shown}: placement.within: '{placement['within']}' must be authority (the "
                "teams are counted directly in their authority, never in a district), or "
                "left out"
            )
        return
    if "within" in placement:  # a team's district is no postcode's
        problems.append(
            f"{shown}: placement.within: not used by method postcode_sector (only by team)"
        )
    needed = ("column", "neighbourhood") if data.get("items") else ("column",)
    if "via" not in placement:  # EYFSP: placed through the census's postcode
        for key in (key for key in needed if key not in placement):
            problems.append(
                f"{shown}: placement.{key}: missing: name the column "
                + (
                    "holding the postcode (or sector)"
                    if key == "column"
                    else "holding the neighbourhood"
                )
            )
