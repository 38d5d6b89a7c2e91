"""Calendar dates from speech or typing — birth dates for identity checks, days for bookings.

``dateparser`` was tried and not used: it reads neither spoken years ("the third of march nineteen
eighty five") nor spelled-out Korean ("천구백팔십오년 삼월 삼일"), and here its first parse took 2.9 s.

Two-digit years pivot to the latest year not after ``today`` ("85" -> 1985, "05" -> 2005): the dates this
project asks for are mostly birth dates. Slashed dates are month/day/year ("03/04/1985" is 4 March)
unless the first part cannot be a month.
"""

from __future__ import annotations

import datetime as dt
import re

from voicebot.nlu.digits import digit_runs
from voicebot.nlu.normalize import Token, merge_spans, tokenize
from voicebot.nlu.numbers import EN_UNITS, NumberMatch, find_numbers, parse_sino_korean

DATE_MASK = "[date]"

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
_WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
             "sunday": 6}
_KO_WEEKDAYS = {"월요일": 0, "화요일": 1, "수요일": 2, "목요일": 3, "금요일": 4, "토요일": 5, "일요일": 6}
_EN_RELATIVE = {"today": 0, "tonight": 0, "tomorrow": 1, "yesterday": -1}
_KO_RELATIVE = {"오늘": 0, "내일": 1, "모레": 2, "내일모레": 2, "어제": -1, "그저께": -2, "그제": -2}
_ISO = re.compile(r"(?<!\d)(\d{4})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{1,2})(?!\d)")
_SLASHED = re.compile(r"(?<!\d)(\d{1,2})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{4}|\d{2})(?!\d)")
_COMPACT = re.compile(r"(?<![\d-])(\d{8}|\d{6})(?![\d-])")
_KO_NUM = r"(\d+|[영공일이삼사오육칠팔구십백천]+)"
_KO_YEAR = re.compile(_KO_NUM + r"\s*년")
_KO_MONTH = re.compile(r"(\d+|[일이삼사오칠팔구십]+|유|시)\s*월")
_KO_DAY = re.compile(_KO_NUM + r"\s*일")
_KO_DATE_SPAN = re.compile(
    r"(?:" + _KO_NUM + r"\s*년\s*(?:도\s*)?)?(?:\d+|[일이삼사오칠팔구십]+|유|시)\s*월"
    r"(?:\s*" + _KO_NUM + r"\s*일)?"
)
# Words that may sit inside a spoken date, for masking: "the third of march nineteen eighty five".
_DATE_FILLER = frozenset({"the", "of", "and", "oh", "o", "hundred", "thousand", "st", "nd", "rd", "th"})


def _pivot(two_digit: int, today: dt.date) -> int:
    year = 2000 + two_digit
    return year if year <= today.year else year - 100


