"""Drift flags as Prometheus gauges, computed from the store when ``/metrics`` is scraped (cached)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from voicebot.analytics.drift import StepDrift, step_drift

log = logging.getLogger(__name__)


class DriftCollector(Collector):
    """``voicebot_step_drift`` (1 = flagged) and ``voicebot_step_not_understood_rate`` per step.

    Args:
        query: the call store's ``query``.
        days: the window compared with the one before it.
        ttl_s: how long one computation serves scrapes.
        now: the clock (tests pin it).
    """

    def __init__(self, query: Callable[..., list[Any]], *, days: int = 7, ttl_s: float = 60.0,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._query = query
        self._now = now
        self._days = days
        self._ttl_s = ttl_s
        self._lock = threading.Lock()
        self._cached: tuple[float, list[StepDrift]] | None = None

    def drifts(self) -> list[StepDrift]:
        with self._lock:
            if self._cached is None or time.monotonic() - self._cached[0] > self._ttl_s:
                try:
                    drifts = step_drift(self._query, days=self._days, now=self._now())
                    self._cached = (time.monotonic(), drifts)
                except Exception:  # a scrape must not fail because the store is away
                    log.warning("step drift not computed", exc_info=True)
                    return self._cached[1] if self._cached else []
            return self._cached[1]

    def collect(self) -> Iterator[GaugeMetricFamily]:
        flag = GaugeMetricFamily("voicebot_step_drift", f"1 when a step's not-understood rate or STT "
                                 f"confidence moved between the last {self._days} days and the {self._days} "
                                 f"before (see docs/operations.md)", labels=["dialogue", "step"])
        rate = GaugeMetricFamily("voicebot_step_not_understood_rate",
                                 "Share of a step's answers not understood, per window",
                                 labels=["dialogue", "step", "window"])
        for d in self.drifts():
            flag.add_metric([d.dialogue, d.step], 1.0 if d.flagged else 0.0)
            rate.add_metric([d.dialogue, d.step, "recent"], d.recent_rate)
            rate.add_metric([d.dialogue, d.step, "previous"], d.previous_rate)
        yield flag
        yield rate
