"""The Dagster code location for Chorus: it wires the `indicators` library to Dagster and dbt."""
