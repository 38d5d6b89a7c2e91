"""Call admission: who may call (API key, dialogue) and how many calls run at once (server, key).

Every door (websocket, AudioSocket) admits its calls here; every rejection is an
:class:`~voicebot.errors.AdmissionError` carrying the HTTP status and the websocket close code to answer
with (401/4401 key, 403/4403 dialogue not allowed, 429/4429 too many calls).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from voicebot.errors import AdmissionError, DialogueNotAllowedError, TooManyCallsError
from voicebot.metrics import Metrics
from voicebot.store.keys import ApiKey, KeyStore

log = logging.getLogger(__name__)


class Admission:
    """Checks API keys and counts calls in progress, server-wide and per key."""

    def __init__(self, keys: KeyStore, *, insecure_no_auth: bool, max_concurrent_calls: int,
                 metrics: Metrics | None = None) -> None:
        self.keys = keys
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
            return ApiKey(key_id="-", name="anonymous (--insecure-no-auth)")
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
        try:
            yield key
        finally:
            with self._lock:
                self._active_total -= 1
                left = self._active_by_key[key.key_id] - 1
                if left:
                    self._active_by_key[key.key_id] = left
                else:
                    del self._active_by_key[key.key_id]

    def _count_failure(self, exc: AdmissionError) -> None:
        log.info("request rejected: %s", exc.reason)
        if self.metrics is not None:
            self.metrics.auth_failures.labels(reason=exc.reason).inc()
