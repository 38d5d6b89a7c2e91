"""Engines that fail on purpose, for the system fault tests (docs/reliability.md).

A hanging or raising speech engine cannot be caused for real, so these stand in for one. They exist
only in a process that called ``registry.register_fault_engines()`` (the fault tests' launcher,
tests/system/fault_serve.py); the registry refuses the names otherwise:

    voice ``fault:raise``   every synthesis raises EngineError
    voice ``fault:hang``    every synthesis blocks (until the process ends)
    stt.engine ``fault``    every transcription raises EngineError
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence

from voicebot.engines.base import Float32Array, Int16Array, Transcript
from voicebot.errors import ConfigError, EngineError

MODES = ("raise", "hang")


class FaultSynthesizer:
    """Loads fine, then fails at every synthesis; the session must not hang on it."""

    sample_rate_hz = 22_050

    def __init__(self, mode: str = "raise", language: str = "en") -> None:
        if mode not in MODES:
            raise ConfigError(f"unknown fault mode {mode!r}; use fault:raise or fault:hang")
        self.mode = mode
        self.name = f"fault:{mode}"
        self._never = threading.Event()  # nothing sets it: a hang that costs no CPU
        del language

    def synthesize(self, text: str) -> Iterator[Int16Array]:
        if self.mode == "hang":
            self._never.wait()
        raise EngineError(f"injected text-to-speech fault ({self.mode}) on {len(text)} characters")
        yield  # a generator, like the real engines: the fault shows when it is iterated


class _FaultStream:
    def accept(self, samples: Float32Array) -> list[Transcript]:
        del samples
        return []

    def finish(self) -> Transcript:
        raise EngineError("injected speech-to-text fault")


class FaultTranscriber:
    """Loads fine, then raises on every utterance."""

    def __init__(self, language: str = "en", **options: object) -> None:
        del options
        self.name = f"fault:{language}"

    def transcribe(self, samples: Float32Array, *, language: str | None = None,
                   hints: Sequence[str] = (), expected: Sequence[str] = ()) -> Transcript:
        raise EngineError("injected speech-to-text fault")

    def stream(self, *, language: str | None = None, hints: Sequence[str] = (),
               expected: Sequence[str] = ()) -> _FaultStream:
        return _FaultStream()
