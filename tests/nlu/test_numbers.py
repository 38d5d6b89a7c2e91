"""Numbers said by callers, English and Korean, as speech-to-text writes them."""

from __future__ import annotations

import pytest

from voicebot.nlu.numbers import find_numbers, parse_number, parse_sino_korean

EN_SINGLE = [
    ("two", 2), ("Two.", 2), ("one", 1), ("zero", 0), ("ten", 10), ("twelve", 12), ("nineteen", 19),
    ("twenty", 20), ("twenty five", 25), ("twenty-five", 25), ("forty two", 42), ("fourty two", 42),
    ("ninety nine", 99), ("a hundred", 100), ("one hundred", 100), ("two hundred and ten", 210),
    ("two hundred ten", 210), ("three hundred", 300), ("nine hundred ninety nine", 999),
    ("one thousand", 1000), ("a thousand", 1000), ("two thousand and five", 2005),
    ("one thousand two hundred", 1200), ("twelve hundred", 1200), ("three million", 3_000_000),
    ("25", 25), ("3", 3), ("1,000", 1000), ("2.5", 2.5), ("two point five", 2.5), ("seven point oh", 7),
    ("three and a half", 3.5), ("4 and a half", 4.5),
    ("a couple of", 2), ("a couple", 2), ("couple of pizzas", 2), ("a pair of cokes", 2), ("a dozen", 12),
    ("half a dozen", 6), ("dozen", 12), ("uh two", 2), ("um, twenty five please", 25),
    ("i'd like three", 3), ("just one", 1), ("one please", 1), ("maybe four", 4), ("five of them", 5),
    ("make it six", 6), ("eight hundred", 800), ("5 hundred", 500), ("2 thousand", 2000),
    ("four out of five", 4), ("i would say 9 out of 10", 9), ("the third", 3), ("3rd", 3),
    ("twenty third", 23), ("the first one", 1), ("fifth", 5), ("twelfth", 12), ("thirtieth", 30),
    ("eleven", 11), ("sixty", 60), ("seventy seven", 77), ("eighty", 80), ("nought", 0), ("Naught.", 0),
    ("nil", 0),
]
EN_NONE = [
    "", "no", "a pizza", "a large pepperoni", "an extra large", "no one", "that one", "the one on the left",
    "which one", "someone", "anyone", "everyone", "one another", "two or three", "between five and ten",
    "nothing", "none", "hello", "i don't know", "ones", "often", "tone", "money", "eighteenth century",
]
# Asking to hold on is no number: "one moment please" is no score of 1, "wait a second" none of 2.
EN_NONE += ["one moment please", "wait a second", "one second", "hold on one second", "one sec",
            "give me one minute", "just a second", "1 minute"]
EN_SINGLE += [("one second, I'd say four", 4), ("four, one second", 4), ("the second of July", 2),
              ("July second", 2), ("two minutes", 2)]
EN_NONE.remove("eighteenth century")  # an ordinal is a number: kept out of the none list on purpose

KO_SINGLE: list[tuple[str, int | None]] = [
    ("이십오", 25), ("삼", 3), ("오", 5), ("십", 10), ("십이", 12), ("백", 100), ("천", 1000), ("만", 10000),
    ("이백십", 210), ("천구백팔십오", 1985), ("이천이십육", 2026), ("삼만 원", 30000), ("오십", 50),
    ("하나", 1), ("둘", 2), ("셋", 3), ("넷", 4), ("다섯", 5), ("여섯", 6), ("일곱", 7), ("여덟", 8),
    ("아홉", 9),
    ("열", 10), ("스물", 20), ("서른", 30), ("마흔", 40), ("쉰", 50), ("열하나", 11), ("열둘", 12),
    ("스물다섯", 25), ("스물 다섯", 25), ("열 두 개", 12), ("이십 오", 25),
    ("두 판", 2), ("세 개", 3), ("다섯 명", 5), ("한 판", 1), ("열두 개", 12), ("3개", 3), ("3 개", 3),
    ("두판", 2), ("세개요", 3), ("네 개", 4), ("네 개요", 4), ("한 잔", 1), ("두 병", 2), ("스무 개", 20),
    ("스무 명", 20), ("둘이요", 2), ("하나요", 1), ("셋이요", 3), ("다섯 개 주세요", 5), ("음 두 판이요", 2),
    ("세 명이에요", 3), ("열 명", 10), ("일곱 마리", 7), ("2판", 2), ("10개", 10), ("25", 25),
    ("삼 인분", 3), ("삼인분", 3), ("오 점", 5), ("5점", 5), ("이 번", 2), ("일 층", 1), ("구", 9),
    ("두 개 주세요", 2), ("피자 한 판", 1), ("콜라 두 병이랑", 2), ("만 원", 10000), ("2만", 20000),
    ("3천 원", 3000), ("석 잔", 3), ("넉 잔", 4), ("여덟 개", 8), ("아홉 명", 9),
]
KO_SINGLE += [
    ("5점 만점에 4점", 4), ("오 점 만점에 사 점", 4), ("십 점 만점에 구 점이요", 9), ("이번 주에 두 판", 2),
    ("이번에는 세 개", 3), ("만점이요", None), ("이쪽으로 주세요", None),
]
KO_NONE = [
    "", "네", "네 맞아요", "한국", "세트", "이사", "오늘", "사과", "일", "페퍼로니", "그 사람", "이 피자",
    "구워 주세요",
    "하나 둘 셋", "두 개 아니면 세 개", "천사", "안녕하세요", "다시요", "열어 주세요",
]
# Asking to hold on or to hear it again: no score of 1 ("한 번 방문했어요", once, still is 1).
KO_NONE += ["일 분만 기다려 주세요", "일 초만요", "한 번만 더 말해 주세요", "한 번 더요", "1분만요"]
KO_SINGLE += [("세 번 방문했어요", 3), ("한 번이요", 1), ("오 분 걸렸어요", 5)]
KO_NONE.remove("천사")  # 1004 in sino-Korean: ambiguous by nature, not asserted either way
KO_NONE.remove("일")  # a lone "일" is one when it is the whole answer


