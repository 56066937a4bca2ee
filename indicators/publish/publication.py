"""Publication: each run writes to its own folder, then `output` switches to it in one step.

Layout, for `--out output` (any path works the same):

    output -> output.publications/20261130T101500Z-1a2b3c4d     a symbolic link
    output.publications/20261130T101500Z-1a2b3c4d/              the current publication
    output.publications/20261129T060000Z-9f8e7d6c/              previous ones (a few kept)
    output.publications/.staging-<run id>/                      a run still writing

A run stages everything in its own `.staging-<run id>` folder beside the publications (the
same filesystem), writes manifest.json, renames the folder to its final name and then
replaces the `output` link with `os.replace`: one atomic rename. A reader opening
`output/...` sees the whole previous publication or the whole new one, never a mixture; a
reader already inside the previous folder keeps reading it (the last PUBLICATIONS_KEPT are
kept). A run that fails leaves the previous publication in place. An `output` folder from
an older Chorus (with its manifest.json) is moved into output.publications/ the first time.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import errno
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from indicators.ingest.landing import sha256_of
from indicators.steps import Log

MANIFEST = "manifest.json"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters a spreadsheet may read as the start of a formula (OWASP, CSV injection)."""
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def safe_cell(value: object) -> object:
    """A text cell a spreadsheet will show as text: one starting with =, +, -, @, a tab or a
    carriage return gets a leading single quote (OWASP's advice: "=1+1 we read" becomes
    "'=1+1 we read"). Numbers, and text that is a plain number ("-1.5"), are left alone."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def safe_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with every text cell made safe to open in a spreadsheet (`safe_cell`)."""
    frame = frame.copy()
    for column in frame.columns:
        if not (
            pd.api.types.is_object_dtype(frame[column])
            or pd.api.types.is_string_dtype(frame[column])
        ):
            continue
        text = frame[column]
        risky = text.map(
            lambda value: isinstance(value, str) and value.startswith(FORMULA_STARTS)
        ).astype(bool)
        if risky.any():
            frame[column] = text.astype(object)
            frame.loc[risky, column] = text[risky].map(safe_cell)
    return frame


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """UTF-8 CSV, no index, never an empty cell left ambiguous (callers fill symbols first);
    no text cell that a spreadsheet would run as a formula (`safe_cells`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    safe_cells(frame).to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return path


def write_manifest(stage: Path, run_id: str, extra: Mapping[str, Any] | None = None) -> Path:
    files = sorted(p for p in stage.rglob("*") if p.is_file() and p.name != MANIFEST)
    manifest = {
        "run_id": run_id,
        "published_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        **(extra or {}),
        "files": [
            {
                "path": p.relative_to(stage).as_posix(),
                "sha256": sha256_of(p),
                "bytes": p.stat().st_size,
            }
            for p in files
        ],
    }
    path = stage / MANIFEST
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return path


PUBLICATIONS_KEPT = 3
"""Publications kept in output.publications/: the current one and the two before it."""
STAGING_PREFIX = ".staging-"


class PublicationError(RuntimeError):
    """The output path is not one Chorus can publish to safely."""


def publications_dir(output: Path) -> Path:
    """Where the publications behind `output` live: beside it, so on the same filesystem."""
    return output.with_name(f"{output.name}.publications")


def staging_dir(output: Path, run_id: str) -> Path:
    """The run's own staging folder (no other run ever writes to or removes it)."""
    return publications_dir(output) / f"{STAGING_PREFIX}{run_id}"


def staging_run_id(path: Path) -> str | None:
    """The run a staging folder belongs to."""
    return path.name[len(STAGING_PREFIX) :] if path.name.startswith(STAGING_PREFIX) else None


ABANDONED_AFTER_SECONDS = 24 * 3600
"""A staging folder of a run this Dagster instance does not know is removed only after this
long without a change."""


def _untouched_for(folder: Path, seconds: float) -> bool:
    entries = [folder, *folder.iterdir()]
    newest = max(entry.stat().st_mtime for entry in entries)
    return time.time() - newest > seconds


def remove_abandoned_staging(
    output: Path, home: Path, run_id: str, run_ended: Callable[[str], bool | None], log: Log
) -> None:
    """Remove staging folders of runs that ended without publishing (crashed or failed).

    Only folders whose run has ended (`run_ended` says, by run id; None for a run it does
    not know): never another run's folder while it may still be writing.
    """
    base = publications_dir(output)
    legacy = home / "publish"  # where an older Chorus staged, by run id
    candidates = [
        (folder, staging_run_id(folder)) for folder in (base.iterdir() if base.is_dir() else [])
    ]
    candidates += [
        (folder, folder.name) for folder in (legacy.iterdir() if legacy.is_dir() else [])
    ]
    for folder, other in candidates:
        if not other or other == run_id or not folder.is_dir():
            continue
        ended = run_ended(other)
        if ended is None and not _untouched_for(folder, ABANDONED_AFTER_SECONDS):
            continue  # a run this instance does not know (another CHORUS_HOME?) may be writing
        if ended is None or ended:
            shutil.rmtree(folder, ignore_errors=True)
            log.info(f"removed the staging folder of run {other}, which ended without publishing")


