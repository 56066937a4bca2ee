"""Nothing an outsider could find between the Early Help figures is missing from their
declarations (issue 16), as tests/test_disclosure_completeness.py does for the school
readiness cohorts: without reading any declaration, search the figures of several generated
Early Help landings (tests/early_help_landing.py, computed independently by
tests/independent_early_help.py) for counts that are always equal (same area and year, any
indicators, breakdowns and groups), a count that always equals the sum of a breakdown's
groups, and a district's or authority's count that always equals the sum of its teams' or
districts'; and require each to follow from the declarations as the attacker reads them
(tests/attacker.py: with every count hidden, the relation holds in every solution). The
financial-year indicators; their quarters and months are held to them by parts_of_year
(tests/test_disclosure_parts_of_year.py)."""

from collections import defaultdict

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from tests import early_help_landing
from tests.attacker import Attacker, declarations
from tests.independent_early_help import INDICATORS, indicators

YEARLY = sorted(i for i in INDICATORS if not i.endswith(("_monthly", "_quarterly")))
LEVELS = ("Team", "Local authority district", "Local authority")
COUNTS = ("numerator", "denominator", "complement")
LA = "E06000999"


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> list[tuple[pd.DataFrame, dict[str, str]]]:
    tables = []
    for seed in (1, 2, 3, 4):
        landing = tmp_path_factory.mktemp(f"early-help-{seed}")
        (landing / "seeds").mkdir()
        pd.DataFrame(
            [{"team_code": "LC-N", "team_name": "Leaving care", "new_la_code": LA}]
        ).to_csv(landing / "seeds" / "teams.csv", index=False)
        early_help_landing.write(landing, seed=seed)
        table = indicators(landing).rename(
            columns={f"{c}_expected": c for c in ("numerator", "denominator", "value")}
        )
        table = table[table["indicator_id"].isin(YEARLY)].reset_index(drop=True)
        parents = {team: district for team, (_, district) in early_help_landing.TEAMS.items()}
        parents |= {district: LA for district in early_help_landing.DISTRICTS}
        tables.append((table, parents))
    return tables


def _wide(tables: list[pd.DataFrame], level: str) -> pd.DataFrame:
    """Instances (table, year, area) by count templates (indicator, count, breakdown, group);
    a median's numerator is no count and is left out."""
    frames = []
    for number, table in enumerate(tables):
        cells = table[table["geographic_level"] == level].assign(
            complement=lambda f: f["denominator"] - f["numerator"], table=number
        )
        frames.append(
            cells.melt(
                id_vars=["table", "indicator_id", "time_period", "area_code", "breakdown", "group"],
                value_vars=list(COUNTS),
                var_name="count",
                value_name="amount",
            ).dropna(subset=["amount"])
        )
    long = pd.concat(frames, ignore_index=True)
    return long.pivot_table(
        index=["table", "time_period", "area_code"],
        columns=["indicator_id", "count", "breakdown", "group"],
        values="amount",
        aggfunc="first",
    )


def _signature(vector: np.ndarray) -> tuple:
    return tuple(None if np.isnan(v) else float(v) for v in vector)


def _informative(vector: np.ndarray) -> bool:
    known = vector[~np.isnan(vector)]
    return (known != 0).sum() >= 5 and len(np.unique(known)) >= 3


def candidates(generated) -> list[tuple]:
    """(level, [(template, role)], template): role 'same' (the same area) or 'parts' (summed
    over the areas whose parent it is)."""
    tables = [table for table, _ in generated]
    parents = generated[0][1]
    found = []
    wide = {level: _wide(tables, level) for level in LEVELS}
    for level, columns in wide.items():
        index: dict[tuple, list] = defaultdict(list)
        for column in columns.columns:
            vector = columns[column].to_numpy(dtype=float)
            if _informative(vector):
                index[_signature(vector)].append(column)
        for equal in index.values():
            found += [(level, [(equal[0], "same")], other) for other in equal[1:]]
        groups = defaultdict(list)
        for column in columns.columns:
            groups[column[:3]].append(column)
        for (_, _, breakdown), members in groups.items():
            if len(members) < 2 or breakdown == "All":
                continue
            total = columns[members].fillna(0).sum(axis=1).to_numpy(dtype=float)
            found += [(level, [(m, "same") for m in members], o) for o in index[_signature(total)]]
        if level == "Team":
            continue
        child = LEVELS[LEVELS.index(level) - 1]
        parts = wide[child]
        grouper = [
            parts.index.get_level_values(0),
            parts.index.get_level_values(1),
            pd.Index([parents[a] for a in parts.index.get_level_values(2)], name="area_code"),
        ]
        for column in parts.columns:
            summed = parts[column].groupby(grouper).sum(min_count=1).reindex(columns.index)
            for other in index.get(_signature(summed.to_numpy(dtype=float)), []):
                found.append((level, [(column, "parts")], other))
    return found


