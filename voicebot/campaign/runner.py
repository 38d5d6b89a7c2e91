"""The dialer loop: claim due contacts, keep ``max_concurrent`` calls going, record every attempt.

Each attempt is committed before dialling and closed once (see :mod:`voicebot.campaign.state`);
a restarted runner first closes the attempts its predecessor left open.

On a store with leases (PostgreSQL, many dialers on one campaign) the runner also renews the leases
of its live calls every ``lease_s / 3`` and, as it polls, closes other dialers' attempts whose lease
ran out. A call whose lease it could not renew in time is stopped (the fence): by then another dialer
may count it as over, so it must be.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from voicebot.campaign.contacts import mask_phone
from voicebot.campaign.policy import ANSWERED, FAILED, TRANSFERRED
from voicebot.campaign.state import FINISHED, PAUSED, RUNNING, CampaignStore, Claim, Progress
from voicebot.errors import CampaignError, VoicebotError
from voicebot.record import CallRecord

log = logging.getLogger(__name__)
T = TypeVar("T")
# A call is stopped once this share of its lease has passed since the last renewal that succeeded
# (timed from before the request, so the database's lease always ends later).
FENCE_SHARE = 0.8


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
        # Leased stores: call_id -> (task, monotonic time the last renewal that succeeded was asked).
        self._leases: dict[str, tuple[asyncio.Task[None], float]] = {}

    def pause(self) -> None:
        """Start no new call; calls in progress finish."""
        self._paused.set()

    async def run(self) -> Progress:
        store = self.store
        campaign = await self._io(store.get, self.campaign_id)
        settings = campaign.settings
        window = settings.dial_window
        recovered = await self._io(store.recover, self.campaign_id, self.find_record, self.clock())
        for attempt, outcome in recovered:
            log.warning("campaign %s: line %d attempt %d was open at restart; closed as %s",
                        self.campaign_id, attempt.line, attempt.attempt_no, outcome)
        await self._io(store.set_status, self.campaign_id, RUNNING, self.clock())
        keeper = asyncio.create_task(self._keep_leases()) if self.store.lease_s is not None else None
        try:
            while not self._paused.is_set():
                now = self.clock()
                if store.lease_s is not None:
                    await self._recover_expired(now)
                progress = await self._io(store.progress, self.campaign_id)
                if progress.pending == 0 and not self._in_flight:
                    await self._io(store.set_status, self.campaign_id, FINISHED, now)
                    break
                if window is not None and not window.contains(now):
                    await self._wait((window.next_open(now) - now).total_seconds())
                    continue
                free = settings.max_concurrent - len(self._in_flight)
                asked = time.monotonic()  # before the claim: its lease cannot have begun earlier
                for claim in await self._io(store.claim, self.campaign_id, now, free):
                    self._start(claim, settings.dialogue, asked)
                if self._in_flight:
                    await asyncio.wait(self._in_flight, timeout=self.poll_s,
                                       return_when=asyncio.FIRST_COMPLETED)
                else:
                    due = await self._io(store.next_due_at, self.campaign_id)
                    await self._wait((due - now).total_seconds() if due else self.poll_s)
            if self._in_flight:
                await asyncio.gather(*self._in_flight, return_exceptions=True)
            if self._paused.is_set():
                await self._io(store.set_status, self.campaign_id, PAUSED, self.clock())
        except asyncio.CancelledError:
            # Killed: calls in flight are abandoned; their attempts stay open for recover().
            for task in self._in_flight:
                task.cancel()
            raise
        finally:
            if keeper is not None:
                keeper.cancel()
        return await self._io(store.progress, self.campaign_id)

    async def _io(self, call: Callable[..., T], *args: Any) -> T:
        """A store call. On a shared database (leases) in a thread: a database that stalls must not stall
        the calls in progress, nor the lease renewal that decides when they must stop. On SQLite (a local
        file) in the loop: a runner killed mid-way leaves nothing half-done in a thread that outlives it."""
        if self.store.lease_s is None:
            return call(*args)
        return await asyncio.to_thread(call, *args)

    async def _recover_expired(self, now: datetime) -> None:
        closed = await self._io(self.store.recover, self.campaign_id, self.find_record, now)
        for attempt, outcome in closed:
            log.warning("campaign %s: line %d attempt %d (call %s) lost its dialer's lease; closed as %s",
                        self.campaign_id, attempt.line, attempt.attempt_no, attempt.call_id, outcome)

    async def _keep_leases(self) -> None:
        """Renew the leases of this runner's live calls; stop the calls whose lease could not be kept."""
        lease_s = float(self.store.lease_s or 0.0)
        while True:
            await asyncio.sleep(lease_s / 3)
            if not self._leases:
                continue
            asked = time.monotonic()
            call_ids = list(self._leases)
            oldest = min(renewed for _, renewed in self._leases.values())
            try:
                held: set[str] | None = await asyncio.wait_for(
                    asyncio.to_thread(self.store.renew, self.campaign_id, call_ids),
                    max(0.0, oldest + lease_s * FENCE_SHARE - asked))
            except (VoicebotError, TimeoutError) as exc:
                log.warning("campaign %s: lease renewal failed: %s", self.campaign_id, exc or "timed out")
                held = None
            now = time.monotonic()
            for call_id in call_ids:
                entry = self._leases.get(call_id)
                if entry is None:
                    continue  # ended meanwhile
                task, renewed = entry
                if held is not None and call_id in held:
                    self._leases[call_id] = (task, asked)
                elif held is not None or now - renewed >= lease_s * FENCE_SHARE:
                    self._fence(call_id, task)

    def _fence(self, call_id: str, task: asyncio.Task[None]) -> None:
        log.error("campaign %s: call %s lost its lease; stopping it (another dialer may retry the contact)",
                  self.campaign_id, call_id)
        self._leases.pop(call_id, None)
        task.cancel()
        stopping = asyncio.create_task(self._hang_up(call_id))
        self._in_flight.add(stopping)
        stopping.add_done_callback(self._in_flight.discard)

    async def _hang_up(self, call_id: str) -> None:
        hang_up = getattr(self.dialer, "hang_up", None)
        if hang_up is None:
            return
        try:
            await hang_up(call_id)
        except (VoicebotError, OSError, TimeoutError) as exc:
            log.error("campaign %s: could not hang up call %s: %s", self.campaign_id, call_id, exc)

    async def _wait(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._paused.wait(), max(0.0, min(seconds, self.poll_s)))

    def _start(self, claim: Claim, dialogue: str, claimed_at: float) -> None:
        contact = claim.contact
        request = DialRequest(self.campaign_id, claim.call_id, contact.phone, dialogue, contact.variables)
        task = asyncio.create_task(self._attempt(claim, request))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)
        if self.store.lease_s is not None:
            self._leases[claim.call_id] = (task, claimed_at)
            task.add_done_callback(lambda _: self._leases.pop(claim.call_id, None))

    async def _attempt(self, claim: Claim, request: DialRequest) -> None:
        contact, attempt_no = claim.contact, claim.attempt_no
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
        try:
            # In the loop, not a thread: a runner killed now leaves the attempt open for recovery,
            # never half-closed by a thread that outlives it.
            outcome = self.store.finish_attempt(self.campaign_id, contact.line, attempt_no, result.outcome,
                                                result.record, self.clock())
        except CampaignError as exc:
            # Its lease ran out and another dialer closed it: the recovery's verdict stands.
            log.error("campaign %s: line %d attempt %d ended as %s after it was closed elsewhere: %s",
                      self.campaign_id, contact.line, attempt_no, result.outcome, exc)
            return
        log.info("campaign %s: line %d attempt %d: %s", self.campaign_id, contact.line, attempt_no, outcome)
        if self.on_progress is not None:
            self.on_progress(await self._io(self.store.progress, self.campaign_id))
