"""A request, passed among a transcriber's ``expected`` answers, to decode the turn again with only some
words allowed: the answer of an open ask (a phone number, a pizza order) said in its own words.

The dialogue cannot list every phone number or order as a phrase to score, but it knows the words they
are made of. ``only_words(words)`` is such a request; a transcriber that can (engines/whisper.py) decodes
the turn a second time on the audio it has already encoded with every other token suppressed, and returns
what it heard, best first (its n-best), as more alternatives ``(ONLY + text, log-probability)``, beside
the transcript's own log-probability (``Transcript.logprob``). One that cannot ignores it. Pure string
helpers, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

ONLY = "<|only|>"


def only_words(words: Iterable[str]) -> str:
    """The request: decode with only these words allowed (a punctuation mark is allowed where listed)."""
    return ONLY + " ".join(dict.fromkeys(w.strip() for w in words if w.strip()))


def split_requests(expected: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the allowed words of each request, the phrases to score) from a transcriber's ``expected``."""
    requests = tuple(e[len(ONLY):] for e in expected if e.startswith(ONLY))
    phrases = tuple(e for e in expected if not e.startswith(ONLY))
    return requests, phrases


def heard_only(alternatives: Sequence[tuple[str, float]]) -> list[tuple[str, float]]:
    """What the restricted decode heard, best first, with log-probabilities, from a transcript's
    alternatives."""
    return [(text[len(ONLY):], logprob) for text, logprob in alternatives if text.startswith(ONLY)]
