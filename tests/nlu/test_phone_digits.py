"""Phone numbers and keypad digit strings, spoken and typed, and masking them in logs."""

from __future__ import annotations

import pytest

from voicebot.nlu.digits import digit_runs, parse_digits
from voicebot.nlu.phone import complete_phone, parse_phone, phone_so_far, redact_dates, redact_phone_numbers

EN_PHONES = [
    ("five five five one two three four", "5551234"), ("555-1234", "5551234"), ("555 1234", "5551234"),
    ("my number is five five five one two three four", "5551234"),
    ("oh one two three four five six seven eight nine", "0123456789"),
    ("double five five one two three four", "5551234"), ("triple five one two three four", "5551234"),
    ("(555) 123-4567", "5551234567"), ("+1 555 123 4567", "15551234567"), ("555.123.4567", "5551234567"),
    ("five five five dash one two three dash four five six seven", "5551234567"),
    ("uh five five five um one two three four", "5551234"),
    ("eight hundred five five five one two one two", "8005551212"),
    ("five five five twelve thirty four", "5551234"),
    ("zero seven seven zero zero nine double zero one two three", "07700900123"),
    ("it's 07700 900123", "07700900123"), ("five five five, one two three four", "5551234"),
    ("nine one seven five five five oh one nine nine", "9175550199"),
    # An area code said apart from the number.
    ("area code five five five, then one two three, four five six seven", "5551234567"),
    ("area code 555 and the number is 123 4567", "5551234567"),
    ("five five five then one two three then four five six seven", "5551234567"),
    ("five five five and then one two three four", "5551234"),
]
KO_PHONES = [
    ("공일공 일이삼사 오육칠팔", "01012345678"), ("010-1234-5678", "01012345678"),
    ("010 1234 5678", "01012345678"),
    ("01012345678", "01012345678"), ("공일공에 일이삼사에 오육칠팔이요", "01012345678"),
    ("제 번호는 공일공 일이삼사 오육칠팔입니다", "01012345678"), ("영일영 일이삼사 오육칠팔", "01012345678"),
    ("공이 일이삼 사오육칠", "021234567"), ("음 공일공 다시 일이삼사 다시 오육칠팔", "01012345678"),
    ("공 일 공 일 이 삼 사 오 육 칠 팔", "01012345678"), ("+82 10 1234 5678", "821012345678"),
]
NOT_PHONES = [
    ("", "en"), ("two large pepperoni", "en"), ("one two three", "en"), ("12345", "en"), ("yes", "en"),
    ("1234567890123456", "en"), ("i have two kids and one dog", "en"), ("", "ko"), ("네", "ko"),
    ("페퍼로니 두 판", "ko"), ("일이삼", "ko"), ("이사 오일", "ko"),
]


@pytest.mark.parametrize(("text", "digits"), EN_PHONES)
def test_english_phone_numbers(text: str, digits: str) -> None:
    assert parse_phone(text, "en") == digits


@pytest.mark.parametrize(("text", "digits"), KO_PHONES)
def test_korean_phone_numbers(text: str, digits: str) -> None:
    assert parse_phone(text, "ko") == digits


@pytest.mark.parametrize(("text", "language"), NOT_PHONES)
def test_not_phone_numbers(text: str, language: str) -> None:
    assert parse_phone(text, language) is None


@pytest.mark.parametrize(("text", "language", "digits"), [
    ("one two three four", "en", "1234"), ("1234", "en", "1234"), ("1 2 3 4", "en", "1234"),
    ("double five", "en", "55"), ("oh seven", "en", "07"), ("uh four", "en", "4"), ("one", "en", "1"),
    ("star one two", "en", "*12"), ("one two three pound", "en", "123#"), ("my pin is 4 3 2 1", "en", "4321"),
    ("twenty five", "en", "25"), ("nine nine nine", "en", "999"), ("zero", "en", "0"),
    ("일이삼사", "ko", "1234"), ("일 이 삼 사", "ko", "1234"), ("1234", "ko", "1234"),
    ("공공칠", "ko", "007"),
    ("삼", "ko", "3"), ("오요", "ko", "5"), ("별표 일", "ko", "*1"), ("일이삼 샵", "ko", "123#"),
    ("비밀번호는 사삼이일이에요", "ko", "4321"),
])
def test_parse_digits(text: str, language: str, digits: str) -> None:
    assert parse_digits(text, language) == digits


@pytest.mark.parametrize(("text", "language"), [
    ("", "en"), ("yes", "en"), ("hello there", "en"), ("", "ko"), ("네", "ko"), ("이 피자", "ko"),
    ("안녕하세요", "ko"),
])
def test_no_digits(text: str, language: str) -> None:
    assert parse_digits(text, language) is None


