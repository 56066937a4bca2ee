"""Nothing an outsider could find is missing from the declarations.

The attacker, like the suppressor, knows only the relations the indicators declare. An
outsider would look for more: exact equalities and sums between published counts that hold
whatever the data. So, without reading any declaration, these tests search the unsuppressed
tables of many generated cohorts (and of the end-to-end run) for

- two counts that are always equal (numerators, denominators and complements, in the same
  area and year, of any indicators, breakdowns and groups);
- a count that always equals the sum of the groups of a breakdown (of any indicator);
- an authority's count that always equals the sum of a count over its neighbourhoods;

and require each to follow from the declarations (as the attacker reads them: the relation
must hold in every solution of its programme for a table with every count hidden).

The generated cohorts come from an independent computation (tests/independent.py); the
first test holds that computation to Chorus's own table, cell by cell, on the end-to-end run,
so relations found in the cohorts are relations of Chorus's tables.
"""

from collections import defaultdict
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog
from scipy.sparse import csr_array

from tests import (
    independent,
    independent_care_leavers,
    independent_early_communication,
    independent_early_help,
)
from tests.attacker import Attacker
from tests.cohorts import META, cohort, people_of

ROOT = Path(__file__).resolve().parents[1]
KEY = ["indicator_id", "time_period", "geographic_level", "area_code", "breakdown", "group"]
COUNTS = ("numerator", "denominator", "complement")
COHORTS = [  # varied sizes, areas, survey reach and rare groups
    dict(seed=s, years=2, authorities=a, hoods=h, per_year=n, heard=r, rare=q, lean=0.85)
    for s, a, h, n, r, q in [
        (1, 1, 3, 400, 0.3, 0.05),
        (2, 2, 2, 150, 0.8, 0.02),
        (3, 1, 4, 60, 0.3, 0.2),
        (4, 2, 3, 400, 0.1, 0.01),
        (5, 1, 2, 150, 0.8, 0.05),
        (6, 2, 4, 400, 0.3, 0.02),
        (7, 1, 3, 150, 0.3, 0.1),
        (8, 2, 1, 400, 0.3, 0.05),
    ]
]


