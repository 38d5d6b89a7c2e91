"""Open asks: the words an answer is made of, where the answers themselves cannot be listed.

A closed ask (a score, yes or no) lists its answers and the recogniser scores each (grammar.py). A phone
number or a pizza order has too many answers to list, but few words: digits and "oh" for a phone number,
the menu's items, sizes and quantities for an order. The recogniser decodes such a turn a second time with
only those words allowed (engines/constrained.py), so "five five five, oh one two three" is not written
"555-123" and "one small veggie" not "one small bitgie". :func:`read_open` then decides, as
``grammar.choose`` does for closed asks:

1. the free transcript when it is a global intent or a closer ("I want to talk to a person", "that's
   all": the restricted words cannot say those);
2. otherwise the restricted decode when the slot's parser reads it as a valid answer and it is not far
   less likely on the audio than the free transcript (``grammar.MAX_LOGPROB_GAP``);
3. otherwise the free transcript, as before.

Measured on the phone-line corpus (BENCHMARKS.md, issue 10, "Open asks"): dates are left to the free
transcript, since a date decoded in words only came out worse (whisper cut "January first nineteen
sixty" short when it could not write "1960"). English only: other languages ask for nothing.
Everything here is pure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from voicebot.dialogue.model import Dialogue, SlotSpec
from voicebot.engines.constrained import heard_only, only_words

if TYPE_CHECKING:
    from voicebot.dialogue.grammar import Alternative, ExpectedAnswers, Reading
    from voicebot.dialogue.understanding import SlotReader

DIGIT_WORDS = ("zero", "oh", "o", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
               "double", "triple")
# What callers put around a phone number; "my number is" read as digits would spoil the number.
PHONE_FILLERS = ("my", "number", "is", "it's", "it", "the")
QUANTITY_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                  "twelve", "a", "an")
ORDER_FILLERS = ("and", "please", "I'd", "like", "both", "all", "with", "of", "the", "can", "I", "get",
                 "have", "want", "each", "pizza", "pizzas")


def open_words(dialogue: Dialogue, spec: SlotSpec) -> tuple[str, ...]:
    """The words an answer to an ask for ``spec`` is made of, or () where that is not worth a decode."""
    if dialogue.language != "en":
        return ()
    if spec.type in ("phone", "digits"):
        return (*DIGIT_WORDS, *PHONE_FILLERS)
    if spec.type == "order_lines" and spec.catalogue:
        words: list[str] = []
        for name in (spec.catalogue, spec.sizes):
            if name is None or name not in dialogue.catalogues:
                continue
            for entry in dialogue.catalogues[name].entries:
                names = (entry.spoken, *(() if "_" in entry.value else (entry.value,)), *entry.synonyms)
                words.extend(w for said in names for w in said.split())
        return (*dict.fromkeys(words), *QUANTITY_WORDS, *ORDER_FILLERS)
    return ()


def requests_for(dialogue: Dialogue, spec: SlotSpec) -> tuple[str, ...]:
    """What an open ask passes among the recogniser's ``expected``: one restricted decode, or nothing."""
    words = open_words(dialogue, spec)
    return (only_words(words),) if words else ()


def choose_open(free_text: str, free_confidence: float | None, alternatives: Sequence[Alternative],
                free_logprob: float | None, valid: Callable[[str], bool],
                keep_free: Callable[[str], bool], max_gap: float) -> Reading:
    """The rule of the module docstring. ``valid``: the slot's parser reads the text as an answer;
    ``keep_free``: the free transcript is an intent or a closer, which only it can say."""
    from voicebot.dialogue.grammar import Reading

    source = "free" if valid(free_text) else "unmatched"
    found = heard_only(alternatives)
    if found is None or keep_free(free_text):
        return Reading(free_text, free_confidence, source)
    text, logprob = found
    plausible = free_logprob is None or logprob >= free_logprob - max_gap
    if text == free_text or not valid(text) or not plausible:
        return Reading(free_text, free_confidence, source)
    return Reading(text, free_confidence, "constrained")


def read_open(reader: SlotReader, expected: ExpectedAnswers, text: str, confidence: float | None,
              alternatives: Sequence[Alternative], logprob: float | None) -> Reading:
    """:func:`choose_open` with the dialogue's own reading: the slot's parser as asked for (homophones
    of digits count), global intents and closers."""
    from voicebot.dialogue.grammar import MAX_LOGPROB_GAP

    assert expected.slot is not None
    spec = reader.dialogue.slots[expected.slot]

    def valid(said: str) -> bool:
        return reader.read(spec, said, strict=True, asked=True) is not None

    def keep_free(said: str) -> bool:
        return reader.intent(said) is not None or reader.is_closer(said)

    return choose_open(text, confidence, alternatives, logprob, valid, keep_free, MAX_LOGPROB_GAP)
