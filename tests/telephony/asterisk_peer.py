"""Asterisk's side of an AudioSocket connection, as a test plays it over a real TCP socket.

Like Asterisk 22: sends the UUID, then caller audio in 20 ms frames paced in real time (or none at
all, as behind ``Wait()``), DTMF as 0x03 with one digit, and signals hang-up by closing the socket.
It records every message the bot sends, and tracks when the bot speaks.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from dataclasses import dataclass, field

import numpy as np

from voicebot.audio.resample import resample
from voicebot.telephony.audiosocket import encode_message

FRAME_S = 0.02


def speech_8k(text: str) -> bytes:
    """Piper speech (16 kHz test helper) at the telephone rate, s16le."""
    from tests.audio.speech import synth

    samples = resample(synth(text), 16_000, 8_000)
    data: bytes = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()
    return data


@dataclass
class BotAudio:
    kinds: list[int] = field(default_factory=list)  # kind byte of every message received
    frames: int = 0
    voiced_frames: int = 0
    last_voiced_s: float = 0.0
    hangup: bool = False
    voiced_since_answer: bool = False


class AsteriskPeer:
    def __init__(self, port: int, *, rate_hz: int = 8000, call_id: str | None = None,
                 send_silence: bool = True) -> None:
        self.port = port
        self.rate_hz = rate_hz
        self.kind = {8000: 0x10, 16000: 0x12}[rate_hz]
        self.call_id = call_id or str(uuid.uuid4())
        self.send_silence = send_silence
        self.bot = BotAudio()
        self._outgoing = bytearray()
        self._writer: asyncio.StreamWriter | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.closed = asyncio.Event()

    async def connect(self) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        self._writer = writer
        writer.write(encode_message(0x01, uuid.UUID(self.call_id).bytes))
        self._tasks = [asyncio.create_task(self._send_loop()), asyncio.create_task(self._read_loop(reader))]

    def say(self, pcm: bytes) -> None:
        self._outgoing += pcm
        self.bot.voiced_since_answer = False

    def dtmf(self, digit: str) -> None:
        assert self._writer is not None
        self._writer.write(encode_message(0x03, digit.encode()))
        self.bot.voiced_since_answer = False

    async def bot_turn_done(self, quiet_s: float = 1.2, timeout_s: float = 60.0) -> None:
        """Waits until the bot has spoken since our last input and then stayed quiet."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while loop.time() < deadline:
            if self.bot.hangup:
                return
            if self.bot.voiced_since_answer and not self._outgoing and \
                    loop.time() - self.bot.last_voiced_s >= quiet_s:
                return
            await asyncio.sleep(0.05)
        raise AssertionError("the bot did not finish a turn in time")

    async def bot_started_speaking(self, timeout_s: float = 30.0) -> None:
        """Waits until the bot speaks after our last input (or at all, before any)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while not self.bot.voiced_since_answer and loop.time() < deadline:
            await asyncio.sleep(0.02)
        assert self.bot.voiced_since_answer, "the bot did not speak"

    async def hang_up(self) -> None:
        """The caller hangs up: Asterisk closes the socket (no 0x00 message)."""
        await self._stop()
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(OSError):
                await self._writer.wait_closed()

    async def reset(self) -> None:
        """An abrupt TCP reset, as when the network or Asterisk dies."""
        await self._stop()
        if self._writer is not None:
            self._writer.transport.abort()

    async def wait_closed(self, timeout_s: float = 120.0) -> None:
        await asyncio.wait_for(self.closed.wait(), timeout_s)

    async def _stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(BaseException):
                await task

    async def _send_loop(self) -> None:
        assert self._writer is not None
        frame_bytes = self.rate_hz // 50 * 2
        loop = asyncio.get_running_loop()
        next_s = loop.time()
        with contextlib.suppress(OSError):
            while not self.closed.is_set():
                if self._outgoing:
                    frame = bytes(self._outgoing[:frame_bytes]).ljust(frame_bytes, b"\0")
                    del self._outgoing[:frame_bytes]
                    self._writer.write(encode_message(self.kind, frame))
                elif self.send_silence:
                    self._writer.write(encode_message(self.kind, bytes(frame_bytes)))
                next_s += FRAME_S
                await asyncio.sleep(max(0.0, next_s - loop.time()))

    async def _read_loop(self, reader: asyncio.StreamReader) -> None:
        # Parse the bot's stream with a raw header walk so any kind the bot sends is seen.
        buffer = bytearray()
        loop = asyncio.get_running_loop()
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    return
                buffer += data
                while len(buffer) >= 3:
                    length = int.from_bytes(buffer[1:3], "big")
                    if len(buffer) < 3 + length:
                        break
                    kind, payload = buffer[0], bytes(buffer[3:3 + length])
                    del buffer[:3 + length]
                    self.bot.kinds.append(kind)
                    if kind == 0x00:
                        self.bot.hangup = True
                    elif kind == self.kind:
                        self.bot.frames += 1
                        samples = np.frombuffer(payload, "<i2")
                        if samples.size and np.abs(samples.astype(np.int32)).max() > 300:
                            self.bot.voiced_frames += 1
                            self.bot.voiced_since_answer = True
                            self.bot.last_voiced_s = loop.time()
        except OSError:
            return
        finally:
            self.closed.set()

