"""How far a turn's speech stands above the noise it was said in: a signal-to-noise ratio read from the
turn alone, its loud frames against its quiet ones (no noise reference, no model)."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

Float32Array = npt.NDArray[np.float32]

FRAME_MS = 20
# The quietest tenth of a turn's frames is the noise between and around its words (a live turn keeps
# its pre-roll and the pause before the end of turn); the loudest tenth is speech.
NOISE_PERCENTILE = 10.0
SPEECH_PERCENTILE = 90.0
# Digital silence reads as this far under full scale rather than minus infinity: under 16-bit audio's
# own floor, so a clean recording's silence is never taken for noise.
_FLOOR_DB = -120.0


def frame_power_db(samples: Float32Array, sample_rate_hz: int, frame_ms: int = FRAME_MS) -> Float32Array:
    """Mean power of each whole ``frame_ms`` frame of ``samples`` (full scale +-1.0), in dB full scale."""
    width = max(1, sample_rate_hz * frame_ms // 1000)
    count = samples.size // width
    frames = np.asarray(samples[:count * width], dtype=np.float64).reshape(count, width)
    power = np.maximum((frames ** 2).mean(axis=1), 10.0 ** (_FLOOR_DB / 10.0))
    out: Float32Array = (10.0 * np.log10(power)).astype(np.float32)
    return out


def estimate_snr_db(samples: Float32Array, sample_rate_hz: int) -> float:
    """The turn's speech level over its noise floor in dB: the 90th percentile of its 20 ms frames' power
    over their 10th percentile. Digital silence between words gives a large figure (over 100 dB), a turn
    said over steady noise a small one; a turn shorter than one frame gives ``inf`` (nothing to judge)."""
    power = frame_power_db(np.asarray(samples, dtype=np.float32).reshape(-1), sample_rate_hz)
    if power.size == 0:
        return math.inf
    speech, noise = np.percentile(power, [SPEECH_PERCENTILE, NOISE_PERCENTILE])
    return float(speech - noise)


def is_noisy(samples: Float32Array, sample_rate_hz: int, threshold_db: float | None) -> bool:
    """Whether a turn's :func:`estimate_snr_db` is under ``threshold_db`` (never, when it is None)."""
    return threshold_db is not None and estimate_snr_db(samples, sample_rate_hz) < threshold_db
