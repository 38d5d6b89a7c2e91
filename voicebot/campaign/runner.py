"""The dialer loop: pick due contacts, keep ``max_concurrent`` calls going, record every attempt.

Each attempt is committed before dialling and closed once (see :mod:`voicebot.campaign.state`);
a restarted runner first closes the attempts its predecessor left open.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from voicebot.campaign.contacts import mask_phone
from voicebot.campaign.policy import ANSWERED, FAILED, TRANSFERRED
from voicebot.campaign.state import FINISHED, PAUSED, RUNNING, CampaignStore, DueContact, Progress
from voicebot.errors import VoicebotError
from voicebot.record import CallRecord

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class DialRequest:
    campaign_id: str
    call_id: str
    phone: str
    dialogue: str
    variables: dict[str, Any]


@dataclass(frozen=True, slots=True)
class DialResult:
    outcome: str  # answered, no_answer, busy, failed, rejected
    record: CallRecord | None = None  # the call record when answered


class Dialer(Protocol):
    async def dial(self, request: DialRequest) -> DialResult: ...


class CampaignRunner:
    """Runs one campaign until every contact is done, or until :meth:`pause`.

    Args:
        find_record: looks a call record up by call_id (the call store), used on restart to learn
            whether an attempt left open was in fact answered.
    """

    def __init__(self, store: CampaignStore, campaign_id: str, dialer: Dialer, *,
                 find_record: Callable[[str], CallRecord | None] = lambda call_id: None,
                 clock: Callable[[], datetime] = utc_now, poll_s: float = 1.0,
                 on_progress: Callable[[Progress], None] | None = None) -> None:
        self.store = store
        self.campaign_id = campaign_id
        self.dialer = dialer
        self.find_record = find_record
        self.clock = clock
        self.poll_s = poll_s
        self.on_progress = on_progress
        self._paused = asyncio.Event()
        self._in_flight: set[asyncio.Task[None]] = set()

    def pause(self) -> None:
        """Start no new call; calls in progress finish."""
        self._paused.set()

    async def run(self) -> Progress:
        campaign = self.store.get(self.campaign_id)
        settings = campaign.settings
        window = settings.dial_window
        for attempt, outcome in self.store.recover(self.campaign_id, self.find_record, self.clock()):
            log.warning("campaign %s: line %d attempt %d was open at restart; closed as %s",
                        self.campaign_id, attempt.line, attempt.attempt_no, outcome)
        self.store.set_status(self.campaign_id, RUNNING, self.clock())
        try:
            while not self._paused.is_set():
                now = self.clock()
                progress = self.store.progress(self.campaign_id)
                if progress.pending == 0 and not self._in_flight:
                    self.store.set_status(self.campaign_id, FINISHED, now)
                    break
                if window is not None and not window.contains(now):
                    await self._wait((window.next_open(now) - now).total_seconds())
                    continue
                free = settings.max_concurrent - len(self._in_flight)
                for contact in self.store.due_contacts(self.campaign_id, now, free):
                    self._start(contact, settings.dialogue)
                if self._in_flight:
                    await asyncio.wait(self._in_flight, timeout=self.poll_s,
                                       return_when=asyncio.FIRST_COMPLETED)
                else:
                    due = self.store.next_due_at(self.campaign_id)
                    await self._wait((due - now).total_seconds() if due else self.poll_s)
            if self._in_flight:
                await asyncio.gather(*self._in_flight, return_exceptions=True)
            if self._paused.is_set():
                self.store.set_status(self.campaign_id, PAUSED, self.clock())
        except asyncio.CancelledError:
            # Killed: calls in flight are abandoned; their attempts stay open for recover().
            for task in self._in_flight:
                task.cancel()
            raise
        return self.store.progress(self.campaign_id)

    async def _wait(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._paused.wait(), max(0.0, min(seconds, self.poll_s)))

    def _start(self, contact: DueContact, dialogue: str) -> None:
        call_id = str(uuid.uuid4())
        attempt_no = self.store.begin_attempt(self.campaign_id, contact.line, call_id, self.clock())
        request = DialRequest(self.campaign_id, call_id, contact.phone, dialogue, contact.variables)
        task = asyncio.create_task(self._attempt(contact, attempt_no, request))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    async def _attempt(self, contact: DueContact, attempt_no: int, request: DialRequest) -> None:
        log.info("campaign %s: dialling line %d (%s), attempt %d", self.campaign_id, contact.line,
                 mask_phone(contact.phone), attempt_no)
        try:
            result = await self.dialer.dial(request)
        except VoicebotError as exc:
            log.warning("campaign %s: line %d attempt %d failed: %s", self.campaign_id, contact.line,
                        attempt_no, exc)
            result = DialResult(FAILED)
        if result.outcome in (ANSWERED, TRANSFERRED) and result.record is None:
            result = DialResult(FAILED)  # the bot never got the audio: the person heard nothing
        outcome = self.store.finish_attempt(self.campaign_id, contact.line, attempt_no, result.outcome,
                                            result.record, self.clock())
        log.info("campaign %s: line %d attempt %d: %s", self.campaign_id, contact.line, attempt_no, outcome)
        if self.on_progress is not None:
            self.on_progress(self.store.progress(self.campaign_id))
