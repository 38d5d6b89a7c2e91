"""Spectral mappings from base-voice mel-cepstra to the target speaker's, all frame-local (pure numpy).

- ``gmm``: the joint-density GMM's conditional means, smoothed by MLPG, then scaled to the target's global
  variance with a gain fixed at training time (not per utterance, so a block converts like the whole).
- ``knn``: frame selection, the kNN-VC idea with WORLD as the vocoder: the GMM output is only the query,
  each frame is replaced by the mean of its ``neighbours`` nearest frames of the target's own recordings,
  then smoothed over a few frames. The spectrum then comes from the person, not from a Gaussian average.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from voicebot.voice import gmm
from voicebot.voice.features import with_deltas
from voicebot.voice.gmm import ConditionalGmm

FloatArray = npt.NDArray[np.float64]

METHODS = ("gmm", "knn")


@dataclass(frozen=True, slots=True)
class Mapping:
    """How a built voice converts; every field is a runtime setting (no rebuild)."""

    strength: float = 0.7  # 0 keeps the base spectrum, 1 moves all the way to the mapped one
    method: str = "gmm"
    neighbours: int = 4  # knn
    smooth_frames: int = 3  # knn: moving average over this many frames (1 = none)
    global_variance: bool = True  # gmm: scale the trajectory to the target's variance
    # gmm: cap on that scaling (the training gain is at most 2). A cap of 1.3 cost 0.015 of similarity on
    # the bench speakers for a WER change within run-to-run noise (BENCHMARKS.md), so no cap by default.
    global_variance_max_gain: float = 2.0


@dataclass(frozen=True, slots=True)
class SpectralModel:
    gmm: gmm.JointGmm
    gv_centre: FloatArray  # (D,) mean of the GMM output on the training frames
    gv_gain: FloatArray  # (D,) per-dimension gain towards the target's global variance
    pool: npt.NDArray[np.float32]  # (N, D) the target's speech frames (static mel-cepstra without c0)
    conditional: ConditionalGmm = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "conditional", gmm.condition(self.gmm))


def gmm_trajectory(model: gmm.JointGmm | gmm.ConditionalGmm, static: FloatArray) -> FloatArray:
    """Conditional means of the target for each source frame, smoothed by MLPG: (T, D)."""
    mean, var = gmm.convert(model, with_deltas(static))
    return gmm.mlpg(mean, var)


def global_variance_gain(converted: FloatArray, target_variance: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Centre and gain that bring the spread of ``converted`` frames to ``target_variance``."""
    centre = converted.mean(axis=0)
    spread = converted.var(axis=0) + 1e-10
    return centre, np.clip(np.sqrt(target_variance / spread), 1.0, 2.0)


def nearest_mean(pool: npt.NDArray[np.float32], query: FloatArray, neighbours: int) -> FloatArray:
    """For each query row, the mean of its ``neighbours`` nearest pool rows (Euclidean)."""
    k = max(1, min(neighbours, pool.shape[0]))
    p = pool.astype(np.float64)
    dist = np.sum(query**2, axis=1)[:, None] + np.sum(p**2, axis=1)[None, :] - 2.0 * query @ p.T
    idx = np.argpartition(dist, k - 1, axis=1)[:, :k] if k < p.shape[0] else np.tile(
        np.arange(p.shape[0]), (query.shape[0], 1))
    result: FloatArray = p[idx].mean(axis=1)
    return result


def moving_average(frames: FloatArray, width: int) -> FloatArray:
    if width <= 1 or frames.shape[0] < 2:
        return frames
    half = width // 2
    padded = np.pad(frames, ((half, width - 1 - half), (0, 0)), mode="edge")
    sums = np.cumsum(np.vstack([np.zeros((1, frames.shape[1])), padded]), axis=0)
    result: FloatArray = (sums[width:] - sums[:-width]) / width
    return result


def map_spectrum(model: SpectralModel, static: FloatArray, mapping: Mapping) -> FloatArray:
    """The converted static mel-cepstra (without c0) for ``static`` (T, D), before the strength blend."""
    converted = gmm_trajectory(model.conditional, static)
    if mapping.method == "knn" and model.pool.shape[0]:
        return moving_average(nearest_mean(model.pool, converted, mapping.neighbours), mapping.smooth_frames)
    if mapping.global_variance:
        gain = np.minimum(model.gv_gain, max(1.0, mapping.global_variance_max_gain))
        converted = model.gv_centre + (converted - model.gv_centre) * gain
    return converted
