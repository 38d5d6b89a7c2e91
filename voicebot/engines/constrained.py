"""A request, passed among a transcriber's ``expected`` answers, to decode the turn again with only some
words allowed: the answer of an open ask (a phone number, a pizza order) said in its own words.

The dialogue cannot list every phone number or order as a phrase to score, but it knows the words they
are made of. ``only_words(words)`` is such a request; a transcriber that can (engines/whisper.py) decodes
the turn a second time on the audio it has already encoded with every other token suppressed, and returns
what it heard, best first (its n-best), as more alternatives ``(ONLY + text, log-probability)``, beside
the transcript's own log-probability (``Transcript.logprob``). One that cannot ignores it. The word
:data:`DIGITS` among the words allows numbers written in digits too ("24th", "1990"), as a date is
written.

A request may name a kind of answer (``unless="phone"`` or ``"date"``): the second decode is then only
run when the free transcript does not already read as such an answer (:func:`wanted`), which saves its
CPU on the turns whisper heard whole. Pure string helpers, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

ONLY = "<|only|>"
# Allows every token written in digits, and the ordinal endings "st", "nd", "rd", "th".
DIGITS = "<|digits|>"
ORDINAL_ENDINGS = ("st", "nd", "rd", "th")
_UNLESS = "<|unless:"
UNLESS_KINDS = ("phone", "date")


def only_words(words: Iterable[str], unless: str | None = None) -> str:
    """The request: decode with only these words allowed (a punctuation mark is allowed where listed);
    ``unless``: a kind of :data:`UNLESS_KINDS`, not decoded when the free transcript reads as one."""
    if unless is not None and unless not in UNLESS_KINDS:
        raise ValueError(f"unknown kind of answer {unless!r}: one of {', '.join(UNLESS_KINDS)}")
    head = [f"{_UNLESS}{unless}|>"] if unless else []
    return ONLY + " ".join(dict.fromkeys([*head, *(w.strip() for w in words if w.strip())]))


def usual_phone_length(digits: str, language: str) -> bool:
    """A phone number as long as the country's: North American numbers (English) have 7 or 10 digits, or
    11 with the leading 1. Whisper loses or repeats a digit in a run of equal ones ("five five five"), and
    such a number is one digit short or long."""
    if language == "en":
        return len(digits) in (7, 10) or (len(digits) == 11 and digits.startswith("1"))
    return True


def wanted(words: str, free_text: str, language: str) -> bool:
    """Whether a request (its words, as :func:`split_requests` gives them) needs its decode: not when it
    names a kind of answer and the free transcript already reads as one (a phone number of the usual
    length, a date)."""
    kind = next((w[len(_UNLESS):-2] for w in words.split() if w.startswith(_UNLESS)), None)
    if kind == "phone":
        from voicebot.nlu.phone import parse_phone

        digits = parse_phone(free_text, language, homophones=True)
        return digits is None or not usual_phone_length(digits, language)
    if kind == "date":
        from voicebot.nlu.dates import parse_date

        return parse_date(free_text, language) is None
    return True


def allowed_words(words: str) -> list[str]:
    """The words a request allows (without its :func:`only_words` options)."""
    return [w for w in words.split() if not w.startswith(_UNLESS)]


def split_requests(expected: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the allowed words of each request, the phrases to score) from a transcriber's ``expected``."""
    requests = tuple(e[len(ONLY):] for e in expected if e.startswith(ONLY))
    phrases = tuple(e for e in expected if not e.startswith(ONLY))
    return requests, phrases


def heard_only(alternatives: Sequence[tuple[str, float]]) -> list[tuple[str, float]]:
    """What the restricted decode heard, best first, with log-probabilities, from a transcript's
    alternatives."""
    return [(text[len(ONLY):], logprob) for text, logprob in alternatives if text.startswith(ONLY)]
