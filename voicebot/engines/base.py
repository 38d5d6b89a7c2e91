"""The engine roles. Every backend implements one of these protocols.

All methods are blocking: the asyncio layer runs them in worker threads. Audio crossing these
interfaces is mono; transcribers and VADs take float32 samples in [-1, 1] at 16 kHz, synthesizers
yield int16 samples at their own ``sample_rate_hz``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt

Float32Array = npt.NDArray[np.float32]
Int16Array = npt.NDArray[np.int16]

STT_SAMPLE_RATE_HZ = 16_000


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    start_s: float
    end_s: float
    probability: float | None = None


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    start_s: float
    end_s: float
    words: tuple[Word, ...] = ()
    avg_logprob: float | None = None
    no_speech_prob: float | None = None


@dataclass(frozen=True, slots=True)
class Transcript:
    """A partial (``final=False``) or final transcript of the audio heard so far."""

    text: str
    final: bool
    language: str | None = None
    segments: tuple[Segment, ...] = ()
    # Rough confidence in [0, 1] where the engine gives one: low means confirm, never drop.
    confidence: float | None = None
    # The expected answers asked for (``transcribe(expected=...)``), each with its log-probability on
    # this audio: (phrase, logprob). Empty where the engine cannot score phrases.
    alternatives: tuple[tuple[str, float], ...] = ()
    # The transcript's own log-probability on the audio, comparable with the alternatives'.
    logprob: float | None = None


class TranscriptionStream(Protocol):
    """One utterance being transcribed as its audio arrives."""

    def accept(self, samples: Float32Array) -> list[Transcript]:
        """Feeds 16 kHz audio; returns any partial transcripts it produced."""
        ...

    def finish(self) -> Transcript:
        """Ends the utterance and returns its final transcript."""
        ...


class Transcriber(Protocol):
    name: str  # e.g. "faster-whisper:tiny.en"

    def transcribe(self, samples: Float32Array, *, language: str | None = None,
                   hints: Sequence[str] = (), expected: Sequence[str] = ()) -> Transcript:
        """Transcribes a whole utterance. ``hints`` are words the caller is likely to say; ``expected``
        are whole answers to score on the audio (``Transcript.alternatives``), where the engine can."""
        ...

    def stream(self, *, language: str | None = None, hints: Sequence[str] = (),
               expected: Sequence[str] = ()) -> TranscriptionStream:
        ...


@dataclass(frozen=True, slots=True)
class VoiceSettings:
    speed: float = 1.0
    extra: dict[str, str] = field(default_factory=dict)


class Synthesizer(Protocol):
    name: str  # e.g. "piper:en_US-joe-medium"
    sample_rate_hz: int

    def synthesize(self, text: str) -> Iterator[Int16Array]:
        """Yields audio chunks, sentence by sentence, as soon as each is ready."""
        ...


class VoiceActivityDetector(Protocol):
    frame_samples: int  # samples per frame at 16 kHz that speech_probability expects

    def speech_probability(self, frame: Float32Array) -> float:
        ...

    def reset(self) -> None:
        ...


class TurnDetector(Protocol):
    """Says whether the caller has finished their turn, from how the turn's audio sounds.

    The VAD hears a pause; the turn detector judges it: "my number is five five five..." trails off
    unfinished, "that's all, thanks." ends. Endpointing (voicebot/audio/endpointing.py) asks it at a
    short pause and keeps listening when it says the turn goes on.
    """

    name: str  # e.g. "smart-turn-v3.2"

    def completion_probability(self, samples: Float32Array) -> float:
        """Probability in [0, 1] that the turn is complete, from its 16 kHz audio up to now
        (the pause so far included)."""
        ...
