"""An independent check of every claim a board pack makes, from the published files alone.

Written from the rules the packs promise (the Fingertips comparison on the interval as printed,
rankings that never include a total and are not made when a part is hidden, the Fingertips
trend marker, representation against the cohort of the same area and year), with plain
Python and pandas. It imports nothing from `indicators`, so it cannot agree with Chorus by
sharing its code.

`check_pack(folder, values, register, england)` re-derives every row of the pack's
claims.csv from indicator_values.csv (+ the published register and England figures) and
checks that the pack's HTML and spreadsheet say it in words that mean the same thing, and
that every comparison-like sentence in the pack is one of its claims. It returns a list of
problems (empty when the pack is honest).

Run on a publication: `.venv/bin/python -m tests.independent_claims output/` prints a
summary (claims made / not made and why) and every problem.
"""

from __future__ import annotations

import html
import math
import re
import sys
from collections import Counter
from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pandas as pd
import yaml

NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
WHOLE_YEARS = ("", "Academic year", "Financial year", "Calendar year")
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def period_key(row: Mapping[str, str]) -> str:
    """A row's or claim's period: its time_period for a whole year; with its time identifier
    for a part of one (202324|Financial year Q4), so quarters and months are told apart."""
    identifier = str(row.get("time_identifier", "") or "")
    period = str(row["time_period"])
    return period if identifier in WHOLE_YEARS else f"{period}|{identifier}"


def period_kind(key: str) -> str:
    """Periods of one kind make a series: whole years, or quarters, or months."""
    if "|" not in key:
        return "year"
    identifier = key.split("|", 1)[1]
    return "month" if identifier in MONTHS else re.sub(r"\d+$", "", identifier)


def period_ordinal(key: str) -> int:
    """Consecutive periods of one kind have consecutive ordinals (2023/24 then 2024/25;
    Q4 2023/24 then Q1 2024/25; December 2024 then January 2025)."""
    year = int(key[:4])
    if "|" not in key:
        return year
    identifier = key.split("|", 1)[1]
    if identifier in MONTHS:
        return year * 12 + MONTHS.index(identifier)
    return year * 4 + int(re.search(r"(\d+)$", identifier).group(1)) - 1


INDEPENDENT = {  # units counting each person once, read here from the declaration itself
    name
    for name, unit in yaml.safe_load(
        (Path(__file__).resolve().parents[1] / "dbt_project" / "metadata" / "units.yml").read_text(
            encoding="utf-8"
        )
    )["units"].items()
    if unit.get("independent") is True
}
OVERLAPPING = {"Voice item", "Voice domain", "Seldom-heard group"}
COHORT_OF = {"English as an additional language": "cohort_eal_share"}
AMBITION = {"gld": 75.0}
CRITICAL = 9.5495  # Fingertips: chi-squared on 1 df at 99.8%
POINTS = 5
MADE_TRENDS = {"increasing", "decreasing", "no significant change"}
CLAIM_PHRASES = (
    "than the",
    "than England",
    "similar to",
    "highest",
    "lowest",
    "under-represented",
    "over-represented",
    "Recent trend",
    "did not hear",
    "below the national ambition",
    "above the national ambition",
    "ranked",
)


def number(text: str) -> float:
    return float(text) if NUMBER.fullmatch(str(text).strip()) else math.nan


def places(text: str) -> int:
    return len(text.split(".", 1)[1]) if "." in text else 0


def printed(value: float, dp: int) -> float:
    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-dp), ROUND_HALF_EVEN))