def test_the_independent_computation_is_chorus_cell_by_cell(pipeline_run):
    """Every cell of Chorus's unsuppressed indicator table, and no other, with the same
    numerator and denominator, computed from the landed files with plain pandas."""
    children = independent.children(pipeline_run.landing)
    respondents, answers = independent.voice_frames(pipeline_run.landing, children)
    mine = independent.all_indicator_values(children, respondents, answers)
    with duckdb.connect(str(pipeline_run.settings.warehouse), read_only=True) as connection:
        chorus = connection.execute(
            "select indicator_id, time_period, time_identifier, geographic_level, area_code,"
            ' breakdown, "group", numerator, denominator from marts.fct_indicator_values'
        ).df()
    # a year, or a quarter of a financial year: the key of a cell includes its part of the year
    key = KEY + ["time_identifier"]
    mine = mine.assign(time_identifier="Academic year")
    # Worked out from the landed files by their own tests, not here: the deprivation context
    # (tests/test_deprivation.py: LSOA lookups, census and IDACI files) and the consent rates
    # (tests/test_voice_indicators.py: counted at the door, refusals included)
    elsewhere = {
        "households_deprived_two_plus",
        "children_idaci_most_deprived",
        "child_mdh_local",
        "gld_by_idaci_quintile",
        "voice_consent_quote",
        "voice_consent_link",
        "voice_no_consent_aggregate",
    }
    assert elsewhere <= set(META), elsewhere - set(META)
    chorus = chorus[~chorus["indicator_id"].isin(elsewhere)]
    expected_ids = set(META) - elsewhere
    # the care leavers' indicators (issue 14), when the run landed their returns
    cared_for = chorus[chorus["indicator_id"].isin(independent_care_leavers.INDICATORS)]
    if (pipeline_run.landing / "care_leavers").is_dir():
        la_code = cared_for.loc[
            cared_for["geographic_level"] == "Local authority", "area_code"
        ].unique()
        assert len(la_code) == 1, la_code
        care = independent_care_leavers.indicators(pipeline_run.landing, str(la_code[0]))
        care = care.assign(time_identifier="Financial year")
        mine = pd.concat([mine, care[key + ["numerator", "denominator"]]], ignore_index=True)
    else:
        assert cared_for.empty
        expected_ids -= independent_care_leavers.INDICATORS
    # the early-communication indicators (issue 15), when the run landed the health files
    early_ids = independent_early_communication.INDICATORS
    if (pipeline_run.landing / "health_visitor_reviews").is_dir():
        early = independent_early_communication.indicators(pipeline_run.landing).rename(
            columns={"numerator_expected": "numerator", "denominator_expected": "denominator"}
        )
        mine = pd.concat([mine, early[key + ["numerator", "denominator"]]], ignore_index=True)
    else:
        assert chorus[chorus["indicator_id"].isin(early_ids)].empty
        expected_ids -= early_ids
    # the Early Help indicators (issue 16), when the run landed the referrals
    help_ids = {i for i in META if i.startswith("eh_")}
    if (pipeline_run.landing / "early_help_referrals").is_dir():
        helped = pd.concat(
            [
                independent_early_help.indicators(pipeline_run.landing),
                independent_early_help.practitioners(
                    pipeline_run.landing,
                    pipeline_run.landing / "seeds" / "voice_note_survey_items.csv"
                    if (pipeline_run.landing / "seeds" / "voice_note_survey_items.csv").exists()
                    else ROOT / "seeds" / "voice_note_survey_items.csv",
                ),
            ],
            ignore_index=True,
        ).rename(columns={"numerator_expected": "numerator", "denominator_expected": "denominator"})
        mine = pd.concat([mine, helped[key + ["numerator", "denominator"]]], ignore_index=True)
    else:
        assert chorus[chorus["indicator_id"].isin(help_ids)].empty
        expected_ids -= help_ids
    mine["time_period"] = mine["time_period"].astype(str)
    chorus["time_period"] = chorus["time_period"].astype(str)
    assert not mine.duplicated(key).any()
    joined = mine.merge(chorus, on=key, how="outer", suffixes=("", "_chorus"), indicator=True)
    assert (joined["_merge"] == "both").all(), joined[joined["_merge"] != "both"][key]
    assert set(joined["indicator_id"]) == expected_ids
    no_count = joined["numerator"].isna() & joined["numerator_chorus"].isna()  # a median's
    assert ((joined["numerator"] == joined["numerator_chorus"]) | no_count).all()
    assert (joined["denominator"] == joined["denominator_chorus"]).all()


def _columns(tables: list[pd.DataFrame], level: str) -> pd.DataFrame:
    """Instances (cohort, year, area) by count templates (indicator, count, breakdown,
    group) at one level; a missing cell is 0 where the indicator has cells of that breakdown
    at that level in that cohort and year, else unknown (NaN)."""
    frames = []
    for number, table in enumerate(tables):
        cells = table[table["geographic_level"] == level].assign(
            complement=lambda f: f["denominator"] - f["numerator"], cohort=number
        )
        long = cells.melt(
            id_vars=["cohort", *KEY], value_vars=list(COUNTS), var_name="count", value_name="amount"
        )
        frames.append(long)
    long = pd.concat(frames, ignore_index=True)
    wide = long.pivot_table(
        index=["cohort", "time_period", "area_code"],
        columns=["indicator_id", "count", "breakdown", "group"],
        values="amount",
        aggfunc="first",
    )
    shown = long.groupby(["cohort", "time_period", "indicator_id", "breakdown"]).size()
    for column in wide.columns:
        indicator, _, breakdown, _ = column
        keys = list(
            zip(wide.index.get_level_values(0), wide.index.get_level_values(1), strict=True)
        )
        published = np.array([(c, y, indicator, breakdown) in shown.index for c, y in keys])
        wide[column] = np.where(wide[column].isna() & published, 0.0, wide[column])
    return wide


