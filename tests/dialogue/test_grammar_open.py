"""Open asks (grammar_open.py): the words a phone number or an order is made of, and the rule that takes
a decode restricted to them over the free transcript."""

from __future__ import annotations

from pathlib import Path

import pytest

from voicebot.dialogue import grammar, grammar_open
from voicebot.dialogue.events import CallerText, Listen, Say
from voicebot.dialogue.loader import load_dialogue
from voicebot.dialogue.machine import Conversation
from voicebot.dialogue.model import Dialogue
from voicebot.dialogue.understanding import SlotReader
from voicebot.engines.constrained import ONLY, heard_only, only_words, split_requests

ROOT = Path(__file__).resolve().parents[2] / "dialogues"


@pytest.fixture(scope="module")
def pizza() -> Dialogue:
    return load_dialogue(ROOT / "pizza_order.yml")


def _valid_phone(text: str) -> bool:
    return sum(w in ("oh", "one", "two", "three", "five", "six", "seven") for w in text.lower().split()) >= 7


def _never(text: str) -> bool:
    return False


def test_a_request_travels_among_the_expected_answers_and_its_decode_comes_back_tagged() -> None:
    request = only_words(["five", "oh", " ", "five", "my"])
    assert request == ONLY + "five oh my"
    assert split_requests(("Yes.", request, "No.")) == (("five oh my",), ("Yes.", "No."))
    assert heard_only((("Yes.", -1.0), (ONLY + "five five five", -4.5))) == ("five five five", -4.5)
    assert heard_only((("Yes.", -1.0),)) is None


def test_phone_and_order_asks_ask_for_their_words_and_closed_or_date_asks_do_not(pizza: Dialogue) -> None:
    phone = grammar.for_slot(pizza, pizza.slots["phone"])
    assert not phone.closed and phone.phrases  # the live intents are still listed, not scored
    assert phone.to_score == phone.requests and len(phone.requests) == 1
    words = split_requests(phone.to_score)[0][0].split()
    assert {"oh", "zero", "five", "double", "my", "number"} <= set(words)
    items = grammar_open.open_words(pizza, pizza.slots["items"])
    assert {"pepperoni", "margherita", "cheese", "pineapple", "barbecue", "large", "two"} <= set(items)
    assert "bbq_chicken" not in items  # an identifier, not a word
    assert grammar.for_slot(pizza, pizza.slots["confirmed"]).requests == ()  # closed: phrases are scored
    assert grammar.for_slot(pizza, pizza.slots["address"]).to_score == ()


def test_a_date_and_a_korean_ask_ask_for_nothing(pizza: Dialogue) -> None:
    compliance = load_dialogue(ROOT / "sales_compliance.yml")
    date_slot = next(s for s in compliance.slots.values() if s.type == "date")
    assert grammar_open.open_words(compliance, date_slot) == ()
    korean = load_dialogue(ROOT / "pizza_order_ko.yml")
    assert korean.language == "ko" and grammar.for_slot(korean, korean.slots["phone"]).to_score == ()


def test_the_restricted_decode_stands_in_when_it_reads_as_an_answer() -> None:
    alternatives = [(ONLY + "six one seven five five five oh oh four two", -6.4)]
    reading = grammar_open.choose_open("617-555042", 0.45, alternatives, -8.0, _valid_phone, _never, 8.0)
    assert reading == grammar.Reading("six one seven five five five oh oh four two", 0.45, "constrained")


def test_the_free_transcript_stays_when_the_restricted_decode_is_no_answer_or_far_less_likely() -> None:
    short = [(ONLY + "five five", -3.0)]
    assert grammar_open.choose_open("555", 0.4, short, -5.0, _valid_phone, _never, 8.0).source == "unmatched"
    far = [(ONLY + "five five five oh one two three", -30.0)]
    reading = grammar_open.choose_open("I don't have a phone.", 0.6, far, -9.0, _valid_phone, _never, 8.0)
    assert reading == grammar.Reading("I don't have a phone.", 0.6, "unmatched")
    said = "five five five oh one two three"
    same = grammar_open.choose_open(said, 0.8, [(ONLY + said, -4.0)], -4.0, _valid_phone, _never, 8.0)
    assert same.source == "free" and same.text == said
    assert grammar_open.choose_open(said, 0.8, [], None, _valid_phone, _never, 8.0).source == "free"


def test_an_intent_or_a_closer_is_never_replaced(pizza: Dialogue) -> None:
    reader = SlotReader(pizza)
    expected = grammar.for_slot(pizza, pizza.slots["items"])
    forced = [(ONLY + "I'd like a pepperoni", -7.0)]
    for said in ("I want to talk to a person.", "That's all."):
        reading = grammar.read_answer(reader, expected, said, 0.7, forced, -6.0)
        assert reading.text == said and reading.source != "constrained"


def test_the_dialogues_own_reader_takes_the_digits_the_free_decode_lost(pizza: Dialogue) -> None:
    reader = SlotReader(pizza)
    expected = grammar.for_slot(pizza, pizza.slots["phone"])
    alternatives = ((ONLY + "Six, one, seven, five, five, five, oh, oh, four, two.", -6.1),)
    reading = grammar.read_answer(reader, expected, "617-555042", 0.5, alternatives, -8.0)
    assert reading.source == "constrained"
    assert reader.read(pizza.slots["phone"], reading.text, asked=True) == "6175550042"


def test_the_order_heard_in_the_menus_words_is_taken_and_the_record_keeps_what_was_heard(
        pizza: Dialogue) -> None:
    conv = Conversation(pizza, {})
    listen = next(a for a in conv.start() if isinstance(a, Listen))
    assert listen.slot == "items" and listen.expected is not None and listen.expected.requests
    heard = CallerText("One small bitgie and a large wine.", 0.41,
                       ((ONLY + "One small veggie and a large hawaiian.", -5.2),), logprob=-7.5)
    says = [a.text for a in conv.handle(heard) if isinstance(a, Say)]
    assert any("small vegetarian" in s.lower() or "small veggie" in s.lower() for s in says), says
    caller = [t for t in conv.record.turns if t.role == "caller"][-1]
    assert caller.text == "One small veggie and a large hawaiian." and caller.heard == heard.text
