"""Menu lookups and order lines, English and Korean, with speech-to-text misspellings."""

from __future__ import annotations

import itertools

import pytest

from voicebot.nlu.catalogue import Catalogue
from voicebot.nlu.order import (
    CountFirst,
    OrderLine,
    count_first,
    more_of_the_same,
    parse_order_lines,
    with_count_first,
)

ITEMS = Catalogue({
    "pepperoni": ["pepperoni pizza", "페퍼로니", "페퍼로니 피자"],
    "vegetarian": ["veggie", "veggie pizza", "vegetarian pizza", "야채", "야채 피자", "베지"],
    "margherita": ["margarita", "margherita pizza", "마르게리타", "마르게리타 피자"],
    "hawaiian": ["hawaiian pizza", "하와이안", "하와이안 피자"],
    "bulgogi": ["bulgogi pizza", "불고기", "불고기 피자"],
    "coke": ["cola", "coca cola", "콜라"],
    "garlic bread": ["garlic bread", "갈릭 브레드", "마늘빵"],
})
SIZES = Catalogue({
    "large": ["big", "라지", "큰", "엘"],
    "medium": ["regular", "미디엄", "중간", "레귤러"],
    "small": ["little", "스몰", "작은"],
})


@pytest.mark.parametrize(("text", "value"), [
    ("pepperoni", "pepperoni"), ("Pepperoni!", "pepperoni"), ("pepperonni", "pepperoni"),
    ("peperoni", "pepperoni"), ("pepperonis", "pepperoni"), ("a pepperoni pizza please", "pepperoni"),
    ("veggie", "vegetarian"), ("the veggie one", "vegetarian"), ("vegetarian", "vegetarian"),
    ("vegitarian", "vegetarian"), ("margarita", "margherita"), ("margherita", "margherita"),
    ("margerita", "margherita"), ("hawaiian", "hawaiian"), ("hawaian", "hawaiian"), ("coke", "coke"),
    ("a coca cola", "coke"), ("two cokes", "coke"), ("garlic bread", "garlic bread"),
    ("uh garlic bred", "garlic bread"), ("bulgogi", "bulgogi"),
    ("페퍼로니", "pepperoni"), ("페퍼로니 피자", "pepperoni"), ("페퍼로니 피자 주세요", "pepperoni"),
    ("페파로니", "pepperoni"), ("페퍼로니를", "pepperoni"), ("페퍼로니요", "pepperoni"),
    ("야채 피자", "vegetarian"),
    ("베지", "vegetarian"), ("불고기 피자로 주세요", "bulgogi"), ("불고기를", "bulgogi"), ("콜라", "coke"),
    ("콜라 두 개", "coke"), ("마르게리타", "margherita"), ("마르가리타", "margherita"),
    ("하와이안 피자", "hawaiian"),
    ("마늘빵", "garlic bread"), ("페퍼로니라지", "pepperoni"),
])
def test_match_finds_the_item(text: str, value: str) -> None:
    found = ITEMS.match(text)
    assert found is not None
    assert found.value == value
    assert found.score >= 80


@pytest.mark.parametrize("text", [
    "", "a", "no", "yes", "an", "the", "nothing", "pizza", "i want a pizza", "cook", "pepper", "coat",
    "veg", "hello there", "large", "네", "아니요", "피자", "골라", "콜", "페", "사이다", "one",
])
def test_match_ignores_unrelated_words(text: str) -> None:
    assert ITEMS.match(text) is None


@pytest.mark.parametrize(("text", "value"), [
    ("large", "large"), ("a big one", "large"), ("medium", "medium"), ("regular", "medium"),
    ("small", "small"), ("smal", None), ("라지", "large"), ("큰 거", "large"), ("큰거요", None),
    ("작은", "small"), ("미디엄", "medium"), ("레귤러로", "medium"), ("no", None), ("a", None),
])
def test_short_names_need_an_exact_word(text: str, value: str | None) -> None:
    found = SIZES.match(text)
    assert (found.value if found else None) == value


def test_score_cutoff_is_respected() -> None:
    assert ITEMS.match("peperoni", score_cutoff=99) is None
    assert ITEMS.match("peperoni", score_cutoff=80) is not None


