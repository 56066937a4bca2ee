"""Secondary suppression chooses the same partners after its audit was made faster.

The audit (indicators/disclosure/audit.py) now warm-starts its linear programmes, starts a
count's search from the values it was already seen to take and skips an integer programme
when the rounded linear bound is a value already seen. None of that may change which cells
are hidden. The fixture `tests/fixtures/disclosure/secondary_choice_seed11.csv` is the list
of hidden cells RECORDED FROM THE OLD CODE (commit c2c4189, before the change) on the
generated cohort below, re-recorded where ea93471 changed the choice on purpose: declaring
"GLD but not all 17 goals" a protected difference hides two more all_elgs_expected
numerators (Sex) and no longer needs three First language / English denominators (gld,
all_elgs_expected, average_elgs_expected); and re-recorded again by issue 17's full EYFSP
picture, which added cells and relations to the same cohort (the goals, the areas, CLL, the
Ethnicity and FSM-by-first-language breakdowns, their bounds): over the breakdowns they had
before, three cells of the older EYFSP indicators hidden then are shown now (a season of
birth in each) and seven others are hidden (another season of birth in each, GLD by sex, the
average by FSM eligibility), partners chosen with the new cells; the attacker below finds
nothing either way: it is a regression record, not a worked answer. The independent check
that the choice is safe is the outside attacker (tests/attacker.py), which shares no code
with the suppressor.
"""

from pathlib import Path

import pandas as pd

from indicators.disclosure import DisclosureConfig
from tests.attacker import leaks, summary
from tests.cohorts import attack, cohort, people_of, publish

FIXTURE = Path(__file__).parent / "fixtures" / "disclosure" / "secondary_choice_seed11.csv"
COHORT = {  # one authority, two neighbourhoods, 150 children, a tenth of families heard
    "seed": 11,
    "years": 1,
    "authorities": 1,
    "hoods": 2,
    "per_year": 150,
    "heard": 0.1,
    "rare": 0.05,
    "lean": 0.85,
}
KEY = ["indicator_id", "time_period", "area_code", "breakdown", "group"]


def test_secondary_suppression_hides_the_cells_it_hid_before_and_nothing_leaks():
    values, parents = cohort(*people_of(**COHORT))
    config = DisclosureConfig(threshold=10)
    protected, published = publish(values, parents, config)
    hidden = protected[protected["numerator_suppressed"] | protected["denominator_suppressed"]]
    columns = [*KEY, "numerator_suppressed", "denominator_suppressed"]
    now = hidden[columns].astype({"time_period": str}).sort_values(KEY).reset_index(drop=True)
    before = (
        pd.read_csv(FIXTURE, dtype={"time_period": str}, keep_default_na=False)
        .sort_values(KEY)
        .reset_index(drop=True)
    )
    assert len(before) == 280  # of 350 cells: a small cohort, most of it hidden
    pd.testing.assert_frame_equal(now, before, check_dtype=False)
    assert (protected["suppression"] == "secondary: protects another cell").sum() == 52
    found = leaks(attack(protected, published, parents, config), config.threshold)
    assert not found, summary(found)
