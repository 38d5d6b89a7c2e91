"""Conversions between int16 PCM, raw little-endian bytes and float32 samples in [-1, 1]."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from voicebot.errors import AudioError

Float32Array = npt.NDArray[np.float32]
Int16Array = npt.NDArray[np.int16]

_INT16_SCALE = 32768.0


def int16_to_float32(samples: npt.ArrayLike) -> Float32Array:
    """Maps int16 samples to float32 in [-1, 1)."""
    return (np.asarray(samples, dtype=np.int16).astype(np.float32)) / np.float32(_INT16_SCALE)


def float32_to_int16(samples: npt.ArrayLike) -> Int16Array:
    """Maps float samples to int16, clipping anything outside [-1, 1] instead of wrapping."""
    scaled = np.asarray(samples, dtype=np.float32) * np.float32(_INT16_SCALE)
    result: Int16Array = np.clip(np.rint(scaled), -32768, 32767).astype(np.int16)
    return result


def pcm_bytes_to_int16(data: bytes | bytearray | memoryview) -> Int16Array:
    """Reads signed 16-bit little-endian PCM bytes (a copy, so the buffer may be reused)."""
    if len(data) % 2:
        raise AudioError(
            f"16-bit PCM needs an even number of bytes, got {len(data)}: send whole samples"
        )
    return np.frombuffer(bytes(data), dtype="<i2").astype(np.int16)


def int16_to_pcm_bytes(samples: npt.ArrayLike) -> bytes:
    """Writes int16 samples as little-endian PCM bytes."""
    return np.asarray(samples, dtype=np.int16).astype("<i2").tobytes()


def samples_per_frame(sample_rate_hz: int, frame_ms: float) -> int:
    """Samples in one frame; the frame must hold a whole number of samples."""
    if sample_rate_hz <= 0 or frame_ms <= 0:
        raise AudioError(
            f"sample rate and frame length must be positive, got {sample_rate_hz} Hz, {frame_ms} ms"
        )
    exact = sample_rate_hz * frame_ms / 1000.0
    count = round(exact)
    if abs(exact - count) > 1e-6:
        raise AudioError(f"a {frame_ms} ms frame at {sample_rate_hz} Hz is not a whole number of samples")
    return int(count)


def bytes_per_frame(sample_rate_hz: int, frame_ms: float, sample_width_bytes: int = 2) -> int:
    return samples_per_frame(sample_rate_hz, frame_ms) * sample_width_bytes


def duration_ms(sample_count: int, sample_rate_hz: int) -> float:
    return sample_count * 1000.0 / sample_rate_hz
