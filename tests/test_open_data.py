"""The open data files meet the Explore Education Statistics (EES) rules.

The rules are checked on the written files, read back as plain CSV text, independently of
how `indicators/publish/open_data.py` builds them. Sources: DfE's open data standards ("Open data
standards", DfE analysts' guide, statistics-production/ud) and DfE's screener eesyscreener
(precheck_col_req_data, check_time_period, check_time_period_six, check_general_dupes,
check_ind_invalid_entry, check_filter_blanks, check_filter_defaults, check_filter_group_level,
precheck_filter_not_singular, check_meta_label, check_meta_ind_dp_set,
check_meta_ind_dp_values, check_meta_ind_unit, check_meta_ind_unit_validation,
check_meta_filter_hint, check_meta_indicator_grouping, check_col_snake_case,
check_col_var_start, check_col_ind_smushed, check_filename_special, check_geog_la_col_present,
check_filter_ob_total, api character limits).

Inputs: the published indicator table and register of a real `chorus run` on the synthetic
borough (tests/fixtures/open_data/, see its README), plus hand-made rows in the shape of the
voice, reach and linked indicators (overlapping voice items, channels, seldom-heard groups,
item-by-answer cross-tabulations, totals only, low reliability and every EES symbol).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from indicators.publish.open_data import write_open_data
from tests.attacker import declarations

FIXTURES = Path(__file__).parent / "fixtures" / "open_data"
EES_TIME_IDENTIFIER = {
    "academic_year": {"Academic year"},
    "financial_year": {"Financial year"},
    "financial_quarter": {f"Financial year Q{n}" for n in range(1, 5)},
    "month": {
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    },
}  # fmt: skip
"""EES's time identifiers of each period type an indicator may declare: a whole year, the
quarters of a financial year (time_period still the year, 202425; EES's "Financial year Q1"
to "Financial year Q4"), or calendar months (time_period the calendar year, 2024;
"January" to "December")."""


LA_CODE, LA_NAME = "E99000999", "Harrowdale (synthetic)"

# EES rules, written out here rather than imported from the writer.
TIME_COLUMNS = ["time_period", "time_identifier"]
GEOGRAPHY_COLUMNS = [
    "geographic_level",
    "country_code",
    "country_name",
    "old_la_code",
    "new_la_code",
    "la_name",
]
REQUIRED = TIME_COLUMNS + GEOGRAPHY_COLUMNS
OBSERVATIONAL_UNITS = set(REQUIRED) | {"region_code", "region_name"}
META_COLUMNS = [
    "col_name",
    "col_type",
    "label",
    "indicator_grouping",
    "indicator_unit",
    "indicator_dp",
    "filter_hint",
    "filter_grouping_column",
]
SYMBOLS = {"c", "z", "x", "low", "u"}
LEGACY_SYMBOLS = {"~", ":"}
UNITS = {"", "%", "pp", "£", "£m"}
NUMBER = re.compile(r"-?\d+(\.\d+)?")
SNAKE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")
FILE_NAME = re.compile(r"[a-z0-9_-]+")
SMUSHED = (
    "male",
    "female",
    "asian",
    "chinese",
    "indian",
    "pakistani",
    "bangladeshi",
    "black",
    "african",
    "caribbean",
    "white",
    "roma",
    "irish",
    "english",
    "british",
    "scottish",
    "welsh",
    "arab",
)


@dataclass(frozen=True)
class Published:
    """A written open-data folder and the inputs it was written from."""

    folder: Path
    values: pd.DataFrame
    register: pd.DataFrame


@dataclass(frozen=True)
class EesFile:
    """One data file and its meta file, read back as text."""

    name: str
    header: list[str]
    rows: list[dict[str, str]]
    meta: list[dict[str, str]]

    def described(self, col_type: str) -> list[str]:
        return [row["col_name"] for row in self.meta if row["col_type"] == col_type]

    @property
    def filters(self) -> list[str]:
        """Filters and their grouping columns (the columns that say which group a row is)."""
        groups = [
            row["filter_grouping_column"]
            for row in self.meta
            if row["col_type"] == "Filter" and row["filter_grouping_column"]
        ]
        return [*self.described("Filter"), *groups]

    def column(self, name: str) -> list[str]:
        return [row[name] for row in self.rows]


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), f"{path.name}: UTF-8 without a byte order mark"
    text = raw.decode("utf-8")  # strict: fails on anything that is not UTF-8
    lines = list(csv.reader(text.splitlines()))
    header, body = lines[0], lines[1:]
    for number, line in enumerate(body, start=2):
        assert len(line) == len(header), f"{path.name} row {number}: {len(line)} cells"
    return header, [dict(zip(header, line, strict=True)) for line in body]


def read_folder(folder: Path) -> list[EesFile]:
    files = []
    for data in sorted(folder.glob("*.csv")):
        if data.name.endswith(".meta.csv"):
            continue
        header, rows = _read_csv(data)
        meta_header, meta = _read_csv(data.with_name(data.stem + ".meta.csv"))
        assert meta_header == META_COLUMNS, f"{data.name}: meta columns {meta_header}"
        files.append(EesFile(data.stem, header, rows, meta))
    return files


# ---------------------------------------------------------------- inputs


def statutory_inputs() -> tuple[pd.DataFrame, pd.DataFrame]:
    values = pd.read_csv(FIXTURES / "indicator_values.csv", dtype=str, keep_default_na=False)
    register = pd.read_csv(FIXTURES / "register.csv", dtype=str, keep_default_na=False)
    return values, register


def _register_row(
    indicator_id: str,
    title: str,
    value_type: str,
    unit: str,
    source_type: str = "voice",
    domain: str = "Families' voices",
) -> dict:
    return {
        "indicator_id": indicator_id,
        "title": title,
        "value_type": value_type,
        "unit": unit,
        "source_type": source_type,
        "domain": domain,
        "definition": f"{title}, by year.",
        "numerator_definition": "Respondents whose answer counts as positive.",
        "denominator_definition": "Respondents who answered the question.",
        "caveats": "Respondents are not a random sample.",
    }


def _row(
    indicator_id: str,
    period: str,
    breakdown: str,
    group: str,
    numerator: str,
    denominator: str,
    value: str,
    reliability: str = "normal",
    level: str = "Local authority",
    ci: tuple[str, str] = ("40.0", "60.0"),
) -> dict:
    code, name = (LA_CODE, LA_NAME) if level == "Local authority" else ("HD01", "Central")
    return {
        "indicator_id": indicator_id,
        "time_period": period,
        "geographic_level": level,
        "area_code": code,
        "area_name": name,
        "breakdown": breakdown,
        "group": group,
        "numerator": numerator,
        "denominator": denominator,
        "value": value,
        "lower_ci_95": ci[0],
        "upper_ci_95": ci[1],
        "lower_ci_998": ci[0],
        "upper_ci_998": ci[1],
        "compared_with_la": "similar",
        "compared_with_england": "not compared",
        "recent_trend": "z",
        "reliability": reliability,
    }


def voice_inputs() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hand-made rows shaped like the voice, reach and linked indicators."""
    rows = []
    for period in ("202324", "202425"):
        # Overlapping voice items, no total; one low reliability, one suppressed.
        rows += [
            _row(
                "voice_item_positive", period, "Voice item", "read_together", "120", "200", "60.0"
            ),
            _row(
                "voice_item_positive",
                period,
                "Voice item",
                "play_together",
                "15",
                "18",
                "83.3",
                reliability="low",
                ci=("61.0", "94.2"),
            ),
            _row(
                "voice_item_positive",
                period,
                "Voice item",
                "outdoor_play",
                "c",
                "c",
                "c",
                reliability="c",
                ci=("c", "c"),
            ),
            _row(
                "voice_item_positive",
                period,
                "Voice item",
                "read_together",
                "30",
                "50",
                "60.0",
                level="Neighbourhood",
            ),
        ]
        # A mean on a 0 to 10 scale, with a value that rounds to zero.
        rows += [
            _row(
                "voice_item_mean",
                period,
                "Voice item",
                "confidence",
                "1500",
                "200",
                "7.5",
                ci=("7.2", "7.8"),
            ),
            _row(
                "voice_item_mean",
                period,
                "Voice item",
                "worry",
                "1",
                "150",
                "low",
                ci=("low", "0.1"),
            ),
        ]
        # Channels with a total row whose group is not "All children".
        rows += [
            _row(
                "voice_channel_seldom_heard", period, "All", "All respondents", "90", "300", "30.0"
            ),
            *[
                _row("voice_channel_seldom_heard", period, "Channel", channel, n, d, v, ci=(ci, ci))
                for channel, n, d, v, ci in [
                    ("outreach visit", "50", "80", "62.5", "50.0"),
                    ("family hub", "25", "100", "25.0", "20.0"),
                    ("parent panel", "c", "c", "c", "c"),
                    ("online", "z", "z", "z", "z"),
                ]
            ],
        ]
        # Seldom-heard groups against the cohort.
        rows += [
            _row("voice_reach_group", period, "Seldom-heard group", group, n, "300", v)
            for group, n, v in [
                ("Not using funded early education", "40", "13.3"),
                ("English as an additional language", "75", "25.0"),
                ("Not known to the family hub", "110", "36.7"),
            ]
        ]
        # A rate with totals only and no intervals.
        rows += [
            _row(
                "voice_reach", period, "All", "All children", "300", "3000", "10.0", ci=("x", "x")
            ),
            _row(
                "voice_reach",
                period,
                "All",
                "All children",
                "60",
                "700",
                "8.6",
                level="Neighbourhood",
                ci=("x", "x"),
            ),
        ]
        # The cohort share: totals only.
        rows.append(
            _row(
                "cohort_eal_share",
                period,
                "All",
                "All children",
                "690",
                "3000",
                "23.0",
                reliability="normal",
            )
        )
        # Linked: each item by answer, a cross-tabulation.
        for item in ("read_together", "play_together"):
            rows += [
                _row(
                    "linked_gld_by_answer",
                    period,
                    f"Voice item: {item}",
                    "Positive answer",
                    "60",
                    "90",
                    "66.7",
                ),
                _row(
                    "linked_gld_by_answer",
                    period,
                    f"Voice item: {item}",
                    "Other answers",
                    "14",
                    "25",
                    "56.0",
                    reliability="low",
                ),
            ]
    values = pd.DataFrame(rows)
    register = pd.DataFrame(
        [
            _register_row(
                "voice_item_positive",
                "Families answering each question positively",
                "proportion",
                "%",
            ),
            _register_row(
                "voice_item_mean",
                "Average score for each question",
                "mean",
                "score on the question's scale",
            ),
            _register_row(
                "voice_channel_seldom_heard",
                "Respondents from seldom-heard groups, by channel",
                "proportion",
                "% of respondents",
                domain="Who we heard from",
            ),
            _register_row(
                "voice_reach_group",
                "Respondents in each seldom-heard group",
                "proportion",
                "% of respondents",
                domain="Who we heard from",
            ),
            _register_row(
                "voice_reach",
                "Respondents per 100 children",
                "rate",
                "per 100 children",
                domain="Who we heard from",
            ),
            _register_row(
                "cohort_eal_share",
                "Children with English as an additional language",
                "proportion",
                "%",
                source_type="statutory",
                domain="Who we heard from",
            ),
            _register_row(
                "linked_gld_by_answer",
                "Good level of development by parents' answer",
                "proportion",
                "%",
                source_type="linked",
                domain="Added value",
            ),
        ]
    )
    return values, register


