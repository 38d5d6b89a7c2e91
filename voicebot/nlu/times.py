"""Clock times: "seven thirty pm", "half past seven", "7:30", "오후 세 시 반", "저녁 7시 15분".

Without am/pm or a part of the day the hour is taken as said ("seven thirty" -> 07:30): whether a pizza
at seven means the evening is the dialogue's call, not the parser's.
"""

from __future__ import annotations

import datetime as dt
import re

from voicebot.nlu.normalize import Token, tokenize
from voicebot.nlu.numbers import EN_UNITS, NumberMatch, find_numbers, native_korean_prefix, parse_sino_korean

_PM_WORDS = frozenset({"pm", "afternoon", "evening", "night", "tonight"})
_BEFORE = frozenset({"to", "till", "til", "before", "of"})
_AFTER = frozenset({"past", "after"})
_KO_NUM = r"(\d{1,2}|[한두세네다섯여일곱덟아홉열하나둘셋넷스물영공이삼사오육칠팔구십]+)"
_KO_TIME = re.compile(r"(오전|오후|아침|저녁|밤|새벽|낮|점심)?" + _KO_NUM + r"시(?:(반)|" + _KO_NUM + r"분)?")
_KO_CLOCK = re.compile(r"(오전|오후|아침|저녁|밤|새벽|낮|점심)?(\d{1,2}):(\d{2})")
_CLOCK = re.compile(r"(?<!\d)(\d{1,2})[:.](\d{2})(?!\d)")


def _make(hour: int, minute: int) -> dt.time | None:
    if 0 <= hour <= 23 and 0 <= minute <= 59:
        return dt.time(hour, minute)
    return None


def _with_period(hour: int, pm: bool | None) -> int:
    if pm is True and hour < 12:
        return hour + 12
    if pm is False and hour == 12:
        return 0
    return hour


def _en_period(tokens: list[Token]) -> bool | None:
    words = [t.text for t in tokens]
    for k, w in enumerate(words):
        nxt = words[k + 1] if k + 1 < len(words) else ""
        if w in _PM_WORDS or (w == "p" and nxt == "m"):
            return True
        if (w == "morning" or (w == "am" and (k == 0 or words[k - 1] != "i"))
                or (w == "a" and nxt == "m" and k > 0)):
            return False
    return None


def _number_at(numbers: list[NumberMatch], tokens: list[Token], k: int) -> NumberMatch | None:
    if k >= len(tokens):
        return None
    return next((n for n in numbers if n.start == tokens[k].start and not n.ordinal), None)


def _index_after(tokens: list[Token], end: int) -> int:
    return next((k for k, t in enumerate(tokens) if t.start >= end), len(tokens))


def _parse_en(text: str) -> dt.time | None:
    tokens = tokenize(text, "en")
    words = [t.text for t in tokens]
    pm = _en_period(tokens)
    if "noon" in words or "midday" in words:
        return dt.time(12, 0)
    if "midnight" in words:
        return dt.time(0, 0)
    numbers = [n for n in find_numbers(text, "en") if isinstance(n.value, int) and not n.ordinal]
    # "half past seven", "quarter to eight", "twenty (minutes) to six"
    for k, w in enumerate(words):
        if w not in _AFTER and w not in _BEFORE:
            continue
        hour = _number_at(numbers, tokens, k + 1)
        if hour is None or k == 0:
            continue
        j = k - 1
        if words[j] in ("minutes", "minute"):
            j -= 1
        before = words[j] if j >= 0 else ""
        minutes_match = next((n for n in numbers if j >= 0 and n.end == tokens[j].end), None)
        minutes = 30 if before == "half" else 15 if before == "quarter" else (
            int(minutes_match.value) if minutes_match is not None else None)
        if minutes is None or not 0 < minutes < 60 or not 1 <= int(hour.value) <= 12:
            continue
        h = int(hour.value)
        if w in _BEFORE:
            h, minutes = (h - 1) % 12 or 12, 60 - minutes
        return _make(_with_period(h, pm), minutes)
    if "half" in words:  # British "half seven" is 7:30
        k = words.index("half")
        hour = _number_at(numbers, tokens, k + 1)
        if hour is not None and 1 <= int(hour.value) <= 12:
            return _make(_with_period(int(hour.value), pm), 30)
    if m := _CLOCK.search(text):
        return _make(_with_period(int(m[1]), pm), int(m[2]))
    for n in numbers:
        value = int(n.value)
        k = _index_after(tokens, n.end)
        digits = text[n.start:n.end]
        if digits.isdigit() and len(digits) in (3, 4):  # "730 pm", "1930"
            return _make(_with_period(value // 100, pm), value % 100)
        if not 0 <= value <= 24:
            continue
        minute = 0
        if k + 1 < len(tokens) and words[k] in ("oh", "o") and words[k + 1] in EN_UNITS:
            minute = EN_UNITS[words[k + 1]]  # "seven oh five"
        elif (following := _number_at(numbers, tokens, k)) is not None and 0 <= int(following.value) <= 59:
            minute = int(following.value)
        return _make(_with_period(value % 24, pm), minute)
    return None


def _ko_value(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    native = native_korean_prefix(word)
    if native is not None and native[1] == len(word):
        return native[0]
    return parse_sino_korean(word)


def _ko_period(hour: int, period: str | None) -> int:
    if period in ("오후", "저녁", "밤"):
        return 0 if period == "밤" and hour == 12 else _with_period(hour, True)
    if period in ("낮", "점심"):
        return hour + 12 if 1 <= hour <= 6 else hour
    if period in ("오전", "아침", "새벽"):
        return _with_period(hour, False)
    return hour


def _parse_ko(text: str) -> dt.time | None:
    compact = re.sub(r"\s+", "", text)
    if "정오" in compact:
        return dt.time(12, 0)
    if "자정" in compact:
        return dt.time(0, 0)
    if m := _KO_CLOCK.search(compact):
        return _make(_ko_period(int(m[2]), m[1]), int(m[3]))
    for m in _KO_TIME.finditer(compact):
        hour = _ko_value(m[2])
        if hour is None:
            continue
        minute: int | None = 30 if m[3] else (_ko_value(m[4]) if m[4] else 0)
        if minute is None:
            continue
        return _make(_ko_period(hour, m[1]), minute)
    return None


def parse_time(text: str, language: str) -> dt.time | None:
    """The clock time said or typed, or None."""
    return _parse_ko(text) if language == "ko" else _parse_en(text)
