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
from collections.abc import Callable

import pandas as pd

from indicators.ingest.cells import distinct_text, per_distinct, strip_upper

PSEUDONYM_LENGTH = 32  # hex characters: 128 bits of the HMAC
_INNER_PAD = bytes(byte ^ 0x36 for byte in range(256))
_OUTER_PAD = bytes(byte ^ 0x5C for byte in range(256))


def pseudonymise(upns: pd.Series, key: str, cache: dict[str, str] | None = None) -> pd.Series:
    """Keyed pseudonyms for UPNs (upper-cased and trimmed first).

    `cache` (trimmed UPN -> pseudonym under this key), when given, is used and filled: a
    year's EYFSP and census returns hold the same children.
    """
    if not key:
        raise ValueError("a pseudonym key is required")
    keyed = _keyed_sha256(key.encode("utf-8"))
    cleaned = strip_upper(upns).to_numpy(dtype=object).tolist()
    if cache is None:
        values = [keyed(upn.encode("utf-8"))[:PSEUDONYM_LENGTH] for upn in cleaned]
    else:
        values = []
        for upn in cleaned:
            if upn not in cache:
                cache[upn] = keyed(upn.encode("utf-8"))[:PSEUDONYM_LENGTH]
            values.append(cache[upn])
    return pd.Series(values, index=upns.index, dtype="string")


def _keyed_sha256(secret: bytes) -> Callable[[bytes], str]:
    """HMAC-SHA256 under `secret`, as a function from message to hex digest.

    Exactly `hmac.new(secret, message, hashlib.sha256).hexdigest()` (RFC 2104; a test holds
    it to that), with the key schedule done once: the keyed inner and outer hashes are
    copied for each message rather than built again, about twice as quick for a year of
    UPNs.
    """
    block = hashlib.sha256().block_size
    if len(secret) > block:
        secret = hashlib.sha256(secret).digest()
    secret = secret.ljust(block, b"\x00")
    inner = hashlib.sha256(secret.translate(_INNER_PAD))
    outer = hashlib.sha256(secret.translate(_OUTER_PAD))

    def keyed(message: bytes) -> str:
        inside = inner.copy()
        inside.update(message)
        outside = outer.copy()
        outside.update(inside.digest())
        return outside.hexdigest()

    return keyed


def linked_postcodes(postcodes: pd.Series, key: str) -> pd.Series:
    """Keyed pseudonyms of whole postcodes, each written upper-case without spaces first
    ('xh1 1ab' and 'XH11AB' alike), so that two sources declaring `linked_as` join on the
    postcode while neither keeps it (a home postcode and the postcode-to-LSOA lookup)."""
    compact = postcodes.astype("string").str.upper().str.replace(r"\s+", "", regex=True)
    return pseudonymise(compact.fillna(""), key)


def birth_year_month(dates: pd.Series) -> pd.Series:
    """Parsed dates of birth reduced to 'YYYY-MM'."""
    return per_distinct(dates, lambda distinct: distinct.dt.strftime("%Y-%m").astype("string"))


def postcode_sector(postcodes: pd.Series, cache: dict[str, str] | None = None) -> pd.Series:
    """'XH3 2AB' or 'xh32ab' -> 'XH3 2': outward code, a space, the first inward digit.

    `cache` (postcode -> sector), when given, is used and filled: a second call on the same
    postcodes then only looks them up.
    """
    if cache:
        try:  # every postcode already in the cache, as when ingest asks again
            return pd.Series(
                [cache[postcode] for postcode in postcodes.to_numpy(dtype=object).tolist()],
                index=postcodes.index,
                name=postcodes.name,
                dtype="string",
            )
        except (KeyError, TypeError):
            pass  # a postcode not in the cache yet (or not text): worked out below
    text = distinct_text(postcodes)
    if text is None:
        return per_distinct(postcodes, _postcode_sector)
    items, distinct = text
    sectors = {} if cache is None else cache
    for postcode in distinct - sectors.keys():
        sectors[postcode] = sector_of(postcode)
    return pd.Series(
        list(map(sectors.__getitem__, items)),
        index=postcodes.index,
        name=postcodes.name,
        dtype="string",
    )


def sector_of(postcode: str) -> str:
    """One postcode's sector, exactly as `postcode_sector` gives it."""
    compact = "".join(postcode.upper().split())  # split() splits at exactly what \s matches
    return compact[0:-3] + " " + compact[-3:-2]


def _postcode_sector(postcodes: pd.Series) -> pd.Series:
    compact = postcodes.str.upper().str.replace(r"\s+", "", regex=True)
    return (compact.str.slice(0, -3) + " " + compact.str.slice(-3, -2)).astype("string")
