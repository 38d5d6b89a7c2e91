"""A goodbye said with an answer ("555 123 4567, bye", "yes, bye") is the answer; "okay, bye" or a bare "bye"
is still a stop, except at a question the dialogue lets pass in silence, where it is that silence."""

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
    ("name", "before", "text", "slot"),
    [
        ("satisfaction_survey", [], "okay, bye", "consent"),  # "okay" must not consent
        ("sales_compliance", ["march third 1985", "yes", "yes", "yes"], "okay, bye", "voluntary_signup"),
        ("sales_compliance_ko", ["1985년 3월 3일", "네", "네", "네"], "네 감사합니다 안녕히 계세요",
         "voluntary_signup"),
        ("sales_compliance", ["march third 1985"], "bye", "explained_terms"),
        ("satisfaction_survey", ["yes", "four"], "bye", "recommend"),  # "Bye." may be "five": checked
    ],
)
def test_an_okay_goodbye_to_a_yes_no_question_or_a_bare_one_still_stops(
    name: str, before: list[str], text: str, slot: str
) -> None:
    conv = conversation(name, *before, variables=CUSTOMER)
    actions = conv.handle(CallerText(text))
    assert prompt_ids(actions) in (["global.stop"], ["global.stop_check"])
    assert slot not in conv.slots


@pytest.mark.parametrize(
    ("name", "before", "text", "slot", "value", "outcome"),
    [
        ("satisfaction_survey", [], "yes, bye", "consent", True, None),
        ("sales_compliance", ["march third 1985", "yes", "yes", "yes"], "yes, bye", "voluntary_signup", True,
         "compliant"),
        ("sales_compliance", ["march third 1985", "yes", "yes", "yes"], "yes, thank you, goodbye",
         "voluntary_signup", True, "compliant"),
        ("sales_compliance", ["march third 1985"], "no, bye", "explained_terms", False, None),
        ("sales_compliance_ko", ["1985년 3월 3일"], "아니요 끊을게요", "explained_terms", False, None),
    ],
)
def test_a_yes_or_no_said_with_a_goodbye_is_the_answer(
    name: str, before: list[str], text: str, slot: str, value: object, outcome: str | None
) -> None:
    conv = conversation(name, *before, variables=CUSTOMER)
    conv.handle(CallerText(text))
    assert conv.slots.get(slot) == value
    assert (conv.record.outcome if conv.ended else None) == outcome


@pytest.mark.parametrize(("name", "text"), [
    ("satisfaction_survey", "bye"), ("satisfaction_survey", "thanks, goodbye"),
    ("satisfaction_survey_ko", "안녕히 계세요"),
])
def test_a_goodbye_to_a_question_that_may_pass_in_silence_keeps_the_answers(name: str, text: str) -> None:
    before = ["yes", "four", "nine"] if name.endswith("survey") else ["네", "사", "구"]
    conv = conversation(name, *before)
    conv.handle(CallerText(text))
    assert conv.ended and conv.record.outcome == "completed"
    assert conv.slots["recommend"] == 9 and not conv.slots.get("comment")


def test_stop_to_a_question_that_may_pass_in_silence_is_still_a_stop() -> None:
    conv = conversation("satisfaction_survey", "yes", "four", "nine")
    actions = conv.handle(CallerText("stop"))
    assert prompt_ids(actions) == ["global.stop"] and conv.record.outcome == "declined"
