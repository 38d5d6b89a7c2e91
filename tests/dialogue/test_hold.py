"""A caller who asks for a moment ("one second", "잠시만요") hears "Sure, take your time." and is waited
for."""

from __future__ import annotations

from pathlib import Path

from voicebot.dialogue.events import CallerText, Listen, Say
from voicebot.dialogue.loader import load_dialogue, load_dialogue_bytes
from voicebot.dialogue.machine import Conversation

ROOT = Path(__file__).resolve().parents[2] / "dialogues"


def _survey(*answers: str) -> Conversation:
    conv = Conversation(load_dialogue(ROOT / "satisfaction_survey.yml"), {})
    conv.start()
    for answer in answers:
        conv.handle(CallerText(answer))
    return conv


def _said(actions: list[object]) -> list[str]:
    return [a.text for a in actions if isinstance(a, Say)]


def test_holds_are_acknowledged_and_count_no_attempt() -> None:
    conv = _survey("yes")
    for _ in range(4):  # more than the ask's three attempts
        actions = conv.handle(CallerText("one second"))
        assert _said(actions) == ["Sure, take your time."]
        assert isinstance(actions[-1], Listen) and actions[-1].slot == "satisfaction"
    conv.handle(CallerText("four"))
    assert conv.slots["satisfaction"] == 4 and not conv.ended


def test_an_answer_with_a_hold_is_the_answer() -> None:
    conv = _survey("yes")
    conv.handle(CallerText("one second, I'd say four"))
    assert conv.slots["satisfaction"] == 4


def test_a_hold_with_another_answer_keeps_that_answer() -> None:
    conv = Conversation(load_dialogue(ROOT / "pizza_order.yml"), {})
    conv.start()
    conv.handle(CallerText("two large pepperoni, that's all"))
    actions = conv.handle(CallerText("hold on, my number is 555 123 4567"))
    assert conv.slots["phone"] == "5551234567" and "Sure, take your time." not in _said(actions)


def test_a_short_hold_at_the_comment_waits_and_a_long_comment_is_kept() -> None:
    conv = _survey("yes", "four", "nine")
    assert _said(conv.handle(CallerText("hold on"))) == ["Sure, take your time."]
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
    assert _said(reworded.handle(CallerText("one moment please"))) == ["No rush."]
    off = Conversation(load_dialogue_bytes(source.replace("HOLD", "false").encode(), "h.yml"), {})
    off.start()
    said = _said(off.handle(CallerText("one moment please")))
    assert said == ["Sorry, I didn't catch that.", "From one to five?"]


def test_korean_hold() -> None:
    conv = Conversation(load_dialogue(ROOT / "satisfaction_survey_ko.yml"), {})
    conv.start()
    conv.handle(CallerText("네"))
    assert _said(conv.handle(CallerText("잠시만요"))) == ["네, 천천히 말씀해 주세요."]
