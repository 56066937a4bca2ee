"""`chorus new-source NAME`: a source spec with an example of every field, its staging model
and a small fixture to land, so that a new kind of return is data plus SQL."""

from __future__ import annotations

import csv
import re
import tempfile
from pathlib import Path

import yaml
from stdnum.gb import upn as stdnum_upn

NAME = re.compile(r"^[a-z][a-z0-9_]{1,40}$")
EXAMPLE_YEAR = "2023-24"

SPEC = """\
# {title}: the source spec (docs/architecture.md, "Source specs"; docs/inputs.md is
# generated from it). Written by `chorus new-source {name}`: every key below is in use with
# an example value, and the keys a source may also have are shown commented out. Edit it to
# say what the return holds, then run `chorus dbt-refresh` (dbt's raw sources, the docs).
source: {name}                 # the landing folder: landing/{name}/<YYYY-YY>/*.csv|xlsx
title: {title}
description: >
  TODO: one paragraph for the analyst who lands it: who sends it, one row per what.
period: academic_year          # a type in dbt_project/metadata/periods.yml: month lands in
                               # <YYYY-MM>/, financial_quarter in <YYYY-YY-QN>/ (docs/inputs.md)
stream: standalone             # loaded on its own, by this spec alone
label: {title}                 # how messages name it
landing_order: 50              # where it is listed among the kinds
raw_table:
  name: {name}_records
  description: One row per record of the {title} (pseudonymised).
key:                           # once a year across the year's files, else every copy is a defect
  columns: [record_id]
  rule: duplicate_record_id
  message: "the same record_id '{{value}}' also appears at {{places}}: keep one, land again"
  doc: Each record_id appears once per year across the year's files.
placement:                     # how a row is placed in an area (docs/inputs.md)
  method: postcode_sector      # in a neighbourhood, by its sector in the lookup below
  column: postcode
  lookup: seeds/neighbourhood_lookup.csv
# placement: {{method: team, column: team}}          # in a team of seeds/teams.csv
# placement: {{method: district, column: district}}  # in a district of seeds/districts.csv
# placement: {{method: la_wide, authority: la}}      # in the LA: its number in
#                                                  # seeds/local_authorities.csv
# matching:                    # another source each row must match (as EYFSP and census do,
#   - source: eyfsp            # loaded together by their stream)
#     column: upn
#     when_quarantined: both    # a row quarantined in either holds the other back too
#     missing: "no EYFSP result has UPN '{{value}}' in {{period}}: land the missing result"
#     rejected: "... and {{files}} was rejected, so the row is held back: fix {{files}}"
#     not_landed: "no {{period}} EYFSP return is landed: land it under eyfsp/{{folder}}/"
#     held_back: "this child's EYFSP row is quarantined: {{rows}}. Fix that row"
#     doc: Every record needs a child in the same year's EYFSP return.
# consent:                     # only rows whose column is Y are loaded (blank: no consent);
#   aggregate: consent_aggregate   # the others are counted on their file's load_log line
# free_text:                   # a column of free text (declared below: type text, identifier
#   columns: note              # keep): kept only where its consent column is Y, scrubbed as
#   consent: consent_quote     # the voice quotes are; a request for help is never kept; each
#   longest: 2000              # file's counts on its load_log line (the rest: null)
# headers:
#   numbered: {{prefix: q, first: 1, last: 9}}   # `Q 3` and `q_03` read as q03
# row_rules:                   # across a row's columns: a DuckDB boolean over them, typed;
#   - rule: outcome_needs_date # true or NULL passes, false quarantines (docs/inputs.md)
#     columns: [outcome, record_date]
#     check: "outcome <> 'Y' OR record_date IS NOT NULL"
#     seeds: []                # seeds/<name>.csv the check reads as table <name>
#     message: an outcome of Y needs its date

code_lists:                    # each with the rule it breaks and its message
  outcome:
    rule: outcome_code
    message: "outcome must be {{codes}}"       # {{codes}}: Y (yes), N (no); {{code_list}}: Y, N
    # blank: N                 # a blank reads as this code
    # synonyms: {{"YES": "Y", "NO": "N"}}
    codes:
      - {{code: Y, name: "yes"}}
      - {{code: N, name: "no"}}

columns:                       # in the order the message for missing columns lists them
  - name: record_id
    title: record number
    type: text                 # code, text, date or number
    identifier: keep           # keep, pseudonymise, reduce or drop (what happens at the door)
    format:
      named: not_blank         # or upn, date, datetime, uk_postcode, postcode_sector
      rule: record_id_blank
      message: every record needs a record_id
    doc: not blank; once per year
  - name: upn
    title: unique pupil number
    type: code
    identifier: {{handling: pseudonymise, as: child_id}}   # keyed HMAC, as the EYFSP's
    format: upn                # the DfE format and check letter
    # aliases: [unique_pupil_number]   # a header read as this column when it is absent
    doc: the child's UPN; becomes the same pseudonym as in the EYFSP return
  - name: surname
    type: text
    identifier: drop           # read (checked for control characters), never loaded
    required: false
    doc: dropped at ingest
  - name: record_date
    type: date
    identifier: {{handling: reduce, to: year_month, as: record_month}}
    format:
      named: date
      rule: record_date_format
      message: the record date must be a date such as 2023-10-05 or 05/10/2023
    window:                    # relative to the period's start (1 September for a year)
      from: {{years: 0}}
      to: {{years: 1, days: -1}}
      rule: record_date_in_year
      message: a record in {{period}} is dated between {{first}} and {{last}}
    doc: inside the academic year; kept as year and month
  - name: postcode
    type: code
    identifier: {{handling: reduce, to: postcode_sector, as: postcode_sector}}
    format:
      named: uk_postcode
      rule: postcode_format
      message: must be a full UK postcode such as OL11 3AB
    doc: a full postcode whose sector is in the neighbourhood lookup; reduced to the sector
  - name: outcome
    type: code
    identifier: keep
    show_rejected: true
    codes: outcome
  - name: score
    type: number
    identifier: keep
    show_rejected: true
    range:
      min: 0
      max: 100
      rule: score_range
      message: the score must be a number from 0 to 100
    doc: a whole number from 0 to 100

# A year whose return differs: sources/{name}/<YYYY-YY>.yml, applied over this base from
# that year on (as liia-tools keeps its return specs), e.g. sources/{name}/2025-26.yml:
# changes:
#   - type: add
#     description: the 2025/26 return adds the visit type
#     value: {{name: visit_type, type: code, identifier: keep, codes: outcome}}
#     after: outcome
#   - {{type: modify, column: score, description: scored to 200, value: {{range: {{min: 0,
#      max: 200, rule: score_range, message: the score must be 0 to 200}}}}}}
#   - {{type: modify, column: surname, description: no longer collected,
#      value: {{required: false}}}}    # no remove: the raw table is one table for all years
"""

