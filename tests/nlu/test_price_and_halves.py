"""A price asked at an order ("how much is a large pepperoni?") and half-and-half pizzas."""

from __future__ import annotations

from pathlib import Path

import pytest

from voicebot.dialogue.loader import load_dialogue
from voicebot.dialogue.model import CatalogueEntry, CatalogueSpec
from voicebot.dialogue.render import format_price_quote
from voicebot.dialogue.understanding import SlotReader
from voicebot.nlu.intents import price_question_start
from voicebot.nlu.order import half_and_half, item_question

DIALOGUES = Path(__file__).resolve().parents[2] / "dialogues"


@pytest.mark.parametrize(("text", "language", "before"), [
    ("How much is a large pepperoni?", "en", ""), ("What does the veggie cost?", "en", ""),
    ("what's the price of a hawaiian", "en", ""), ("two large pepperoni, what is the price?", "en",
                                                  "two large pepperoni, "),
    ("how long will it take", "en", None), ("I want two large pepperoni", "en", None),
    ("페퍼로니 라지는 얼마예요?", "ko", ""), ("가격이 어떻게 돼요?", "ko", ""),
    ("얼마나 걸려요?", "ko", None), ("불고기 두 판 주세요, 얼마예요?", "ko", None),
])
def test_where_a_price_question_starts(text: str, language: str, before: str | None) -> None:
    start = price_question_start(text, language)
    assert (None if start is None else text[:start]) == before


MENU = CatalogueSpec("menu", (CatalogueEntry("pepperoni", prices=(("small", 11.0), ("large", 17.0))),
                              CatalogueEntry("soda", price=2.5), CatalogueEntry("special")))
SIZES = CatalogueSpec("sizes", (CatalogueEntry("small"), CatalogueEntry("large")))


@pytest.mark.parametrize(("lines", "quote"), [
    ([{"name": "pepperoni", "size": "large", "quantity": 1}], "One large pepperoni is $17."),
    ([{"name": "pepperoni", "size": "large", "quantity": 2}], "Two large pepperoni are $34."),
    ([{"name": "pepperoni", "size": None, "quantity": 1}], "One pepperoni is $11 small or $17 large."),
    ([{"name": "soda", "size": None, "quantity": 1}], "One soda is $2.50."),
    ([{"name": "special", "size": None, "quantity": 1}], None),  # no price on the menu: nothing said
])
def test_a_price_quote(lines: list[dict[str, object]], quote: str | None) -> None:
    assert format_price_quote(lines, MENU, SIZES, "en", "USD", None) == quote


def test_a_korean_price_quote_takes_its_particle() -> None:
    line = [{"name": "pepperoni", "size": "large", "quantity": 1}]
    assert format_price_quote(line, MENU, SIZES, "ko", "KRW", "판") == "pepperoni large 한 판은 17원입니다."
    assert format_price_quote(line, MENU, SIZES, "ko", "KRW", "개").startswith("pepperoni large 한 개는")


@pytest.mark.parametrize(("text", "language", "half"), [
    ("half pepperoni half veggie", "en", True), ("a large half and half, pepperoni and hawaiian", "en", True),
    ("half a dozen pepperoni", "en", False), ("two and a half pizzas", "en", False),
    ("페퍼로니 불고기 반반으로 주세요", "ko", True), ("반은 페퍼로니 반은 불고기요", "ko", True),
    ("페퍼로니 두 판", "ko", False),
])
def test_half_and_half(text: str, language: str, half: bool) -> None:
    assert half_and_half(text, language) is half


