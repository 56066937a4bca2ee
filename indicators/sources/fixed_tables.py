"""The raw tables no source spec makes: the reference files', the engines' and the
bookkeeping tables, with their columns (DuckDB types). Each landed kind's own raw table is
declared by its spec (`sources/<kind>/base.yml`: `raw_table`). Read by indicators/warehouse.py
(which creates them) and by the spec checks (a staging model's raw table must be made by a
spec or be one of these)."""

RAW_TABLES: dict[str, str] = {
    # Each source's own raw table is declared by its spec (sources/<kind>/base.yml:
    # `raw_tables`); these are the reference files', the engines' and the bookkeeping.
    "neighbourhood_lookup": """
        postcode_sector varchar, neighbourhood_code varchar, neighbourhood_name varchar,
        _source_file varchar, _loaded_at timestamp
    """,
    "local_authorities": """
        la_code varchar, new_la_code varchar, la_name varchar, _source_file varchar,
        _loaded_at timestamp
    """,
    # The LA's lists of teams and districts as read (every row, as text): dbt keeps the
    # usable ones by the ingest's rules (macros/placement.sql, area_list).
    "teams": """
        team_code varchar, team_name varchar, new_la_code varchar, district_code varchar,
        _source_file varchar, _loaded_at timestamp
    """,
    "districts": """
        district_code varchar, district_name varchar, new_la_code varchar,
        _source_file varchar, _loaded_at timestamp
    """,
    # Reference files the LA edits that are loaded as read (every row, as text) from the
    # landing area's seeds/ when it brings one, else the project's (AS_READ below).
    "early_help_trials": """
        team_code varchar, starts varchar, description varchar, _source_file varchar,
        _loaded_at timestamp
    """,
    # The areas above each authority it lies in (seeds/authority_areas.csv: its region, its
    # combined authority), as read; int_authority_areas keeps those a run holds whole.
    "authority_areas": """
        new_la_code varchar, geographic_level varchar, area_code varchar, area_name varchar,
        _source_file varchar, _loaded_at timestamp
    """,
    "quarantine": """
        academic_year varchar, kind varchar, file varchar, "row" integer, column_name varchar,
        value varchar, rule varchar, message varchar, _loaded_at timestamp
    """,
    "load_log": """
        academic_year varchar, kind varchar, file varchar, sha256 varchar, rows_read integer,
        rows_loaded integer, rows_quarantined integer, status varchar, message varchar,
        _loaded_at timestamp
    """,
    "year_loads": """
        academic_year varchar, kind varchar, fingerprint varchar, _loaded_at timestamp
    """,
    "voice_answers": """
        academic_year varchar, time_period integer, response_id varchar, item_id varchar,
        item_version integer, answer varchar, is_positive boolean, score double,
        _loaded_at timestamp
    """,
    "voice_quotes": """
        academic_year varchar, time_period integer, response_id varchar, item_id varchar,
        item_version integer, neighbourhood_code varchar, quote varchar, _loaded_at timestamp
    """,
    "voice_door_log": """
        academic_year varchar, file varchar, measure varchar, count integer,
        _loaded_at timestamp
    """,
    "purges": """
        purged_before varchar, reason varchar, archive_files integer, rows_deleted varchar,
        _loaded_at timestamp
    """,
}


AS_READ: tuple[str, ...] = ("early_help_trials", "authority_areas")
"""Raw tables loaded as read from the seed of the same name (seeds/<name>.csv, the landing
area's seeds/ first), with RAW_TABLES' columns: staged by dbt, checked there
(indicators/ingest/reference_load.py, load_area_lists)."""
AS_READ_OPTIONAL: tuple[str, ...] = ("description",)
"""Columns an as-read seed may leave out (read as blank); any other missing column refuses
the load with one line, since its rows would all be dropped as blank."""
