"""Academic years as Dagster partitions: a new year's return touches only its partition."""

from dagster import DynamicPartitionsDefinition

ACADEMIC_YEARS = "academic_year"

academic_years = DynamicPartitionsDefinition(name=ACADEMIC_YEARS)
"""Keys are landing folder names, e.g. 2023-24. Added by `chorus run` and the landing sensor."""
