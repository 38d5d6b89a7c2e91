"""What the parts of one call share: who it is, its clock, its engines, where news and output go."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from voicebot.metrics import Metrics
from voicebot.record import CallRecord
from voicebot.session.deadlines import Deadlines
from voicebot.session.engines import EnginePool
from voicebot.session.inbox import InboxItem
from voicebot.session.output import OutputEvent, SessionOutput
from voicebot.session.recording import CallRecording
from voicebot.session.settings import SessionSettings

log = logging.getLogger(__name__)

# Ending a call: rounds of cancel-and-wait for its tasks before the record is saved regardless.
STOP_TASK_ROUNDS = 5
STOP_TASK_ROUND_S = 1.0


@dataclass(slots=True, eq=False)
class CallContext:
    call_id: str
    language: str
    sample_rate_hz: int
    settings: SessionSettings
    clock: Callable[[], float]  # monotonic seconds; injected so timelines can be tested with literals
    engines: EnginePool
    output: SessionOutput
    metrics: Metrics | None
    recording: CallRecording
    deadlines: Deadlines
    inbox: asyncio.Queue[InboxItem] = field(default_factory=asyncio.Queue)
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    record: CallRecord | None = None
    ended: bool = False  # the call is over: every loop of the call stops
    guard_fired: bool = False  # the guard cancelled a call stuck outside the main loop

    def call_time_s(self, now_s: float) -> float:
        """``now_s`` on the call's own timeline (the recording's), from the start of the call."""
        return now_s - self.deadlines.started_s

    def spawn(self, work: Coroutine[Any, Any, Any], name: str | None = None) -> asyncio.Task[Any]:
        """A task of this call: cancelled and awaited when the call ends."""
        task = asyncio.create_task(work, name=name)
        self.tasks.append(task)
        return task

    def set_meta(self, key: str, value: object) -> None:
        if self.record is not None:
            self.record.meta[key] = value

    def count_meta(self, key: str) -> None:
        if self.record is not None:
            self.record.meta[key] = int(self.record.meta.get(key) or 0) + 1

    async def emit(self, event: OutputEvent) -> None:
        try:
            await self.output.send_event(event)
        except Exception:  # the caller may be gone; the record still gets saved
            log.debug("call %s: %s not delivered", self.call_id, type(event).__name__)

    async def stop_tasks(self) -> None:
        """Cancels the call's tasks and waits for them, never forever.

        A cancellation can be lost: CPython 3.11's ``asyncio.wait_for`` returns the inner result
        instead of raising when the cancel lands after its inner await has completed. The audio task
        waits on ``wait_for`` for every frame; the 10-minute soaks left 2 of 129 and 4 of 120 calls
        that had finished their dialogue waiting here until shutdown. So the audio task also watches
        ``ended``, and a task that outlives a round is cancelled again.
        """
        pending = {task for task in self.tasks if not task.done()}
        for task in pending:
            task.cancel()
        for _ in range(STOP_TASK_ROUNDS):
            if not pending:
                return
            try:
                _, pending = await asyncio.wait(pending, timeout=STOP_TASK_ROUND_S)
            except asyncio.CancelledError:
                break  # a shutdown: the record is saved all the same, as before
            for task in pending:
                task.cancel()
        if pending:
            log.error("call %s: %d task(s) did not stop: %s; saving the record anyway", self.call_id,
                      len(pending), ", ".join(task.get_name() for task in pending))
