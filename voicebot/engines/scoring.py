"""Whether a closed ask's expected answers are worth scoring on the audio, given the free transcript.

Scoring the expected answers (engines/whisper.py) is the grammar pass's main cost. The dialogue uses their
scores in two places only (dialogue/grammar.py): the confidence of a transcript that *is* an expected
answer (or, at a number question, a bare word or two), and the stand-in for a short transcript that reads
as no answer. A transcript longer than both (a sentence: "I'd give it a five", "Can I talk to a
person?") is read as it stands, and so is a yes or no said in other words than the scored phrases ("Yeah,
sure.", "No, I haven't."), and so is a number said in three words or more that reads as one of the
answers ("I'd say four.", "Probably the two."): their scores would be thrown away, so they are not computed.
The requests :data:`YES_NO` and :data:`NUMBER`, among the expected answers, say the phrases answer a yes/no
or a number question. Pure helpers, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence

# An expected answer may stand in only for a transcript of at most this many words: a garbled short
# answer ("Bye." for "five"), not a sentence (dialogue/grammar.py).
STAND_IN_WORDS = 3
# A transcript this short that reads as a number is still judged by its meaning's posterior among the scored
# answers ("Second." read as 2 where the audio favours "seven"); a longer one that reads as an answer is taken
# as it stands (dialogue/grammar.py).
BARE_ANSWER_WORDS = 2
YES_NO = "<|yes-no|>"
NUMBER = "<|number|>"
# Sent alone as a transcriber's ``expected`` where the question wants a short answer with nothing to score
# (a confirm, a read-back, "Anything else?": a yes, a no, a closer, now and then a correction): the turn is
# decoded on a closed ask's window (stt.encoder_window_s), not on free text's (stt.free_window_s).
SHORT_ANSWER = "<|short-answer|>"


# A short yes or no that one misheard word turns into the other answer's expected phrase ("Not right." heard
# for "That's right."): that phrase is scored too, labelled CONTESTED + phrase among the alternatives, and
# the dialogue reads the answer back where it is about as likely on the audio (dialogue/grammar.py). One
# row, and only on a transcript that holds such a word: scoring the other answer's phrases on every short
# yes or no cost 13-24% of a yes/no turn. A swap that is no expected phrase ("That's right." -> "Not
# right.") is not scored: eSpeak's right "That's right." was 1.9 nats ahead of it, its wrong "Not right."
# 0.8 ahead of "That's right." (BENCHMARKS.md, issue 10, "Year swap and contested yes/no").
CONTESTED = "<|contested|>"
_FLIPS: dict[str, dict[str, str]] = {"en": {"not": "that's", "that's": "not"}}


def plain(text: str) -> str:
    """Lower case, letters, digits and single spaces: how the grammar compares what was said."""
    return " ".join("".join(c for c in text.lower() if c.isalnum() or c.isspace()).split())


def split_flag(expected: Sequence[str], flag: str) -> tuple[bool, tuple[str, ...]]:
    """(whether the request ``flag``, :data:`YES_NO` or :data:`NUMBER`, is there, the other expected
    answers)."""
    return flag in expected, tuple(e for e in expected if e != flag)


def worth_scoring(free_text: str, phrases: Sequence[str], language: str, *, yes_no: bool = False,
                  number: bool = False) -> bool:
    """Whether the scores of ``phrases`` can change what the dialogue makes of ``free_text``: where the
    transcript is one of them, or is no longer than :data:`STAND_IN_WORDS` words (or the longest phrase)
    and, at a yes/no question, reads as no yes or no, and at a number question, when longer than
    :data:`BARE_ANSWER_WORDS` words, as none of the numbers the phrases say."""
    if not phrases:
        return False
    said = plain(free_text)
    if said in {plain(p) for p in phrases}:
        return True
    if yes_no:
        from voicebot.nlu.yesno import parse_yes_no

        if parse_yes_no(free_text, language) is not None:
            return False
    if number and len(said.split()) > BARE_ANSWER_WORDS:
        from voicebot.nlu.numbers import parse_number

        # The number reader the dialogue uses (understanding.SlotReader.read, no homophones: "I'd say for."
        # still needs its scores); a number out of the question's range is no answer, and is scored.
        answers = {parse_number(p, language) for p in phrases} - {None}
        if parse_number(free_text, language) in answers:
            return False
    longest = max(len(plain(p).split()) for p in phrases)
    return len(said.split()) <= max(STAND_IN_WORDS, longest)


def contested(free_text: str, phrases: Sequence[str], language: str) -> list[str]:
    """``free_text`` with its one meaning-flipping word swapped (:data:`_FLIPS`), where it is a yes or a no
    of at most :data:`STAND_IN_WORDS` words and the swapped sentence is one of ``phrases`` (the expected
    answers) and reads as the other answer; else none."""
    from voicebot.engines.substitution import bare_word, replaced_as_said
    from voicebot.nlu.yesno import parse_yes_no

    flips = _FLIPS.get(language, {})
    tokens = free_text.split()
    found = [i for i, token in enumerate(tokens) if bare_word(token) in flips]
    if not flips or len(tokens) > STAND_IN_WORDS or len(found) != 1:
        return []
    heard = parse_yes_no(free_text, language)
    if heard is None:
        return []
    (i,) = found
    swapped = replaced_as_said(tokens, i, flips[bare_word(tokens[i])])
    listed = plain(swapped) in {plain(p) for p in phrases}
    return [swapped] if listed and parse_yes_no(swapped, language) is (not heard) else []