def test_find_all_is_in_text_order_without_overlaps() -> None:
    text = "a veggie pizza, two pepperoni pizzas and a coke"
    found = ITEMS.find_all(text)
    assert [m.value for m in found] == ["vegetarian", "pepperoni", "coke"]
    assert [text[m.start:m.end] for m in found] == ["veggie pizza", "pepperoni pizzas", "coke"]
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))


def test_find_all_korean_glued_words() -> None:
    text = "페퍼로니라지 두 판"
    assert [text[m.start:m.end] for m in ITEMS.find_all(text)] == ["페퍼로니"]
    assert [text[m.start:m.end] for m in SIZES.find_all(text)] == ["라지"]


def test_canonical_values_are_listed() -> None:
    assert SIZES.values == ("large", "medium", "small")


L = OrderLine
EN_ORDERS = [
    ("two large pepperoni and a small veggie", [L("pepperoni", "large", 2), L("vegetarian", "small", 1)]),
    ("one margherita", [L("margherita", None, 1)]),
    ("a margherita", [L("margherita", None, 1)]),
    ("margherita", [L("margherita", None, 1)]),
    ("uh can i get three medium pepperonis and two cokes", [L("pepperoni", "medium", 3), L("coke", None, 2)]),
    ("a large pepperoni pizza", [L("pepperoni", "large", 1)]),
    ("2 large veggie pizzas and 1 small margarita",
     [L("vegetarian", "large", 2), L("margherita", "small", 1)]),
    ("i'd like a couple of hawaiian pizzas", [L("hawaiian", None, 2)]),
    ("pepperoni large two please", [L("pepperoni", "large", 2)]),
    ("one large pepperoni one medium veggie and one small hawaiian",
     [L("pepperoni", "large", 1), L("vegetarian", "medium", 1), L("hawaiian", "small", 1)]),
    ("a big pepperonni and garlic bread", [L("pepperoni", "large", 1), L("garlic bread", None, 1)]),
    ("twelve cokes", [L("coke", None, 12)]),
    ("a large pepperoni and a small pepperoni", [L("pepperoni", "large", 1), L("pepperoni", "small", 1)]),
    ("um two uh large pepperoni", [L("pepperoni", "large", 2)]),
    ("no one wants a veggie just pepperoni", [L("vegetarian", None, 1), L("pepperoni", None, 1)]),
    ("i want two pizzas one pepperoni and one veggie", [L("pepperoni", None, 1), L("vegetarian", None, 1)]),
    ("pepperoni two and veggie three", [L("pepperoni", None, 2), L("vegetarian", None, 3)]),
    ("three cokes two pepperoni", [L("coke", None, 3), L("pepperoni", None, 2)]),
    ("i'd like one large hawaiian delivered to 48 oak avenue", [L("hawaiian", "large", 1)]),
    ("two medium margherita to 7 elm street my number is 555 222 3333", [L("margherita", "medium", 2)]),
    ("two of the large pepperoni", [L("pepperoni", "large", 2)]),
    ("pepperoni times two", [L("pepperoni", None, 2)]),
    ("nothing thanks", []),
    ("", []),
    ("yes", []),
    # a topping is no second pizza; a side said with "with" is an item
    ("a large veggie with extra pepperoni", [L("vegetarian", "large", 1)]),
    ("a veggie without pepperoni", [L("vegetarian", None, 1)]),
    ("a large veggie with no pepperoni", [L("vegetarian", "large", 1)]),
    # the same words twice over, as greedy decoding writes a turn now and then: one order
    ("a small margarita, a small margarita,", [L("margherita", "small", 1)]),
    ("a small veggie and a small veggie", [L("vegetarian", "small", 1), L("vegetarian", "small", 1)]),
    # an item taken back in the same breath is not ordered; "no onions" takes nothing back
    ("a veggie, no, a pepperoni", [L("pepperoni", None, 1)]),
    ("a large veggie, sorry, I mean a large pepperoni", [L("pepperoni", "large", 1)]),
    ("a veggie, no onions, and a pepperoni", [L("vegetarian", None, 1), L("pepperoni", None, 1)]),
    ("a pepperoni with garlic bread", [L("pepperoni", None, 1), L("garlic bread", None, 1)]),
]
KO_ORDERS = [
    ("페퍼로니 라지 두 판이랑 불고기 한 판", [L("pepperoni", "large", 2), L("bulgogi", None, 1)]),
    ("라지 페퍼로니 두 판하고 스몰 불고기 한 판", [L("pepperoni", "large", 2), L("bulgogi", "small", 1)]),
    ("콜라 세 개", [L("coke", None, 3)]),
    ("페퍼로니 피자 2판 주세요", [L("pepperoni", None, 2)]),
    ("불고기 피자 라지로 하나 주세요", [L("bulgogi", "large", 1)]),
    ("작은 야채 피자 한 판이요", [L("vegetarian", "small", 1)]),
    ("페퍼로니 한 판", [L("pepperoni", None, 1)]),
    ("페퍼로니", [L("pepperoni", None, 1)]),
    ("음 페퍼로니 라지 하나랑 콜라 두 개요", [L("pepperoni", "large", 1), L("coke", None, 2)]),
    ("하와이안 미디엄 세 판", [L("hawaiian", "medium", 3)]),
    ("두 판 페퍼로니", [L("pepperoni", None, 2)]),
    ("마르게리타 스몰 한 판하고 마늘빵 두 개", [L("margherita", "small", 1), L("garlic bread", None, 2)]),
    ("페퍼로니라지 두 판", [L("pepperoni", "large", 2)]),
    ("큰 거로 불고기 열두 판", [L("bulgogi", "large", 12)]),
    ("두 판 페퍼로니랑 한 판 불고기", [L("pepperoni", None, 2), L("bulgogi", None, 1)]),
    ("페퍼로니 라지 한 판 마포구 월드컵로 45로 보내 주세요", [L("pepperoni", "large", 1)]),
    ("불고기 피자 라지 두 판 송파구 올림픽로 300 전화번호는 010 5555 6666이요", [L("bulgogi", "large", 2)]),
    ("페퍼로니 두 판이랑 불고기", [L("pepperoni", None, 2), L("bulgogi", None, 1)]),
    ("네", []),
    # 추가 (extra) or 많이 (lots of) after a second menu word: a topping, no second pizza
    ("페퍼로니 라지 한 판 불고기 추가요", [L("pepperoni", "large", 1)]),
    ("야채 피자 페퍼로니 많이요", [L("vegetarian", None, 1)]),
    ("야채 피자 아니 페퍼로니 한 판", [L("pepperoni", None, 1)]),
]


