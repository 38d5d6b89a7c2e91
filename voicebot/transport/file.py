"""The offline door: each audio file is one caller turn, played into the same call pipeline.

``realtime`` plays files at the speed of a phone line, with line silence between turns; ``fast``
pushes each file as soon as the bot waits for the caller, and counts bot audio as played when sent.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from voicebot.audio.pcm import float32_to_int16, int16_to_pcm_bytes
from voicebot.dialogue.model import Dialogue
from voicebot.engines.base import Float32Array, Int16Array
from voicebot.record import CallRecord
from voicebot.session.call import CallSession
from voicebot.session.ending import EndReason
from voicebot.session.engines import EnginePool
from voicebot.session.output import OutputEvent
from voicebot.session.services import CallServices
from voicebot.session.settings import SessionSettings
from voicebot.transport.messages import event_message
from voicebot.transport.pacer import Pacer
from voicebot.transport.supervisor import supervise

FRAME_MS = 20
# How long a turn may go unheard before the next file is played anyway (a file with no speech).
_TURN_WAIT_S = 30.0


@dataclass(slots=True)
class FileOutput:
    """Implements ``SessionOutput`` by keeping everything the bot sent."""

    bot_audio: list[bytes] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    clears: int = 0
    transfers: list[tuple[str | None, str]] = field(default_factory=list)
    record: CallRecord | None = None

    async def send_audio(self, pcm: bytes) -> None:
        self.bot_audio.append(pcm)

    async def clear(self) -> None:
        self.clears += 1

    async def hold(self, held: bool) -> None:
        del held  # nothing plays here

    async def send_event(self, event: OutputEvent) -> None:
        await self.send_message(event_message(event))

    async def send_message(self, message: dict[str, Any]) -> None:
        """Keeps the event as the websocket would send it (``voicebot call --json``, tests)."""
        self.messages.append(message)

    async def transfer(self, target: str | None, reason: str) -> None:
        self.transfers.append((target, reason))

    async def close(self, record: CallRecord) -> None:
        self.record = record


@dataclass(frozen=True, slots=True)
class FileCallResult:
    record: CallRecord
    audio: Int16Array  # (n, 2): caller, bot
    sample_rate_hz: int
    messages: tuple[dict[str, Any], ...]


async def run_file_call(services: CallServices, dialogue: Dialogue, turns: list[Float32Array], *,
                        variables: dict[str, object] | None = None, realtime: bool = False,
                        sample_rate_hz: int = 16_000, engines: EnginePool | None = None,
                        settings: SessionSettings | None = None) -> FileCallResult:
    """Plays ``turns`` (mono float32 at ``sample_rate_hz``) as the caller's turns, in order."""
    settings = replace(settings or SessionSettings(), playback="realtime" if realtime else "instant")
    if engines is not None:
        await engines.warm([dialogue])  # fixed prompts come from the cache, as on a live server
    output = FileOutput()
    session = CallSession(services, dialogue=dialogue, variables=variables or {},
                          sample_rate_hz=sample_rate_hz, output=output, door="file", engines=engines,
                          settings=settings)
    line = _Line(session, sample_rate_hz, realtime)
    await supervise(session, line.play(turns))
    record = session.record
    assert record is not None  # run() made it, and saved it
    return FileCallResult(record, session.call_audio(), sample_rate_hz, tuple(output.messages))


class _Line:
    """The caller's side of the line."""

    def __init__(self, session: CallSession, sample_rate_hz: int, realtime: bool) -> None:
        self._session = session
        self._realtime = realtime
        self._frame = sample_rate_hz * FRAME_MS // 1000
        self._silence = int16_to_pcm_bytes(np.zeros(self._frame, dtype=np.int16))
        longest_pause_ms = session.settings.longest_pause_ms  # the silence that surely ends a turn
        self._tail = np.zeros(int(sample_rate_hz * (longest_pause_ms + 400) / 1000), dtype=np.float32)
        # A line delivers a frame once it has been spoken; after a stall, up to 100 ms catch up at once.
        self._pacer = Pacer(sample_rate_hz * 2, lead_s=-FRAME_MS / 1000.0, max_lag_s=0.1,
                            play_s=time.monotonic())

    async def play(self, turns: list[Float32Array]) -> None:
        session = self._session
        spoken = 0  # bot turns before the caller's last turn
        for audio in turns:
            # The bot has answered (or greeted) and listens. Between the end of a caller's turn and the
            # dialogue's decision the session briefly looks idle, so a new bot turn is required too.
            if not await self._until(functools.partial(self._answered_after, spoken)):
                return
            spoken = self._bot_turns()
            await self._send(np.concatenate([audio.astype(np.float32), self._tail]))
            # Wait until the session took the turn (speech heard, or the bot spoke again).
            await self._until(lambda: not session.awaiting_caller, timeout_s=_TURN_WAIT_S)
        # The bot answers the last turn; then the caller has nothing more to say.
        await self._until(functools.partial(self._answered_after, spoken))
        session.hangup(EndReason.END_OF_AUDIO)

    def _answered_after(self, bot_turns: int) -> bool:
        """The bot spoke after its first ``bot_turns`` turns and now waits for the caller."""
        return self._session.awaiting_caller and self._bot_turns() > bot_turns

    def _bot_turns(self) -> int:
        record = self._session.record
        return sum(1 for turn in record.turns if turn.role == "bot") if record is not None else 0

    async def _until(self, condition: Callable[[], bool], timeout_s: float | None = None) -> bool:
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while not condition():
            if self._session.ended:
                return False
            if deadline is not None and time.monotonic() > deadline:
                return True
            if self._realtime:
                await self._send_frame(self._silence)  # a phone line carries silence, not nothing
            else:
                await asyncio.sleep(0.01)
        return True

    async def _send(self, audio: Float32Array) -> None:
        pcm = float32_to_int16(audio)
        for offset in range(0, pcm.size, self._frame):
            chunk = int16_to_pcm_bytes(pcm[offset:offset + self._frame])
            if self._realtime:
                await self._send_frame(chunk)
            else:
                self._session.push_audio(chunk)
        if not self._realtime:
            await asyncio.sleep(0)

    async def _send_frame(self, chunk: bytes) -> None:
        delay_s = self._pacer.schedule(time.monotonic(), len(chunk))
        if delay_s > 0:
            await asyncio.sleep(delay_s)
        self._session.push_audio(chunk)
