"""Requests for help in free text: `asks_for_help(text)` says whether it asks for help,
contact or a call back (or leaves a phone number or e-mail address to be contacted on).
Such text is never a quote: the response goes on the restricted follow-up list for a
practitioner instead (indicators/voice/follow_up.py, written by indicators/ingest/survey.py).
"""

from __future__ import annotations

import re
from functools import lru_cache

from indicators.voice.quotes import SUBSTITUTIONS

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
_CONTACT_DETAILS = tuple(pattern for label, pattern in SUBSTITUTIONS
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
