"""Phone numbers from speech or typing, and masking them (and dates) out of logs."""

from __future__ import annotations

import re
from itertools import pairwise

from voicebot.nlu.dates import redact_dates
from voicebot.nlu.digits import DigitRun, digit_runs
from voicebot.nlu.normalize import is_hangul, strip_korean_particles, tokenize
from voicebot.nlu.numbers import corrects_itself

PHONE_MASK = "[phone]"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")  # a date or a log timestamp: redact_dates' business
MIN_PHONE_DIGITS = 7
MAX_PHONE_DIGITS = 15  # E.164
# Words between the parts of one number ("area code five five five, then one two three, four five six
# seven", "five five five and the rest is one two three four"): the parts are joined where the whole has a
# usual length (:data:`JOINED_LENGTHS`).
_JOINING_WORDS = frozenset({"and", "then", "the", "number", "is", "area", "code", "followed", "by", "rest",
                            "of", "it", "it's", "its", "my", "after", "that"})
JOINED_LENGTHS = (7, 10, 11)
# Words besides the digits of a turn that gives only part of a number ("area code five five five", "제
# 번호는 공일공이요"): :func:`phone_so_far`.
_EN_AROUND_PART = _JOINING_WORDS | frozenset({
    "uh", "um", "er", "erm", "so", "okay", "ok", "yeah", "yes", "sure", "right", "first", "start", "starts",
    "with", "phone", "cell", "mobile", "home", "that's", "its",
    "no", "sorry", "wait", "i", "mean", "actually",  # "no, five five four": the part said again
    "hold", "on", "just", "a", "moment", "minute", "let", "me", "check",  # "five five five, hold on"
})
_KO_AROUND_PART = frozenset({
    "제", "번호는", "번호", "전화번호는", "전화번호", "지역번호는", "지역번호", "핸드폰", "휴대폰",
    "이에요", "예요", "입니다", "이요", "요", "네", "음", "어", "그", "저", "아니", "아니요", "잠깐만요",
    "잠시만요", "잠깐만", "잠시만",
})


def complete_phone(digits: str) -> bool:
    """Whether ``digits`` can be a whole phone number: 7 to 15 digits (E.164), and 9 or more after a leading
    0 (a trunk prefix: "010 1234" and "020 7946" are the start of a number, not one)."""
    if not MIN_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS:
        return False
    return not (digits.startswith("0") and len(digits) < 9)


def usual_phone_length(digits: str, language: str) -> bool:
    """A phone number as long as the country's: North American numbers (English) have 7 or 10 digits, or
    11 with the leading 1; Korean ones a leading 0 and 9 to 11 digits (010-1234-5678, 02-123-4567)."""
    if language == "en":
        return len(digits) in (7, 10) or (len(digits) == 11 and digits.startswith("1"))
    if language == "ko":
        return digits.startswith("0") and 9 <= len(digits) <= 11
    return True


def parse_phone(text: str, language: str, *, homophones: bool = False,
                earlier: str | None = None) -> str | None:
    """The phone number said, as a digit string of 7–15 digits, or None.

    "five five five one two three four" -> "5551234", "double five" -> "55", "oh" -> "0",
    "공일공 일이삼사 오육칠팔" -> "01012345678", "010-1234-5678" -> "01012345678". ``homophones``: a
    phone number was asked for, so "for" and "to" between digits are four and two. A number taken back
    counts no more: "555 123 4567, no sorry, 555 123 4568" -> "5551234568"; "..., no, 4568" changes its end.

    ``earlier``: the digits of the number said so far (:func:`phone_so_far`): "five five five" then "one
    two three four five six seven" -> "5551234567". The number said now stands alone when the two do not
    make a number of the usual length and it is a whole one (the caller started again).
    """
    heard = _heard(text, language, homophones, earlier)
    return None if heard is None else _whole(heard[0], heard[1], language)


def phone_so_far(text: str, language: str, *, homophones: bool = False,
                 earlier: str | None = None) -> str | None:
    """The digits of a phone number said in parts, where ``text`` (with ``earlier``, the parts before it)
    gives part of one and no more: "five five five" -> "555", "area code five five five" -> "555",
    "공일공 일이삼사" -> "0101234" (a Korean number with its leading 0 has 9 to 11 digits). None when the
    turn completes a number (:func:`parse_phone`), says other words than digits and a few around them, or
    starts with fewer than two digits."""
    heard = _heard(text, language, homophones, earlier)
    if heard is None:
        return None
    said, earlier, runs = heard
    if _whole(said, earlier, language) is not None or not _only_digits_said(text, runs, language):
        return None
    if not earlier and len(said) < 2:
        return None
    so_far = (earlier or "") + said
    return so_far if len(so_far) < MAX_PHONE_DIGITS else None


