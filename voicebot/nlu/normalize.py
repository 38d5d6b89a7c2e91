"""Text clean-up shared by the parsers: lower-case, no punctuation, one space between words.

Speech-to-text output is already lower-case and unpunctuated most of the time; typed chat input is not.
Both go through the same :func:`normalize` so the parsers see one shape of text. :func:`tokenize` keeps
character spans into the caller's original text, for parsers that report where they found something.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Word pieces: digit runs (with an inner decimal point), Hangul runs, Latin/other letter runs with inner
# apostrophes. Splitting digits from Hangul lets "3개" read as "3" + "개".
_HANGUL = "\uac00-\ud7a3\u3131-\u318e"
_TOKEN = re.compile(rf"\d+(?:[.,]\d+)*|[{_HANGUL}]+|[^\W\d_{_HANGUL}]+(?:'[^\W\d_]+)*")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
_NOT_WORD = re.compile(r"[^\w\s'\x00\x01]|_")
_SPACES = re.compile(r"\s+")

# English contractions, with and without the apostrophe (speech-to-text drops it sometimes).
_CONTRACTIONS = {
    "don't": "do not", "dont": "do not", "doesn't": "does not", "doesnt": "does not",
    "didn't": "did not", "didnt": "did not", "isn't": "is not", "isnt": "is not",
    "aren't": "are not", "arent": "are not", "wasn't": "was not", "wasnt": "was not",
    "weren't": "were not", "haven't": "have not", "havent": "have not", "hasn't": "has not",
    "hadn't": "had not", "can't": "can not", "cant": "can not", "cannot": "can not",
    "couldn't": "could not", "couldnt": "could not", "won't": "will not", "wouldn't": "would not",
    "wouldnt": "would not", "shouldn't": "should not", "ain't": "is not",
    "i'm": "i am", "im": "i am", "i've": "i have", "ive": "i have", "i'll": "i will", "i'd": "i would",
    "that's": "that is", "thats": "that is", "it's": "it is", "what's": "what is", "whats": "what is",
    "you're": "you are", "youre": "you are", "let's": "let us", "there's": "there is",
    "he's": "he is", "she's": "she is", "we're": "we are", "they're": "they are",
}

# Korean particles and polite endings, longest first. One-syllable ones are only stripped from words of
# two or more syllables left over, so "이" (two) and "네" (yes) survive.
_KO_LONG_ENDINGS = (
    "이었어요", "였어요", "입니다", "이에요", "예요", "이요", "이랑", "으로", "에서", "까지", "부터",
    "하고", "이나", "에요", "처럼", "마다", "밖에",
)
_KO_SHORT_ENDINGS = tuple("요랑과와은는이가을를도로에만나의")

FILLERS_EN = frozenset({"uh", "um", "umm", "uhm", "er", "erm", "ah", "hmm", "hm", "mm"})
_AFFIRMING_PAIRS = frozenset({("uh", "huh"), ("mm", "hmm"), ("mhm", "hmm"), ("um", "hmm")})
FILLERS_KO = frozenset({"음", "어", "저", "그", "아", "에", "음음", "어어", "저기", "그러니까"})
# Korean reported speech ("...다고 했어요", "...라고 하셨어요"): the caller quotes someone, so what they
# say is neither their own yes nor their own request.
KO_REPORTED_SPEECH = ("고 했", "고 하셨", "고 하더", "고했", "고하셨")


@dataclass(frozen=True, slots=True)
class Token:
    """One word piece: ``text`` is normalised, ``start``/``end`` index the original string."""

    text: str
    start: int
    end: int


def is_hangul(text: str) -> bool:
    """True when every character is a Hangul syllable or jamo."""
    return bool(text) and all("\uac00" <= ch <= "\ud7a3" or "\u3131" <= ch <= "\u318e" for ch in text)


def strip_korean_particles(word: str) -> str:
    """Drop trailing particles and polite endings: "페퍼로니를" -> "페퍼로니", "둘이요" -> "둘"."""
    changed = True
    while changed:
        changed = False
        for ending in _KO_LONG_ENDINGS:
            if word.endswith(ending) and len(word) > len(ending):
                word = word[: -len(ending)]
                changed = True
                break
        else:
            for ending in _KO_SHORT_ENDINGS:
                if word.endswith(ending) and len(word) - len(ending) >= 2:
                    word = word[: -len(ending)]
                    changed = True
                    break
    return word


def normalize(text: str, language: str, *, expand_contractions: bool = False,
              strip_particles: bool = False) -> str:
    """Lower-case, replace punctuation with spaces, collapse spaces.

    Args:
        text: what the caller said or typed.
        language: "en" or "ko".
        expand_contractions: English: "don't" -> "do not", "thats" -> "that is".
        strip_particles: Korean: drop particles and polite endings from every word.
    """
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).lower()
    # Keep a decimal point or a time colon between digits; everything else that is not a word goes.
    text = re.sub(r"(?<=\d)([.:])(?=\d)", lambda m: "\x00" if m.group(1) == "." else "\x01", text)
    text = _NOT_WORD.sub(" ", text)
    text = re.sub(r"(?<!\w)'|'(?!\w)", " ", text).replace("\x00", ".").replace("\x01", ":")
    words = _SPACES.sub(" ", text).strip().split(" ")
    if expand_contractions and language == "en":
        words = [_CONTRACTIONS.get(w, w) for w in words]
    if strip_particles and language == "ko":
        words = [strip_korean_particles(w) if is_hangul(w) else w for w in words]
    return " ".join(w for w in words if w)


def tokenize(text: str, language: str) -> list[Token]:
    """Split ``text`` into normalised word pieces with spans into ``text`` itself."""
    del language  # the same rules serve both languages; kept for a uniform signature
    source = text.translate(_APOSTROPHES)
    tokens: list[Token] = []
    for match in _TOKEN.finditer(source):
        word = unicodedata.normalize("NFKC", match.group()).lower()
        tokens.append(Token(word, match.start(), match.end()))
    return tokens


def words(text: str, language: str) -> list[str]:
    """Normalised words with contractions expanded (EN) and without fillers such as "uh" or "음"."""
    fillers = FILLERS_EN if language == "en" else FILLERS_KO
    ws = normalize(text, language, expand_contractions=True).split()
    kept: list[str] = []
    for i, w in enumerate(ws):
        nxt = ws[i + 1] if i + 1 < len(ws) else ""
        prev = ws[i - 1] if i else ""
        # "uh huh" and "mm hmm" are answers, not hesitations.
        if w not in fillers or (w, nxt) in _AFFIRMING_PAIRS or (prev, w) in _AFFIRMING_PAIRS:
            kept.append(w)
    return kept


def merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Character spans sorted, with overlapping or touching ones joined into one."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
