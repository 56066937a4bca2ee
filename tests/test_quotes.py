"""Scrubbing free text: a hostile list of answers, and nothing personal survives publication."""

import re

import pytest

from indicators.quotes import common_words, may_identify, name_list, scrub

PUBLISH, WITHHOLD, EITHER = "publish", "withhold", "either"

# (free text, details that must not survive, what should happen)
HOSTILE = [
    # names in many positions and cases
    ("We read every night before bed, Amelia loves the library books.", ["Amelia"], PUBLISH),
    ("Amelia loves the library books and we go every week.", ["Amelia"], PUBLISH),
    ("The library books are loved by amelia and her brother.", ["amelia"], PUBLISH),
    ("we read with OLIVER every single night before bed", ["OLIVER"], EITHER),
    ("Muhammad's favourite thing is the stay and play at the hub.", ["Muhammad"], PUBLISH),
    ("my daughter jaxon-lee loves the hub and the staff there", ["jaxon"], PUBLISH),
    ("My son, Kayden, has speech delay and we wait months for help.", ["Kayden"], PUBLISH),
    ("our little one is called rayan and he is two next month", ["rayan"], PUBLISH),
    ("Mrs Khan at the nursery helped us so much with the forms.", ["Khan"], PUBLISH),
    ("mrs begum at the hub was lovely and explained everything", ["begum"], PUBLISH),
    ("Dr. Okafor said he was fine but I am still worried about him", ["Okafor"], PUBLISH),
    ("Sharon at the hub was lovely to us when we first arrived.", ["Sharon"], PUBLISH),
    ("We go with Tomasz Nowak from next door every Tuesday.", ["Tomasz", "Nowak"], PUBLISH),
    ("Łukasz and me go to stay and play on Mondays together.", ["Łukasz", "ukasz"], WITHHOLD),
    ("We see Jaxon's nan at the park most days after nursery.", ["Jaxon"], WITHHOLD),
    ("My son Will loves the park but the swings are broken.", ["Will loves"], WITHHOLD),
    ("The worker, Grace, was amazing with my children last year.", ["Grace"], PUBLISH),
    ("We took April to the park and she loved the swings there.", ["April"], WITHHOLD),
    ("Contact Mrs Walker about the reading group at the hub please", ["Walker"], PUBLISH),
    ("J. Smith from the council never called us back about housing", ["Smith", "J."],
     WITHHOLD),
    # phone numbers in odd formats
    ("Call me on 07700 900123 if you want to talk about the reading group.", ["900123"],
     PUBLISH),
    ("ring +44 (0)161 496 0000 any time after school please", ["496", "0161"], PUBLISH),
    ("Our number is (0161) 4960000, please call about the sessions", ["4960000"], PUBLISH),
    ("text me 07700-900-456 about the next baby group session", ["900-456", "07700"],
     PUBLISH),
    ("whatsapp +447700900789 and I will come along with the kids", ["7700900789"], PUBLISH),
    ("my number is 0044 7700 900 321 please ring after six", ["7700", "900 321"], PUBLISH),
    ("phone 07700.900.654 and ask for me about the play sessions", ["900.654"], PUBLISH),
    ("call me on 7700 900 111 about the sessions at the hub", ["7700 900 111", "900 111"],
     WITHHOLD),
    # e-mail addresses
    ("Email me at jo.bloggs+hub@gmail.com, I never hear about sessions.", ["bloggs", "gmail"],
     PUBLISH),
    ("my email is first.middle.last@example.co.uk for any updates please",
     ["first.middle.last", "example"], PUBLISH),
    ("email jo dot bloggs at gmail dot com and I will come along", ["bloggs", "gmail"],
     PUBLISH),
    ("find me on insta @harrowdale_mum_of_three for photos of the group", ["@", "mum_of"],
     WITHHOLD),
    # postcodes with and without spaces
    ("We live at XH3 2AB, nothing is close to us at all.", ["XH3", "2AB"], PUBLISH),
    ("We are in xh32ab and the bus only comes every hour", ["xh32ab"], PUBLISH),
    ("We moved to the XH3 2 area last year and know nobody here", ["XH3 2"], PUBLISH),
    ("The bus from OL11 is always late and the hub is too far.", ["OL11"], PUBLISH),
    ("the bus from ol11 is always late so we walk to the hub", ["ol11"], WITHHOLD),
    ("we live at 12 acacia avenue, next to the park with the swings", ["acacia"], PUBLISH),
    ("We live at 4 Lime Tree Close and there is nowhere to play.", ["Lime Tree"], PUBLISH),
    # UPNs
    ("His UPN is A801200005001 if you need to check his school.", ["A801200005001"],
     PUBLISH),
    ("upn a801200005001 for my son, he is at the school near us", ["a801200005001"],
     PUBLISH),
    ("her number at school is A 8012 0000 5001 I think, ask them", ["8012", "5001"],
     WITHHOLD),
    # dates in several formats
    ("She was born 3rd March 2019 and still won't sit for a story.", ["3rd March 2019"],
     PUBLISH),
    ("born on 03/03/2019, she has never had a two year check", ["03/03/2019"], PUBLISH),
    ("The health visitor came on 12.05.22 and said she is doing well", ["12.05.22"],
     PUBLISH),
    ("his birthday is 2019-03-14 and the review never happened at all", ["2019-03-14"],
     PUBLISH),
    ("She was born on March 3rd, 2019 and we moved here after that", ["March 3rd", "2019"],
     PUBLISH),
    ("born the 14th of August and was tiny, we had a lot of help", ["14th of August"],
     PUBLISH),
    ("she was born 3 3 2019 and has been poorly ever since then", ["3 3 2019"], WITHHOLD),
    # several details at once
    ("Amelia Smith, XH3 2AB, 07700 900123, amelia@example.com", ["Amelia", "Smith", "XH3",
                                                                  "900123", "example"],
     WITHHOLD),
    # nothing personal: must pass unchanged
    ("The bus to the hub takes two changes and costs too much.", [], PUBLISH),
    ("I speak Urdu at home and English at the hub, it works well for us.", [], PUBLISH),
    ("In May we started going to the library every week with the NHS leaflet.", [], PUBLISH),
    # too short, or not a quote at all
    ("Thanks", [], WITHHOLD),
    ("Amelia 07700 900123", ["Amelia", "900123"], WITHHOLD),
    ("", [], WITHHOLD),
    ("We go to Tinkerbells playgroup on Tuesdays with my sister.", ["Tinkerbells"], WITHHOLD),
    ("see www.example.com/our-family for the photos of the kids", ["example"], PUBLISH),
]

