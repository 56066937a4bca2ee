"""Scrub personal details from parents' free-text answers before they can become quotes.

`scrub(text)` replaces what it recognises with bracketed placeholders:

- `[email]`: e-mail addresses, also written out as "jo at gmail dot com";
- `[link]`: web addresses;
- `[upn]`: unique pupil numbers (a letter, 11 digits, then a digit or letter);
- `[date]`: dates such as 03/03/2019, 2019-03-03, 3.3.19, "3rd March 2019", "March 3rd",
  "March 2019";
- `[phone]`: UK phone numbers, mobile or landline, with or without +44, spaces, dashes and
  brackets;
- `[postcode]`: full postcodes (with or without the space), sectors (OL11 3) and upper-case
  districts (OL11);
- `[address]`: a house number with a street ("12 Acacia Avenue"), flat numbers, a named street
  in any case ("on quarry bank road");
- `[school]`: schools, nurseries and churches by name, in any case ("St Mary's", "st marys
  primary", "greenfield primary", "little acorns nursery");
- `[name]`: personal names on the name list (any case; names that are also everyday words,
  such as Will or Rose, only when capitalised mid-sentence), after a title (Mrs, Dr,
  Nurse...), after cues such as "my son", "called", "named" or "me and", and a capitalised
  word after a kin word ("Auntie Ngozi"). Kin words themselves (nan, mum, dad, auntie,
  grandad...) are never names, and a lower-case word after one is not taken for a name:
  "Her nan reads to her" keeps "reads".

Then it decides whether the result can be published with confidence. A quote is withheld
(text "") when, after scrubbing, any of these remains: an '@'; a run of five or more digits
(spaces and dashes between them allowed); a web or e-mail fragment (www, .com, gmail...); a
token shaped like a postcode district (ol11); a capitalised word mid-sentence that is not on
the allow-list (days, months, "I", NHS, Harrowdale and its neighbourhoods, languages...), or
a sentence-initial one that is not an everyday word; an unknown all-capitals word; too few
words once placeholders are set aside; or mostly personal details (more than two
placeholders, or placeholders for more than a quarter of the other words). A lower-case name
that is on no list and has no cue ("we go with jaxon") cannot be recognised: that is the
residual risk, and why quote consent and human review before a board pack still matter.

`asks_for_help(text)` says whether free text asks for help, contact, a visit or a call back,
asks the service a question, speaks of a need or crisis, or leaves a phone number (digits or
words) or e-mail address; `discloses_harm(text)` whether it discloses harm (a safeguarding
matter). Such text is never a quote: the response goes on a restricted follow-up list for a
practitioner instead, with its reason (`follow_up_reason`; indicators/voice.py). No list of
phrases catches every wording, so a quote must also be on topic (`on_topic`: it mentions a
service, reading or play; `may_be_quoted` combines both).

The scrubber knows no synthetic data: its names are indicators/wordlists/names.txt and the
LA's place names it is given (`allow`), nothing from the generator.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

WORDLISTS = Path(__file__).resolve().parent / "wordlists"
MIN_WORDS = 4
"""Words (placeholders aside) a scrubbed quote needs to be worth publishing."""
MAX_PLACEHOLDERS = 2
"""More personal details removed than this and the quote is mostly about the person: withheld."""
MAX_PLACEHOLDER_SHARE = 0.25
"""Placeholders for more than this share of a quote's words: mostly personal details."""

PLACEHOLDERS = ("name", "email", "phone", "postcode", "upn", "date", "address", "link", "school")
_PLACEHOLDER = re.compile(r"\[(?:" + "|".join(PLACEHOLDERS) + r")\]")

ALLOWED_WORDS_FILE = "allowed_words.txt"

ALLOWED_ACRONYMS = frozenset({
    "NHS", "GP", "GPS", "SEND", "SEN", "SENCO", "EHCP", "EHC", "ESOL", "UK", "TV", "OK", "A&E",
    "DLA", "PIP", "UC", "DWP", "HMRC", "CAMHS", "SALT", "ADHD", "ASD", "EAL", "EYFS", "BBC",
    "CBBC", "PE", "ICT", "TA", "SATS", "COVID", "UPN",
})
TITLES = ("mr", "mrs", "ms", "miss", "mx", "dr", "doctor", "nurse", "sir", "madam")
"""Words before a surname or name: the next word is a name unless it is an everyday word."""
KIN = ("mum", "mam", "mummy", "mom", "dad", "daddy", "nan", "nana", "nanna", "nanny", "gran",
       "granny", "grandma", "grandmother", "grandad", "granddad", "grandpa", "grandfather",
       "auntie", "aunty", "aunt", "uncle", "cousin", "father", "mother", "sister", "brother")
"""Family words: never names, and not titles. A capitalised word after one may be a name
("Auntie Ngozi"); a lower-case word is not ("her nan reads")."""
RELATIONS = ("son", "daughter", "boy", "girl", "child", "kid", "baby", "toddler", "little one",
             "youngest", "eldest", "oldest", "twin", "twins", "grandson", "granddaughter",
             "nephew", "niece", "husband", "wife", "partner", "friend",
             "neighbour", "health visitor", "key worker", "keyworker", "worker", "teacher",
             "childminder")
