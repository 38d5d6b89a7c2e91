"""The input Smart Turn v3 reads: whisper's log-mel spectrogram of the last 8 s of the turn.

Smart Turn was trained on transformers' ``WhisperFeatureExtractor(chunk_length=8)``: audio at 16 kHz,
the last 8 s kept (a shorter turn zero-padded in front, so the turn's end always sits at the right
edge), the whole 8 s window normalised to zero mean and unit variance, then whisper's 80-bin log-mel
(25 ms Hann window, 10 ms hop, log10 floored 8 decades under the peak, scaled to about [-1, 1]), with
faster-whisper's mel filter bank. bench/turn_features.py checks this against the reference front end
in pipecat-ai 1.14 on the same audio.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import numpy.typing as npt

from voicebot.engines.base import STT_SAMPLE_RATE_HZ

Float32Array = npt.NDArray[np.float32]

WINDOW_S = 8
WINDOW_SAMPLES = WINDOW_S * STT_SAMPLE_RATE_HZ
N_MELS = 80
N_FFT = 400  # 25 ms window
HOP_SAMPLES = 160  # 10 ms hop
N_FRAMES = WINDOW_SAMPLES // HOP_SAMPLES  # 800
_VARIANCE_EPS = 1e-7


def last_window(samples: Float32Array) -> Float32Array:
    """The last 8 s of ``samples`` (16 kHz), zero-padded at the start when the turn is shorter."""
    audio = np.asarray(samples, dtype=np.float32).reshape(-1)
    if audio.size >= WINDOW_SAMPLES:
        return audio[-WINDOW_SAMPLES:]
    return np.concatenate([np.zeros(WINDOW_SAMPLES - audio.size, np.float32), audio])


def log_mel(samples: Float32Array) -> Float32Array:
    """Features of shape (80, 800) for the last 8 s of ``samples`` (float32 at 16 kHz)."""
    window = last_window(samples)
    # Normalise the padded window, as the reference does: the padding's zeros count in the mean.
    normalised = (window - window.mean()) / np.sqrt(window.var() + _VARIANCE_EPS)
    # The spectrogram in float64, as the reference computes it: Smart Turn's int8 graph turns
    # float32-sized differences (1e-6) into probabilities up to 0.18 apart near its boundary.
    padded = np.pad(normalised.astype(np.float64), (N_FFT // 2, N_FFT // 2), mode="reflect")
    frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP_SAMPLES]
    power = np.abs(np.fft.rfft(frames * _hann(), axis=-1)) ** 2  # (801, 201)
    mel = np.maximum(_mel_filters() @ power.T, 1e-10)[:, :-1]  # whisper drops the last frame
    log_spec = np.log10(mel)
    log_spec = np.maximum(log_spec, log_spec.max() - 8.0)
    out: Float32Array = ((log_spec + 4.0) / 4.0).astype(np.float32)
    return out


@cache
def _hann() -> npt.NDArray[np.float64]:
    window: npt.NDArray[np.float64] = np.hanning(N_FFT + 1)[:-1]  # periodic, as torch.hann_window
    return window


@cache
def _mel_filters() -> npt.NDArray[np.float64]:
    from faster_whisper.feature_extractor import FeatureExtractor  # lazy: pulls in ctranslate2 and av

    filters: npt.NDArray[np.float64] = FeatureExtractor.get_mel_filters(
        STT_SAMPLE_RATE_HZ, N_FFT, n_mels=N_MELS)
    return filters
