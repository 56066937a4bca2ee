"""One authority among many in a synthetic landing: how its framework files are told apart.

The borough's files are as they always were (an empty badge). In a landing of many
authorities (`scale="national"`) each authority's care leavers, early communication and
Early Help files are drawn as the borough's are, from the authority's own random stream,
and told apart by its LA number, as each authority's own return would be:
- in the file names: `referrals_352.csv` beside `referrals_353.csv` in a month's folder;
- in the team codes: `LC352-N`, `EH352-N1` (each authority's own teams in seeds/teams.csv);
- in the identifiers: `352-HD0700007`, `352-EHR100001`, so that no two authorities share a
  child, a review or a referral.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class Badge:
    tag: str = ""
    """The authority's LA number; empty for the borough (its files as they always were)."""
    seed: int = 0
    """The seed its framework files are drawn from."""

    @classmethod
    def of(cls, la_code: str, index: int, seed: int) -> Badge:
        """The badge of the `index`-th authority of a landing of many drawn with `seed`."""
        return cls(str(la_code), seed * 1_000 + index + 1)

    def name(self, filename: str) -> str:
        """`referrals.csv` -> `referrals_352.csv`."""
        if not self.tag:
            return filename
        stem, dot, suffix = filename.rpartition(".")
        return f"{stem}_{self.tag}{dot}{suffix}"

    def team(self, code: str) -> str:
        """`EH-N1` -> `EH352-N1`."""
        if not self.tag or not code:
            return code
        head, dash, rest = code.partition("-")
        return f"{head}{self.tag}{dash}{rest}"

    def frame(
        self, frame: pd.DataFrame, ids: Iterable[str] = (), teams: Iterable[str] = ()
    ) -> pd.DataFrame:
        """The frame with each identifier column prefixed by the tag and each team column's
        codes badged (blank values stay blank)."""
        if not self.tag:
            return frame
        frame = frame.copy()
        for column in ids:
            values = frame[column].astype(str)
            frame[column] = values.where(values == "", f"{self.tag}-" + values)
        for column in teams:
            frame[column] = frame[column].map(self.team)
        return frame


BOROUGH = Badge()
"""The borough's badge: its files as they always were."""


def merge_seed(path: Path, frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """`frame` added to the seed file already at `path` (its rows with the same `key`
    replaced), so that each authority of a landing adds its own rows."""
    if not path.is_file():
        return frame
    listed = pd.read_csv(path, dtype=str, keep_default_na=False)
    listed = listed[~listed[key].isin(frame[key].astype(str))]
    return pd.concat([listed, frame.astype(str)], ignore_index=True).fillna("")
