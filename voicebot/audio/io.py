"""Reading audio files as 16 kHz float32 mono and writing WAV files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import soundfile

from voicebot.audio.resample import resample
from voicebot.errors import AudioError

Float32Array = npt.NDArray[np.float32]


def read_audio(path: str | os.PathLike[str], sample_rate_hz: int = 16_000) -> Float32Array:
    """Reads any audio file (WAV/FLAC/OGG via soundfile, MP3 and others via PyAV) as mono float32."""
    file = Path(path)
    if not file.is_file():
        raise AudioError(f"audio file not found: {file}")
    if file.stat().st_size == 0:
        raise AudioError(f"audio file {file} is empty (0 bytes): record some audio and try again")
    try:
        data, native_hz = soundfile.read(str(file), dtype="float32", always_2d=True)
        mono = data.mean(axis=1, dtype=np.float32) if data.shape[1] > 1 else data[:, 0]
    except (soundfile.LibsndfileError, RuntimeError, TypeError):
        mono, native_hz = _read_with_av(file)
    if mono.size == 0:
        raise AudioError(f"audio file {file} contains no samples: record some audio and try again")
    out: Float32Array = np.ascontiguousarray(resample(mono, int(native_hz), sample_rate_hz), dtype=np.float32)
    return out


def _read_with_av(file: Path) -> tuple[Float32Array, int]:
    import av  # lazy: PyAV is only needed for compressed formats soundfile cannot open

    chunks: list[npt.NDArray[Any]] = []
    try:
        with av.open(str(file)) as container:
            if not container.streams.audio:
                raise AudioError(f"{file} has no audio stream")
            stream = container.streams.audio[0]
            native_hz = int(stream.codec_context.sample_rate or stream.rate or 0)
            resampler = av.AudioResampler(format="flt", layout="mono", rate=native_hz)
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
    except AudioError:
        raise
    except Exception as exc:  # PyAV raises many error types; all mean "cannot decode"
        reason = getattr(exc, "strerror", None) or str(exc)
        raise AudioError(f"cannot read audio file {file}: {reason}; use WAV, FLAC, OGG or MP3") from None
    if native_hz <= 0:
        raise AudioError(f"cannot read audio file {file}: unknown sample rate")
    samples = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)
    return samples, native_hz


def write_wav(path: str | os.PathLike[str], samples: npt.ArrayLike, sample_rate_hz: int,
              channels: int = 1) -> None:
    """Writes int16 samples as a 16-bit PCM WAV; multi-channel input is interleaved (frames x channels)."""
    array = np.asarray(samples, dtype=np.int16)
    if channels > 1:
        if array.ndim == 1:
            if array.size % channels:
                raise AudioError(f"{array.size} interleaved samples do not split into {channels} channels")
            array = array.reshape(-1, channels)
        elif array.shape[1] != channels:
            raise AudioError(f"samples have {array.shape[1]} channels, expected {channels}")
    try:
        soundfile.write(str(path), array, sample_rate_hz, subtype="PCM_16", format="WAV")
    except (soundfile.LibsndfileError, RuntimeError, OSError) as exc:
        raise AudioError(f"cannot write WAV file {path}: {exc}") from None
