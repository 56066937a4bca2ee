"""Scrubbing free text: a hostile list of answers, and nothing personal survives publication."""

import re
from pathlib import Path

import pytest

from indicators.voice.names import common_words, name_list
from indicators.voice.quotes import may_identify, scrub

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
    ("J. Smith from the council never called us back about housing", ["Smith", "J."], WITHHOLD),
    # phone numbers in odd formats
    ("Call me on 07700 900123 if you want to talk about the reading group.", ["900123"], PUBLISH),
    ("ring +44 (0)161 496 0000 any time after school please", ["496", "0161"], PUBLISH),
    ("Our number is (0161) 4960000, please call about the sessions", ["4960000"], PUBLISH),
    ("text me 07700-900-456 about the next baby group session", ["900-456", "07700"], PUBLISH),
    ("whatsapp +447700900789 and I will come along with the kids", ["7700900789"], PUBLISH),
    ("my number is 0044 7700 900 321 please ring after six", ["7700", "900 321"], PUBLISH),
    ("phone 07700.900.654 and ask for me about the play sessions", ["900.654"], PUBLISH),
    (
        "call me on 7700 900 111 about the sessions at the hub",
        ["7700 900 111", "900 111"],
        WITHHOLD,
    ),
    # e-mail addresses
    (
        "Email me at jo.bloggs+hub@gmail.com, I never hear about sessions.",
        ["bloggs", "gmail"],
        PUBLISH,
    ),
    (
        "my email is first.middle.last@example.co.uk for any updates please",
        ["first.middle.last", "example"],
        PUBLISH,
    ),
    ("email jo dot bloggs at gmail dot com and I will come along", ["bloggs", "gmail"], PUBLISH),
    (
        "find me on insta @harrowdale_mum_of_three for photos of the group",
        ["@", "mum_of"],
        WITHHOLD,
    ),
    # postcodes with and without spaces
    ("We live at XH3 2AB, nothing is close to us at all.", ["XH3", "2AB"], PUBLISH),
    ("We are in xh32ab and the bus only comes every hour", ["xh32ab"], PUBLISH),
    ("We moved to the XH3 2 area last year and know nobody here", ["XH3 2"], PUBLISH),
    ("The bus from OL11 is always late and the hub is too far.", ["OL11"], PUBLISH),
    ("the bus from ol11 is always late so we walk to the hub", ["ol11"], WITHHOLD),
    ("we live at 12 acacia avenue, next to the park with the swings", ["acacia"], PUBLISH),
    ("We live at 4 Lime Tree Close and there is nowhere to play.", ["Lime Tree"], PUBLISH),
    # UPNs
    ("His UPN is A801200005001 if you need to check his school.", ["A801200005001"], PUBLISH),
    ("upn a801200005001 for my son, he is at the school near us", ["a801200005001"], PUBLISH),
    ("her number at school is A 8012 0000 5001 I think, ask them", ["8012", "5001"], WITHHOLD),
    # dates in several formats
    ("She was born 3rd March 2019 and still won't sit for a story.", ["3rd March 2019"], PUBLISH),
    ("born on 03/03/2019, she has never had a two year check", ["03/03/2019"], PUBLISH),
    ("The health visitor came on 12.05.22 and said she is doing well", ["12.05.22"], PUBLISH),
    ("his birthday is 2019-03-14 and the review never happened at all", ["2019-03-14"], PUBLISH),
    (
        "She was born on March 3rd, 2019 and we moved here after that",
        ["March 3rd", "2019"],
        PUBLISH,
    ),
    ("born the 14th of August and was tiny, we had a lot of help", ["14th of August"], PUBLISH),
    ("she was born 3 3 2019 and has been poorly ever since then", ["3 3 2019"], WITHHOLD),
    # several details at once
    (
        "Amelia Smith, XH3 2AB, 07700 900123, amelia@example.com",
        ["Amelia", "Smith", "XH3", "900123", "example"],
        WITHHOLD,
    ),
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
    for text, scrubbed, reason in (
        (
            "We see Amelia's mum at the hub most weeks with the pram.",
            "We see [name]'s mum at the hub most weeks with the pram.",
            "name",
        ),
        (
            "The number on the leaflet, 07700 900123, never answers at all.",
            "The number on the leaflet, [phone], never answers at all.",
            "phone",
        ),
        (
            "The leaflet says to write to mum@example.com but nobody replies.",
            "The leaflet says to write to [email] but nobody replies.",
            "email",
        ),
        (
            "Nothing is close to us in XH3 2AB and the bus is always late.",
            "Nothing is close to us in [postcode] and the bus is always late.",
            "postcode",
        ),
    ):
        result = scrub(text)
        assert not result.withheld, result.reasons
        assert result.text == scrubbed
        assert result.reasons == [reason]


