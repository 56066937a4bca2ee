"""Choices every pack shares, whatever its framework: the name of an area's total row, when a
result rests on small numbers, how many quotes sit beside a question.

What a pack shows and in which order (its indicators, headline, ambition line, sections,
"who we heard from", trend charts, breakdowns, the page at a glance) is its framework's
declaration (dbt_project/frameworks/*.yml, read by indicators/publish/frameworks.py); the
geographic levels are dbt_project/metadata/geographies.yml's. No indicator is named here.
"""

from __future__ import annotations

SMALL_NUMBER = 50
"""Results from fewer children or respondents than this are listed as resting on small numbers."""
MAX_QUOTES = 3
"""Consented quotes shown beside each question, most recent first."""
ALL = "All"
"""The breakdown of an area's total row."""