"""After "my son", "our little one"...: the next word is a name unless it is an everyday word."""
MONTH_CONTEXT = frozenset({"in", "since", "until", "till", "from", "by", "of", "last", "next",
                           "this", "early", "late", "mid", "end", "before", "after", "during",
                           "every", "each", "through", "to", "and", "or"})
MONTH_NAMES = frozenset({"january", "february", "march", "april", "may", "june", "july",
                         "august", "september", "october", "november", "december"})

_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|(?-i:May)|may(?=\s+\d{4})"
          r"|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?"
          r"|dec(?:ember)?)\.?")
_ORDINAL = r"\d{1,2}(?:st|nd|rd|th)?"
_YEAR = r"(?:\d{4}|'\d{2}|\d{2}(?!\d))"
_DIGIT_WORD = (r"(?:zero|oh|o|nought|nil|one|two|three|four|five|six|seven|eight|nine|double"
               r"|treble|triple|plus|hundred|thousand|\d{1,5})")
"""A digit said aloud, or a group of digits: six or more in a row are a phone number."""
_SUBSTITUTIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email", re.compile(r"[\w.+'\-]+@[\w\-]+(?:\.[\w\-]+)+", re.I)),
    ("email", re.compile(
        r"\b[\w.+\-]+(?:\s+dot\s+[\w+\-]+)*\s*(?:\(at\)|\[at\]|\s+at\s+)\s*[\w\-]+\s*"
        r"(?:\.|\(dot\)|\[dot\]|\s+dot\s+)"
        r"\s*(?:com|co(?:\s*(?:\.|\s+dot\s+)\s*uk)?|org|net|uk)\b", re.I)),
    ("link", re.compile(r"\b(?:https?://|www\.)\S+", re.I)),
    ("upn", re.compile(r"\b[A-Za-z]\d{11}[0-9A-Za-z]\b")),
    ("date", re.compile(r"\b\d{4}[/.\-]\d{1,2}[/.\-]\d{1,2}\b")),
    ("date", re.compile(r"\b\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})\b")),
    ("date", re.compile(rf"\b(?:the\s+)?{_ORDINAL}\s*(?:of\s+)?{_MONTH}(?:,?\s*{_YEAR})?(?!\w)",
                        re.I)),
    ("date", re.compile(rf"\b{_MONTH}\s+(?:the\s+)?{_ORDINAL}(?:,?\s*{_YEAR})?\b", re.I)),
    ("date", re.compile(rf"\b{_MONTH}\s+\d{{4}}\b", re.I)),
    ("phone", re.compile(
        r"(?<![\w+])(?:(?:\+|00)\s*44\s*(?:\(\s*0\s*\)\s*)?|\(\s*0|0)(?:[\s\-.()]*\d){8,10}"
        r"(?!\d)")),
    ("phone", re.compile(  # a number in words: "zero seven seven double zero nine ..."
        rf"\b(?:{_DIGIT_WORD}[\s,.\-]+){{5,}}{_DIGIT_WORD}\b", re.I)),
    ("postcode", re.compile(r"\b[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2}\b")),
    ("postcode", re.compile(r"\b[A-Za-z]{1,2}\d[A-Za-z\d]?\s+\d\b(?!\s*(?:am|pm)\b)", re.I)),
    ("postcode", re.compile(r"\b[A-Z]{1,2}\d{1,2}[A-Z]?\b")),
    ("address", re.compile(
        r"\b\d{1,4}[A-Za-z]?,?\s+(?:[A-Z][A-Za-z'\-]*\s+){1,3}(?:Road|Rd|Street|St|Avenue|Ave"
        r"|Lane|Ln|Close|Drive|Dr|Way|Court|Ct|Crescent|Grove|Terrace|Place|Gardens|Walk|Row"
        r"|Mews|Square|View|Rise|Brow|Fold|Green|Park)\b\.?")),
    ("address", re.compile(
        r"\b\d{1,4}[a-z]?,?\s+(?:[a-z'\-]+\s+){1,2}(?:road|rd|street|avenue|ave|lane|crescent"
        r"|terrace|grove|mews|gardens)\b\.?")),
    ("address", re.compile(r"\b(?:flat|apartment|apt|house)\s+(?:no\.?\s*)?\d+[a-z]?\b", re.I)),
)
_WORD = re.compile(r"[^\W\d_]+(?:['\-][^\W\d_]+)*")
_WORD_TEXT = r"[^\W\d_]+(?:['\-][^\W\d_]+)*"
_SENTENCE_BREAK = set(".!?:;\"(“‘-–—\n")
_LEFTOVERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an at-sign remains", re.compile(r"@")),
    ("a long run of digits remains", re.compile(r"\d(?:[\s.\-/()]*\d){4,}")),
    ("part of a web or e-mail address remains", re.compile(
        r"www|https?|\.com|\.co\.uk|\.org|\bdot\s+com\b|gmail|hotmail|yahoo|outlook|icloud"
        r"|btinternet", re.I)),
    ("something shaped like a postcode remains", re.compile(r"\b[a-z]{1,2}\d{1,2}[a-z]?\b",
                                                            re.I)),
)


@dataclass(frozen=True)
class ScrubResult:
    """A scrubbed quote. `text` is "" when withheld; `reasons` says what was replaced and why
    a quote was withheld, never quoting the detail itself."""

    text: str
    withheld: bool
    reasons: list[str] = field(default_factory=list)


