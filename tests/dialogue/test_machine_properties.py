"""Whatever a caller does, the machine answers in a well-formed way and the record stays consistent."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voicebot.dialogue.events import (
    ActionResult,
    CallerHangup,
    CallerText,
    Dtmf,
    EndCall,
    Event,
    Listen,
    SilenceTimeout,
    Transfer,
)
from voicebot.dialogue.loader import load_dialogue
from voicebot.dialogue.machine import Conversation
from voicebot.dialogue.model import Dialogue

ROOT = Path(__file__).resolve().parents[2] / "dialogues"
VARIABLES = {
    "customer_name": "Dana",
    "product_name": "Plan",
    "monthly_premium": "42",
    "birth_date": "1985-03-03",
}
PHRASES = {
    "en": [
        "yes",
        "no",
        "two large pepperoni",
        "12 main street",
        "555 123 4567",
        "four",
        "nine",
        "march 3 1985",
        "repeat that",
        "no, three, not two",
        "blah",
        "",
        "make it large",
        "cancel",
        "i don't know",
        "ten",
    ],
    "ko": [
        "네",
        "아니요",
        "페퍼로니 라지 두 판",
        "강남구 테헤란로 123",
        "010 1234 5678",
        "네 점",
        "구 점",
        "1985년 3월 3일",
        "다시 말씀해 주세요",
        "아니 세 판이요",
        "글쎄요",
        "",
        "라지로 해 주세요",
        "몰라요",
    ],
}
NAMES = ["pizza_order", "satisfaction_survey", "sales_compliance"]


@pytest.fixture(scope="module")
def dialogues() -> dict[str, Dialogue]:
    return {f"{n}{s}": load_dialogue(ROOT / f"{n}{s}.yml") for n in NAMES for s in ("", "_ko")}


def _events(language: str) -> st.SearchStrategy[Event]:
    text = st.sampled_from(PHRASES[language])
    return st.one_of(
        st.builds(CallerText, text),
        st.builds(CallerText, text, confidence=st.floats(0.0, 1.0)),
        st.builds(Dtmf, st.sampled_from(["1", "2", "0", "*", "5", "19850303", "5551234567#"])),
        st.just(SilenceTimeout()),
        st.just(ActionResult("nothing#1", ok=True)),
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), name=st.sampled_from([f"{n}{s}" for n in NAMES for s in ("", "_ko")]))
def test_any_caller_gets_well_formed_replies(
    dialogues: dict[str, Dialogue], data: st.DataObject, name: str
) -> None:
    dialogue = dialogues[name]
    conv = Conversation(dialogue, dict(VARIABLES))
    replies = [conv.start()]
    events = data.draw(st.lists(_events(dialogue.language), max_size=12))
    for event in events:
        was_ended = conv.ended
        reply = conv.handle(event)
        if was_ended:
            assert reply == []
        replies.append(reply)
    for reply in replies:
        if reply:
            assert isinstance(reply[-1], (Listen, EndCall, Transfer))
    if conv.ended:
        assert conv.record.outcome is not None and conv.record.ended_at is not None
        assert dialogue.allows_outcome(conv.record.outcome)
    else:
        last = next(reply for reply in reversed(replies) if reply)
        assert isinstance(last[-1], Listen)
        conv.handle(CallerHangup())
        assert conv.record.outcome == "hangup"
    assert set(conv.record.slots) <= set(dialogue.slots)
