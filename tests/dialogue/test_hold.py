"""A caller who asks for a moment ("one second", "잠시만요") hears "Sure, take your time." and is waited
for."""

from __future__ import annotations

from tests.dialogue.helpers import conversation, said
from voicebot.dialogue.events import CallerText, Listen
from voicebot.dialogue.loader import load_dialogue_bytes
from voicebot.dialogue.machine import Conversation


def _survey(*answers: str) -> Conversation:
    return conversation("satisfaction_survey", *answers)


def test_holds_are_acknowledged_and_count_no_attempt() -> None:
    conv = _survey("yes")
    for _ in range(4):  # more than the ask's three attempts
        actions = conv.handle(CallerText("one second"))
        assert said(actions) == ["Sure, take your time."]
        assert isinstance(actions[-1], Listen) and actions[-1].slot == "satisfaction"
    conv.handle(CallerText("four"))
    assert conv.slots["satisfaction"] == 4 and not conv.ended


def test_an_answer_with_a_hold_is_the_answer() -> None:
    conv = _survey("yes")
    conv.handle(CallerText("one second, I'd say four"))
    assert conv.slots["satisfaction"] == 4


def test_a_hold_with_another_answer_keeps_that_answer() -> None:
    conv = conversation("pizza_order", "two large pepperoni, that's all")
    actions = conv.handle(CallerText("hold on, my number is 555 123 4567"))
    assert conv.slots["phone"] == "5551234567" and "Sure, take your time." not in said(actions)


def test_a_short_hold_at_the_comment_waits_and_a_long_comment_is_kept() -> None:
    conv = _survey("yes", "four", "nine")
    assert said(conv.handle(CallerText("hold on"))) == ["Sure, take your time."]
    conv.handle(CallerText("let me think, the technician was great"))
    assert conv.slots["comment"] == "let me think, the technician was great"


def test_a_dialogue_can_reword_or_turn_off_the_hold() -> None:
    source = (
        "name: h\nlanguage: en\noutcomes: [done]\nslots:\n  n: {type: integer, min: 1, max: 5}\n"
        "global:\n  hold: HOLD\nflows:\n  main:\n    - ask: n\n      prompt: 'From one to five?'\n"
        "    - hangup: done\n"
    )
    reworded = Conversation(load_dialogue_bytes(source.replace("HOLD", "'No rush.'").encode(), "h.yml"), {})
    reworded.start()
    assert said(reworded.handle(CallerText("one moment please"))) == ["No rush."]
    off = Conversation(load_dialogue_bytes(source.replace("HOLD", "false").encode(), "h.yml"), {})
    off.start()
    reprompt = said(off.handle(CallerText("one moment please")))
    assert reprompt == ["Sorry, I didn't catch that.", "From one to five?"]


def test_korean_hold() -> None:
    conv = conversation("satisfaction_survey_ko", "네")
    assert said(conv.handle(CallerText("잠시만요"))) == ["네, 천천히 말씀해 주세요."]
