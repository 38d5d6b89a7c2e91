"""An order's count said before its items ("three pizzas"): the bot asks which ones, counting no attempt,
and the items named next take the count and size; counts said again and again still end somewhere."""

from __future__ import annotations

from tests.dialogue.helpers import conversation, prompt_ids
from voicebot.dialogue.events import CallerText, Transfer


def test_which_ones_is_asked_and_the_count_and_size_are_kept() -> None:
    conv = conversation("pizza_order")
    assert prompt_ids(conv.handle(CallerText("I'd like three large pizzas"))) == ["ask_items_again"]
    assert prompt_ids(conv.handle(CallerText("pepperoni"))) == ["ask_more"]
    assert conv.slots["items"] == [{"name": "pepperoni", "size": "large", "quantity": 3}]


def test_a_count_said_once_costs_no_attempt() -> None:
    """max_attempts is 3: a count first, then two answers not understood, then the order, still heard."""
    conv = conversation("pizza_order")
    for text in ("two pizzas", "banana", "the weather is lovely"):
        assert not any(isinstance(a, Transfer) for a in conv.handle(CallerText(text)))
    conv.handle(CallerText("a veggie and a pepperoni"))
    assert conv.slots["items"] == [{"name": "vegetarian", "size": "medium", "quantity": 1},
                                   {"name": "pepperoni", "size": "medium", "quantity": 1}]


def test_counts_said_again_and_again_end_as_answers_not_understood_do() -> None:
    conv = conversation("pizza_order")
    actions = [conv.handle(CallerText(text)) for text in ("three pizzas", "two large", "three pizzas",
                                                           "four pizzas")]
    assert not any(isinstance(a, Transfer) for turn in actions[:-1] for a in turn)
    assert any(isinstance(a, Transfer) for a in actions[-1])
