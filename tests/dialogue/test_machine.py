"""The pure dialogue machine, driven with literal events."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from voicebot.dialogue.events import (
    Action,
    ActionResult,
    CallerHangup,
    CallerText,
    CallWebhook,
    Dtmf,
    EndCall,
    Listen,
    Say,
    SilenceTimeout,
    Transfer,
)
from voicebot.dialogue.loader import load_dialogue, load_dialogue_bytes
from voicebot.dialogue.machine import Conversation
from voicebot.dialogue.model import Dialogue
from voicebot.errors import DialogueError

ROOT = Path(__file__).resolve().parents[2] / "dialogues"
CUSTOMER = {
    "customer_name": "Dana Lee",
    "product_name": "Term Life Plus",
    "monthly_premium": "$42.50",
    "birth_date": "1985-03-03",
}


def _ticks() -> Iterator[str]:
    n = 0
    while True:
        n += 1
        yield f"2026-01-01T00:00:{n:02d}.000Z"


def _clock() -> object:
    ticks = _ticks()
    return lambda: next(ticks)


def _dialogue(text: str) -> Dialogue:
    return load_dialogue_bytes(text.encode(), "inline.yml")


@pytest.fixture(scope="module")
def pizza() -> Dialogue:
    return load_dialogue(ROOT / "pizza_order.yml")


@pytest.fixture(scope="module")
def compliance() -> Dialogue:
    return load_dialogue(ROOT / "sales_compliance.yml")


def test_start_says_the_greeting_then_listens_with_menu_hints(pizza: Dialogue) -> None:
    conv = Conversation(pizza, {})
    actions = conv.start()
    assert [type(a) for a in actions] == [Say, Say, Listen]
    greeting, _question, listen = actions
    assert isinstance(greeting, Say) and greeting.prompt_id == "greeting" and greeting.fixed
    assert isinstance(listen, Listen) and listen.slot == "items" and listen.timeout_ms == 6000
    assert {"pepperoni", "peperoni", "large", "barbecue chicken"} <= set(listen.hints)
    assert not conv.ended


def test_templated_prompt_is_not_fixed_and_disclosure_is_not_interruptible(compliance: Dialogue) -> None:
    conv = Conversation(compliance, CUSTOMER)
    intro = conv.start()[0]
    assert isinstance(intro, Say) and not intro.fixed and "Dana Lee" in intro.text
    actions = conv.handle(CallerText("march third 1985"))
    says = {a.prompt_id: a for a in actions if isinstance(a, Say)}
    assert says["disclosure"].interruptible is False
    assert says["verified"].interruptible is True
    assert "$42.50" in says["verified"].text
    assert isinstance(actions[-1], Listen) and "yes" in actions[-1].hints


def test_record_keeps_turns_slots_outcome_hash_and_injected_clock(pizza: Dialogue) -> None:
    conv = Conversation(pizza, {"source": "test"}, call_id="call-1", clock=_clock())  # type: ignore[arg-type]
    conv.start()
    conv.handle(CallerText("one small hawaiian to 22 baker street", confidence=0.9))
    conv.handle(CallerText("that's all"))
    conv.handle(Dtmf("5551234567#"))
    actions = conv.handle(CallerText("yes"))
    assert isinstance(actions[-1], EndCall) and actions[-1].outcome == "order_placed"
    rec = conv.record.to_json()
    assert rec["call_id"] == "call-1" and rec["dialogue"] == "pizza_order" and rec["language"] == "en"
    assert rec["outcome"] == "order_placed" and conv.ended
    assert rec["slots"]["items"] == [{"name": "hawaiian", "size": "small", "quantity": 1}]
    assert rec["slots"]["phone"] == "5551234567"
    assert rec["variables"] == {"source": "test"}
    assert rec["started_at"] == "2026-01-01T00:00:01.000Z" and rec["ended_at"] == "2026-01-01T00:00:02.000Z"
    assert rec["meta"]["dialogue_hash"] == hashlib.sha256((ROOT / "pizza_order.yml").read_bytes()).hexdigest()
    caller = [t for t in rec["turns"] if t["role"] == "caller"]
    assert caller[0] == {"role": "caller", "text": "one small hawaiian to 22 baker street", "confidence": 0.9}
    assert caller[2]["dtmf"] == "5551234567#"
    assert rec["turns"][-1] == {"role": "bot", "text": conv.record.turns[-1].text, "prompt_id": "placed"}


def test_every_reply_ends_with_listen_or_an_end(pizza: Dialogue) -> None:
    conv = Conversation(pizza, {})
    replies = [conv.start()]
    for event in (
        CallerText("hmm"),
        SilenceTimeout(),
        CallerText("two large pepperoni"),
        CallerText("sorry what"),
        CallerText("that's all"),
        CallerText("12 main street"),
        CallerText("555 123 4567"),
        CallerText("no"),
        CallerText("one small veggie"),
        CallerText("nothing else"),
        CallerText("yes"),
    ):
        replies.append(conv.handle(event))
    for reply in replies[:-1]:
        assert isinstance(reply[-1], Listen), reply
    assert isinstance(replies[-1][-1], EndCall)
    assert conv.record.slots["items"] == [{"name": "vegetarian", "size": "small", "quantity": 1}]


def test_hangup_ends_the_call_and_later_events_are_ignored(pizza: Dialogue) -> None:
    conv = Conversation(pizza, {})
    conv.start()
    assert conv.handle(CallerHangup()) == []
    assert conv.ended and conv.record.outcome == "hangup" and conv.record.ended_at
    assert conv.handle(CallerText("two large pepperoni")) == []
    assert "items" not in conv.record.slots


def test_agent_request_transfers_with_reason(pizza: Dialogue) -> None:
    conv = Conversation(pizza, {})
    conv.start()
    actions = conv.handle(CallerText("let me speak to a human"))
    assert isinstance(actions[-1], Transfer) and actions[-1].reason == "caller_request"
    assert conv.ended and conv.record.outcome == "transferred"


def test_low_confidence_value_is_confirmed_not_ignored(pizza: Dialogue) -> None:
    conv = Conversation(pizza, {})
    conv.start()
    actions = conv.handle(CallerText("two large pepperoni", confidence=0.2))
    assert "items" not in conv.record.slots
    check = actions[0]
    assert isinstance(check, Say) and check.prompt_id == "global.low_confidence"
    assert "two large pepperoni" in check.text
    actions = conv.handle(CallerText("yes"))
    assert conv.record.slots["items"] == [{"name": "pepperoni", "size": "large", "quantity": 2}]
    assert any(isinstance(a, Say) and a.prompt_id == "ask_more" for a in actions)


def _listen(actions: list[Action]) -> Listen:
    listen = actions[-1]
    assert isinstance(listen, Listen)
    return listen


def test_a_yes_or_no_with_nothing_to_score_is_a_short_answer_free_text_is_not(pizza: Dialogue) -> None:
    # The transcriber decodes a short answer on a closed ask's window and free text on the whole one
    # (engines/scoring.SHORT_ANSWER): the order's read-back and the confirm are short; "Anything else?" asks
    # for the order's restricted decode, as the order question does.
    conv = Conversation(pizza, {})
    order = _listen(conv.start())
    assert order.expected is not None and not order.short_answer
    check = _listen(conv.handle(CallerText("two large pepperoni", confidence=0.2)))  # "I think you said ..."
    assert check.expected is None and check.short_answer
    more = _listen(conv.handle(CallerText("yes")))  # "Anything else?": the order's words are decoded again
    assert more.expected == order.expected and more.short_answer
    address = _listen(conv.handle(CallerText("that's all")))
    assert address.slot == "address" and not address.short_answer  # free text: the whole window
    phone = _listen(conv.handle(CallerText("42 Baker Street")))
    assert not phone.short_answer
    confirm = _listen(conv.handle(CallerText("five five five one two three four five six seven")))
    assert confirm.expected is None and confirm.short_answer


WEBHOOK = """\
name: hook
language: en
outcomes: [done, failed]
slots:
  account: {type: digits, length: 6}
  balance: {type: number}