def implied(relation: tuple, table: pd.DataFrame, parents: dict[str, str], meta) -> bool:
    """Whether left - right is 0 in every solution of the attacker's programme for the
    table's first year with every count hidden, in every area of the relation's level."""
    level, left, right = relation
    year = sorted(table["time_period"].unique())[-1]
    rows = table[table["time_period"] == year]
    hidden = rows.assign(
        numerator=np.where(rows["numerator"].isna(), "z", "c"), denominator="c", value="c"
    ).astype(str)
    programme, counts, _ = Attacker(hidden, parents, 10, meta=meta).programme(hidden)
    size = len(programme.floor)
    a_ub, b_ub, a_eq, b_eq = [], [], [], []
    for row, lower, upper in zip(programme.rows, programme.lower, programme.upper, strict=True):
        vector = np.zeros(size)
        for variable, coefficient in row.items():
            vector[variable] = coefficient
        if lower == upper:
            a_eq.append(vector), b_eq.append(lower)
            continue
        if np.isfinite(upper):
            a_ub.append(vector), b_ub.append(upper)
        if np.isfinite(lower):
            a_ub.append(-vector), b_ub.append(-lower)
    areas = sorted(set(rows.loc[rows["geographic_level"] == level, "area_code"]))
    for where in areas:
        objective, present = np.zeros(size), False
        for sign, terms in ((1, left), (-1, [(right, "same")])):
            for (indicator, count, breakdown, group), role in terms:
                sites = (
                    [a for a, p in parents.items() if p == where] if role == "parts" else [where]
                )
                for site in sites:
                    cell = counts.get((indicator, site, breakdown, group))
                    if cell is not None:
                        present = True
                        for variable, coefficient in cell[count][0].items():
                            objective[variable] += sign * coefficient
        if not present or not objective.any():
            continue
        for direction in (1, -1):
            solved = linprog(
                direction * objective,
                A_ub=np.array(a_ub) if a_ub else None,
                b_ub=np.array(b_ub) if b_ub else None,
                A_eq=np.array(a_eq) if a_eq else None,
                b_eq=np.array(b_eq) if b_eq else None,
                bounds=[(0, None)] * size,
                method="highs",
            )
            if solved.status != 0 or abs(solved.fun) > 1e-6:
                return False
    return True


@pytest.mark.slow
def test_every_equality_or_sum_between_early_help_counts_is_declared(generated):
    relations = candidates(generated)
    kinds = {(level, terms[0][1]) for level, terms, _ in relations}
    assert ("Local authority", "parts") in kinds and ("Team", "same") in kinds, kinds
    table, parents = generated[0]
    meta = declarations()
    missing = [r for r in relations if not implied(r, table, parents, meta)]
    print(f"\n{len(relations)} equalities and sums found; {len(missing)} not declared")
    assert not missing, "\n".join(f"{r[0]}: {r[1]} = {r[2]}" for r in missing[:20])


def test_the_search_finds_a_relation_the_declarations_leave_out(generated):
    """Without the before-the-hub denominator's equality to the hub-meeting denominator (all
    the referrals), the search reports it (the test has teeth)."""
    meta = declarations()
    rules = meta["eh_voice_note_before_hub"]["relations"]["rules"]
    meta["eh_voice_note_before_hub"] = {
        **meta["eh_voice_note_before_hub"],
        "relations": {
            **meta["eh_voice_note_before_hub"]["relations"],
            "rules": [r for r in rules if r.get("kind") != "equal"],
        },
    }
    table, parents = generated[0]
    missing = [r for r in candidates(generated) if not implied(r, table, parents, meta)]
    named = {t[0] for _, left, right in missing for t in [right, *(t for t, _ in left)]}
    assert {"eh_voice_note_before_hub", "eh_hub_meeting_recorded"} <= named, missing
