"""Numbers in caller speech: English words and digits, Korean sino-Korean, native Korean and counters.

``text2num``'s ``alpha2digit`` was tried first; it leaves lone small numbers unconverted ("two large
pepperoni" stays as is) and gives no character spans, so the English parser here is a small hand-written
one. Korean has no library; its parser is below too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from voicebot.nlu.normalize import Token, is_hangul, tokenize

Number = int | float

# ---- English ----

EN_UNITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9}
EN_TEENS = {"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
            "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
           "seventy": 70, "eighty": 80, "ninety": 90}
EN_SCALES = {"thousand": 1000, "million": 1_000_000}
_EN_ZEROS = frozenset({"nought", "naught", "nil"})  # British zero, as a score: "nought", "nil"
EN_ORDINAL_UNITS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
                    "seventh": 7, "eighth": 8, "ninth": 9}
EN_ORDINAL_TEENS = {"tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
                    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19}
EN_ORDINAL_TENS = {"twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50, "sixtieth": 60,
                   "seventieth": 70, "eightieth": 80, "ninetieth": 90}
_ORDINAL_SUFFIXES = frozenset({"st", "nd", "rd", "th"})
# "one" after these is a pronoun ("no one", "that one"), not a count.
_ONE_AS_PRONOUN_AFTER = frozenset({"no", "the", "that", "this", "which", "any", "each", "every", "another",
                                   "other", "last", "next", "same", "right", "wrong", "little", "big",
                                   "good", "new", "only", "someone"})
_ARTICLES = frozenset({"a", "an"})
# "one moment please", "wait a second", "one sec": asking to hold on, not a number (a score of 1 or 2).
_HOLD_UNITS = frozenset({"second", "sec", "moment", "minute", "min"})

# ---- Korean ----

KO_SINO_DIGITS = {"영": 0, "공": 0, "일": 1, "이": 2, "삼": 3, "사": 4, "오": 5, "육": 6, "륙": 6, "칠": 7,
                  "팔": 8, "구": 9}
KO_SINO_SMALL = {"십": 10, "백": 100, "천": 1000}
KO_SINO_BIG = {"만": 10_000, "억": 100_000_000}
KO_NATIVE_UNITS = {"하나": 1, "한": 1, "둘": 2, "두": 2, "셋": 3, "세": 3, "석": 3, "넷": 4, "네": 4, "넉": 4,
                   "다섯": 5, "여섯": 6, "일곱": 7, "여덟": 8, "여덜": 8, "아홉": 9}
KO_NATIVE_TENS = {"열": 10, "스물": 20, "스무": 20, "서른": 30, "마흔": 40, "쉰": 50, "예순": 60, "일흔": 70,
                  "여든": 80, "아흔": 90}
# One-syllable forms that only mean a number before a counter ("네" alone is "yes", "한" starts "한국").
_KO_PRENOMINAL = frozenset({"한", "두", "세", "네", "석", "넉"})
# Everyday words that read as number + counter: "이번" (this time), "만점" (full marks).
_KO_NOT_NUMBERS = ("이번", "이분", "이쪽", "이곳", "이대로", "만점", "이년아")
# After a number, asking to hold on or to hear it again: "일 분만 기다려 주세요", "일 초만요" (just a
# minute / second), "한 번만 더 말해 주세요", "한 번 더요" (once more). No score of 1 in them.
_KO_NOT_A_COUNT_AFTER = ("분만", "초만", "번만", "번 더", "번더")
KO_COUNTERS = (
    "개월", "인분", "번째", "마리", "그릇", "가지", "세트", "박스", "사람", "시간", "퍼센트", "살", "개",
    "판", "명", "잔", "병", "장", "권", "대", "번", "분", "시", "초", "년", "월", "일", "원", "층", "호",
    "점", "캔", "통", "쪽", "주", "곳", "건", "켤레", "벌", "송이", "조각",
)
KO_PARTICLES = ("이요", "이랑", "하고", "이나", "입니다", "이에요", "예요", "에요", "으로", "정도", "짜리",
                *"요랑과와은는이가을를도만에로쯤씩")


@dataclass(frozen=True, slots=True)
class NumberMatch:
    """A number found in text: its value and where it was said (``text`` is ``source[start:end]``)."""

    value: Number
    start: int
    end: int
    text: str
    ordinal: bool = False


def _clean(value: float) -> Number:
    return int(value) if float(value).is_integer() else value


def parse_digit_token(word: str) -> Number | None:
    """ "25" -> 25, "2.5" -> 2.5, "1,000" -> 1000; anything else -> None."""
    if "," in word:
        head, *groups = word.split(",")
        if not (1 <= len(head) <= 3 and all(len(g) == 3 for g in groups)):
            return None
        word = word.replace(",", "")
    try:
        return _clean(float(word)) if "." in word else int(word)
    except ValueError:
        return None


# ---------------------------------------------------------------- English


def _en_word_number(tokens: Sequence[Token], i: int) -> tuple[Number, int, bool] | None:
    """Parse a spelled-out English number starting at ``tokens[i]``.

    Returns (value, index after the number, ordinal) or None. Unit after unit ("five five") ends the number,
    so digit-by-digit strings come out as separate numbers.
    """
    if tokens[i].text in _EN_ZEROS:  # "nought" alone: nothing is built on it ("nought five" is two numbers)
        return 0, i + 1, False
    total = 0
    current = 0
    last: str | None = None  # unit, teen, tens, hundred, scale, and
    j = i
    n = len(tokens)
    while j < n:
        w = tokens[j].text
        if w in EN_UNITS and last in (None, "tens", "hundred", "scale", "and"):
            if last == "tens" and current % 10:
                break
            current += EN_UNITS[w]
            last = "unit"
        elif w in EN_TEENS and last in (None, "hundred", "scale", "and"):
            current += EN_TEENS[w]
            last = "teen"
        elif w in EN_TENS and last in (None, "hundred", "scale", "and"):
            current += EN_TENS[w]
            last = "tens"
        elif w == "hundred" and last in ("unit", "teen", "tens") and current % 100 == current:
            current *= 100
            last = "hundred"
        elif w in EN_SCALES and last in ("unit", "teen", "tens", "hundred") and EN_SCALES[w] > max(total, 1):
            total += current * EN_SCALES[w]
            current = 0
            last = "scale"
        elif (w == "and" and last in ("hundred", "scale") and j + 1 < n
              and tokens[j + 1].text in EN_UNITS.keys() | EN_TEENS.keys() | EN_TENS.keys()):
            last = "and"
        elif (w in EN_ORDINAL_UNITS and last in (None, "tens", "hundred", "scale", "and")
              and not (last == "tens" and current % 10)):
            return total + current + EN_ORDINAL_UNITS[w], j + 1, True
        elif w in EN_ORDINAL_TEENS and last in (None, "hundred", "scale", "and"):
            return total + current + EN_ORDINAL_TEENS[w], j + 1, True
        elif w in EN_ORDINAL_TENS and last in (None, "hundred", "scale", "and"):
            return total + current + EN_ORDINAL_TENS[w], j + 1, True
        elif (w == "point" and last in ("unit", "teen", "tens")
              and j + 1 < n and tokens[j + 1].text in EN_UNITS):
            k = j + 1
            decimals = ""
            while k < n and tokens[k].text in EN_UNITS:
                decimals += str(EN_UNITS[tokens[k].text])
                k += 1
            return _clean(float(f"{total + current}.{decimals}")), k, False
        else:
            break
        j += 1
    if last is None:
        return None
    if last == "and":  # never end on "and"
        j -= 1
    return total + current, j, False


def _find_numbers_en(text: str, tokens: Sequence[Token]) -> list[NumberMatch]:
    found: list[NumberMatch] = []
    i = 0
    n = len(tokens)
    while i < n:
        w = tokens[i].text
        prev = tokens[i - 1].text if i else ""
        nxt = tokens[i + 1].text if i + 1 < n else ""
        value: Number | None = None
        end_i = i + 1
        ordinal = False
        if w[0].isdigit():
            value = parse_digit_token(w)
            if value is not None and nxt in _ORDINAL_SUFFIXES and tokens[i + 1].start == tokens[i].end:
                ordinal, end_i = True, i + 2
            elif value is not None and nxt in ("hundred", *EN_SCALES) and isinstance(value, int):
                value *= 100 if nxt == "hundred" else EN_SCALES[nxt]
                end_i = i + 2
        elif w in _ARTICLES and nxt == "couple":
            value, end_i = 2, i + 3 if i + 2 < n and tokens[i + 2].text == "of" else i + 2
        elif w == "couple" and nxt == "of":
            value, end_i = 2, i + 2
        elif w in _ARTICLES and nxt == "pair" and i + 2 < n and tokens[i + 2].text == "of":
            value, end_i = 2, i + 3
        elif w in _ARTICLES and nxt == "dozen":
            value, end_i = 12, i + 2
        elif w == "half" and nxt in _ARTICLES and i + 2 < n and tokens[i + 2].text == "dozen":
            value, end_i = 6, i + 3
        elif w == "dozen" and prev not in _ARTICLES and prev != "half":
            value = 12
        elif w in _ARTICLES and nxt in ("hundred", *EN_SCALES):
            parsed = _en_word_number([Token("one", 0, 0), *tokens[i + 1:]], 0)
            if parsed is not None:
                value, end_i, ordinal = parsed[0], i + parsed[1], parsed[2]
        else:
            parsed = _en_word_number(tokens, i)
            if parsed is not None:
                value, end_i, ordinal = parsed
                lone_one = w == "one" and end_i == i + 1
                pronoun = lone_one and (prev in _ONE_AS_PRONOUN_AFTER or nxt == "another")
                if pronoun or (w == "second" and prev in _ARTICLES):  # "wait a second", "a second pizza"
                    value = None
        if (value is not None and not ordinal and isinstance(value, int)
                and [t.text for t in tokens[end_i:end_i + 3]] == ["and", "a", "half"]):
            value, end_i = value + 0.5, end_i + 3  # "three and a half": no whole score of three
        if value == 1 and end_i == i + 1 and nxt in _HOLD_UNITS:
            i += 2  # "one second", "1 minute": the unit is no number either
            continue
        if value is None:
            i += 1
            continue
        start, end = tokens[i].start, tokens[end_i - 1].end
        found.append(NumberMatch(value, start, end, text[start:end], ordinal))
        i = end_i
    return found


# ---------------------------------------------------------------- Korean


def parse_sino_korean(word: str) -> int | None:
    """Whole-word sino-Korean number: "이십오" -> 25, "천구백팔십오" -> 1985, "삼" -> 3; else None."""
    if not word:
        return None
    total = 0
    section = 0
    digit: int | None = None
    last_small = 10_000
    last_big = 10**12
    for ch in word:
        if ch in KO_SINO_DIGITS:
            if digit is not None:
                return None  # two digits in a row is a digit string, not one number
            digit = KO_SINO_DIGITS[ch]
        elif ch in KO_SINO_SMALL:
            unit = KO_SINO_SMALL[ch]
            if unit >= last_small or digit == 0:
                return None
            section += (1 if digit is None else digit) * unit
            last_small = unit
            digit = None
        elif ch in KO_SINO_BIG:
            unit = KO_SINO_BIG[ch]
            if unit >= last_big:
                return None
            section += digit or 0
            total += (section or 1) * unit
            section, digit, last_small, last_big = 0, None, 10_000, unit
        else:
            return None
    if digit == 0 and (total or section):
        return None
    return total + section + (digit or 0)


def _sino_prefix(word: str) -> tuple[int, int] | None:
    """Longest prefix of ``word`` that is a sino-Korean number: (value, length)."""
    for length in range(len(word), 0, -1):
        value = parse_sino_korean(word[:length])
        if value is not None:
            return value, length
    return None


def native_korean_prefix(word: str) -> tuple[int, int, bool] | None:
    """Longest native-Korean number prefix: (value, length, needs_counter): "열두개" -> (12, 2, False)."""
    tens = 0
    pos = 0
    for name, value in KO_NATIVE_TENS.items():
        if word.startswith(name):
            tens, pos = value, len(name)
            break
    for name in sorted(KO_NATIVE_UNITS, key=len, reverse=True):
        if word.startswith(name, pos):
            needs_counter = tens == 0 and name in _KO_PRENOMINAL
            return tens + KO_NATIVE_UNITS[name], pos + len(name), needs_counter
    if tens:
        return tens, pos, False
    return None


def is_korean_counter(rest: str) -> bool:
    """True for a counter with optional particles: "판", "개요", "판이랑"."""
    return any(rest.startswith(c) and is_korean_particles(rest[len(c):]) for c in KO_COUNTERS)


def is_korean_particles(rest: str) -> bool:
    """True when ``rest`` is only particles or polite endings ("이요", "랑", "" too)."""
    while rest:
        for particle in sorted(KO_PARTICLES, key=len, reverse=True):
            if rest.startswith(particle):
                rest = rest[len(particle):]
                break
        else:
            return False
    return True


def _ko_token_number(tokens: Sequence[Token], i: int, alone: bool) -> tuple[int, int] | None:
    """A number at the start of Hangul token ``i``: (value, length in characters) or None."""
    word = tokens[i].text
    if word.startswith(_KO_NOT_NUMBERS):
        return None
    next_word = tokens[i + 1].text if i + 1 < len(tokens) else ""
    counter_next = next_word != "" and is_hangul(next_word) and is_korean_counter(next_word)
    best: tuple[int, int] | None = None
    native = native_korean_prefix(word)
    if native is not None:
        value, length, needs_counter = native
        rest = word[length:]
        bare = rest == "" or is_korean_particles(rest)
        if is_korean_counter(rest) or (rest == "" and counter_next) or (not needs_counter and bare):
            best = (value, length)
    sino = _sino_prefix(word)
    if sino is not None and (best is None or sino[1] > best[1]):
        value, length = sino
        rest = word[length:]
        bare = rest == "" or is_korean_particles(rest)
        if is_korean_counter(rest) or (rest == "" and (counter_next or alone)) or (length >= 2 and bare):
            best = (value, length)
    return best


def _find_numbers_ko(text: str, tokens: Sequence[Token]) -> list[NumberMatch]:
    found: list[NumberMatch] = []
    alone = len(tokens) == 1
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if tok.text[0].isdigit():
            value = parse_digit_token(tok.text)
            end = tok.end
            step = 1
            if value is not None and nxt is not None and nxt.start == tok.end and isinstance(value, int):
                for name, unit in (*KO_SINO_BIG.items(), *KO_SINO_SMALL.items()):
                    if nxt.text.startswith(name):
                        value, end, step = value * unit, nxt.start + len(name), 2
                        break
            if value is not None and not text[end:].lstrip().startswith(_KO_NOT_A_COUNT_AFTER):
                found.append(NumberMatch(value, tok.start, end, text[tok.start:end]))
            i += step
            continue
        parsed = _ko_token_number(tokens, i, alone) if is_hangul(tok.text) else None
        if parsed is None:
            i += 1
            continue
        value, length = parsed
        start, end = tok.start, tok.start + length
        # "스물 다섯", "열 두 개", "이십 오": a spaced compound is one number.
        if nxt is not None and length == len(tok.text) and is_hangul(nxt.text):
            follow = _ko_token_number(tokens, i + 1, True)  # "이십 오": a bare digit after a tens word
            if follow is not None:
                f_value, f_length = follow
                native_pair = (tok.text in KO_NATIVE_TENS and f_value < 10
                               and nxt.text[:f_length] in KO_NATIVE_UNITS)
                sino_pair = (tok.text[-1] in KO_SINO_SMALL and f_value < KO_SINO_SMALL[tok.text[-1]]
                             and parse_sino_korean(nxt.text[:f_length]) is not None)
                if native_pair or sino_pair:
                    value += f_value
                    end = nxt.start + f_length
                    i += 1
        if not text[end:].lstrip().startswith(_KO_NOT_A_COUNT_AFTER):
            found.append(NumberMatch(value, start, end, text[start:end]))
        i += 1
    return found


# ---------------------------------------------------------------- public


def find_numbers(text: str, language: str) -> list[NumberMatch]:
    """Every number said in ``text``, in order, with character spans into ``text``.

    Digit-by-digit speech ("five five five") gives one match per digit; ordinals ("third", "3rd") are
    included with ``ordinal=True``. A bare article ("a pizza") is not a number.
    """
    tokens = tokenize(text, language)
    if language == "ko":
        return _find_numbers_ko(text, tokens)
    return _find_numbers_en(text, tokens)


def parse_number(text: str, language: str) -> Number | None:
    """The one number the caller meant, or None when there is none or several disagree.

    "twenty five" -> 25, "a couple of" -> 2, "이십오" -> 25, "세 개" -> 3. "four out of five" -> 4.
    Ordinals count ("the third" -> 3). Two different numbers ("two or three") -> None, so the dialogue asks
    again instead of guessing.
    """
    matches = find_numbers(text, language)
    if not matches:
        return None
    values = {m.value for m in matches}
    if len(values) == 1:
        return matches[0].value
    if len(matches) == 2:
        between = text[matches[0].end:matches[1].start].lower()
        if " out of " in f" {between} ":
            return matches[0].value  # "four out of five"
        if "만점에" in between:
            return matches[1].value  # "5점 만점에 4점"
        if corrects_itself(between):
            return matches[1].value  # "two, no wait, three"
    return None


# Words a caller puts between a value and the one meant instead: "two, no wait, three", "three, sorry, I
# mean four", "야채 아니 페퍼로니". At least one of _CORRECTING must be said; "two or three" stays two.
_CORRECTING = frozenset({"no", "sorry", "mean", "meant", "actually", "wait", "rather", "make", "아니",
                         "아니요", "아니오", "말고"})
_AROUND_CORRECTION = _CORRECTING | frozenset({"i", "or", "that", "it", "um", "uh", "oh", "hold", "on", "a",
                                              "an", "the", "아", "어", "음"})


def corrects_itself(between: str) -> bool:
    """Whether the words between two values take the first back ("no wait", "sorry, I mean", "아니")."""
    said = [w.strip(",.!?;:-") for w in between.lower().split()]
    said = [w for w in said if w]
    return bool(said) and set(said) <= _AROUND_CORRECTION and bool(_CORRECTING.intersection(said))
