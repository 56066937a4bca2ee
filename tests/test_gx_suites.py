"""A Great Expectations suite run on a frame (indicators/expectations.py): what it finds, and
that it lets the frame go when it returns (the GX step runs in the run's process, which then
forks disclosure control's workers: a frame kept is memory every one of them carries)."""

import gc
import weakref

import pandas as pd

from indicators.expectations import SuiteSpec, validate_frame

SUITE = SuiteSpec(
    name="values",
    table="marts.values",
    asset="marts/values",
    blocking=True,
    expectations=[
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "area_code"}},
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "value", "min_value": 0, "max_value": 100},
            "meta": {"why": "a percentage"},
        },
    ],
)


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"area_code": ["E1", "E2", None, "E4"], "value": [12.5, 140.0, 50.0, -1.0]})


def test_the_suite_names_each_failing_expectation_and_its_rows():
    outcome = validate_frame(_frame(), SUITE)
    assert not outcome.success
    found = {(o.expectation, o.column): (o.success, o.unexpected_count) for o in outcome.outcomes}
    assert found == {
        ("expect_column_values_to_not_be_null", "area_code"): (False, 1),
        ("expect_column_values_to_be_between", "value"): (False, 2),
    }
    assert "expect_column_values_to_be_between on value (2 rows" in outcome.summary()
    assert outcome.summary().endswith(": a percentage")


def test_a_frame_that_meets_the_suite_passes():
    frame = _frame().dropna().query("0 <= value <= 100")
    assert validate_frame(frame, SUITE).success


def test_the_frame_is_not_kept_once_the_suite_has_run():
    frame = _frame()
    kept = weakref.ref(frame)
    validate_frame(frame, SUITE)
    del frame
    gc.collect()
    assert kept() is None
