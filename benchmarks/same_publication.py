"""Is a publication the same as another, run ids and times aside? For refactors that must
not change a published number.

    python benchmarks/same_publication.py publish OUT       # synth + chorus run, fresh home
    python benchmarks/same_publication.py compare BEFORE AFTER

`publish` writes the demo borough (`chorus synth`, seed 42) into a fresh temporary
CHORUS_HOME, runs `chorus run` on it (so every step runs: nothing is skipped by the
fingerprint of an earlier load) and copies the publication (the folder the link points at)
to OUT. `compare` checks that two publications hold the same files and that each is the
same once run ids and run times are masked: CSV, text, JSON and HTML (markup, styles and
inline charts included) byte for byte, Excel cell by cell, PDF by its text. It prints one
line per file that differs (and the first difference) and exits 1 if any does.

The masks: every run id (a UUID, also in CSS's escaped form in a pack's page footer), ISO
times, file-name stamps and times written out (30 November 2026, 13:46 UTC), and the date of
the run (from each publication's manifest, as 2026-11-30 or 30 November 2026) wherever
they appear; and in the quality report, the two byte totals that include the packs' PDF
and Excel files, whose sizes move with the run id compressed inside them. Nothing else is
masked.
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BIN = Path(sys.executable).parent
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
CSS_UUID = re.compile(r"[0-9a-f]{8}(?:\\2d ?[0-9a-f]{4}){3}\\2d ?[0-9a-f]{12}")
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?")
STAMP = re.compile(r"\d{8}T\d{6}Z")
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
# The quality report adds up the bytes it published: a PDF's and a workbook's size moves with
# the run id compressed inside them, so these two totals are masked (the files themselves
# are compared by their text and cells).
PACK_BYTES = [
    re.compile(r"(<p>\d+ files, )[\d,]+( bytes, besides)"),
    re.compile(r"(board pack files[^<]*</td>\s*<td class=\"number\">)[\d,]+"),
]
LONG_TIME = re.compile(rf"\d{{1,2}} (?:{MONTHS}) \d{{4}}, \d{{2}}:\d{{2}} UTC")


def run_date(publication: Path) -> str:
    manifest = json.loads((publication / "manifest.json").read_text(encoding="utf-8"))
    return manifest["published_at"][:10]


def mask(text: str, date: str) -> str:
    text = CSS_UUID.sub("<run-id>", text)
    text = UUID.sub("<run-id>", text)
    text = ISO_TIME.sub("<time>", text)
    text = STAMP.sub("<time>", text)
    text = LONG_TIME.sub("<time>", text)
    day = dt.date.fromisoformat(date)
    return text.replace(date, "<date>").replace(f"{day.day} {day:%B %Y}", "<date>")


def xlsx_cells(path: Path) -> str:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=False, data_only=False)
    lines = []
    for sheet in book.worksheets:
        lines.append(f"## sheet {sheet.title}")
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    lines.append(f"{cell.coordinate}\t{cell.value!r}")
        lines.append(f"merged {sorted(str(r) for r in sheet.merged_cells.ranges)}")
    return "\n".join(lines)


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(path)
    return "\n".join(
        f"## page {number}\n{page.extract_text()}" for number, page in enumerate(reader.pages, 1)
    )


def manifest_text(path: Path) -> str:
    """The manifest without its run id and time, and without the digests of files that
    carry the run id (their content is compared on its own)."""
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest.pop("run_id", None)
    manifest.pop("published_at", None)
    for entry in manifest.get("files", []):
        if entry["path"].endswith((".html", ".pdf", ".xlsx")):
            entry.pop("sha256", None)
            entry.pop("bytes", None)
    return json.dumps(manifest, indent=1, sort_keys=True)


def comparable(path: Path, date: str) -> str:
    if path.name == "manifest.json":
        return manifest_text(path)
    if path.suffix == ".xlsx":
        return mask(xlsx_cells(path), date)
    if path.suffix == ".pdf":
        return mask(pdf_text(path), date)
    text = path.read_text(encoding="utf-8")
    if path.name == "index.html" and path.parent.name == "quality":
        for pattern in PACK_BYTES:
            text = pattern.sub(r"\1<bytes>\2" if pattern.groups == 2 else r"\1<bytes>", text)
    return mask(text, date)


def files(root: Path) -> set[str]:
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


def compare(before: Path, after: Path) -> int:
    before, after = before.resolve(), after.resolve()
    names_before, names_after = files(before), files(after)
    problems = 0
    for name in sorted(names_before - names_after):
        print(f"missing after: {name}")
        problems += 1
    for name in sorted(names_after - names_before):
        print(f"new after: {name}")
        problems += 1
    date_before, date_after = run_date(before), run_date(after)
    same = 0
    for name in sorted(names_before & names_after):
        old = comparable(before / name, date_before)
        new = comparable(after / name, date_after)
        if old == new:
            same += 1
            continue
        problems += 1
        diff = list(difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0))
        first = next((line for line in diff[2:] if line[:1] in "+-"), "")
        print(f"differs: {name}: {first[:200]}")
    print(
        f"{same} of {len(names_before | names_after)} files the same "
        f"(run ids and times masked); {problems} differ or are missing"
    )
    return 1 if problems else 0


def publish(out: Path) -> int:
    chorus = str(BIN / "chorus")
    with tempfile.TemporaryDirectory(prefix="chorus-same-") as scratch:
        home = Path(scratch) / "home"
        landing = Path(scratch) / "landing"
        output = Path(scratch) / "output"
        env = {**os.environ, "CHORUS_HOME": str(home)}
        for name in (
            "CHORUS_LANDING",
            "CHORUS_OUTPUT",
            "CHORUS_PSEUDONYM_KEY",
            "CHORUS_PSEUDONYM_KEY_FILE",
            "CHORUS_PACKS",
        ):
            env.pop(name, None)
        subprocess.run([chorus, "synth", "--out", str(landing)], env=env, check=True)
        subprocess.run(
            [chorus, "run", "--landing", str(landing), "--out", str(output)],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(output.resolve(), out)
    print(f"publication copied to {out}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    publish_parser = commands.add_parser("publish", help="a fresh demo publication into OUT")
    publish_parser.add_argument("out", type=Path)
    compare_parser = commands.add_parser("compare", help="BEFORE and AFTER the same?")
    compare_parser.add_argument("before", type=Path)
    compare_parser.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "publish":
        return publish(args.out)
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
