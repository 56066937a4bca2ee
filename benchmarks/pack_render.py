"""Time one neighbourhood board pack (HTML + PDF + XLSX) from a published output folder.

usage: python benchmarks/pack_render.py OUTPUT_DIR WAREHOUSE [--repeat 3]

Reads what `chorus run` published (indicators, register, quotes), warms fonts and templates
with one pack, then renders up to five neighbourhood packs of the first authority (its areas
from the warehouse's marts.dim_areas) `--repeat` times and prints JSON: seconds per pack
(best, median, worst) and the split between building the content and writing each format.
The target (issue 7) is under 2 s per pack.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indicators.publish.packs import (  # noqa: E402
    Publication,
    RunInfo,
    build_pack,
    pack_slugs,
    render_html,
    render_pdf,
    write_pack,
    write_xlsx,
)
from indicators.voice.items import load_item_bank  # noqa: E402


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("output", type=Path)
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import duckdb

    with duckdb.connect(str(args.warehouse), read_only=True) as connection:
        areas = connection.execute(
            "select area_code, parent_area_code from marts.dim_areas "
            "where geographic_level = 'Neighbourhood'"
        ).df()
    first = areas["parent_area_code"].min()
    mine = {first, *areas.loc[areas["parent_area_code"] == first, "area_code"]}
    values = read(args.output / "indicators" / "indicator_values.csv")
    values = values[values["area_code"].isin(mine)]
    register = read(args.output / "register" / "indicators.csv")
    quotes_path = args.output / "quotes" / "quotes.csv"
    quotes = read(quotes_path) if quotes_path.exists() else pd.DataFrame()
    if not quotes.empty:
        quotes = quotes[quotes["neighbourhood_code"].isin(mine)]
    publication = Publication(
        values,
        register,
        quotes,
        RunInfo.for_values("bench", values),
        england=read(ROOT / "seeds" / "england_benchmarks.csv"),
        items=load_item_bank(ROOT / "seeds" / "voice_items.csv"),
    )
    authorities = set(values.loc[values["geographic_level"] == "Local authority", "area_code"])
    areas = [code for code in pack_slugs(publication) if code not in authorities]
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        write_pack(folder / "warm", build_pack(publication, areas[0]))
        totals, parts = [], {"build": [], "html": [], "pdf": [], "xlsx": []}
        for attempt in range(args.repeat):
            for code in areas[:5]:
                start = time.perf_counter()
                pack = build_pack(publication, code)
                built = time.perf_counter()
                target = folder / f"{code}-{attempt}"
                target.mkdir()
                html = render_html(pack)
                (target / "pack.html").write_text(html, encoding="utf-8")
                rendered = time.perf_counter()
                render_pdf(html, target / "pack.pdf")
                printed = time.perf_counter()
                write_xlsx(pack, target / "pack.xlsx")
                done = time.perf_counter()
                totals.append(done - start)
                for name, seconds in (
                    ("build", built - start),
                    ("html", rendered - built),
                    ("pdf", printed - rendered),
                    ("xlsx", done - printed),
                ):
                    parts[name].append(seconds)
    print(
        json.dumps(
            {
                "packs": len(totals),
                "best_s": round(min(totals), 3),
                "median_s": round(statistics.median(totals), 3),
                "worst_s": round(max(totals), 3),
                "median_parts_s": {
                    name: round(statistics.median(v), 3) for name, v in parts.items()
                },
            }
        )
    )


if __name__ == "__main__":
    main()
