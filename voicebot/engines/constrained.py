"""A request, passed among a transcriber's ``expected`` answers, to decode the turn again with only some
words allowed: the answer of an open ask (a phone number, a pizza order) said in its own words.

The dialogue cannot list every phone number or order as a phrase to score, but it knows the words they
are made of. ``only_words(words)`` is such a request; a transcriber that can (engines/whisper.py) decodes
the turn a second time on the audio it has already encoded with every other token suppressed, and returns
what it heard, best first (its n-best), as more alternatives ``(ONLY + text, log-probability)``, beside
the transcript's own log-probability (``Transcript.logprob``). One that cannot ignores it. The word
:data:`DIGITS` among the words allows numbers written in digits too ("24th", "1990"), as a date is
written.

A request may ask for a short encoder window (``short=True``): the turn is then encoded over 10 s padded
with silence instead of whisper's whole 30 s window (engines/whisper.py ``OPEN_ASK_WINDOW_S``), for the
asks whose answers were measured to be heard as well that way (an order; not a phone number or a date).

A request may name a kind of answer (``unless="date"``): the second decode is then only run when the
free transcript does not already read as such an answer (:func:`wanted`), which saves its CPU on the
turns whisper heard whole. No request is decoded where the free transcript is a global intent or a
closer ("can I speak to someone", "that's all"): the dialogue keeps such a transcript as heard whatever
the restricted decode says (dialogue/grammar_open.py, its first rule), by the same two readers
(``nlu.intents.detect_global_intent``, ``nlu.closer.is_closer``). Pure string helpers, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

ONLY = "<|only|>"
# Allows every token written in digits, and the ordinal endings "st", "nd", "rd", "th".
DIGITS = "<|digits|>"
ORDINAL_ENDINGS = ("st", "nd", "rd", "th")
_UNLESS = "<|unless:"
_SHORT = "<|short|>"
# Not "phone": a free transcript of the usual length was wrong where the restricted decode was right in 2
# of 12 such clean answers ("555-1199" for "five five five, oh one nine nine"; BENCHMARKS.md, issue 10).
UNLESS_KINDS = ("date",)


def only_words(words: Iterable[str], unless: str | None = None, *, short: bool = False) -> str:
    """The request: decode with only these words allowed (a punctuation mark is allowed where listed);
    ``unless``: a kind of :data:`UNLESS_KINDS`, not decoded when the free transcript reads as one;
    ``short``: the turn may be encoded over the short window (module docstring)."""
    if unless is not None and unless not in UNLESS_KINDS:
        raise ValueError(f"unknown kind of answer {unless!r}: one of {', '.join(UNLESS_KINDS)}")
    head = [f"{_UNLESS}{unless}|>"] if unless else []
    head += [_SHORT] if short else []
    return ONLY + " ".join(dict.fromkeys([*head, *(w.strip() for w in words if w.strip())]))


def wanted(words: str, free_text: str, language: str) -> bool:
    """Whether a request (its words, as :func:`split_requests` gives them) needs its decode: not when the
    free transcript is a global intent or a closer, which the dialogue keeps as heard, nor when the request
    names a kind of answer and the free transcript already reads as one (a date)."""
    from voicebot.nlu.closer import is_closer
    from voicebot.nlu.intents import detect_global_intent

    if detect_global_intent(free_text, language) is not None or is_closer(free_text, language):
        return False
    kind = next((w[len(_UNLESS):-2] for w in words.split() if w.startswith(_UNLESS)), None)
    if kind == "date":
        from voicebot.nlu.dates import parse_date

        return parse_date(free_text, language) is None
    return True


def short_window(words: str) -> bool:
    """Whether a request (its words, as :func:`split_requests` gives them) asks for the short window."""
    return _SHORT in words.split()


def allowed_words(words: str) -> list[str]:
    """The words a request allows (without its :func:`only_words` options)."""
    return [w for w in words.split() if not w.startswith(_UNLESS) and w != _SHORT]


def split_requests(expected: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the allowed words of each request, the phrases to score) from a transcriber's ``expected``."""
    requests = tuple(e[len(ONLY):] for e in expected if e.startswith(ONLY))
    phrases = tuple(e for e in expected if not e.startswith(ONLY))
    return requests, phrases


def heard_only(alternatives: Sequence[tuple[str, float]]) -> list[tuple[str, float]]:
    """What the restricted decode heard, best first, with log-probabilities, from a transcript's
    alternatives."""
    return [(text[len(ONLY):], logprob) for text, logprob in alternatives if text.startswith(ONLY)]
