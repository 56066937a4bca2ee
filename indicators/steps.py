"""What a library step shares with whoever runs it (a Dagster asset, a test, a script).

- `Log`: where a step reports what it did, line by line: Dagster's `context.log`, or a
  `logging.Logger`.
- `StepRefused`: a step that cannot go on for a reason the user can act on. Its message is
  the one line to show (what, where, the fix); the orchestration layer raises it as a
  Dagster failure with that line as its description, and `chorus run` prints it alone.
"""

from __future__ import annotations

from typing import Protocol


class Log(Protocol):
    def info(self, msg: str) -> object: ...

    def warning(self, msg: str) -> object: ...

    def error(self, msg: str) -> object: ...


class StepRefused(RuntimeError):
    """A step stopped with one line for the user (no traceback is needed to act on it)."""
