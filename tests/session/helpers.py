"""Shared by the session, websocket and CLI tests: one engine pool per process, a real store."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from voicebot.session.engines import EnginePool

DIALOGUE_PATH = Path(__file__).with_name("voice_check.yml")


@cache
def engine_pool() -> EnginePool:
    """Loaded once per test process: tiny.en, Silero, the embedded Piper voice."""
    return EnginePool()


@cache
def voice_check() -> Any:
    from voicebot.dialogue.loader import load_dialogue

    return load_dialogue(DIALOGUE_PATH)


def runtime(tmp_path: Path) -> Any:
    """What a session needs from the service: a real SQLite call store, real metrics, the pool."""
    from voicebot.metrics import Metrics
    from voicebot.session.services import LocalServices
    from voicebot.store import CallStore

    store = CallStore(tmp_path / "calls.db", recordings_dir=tmp_path / "recordings",
                      fallback_path=tmp_path / "unsaved.jsonl", record_audio=True)
    return LocalServices(store=store, metrics=Metrics(), engines=engine_pool())


# ---- a live server and a real-time websocket caller ----



@contextlib.asynccontextmanager
async def live_server(tmp_path: Path, dialogue_files: tuple[Path, ...] = (DIALOGUE_PATH,),
                      **server_options: Any) -> AsyncIterator[tuple[str, Any]]:
    """The real app (voicebot.web.app) on 127.0.0.1, a free port, the shared engine pool.

    Yields ``(base ws url, runtime)``.
    """
    import uvicorn

    from voicebot.config import load_config
    from voicebot.runtime import Runtime
    from voicebot.web.app import create_app

    dialogues = tmp_path / "dialogues"
    dialogues.mkdir(exist_ok=True)
    for file in dialogue_files:
        shutil.copy(file, dialogues / file.name)
    overrides = {"paths.data_dir": str(tmp_path / "var"), "paths.dialogues_dir": str(dialogues),
                 "server.insecure_no_auth": True}
    overrides.update({f"server.{k}": v for k, v in server_options.items()})
    config = load_config(None, env={}, overrides=overrides)
    rt = Runtime.create(config, load_engines=False)
    app = create_app(rt)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on",
                                           ws_max_size=1 << 20))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    # Set after start-up, so the runtime does not warm every prompt of every dialogue (slow on a busy
    # CPU); fixed prompts are cached on first use instead. Warm-up has its own test.
    rt.engines = engine_pool()
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"ws://127.0.0.1:{port}", rt
    finally:
        server.should_exit = True
        await task


@dataclass
class CallTranscript:
    messages: list[dict[str, Any]] = field(default_factory=list)
    bot_audio_bytes: int = 0
    first_audio_after_clear_s: float | None = None
    clear_at_s: list[float] = field(default_factory=list)
    last_audio_s: float | None = None
    close_code: int | None = None
    last_audio_before_clear_s: float | None = None
    barge_in_started_s: float | None = None

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m.get("type") == kind]

    @property
    def record(self) -> dict[str, Any]:
        ends = self.of_type("end")
        assert ends, f"no end message; got {[m.get('type') for m in self.messages]}"
        record: dict[str, Any] = ends[-1]["record"]
        return record


FRAME_MS = 20


async def real_time_caller(ws: Any, turns: list[npt.NDArray[np.float32]], *, rate_hz: int = 16_000,
                           barge_in: tuple[str, float] | None = None, timeout_s: float = 90.0,
                           hang_up_after_turns: bool = False) -> CallTranscript:
    """Plays a caller over an open websocket in real time: line silence, and each turn once the bot
    has finished speaking (as heard: its audio played out at real time on this side).

    ``barge_in=(prompt_id, s)``: the first turn starts ``s`` after the bot begins that prompt, without
    waiting for the bot to finish.
    """
    out = CallTranscript()
    frame = rate_hz * FRAME_MS // 1000
    pending: list[npt.NDArray[np.int16]] = [
        np.clip(t * 32767, -32768, 32767).astype(np.int16) for t in turns]
    state: dict[str, Any] = {"play_end_s": 0.0, "audio_end": False, "done": False}
    prompt_started_s: dict[str, float] = {}

    async def receive() -> None:
        with contextlib.suppress(Exception):  # a closed connection ends the call; close_code says how
            await _receive()
        state["done"] = True

    async def _receive() -> None:
        async for message in ws:
            now = time.monotonic()
            if isinstance(message, bytes):
                state["play_end_s"] = max(state["play_end_s"], now) + len(message) / 2 / rate_hz
                out.bot_audio_bytes += len(message)
                out.last_audio_s = now
                if not out.clear_at_s:
                    out.last_audio_before_clear_s = now
                if out.clear_at_s and out.first_audio_after_clear_s is None:
                    out.first_audio_after_clear_s = now
                continue
            data = json.loads(message)
            out.messages.append(data)
            if data["type"] == "audio_end":
                state["audio_end"] = True
            elif data["type"] == "clear":
                state["play_end_s"] = now
                out.clear_at_s.append(now)
            elif data["type"] == "bot":
                state["audio_end"] = False
                prompt_started_s.setdefault(str(data.get("prompt_id")), now)

    receiver = asyncio.create_task(receive())
    silence = np.zeros(frame, np.int16).tobytes()
    speaking: npt.NDArray[np.int16] | None = None
    offset = 0
    next_s = time.monotonic()
    deadline = next_s + timeout_s
    try:
        while not state["done"] and time.monotonic() < deadline:
            now = time.monotonic()
            if speaking is None and pending:
                began = prompt_started_s.get(barge_in[0]) if barge_in is not None else None
                if barge_in is not None and began is not None and now >= began + barge_in[1]:
                    speaking, offset, barge_in = pending.pop(0), 0, None
                    out.barge_in_started_s = now
                elif barge_in is None and state["audio_end"] and now >= state["play_end_s"] + 0.3:
                    speaking, offset = pending.pop(0), 0
                    state["audio_end"] = False
            elif speaking is None and not pending and hang_up_after_turns and state["audio_end"]:
                break
            if speaking is not None:
                chunk = speaking[offset:offset + frame]
                offset += frame
                if offset >= speaking.size:
                    speaking = None
                payload = chunk.tobytes().ljust(frame * 2, b"\0")
            else:
                payload = silence
            with contextlib.suppress(Exception):
                await ws.send(payload)
            next_s += FRAME_MS / 1000
            await asyncio.sleep(max(0.0, next_s - time.monotonic()))
        if not state["done"]:
            await asyncio.wait_for(receiver, timeout=15)
    finally:
        receiver.cancel()
        with contextlib.suppress(BaseException):
            await receiver
    out.close_code = getattr(ws, "close_code", None)
    return out
