"""Text preparation for speech synthesis: sentence splitting and light normalisation.

Synthesizers speak one sentence at a time so the first audio leaves sooner; these functions decide
where a sentence ends. Pure functions, no I/O.
"""

from __future__ import annotations

import re

# A sentence ends at ., !, ?, … followed by space or the end (so "3.50" and "1,000" stay whole), or at
# full-width terminators, which need no space. Closing quotes and brackets stay with their sentence.
_BOUNDARY = re.compile(r"(?:[.!?…]+[\"'”’)\]]*(?=\s|$)|[。！？]+[\"'”’)\]]*)")
# Commas that may cut a long sentence: followed by space (never "1,000"), or full-width ones.
_COMMA = re.compile(r"(?:[,;](?=\s)|[，、；])")
_WORD = re.compile(r"\w")
_SPACE = re.compile(r"\s+")
_PARAGRAPH = re.compile(r"\n\s*\n")

# English abbreviations after which a period never ends a sentence: they come before a name or a number.
_ALWAYS_JOINED = frozenset({
    "mr.", "mrs.", "ms.", "dr.", "prof.", "st.", "mt.", "jr.", "sr.", "vs.", "e.g.", "i.e.",
    "approx.", "apt.", "dept.", "fig.", "ref.", "tel.", "ave.", "blvd.", "rd.",
})
# Abbreviations that often end a sentence too: end it only when a capital letter follows.
_JOINED_UNLESS_CAPITAL = frozenset({"a.m.", "p.m.", "etc.", "inc.", "ltd.", "co.", "corp."})
_INITIALS = re.compile(r"^(?:[A-Za-z]\.)+$")

DEFAULT_LONG_SENTENCE_CHARS = 120
DEFAULT_MIN_PIECE_CHARS = 30


def _primary_language(language: str) -> str:
    return language.replace("_", "-").split("-")[0].lower()


def _token_before(text: str, end: int) -> str:
    start = end
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return text[start:end].lstrip("\"'“‘([")


def _next_char(text: str, pos: int) -> str:
    rest = text[pos:].lstrip()
    return rest[:1]


def _is_real_boundary(text: str, match: re.Match[str], english: bool) -> bool:
    if match.group() != "." or not english:
        return True
    token = _token_before(text, match.end()).lower()
    if token in _ALWAYS_JOINED:
        return False
    following = _next_char(text, match.end())
    if token == "no.":
        # "No. 5" is a number; "no." is also the commonest answer a caller gives.
        return not following.isdigit()
    if len(token) == 2 and token[0].isalpha():
        return False  # an initial, as in "J. Smith"
    if token in _JOINED_UNLESS_CAPITAL or _INITIALS.match(token):
        return following.isupper()
    return True


def _split_long(sentence: str, long_sentence_chars: int, min_piece_chars: int) -> list[str]:
    if len(sentence) <= long_sentence_chars:
        return [sentence]
    pieces: list[str] = []
    start = 0
    for comma in _COMMA.finditer(sentence):
        cut = comma.end()
        piece = sentence[start:cut].strip()
        rest = sentence[cut:].strip()
        if len(piece) >= min_piece_chars and len(rest) >= min_piece_chars:
            pieces.append(piece)
            start = cut
    pieces.append(sentence[start:].strip())
    return pieces


def split_sentences(text: str, language: str = "en", *,
                    long_sentence_chars: int = DEFAULT_LONG_SENTENCE_CHARS,
                    min_piece_chars: int = DEFAULT_MIN_PIECE_CHARS) -> list[str]:
    """Splits text into the sentences a synthesizer should speak one by one.

    Handles English and Korean punctuation, keeps decimals ("3.50") and English abbreviations
    ("Mr.", "e.g.") inside their sentence, treats a blank line as a boundary, and cuts a sentence
    longer than ``long_sentence_chars`` at commas into pieces of at least ``min_piece_chars``.
    Pieces without any letter or digit are dropped.
    """
    english = _primary_language(language) == "en"
    sentences: list[str] = []
    for paragraph in _PARAGRAPH.split(text):
        flat = _SPACE.sub(" ", paragraph).strip()
        start = 0
        for match in _BOUNDARY.finditer(flat):
            if _is_real_boundary(flat, match, english):
                sentences.append(flat[start:match.end()].strip())
                start = match.end()
        sentences.append(flat[start:].strip())
    result: list[str] = []
    for sentence in sentences:
        if _WORD.search(sentence):
            result.extend(_split_long(sentence, long_sentence_chars, min_piece_chars))
    return result


_ABBREVIATION_PERIOD = re.compile(r"\b(Mr|Mrs|Ms|Dr|Prof|Jr|Sr|No|vs|approx|Apt|apt|Dept|Tel)\.(?=\s)")
_DOLLARS = re.compile(r"\$(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{2}))?\b")


def _dollars_words(match: re.Match[str]) -> str:
    dollars = match.group(1).replace(",", "")
    cents = match.group(2)
    unit = "dollar" if dollars == "1" else "dollars"
    if cents is None or cents == "00":
        return f"{dollars} {unit}"
    cents_value = int(cents)
    cent_unit = "cent" if cents_value == 1 else "cents"
    return f"{dollars} {unit} and {cents_value} {cent_unit}"


def normalize_for_speech(sentence: str, language: str = "en") -> str:
    """Rewrites what a phonemizer reads badly: "$42.50" -> "42 dollars and 50 cents", and drops the
    period of "Mr." and similar so the phonemizer does not pause there as if a sentence ended."""
    if _primary_language(language) != "en":
        return sentence
    sentence = _DOLLARS.sub(_dollars_words, sentence)
    return _ABBREVIATION_PERIOD.sub(r"\1", sentence)
