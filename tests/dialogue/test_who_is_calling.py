"""A caller who asks who is calling ("who is this?", "what's this about?", "누구세요?") hears the dialogue's
opening again, then the question, with no attempt counted; "hello?" alone has the question said again."""

from __future__ import annotations

from pathlib import Path

from tests.dialogue.helpers import conversation, prompt_ids, said
from voicebot.dialogue import grammar
from voicebot.dialogue.events import CallerText, EndCall, Listen
from voicebot.dialogue.loader import load_dialogue, load_dialogue_bytes
from voicebot.dialogue.machine import Conversation
from voicebot.dialogue.understanding import SlotReader

ROOT = Path(__file__).resolve().parents[2] / "dialogues"
SURVEY_OPENING = (
    "Hi there, this is the automated assistant from Brightline Internet, calling about your recent "
    "technician visit."
)


def test_who_is_this_says_the_opening_again_and_counts_no_attempt() -> None:
    conv = conversation("satisfaction_survey")
    for question in (
        "who is this?",
        "Who's calling?",
        "what's this about",
        "uh, sorry, who?",
    ):  # > 3 attempts
        actions = conv.handle(CallerText(question))
        assert prompt_ids(actions) == ["intro", "ask_consent"]
        assert said(actions)[0] == SURVEY_OPENING
        assert isinstance(actions[-1], Listen) and actions[-1].slot == "consent"
    conv.handle(CallerText("okay, sure"))
    assert conv.slots["consent"] is True and not conv.ended


def test_who_is_this_at_a_later_question_and_at_anything_else() -> None:
    conv = conversation(
        "sales_compliance",
        variables={
            "customer_name": "Ann",
            "product_name": "Life Plus",
            "monthly_premium": 42.5,
            "birth_date": "1985-03-03",
        },
    )
    assert prompt_ids(conv.handle(CallerText("sorry, who is this?"))) == ["intro", "ask_dob"]
    order = conversation("pizza_order", "two large pepperoni")
    assert prompt_ids(order.handle(CallerText("who am I talking to?"))) == ["greeting", "ask_more"]
    assert order.slots["items"] == [{"name": "pepperoni", "size": "large", "quantity": 2}]


def test_korean_who_is_this() -> None:
    conv = conversation("satisfaction_survey_ko")
    assert prompt_ids(conv.handle(CallerText("누구세요?"))) == ["intro", "ask_consent"]
    assert prompt_ids(conv.handle(CallerText("어디서 전화하셨어요?"))) == ["intro", "ask_consent"]


def test_an_answer_or_a_comment_with_who_in_it_is_kept() -> None:
    conv = conversation("satisfaction_survey", "yes", "four", "nine")
    comment = "I don't know who is this technician but he was great"
    conv.handle(CallerText(comment))
    assert conv.slots["comment"] == comment and conv.ended
    answered = conversation("satisfaction_survey")
    answered.handle(CallerText("yes, who is this?"))
    assert answered.slots["consent"] is True


def test_a_dialogue_that_opens_with_its_question_has_nothing_to_say_again() -> None:
    source = (
        "name: q\nlanguage: en\noutcomes: [done]\nslots:\n  n: {type: integer, min: 1, max: 5}\n"
        "flows:\n  main:\n    - ask: n\n      prompt: 'From one to five?'\n    - hangup: done\n"
    )
    conv = Conversation(load_dialogue_bytes(source.encode(), "q.yml"), {})
    conv.start()
    assert said(conv.handle(CallerText("who is this?"))) == ["From one to five?"]  # a question asked back


def test_hello_alone_asks_for_the_question_again() -> None:
    conv = conversation("satisfaction_survey")
    for hello in ("hello?", "Hello, hello?", "hello", "hello"):
        assert prompt_ids(conv.handle(CallerText(hello))) == ["ask_consent"]
    assert not conv.ended
    assert prompt_ids(conversation("satisfaction_survey_ko").handle(CallerText("여보세요?"))) == [
        "ask_consent"
    ]
    answered = conversation("satisfaction_survey")
    answered.handle(CallerText("hello, yes"))
    assert answered.slots["consent"] is True


def test_who_is_this_is_kept_as_heard_not_replaced_by_a_scored_answer() -> None:
    survey = load_dialogue(ROOT / "satisfaction_survey.yml")
    expected = grammar.for_slot(survey, survey.slots["consent"])
    yes = next(p.text for p in expected.phrases if p.meaning == "yes")
    no = next(p.text for p in expected.phrases if p.meaning == "no")
    alternatives = [(yes, -2.0), (no, -9.0)]
    reading = grammar.read_answer(SlotReader(survey), expected, "Who is this?", 0.7, alternatives, -1.5)
    assert (reading.source, reading.meaning, reading.text) == ("free", None, "Who is this?")


def test_busy_declines_the_survey_politely() -> None:
    conv = conversation("satisfaction_survey")
    actions = conv.handle(CallerText("I'm busy right now"))
    assert prompt_ids(actions) == ["declined"] and conv.slots["consent"] is False
    assert isinstance(actions[-1], EndCall) and actions[-1].outcome == "declined"


def test_sorry_at_a_yes_no_question_is_asked_again_never_a_scored_no() -> None:
    # eSpeak en-us's "sorry, who?" to the survey's consent on the phone line, as the recogniser gave it: the
    # scored "No." stood in for "Sorry, two." and the survey ended declined.
    survey = load_dialogue(ROOT / "satisfaction_survey.yml")
    expected = grammar.for_slot(survey, survey.slots["consent"])
    alternatives = [("Yes.", -10.185), ("Yeah.", -10.497), ("Sure.", -10.952), ("That's right.", -11.556),
                    ("Correct.", -12.109), ("No.", -7.607), ("Nope.", -11.364), ("Bye.", -10.457)]
    reading = grammar.read_answer(SlotReader(survey), expected, "Sorry, two.", 0.96, alternatives, -4.03)
    assert (reading.source, reading.meaning) == ("free", None)
    # the same scores under a transcript that is no request still let "No." stand in
    mended = grammar.read_answer(SlotReader(survey), expected, "Know.", 0.96, alternatives, -4.03)
    assert mended.meaning == "no"
