"""A breakdown's name inside a title: lowered like a common noun ("by sex"), but a name or
an acronym keeps its capitals ("by WellComm section", "by FSM eligibility")."""

import pytest

from indicators.publish.packs.wording import lower_first


@pytest.mark.parametrize(
    ("name", "in_a_title"),
    [
        ("Sex", "sex"),
        ("Age group", "age group"),
        ("Two-year communication result", "two-year communication result"),
        ("FSM eligibility", "FSM eligibility"),
        ("WellComm section", "WellComm section"),
        ("UASC", "UASC"),
        ("SEN provision", "SEN provision"),
    ],
)
def test_a_breakdown_name_in_a_title(name, in_a_title):
    assert lower_first(name) == in_a_title
