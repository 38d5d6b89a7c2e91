"""A clipped "two" written as "too" before a size or an item is a quantity at an order ask, nowhere else."""

from pathlib import Path

import pytest

from voicebot.dialogue.loader import load_dialogue
from voicebot.dialogue.understanding import SlotReader
from voicebot.nlu.homophones import with_quantity_homophones

PIZZA = load_dialogue(Path(__file__).resolve().parents[2] / "dialogues" / "pizza_order.yml")


@pytest.mark.parametrize(("said", "lines"), [
    ("too large pepperoni pizzas, please", [("pepperoni", "large", 2)]),
    ("to pepperoni", [("pepperoni", "medium", 2)]),
    ("a pepperoni and to margherita", [("pepperoni", "medium", 1), ("margherita", "medium", 2)]),
    ("two large pepperoni", [("pepperoni", "large", 2)]),
])
def test_an_order_reads_a_homophone_before_a_size_or_item_as_the_quantity(
        said: str, lines: list[tuple[str, str, int]]) -> None:
    reader = SlotReader(PIZZA)
    found = reader.read(PIZZA.slots["items"], said)
    assert [(x["name"], x["size"], x["quantity"]) for x in found] == lines


def test_elsewhere_the_words_keep_their_meaning() -> None:
    def order_word(word: str) -> bool:
        return word in ("large", "pepperoni")

    assert with_quantity_homophones("is that too large", "en", order_word) == "is that too large"
    assert with_quantity_homophones("I went to large stores", "en", order_word) == "I went to large stores"
    assert with_quantity_homophones("too large", "ko", order_word) == "too large"
