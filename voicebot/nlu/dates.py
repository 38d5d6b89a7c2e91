"""Calendar dates from speech or typing — birth dates for identity checks, days for bookings.

``dateparser`` was tried and not used: it reads neither spoken years ("the third of march nineteen
eighty five") nor spelled-out Korean ("천구백팔십오년 삼월 삼일"), and here its first parse took 2.9 s.

Two-digit years pivot to the latest year not after ``today`` ("85" -> 1985, "05" -> 2005): the dates this
project asks for are mostly birth dates. Slashed dates are month/day/year ("03/04/1985" is 4 March)
unless the first part cannot be a month; so are dates said as three numbers ("three three eighty five")
and six digits that cannot be year/month/day ("oh three oh three eighty five").
"""

from __future__ import annotations

import datetime as dt
import re

from voicebot.nlu.digits import digit_runs
from voicebot.nlu.normalize import FILLERS_EN, Token, merge_spans, tokenize
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
_FOUR_DIGITS = re.compile(r"(?<!\d)(\d{4})(?!\d)")
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
    if len(digits) == 6:  # MMDDYY where YYMMDD is no date: "oh three oh three eighty five"
        return (_make(_pivot(int(digits[:2]), today), int(digits[2:4]), int(digits[4:]))
                or _make(_pivot(int(digits[4:]), today), int(digits[:2]), int(digits[2:4])))
    return None


def _match_at(numbers: list[NumberMatch], tokens: list[Token], k: int) -> NumberMatch | None:
    """The number that starts at token k."""
    if k >= len(tokens):
        return None
    return next((n for n in numbers if n.start == tokens[k].start), None)


def _token_after(tokens: list[Token], end: int) -> int:
    return next((k for k, t in enumerate(tokens) if t.start >= end), len(tokens))


def _full_year(numbers: list[NumberMatch], tokens: list[Token], k: int) -> tuple[int, int] | None:
    """A year said in full from token k: "1985", "nineteen eighty five", "nineteen oh five",
    "twenty twenty"; with where it ends."""
    first = _match_at(numbers, tokens, k)
    if first is None or first.ordinal or not isinstance(first.value, int):
        return None
    if first.value >= 1000:
        return (first.value, first.end) if first.value <= 9999 else None
    if not 10 <= first.value <= 99 or tokens[k].text.isdigit():
        return None
    after = _token_after(tokens, first.end)
    if after < len(tokens) and tokens[after].text in ("oh", "o") and after + 1 < len(tokens):
        unit = EN_UNITS.get(tokens[after + 1].text)
        if unit is not None:
            return first.value * 100 + unit, tokens[after + 1].end  # "nineteen oh five"
    second = _match_at(numbers, tokens, after)
    if second is not None and isinstance(second.value, int) and second.value <= 99 and not second.ordinal:
        return first.value * 100 + second.value, second.end  # "nineteen eighty five", "twenty twenty"
    return None


def _spoken_year(numbers: list[NumberMatch], tokens: list[Token], k: int,
                 today: dt.date) -> tuple[int, int] | None:
    """The year said from token k (after "of", "in", "the", "year"), two digits pivoted; with where it
    ends."""
    while k < len(tokens) and tokens[k].text in ("of", "in", "the", "year"):
        k += 1
    first = _match_at(numbers, tokens, k)
    if first is None or first.ordinal or not isinstance(first.value, int):
        return None
    if tokens[k].text.isdigit():
        return _year(first.value, len(tokens[k].text), today), first.end
    full = _full_year(numbers, tokens, k)
    if full is not None:
        return full
    return (_pivot(first.value, today), first.end) if 10 <= first.value <= 99 else None


def _year_elsewhere(numbers: list[NumberMatch], tokens: list[Token], said: range) -> int | None:
    """A year said in full away from the month and day (tokens ``said``): before them ("1985, March
    3rd") or further on ("March third, and I was born in 1985"). A two-digit number there is no year
    ("March third, I'm eighty five")."""
    for k in range(len(tokens)):
        if k not in said:
            year = _full_year(numbers, tokens, k)
            if year is not None:
                return year[0]
    return None


def _words(text: str) -> tuple[list[Token], list[NumberMatch]]:
    """The tokens of an English date without hesitations ("March, uh, third"), and its numbers."""
    return [t for t in tokenize(text, "en") if t.text not in FILLERS_EN], find_numbers(text, "en")