flows:
  main:
    - ask: account
      prompt: "Your account number?"
    - action: balance_lookup
      url: "http://127.0.0.1:9/accounts/{account}"
      payload: {account: "{account}"}
      timeout_ms: 1500
      save: {balance: data.balance}
      on_error:
        - hangup: failed
          prompt: "Sorry, I can't look that up right now."
    - hangup: done
      prompt: "Your balance is {balance|currency}."
"""


def test_webhook_result_fills_slots() -> None:
    conv = Conversation(_dialogue(WEBHOOK), {})
    listen = conv.start()[-1]
    assert isinstance(listen, Listen) and listen.max_digits == 6
    actions = conv.handle(Dtmf("123456#"))
    call = actions[-1]
    assert isinstance(call, CallWebhook)
    assert call.url == "http://127.0.0.1:9/accounts/123456" and call.payload == {"account": "123456"}
    assert call.timeout_s == 1.5 and call.method == "POST"
    assert conv.handle(CallerText("hello?")) == []  # nothing to answer while the lookup runs
    assert conv.handle(ActionResult("other#9", ok=True)) == []
    actions = conv.handle(ActionResult(call.action_id, ok=True, data={"data": {"balance": 42.5}}))
    assert isinstance(actions[0], Say) and actions[0].text == "Your balance is $42.50."
    assert conv.record.outcome == "done"


def test_webhook_failure_runs_on_error() -> None:
    conv = Conversation(_dialogue(WEBHOOK), {})
    conv.start()
    call = conv.handle(CallerText("one two three four five six"))[-1]
    assert isinstance(call, CallWebhook)
    actions = conv.handle(ActionResult(call.action_id, ok=False, error="timeout"))
    assert isinstance(actions[-1], EndCall) and actions[-1].outcome == "failed"
    assert conv.record.meta["actions"] == [{"action": "balance_lookup", "ok": False, "error": "timeout"}]


def test_missing_required_variable_names_it(compliance: Dialogue) -> None:
    with pytest.raises(DialogueError, match="needs variable 'birth_date'") as info:
        Conversation(compliance, {k: v for k, v in CUSTOMER.items() if k != "birth_date"})
    assert info.value.key_path == "variables.birth_date"


def test_badly_typed_variable_says_what_is_expected(compliance: Dialogue) -> None:
    with pytest.raises(DialogueError, match="YYYY-MM-DD"):
        Conversation(compliance, {**CUSTOMER, "birth_date": "3rd of March"})


def test_typed_variables_are_normalised(compliance: Dialogue) -> None:
    conv = Conversation(compliance, CUSTOMER)
    assert conv.record.variables["monthly_premium"] == 42.5
    assert conv.record.variables["company_name"] == "Harbor Mutual"
    sheet = Conversation(compliance, {**CUSTOMER, "monthly_premium": "45,000원", "birth_date": "1985/03/03"})
    assert sheet.record.variables["monthly_premium"] == 45000
    assert sheet.record.variables["birth_date"] == "1985-03-03"


def test_variable_errors_do_not_echo_the_value(compliance: Dialogue) -> None:
    with pytest.raises(DialogueError) as info:
        Conversation(compliance, {**CUSTOMER, "birth_date": "03-03-85"})
    assert "03-03-85" not in str(info.value) and "birth_date" in str(info.value)


def test_a_goto_loop_without_asks_is_an_error() -> None:
    d = _dialogue(
        "name: loop\nlanguage: en\noutcomes: [x]\nflows:\n  main:\n    - goto: other\n"
        "  other:\n    - goto: main\n"
    )
    with pytest.raises(DialogueError, match="loop"):
        Conversation(d, {}).start()


def test_falling_off_the_end_ends_the_call() -> None:
    d = _dialogue("name: short\nlanguage: en\noutcomes: [x]\nflows:\n  main:\n    - say: Bye.\n")
    conv = Conversation(d, {})
    actions = conv.start()
    assert actions == [Say("Bye.", "main.0", True, True), EndCall("ended")]
    assert conv.ended and conv.record.outcome == "ended"


def test_fixed_prompts_hold_only_untemplated_text(pizza: Dialogue, compliance: Dialogue) -> None:
    fixed = pizza.fixed_prompts()
    assert "Thanks for calling Tony's Pizza. I can take your delivery order." in fixed
    assert all("{" not in text for text in fixed)
    assert not any("So that's" in text for text in fixed)
    assert not any("Dana" in t or "{customer_name}" in t for t in compliance.fixed_prompts())


def test_keypad_answers_a_choice_and_star_repeats() -> None:
    d = _dialogue("""\
name: menu
language: en
outcomes: [done]
catalogues:
  departments:
    sales: {synonyms: [buy, buying], dtmf: "1"}
    support: {synonyms: [help, broken], dtmf: "2"}
slots:
  department: {type: choice, catalogue: departments}
flows:
  main:
    - ask: department
      prompt: "Press 1 for sales or 2 for support."
    - hangup: done
""")
    conv = Conversation(d, {})
    conv.start()
    again = conv.handle(Dtmf("*"))
    assert isinstance(again[0], Say) and again[0].prompt_id == "ask.department"
    conv.handle(Dtmf("2"))
    assert conv.record.slots == {"department": "support"} and conv.record.outcome == "done"
