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
- `[address]`: a house number with a street ("12 Acacia Avenue"), flat numbers;
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

`asks_for_help(text)` says whether free text asks for help, contact or a call back (or leaves
a phone number or e-mail address to be contacted on). Such text is never a quote: the
response goes on a restricted follow-up list for a practitioner instead
(indicators/ingest/survey.py).

The scrubber knows no synthetic data: its names are indicators/voice/wordlists/names.txt and
the LA's place names it is given (`allow`), nothing from the generator.
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

PLACEHOLDERS = ("name", "email", "phone", "postcode", "upn", "date", "address", "link")
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
    """Everyday English words (indicators/voice/wordlists/common_words.txt)."""
    return _word_file("common_words.txt")


@cache
def name_list() -> frozenset[str]:
    """Personal names: indicators/voice/wordlists/names.txt (kin words are never names)."""
    return _word_file("names.txt") - set(KIN)


@cache
def default_allowed() -> frozenset[str]:
    """Words allowed capitalised (indicators/voice/wordlists/allowed_words.txt). The LA's own place
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

    def cue(match: re.Match[str]) -> str:
        nonlocal found
        word = match.group("word")
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
    cleaned, named = _replace_names(cleaned, all_names, common, allowed)
    if named:
        reasons.append("name")
    doubt = _doubt(cleaned, common, allowed, min_words)
    if doubt:
        return ScrubResult("", True, [*reasons, f"withheld: {doubt}"])
    return ScrubResult(cleaned, False, reasons)


_HELP_PATTERNS = tuple(re.compile(pattern, re.I) for pattern in (
    # asks to be contacted
    r"\b(?:contact|call|ring|phone|text|txt|e-?mail|message|whats ?app)\s+(?:me|us)\b",
    r"\b(?:get|have|want|need|like) a (?:call|ring|visit|phone call|home visit)\b",
    r"\bplease\s+(?:contact|call|ring|phone|text|e-?mail|message|get in touch|get back|help"
    r"|visit|come)\b",
    r"\b(?:call|ring|phone)[\s-]*back\b",
    r"\bget (?:back )?in touch\b",
    r"\bget back to (?:me|us)\b",
    r"\b(?:my|our) (?:number|phone number|mobile(?: number)?|e-?mail(?: address)?) is\b",
    # asks for help
    r"\b(?:can|could|would|will) (?:you|someone|somebody|anyone|the council|the hub|a worker)"
    r" (?:please )?(?:help|contact|call|ring|visit|get in touch|come round)\b",
    r"\b(?:i|we) (?:really |urgently )?(?:need|want|would like|am asking for|are asking for)"
    r" (?:some |more |urgent )?(?:help|support|advice|someone to (?:talk|speak) to)\b",
    r"\bplease help\b",
    r"\bany (?:help|support|advice) would\b",
    r"\bis there any (?:help|support|advice)\b",
    r"\bneed (?:some |urgent )?help\b",
    r"\b(?:said|told (?:me|us)) (?:that )?you (?:could|can|would|might) help\b",
    r"\bwho (?:can|do|should) (?:i|we) (?:contact|talk to|speak to|ask)\b",
))
_CONTACT_DETAILS = tuple(pattern for label, pattern in _SUBSTITUTIONS
                         if label in ("phone", "email"))


@lru_cache(maxsize=65536)
def asks_for_help(text: str) -> bool:
    """Whether free text asks for help, contact or a call back.

    True when it asks to be contacted ("please ring", "call me", "get back to me", a call
    back), asks for help ("can someone help", "we need help", "you could help with uniform"),
    or leaves a phone number or e-mail address to be contacted on. Such text is never
    published as a quote: it goes on the restricted follow-up list for a practitioner.
    """
    cleaned = " ".join(str(text or "").replace("’", "'").split())
    if not cleaned:
        return False
    if any(pattern.search(cleaned) for pattern in _CONTACT_DETAILS):
        return True
    return any(pattern.search(cleaned) for pattern in _HELP_PATTERNS)


def may_identify(value: str) -> bool:
    """True if a short value (a code in a data column) might identify someone if shown.

    Used to decide whether a rejected value may be echoed in a quarantine message.
    """
    text = str(value).strip()
    if re.fullmatch(r"-?\d{1,3}(?:\.\d+)?|[A-Za-z]{1,2}|", text):
        return False
    result = scrub(text, min_words=0)
    return result.withheld or result.text != " ".join(text.split())