def fingertips_trend(numerators: list[float], denominators: list[float]) -> str:
    """PHEindicatormethods assign_trend_markers for proportions, from its R source."""
    if len(numerators) < POINTS:
        return "could not be calculated"
    x, n = numerators[-POINTS:], denominators[-POINTS:]
    if any(math.isnan(v) for v in x + n) or any(d == 0 for d in n):
        return "could not be calculated"
    t = list(range(1, POINTS + 1))
    sd, sc = sum(n), sum(x)
    sct = sum(a * b for a, b in zip(x, t, strict=True))
    sdt = sum(a * b for a, b in zip(n, t, strict=True))
    sdt2 = sum(a * b * b for a, b in zip(n, t, strict=True))
    bottom = sc * (sd - sc) * (sd * sdt2 - sdt**2)
    x2 = sd * (sd * sct - sc * sdt) ** 2 / bottom if bottom else math.nan
    if not x2 > CRITICAL:
        return "no significant change"
    if any(c == 0 or c == d for c, d in zip(x, n, strict=True)):
        return "could not be calculated"

    def beta(cs, ds, ts):
        logs = [math.log(c / (d - c)) for c, d in zip(cs, ds, strict=True)]
        k = len(logs)
        return (k * sum(a * b for a, b in zip(logs, ts, strict=True)) - sum(logs) * sum(ts)) / (
            k * sum(b * b for b in ts) - sum(ts) ** 2
        )

    full = beta(x, n, t)
    for drop in range(POINTS):
        keep = [i for i in range(POINTS) if i != drop]
        part = beta([x[i] for i in keep], [n[i] for i in keep], [t[i] for i in keep])
        if full == 0 or (part > 0) != (full > 0) or part == 0:
            return "no significant change"
    return "increasing" if full > 0 else "decreasing"


AREA_LEVELS = ("Neighbourhood", "Team")
"""The levels within an authority that packs are written for (geographies.yml)."""


def levels_within(level: str) -> tuple[str, ...]:
    """The levels geographies.yml declares `within` a level above authorities (a combined
    authority's: Local authority), read from the declaration itself."""
    declared = yaml.safe_load(
        (
            Path(__file__).resolve().parents[1] / "dbt_project" / "metadata" / "geographies.yml"
        ).read_text(encoding="utf-8")
    )["levels"]
    return tuple(entry["name"] for entry in declared if entry.get("within") == level)


class Table:
    """indicator_values.csv (one authority), the register and England, indexed.

    `authority_level`: the level of the pack's authority (a combined authority's pack:
    English devolved area, whose areas are the levels within it); the publication may then
    hold several authorities, and its one area of that level is the authority."""

    def __init__(
        self,
        values: pd.DataFrame,
        register: pd.DataFrame,
        england: pd.DataFrame,
        authority_level: str = "Local authority",
    ) -> None:
        self.authority_level = authority_level
        self.area_levels = (
            AREA_LEVELS if authority_level == "Local authority" else levels_within(authority_level)
        )
        self.rows = {
            (r["indicator_id"], r["time_period"], r["area_code"], r["breakdown"], r["group"]): r
            for r in (
                {**record, "time_period": period_key(record)}
                for record in values.to_dict("records")
            )
            if r["geographic_level"] in (authority_level, *self.area_levels)
        }
        self.level = dict(zip(values["area_code"], values["geographic_level"], strict=True))
        self.name_numbers = {
            n for name in values["area_name"].unique() for n in NUMBER.findall(name)
        }
        authorities = {c for c, level in self.level.items() if level == authority_level}
        assert len(authorities) == 1, "the checker reads one authority's publication"
        self.la = authorities.pop()
        self.meta = {r["indicator_id"]: r for r in register.to_dict("records")}
        self.england = {
            (r["indicator_id"], str(r["time_period"]), r["breakdown"], r["group"]): r["value"]
            for r in england.to_dict("records")
        }

    def row(self, *key: str) -> dict | None:
        return self.rows.get(tuple(key))

    def benchmark(self, row: Mapping, benchmark: str) -> str:
        if benchmark == "england":
            group = "All children" if row["breakdown"] == "All" else row["group"]
            return self.england.get(
                (row["indicator_id"], row["time_period"], row["breakdown"], group), ""
            )
        # in a combined authority's pack, an authority's group is set against its own
        # total (as any authority's is), only its total against the combined authority
        own_total = self.authority_level != "Local authority" and row["breakdown"] != "All"
        if row["geographic_level"] in self.area_levels and not own_total:
            other = self.row(
                row["indicator_id"], row["time_period"], self.la, row["breakdown"], row["group"]
            )
            return other["value"] if other else ""
        if row["breakdown"] == "All" or row["breakdown"] in OVERLAPPING:
            return ""
        totals = [
            r
            for k, r in self.rows.items()
            if k[:3] == (row["indicator_id"], row["time_period"], row["area_code"])
            and k[3] == "All"
        ]
        return totals[0]["value"] if totals else ""

    def polarity_word(self, indicator_id: str, code: str) -> str:
        polarity = self.meta[indicator_id]["polarity"]
        if polarity == "RAG - High is good":
            return {"higher": "better", "lower": "worse"}.get(code, code)
        if polarity == "RAG - Low is good":
            return {"higher": "worse", "lower": "better"}.get(code, code)
        return code