@pytest.fixture(
    scope="module",
    # the third reads the session's run, asked for by name below (tests/tiers.py)
    params=["statutory", "with_voice", pytest.param("pipeline", marks=pytest.mark.pipeline)],
)
def published(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Published:
    if request.param == "pipeline":  # what a real run published, voice included
        output = request.getfixturevalue("pipeline_run").settings.output
        values = pd.read_csv(
            output / "indicators" / "indicator_values.csv", dtype=str, keep_default_na=False
        )
        register = pd.read_csv(
            output / "register" / "indicators.csv", dtype=str, keep_default_na=False
        )
        return Published(output / "open-data", values, register)
    values, register = statutory_inputs()
    if request.param == "with_voice":
        voice_values, voice_register = voice_inputs()
        values = pd.concat([values, voice_values], ignore_index=True).fillna("")
        register = pd.concat([register, voice_register], ignore_index=True).fillna("")
    stage = tmp_path_factory.mktemp(request.param)
    local_authorities = pd.read_csv(FIXTURES / "local_authorities.csv", dtype=str)
    paths = write_open_data(stage, values, register, local_authorities=local_authorities)
    folder = stage / "open-data"
    assert paths and all(path.parent == folder and path.exists() for path in paths)
    assert sorted(paths) == sorted(folder.iterdir())
    return Published(folder, values, register)


@pytest.fixture(scope="module")
def files(published: Published) -> list[EesFile]:
    found = read_folder(published.folder)
    assert found, "no data files written"
    return found


# ---------------------------------------------------------------- files


def test_file_names_are_lower_case_and_paired(published: Published) -> None:
    names = sorted(path.name for path in published.folder.iterdir())
    data = [n for n in names if n.endswith(".csv") and not n.endswith(".meta.csv")]
    meta = [n for n in names if n.endswith(".meta.csv")]
    others = [n for n in names if not n.endswith(".csv")]
    assert others == ["data_guidance.txt"]
    assert sorted(n.removesuffix(".meta.csv") for n in meta) == sorted(
        n.removesuffix(".csv") for n in data
    )
    for name in data:
        stem = name.removesuffix(".csv")
        assert FILE_NAME.fullmatch(stem), f"{name}: letters, digits, - and _ only"
        assert stem == stem.lower() and len(stem) <= 50


def test_required_columns_present(files: list[EesFile]) -> None:
    for file in files:
        missing = [c for c in REQUIRED if c not in file.header]
        assert not missing, f"{file.name}: missing {missing}"
        assert ("region_code" in file.header) == ("region_name" in file.header)


def test_column_names_are_snake_case(files: list[EesFile]) -> None:
    for file in files:
        assert len(set(file.header)) == len(file.header), f"{file.name}: repeated columns"
        for name in file.header:
            assert SNAKE.fullmatch(name), f"{file.name}: '{name}' is not snake_case"
            assert len(name) <= 50, f"{file.name}: '{name}' is over 50 characters"


def test_no_blank_cells_anywhere(files: list[EesFile]) -> None:
    for file in files:
        for number, row in enumerate(file.rows, start=2):
            for column, cell in row.items():
                assert cell.strip(), f"{file.name} row {number}: {column} is blank"
                assert cell == cell.strip(), f"{file.name} row {number}: {column} has spaces"


# ---------------------------------------------------------------- time and geography


def test_time_periods_are_years_or_quarters_named_as_declared(files: list[EesFile]) -> None:
    """Academic years (202324, "Academic year"), financial years for an indicator that
    declares them (the care leavers' return: 202324, "Financial year"), the quarters of a
    financial year (202425, "Financial year Q1"), or calendar months (Early Help: 2024,
    "April")."""
    declared = declarations()
    for file in files:
        kind = declared.get(file.name, {}).get("period_type", "academic_year")
        named = set(file.column("time_identifier"))
        assert named and named <= EES_TIME_IDENTIFIER[kind], file.name
        if kind == "month":
            for period in set(file.column("time_period")):
                assert re.fullmatch(r"20\d{2}", period), f"{file.name}: time_period {period}"
            continue
        for period in set(file.column("time_period")):
            assert re.fullmatch(r"\d{6}", period), f"{file.name}: time_period {period}"
            assert (int(period[2:4]) + 1) % 100 == int(period[4:6]), (
                f"{file.name}: {period} is not two consecutive years"
            )


def test_local_authority_level_only(published: Published, files: list[EesFile]) -> None:
    neighbourhoods = set(
        published.values.loc[published.values["geographic_level"] == "Neighbourhood", "area_code"]
    )
    assert neighbourhoods, "the input should contain neighbourhood rows to leave out"
    for file in files:
        assert set(file.column("geographic_level")) == {"Local authority"}
        assert set(file.column("country_code")) == {"E92000001"}
        assert set(file.column("country_name")) == {"England"}
        for row in file.rows:
            assert re.fullmatch(r"E\d{8}", row["new_la_code"])
            assert re.fullmatch(r"\d{3}|x", row["old_la_code"])
            assert not neighbourhoods & set(row.values()), f"{file.name}: a neighbourhood row"
        assert set(file.column("old_la_code")) == {"999"}
        assert set(file.column("la_name")) == {LA_NAME}


def test_no_total_or_all_in_time_and_geography(files: list[EesFile]) -> None:
    for file in files:
        for column in OBSERVATIONAL_UNITS & set(file.header):
            assert not {"Total", "total", "All", "all"} & set(file.column(column))


# ---------------------------------------------------------------- meta


def test_meta_describes_every_column_once(files: list[EesFile]) -> None:
    for file in files:
        names = [row["col_name"] for row in file.meta]
        assert len(names) == len(set(names)), f"{file.name}: a column described twice"
        assert set(names) <= set(file.header), f"{file.name}: meta names a missing column"
        assert not OBSERVATIONAL_UNITS & set(names), f"{file.name}: time/geography in meta"
        groups = {row["filter_grouping_column"] for row in file.meta} - {""}
        assert not groups & set(names), f"{file.name}: a filter group has its own meta row"
        assert groups <= set(file.header)
        undescribed = set(file.header) - OBSERVATIONAL_UNITS - set(names) - groups
        assert not undescribed, f"{file.name}: not in the meta file: {undescribed}"


def test_meta_fields(files: list[EesFile]) -> None:
    for file in files:
        labels = [row["label"] for row in file.meta]
        assert len(labels) == len(set(labels)), f"{file.name}: repeated labels"
        for row in file.meta:
            where = f"{file.name}.meta {row['col_name']}"
            assert row["col_type"] in ("Filter", "Indicator"), where
            assert row["label"].strip() and len(row["label"]) <= 100, where
            if row["col_type"] == "Indicator":
                assert re.fullmatch(r"\d+", row["indicator_dp"]), f"{where}: indicator_dp"
                assert row["indicator_unit"] in UNITS, f"{where}: unit {row['indicator_unit']}"
                assert not row["filter_hint"] and not row["filter_grouping_column"], where
                assert not any(word in row["col_name"] for word in SMUSHED), (
                    f"{where}: a filter item in an indicator name (not tidy)"
                )
            else:
                assert row["filter_hint"].strip(), f"{where}: filter_hint"
                assert row["filter_hint"] != row["label"], where
                assert not (
                    row["indicator_unit"] or row["indicator_dp"] or row["indicator_grouping"]
                ), f"{where}: indicator fields"


def test_col_types_match_the_data(published: Published, files: list[EesFile]) -> None:
    """Indicators hold numbers or symbols; filters hold items, never symbols or numbers
    alone; counts and sums are whole numbers (a sum of signed scores, such as changes in
    score, may be negative). A mean's intervals may all be hidden (c) where their
    spread would narrow a hidden count (indicators/disclosure/spread.py); every other
    indicator column holds at least one number."""
    kinds = dict(
        zip(published.register["indicator_id"], published.register["value_type"], strict=True)
    )
    for file in files:
        for name in file.described("Indicator"):
            cells = set(file.column(name))
            assert all(NUMBER.fullmatch(cell) or cell in SYMBOLS for cell in cells), name
            if "_ci_" not in name or kinds.get(file.name) != "mean":
                assert any(NUMBER.fullmatch(cell) for cell in cells), f"{file.name}: {name}"
            if name.endswith(("_count", "_sum")):
                row = next(r for r in file.meta if r["col_name"] == name)
                assert row["indicator_dp"] == "0"
                assert all(re.fullmatch(r"-?\d+", c) or c in SYMBOLS for c in cells), name
        for name in file.filters:
            assert not set(file.column(name)) & SYMBOLS, f"{file.name}: symbol in {name}"


# ---------------------------------------------------------------- cells


def test_indicator_cells_are_numbers_or_symbols(files: list[EesFile]) -> None:
    for file in files:
        for name in file.described("Indicator"):
            for cell in file.column(name):
                assert NUMBER.fullmatch(cell) or cell in SYMBOLS, (
                    f"{file.name}: {name} has '{cell}'"
                )
                assert cell not in LEGACY_SYMBOLS


def test_no_duplicate_rows(files: list[EesFile]) -> None:
    for file in files:
        key = [c for c in file.header if c in OBSERVATIONAL_UNITS or c in file.filters]
        seen = [tuple(row[c] for c in key) for row in file.rows]
        assert len(seen) == len(set(seen)), f"{file.name}: duplicate rows"


def test_filters_have_levels_and_totals(files: list[EesFile]) -> None:
    for file in files:
        for row in file.meta:
            if row["col_type"] != "Filter":
                continue
            levels = len(set(file.column(row["col_name"])))
            assert levels >= 2, f"{file.name}: filter {row['col_name']} has one level"
            if row["filter_grouping_column"]:
                group_levels = len(set(file.column(row["filter_grouping_column"])))
                assert group_levels <= levels, f"{file.name}: group has more levels"
        if "breakdown_topic" in file.header and "breakdown" in file.header:
            for row in file.rows:
                assert (row["breakdown_topic"] == "Total") == (row["breakdown"] == "Total")


def test_aggregates_are_total(published: Published, files: list[EesFile]) -> None:
    """Every indicator with an aggregate row in the input has Total rows, and 'All' never
    appears as a filter item."""
    by_name = {file.name: file for file in files}
    la = published.values[published.values["geographic_level"] == "Local authority"]
    with_total = set(la.loc[la["breakdown"] == "All", "indicator_id"])
    with_breakdowns = set(la.loc[la["breakdown"] != "All", "indicator_id"])
    for indicator in with_total & with_breakdowns:
        file = by_name[indicator]
        totals = [row for row in file.rows if all(row[f] == "Total" for f in file.filters)]
        assert (
            len(totals)
            == la[(la["indicator_id"] == indicator) & (la["breakdown"] == "All")].shape[0]
        )
    for file in files:
        for name in file.filters:
            assert "All" not in set(file.column(name))


# ---------------------------------------------------------------- content


def test_every_register_indicator_appears(published: Published, files: list[EesFile]) -> None:
    names = {file.name for file in files}
    guidance = (published.folder / "data_guidance.txt").read_text(encoding="utf-8")
    for indicator in published.register["indicator_id"]:
        assert indicator in names, f"no open data file for {indicator}"
        assert f"{indicator}.csv" in guidance
        title = published.register.loc[
            published.register["indicator_id"] == indicator, "title"
        ].iloc[0]
        file = next(f for f in files if f.name == indicator)
        assert title in {row["label"] for row in file.meta}, f"{indicator}: title not a label"
    for symbol in SYMBOLS:
        assert re.search(rf"^\s*{symbol}\s", guidance, re.MULTILINE), f"symbol {symbol}"


def _value_columns(file: EesFile) -> tuple[str | None, str, str]:
    """(numerator, denominator, value) columns, found from the meta file alone (a median has
    no numerator column: None)."""
    indicators = file.described("Indicator")
    numerator = next((n for n in indicators if n.startswith("numerator")), None)
    denominator = next(n for n in indicators if n.startswith("denominator"))
    value = next(n for n in indicators if n not in (numerator, denominator) and "_ci_" not in n)
    return numerator, denominator, value


def test_published_numbers_are_carried_over_and_nothing_is_unsuppressed(
    published: Published, files: list[EesFile]
) -> None:
    """Each LA row of the published table is one open data row with the same counts and
    value; only a low-reliability value becomes u; a c stays c."""
    la = published.values[published.values["geographic_level"] == "Local authority"]
    for file in files:
        source = la[la["indicator_id"] == file.name]
        assert len(file.rows) == len(source), file.name
        numerator, denominator, value = _value_columns(file)
        written = {
            (r["time_period"], r[numerator] if numerator else "z", r[denominator], r[value]): 0
            for r in file.rows
        }
        for row in source.to_dict("records"):
            expected_value = (
                "u"
                if (row.get("reliability") == "low" and row["value"] not in SYMBOLS)
                else row["value"]
            )
            key = (row["time_period"], row["numerator"], row["denominator"], expected_value)
            assert key in written, f"{file.name}: {key} not in the open data"
        suppressed = sum(cell == "c" for cell in source["value"])
        assert sum(cell == "c" for cell in file.column(value)) == suppressed


def test_low_reliability_shows_u_with_counts(published: Published, files: list[EesFile]) -> None:
    if (
        "reliability" not in published.values
        or not (published.values["reliability"] == "low").any()
    ):
        pytest.skip("no low-reliability rows in this input")
    file = next(f for f in files if f.name == "voice_item_positive")
    low = published.values[
        (published.values["indicator_id"] == "voice_item_positive")
        & (published.values["reliability"] == "low")
        & ~published.values["value"].isin(SYMBOLS)
        & (published.values["geographic_level"] == "Local authority")
    ]
    shown = {(r["time_period"], r["numerator_count"], r["denominator_count"]): r for r in file.rows}
    for values_row in low.to_dict("records"):
        key = tuple(str(values_row[c]) for c in ("time_period", "numerator", "denominator"))
        row = shown[key]
        assert {row[c] for c in file.header if c.startswith(("lower_ci", "upper_ci"))} == {"u"}
        assert row["voice_item_positive_percent"] == "u"
    if "with_voice" in str(published.folder):  # the hand-made input: known cells
        row = next(r for r in file.rows if r["breakdown"] == "play_together")
        assert (row["numerator_count"], row["denominator_count"]) == ("15", "18")
        assert row["voice_item_positive_percent"] == "u"
        suppressed = next(r for r in file.rows if r["breakdown"] == "outdoor_play")
        assert suppressed["voice_item_positive_percent"] == "c"


# ---------------------------------------------------------------- layouts


def _hand_made_only(request: pytest.FixtureRequest) -> None:
    if request.node.callspec.params.get("published") == "pipeline":
        pytest.skip("checks values of the hand-made inputs; the rules above cover the pipeline")


def test_statutory_layout(files: list[EesFile], request: pytest.FixtureRequest) -> None:
    _hand_made_only(request)
    file = next(f for f in files if f.name == "gld")
    assert file.header[:8] == [*TIME_COLUMNS, *GEOGRAPHY_COLUMNS]
    assert file.described("Filter") == ["breakdown"]
    assert {r["col_name"]: r["filter_grouping_column"] for r in file.meta}[
        "breakdown"
    ] == "breakdown_topic"
    topics = set(file.column("breakdown_topic"))
    assert topics == {
        "Total",
        "Sex",
        "FSM eligibility",
        "First language",
        "SEN provision",
        "Season of birth",
    }
    assert {r["col_name"]: r["indicator_unit"] for r in file.meta}["gld_percent"] == "%"
    total = next(r for r in file.rows if r["time_period"] == "202122" and r["breakdown"] == "Total")
    assert (total["numerator_count"], total["denominator_count"], total["gld_percent"]) == (
        "1776",
        "3000",
        "59.2",
    )
    mean = next(f for f in files if f.name == "average_elgs_expected")
    units = {r["col_name"]: r["indicator_unit"] for r in mean.meta}
    assert "numerator_sum" in units and units["average_elgs_expected"] == ""


def test_voice_layouts(files: list[EesFile], request: pytest.FixtureRequest) -> None:
    _hand_made_only(request)
    by_name = {file.name: file for file in files}
    if "voice_item_positive" not in by_name:
        pytest.skip("statutory input only")
    items = by_name["voice_item_positive"]
    assert set(items.column("breakdown_topic")) == {"Voice item"}
    assert "Total" not in items.column("breakdown")  # overlapping items have no total
    channels = by_name["voice_channel_seldom_heard"]
    assert set(channels.column("breakdown_topic")) == {"Total", "Channel"}
    linked = by_name["linked_gld_by_answer"]
    assert set(linked.column("voice_item")) == {"read_together", "play_together"}
    assert set(linked.column("breakdown")) == {"Positive answer", "Other answers"}
    assert "breakdown_topic" not in linked.header  # it would only repeat "Voice item"
    assert linked.described("Filter") == ["voice_item", "breakdown"]
    for only_totals in ("voice_reach", "cohort_eal_share"):
        file = by_name[only_totals]
        assert file.described("Filter") == [] and not set(file.header) & {
            "breakdown",
            "breakdown_topic",
        }
    assert not any(c.startswith("lower_ci") for c in by_name["voice_reach"].header)
    assert {r["col_name"]: r["indicator_unit"] for r in by_name["voice_reach"].meta}[
        "voice_reach_rate"
    ] == ""
    assert "low" in by_name["voice_item_mean"].column("voice_item_mean")


# ---------------------------------------------------------------- options and errors


def test_low_reliability_as_footnote(tmp_path: Path) -> None:
    values, register = voice_inputs()
    write_open_data(tmp_path, values, register, low_reliability="footnote")
    file = next(f for f in read_folder(tmp_path / "open-data") if f.name == "voice_item_positive")
    row = next(r for r in file.rows if r["breakdown"] == "play_together")
    assert row["voice_item_positive_percent"] == "83.3"
    assert set(file.column("old_la_code")) == {"x"}  # no LA table: not available
    guidance = (tmp_path / "open-data" / "data_guidance.txt").read_text(encoding="utf-8")
    assert "Low reliability: 2 rows (published as numbers)" in guidance


def test_folder_is_rewritten_whole(tmp_path: Path) -> None:
    stale = tmp_path / "open-data" / "old_indicator.csv"
    stale.parent.mkdir(parents=True)
    stale.write_text("time_period\n202021\n", encoding="utf-8")
    values, register = voice_inputs()
    write_open_data(tmp_path, values, register)
    assert not stale.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda v, r: (v, r[r["indicator_id"] != "voice_reach"]), "not in the register"),
        (
            lambda v, r: (v.assign(time_period=v["time_period"].replace("202324", "202325")), r),
            "consecutive",
        ),
        (
            lambda v, r: (v.assign(time_period=v["time_period"].replace("202324", "2023")), r),
            "six digits",
        ),
        (lambda v, r: (v.assign(value=v["value"].replace("60.0", "n/a")), r), "neither a number"),
        (lambda v, r: (pd.concat([v, v.iloc[[0]]]), r), "more than one row"),
    ],
)
def test_bad_input_is_refused(tmp_path: Path, change, message: str) -> None:
    values, register = change(*voice_inputs())
    with pytest.raises(ValueError, match=message):
        write_open_data(tmp_path, values, register)
