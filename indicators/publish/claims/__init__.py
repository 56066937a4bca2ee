"""Claims: every statement a board pack makes, computed from the published table.

A board member reads the words, not the tables, so every comparison, ranking, trend,
representation verdict and "who we did not hear from" in a pack is a `Claim` (`claim`): a
value computed by one function per claim type (`compute`), from the published (suppressed) indicator
table alone (all text, EES symbols: `c`, `x`, `z`, `low`), the published register, and the
published England figures. A claim that would need a suppressed value is not made, and says
why. Each claim carries the published numbers it rests on (`evidence`), never a number
derived from hidden cells. `sentence` and `short` turn claims into words: the one renderer
the HTML, PDF and spreadsheet all use. Packs publish their claims (`boards/<area>/claims.csv`)
so a reader, and the tests, can check each one against the published table.

The rules, so that a label never contradicts what is printed beside it:

- **comparison** (`comparison`): an area (or group) against a benchmark, the Fingertips way
  on the 95% interval *as printed*: the printed lower limit above the printed benchmark is
  "higher", the printed upper limit below it "lower", otherwise (touching included)
  "similar"; the register's polarity turns higher/lower into better/worse. The benchmark is
  the authority ("la": a neighbourhood against its authority's same group; a group of the
  authority against the authority's total), England ("england": the DfE figure for the same
  indicator, year and group) or the national ambition ("ambition": a target, compared by
  value). Not made when a figure is hidden, there is no benchmark, the counts are answers
  (not independent, so the interval is too narrow), or the published label disagrees with
  the published numbers.
- **ranking** (`ranking`): which group of a breakdown (or which neighbourhood) is highest and
  lowest. Totals ("All respondents") are never ranked with their parts. Not made when any
  part is hidden: a hidden part could be highest or lowest. Ties are named together. Never
  made for a median (a median is never compared between areas or groups).
- **trend** (`trend`): the published Fingertips trend (stats.TREND_METHOD). Not made
  when it could not be calculated (with how many years there are), is not applicable, or is
  hidden.
- **representation** (`representation`): a seldom-heard group's share of respondents against
  the same group's share of the cohort, for the same area and year: under-represented when
  the whole printed interval is below the printed cohort share, over-represented when above,
  else similar.
- **beside** (`beside`): two figures set side by side as a framework declares (`beside:`),
  e.g. the share the return calls suitably housed beside the share of them who say they do
  not feel safe there. Made when both are published numbers for the area and period, in the
  framework's words; not made when either is hidden or missing, naming which and why.
- **not heard** (`not_heard`): the groups found under-represented in an area and year, and
  the groups that cannot be judged (no cohort figure, or hidden).
- **funnel** (`funnel`, in funnel_claim.py): where each of an authority's areas lies on a
  funnel plot of a proportion (a framework's `funnels:`), placed by its published numerator
  and denominator against PHEindicatormethods' 95% and 99.8% limits around the authority's
  published figure (its published numerator over its published denominator): above or
  below the 99.8% limit, above or below the 95% limit only, or within the 95% limits (on a
  limit counts as within), with the polarity's better or worse. An area whose count is
  hidden, or with no one counted, is not placed and is named. Not made when the
  authority's own count is hidden, no area can be placed, or the counts are not
  independent (answers).
"""

from indicators.publish.claims.beside_claim import beside
from indicators.publish.claims.claim import (
    ABOVE,
    ALL,
    AMBITION,
    AT,
    BELOW,
    BENCHMARKS,
    BESIDE,
    CLAIM_COLUMNS,
    COMPARISON,
    ENGLAND,
    FUNNEL,
    KINDS,
    LA,
    MADE_TRENDS,
    NOT_HEARD,
    OVER,
    RANKING,
    REPRESENTATION,
    SHOWN,
    SIMILAR_SHARE,
    SYMBOL_WORDS,
    SYMBOLS,
    TREND,
    UNDER,
    Claim,
    ClaimLog,
    decimals_of,
    finite,
    is_number,
    mark,
    sentence,
    short,
    with_unit,
    write_claims,
)
from indicators.publish.claims.compute import (
    comparison,
    not_heard,
    ranking,
    representation,
    trend,
)
from indicators.publish.claims.funnel_claim import funnel
from indicators.publish.claims.table import Published

__all__ = [
    "ABOVE",
    "ALL",
    "AMBITION",
    "AT",
    "BELOW",
    "BENCHMARKS",
    "BESIDE",
    "CLAIM_COLUMNS",
    "COMPARISON",
    "ENGLAND",
    "FUNNEL",
    "KINDS",
    "LA",
    "MADE_TRENDS",
    "NOT_HEARD",
    "OVER",
    "RANKING",
    "REPRESENTATION",
    "SHOWN",
    "SIMILAR_SHARE",
    "SYMBOLS",
    "SYMBOL_WORDS",
    "TREND",
    "UNDER",
    "Claim",
    "ClaimLog",
    "Published",
    "beside",
    "comparison",
    "decimals_of",
    "finite",
    "funnel",
    "is_number",
    "mark",
    "not_heard",
    "ranking",
    "representation",
    "sentence",
    "short",
    "trend",
    "with_unit",
    "write_claims",
]


def __getattr__(name: str) -> object:
    """Names the default framework declares (dbt_project/frameworks/), read when first asked
    for: its levels, the seldom-heard groups' indicator and breakdown, its ambitions."""
    from indicators.publish.frameworks import default_framework

    framework = default_framework()
    declared = {
        "LA_LEVEL": framework.authority_level,
        "NEIGHBOURHOOD_LEVEL": framework.area_level,
        "NEIGHBOURHOODS": framework.area_level,
        "REACH_GROUP": framework.who.groups,
        "SELDOM_HEARD_BREAKDOWN": framework.who.groups_breakdown,
        "AMBITIONS": framework.ambitions,
    }
    if name in declared:
        return declared[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
