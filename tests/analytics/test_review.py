"""The review queue from stored calls (SQLite and PostgreSQL): what lands in it, labels, the export."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.analytics.calls import ORDER, ROOT, SILENCE, converse
from voicebot.analytics.review import conversation_test, label, review_queue, turn_context, write_test_file
from voicebot.dialogue.loader import load_dialogue
from voicebot.dialogue.testing import run_test_file
from voicebot.errors import StoreError
from voicebot.store.calls import CallStore


def test_the_queue_holds_exactly_the_turns_that_need_a_listen(store: CallStore, tmp_path: Path) -> None:
    clean = converse([(ORDER[0], 0.95), (ORDER[1], 0.9), (ORDER[2], 0.9), ("yes", 0.99)],
                     started_at="2026-12-01T10:00:00.000Z")
    misheard = converse([(ORDER[0], 0.9), SILENCE, ("12 baker street", 0.35), ("yes", 0.9),
                         (ORDER[2], 0.9), ("no, three", 0.9), ("yes", 0.2)],
                        started_at="2026-12-01T11:00:00.000Z")
    unclear = converse([("blah pepper knee", 0.3), (ORDER[0], 0.8)], started_at="2026-12-01T12:00:00.000Z")
    for record in (clean, misheard, unclear):
        store.save(record)
    queue = review_queue(store)
    assert [(i.call_id, i.step, i.result) for i in queue] == [
        (unclear.call_id, "ask.items", "not_understood"),
        (misheard.call_id, "ask.address", "read_back"),  # heard with confidence 0.35
        (misheard.call_id, "confirm_order", "corrected"),
        (misheard.call_id, "confirm_order", "answered"),  # a yes at confidence 0.2: no read-back at a confirm
    ]
    address_turn = queue[1].turn
    assert misheard.turns[address_turn].text == "12 baker street"
    context = turn_context(misheard, address_turn)
    assert context["asked"]["prompt_id"] == "ask_address"
    assert context["bot_then"][0]["prompt_id"] == "global.low_confidence"

    with pytest.raises(StoreError, match="words the caller really said"):
        label(store, misheard.call_id, address_turn, "  ")
    item = label(store, misheard.call_id, address_turn, "12 baker street", "12 baker street",
                 by="test")
    assert item.labelled and [i.turn for i in review_queue(store, status="labelled")] == [address_turn]
    assert len(review_queue(store)) == 3
    assert [i.result for i in review_queue(store, status="all", confidence_below=0.0)] == [
        "not_understood", "read_back", "corrected"]

    case = conversation_test(misheard, item, load_dialogue(ROOT / "pizza_order.yml"))
    assert case["turns"] == [{"caller": ORDER[0]}, {"caller": "[silence]"}, {"caller": "12 baker street"}]
    assert case["expect"] == {"slots": {"address": "12 baker street"}}
    out = tmp_path / "exported" / "review_pizza_order.yml"
    write_test_file(out, ROOT / "pizza_order.yml", [case])
    assert (out.parent / yaml.safe_load(out.read_text())["dialogue"]).resolve() == ROOT / "pizza_order.yml"
    [result] = run_test_file(out)
    assert result.passed, result.failures
    # The same label with a wrong value makes a test that fails: the export is a real check.
    wrong = label(store, misheard.call_id, address_turn, "12 baker street", "99 nowhere road")
    write_test_file(out, ROOT / "pizza_order.yml", [conversation_test(misheard, wrong, load_dialogue(
        ROOT / "pizza_order.yml"))])
    assert not run_test_file(out)[0].passed


def test_the_export_masks_phone_numbers_unless_asked(store: CallStore) -> None:
    record = converse([ORDER[0], ORDER[1], ("five five five one two three four five six seven", 0.3), "yes"],
                      started_at="2026-12-01T10:00:00.000Z")
    store.save(record)
    [item] = review_queue(store)
    item = label(store, record.call_id, item.turn, "555 123 4567", "'5551234567'")
    dialogue = load_dialogue(ROOT / "pizza_order.yml")
    assert conversation_test(record, item, dialogue)["turns"][-1] == {"caller": "[phone]"}
    kept = conversation_test(record, item, dialogue, personal_data=True)
    assert kept["turns"][-1] == {"caller": "555 123 4567"}