def takes_a_number_back(text: str, language: str) -> bool:
    """Whether ``text`` says digits, takes them back and says others: "555 123 4567, no sorry, 4568"."""
    runs = _joined(text, digit_runs(text, language, homophones=True), language)
    return any(corrects_itself(text[a.end:b.start]) for a, b in pairwise(runs))


def _heard(text: str, language: str, homophones: bool,
           earlier: str | None) -> tuple[str, str | None, list[DigitRun]] | None:
    """The digits ``text`` means (:func:`_meant`), the part said before that they continue (None where the
    words before them take it back: "no, five five four"), and the digit runs said; None without digits."""
    runs = digit_runs(text, language, homophones=homophones)
    said = _meant(text, _joined(text, runs, language))
    if said is None:
        return None
    if earlier and corrects_itself(text[:runs[0].start]):
        earlier = None
    return said, earlier, runs


def _whole(said: str, earlier: str | None, language: str) -> str | None:
    """The whole number ``said`` makes after ``earlier`` (:func:`parse_phone`), or None."""
    if earlier:
        both = earlier + said
        if usual_phone_length(both, language):
            return both
        if complete_phone(said):
            return said
        return both if complete_phone(both) else None
    return said if complete_phone(said) else None


def _meant(text: str, runs: list[DigitRun]) -> str | None:
    """The digits of the number ``text`` means, of its (joined) ``runs``: the longest run said, or one said
    after taking another back ("..., no sorry, ..."); a shorter run said so replaces the end of a whole
    number before it, and goes on from a part ("555 123, sorry, 4567": the apology is for the pause)."""
    if not runs:
        return None
    meant = runs[0]
    for run in runs[1:]:
        if corrects_itself(text[meant.end:run.start]):
            digits = run.digits
            if len(run.digits) < len(meant.digits):
                whole = len(meant.digits) >= MIN_PHONE_DIGITS
                digits = (meant.digits[:-len(run.digits)] if whole else meant.digits) + run.digits
            meant = DigitRun(digits, run.start, run.end)
        elif len(run.digits) > len(meant.digits):
            meant = run
    return meant.digits


def _only_digits_said(text: str, runs: list[DigitRun], language: str) -> bool:
    """Whether ``text`` says its digit ``runs`` and nothing else but the few words around a number's part."""
    for token in tokenize(text, language):
        if any(run.start <= token.start < run.end for run in runs):
            continue
        word = token.text
        if is_hangul(word):
            if word not in _KO_AROUND_PART and strip_korean_particles(word) not in _KO_AROUND_PART:
                return False
        elif word not in _EN_AROUND_PART:
            return False
    return True


def _joined(text: str, runs: list[DigitRun], language: str) -> list[DigitRun]:
    """English runs of three digits or more with only joining words between them, as one run where the
    whole has a usual length (an area code said apart from the number)."""
    if language != "en":
        return runs
    groups: list[list[DigitRun]] = []
    for run in runs:
        between = tokenize(text[groups[-1][-1].end:run.start], "en") if groups else None
        if between is not None and all(t.text in _JOINING_WORDS for t in between):
            groups[-1].append(run)
        else:
            groups.append([run])
    out: list[DigitRun] = []
    for group in groups:
        whole = "".join(run.digits for run in group)
        if len(group) > 1 and len(whole) in JOINED_LENGTHS and all(len(run.digits) >= 3 for run in group):
            out.append(DigitRun(whole, group[0].start, group[-1].end))
        else:
            out.extend(group)
    return out


def redact_phone_numbers(text: str) -> str:
    """Replace every run of seven or more digits (spoken or typed, either language) with "[phone]".

    Longer runs (card numbers) are masked too: a log never needs them. ISO dates ("2026-11-29") are
    left to :func:`redact_dates`, so timestamps survive; call that first to hide birth dates.
    """
    out: list[str] = []
    last = 0
    for run in digit_runs(text, None):
        if len(run.digits) < MIN_PHONE_DIGITS or _ISO_DATE.fullmatch(text[run.start:run.end]):
            continue
        start = run.start
        while start > last and text[start - 1] in "+(":
            start -= 1
        out.append(text[last:start])
        out.append(PHONE_MASK)
        last = run.end
    out.append(text[last:])
    return "".join(out)


__all__ = ["PHONE_MASK", "complete_phone", "parse_phone", "phone_so_far", "redact_dates",
           "redact_phone_numbers", "takes_a_number_back", "usual_phone_length"]