def _interval_code(lower: str, upper: str, bench: str, dp: int) -> str:
    b = printed(number(bench), dp)
    if number(lower) > b:
        return "higher"
    if number(upper) < b:
        return "lower"
    return "similar"


def expected(table: Table, claim: Mapping[str, str]) -> tuple[bool, str]:
    """(made, verdict) re-derived for one claims.csv row."""
    kind = claim["kind"]
    key = (
        claim["indicator_id"],
        claim["time_period"],
        claim["area_code"],
        claim["breakdown"],
        claim["group"],
    )
    if kind == "comparison":
        row = table.row(*key)
        if claim["benchmark"] == "ambition":
            value = number(row["value"])
            if math.isnan(value) or claim["indicator_id"] not in AMBITION:
                return False, ""
            target = AMBITION[claim["indicator_id"]]
            return True, "below" if value < target else "above" if value > target else "at"
        column = "compared_with_la" if claim["benchmark"] == "la" else "compared_with_england"
        published = row[column]
        bench = table.benchmark(row, claim["benchmark"])
        shown = [row["value"], row["lower_ci_95"], row["upper_ci_95"], bench]
        if any(math.isnan(number(text)) for text in shown):
            return False, published
        if table.meta[claim["indicator_id"]]["denominator_unit"] not in INDEPENDENT:
            return False, published
        code = _interval_code(row["lower_ci_95"], row["upper_ci_95"], bench, places(row["value"]))
        verdict = table.polarity_word(claim["indicator_id"], code)
        return verdict == published, published if verdict != published else verdict
    if kind == "ranking":
        if claim["breakdown"] in table.area_levels:
            parts = [
                (r["area_name"], r["value"])
                for k, r in table.rows.items()
                if k[0] == claim["indicator_id"]
                and k[1] == claim["time_period"]
                and k[3] == "All"
                and table.level[k[2]] == claim["breakdown"]
            ]
        else:
            parts = [
                (k[4], r["value"])
                for k, r in table.rows.items()
                if k[:4]
                == (
                    claim["indicator_id"],
                    claim["time_period"],
                    claim["area_code"],
                    claim["breakdown"],
                )
            ]
        if table.meta[claim["indicator_id"]]["value_type"] == "median":
            return False, ""  # a median is never compared between areas or groups
        if len(parts) < 2 or any(math.isnan(number(v)) for _, v in parts):
            return False, ""
        top = max(number(v) for _, v in parts)
        bottom = min(number(v) for _, v in parts)
        return True, (
            f"highest: {' = '.join(g for g, v in parts if number(v) == top)}; "
            f"lowest: {' = '.join(g for g, v in parts if number(v) == bottom)}"
        )
    if kind == "trend":
        row = table.row(*key)
        published = row["recent_trend"]
        base = published.split(" and getting")[0]
        return base in MADE_TRENDS, published
    if kind == "representation":
        return _representation(table, claim["time_period"], claim["area_code"], claim["group"])
    if kind == "not heard":
        groups = sorted(
            k[4]
            for k in table.rows
            if k[:4]
            == ("voice_reach_group", claim["time_period"], claim["area_code"], "Seldom-heard group")
        )
        verdicts = [
            _representation(table, claim["time_period"], claim["area_code"], g) for g in groups
        ]
        under = [
            g
            for g, (made, v) in zip(groups, verdicts, strict=True)
            if made and v == "under-represented"
        ]
        return any(made for made, _ in verdicts), " | ".join(under) if under else "none"
    if kind == "beside":
        evidence = dict(part.split("=", 1) for part in claim["evidence"].split("; ") if part)
        first = table.row(*key)
        second_key = (claim["benchmark"], claim["time_period"], claim["area_code"])
        breakdown, group = evidence.get("second_breakdown", ""), evidence.get("second_group", "")
        seconds = [
            r
            for k, r in table.rows.items()
            if k[:3] == second_key and k[3] == breakdown and (not group or k[4] == group)
        ]
        second = seconds[0] if len(seconds) == 1 else None
        shown = [r is not None and not math.isnan(number(r["value"])) for r in (first, second)]
        return all(shown), "shown" if all(shown) else ""
    if kind == "funnel":
        return _funnel(table, claim)
    raise AssertionError(f"unknown claim kind {kind!r}")


