"""What the caller hears when the text-to-speech engine fails: the same words in a backup voice.

A voice that raises, or stays silent past a deadline before its next chunk, would otherwise leave the
caller in dead air (a hung engine thread can never be interrupted). ``FallbackSynthesizer`` reads the
primary engine from its own thread with a deadline; on a failure before any audio it says the text with
the backup voice (eSpeak NG, a different engine), and on a stall after audio it raises EngineError so
the call ends with a saved record instead of hanging.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

from voicebot.config import TtsConfig
from voicebot.engines.base import Int16Array, Synthesizer
from voicebot.errors import EngineError

log = logging.getLogger(__name__)

# Seconds a voice may take for one chunk (a sentence) unless tts.chunk_timeout_s says otherwise.
DEFAULT_CHUNK_TIMEOUT_S = TtsConfig().chunk_timeout_s


def espeak_backup(language: str) -> Synthesizer:
    from voicebot.engines.voices import resolve_synthesizer  # lazy: loads TTS SDKs

    return resolve_synthesizer(f"espeak:{language}", language)


class FallbackSynthesizer:
    """A synthesizer that speaks with ``primary`` and falls back to ``backup`` when it fails."""

    def __init__(self, primary: Synthesizer, backup: Callable[[], Synthesizer] | None, *,
                 timeout_s: float | None = None) -> None:
        self.primary = primary
        self.name = primary.name  # prompt-cache key: audio cached from the backup is reused, not retried
        self.sample_rate_hz = primary.sample_rate_hz
        self._backup_factory = backup
        self._backup: Synthesizer | None = None
        self._timeout_s = timeout_s if timeout_s is not None else DEFAULT_CHUNK_TIMEOUT_S
        self._lock = threading.Lock()

    def synthesize(self, text: str) -> Iterator[Int16Array]:
        items: queue.Queue[tuple[str, Any]] = queue.Queue()
        stop = threading.Event()

        def produce() -> None:
            try:
                for chunk in self.primary.synthesize(text):
                    items.put(("chunk", chunk))
                    if stop.is_set():
                        break
            except BaseException as exc:
                items.put(("error", exc))
            finally:
                items.put(("done", None))

        threading.Thread(target=produce, name=f"tts-{self.name}", daemon=True).start()
        produced = False
        try:
            while True:
                try:
                    kind, value = items.get(timeout=self._timeout_s)
                except queue.Empty:
                    if produced:
                        raise EngineError(f"the voice {self.name} stalled for {self._timeout_s:g} s "
                                          "in the middle of a prompt") from None
                    yield from self._fall_back(text, f"no audio after {self._timeout_s:g} s")
                    return
                if kind == "chunk":
                    produced = True
                    yield value
                elif kind == "error":
                    if produced:
                        raise value
                    yield from self._fall_back(text, f"{type(value).__name__}: {value}")
                    return
                else:
                    return
        finally:
            stop.set()  # the consumer stopped (barge-in or the end): the producer quits between chunks

    def _fall_back(self, text: str, reason: str) -> Iterator[Int16Array]:
        backup = self._backup_voice()
        if backup is None:
            raise EngineError(f"the voice {self.name} failed ({reason}) and there is no backup voice")
        log.warning("voice %s failed (%s); speaking with %s", self.name, reason, backup.name)
        from voicebot.audio.resample import resample

        for chunk in backup.synthesize(text):
            if backup.sample_rate_hz != self.sample_rate_hz:
                chunk = resample(chunk, backup.sample_rate_hz, self.sample_rate_hz)
            yield chunk

    def _backup_voice(self) -> Synthesizer | None:
        with self._lock:
            if self._backup is None and self._backup_factory is not None:
                self._backup = self._backup_factory()
            return self._backup


def with_fallback(primary: Synthesizer, language: str, *,
                  timeout_s: float = DEFAULT_CHUNK_TIMEOUT_S) -> Synthesizer:
    """``primary`` guarded by an eSpeak voice for ``language`` (an eSpeak voice has no other backup)."""
    if primary.name.startswith("espeak"):
        return FallbackSynthesizer(primary, None, timeout_s=timeout_s)
    return FallbackSynthesizer(primary, lambda: espeak_backup(language), timeout_s=timeout_s)
