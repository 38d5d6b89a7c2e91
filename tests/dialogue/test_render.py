"""Templates, conditions and script lines: pure functions checked with literals."""

from __future__ import annotations

import pytest

from voicebot.dialogue.condition import ConditionSyntaxError, parse_condition
from voicebot.dialogue.events import CallerHangup, CallerText, Dtmf, SilenceTimeout
from voicebot.dialogue.render import (
    english_number_words,
    format_currency,
    format_date,
    format_phone,
    format_time,
    korean_native_count,
)
from voicebot.dialogue.script import parse_script, parse_script_line
from voicebot.dialogue.template import Field, TemplateSyntaxError, parse_template
from voicebot.errors import DialogueError


@pytest.mark.parametrize(
    ("amount", "currency", "language", "spoken"),
    [
        (42.5, "USD", "en", "$42.50"),
        (42, "USD", "en", "$42"),
        (1234.5, "USD", "en", "$1,234.50"),
        (9.99, "EUR", "en", "€9.99"),
        (12.5, "CHF", "en", "12.50 CHF"),
        (45000, "KRW", "ko", "4만 5천원"),
        (68000, "KRW", "ko", "6만 8천원"),
        (12500, "KRW", "ko", "1만 2천5백원"),
        (1_000_000, "KRW", "ko", "100만원"),
        (9500, "KRW", "ko", "9천5백원"),
        (150_000_000, "KRW", "ko", "1억 5000만원"),
    ],
)
def test_currency(amount: float, currency: str, language: str, spoken: str) -> None:
    assert format_currency(amount, currency, language) == spoken


@pytest.mark.parametrize(("language", "spoken"), [("en", "March 3, 1985"), ("ko", "1985년 3월 3일")])
def test_date(language: str, spoken: str) -> None:
    assert format_date("1985-03-03", language) == spoken


@pytest.mark.parametrize(
    ("value", "language", "spoken"),
    [
        ("19:30", "en", "7:30 PM"),
        ("09:00", "en", "9 AM"),
        ("00:15", "en", "12:15 AM"),
        ("19:30", "ko", "오후 7시 30분"),
        ("09:00", "ko", "오전 9시"),
    ],
)
def test_time(value: str, language: str, spoken: str) -> None:
    assert format_time(value, language) == spoken


def test_phone_digits_are_spaced_in_groups() -> None:
    assert format_phone("5551234567", "en") == "5 5 5, 1 2 3, 4 5 6 7"
    assert format_phone("01012345678", "ko") == "0 1 0, 1 2 3 4, 5 6 7 8"


@pytest.mark.parametrize(
    ("n", "en", "ko"),
    [
        (1, "one", "한"),
        (2, "two", "두"),
        (3, "three", "세"),
        (12, "twelve", "열두"),
        (20, "twenty", "스무"),
        (21, "twenty-one", "스물한"),
        (45, "forty-five", "마흔다섯"),
    ],
)
def test_counting_words(n: int, en: str, ko: str) -> None:
    assert english_number_words(n) == en
    assert korean_native_count(n) == ko


def test_template_fields_filters_and_escapes() -> None:
    t = parse_template("Total {{net}}: {items|total|currency} for {name}.")
    assert t.parts == ("Total {net}: ", Field("items", ("total", "currency")), " for ", Field("name"), ".")
    assert not t.fixed
    assert parse_template("Hello there.").fixed


@pytest.mark.parametrize("bad", ["{}", "{two words}", "{x|money}", "a } b", "{x"])
def test_bad_templates(bad: str) -> None:
    with pytest.raises(TemplateSyntaxError):
        parse_template(bad)


@pytest.mark.parametrize(
    ("source", "values", "expected"),
    [
        ("satisfaction <= 2", {"satisfaction": 1}, True),
        ("satisfaction <= 2", {"satisfaction": 4}, False),
        ("satisfaction <= 2", {"satisfaction": None}, False),
        ("satisfaction <= 2 or recommend <= 4", {"satisfaction": 5, "recommend": 3}, True),
        ("not explained_terms", {"explained_terms": False}, True),
        ("consent == false", {"consent": None}, False),
        ("len(items) == 0", {"items": []}, True),
        ("filled(comment)", {"comment": ""}, False),
        ("colour in ['red', 'blue']", {"colour": "red"}, True),
        ("dob != birth_date", {"dob": "1985-03-03", "birth_date": "1985-03-03"}, False),
        ("1 < count < 4", {"count": 3}, True),
    ],
)
def test_conditions(source: str, values: dict[str, object], expected: bool) -> None:
    assert parse_condition(source).evaluate(values) is expected


@pytest.mark.parametrize("bad", ["x.y == 1", "x[0]", "open('f')", "lambda: 1", "x if y else z", "a +"])
def test_unsafe_or_bad_conditions_are_rejected(bad: str) -> None:
    with pytest.raises(ConditionSyntaxError):
        parse_condition(bad)


def test_script_lines() -> None:
    assert parse_script_line("  # a comment") is None
    assert parse_script_line("") is None
    assert parse_script_line("[silence]") == SilenceTimeout()
    assert parse_script_line("[dtmf 12#]") == Dtmf("12#")
    assert parse_script_line("[hangup]") == CallerHangup()
    assert parse_script_line("[confidence 0.3] yes") == CallerText("yes", confidence=0.3)
    assert parse_script_line("apartment #5 please") == CallerText("apartment #5 please")


def test_unknown_script_command_names_the_line() -> None:
    with pytest.raises(DialogueError) as info:
        parse_script("yes\n[pause 3]\n", file="call.txt")
    assert info.value.line == 2 and "[silence]" in info.value.reason


@pytest.mark.parametrize(("source", "head"), [
    ("Got it, {items}. Anything else?", "Got it,"),
    ("Thanks. So that's {items}, right?", "Thanks."),
    ("Great, thanks, {name}.", "Great, thanks,"),  # up to the last clause end before the value
    ("So that's {items}, delivered.", ""),  # no clause ends before the value
    ("{items}, is that right?", ""),
    ("Hello. This is the voice check line.", ""),  # fixed: cached whole
])
def test_a_templates_fixed_head_ends_a_clause_before_the_first_value(source: str, head: str) -> None:
    assert parse_template(source).fixed_head == head
