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
(text "") when it mentions a sensitive personal circumstance that would identify a child in a
small area and year (a health condition or diagnosis, prematurity, a death, a family member in
prison, social care, domestic abuse, immigration status: the terms of
indicators/voice/wordlists/sensitive_terms.txt; the reason never names it), or when, after
scrubbing, any of these remains: an '@'; a run of five or more digits
(spaces and dashes between them allowed); a web or e-mail fragment (www, .com, gmail...); a
token shaped like a postcode district (ol11); a capitalised word mid-sentence that is not on
the allow-list (days, months, "I", NHS, Harrowdale and its neighbourhoods, languages...), or
a sentence-initial one that is not an everyday word; an unknown all-capitals word; too few
words once placeholders are set aside; or mostly personal details (more than two
placeholders, or placeholders for more than a quarter of the other words). A lower-case name
that is on no list and has no cue ("we go with jaxon") cannot be recognised: that is the
residual risk, and why quote consent and human review before a board pack still matter.

Names, schools and streets are found by indicators/voice/names.py. Whether free text may be
a quote at all (it asks for help, discloses harm, or is off topic) is
indicators/voice/help_requests.py.

The scrubber knows no synthetic data: its names are indicators/voice/wordlists/names.txt and
the LA's place names it is given (`allow`), nothing from the generator.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from indicators.voice.names import (
    MONTH_NAMES,
    PLACEHOLDER,
    WORD,
    allowed_words,
    common_words,
    is_sentence_start,
    month_context,
    names_with,
    replace_names,
    replace_schools,
    replace_streets,
    word_stem,
)
from indicators.voice.phrases import term_regex

MIN_WORDS = 4
"""Words (placeholders aside) a scrubbed quote needs to be worth publishing."""
MAX_PLACEHOLDERS = 2
"""More personal details removed than this and the quote is mostly about the person: withheld."""
MAX_PLACEHOLDER_SHARE = 0.25
"""Placeholders for more than this share of a quote's words: mostly personal details."""

ALLOWED_ACRONYMS = frozenset(
    {
        "NHS",
        "GP",
        "GPS",
        "SEND",
        "SEN",
        "SENCO",
        "EHCP",
        "EHC",
        "ESOL",
        "UK",
        "TV",
        "OK",
        "A&E",
        "DLA",
        "PIP",
        "UC",
        "DWP",
        "HMRC",
        "CAMHS",
        "SALT",
        "ADHD",
        "ASD",
        "EAL",
        "EYFS",
        "BBC",
        "CBBC",
        "PE",
        "ICT",
        "TA",
        "SATS",
        "COVID",
        "UPN",
    }
)

