"""What a pack shows, where, and in which order: the headline, its ambition line, the
domains, the indicators of "who we heard from" and of the page at a glance.

Today these are Chorus's choices for school readiness and family voice, written here in one
place; frameworks declared in YAML beside the models replace them (issue 13, deliverable 3).
"""

from __future__ import annotations

LA_LEVEL = "Local authority"
NEIGHBOURHOOD_LEVEL = "Neighbourhood"
NATIONAL_LEVEL = "National"
HEADLINE_INDICATOR = "gld"
AMBITION = 75.0
"""The national ambition (Plan for Change, December 2024): 75% of children at GLD by 2028."""
SMALL_NUMBER = 50
"""Results from fewer children or respondents than this are listed as resting on small numbers."""
MAX_QUOTES = 3
"""Consented quotes shown beside each question, most recent first."""

SCHOOL_READINESS = "School readiness"
WHO_WE_HEARD = "Who we heard from"
DOMAIN_ORDER = (
    SCHOOL_READINESS,
    "Play and learning at home",
    "Health and development",
    "Access to services",
    "Family circumstances",
)
WHO_INDICATORS = (
    "voice_reach",
    "voice_reach_group",
    "cohort_eal_share",
    "voice_channel_seldom_heard",
)
TREND_CHART_INDICATORS = frozenset({"voice_reach"})
"""Besides School readiness, single series drawn as a trend chart (the rest are tables only,
which keeps a neighbourhood pack short enough to render in under two seconds)."""
ITEM_BREAKDOWN = "Voice item"
ITEM_POSITIVE = "voice_item_positive"
ITEM_MEAN = "voice_item_mean"
LINKED_PREFIX = "Voice item: "
DOMAIN_BREAKDOWN = "Voice domain"
NEIGHBOURHOOD_BREAKDOWN = "Neighbourhood"
ALL = "All"
EAL_GROUP = "English as an additional language"
COHORT_SHARES = {EAL_GROUP: "cohort_eal_share"}
"""Seldom-heard groups whose share of respondents can be set beside a share of the cohort."""
CHANNEL_INDICATOR = "voice_channel_seldom_heard"
REACH_INDICATOR = "voice_reach"
GLANCE = (
    (SCHOOL_READINESS, "gld", ALL),
    (SCHOOL_READINESS, "average_elgs_expected", ALL),
    (SCHOOL_READINESS, "all_elgs_expected", ALL),
    ("", "voice_domain_positive", DOMAIN_BREAKDOWN),
    (WHO_WE_HEARD, REACH_INDICATOR, ALL),
)
"""The headline indicators on the page at a glance: (domain, indicator, breakdown). A
breakdown other than All gives one row per group (a voice domain's row sits in its domain)."""
