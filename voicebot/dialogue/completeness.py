"""Does what the caller said so far already answer the question, or is it plainly unfinished?

Endpointing (voicebot/audio/endpointing.py) asks this at a short pause, with the speculative
transcript of the turn: a whole answer ends the turn at once ("yes", "four", a full phone number);
a known unfinished start keeps the line open ("my number is five five five", "um", a trailing
"and"); anything else is left to the turn model. Pure: a slot spec and text in, a verdict out.

Cautious on purpose: a wrong COMPLETE cuts the caller off, a wrong UNKNOWN only costs the turn
model's verdict. Free text, orders, dates and times are never judged complete from their words.
"""

from __future__ import annotations

from voicebot.audio.endpointing import AnswerState
from voicebot.dialogue.model import SlotSpec
from voicebot.dialogue.understanding import SlotReader
from voicebot.nlu.digits import digit_runs
from voicebot.nlu.normalize import FILLERS_EN, FILLERS_KO, normalize
from voicebot.nlu.numbers import EN_SCALES, EN_TENS

# Words after which an English sentence cannot end: conjunctions, articles, prepositions, "is".
_UNFINISHED_EN = FILLERS_EN | frozenset({
    "and", "or", "but", "so", "because", "then", "plus", "also", "like",
    "the", "a", "an", "my", "our", "your", "its", "this", "that's", "is", "it's", "are", "was",
    "to", "of", "with", "for", "at", "on", "in", "from", "about", "uhh", "umm",
})
# Korean: hesitations and connectives that need a second half (그리고 "and", 근데 "but", 그래서 "so").
_UNFINISHED_KO = FILLERS_KO | frozenset({
    "그리고", "근데", "그런데", "그래서", "그러면", "그럼", "하고", "이랑",
})
_KO_NUMBER_PREFIX_ENDINGS = ("십", "백", "천", "만")
# A phone number with fewer digits is unfinished; with this many it is whole (10: US with area
# code, 11: Korean mobile). 7-9 digits may be either: the turn model decides.
_PHONE_WHOLE_DIGITS = 10
_PHONE_MIN_DIGITS = 7


def answer_state(reader: SlotReader, spec: SlotSpec | None, text: str) -> AnswerState:
    """The dialogue's view of ``text`` as an answer to the question that asks for ``spec``.

    ``spec`` is None when the bot asked nothing a slot answers (a menu, a greeting): only the
    unfinished-start test applies then.
    """
    language = reader.language
    words = normalize(text, language).split()
    if not words:
        return AnswerState.UNKNOWN
    if _ends_unfinished(words, language):
        return AnswerState.INCOMPLETE
    if spec is None:
        return AnswerState.UNKNOWN
    kind = spec.type
    if kind == "phone":
        return _digit_count_state(_longest_digit_run(text, language), _PHONE_MIN_DIGITS, _PHONE_WHOLE_DIGITS)
    if kind == "digits" and spec.length is not None:
        found = _longest_digit_run(text, language)
        if found >= spec.length:
            return _complete_if_read(reader, spec, text)
        return AnswerState.INCOMPLETE if found else AnswerState.UNKNOWN
    if kind in ("yes_no", "choice"):
        return _complete_if_read(reader, spec, text)
    if kind in ("integer", "number"):
        if reader.read(spec, text, strict=True) is None or _number_may_go_on(words[-1], language):
            return AnswerState.UNKNOWN
        return AnswerState.COMPLETE
    return AnswerState.UNKNOWN


def _complete_if_read(reader: SlotReader, spec: SlotSpec, text: str) -> AnswerState:
    return AnswerState.COMPLETE if reader.read(spec, text, strict=True) is not None else AnswerState.UNKNOWN


def _ends_unfinished(words: list[str], language: str) -> bool:
    last = words[-1]
    if language == "ko":
        return last in _UNFINISHED_KO or last.endswith("하고")
    return last in _UNFINISHED_EN


def _number_may_go_on(last: str, language: str) -> bool:
    """"twenty" may become "twenty five", "이십" may become "이십오"."""
    if language == "ko":
        return last.endswith(_KO_NUMBER_PREFIX_ENDINGS)
    return last in EN_TENS or last in EN_SCALES or last == "hundred"


def _longest_digit_run(text: str, language: str) -> int:
    return max((len(run.digits) for run in digit_runs(text, language)), default=0)


def _digit_count_state(count: int, at_least: int, whole: int) -> AnswerState:
    if count >= whole:
        return AnswerState.COMPLETE
    if 0 < count < at_least:
        return AnswerState.INCOMPLETE
    return AnswerState.UNKNOWN
