"""Metrics keep their own registry, so two services in one process do not share counters."""

from __future__ import annotations

from prometheus_client import REGISTRY

from voicebot.metrics import Metrics


def test_each_metrics_object_counts_alone_and_global_registry_stays_clean() -> None:
    first, second = Metrics(), Metrics()
    first.call_started("audiosocket", "pizza_order")
    first.call_started("websocket", "pizza_order")
    first.call_ended("audiosocket", None)
    text = first.render()[0].decode()
    assert "voicebot_calls_active 1.0" in text
    assert 'voicebot_call_outcomes_total{outcome="none"} 1.0' in text
    assert "voicebot_calls_active 0.0" in second.render()[0].decode()
    assert REGISTRY.get_sample_value("voicebot_calls_active") is None


def test_latency_is_recorded_in_seconds() -> None:
    metrics = Metrics()
    metrics.observe_latency_ms(1500)
    text = metrics.render()[0].decode()
    assert "voicebot_response_latency_seconds_sum 1.5" in text
    assert 'voicebot_response_latency_seconds_bucket{le="1.25"} 0.0' in text
    assert 'voicebot_response_latency_seconds_bucket{le="1.5"} 1.0' in text