def _word_file(name: str) -> frozenset[str]:
    words: set[str] = set()
    for line in (WORDLISTS / name).read_text(encoding="utf-8").splitlines():
        if line.strip().startswith("#"):
            continue
        words.update(word.lower() for word in line.split())
    return frozenset(words)


@cache
def common_words() -> frozenset[str]:
    """Everyday English words (indicators/wordlists/common_words.txt)."""
    return _word_file("common_words.txt")


@cache
def name_list() -> frozenset[str]:
    """Personal names: indicators/wordlists/names.txt (kin words are never names)."""
    return _word_file("names.txt") - set(KIN)


@cache
def topic_words() -> frozenset[str]:
    """What a publishable quote talks about (indicators/wordlists/topic_words.txt)."""
    return _word_file("topic_words.txt")


def on_topic(text: str) -> bool:
    """Whether text mentions a service, reading or play with children, or getting there."""
    topics = topic_words()
    for match in _WORD.finditer(text):
        stem = _stem(match.group(0))
        if stem in topics or (stem.endswith("s") and stem[:-1] in topics):
            return True
    return False


@cache
def default_allowed() -> frozenset[str]:
    """Words allowed capitalised (indicators/wordlists/allowed_words.txt). The LA's own place
    names come in through `scrub(allow=...)`."""
    return _word_file(ALLOWED_WORDS_FILE)


@lru_cache(maxsize=16)
def _allowed(allow: tuple[str, ...]) -> frozenset[str]:
    """The default allowed words and each word of `allow`, lower-cased: made once per `allow`
    (a run scrubs thousands of answers with the same neighbourhood names)."""
    return default_allowed() | {word.lower() for phrase in allow for word in phrase.split()}


@lru_cache(maxsize=16)
def _names(names: tuple[str, ...]) -> frozenset[str]:
    """The name list and `names`, lower-cased: made once per `names`."""
    return name_list() | {name.lower() for name in names}


def _is_sentence_start(text: str, start: int) -> bool:
    before = text[:start].rstrip()
    return not before or before[-1] in _SENTENCE_BREAK


def _stem(word: str) -> str:
    lowered = word.lower().replace("’", "'")
    for suffix in ("'s", "s'"):
        if lowered.endswith(suffix) and len(lowered) > 2:
            return lowered[: -len(suffix)] if suffix == "'s" else lowered[:-1]
    return lowered


def _previous_word(text: str, start: int) -> str:
    match = re.search(r"([A-Za-z']+)\W*$", text[:start])
    return match.group(1).lower() if match else ""


def _next_word(text: str, end: int) -> str:
    match = re.match(r"\W*([A-Za-z']+)", text[end:])
    return match.group(1).lower() if match else ""


def _month_context(text: str, match: re.Match[str]) -> bool:
    """'in May', 'since June', 'May half term', 'June 12': the month, not a person."""
    return (_previous_word(text, match.start()) in MONTH_CONTEXT
            or re.match(r"\s*(?:\d|\[date\]|half|term|holiday)", text[match.end():], re.I)
            is not None)


_CUES = (
    re.compile(rf"\b(?:{'|'.join(TITLES)})\.?\s+(?P<word>{_WORD_TEXT})", re.I),
    re.compile(rf"\b(?:my|our|his|her|their|the|a)\s+(?:{'|'.join(RELATIONS)})\s*,?\s+"
               rf"(?P<word>{_WORD_TEXT})", re.I),
    re.compile(r"\b(?:called|named|name is|name's|names are|known as|is called)\s+"
               rf"(?P<word>{_WORD_TEXT})", re.I),
    re.compile(rf"\b(?:me and|and me,?|me an')\s+(?P<word>{_WORD_TEXT})", re.I),
)
"""A name after a title, after "my son" and the like, after "called", after "me and"."""
_AFTER_A_VERB = frozenset({
    "me", "us", "him", "her", "them", "it", "every", "in", "on", "at", "with", "to", "the", "a",
    "an", "and", "so", "really", "all", "for", "our", "my", "his", "their", "about", "when",
    "after", "before", "out", "up", "down", "off", "round", "around", "over", "by", "from",
    "most", "each", "some", "lots", "books", "stories", "well", "too", "very", "loads"})
"""Words that follow a verb, not a name ("my son reads every night", "he hits me")."""
_KIN_CUE = re.compile(rf"\b(?:{'|'.join(KIN)})\s+(?P<word>{_WORD_TEXT})", re.I)
"""A capitalised word after a kin word ("Auntie Ngozi", "nan Pat")."""


