"""The input Smart Turn v3 reads: whisper's log-mel spectrogram of the last 8 s of the turn.

Smart Turn was trained on transformers' ``WhisperFeatureExtractor(chunk_length=8)``: audio at 16 kHz,
the last 8 s kept (a shorter turn zero-padded in front, so the turn's end always sits at the right
edge), the whole 8 s window normalised to zero mean and unit variance, then whisper's 80-bin log-mel
(25 ms Hann window, 10 ms hop, log10 floored 8 decades under the peak, scaled to about [-1, 1]).
faster-whisper's ``FeatureExtractor`` computes the same spectrogram; bench/turn_features.py checks this
against the reference front end in pipecat-ai 1.14 on the same audio.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

from voicebot.engines.base import STT_SAMPLE_RATE_HZ

Float32Array = npt.NDArray[np.float32]

WINDOW_S = 8
WINDOW_SAMPLES = WINDOW_S * STT_SAMPLE_RATE_HZ
N_MELS = 80
N_FRAMES = WINDOW_SAMPLES // 160  # 10 ms hop: 800 frames
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
    features = _extractor()(normalised.astype(np.float32), padding=0)
    out: Float32Array = np.ascontiguousarray(features, dtype=np.float32)
    return out


@cache
def _extractor() -> Any:
    from faster_whisper.feature_extractor import FeatureExtractor  # lazy: pulls in ctranslate2 and av

    return FeatureExtractor(feature_size=N_MELS, sampling_rate=STT_SAMPLE_RATE_HZ, chunk_length=WINDOW_S)
