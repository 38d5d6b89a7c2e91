"""The websocket door: ``/ws?dialogue=NAME``. Framing only; the call itself is a ``CallSession``.

Protocol: voicebot.protocol.websocket and docs/websocket.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from voicebot.admission import token_from
from voicebot.dialogue.model import Dialogue
from voicebot.errors import AdmissionError, AuthError, VoicebotError
from voicebot.protocol import websocket as wire
from voicebot.record import CallRecord
from voicebot.runtime import Runtime
from voicebot.session.call import CallSession
from voicebot.session.ending import EndReason
from voicebot.session.output import OutputEvent
from voicebot.session.settings import SessionSettings
from voicebot.store.keys import ApiKey
from voicebot.transport.messages import event_message
from voicebot.transport.pacer import Pacer
from voicebot.transport.supervisor import supervise

log = logging.getLogger(__name__)

START_TIMEOUT_S = 10.0
# Bot audio is sent this far ahead of real time: enough to ride out network jitter, little enough
# that a barge-in has almost nothing in flight that the client must drop.
LEAD_MS = 240
FRAME_MS = 40


class WebSocketOutput:
    """Implements ``SessionOutput``: paces bot audio in real time and keeps messages in order."""

    def __init__(self, websocket: WebSocket, sample_rate_hz: int, *, lead_ms: int = LEAD_MS,
                 frame_ms: int = FRAME_MS, close_timeout_s: float = 30.0) -> None:
        self._ws = websocket
        self._frame_bytes = sample_rate_hz * frame_ms // 1000 * 2
        self._pacer = Pacer(sample_rate_hz * 2, lead_s=lead_ms / 1000.0)
        self._close_timeout_s = close_timeout_s
        self._queue: deque[bytes | dict[str, Any]] = deque()
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._closed = False
        self._cleared = asyncio.Event()  # set by clear() and hold(): wakes the pump from its pacing wait
        self._held = False  # hold(): a caller may be starting to talk, audio frames wait
        self._task = asyncio.create_task(self._pump())
        self._epoch = 0  # bumped by clear(): a frame popped before it is dropped
        self.close_code = wire.CloseCode.NORMAL  # what close() ends with; a violation changes it
        self.frames_sent = 0
        self.last_audio_sent_s: float | None = None  # monotonic time of the last bot frame out

    async def send_audio(self, pcm: bytes) -> None:
        for offset in range(0, len(pcm), self._frame_bytes):
            self._queue.append(pcm[offset:offset + self._frame_bytes])
        self._kick()

    async def clear(self) -> None:
        # Drop what has not gone out, then tell the client to drop what it has buffered.
        self._queue = deque(item for item in self._queue if isinstance(item, dict))
        self._epoch += 1
        self._pacer.restart(time.monotonic())
        self._queue.appendleft(wire.clear())
        self._held = False
        self._cleared.set()
        self._kick()

    async def hold(self, held: bool) -> None:
        # The client plays its lead meanwhile; on release the pacer sends the held frames at once.
        self._held = held
        self._cleared.set()
        self._kick()

    async def send_event(self, event: OutputEvent) -> None:
        await self.send_message(event_message(event))

    async def send_message(self, message: dict[str, Any]) -> None:
        self._queue.append(message)
        self._kick()

    async def transfer(self, target: str | None, reason: str) -> None:
        await self.send_message(wire.transfer(target, reason))

    async def close(self, record: CallRecord) -> None:
        self._held = False
        await self.send_message(wire.end(record.to_json()))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), timeout=self._close_timeout_s)
        await self.shutdown(self.close_code)

    async def shutdown(self, code: int, reason: str = "") -> None:
        self._closed = True
        self._task.cancel()
        with contextlib.suppress(BaseException):
            await self._task
        if self._ws.application_state != WebSocketState.DISCONNECTED:
            with contextlib.suppress(Exception):
                await self._ws.close(code=code, reason=reason)

    def _kick(self) -> None:
        self._idle.clear()
        self._wake.set()

    async def _pump(self) -> None:
        try:
            while True:
                if not self._queue:
                    self._idle.set()
                    self._wake.clear()
                    await self._wake.wait()
                    continue
                if self._held and isinstance(self._queue[0], bytes):
                    self._wake.clear()
                    await self._wake.wait()
                    continue
                item = self._queue.popleft()
                if isinstance(item, dict):
                    await self._ws.send_text(wire.dumps(item))
                    continue
                delay_s = self._pacer.schedule(time.monotonic(), len(item))
                if delay_s > 0:
                    epoch = self._epoch
                    # clear() and hold() cut the wait short: the `clear` message goes out at once, and
                    # a held frame is not sent.
                    self._cleared.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._cleared.wait(), timeout=delay_s)
                    if epoch != self._epoch:
                        continue  # cleared while waiting: the pacer restarted from then
                    if self._held:
                        self._pacer.unschedule(len(item))
                        self._queue.appendleft(item)
                        continue
                await self._ws.send_bytes(item)
                self.frames_sent += 1
                self.last_audio_sent_s = time.monotonic()
        except (WebSocketDisconnect, RuntimeError, OSError):
            self._queue.clear()  # the client is gone; the session notices through the reader
            self._idle.set()


async def websocket_endpoint(ws: WebSocket) -> None:
    """Starlette websocket handler; the runtime is ``ws.app.state.runtime``."""
    await run_websocket_call(ws, ws.app.state.runtime)


async def run_websocket_call(ws: WebSocket, runtime: Runtime, *,
                             settings: SessionSettings | None = None) -> None:
    await ws.accept()
    name = ws.query_params.get("dialogue")
    if not name:
        await _refuse(ws, "missing_dialogue", "connect to /ws?dialogue=NAME", wire.CloseCode.BAD_REQUEST)
        return
    try:
        dialogue = runtime.dialogues.get(name)
    except VoicebotError as exc:
        await _refuse(ws, "unknown_dialogue", str(exc), wire.CloseCode.NOT_FOUND)
        return
    token = token_from(ws.headers, ws.query_params)
    try:
        async with runtime.admit_call(token, name) as key:
            start = await _receive_start(ws)
            if start is None:
                return
            await _run_call(ws, runtime, dialogue, start, settings, key)
    except AuthError as exc:
        if isinstance(exc, AdmissionError):
            await _refuse(ws, exc.reason, str(exc), exc.close_code)
        else:
            await _refuse(ws, "unauthorized", str(exc), wire.CloseCode.UNAUTHORIZED)


async def _receive_start(ws: WebSocket) -> wire.Start | None:
    try:
        message = await asyncio.wait_for(ws.receive(), timeout=START_TIMEOUT_S)
    except TimeoutError:
        await _refuse(ws, "no_start", f"send the start message within {START_TIMEOUT_S:.0f} s of connecting",
                      wire.CloseCode.TIMEOUT)
        return None
    if message["type"] == "websocket.disconnect":
        return None
    text = message.get("text")
    if text is None:
        await _refuse(ws, "no_start", 'the first message must be {"type": "start", "sample_rate_hz": 16000, '
                      '...} as text, before any audio', wire.CloseCode.BAD_REQUEST)
        return None
    parsed = wire.parse_client_text(text)
    if isinstance(parsed, wire.ProtocolViolation):
        await _refuse(ws, parsed.code, parsed.message, parsed.close_code)
        return None
    if not isinstance(parsed, wire.Start):
        await _refuse(ws, "no_start", "the first message must be the start message",
                      wire.CloseCode.BAD_REQUEST)
        return None
    return parsed


async def _run_call(ws: WebSocket, runtime: Runtime, dialogue: Dialogue, start: wire.Start,
                    settings: SessionSettings | None, key: ApiKey | None = None) -> None:
    output = WebSocketOutput(ws, start.sample_rate_hz,
                             close_timeout_s=runtime.config.session.close_timeout_s)
    session = CallSession(runtime, dialogue=dialogue, variables=start.variables,
                          sample_rate_hz=start.sample_rate_hz, output=output, door="websocket",
                          settings=settings)
    session.api_key = key  # usage is metered per key
    await output.send_message(wire.ready(session.call_id, sample_rate_hz=start.sample_rate_hz,
                                         dialogue=dialogue.name))
    try:
        await supervise(session, _read(ws, session, output))
    finally:
        await output.shutdown(output.close_code)


async def _read(ws: WebSocket, session: CallSession, output: WebSocketOutput) -> None:
    limit = wire.FrameRateLimit()
    while True:
        try:
            message = await ws.receive()
        except (RuntimeError, OSError):
            session.hangup(EndReason.NETWORK_LOST)
            return
        if message["type"] == "websocket.disconnect":
            code = message.get("code", 1006)
            if code == 1012:  # uvicorn closes open sockets with "service restart" when it shuts down
                session.hangup(EndReason.SERVER_SHUTDOWN)
            else:
                session.hangup(EndReason.CALLER_HANGUP if code in (1000, 1001) else EndReason.NETWORK_LOST)
            return
        data = message.get("bytes")
        if data is not None:
            violation = wire.check_audio_frame(data)
            if violation is None and not limit.allow(time.monotonic()):
                violation = wire.ProtocolViolation(
                    "too_many_frames", f"more than {limit.max_frames_per_s} frames a second; "
                    "send 20-100 ms of audio per frame", wire.CloseCode.TOO_MANY)
            if violation is not None:
                await _violated(ws, session, output, violation)
                return
            session.push_audio(data)
            continue
        parsed = wire.parse_client_text(message.get("text") or "")
        if isinstance(parsed, wire.ProtocolViolation):
            if parsed.close_code == wire.CloseCode.MESSAGE_TOO_BIG:
                await _violated(ws, session, output, parsed)
                return
            # A bad control message is answered, not fatal: the call goes on.
            await output.send_message(wire.error(parsed.code, parsed.message))
        elif isinstance(parsed, wire.DtmfInput):
            session.push_dtmf(parsed.digits)
        elif isinstance(parsed, wire.TextInput):
            session.push_text(parsed.text)
        elif isinstance(parsed, wire.Stop):
            session.hangup(EndReason.CALLER_STOP)
            return
        else:
            await output.send_message(wire.error("already_started", "the call has started; send start once"))


async def _violated(ws: WebSocket, session: CallSession, output: WebSocketOutput,
                    violation: wire.ProtocolViolation) -> None:
    log.warning("call %s: protocol violation %s", session.call_id, violation.code)
    await output.send_message(wire.error(violation.code, violation.message))
    output.close_code = violation.close_code
    session.hangup(EndReason.PROTOCOL_ERROR, violation.code)
    del ws


async def _refuse(ws: WebSocket, code: str, message: str, close_code: int) -> None:
    with contextlib.suppress(Exception):
        await ws.send_text(wire.dumps(wire.error(code, message)))
        await ws.close(code=close_code, reason=code[:120])
