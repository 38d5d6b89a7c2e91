"""Digit strings said one digit at a time or typed: keypad answers, account numbers, phone numbers.

"five five five one two three four", "double five", "oh" as zero, "fifty five" as "55", "555-1234";
Korean "공일공 일이삼사", "010-1234-5678". Digits run on across dashes, spaces and hesitations; any other word
ends a run.
"""

from __future__ import annotations

from dataclasses import dataclass

from voicebot.nlu.homophones import EN_NUMBER_HOMOPHONES, digit_homophone
from voicebot.nlu.normalize import Token, is_hangul, strip_korean_particles, tokenize
from voicebot.nlu.numbers import EN_TEENS, EN_TENS, EN_UNITS, is_korean_particles

_EN_DIGITS = {**{w: str(v) for w, v in EN_UNITS.items()}, "oh": "0", "o": "0", "nought": "0", "nil": "0"}
_EN_REPEAT = {"double": 2, "triple": 3}
_EN_SEPARATORS = frozenset({"dash", "hyphen", "uh", "um", "umm", "er", "erm", "hmm", "ah", "space", "comma"})
_KO_DIGITS = dict(zip("공영빵일이삼사오육륙칠팔구", "0001234566789", strict=True))
_KO_SEPARATORS = frozenset({"다시", "에", "의", "하이픈", "대시", "음", "어", "그", "저", "하고"})
_KEYPAD = {"star": "*", "asterisk": "*", "pound": "#", "hash": "#", "hashtag": "#", "별표": "*", "샵": "#",
           "우물정": "#"}
# Between two digit tokens these characters end a run: times ("9:30") and dates ("3/4") are not digit strings.
_BREAKING_PUNCTUATION = frozenset(":/\n")


@dataclass(frozen=True, slots=True)
class DigitRun:
    """``digits`` (0-9, and * # when keypad symbols are allowed) said at ``source[start:end]``."""

    digits: str
    start: int
    end: int


def _en_digits(tokens: list[Token], i: int) -> tuple[str, int] | None:
    """Digits spelled by tokens[i:], and how many tokens they used."""
    w = tokens[i].text
    nxt = tokens[i + 1].text if i + 1 < len(tokens) else ""
    if w in _EN_REPEAT and nxt in _EN_DIGITS:
        return _EN_DIGITS[nxt] * _EN_REPEAT[w], 2
    if w in _EN_REPEAT and nxt.isdigit() and len(nxt) == 1:
        return nxt * _EN_REPEAT[w], 2
    if w in EN_TEENS:
        return str(EN_TEENS[w]) + ("00" if nxt == "hundred" else ""), 2 if nxt == "hundred" else 1
    if w in EN_TENS:
        if nxt in EN_UNITS and EN_UNITS[nxt] > 0:
            return str(EN_TENS[w] + EN_UNITS[nxt]), 2
        return str(EN_TENS[w]), 1
    if w in _EN_DIGITS:
        if nxt == "hundred":
            return _EN_DIGITS[w] + "00", 2
        if nxt == "thousand":
            return _EN_DIGITS[w] + "000", 2
        return _EN_DIGITS[w], 1
    return None


def _en_homophone(tokens: list[Token], i: int, *, in_run: bool) -> tuple[str, int] | None:
    nxt = tokens[i + 1].text if i + 1 < len(tokens) else ""
    number = digit_homophone(
        tokens[i].text,
        in_run=in_run,
        next_is_digit=nxt[:1].isdigit() or nxt in _EN_DIGITS or nxt in EN_NUMBER_HOMOPHONES,
        at_end=i + 1 == len(tokens),
        first=all(t.text in _EN_SEPARATORS for t in tokens[:i]),
    )
    return None if number is None else (_EN_DIGITS[number], 1)


def _ko_digits(word: str) -> str | None:
    candidates = [word, strip_korean_particles(word)]
    # "오요": the particle stripper keeps one-syllable stems, so also try digit prefixes + endings.
    candidates += [word[:k] for k in range(len(word) - 1, 0, -1) if is_korean_particles(word[k:])]
    for candidate in candidates:
        if candidate and all(ch in _KO_DIGITS for ch in candidate):
            return "".join(_KO_DIGITS[ch] for ch in candidate)
    return None


def digit_runs(text: str, language: str | None, *, keypad: bool = False,
               homophones: bool = False) -> list[DigitRun]:
    """Every run of digits in ``text``; ``language=None`` accepts English and Korean words together.

    ``homophones``: digits were asked for, so "for", "to", "ate" inside a run are digits too.
    """
    tokens = tokenize(text, language or "en")
    runs: list[DigitRun] = []
    digits = ""
    start = end = 0
    i = 0

    def close() -> None:
        nonlocal digits
        if digits:
            runs.append(DigitRun(digits, start, end))
        digits = ""

    while i < len(tokens):
        tok = tokens[i]
        if digits and any(ch in _BREAKING_PUNCTUATION for ch in text[end:tok.start]):
            close()
        said: tuple[str, int] | None = None
        if tok.text[0].isdigit():
            said = ("".join(ch for ch in tok.text if ch.isdigit()), 1)
        elif keypad and tok.text in _KEYPAD:
            said = (_KEYPAD[tok.text], 1)
        elif language != "ko" and not is_hangul(tok.text):
            said = _en_digits(tokens, i)
            if said is None and homophones:
                said = _en_homophone(tokens, i, in_run=bool(digits))
        if said is None and language != "en" and is_hangul(tok.text):
            ko = _ko_digits(tok.text)
            said = (ko, 1) if ko is not None else None
        if said is not None:
            if not digits:
                start = tok.start
            digits += said[0]
            end = tokens[i + said[1] - 1].end
            i += said[1]
            continue
        separators = _KO_SEPARATORS if is_hangul(tok.text) else _EN_SEPARATORS
        if not (digits and tok.text in separators):
            close()
        i += 1
    close()
    return runs


def parse_digits(text: str, language: str, *, homophones: bool = False) -> str | None:
    """The longest digit string said or typed ("one two three four" -> "1234"), with keypad * and #.

    A lone Korean syllable such as "이" counts only when it is the whole answer: in a sentence it is
    usually a word, not a digit.
    """
    runs = digit_runs(text, language, keypad=True, homophones=homophones)
    if not runs:
        return None
    best = max(runs, key=lambda r: (len(r.digits), -r.start))
    lone_syllable = language == "ko" and len(best.digits) == 1 and not text[best.start:best.end].isdigit()
    if lone_syllable and len(tokenize(text, language)) > 1:
        return None
    return best.digits