def _spoken_en(text: str, today: dt.date) -> tuple[int | None, int, int] | None:
    """Year (None: not said), month and day of a date said with the month's name."""
    tokens, numbers = _words(text)
    for k, tok in enumerate(tokens):
        month = _MONTHS.get(tok.text)
        if month is None:
            continue
        # Day before the month: "3 march", "the third of march".
        j = k - 1
        while j >= 0 and tokens[j].text in ("of", "the"):
            j -= 1
        day = next((n for n in numbers if j >= 0 and n.end == tokens[j].end), None)
        year_first: int | None = None
        if day is not None and not (isinstance(day.value, int) and 1 <= day.value <= 31):
            # A year said first: "1985, March 3rd", "nineteen eighty five, March third", "85, March 3rd".
            if isinstance(day.value, int) and 32 <= day.value <= 99 and not day.ordinal:
                year_first = _pivot(day.value, today)
            day = None
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
        said = range(min(k, _token_after(tokens, day.start)), max(k + 1, year_from))
        spoken = _spoken_year(numbers, tokens, year_from, today)
        year = (spoken[0] if spoken else None) or _year_elsewhere(numbers, tokens, said) or year_first
        return year, month, day.value
    return None


_BETWEEN_NUMBERS = frozenset({"slash", "dash", "oh", "o"})


def _spoken_numeric_en(text: str, today: dt.date) -> tuple[dt.date, int, int] | None:
    """A date said as month, day and year numbers ("three three eighty five", "twelve twenty four
    nineteen ninety", "three slash three slash eighty five"), month first as in slashed dates; with
    where it was said. The year is required: two numbers alone are no date."""
    tokens, numbers = _words(text)

    def number_at(k: int) -> tuple[NumberMatch, int] | None:
        while k < len(tokens) and tokens[k].text in _BETWEEN_NUMBERS:
            k += 1
        found = _match_at(numbers, tokens, k)
        return None if found is None or found.ordinal or not isinstance(found.value, int) else (found, k)

    for k in range(len(tokens)):
        month = number_at(k)
        if month is None or month[1] != k or not 1 <= int(month[0].value) <= 12:
            continue
        if any(n.end <= tokens[k].start and _token_after(tokens, n.end) == k for n in numbers):
            continue  # inside a longer run of numbers ("1 2 3 4 5"): no date
        day = number_at(_token_after(tokens, month[0].end))
        if day is None or not 1 <= int(day[0].value) <= 31:
            continue
        year_at = _token_after(tokens, day[0].end)
        while year_at < len(tokens) and tokens[year_at].text in _BETWEEN_NUMBERS - {"oh", "o"}:
            year_at += 1
        year, year_end = _year_in_digits(tokens, year_at, today)
        said = tokens[year_at].text if year_at < len(tokens) else ""
        one_digit = said.isdigit() and len(said) == 1
        if year is None and not one_digit:  # "3, 3, 8": a one-digit year is no year
            year, year_end = _spoken_year(numbers, tokens, year_at, today) or (None, 0)
        found = None if year is None else _make(year, int(month[0].value), int(day[0].value))
        if found is not None:
            return found, month[0].start, year_end
    return None


def _year_in_digits(tokens: list[Token], k: int, today: dt.date) -> tuple[int | None, int]:
    """A two-digit year written as two one-digit numbers ("3, 3, 8, 5." for "three three eighty five":
    whisper's way), and where it ends; (None, 0) otherwise."""
    pair = tokens[k:k + 2]
    after = tokens[k + 2].text if k + 2 < len(tokens) else ""
    if len(pair) == 2 and all(t.text.isdigit() and len(t.text) == 1 for t in pair) and not after.isdigit():
        return _pivot(int(pair[0].text + pair[1].text), today), pair[1].end
    return None, 0


_KO_DIGIT_READING = dict(zip("영공일이삼사오육칠팔구", "00123456789", strict=True))


def _ko_number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    return {"유": 6, "시": 10}.get(word) or parse_sino_korean(word)


def _spoken_ko(text: str, today: dt.date) -> tuple[int | None, int, int] | None:
    """Year (None: not said), month and day of a date said with 월 and 일."""
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
    year = None
    if year_match is not None:
        year = _ko_year(year_match[1], today)
        if year is None:
            return None
    return None if day is None else (year, month, day)


