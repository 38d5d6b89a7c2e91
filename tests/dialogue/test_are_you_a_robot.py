"""A caller who asks whether a person is speaking ("are you a robot?", "is this a real person?",
"사람이에요?") is told what they are talking to, then hears the question again, with no attempt counted; a
request for a person said with it is a request for a person."""

from __future__ import annotations

import pytest

from tests.dialogue.helpers import SHIPPED, conversation, said
from voicebot.dialogue import grammar
from voicebot.dialogue.events import CallerText, Listen, Transfer
from voicebot.dialogue.loader import load_dialogue, load_dialogue_bytes
from voicebot.dialogue.machine import Conversation
from voicebot.dialogue.understanding import SlotReader
from voicebot.nlu.intents import asks_if_bot, detect_global_intent

OFFER = "I'm an automated assistant. If you'd like a person, just say so."
CONSENT = "Do you have two minutes for a short survey? Just say yes or no."


@pytest.mark.parametrize(("text", "language"), [
    ("are you a robot?", "en"), ("Is this a real person?", "en"), ("am I talking to a machine", "en"),
    ("is this a recording?", "en"), ("are you human", "en"), ("is this automated?", "en"),
    ("It's a real person.", "en"), ("You're a robot?", "en"),  # whisper's writing of the question
    ("사람이에요?", "ko"), ("로봇이에요?", "ko"), ("기계세요?", "ko"), ("진짜 사람이에요?", "ko"),
])
def test_a_question_whether_a_person_speaks_is_no_request_for_one(text: str, language: str) -> None:
    assert asks_if_bot(text, language)
    assert detect_global_intent(text, language) is None


@pytest.mark.parametrize(("text", "language"), [
    ("I want a real person", "en"), ("are you a robot? I want a real person", "en"),
    ("real person please", "en"), ("사람 바꿔 주세요", "ko"), ("로봇이세요? 사람 바꿔 주세요", "ko"),
    ("사람", "ko"),
])
def test_a_request_for_a_person_still_is_one(text: str, language: str) -> None:
    found = detect_global_intent(text, language)
    assert found is not None and found.value == "agent"


def test_the_bot_says_what_it_is_and_asks_again_counting_no_attempt() -> None:
    conv = conversation("satisfaction_survey")
    for question in ("are you a robot?", "is this a real person?", "am I talking to a machine?",
                     "are you human"):  # more than the ask's attempts
        actions = conv.handle(CallerText(question))
        assert said(actions) == [OFFER, CONSENT]
        assert isinstance(actions[-1], Listen) and actions[-1].slot == "consent"
    conv.handle(CallerText("yes"))
    assert conv.slots["consent"] is True


def test_asked_with_a_request_for_a_person_the_call_is_transferred() -> None:
    conv = conversation("sales_compliance", variables={"customer_name": "Ann", "product_name": "Life Plus",
                                                       "monthly_premium": 42.5, "birth_date": "1985-03-03"})
    actions = conv.handle(CallerText("are you a robot? I want a real person"))
    assert any(isinstance(a, Transfer) for a in actions)


def test_korean() -> None:
    conv = conversation("satisfaction_survey_ko")
    actions = conv.handle(CallerText("사람이에요?"))
    assert said(actions)[0] == "저는 자동 응답 서비스입니다. 상담원 연결을 원하시면 말씀해 주세요."
    assert isinstance(actions[-1], Listen) and actions[-1].slot == "consent"


def test_a_dialogue_without_a_person_to_ask_for_offers_none_and_can_reword_or_turn_it_off() -> None:
    source = (
        "name: h\nlanguage: en\noutcomes: [done]\nslots:\n  n: {type: integer, min: 1, max: 5}\n"
        "global:\n  agent: false\n  BOT\nflows:\n  main:\n    - ask: n\n      prompt: 'From one to five?'\n"
        "    - hangup: done\n"
    )
    plain = Conversation(load_dialogue_bytes(source.replace("BOT", "hold: true").encode(), "h.yml"), {})
    plain.start()
    assert said(plain.handle(CallerText("are you a robot?"))) == ["I'm an automated assistant.",
                                                                  "From one to five?"]
    reworded = Conversation(load_dialogue_bytes(source.replace("BOT", 'bot: "I am Tony\'s voice assistant."')
                                                .encode(), "h.yml"), {})
    reworded.start()
    assert said(reworded.handle(CallerText("is this a real person?")))[0] == "I am Tony's voice assistant."
    off = Conversation(load_dialogue_bytes(source.replace("BOT", "bot: false").encode(), "h.yml"), {})
    off.start()
    # Turned off, the question is one the bot cannot answer: its own question again.
    assert said(off.handle(CallerText("are you a robot?"))) == ["From one to five?"]


def test_the_recogniser_keeps_the_question_as_heard() -> None:
    """At a closed ask a scored answer never stands in for "Are you a robot?" (a yes, a score)."""
    survey = load_dialogue(SHIPPED / "satisfaction_survey.yml")
    expected = grammar.for_slot(survey, survey.slots["consent"])
    yes = next(p.text for p in expected.phrases if p.meaning == "yes")
    no = next(p.text for p in expected.phrases if p.meaning == "no")
    alternatives = [(yes, -2.0), (no, -9.0)]
    reading = grammar.read_answer(SlotReader(survey), expected, "Are you a robot?", 0.7, alternatives, -1.5)
    assert (reading.source, reading.meaning, reading.text) == ("free", None, "Are you a robot?")
