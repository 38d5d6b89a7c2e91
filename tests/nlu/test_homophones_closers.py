"""Phone-line words: numbers heard as homophones, callers saying they are done, "both large", agents."""

from __future__ import annotations

import pytest

from voicebot.nlu.catalogue import Catalogue
from voicebot.nlu.closer import closer_phrases, is_closer, says_closer
from voicebot.nlu.digits import parse_digits
from voicebot.nlu.homophones import with_number_homophones
from voicebot.nlu.intents import Intent, detect_global_intent
from voicebot.nlu.numbers import parse_number
from voicebot.nlu.order import OrderLine, parse_order_lines
from voicebot.nlu.phone import parse_phone


@pytest.mark.parametrize(("heard", "number"), [
    ("for", 4), ("For.", 4), ("fore", 4), ("to", 2), ("Too.", 2), ("won", 1), ("ate", 8), ("tree", 3),
    ("free", 3), ("nein", 9), ("I'd say for.", 4), ("uh, ate", 8), ("for out of five", 4),
    ("maybe a tree", 3), ("go for five", 5), ("four", 4), ("i would give it a for", 4), ("For sure", None),
])
def test_a_number_asked_for_reads_homophones(heard: str, number: int | None) -> None:
    assert parse_number(with_number_homophones(heard, "en"), "en") == number


@pytest.mark.parametrize("heard", [
    "not too bad", "it was too slow", "I want to stop", "free pizza", "for the love of god", "I won a prize",
])
def test_homophones_in_a_sentence_keep_their_meaning(heard: str) -> None:
    assert with_number_homophones(heard, "en") == heard


def test_without_being_asked_homophones_are_no_numbers() -> None:
    assert parse_number("for", "en") is None
    assert parse_digits("five five five one to three for", "en") == "5551"


@pytest.mark.parametrize(("heard", "digits"), [
    ("five five five one to three for", "5551234"),
    ("for five five, won two tree four", "455 1234".replace(" ", "")),
    ("five five five oh ate nein to", "5550892"),
    ("nine won won", "911"),
])
def test_digit_strings_asked_for_read_homophones(heard: str, digits: str) -> None:
    assert parse_digits(heard, "en", homophones=True) == digits


@pytest.mark.parametrize(("heard", "phone"), [
    ("five five five one to three for five six seven", "5551234567"),
    ("send it to five five five one two three four", "5551234"),
    ("five five five one two three four for delivery", "5551234"),
    ("my number is five five five, oh one to, three for five six", "5550123456"),
])
def test_phone_numbers_asked_for_read_homophones(heard: str, phone: str) -> None:
    assert parse_phone(heard, "en", homophones=True) == phone


@pytest.mark.parametrize(("heard", "score"), [
    ("다섯 점", 5), ("5점", 5), ("오 점", 5), ("오점", 5), ("네 개", 4), ("사 점", 4), ("넷", 4), ("삼점", 3),
    ("다섯점이요", 5), ("한 개", 1), ("두 개요", 2), ("세 개", 3), ("5점 만점에 4점", 4),
])
def test_korean_scores_from_one_to_five(heard: str, score: int) -> None:
    assert parse_number(heard, "ko") == score


@pytest.mark.parametrize(("text", "language"), [
    ("that's all", "en"), ("No, that's it.", "en"), ("nothing else", "en"), ("Nothing else, thanks.", "en"),
    ("that's all for now, thank you", "en"), ("no thanks", "en"), ("I'm good", "en"), ("nope", "en"),
    ("no", "en"), ("that'll be all", "en"), ("그게 다예요", "ko"), ("없어요", "ko"), ("이상입니다", "ko"),
    ("아니요 없어요", "ko"),
    ("됐어요", "ko"), ("네 그게 다예요", "ko"), ("더 없습니다", "ko"), ("아니요", "ko"),
    ("다른 건 필요 없어요", "ko"), ("아니요 다른 거 필요 없어요", "ko"), ("그걸로 주세요", "ko"),
    ("이게 끝이에요", "ko"), ("네 이걸로 할게요", "ko"), ("그거면 충분합니다", "ko"), ("주문 끝", "ko"),
    ("that's all, bye", "en"), ("No, that's it, thanks, goodbye.", "en"), ("그게 다예요 안녕히 계세요", "ko"),
    ("특별히 없어요", "ko"), ("딱히 없어요 감사합니다", "ko"), ("no comment", "en"), ("nothing to add", "en"),
])
def test_closers(text: str, language: str) -> None:
    assert is_closer(text, language)
    assert says_closer(text, language) or text.lower() in ("no", "nope", "아니요")


