"""Pseudonymisation and reduction of identifiers."""

import pandas as pd

from indicators.ingest.privacy import birth_year_month, postcode_sector, pseudonymise


def test_pseudonyms_are_stable_keyed_and_hide_the_upn():
    upns = pd.Series(["B801200005001", "b801200005001 ", "A801200005002"])
    first = pseudonymise(upns, "secret-one")
    assert first[0] == first[1]  # same child, however it was typed
    assert first[0] != first[2]
    assert first[0] != pseudonymise(upns, "secret-two")[0]
    assert all("801200005" not in value for value in first)
    assert first.str.fullmatch(r"[0-9a-f]{32}").all()


def test_date_of_birth_is_reduced_to_year_and_month():
    dates = pd.to_datetime(pd.Series(["2019-03-14", "2018-11-30"]))
    assert birth_year_month(dates).tolist() == ["2019-03", "2018-11"]


def test_postcode_is_reduced_to_its_sector():
    postcodes = pd.Series(["XH3 2AB", "xh32ab", "OL11 3QD", "M1 1AE"])
    assert postcode_sector(postcodes).tolist() == ["XH3 2", "XH3 2", "OL11 3", "M1 1"]


def test_a_linked_postcode_is_a_keyed_pseudonym_of_the_whole_postcode_however_spaced():
    import hmac
    from hashlib import sha256

    from indicators.ingest.privacy import linked_postcodes

    linked = linked_postcodes(pd.Series(["XH1 1AB", "xh11ab", " XH1  1AB ", "XH1 1AD"]), "k" * 20)
    by_hand = hmac.new(b"k" * 20, b"XH11AB", sha256).hexdigest()[:32]
    assert linked.tolist()[:3] == [by_hand] * 3
    assert linked.iloc[3] != by_hand
    assert not linked.str.contains("XH1").any()
