"""The indicator register: each indicator's metadata, read from the dbt manifest.

An indicator is one dbt model under models/indicators/ with its YAML `meta.indicator`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from indicators.disclosure import IndicatorShape

REQUIRED_META = (
    "indicator_id", "title", "definition", "rationale", "domain", "source_type",
    "numerator_definition", "numerator_source", "denominator_definition",
    "denominator_source", "value_type", "unit", "polarity", "ci_method", "disclosure_rule",
    "frequency", "caveats", "outcome", "co_designed_by", "co_designed_on",
)
POLARITIES = ("RAG - High is good", "RAG - Low is good", "BOB - Blue orange blue",
              "Not applicable")
VALUE_TYPES = ("proportion", "mean")
SOURCE_TYPES = ("statutory", "voice", "linked")


def indicator_nodes(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return sorted(
        (node for node in manifest["nodes"].values()
         if node["resource_type"] == "model" and len(node["fqn"]) > 2
         and node["fqn"][1] == "indicators"),
        key=lambda node: node["name"],
    )


def load_register(manifest_path: Path) -> pd.DataFrame:
    """One row per indicator: its model name and every metadata field."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    rows = []
    for node in indicator_nodes(manifest):
        meta = dict(node.get("config", {}).get("meta", {}).get("indicator", {}))
        rows.append({"model": node["name"], **meta})
    return pd.DataFrame(rows)


def metadata_problems(register: pd.DataFrame) -> list[str]:
    """What is missing or invalid in the register, one message per problem."""
    problems = []
    for row in register.to_dict("records"):
        model = row["model"]
        for field in REQUIRED_META:
            value = row.get(field)
            if value is None or (isinstance(value, float) and pd.isna(value)) or \
                    not str(value).strip():
                problems.append(f"{model}: meta.indicator.{field} is missing")
        checks = (("polarity", POLARITIES), ("value_type", VALUE_TYPES),
                  ("source_type", SOURCE_TYPES))
        for field, allowed in checks:
            if row.get(field) and row[field] not in allowed:
                problems.append(f"{model}: meta.indicator.{field} '{row[field]}' is not one of "
                                f"{', '.join(allowed)}")
    ids = register["indicator_id"] if "indicator_id" in register else pd.Series(dtype=str)
    for duplicate in ids[ids.duplicated()].unique():
        problems.append(f"indicator_id '{duplicate}' is used by more than one model")
    return problems


def shapes(register: pd.DataFrame) -> dict[str, IndicatorShape]:
    """How disclosure control and rounding treat each indicator's numbers."""
    result = {}
    for row in register.to_dict("records"):
        score_max = row.get("score_max")
        result[row["indicator_id"]] = IndicatorShape(
            value_type=row["value_type"],
            score_max=float(score_max) if score_max and not pd.isna(score_max) else 1.0,
            decimals=int(row.get("decimals") or 1),
        )
    return result
