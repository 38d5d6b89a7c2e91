"""Phone numbers from speech or typing, and masking them (and dates) out of logs."""

from __future__ import annotations

import re

from voicebot.nlu.dates import redact_dates
from voicebot.nlu.digits import DigitRun, digit_runs
from voicebot.nlu.normalize import tokenize

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


def parse_phone(text: str, language: str, *, homophones: bool = False) -> str | None:
    """The phone number said, as a digit string of 7–15 digits, or None.

    "five five five one two three four" -> "5551234", "double five" -> "55", "oh" -> "0",
    "공일공 일이삼사 오육칠팔" -> "01012345678", "010-1234-5678" -> "01012345678". ``homophones``: a
    phone number was asked for, so "for" and "to" between digits are four and two.
    """
    runs = _joined(text, digit_runs(text, language, homophones=homophones), language)
    if not runs:
        return None
    best = max(runs, key=lambda r: len(r.digits))
    if MIN_PHONE_DIGITS <= len(best.digits) <= MAX_PHONE_DIGITS:
        return best.digits
    return None


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


__all__ = ["PHONE_MASK", "parse_phone", "redact_dates", "redact_phone_numbers"]
