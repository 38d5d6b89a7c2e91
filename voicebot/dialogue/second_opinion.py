"""A second opinion: a turn the first model did not understand, heard again by a larger one (issue 10).

tiny.en hears eSpeak's "not right now" as "I'll try it out" and many short answers on a phone line as
words that answer nothing; the dialogue then asks the question again, which costs the caller a whole
turn. Where ``stt.second_opinion`` names a model (base), such a turn at a yes/no question or a choice (not
a number question: :func:`asks_for_one`) is decoded again with it, scored against the same expected
answers, and read by the same rule (:func:`grammar.read_answer`): its reading is taken only where it
understands the turn, else the first transcript stands (and the dialogue asks again as before). A turn
the first model understood is never decoded twice.

Pure: the dialogue's reader and grammar, and transcripts, in; decisions out. The session's listener runs
the decode (voicebot/session/listener.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from voicebot.dialogue import grammar

if TYPE_CHECKING:
    from voicebot.dialogue.understanding import SlotReader
    from voicebot.engines.base import Transcript


def reading(reader: SlotReader, expected: grammar.ExpectedAnswers, heard: Transcript) -> grammar.Reading:
    """What the dialogue machine makes of ``heard`` at this ask (as ``DialogueMachine._heard`` does)."""
    return grammar.read_answer(reader, expected, heard.text, heard.confidence, heard.alternatives,
                               heard.logprob)


def asks_for_one(expected: grammar.ExpectedAnswers | None) -> bool:
    """Whether a second opinion may help at this ask: a closed one other than a number (yes or no, a
    choice). Not an open ask: base heard dates, phone numbers and orders worse than tiny.en on the phone
    corpus's tuning half, and both of its turns tiny.en did not understand there became wrong values taken
    at once; not a number question (:data:`grammar.NUMERIC`): there it made 4 of 272 answers right on the
    phone corpus's tuning half and 1 of 273 held out (and 2 agent requests said there), a wrong value (read
    back) on each half, for 10-16% of a number turn's decoding on average, where the grammar pass alone
    takes most of the 15% the issue allows (BENCHMARKS.md, issue 10, "A second opinion" and "Added CPU per
    turn, eighth round")."""
    return expected is not None and expected.closed and expected.slot_type not in grammar.NUMERIC


def wanted(reader: SlotReader, expected: grammar.ExpectedAnswers | None, heard: Transcript) -> bool:
    """Whether the first model's final transcript ``heard`` needs a second opinion: at a closed ask, with
    words in it, and read as no answer, no clear intent and no expected answer standing in for it (the
    dialogue would ask again). Not a doubtful answer that would be read back: base made 6 of the tuning
    half's 12 such turns wrong values, 2 taken at once."""
    if expected is None or not asks_for_one(expected) or not heard.text.strip():
        return False
    return reading(reader, expected, heard).source == "unmatched"


def prefer(reader: SlotReader, expected: grammar.ExpectedAnswers, first: Transcript,
           second: Transcript) -> Transcript:
    """The second model's transcript where the same rule understands it, else the first's."""
    if second.text.strip() and reading(reader, expected, second).source != "unmatched":
        return second
    return first
