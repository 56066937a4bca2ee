"""Declared lists of terms (indicators/voice/wordlists/*_terms.txt) read as one pattern.

A term file holds one term a line, lower case, `#` lines are comments. A term is one or more
words matched whole and in any case, with any spacing, hyphen or apostrophe between words as
written; `*` at the end of a word matches any ending ("diagnos*": diagnosis, diagnosed); `{n}`
stands for a number in digits or words ("born at {n} weeks"). A plural "s" is matched after
the last word of every term.
"""

from __future__ import annotations

import re
from functools import cache

from indicators.voice.names import WORDLISTS

_NUMBER = (
    r"(?:\d{1,3}(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
    r"|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty(?:[- ]\w+)?"
    r"|thirty(?:[- ]\w+)?|a few|a couple of|several)"
)


def _word(word: str) -> str:
    if word == "{n}":
        return _NUMBER
    if word.endswith("*"):
        return re.escape(word[:-1]) + r"[\w'-]*"
    return re.escape(word)


def terms(name: str) -> tuple[str, ...]:
    """The terms of a declared term file, in file order."""
    found = []
    for line in (WORDLISTS / name).read_text(encoding="utf-8").splitlines():
        term = " ".join(line.strip().lower().replace("’", "'").split())
        if term and not term.startswith("#"):
            found.append(term)
    return tuple(found)


@cache
def term_pattern(name: str) -> str:
    """A regular expression (source text) matching any term of the declared term file."""
    alternatives = sorted(
        (r"[\s-]+".join(_word(word) for word in term.split()) for term in terms(name)),
        key=len,
        reverse=True,
    )
    return r"(?<![\w'-])(?:" + "|".join(alternatives) + r")(?:e?s)?(?![\w'-])"


@cache
def term_regex(name: str) -> re.Pattern[str]:
    """term_pattern compiled, case-insensitive."""
    return re.compile(term_pattern(name), re.I)
