"""The running service's shared state: config, stores, metrics, dialogues, engines, call admission.

Every door (websocket, AudioSocket) gets one :class:`Runtime` and asks it for what a call needs.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import TYPE_CHECKING

from voicebot.admission import Admission, SharedCallLimits
from voicebot.config import Config
from voicebot.dialogue.library import DialogueLibrary, ReloadResult
from voicebot.metrics import Metrics
from voicebot.store import CallStore, KeyStore, open_call_store, open_key_store, store_target
from voicebot.store.keys import ApiKey

if TYPE_CHECKING:  # imported when engines start: voice SDKs are optional
    from voicebot.dialogue.model import Dialogue
    from voicebot.session.engines import EnginePool

log = logging.getLogger(__name__)
SAVE_WAIT_S = 30.0  # how long close() waits for record saves still queued


class Runtime:
    """Create with :meth:`create`, then ``await start()`` before taking calls and ``await close()`` after."""

    def __init__(self, config: Config, *, store: CallStore, keys: KeyStore, metrics: Metrics,
                 dialogues: DialogueLibrary, load_engines: bool = True,
                 shared_limits: SharedCallLimits | None = None) -> None:
        self.config = config
        self.store = store
        self.keys = keys
        self.metrics = metrics
        self.dialogues = dialogues
        self.admission = Admission(keys, insecure_no_auth=config.server.insecure_no_auth,
                                   max_concurrent_calls=config.server.max_concurrent_calls, metrics=metrics,
                                   shared_limits=shared_limits)
        # Filled by start(): models per language and voice; None for HTTP-only use.
        self.engines: EnginePool | None = None
        self.load_engines = load_engines
        self.interrupted_calls = 0
        self._started = False
        self._closed = False
        self._background: set[asyncio.Task[None]] = set()
        # Record saves queued or running in worker threads: a shutdown that cancels a call's task
        # must not close the store before they have run.
        self._saves: set[asyncio.Future[None]] = set()

    @classmethod
    def create(cls, config: Config, *, load_engines: bool = True) -> Runtime:
        """Open the stores; nothing slow happens until start().

        ``load_engines=False`` leaves ``engines`` empty (HTTP-only use, tools, tests without calls).
        """
        metrics = Metrics()
        target = store_target(config.store.url, config.store_path)
        store = open_call_store(target, recordings_dir=config.recordings_dir,
                                fallback_path=config.paths.data_dir / "unsaved-records.jsonl",
                                record_audio=config.recording.enabled, on_fallback=metrics.store_errors.inc)
        try:
            keys = open_key_store(target)
        except BaseException:
            store.close()
            raise
        try:
            shared_limits = _shared_limits(target, store)
        except BaseException:
            store.close()
            keys.close()
            raise
        return cls(config, store=store, keys=keys, metrics=metrics,
                   dialogues=DialogueLibrary(config.paths.dialogues_dir), load_engines=load_engines,
                   shared_limits=shared_limits)

    async def start(self) -> None:
        """Recover unsaved records, close calls a dead server left open, load dialogues and engines."""
        if self._started:
            return
        self._started = True
        # Records that once went to the fallback file first: they are the final word on their calls.
        recovered = await asyncio.to_thread(self.store.import_fallback)
        if recovered:
            log.warning("%d call record(s) recovered from %s", recovered, self.store.fallback_path)
        self.interrupted_calls = await asyncio.to_thread(self.store.mark_interrupted)
        if self.interrupted_calls:
            log.warning("%d call(s) were cut off by a previous shutdown; marked interrupted",
                        self.interrupted_calls)
        result = await self.reload_dialogues()
        if not result.ok:
            log.error("no dialogues loaded; fix them and reload (SIGHUP or POST /api/dialogues/reload)")
        if self.load_engines:
            await self._start_engines()

    async def _start_engines(self) -> None:
        try:
            from voicebot.session.engines import EnginePool
        except ImportError as exc:
            log.warning("voice engines unavailable (%s): only text and HTTP features work", exc)
            return
        self.engines = EnginePool.from_config(self.config)
        await self.engines.warm(list(self.dialogues.all().values()))

    def track_save(self, saving: asyncio.Future[None]) -> None:
        self._saves.add(saving)
        saving.add_done_callback(self._saves.discard)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._saves:
            _, late = await asyncio.wait(set(self._saves), timeout=SAVE_WAIT_S)
            if late:
                log.error("%d call record save(s) still queued at shutdown; they go to the fallback file",
                          len(late))
        for task in list(self._background):
            task.cancel()
        # In a thread: it waits for record saves still running in worker threads.
        await asyncio.to_thread(self.store.close)
        if self.admission.shared_limits is not None:
            self.admission.shared_limits.close()
        self.keys.close()

    def admit_call(self, token: str | None, dialogue_name: str, *,
                   trusted: bool = False) -> AbstractAsyncContextManager[ApiKey]:
        """``async with runtime.admit_call(token, name) as key:`` holds a call slot.

        Raises AdmissionError (an AuthError) with ``http_status`` / ``close_code``: 401/4401 missing,
        unknown or revoked key; 403/4403 dialogue not allowed; 429/4429 too many calls.
        """
        return self.admission.admit(token, dialogue_name, trusted=trusted)

    async def reload_dialogues(self) -> ReloadResult:
        """Reload from disk; on any error or failed test the running dialogues stay. Never raises."""
        before = {name: d.content_hash for name, d in self.dialogues.all().items()}
        result = await asyncio.to_thread(self.dialogues.reload)
        self.metrics.dialogue_reloads.labels(result="ok" if result.ok else "failed").inc()
        if result.ok:
            log.info("dialogues loaded: %s (version %d, %d tests passed)", ", ".join(result.dialogues),
                     result.version, result.tests_passed)
            changed = [d for name, d in self.dialogues.all().items()
                       if before.get(name) != d.content_hash]
            if changed and self.engines is not None:
                # New prompts get synthesised in the background; calls meanwhile synthesise on demand.
                task = asyncio.get_running_loop().create_task(self._warm(changed))
                self._background.add(task)
                task.add_done_callback(self._background.discard)
        else:
            log.error("dialogue reload failed, keeping version %d: %s", result.version,
                      "; ".join(result.errors))
        return result

    def reload_on_signal(self) -> bool:
        """SIGHUP reloads the dialogues, as ``POST /api/dialogues/reload`` does (both call
        :meth:`reload_dialogues`). False where signals cannot be handled (not the main thread)."""
        loop = asyncio.get_running_loop()

        async def reload() -> None:
            await self.reload_dialogues()  # logs and counts the result; never raises

        def on_hup() -> None:
            task = loop.create_task(reload())
            self._background.add(task)  # keep a reference until it finishes
            task.add_done_callback(self._background.discard)

        try:
            loop.add_signal_handler(signal.SIGHUP, on_hup)
        except (NotImplementedError, RuntimeError, ValueError):
            return False
        return True

    async def _warm(self, dialogues: list[Dialogue]) -> None:
        if self.engines is None:
            return
        try:
            await self.engines.warm(dialogues)
        except Exception:
            log.exception("warming the reloaded dialogues failed; their prompts are synthesised per call")


def _shared_limits(target: str | Path, store: CallStore) -> SharedCallLimits | None:
    """On PostgreSQL, key limits counted across workers, under the call store's worker id and heartbeat."""
    from voicebot.store.factory import is_postgres_url

    if not is_postgres_url(target):
        return None
    from voicebot.store.postgres import PostgresCallStore
    from voicebot.store.slots import PostgresCallSlots

    if not isinstance(store, PostgresCallStore):
        return None
    return PostgresCallSlots(str(target), store.worker)
