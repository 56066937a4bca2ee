"""`chorus new-indicator`: the SQL and YAML of a new indicator, with every field to fill."""

import re
from pathlib import Path

from indicators.publish.register import REQUIRED_META

TODO = "TODO"
NAME = re.compile(r"^(?:ind_)?([a-z][a-z0-9_]*)__([a-z][a-z0-9_]*)$")

SQL = """-- {todo}: one line on what this indicator measures and how "A" (not assessed) counts.
{{{{ indicator_over_children(
    indicator_id='{indicator_id}',
    value_type='proportion',
    numerator=count_where('{todo}_condition'),
    children=ref('int_children_joined'),
) }}}}
"""

HINTS = {
    "indicator_id": None,
    "title": "a short title a board member understands",
    "definition": "what is counted, in plain English",
    "rationale": "why this matters to families and the board",
    "domain": "e.g. School readiness, Play and learning at home",
    "source_type": "statutory, voice or linked",
    "numerator_definition": "who is counted in the numerator",
    "numerator_source": "where the numerator comes from",
    "denominator_definition": "who is counted in the denominator",
    "denominator_source": "where the denominator comes from",
    "value_type": "proportion or mean",
    "unit": "% for proportions, or the unit of the mean",
    "numerator_unit": "children, families, answers, or score (a mean's numerator)",
    "denominator_unit": "children, families or answers",
    "polarity": "RAG - High is good, RAG - Low is good, BOB - Blue orange blue or Not applicable",
    "ci_method": "Wilson score interval (proportions) or t interval for a mean",
    "disclosure_rule": "how small numbers are protected",
    "frequency": "e.g. Annual (academic year)",
    "caveats": "what the figures cannot tell you",
    "outcome": "the outcome it measures, its text as seeds/theory_of_change.csv has it",
    "co_designed_by": "who co-designed it (e.g. the parent co-design group)",
    "co_designed_on": "when (YYYY-MM-DD)",
    "relations": None,
}

DECLARED = """\
        # The levels it is published at (dbt_project/metadata/geographies.yml) and the period
        # it is counted over (dbt_project/metadata/periods.yml): the children's macros give
        # every neighbourhood and the authority, each academic year.
        levels: [Local authority, Neighbourhood]
        period_type: academic_year"""

RELATIONS = """        relations:
          areas: add_up
          absent_cells: zero
          breakdowns:
            All: {{kind: total, groups: [All children]}}
            Sex: {{kind: partition, groups: [Female, Male]}}
            FSM eligibility: {{kind: partition, groups: [Eligible, Not eligible]}}
            First language: {{kind: partition, groups: [English, Other than English, Unknown]}}
            SEN provision: {{kind: partition, groups: [No SEN, SEN support, EHC plan]}}
            Season of birth: {{kind: partition, groups: [Autumn-born, Spring-born, Summer-born]}}
            Ethnicity:
              kind: partition
              groups: [White, Mixed, Asian, Black, Chinese, Any other ethnic group, Unclassified]
          rules: "{todo}: how its counts relate to other indicators' cells, as a list ([] if
            none), so disclosure control and its tests know every sum an outsider could use.
            Over the same children as GLD: [{{kind: equal, left: denominator, right:
            gld.denominator}}]; see docs/architecture.md, Disclosure control"
"""


def _yaml_text(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def scaffold_indicator(name: str, models_dir: Path) -> tuple[Path, Path]:
    """Write ind_<domain>__<name>.sql and .yml; refuse to overwrite an existing indicator."""
    match = NAME.match(name.strip().lower())
    if not match:
        raise ValueError(
            f"'{name}' is not an indicator name: use <domain>__<name>, e.g. "
            "school_readiness__reading_at_home (lower case, underscores)"
        )
    domain, short = match.groups()
    model = f"ind_{domain}__{short}"
    sql_path, yml_path = models_dir / f"{model}.sql", models_dir / f"{model}.yml"
    for path in (sql_path, yml_path):
        if path.exists():
            raise ValueError(f"{path} already exists: choose another name")
    assert tuple(HINTS) == REQUIRED_META
    fields = [
        f"        indicator_id: {short}",
        *(
            f"        {field}: {_yaml_text(f'{TODO}: {hint}')}"
            for field, hint in HINTS.items()
            if hint is not None
        ),
        *DECLARED.split("\n"),
    ]
    yml = "\n".join(
        [
            "version: 2",
            "",
            "models:",
            f"  - name: {model}",
            f"    description: {_yaml_text(f'{TODO}: the plain-English definition again')}",
            "    config:",
            "      meta:",
            "        indicator:",
            *[f"  {line}" for line in fields],
            *[f"  {line}" for line in RELATIONS.format(todo=TODO).rstrip().split("\n")],
            "",
        ]
    )
    models_dir.mkdir(parents=True, exist_ok=True)
    sql_path.write_text(SQL.format(todo=TODO, indicator_id=short), encoding="utf-8")
    yml_path.write_text(yml, encoding="utf-8")
    return sql_path, yml_path
