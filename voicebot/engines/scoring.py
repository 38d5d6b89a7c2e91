"""Whether a closed ask's expected answers are worth scoring on the audio, given the free transcript.

Scoring the expected answers (engines/whisper.py) is the grammar pass's main cost. The dialogue uses their
scores in two places only (dialogue/grammar.py): the confidence of a transcript that *is* an expected
answer (or, at a number question, a bare word or two), and the stand-in for a short transcript that reads
as no answer. A transcript longer than both (a sentence: "I'd give it a five", "Can I talk to a
person?") is read as it stands, and so is a yes or no said in other words than the scored phrases ("Yeah,
sure.", "No, I haven't."): their scores would be thrown away, so they are not computed. The request
:data:`YES_NO`, among the expected answers, says the phrases answer a yes/no question. Pure helpers, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence

# An expected answer may stand in only for a transcript of at most this many words: a garbled short
# answer ("Bye." for "five"), not a sentence (dialogue/grammar.py).
STAND_IN_WORDS = 3
YES_NO = "<|yes-no|>"
# Sent alone as a transcriber's ``expected`` where the question wants a short answer with nothing to score
# (a confirm, a read-back, "Anything else?": a yes, a no, a closer, now and then a correction): the turn is
# decoded on a closed ask's window (stt.encoder_window_s), not on free text's (stt.free_window_s).
SHORT_ANSWER = "<|short-answer|>"


def plain(text: str) -> str:
    """Lower case, letters, digits and single spaces: how the grammar compares what was said."""
    return " ".join("".join(c for c in text.lower() if c.isalnum() or c.isspace()).split())


def split_yes_no(expected: Sequence[str]) -> tuple[bool, tuple[str, ...]]:
    """(whether the request :data:`YES_NO` is there, the other expected answers)."""
    return YES_NO in expected, tuple(e for e in expected if e != YES_NO)


def worth_scoring(free_text: str, phrases: Sequence[str], language: str, *, yes_no: bool = False) -> bool:
    """Whether the scores of ``phrases`` can change what the dialogue makes of ``free_text``: where the
    transcript is one of them, or is no longer than :data:`STAND_IN_WORDS` words (or the longest phrase)
    and, at a yes/no question, reads as no yes or no."""
    if not phrases:
        return False
    said = plain(free_text)
    if said in {plain(p) for p in phrases}:
        return True
    if yes_no:
        from voicebot.nlu.yesno import parse_yes_no

        if parse_yes_no(free_text, language) is not None:
            return False
    longest = max(len(plain(p).split()) for p in phrases)
    return len(said.split()) <= max(STAND_IN_WORDS, longest)
