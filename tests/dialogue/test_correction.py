"""Corrections at a confirmation, as pure functions over the shipped pizza dialogue's slots."""

from __future__ import annotations

from pathlib import Path

from voicebot.dialogue.correction import adjust_order_line, correct, merge_order_lines
from voicebot.dialogue.loader import STEP_OPTIONS, _Builder, load_dialogue
from voicebot.dialogue.understanding import SlotReader

PIZZA = load_dialogue(Path(__file__).parents[2] / "dialogues" / "pizza_order.yml")
READER = SlotReader(PIZZA)
ITEMS = PIZZA.slots["items"]
TWO_LARGE = [{"name": "margherita", "size": "large", "quantity": 2}]


def test_a_bare_quantity_changes_the_only_line() -> None:
    change = correct(READER, [ITEMS], {"items": TWO_LARGE}, "no, three, not two", False)
    assert change == ("items", [{"name": "margherita", "size": "large", "quantity": 3}])


def test_the_old_quantity_picks_the_line() -> None:
    lines = [*TWO_LARGE, {"name": "pepperoni", "size": "small", "quantity": 1}]
    assert adjust_order_line(READER, ITEMS, lines, "three", "one") == [
        TWO_LARGE[0],
        {"name": "pepperoni", "size": "small", "quantity": 3},
    ]
    assert adjust_order_line(READER, ITEMS, lines, "three", None) is None  # which line?


def test_an_item_named_again_replaces_its_line_and_leaves_the_input_alone() -> None:
    merged = merge_order_lines(READER, ITEMS, TWO_LARGE, "one margherita")
    assert merged == [{"name": "margherita", "size": "large", "quantity": 1}]
    assert TWO_LARGE[0]["quantity"] == 2


def test_a_plain_yes_changes_nothing() -> None:
    assert correct(READER, [ITEMS], {"items": TWO_LARGE}, "yes", True) is None
    assert correct(READER, [], {"items": TWO_LARGE}, "no, three, not two", False) is None


def test_every_step_kind_has_a_builder() -> None:
    builder = _Builder(None, "", None)  # type: ignore[arg-type]  # the builders need no document
    assert set(builder.step_builders) == set(STEP_OPTIONS)


def test_an_item_named_with_its_new_size_keeps_its_quantity() -> None:
    # "make the pepperoni a medium" once read as one medium pepperoni: two large became one.
    lines = [
        {"name": "pepperoni", "size": "large", "quantity": 2},
        {"name": "vegetarian", "size": "small", "quantity": 1},
    ]
    change = correct(READER, [ITEMS], {"items": lines}, "make the pepperoni a medium", None)
    assert change == ("items", [{"name": "pepperoni", "size": "medium", "quantity": 2}, lines[1]])
    change = correct(READER, [ITEMS], {"items": lines}, "change the veggie to three", None)
    assert change == ("items", [lines[0], {"name": "vegetarian", "size": "small", "quantity": 3}])


def test_an_item_swapped_for_another_takes_its_size_and_quantity() -> None:
    lines = [{"name": "pepperoni", "size": "large", "quantity": 2}]
    swapped = [{"name": "hawaiian", "size": "large", "quantity": 2}]
    assert correct(READER, [ITEMS], {"items": lines}, "switch my pepperoni to a hawaiian", None) == (
        "items",
        swapped,
    )
    assert correct(READER, [ITEMS], {"items": lines}, "a hawaiian, not the pepperoni", None) == (
        "items",
        swapped,
    )
    said = correct(READER, [ITEMS], {"items": lines}, "make the pepperoni one small hawaiian", None)
    assert said == ("items", [{"name": "hawaiian", "size": "small", "quantity": 1}])


def test_make_the_something_else_changes_no_pizza() -> None:
    lines = [{"name": "pepperoni", "size": "large", "quantity": 2}]
    assert correct(READER, [ITEMS], {"items": lines}, "make the delivery at six", None) is None


def test_korean_item_named_with_its_new_size() -> None:
    pizza_ko = load_dialogue(Path(__file__).parents[2] / "dialogues" / "pizza_order_ko.yml")
    reader, items = SlotReader(pizza_ko), pizza_ko.slots["items"]
    lines = [{"name": "pepperoni", "size": "large", "quantity": 2}]
    assert correct(reader, [items], {"items": lines}, "페퍼로니를 레귤러로 바꿔 주세요", None) == (
        "items",
        [{"name": "pepperoni", "size": "medium", "quantity": 2}],
    )
    assert correct(reader, [items], {"items": lines}, "페퍼로니 말고 불고기로 해 주세요", None) == (
        "items",
        [{"name": "bulgogi", "size": "large", "quantity": 2}],
    )


def test_a_misheard_item_with_a_size_changes_the_only_line() -> None:
    # eSpeak's "actually, make the pepperoni a medium" on the phone line: "actually make the Moronia medium".
    lines = [{"name": "pepperoni", "size": "large", "quantity": 2}]
    assert correct(READER, [ITEMS], {"items": lines}, "actually make the Moronia medium", None) == (
        "items",
        [{"name": "pepperoni", "size": "medium", "quantity": 2}],
    )
