"""Items taken off an order ("cancel the pepperoni", "페퍼로니는 빼 주세요"), and the words left to add."""

from __future__ import annotations

import pytest

from tests.nlu.test_catalogue_order import ITEMS, SIZES
from voicebot.nlu.removal import Removal, find_removal


@pytest.mark.parametrize(("text", "items", "rest"), [
    ("actually cancel the pepperoni", {"pepperoni": None}, "actually"),
    ("actually cancelled the pepperoni", {"pepperoni": None}, "actually"),  # as whisper writes it
    ("cancel one of the pepperonis", {"pepperoni": 1}, ""),
    ("can you take off one pepperoni please", {"pepperoni": 1}, "can you"),
    ("take the pepperoni off", {"pepperoni": None}, ""),
    ("leave the veggie out", {"vegetarian": None}, ""),
    ("remove the large pepperoni and add a small veggie", {"pepperoni": None}, "add a small veggie"),
    ("get rid of the veggie and the hawaiian", {"vegetarian": None, "hawaiian": None}, ""),
    ("I don't want pepperoni, I want a veggie", {"pepperoni": None}, "I , I want a veggie"),
    ("forget the coke", {"coke": None}, ""),
    ("페퍼로니는 빼 주세요", {"pepperoni": None}, ""),
    ("페퍼로니 한 판 취소해 주세요", {"pepperoni": 1}, ""),
    ("페퍼로니 빼고 불고기 두 판", {"pepperoni": None}, "불고기 두 판"),
    ("페퍼로니랑 불고기 빼 주세요", {"pepperoni": None, "bulgogi": None}, ""),
    ("콜라 취소요", {"coke": None}, ""),
])
def test_a_removal_names_its_items_and_leaves_the_rest(
    text: str, items: dict[str, int | None], rest: str
) -> None:
    language = "ko" if any("가" <= c <= "힣" for c in text) else "en"
    assert find_removal(text, ITEMS, SIZES, language) == Removal(items, rest)


@pytest.mark.parametrize("text", [
    "cancel", "cancel the order", "cancel my order",  # the call's cancel: no item named
    "take a large pepperoni", "I'll take two large pepperoni",  # "take" without "off" orders
    "don't cancel the pepperoni", "two large pepperoni", "no, pepperoni",
    "a large pepperoni without onions",
    "취소해 주세요", "페퍼로니 두 판", "주문 취소할게요",
])
def test_no_item_taken_off(text: str) -> None:
    language = "ko" if any("가" <= c <= "힣" for c in text) else "en"
    assert find_removal(text, ITEMS, SIZES, language) is None