def fresh_stage(
    output: Path, home: Path, run_id: str, run_ended: Callable[[str], bool | None], log: Log
) -> Path:
    """This run's staging folder, empty (an earlier attempt of the step removed), once the
    output is known to be a publication's and abandoned staging folders are gone."""
    check_output(output)
    stage = staging_dir(output, run_id)
    if stage.exists():  # this run's own folder, from an earlier attempt of this step
        shutil.rmtree(stage)
    remove_abandoned_staging(output, home, run_id, run_ended, log)
    return stage


def _is_ours(output: Path) -> bool:
    """Whether `output` is a link Chorus made into its publications folder."""
    if not output.is_symlink():
        return False
    target = Path(os.readlink(output))
    resolved = (output.parent / target).resolve() if not target.is_absolute() else target
    return resolved.parent == publications_dir(output).resolve()


def check_output(output: Path) -> None:
    """Refuse an output path Chorus would have to overwrite something else to publish to."""
    if output.parent.name.endswith(".publications"):
        raise PublicationError(
            f"{output} is inside a folder of Chorus publications: publish to the link beside "
            f"it ({output.parent.with_name(output.parent.name.removesuffix('.publications'))})"
        )
    if not (output.exists() or output.is_symlink()) or _is_ours(output):
        return
    if output.is_symlink():
        raise PublicationError(
            f"{output} is a link to {os.readlink(output)}, which Chorus did not make: "
            "publish to another path (Chorus makes the output a link to its latest "
            "publication)"
        )
    if output.is_dir():
        if not any(output.iterdir()) or (output / MANIFEST).is_file():
            return  # empty, or a publication of an older Chorus: moved aside when publishing
        raise PublicationError(
            f"{output} is a folder that is not a Chorus publication (no {MANIFEST}): publish "
            "to a new or empty path, so that nothing in it is replaced"
        )
    raise PublicationError(f"{output} is a file: publish to a new or empty path")


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    libc = ctypes.CDLL(None, use_errno=True)  # the C library Python itself runs on
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(first))


def _point(output: Path, folder: Path) -> None:
    """Make `output` a link to `folder` in one rename (migrating an older real folder)."""
    link = output.with_name(f".{output.name}.link-{os.getpid()}")
    link.unlink(missing_ok=True)
    os.symlink(os.path.relpath(folder, output.parent), link)
    if output.is_dir() and not output.is_symlink():
        if not any(output.iterdir()):
            output.rmdir()
        else:  # an older Chorus's real folder: keep it as a publication
            stamp = dt.datetime.fromtimestamp(output.stat().st_mtime, dt.UTC)
            kept = publications_dir(output) / f"{stamp:%Y%m%dT%H%M%SZ}-before-links"
            if _exchange(link, output):  # output is now the link, `link` the old folder
                os.replace(link, kept)
                return
            os.replace(output, kept)  # no atomic exchange here: a moment with no output
    os.replace(link, output)


def publish(stage: Path, output: Path, run_id: str, keep: int = PUBLICATIONS_KEPT) -> Path:
    """Make the staged folder the publication `output` points to; returns its folder."""
    check_output(output)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = publications_dir(output) / f"{stamp}-{run_id[:8]}"
    os.replace(stage, folder)
    _point(output, folder)
    prune_publications(output, keep)
    return folder


@dataclass(frozen=True)
class Published:
    folder: Path
    files: list[str]
    """Every published file, relative to the folder (manifest.json included)."""
    manifest: Path
    """The manifest as staged (its name is the same in the folder)."""


def publish_staged(stage: Path, output: Path, run_id: str, facts: Mapping[str, Any]) -> Published:
    """Write manifest.json (the run, `facts` and every file's digest), then make the staged
    folder the publication `output` points to."""
    manifest = write_manifest(stage, run_id, facts)
    files = sorted(p.relative_to(stage).as_posix() for p in stage.rglob("*") if p.is_file())
    folder = publish(stage, output, run_id)
    return Published(folder, files, manifest)


def current_publication(output: Path) -> Path | None:
    return output.resolve() if _is_ours(output) else None


def prune_publications(output: Path, keep: int = PUBLICATIONS_KEPT) -> list[Path]:
    """Remove all but the newest `keep` publications (never the current one, never a
    staging folder)."""
    base = publications_dir(output)
    if not base.is_dir():
        return []
    current = current_publication(output)
    folders = sorted(
        (p for p in base.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.name,
        reverse=True,
    )
    removed = [p for p in folders[keep:] if p.resolve() != current]
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return removed


def read_manifest(output: Path) -> dict[str, Any]:
    return json.loads((output / MANIFEST).read_text(encoding="utf-8"))