STAGING_SQL = """\
-- One row per record of the {title}: renamed and typed, identifiers already replaced
-- at the door (sources/{name}/base.yml). Written by `chorus new-source {name}`.
with source as (
    select * from {{{{ source('raw', '{name}_records') }}}}
),

renamed as (
    select
        child_id,
        academic_year,
        cast(time_period as integer) as time_period,
        record_id,
        record_month,
        postcode_sector,
        outcome,
        cast(nullif(score, '') as integer) as score,
        _source_file,
        cast(_source_row as integer) as _source_row
    from source
)

{{# Placed by team, district or LA-wide (the spec's placement:)? End with the rows placed
   instead, which adds the area columns the indicator macros group by (team_code,
   team_name, new_la_code, la_name for a team; macros/placement.sql), e.g.
   placed_rows('renamed', 'team', 'team') in double curly braces. #}}
select * from renamed
"""

STAGING_YML = """\
version: 2

models:
  - name: stg_{name}__records
    description: "One row per record of the {title} (sources/{name}/base.yml)."
    data_tests:
      - unique_combination:
          arguments:
            columns: ["time_period", "record_id"]
    columns:
      - name: child_id
        data_tests:
          - not_null
      - name: outcome
        data_tests:
          - accepted_values:
              arguments:
                values: ["Y", "N"]
"""


def _upn(la_code: int, serial: int) -> str:
    body = f"{la_code:03d}{serial:08d}A"
    return stdnum_upn.calc_check_digit(body) + body


def _sectors(seeds: Path) -> list[str]:
    with (seeds / "neighbourhood_lookup.csv").open(encoding="utf-8", newline="") as handle:
        return [row["postcode_sector"] for row in csv.DictReader(handle)][:5]


def fixture_rows(seeds: Path) -> list[dict[str, str]]:
    """Six records of 2023/24 in the LA's own sectors: five good, one with an outcome the
    code list does not have (so `chorus validate` has something to say)."""
    sectors = _sectors(seeds)
    rows = []
    for number in range(6):
        rows.append(
            {
                "record_id": f"R{number + 1:03d}",
                "upn": _upn(354, 10_000 + number),
                "surname": "Example",
                "record_date": f"2023-{10 + number % 3:02d}-0{number + 1}",
                "postcode": f"{sectors[number % len(sectors)]}AB",
                "outcome": "YN"[number % 2] if number < 5 else "X",
                "score": str(40 + number * 10),
            }
        )
    return rows


RESERVED = {
    "seeds": "the landing area's folder for the reference files",
    "sources": "the folder of the source specs",
    "reference": "the kind of the reference files (raw.load_log, stg_reference__ models)",
    "raw": "the schema of the raw tables",
    "landing": "the landing area",
    "archive": "the archive of landed files",
    "fixture": "the example landing folder beside a new spec",
}
"""Names that would clash with what Chorus already has, besides the kinds, streams, raw
tables and staging models (looked up when a name is checked)."""


