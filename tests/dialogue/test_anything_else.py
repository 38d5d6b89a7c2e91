"""After the pizzas, "Anything else?" until the caller says that's all: the pure reading and the machine."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.dialogue.helpers import prompt_ids, said
from voicebot.dialogue.anything_else import add_lines, read_more
from voicebot.dialogue.events import CallerText, Dtmf, Listen, SilenceTimeout
from voicebot.dialogue.loader import load_dialogue, load_dialogue_bytes
from voicebot.dialogue.machine import Conversation
from voicebot.dialogue.model import Dialogue
from voicebot.dialogue.understanding import SlotReader
from voicebot.errors import DialogueError

ROOT = Path(__file__).resolve().parents[2] / "dialogues"


@pytest.fixture(scope="module")
def pizza() -> Dialogue:
    return load_dialogue(ROOT / "pizza_order.yml")


@pytest.fixture(scope="module")
def pizza_ko() -> Dialogue:
    return load_dialogue(ROOT / "pizza_order_ko.yml")


def _line(name: str, size: str, quantity: int = 1) -> dict[str, object]:
    return {"name": name, "size": size, "quantity": quantity}


@pytest.mark.parametrize(
    ("text", "lines", "done", "yes"),
    [
        ("no, that's all", [], True, False),
        ("nothing else", [], True, False),
        ("no", [], True, False),
        ("and a small veggie", [_line("vegetarian", "small")], False, False),
        ("a small veggie, that's all", [_line("vegetarian", "small")], True, False),
        ("yes", [], False, True),
        ("yes please", [], False, True),
        ("no, just the two large pepperoni", [], True, False),
        ("hmm the weather", [], False, False),
        ("no, that's it, thanks, bye", [], True, False),
        ("and a small veggie, bye", [_line("vegetarian", "small")], True, False),
        ("alright, bye", [], True, False),
    ],
)
def test_read_more(pizza: Dialogue, text: str, lines: list[object], done: bool, yes: bool) -> None:
    answer = read_more(SlotReader(pizza), pizza.slots["items"], text, others=False)
    assert (answer.lines, answer.done, answer.yes) == (lines, done, yes)


def test_another_slot_given_ends_the_list(pizza: Dialogue) -> None:
    assert read_more(SlotReader(pizza), pizza.slots["items"], "12 main street", others=True).done


@pytest.mark.parametrize(
    ("text", "done"),
    [("그게 다예요", True), ("없어요", True), ("이상입니다", True), ("됐어요", True),
     ("불고기 한 판 더요", False)],
)
def test_read_more_korean(pizza_ko: Dialogue, text: str, done: bool) -> None:
    assert read_more(SlotReader(pizza_ko), pizza_ko.slots["items"], text, others=False).done is done


def test_the_same_item_and_size_adds_up_and_others_are_new_lines() -> None:
    current = [_line("pepperoni", "large", 2)]
    new = [_line("pepperoni", "large"), _line("pepperoni", "small"), _line("hawaiian", "medium")]
    assert add_lines(current, new) == [
        _line("pepperoni", "large", 3),
        _line("pepperoni", "small"),
        _line("hawaiian", "medium"),
    ]
    assert current == [_line("pepperoni", "large", 2)]  # the old order is not changed in place


def _after_items(dialogue: Dialogue, items: str) -> tuple[Conversation, list[object]]:
    conv = Conversation(dialogue, {})
    conv.start()
    return conv, list(conv.handle(CallerText(items)))


def test_anything_else_reads_the_order_back_and_listens_for_the_menu(pizza: Dialogue) -> None:
    _, actions = _after_items(pizza, "two large pepperoni")
    assert said(actions) == ["Got it, two large pepperoni. Anything else?"]
    listen = actions[-1]
    assert isinstance(listen, Listen) and listen.slot == "items"
    assert {"margherita", "that's all"} <= set(listen.hints)


def test_that_s_all_with_the_first_answer_skips_anything_else(pizza: Dialogue) -> None:
    _, actions = _after_items(pizza, "two large pepperoni, that's all")
    assert prompt_ids(actions) == ["ask_address"]


def test_keypad_no_ends_the_list(pizza: Dialogue) -> None:
    conv, _ = _after_items(pizza, "two large pepperoni")
    assert prompt_ids(conv.handle(Dtmf("2"))) == ["ask_address"]


def test_silence_at_anything_else_asks_it_again(pizza: Dialogue) -> None:
    conv, _ = _after_items(pizza, "two large pepperoni")
    assert prompt_ids(conv.handle(SilenceTimeout())) == ["global.silence", "ask_more"]


def test_answers_that_fit_nothing_keep_the_order_and_move_on(pizza: Dialogue) -> None:
    conv, _ = _after_items(pizza, "two large pepperoni")
    assert prompt_ids(conv.handle(CallerText("purple monkey"))) == ["global.no_match", "ask_more"]
    conv.handle(CallerText("blah blah"))
    assert prompt_ids(conv.handle(CallerText("dishwasher"))) == ["ask_address"]
    assert conv.slots["items"] == [_line("pepperoni", "large", 2)] and not conv.ended


def test_a_correction_at_anything_else_changes_the_order(pizza: Dialogue) -> None:
    conv, _ = _after_items(pizza, "two large pepperoni")
    actions = conv.handle(CallerText("no, three, not two"))
    assert said(actions) == ["Thanks, I've changed that.", "Got it, three large pepperoni. Anything else?"]
    assert prompt_ids(conv.handle(CallerText("that's it"))) == ["ask_address"]
    assert conv.slots["items"] == [_line("pepperoni", "large", 3)]


def test_no_thanks_closes_the_order_and_does_not_cancel_it(pizza: Dialogue, pizza_ko: Dialogue) -> None:
    conv, _ = _after_items(pizza, "two large pepperoni")
    assert prompt_ids(conv.handle(CallerText("no thanks"))) == ["ask_address"]
    conv, _ = _after_items(pizza_ko, "불고기 라지 두 판")
    assert prompt_ids(conv.handle(CallerText("됐어요"))) == ["ask_address"] and not conv.ended
    # "nothing else is needed": a stop phrase ("필요 없어요") inside a closer, which closes the order here
    conv, _ = _after_items(pizza_ko, "불고기 라지 두 판")
    assert prompt_ids(conv.handle(CallerText("다른 건 필요 없어요"))) == ["ask_address"] and not conv.ended
    assert conv.slots["items"] == [_line("bulgogi", "large", 2)]


@pytest.mark.parametrize(
    "text",
    # The last two: a closer misheard before the goodbye, as tiny.en heard eSpeak's "that's all, bye".
    ["that's all, bye", "No, that's it, thanks, goodbye.", "nothing else, bye", "My soil, bye!",
     "everything thank you goodbye"],
)
def test_a_closer_with_a_goodbye_finishes_the_order_not_cancels_it(pizza: Dialogue, text: str) -> None:
    conv, _ = _after_items(pizza, "two large pepperoni")
    assert prompt_ids(conv.handle(CallerText(text))) == ["ask_address"] and not conv.ended
    assert conv.slots["items"] == [_line("pepperoni", "large", 2)]


def test_a_korean_closer_with_a_goodbye_finishes_the_order(pizza_ko: Dialogue) -> None:
    conv, _ = _after_items(pizza_ko, "불고기 라지 두 판")
    actions = conv.handle(CallerText("그게 다예요 안녕히 계세요"))
    assert prompt_ids(actions) == ["ask_address"] and not conv.ended


def test_an_order_said_with_a_goodbye_is_taken_as_complete(pizza: Dialogue) -> None:
    _, actions = _after_items(pizza, "two large pepperoni, bye")
    assert prompt_ids(actions) == ["ask_address"]
    conv, _ = _after_items(pizza, "two large pepperoni")
    actions = conv.handle(CallerText("and a small veggie, goodbye"))
    assert prompt_ids(actions) == ["ask_address"] and not conv.ended
    assert conv.slots["items"] == [_line("pepperoni", "large", 2), _line("vegetarian", "small")]


def test_a_goodbye_without_an_order_still_ends_or_is_checked(pizza: Dialogue) -> None:
    conv, _ = _after_items(pizza, "two large pepperoni")
    conv.handle(CallerText("cancel it, goodbye"))
    assert conv.ended and conv.record.outcome == "cancelled"
    for bare in ("Bye.", "okay, bye", "thanks, goodbye"):  # may mean the call: a stop, checked when unsure
        conv, _ = _after_items(pizza, "two large pepperoni")
        conv.handle(CallerText(bare))
        assert conv.ended and conv.record.outcome == "cancelled"


def test_okay_bye_to_a_yes_no_question_is_no_yes() -> None:
    # The goodbye gives way to an answer only for orders: "okay" would otherwise consent to the survey.
    conv = Conversation(load_dialogue(ROOT / "satisfaction_survey.yml"), {})
    conv.start()
    conv.handle(CallerText("okay, bye"))
    assert conv.ended and conv.slots.get("consent") is not True


def test_a_short_unsure_cancel_at_anything_else_is_checked(pizza: Dialogue) -> None:
    conv, _ = _after_items(pizza, "two large pepperoni")
    assert said(conv.handle(CallerText("cancel", confidence=0.2))) == ["Do you want to cancel your order?"]
    assert prompt_ids(conv.handle(CallerText("no"))) == ["ask_more"]
    conv.handle(CallerText("cancel the order please, goodbye"))
    assert conv.ended and conv.record.outcome == "cancelled"


def test_the_step_log_names_anything_else_apart_from_the_items(pizza: Dialogue) -> None:
    conv, _ = _after_items(pizza, "two large pepperoni")
    conv.handle(CallerText("and a small cheese"))
    conv.handle(CallerText("that's all"))
    steps = [(s["step"], s["result"]) for s in conv.record.meta["steps"]]
    assert steps == [
        ("ask.items", "answered"),
        ("ask.items.more", "answered"),
        ("ask.items.more", "answered"),
    ]


def test_more_is_only_for_order_lines() -> None:
    source = (
        b"name: bad\nlanguage: en\noutcomes: [done]\nslots:\n  n: {type: integer}\n"
        b"flows:\n  main:\n    - ask: n\n      prompt: 'How many?'\n      more: 'Any more?'\n"
    )
    with pytest.raises(DialogueError) as info:
        load_dialogue_bytes(source, "bad.yml")
    assert "more" in str(info.value) and "order_lines" in str(info.value)


def _restricted(text: str, free: str) -> CallerText:
    """A turn whose free transcript is ``free`` and whose decode in the menu's words gave ``text``."""
    from voicebot.engines.constrained import ONLY

    return CallerText(free, confidence=0.5, alternatives=((ONLY + text, -2.0),), logprob=-2.5)