def _informative(vector: np.ndarray) -> bool:
    known = vector[~np.isnan(vector)]
    return (known != 0).sum() >= 5 and len(np.unique(known)) >= 3


def _signature(vector: np.ndarray) -> tuple:
    return tuple(None if np.isnan(v) else float(v) for v in vector)


def candidate_relations(tables: list[pd.DataFrame]) -> list[tuple]:
    """(level, left terms, right template) found to hold in every instance. Terms are
    (template, area role) with role 'same' or 'neighbourhoods' (summed over an authority's
    neighbourhoods)."""
    found = []
    levels = {level: _columns(tables, level) for level in ("Local authority", "Neighbourhood")}
    for level, wide in levels.items():
        index: dict[tuple, list] = defaultdict(list)
        for column in wide.columns:
            vector = wide[column].to_numpy(dtype=float)
            if _informative(vector):
                index[_signature(vector)].append(column)
        for columns in index.values():  # two counts always equal
            found += [(level, [(columns[0], "same")], other) for other in columns[1:]]
        groups = defaultdict(list)
        for column in wide.columns:
            groups[column[:3]].append(column)
        for (_, _, breakdown), members in groups.items():  # sums of a breakdown's groups
            if len(members) < 2 or breakdown == "All":
                continue
            total = wide[members].fillna(0).sum(axis=1).to_numpy(dtype=float)
            for other in index.get(_signature(total), []):
                found.append((level, [(m, "same") for m in members], other))
    hoods, authorities = levels["Neighbourhood"], levels["Local authority"]
    index = defaultdict(list)
    for column in authorities.columns:
        vector = authorities[column].to_numpy(dtype=float)
        if _informative(vector):
            index[_signature(vector)].append(column)
    parent = {}
    for number, table in enumerate(tables):
        for area in table.loc[table["geographic_level"] == "Neighbourhood", "area_code"]:
            parent[(number, area)] = table.attrs["parents"][area]
    grouper = [
        hoods.index.get_level_values(0),
        hoods.index.get_level_values(1),
        pd.Index([parent[(c, a)] for c, _, a in hoods.index], name="area_code"),
    ]
    for column in hoods.columns:  # an authority's count as a sum over its neighbourhoods
        summed = hoods[column].groupby(grouper).sum(min_count=1)
        summed.index.names = authorities.index.names
        summed = summed.reindex(authorities.index)
        for other in index.get(_signature(summed.to_numpy(dtype=float)), []):
            found.append(("Local authority", [(column, "neighbourhoods")], other))
    return found