@pytest.mark.parametrize(("text", "lines"), EN_ORDERS)
def test_english_order_lines(text: str, lines: list[OrderLine]) -> None:
    assert parse_order_lines(text, ITEMS, SIZES, "en") == lines


@pytest.mark.parametrize(("text", "lines"), KO_ORDERS)
def test_korean_order_lines(text: str, lines: list[OrderLine]) -> None:
    assert parse_order_lines(text, ITEMS, SIZES, "ko") == lines


@pytest.mark.parametrize(("text", "language", "quantity", "size"), [
    ("three pizzas", "en", 3, None), ("I'd like three pizzas please", "en", 3, None),
    ("two large pizzas", "en", 2, "large"), ("a large pizza", "en", None, "large"),
    ("two large ones", "en", 2, "large"), ("large please", "en", None, "large"),
    ("피자 세 판이요", "ko", 3, None), ("라지로 두 판이요", "ko", 2, "large"), ("두 판이요", "ko", 2, None),
])
def test_a_count_said_before_the_items_is_kept(text: str, language: str, quantity: int | None,
                                               size: str | None) -> None:
    assert count_first(text, ITEMS, SIZES, language) == CountFirst(quantity, size)


@pytest.mark.parametrize("text", ["Two.", "twelve", "two large pepperoni", "twelve main street",
                                  "two and three pizzas", "a small and a large pizza", "hello"])
def test_no_count_first_where_an_item_is_named_or_nothing_says_an_order(text: str) -> None:
    """A lone number may be a misheard word: without "pizzas", "ones" or a size it counts nothing."""
    assert count_first(text, ITEMS, SIZES, "en") is None


@pytest.mark.parametrize(("first", "text", "lines"), [
    ("three pizzas", "pepperoni", [OrderLine("pepperoni", None, 3)]),
    ("two large pizzas", "pepperoni", [OrderLine("pepperoni", "large", 2)]),
    ("two large pizzas", "a pepperoni and a veggie",
     [OrderLine("pepperoni", "large", 1), OrderLine("vegetarian", "large", 1)]),
    ("three pizzas", "pepperoni and two veggie",
     [OrderLine("pepperoni", None, 1), OrderLine("vegetarian", None, 2)]),
    ("three pizzas", "a pepperoni", [OrderLine("pepperoni", None, 1)]),  # "a" says one
    ("two large pizzas", "one small pepperoni", [OrderLine("pepperoni", "small", 1)]),
])
def test_the_items_named_next_take_the_count_and_size(first: str, text: str, lines: list[OrderLine]) -> None:
    said = count_first(first, ITEMS, SIZES, "en")
    assert said is not None
    assert with_count_first(parse_order_lines(text, ITEMS, SIZES, "en"), said, text, "en") == lines