def _replace_names(text: str, names: frozenset[str], common: frozenset[str],
                   allowed: frozenset[str]) -> tuple[str, bool]:
    """Names from the list, after titles and after cues such as "my son" or "called"."""
    found = False

    def not_a_word(word: str) -> bool:
        lowered = _stem(word)
        return (lowered not in common and lowered not in allowed and lowered not in TITLES
                and not _PLACEHOLDER.fullmatch(word))

    def verb(match: re.Match[str]) -> bool:
        """A lower-case verb after "my partner", "my son": "hits me", "reads every night"."""
        word = match.group("word")
        if word[0].isupper() or _stem(word) in names:
            return False
        lowered = word.lower()
        bases = {lowered[:-1], lowered[:-2], lowered[:-3], lowered[:-2] + "e"} \
            if re.search(r"(?:s|ed|ing)$", lowered) else set()
        if bases & common:
            return True
        return (re.search(r"(?:s|ed)$", lowered) is not None
                and _next_word(match.string, match.end()) in _AFTER_A_VERB)

    def cue(match: re.Match[str]) -> str:
        nonlocal found
        word = match.group("word")
        if match.re is _CUES[1] and verb(match):  # after "my son", not after a title
            return match.group(0)
        if not_a_word(word) or (word[0].isupper() and _stem(word) in names):
            found = True
            return match.group(0)[: match.start("word") - match.start(0)] + "[name]"
        return match.group(0)

    for cued in _CUES:
        text = cued.sub(cue, text)

    def kin(match: re.Match[str]) -> str:
        nonlocal found
        word = match.group("word")
        if (not word[0].isupper() or _stem(word) in common or _stem(word) in allowed
                or _stem(word) in KIN):
            return match.group(0)
        found = True
        return match.group(0)[: match.start("word") - match.start(0)] + "[name]"

    text = _KIN_CUE.sub(kin, text)

    pieces: list[str] = []
    last = 0
    for match in _WORD.finditer(text):
        word = match.group(0)
        if text[max(0, match.start() - 1):match.start()] == "[":
            continue  # a placeholder
        parts = [_stem(part) for part in word.split("-") if part]
        if not any(part in names for part in parts):
            continue
        stem = _stem(word)
        capitalised = word[0].isupper()
        mid_sentence = not _is_sentence_start(text, match.start())
        if stem in MONTH_NAMES and _month_context(text, match):
            continue
        ambiguous = all(part in common for part in parts if part in names)
        if ambiguous and not (capitalised and mid_sentence):
            continue
        suffix = "'s" if re.search(r"['’]s$", word) else ""
        pieces.append(text[last:match.start()] + "[name]" + suffix)
        last = match.end()
        found = True
    pieces.append(text[last:])
    return "".join(pieces), found


_SAINT = re.compile(
    r"\b(?:st\.?|saint)\s+[^\W\d_][\w'’]*(?:\s+(?:c\.?\s*of\s*e\.?|ce|rc|r\.c\.|catholic"
    r"|methodist|church|primary|infants?|juniors?|nursery|academy|school|pre-?school"
    r"|children'?s\s+centre|community|family\s+hub)\b)*", re.I)
_SCHOOL_WORD = re.compile(r"\b(?:primary|infants?|juniors?|nursery|academy|pre-?school|school"
                          r"|college|montessori|kindergarten)(?:\s+school)?\b", re.I)
_STREET_WORD = re.compile(r"\b(?:road|rd|street|avenue|ave|lane|crescent|close|drive|terrace"
                          r"|grove|gardens|mews|walk|way|estate)\b", re.I)
_STOP = frozenset({"the", "a", "an", "my", "our", "his", "her", "their", "to", "at", "in", "from",
                   "of", "and", "or", "with", "for", "on", "by", "near", "local", "nearest",
                   "new", "old", "same", "this", "that", "your", "its", "go", "goes", "went"})


def _named_before(text: str, keyword: re.Pattern[str], common: frozenset[str], label: str
                  ) -> tuple[str, int]:
    """A name before a keyword, in any case ("greenfield primary", "little acorns nursery",
    "oak tree road"): the keyword and up to three words before it, when the word next to it
    is not an everyday word, become `[label]`."""
    pieces: list[str] = []
    last = count = 0
    for match in keyword.finditer(text):
        if match.start() < last:
            continue
        words = list(re.finditer(r"[^\W\d_][\w'’\-]*", text[last:match.start()]))
        run: list[re.Match[str]] = []
        for word in reversed(words[-3:]):
            lowered = _stem(word.group(0))
            between = text[last + word.end():last + (run[-1].start() if run else
                                                    match.start() - last)]
            if between.strip() or lowered in _STOP or (not run and lowered in common):
                break
            run.append(word)
        if not run:
            continue
        start = last + run[-1].start()
        pieces.append(text[last:start] + f"[{label}]")
        last = match.end()
        count += 1
    pieces.append(text[last:])
    return "".join(pieces), count


def _replace_schools(text: str, common: frozenset[str]) -> tuple[str, int]:
    """Schools, nurseries and churches by name, in any case: "St Mary's", "st marys primary",
    "Greenfield Primary", "little acorns nursery" become [school]."""
    text, saints = _SAINT.subn("[school]", text)
    text, named = _named_before(text, _SCHOOL_WORD, common, "school")
    return text, saints + named


def _replace_streets(text: str, common: frozenset[str]) -> tuple[str, int]:
    """Street names without a house number, in any case ("on park road")."""
    return _named_before(text, _STREET_WORD, common, "address")


