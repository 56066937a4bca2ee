"""The co-designed voice item bank: items as data (seeds/voice_items.csv), never silently reworded.

Each row is one version of one item. An analyst adds an item by adding a row, and changes an
item's wording by adding a row with the next version (and marking the old one `retired`):
`wording_fingerprint` (the first 12 hex characters of the sha256 of the wording, whitespace
collapsed) catches an edit made in place. A version is in use from its `co_designed_on` date
until the next version's; `draft` versions are never in use.

Response scales:

| scale | answers | numeric score |
|---|---|---|
| `agree5` | 1 strongly disagree, 2 disagree, 3 neither, 4 agree, 5 strongly agree | 1..5 |
| `frequency5` | 1 never, 2 under weekly, 3 once or twice a week, 4 most days, 5 daily | 1..5 |
| `scale0_10` | 0..10 | 0..10 |
| `yesno` | Y, N | none |

`positive_responses` lists the answers that count as positive, separated by `;`, each a value
or (numeric scales) a range such as `7-10`.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pandas as pd

from indicators.config import PROJECT_ROOT

ITEM_COLUMNS: tuple[str, ...] = (
    "item_id",
    "version",
    "wording",
    "response_scale",
    "positive_responses",
    "domain",
    "toc_outcome",
    "co_designed_by",
    "co_designed_on",
    "status",
    "wording_fingerprint",
)
DOMAINS: tuple[str, ...] = (
    "Play and learning at home",
    "Health and development",
    "Access to services",
    "Family circumstances",
)
STATUSES: tuple[str, ...] = ("active", "retired", "draft")
SCALE_RANGES: dict[str, tuple[int, int] | None] = {
    "agree5": (1, 5),
    "frequency5": (1, 5),
    "scale0_10": (0, 10),
    "yesno": None,
}
SCALE_LABELS: dict[str, dict[str, str]] = {
    "agree5": {
        "strongly disagree": "1",
        "disagree": "2",
        "neither agree nor disagree": "3",
        "neither": "3",
        "agree": "4",
        "strongly agree": "5",
    },
    "frequency5": {
        "never": "1",
        "less than once a week": "2",
        "less than weekly": "2",
        "once or twice a week": "3",
        "most days": "4",
        "every day": "5",
        "daily": "5",
    },
    "scale0_10": {},
    "yesno": {"yes": "Y", "no": "N", "y": "Y", "n": "N"},
}
ITEM_ID_PATTERN = r"[a-z][a-z0-9_]*"
DEFAULT_ITEM_BANK = PROJECT_ROOT / "seeds" / "voice_items.csv"


def wording_fingerprint(wording: str) -> str:
    """First 12 hex characters of the sha256 of the wording (runs of whitespace collapsed)."""
    return hashlib.sha256(" ".join(wording.split()).encode("utf-8")).hexdigest()[:12]


def scale_range(scale: str) -> tuple[int, int] | None:
    """(lowest, highest) score of a numeric scale; None for yesno (no mean is meaningful).

    Raises KeyError for an unknown scale.
    """
    return SCALE_RANGES[scale]


def valid_answers(scale: str) -> frozenset[str]:
    """The answer codes a scale accepts, as text: {'1'..'5'}, {'0'..'10'} or {'Y', 'N'}."""
    bounds = SCALE_RANGES[scale]
    if bounds is None:
        return frozenset({"Y", "N"})
    return frozenset(str(value) for value in range(bounds[0], bounds[1] + 1))


def parse_positive(scale: str, text: str) -> frozenset[str]:
    """'4;5' or '7-10' or 'Y' -> the answer codes that count as positive.

    Raises ValueError when a value is not valid for the scale.
    """
    allowed = valid_answers(scale)
    result: set[str] = set()
    tokens = [token.strip() for token in text.split(";") if token.strip()]
    if not tokens:
        raise ValueError("no positive answers listed")
    for token in tokens:
        span = re.fullmatch(r"(\d+)\s*-\s*(\d+)", token)
        if span and SCALE_RANGES[scale] is not None:
            low, high = int(span.group(1)), int(span.group(2))
            values = {str(value) for value in range(low, high + 1)}
            if low > high or not values <= allowed:
                raise ValueError(f"'{token}' is not a range on the {scale} scale")
            result |= values
        else:
            code = token.upper()
            if code not in allowed:
                raise ValueError(f"'{token}' is not an answer on the {scale} scale")
            result.add(code)
    if result == set(allowed):
        raise ValueError("every answer is positive, so the item could not discriminate")
    return frozenset(result)


def normalise_answers(scale: str, answers: pd.Series) -> pd.Series:
    """Answers as codes: trimmed, 'Yes' -> 'Y', 'Strongly agree' -> '5', '4.0' -> '4'.

    Blank stays blank (not answered); anything unrecognised is returned trimmed, so that
    validation can report it.
    """
    text = answers.fillna("").astype(str).str.strip()
    lowered = text.str.lower().str.replace(r"\s+", " ", regex=True)
    labels = SCALE_LABELS[scale]
    mapped = lowered.map(labels)
    text = text.where(mapped.isna(), mapped)
    whole = text.str.fullmatch(r"\d+\.0*")
    text = text.where(~whole, text.str.replace(r"\.0*$", "", regex=True))
    if SCALE_RANGES[scale] is None:
        text = text.str.upper()
    return text.astype(object)


def load_item_bank(path: Path | None = None) -> pd.DataFrame:
    """The item bank as text columns (trimmed), `version` as a nullable integer.

    Check it with `item_bank_problems` before use.
    """
    source = path or DEFAULT_ITEM_BANK
    frame = pd.read_csv(source, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame.columns = [str(column).strip().lower() for column in frame.columns]
    for column in frame.columns:
        frame[column] = frame[column].str.strip()
    if "version" in frame.columns:
        frame["version"] = pd.to_numeric(
            frame["version"].where(frame["version"].str.fullmatch(r"\d+"), None), errors="coerce"
        ).astype("Int64")
    return frame


def item_bank_problems(frame: pd.DataFrame) -> list[str]:
    """Everything wrong with an item bank, one plain-English message each; [] when usable."""
    missing = [column for column in ITEM_COLUMNS if column not in frame.columns]
    if missing:
        return [f"the item bank lacks column(s): {', '.join(missing)}"]
    problems: list[str] = []
    for position, (_, row) in enumerate(frame.iterrows()):
        where = f"row {position + 2}"
        item = row["item_id"] or where
        for column in ITEM_COLUMNS:
            value = row[column]
            if pd.isna(value) or str(value) == "":
                problems.append(f"item {item} ({where}): {column} is missing")
        if row["item_id"] and not re.fullmatch(ITEM_ID_PATTERN, row["item_id"]):
            problems.append(
                f"item {item}: item_id must be lower case letters, digits and _, "
                "starting with a letter (it names the survey column)"
            )
        if row["item_id"].endswith("_comment"):
            problems.append(
                f"item {item}: an item_id must not end in _comment (that suffix "
                "names free-text columns)"
            )
        if row["response_scale"] not in SCALE_RANGES:
            problems.append(
                f"item {item}: unknown response_scale '{row['response_scale']}' "
                f"(use {', '.join(SCALE_RANGES)})"
            )
        elif row["positive_responses"]:
            try:
                parse_positive(row["response_scale"], row["positive_responses"])
            except ValueError as error:
                problems.append(
                    f"item {item}: positive_responses '{row['positive_responses']}'"
                    f" not valid for {row['response_scale']}: {error}"
                )
        if row["domain"] and row["domain"] not in DOMAINS:
            problems.append(
                f"item {item}: unknown domain '{row['domain']}' (use one of: {'; '.join(DOMAINS)})"
            )
        if row["status"] and row["status"] not in STATUSES:
            problems.append(
                f"item {item}: status '{row['status']}' must be one of {', '.join(STATUSES)}"
            )
        if row["co_designed_on"] and pd.isna(
            pd.to_datetime(row["co_designed_on"], format="%Y-%m-%d", errors="coerce")
        ):
            problems.append(
                f"item {item}: co_designed_on '{row['co_designed_on']}' must be a "
                "date such as 2023-07-06"
            )
        if (
            row["wording"]
            and row["wording_fingerprint"]
            and (wording_fingerprint(row["wording"]) != row["wording_fingerprint"])
        ):
            problems.append(
                f"item {item} version {row['version']} was reworded: add a new "
                "version row instead (the fingerprint records the wording as "
                "co-designed)"
            )
    bad_versions = frame["item_id"].ne("") & frame["version"].isna()
    for item in frame.loc[bad_versions, "item_id"]:
        problems.append(f"item {item}: version must be a whole number (1, 2, ...)")
    keyed = frame[frame["version"].notna() & frame["item_id"].ne("")]
    duplicated = keyed[keyed.duplicated(["item_id", "version"], keep="first")]
    for item, version in zip(duplicated["item_id"], duplicated["version"], strict=True):
        problems.append(
            f"item {item} version {version} appears more than once: each version is one row"
        )
    for item, group in keyed.groupby("item_id", sort=True):
        if group["response_scale"].nunique() > 1:
            problems.append(
                f"item {item} changes response_scale between versions: a "
                "different scale is a different item, so give it a new item_id"
            )
        dated = group[group["status"] != "draft"].sort_values("version")
        dates = pd.to_datetime(dated["co_designed_on"], format="%Y-%m-%d", errors="coerce")
        known = dates.dropna()
        if not known.is_monotonic_increasing or known.duplicated().any():
            problems.append(
                f"item {item}: later versions must have later co_designed_on dates "
                "(a version is in use from that date until the next one's)"
            )
    return problems


def active_items(frame: pd.DataFrame) -> pd.DataFrame:
    """The latest active version of each item (one row per item_id), in bank order."""
    active = frame[frame["status"] == "active"]
    latest = active.sort_values("version").groupby("item_id", sort=False).tail(1)
    return latest.loc[sorted(latest.index)].reset_index(drop=True)


def item_versions(frame: pd.DataFrame, item_id: str) -> pd.DataFrame:
    """The versions of an item that can be answered (not drafts), oldest first."""
    rows = frame[(frame["item_id"] == item_id) & (frame["status"] != "draft")]
    return rows.sort_values("version").reset_index(drop=True)


def versions_in_force(frame: pd.DataFrame, item_id: str, dates: pd.Series) -> pd.Series:
    """For each date, the version of the item in use then (<NA> before its first version)."""
    return in_force(version_starts(frame, item_id), dates)


def version_starts(frame: pd.DataFrame, item_id: str) -> list[tuple[int, pd.Timestamp]]:
    """(version, the date it comes into use) for each version that can be answered, oldest
    first."""
    versions = item_versions(frame, item_id)
    return [
        (int(version), starts)
        for version, starts in zip(
            versions["version"],
            pd.to_datetime(versions["co_designed_on"], format="%Y-%m-%d"),
            strict=True,
        )
    ]


def in_force(starts: list[tuple[int, pd.Timestamp]], dates: pd.Series) -> pd.Series:
    """For each date, the last of the `version_starts` begun by then (<NA> before the first,
    and for a missing date)."""
    version = np.zeros(len(dates), dtype=np.int64)
    known = np.zeros(len(dates), dtype=bool)
    for number, begins in starts:
        if dates.dtype.kind == "M":
            begun = dates.to_numpy() >= begins.to_datetime64()  # NaT compares False
        else:
            begun = (dates >= begins).to_numpy(dtype=bool)
        version[begun] = number
        known |= begun
    return pd.Series(pd.arrays.IntegerArray(version, ~known), index=dates.index)


def is_positive(item_row: pd.Series | dict, answers: pd.Series) -> pd.Series:
    """True where an answer to the item counts as positive; blank or invalid answers are False."""
    scale = item_row["response_scale"]
    positive = parse_positive(scale, item_row["positive_responses"])
    return normalise_answers(scale, answers).isin(positive).astype(bool)


def scores(scale: str, answers: pd.Series) -> pd.Series:
    """Numeric scores (float) for numeric scales; all null for yesno or invalid answers."""
    codes = normalise_answers(scale, answers)
    if SCALE_RANGES[scale] is None:
        return pd.Series(float("nan"), index=answers.index, dtype="float64")
    valid = codes.isin(valid_answers(scale))
    return pd.to_numeric(codes.where(valid), errors="coerce").astype("float64")


def item_bank_changes(previous: pd.DataFrame, current: pd.DataFrame) -> list[str]:
    """Versions present in both banks whose wording changed: a rewording made in place.

    `item_bank_problems` catches an edit that left the fingerprint behind; this catches one
    where the fingerprint was recomputed too (compare against the bank of the last run).
    """
    keys = ["item_id", "version"]
    joined = previous[[*keys, "wording_fingerprint"]].merge(
        current[[*keys, "wording_fingerprint"]], on=keys, suffixes=("_before", "_now")
    )
    changed = joined[joined["wording_fingerprint_before"] != joined["wording_fingerprint_now"]]
    return [
        f"item {item} version {version} was reworded: add a new version row instead"
        for item, version in zip(changed["item_id"], changed["version"], strict=True)
    ]
