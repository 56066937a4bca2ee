"""What a user sees when `chorus run` fails as expected: one `chorus:` line and the log."""

from pathlib import Path

NOISE = ("Traceback", "dagster - ERROR", "dagster - WARNING", "Stack Trace")


def one_line_and_the_log(stderr: str, stdout: str = "") -> tuple[str, Path]:
    """The reason (without `chorus: `) and the run log, asserting nothing else was printed."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 2, stderr
    assert lines[0].startswith("chorus: ") and lines[1].startswith("log: "), stderr
    assert stdout.strip() == ""
    for noise in NOISE:
        assert noise not in stderr
    log = Path(lines[1].removeprefix("log: ").split(" ")[0])
    assert log.is_file()
    assert lines[0] in log.read_text()  # the log ends with the same line, and holds the rest
    return lines[0].removeprefix("chorus: "), log
