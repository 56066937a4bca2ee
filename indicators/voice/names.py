"""Personal names in free text, for the scrubber (indicators/voice/quotes.py): the word lists
(indicators/voice/wordlists/: everyday words, personal names, words allowed capitalised),
the cues that announce a name (a title, "my son", "called", a kin word before a capital)
and the replacing of names by [name].
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from pathlib import Path

WORDLISTS = Path(__file__).resolve().parent / "wordlists"


PLACEHOLDERS = ("name", "email", "phone", "postcode", "upn", "date", "address", "link")
PLACEHOLDER = re.compile(r"\[(?:" + "|".join(PLACEHOLDERS) + r")\]")

ALLOWED_WORDS_FILE = "allowed_words.txt"


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


WORD = re.compile(r"[^\W\d_]+(?:['\-][^\W\d_]+)*")
_WORD_TEXT = r"[^\W\d_]+(?:['\-][^\W\d_]+)*"
_SENTENCE_BREAK = set(".!?:;\"(“‘-–—\n")


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
def allowed_words(allow: tuple[str, ...]) -> frozenset[str]:
    """The default allowed words and each word of `allow`, lower-cased: made once per `allow`
    (a run scrubs thousands of answers with the same neighbourhood names)."""
    return default_allowed() | {word.lower() for phrase in allow for word in phrase.split()}


@lru_cache(maxsize=16)
def names_with(names: tuple[str, ...]) -> frozenset[str]:
    """The name list and `names`, lower-cased: made once per `names`."""
    return name_list() | {name.lower() for name in names}


def is_sentence_start(text: str, start: int) -> bool:
    before = text[:start].rstrip()
    return not before or before[-1] in _SENTENCE_BREAK


def word_stem(word: str) -> str:
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


def month_context(text: str, match: re.Match[str]) -> bool:
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


def replace_names(text: str, names: frozenset[str], common: frozenset[str],
                   allowed: frozenset[str]) -> tuple[str, bool]:
    """Names from the list, after titles and after cues such as "my son" or "called"."""
    found = False

    def not_a_word(word: str) -> bool:
        lowered = word_stem(word)
        return (lowered not in common and lowered not in allowed and lowered not in TITLES
                and not PLACEHOLDER.fullmatch(word))

    def cue(match: re.Match[str]) -> str:
        nonlocal found
        word = match.group("word")
        if not_a_word(word) or (word[0].isupper() and word_stem(word) in names):
            found = True
            return match.group(0)[: match.start("word") - match.start(0)] + "[name]"
        return match.group(0)

    for cued in _CUES:
        text = cued.sub(cue, text)

    def kin(match: re.Match[str]) -> str:
        nonlocal found
        word = match.group("word")
        if (not word[0].isupper() or word_stem(word) in common or word_stem(word) in allowed
                or word_stem(word) in KIN):
            return match.group(0)
        found = True
        return match.group(0)[: match.start("word") - match.start(0)] + "[name]"

    text = _KIN_CUE.sub(kin, text)

    pieces: list[str] = []
    last = 0
    for match in WORD.finditer(text):
        word = match.group(0)
        if text[max(0, match.start() - 1):match.start()] == "[":
            continue  # a placeholder
        parts = [word_stem(part) for part in word.split("-") if part]
        if not any(part in names for part in parts):
            continue
        stem = word_stem(word)
        capitalised = word[0].isupper()
        mid_sentence = not is_sentence_start(text, match.start())
        if stem in MONTH_NAMES and month_context(text, match):
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
