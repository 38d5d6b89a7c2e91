"""Conversation.snapshot() / restore(): a caller turn taken back leaves no trace in state or record."""

from __future__ import annotations

from pathlib import Path

import pytest

from voicebot.dialogue.events import CallerText, Dtmf, Listen
from voicebot.dialogue.loader import load_dialogue
from voicebot.dialogue.machine import Conversation
from voicebot.dialogue.model import Dialogue

ROOT = Path(__file__).resolve().parents[2] / "dialogues"
CUSTOMER = {"customer_name": "Dana Lee", "product_name": "Term Life Plus", "monthly_premium": "$42.50",
            "birth_date": "1985-03-03"}


def fixed_clock() -> str:
    return "2026-01-01T00:00:00.000Z"


@pytest.fixture(scope="module")
def compliance() -> Dialogue:
    return load_dialogue(ROOT / "sales_compliance.yml")


@pytest.fixture(scope="module")
def pizza() -> Dialogue:
    return load_dialogue(ROOT / "pizza_order.yml")


def at_documents(dialogue: Dialogue) -> Conversation:
    conv = Conversation(dialogue, CUSTOMER, call_id="c1", clock=fixed_clock)
    conv.start()
    conv.handle(CallerText("March third, nineteen eighty five"))
    conv.handle(CallerText("Yes"))  # explained_terms
    return conv


def test_a_turn_rolled_back_and_said_again_reads_as_one_answer(compliance: Dialogue) -> None:
    cut, straight = at_documents(compliance), at_documents(compliance)
    before = cut.record.to_json()
    snapshot = cut.snapshot()
    first = cut.handle(CallerText("Yes."))
    assert cut.slots["received_documents"] is True and isinstance(first[-1], Listen)
    cut.restore(snapshot)
    assert cut.record.to_json() == before
    joined = cut.handle(CallerText("Yes. I got the documents by email."))
    expected = straight.handle(CallerText("Yes. I got the documents by email."))
    assert joined == expected
    assert cut.record.to_json() == straight.record.to_json()
    caller = [t.text for t in cut.record.turns if t.role == "caller"]
    assert caller[-1] == "Yes. I got the documents by email." and "Yes." not in caller[2:]
    # The machine goes on from the same state: the next answer lands on the next question.
    cut.handle(CallerText("No"))
    straight.handle(CallerText("No"))
    assert cut.record.to_json() == straight.record.to_json()


def test_restore_undoes_attempts_and_the_step_log(compliance: Dialogue) -> None:
    conv = at_documents(compliance)
    snapshot = conv.snapshot()
    steps = list(conv.record.meta["steps"])
    conv.handle(CallerText("purple"))  # neither yes nor no: a reprompt, one attempt used
    assert len(conv.record.meta["steps"]) == len(steps) + 1
    conv.restore(snapshot)
    assert conv.record.meta["steps"] == steps
    conv.handle(CallerText("purple"))
    actions = conv.handle(CallerText("banana"))  # the second miss: max_attempts 2, so the slot is false
    assert conv.slots["received_documents"] is False, actions


def test_a_confirm_step_is_known(pizza: Dialogue) -> None:
    conv = Conversation(pizza, {})
    conv.start()
    assert not conv.at_confirm
    conv.handle(CallerText("one small hawaiian to 22 baker street", confidence=0.9))
    conv.handle(CallerText("that's all"))
    conv.handle(Dtmf("5551234567#"))
    assert conv.at_confirm  # "... Is that right?"