SENSITIVE_TERMS = "sensitive_terms.txt"
"""Personal circumstances that identify a child or family in a small area and year (health,
prematurity, a death, prison, social care, domestic abuse, immigration): declared in
indicators/voice/wordlists/sensitive_terms.txt."""
SENSITIVE = "a sensitive personal circumstance is mentioned (health, family, legal or status)"
"""Why such a quote is withheld: never which circumstance, nor its words."""

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|(?-i:May)|may(?=\s+\d{4})"
    r"|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?"
    r"|dec(?:ember)?)\.?"
)
_ORDINAL = r"\d{1,2}(?:st|nd|rd|th)?"
_YEAR = r"(?:\d{4}|'\d{2}|\d{2}(?!\d))"
_DIGIT_WORD = (
    r"(?:zero|oh|o|nought|nil|one|two|three|four|five|six|seven|eight|nine|double"
    r"|treble|triple|plus|hundred|thousand|\d{1,5})"
)
"""A digit said aloud, or a group of digits: six or more in a row are a phone number."""
SUBSTITUTIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email", re.compile(r"[\w.+'\-]+@[\w\-]+(?:\.[\w\-]+)+", re.I)),
    (
        "email",
        re.compile(
            r"\b[\w.+\-]+(?:\s+dot\s+[\w+\-]+)*\s*(?:\(at\)|\[at\]|\s+at\s+)\s*[\w\-]+\s*"
            r"(?:\.|\(dot\)|\[dot\]|\s+dot\s+)"
            r"\s*(?:com|co(?:\s*(?:\.|\s+dot\s+)\s*uk)?|org|net|uk)\b",
            re.I,
        ),
    ),
    ("link", re.compile(r"\b(?:https?://|www\.)\S+", re.I)),
    ("upn", re.compile(r"\b[A-Za-z]\d{11}[0-9A-Za-z]\b")),
    ("date", re.compile(r"\b\d{4}[/.\-]\d{1,2}[/.\-]\d{1,2}\b")),
    ("date", re.compile(r"\b\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})\b")),
    (
        "date",
        re.compile(rf"\b(?:the\s+)?{_ORDINAL}\s*(?:of\s+)?{_MONTH}(?:,?\s*{_YEAR})?(?!\w)", re.I),
    ),
    ("date", re.compile(rf"\b{_MONTH}\s+(?:the\s+)?{_ORDINAL}(?:,?\s*{_YEAR})?\b", re.I)),
    ("date", re.compile(rf"\b{_MONTH}\s+\d{{4}}\b", re.I)),
    (
        "phone",
        re.compile(
            r"(?<![\w+])(?:(?:\+|00)\s*44\s*(?:\(\s*0\s*\)\s*)?|\(\s*0|0)(?:[\s\-.()]*\d){8,10}"
            r"(?!\d)"
        ),
    ),
    (
        "phone",
        re.compile(  # a number in words: "zero seven seven double zero nine ..."
            rf"\b(?:{_DIGIT_WORD}[\s,.\-]+){{5,}}{_DIGIT_WORD}\b", re.I
        ),
    ),
    ("postcode", re.compile(r"\b[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2}\b")),
    ("postcode", re.compile(r"\b[A-Za-z]{1,2}\d[A-Za-z\d]?\s+\d\b(?!\s*(?:am|pm)\b)", re.I)),
    ("postcode", re.compile(r"\b[A-Z]{1,2}\d{1,2}[A-Z]?\b")),
    (
        "address",
        re.compile(
            r"\b\d{1,4}[A-Za-z]?,?\s+(?:[A-Z][A-Za-z'\-]*\s+){1,3}(?:Road|Rd|Street|St|Avenue|Ave"
            r"|Lane|Ln|Close|Drive|Dr|Way|Court|Ct|Crescent|Grove|Terrace|Place|Gardens|Walk|Row"
            r"|Mews|Square|View|Rise|Brow|Fold|Green|Park)\b\.?"
        ),
    ),
    (
        "address",
        re.compile(
            r"\b\d{1,4}[a-z]?,?\s+(?:[a-z'\-]+\s+){1,2}(?:road|rd|street|avenue|ave|lane|crescent"
            r"|terrace|grove|mews|gardens)\b\.?"
        ),
    ),
    ("address", re.compile(r"\b(?:flat|apartment|apt|house)\s+(?:no\.?\s*)?\d+[a-z]?\b", re.I)),
)
_LEFTOVERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an at-sign remains", re.compile(r"@")),
    ("a long run of digits remains", re.compile(r"\d(?:[\s.\-/()]*\d){4,}")),
    (
        "part of a web or e-mail address remains",
        re.compile(
            r"www|https?|\.com|\.co\.uk|\.org|\bdot\s+com\b|gmail|hotmail|yahoo|outlook|icloud"
            r"|btinternet",
            re.I,
        ),
    ),
    ("something shaped like a postcode remains", re.compile(r"\b[a-z]{1,2}\d{1,2}[a-z]?\b", re.I)),
)