def _make(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _year(value: int, digits: int, today: dt.date) -> int:
    return _pivot(value, today) if digits <= 2 else value


def _numeric(text: str, language: str, today: dt.date) -> dt.date | None:
    if m := _ISO.search(text):
        return _make(int(m[1]), int(m[2]), int(m[3]))
    if m := _SLASHED.search(text):
        a, b, c = int(m[1]), int(m[2]), int(m[3])
        if language == "ko" and len(m[3]) == 2:  # Korean writes 85.03.03: year first
            return _make(_pivot(a, today), b, c)
        year = _year(c, len(m[3]), today)
        return _make(year, a, b) or _make(year, b, a)
    for m in _COMPACT.finditer(text):
        found = _compact(m[1], today)
        if found is not None:
            return found
    return None


def _compact(digits: str, today: dt.date) -> dt.date | None:
    """ "19850303" (YYYYMMDD, or MMDDYYYY) and "850303" (YYMMDD)."""
    if len(digits) == 8:
        return (_make(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
                or _make(int(digits[4:]), int(digits[:2]), int(digits[2:4])))
    if len(digits) == 6:
        return _make(_pivot(int(digits[:2]), today), int(digits[2:4]), int(digits[4:]))
    return None


def _match_at(numbers: list[NumberMatch], tokens: list[Token], k: int) -> NumberMatch | None:
    """The number that starts at token k."""
    if k >= len(tokens):
        return None
    return next((n for n in numbers if n.start == tokens[k].start), None)


def _token_after(tokens: list[Token], end: int) -> int:
    return next((k for k, t in enumerate(tokens) if t.start >= end), len(tokens))


def _spoken_year(numbers: list[NumberMatch], tokens: list[Token], k: int, today: dt.date) -> int | None:
    while k < len(tokens) and tokens[k].text in ("of", "in", "the", "year"):
        k += 1
    first = _match_at(numbers, tokens, k)
    if first is None or first.ordinal or not isinstance(first.value, int):
        return None
    if tokens[k].text.isdigit():
        return _year(first.value, len(tokens[k].text), today)
    if first.value >= 1000:
        return first.value
    if not 10 <= first.value <= 99:
        return None
    after = _token_after(tokens, first.end)
    if after < len(tokens) and tokens[after].text in ("oh", "o") and after + 1 < len(tokens):
        unit = EN_UNITS.get(tokens[after + 1].text)
        if unit is not None:
            return first.value * 100 + unit  # "nineteen oh five"
    second = _match_at(numbers, tokens, after)
    if second is not None and isinstance(second.value, int) and second.value <= 99 and not second.ordinal:
        return first.value * 100 + second.value  # "nineteen eighty five", "twenty twenty"
    return _pivot(first.value, today)


def _spoken_en(text: str, today: dt.date) -> dt.date | None:
    tokens = tokenize(text, "en")
    numbers = find_numbers(text, "en")
    for k, tok in enumerate(tokens):
        month = _MONTHS.get(tok.text)
        if month is None:
            continue
        # Day before the month: "3 march", "the third of march".
        j = k - 1
        while j >= 0 and tokens[j].text in ("of", "the"):
            j -= 1
        day = next((n for n in numbers if j >= 0 and n.end == tokens[j].end), None)
        year_from = k + 1
        if day is None:
            j = k + 1
            while j < len(tokens) and tokens[j].text == "the":
                j += 1
            day = _match_at(numbers, tokens, j)
            if day is not None:
                year_from = _token_after(tokens, day.end)
        if day is None or not isinstance(day.value, int) or not 1 <= day.value <= 31:
            continue
        year = _spoken_year(numbers, tokens, year_from, today) or today.year
        return _make(year, month, day.value)
    return None


_KO_DIGIT_READING = dict(zip("영공일이삼사오육칠팔구", "00123456789", strict=True))


def _ko_number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    return {"유": 6, "시": 10}.get(word) or parse_sino_korean(word)


def _spoken_ko(text: str, today: dt.date) -> dt.date | None:
    month_match = _KO_MONTH.search(text)
    if month_match is None:
        return None
    month = _ko_number(month_match[1])
    year_match = None
    for m in _KO_YEAR.finditer(text[: month_match.start()]):
        year_match = m
    day_match = _KO_DAY.search(text, month_match.end())
    if month is None or day_match is None:
        return None
    if year_match is None:  # "삼월 삼일 팔십오년": the year said last
        year_match = _KO_YEAR.search(text, day_match.end())
    day = _ko_number(day_match[1])
    year = today.year
    if year_match is not None:
        said = year_match[1]
        value = _ko_number(said)
        if value is None and all(ch in _KO_DIGIT_READING for ch in said):
            said = "".join(_KO_DIGIT_READING[ch] for ch in said)  # "공일년", "팔오년": digit by digit
            value = int(said)
        if value is None:
            return None
        said_digits = len(said) if said.isdigit() else (2 if value < 100 else 4)
        year = _year(value, said_digits, today)
    return None if day is None else _make(year, month, day)


def _relative(text: str, language: str, today: dt.date) -> dt.date | None:
    words = [t.text for t in tokenize(text, language)]
    if language == "en":
        if "day after tomorrow" in " ".join(words):
            return today + dt.timedelta(days=2)
        for w in words:
            if w in _EN_RELATIVE:
                return today + dt.timedelta(days=_EN_RELATIVE[w])
            if w in _WEEKDAYS:
                return today + dt.timedelta(days=(_WEEKDAYS[w] - today.weekday() - 1) % 7 + 1)
        return None
    for w in words:
        for name, days in sorted(_KO_RELATIVE.items(), key=lambda kv: -len(kv[0])):
            if w.startswith(name):
                return today + dt.timedelta(days=days)
        for name, weekday in _KO_WEEKDAYS.items():
            if w.startswith(name):
                return today + dt.timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)
    return None


def parse_date(text: str, language: str, *, today: dt.date | None = None) -> dt.date | None:
    """The date said or typed, or None.

    EN: "march 3rd 1985", "3 march 1985", "the third of march nineteen eighty five", "1985-03-03",
    "03/03/1985", "850303", "19850303", "tomorrow", "friday". KO: "1985년 3월 3일", "85년 3월 3일",
    "천구백팔십오년 삼월 삼일", "내일". A date without a year takes ``today``'s year.
    """
    today = today or dt.date.today()
    found = _numeric(text, language, today)
    if found is None:
        found = _spoken_en(text, today) if language == "en" else _spoken_ko(text, today)
    if found is None:
        for run in digit_runs(text, language):  # "eight five oh three oh three"
            if len(run.digits) in (6, 8):
                found = _compact(run.digits, today)
                if found is not None:
                    break
    if found is None:
        found = _relative(text, language, today)
    return found


def redact_dates(text: str) -> str:
    """Replace dates (numeric, English spoken, Korean) with "[date]", for logs.

    Six- and eight-digit runs that read as a valid date are masked too; masking an order number by
    mistake costs less than logging a birth date.
    """
    spans: list[tuple[int, int]] = []
    for pattern in (_ISO, _SLASHED, _KO_DATE_SPAN):
        spans += [(m.start(), m.end()) for m in pattern.finditer(text) if m.group().strip()]
    spans += [(m.start(), m.end()) for m in _COMPACT.finditer(text) if _compact(m[1], dt.date.today())]
    spans += _spoken_en_spans(text)
    return _mask(text, spans, DATE_MASK)


def _spoken_en_spans(text: str) -> list[tuple[int, int]]:
    """Spans around month names that have a number next to them ("may i" is not a date)."""
    tokens = tokenize(text, "en")
    numbers = find_numbers(text, "en")

    def numberish(k: int) -> bool:
        t = tokens[k]
        return t.text in _DATE_FILLER or any(n.start <= t.start and t.end <= n.end for n in numbers)

    spans = []
    for k, tok in enumerate(tokens):
        if tok.text not in _MONTHS:
            continue
        lo = k
        while lo > 0 and numberish(lo - 1):
            lo -= 1
        hi = k
        while hi + 1 < len(tokens) and hi - k < 6 and numberish(hi + 1):
            if tokens[hi + 1].text == "and" and tokens[hi].text not in ("hundred", "thousand"):
                break  # "march 3rd and 5 more": the date ends at "and"
            hi += 1
        while lo < k and tokens[lo].text in _DATE_FILLER and tokens[lo].text not in ("st", "nd", "rd", "th"):
            lo += 1
        while hi > k and tokens[hi].text in ("the", "of", "and"):
            hi -= 1
        if lo < k or hi > k:
            spans.append((tokens[lo].start, tokens[hi].end))
    return spans


def _mask(text: str, spans: list[tuple[int, int]], mask: str) -> str:
    out = []
    last = 0
    for start, end in merge_spans(spans):
        out += [text[last:start], mask]
        last = end
    out.append(text[last:])
    return "".join(out)

