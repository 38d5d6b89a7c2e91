"""Checks on reference clips before cloning: length, sample rate, clipping, silence and speakers.

``check_clips`` is pure (arrays in, problems out); ``load_clip`` is the only function touching files.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile

from voicebot.errors import AudioError

Float32Array = npt.NDArray[np.float32]

_ANALYSIS_RATE_HZ = 16_000
_FRAME_MS = 20
_SPEAKER_ORDER = 12


@dataclass(frozen=True, slots=True)
class Clip:
    name: str
    samples: Float32Array  # mono, native rate
    sample_rate_hz: int

    @property
    def duration_s(self) -> float:
        return self.samples.size / self.sample_rate_hz


@dataclass(frozen=True, slots=True)
class ClipLimits:
    min_sample_rate_hz: int = 16_000
    min_clip_s: float = 2.0
    max_clip_s: float = 60.0
    min_total_s: float = 6.0
    recommended_total_s: float = 30.0
    max_clipped_fraction: float = 0.001
    min_speech_fraction: float = 0.3
    min_level_dbfs: float = -45.0
    # BIC scores per frame; one LibriSpeech voice stays below ~0.45 within a clip and ~0.1 across
    # clips, two voices scored 0.66-1.0 and 0.3-1.0 (bench data, see docs/voices.md).
    speaker_change_score: float = 0.7
    speaker_mismatch_score: float = 0.2


@dataclass(frozen=True, slots=True)
class ClipProblem:
    clip: str  # clip name, or "" for the set as a whole
    message: str
    fatal: bool = True

    def __str__(self) -> str:
        where = f"{self.clip}: " if self.clip else ""
        return f"{where}{self.message}"


def load_clip(path: str | os.PathLike[str]) -> Clip:
    """Reads a clip at its own sample rate (mixing channels down)."""
    file = Path(path)
    if not file.is_file():
        raise AudioError(f"reference clip not found: {file}")
    try:
        data, rate_hz = soundfile.read(str(file), dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, TypeError):
        # Compressed formats soundfile cannot open: decoded at a rate that passes the checks.
        from voicebot.audio.io import read_audio

        return Clip(file.name, read_audio(file, 24_000), 24_000)
    mono = data.mean(axis=1, dtype=np.float32) if data.shape[1] > 1 else data[:, 0]
    return Clip(file.name, np.ascontiguousarray(mono, dtype=np.float32), int(rate_hz))


def frame_levels_db(samples: Float32Array, sample_rate_hz: int) -> npt.NDArray[np.float64]:
    """RMS level of each 20 ms frame in dBFS."""
    size = max(1, sample_rate_hz * _FRAME_MS // 1000)
    count = samples.size // size
    if count == 0:
        return np.zeros(0)
    frames = samples[: count * size].astype(np.float64).reshape(count, size)
    rms = np.sqrt(np.mean(frames**2, axis=1))
    levels: npt.NDArray[np.float64] = 20.0 * np.log10(np.maximum(rms, 1e-10))
    return levels


def speech_fraction(samples: Float32Array, sample_rate_hz: int) -> float:
    """Share of frames within 35 dB of the clip's loud frames and above the noise floor."""
    levels = frame_levels_db(samples, sample_rate_hz)
    if levels.size == 0:
        return 0.0
    loud = float(np.percentile(levels, 95))
    active = levels > max(loud - 35.0, -60.0)
    return float(np.mean(active))


def _voice_frames(clip: Clip) -> npt.NDArray[np.float64]:
    """Low-order mel-cepstra (10 ms frames) of the clip's loud frames: the spectral colour of the voice."""
    import pysptk
    import pyworld

    from voicebot.audio.resample import resample

    x = resample(clip.samples, clip.sample_rate_hz, _ANALYSIS_RATE_HZ).astype(np.float64)
    f0, t = pyworld.dio(x, _ANALYSIS_RATE_HZ, frame_period=10.0)
    envelope = pyworld.cheaptrick(x, f0, t, _ANALYSIS_RATE_HZ)
    mcep = np.asarray(pysptk.sp2mc(envelope, _SPEAKER_ORDER, 0.41))
    power = mcep[:, 0]
    # Within ~30 dB of the loud frames (c0 is natural-log amplitude).
    loud = power > np.percentile(power, 95) - 3.5
    return mcep[loud, 1:]


def _log_det_cov(frames: npt.NDArray[np.float64]) -> float:
    dims = frames.shape[1]
    return float(np.linalg.slogdet(np.cov(frames.T) + 1e-6 * np.eye(dims))[1])


