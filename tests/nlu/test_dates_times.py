"""Dates and clock times, spoken and typed, English and Korean."""

from __future__ import annotations

import datetime as dt

import pytest

from voicebot.nlu.dates import date_without_year, parse_date, redact_dates, year_alone
from voicebot.nlu.times import parse_time

TODAY = dt.date(2026, 11, 29)  # a Sunday
D = dt.date

EN_DATES = [
    ("march 3rd 1985", D(1985, 3, 3)), ("March 3rd, 1985", D(1985, 3, 3)), ("3 march 1985", D(1985, 3, 3)),
    ("the third of march nineteen eighty five", D(1985, 3, 3)), ("1985-03-03", D(1985, 3, 3)),
    ("03/03/1985", D(1985, 3, 3)), ("850303", D(1985, 3, 3)), ("19850303", D(1985, 3, 3)),
    ("march third nineteen eighty five", D(1985, 3, 3)), ("march 3 85", D(1985, 3, 3)),
    ("uh it's march third nineteen eighty five", D(1985, 3, 3)), ("mar 3 1985", D(1985, 3, 3)),
    ("may fifth two thousand and one", D(2001, 5, 5)),
    ("december twenty fifth nineteen oh five", D(1905, 12, 25)),
    ("july fourth twenty twenty", D(2020, 7, 4)), ("the 1st of january 2000", D(2000, 1, 1)),
    ("january first two thousand", D(2000, 1, 1)), ("feb 29 2000", D(2000, 2, 29)),
    ("4/12/1990", D(1990, 4, 12)), ("13/04/1990", D(1990, 4, 13)), ("12-25-1999", D(1999, 12, 25)),
    ("1990/4/12", D(1990, 4, 12)), ("my birthday is october 10th 1972", D(1972, 10, 10)),
    ("the twenty first of june nineteen ninety", D(1990, 6, 21)), ("june 21 '90", D(1990, 6, 21)),
    ("september the ninth 1999", D(1999, 9, 9)), ("20010911", D(2001, 9, 11)), ("010911", D(2001, 9, 11)),
    ("eight five oh three oh three", D(1985, 3, 3)), ("march 3rd", D(2026, 3, 3)),
    ("nov 30", D(2026, 11, 30)), ("november thirtieth", D(2026, 11, 30)),
    ("april 9 nineteen hundred and ninety", D(1990, 4, 9)), ("05/06/07", D(2007, 5, 6)),
    ("today", TODAY), ("tomorrow", D(2026, 11, 30)), ("yesterday", D(2026, 11, 28)),
    ("the day after tomorrow", D(2026, 12, 1)), ("friday", D(2026, 12, 4)), ("next monday", D(2026, 11, 30)),
    ("sunday", D(2026, 12, 6)),
    # Said with hesitations, the year first or further on, or as three numbers (month first).
    ("um, march, uh, third, 1985", D(1985, 3, 3)), ("nineteen eighty five, march third", D(1985, 3, 3)),
    ("1985, March 3", D(1985, 3, 3)), ("it is 1985 march the third", D(1985, 3, 3)),
    ("my birthday is march third and i was born in 1985", D(1985, 3, 3)),
    ("three three eighty five", D(1985, 3, 3)), ("three, three, eighty-five", D(1985, 3, 3)),
    ("oh three oh three eighty five", D(1985, 3, 3)), ("three slash three slash eighty five", D(1985, 3, 3)),
    ("twelve twenty four nineteen ninety", D(1990, 12, 24)), ("3 3 85", D(1985, 3, 3)),
    ("123185", D(1985, 12, 31)),
    # As whisper writes them on the phone line: "three three eighty five" as "3, 3, 8, 5."; "85, March 3rd".
    ("3, 3, 8, 5.", D(1985, 3, 3)), ("3 3 8 5 please", D(1985, 3, 3)), ("85, March 3rd", D(1985, 3, 3)),
    ("eighty five, march third", D(1985, 3, 3)),
]
EN_NOT_DATES = [
    "", "hello", "may i help you", "march", "yes", "two large pepperoni", "february 30 1985", "13/13/1990",
    "1234", "five five five one two three four", "i march on", "99999999", "two three four",
    "three three", "thirteen three eighty five", "3, 3, 8", "1 2 3 4 5",
]
KO_DATES = [
    ("1985년 3월 3일", D(1985, 3, 3)), ("85년 3월 3일", D(1985, 3, 3)),
    ("천구백팔십오년 삼월 삼일", D(1985, 3, 3)),
    ("천구백팔십오 년 삼 월 삼 일", D(1985, 3, 3)), ("1985년3월3일", D(1985, 3, 3)),
    ("1985.03.03", D(1985, 3, 3)),
    ("85.03.03", D(1985, 3, 3)), ("850303", D(1985, 3, 3)), ("19850303", D(1985, 3, 3)),
    ("1990년 12월 25일생이에요", D(1990, 12, 25)), ("생년월일은 1972년 10월 10일입니다", D(1972, 10, 10)),
    ("유월 이십일일", D(2026, 6, 21)), ("시월 십일", D(2026, 10, 10)),
    ("이천일년 구월 십일일", D(2001, 9, 11)),
    ("공일년 구월 십일일", D(2001, 9, 11)), ("3월 3일", D(2026, 3, 3)),
    ("음 팔십오년 삼월 삼일이요", D(1985, 3, 3)),
    ("2000년 1월 1일", D(2000, 1, 1)), ("내일", D(2026, 11, 30)), ("오늘", TODAY), ("모레", D(2026, 12, 1)),
    ("어제", D(2026, 11, 28)), ("금요일", D(2026, 12, 4)), ("금요일에요", D(2026, 12, 4)),
    ("1985-03-03", D(1985, 3, 3)), ("일구팔오 공삼 공삼", D(1985, 3, 3)),
    ("삼월 삼일 팔십오년", D(1985, 3, 3)),
]
KO_NOT_DATES = ["", "네", "안녕하세요", "3월", "1985년 2월 30일", "페퍼로니 두 판", "월요일 아니고요 다시"]
KO_NOT_DATES.remove("월요일 아니고요 다시")  # a weekday is a date; kept out of this list on purpose


