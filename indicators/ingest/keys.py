"""Pseudonym keys: which key a run uses, when the public demo key is refused, new keys.

UPNs are a small, structured space (a check letter, an LA number, eight digits and one more
character), so a keyed hash under a known key can be reversed by trying every UPN. The demo
key is public: Chorus uses it only for returns `chorus synth` wrote, or when
CHORUS_ALLOW_DEMO_KEY=1 says so explicitly (test data made by hand).

How synth marks what it wrote: `synthetic-manifest.json` at the top of the landing area it
writes lists every file it wrote with its sha256. A return counts as synthetic only while its
bytes are exactly those: a synthetic file edited by hand (a real child pasted in), a file
added beside them, or a real file renamed over one no longer matches, and the demo key is
refused for it. The manifest guards against mistakes, not against someone forging it: they
could as well set any weak key. Real keys come from `chorus key new`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import stat
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from indicators.config import DEMO_PSEUDONYM_KEY, ChorusSettings
from indicators.ingest.landing import LandedFile, sha256_of

SYNTHETIC_MANIFEST = "synthetic-manifest.json"
MIN_KEY_LENGTH = 16
"""Shorter keys are refused for returns that are not synthetic (`chorus key new` gives 43
characters)."""
MIN_DISTINCT_CHARACTERS = 8
"""Keys with fewer different characters (`aaaaaaaaaaaaaaaa`, `abababab...`) are refused for
returns that are not synthetic: too predictable to be a secret (a key from `chorus key new`
has about 30)."""

ALLOW_DEMO_KEY = "CHORUS_ALLOW_DEMO_KEY"


class KeyRefused(ValueError):
    """The run cannot pseudonymise these returns safely with the key it has."""


def new_key() -> str:
    """A fresh key: 32 random bytes (256 bits), URL-safe base64, 43 characters."""
    return secrets.token_urlsafe(32)


def write_key_file(path: Path, key: str) -> Path:
    """Write a key to a new file readable by its owner only (never over an existing file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        os.fchmod(descriptor, 0o600)
        os.write(descriptor, (key + "\n").encode("ascii"))
    finally:
        os.close(descriptor)
    return path


def read_key_file(path: Path) -> str:
    """The key in `path`, refused if the file is readable by anyone but its owner."""
    try:
        mode = path.stat().st_mode
    except OSError as error:
        raise KeyRefused(
            f"CHORUS_PSEUDONYM_KEY_FILE is {path}, which cannot be read "
            f"({error.strerror}): make a key with `chorus key new --file "
            f"{path}`"
        ) from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyRefused(
            f"the key file {path} can be read by other users: make it yours "
            f"only with `chmod 600 {path}` (and make a new key if others may "
            "have read it)"
        )
    key = path.read_text(encoding="utf-8").strip()
    if not key:
        raise KeyRefused(f"the key file {path} is empty: make a key with `chorus key new`")
    return key


def configured_key(settings: ChorusSettings) -> str | None:
    """The key the environment gives: CHORUS_PSEUDONYM_KEY, else CHORUS_PSEUDONYM_KEY_FILE.

    Surrounding spaces and line breaks are stripped from either (as a key file's trailing
    line break is), so the same key gives the same pseudonyms however it is given."""
    if settings.pseudonym_key and settings.pseudonym_key.strip():
        return settings.pseudonym_key.strip()
    if settings.pseudonym_key_file is not None:
        return read_key_file(settings.pseudonym_key_file)
    return None


def is_demo_key(key: str) -> bool:
    """The public demo key, however it is capitalised or spaced around."""
    return key.strip().casefold() == DEMO_PSEUDONYM_KEY.casefold()


def key_weakness(key: str) -> str | None:
    """Why a key is too weak for real returns, or None."""
    if len(key) < MIN_KEY_LENGTH:
        return f"is {len(key)} characters, too short"
    distinct = len(set(key))
    if distinct < MIN_DISTINCT_CHARACTERS:
        return (
            f"has only {distinct} different character(s) (at least "
            f"{MIN_DISTINCT_CHARACTERS} are needed), too predictable"
        )
    return None


# What chorus synth wrote ---------------------------------------------------------------------


def write_synthetic_manifest(landing: Path, written: Iterable[Path]) -> Path:
    """Record the sha256 of every file synth wrote under `landing` (entries of earlier synth
    runs into the same folder are kept while their files are unchanged)."""
    manifest_path = landing / SYNTHETIC_MANIFEST
    files = {}
    for name, digest in synthetic_digests(landing).items():
        path = landing / name
        if path.is_file() and sha256_of(path) == digest:
            files[name] = digest
    for path in written:
        files[path.resolve().relative_to(landing.resolve()).as_posix()] = sha256_of(path)
    manifest = {
        "written_by": "chorus synth",
        "written_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "note": "Synthetic returns: no real child. Chorus allows the public demo key only "
        "for files whose sha256 is listed here; a file edited by hand is no longer "
        "synthetic.",
        "files": dict(sorted(files.items())),
    }
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest_path


def synthetic_digests(landing: Path) -> dict[str, str]:
    """Landing-relative path -> sha256 of the files synth says it wrote (empty if none)."""
    try:
        manifest = json.loads((landing / SYNTHETIC_MANIFEST).read_text(encoding="utf-8"))
        return {str(name): str(digest) for name, digest in manifest["files"].items()}
    except (OSError, ValueError, KeyError, AttributeError, TypeError):
        return {}


def not_synthetic(
    landing: Path, files: Sequence[LandedFile], digest_of: Callable[[Path], str] = sha256_of
) -> list[LandedFile]:
    """The returns that are not, byte for byte, files `chorus synth` wrote (only the files
    synth lists are read)."""
    known = synthetic_digests(landing)
    strangers = []
    for landed in files:
        try:
            name = landed.path.resolve().relative_to(landing.resolve()).as_posix()
        except ValueError:
            name = None
        if name not in known or known[name] != digest_of(landed.path):
            strangers.append(landed)
    return strangers


# The key a run uses ------------------------------------------------------------------------


def _named(strangers: Sequence[LandedFile]) -> str:
    first = strangers[0].display
    if len(strangers) == 1:
        return f"{first} is not a synthetic return"
    return f"{first} and {len(strangers) - 1:,} other files are not synthetic returns"


HOW_TO_MAKE_ONE = (
    "make a key with `chorus key new`, keep it outside the repository and set "
    "CHORUS_PSEUDONYM_KEY (or CHORUS_PSEUDONYM_KEY_FILE)"
)


def run_key(
    settings: ChorusSettings,
    files: Sequence[LandedFile],
    digest_of: Callable[[Path], str] = sha256_of,
) -> str:
    """The key to pseudonymise `files` with, or KeyRefused saying what to do.

    A configured key of MIN_KEY_LENGTH or more with MIN_DISTINCT_CHARACTERS different
    characters or more is used as it is (stripped). Without one (or with the public demo key,
    in any case and with any spaces around it), the demo key is used only if every return is
    synthetic (see the module's docstring) or CHORUS_ALLOW_DEMO_KEY=1.
    """
    key = configured_key(settings)
    if key and not is_demo_key(key):
        weakness = key_weakness(key)
        if weakness:
            strangers = not_synthetic(settings.landing, files, digest_of)
            if strangers:
                raise KeyRefused(
                    f"CHORUS_PSEUDONYM_KEY {weakness} to protect real returns "
                    f"({_named(strangers)} written by chorus synth): {HOW_TO_MAKE_ONE}"
                )
        return key
    if settings.allow_demo_key:
        return DEMO_PSEUDONYM_KEY
    strangers = not_synthetic(settings.landing, files, digest_of)
    if not strangers:
        return DEMO_PSEUDONYM_KEY
    if key is None:
        problem = "CHORUS_PSEUDONYM_KEY is not set"
    else:
        problem = "CHORUS_PSEUDONYM_KEY is the public demo key, which protects nothing,"
    raise KeyRefused(
        f"{problem} and {_named(strangers)} written by chorus synth: {HOW_TO_MAKE_ONE}. "
        f"Only for test data you made yourself: {ALLOW_DEMO_KEY}=1 (or chorus run "
        "--allow-demo-key) allows the demo key"
    )
