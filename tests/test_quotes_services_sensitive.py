"""Issue 15 review of the early-communication words: a parent's wish for a service (therapy, a
test, a referral, support, an interpreter, a visit) or complaint of waiting for one is a
request a practitioner answers, never a quote; a quote that mentions a sensitive personal
circumstance (a health condition, prematurity, prison, social care, immigration...) is
withheld, with a reason that never names it. The sentences are written here by hand: the
review's own, then fresh ones written before running them against the word lists."""

import pytest

from indicators.voice.help_requests import HELP, follow_up_reason, may_be_quoted
from indicators.voice.quotes import scrub

REVIEW_SERVICE_REQUESTS = (
    "I want him to see a speech therapist as soon as possible",
    "He should see a speech therapist",
    "I'm worried, can he have a hearing test",
    "We are still waiting for speech therapy",
    "I would really like him to have extra support at nursery",
    "Needs support with talking",
    "We need a Polish speaking health visitor",
)
FRESH_SERVICE_REQUESTS = (
    "Could she get a referral to the hearing clinic",
    "We have been on the waiting list for eight months now",
    "He really needs an assessment before he starts school",
    "My son ought to have speech and language therapy by now",
    "Still no appointment with the paediatrician after six months",
    "We'd love a translator at the hub sessions",
    "She should be seen by a specialist, nursery think so too",
    "my daughter needs one to one at nursery",
    "will he get his two year check soon",
)
REVIEW_SENSITIVE = (
    "He was born at 28 weeks so I know he is behind",
    "His dad is in prison and he has stopped talking",
    "He has autism like his brother and we are waiting for a diagnosis",
)
FRESH_SENSITIVE = (
    "She was in the neonatal unit for a month and now loves stories",
    "Since his nan passed away he only talks to me",
    "We came here as refugees and he is learning English at nursery",
    "She has Down syndrome and the signing group is great",
    "He has a hearing aid now and loves the rhyme time",
    "She was premature and is catching up with her words",
    "Her dad got locked up last year so it is just us reading at bedtime",
    "He was born eight weeks early and loves the library",
    "Our case with the Home Office means we move a lot but nursery is good",
)
ORDINARY = (  # ordinary parents' words: they must stay quotable, word for word
    "He loves singing songs at nursery",
    "She talks much more since we started reading together",
    "The health visitor was really helpful",
    "He is starting to put two words together",
    "We play games at bath time",
    "The speech therapist showed us games to play at home",
    "I want to help him learn new words",
    "I want to support him with his talking at home",
    "We read a book every night before bed",
    "The support at the hub has been brilliant",
    "She can say lots of words in Polish and English now",
    "We would like more rhyme time sessions at the library",
    "The outreach worker was lovely and the group helped him settle",
    "The staff at nursery work on co-operation and sharing toys",
)


@pytest.mark.parametrize("text", REVIEW_SERVICE_REQUESTS + FRESH_SERVICE_REQUESTS)
def test_a_wish_for_a_service_or_waiting_for_one_goes_to_follow_up(text):
    assert follow_up_reason(text) == HELP
    assert not may_be_quoted(text)


@pytest.mark.parametrize("text", REVIEW_SENSITIVE + FRESH_SENSITIVE)
def test_a_sensitive_personal_circumstance_is_withheld_without_naming_it(text):
    result = scrub(text)
    assert result.withheld
    assert result.text == ""
    reason = " ".join(result.reasons).lower()
    assert "withheld" in reason
    for word in (
        "weeks",
        "prison",
        "autism",
        "diagnosis",
        "neonatal",
        "refugee",
        "down",
        "hearing",
        "premature",
        "locked",
        "early",
        "home office",
        "passed",
    ):
        assert word not in reason, (word, reason)


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_parents_words_stay_quotable_word_for_word(text):
    assert follow_up_reason(text) is None
    assert may_be_quoted(text)
    result = scrub(text)
    assert not result.withheld, result.reasons
    assert result.text == text
