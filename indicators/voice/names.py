"""Names in free text, for the scrubber (indicators/voice/quotes.py): the word lists
(indicators/voice/wordlists/: everyday words, personal names, words allowed capitalised),
the cues that announce a person's name (a title, "my son", "called", a kin word before a
capital) and the replacing of names by [name]; schools, nurseries and churches by name
([school]) and named streets ([address]), in any case.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from pathlib import Path

WORDLISTS = Path(__file__).resolve().parent / "wordlists"

PLACEHOLDERS = ("name", "email", "phone", "postcode", "upn", "date", "address", "link", "school")
PLACEHOLDER = re.compile(r"\[(?:" + "|".join(PLACEHOLDERS) + r")\]")

ALLOWED_WORDS_FILE = "allowed_words.txt"

TITLES = ("mr", "mrs", "ms", "miss", "mx", "dr", "doctor", "nurse", "sir", "madam")
"""Words before a surname or name: the next word is a name unless it is an everyday word."""
KIN = (
    "mum",
    "mam",
    "mummy",
    "mom",
    "dad",
    "daddy",
    "nan",
    "nana",
    "nanna",
    "nanny",
    "gran",
    "granny",
    "grandma",
    "grandmother",
    "grandad",
    "granddad",
    "grandpa",
    "grandfather",
    "auntie",
    "aunty",
    "aunt",
    "uncle",
    "cousin",
    "father",
    "mother",
    "sister",
    "brother",
)
"""Family words: never names, and not titles. A capitalised word after one may be a name
("Auntie Ngozi"); a lower-case word is not ("her nan reads")."""
RELATIONS = (
    "son",
    "daughter",
    "boy",
    "girl",
    "child",
    "kid",
    "baby",
    "toddler",
    "little one",
    "youngest",
    "eldest",
    "oldest",
    "twin",
    "twins",
    "grandson",
    "granddaughter",
    "nephew",
    "niece",
    "husband",
    "wife",
    "partner",
    "friend",
    "neighbour",
    "health visitor",
    "key worker",
    "keyworker",
    "worker",
    "teacher",
    "childminder",
)
"""After "my son", "our little one"...: the next word is a name unless it is an everyday word."""
MONTH_CONTEXT = frozenset(
    {
        "in",
        "since",
        "until",
        "till",
        "from",
        "by",
        "of",
        "last",
        "next",
        "this",
        "early",
        "late",
        "mid",
        "end",
        "before",
        "after",
        "during",
        "every",
        "each",
        "through",
        "to",
        "and",
        "or",
    }
)
MONTH_NAMES = frozenset(
    {
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    }
)


WORD = re.compile(r"[^\W\d_]+(?:['\-][^\W\d_]+)*")
_WORD_TEXT = r"[^\W\d_]+(?:['\-][^\W\d_]+)*"
_SENTENCE_BREAK = set('.!?:;"(“‘-–—\n')


def word_file(name: str) -> frozenset[str]:
    words: set[str] = set()
    for line in (WORDLISTS / name).read_text(encoding="utf-8").splitlines():
        if line.strip().startswith("#"):
            continue
        words.update(word.lower() for word in line.split())
    return frozenset(words)


@cache
def common_words() -> frozenset[str]:
    """Everyday English words (indicators/voice/wordlists/common_words.txt)."""
    return word_file("common_words.txt")


@cache
def name_list() -> frozenset[str]:
    """Personal names: indicators/voice/wordlists/names.txt (kin words are never names)."""
    return word_file("names.txt") - set(KIN)


@cache
def default_allowed() -> frozenset[str]:
    """Words allowed capitalised (indicators/voice/wordlists/allowed_words.txt). The LA's own place
    names come in through `scrub(allow=...)`."""
    return word_file(ALLOWED_WORDS_FILE)


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
    return (
        _previous_word(text, match.start()) in MONTH_CONTEXT
        or re.match(r"\s*(?:\d|\[date\]|half|term|holiday)", text[match.end() :], re.I) is not None
    )


_CUES = (
    re.compile(rf"\b(?:{'|'.join(TITLES)})\.?\s+(?P<word>{_WORD_TEXT})", re.I),
    re.compile(
        rf"\b(?:my|our|his|her|their|the|a)\s+(?:{'|'.join(RELATIONS)})\s*,?\s+"
        rf"(?P<word>{_WORD_TEXT})",
        re.I,
    ),
    re.compile(
        r"\b(?:called|named|name is|name's|names are|known as|is called)\s+"
        rf"(?P<word>{_WORD_TEXT})",
        re.I,
    ),
    re.compile(rf"\b(?:me and|and me,?|me an')\s+(?P<word>{_WORD_TEXT})", re.I),
)
"""A name after a title, after "my son" and the like, after "called", after "me and"."""
_AFTER_A_VERB = frozenset(
    {
        "me",
        "us",
        "him",
        "her",
        "them",
        "it",
        "every",
        "in",
        "on",
        "at",
        "with",
        "to",
        "the",
        "a",
        "an",
        "and",
        "so",
        "really",
        "all",
        "for",
        "our",
        "my",
        "his",
        "their",
        "about",
        "when",
        "after",
        "before",
        "out",
        "up",
        "down",
        "off",
        "round",
        "around",
        "over",
        "by",
        "from",
        "most",
        "each",
        "some",
        "lots",
        "books",
        "stories",
        "well",
        "too",
        "very",
        "loads",
    }
)
"""Words that follow a verb, not a name ("my son reads every night", "he hits me")."""
_KIN_CUE = re.compile(rf"\b(?:{'|'.join(KIN)})\s+(?P<word>{_WORD_TEXT})", re.I)
"""A capitalised word after a kin word ("Auntie Ngozi", "nan Pat")."""


def replace_names(
    text: str, names: frozenset[str], common: frozenset[str], allowed: frozenset[str]
) -> tuple[str, bool]:
    """Names from the list, after titles and after cues such as "my son" or "called"."""
    found = False

    def not_a_word(word: str) -> bool:
        lowered = word_stem(word)
        return (
            lowered not in common
            and lowered not in allowed
            and lowered not in TITLES
            and not PLACEHOLDER.fullmatch(word)
        )

    def verb(match: re.Match[str]) -> bool:
        """A lower-case verb after "my partner", "my son": "hits me", "reads every night"."""
        word = match.group("word")
        if word[0].isupper() or word_stem(word) in names:
            return False
        lowered = word.lower()
        bases = (
            {lowered[:-1], lowered[:-2], lowered[:-3], lowered[:-2] + "e"}
            if re.search(r"(?:s|ed|ing)$", lowered)
            else set()
        )
        if bases & common:
            return True
        return (
            re.search(r"(?:s|ed)$", lowered) is not None
            and _next_word(match.string, match.end()) in _AFTER_A_VERB
        )

    def cue(match: re.Match[str]) -> str:
        nonlocal found
        word = match.group("word")
        if match.re is _CUES[1] and verb(match):  # after "my son", not after a title
            return match.group(0)
        if not_a_word(word) or (word[0].isupper() and word_stem(word) in names):
            found = True
            return match.group(0)[: match.start("word") - match.start(0)] + "[name]"
        return match.group(0)

    for cued in _CUES:
        text = cued.sub(cue, text)

    def kin(match: re.Match[str]) -> str:
        nonlocal found
        word = match.group("word")
        if (
            not word[0].isupper()
            or word_stem(word) in common
            or word_stem(word) in allowed
            or word_stem(word) in KIN
        ):
            return match.group(0)
        found = True
        return match.group(0)[: match.start("word") - match.start(0)] + "[name]"

    text = _KIN_CUE.sub(kin, text)

    pieces: list[str] = []
    last = 0
    for match in WORD.finditer(text):
        word = match.group(0)
        if text[max(0, match.start() - 1) : match.start()] == "[":
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
        pieces.append(text[last : match.start()] + "[name]" + suffix)
        last = match.end()
        found = True
    pieces.append(text[last:])
    return "".join(pieces), found


_SAINT = re.compile(
    r"\b(?:st\.?|saint)\s+[^\W\d_][\w'’]*(?:\s+(?:c\.?\s*of\s*e\.?|ce|rc|r\.c\.|catholic"
    r"|methodist|church|primary|infants?|juniors?|nursery|academy|school|pre-?school"
    r"|children'?s\s+centre|community|family\s+hub)\b)*",
    re.I,
)
_SCHOOL_WORD = re.compile(
    r"\b(?:primary|infants?|juniors?|nursery|academy|pre-?school|school"
    r"|college|montessori|kindergarten)(?:\s+school)?\b",
    re.I,
)
_STREET_WORD = re.compile(
    r"\b(?:road|rd|street|avenue|ave|lane|crescent|close|drive|terrace"
    r"|grove|gardens|mews|walk|way|estate)\b",
    re.I,
)
_STOP = frozenset(
    {
        "the",
        "a",
        "an",
        "my",
        "our",
        "his",
        "her",
        "their",
        "to",
        "at",
        "in",
        "from",
        "of",
        "and",
        "or",
        "with",
        "for",
        "on",
        "by",
        "near",
        "local",
        "nearest",
        "new",
        "old",
        "same",
        "this",
        "that",
        "your",
        "its",
        "go",
        "goes",
        "went",
    }
)


def _named_before(
    text: str, keyword: re.Pattern[str], common: frozenset[str], label: str
) -> tuple[str, int]:
    """A name before a keyword, in any case ("greenfield primary", "little acorns nursery",
    "oak tree road"): the keyword and up to three words before it, when the word next to it
    is not an everyday word, become `[label]`."""
    pieces: list[str] = []
    last = count = 0
    for match in keyword.finditer(text):
        if match.start() < last:
            continue
        words = list(re.finditer(r"[^\W\d_][\w'’\-]*", text[last : match.start()]))
        run: list[re.Match[str]] = []
        for word in reversed(words[-3:]):
            lowered = word_stem(word.group(0))
            between = text[
                last + word.end() : last + (run[-1].start() if run else match.start() - last)
            ]
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


def replace_schools(text: str, common: frozenset[str]) -> tuple[str, int]:
    """Schools, nurseries and churches by name, in any case: "St Mary's", "st marys primary",
    "Greenfield Primary", "little acorns nursery" become [school]."""
    text, saints = _SAINT.subn("[school]", text)
    text, named = _named_before(text, _SCHOOL_WORD, common, "school")
    return text, saints + named


def replace_streets(text: str, common: frozenset[str]) -> tuple[str, int]:
    """Street names without a house number, in any case ("on park road")."""
    return _named_before(text, _STREET_WORD, common, "address")