def _funnel(table: Table, claim: Mapping[str, str]) -> tuple[bool, str]:
    """Each area's place on the funnel plot around its authority's published figure, by
    Spiegelhalter's limits for a proportion as PHEindicatormethods gives them: the score
    test of the area's published share against the authority's published numerator over its
    published denominator, z the normal quantile of 0.975 or 0.999 (on a limit is within)."""
    from statistics import NormalDist

    indicator, period = claim["indicator_id"], claim["time_period"]
    centre_row = table.row(indicator, period, claim["area_code"], "All", "All children")
    if table.meta[indicator]["denominator_unit"] not in INDEPENDENT or centre_row is None:
        return False, ""
    total = [number(centre_row["numerator"]), number(centre_row["denominator"])]
    if any(math.isnan(v) for v in total) or total[1] <= 0:
        return False, ""
    centre = total[0] / total[1]
    z95, z998 = NormalDist().inv_cdf(0.975), NormalDist().inv_cdf(0.999)
    words = []
    for key, row in sorted(table.rows.items(), key=lambda item: item[0][2]):
        if key[:2] != (indicator, period) or key[3] != "All":
            continue
        if table.level[key[2]] != claim["breakdown"]:
            continue
        count, n = number(row["numerator"]), number(row["denominator"])
        if math.isnan(count) or math.isnan(n) or n <= 0 or count > n:
            continue  # not placed: the claim names it
        gap = (count / n - centre) / math.sqrt(centre * (1 - centre) / n)
        where = (
            "High (0.001)"
            if gap > z998
            else "Low (0.001)"
            if gap < -z998
            else "High (0.025)"
            if gap > z95
            else "Low (0.025)"
            if gap < -z95
            else "Not significant"
        )
        words.append(f"{row['area_name']}: {where}")
    return bool(words), "; ".join(words)


def _representation(table: Table, period: str, area: str, group: str) -> tuple[bool, str]:
    row = table.row("voice_reach_group", period, area, "Seldom-heard group", group)
    cohort_id = COHORT_OF.get(group)
    cohort = table.row(cohort_id, period, area, "All", "All children") if cohort_id else None
    shown = [row["value"], row["lower_ci_95"], row["upper_ci_95"]]
    if cohort is None or any(math.isnan(number(t)) for t in [*shown, cohort["value"]]):
        return False, ""
    code = _interval_code(
        row["lower_ci_95"], row["upper_ci_95"], cohort["value"], places(row["value"])
    )
    return True, {
        "lower": "under-represented",
        "higher": "over-represented",
        "similar": "similar to the cohort",
    }[code]


def reworded(breakdown: str, group: str) -> list[int]:
    """Years (calendar year a school year starts) from which a voice question, or a question
    of a domain, has new wording: the first school year (from 1 September) wholly under it.
    Read from the item bank seed itself, not from Chorus."""
    import csv as _csv

    bank = Path(__file__).resolve().parents[1] / "seeds" / "voice_items.csv"
    with bank.open(encoding="utf-8") as handle:
        rows = list(_csv.DictReader(handle))
    item = (
        group
        if breakdown == "Voice item"
        else breakdown.split(": ", 1)[1]
        if breakdown.startswith("Voice item: ")
        else None
    )
    chosen = [
        r
        for r in rows
        if (item is not None and r["item_id"] == item)
        or (breakdown == "Voice domain" and r["domain"] == group)
    ]
    years = []
    for item_id in {r["item_id"] for r in chosen}:
        versions = sorted(
            (int(r["version"]), r["co_designed_on"]) for r in chosen if r["item_id"] == item_id
        )
        for _, day in versions[1:]:
            year, month, date = (int(part) for part in day.split("-"))
            years.append(year if (month, date) <= (9, 1) else year + 1)
    return years


