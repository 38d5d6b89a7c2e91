"""A modulation-spectrum post-filter that streams: a short zero-phase filter along time, per dimension.

GMM conversion flattens how fast the spectrum moves (the classic "muffled, averaged" clone). The
modulation-spectrum post-filter (Takamichi et al.) restores the target's modulation spectrum; done on a
whole utterance it needs the utterance. Here the gain per modulation frequency is fixed at training
time (the target's natural trajectories against the converted ones) and applied as a short symmetric
FIR filter, so a frame depends only on ``taps // 2`` frames on each side (within a stream block's
context). Pure numpy.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

SEGMENT_FRAMES = 32
DEFAULT_TAPS = 9
MAX_GAIN = 2.0


def modulation_power(trajectories: list[FloatArray], centre: FloatArray,
                     segment: int = SEGMENT_FRAMES) -> FloatArray:
    """Mean power spectrum along time of ``trajectories`` (each (T, D)) around ``centre``, over
    Hann-windowed segments of ``segment`` frames: (segment // 2 + 1, D)."""
    window = np.hanning(segment)[:, None]
    total = np.zeros((segment // 2 + 1, centre.shape[0]))
    count = 0
    for frames in trajectories:
        for start in range(0, frames.shape[0] - segment + 1, segment // 2):
            piece = (frames[start: start + segment] - centre) * window
            total += np.abs(np.fft.rfft(piece, axis=0)) ** 2
            count += 1
    if count == 0:
        raise ValueError(f"no trajectory is {segment} frames long")
    result: FloatArray = total / count
    return result


def design(target_power: FloatArray, converted_power: FloatArray, taps: int = DEFAULT_TAPS,
           max_gain: float = MAX_GAIN) -> FloatArray:
    """Per-dimension symmetric filters (taps, D) whose gain at each modulation frequency is
    sqrt(target / converted), clipped to [1, max_gain] (the post-filter only restores what was lost)."""
    if taps % 2 == 0 or taps < 1:
        raise ValueError(f"taps must be odd and positive, got {taps}")
    gain = np.clip(np.sqrt(target_power / np.maximum(converted_power, 1e-12)), 1.0, max_gain)
    segment = 2 * (gain.shape[0] - 1)
    impulse = np.fft.irfft(gain, n=segment, axis=0)  # real and even: zero phase
    half = taps // 2
    kernel = np.vstack([impulse[-half:], impulse[: half + 1]]) if half else impulse[:1]
    kernel = kernel * np.hanning(taps + 2)[1:-1, None]
    # Keep the gain of slow movements (the mean level of a sound) as designed.
    kernel *= gain[0] / np.sum(kernel, axis=0)
    result: FloatArray = kernel
    return result


def apply(frames: FloatArray, centre: FloatArray, kernel: FloatArray) -> FloatArray:
    """Filters each dimension of ``frames`` (T, D) around ``centre`` along time (edges held)."""
    taps = kernel.shape[0]
    half = taps // 2
    if frames.shape[0] == 0:
        return frames
    padded = np.pad(frames - centre, ((half, half), (0, 0)), mode="edge")
    out = np.zeros_like(frames)
    for tap in range(taps):
        out += kernel[tap] * padded[tap: tap + frames.shape[0]]
    result: FloatArray = out + centre
    return result