@dataclass(frozen=True)
class ScrubResult:
    """A scrubbed quote. `text` is "" when withheld; `reasons` says what was replaced and why
    a quote was withheld, never quoting the detail itself."""

    text: str
    withheld: bool
    reasons: list[str] = field(default_factory=list)


def _doubt(
    text: str, common: frozenset[str], allowed: frozenset[str], min_words: int, sensitive: bool
) -> str | None:
    """Why a scrubbed text cannot be published with confidence, or None."""
    unplaced = PLACEHOLDER.sub(" ", text)
    if sensitive and term_regex(SENSITIVE_TERMS).search(unplaced):
        return SENSITIVE
    for reason, pattern in _LEFTOVERS:
        if pattern.search(unplaced):
            return reason
    words = 0
    for match in WORD.finditer(text):
        word = match.group(0)
        if text[max(0, match.start() - 1) : match.start()] == "[":
            continue
        words += 1
        stem = word_stem(word)
        if word == "I" or re.fullmatch(r"I['’](?:m|ve|d|ll)", word):
            continue
        if len(word) > 1 and word.isupper():
            if word.upper() in ALLOWED_ACRONYMS:
                continue
            return "an unrecognised capitalised abbreviation remains"
        if not word[0].isupper():
            continue
        mid_sentence = not is_sentence_start(text, match.start())
        if stem in MONTH_NAMES and mid_sentence and not month_context(text, match):
            return "a month name used like a name remains"
        if stem in allowed:
            continue
        if not mid_sentence and stem in common:
            continue
        return "a capitalised word that may be a name remains"
    placeholders = len(PLACEHOLDER.findall(text))
    if words < min_words:
        return "too short once personal details are removed"
    if placeholders > MAX_PLACEHOLDERS or placeholders > MAX_PLACEHOLDER_SHARE * words:
        return "mostly personal details"
    return None


def scrub(
    text: str,
    *,
    allow: Iterable[str] = (),
    names: Iterable[str] = (),
    min_words: int = MIN_WORDS,
    sensitive: bool = True,
) -> ScrubResult:
    """Replace personal details with placeholders; withhold what cannot be scrubbed with confidence.

    `allow`: extra words that may appear capitalised (e.g. the LA's neighbourhood names);
    `names`: extra personal names to scrub (e.g. staff names the LA knows of);
    `sensitive`: withhold a text that mentions a sensitive personal circumstance (SENSITIVE;
    off only for may_identify, which judges a single code value, not a quote).
    """
    cleaned = re.sub(r"[\u200b-\u200d\u2060\ufeff]", "", str(text or ""))
    cleaned = " ".join(cleaned.replace("’", "'").split())
    if not cleaned:
        return ScrubResult("", True, ["empty"])
    allowed = allowed_words(tuple(allow))
    all_names = names_with(tuple(names))
    common = common_words()
    reasons: list[str] = []
    for label, pattern in SUBSTITUTIONS:
        cleaned, count = pattern.subn(f"[{label}]", cleaned)
        if count and label not in reasons:
            reasons.append(label)
    for label, replace in (("school", replace_schools), ("address", replace_streets)):
        cleaned, count = replace(cleaned, common)
        if count and label not in reasons:
            reasons.append(label)
    cleaned, named = replace_names(cleaned, all_names, common, allowed)
    if named:
        reasons.append("name")
    doubt = _doubt(cleaned, common, allowed, min_words, sensitive)
    if doubt:
        return ScrubResult("", True, [*reasons, f"withheld: {doubt}"])
    return ScrubResult(cleaned, False, reasons)


def may_identify(value: str) -> bool:
    """True if a short value (a code in a data column) might identify someone if shown.

    Used to decide whether a rejected value may be echoed in a quarantine message.
    """
    text = str(value).strip()
    if re.fullmatch(r"-?\d{1,3}(?:\.\d+)?|[A-Za-z]{1,2}|", text):
        return False
    result = scrub(text, min_words=0, sensitive=False)
    return result.withheld or result.text != " ".join(text.split())
