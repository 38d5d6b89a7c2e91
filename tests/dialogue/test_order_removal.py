"""Taking a pizza off the order is not cancelling the order: at "Anything else?" and at the read-back."""

from __future__ import annotations

from tests.dialogue.helpers import conversation, prompt_ids, said
from voicebot.dialogue.events import CallerText, EndCall

LARGE_PEPPERONI = {"name": "pepperoni", "size": "large", "quantity": 2}
ADDRESS, PHONE = "12 Main Street", "555 123 4567"


def test_cancelling_the_only_pizza_asks_for_the_order_again() -> None:
    conv = conversation("pizza_order", "two large pepperoni")
    actions = conv.handle(CallerText("actually, cancel the pepperoni"))
    assert prompt_ids(actions) == ["global.correction", "ask_items"]
    assert not any(isinstance(a, EndCall) for a in actions)
    assert "items" not in conv.slots
    conv.handle(CallerText("a small veggie"))
    assert conv.slots["items"] == [{"name": "vegetarian", "size": "small", "quantity": 1}]


def test_one_of_two_taken_off_and_another_added() -> None:
    conv = conversation("pizza_order", "two large pepperoni")
    actions = conv.handle(CallerText("cancel one of the pepperonis and add a small veggie"))
    assert prompt_ids(actions) == ["global.correction", "ask_more"]
    assert conv.slots["items"] == [{"name": "pepperoni", "size": "large", "quantity": 1},
                                   {"name": "vegetarian", "size": "small", "quantity": 1}]


def test_an_item_not_ordered_is_asked_again_and_the_call_goes_on() -> None:
    conv = conversation("pizza_order", "two large pepperoni")
    actions = conv.handle(CallerText("cancel the hawaiian"))
    assert not any(isinstance(a, EndCall) for a in actions)
    assert prompt_ids(actions)[-1] == "ask_more"
    assert conv.slots["items"] == [LARGE_PEPPERONI]


def test_cancel_the_order_still_cancels_it() -> None:
    conv = conversation("pizza_order", "two large pepperoni")
    actions = conv.handle(CallerText("cancel the order"))
    assert [a.outcome for a in actions if isinstance(a, EndCall)] == ["cancelled"]


def test_an_item_taken_off_at_the_read_back_is_read_back_again() -> None:
    conv = conversation("pizza_order", "two large pepperoni", "and a small veggie", "that's all",
                        ADDRESS, PHONE)
    actions = conv.handle(CallerText("take the veggie off"))
    assert prompt_ids(actions) == ["global.correction", "confirm_order"]
    assert "two large pepperoni, delivered" in said(actions)[-1]
    assert conv.slots["items"] == [LARGE_PEPPERONI]


def test_the_last_item_taken_off_at_the_read_back_is_a_no() -> None:
    conv = conversation("pizza_order", "two large pepperoni", "that's all", ADDRESS, PHONE)
    actions = conv.handle(CallerText("no, cancel the pepperoni"))
    assert prompt_ids(actions) == ["start_over", "ask_items"]
    assert conv.slots.get("confirmed") is False


def test_korean_item_taken_off_not_added() -> None:
    conv = conversation("pizza_order_ko", "페퍼로니 라지 두 판", "불고기 한 판")
    conv.handle(CallerText("페퍼로니는 빼 주세요"))
    assert [line["name"] for line in conv.slots["items"]] == ["bulgogi"]
    conv = conversation("pizza_order_ko", "페퍼로니 라지 두 판")
    actions = conv.handle(CallerText("페퍼로니 빼고 불고기 두 판"))
    assert conv.slots["items"] == [{"name": "bulgogi", "size": "medium", "quantity": 2}]
    assert not any(isinstance(a, EndCall) for a in actions)