def test_a_quote_that_is_mostly_personal_details_is_withheld():
    # Three details removed, or details for more than a quarter of the other words.
    for text in (
        "Call Amelia's mum on 07700 900123 or mum@example.com, we live in XH3 2AB",
        "Amelia Smith loves going to the hub on Tuesdays",
        "she was born 3rd March 2019 in XH3 2AB, loves stories",
    ):
        result = scrub(text)
        assert result.withheld and result.reasons[-1] == "withheld: mostly personal details"


def test_every_listed_name_is_scrubbed_in_any_position():
    """Every name on the lists, capitalised mid-sentence; at the start of a sentence too,
    unless it is also an everyday word (Rose, Will), and then it stays a word."""
    common = common_words()
    for name in sorted(name_list()):
        texts = [f"We see {name.title()} at the hub every week with the kids."]
        if name not in common:
            texts += [
                f"{name.title()} comes to the hub every week with the kids.",
                f"we see {name} at the hub every week with the kids.",
            ]
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


# --------------------------------------------------------------------------- unseen details
# Names and personal details the scrubber has never seen: kept only here, checked to be on
# none of its lists and not among the synthetic generator's, so these tests can fail on names.

UNSEEN_FORENAMES = (
    "Ngozi",
    "Oluwaseun",
    "Thandiwe",
    "Bartholomew",
    "Eilidh",
    "Siobhan",
    "Wojciech",
    "Zbigniew",
    "Aoife",
    "Tadhg",
    "Chiamaka",
    "Ffion",
    "Gwilym",
    "Inigo",
    "Kwabena",
    "Leocadia",
    "Mirela",
    "Nkechi",
    "Radomir",
    "Yusra",
)
UNSEEN_SURNAMES = (
    "Ezeonwuka",
    "Przybylski",
    "Featherstonehaugh",
    "Nakamura-Boyle",
    "Adeyemi",
    "Villiers",
    "Szczepanik",
    "MacGillivray",
)
UNSEEN_DETAILS = (
    "0113 496 0999",
    "+44 20 7946 0321",
    "bob.k@hotmail.co.uk",
    "LS6 2QT",
    "B15 2TT",
    "K802300007003",
)


def test_the_unseen_names_really_are_unseen():
    from indicators.synthetic.children import FORENAMES, SURNAMES

    known = name_list() | {name.lower() for name in (*FORENAMES, *SURNAMES)}
    for name in (*UNSEEN_FORENAMES, *UNSEEN_SURNAMES):
        assert not {part.lower() for part in name.split("-")} & known, name
        assert name.lower() not in common_words()