@pytest.mark.parametrize(("text", "language"), [
    ("the technician was great, that's all", "en"), ("a coke and that's all", "en"), ("that's not all", "en"),
    ("yes", "en"), ("12 main street", "en"), ("no, two large pepperoni", "en"), ("네", "ko"),
    ("콜라 하나요 그게 다예요", "ko"), ("기사님이 친절했어요", "ko"), ("아니요 불고기요", "ko"),
    ("별로 안 좋았어요", "ko"),
    # A goodbye alone or with an okay is no closer: it may mean "end the call".
    ("bye", "en"), ("Goodbye.", "en"), ("okay, bye", "en"), ("thanks, bye", "en"), ("안녕히 계세요", "ko"),
])
def test_not_a_whole_closer(text: str, language: str) -> None:
    assert not is_closer(text, language)


def test_every_listed_closer_is_a_closer() -> None:
    for language in ("en", "ko"):
        phrases = closer_phrases(language)
        assert len(phrases) > 20
        assert all(is_closer(p, language) for p in phrases)


def test_a_closer_said_after_an_order() -> None:
    assert says_closer("and a coke, that's all", "en")
    assert says_closer("콜라 하나요 그게 다예요", "ko")
    assert not says_closer("that's not all", "en")


ITEMS = Catalogue({"pepperoni": ["페퍼로니"], "vegetarian": ["veggie", "야채"], "bulgogi": ["불고기"]})
SIZES = Catalogue({"large": ["big", "라지"], "medium": ["regular", "레귤러"], "small": ["스몰"]})


@pytest.mark.parametrize(("text", "language", "lines"), [
    ("a pepperoni and a veggie, both large", "en", [("pepperoni", "large"), ("vegetarian", "large")]),
    ("both large, a pepperoni and a veggie", "en", [("pepperoni", "large"), ("vegetarian", "large")]),
    ("a pepperoni and a veggie, large for both", "en", [("pepperoni", "large"), ("vegetarian", "large")]),
    ("a pepperoni and a veggie, all large", "en", [("pepperoni", "large"), ("vegetarian", "large")]),
    ("a small pepperoni and a veggie, both large", "en", [("pepperoni", "small"), ("vegetarian", "large")]),
    ("a small pepperoni and a large veggie", "en", [("pepperoni", "small"), ("vegetarian", "large")]),
    ("페퍼로니 한 판이랑 불고기 한 판, 둘 다 라지로", "ko", [("pepperoni", "large"), ("bulgogi", "large")]),
    ("페퍼로니랑 불고기 다 라지로 주세요", "ko", [("pepperoni", "large"), ("bulgogi", "large")]),
    ("페퍼로니 라지 한 판이랑 불고기 한 판", "ko", [("pepperoni", "large"), ("bulgogi", None)]),
])
def test_a_size_said_for_every_item(text: str, language: str, lines: list[tuple[str, str | None]]) -> None:
    assert parse_order_lines(text, ITEMS, SIZES, language) == [OrderLine(n, s, 1) for n, s in lines]


@pytest.mark.parametrize("text", [
    "사람이랑 통화하고 싶어요", "사람하고 얘기하고 싶어요", "직원 바꿔 주세요", "직원 바꿔주세요",
    "상담원 연결해 주세요", "사람 좀 바꿔 주세요", "사람 바꿔줘", "사람이랑 통화할게요",
    "그냥 사람이랑 통화할래요", "사람과 통화하고 싶어요",
    "매장 직원이랑 통화하고 싶어요", "상담사랑 통화하고 싶어요",
    "매니저 바꿔 주세요", "직원분 바꿔 주세요", "사람 좀 연결해 주세요", "사람이랑 얘기할래요",
    "사람이랑 통화할 수 있어요?", "기계 말고 사람이요", "자동 응답 말고 사람이랑 통화할게요",
])
def test_more_korean_agent_requests(text: str) -> None:
    found = detect_global_intent(text, "ko")
    assert found is not None and found.name is Intent.AGENT


@pytest.mark.parametrize("text", ["사람 두 명이요", "상담원 말고 그냥 주문할게요", "그 사람이 친절했어요",
                                  "매니저 말고 그냥 주문할게요", "사람이 얘기할 때 친절했어요",
                                  "사람이 통화할 수 없었어요"])
def test_people_in_an_answer_are_no_agent_request(text: str) -> None:
    found = detect_global_intent(text, "ko")
    assert found is None or found.name is not Intent.AGENT