@pytest.mark.parametrize(("text", "expected"), EN_DATES)
def test_english_dates(text: str, expected: dt.date) -> None:
    assert parse_date(text, "en", today=TODAY) == expected


@pytest.mark.parametrize("text", EN_NOT_DATES)
def test_english_non_dates(text: str) -> None:
    assert parse_date(text, "en", today=TODAY) is None


@pytest.mark.parametrize(("text", "expected"), KO_DATES)
def test_korean_dates(text: str, expected: dt.date) -> None:
    assert parse_date(text, "ko", today=TODAY) == expected


@pytest.mark.parametrize("text", KO_NOT_DATES)
def test_korean_non_dates(text: str) -> None:
    assert parse_date(text, "ko", today=TODAY) is None


def test_two_digit_years_pivot_on_today() -> None:
    assert parse_date("03/03/26", "en", today=TODAY) == D(2026, 3, 3)
    assert parse_date("03/03/27", "en", today=TODAY) == D(1927, 3, 3)
    assert parse_date("03/03/27", "en", today=D(2030, 1, 1)) == D(2027, 3, 3)


@pytest.mark.parametrize(("text", "expected"), [
    ("born march 3rd 1985, thanks", "born [date], thanks"),
    ("it is the third of march nineteen eighty five", "it is the [date]"),
    ("1985-03-03 and 03/03/85", "[date] and [date]"),
    ("dob 19850303", "dob [date]"),
    ("생일은 1985년 3월 3일 입니다", "생일은 [date] 입니다"),
    ("천구백팔십오년 삼월 삼일이요", "[date]이요"),
    ("may i help you", "may i help you"),
    ("march on", "march on"),
    ("two large pepperoni", "two large pepperoni"),
    ("call 555 1234", "call 555 1234"),
])
def test_redact_dates(text: str, expected: str) -> None:
    assert redact_dates(text) == expected


T = dt.time
EN_TIMES = [
    ("seven thirty pm", T(19, 30)), ("7:30", T(7, 30)), ("7:30 p.m.", T(19, 30)), ("7:30 PM", T(19, 30)),
    ("half past seven", T(7, 30)), ("quarter past seven", T(7, 15)), ("a quarter to eight", T(7, 45)),
    ("twenty to six", T(5, 40)), ("ten minutes past six in the evening", T(18, 10)),
    ("seven oclock", T(7, 0)),
    ("seven o'clock in the morning", T(7, 0)), ("noon", T(12, 0)), ("midnight", T(0, 0)), ("at 5", T(5, 0)),
    ("7pm", T(19, 0)), ("730 pm", T(19, 30)), ("seven oh five", T(7, 5)), ("twelve am", T(0, 0)),
    ("twelve pm", T(12, 0)), ("around eight tonight", T(20, 0)), ("seven forty five pm", T(19, 45)),
    ("19:30", T(19, 30)), ("uh six fifteen in the afternoon", T(18, 15)), ("at eleven a.m.", T(11, 0)),
    ("ten in the morning", T(10, 0)), ("i am free at twelve", T(12, 0)), ("nine", T(9, 0)),
    ("five to ten", T(9, 55)), ("half past twelve", T(12, 30)),
]
EN_TIMES += [("7.30 pm", T(19, 30)), ("At 7.30.", T(7, 30)), ("Half past 7.", T(7, 30)),
             ("at half seven", T(7, 30))]
