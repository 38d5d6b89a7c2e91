"""What a call needs from the service around it: a place for its record, metrics, engines, config.

:class:`voicebot.runtime.Runtime` provides them on a server; :class:`LocalServices` for offline calls
(``voicebot call``) and tests.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Protocol

from voicebot.config import Config
from voicebot.engines.base import Int16Array
from voicebot.metrics import Metrics
from voicebot.record import CallRecord
from voicebot.session.engines import EnginePool


class RecordSink(Protocol):
    """Where call records go: a call store."""

    def begin(self, record: CallRecord) -> None:
        """The call started (its row shows as in progress)."""

    def save(self, record: CallRecord, audio: Int16Array | None, sample_rate_hz: int) -> None:
        """The finished call and its two-channel audio (caller, bot); exactly once per call."""


class CallServices(Protocol):
    @property
    def store(self) -> RecordSink | None: ...

    @property
    def metrics(self) -> Metrics | None: ...

    @property
    def engines(self) -> EnginePool | None: ...

    @property
    def config(self) -> Config | None: ...

    def track_save(self, saving: asyncio.Future[None]) -> None:
        """A record save running in a worker thread: the service closes its store only after it."""


@dataclass(slots=True)
class LocalServices:
    """Services for a call outside a server; any of them may be missing."""

    store: RecordSink | None = None
    metrics: Metrics | None = None
    engines: EnginePool | None = None
    config: Config | None = None
    saves: set[asyncio.Future[None]] = field(default_factory=set)

    def track_save(self, saving: asyncio.Future[None]) -> None:
        self.saves.add(saving)
        saving.add_done_callback(self.saves.discard)