def _ko_year(said: str, today: dt.date) -> int | None:
    """The year said before 년: "1985", "85", "천구백팔십오", "팔십오", "팔오" (digit by digit)."""
    value = _ko_number(said)
    if value is None and all(ch in _KO_DIGIT_READING for ch in said):
        said = "".join(_KO_DIGIT_READING[ch] for ch in said)  # "공일년", "팔오년": digit by digit
        value = int(said)
    if value is None:
        return None
    return _year(value, len(said) if said.isdigit() else (2 if value < 100 else 4), today)


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
    "03/03/1985", "850303", "19850303", "three three eighty five", "1985, March 3rd", "tomorrow",
    "friday". KO: "1985년 3월 3일", "85년 3월 3일",
    "천구백팔십오년 삼월 삼일", "내일". A date without a year takes ``today``'s year.
    """
    today = today or dt.date.today()
    found = _numeric(text, language, today)
    if found is None and (parts := _spoken(text, language, today)) is not None:
        year, month, day = parts
        found = _make(today.year if year is None else year, month, day)
    if found is None:
        for run in digit_runs(text, language):  # "eight five oh three oh three"
            if len(run.digits) in (6, 8):
                found = _compact(run.digits, today)
                if found is not None:
                    break
    if found is None and language == "en" and (said := _spoken_numeric_en(text, today)) is not None:
        found = said[0]
    if found is None:
        found = _relative(text, language, today)
    return found


def _spoken(text: str, language: str, today: dt.date) -> tuple[int | None, int, int] | None:
    return _spoken_en(text, today) if language == "en" else _spoken_ko(text, today)


def date_without_year(text: str, language: str) -> tuple[int, int] | None:
    """The month and day of a date said without a year ("March third", "the third of March", "삼월 삼일"),
    or None: for a birth date, whose year is then asked for rather than taken to be this one."""
    today = dt.date.today()
    if _numeric(text, language, today) is not None:
        return None
    parts = _spoken(text, language, today)
    if parts is None or parts[0] is not None or _make(2000, parts[1], parts[2]) is None:  # 2000: 29 Feb
        return None
    return parts[1], parts[2]


def year_alone(text: str, language: str, *, today: dt.date | None = None) -> int | None:
    """A year said on its own, as the answer to "and the year?": "1985", "nineteen eighty five", "eighty
    five", "in 85", "85년생이요", "천구백팔십오년". Only years since 1900 and not after ``today``; two digits
    pivot as in dates."""
    today = today or dt.date.today()
    found: int | None = None
    if language == "en":
        tokens, numbers = _words(text)
        said = [n for n in numbers if isinstance(n.value, int) and not n.ordinal]
        if said:
            k = _token_after(tokens, said[0].start)
            year = _spoken_year(numbers, tokens, k, today)
            # Every number said is part of the year: "three, 1985" is no year.
            if year is not None and all(n.start >= said[0].start and n.end <= year[1] for n in said):
                found = year[0]
    else:
        m = _KO_YEAR.search(text) or _FOUR_DIGITS.search(text)
        if m is not None and not _KO_MONTH.search(text):
            found = _ko_year(m[1], today)
    return found if found is not None and 1900 <= found <= today.year else None


def date_with_year_said(text: str, language: str, month_day: tuple[int, int], *,
                        today: dt.date | None = None) -> dt.date | None:
    """The date that a year said alone (:func:`year_alone`) makes with a month and day said before, or None
    (no year said, or 29 February in a year without one)."""
    year = year_alone(text, language, today=today)
    return None if year is None else _make(year, *month_day)


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
    if (said := _spoken_numeric_en(text, dt.date.today())) is not None:
        spans.append(said[1:])
    return _mask(text, spans, DATE_MASK)


def _spoken_en_spans(text: str) -> list[tuple[int, int]]:
    """Spans around month names that have a number next to them ("may i" is not a date)."""
    tokens = tokenize(text, "en")
    numbers = find_numbers(text, "en")

    def numberish(k: int) -> bool:
        t = tokens[k]
        return (t.text in _DATE_FILLER or t.text in FILLERS_EN
                or any(n.start <= t.start and t.end <= n.end for n in numbers))

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

