"""Find fixed phrases in a list of words, longest first, without overlaps.

Korean speech-to-text spaces words unevenly ("안 했어요" / "안했어요"), so for Korean a phrase matches any
run of words whose concatenation equals the phrase with its spaces removed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

_MAX_WORDS = 8  # the longest listed phrase has 7 words: "i did not feel a bit pressured"


@dataclass(frozen=True, slots=True)
class PhraseHit(Generic[T]):
    """``phrase`` (as listed) found at words[start:end], carrying the caller's ``label``."""

    phrase: str
    label: T
    start: int
    end: int


def _key(words: Sequence[str], language: str) -> str:
    return "".join(words) if language == "ko" else " ".join(words)


def find_phrases(words: Sequence[str], phrases: Mapping[str, T], language: str) -> list[PhraseHit[T]]:
    """Scan left to right; at each word take the longest listed phrase that starts there."""
    table: dict[str, tuple[str, T]] = {}
    for phrase, label in phrases.items():
        table.setdefault(phrase.replace(" ", "") if language == "ko" else phrase, (phrase, label))
    hits: list[PhraseHit[T]] = []
    i = 0
    while i < len(words):
        for j in range(min(len(words), i + _MAX_WORDS), i, -1):
            found = table.get(_key(words[i:j], language))
            if found is not None:
                hits.append(PhraseHit(found[0], found[1], i, j))
                i = j
                break
        else:
            i += 1
    return hits
