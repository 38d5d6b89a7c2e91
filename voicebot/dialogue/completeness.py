"""Does what the caller said so far already answer the question, or is it plainly unfinished?

Endpointing (voicebot/audio/endpointing.py) asks this at a short pause, with the speculative
transcript of the turn: a whole answer ends the turn at once ("yes", "four", a full phone number);
a known unfinished start keeps the line open ("my number is five five five", "um", a trailing
"and"); anything else is left to the turn model. Pure: a slot spec and text in, a verdict out.

Cautious on purpose: a wrong COMPLETE cuts the caller off, a wrong UNKNOWN only costs the turn
model's verdict. Free text, orders, dates and times are never judged complete from their words: once
they hold an answer they are OPEN (callers go on with them: "two large pepperoni | and a small
margherita", "the driver was friendly, | but..."), and endpointing waits longer for them, unless
the caller closed with "please" or "thank you"; a
closed question (yes/no, a number, a choice, an order, a date) without a value in the words is not
answered yet ("probably...", "let me see"), which costs an off-script caller the ceiling's wait,
unless it is two or three words and no hedge: a misheard answer ("Breg drinks." for "Three drinks.",
"for desserts.") is as finished as the answer it stands for. A lone unreadable word is still no
answer: as often a filler misheard ("Uh," written "up.") as an answer (bench/turn_eval.py). Where the
ask has a closed grammar and the transcript carries its scored phrases, an expected answer that stands
in for it (dialogue/grammar.py's rule 2) makes it whole; otherwise the turn model decides, as for any
answer the dialogue cannot judge.
"""

from __future__ import annotations

from collections.abc import Sequence

from voicebot.audio.endpointing import AnswerState
from voicebot.dialogue.grammar import Alternative, ExpectedAnswers, read_answer
from voicebot.dialogue.model import SlotSpec
from voicebot.dialogue.understanding import SlotReader
from voicebot.nlu.closer import is_closer
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
# The caller asks for time: the answer is still to come.
_HOLD_EN = ("let me think", "let me see", "let me check", "hold on", "one moment", "one second",
            "just a moment", "just a second", "give me a second", "wait")
_HOLD_KO = ("잠깐만요", "잠시만요", "잠깐만", "잠시만", "잠깐", "가만있어 보세요", "가만 있어 보세요")
_TRAILING_MARKS = (",", "...", "…", "-", "—", ":")
# Questions whose answers the slot reader recognises: words without a value are not an answer yet.
# Free text is not among them: any words may answer it.
_CLOSED_TYPES = frozenset({"yes_no", "choice", "integer", "number", "order_lines", "date", "time"})
# Answers that often go on after a pause once they hold a value: endpointing waits longer for them.
_OPEN_TYPES = frozenset({"text", "order_lines", "date", "time", "list"})
_POLITE_END_EN = ("please", "thanks", "thank you")
_POLITE_END_KO = ("주세요", "감사합니다", "고맙습니다")
_KO_NUMBER_PREFIX_ENDINGS = ("십", "백", "천", "만")
# A phone number with fewer digits is unfinished; with this many it is whole (10: US with area
# code, 11: Korean mobile). 7-9 digits may be either: the turn model decides.
_PHONE_WHOLE_DIGITS = 10
_PHONE_MIN_DIGITS = 7
# A closed question's answer in this many words that the slot reader cannot read is taken for a misheard
# answer ("Breg drinks.") rather than a start, unless it holds a hedge ("probably", "maybe"). One word is
# not: whisper writes a Piper "Uh," as "up." (bench/turn_eval.py: 4 of 10 "Uh, | can I talk to
# someone?" cut at the "up." when one word counted).
_SHORT_ANSWER_WORDS = range(2, 4)
_SHORT_ANSWER_TYPES = frozenset({"yes_no", "choice", "integer", "number"})
_HEDGES_EN = frozenset({"probably", "maybe", "perhaps", "possibly", "well", "think", "guess", "say",
                        "around", "roughly", "approximately", "actually", "honestly", "hmm", "not", "sure"})
_HEDGES_KO = frozenset({"아마", "아마도", "글쎄", "글쎄요", "한", "대략", "약", "음"})


