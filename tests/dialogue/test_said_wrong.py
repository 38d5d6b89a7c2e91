"""At the read-back, "no, the address is wrong" asks for the address again, then reads the order back: the
pizzas are kept (the confirmation's ``on_no`` would start the order over)."""

from __future__ import annotations

import pytest

from tests.dialogue.helpers import conversation, prompt_ids
from voicebot.dialogue.events import CallerText

ORDER = ("two large pepperoni", "that's all", "12 Main Street", "555 123 4567")
PEPPERONI = [{"name": "pepperoni", "size": "large", "quantity": 2}]


@pytest.mark.parametrize(
    "said",
    [
        "no, the address is wrong",
        "wrong address",
        "that's not my address",
        "no, the address",
        "the street is wrong",
        "No, he addresses wrong.",  # whisper's writing of "no, the address is wrong" on the phone line
    ],
)
def test_a_wrong_address_is_asked_again_and_the_order_kept(said: str) -> None:
    conv = conversation("pizza_order", *ORDER)
    assert prompt_ids(conv.handle(CallerText(said))) == ["ask_address"]
    assert conv.slots["items"] == PEPPERONI and "address" not in conv.slots
    actions = conv.handle(CallerText("14 Oak Avenue"))
    assert prompt_ids(actions) == ["confirm_order"] and "14 Oak Avenue" in actions[0].text
    conv.handle(CallerText("yes"))
    assert conv.record.outcome == "order_placed"
    assert conv.slots["address"] == "14 Oak Avenue" and conv.slots["items"] == PEPPERONI


def test_a_wrong_phone_number_is_asked_again() -> None:
    conv = conversation("pizza_order", *ORDER)
    assert prompt_ids(conv.handle(CallerText("the phone number is wrong"))) == ["ask_phone"]
    conv.handle(CallerText("555 987 6543"))
    conv.handle(CallerText("yes"))
    assert conv.slots["phone"] == "5559876543" and conv.record.outcome == "order_placed"


def test_a_plain_no_and_a_named_value_are_as_before() -> None:
    no = conversation("pizza_order", *ORDER)
    assert prompt_ids(no.handle(CallerText("no"))) == ["start_over", "ask_items"]
    fine = conversation("pizza_order", *ORDER)
    assert prompt_ids(fine.handle(CallerText("yes, the address is right"))) == ["placed"]
    count = conversation("pizza_order", *ORDER)
    assert prompt_ids(count.handle(CallerText("no, the number of pizzas is wrong"))) == [
        "start_over",
        "ask_items",
    ]
    new_value = conversation("pizza_order", *ORDER)
    new_value.handle(CallerText("no, the address is 14 Oak Avenue"))
    assert new_value.slots["address"].lower() == "14 oak avenue"  # the value said, as corrections read it


def test_korean_wrong_address() -> None:
    conv = conversation(
        "pizza_order_ko", "페퍼로니 라지 두 판", "그게 다예요", "서울시 강남구 테헤란로 12", "010 1234 5678"
    )
    assert prompt_ids(conv.handle(CallerText("주소가 틀렸어요"))) == ["ask_address"]
    assert conv.slots["items"] == [{"name": "pepperoni", "size": "large", "quantity": 2}]