def _delta_bic(first: npt.NDArray[np.float64], second: npt.NDArray[np.float64]) -> float:
    """Per-frame evidence that two stretches of frames come from two Gaussians rather than one
    (the Bayesian information criterion): positive favours two voices."""
    both = np.vstack([first, second])
    n, dims = both.shape
    penalty = 0.5 * (dims + dims * (dims + 1) / 2) * np.log(n)
    gain = 0.5 * (n * _log_det_cov(both) - first.shape[0] * _log_det_cov(first)
                  - second.shape[0] * _log_det_cov(second))
    return float((gain - penalty) / n)


def _change_score(frames: npt.NDArray[np.float64]) -> float:
    """The strongest speaker-change evidence at any point of one clip (at least 1 s each side)."""
    best = float("-inf")
    for split in range(100, frames.shape[0] - 100, 25):
        best = max(best, _delta_bic(frames[:split], frames[split:]))
    return best


def check_clip(clip: Clip, limits: ClipLimits = ClipLimits()) -> list[ClipProblem]:
    problems: list[ClipProblem] = []
    name = clip.name
    if clip.sample_rate_hz < limits.min_sample_rate_hz:
        problems.append(ClipProblem(name, (
            f"sample rate {clip.sample_rate_hz} Hz is too low: record at {limits.min_sample_rate_hz} Hz or "
            "more (telephone audio at 8 kHz makes a muffled voice)")))
    if clip.duration_s < limits.min_clip_s:
        problems.append(ClipProblem(name, (
            f"only {clip.duration_s:.1f} s long: each clip needs at least "
            f"{limits.min_clip_s:.0f} s of speech")))
        return problems
    if clip.duration_s > limits.max_clip_s:
        problems.append(ClipProblem(name, (
            f"{clip.duration_s:.0f} s long: cut it into clips of at most {limits.max_clip_s:.0f} s")))
    clipped = float(np.mean(np.abs(clip.samples) >= 0.999))
    if clipped > limits.max_clipped_fraction:
        problems.append(ClipProblem(name, (
            f"{clipped:.1%} of samples are clipped (at full scale): record again with lower input gain")))
    levels = frame_levels_db(clip.samples, clip.sample_rate_hz)
    if float(np.percentile(levels, 95)) < limits.min_level_dbfs:
        problems.append(ClipProblem(name, "is silent or far too quiet: record closer to the microphone"))
        return problems
    fraction = speech_fraction(clip.samples, clip.sample_rate_hz)
    if fraction < limits.min_speech_fraction:
        problems.append(ClipProblem(name, (
            f"mostly silence (speech in {fraction:.0%} of it): trim long pauses so speech fills the clip")))
    return problems


def check_speakers(clips: Sequence[Clip], limits: ClipLimits = ClipLimits()) -> list[ClipProblem]:
    """Flags a clip where the voice changes part-way, or a clip whose voice differs from the others.

    A BIC test on mel-cepstra: on LibriSpeech it separates voices of either sex, but two similar voices
    or a change of microphone can fool it, which is why the thresholds sit well clear of one voice.
    """
    problems: list[ClipProblem] = []
    frames = {clip.name: _voice_frames(clip) for clip in clips}
    for name, own in frames.items():
        if own.shape[0] >= 300 and _change_score(own) > limits.speaker_change_score:
            problems.append(ClipProblem(name, (
                "sounds like more than one speaker: use clips with the target speaker alone")))
    if problems or len(clips) < 2:
        return problems
    for name, own in frames.items():
        rest = [other for key, other in frames.items() if key != name]
        if own.shape[0] >= 50 and _delta_bic(own, np.vstack(rest)) > limits.speaker_mismatch_score:
            problems.append(ClipProblem(name, (
                "sounds like a different speaker from the other clips: use clips of one speaker only")))
    return problems


def check_clips(clips: Sequence[Clip], limits: ClipLimits = ClipLimits()) -> list[ClipProblem]:
    """Every problem found; fatal ones stop cloning, the others are advice."""
    if not clips:
        return [ClipProblem("", "no reference clips given")]
    problems = [p for clip in clips for p in check_clip(clip, limits)]
    total_s = sum(clip.duration_s for clip in clips)
    if total_s < limits.min_total_s:
        problems.append(ClipProblem("", (
            f"{total_s:.1f} s of audio in all: give at least {limits.min_total_s:.0f} s "
            f"(about {limits.recommended_total_s:.0f}-90 s clones best)")))
    elif total_s < limits.recommended_total_s:
        problems.append(ClipProblem("", (
            f"{total_s:.0f} s of audio in all: {limits.recommended_total_s:.0f}-90 s gives a closer voice"),
            fatal=False))
    if not any(p.fatal for p in problems):
        problems.extend(check_speakers(clips, limits))
    return problems