KO_TIMES = [
    ("오후 세 시 반", T(15, 30)), ("오전 10시 30분", T(10, 30)), ("저녁 7시", T(19, 0)),
    ("세시 반", T(3, 30)),
    ("열두 시", T(12, 0)), ("아침 여덟 시", T(8, 0)), ("밤 열 시", T(22, 0)), ("정오", T(12, 0)),
    ("자정", T(0, 0)),
    ("오후 3시 15분", T(15, 15)), ("15시", T(15, 0)), ("밤 열두 시", T(0, 0)), ("낮 두 시", T(14, 0)),
    ("오후 7:30", T(19, 30)), ("일곱시 삼십분", T(7, 30)), ("세 시 십오 분", T(3, 15)),
    ("오후 한 시", T(13, 0)),
    ("새벽 두 시", T(2, 0)), ("오전 열한 시 사십오 분", T(11, 45)), ("저녁 여섯시 반쯤", T(18, 30)),
    ("음 일곱 시요", T(7, 0)), ("7시 반", T(7, 30)),
]


@pytest.mark.parametrize(("text", "expected"), EN_TIMES)
def test_english_times(text: str, expected: dt.time) -> None:
    assert parse_time(text, "en") == expected


@pytest.mark.parametrize(("text", "expected"), KO_TIMES)
def test_korean_times(text: str, expected: dt.time) -> None:
    assert parse_time(text, "ko") == expected


@pytest.mark.parametrize(("text", "language"), [
    ("", "en"), ("nothing", "en"), ("yes", "en"), ("the pepperoni", "en"), ("forty seven", "en"),
    ("", "ko"), ("안녕하세요", "ko"), ("다시요", "ko"), ("네", "ko"), ("페퍼로니 두 판", "ko"),
])
def test_no_time(text: str, language: str) -> None:
    assert parse_time(text, language) is None


def test_a_two_digit_number_away_from_the_date_is_no_year() -> None:
    """Only a year said in full counts away from the month and day: "I'm eighty five" is an age."""
    assert parse_date("march third, i am eighty five", "en", today=TODAY) == D(2026, 3, 3)


@pytest.mark.parametrize("text", ["um, march, uh, third, 1985", "three three eighty five",
                                  "twelve twenty four nineteen ninety"])
def test_dates_said_with_hesitations_or_as_numbers_are_masked(text: str) -> None:
    assert "[date]" in redact_dates(text)
    assert not any(word in redact_dates(text) for word in ("third", "eighty", "ninety"))


@pytest.mark.parametrize(("text", "language", "month_day"), [
    ("march third", "en", (3, 3)), ("the third of March.", "en", (3, 3)), ("3 march", "en", (3, 3)),
    ("Um, February 29th.", "en", (2, 29)), ("삼월 삼일이요", "ko", (3, 3)), ("3월 3일", "ko", (3, 3)),
    ("march third 1985", "en", None), ("1985, March 3rd", "en", None), ("03/03/1985", "en", None),
    ("three three eighty five", "en", None), ("tomorrow", "en", None), ("February 30th", "en", None),
    ("1985년 3월 3일", "ko", None), ("it's fine", "en", None),
])
def test_a_date_without_its_year(text: str, language: str, month_day: tuple[int, int] | None) -> None:
    assert date_without_year(text, language) == month_day


@pytest.mark.parametrize(("text", "language", "year"), [
    ("1985", "en", 1985), ("Nineteen eighty-five.", "en", 1985), ("eighty five", "en", 1985),
    ("In 85.", "en", 1985), ("I was born in 1985.", "en", 1985), ("nineteen oh five", "en", 1905),
    ("85년생이에요", "ko", 1985), ("천구백팔십오년이요", "ko", 1985), ("1985요", "ko", 1985),
    ("팔오년", "ko", 1985),
    ("three", "en", None), ("three, 1985", "en", None), ("2030", "en", None), ("1899", "en", None),
    ("삼월이요", "ko", None), ("yes", "en", None),
])
def test_a_year_said_alone(text: str, language: str, year: int | None) -> None:
    assert year_alone(text, language, today=TODAY) == year
