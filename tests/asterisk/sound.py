"""Audio for the phones: caller speech made with the embedded Piper voice, and what a phone heard.

Phones play 8 kHz 16-bit mono WAV files (baresip's aufile) and their sndfile module writes what they
hear to a WAV that grows during the call; ``read_growing_wav`` reads it before the header is final.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt

from tests.audio.speech import synth
from voicebot.audio.resample import resample

RATE_HZ = 8_000
FRAME = RATE_HZ // 100  # 10 ms windows
# Voice on a G.711 line is well above this; a silent line is digital zero or a few LSBs.
SPEECH_RMS = 300.0

Int16Array = npt.NDArray[np.int16]


def speech_8k(text: str) -> Int16Array:
    audio = resample(synth(text), 16_000, RATE_HZ)
    out: Int16Array = (np.clip(audio, -1.0, 1.0) * 32767 * 0.8).astype(np.int16)
    return out


def write_wav(path: Path, samples: Int16Array) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE_HZ)
        out.writeframes(samples.astype("<i2").tobytes())
    return path


def microphone_file(path: Path, text: str | None, *, lead_ms: int = 200, tail_s: float = 120.0) -> Path:
    """What a phone says: speech (or nothing) then silence long enough that aufile does not reach its
    end (baresip hangs up when the microphone file ends)."""
    speech = speech_8k(text) if text else np.zeros(0, np.int16)
    lead = np.zeros(lead_ms * RATE_HZ // 1000, np.int16)
    tail = np.zeros(int(tail_s * RATE_HZ), np.int16)
    return write_wav(path, np.concatenate([lead, speech, tail]))


def speech_duration_s(text: str) -> float:
    return float(speech_8k(text).size) / RATE_HZ


def read_growing_wav(path: Path) -> Int16Array:
    """Samples of a 16-bit mono WAV still being written (its header sizes may still be zero)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return np.zeros(0, np.int16)
    start = data.find(b"data", 12)
    if start < 0:
        return np.zeros(0, np.int16)
    body = data[start + 8:]
    body = body[: len(body) // 2 * 2]
    return np.frombuffer(body, "<i2").copy()


def loud_windows(samples: Int16Array) -> npt.NDArray[np.bool_]:
    frames = samples[: samples.size // FRAME * FRAME].astype(np.float64).reshape(-1, FRAME)
    rms = np.sqrt((frames ** 2).mean(axis=1)) if frames.size else np.zeros(0)
    loud: npt.NDArray[np.bool_] = rms > SPEECH_RMS
    return loud


def speech_seconds(samples: Int16Array) -> float:
    return float(loud_windows(samples).sum()) / 100


def segments(samples: Int16Array, *, gap_ms: int = 600, min_ms: int = 150) -> list[tuple[float, float]]:
    """Stretches of sound (start s, end s): loud 10 ms windows joined across gaps shorter than gap_ms."""
    loud = np.nonzero(loud_windows(samples))[0]
    found: list[tuple[float, float]] = []
    if loud.size == 0:
        return found
    start = prev = int(loud[0])
    for index in map(int, loud[1:]):
        if (index - prev) * 10 > gap_ms:
            found.append((start / 100, (prev + 1) / 100))
            start = index
        prev = index
    found.append((start / 100, (prev + 1) / 100))
    return [(a, b) for a, b in found if (b - a) * 1000 >= min_ms]
