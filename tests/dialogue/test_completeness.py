"""The dialogue's view of a speculative transcript, for the question it asked (literals)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from voicebot.audio.endpointing import AnswerState
from voicebot.dialogue import grammar
from voicebot.dialogue.completeness import answer_state
from voicebot.dialogue.loader import load_dialogue
from voicebot.dialogue.model import SlotSpec
from voicebot.dialogue.understanding import SlotReader

DIALOGUES = Path(__file__).resolve().parents[2] / "dialogues"
COMPLETE, INCOMPLETE, UNKNOWN = AnswerState.COMPLETE, AnswerState.INCOMPLETE, AnswerState.UNKNOWN
OPEN = AnswerState.OPEN


@cache
def reader(name: str) -> SlotReader:
    if name == "latency_check":
        return SlotReader(load_dialogue(DIALOGUES.parent / "bench" / "dialogues" / "latency_check.yml"))
    return SlotReader(load_dialogue(DIALOGUES / f"{name}.yml"))


def state(dialogue: str, slot: str | None, text: str) -> AnswerState:
    r = reader(dialogue)
    spec: SlotSpec | None = None if slot is None else r.dialogue.slots[slot]
    return answer_state(r, spec, text)


@pytest.mark.parametrize(("dialogue", "slot", "text", "expected"), [
    # Whole answers: the turn may end at the first pause.
    ("pizza_order", "confirmed", "Yes.", COMPLETE),
    ("pizza_order", "confirmed", "no, that's wrong", COMPLETE),
    ("pizza_order", "phone", "It's five five five, one two three, four five six seven.", COMPLETE),
    ("pizza_order", "phone", "555-123-4567", COMPLETE),
    ("satisfaction_survey", "satisfaction", "Four.", COMPLETE),
    ("satisfaction_survey", "recommend", "I'd say eight out of ten", COMPLETE),
    ("pizza_order_ko", "confirmed", "네 맞아요", COMPLETE),
    ("pizza_order_ko", "phone", "공일공 일이삼사 오육칠팔", COMPLETE),
    # Known unfinished starts: keep listening.
    ("pizza_order", "phone", "My number is five five five", INCOMPLETE),
    ("pizza_order", "phone", "and my numbers.", INCOMPLETE),  # no digits yet: whisper's "And my number is"
    ("pizza_order", "phone", "five five five one two three", INCOMPLETE),
    ("pizza_order", "items", "Two large pepperoni and", INCOMPLETE),
    ("pizza_order", "items", "Um", INCOMPLETE),
    ("pizza_order", "confirmed", "Yes, and", INCOMPLETE),  # the unfinished end wins over the "yes"
    ("satisfaction_survey", "satisfaction", "I'd give it a", INCOMPLETE),
    ("satisfaction_survey", "comment", "Well, the driver was, uh", INCOMPLETE),
    ("pizza_order", None, "I want to, um,", INCOMPLETE),
    ("pizza_order_ko", "items", "페퍼로니 두 판 그리고", INCOMPLETE),
    ("pizza_order_ko", "phone", "음", INCOMPLETE),
    # Whisper's punctuation of what trailed off.
    ("pizza_order", "phone", "And my number is...", INCOMPLETE),
    ("pizza_order", "address", "It's 12,", INCOMPLETE),
    # A closed question without a value in the words is not answered yet.
    ("satisfaction_survey", "recommend", "Probably", INCOMPLETE),
    ("satisfaction_survey", "satisfaction", "maybe", INCOMPLETE),
    ("satisfaction_survey", "recommend", "twenty", INCOMPLETE),  # out of the 0-10 range: not an answer
    ("pizza_order", "confirmed", "let me see", INCOMPLETE),
    ("satisfaction_survey", "recommend", "I think", INCOMPLETE),
    ("satisfaction_survey", "recommend", "Not sure.", INCOMPLETE),
    ("latency_check", "q2", "I would have to ask my wife.", INCOMPLETE),  # a sentence, not a misheard answer
    # A short answer the reader cannot read, with no hedge: a misheard answer, the turn model decides.
    ("latency_check", "q2", "Breg drinks.", UNKNOWN),  # "Three drinks."
    ("latency_check", "q4", "for desserts.", UNKNOWN),  # "Four desserts."
    ("pizza_order", "confirmed", "up.", INCOMPLETE),  # one word: as often a filler misheard ("Uh,")
    # The caller asks for time, whatever the question.
    ("pizza_order", "address", "Let me think", INCOMPLETE),
    ("satisfaction_survey", "comment", "Hmm, hold on.", INCOMPLETE),
    ("pizza_order_ko", "address", "잠깐만요", INCOMPLETE),
    # A request the dialogue handles anywhere is a whole turn.
    ("sales_compliance", "voluntary_signup", "Can I talk to someone?", COMPLETE),
    ("pizza_order", None, "Sorry, can you repeat that?", COMPLETE),
    ("pizza_order", "items", "That's all.", COMPLETE),  # a closer, though no order line is in it
    ("pizza_order_ko", "items", "그게 다예요", COMPLETE),
    # Anything else: the turn model decides.
    ("pizza_order", "phone", "five five five one two three four", UNKNOWN),  # 7 digits: local, or not yet?
    ("satisfaction_survey", "satisfaction", "Four", COMPLETE),
    ("satisfaction_survey", "recommend", "I'd say ten", COMPLETE),
    ("pizza_order", "items", "Two large pepperoni", OPEN),  # an order may go on: "and a coke"
    ("pizza_order", "address", "Twelve Main Street", OPEN),  # free text: any words may answer
    # The slot's pattern reads it to the end: whole (the turn model still decides at once).
    ("pizza_order", "address", "42 Baker Street.", COMPLETE),
    ("pizza_order", "address", "It's 42 Baker Street, apartment 5.", COMPLETE),
    ("pizza_order", "address", "42 Baker Street,", INCOMPLETE),  # trailing off
    ("pizza_order", "address", "42 Baker Street in Springfield", OPEN),  # more after what it reads
    ("pizza_order", "items", "42 Baker Street.", COMPLETE),  # "Anything else?" answered with the address
    ("pizza_order", "items", "Two large pepperoni to 42 Baker Street and", INCOMPLETE),
    ("satisfaction_survey", "comment", "The driver was friendly.", OPEN),
    ("pizza_order", "items", "Two large pepperoni pizzas, please.", UNKNOWN),  # closed politely: the model
    ("satisfaction_survey", "comment", "It was cold, thank you", UNKNOWN),
    ("pizza_order_ko", "items", "페퍼로니 두 판 주세요", UNKNOWN),
    ("pizza_order", None, "hello there", UNKNOWN),
    ("pizza_order", "confirmed", "", INCOMPLETE),  # no words yet: "Um," that the recogniser dropped
    ("pizza_order", None, " ", INCOMPLETE),
])
def test_answer_state(dialogue: str, slot: str | None, text: str, expected: AnswerState) -> None:
    assert state(dialogue, slot, text) is expected


def test_a_tens_word_may_still_grow() -> None:
    spec = SlotSpec(name="age", type="integer", minimum=0, maximum=120)
    r = reader("satisfaction_survey")
    assert answer_state(r, spec, "thirty") is UNKNOWN  # "thirty ... five"
    assert answer_state(r, spec, "thirty five") is COMPLETE


def test_digits_of_a_known_length() -> None:
    spec = SlotSpec(name="pin", type="digits", length=4)
    r = reader("pizza_order")
    assert answer_state(r, spec, "one two") is INCOMPLETE
    assert answer_state(r, spec, "one two three four") is COMPLETE


def test_a_misheard_short_answer_is_whole_when_an_expected_answer_stands_in() -> None:
    r = reader("satisfaction_survey")
    spec = r.dialogue.slots["satisfaction"]
    expected = grammar.for_slot(r.dialogue, spec)
    # "Tree points." for "Three points.": the grammar's "Three." is far ahead of the others on the audio.
    clear = [(text, -20.0) for text in expected.to_score]
    clear[expected.to_score.index("Three.")] = ("Three.", -1.0)
    whole = answer_state(r, spec, "Tree points.", expected=expected, alternatives=clear, logprob=-1.5)
    assert whole is COMPLETE
    # No answer clearly ahead: the turn model decides.
    even = [(text, -2.0) for text in expected.to_score]
    unsure = answer_state(r, spec, "Tree points.", expected=expected, alternatives=even, logprob=-1.5)
    assert unsure is UNKNOWN
    # The answer far less likely on the audio than what was heard: no stand-in, the turn model decides.
    unlikely = answer_state(r, spec, "Tree points.", expected=expected, alternatives=clear, logprob=10.0)
    assert unlikely is UNKNOWN
    # A hedge is still a start, whatever the scores say.
    hedged = answer_state(r, spec, "Probably", expected=expected, alternatives=clear, logprob=-1.5)
    assert hedged is INCOMPLETE