def _doubt(text: str, common: frozenset[str], allowed: frozenset[str], min_words: int
           ) -> str | None:
    """Why a scrubbed text cannot be published with confidence, or None."""
    unplaced = _PLACEHOLDER.sub(" ", text)
    for reason, pattern in _LEFTOVERS:
        if pattern.search(unplaced):
            return reason
    words = 0
    for match in _WORD.finditer(text):
        word = match.group(0)
        if text[max(0, match.start() - 1):match.start()] == "[":
            continue
        words += 1
        stem = _stem(word)
        if word == "I" or re.fullmatch(r"I['’](?:m|ve|d|ll)", word):
            continue
        if len(word) > 1 and word.isupper():
            if word.upper() in ALLOWED_ACRONYMS:
                continue
            return "an unrecognised capitalised abbreviation remains"
        if not word[0].isupper():
            continue
        mid_sentence = not _is_sentence_start(text, match.start())
        if stem in MONTH_NAMES and mid_sentence and not _month_context(text, match):
            return "a month name used like a name remains"
        if stem in allowed:
            continue
        if not mid_sentence and stem in common:
            continue
        return "a capitalised word that may be a name remains"
    placeholders = len(_PLACEHOLDER.findall(text))
    if words < min_words:
        return "too short once personal details are removed"
    if placeholders > MAX_PLACEHOLDERS or placeholders > MAX_PLACEHOLDER_SHARE * words:
        return "mostly personal details"
    return None


def scrub(text: str, *, allow: Iterable[str] = (), names: Iterable[str] = (),
          min_words: int = MIN_WORDS) -> ScrubResult:
    """Replace personal details with placeholders; withhold what cannot be scrubbed with confidence.

    `allow`: extra words that may appear capitalised (e.g. the LA's neighbourhood names);
    `names`: extra personal names to scrub (e.g. staff names the LA knows of).
    """
    cleaned = re.sub(r"[\u200b-\u200d\u2060\ufeff]", "", str(text or ""))
    cleaned = " ".join(cleaned.replace("’", "'").split())
    if not cleaned:
        return ScrubResult("", True, ["empty"])
    allowed = _allowed(tuple(allow))
    all_names = _names(tuple(names))
    common = common_words()
    reasons: list[str] = []
    for label, pattern in _SUBSTITUTIONS:
        cleaned, count = pattern.subn(f"[{label}]", cleaned)
        if count and label not in reasons:
            reasons.append(label)
    for label, replace in (("school", _replace_schools), ("address", _replace_streets)):
        cleaned, count = replace(cleaned, common)
        if count and label not in reasons:
            reasons.append(label)
    cleaned, named = _replace_names(cleaned, all_names, common, allowed)
    if named:
        reasons.append("name")
    doubt = _doubt(cleaned, common, allowed, min_words)
    if doubt:
        return ScrubResult("", True, [*reasons, f"withheld: {doubt}"])
    return ScrubResult(cleaned, False, reasons)


def _patterns(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(pattern, re.I) for pattern in patterns)


_WHO = r"(?:someone|somebody|anyone|anybody|a person|a worker|a social worker|a health visitor" \
       r"|the health visitor|a family (?:support )?worker|staff|you|the council|the hub)"
_CONTACT_VERBS = (r"(?:contact|call|ring|phone|text|txt|e-?mail|message|whats ?app|visit|see|help"
                  r"|come|pop|get in touch|get back|talk|speak|check|reach)")
