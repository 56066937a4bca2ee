"""What is generated from the source specs: dbt's `sources:` for the raw zone
(dbt_project/models/staging/_sources.yml) and the per-source sections of docs/inputs.md.
Both are committed; tests hold them current (`chorus dbt-refresh` writes them again).
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from indicators.declarations import period_type
from indicators.sources.spec import Column, SourceSpec

SOURCES_YML = Path("models") / "staging" / "_sources.yml"
REFERENCE_TABLES = "reference_tables.yml"
"""sources/reference_tables.yml: the raw tables of the reference files (lookup, LA list)."""
BEGIN = "<!-- generated from sources/{kind}/ by `chorus dbt-refresh`: edit the spec, not this -->"
END = "<!-- end of generated section: {kind} -->"
HANDLING_WORDS = {
    "pseudonymise": "keyed pseudonym of `{name}` (HMAC-SHA256 with the LA's secret key)",
    "year_month": "`{name}` reduced to year and month",
    "postcode_sector": "`{name}` reduced to its postcode sector",
}


def raw_table_columns(spec: SourceSpec) -> str:
    """The raw table's columns as DuckDB declares them: text as landed, the period's number
    and the spreadsheet row as integers."""
    types = {"time_period": "integer", "_source_row": "integer"}
    columns = [f"{name} {types.get(name, 'varchar')}" for name in spec.raw_columns]
    return ", ".join([*columns, "_loaded_at timestamp"])


def _column_description(column: Column) -> str:
    handling = column.identifier
    if handling.handling == "pseudonymise":
        said = HANDLING_WORDS["pseudonymise"].format(name=column.name)
        if handling.consent:
            said += f", only where `{handling.consent}` is Y"
        return said
    if handling.handling == "reduce":
        return HANDLING_WORDS[handling.to or ""].format(name=column.name)
    text = column.title or column.name.replace("_", " ")
    if column.codes is not None:
        text += ": " + ", ".join(
            f"{code} {meaning}" for code, meaning in column.codes.codes.items()
        )
    return text


def sources_yml(specs: dict[str, SourceSpec], sources_dir: Path) -> str:
    """dbt's `sources:` for the raw zone: each spec's raw table (with its columns) and the
    tables it also writes, then the reference tables."""
    tables: list[dict] = []
    for spec in specs.values():
        columns = [
            {"name": "academic_year", "description": f"the {spec.period.replace('_', ' ')}"},
            {"name": "time_period", "description": "the period as EES writes it (202324)"},
            *(
                [{"name": "time_identifier", "description": "EES's time identifier (April)"}]
                if "time_identifier" in spec.raw_columns
                else []
            ),
            *[
                {"name": column.raw_name, "description": _column_description(column)}
                for column in spec.columns
                if column.raw_name
            ],
            *[
                {
                    "name": column.identifier.linked_as,
                    "description": f"{column.name}: the whole postcode as a keyed pseudonym "
                    "(joins another source declaring linked_as; never the postcode)",
                }
                for column in spec.columns
                if column.identifier.linked_as
            ],
            {"name": "_source_file", "description": "the landed file, as displayed"},
            {"name": "_source_row", "description": "its spreadsheet row (the header is row 1)"},
        ]
        tables.append(
            {
                "name": spec.raw_table,
                "description": f"{spec.raw_description} From sources/{spec.source}/.",
                "columns": columns,
            }
        )
        tables.extend(
            {"name": name, "description": description} for name, description in spec.also_tables
        )
    reference = sources_dir / REFERENCE_TABLES
    if reference.is_file():
        tables.extend(yaml.safe_load(reference.read_text(encoding="utf-8"))["tables"])
    document = {
        "version": 2,
        "sources": [
            {
                "name": "raw",
                "description": (
                    "The raw zone, written by the Dagster ingest assets after validation and "
                    "pseudonymisation: no UPN, name, full date of birth or full postcode "
                    "reaches it. Every row carries the landed file and spreadsheet row it "
                    "came from."
                ),
                "schema": "raw",
                "tables": tables,
            }
        ],
    }
    header = (
        "# Generated from sources/ (the source specs) by `chorus dbt-refresh`: edit the specs,\n"
        "# not this file (tests/test_sources.py fails while it is not current).\n"
    )
    return header + yaml.safe_dump(document, sort_keys=False, width=100, allow_unicode=True)


# ---------------------------------------------------------------------------- docs/inputs.md


def _codes_text(column: Column) -> str:
    codes = column.codes
    assert codes is not None
    listed = [f"`{code}` {meaning}" for code, meaning in codes.codes.items()]
    text = ", ".join(listed)
    if codes.blank is not None:
        text += f"; blank reads as `{codes.blank}`"
    return text


def _rule_text(column: Column) -> str:
    parts = []
    if column.codes is not None:
        parts.append(_codes_text(column))
    if column.doc:
        parts.append(column.doc)
    elif column.codes is not None and column.codes.doc:
        parts.append(column.codes.doc)
    text = ": ".join(parts) if parts else column.title
    if not column.required:
        text += " (optional column)"
    if column.aliases:
        text += (
            " (also read from a form tool's header "
            + ", ".join(f"`{alias}`" for alias in column.aliases)
            + " when the column itself is absent)"
        )
    return text


def _runs(columns: tuple[Column, ...]) -> list[list[Column]]:
    """Consecutive columns sharing a code list and nothing else of their own, as one row."""
    runs: list[list[Column]] = []
    for column in columns:
        previous = runs[-1][-1] if runs else None
        if (
            previous is not None
            and column.codes is not None
            and previous.codes is column.codes
            and not column.doc
            and not previous.doc
        ):
            runs[-1].append(column)
        else:
            runs.append([column])
    return runs


def inputs_section(spec: SourceSpec) -> str:
    """The section of docs/inputs.md for one source, from its spec."""
    lines = [
        f"## `{spec.source}/<{period_type(spec.period).landing_folder}>/*.csv|xlsx`",
        "",
        spec.description,
        "",
        "| column | rule |",
        "|---|---|",
    ]
    free = spec.free_text
    kept = (
        f"at most {spec.longest_free_text:,} characters; kept only with "
        f"`{free.get('consent')}` = `Y`, scrubbed"
    )
    for run in _runs(spec.columns):
        name = f"`{run[0].name}`" if len(run) == 1 else f"`{run[0].name}` … `{run[-1].name}`"
        rule = _rule_text(run[0])
        if run[0].name in spec.free_text_columns:  # a standalone source's free text
            rule = f"{rule} (free text: {kept}; a request for help is never kept)"
        lines.append(f"| {name} | {rule} |")
    if spec.items:
        lines.append(f"| `<item_id>` | {' '.join(str(spec.items.get('doc', '')).split())} |")
    if free and not spec.free_text_columns:
        lines.append(
            f"| `{str(free['columns']).replace('{item}', '<item_id>')}` | "
            f"{free.get('doc', 'free text')} ({kept}) |"
        )
    if spec.row_rules:
        lines += ["", "| row rule (`row_rules:`) | what it checks |", "|---|---|"]
        lines += [f"| `{check.rule}` | {check.doc or check.message} |" for check in spec.row_rules]
    notes = [
        spec.key_doc,
        *(key.doc for key in spec.also_keys),
        *(match.doc for match in spec.matching),
    ]
    handled = [
        f"`{c.name}` → " + " and ".join(f"`{name}`" for name in c.raw_names)
        for c in spec.columns
        if c.identifier.handling in ("pseudonymise", "reduce")
    ]
    dropped = [f"`{c.name}`" for c in spec.with_handling("drop")]
    door = []
    if handled:
        door.append("pseudonymised or reduced: " + ", ".join(handled))
    if dropped:
        door.append("dropped: " + ", ".join(dropped))
    if door:
        notes.append(
            f"At the door ({', '.join(spec.files)}): " + "; ".join(door) + ". Loaded into "
            f"`raw.{spec.raw_table}`, counted by {spec.period.replace('_', ' ')}."
        )
    if spec.counted_when == "next_period_landed":
        notes.append(
            f"A {spec.period.replace('_', ' ')} is counted once the next is landed with rows "
            "too (`counted_when: next_period_landed`): the latest landed, and one before a "
            "file that loaded no rows, are published in no figure yet, and a quarter or year "
            "holding them is a part period (`months_landed` in the open data)."
        )
    if spec.starts_late:
        notes.append(
            f"The source may start part-way (`starts_late: true`): a "
            f"{spec.period.replace('_', ' ')} before its first file (with rows or a header "
            "alone) has none of its rows and is counted as such; one after it with no file "
            "loading rows is not counted (a file not landed is not a period without any)."
            + (
                f" It began by the earliest `{spec.declared_start[1]}` in seeds/"
                f"{spec.declared_start[0]}.csv (`declared_start`) when that is earlier: a "
                f"{spec.period.replace('_', ' ')} from then on with no file is not counted, "
                "and the run log and the quality report name it."
                if spec.declared_start
                else ""
            )
            + (
                f" Each `{spec.declared_start_per[0]}` in that seed began at its own start: from "
                f"then, a {spec.period.replace('_', ' ')} whose files hold none of its rows while "
                f"`{spec.declared_start_per[1]}` has rows of it is not counted either (files for "
                "some teams only), and the run log and the quality report name the "
                f"`{spec.declared_start_per[0]}` and the {spec.period.replace('_', ' ')}."
                if spec.declared_start_per
                else ""
            )
        )
    body = "\n".join(lines) + "\n"
    extra = "\n\n".join(note for note in notes if note)
    return body + ("\n" + extra + "\n" if extra else "")


def with_generated_sections(document: str, specs: dict[str, SourceSpec]) -> str:
    """docs/inputs.md with each source's generated section written again between its
    markers (a source whose markers are missing gets them before `## seeds/`...)."""
    for kind, spec in specs.items():
        begin, end = BEGIN.format(kind=kind), END.format(kind=kind)
        section = f"{begin}\n{inputs_section(spec)}{end}"
        pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.DOTALL)
        if pattern.search(document):
            document = pattern.sub(lambda _, section=section: section, document)
        else:
            anchor = document.find("\n### The item bank")
            if anchor < 0:
                anchor = document.find("\n## `seeds/column_aliases.csv`")
            anchor = anchor if anchor >= 0 else len(document)
            document = document[:anchor] + "\n" + section + "\n" + document[anchor:]
    return document
