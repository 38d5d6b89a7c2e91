"""Block-wise conversion of an audio stream, so converted audio leaves before the sentence is converted.

``StreamingConverter`` is sans-I/O: ``push`` samples in, get the converted samples that are final; ``finish``
returns the rest. The conversion itself is a function of one segment (samples in, as many samples out);
WORLD analysis and the spectral mapping are frame-local, so a segment converted with some context on each
side matches the whole-utterance conversion away from its edges. The seams are hidden three ways:
- every analysis segment starts on the whole stream's frame grid, so frames are the same frames;
- each block ends at the quietest 5 ms within reach of its nominal end (a pause or a closure when there
  is one), where a seam is least audible;
- consecutive blocks overlap by ``crossfade_ms`` and are cross-faded (equal-gain raised cosine).
Blocks start short (the first audio leaves soon) and grow (less context overhead later).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from math import gcd

import numpy as np
import numpy.typing as npt

Float32Array = npt.NDArray[np.float32]
SegmentConverter = Callable[[Float32Array], Float32Array]


@dataclass(frozen=True, slots=True)
class BlockPlan:
    first_block_ms: float = 160.0
    max_block_ms: float = 960.0
    growth: float = 2.0
    # Analysis context before and after a block. DIO calls the first ~85 ms of a segment unvoiced, so the
    # left context must be longer; the right one only covers the spectral and MLPG windows.
    left_context_ms: float = 120.0
    right_context_ms: float = 30.0
    crossfade_ms: float = 10.0
    search_ms: float = 40.0  # how far before a nominal block end the quietest cut is looked for
    frame_period_ms: float = 5.0


def frame_grid_samples(sample_rate_hz: int, frame_period_ms: float) -> int:
    """The fewest samples that span a whole number of analysis frames (441 = 4 frames at 22.05 kHz)."""
    period_us = round(frame_period_ms * 1000)
    # k frames span k * rate * period_us / 1e6 samples; the least such k is 1e6 / gcd(rate * period_us, 1e6).
    frames = 1_000_000 // gcd(sample_rate_hz * period_us, 1_000_000)
    return frames * sample_rate_hz * period_us // 1_000_000


class StreamingConverter:
    """Converts one utterance block by block as its samples arrive."""

    def __init__(self, convert: SegmentConverter, sample_rate_hz: int, plan: BlockPlan = BlockPlan()) -> None:
        self._convert = convert
        self._rate = sample_rate_hz
        self._plan = plan
        self._grid = frame_grid_samples(sample_rate_hz, plan.frame_period_ms)
        self._left = self._ms(plan.left_context_ms)
        self._right = self._ms(plan.right_context_ms)
        self._fade = self._ms(plan.crossfade_ms)
        self._search = self._ms(plan.search_ms)
        self._block = self._ms(plan.first_block_ms)
        self._input = np.zeros(0, dtype=np.float32)
        self._origin = 0  # absolute position of self._input[0]
        self._emitted = 0  # absolute position up to which output has been handed out
        self._tail = np.zeros(0, dtype=np.float32)  # output for [emitted, emitted + fade) of the last block
        self._finished = False

    def _ms(self, ms: float) -> int:
        return max(1, round(self._rate * ms / 1000.0))

    @property
    def _end(self) -> int:
        return self._origin + self._input.size

    def push(self, samples: Float32Array) -> None:
        """Adds samples; converted blocks are then taken with :meth:`next_block`."""
        if self._finished:
            raise RuntimeError("push after finish")
        self._input = np.concatenate([self._input, np.asarray(samples, dtype=np.float32).reshape(-1)])

    def next_block(self) -> Float32Array | None:
        """Converts and returns the next block once its right context has arrived, else None.

        One block per call, so the caller can send each block before the next one is converted.
        """
        if self._finished or self._end - self._emitted < self._block + self._fade + self._right:
            return None
        block = self._convert_block(self._choose_cut(self._emitted + self._block))
        self._block = min(int(self._block * self._plan.growth), self._ms(self._plan.max_block_ms))
        return block

    def finish(self) -> Float32Array:
        """Converts what is left; the converter is then spent."""
        if self._finished:
            raise RuntimeError("finish called twice")
        self._finished = True
        if self._end == self._emitted:
            return self._tail
        return self._convert_block(None)

    def _choose_cut(self, nominal: int) -> int:
        """The start of the quietest 5 ms frame in [nominal - search, nominal]."""
        frame = self._ms(5.0)
        lo = max(self._emitted + self._fade + frame, nominal - self._search)
        if lo >= nominal:
            return nominal
        window = self._input[lo - self._origin: nominal - self._origin]
        count = window.size // frame
        if count == 0:
            return nominal
        energy = np.sum(window[: count * frame].reshape(count, frame).astype(np.float64) ** 2, axis=1)
        return lo + int(np.argmin(energy)) * frame

    def _convert_block(self, cut: int | None) -> Float32Array:
        """Converts [emitted, cut) (the whole rest when ``cut`` is None) and cross-fades its start."""
        stop = self._end if cut is None else cut
        start = max(0, self._emitted - self._left) // self._grid * self._grid
        start = max(start, self._origin)  # nothing before the kept input (only at the very start)
        last = self._end if cut is None else min(self._end, stop + self._fade + self._right)
        segment = self._input[start - self._origin: last - self._origin]
        converted = np.asarray(self._convert(segment), dtype=np.float32)
        if converted.size < segment.size:
            converted = np.pad(converted, (0, segment.size - converted.size))
        block = converted[self._emitted - start: stop - start].copy()
        overlap = min(self._tail.size, block.size)
        if overlap:
            ramp = 0.5 - 0.5 * np.cos(np.pi * (np.arange(overlap) + 0.5) / overlap)
            mixed = self._tail[:overlap] * (1.0 - ramp) + block[:overlap] * ramp
            block[:overlap] = mixed.astype(np.float32)
        self._tail = converted[stop - start: stop - start + self._fade].copy() if cut is not None else (
            np.zeros(0, dtype=np.float32))
        self._emitted = stop
        # Keep only what the next block's left context can reach.
        keep_from = max(self._origin, (max(0, stop - self._left - self._grid) // self._grid) * self._grid)
        self._input = self._input[keep_from - self._origin:]
        self._origin = keep_from
        return block