def test_a_size_said_of_pizzas_before_the_items_is_every_items() -> None:
    assert parse_order_lines("two large pizzas, one pepperoni and one veggie", ITEMS, SIZES, "en") == [
        OrderLine("pepperoni", "large", 1), OrderLine("vegetarian", "large", 1)]
    assert parse_order_lines("a large pepperoni pizza and a small veggie", ITEMS, SIZES, "en") == [
        OrderLine("pepperoni", "large", 1), OrderLine("vegetarian", "small", 1)]


@pytest.mark.parametrize(("text", "language", "count"), [
    ("another one", "en", 1), ("one more please", "en", 1), ("two more", "en", 2), ("another", "en", 1),
    ("I'll have one more of those", "en", 1), ("make it two more", "en", 2),
    ("한 판 더요", "ko", 1), ("하나 더 주세요", "ko", 1), ("같은 걸로 두 판 더 주세요", "ko", 2),
])
def test_more_of_the_same(text: str, language: str, count: int) -> None:
    assert more_of_the_same(text, language) == count


@pytest.mark.parametrize(("text", "language"), [
    ("more", "en"), ("no more", "en"), ("nothing more", "en"), ("any more?", "en"),
    ("two more pizzas", "en"), ("one more pepperoni", "en"), ("더 없어요", "ko"), ("페퍼로니 한 판 더", "ko"),
])
def test_not_more_of_the_same(text: str, language: str) -> None:
    """An item named, "pizzas" (maybe other ones), a closer, or "More." alone (maybe a yes) is not."""
    assert more_of_the_same(text, language) is None


def test_a_korean_size_said_with_its_noun_keeps_the_count() -> None:
    """ "라지 사이즈로 두 판": "사이즈로" between the size and the count, as "pizzas" is in English."""
    assert parse_order_lines("불고기 피자 라지 사이즈로 두 판이요", ITEMS, SIZES, "ko") == [
        OrderLine("bulgogi", "large", 2)]


def test_two_names_of_one_item_side_by_side_are_one_pizza() -> None:
    menu = Catalogue({"margherita": ["plain", "cheese pizza"], "pepperoni": []})
    assert parse_order_lines("a plain cheese pizza", menu, SIZES, "en") == [OrderLine("margherita", None, 1)]
    assert parse_order_lines("two plain cheese pizzas and a pepperoni", menu, SIZES, "en") == [
        OrderLine("margherita", None, 2), OrderLine("pepperoni", None, 1)]


@pytest.mark.parametrize(("text", "language", "lines"), [
    ("one large pepperoni, no wait, two", "en", [OrderLine("pepperoni", "large", 2)]),
    ("one large pepperoni, sorry I mean two of them", "en", [OrderLine("pepperoni", "large", 2)]),
    ("two, no, three large pepperoni", "en", [OrderLine("pepperoni", "large", 3)]),
    ("one large pepperoni and two", "en", [OrderLine("pepperoni", "large", 1)]),  # no correction
    ("페퍼로니 라지 한 판, 아니 두 판", "ko", [OrderLine("pepperoni", "large", 2)]),
    ("two pepperoni, one large and one small", "en",
     [OrderLine("pepperoni", "large", 1), OrderLine("pepperoni", "small", 1)]),
    ("one large and one small pepperoni", "en",
     [OrderLine("pepperoni", "large", 1), OrderLine("pepperoni", "small", 1)]),
    ("a large pepperoni and a small", "en",
     [OrderLine("pepperoni", "large", 1), OrderLine("pepperoni", "small", 1)]),
    ("a large pepperoni, no, make it a small", "en", [OrderLine("pepperoni", "small", 1)]),
    ("large pepperoni, actually small", "en", [OrderLine("pepperoni", "small", 1)]),
])
def test_counts_and_sizes_said_again(text: str, language: str, lines: list[OrderLine]) -> None:
    assert parse_order_lines(text, ITEMS, SIZES, language) == lines
