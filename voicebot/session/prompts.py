"""Synthesised audio of fixed prompts (no slot values), cached per voice."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from voicebot.engines.base import Int16Array


@dataclass(frozen=True, slots=True)
class CachedPrompt:
    chunks: tuple[Int16Array, ...]  # one per sentence, leading silence already trimmed
    sample_rate_hz: int


class PromptCache:
    """``(voice key, text) -> audio``. Shared by all calls; filled at warm-up and on first use."""

    def __init__(self, max_entries: int = 2_000) -> None:
        self.max_entries = max_entries
        self._entries: dict[tuple[str, str], CachedPrompt] = {}
        self._lock = threading.Lock()  # filled from worker threads
        self.hits = 0
        self.misses = 0

    def get(self, voice_key: str, text: str) -> CachedPrompt | None:
        with self._lock:
            entry = self._entries.get((voice_key, text))
            if entry is None:
                self.misses += 1
            else:
                self.hits += 1
            return entry

    def put(self, voice_key: str, text: str, chunks: list[Int16Array], sample_rate_hz: int) -> None:
        with self._lock:
            if len(self._entries) >= self.max_entries:
                return  # a full cache only costs synthesis time; never evict mid-call audio
            frozen = tuple(np.array(c, dtype=np.int16, copy=True) for c in chunks)
            for chunk in frozen:
                chunk.setflags(write=False)
            self._entries[(voice_key, text)] = CachedPrompt(frozen, sample_rate_hz)

    def __contains__(self, key: tuple[str, str]) -> bool:
        with self._lock:
            return key in self._entries

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
