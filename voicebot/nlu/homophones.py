"""Words speech recognition writes for a number said alone on a phone line: "for" (four), "to" (two).

Whisper hears a lone "four" as "for", "two" as "to" or "too", "eight" as "ate". These words are ordinary
English everywhere else, so they count as numbers only where the caller was asked for one, and only when
the rest of the answer is numbers and filler ("i'd say for", "for out of five"); "not too bad" and
"go for five" keep their meaning. Inside digit strings see :func:`digit_homophone`.
"""

from __future__ import annotations

from collections.abc import Callable

from voicebot.nlu.normalize import words
from voicebot.nlu.numbers import EN_TEENS, EN_TENS, EN_UNITS

EN_NUMBER_HOMOPHONES = {
    "for": "four", "fore": "four", "to": "two", "too": "two", "won": "one", "ate": "eight",
    "tree": "three", "free": "three", "nein": "nine",
}
# Homophones that are common enough before a digit string ("send it to five five five") that they start
# one only as the first word of the answer.
_STARTS_ONLY_FIRST = frozenset({"to", "too", "for", "fore"})
_NUMBER_WORDS = frozenset({*EN_UNITS, *EN_TEENS, *EN_TENS, "hundred", "oh", "double", "triple"})
# What callers wrap a bare number in. "go", "not", "bad" and the like are not here on purpose.
_ANSWER_FILLER = frozenset({
    "uh", "um", "umm", "er", "erm", "ah", "hmm", "hm", "mm", "oh", "well", "so", "okay", "ok", "yeah",
    "i", "would", "say", "give", "it", "is", "a", "an", "like", "about", "maybe", "probably", "perhaps",
    "please", "guess", "think", "rate", "score", "definitely", "just", "out", "of", "that", "my", "answer",
    "number", "the", "and", "be", "solid", "let", "me", "see", "rating",
})


def with_number_homophones(text: str, language: str) -> str:
    """``text`` with homophones spelt as the numbers they stand for, when the answer is only a number.

    "for" -> "four", "I'd say for." -> "i would say four", "for out of five" -> "four out of five";
    "not too bad" and "go for five" come back unchanged. Korean has no such words: unchanged.
    """
    if language != "en":
        return text
    ws = words(text, language)
    if not any(w in EN_NUMBER_HOMOPHONES for w in ws):
        return text
    if not all(w in EN_NUMBER_HOMOPHONES or w in _NUMBER_WORDS or w in _ANSWER_FILLER or w.isdigit()
               for w in ws):
        return text
    return " ".join(EN_NUMBER_HOMOPHONES.get(w, w) for w in ws)


def digit_homophone(word: str, *, in_run: bool, next_is_digit: bool, at_end: bool, first: bool) -> str | None:
    """The number word a homophone stands for inside a spoken digit string, or None.

    Inside a run ("five five five one to three for") it counts when a digit follows or the answer ends
    there; to start a run a digit must follow, and "to" / "for" start one only as the answer's first
    word ("send it to five five five" starts at the five).
    """
    number = EN_NUMBER_HOMOPHONES.get(word)
    if number is None:
        return None
    if in_run:
        return number if next_is_digit or at_end else None
    if first and at_end:
        return number
    if not next_is_digit or (word in _STARTS_ONLY_FIRST and not first):
        return None
    return number


def with_quantity_homophones(text: str, language: str, is_order_word: Callable[[str], bool]) -> str:
    """``text`` with a homophone that stands before a size or a menu item spelt as the quantity it is.

    At an order ask "too large pepperoni" is two large pepperoni (whisper writes a clipped "two" so);
    "is that too large" keeps its meaning: the homophone must start the answer or follow "and".
    """
    if language != "en":
        return text
    ws = words(text, language)
    if not any(w in EN_NUMBER_HOMOPHONES for w in ws):
        return text
    out = list(ws)
    for i, w in enumerate(ws):
        starts_line = i == 0 or ws[i - 1] in ("and", "plus", "also")
        if w in EN_NUMBER_HOMOPHONES and starts_line and i + 1 < len(ws) and is_order_word(ws[i + 1]):
            out[i] = EN_NUMBER_HOMOPHONES[w]
    return " ".join(out) if out != ws else text
