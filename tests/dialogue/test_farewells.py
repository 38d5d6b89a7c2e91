"""A goodbye said with an answer ("555 123 4567, bye") is the answer; with nothing else, or at a yes/no
question, it is still a stop."""

from __future__ import annotations

import pytest

from tests.dialogue.helpers import conversation, prompt_ids
from voicebot.dialogue.events import CallerText

CUSTOMER = {"customer_name": "Dana Lee", "product_name": "Term Life Plus", "monthly_premium": "42.50",
            "birth_date": "1985-03-03"}


@pytest.mark.parametrize(
    ("name", "before", "text", "slot", "value"),
    [
        ("pizza_order", ["two large pepperoni", "that's all", "12 main street"],
         "five five five one two three four five six seven, bye", "phone", "5551234567"),
        ("pizza_order", ["two large pepperoni", "that's all"], "12 main street, goodbye", "address",
         "12 main street"),
        ("satisfaction_survey", ["yes"], "four, bye", "satisfaction", 4),
        ("satisfaction_survey", ["yes", "four", "nine"], "great, thanks, bye", "comment",
         "great, thanks, bye"),
        ("sales_compliance", [], "march third 1985, bye", "dob_answer", "1985-03-03"),
    ],
)
def test_an_answer_said_with_a_goodbye_is_the_answer(
    name: str, before: list[str], text: str, slot: str, value: object
) -> None:
    conv = conversation(name, *before, variables=CUSTOMER)
    conv.handle(CallerText(text))
    assert conv.slots.get(slot) == value
    assert not conv.ended or conv.record.outcome == "completed"  # the comment was the survey's last question


@pytest.mark.parametrize(
    ("name", "before", "text"),
    [
        ("satisfaction_survey", [], "okay, bye"),  # "okay" must not consent
        ("satisfaction_survey", [], "yes, bye"),
        ("sales_compliance", ["march third 1985", "yes", "yes", "yes"], "yes, bye"),
        ("satisfaction_survey", ["yes", "four", "nine"], "bye"),
    ],
)
def test_a_goodbye_to_a_yes_no_question_or_alone_still_stops(name: str, before: list[str], text: str) -> None:
    conv = conversation(name, *before, variables=CUSTOMER)
    actions = conv.handle(CallerText(text))
    assert conv.ended and prompt_ids(actions) == ["global.stop"]