@pytest.mark.parametrize(("text", "language", "asked"), [
    ("do you have pepperoni?", "en", ("have", "")), ("Um, do you have hawaiian?", "en", ("have", "Um, ")),
    ("is the hawaiian any good?", "en", ("about", "")), ("what's on the veggie?", "en", ("about", "")),
    ("two pepperoni, is the veggie good?", "en", ("about", "two pepperoni, ")),
    # An order's words make it an order, a question mark or not.
    ("can I get two large pepperoni?", "en", None), ("do you have pepperoni? I'll take two", "en", None),
    ("how about a large pepperoni", "en", None), ("Large pepperoni?", "en", None),
    ("two large pepperoni", "en", None), ("a large pepperoni please", "en", None),
    ("페퍼로니 있어요?", "ko", ("have", "")), ("불고기 피자에 뭐 들어가요?", "ko", ("about", "")),
    ("페퍼로니 있어요? 그걸로 주세요", "ko", None), ("페퍼로니 라지 두 판이요", "ko", None),
])
def test_a_question_about_menu_items(text: str, language: str, asked: tuple[str, str] | None) -> None:
    found = item_question(text, language)
    assert (None if found is None else (found[0], text[:found[1]])) == asked


@pytest.mark.parametrize(("text", "language", "off"), [
    ("a large pepperoni and a coke", "en", True), ("a large pepperoni with extra cheese", "en", True),
    ("two large pepperoni and garlic bread", "en", True), ("an extra large pepperoni", "en", True),
    ("a gluten free veggie", "en", True), ("a large margherita with extra pepperoni", "en", True),
    ("two large pepperoni and a large hawaiian", "en", False),
    ("two large pepperoni and that's it", "en", False),
    ("a large pepperoni for me and my wife", "en", False), ("two large pepperoni and two more", "en", False),
    ("a pepperoni and a veggie, both large", "en", False), ("Two large pepperoni, nice oil", "en", False),
    # a size names no thing: what follows it does (whisper's "plus a large wine" for "a large hawaiian")
    ("yes, plus a large wine", "en", True), ("two large pepperoni and a large please", "en", False),
    ("and a large hawaiian", "en", False),
    ("페퍼로니 라지 한 판이랑 콜라 하나요", "ko", True), ("페퍼로니 라지 한 판 치즈 추가요", "ko", True),
    ("불고기 라지 한 판 양파 빼고요", "ko", True), ("페퍼로니는 빼 주세요", "ko", False),
    ("불고기 레귤러 한 판하고 포테이토 라지 한 판", "ko", False),
    # Korean "추가" after a count, a size or "더" adds a pizza; after a pizza named before it, it tops one.
    ("페퍼로니 한 판 추가요", "ko", False), ("한 판 더 추가해 주세요", "ko", False),
    ("불고기 라지 추가요", "ko", False),
    ("페퍼로니 라지 한 판 치즈 추가요", "ko", True),
])
def test_what_the_menu_does_not_have(text: str, language: str, off: bool) -> None:
    name = "pizza_order" if language == "en" else "pizza_order_ko"
    reader = SlotReader(load_dialogue(DIALOGUES / f"{name}.yml"))
    assert reader.asks_off_menu(reader.dialogue.slots["items"], text) is off


@pytest.mark.parametrize(("text", "off"), [
    ("yes, no onions please", True), ("yes but no olives", True), ("yeah and no pineapple", True),
    ("yes, no problem", False), ("yes no", False), ("yes, no, wait", False), ("no onions", False),
    ("yes, no thanks", False),
])
def test_a_yes_without_something_at_the_read_back(text: str, off: bool) -> None:
    """ "Yes, no onions please" was heard as a no, and the order started over."""
    reader = SlotReader(load_dialogue(DIALOGUES / "pizza_order.yml"))
    assert reader.asks_off_menu(reader.dialogue.slots["items"], text, after_yes=True) is off


@pytest.mark.parametrize(("text", "language", "open_choice"), [
    ("a large or a small pepperoni", "en", True), ("a pepperoni or a hawaiian, I don't mind", "en", True),
    ("페퍼로니 라지 아니면 레귤러요", "ko", True),
    ("a large pepperoni and a small hawaiian", "en", False),
    ("two large pepperoni or actually three", "en", False),
    ("a large pepperoni or two", "en", False),
])
def test_an_order_not_yet_chosen(text: str, language: str, open_choice: bool) -> None:
    name = "pizza_order" if language == "en" else "pizza_order_ko"
    reader = SlotReader(load_dialogue(DIALOGUES / f"{name}.yml"))
    assert (reader.order_lines(reader.dialogue.slots["items"], text) == []) is open_choice
