"""Prometheus metrics of one running service, in a registry of its own (no process-wide globals)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

# Response latency on a phone line: under 1 s feels natural, over 2 s feels broken.
_LATENCY_BUCKETS_S = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 1.25, 1.5, 2.0, 3.0, 5.0)
_ENGINE_BUCKETS_S = (0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0)


class Metrics:
    """Counters the call sessions and the service update; ``render()`` is the ``/metrics`` body."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.calls_active = Gauge("voicebot_calls_active", "Calls in progress", registry=self.registry)
        self.calls_total = Counter("voicebot_calls", "Calls started", ["door", "dialogue"],
                                   registry=self.registry)
        self.outcomes = Counter("voicebot_call_outcomes", "Calls ended, by outcome", ["outcome"],
                                registry=self.registry)
        self.response_latency = Histogram(
            "voicebot_response_latency_seconds",
            "End of caller speech to first bot audio byte out", buckets=_LATENCY_BUCKETS_S,
            registry=self.registry)
        self.engine_seconds = Histogram(
            "voicebot_engine_seconds", "Time spent in an engine operation", ["engine", "op"],
            buckets=_ENGINE_BUCKETS_S, registry=self.registry)
        self.auth_failures = Counter("voicebot_auth_failures", "Rejected API requests and calls", ["reason"],
                                     registry=self.registry)
        self.dialogue_reloads = Counter("voicebot_dialogue_reloads", "Dialogue reload attempts", ["result"],
                                        registry=self.registry)
        self.key_calls = Counter("voicebot_key_calls", "Calls ended, by API key name", ["key"],
                                 registry=self.registry)
        self.key_audio_seconds = Counter(
            "voicebot_key_audio_seconds", "Audio metered per API key name: caller audio in, bot audio out",
            ["key", "direction"], registry=self.registry)
        self.watchdog_endings = Counter("voicebot_watchdog", "Calls the watchdog or the guard ended",
                                        ["reason"], registry=self.registry)
        self.store_errors = Counter("voicebot_store_errors", "Call records that could not be stored",
                                    registry=self.registry)

    def call_started(self, door: str, dialogue: str) -> None:
        self.calls_active.inc()
        self.calls_total.labels(door=door, dialogue=dialogue).inc()

    def call_ended(self, door: str, outcome: str | None) -> None:
        del door  # kept in the signature so a per-door breakdown can be added without touching callers
        self.calls_active.dec()
        self.outcomes.labels(outcome=outcome or "none").inc()

    def call_usage(self, key_name: str | None, caller_audio_s: float, bot_audio_s: float) -> None:
        key = key_name or "none"
        self.key_calls.labels(key=key).inc()
        self.key_audio_seconds.labels(key=key, direction="in").inc(caller_audio_s)
        self.key_audio_seconds.labels(key=key, direction="out").inc(bot_audio_s)

    def observe_latency_ms(self, ms: float) -> None:
        self.response_latency.observe(ms / 1000.0)

    def observe_engine(self, engine: str, op: str, seconds: float) -> None:
        self.engine_seconds.labels(engine=engine, op=op).observe(seconds)

    def watchdog(self, reason: str) -> None:
        """A call ended by a limit: ``no_progress``, ``max_duration``, or ``stuck`` (the guard)."""
        self.watchdog_endings.labels(reason=reason).inc()

    def render(self) -> tuple[bytes, str]:
        """The exposition text and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