def test_an_item_misheard_at_anything_else_is_read_from_the_menu_decode(pizza: Dialogue) -> None:
    conv = Conversation(pizza, {})
    conv.start()
    conv.handle(CallerText("two large pepperoni"))
    actions = conv.handle(_restricted("and a large Hawaiian", free="and a large wine"))
    assert prompt_ids(actions) == ["ask_more"]
    assert conv.slots["items"][-1] == _line("hawaiian", "large")
    caller = [t for t in conv.record.turns if t.role == "caller"][-1]
    assert (caller.text, caller.heard) == ("and a large Hawaiian", "and a large wine")  # both kept


@pytest.mark.parametrize("free", ["yes please", "take the pepperoni off", "no that's it", "12 Main Street"])
def test_what_means_something_else_at_anything_else_is_not_replaced_by_a_pizza(
    pizza: Dialogue, free: str
) -> None:
    conv = Conversation(pizza, {})
    conv.start()
    conv.handle(CallerText("two large pepperoni"))
    conv.handle(_restricted("a large pepperoni", free=free))
    caller = [t for t in conv.record.turns if t.role == "caller"][-1]
    assert (caller.text, caller.heard) == (free, None)
    assert all(line["name"] == "pepperoni" for line in conv.slots.get("items") or [])
    assert sum(line["quantity"] for line in conv.slots.get("items") or []) <= 2


def test_another_one_is_read_from_its_own_words_not_the_menu_decode(pizza: Dialogue) -> None:
    conv = Conversation(pizza, {})
    conv.start()
    conv.handle(CallerText("two large pepperoni"))
    conv.handle(_restricted("a small veggie", free="another one"))
    caller = [t for t in conv.record.turns if t.role == "caller"][-1]
    assert (caller.text, caller.heard) == ("another one", None)
    assert conv.slots["items"] == [{"name": "pepperoni", "size": "large", "quantity": 3}]