def test_digit_runs_have_spans() -> None:
    text = "call five five five one two three four now, or 9:30"
    runs = digit_runs(text, "en")
    assert runs[0].digits == "5551234"
    assert text[runs[0].start:runs[0].end] == "five five five one two three four"
    assert [r.digits for r in runs[1:]] == ["9", "30"]  # a clock time is not one digit string


@pytest.mark.parametrize(("text", "expected"), [
    ("call me at 555-123-4567 please", "call me at [phone] please"),
    ("my number is five five five one two three four", "my number is [phone]"),
    ("번호는 공일공 일이삼사 오육칠팔 입니다", "번호는 [phone] 입니다"),
    ("010-1234-5678로 연락 주세요", "[phone]로 연락 주세요"),
    ("+1 (555) 123-4567", "[phone]"),
    ("order 12345 at 09:30:15", "order 12345 at 09:30:15"),
    ("two large pepperoni", "two large pepperoni"),
    ("card 4111 1111 1111 1111", "card [phone]"),
    ("", ""),
    ("at 2026-11-29T09:21:47 call 555 123 4567", "at 2026-11-29T09:21:47 call [phone]"),
])
def test_redact_phone_numbers(text: str, expected: str) -> None:
    assert redact_phone_numbers(text) == expected


def test_redact_dates_is_available_next_to_phones() -> None:
    masked = redact_phone_numbers(redact_dates("born 1985-03-03, call 555 123 4567"))
    assert masked == "born [date], call [phone]"


def test_two_whole_numbers_said_together_are_not_joined() -> None:
    """Joining words join parts of one number, never two numbers of the usual length."""
    assert parse_phone("five five five one two three four and five five five nine eight seven six", "en") \
        == "5551234"


@pytest.mark.parametrize(("text", "language", "expected"), [
    ("555 123 4567, no sorry, 555 123 4568", "en", "5551234568"),
    ("five five five one two three four five six seven, wait, five five five one two three four five six"
     " eight", "en", "5551234568"),
    ("5551234567, sorry, 4568", "en", "5551234568"),  # the end said again replaces the end
    ("555 123, sorry, 4567", "en", "5551234567"),  # after a part, the apology is for the pause
    ("555 1234 or 555 5678", "en", "5551234"),  # "or" takes nothing back
    ("공일공 일이삼사 오육칠팔 아니 오육칠구", "ko", "01012345679"),
])
def test_a_number_taken_back_counts_no_more(text: str, language: str, expected: str) -> None:
    assert parse_phone(text, language) == expected


@pytest.mark.parametrize(("text", "language"), [
    ("공일공 일이삼사", "ko"),  # a leading 0 and seven digits: the start of a number
    ("oh two oh seven nine four six", "en"),
])
def test_a_number_with_its_trunk_zero_needs_nine_digits(text: str, language: str) -> None:
    assert parse_phone(text, language) is None
    assert complete_phone("0101234") is False and complete_phone("021234567") is True


@pytest.mark.parametrize(("parts", "language", "so_far", "number"), [
    (["five five five", "one two three", "four five six seven"], "en", ["555", "555123"], "5551234567"),
    (["area code five five five", "one two three four five six seven"], "en", ["555"], "5551234567"),
    (["five five five", "five five five one two three four five six seven"], "en", ["555"], "5551234567"),
    (["공일공", "일이삼사", "오육칠팔"], "ko", ["010", "0101234"], "01012345678"),
    (["제 번호는 공일공이요", "일이삼사 오육칠팔이요"], "ko", ["010"], "01012345678"),
])
def test_a_number_said_in_parts(parts: list[str], language: str, so_far: list[str], number: str) -> None:
    earlier = None
    for part, expected in zip(parts[:-1], so_far, strict=True):
        assert parse_phone(part, language, homophones=True, earlier=earlier) is None
        earlier = phone_so_far(part, language, homophones=True, earlier=earlier)
        assert earlier == expected
    assert parse_phone(parts[-1], language, homophones=True, earlier=earlier) == number


@pytest.mark.parametrize("text", ["I'm 45", "five", "two large pepperoni", "555 123 4567"])
def test_no_part_of_a_number(text: str) -> None:
    """Words besides the digits, a single digit, or a whole number are no part of one."""
    assert phone_so_far(text, "en", homophones=True) is None


def test_a_part_taken_back_is_said_again() -> None:
    """ "No, five five four" after "five five five": the first part is replaced, not continued."""
    assert phone_so_far("no, five five four", "en", homophones=True, earlier="555") == "554"
    assert parse_phone("no, five five four one two three four five six seven", "en", earlier="555") \
        == "5541234567"
