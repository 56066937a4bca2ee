"""A pack whose content did not change is not rendered again (issue 19): an earlier run's
HTML and PDF are the pack, and the spreadsheet carries that run's stamp, so the three say the
same; a pack whose figures changed is rendered again with the new run's stamp.

The sample publication is tests/test_packs.py's hand-made borough."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import zipfile
from pathlib import Path

import pytest

import indicators.publish.packs as packs
from indicators.publish.packs import Publication, build_pack, reuse, write_pack_reusing
from tests.test_packs import sample_publication

pytestmark = pytest.mark.slow

AREA = "HD04"


def _pack(run_id: str, published: dt.date, values_change=None):
    sample = sample_publication(seed=5)
    values = sample.values.copy()
    if values_change is not None:
        values = values_change(values)
    run = dataclasses.replace(sample.run, run_id=run_id, published=published)
    publication = Publication(
        values, sample.register, sample.quotes, run, england=sample.england, items=sample.items
    )
    return build_pack(publication, AREA)


def _xlsx_comments(path: Path) -> str:
    with zipfile.ZipFile(path) as book:
        core = book.read("docProps/core.xml").decode("utf-8")
    return re.search(r"<dc:description>(.*?)</dc:description>", core).group(1)


@pytest.fixture()
def pdf_renders(monkeypatch):
    """Count the PDF renderings write_pack_reusing asks for."""
    calls: list[Path] = []
    real = packs.render_pdf

    def counting(html: str, target: Path) -> Path:
        calls.append(target)
        return real(html, target)

    monkeypatch.setattr(packs, "render_pdf", counting)
    return calls


def test_the_same_content_in_a_later_run_is_the_earlier_run_s_pack(tmp_path, pdf_renders):
    kept = tmp_path / "kept"
    first = write_pack_reusing(tmp_path / "one", _pack("run-one", dt.date(2026, 11, 2)), kept)
    assert not first.reused and len(pdf_renders) == 1
    assert reuse.settle(kept, "run-one") == 1  # run-one published
    second = write_pack_reusing(tmp_path / "two", _pack("run-two", dt.date(2026, 12, 1)), kept)
    assert second.reused and len(pdf_renders) == 1  # not rendered again
    for name in ("pack.html", "pack.pdf"):
        assert (tmp_path / "two" / name).read_bytes() == (tmp_path / "one" / name).read_bytes()
    html = (tmp_path / "two" / "pack.html").read_text(encoding="utf-8")
    # the cover names the run that rendered it, and the day it was first published
    assert "run-one" in html and "run-two" not in html
    assert "2 November 2026" in html and "1 December 2026" not in html
    # and the spreadsheet says the same
    assert _xlsx_comments(tmp_path / "two" / "pack.xlsx") == "Run run-one"
    assert (tmp_path / "two" / "claims.csv").read_bytes() == (
        tmp_path / "one" / "claims.csv"
    ).read_bytes()


def _one_more_child(values):
    """The authority's latest GLD total with one more child achieving it."""
    rows = values[
        (values["indicator_id"] == "gld")
        & (values["area_code"] == AREA)
        & (values["breakdown"] == "All")
    ]
    row = rows.sort_values("time_period").index[-1]
    values = values.copy()
    numerator = int(values.at[row, "numerator"]) + 1
    denominator = int(values.at[row, "denominator"])
    values.at[row, "numerator"] = str(numerator)
    values.at[row, "value"] = f"{100 * numerator / denominator:.1f}"
    return values


def test_a_pack_whose_figures_changed_is_rendered_again(tmp_path, pdf_renders):
    kept = tmp_path / "kept"
    write_pack_reusing(tmp_path / "one", _pack("run-one", dt.date(2026, 11, 2)), kept)
    reuse.settle(kept, "run-one")
    changed = _pack("run-two", dt.date(2026, 12, 1), _one_more_child)
    second = write_pack_reusing(tmp_path / "two", changed, kept)
    assert not second.reused and len(pdf_renders) == 2
    html = (tmp_path / "two" / "pack.html").read_text(encoding="utf-8")
    assert "run-two" in html and "run-one" not in html
    assert _xlsx_comments(tmp_path / "two" / "pack.xlsx") == "Run run-two"
    assert (tmp_path / "two" / "pack.pdf").read_bytes() != (
        tmp_path / "one" / "pack.pdf"
    ).read_bytes()


def test_a_pack_kept_halfway_is_not_used(tmp_path, pdf_renders):
    """A run stopped while keeping a pack leaves no run stamp: the next run renders it."""
    kept = tmp_path / "kept"
    first = write_pack_reusing(tmp_path / "one", _pack("run-one", dt.date(2026, 11, 2)), kept)
    reuse.settle(kept, "run-one")
    (kept / first.key / "run.json").unlink()
    second = write_pack_reusing(tmp_path / "two", _pack("run-two", dt.date(2026, 12, 1)), kept)
    assert not second.reused and len(pdf_renders) == 2
    assert "run-two" in (tmp_path / "two" / "pack.html").read_text(encoding="utf-8")


def test_without_a_place_to_keep_them_every_pack_is_rendered(tmp_path, pdf_renders):
    for folder in ("one", "two"):
        written = write_pack_reusing(
            tmp_path / folder, _pack(f"run-{folder}", dt.date(2026, 11, 2)), None
        )
        assert not written.reused
    assert len(pdf_renders) == 2


def test_a_run_that_did_not_publish_never_stamps_a_later_pack(tmp_path, pdf_renders):
    """run-one rendered its pack but failed before publishing (never settled): run-two
    renders the pack again, under its own id, and once run-two publishes, run-three gets
    run-two's pack."""
    kept = tmp_path / "kept"
    write_pack_reusing(tmp_path / "one", _pack("run-one", dt.date(2026, 11, 2)), kept)
    second = write_pack_reusing(tmp_path / "two", _pack("run-two", dt.date(2026, 11, 3)), kept)
    assert not second.reused and len(pdf_renders) == 2
    assert "run-two" in (tmp_path / "two" / "pack.html").read_text(encoding="utf-8")
    reuse.settle(kept, "run-two")
    third = write_pack_reusing(tmp_path / "three", _pack("run-3", dt.date(2026, 11, 4)), kept)
    assert third.reused and len(pdf_renders) == 2
    html = (tmp_path / "three" / "pack.html").read_text(encoding="utf-8")
    assert "run-two" in html and "run-one" not in html and "run-3" not in html
    # run-one's stamp, had it published late, was already gone: nothing to settle
    assert reuse.settle(kept, "run-one") == 0


def test_pruning_keeps_only_the_last_run_s_packs(tmp_path, pdf_renders):
    kept = tmp_path / "kept"
    old = write_pack_reusing(tmp_path / "one", _pack("run-one", dt.date(2026, 11, 2)), kept)
    reuse.settle(kept, "run-one")
    new = write_pack_reusing(
        tmp_path / "two", _pack("run-two", dt.date(2026, 12, 1), _one_more_child), kept
    )
    reuse.prune(kept, {new.key}, "run-two")
    assert old.key != new.key and sorted(p.name for p in kept.iterdir()) == [new.key]
    # the run's own pending stamp survives pruning, and settles once it publishes
    assert reuse.settle(kept, "run-two") == 1
