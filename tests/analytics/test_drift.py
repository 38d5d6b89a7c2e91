"""Drift flags: the z-tests with literals, and the gauges from stored calls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.analytics.calls import ORDER, converse
from voicebot.analytics.drift import Window, judge, step_drift, two_proportion_z
from voicebot.analytics.gauges import DriftCollector
from voicebot.store.calls import CallStore


def test_two_proportion_z_matches_the_textbook_value() -> None:
    # 30/100 vs 15/100: pooled p = 0.225, se = sqrt(.225*.775*.02) = 0.05906
    assert two_proportion_z(30, 100, 15, 100) == pytest.approx(2.540, abs=1e-3)
    assert two_proportion_z(0, 0, 1, 10) is None
    assert two_proportion_z(0, 10, 0, 10) is None


def test_a_step_is_flagged_only_past_z3_five_points_and_thirty_answers() -> None:
    def w(answers: int, misses: int) -> Window:
        return Window(answers, misses, 0, 0.0, 0.0)

    assert judge("d", "s", w(100, 30), w(100, 5)).flagged  # z = 4.6, +25 points
    assert not judge("d", "s", w(100, 30), w(100, 15)).flagged  # z = 2.5
    assert not judge("d", "s", w(20, 15), w(20, 1)).flagged  # too few answers
    assert not judge("d", "s", w(100_000, 11_000), w(100_000, 10_000)).flagged  # z = 7 but 1 point
    drop = judge("d", "s", Window(40, 0, 40, 40 * 0.6, 40 * 0.37), Window(40, 0, 40, 40 * 0.9, 40 * 0.82))
    assert drop.flagged and "mean confidence 0.90 -> 0.60" in drop.reason


def test_drift_from_stored_calls_reaches_the_gauges(store: CallStore) -> None:
    now = datetime(2026, 12, 20, tzinfo=UTC)
    for i in range(40):
        recent = (now - timedelta(days=1, minutes=i)).isoformat().replace("+00:00", "Z")
        old = (now - timedelta(days=10, minutes=i)).isoformat().replace("+00:00", "Z")
        # recently half the callers' phone numbers are not understood at first; before, none were
        lines = [ORDER[0], ORDER[1], "twelve main street", *ORDER[2:]] if i % 2 else ORDER
        store.save(converse(lines, started_at=recent))
        store.save(converse(ORDER, started_at=old))
    drifts = {d.step: d for d in step_drift(store.query, days=7, now=now)}
    assert drifts["ask.phone"].flagged and drifts["ask.phone"].previous_rate == 0.0
    assert drifts["ask.phone"].recent_rate == pytest.approx(20 / 60, abs=1e-4)
    assert not drifts["ask.items"].flagged
    collector = DriftCollector(store.query, now=lambda: now)
    families = {f.name: f for f in collector.collect()}
    flags = {s.labels["step"]: s.value for s in families["voicebot_step_drift"].samples}
    assert flags["ask.phone"] == 1.0 and flags["ask.items"] == 0.0