def trend_problems(table: Table, claim: Mapping[str, str]) -> list[str]:
    """The published trend itself, re-derived from the published counts where possible."""
    row = table.row(
        claim["indicator_id"],
        claim["time_period"],
        claim["area_code"],
        claim["breakdown"],
        claim["group"],
    )
    meta = table.meta[claim["indicator_id"]]
    published = row["recent_trend"].split(" and getting")[0]
    series = sorted(
        (period_ordinal(k[1]), r)
        for k, r in table.rows.items()
        if (k[0], k[2], k[3], k[4])
        == (claim["indicator_id"], claim["area_code"], claim["breakdown"], claim["group"])
        and period_kind(k[1]) == period_kind(claim["time_period"])
        and period_ordinal(k[1]) <= period_ordinal(claim["time_period"])
    )
    window = [r for _, r in series][-POINTS:]
    if meta["value_type"] != "proportion" or meta["denominator_unit"] not in INDEPENDENT:
        # not tested: z, or c where disclosure control hides the column over a window that
        # holds a hidden count (cautious, never a claim)
        return (
            []
            if published in ("z", "c")
            else [
                f"{claim['claim_id']}: a trend of a non-proportion or of answers is {published!r}"
            ]
        )
    if published == "c":
        hidden = any(r["numerator"] == "c" or r["denominator"] == "c" for r in window)
        return (
            []
            if hidden
            else [f"{claim['claim_id']}: trend hidden (c) with no hidden count in its window"]
        )
    numerators = [number(r["numerator"]) for r in window]
    denominators = [number(r["denominator"]) for r in window]
    derived = fingertips_trend(numerators, denominators)
    starts = [period_ordinal(r["time_period"]) for r in window]
    declared = str(meta.get("comparable_from", "") or "").strip().removesuffix(".0")
    if (
        len(window) == POINTS
        and (
            starts[-1] - starts[0] != POINTS - 1  # not 5 consecutive years
            or (declared.isdigit() and int(window[0]["time_period"][:4]) < int(declared) // 100)
            or any(
                starts[0] < year <= starts[-1]  # a question reworded within the window
                for year in reworded(claim["breakdown"], claim["group"])
            )
        )
    ):
        derived = "could not be calculated"
    if derived != published:
        return [
            f"{claim['claim_id']}: published trend {published!r}, Fingertips rule "
            f"on the published counts gives {derived!r}"
        ]
    return []


def _text_of_html(path: Path) -> tuple[str, dict[str, str], list[str]]:
    """(all text, claim id -> cell text, paragraph sentences) of a pack's HTML."""
    source = path.read_text(encoding="utf-8")
    cells = {
        html.unescape(m.group(1)): " ".join(
            html.unescape(re.sub(r"<[^>]+>", " ", m.group(2))).split()
        )
        for m in re.finditer(r'<td[^>]*data-claim="([^"]*)"[^>]*>(.*?)</td>', source, re.S)
    }
    paragraphs = [
        " ".join(html.unescape(re.sub(r"<[^>]+>", " ", p)).split())
        for p in re.findall(
            r'<p(?:\s(?!class="(?:note|fields|source)")[^>]*)?>'
            r"(.*?)</p>",
            source,
            re.S,
        )
    ]
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", source)).split())
    return text, cells, paragraphs


def _text_of_xlsx(path: Path) -> str:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    try:
        return " ".join(
            " ".join(str(v).split())
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for v in row
            if v is not None
        )
    finally:
        book.close()


SHORT = {
    ("better", "RAG - High is good"): "higher (better)",
    ("worse", "RAG - High is good"): "lower (worse)",
    ("better", "RAG - Low is good"): "lower (better)",
    ("worse", "RAG - Low is good"): "higher (worse)",
}


def words_problems(table: Table, claim: Mapping[str, str]) -> list[str]:
    """The claim's words say what its verdict says (independent reading of the sentence)."""
    words, verdict, kind = claim["words"], claim["verdict"], claim["kind"]
    made = claim["made"] == "yes"
    problems = []

    def need(phrase: str) -> None:
        if phrase not in words:
            problems.append(f"{claim['claim_id']}: words {words!r} lack {phrase!r}")

    if kind == "comparison":
        if not made:
            need("not compared")
        elif claim["benchmark"] == "ambition":
            need(f" is {verdict} ")
        elif verdict in ("better", "worse"):
            short = SHORT[(verdict, table.meta[claim["indicator_id"]]["polarity"])]
            need(f"{short.split()[0]} than")
            need(f"which is {verdict}")
        elif verdict == "similar":
            need("similar to")
        else:
            need(f"{verdict} than")
    elif kind == "ranking":
        if made:
            highest, lowest = (part.split(": ", 1)[1] for part in verdict.split("; "))
            need(f"highest “{highest.split(' = ')[0]}”")
            need(f"lowest “{lowest.split(' = ')[0]}”")
        else:
            need("not ranked")
    elif kind == "trend":
        need(
            verdict
            if made
            else (
                "could not be calculated" if verdict == "could not be calculated" else "not given"
            )
        )
    elif kind == "representation":
        if made:
            need(
                {
                    "under-represented": "under-represented",
                    "over-represented": "over-represented",
                    "similar to the cohort": "similar to the cohort",
                }[verdict]
            )
        else:
            need("cannot be set beside the cohort")
    elif kind == "not heard":
        for group in verdict.split(" | ") if made and verdict != "none" else []:
            need(f"“{group}”")
    elif kind == "funnel" and made:  # every area outside the limits named, on its side
        phrases = {
            "High (0.001)": "above the 99.8% limit",
            "Low (0.001)": "below the 99.8% limit",
            "High (0.025)": "above the 95% limit",
            "Low (0.025)": "below the 95% limit",
        }
        clauses = re.split(r"\): ", words, maxsplit=1)[-1].split("; ")  # after the centre
        places = [part.split(": ", 1) for part in verdict.split("; ")]
        if all(where == "Not significant" for _, where in places):
            need("placed lies within the 95% limits")
        for name, where in places if not all(w == "Not significant" for _, w in places) else []:
            said = [c for c in clauses if re.search(rf"\b{re.escape(name)}\b", c)]
            phrase = phrases.get(where, "within the 95% limits")
            if not any(phrase in clause for clause in said):
                problems.append(f"{claim['claim_id']}: {name} is not said {phrase}")
    elif kind == "beside" and made:  # the framework's words, with both published values
        evidence = dict(part.split("=", 1) for part in claim["evidence"].split("; ") if part)
        need(evidence["first_value"])
        need(evidence["second_value"])
    allowed = set(NUMBER.findall(claim["evidence"])) | {"75", "2028", "5", "9.5495", "99.8"}
    if kind == "funnel":
        allowed |= {"95"}  # its 95% limits
    allowed |= set(NUMBER.findall(table.meta[claim["indicator_id"]]["unit"]))
    allowed |= set(NUMBER.findall(table.meta[claim["indicator_id"]]["title"]))
    if kind == "beside":  # the figure beside it is named by its title ("4 or less")
        allowed |= set(NUMBER.findall(table.meta[claim["benchmark"]]["title"]))
    period = claim["time_period"][:6]
    allowed |= {period[:4], period[4:]} | table.name_numbers
    # a part of a year is named with its number: "Financial year Q1 2021/22"
    allowed |= set(NUMBER.findall(claim.get("time_identifier", "")))
    allowed |= set(NUMBER.findall(claim["group"]))  # a group named by numbers: '17 to 18'
    stray = [
        n
        for n in NUMBER.findall(re.sub(r"(?<=\d),(?=\d{3}\b)", "", words))  # 1,485 is 1485
        if n not in allowed and n.lstrip("0") not in {a.lstrip("0") for a in allowed}
    ]
    if stray:
        problems.append(
            f"{claim['claim_id']}: words carry numbers {stray} that are not in "
            "the published figures it rests on"
        )
    return problems


def claim_problems(table: Table, claim: Mapping[str, str]) -> list[str]:
    """One claims.csv row against its independent re-derivation (verdict, trend, words)."""
    problems = []
    made, verdict = expected(table, claim)
    if (claim["made"] == "yes") != made or claim["verdict"] != verdict:
        problems.append(
            f"{claim['claim_id']}: claims.csv says made={claim['made']} "
            f"{claim['verdict']!r}; the published table gives "
            f"made={'yes' if made else 'no'} {verdict!r}"
        )
    if claim["kind"] == "trend":
        problems += trend_problems(table, claim)
    return problems + words_problems(table, claim)


def check_pack(
    folder: Path,
    values: pd.DataFrame,
    register: pd.DataFrame,
    england: pd.DataFrame,
    authority_level: str = "Local authority",
) -> list[str]:
    """Every problem with one pack's claims (empty when every claim checks out);
    `authority_level` as Table takes it."""
    table = Table(values, register, england, authority_level)
    claims = pd.read_csv(folder / "claims.csv", dtype=str, keep_default_na=False)
    text, cells, paragraphs = _text_of_html(folder / "pack.html")
    sheet = _text_of_xlsx(folder / "pack.xlsx")
    problems: list[str] = []
    for claim in claims.to_dict("records"):
        claim = {**claim, "time_period": period_key(claim)}
        problems += claim_problems(table, claim)
        in_cell = claim["claim_id"] in cells
        if not in_cell and claim["words"] not in text:
            problems.append(f"{claim['claim_id']}: its words are not in pack.html")
        if not in_cell and claim["words"] not in sheet:
            problems.append(f"{claim['claim_id']}: its words are not in pack.xlsx")
        if in_cell and claim["kind"] == "comparison" and claim["made"] == "yes":
            short = SHORT.get(
                (claim["verdict"], table.meta[claim["indicator_id"]]["polarity"]), claim["verdict"]
            )
            if not cells[claim["claim_id"]].endswith(short):
                problems.append(
                    f"{claim['claim_id']}: the cell says "
                    f"{cells[claim['claim_id']]!r}, not {short!r}"
                )
    said = set(claims["words"])
    for paragraph in paragraphs:
        for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z“])", paragraph):
            if any(phrase in sentence for phrase in CLAIM_PHRASES) and not any(
                sentence in words or words in sentence for words in said
            ):
                problems.append(f"an unchecked statement in pack.html: {sentence!r}")
    return problems


