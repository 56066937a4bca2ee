"""What free text is, before it can be a quote: a request for help, contact, a visit or a
call back, a question to the service, a need or crisis, or a phone number (digits or words)
or e-mail address, a wish for a service (therapy, a test, support, an interpreter...) or
waiting for one (`asks_for_help`); a disclosure of harm, a safeguarding matter
(`discloses_harm`). Such text is never a quote: the response goes on a restricted follow-up
list for a practitioner instead, with its reason (`follow_up_reason`; the list is written by
indicators/voice/follow_up.py for indicators/ingest/survey.py). No list of phrases catches
every wording, so a quote must also be on topic (`on_topic`: it mentions a service, reading
or play; `may_be_quoted` combines both).
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from indicators.voice.names import WORD, word_file, word_stem
from indicators.voice.phrases import term_pattern
from indicators.voice.quotes import SUBSTITUTIONS


@cache
def topic_words() -> frozenset[str]:
    """What a publishable quote talks about (indicators/voice/wordlists/topic_words.txt)."""
    return word_file("topic_words.txt")


def on_topic(text: str) -> bool:
    """Whether text mentions a service, reading or play with children, or getting there."""
    topics = topic_words()
    for match in WORD.finditer(text):
        stem = word_stem(match.group(0))
        if stem in topics or (stem.endswith("s") and stem[:-1] in topics):
            return True
    return False


def _patterns(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(pattern, re.I) for pattern in patterns)


_WHO = (
    r"(?:someone|somebody|anyone|anybody|a person|a worker|a social worker|a health visitor"
    r"|the health visitor|a family (?:support )?worker|staff|you|the council|the hub)"
)
_CONTACT_VERBS = (
    r"(?:contact|call|ring|phone|text|txt|e-?mail|message|whats ?app|visit|see|help"
    r"|come|pop|get in touch|get back|talk|speak|check|reach)"
)
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
    # wishes for ideas, tips or information ("I would like some ideas for games to play at
    # home", "I'd love some tips for getting him to talk"): a request a practitioner answers
    r"\b(?:i|we)?(?:'d| would| really| will)* (?:like|love|want|need|welcome|be grateful for)"
    r"(?: some| any| more| a few| a bit of)? (?:ideas|tips|suggestions|guidance|pointers"
    r"|information|info|leaflets|activities to try)\b",
    r"\bany (?:ideas|tips|suggestions|pointers)\b",
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
_SERVICE = rf"(?<!\bto ){term_pattern('service_terms.txt')}"
"""A service a practitioner gives or arranges (indicators/voice/wordlists/service_terms.txt);
not the verb after "to" ("we want to support him")."""
_WISH = (
    r"\b(?:wants?|wanting|needs?|needing|wish(?:es)?|hop(?:e|es|ing)|should|shouldn'?t|ought to"
    r"|must|has to|have to|(?:would|'d)(?: really| much| so)? (?:like|love|prefer|welcome)"
    r"|ask(?:ed|ing)? for|request(?:ed|ing)?|(?:wait|waits|waited|waiting) (?:for|on)"
    r"|waiting list|still waiting|been waiting|still no|still not had|not yet had)\b"
)
"""A wish for something, a need, or waiting for it (in the present: "needed" is past)."""
_SERVICE_PATTERNS = _patterns(
    # a wish for a service, or waiting for one, within a few words in the same sentence:
    # "I want him to see a speech therapist", "Needs support with talking", "We are still
    # waiting for speech therapy", "We need a Polish speaking health visitor"
    rf"{_WISH}(?:[\s,]+[\w'-]+){{0,7}}?[\s,]+{_SERVICE}",
    # a question asked without its "?": "can he have a hearing test", "could she go more days"
    r"\b(?:can|could|may|will|would|should|shall)\s+(?:he|she|they|we|i|my \w+|our \w+)\s+"
    r"(?:please\s+)?(?:have|get|see|be (?:seen|given|offered|referred|assessed|tested|checked)"
    r"|go|start|join|come|try)\b",
    r"\b(?:as soon as possible|asap|a\.s\.a\.p|urgent(?:ly)?|waiting lists?)\b",
)
"""A request for a service (therapy, a test, a referral, support, an interpreter, a visit) or
a complaint of waiting for one: a request a practitioner answers (issue 15 review)."""
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
    # a risk to themselves: thoughts of ending their life, self-harm, not eating, drinking or
    # using to cope (a young person living alone may write it anywhere)
    r"\b(?:ending it|end(?:ed|ing)? (?:it all|things|my life|everything))\b|\b(?:to|about|of"
    r"|gonna|going to|could|would|might|should|just|will) end it\b",
    r"\bkill(?:ing|ed)? (?:my ?self|me ?self)\b|\b(?:want(?:ed)?|wanting|wanna|wish(?:ed)?) to"
    r" (?:die|disappear|not (?:be here|wake up|exist|be alive))\b|\boverdos\w*\b",
    r"\b(?:don'?t|do not|didn'?t|did not|no longer|not|never) (?:really )?(?:want|wanna|wish)"
    r" to (?:be here|be alive|live|exist|wake up|be around)\b",
    r"\bpoint (?:in |of )?(?:me |my )?(?:being (?:here|alive|around)|living|going on|carrying on"
    r"|life|it all)\b|\bnot (?:be|being) (?:here|around|alive) (?:any ?more|now)\b",
    r"\b(?:cut|cutting|burn\w*|hurt\w*|harm\w*|punch\w*) (?:my ?self|me ?self)\b|\bcutting"
    r" (?:again|my (?:arms?|legs?|wrists?))\b|\bself[- ]?(?:injur\w*|destruct\w*)",
    r"\b(?:not|haven'?t|have not|hasn'?t|has not|hardly|barely|can'?t|cannot|don'?t|do not)"
    r"(?: been)? (?:eating|eaten|ate|eat) (?:properly|anything|much|enough|since|in days|for"
    r" (?:days|a week|weeks|ages))\b|\bstopped eating\b",
    r"\b(?:drink\w*|drank|drunk|alcohol|booze|smok\w*|weed"
    r"|cannabis|drugs?|pills|vap\w*)\b(?:\s+[\w']+){0,6}?\s+(?:to|and|help(?:s)? me) (?:cope"
    r"|forget|numb|escape|block\b|get through)",
    r"\b(?:drinking|drunk|high|stoned|wasted|using|smoking weed|taking drugs) (?:every (?:day"
    r"|night)|daily|all the time|most days|again)\b|\b(?:relaps\w*)\b|\b(?:i'?m|i am|i was"
    r"|i've been|i have been) (?:an? )?(?:alcoholic|addict\w*)\b",
)
"""A disclosure of harm: someone hits, hurts or threatens the parent or a child, abuse,
violence, fear of someone, not safe at home, self-harm; a risk to oneself (thoughts of ending
one's life, self-harm, not eating, drinking or using to cope). Never a quote; a safeguarding
matter for the follow-up list."""
_CONTACT_DETAILS = tuple(pattern for label, pattern in SUBSTITUTIONS if label in ("phone", "email"))

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
    return any(pattern.search(cleaned) for pattern in _HELP_PATTERNS + _SERVICE_PATTERNS)


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