def answer_state(reader: SlotReader, spec: SlotSpec | None, text: str, *,
                 expected: ExpectedAnswers | None = None, alternatives: Sequence[Alternative] = (),
                 logprob: float | None = None) -> AnswerState:
    """The dialogue's view of ``text`` as an answer to the question that asks for ``spec``.

    ``spec`` is None when the bot asked nothing a slot answers (a menu, a greeting): only the
    unfinished-start tests and the global intents apply then. ``expected`` is the ask's grammar,
    ``alternatives`` and ``logprob`` the transcript's scores of its phrases and of itself
    (``Transcript.alternatives`` / ``.logprob``), which judge a short answer the reader cannot read.
    """
    language = reader.language
    words = normalize(text, language).split()
    if not words:
        # No words heard yet (a hesitation the recogniser dropped, a breath): nothing answers the
        # question, so keep listening. The turn model called an "Um," complete here (bench/turn_eval.py).
        return AnswerState.INCOMPLETE
    # Whisper writes what it heard trail off as "my number is...", "I'd like a," or "well -".
    if text.rstrip().endswith(_TRAILING_MARKS) or _ends_unfinished(words, language):
        return AnswerState.INCOMPLETE
    if reader.intent(text) is not None or is_closer(text, language):
        return AnswerState.COMPLETE  # "can I talk to someone?", "repeat that", "that's all"
    if _patterned_to_the_end(reader, text):
        # A text slot's pattern reads it and nothing followed ("42 Baker Street."), whatever was asked
        # (an address answers "Anything else?" too): as whole as a phone number with all its digits, so
        # the turn model decides without the open answer's long wait. A caller who goes on ("...,
        # apartment 5") is heard trailing off (a comma) or by the model.
        return AnswerState.COMPLETE
    if spec is None:
        return AnswerState.UNKNOWN
    kind = spec.type
    if kind == "phone":
        return _digit_count_state(_longest_digit_run(text, language), _PHONE_MIN_DIGITS, _PHONE_WHOLE_DIGITS)
    if kind == "digits" and spec.length is not None:
        found = _longest_digit_run(text, language)
        if found >= spec.length:
            return _complete_if_read(reader, spec, text)
        return AnswerState.INCOMPLETE  # no digits yet is no answer yet, as for the closed types below
    value = reader.read(spec, text, strict=True)
    if kind in _CLOSED_TYPES and value is None:
        if kind in _SHORT_ANSWER_TYPES and _short_without_hedge(words, language):
            return _misheard_answer(reader, expected, text, alternatives, logprob)
        # "Probably...", "I'd give it a", "let me see": no answer to a closed question yet.
        return AnswerState.INCOMPLETE
    if kind in ("yes_no", "choice"):
        return AnswerState.COMPLETE
    if kind in ("integer", "number"):
        return AnswerState.UNKNOWN if _number_may_go_on(words[-1], language) else AnswerState.COMPLETE
    if kind in _OPEN_TYPES and not _ends_politely(words, language):
        return AnswerState.OPEN
    return AnswerState.UNKNOWN


def _short_without_hedge(words: list[str], language: str) -> bool:
    """"Breg drinks.", "for desserts.": two or three words, none that puts an answer off ("Probably",
    "I think"), and no number that may go on ("twenty...")."""
    hedges = _HEDGES_KO if language == "ko" else _HEDGES_EN
    return (len(words) in _SHORT_ANSWER_WORDS and not hedges.intersection(words)
            and not _number_may_go_on(words[-1], language))


def _misheard_answer(reader: SlotReader, expected: ExpectedAnswers | None, text: str,
                     alternatives: Sequence[Alternative], logprob: float | None) -> AnswerState:
    """A short answer the reader cannot read: whole when an expected answer stands in for it on the audio
    (what the final decode will read too), else the turn model decides."""
    if expected is not None and expected.closed and alternatives:
        reading = read_answer(reader, expected, text, None, alternatives, logprob)
        if reading.source == "grammar" and reading.meaning is not None:
            return AnswerState.COMPLETE
    return AnswerState.UNKNOWN


def _patterned_to_the_end(reader: SlotReader, text: str) -> bool:
    """Whether a text slot's pattern (an address) reads ``text`` up to its last word."""
    for slot in reader.dialogue.slots.values():
        if slot.type != "text" or not slot.pattern:
            continue
        value = reader.read(slot, text, strict=True)
        if isinstance(value, str) and value:
            at = text.lower().rfind(value.lower())
            if at >= 0 and not any(ch.isalnum() for ch in text[at + len(value):]):
                return True
    return False


def _complete_if_read(reader: SlotReader, spec: SlotSpec, text: str) -> AnswerState:
    return AnswerState.COMPLETE if reader.read(spec, text, strict=True) is not None else AnswerState.UNKNOWN


def _ends_unfinished(words: list[str], language: str) -> bool:
    last = words[-1]
    tail = " ".join(words[-4:])
    if language == "ko":
        return last in _UNFINISHED_KO or last.endswith("하고") or tail.endswith(_HOLD_KO)
    return last in _UNFINISHED_EN or tail.endswith(_HOLD_EN)


def _ends_politely(words: list[str], language: str) -> bool:
    """"..., please." / "..., thank you.": a caller closing what they said; the turn model decides."""
    tail = " ".join(words[-2:])
    if language == "ko":
        return tail.endswith(_POLITE_END_KO)
    return tail.endswith(_POLITE_END_EN)


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
    if count < at_least:  # none yet ("and my number is"), or only the first group
        return AnswerState.INCOMPLETE
    return AnswerState.UNKNOWN
