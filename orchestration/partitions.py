"""Academic years as Dagster partitions: a new year's return touches only its partition."""

from dagster import DynamicPartitionsDefinition

ACADEMIC_YEARS = "academic_year"

academic_years = DynamicPartitionsDefinition(name=ACADEMIC_YEARS)
"""Keys are landing folder names, e.g. 2023-24. Added by `chorus run` and the landing sensor."""

YEARS_TAG = "chorus/years"
"""A run tag listing the only academic years (folders, comma-separated) a run works on: the
landing sensor's runs. Without it a run works on every year of its partitions, and empties
years no longer landed (`chorus run` treats its landing folder as the whole truth)."""
