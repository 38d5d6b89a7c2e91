"""The running service's shared state: config, stores, metrics, dialogues, engines, call admission.

Every door (websocket, AudioSocket) gets one :class:`Runtime` and asks it for what a call needs.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from voicebot.config import Config
from voicebot.errors import DialogueError, VoicebotError
from voicebot.record import utc_now_iso
from voicebot.store import CallStore, KeyStore, open_call_store, open_key_store, store_target
from voicebot.store.keys import ApiKey
from voicebot.web.auth import Admission
from voicebot.web.metrics import Metrics

log = logging.getLogger(__name__)
SAVE_WAIT_S = 30.0  # how long close() waits for record saves still queued


@dataclass(frozen=True, slots=True)
class ReloadResult:
    ok: bool
    dialogues: tuple[str, ...] = ()  # what is loaded now (the old set when the reload failed)
    errors: tuple[str, ...] = ()
    tests_passed: int = 0
    tests_failed: int = 0
    version: int = 0  # increases by one on every successful reload
    at: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "dialogues": list(self.dialogues), "errors": list(self.errors),
                "tests_passed": self.tests_passed, "tests_failed": self.tests_failed,
                "version": self.version, "at": self.at}


class DialogueLibrary:
    """The dialogues the service runs, swapped as a whole on a successful reload.

    A call takes its ``Dialogue`` object once, at its start, so a reload never changes a call in progress.
    """

    def __init__(self, dialogues_dir: str | Path) -> None:
        self.dialogues_dir = Path(dialogues_dir)
        self._dialogues: Mapping[str, Any] = MappingProxyType({})
        self._reload_lock = threading.Lock()
        self.version = 0
        self.last_result: ReloadResult | None = None

    def get(self, name: str) -> Any:
        """The current version of a dialogue. Raises DialogueError when there is none by that name."""
        try:
            return self._dialogues[name]
        except KeyError:
            known = ", ".join(sorted(self._dialogues)) or "none loaded"
            raise DialogueError(f"no dialogue named {name!r} (available: {known})") from None

    def names(self) -> list[str]:
        return sorted(self._dialogues)

    def all(self) -> Mapping[str, Any]:
        return self._dialogues

    def reload(self) -> ReloadResult:
        """Load every dialogue and run its conversation tests; swap in only if all validate and pass."""
        with self._reload_lock:
            result = self._try_reload()
            self.last_result = result
            return result

    def _try_reload(self) -> ReloadResult:
        def failed(*errors: str, passed: int = 0, failed_count: int = 0) -> ReloadResult:
            return ReloadResult(ok=False, dialogues=tuple(self.names()), errors=errors, tests_passed=passed,
                                tests_failed=failed_count, version=self.version, at=utc_now_iso())

        if not self.dialogues_dir.is_dir():
            return failed(f"dialogues directory {self.dialogues_dir} not found; set paths.dialogues_dir")
        try:
            from voicebot.dialogue.loader import load_dialogue_dir

            loaded: dict[str, Any] = dict(load_dialogue_dir(self.dialogues_dir))
        except VoicebotError as exc:
            return failed(str(exc))
        except ImportError as exc:
            return failed(f"the dialogue loader is not available: {exc}")
        passed, errors = self._run_tests(loaded)
        if errors:
            return failed(*errors, passed=passed, failed_count=len(errors))
        self._dialogues = MappingProxyType(loaded)
        self.version += 1
        return ReloadResult(ok=True, dialogues=tuple(sorted(loaded)), tests_passed=passed,
                            version=self.version, at=utc_now_iso())

    def _run_tests(self, loaded: Mapping[str, Any]) -> tuple[int, list[str]]:
        tests_dir = self.dialogues_dir / "tests"
        files = sorted(p for p in tests_dir.glob("*.yml") if any(p.stem.startswith(n) for n in loaded)) \
            if tests_dir.is_dir() else []
        if not files:
            return 0, []
        try:
            from voicebot.dialogue.testing import run_test_file
        except ImportError as exc:
            return 0, [f"the dialogue test runner is not available: {exc}"]
        passed, errors = 0, []
        for path in files:
            try:
                results = run_test_file(path)
            except VoicebotError as exc:
                errors.append(f"{path}: {exc}")
                continue
            for result in results:
                if _passed(result):
                    passed += 1
                else:
                    errors.append(f"{path}: test {getattr(result, 'name', '?')!s} failed: {_why(result)}")
        return passed, errors


def _passed(result: Any) -> bool:
    for attribute in ("passed", "ok"):
        value = getattr(result, attribute, None)
        if isinstance(value, bool):
            return value
    return not getattr(result, "failures", None) and not getattr(result, "error", None)


def _why(result: Any) -> str:
    for attribute in ("message", "error", "failures", "reason"):
        value = getattr(result, attribute, None)
        if value:
            return "; ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
    return "no details"


class Runtime:
    """Create with :meth:`create`, then ``await start()`` before taking calls and ``await close()`` after."""

    def __init__(self, config: Config, *, store: CallStore, keys: KeyStore, metrics: Metrics,
                 dialogues: DialogueLibrary, load_engines: bool = True) -> None:
        self.config = config
        self.store = store
        self.keys = keys
        self.metrics = metrics
        self.dialogues = dialogues
        self.admission = Admission(keys, insecure_no_auth=config.server.insecure_no_auth,
                                   max_concurrent_calls=config.server.max_concurrent_calls, metrics=metrics)
        # Filled by start() with voicebot.session.engines.EnginePool (models per language and voice).
        self.engines: Any = None
        self.load_engines = load_engines
        self.interrupted_calls = 0
        self._started = False
        self._closed = False
        self._background: set[asyncio.Task[None]] = set()
        # Record saves queued or running in worker threads: a shutdown that cancels a call's task
        # must not close the store before they have run.
        self._saves: set[asyncio.Future[Any]] = set()
        self._owns_engines = False  # a pool given from outside (tests, tools) is not ours to close

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
        return cls(config, store=store, keys=keys, metrics=metrics,
                   dialogues=DialogueLibrary(config.paths.dialogues_dir), load_engines=load_engines)

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
        self._owns_engines = True
        warm = getattr(self.engines, "warm", None)
        if warm is not None:
            await warm(list(self.dialogues.all().values()))

    def track_save(self, saving: asyncio.Future[Any]) -> None:
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
        close = getattr(self.engines, "close", None) if self._owns_engines else None
        if close is not None:
            outcome = close()
            if inspect.isawaitable(outcome):
                await outcome
        # In a thread: it waits for record saves still running in worker threads.
        await asyncio.to_thread(self.store.close)
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
        before = {name: getattr(d, "content_hash", None) for name, d in self.dialogues.all().items()}
        result = await asyncio.to_thread(self.dialogues.reload)
        self.metrics.dialogue_reloads.labels(result="ok" if result.ok else "failed").inc()
        if result.ok:
            log.info("dialogues loaded: %s (version %d, %d tests passed)", ", ".join(result.dialogues),
                     result.version, result.tests_passed)
            changed = [d for name, d in self.dialogues.all().items()
                       if before.get(name) != getattr(d, "content_hash", None)]
            if changed and self.engines is not None and hasattr(self.engines, "warm"):
                # New prompts get synthesised in the background; calls meanwhile synthesise on demand.
                task = asyncio.get_running_loop().create_task(self._warm(changed))
                self._background.add(task)
                task.add_done_callback(self._background.discard)
        else:
            log.error("dialogue reload failed, keeping version %d: %s", result.version,
                      "; ".join(result.errors))
        return result

    async def _warm(self, dialogues: list[Any]) -> None:
        try:
            await self.engines.warm(dialogues)
        except Exception:
            log.exception("warming the reloaded dialogues failed; their prompts are synthesised per call")