class Outsider:
    """The attacker's programme for each year and authority of a table with every count
    hidden, as linear programmes ready to ask: does this relation always hold?"""

    def __init__(
        self, table: pd.DataFrame, parents: dict[str, str], meta: dict[str, dict] | None = None
    ) -> None:
        self.parents = parents
        self.systems = []
        tops = table["area_code"].map(lambda a: parents.get(a, a))
        for (_, top), rows in table.groupby(["time_period", tops]):
            hidden = rows.assign(numerator="c", denominator="c", value="c").astype(str)
            programme, counts, _ = Attacker(hidden, parents, 10, meta=meta or META).programme(
                hidden
            )
            size = len(programme.floor)
            a_ub, b_ub, a_eq = [], [], []
            for row, lower, upper in zip(
                programme.rows, programme.lower, programme.upper, strict=True
            ):
                vector = np.zeros(size)
                for variable, coefficient in row.items():
                    vector[variable] = coefficient
                if lower == upper:
                    a_eq.append(vector)
                    continue
                if np.isfinite(upper):
                    a_ub.append(vector)
                    b_ub.append(upper)
                if np.isfinite(lower):
                    a_ub.append(-vector)
                    b_ub.append(-lower)
            areas = set(rows["area_code"])
            # sparse once here: linprog would convert dense matrices on every question
            self.systems.append(
                (
                    top,
                    areas,
                    counts,
                    size,
                    csr_array(np.array(a_ub)) if a_ub else None,
                    np.array(b_ub),
                    csr_array(np.array(a_eq)) if a_eq else None,
                )
            )

    def implied(self, relation: tuple) -> bool:
        """Whether left - right is 0 in every solution (its least and greatest values), in
        the first year and authority where the relation's cells exist."""
        level, left, right = relation
        for top, areas, counts, size, a_ub, b_ub, a_eq in self.systems:
            places = (
                [top]
                if level == "Local authority"
                else sorted(a for a in areas if self.parents.get(a) == top)
            )
            for where in places:
                objective = np.zeros(size)
                present = False
                for sign, terms in ((1, left), (-1, [(right, "same")])):
                    for template, role in terms:
                        indicator, count, breakdown, group = template
                        sites = (
                            [a for a in areas if self.parents.get(a) == where]
                            if role == "neighbourhoods"
                            else [where]
                        )
                        for site in sites:
                            cell = counts.get((indicator, site, breakdown, group))
                            if cell is None:
                                continue
                            present = True
                            for variable, coefficient in cell[count][0].items():
                                objective[variable] += sign * coefficient
                if not present or not objective.any():
                    continue
                for direction in (1, -1):
                    solved = linprog(
                        direction * objective,
                        A_ub=a_ub,
                        b_ub=b_ub if a_ub is not None else None,
                        A_eq=a_eq,
                        b_eq=np.zeros(a_eq.shape[0]) if a_eq is not None else None,
                        bounds=[(0, None)] * size,
                        method="highs",
                    )
                    if solved.status != 0 or abs(solved.fun) > 1e-6:
                        return False
                return True
        return False


@pytest.fixture(scope="module")
def generated() -> list[tuple[pd.DataFrame, dict[str, str]]]:
    tables = []
    for spec in COHORTS:
        values, parents = cohort(*people_of(**spec))
        values.attrs["parents"] = parents
        tables.append((values, parents))
    return tables


@pytest.mark.slow
def test_every_equality_or_sum_between_counts_is_declared(generated):
    tables = [values for values, _ in generated]
    relations = candidate_relations(tables)
    assert len(relations) > 50, "the search should find the declared relations themselves"
    outsider = Outsider(*max(generated, key=lambda pair: len(pair[0])))
    missing = [relation for relation in relations if not outsider.implied(relation)]
    print(
        f"\n{len(relations)} equalities and sums found in {len(tables)} cohorts; "
        f"{len(relations) - len(missing)} follow from the declarations"
    )
    assert not missing, "\n".join(f"{r[0]}: {r[1]} = {r[2]}" for r in missing[:20])


@pytest.mark.slow
def test_the_search_finds_what_a_declaration_leaves_out(generated):
    """Without the EAL equality and the reach numerator rule, the search reports both."""
    import copy

    meta = copy.deepcopy(META)
    meta["cohort_eal_share"]["relations"]["rules"] = [
        r
        for r in meta["cohort_eal_share"]["relations"]["rules"]
        if "First language" not in str(r.get("right"))
    ]
    meta["voice_reach"]["relations"]["rules"] = [
        r for r in meta["voice_reach"]["relations"]["rules"] if r["left"] != "numerator"
    ]
    relations = candidate_relations([values for values, _ in generated])
    # only the relations that name one of the two (the full search is the test above)
    relations = [
        (level, left, right)
        for level, left, right in relations
        if {right[0], *(t[0] for t, _ in left)} & {"cohort_eal_share", "voice_reach"}
    ]
    outsider = Outsider(*max(generated, key=lambda pair: len(pair[0])), meta=meta)
    missing = [relation for relation in relations if not outsider.implied(relation)]
    named = {
        template[0] for _, left, right in missing for template in [right, *(t for t, _ in left)]
    }
    assert {"cohort_eal_share", "voice_reach"} <= named, missing