def summary(folder: Path) -> Counter:
    claims = pd.read_csv(folder / "claims.csv", dtype=str, keep_default_na=False)
    counts: Counter = Counter()
    for claim in claims.to_dict("records"):
        reason = re.sub(r"\(.*?\)|“.*?”", "", claim["reason"]).split(":")[0].strip()
        counts[(claim["kind"], claim["made"], reason if claim["made"] == "no" else "")] += 1
    return counts


def main(output: Path) -> int:
    read = lambda path: pd.read_csv(path, dtype=str, keep_default_na=False)  # noqa: E731
    values = read(output / "indicators" / "indicator_values.csv")
    register = read(output / "register" / "indicators.csv")
    england = read(Path(__file__).resolve().parents[1] / "seeds" / "england_benchmarks.csv")
    total: Counter = Counter()
    problems = []
    # every framework's packs: each folder of the publication holding <area>/claims.csv
    packs = sorted(path.parent for path in output.glob("*/*/claims.csv"))
    for folder in packs:
        shown = f"{folder.parent.name}/{folder.name}"
        problems += [f"{shown}: {p}" for p in check_pack(folder, values, register, england)]
        total += summary(folder)
    for (kind, made, reason), count in sorted(total.items()):
        print(f"{count:5d}  {kind:15s} made={made:3s} {reason}")
    print(f"{sum(total.values())} claims in {len(packs)} packs; {len(problems)} problems")
    for problem in problems:
        print("PROBLEM", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "output")))
