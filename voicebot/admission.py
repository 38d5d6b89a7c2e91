"""Call admission: who may call (API key, dialogue) and how many calls run at once (server, key).

Every door (websocket, AudioSocket) admits its calls here; every rejection is an
:class:`~voicebot.errors.AdmissionError` carrying the HTTP status and the websocket close code to answer
with (401/4401 key, 403/4403 dialogue not allowed, 429/4429 too many calls, 429/4402 monthly quota
used up).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Protocol

from voicebot.analytics.usage import current_month, minutes_used
from voicebot.errors import (
    AdmissionError,
    DialogueNotAllowedError,
    QuotaExceededError,
    StoreError,
    TooManyCallsError,
)
from voicebot.metrics import Metrics
from voicebot.store.keys import ADMIN, ApiKey, KeyStore

if TYPE_CHECKING:
    from starlette.requests import HTTPConnection

log = logging.getLogger(__name__)


def token_from(headers: Mapping[str, str], query: Mapping[str, str]) -> str | None:
    """The API key of a request: ``Authorization: Bearer KEY``, else ``?token=KEY``."""
    scheme, _, value = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return query.get("token") or None


async def require_key(conn: HTTPConnection) -> ApiKey:
    """The API key of an HTTP request (or websocket) to the app; raises AdmissionError (401).

    For routers mounted into the app (``conn.app.state.runtime`` is the Runtime); the app turns the
    error into a JSON 401 answer.
    """
    admission: Admission = conn.app.state.runtime.admission
    return await admission.authenticate(token_from(conn.headers, conn.query_params))


class SharedCallLimits(Protocol):
    """Calls in progress counted across every worker (:class:`voicebot.store.slots.PostgresCallSlots`)."""

    def acquire(self, slot_id: str, key_id: str, dialogue: str, limit: int) -> bool: ...

    def release(self, slot_id: str) -> None: ...

    def close(self) -> None: ...


class Admission:
    """Checks API keys and counts calls in progress, server-wide and per key."""

    def __init__(self, keys: KeyStore, *, insecure_no_auth: bool, max_concurrent_calls: int,
                 metrics: Metrics | None = None, shared_limits: SharedCallLimits | None = None) -> None:
        self.keys = keys
        # A key's max_concurrent_calls across all workers (PostgreSQL); None: counted in this process only.
        self.shared_limits = shared_limits
        self.insecure_no_auth = insecure_no_auth
        self.max_concurrent_calls = max_concurrent_calls
        self.metrics = metrics
        # Sessions of several doors (websocket, AudioSocket) may run on other threads' loops.
        self._lock = threading.Lock()
        self._active_total = 0
        self._active_by_key: dict[str, int] = {}

    @property
    def active_calls(self) -> int:
        return self._active_total

    async def authenticate(self, token: str | None) -> ApiKey:
        """The caller's key, or the anonymous key when auth is off. Raises AdmissionError."""
        if self.insecure_no_auth:
            return ApiKey(key_id="-", name="anonymous (--insecure-no-auth)", scopes=(ADMIN,))
        try:
            return await asyncio.to_thread(self.keys.authenticate, token)
        except AdmissionError as exc:
            self._count_failure(exc)
            raise

    @asynccontextmanager
    async def admit(self, token: str | None, dialogue: str, *,
                    trusted: bool = False) -> AsyncIterator[ApiKey]:
        """Hold a call slot for the duration of the block.

        ``trusted`` is for doors that carry no key (AudioSocket from our own Asterisk): only the
        server-wide limit applies.
        """
        key = ApiKey(key_id="-", name="trusted door") if trusted else await self.authenticate(token)
        if not key.allows(dialogue):
            denied = DialogueNotAllowedError(f"API key {key.name!r} may not use dialogue {dialogue!r}")
            self._count_failure(denied)
            raise denied
        if key.monthly_quota_min is not None:
            await self._check_quota(key, key.monthly_quota_min)
        rejection: AdmissionError | None = None
        with self._lock:
            if self._active_total >= self.max_concurrent_calls:
                rejection = TooManyCallsError(
                    f"the server is at its limit of {self.max_concurrent_calls} concurrent calls; "
                    f"retry later")
            elif (key.max_concurrent_calls is not None
                  and self._active_by_key.get(key.key_id, 0) >= key.max_concurrent_calls):
                rejection = TooManyCallsError(
                    f"API key {key.name!r} is at its limit of {key.max_concurrent_calls} concurrent calls")
            else:
                self._active_total += 1
                self._active_by_key[key.key_id] = self._active_by_key.get(key.key_id, 0) + 1
        if rejection is not None:
            self._count_failure(rejection)
            raise rejection
        slot: str | None = None
        try:
            slot = await self._take_shared_slot(key, dialogue)
            yield key
        finally:
            if slot is not None:
                await self._release_shared_slot(slot)
            with self._lock:
                self._active_total -= 1
                left = self._active_by_key[key.key_id] - 1
                if left:
                    self._active_by_key[key.key_id] = left
                else:
                    del self._active_by_key[key.key_id]

    async def _take_shared_slot(self, key: ApiKey, dialogue: str) -> str | None:
        """A slot of the key's limit counted across workers; raises TooManyCallsError at the limit."""
        limit = key.max_concurrent_calls
        if self.shared_limits is None or limit is None:
            return None
        slot = str(uuid.uuid4())
        try:
            taken = await asyncio.to_thread(self.shared_limits.acquire, slot, key.key_id, dialogue, limit)
        except StoreError as exc:
            # The database is away: the per-process limit still holds; calls go on rather than fail.
            log.warning("shared call limit of key %r not checked: %s", key.name, exc)
            return None
        if not taken:
            rejection = TooManyCallsError(
                f"API key {key.name!r} is at its limit of {limit} concurrent calls across all workers")
            self._count_failure(rejection)
            raise rejection
        return slot

    async def _release_shared_slot(self, slot: str) -> None:
        assert self.shared_limits is not None
        try:
            await asyncio.to_thread(self.shared_limits.release, slot)
        except StoreError as exc:
            # The row stays until this worker's lease runs out (or it restarts): it then stops counting.
            log.warning("shared call slot %s not released: %s", slot, exc)

    async def _check_quota(self, key: ApiKey, quota_min: float) -> None:
        month = current_month()
        try:
            used_min = await asyncio.to_thread(minutes_used, self.keys.query, key.key_id, month)
        except StoreError as exc:
            # The database is away: the call goes on (its record will count) rather than fail.
            log.warning("monthly quota of key %r not checked: %s", key.name, exc)
            return
        if used_min >= quota_min:
            refused = QuotaExceededError(
                f"API key {key.name!r} has used {used_min:.1f} of its {quota_min:g} minutes for {month}; "
                f"raise its quota with 'voicebot keys set {key.name} --quota-min N'")
            self._count_failure(refused)
            raise refused

    def _count_failure(self, exc: AdmissionError) -> None:
        log.info("request rejected: %s", exc.reason)
        if self.metrics is not None:
            self.metrics.auth_failures.labels(reason=exc.reason).inc()