def test_the_scrubber_does_not_depend_on_the_synthetic_generator():
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    for module in ("quotes.py", "names.py", "help_requests.py"):
        source = (root / "indicators" / "voice" / module).read_text()
        assert "synthetic" not in source.split('"""', 2)[2].split("def ")[0]  # no import of it
    probe = (
        "import sys, indicators.voice.quotes as q; q.scrub('We see Ngozi at the hub.'); "
        "print('indicators.synthetic' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert out.stdout.strip() == "False"


UNSEEN_TEMPLATES = (
    "We read every night before bed, {name} loves the library books.",
    "{name} picks a story every night and we read it together.",
    "my son {lower} loves the hub and the staff there",
    "our little one is called {lower} and she is two next month",
    "Mrs {surname} at the nursery helped us so much with the forms.",
    "mrs {lower_surname} at the hub was lovely and explained everything",
    "We see Auntie {name} every Sunday after the stay and play.",
    "me and {lower} read on the bus to nursery every morning",
    "The worker, {name}, was amazing with my children last year.",
    "We go to the park with {name} {surname} from next door.",
)


@pytest.mark.parametrize(
    "forename,surname", list(zip(UNSEEN_FORENAMES, UNSEEN_SURNAMES * 3, strict=False))
)
def test_unseen_names_never_survive(forename, surname):
    for template in UNSEEN_TEMPLATES:
        text = template.format(
            name=forename, lower=forename.lower(), surname=surname, lower_surname=surname.lower()
        )
        result = scrub(text)
        for secret in (forename, surname, *surname.split("-")):
            assert secret.lower() not in result.text.lower(), (text, result.text)


@pytest.mark.parametrize("detail", UNSEEN_DETAILS)
def test_unseen_contact_details_never_survive(detail):
    for text in (
        f"You can reach the group on {detail} most days of the week.",
        f"We moved from {detail} last year and know nobody around here.",
    ):
        result = scrub(text)
        assert detail.lower() not in result.text.lower()
        assert not re.search(r"\d{3}", result.text)


@pytest.mark.parametrize(
    "text",
    [
        "Her nan reads to her in Urdu and I read to her in English.",
        "my mum helps with the school run every day and it is a big help",
        "Grandad takes him to the library every week after nursery.",
        "His dad works nights so bedtime stories are my job most days.",
        "Our auntie looks after her on Mondays while I am at work.",
    ],
)
def test_kin_words_are_not_names_nor_titles(text):
    result = scrub(text)
    assert not result.withheld, result.reasons
    assert result.text == text


# --------------------------------------------------------------------------- requests for help

HELP_REQUESTS = (
    "Please ring me about the nursery place, I have heard nothing.",
    "Can someone call me back about the two year check?",
    "I need help with the forms for funded hours.",
    "Could you help us, we have no heating and a baby.",
    "Please contact me, things are really hard at home.",
    "My number is 0113 496 0999 if anyone can come round.",
    "Email bob.k@hotmail.co.uk about the sessions please.",
    "The school said you could help with uniform.",
    "Who can I speak to about speech therapy for my son?",
    "Would appreciate a call back from the health visitor.",
    "We urgently need support, please get in touch.",
    "txt me when the next baby group is on",
    "Could we have a home visit, the bus is too much with twins.",
    "Any help would be appreciated with the nursery fees.",
    "Is there any support for parents of children with speech delay?",
)
NOT_REQUESTS = (
    "Money is tight but we get by with help from family.",
    "The Bookstart packs really helped us get going with books.",
    "The staff at the hub always help with anything we ask.",
    "I can't afford the bus to the hub some weeks.",
    "We call the library our second home, she loves it there.",
    "Her nan reads to her in Urdu and I read to her in English.",
    "Nursery fees after the funded hours are hard.",
    "The health visitor came for a home visit and it was really useful.",
    "There is support at the hub but the bus costs too much.",
)


@pytest.mark.parametrize("text", HELP_REQUESTS)
def test_requests_for_help_are_recognised(text):
    from indicators.voice.help_requests import asks_for_help

    assert asks_for_help(text)


@pytest.mark.parametrize("text", NOT_REQUESTS)
def test_ordinary_comments_are_not_requests_for_help(text):
    from indicators.voice.help_requests import asks_for_help

    assert not asks_for_help(text)


# ------------------------------------------- requests for help and harm, in wording never seen
# Written fresh for the review of issue 11 (none of these shaped the patterns they test, except
# where a phrase from an earlier round of this list showed a whole family of wording missing).
# A published cry for help costs a family; a withheld quote costs little.

REVIEW_REQUESTS = (  # the adversarial review's phrases that were published before
    "I'm struggling to pay the bills, where can I get support?",
    "We are at risk of eviction and don't know what to do",
    "My daughter is being bullied and I don't know who to talk to",
    "Can I speak to someone about my child's speech please",
    "Is anyone able to help us with food vouchers",
    "i want a social worker to visit",
    "I'd love it if someone could come and see us at home",
    "you can reach me on zero seven seven zero zero nine double zero one two three",
)
FRESH_REQUESTS = (
    "We've had our gas cut off and the baby is only six months old",
    "Where do we go to get help with nappies and formula?",
    "Honestly we're drowning in debt since my husband lost his job",
    "Our landlord has given us notice and we have nowhere to go",
    "Would it be possible for a family worker to pop in one afternoon",
    "How do I apply for the free two year old place, nobody has told me",
    "I feel like I can't cope anymore with three under five",
    "Is there somebody I could talk to about my son's behaviour",
    "Kids at nursery keep picking on my boy and the staff do nothing, what should I do",
    "We're living in one room in a hostel with two kids",
    "Text me on oh seven nine one two, three four five six seven eight",
    "I'd really appreciate some advice about benefits",
    "we're skipping meals so the kids can eat",
    "Who should I ask about getting him assessed for autism?",
    "Is there anything for dads, I'm on my own and finding it very hard",
    "please let me know if there is a place at the baby group",
    "I haven't got money for the uniform, can the school do anything",
    "Our rent has gone up and I genuinely don't see how we'll manage next month",
    "The council moved us to a B&B and there is no kitchen",
    "Does the hub do anything for parents who are really low",
    "Need someone to look at his hearing, we've waited a year",
    "I would like to be contacted about the parenting course",
    "Anyone know where I can get a cot for free",
    "Just want someone to listen to me for once",
    "tell me how to get a blue badge for my son",
    "I have been feeling very down and alone since the birth",
    "we can't put the heating on, the kids sleep in their coats",
    "pls ring 07 seven double 0 nine hundred",
    "I'd welcome a visit from the early years team",
    "What support is there for carers",
    "We are three months behind on the council tax and letters keep coming",
    "I have no idea how to get him into a nursery, nobody explains anything",
    "I really need a break, I haven't slept properly in months and have no family here",
    "We have been told to leave the flat by the end of the month",
    "I want to know if we qualify for the free meals",
    "I'm a young mum and social care are involved",
    # found published by a real run with fresh comments (chorus run on a landing copy)
    "Our landlady wants us out and the hub staff cannot do anything",
)
# The review of issue 15 found the first two published as parents' words; the rest were
# written with them, before the patterns that now recognise them.
WISHES_FOR_IDEAS = (
    "I would like some ideas for games to play at home",
    "I'd love some tips for getting him to talk",
    "Any suggestions for getting him to say more words",
    "We would welcome some guidance on helping her talk",
    "I'd be grateful for some pointers on helping her talk",
    "Would love some information on local speech groups",
)
NOT_WISHES = (  # what parents did or were given is not a request
    "The health visitor gave us lots of ideas for games to play at home.",
    "We tried the tips from nursery and he says more words now.",
    "I have some ideas about what I want but I am not sure how to get there",
)


@pytest.mark.parametrize("text", WISHES_FOR_IDEAS)
def test_wishes_for_ideas_or_tips_are_requests(text):
    from indicators.voice.help_requests import asks_for_help

    assert asks_for_help(text)


@pytest.mark.parametrize("text", NOT_WISHES)
def test_ideas_and_tips_already_had_are_not_requests(text):
    from indicators.voice.help_requests import asks_for_help

    assert not asks_for_help(text)


HARM_DISCLOSURES = (
    "My partner hits me and I am scared",
    "He pushes me around when he's had a drink",
    "She gets slapped by her stepdad, I don't know if that's normal",
    "My older son threatens us with a knife",
    "I've thought about ending my life",
    "his dad gets angry and throws things at us",
    "My partner won't let me see my friends or have money of my own",
    "She says the older kids at the club hit her and take her snacks",
    "the baby's father grabs me by the arm when he's angry",
    "He is hitting himself when he gets frustrated and I can't manage it",
    "I'm worried my son is being hurt by someone at his dad's",
    "His stepdad scares me",
)
UNTUNED_NEEDS = (  # written after the design, never used to adjust it: none may be quoted
    "The electric has been off since Tuesday and I've got a newborn",
    "We haven't eaten properly this week so the kids get what there is",
    "My husband shouts and breaks things and the children hide upstairs",
    "I would be grateful if a family support worker got in contact",
    "Is it normal that nobody has come to check his weight since he was born",
    "My landlady wants us out and the council says we're not a priority",
    "Any idea who deals with disabled parking for kids",
    "feel like I'm failing her every day",
    "I'd like to know who I can call about his eczema getting worse",
    "we need a bigger place, five of us in a one bedroom",
    "Money has run out before the end of every month since the cost of living thing",
    "give me a ring after school run if there's a space",
    "Have applied for a nursery place three times and heard nothing, who do I chase",
    "I am really worried about my daughter's weight and nobody listens",
    "My teenager is in with a bad crowd and I think he's carrying something",
    "I've been sofa surfing with the baby for weeks",
    "Please someone sort out the mould in our bedroom, the baby's chest is bad",
    "you can get me on oh one six one, four nine six, double oh double oh",
    "There's not enough food in the house most weeks",
    "I've had enough of everything lately",
)
SERVICE_COMMENTS = (  # ordinary praise and complaint about services: these must still publish
    "The library bus is a lifeline, she loves choosing books",
    "Staff at the hub were kind and the sessions are fun",
    "We'd like more sessions on Saturdays because I work in the week",
    "The bus fare makes it hard to get to the centre some weeks",
    "The toy library has helped us so much",
    "Reading at bedtime has become our favourite thing",
    "The outreach worker visited and explained the funded hours clearly",
    "Sessions at the hub are too early for us with the school run",
    "The new baby group is brilliant and the biscuits are good too",
    "The Bookstart packs really helped us get going with books.",
    "The health visitor came for a home visit and it was really useful.",
    "There is support at the hub but the bus costs too much.",
)


@pytest.mark.parametrize("text", REVIEW_REQUESTS + FRESH_REQUESTS)
def test_requests_and_needs_in_fresh_wording_go_to_follow_up(text):
    from indicators.voice.help_requests import HELP, follow_up_reason, may_be_quoted

    assert follow_up_reason(text) == HELP
    assert not may_be_quoted(text)


@pytest.mark.parametrize("text", HARM_DISCLOSURES)
def test_disclosures_of_harm_are_flagged_as_safeguarding_and_never_quoted(text):
    from indicators.voice.help_requests import HARM, follow_up_reason, may_be_quoted

    assert follow_up_reason(text) == HARM
    assert not may_be_quoted(text)


@pytest.mark.parametrize("text", UNTUNED_NEEDS)
def test_needs_in_untuned_wording_are_never_quoted(text):
    from indicators.voice.help_requests import may_be_quoted

    assert not may_be_quoted(text)


@pytest.mark.parametrize("text", SERVICE_COMMENTS)
def test_ordinary_comments_about_services_still_publish(text):
    from indicators.voice.help_requests import follow_up_reason, may_be_quoted

    assert follow_up_reason(text) is None
    assert may_be_quoted(text)
    result = scrub(text)
    assert not result.withheld, result.reasons
    assert result.text == text


def test_a_phone_number_in_words_is_scrubbed():
    result = scrub("the group is great, my mobile is oh seven seven double oh nine oh oh one two")
    assert "seven" not in result.text and "double" not in result.text


@pytest.mark.parametrize(
    "text,verb",
    [
        ("My partner hits me when he drinks", "hits"),
        ("my son reads every night with his dad", "reads"),
        ("Our daughter sings in the car all the way to nursery", "sings"),
    ],
)
def test_a_lower_case_verb_after_a_relation_is_not_a_name(text, verb):
    assert verb in scrub(text).text


@pytest.mark.parametrize(
    "text,secrets",
    [
        ("we go to st marys primary and the teachers are kind", ["marys", "mary"]),
        ("We go to St Mary's and the teachers are kind", ["mary"]),
        ("my two go to saint bede's and love the library there", ["bede"]),
        ("my kids go to hollinwood primary and read every day", ["hollinwood"]),
        ("she is at tiny steps nursery three mornings a week", ["tiny steps"]),
        ("The stay and play at Beechcroft Primary School is great", ["beechcroft"]),
        ("we walk to st aidans c of e infants every morning", ["aidan"]),
        ("the library near quarry bank road is our favourite", ["quarry"]),
    ],
)
def test_school_and_street_names_are_scrubbed_in_any_case(text, secrets):
    result = scrub(text)
    for secret in secrets:
        assert secret not in result.text.lower(), result.text
    assert result.withheld or "[school]" in result.text or "[address]" in result.text


@pytest.mark.parametrize(
    "text",
    [
        "The nursery staff are lovely and she has come on so much with her talking.",
        "We go to the library after school on Fridays.",
        "my mum helps with the school run every day and it is a big help",
    ],
)
def test_ordinary_mentions_of_school_and_nursery_stay(text):
    result = scrub(text)
    assert not result.withheld, result.reasons
    assert result.text == text
