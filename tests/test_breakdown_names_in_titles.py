"""A breakdown's name inside a title: lowered like a common noun ("by sex"), but a name or
an acronym keeps its capitals ("by WellComm section", "by FSM eligibility"), and so does a
name of several words ("by Voice Note")."""

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
        ("Voice Note", "Voice Note"),
        ("Pathway Plan topic", "Pathway Plan topic"),
        ("Season of birth", "season of birth"),
        ("Ethnicity (DfE major group)", "ethnicity (DfE major group)"),
    ],
)
def test_a_breakdown_name_in_a_title(name, in_a_title):
    assert lower_first(name) == in_a_title
