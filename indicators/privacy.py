"""Privacy at the door: identifiers are replaced or reduced before anything reaches the warehouse.

- UPN -> a keyed pseudonym: HMAC-SHA256 with the secret CHORUS_PSEUDONYM_KEY. The same child
  gets the same pseudonym in every return keyed with the same secret, so returns still join,
  but nobody without the key can go back to the UPN (or test a guessed UPN).
- names are dropped;
- date of birth -> year and month (enough for season of birth);
- postcode -> postcode sector (enough to find the neighbourhood).
"""

from __future__ import annotations

import hashlib
import hmac

import pandas as pd

PSEUDONYM_LENGTH = 32  # hex characters: 128 bits of the HMAC


def pseudonymise(upns: pd.Series, key: str) -> pd.Series:
    """Keyed pseudonyms for UPNs (upper-cased and trimmed first)."""
    if not key:
        raise ValueError("a pseudonym key is required")
    secret = key.encode("utf-8")
    digest = hashlib.sha256
    values = [
        hmac.new(secret, upn.encode("utf-8"), digest).hexdigest()[:PSEUDONYM_LENGTH]
        for upn in upns.str.strip().str.upper()
    ]
    return pd.Series(values, index=upns.index, dtype="string")


def birth_year_month(dates: pd.Series) -> pd.Series:
    """Parsed dates of birth reduced to 'YYYY-MM'."""
    return dates.dt.strftime("%Y-%m").astype("string")


def postcode_sector(postcodes: pd.Series) -> pd.Series:
    """'XH3 2AB' or 'xh32ab' -> 'XH3 2': outward code, a space, the first inward digit."""
    compact = postcodes.str.upper().str.replace(r"\s+", "", regex=True)
    return (compact.str.slice(0, -3) + " " + compact.str.slice(-3, -2)).astype("string")