def name_problem(name: str, sources_dir: Path, dbt_project: Path) -> str | None:
    """Why `name` cannot be a new source (None when it can): its form, or a clash with an
    existing kind, a stream, a raw table or staging model, or a reserved name."""
    from indicators.ingest.streams import STREAMS
    from indicators.sources.fixed_tables import RAW_TABLES

    if not NAME.match(name):
        return (
            f"'{name}' is not a source name: lower case letters, digits and underscores, "
            "starting with a letter, at most 41 (it is the landing folder), e.g. home_visits"
        )
    taken = f"'{name}' cannot be a new source's name: it is"
    if (sources_dir / name).exists():
        return f"{taken} already a source ({sources_dir / name} exists): choose another name"
    if name in RESERVED:
        return f"{taken} {RESERVED[name]}: choose another name"
    if name in {stream.name for stream in STREAMS}:
        return f"{taken} the name of a stream (statutory, voice, standalone): choose another"
    tables = set(RAW_TABLES) | _spec_tables(sources_dir)
    for table in (name, f"{name}_records"):
        if table in tables:
            return f"{taken} or would make raw.{table}, already a raw table: choose another name"
    staging = dbt_project / "models" / "staging"
    clash = sorted(
        path.name
        for pattern in (f"stg_{name}__*", f"_stg_{name}.yml")
        for path in staging.glob(pattern)
    )
    if clash:
        return f"{taken} the prefix of staging models ({', '.join(clash)}): choose another name"
    return None


def _spec_tables(sources_dir: Path) -> set[str]:
    """The raw tables the existing specs declare (read leniently: a spec with problems of
    its own is reported by `_spec_problem`)."""
    tables = set()
    for spec in sources_dir.glob("*/base.yml"):
        try:
            raw = (yaml.safe_load(spec.read_text(encoding="utf-8")) or {}).get("raw_table")
        except (yaml.YAMLError, AttributeError, UnicodeDecodeError):
            continue  # the spec check names its problem in one line
        if isinstance(raw, dict) and isinstance(raw.get("name"), str):
            tables.add(raw["name"])
    return tables


def _spec_problem(name: str, title: str, sources_dir: Path) -> str | None:
    """The existing specs and the new one, checked before anything is written: a problem
    would stop dbt's sources and the docs being written after the scaffold."""
    from indicators.sources.load import SpecInvalid, load_sources, load_spec

    try:
        if sources_dir.is_dir():
            load_sources(sources_dir)
    except SpecInvalid as invalid:
        return f"the source specs have problems, correct them first: {invalid}"
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / name
        folder.mkdir()
        (folder / "base.yml").write_text(SPEC.format(name=name, title=title), encoding="utf-8")
        try:
            load_spec(folder)
        except SpecInvalid as invalid:
            return f"the spec for '{name}' would not be valid: {invalid}"
    return None


def copy_problem(sources_dir: Path, dbt_project: Path) -> str | None:
    """Specs in a copy outside the project (CHORUS_SOURCES) with the project's own dbt
    project would put the copy's staging model, dbt sources and docs/inputs.md into the
    project: refused unless CHORUS_DBT_PROJECT points to a copy too (written beside it)."""
    from indicators.config import PROJECT_ROOT

    root = PROJECT_ROOT.resolve()
    outside = not sources_dir.resolve().is_relative_to(root)
    if outside and dbt_project.resolve().is_relative_to(root):
        return (
            f"CHORUS_SOURCES ({sources_dir}) is outside the project but the dbt project is the "
            f"project's own ({dbt_project}): set CHORUS_DBT_PROJECT to a copy of dbt_project "
            "too, so the staging model, dbt's sources and docs/inputs.md are written beside "
            "the copy, not into the project"
        )
    return None


def scaffold_source(
    name: str, sources_dir: Path, dbt_project: Path, seeds: Path
) -> tuple[Path, Path, Path]:
    """Write the spec, the staging model (SQL and YAML) and the fixture; refuse to overwrite.
    Everything is checked first (ValueError, one line): a refused name writes nothing.

    Returns (spec, staging model, fixture)."""
    title = name.replace("_", " ")
    problem = copy_problem(sources_dir, dbt_project) or name_problem(name, sources_dir, dbt_project)
    if problem is None:
        problem = _spec_problem(name, title, sources_dir)
    if problem is not None:
        raise ValueError(problem)
    folder = sources_dir / name
    staging = dbt_project / "models" / "staging"
    sql = staging / f"stg_{name}__records.sql"
    yml = staging / f"_stg_{name}.yml"
    rows = fixture_rows(seeds)
    folder.mkdir(parents=True)
    spec = folder / "base.yml"
    spec.write_text(SPEC.format(name=name, title=title), encoding="utf-8")
    staging.mkdir(parents=True, exist_ok=True)
    sql.write_text(STAGING_SQL.format(name=name, title=title), encoding="utf-8")
    yml.write_text(STAGING_YML.format(name=name, title=title), encoding="utf-8")
    fixture = folder / "fixture" / name / EXAMPLE_YEAR / f"{name}.csv"
    fixture.parent.mkdir(parents=True)
    with fixture.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    from indicators.sources.load import forget_loaded_sources

    forget_loaded_sources()  # the specs were read (checked) above: the new one is read next
    return spec, sql, fixture