_HELP_PATTERNS = _patterns(
    # asks to be contacted, or says how to be reached
    r"\b(?:contact|call|ring|phone|text|txt|e-?mail|message|whats ?app|reach|get hold of)"
    r"\s+(?:me|us)\b",
    r"\b(?:get|have|want|need|like|love|appreciate) (?:a|an|some) (?:call|ring|visit|phone call"
    r"|home visit|chat|word|talk)\b",
    rf"\bplease\s+(?:could\s+|can\s+|would\s+)?(?:you\s+|someone\s+)?{_CONTACT_VERBS}\b",
    r"\b(?:call|ring|phone)[\s-]*back\b",
    r"\bget (?:back )?in touch\b",
    r"\bget back to (?:me|us)\b",
    r"\b(?:my|our) (?:contact )?(?:number|details|phone number|mobile(?: number)?"
    r"|e-?mail(?: address)?)\b",
    # wishes for contact, a visit or someone to talk to
    rf"\b{_WHO}\s+(?:could|would|can|to|might|will)\s+(?:please\s+)?(?:come|pop|visit|see"
    r"|call|ring|phone|contact|talk|speak|help|check|get in touch|get back|sort)\b",
    r"\b(?:come|pop|call) (?:round|over|by)\b",
    r"\bcome (?:and|to) (?:see|visit) (?:me|us)\b",
    r"\b(?:visit|see) (?:me|us) at home\b|\bvisit (?:me|us|our (?:home|house|flat)|my (?:home"
    r"|house|flat))\b",
    r"\b(?:speak|talk|chat) (?:to|with) (?:someone|somebody|anyone|a person|a worker|a social"
    r" worker|a professional|a counsellor)\b",
    # questions addressed to the service
    r"\b(?:where|how|who|what|when|which)\s+(?:can|could|do|should|would|might|may|shall)"
    r"\s+(?:i|we)\b",
    r"\b(?:where|who)\s+(?:to|i|we)\s+(?:go|turn|ask|talk|speak|contact|get)\b",
    r"\b(?:can|could|may|should|shall)\s+(?:i|we)\s+(?:please\s+)?(?:speak|talk|get|have|see"
    r"|ask|apply|access|be referred|book|find|join|be put)\b",
    r"\b(?:is|are)\s+(?:there\s+)?(?:anyone|anybody|someone|somebody)\b",
    r"\b(?:does|do|can|could|would|will)\s+(?:anyone|anybody|someone|somebody)\b",
    r"\b(?:is|are) there (?:any|some)\b[^.?!]*\?",
    r"\bis there any (?:help|support|advice|funding|grants?)\b",
    # asks for help
    r"\b(?:can|could|would|will) (?:you|someone|somebody|anyone|the council|the hub|a worker)"
    r" (?:please )?(?:help|contact|call|ring|visit|get in touch|come round)\b",
    r"\b(?:i|we)(?:'d| would| really| urgently| desperately)* (?:need|want|like|love"
    r"|am asking for|are asking for)(?: some| more| urgent| any)? (?:help|support|advice|someone"
    r"|a social worker|a worker|a visit|a call)\b",
    r"\bplease help\b",
    r"\bany (?:help|support|advice) would\b",
    r"\bneed (?:some |urgent |more )?help\b",
    r"\b(?:said|told (?:me|us)) (?:that )?you (?:could|can|would|might) help\b",
    r"\bwho (?:can|do|should) (?:i|we) (?:contact|talk to|speak to|ask)\b",
    r"\b(?:able|willing) to help (?:me|us)\b",
    # need or crisis
    r"\bstruggl\w*\s+(?:to|with)\s+(?:pay|afford|feed|cope|heat|keep up|make ends|manage|get by"
    r"|the bills|bills|rent|money|food|debt)",
    r"\bstruggling\s+(?:financially|with money)\b",
    r"\b(?:evict\w*|homeless\w*|temporary accommodation|sofa[- ]?surf\w*|bailiffs?|arrears"
    r"|debt collectors?|food ?banks?|food (?:vouchers?|parcels?)|social (?:worker|services)"
    r"|safeguarding|child protection|early help|bull(?:ied|ying|ies)|being bullied)\b",
    r"\b(?:no|not enough) (?:food|money for food|heating|gas|electric(?:ity)?|nappies|formula)"
    r"\b",
    r"\bnothing (?:to eat|in the (?:fridge|cupboards?))\b",
    r"\b(?:can'?t|cannot|can not|couldn'?t|unable to) (?:afford|pay) (?:the |our |my |for )?"
    r"(?:rent|food|bills?|heating|gas|electric(?:ity)?|nappies|formula|mortgage|council tax)\b",
    r"\b(?:don'?t|do not|didn'?t|did not) know (?:what|where|who|how|which way) (?:to|i|we|else)"
    r"\b",
    r"\b(?:no ?one|nobody|nowhere|no where) (?:to|else to) (?:turn|talk|go|help|live|stay"
    r"|sleep)\b",
    r"\b(?:can'?t|cannot|can not|not) cop(?:e|ing)\b|\bbreaking point\b|\bdesperate\b"
    r"|\bend of (?:my|our) tether\b|\bat rock bottom\b",
    r"\b(?:debts?|hostel|refuge|skip(?:s|ped|ping)? meals|go(?:es|ing)? without (?:food|meals"
    r"|eating)|emergency credit|cut off|disconnected|universal credit|sanction(?:ed|s)?"
    r"|benefits? (?:stopped|cut|sanctioned)|on benefits|claim(?:ing)? benefits|overcrowd\w*"
    r"|damp|mould|mold|one room|no money|(?:haven'?t|have not|has not|hasn'?t) (?:got )?(?:any )?"
    r"money|can'?t afford to (?:eat|feed|heat|live|pay))\b",
    # anything asked of the service: a question, "let me know", "any chance", "is it possible"
    r"\?",
    r"\blet (?:me|us) know\b|\bany chance\b|\b(?:is|would) it (?:be )?possible\b"
    r"|\b(?:i|we)(?:'d| would)? (?:really )?appreciate\b|\b(?:some|any|more) advice\b"
    r"|\bcan (?:the|you|someone|anyone|they|the \w+) do anything\b|\bis there anything\b"
    r"|\b(?:on my own|by myself|alone|isolated|lonely) and (?:finding|find|it'?s|struggl\w*)\b"
    r"|\bfinding it (?:very |really |so )?(?:hard|difficult|tough)\b",
    # the broad layer: single words and short phrases that signal a request, a need or
    # distress wherever they stand in a sentence (any one is enough)
    r"\b(?:someone|somebody|anyone|anybody|referr?(?:al|ed|ing)?|contacted|advi[cs]e"
    r"|appointments?|assess(?:ed|ment)|listen to (?:me|us)|hear from (?:you|someone))\b",
    r"\b(?:be|being|get|getting) (?:contacted|called|visited|seen|referred|in contact)\b",
    r"\b(?:got|get|getting|be|been) in (?:contact|touch)\b|\b(?:grateful|thankful|glad) if\b",
    r"\b(?:welcome|like|love|want|need|request|ask for|asking for) (?:a |an |some |more )?(?:visit"
    r"|call|phone call|contact|chat|meeting|referral|appointment|home visit|support|help)\b",
    r"\b(?:tell|show|send|give) (?:me|us)\b|\b(?:pls|plz|plse) \w+",
    r"(?:^|[.!?;]\s*)(?:what|where|how|who|when|which|is|are|does|do|can|could|would|will"
    r"|should|anyone|any)\b(?!['’]t|n't| not)",
    r"\b(?:rent|housing|landlord|b ?& ?b|bed and breakfast|shelter|heating|emergency"
    r"|payday|loans?|bills|afford to (?:eat|live)|wits'? end|lost (?:our|my|the) (?:home|house"
    r"|flat)|no (?:place|home|house) of (?:our|my) own|sleeping (?:on|at|in) (?:the|a|my|her|his"
    r"|their) \w+|don'?t see how|how (?:we|i)(?:'ll| will| can| are going to)? (?:manage|cope"
    r"|survive|get by))\b",
    r"\b(?:depress\w*|anxi(?:ety|ous)|lonel\w*|isolated|hopeless|overwhelmed|exhausted|crying"
    r"|in tears|panic\w*|breakdown|mental health|worried sick|struggl\w*|picked on|feel(?:ing)?"
    r" (?:very |so |really |quite )?(?:down|low|alone|awful|terrible|worthless)|scared|frightened"
    r"|terrified)\b",
    # first person, in difficulty: cannot cope or manage, has nothing or no one, does not know
    r"\b(?:i|we)(?:'m| am|'re| are|'ve| have| just| really| still| honestly| now)*"
    r" (?:can'?t|cannot|can not|couldn'?t|could not|am unable to|are unable to) (?:cope|manage"
    r"|make|get|go on|take|handle|feed|find|stop|keep|leave|sleep|think|breathe|live|carry on"
    r"|do this|do it)\b",
    r"\b(?:i|we)(?:'ve| have|'ve got| have got| got| had| now have)? (?:no|nothing|nobody|no one"
    r"|no-one)\b(?! (?:complaints?|problems?|issues?)\b)",
    r"\b(?:no idea|nobody|no one|no-one|nowhere)\b",
    r"\b(?:want|need|like|wish) to (?:know|find out|ask|check)\b|\b(?:qualify|eligib\w*"
    r"|entitled)\b",
    r"\b(?:end of (?:my|our) (?:rope|tether)|dark thoughts|thoughts of|(?:haven'?t|have not"
    r"|hardly|barely|can'?t) slept?|need a break|no family|on (?:my|our) own|by myself"
    r"|going under|falling apart|sinking)\b",
    r"\b(?:wants?|told|asked|ask(?:ing|s)?|forc\w*|kick\w*|throw\w*|threw|chuck\w*|put\w*)"
    r" (?:us|me) out\b|\b(?:can'?t|cannot|can not|won'?t|will not|couldn'?t) do anything\b",
    r"\b(?:leave|out of) (?:the|our|my) (?:flat|house|home)\b|\bnotice to (?:leave|quit)\b"
    r"|\bsection 21\b|\b(?:share|sharing) (?:a|one|the) (?:bed|room)\b|\bone bed\b",
    r"\b(?:behind (?:on|with)|council tax|owe\w*|overdue|debt\w*|money coming in|letters keep"
    r"|red letters?|final demand|cost of living|(?:run|ran|running) out of money"
    r"|money (?:has |had )?(?:run|ran|runs) out)\b",
    r"\b(?:social care|care proceedings|foster\w*|taken (?:into care|away)|stopped going to"
    r" (?:school|nursery)|won'?t go to (?:school|nursery)|refus\w* to go)\b",
)
"""A request for help, contact, a visit or a call back; a question to the service; a need or
a crisis (money for essentials, housing, bullying, not coping). Written broadly on purpose: a
withheld quote costs little, a published cry for help costs a family."""
_HARM_PATTERNS = _patterns(
    r"\b(?:hits?|hitting|hurts?|hurting|beats?|beating|kicks?|kicked|kicking|punch(?:es|ed"
    r"|ing)?|slap(?:s|ped|ping)?|smack(?:s|ed|ing)?|chok(?:es|ed|ing)|strangl\w*"
    r"|threaten(?:s|ed|ing)?|bit|bites|burn(?:s|ed|t)?|touch(?:es|ed)|shout(?:s|ed|ing)? at"
    r"|scream(?:s|ed|ing)? at|swear(?:s|ing)? at)\s+(?:me|us|her|him|them|the (?:kids|children"
    r"|baby|boys?|girls?)|my|our)\b",
    r"\block(?:s|ed)? (?:me|us|her|him|them) (?:in|out|up)\b",
    r"\b(?:slap\w*|punch(?:es|ed|ing)?|batter\w*|strangl\w*|chok(?:ed|ing)|smack(?:s|ed|ing)"
    r"|beaten|been hit|was hit|gets? hit|got hit|be hit)\b",
    r"\b(?:push(?:es|ed|ing)?|shov\w*|throw(?:s|ing)?|threw|drag(?:s|ged|ging)?) (?:me|us|her|him"
    r"|them) (?:around|about|over|down|into|against|out)\b",
    r"\b(?:end(?:ing)?|take|taking) (?:my|her|his) (?:own )?life\b|\bbetter off (?:dead"
    r"|without me)\b|\bdon'?t want to (?:be here|live|go on)\b",
    r"\b(?:knife|weapon|police|restraining order|non-?molestation)\b",
    r"\b(?:throws?|threw|throwing) \w+ at (?:me|us|her|him|them)\b",
    r"\b(?:scares?|frighten(?:s|ed)?|terrif(?:ies|ied)|threaten(?:s|ed)?) (?:me|us|her|him|them"
    r"|the (?:kids|children|baby))\b",
    r"\b(?:being|been|was|were|gets?|got|is|are) (?:hurt|hit|harmed|abused|touched|beaten"
    r"|kicked|slapped|punched|threatened|attacked|bruised)\b",
    r"\b(?:breaks? things|smash(?:es|ed|ing)|bruis\w*|(?:hide|hides|hiding) (?:from|upstairs))\b",
    r"\b(?:grab(?:s|bed|bing)?|pinch(?:es|ed|ing)?|bit(?:es|ten)?|shak(?:es|ing)|shook)"
    r" (?:me|us|her|him|them|the baby)\b",
    r"\b(?:hit|hitting|hurt|hurting|harm|harming|bit|biting|bites|cut|cutting|scratch\w*"
    r"|starv\w*) (?:himself|herself|myself|themselves|yourself)\b",
    r"\b(?:won'?t|will not|doesn'?t|does not|never) (?:let|allow) (?:me|us)\b|\bnot allowed"
    r" (?:to|out)\b|\bcontrols? (?:my|our|the) money\b|\b(?:checks?|goes through) my phone\b",
    r"\b(?:abus\w*|violen\w*|domestic|coercive|controlling|assault\w*|rape[ds]?|raping|sexual\w*"
    r"|groom(?:ed|ing)|neglect\w*|unsafe|self[- ]?harm\w*|suicid\w*|want to die"
    r"|end it all|kill (?:myself|himself|herself|me|us|them))\b",
    r"\b(?:not|never|don'?t|do not|doesn'?t|does not) (?:feel )?safe\b",
    r"\b(?:scared|afraid|frightened|terrified|fear(?:ful)?)\s+(?:of|for)\s+(?:him|her|them|my|our"
    r"|his|their|what|going home|being at home|(?:my|our) (?:life|lives|safety))\b",
    r"\b(?:i|we|i'm|im|we're|i am|we are|i feel|we feel|i get|the kids are|the children are)"
    r"\s+(?:so |really |very |always |often |still |constantly )?(?:scared|frightened|terrified)"
    r"\b",
)
"""A disclosure of harm: someone hits, hurts or threatens the parent or a child, abuse,
violence, fear of someone, not safe at home, self-harm. Never a quote; a safeguarding matter
for the follow-up list."""
_CONTACT_DETAILS = tuple(pattern for label, pattern in _SUBSTITUTIONS
                         if label in ("phone", "email"))

