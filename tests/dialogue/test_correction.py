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