UNCHANGED = [
    "The bus to the hub takes two changes and costs too much.",
    "I speak Urdu at home and English at the hub, it works well for us.",
    "In May we started going to the library every week with the NHS leaflet.",
]


def test_the_hostile_list_is_long_enough():
    assert len(HOSTILE) >= 40


@pytest.mark.parametrize("text,forbidden,expected", HOSTILE, ids=range(len(HOSTILE)))
def test_no_personal_detail_survives(text, forbidden, expected):
    result = scrub(text)
    if result.withheld:
        assert result.text == ""
    for detail in forbidden:
        assert detail.lower() not in result.text.lower(), (detail, result.text)
    # reasons say what and why, never the detail itself
    for detail in forbidden:
        assert all(detail.lower() not in reason.lower() for reason in result.reasons)
    if expected == PUBLISH:
        assert not result.withheld, result.reasons
    elif expected == WITHHOLD:
        assert result.withheld, result.text


@pytest.mark.parametrize("text", UNCHANGED)
def test_a_quote_with_nothing_personal_passes_unchanged(text):
    result = scrub(text)
    assert not result.withheld
    assert result.text == text
    assert result.reasons == []


def test_placeholders_say_what_was_removed():
    result = scrub("Call Amelia's mum on 07700 900123 or mum@example.com, we live in XH3 2AB")
    assert not result.withheld
    assert result.text == ("Call [name]'s mum on [phone] or [email], we live in [postcode]")
    assert set(result.reasons) == {"name", "phone", "email", "postcode"}


def test_every_listed_name_is_scrubbed_in_any_position():
    """Every name on the lists, capitalised mid-sentence; at the start of a sentence too,
    unless it is also an everyday word (Rose, Will), and then it stays a word."""
    common = common_words()
    for name in sorted(name_list()):
        texts = [f"We see {name.title()} at the hub every week with the kids."]
        if name not in common:
            texts += [f"{name.title()} comes to the hub every week with the kids.",
                      f"we see {name} at the hub every week with the kids."]
        for text in texts:
            result = scrub(text)
            assert not re.search(rf"\b{re.escape(name)}\b", result.text, re.I), text


def test_ambiguous_names_are_left_alone_as_words():
    result = scrub("I will bring a rose and some green paint, the walker is broken.")
    assert result.text == "I will bring a rose and some green paint, the walker is broken."


def test_extra_allowed_words_and_names():
    text = "The hub in Oakwood is great but Kerrigan at the desk is rude."
    assert scrub(text).withheld
    result = scrub(text, allow=["Oakwood"], names=["Kerrigan"])
    assert result.text == "The hub in Oakwood is great but [name] at the desk is rude."


def test_values_that_may_identify_are_recognised():
    assert not may_identify("6")
    assert not may_identify("Y")
    assert not may_identify("outreach visit")
    assert may_identify("Jack")
    assert may_identify("07700 900123")
    assert may_identify("A801200005001")
