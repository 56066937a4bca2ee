"""How the library's refusals become Dagster failures.

A library step that cannot go on raises `indicators.steps.StepRefused` with the one line a
person needs; an asset runs it inside `refusals_fail()`, which raises that line as a
`dagster.Failure` description: the UI shows it, and `chorus run` prints it alone.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from dagster import Failure

from indicators.steps import StepRefused


@contextmanager
def refusals_fail() -> Iterator[None]:
    try:
        yield
    except StepRefused as refused:
        raise Failure(description=str(refused)) from None
