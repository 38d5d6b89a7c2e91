"""The step table and outcomes per day, from records saved in SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.analytics.calls import ORDER, SILENCE, converse
from voicebot.analytics.steps import outcomes_by_day, step_report
from voicebot.store.calls import CallStore


def test_step_table_counts_what_the_calls_did(store: CallStore) -> None:
    calls = [
        converse(ORDER, started_at="2026-12-01T10:00:00.000Z"),  # clean order
        # the phone number is not understood once, then given
        converse([ORDER[0], ORDER[1], "twelve main street", ORDER[2], "yes"],
                 started_at="2026-12-01T11:00:00.000Z"),
        # silence at the address, then the caller asks for a person
        converse([ORDER[0], SILENCE, "can I talk to a person"], started_at="2026-12-02T09:00:00.000Z"),
        # the items heard with low confidence and read back; the caller hangs up at the address
        converse([("two large pepperoni please, that's all", 0.2), "yes"],
                 started_at="2026-12-02T10:00:00.000Z"),
    ]
    for record in calls:
        store.save(record)
    rows = {row.step: row for row in step_report(store, "pizza_order")}
    items, address, phone = rows["ask.items"], rows["ask.address"], rows["ask.phone"]
    assert (items.calls, items.asked, items.answered_first, items.read_back) == (4, 4, 3, 1)
    assert (address.calls, address.asked, address.silence, address.transferred_here,
            address.hung_up_here) == (4, 5, 1, 1, 1)
    assert (phone.calls, phone.asked, phone.not_understood, phone.answered_first) == (2, 3, 1, 1)
    assert phone.not_understood_rate == pytest.approx(1 / 3)
    assert items.mean_confidence == pytest.approx(0.2)
    assert [row.step for row in step_report(store, "pizza_order")][:3] == [
        "ask.items", "ask.address", "ask.phone"]
    assert step_report(store, "pizza_order", since="2026-12-02")[0].calls == 2
    days = outcomes_by_day(store, "pizza_order")
    assert [(d.day, d.outcomes) for d in days] == [
        ("2026-12-01", {"order_placed": 2}), ("2026-12-02", {"transferred": 1, "hangup": 1})]


def test_p95_latency_is_the_nearest_rank(store: CallStore) -> None:
    for i in range(20):
        record = converse(ORDER, started_at=f"2026-12-01T10:{i:02d}:00.000Z")
        for turn in record.turns:
            if turn.role == "caller":
                turn.latency_ms = 100 + i * 10
        store.save(record)
    row = next(r for r in step_report(store, "pizza_order") if r.step == "ask.items")
    assert row.p95_latency_ms == 280  # the 19th of 100..290
    assert row.mean_latency_ms == pytest.approx(195.0)


def test_a_record_saved_again_is_counted_once(store: CallStore) -> None:
    first = converse([ORDER[0], ORDER[1], "twelve main street", ORDER[2], "yes"],
                     started_at="2026-12-01T11:00:00.000Z")
    store.save(first)
    before = [row.to_json() for row in step_report(store, "pizza_order")]
    store.save(first)  # a fallback import or a re-save after "interrupted" writes the same record again
    assert [row.to_json() for row in step_report(store, "pizza_order")] == before
    first.started_at = "2026-12-03T11:00:00.000Z"  # and a changed record replaces its old counts
    store.save(first)
    assert step_report(store, "pizza_order", until="2026-12-02") == []
    assert [row.to_json() for row in step_report(store, "pizza_order", since="2026-12-03")] == before


def test_rebuild_gives_records_saved_before_the_facts_their_facts(store: CallStore) -> None:
    store.save(converse(ORDER, started_at="2026-12-01T10:00:00.000Z"))
    store.save(converse([ORDER[0], ORDER[1], "twelve main street", ORDER[2], "yes"],
                        started_at="2026-12-02T10:00:00.000Z"))
    before = [row.to_json() for row in step_report(store, "pizza_order")]
    store.write_many([(f"DELETE FROM {table}", ()) for table in
                      ("step_facts", "call_facts", "step_daily", "step_latency_daily")])
    assert step_report(store, "pizza_order") == []
    assert store.rebuild_facts(batch=1) == 2
    assert store.rebuild_facts() == 2  # again: nothing counted twice
    assert [row.to_json() for row in step_report(store, "pizza_order")] == before