@pytest.mark.parametrize(("text", "expected"), EN_SINGLE)
def test_parse_number_english(text: str, expected: int | float | None) -> None:
    assert parse_number(text, "en") == expected


@pytest.mark.parametrize("text", EN_NONE)
def test_no_number_in_english(text: str) -> None:
    assert parse_number(text, "en") is None


@pytest.mark.parametrize(("text", "expected"), KO_SINGLE)
def test_parse_number_korean(text: str, expected: int | None) -> None:
    assert parse_number(text, "ko") == expected


@pytest.mark.parametrize("text", KO_NONE)
def test_no_number_in_korean(text: str) -> None:
    assert parse_number(text, "ko") is None


def test_lone_korean_one_is_one() -> None:
    assert parse_number("일", "ko") == 1
    assert parse_number("일 해요", "ko") is None  # "일" in a sentence is work/day


@pytest.mark.parametrize(("text", "values"), [
    ("two large pepperoni and a small veggie", [2]),
    ("three pepperonis and two cokes", [3, 2]),
    ("five five five one two three four", [5, 5, 5, 1, 2, 3, 4]),
    ("nineteen eighty five", [19, 85]),
    ("twenty twenty five", [20, 25]),
    ("one margherita and one hawaiian", [1, 1]),
    ("no one wants one", [1]),
    ("i need 2 large and 3 small", [2, 3]),
    ("a hundred and twenty", [120]),
    ("march third", [3]),
])
def test_find_numbers_english(text: str, values: list[int]) -> None:
    assert [m.value for m in find_numbers(text, "en")] == values


@pytest.mark.parametrize(("text", "values"), [
    ("페퍼로니 라지 두 판이랑 불고기 한 판", [2, 1]),
    ("콜라 세 개하고 사이다 두 개", [3, 2]),
    ("하나 둘 셋", [1, 2, 3]),
    ("천구백팔십오년 삼월 삼일", [1985, 3, 3]),
    ("1985년 3월 3일", [1985, 3, 3]),
    ("열두 개랑 스물 다섯 개", [12, 25]),
    ("네 맞아요 두 판이요", [2]),
])
def test_find_numbers_korean(text: str, values: list[int]) -> None:
    assert [m.value for m in find_numbers(text, "ko")] == values


@pytest.mark.parametrize(("text", "language", "spans"), [
    ("I want twenty five pizzas", "en", ["twenty five"]),
    ("two large and a couple of cokes", "en", ["two", "a couple of"]),
    ("the 3rd of March", "en", ["3rd"]),
    ("Two hundred and ten, please", "en", ["Two hundred and ten"]),
    ("페퍼로니 두 판이랑 콜라 3개", "ko", ["두", "3"]),
    ("스물 다섯 명", "ko", ["스물 다섯"]),
    ("3만원", "ko", ["3만"]),
])
def test_spans_point_into_the_original_text(text: str, language: str, spans: list[str]) -> None:
    found = find_numbers(text, language)
    assert [m.text for m in found] == spans
    assert all(text[m.start:m.end] == m.text for m in found)


def test_ordinals_are_marked() -> None:
    third, plain = find_numbers("the third and 4", "en")
    assert third.ordinal and not plain.ordinal


@pytest.mark.parametrize(("word", "value"), [
    ("일", 1), ("십", 10), ("십일", 11), ("이십", 20), ("이십오", 25), ("백", 100), ("백일", 101),
    ("삼백사십오", 345), ("천", 1000), ("천구백팔십오", 1985), ("이천", 2000), ("만", 10000),
    ("십만", 100000),
    ("백만", 1_000_000), ("일억", 100_000_000), ("영", 0), ("공", 0),
    ("일이", None), ("이사", None), ("십백", None), ("사과", None), ("", None), ("삼영", None),
])
def test_sino_korean(word: str, value: int | None) -> None:
    assert parse_sino_korean(word) == value


@pytest.mark.parametrize(("text", "value"), [
    ("two, no wait, three", 3), ("three, sorry, I mean four", 4), ("ten? no, nine", 9),
    ("five, actually six", 6), ("seven, or rather eight", 8),
])
def test_a_number_taken_back_gives_the_one_meant(text: str, value: int) -> None:
    assert parse_number(text, "en") == value


@pytest.mark.parametrize("text", ["two or three", "two, hold on, three", "one two", "four and five"])
def test_two_numbers_not_taken_back_are_no_answer(text: str) -> None:
    assert parse_number(text, "en") is None