HARM = "possible harm disclosed (safeguarding)"
HELP = "asks for help or contact"
"""The reasons a comment goes on the follow-up list (its `reason` column)."""


def _clean(text: str) -> str:
    return " ".join(str(text or "").replace("’", "'").split())


@lru_cache(maxsize=65536)
def discloses_harm(text: str) -> bool:
    """Whether free text discloses harm to the parent or a child (hits, hurts, abuse, violence,
    scared of someone, not safe at home, self-harm): a safeguarding matter, never a quote."""
    cleaned = _clean(text)
    return bool(cleaned) and any(pattern.search(cleaned) for pattern in _HARM_PATTERNS)


@lru_cache(maxsize=65536)
def asks_for_help(text: str) -> bool:
    """Whether free text asks for help, contact or a call back, or says it is in need.

    True when it asks to be contacted or visited ("please ring", "call me", "someone could
    come and see us"), asks the service a question ("where can I get", "can I speak to",
    "is anyone able to"), asks for help ("can someone help", "we need support"), speaks of a
    need or crisis (struggling to pay, eviction, food bank, bullied, "don't know what to
    do", a social worker), or leaves a phone number (digits or words) or e-mail address.
    Such text is never published as a quote: it goes on the restricted follow-up list.
    """
    cleaned = _clean(text)
    if not cleaned:
        return False
    if any(pattern.search(cleaned) for pattern in _CONTACT_DETAILS):
        return True
    return any(pattern.search(cleaned) for pattern in _HELP_PATTERNS)


def follow_up_reason(text: str) -> str | None:
    """Why free text goes on the follow-up list instead of being a quote (HARM before HELP),
    or None when it may be a quote."""
    if discloses_harm(text):
        return HARM
    if asks_for_help(text):
        return HELP
    return None


def needs_follow_up(text: str) -> bool:
    """Whether free text must never be a quote: it asks for help or discloses harm."""
    return follow_up_reason(text) is not None


def may_be_quoted(text: str) -> bool:
    """Whether free text may be a quote at all (before scrubbing): it neither asks for help nor
    discloses harm, and it is about a service, reading or play (`on_topic`). Off-topic free
    text is where families write about their circumstances; it is never quoted."""
    return not needs_follow_up(text) and on_topic(text)


def may_identify(value: str) -> bool:
    """True if a short value (a code in a data column) might identify someone if shown.

    Used to decide whether a rejected value may be echoed in a quarantine message.
    """
    text = str(value).strip()
    if re.fullmatch(r"-?\d{1,3}(?:\.\d+)?|[A-Za-z]{1,2}|", text):
        return False
    result = scrub(text, min_words=0)
    return result.withheld or result.text != " ".join(text.split())
