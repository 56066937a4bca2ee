"""Care leavers' free text that speaks of ending their life, self-harm, not eating, or
drinking or using to cope is a safeguarding matter: it goes to the restricted follow-up list,
never into a quote (issue 14 review). The phrases are written here, in care leavers' own
kinds of wording, not taken from the patterns they test."""

import pytest

from indicators.voice.help_requests import HARM, follow_up_reason, may_be_quoted

RISK_TO_SELF = (
    "I have thought about ending it",
    "I dont see the point of being here anymore",
    "I have not eaten properly for a week",
    "I have been drinking every day to cope",
    "some nights i just want to end it all",
    "Honestly I think about killing myself",
    "I don't want to be here any more",
    "there's no point me being here",
    "I started cutting again after the move",
    "been self harming since christmas",
    "I haven't been eating since I moved into the flat",
    "I smoke weed to get through the day and cope",
    "I've been using again to block everything out",
)
ORDINARY = (
    "I go to the gym sometimes when I can afford it",
    "I have my own key now and it feels like home",
    "My PA helped me sort out my college course and I start in September",
    "I eat with my mates on Sundays",
    "Work is going well and I am saving a bit each month",
    # ordinary sentences that share words with the risk patterns (read-through of issue 14)
    "I don't eat pork",
    "I cant eat at college because there is no halal food",
    "I used my savings to get through the month",
    "I take the bus and get through town quick",
    "I took up football to help me cope",
    "My mum is an alcoholic and I see her at weekends",
)


@pytest.mark.parametrize("text", RISK_TO_SELF)
def test_a_risk_to_self_goes_to_follow_up_as_safeguarding(text):
    assert follow_up_reason(text) == HARM
    assert not may_be_quoted(text)


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_care_leaver_statements_are_not_flagged(text):
    assert follow_up_reason(text) is None
