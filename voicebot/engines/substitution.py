"""A request, passed among a transcriber's ``expected`` answers, to score the free transcript again with
one of its words replaced by each of some words: a closed answer said in a sentence whose answer word
was misheard ("Maybe a fix." for "maybe a six", "I give you a hand." for "I'd give you a ten").

A grammar cannot list every sentence a caller may wrap a score in, but the caller's own words are in
the transcript. Replacing each word in turn by each answer word, and scoring those sentences on the audio
already encoded, asks the model which answer word fits where the caller said it; the dialogue then reads
the sentences (grammar.py). It is only asked for where the transcript holds none of the answer words
(:func:`variants` is empty otherwise), so turns heard whole cost nothing. Pure string helpers, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

SUBSTITUTE = "<|substitute|>"
# A sentence answer ("I'd give it a nine") is short; a longer transcript is another sentence. Its answer
# word comes first or last ("seven out of ten", "maybe a six"): 11 of the 11 answers this recovered on the
# phone corpus were so, and only those two words are replaced (each costs a scored row per answer word).
MIN_WORDS = 2
MAX_WORDS = 6
# "three out of five": the word after "of" is the scale's end, not the answer; replacing it would make
# "free out of five" read as 5.
_NOT_AFTER = frozenset({"of"})


def substitute_words(words: Iterable[str]) -> str:
    """The request: score the transcript with one word replaced by each of ``words``."""
    return SUBSTITUTE + " ".join(dict.fromkeys(w.strip().lower() for w in words if w.strip()))


def split_substitution(expected: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the words of the substitution request, if any; the other expected answers)."""
    return _split_request(expected, SUBSTITUTE)


def _split_request(expected: Sequence[str], marker: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    words: tuple[str, ...] = ()
    rest = []
    for item in expected:
        if item.startswith(marker):
            words = tuple(item[len(marker):].split())
        else:
            rest.append(item)
    return words, tuple(rest)


def _replaced(tokens: Sequence[str], i: int, word: str) -> str:
    """``tokens`` joined with token ``i``'s word replaced by ``word``, its quotes and punctuation kept."""
    token = tokens[i]
    start = len(token) - len(token.lstrip("\"'("))
    end = len(token.rstrip(".,!?;:\"')…"))
    return " ".join([*tokens[:i], token[:start] + word + token[end:], *tokens[i + 1:]])


def variants(free_text: str, words: Sequence[str]) -> list[str]:
    """The transcript with its first or its last word replaced by each of ``words``; none where the
    transcript is shorter than :data:`MIN_WORDS` or longer than :data:`MAX_WORDS` words, or already holds
    one of ``words`` or a digit (the dialogue reads it as it stands)."""
    tokens = free_text.split()
    if not words or not MIN_WORDS <= len(tokens) <= MAX_WORDS:
        return []
    bare = [bare_word(t) for t in tokens]
    if any(b in words or any(c.isdigit() for c in b) for b in bare):
        return []
    out = []
    for i in dict.fromkeys((0, len(tokens) - 1)):
        if not bare[i] or (i and bare[i - 1] in _NOT_AFTER):
            continue
        for word in words:
            out.append(replaced_as_said(tokens, i, word))
    return out


def heard_substituted(alternatives: Sequence[tuple[str, float]]) -> list[tuple[str, float]]:
    """The substituted sentences with their log-probabilities, from a transcript's alternatives."""
    return [(text[len(SUBSTITUTE):], logprob) for text, logprob in alternatives
            if text.startswith(SUBSTITUTE)]


def replaced_as_said(tokens: Sequence[str], i: int, word: str) -> str:
    """:func:`_replaced` with ``word`` capitalised where token ``i`` is ("Four, how can I?")."""
    token = tokens[i]
    start = len(token) - len(token.lstrip("\"'("))
    return _replaced(tokens, i, word.capitalize() if token[start:start + 1].isupper() else word)


def bare_word(token: str) -> str:
    """A transcript's word as the helpers here compare it: lower case, no punctuation but apostrophes."""
    return "".join(c for c in token.lower() if c.isalnum() or c == "'")


# A second kind of request: score the transcript with a word of a closed set that it holds (a month name)
# replaced by each word of the set, itself included, so that the dialogue can weigh them on the audio
# ("November, 24, 1990." against "December, 24, 1990."). The sentences come back as substituted ones.
SWAP = "<|swap|>"


def swap_words(words: Iterable[str]) -> str:
    """The request: score the transcript with its word of ``words`` replaced by each of them."""
    return SWAP + " ".join(dict.fromkeys(w.strip() for w in words if w.strip()))


def split_swap(expected: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the words of the swap request, if any; the other expected answers)."""
    return _split_request(expected, SWAP)


def swapped(free_text: str, words: Sequence[str]) -> list[str]:
    """The transcript with its one word of ``words`` (matched without case or punctuation) replaced by each
    of them, written as the set writes it; none where it holds no such word or more than one."""
    tokens = free_text.split()
    known = {w.lower(): w for w in words}
    found = [i for i, t in enumerate(tokens) if bare_word(t) in known]
    if len(found) != 1:
        return []
    (i,) = found
    return [_replaced(tokens, i, word) for word in known.values()]
