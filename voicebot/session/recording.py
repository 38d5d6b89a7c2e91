"""Two-channel call audio: the caller on the left, the bot on the right, on one timeline."""

from __future__ import annotations

import numpy as np

from voicebot.engines.base import Int16Array

# A gap this long between caller frames is a real pause in the stream (Asterisk behind Wait()),
# not network jitter, so the caller channel is padded to the wall clock.
_GAP_PAD_S = 0.5


class _Track:
    def __init__(self, max_samples: int) -> None:
        self._chunks: list[Int16Array] = []
        self.length = 0
        self._max = max_samples

    def write_at(self, position: int, samples: Int16Array) -> None:
        if position < self.length:
            self.truncate(position)
        if position > self.length:
            self._append(np.zeros(position - self.length, dtype=np.int16))
        self._append(samples)

    def _append(self, samples: Int16Array) -> None:
        room = self._max - self.length
        if room <= 0:
            return
        part = samples[:room].astype(np.int16, copy=True)
        self._chunks.append(part)
        self.length += part.size

    def truncate(self, position: int) -> None:
        if position >= self.length:
            return
        data = self.samples()[:position]
        self._chunks = [data]
        self.length = data.size

    def samples(self) -> Int16Array:
        if not self._chunks:
            return np.zeros(0, dtype=np.int16)
        if len(self._chunks) > 1:
            self._chunks = [np.concatenate(self._chunks)]
        return self._chunks[0]


class CallRecording:
    """Pure bookkeeping: the session passes elapsed wall-clock seconds in."""

    def __init__(self, sample_rate_hz: int, max_duration_s: float = 3600.0) -> None:
        self.sample_rate_hz = sample_rate_hz
        limit = int(max_duration_s * sample_rate_hz)
        self._caller = _Track(limit)
        self._bot = _Track(limit)

    def _wall_position(self, elapsed_s: float) -> int:
        return int(elapsed_s * self.sample_rate_hz)

    def now_position(self, elapsed_s: float) -> int:
        """The timeline's "now": the caller's stream, or the wall clock when that is ahead."""
        return max(self._caller.length, self._wall_position(elapsed_s))

    def caller_ms(self) -> float:
        """How much caller audio the recording holds (its caller timeline's end)."""
        return self._caller.length * 1000.0 / self.sample_rate_hz

    def add_caller(self, samples: Int16Array, elapsed_s: float) -> None:
        wall = self._wall_position(elapsed_s)
        start = self._caller.length
        if wall - start > _GAP_PAD_S * self.sample_rate_hz:
            start = wall - samples.size
        self._caller.write_at(max(start, self._caller.length), samples)

    def add_bot(self, samples: Int16Array, elapsed_s: float) -> None:
        """Bot audio plays after what is queued, or now if nothing is."""
        self._bot.write_at(max(self._bot.length, self.now_position(elapsed_s)), samples)

    def cut_bot(self, elapsed_s: float) -> None:
        """Barge-in: audio queued past now was never heard."""
        self._bot.truncate(self.now_position(elapsed_s))

    def stereo(self) -> Int16Array:
        caller = self._caller.samples()
        bot = self._bot.samples()
        length = max(caller.size, bot.size)
        out = np.zeros((length, 2), dtype=np.int16)
        out[: caller.size, 0] = caller
        out[: bot.size, 1] = bot
        return out
