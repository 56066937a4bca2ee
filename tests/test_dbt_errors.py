# ruff: noqa: E501 - dagster-dbt's message is kept as it printed it
"""A dbt model that fails says which model and what the database said, in the run's one line.

The text below is dagster-dbt's error as a PostgreSQL warehouse produced it (a DuckDB-only
`union all by name`), copied from a run log: not written by Chorus.
"""

from orchestration.runner import _dbt_error_line

DAGSTER_DBT_ERROR = """The dbt CLI process with command

`/work/main/.venv/bin/dbt build --select fqn:* --exclude fct_indicator_values`

failed with exit code `1`. Check the stdout in the Dagster compute logs for the full \
information about the error, or view the dbt debug log: /x/dbt.log.

Errors parsed from dbt logs:

379 of 381 ERROR creating sql table model intermediate.int_indicator_values_collected  [ERROR in 0.08s]

Failure in model int_indicator_values_collected (models/intermediate/int_indicator_values_collected.sql)

  Database Error in model int_indicator_values_collected (models/intermediate/int_indicator_values_collected.sql)
  syntax error at or near "by"
  LINE 23:     union all by name
                         ^
  compiled code at target/chorus_dbt_models-5834bd0-26cb96a/run/chorus/models/x.sql
"""


def test_a_failed_model_is_named_with_the_database_s_message():
    line = _dbt_error_line(DAGSTER_DBT_ERROR)
    assert line == (
        "Database Error in model int_indicator_values_collected "
        "(models/intermediate/int_indicator_values_collected.sql): "
        'syntax error at or near "by"'
    )


def test_without_parsed_errors_nothing_is_made_up():
    assert _dbt_error_line("The dbt CLI process with command `dbt build` failed.") == ""
