"""Spectral mappings from base-voice mel-cepstra to the target speaker's, all frame-local (pure numpy).

- ``gmm``: the joint-density GMM's conditional means, smoothed by MLPG, then post-filtered with a gain
  fixed at training time (not per utterance, so a block converts like the whole): global variance by
  default, or a short modulation-spectrum filter (voice/modulation.py).
- ``knn``: frame selection, the kNN-VC idea with WORLD as the vocoder: each frame is replaced by the mean
  of its ``neighbours`` nearest frames of the target's own recordings, then smoothed over a few frames.
  The spectrum then comes from the person, not from a Gaussian average. What "nearest" is measured on
  (``query``):
  - ``converted``: the GMM output against the target's frames;
  - ``normalised``: the base voice's frame and the target's frames, each normalised by its own speaker's
    mean and spread (fixed at training time), which takes out much of who is speaking;
  - ``paired``: the base voice's frame against the base voice's frames of the training sentences, each
    paired by DTW with the target frame that said the same thing; the paired target frames are used. Both
    sides are the same speaker, so the match is on content only.
  ``gmm_below`` keeps the first quefrencies (the broad envelope, which carries the sounds) from the GMM
  and takes the rest (fine structure, timbre) from the selection.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from voicebot.voice import gmm, modulation
from voicebot.voice.features import frequency_warp_matrix, with_deltas
from voicebot.voice.gmm import ConditionalGmm

FloatArray = npt.NDArray[np.float64]
Float32Array = npt.NDArray[np.float32]

METHODS = ("gmm", "knn")
QUERIES = ("converted", "normalised", "paired")


@dataclass(frozen=True, slots=True)
class Mapping:
    """How a built voice converts; every field is a runtime setting (no rebuild)."""

    # 0 keeps the (warped) base spectrum, 1 moves all the way to the mapped one. 0.6 with warp_base was
    # both closer to the speakers and more intelligible than 0.7 without it on the bench (BENCHMARKS.md).
    strength: float = 0.6
    method: str = "gmm"
    neighbours: int = 4  # knn
    smooth_frames: int = 3  # knn: moving average over this many frames (1 = none)
    query: str = "converted"  # knn: what the nearest frames are found by (see the module doc)
    gmm_below: int = 0  # knn: mel-cepstral coefficients 1..gmm_below come from the GMM
    global_variance: bool = True  # gmm: post-filter the trajectory towards the target's variance
    # gmm: cap on that scaling (the training gain is at most 2). The full gain brought one bench speaker's
    # clone (1998) closer to another speaker (1688) than to her; capped at 1.5 with mean_overshoot 0.6
    # every bench speaker is closest to herself, wideband and at 8 kHz, at the same mean similarity and
    # WER (BENCHMARKS.md, sixth round).
    global_variance_max_gain: float = 1.5
    modulation: bool = False  # gmm: the modulation-spectrum post-filter instead of the variance one
    target_aperiodicity: bool = False  # shift the aperiodicity by the target's mean (voiced frames)
    # Blend from the base spectrum frequency-warped towards the target's (a vocal-tract length change,
    # learnt at training time) instead of from the base spectrum as it is.
    warp_base: bool = True
    # Move the long-term mean of the spectrum all the way to the target's (the strength then blends only
    # the frame-to-frame detail): mean speech frame of the target minus the (warped) base voice's. On the
    # bench speakers +0.014 of similarity at 0.6 and with the chosen strength, WER within noise.
    target_mean: bool = True
    # How much further than the target's mean the long-term spectrum moves, as a share of the distance
    # from the (warped) base voice's mean to the target's: 0 stops at the target's mean, above it is a
    # caricature (an exaggerated difference is recognised more readily). Needs target_mean. 0.3 was
    # 0.015-0.019 closer to the bench speakers than 0 at strength 0.6, WER within noise; 0.6 with the
    # variance post-filter's gain capped at 1.5 (the default since the sixth round) keeps the similarity
    # that the cap alone loses.
    mean_overshoot: float = 0.6
    # With target_mean: the mean difference taken per sound class instead of over all speech, each frame
    # getting its GMM components' target mean minus their (warped) base mean, weighted by how likely
    # each component is for the frame.
    mean_per_class: bool = False
    # How much of the speaker's own speaking rate the base voice takes on (learnt at training time as
    # the speaker's duration over the base voice's for the same words): 0 keeps the base voice's rate,
    # 1 speaks at the speaker's, in between geometrically.
    match_rate: float = 0.0


def _empty(dims: int) -> Float32Array:
    return np.zeros((0, dims), dtype=np.float32)


@dataclass(frozen=True, slots=True)
class SpectralModel:
    gmm: gmm.JointGmm
    gv_centre: FloatArray  # (D,) mean of the GMM output on the training frames
    gv_gain: FloatArray  # (D,) per-dimension gain towards the target's global variance
    pool: Float32Array  # (N, D) the target's speech frames (static mel-cepstra without c0)
    # Base-voice frames of the training sentences and the target frames DTW paired with them (M, D).
    pair_source: Float32Array | None = None
    pair_target: Float32Array | None = None
    source_stats: FloatArray | None = None  # (2, D) mean and spread of the base voice's speech frames
    pool_stats: FloatArray | None = None  # (2, D) the same for the target's
    ms_kernel: FloatArray | None = None  # (taps, D) modulation-spectrum post-filter
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


def speaker_stats(frames: FloatArray) -> FloatArray:
    """Mean and spread (2, D) of one speaker's frames, for :func:`normalise`."""
    return np.vstack([frames.mean(axis=0), np.maximum(frames.std(axis=0), 1e-6)])


def normalise(frames: FloatArray, stats: FloatArray) -> FloatArray:
    result: FloatArray = (frames - stats[0]) / stats[1]
    return result


def nearest_mean(pool: npt.NDArray[np.floating], query: FloatArray, neighbours: int,
                 values: npt.NDArray[np.floating] | None = None) -> FloatArray:
    """For each query row, the mean of the ``values`` rows (default: the pool's own) of its
    ``neighbours`` nearest pool rows (Euclidean)."""
    k = max(1, min(neighbours, pool.shape[0]))
    p = pool.astype(np.float64)
    out = p if values is None else values.astype(np.float64)
    dist = np.sum(query**2, axis=1)[:, None] + np.sum(p**2, axis=1)[None, :] - 2.0 * query @ p.T
    idx = np.argpartition(dist, k - 1, axis=1)[:, :k] if k < p.shape[0] else np.tile(
        np.arange(p.shape[0]), (query.shape[0], 1))
    result: FloatArray = out[idx].mean(axis=1)
    return result


def moving_average(frames: FloatArray, width: int) -> FloatArray:
    if width <= 1 or frames.shape[0] < 2:
        return frames
    half = width // 2
    padded = np.pad(frames, ((half, width - 1 - half), (0, 0)), mode="edge")
    sums = np.cumsum(np.vstack([np.zeros((1, frames.shape[1])), padded]), axis=0)
    result: FloatArray = (sums[width:] - sums[:-width]) / width
    return result


def post_filter(model: SpectralModel, converted: FloatArray, mapping: Mapping) -> FloatArray:
    """The GMM trajectory sharpened by the chosen post-filter (or as it is)."""
    if not mapping.global_variance:
        return converted
    if mapping.modulation and model.ms_kernel is not None:
        return modulation.apply(converted, model.gv_centre, model.ms_kernel)
    gain = np.minimum(model.gv_gain, max(1.0, mapping.global_variance_max_gain))
    result: FloatArray = model.gv_centre + (converted - model.gv_centre) * gain
    return result


def select_frames(model: SpectralModel, static: FloatArray, mapping: Mapping,
                  converted: FloatArray | None) -> FloatArray:
    """Frame selection (before smoothing) for ``static`` base-voice frames (T, D)."""
    if mapping.query == "paired":
        if model.pair_source is None or model.pair_target is None or not model.pair_source.shape[0]:
            raise ValueError("this voice has no paired frames: rebuild it")
        return nearest_mean(model.pair_source, static, mapping.neighbours, model.pair_target)
    if mapping.query == "normalised":
        if model.source_stats is None or model.pool_stats is None:
            raise ValueError("this voice has no speaker statistics: rebuild it")
        keys = normalise(model.pool.astype(np.float64), model.pool_stats)
        return nearest_mean(keys, normalise(static, model.source_stats), mapping.neighbours, model.pool)
    if converted is None:
        converted = gmm_trajectory(model.conditional, static)
    return nearest_mean(model.pool, converted, mapping.neighbours)


WARPS = tuple(round(0.02 * step, 2) for step in range(-10, 11))


def frequency_warp(mcep: FloatArray, beta: float) -> FloatArray:
    """Mel-cepstra (T, order + 1, with c0) warped along frequency by a first-order all-pass of ``beta``
    (positive moves the envelope's peaks up). c0 is kept."""
    if beta == 0.0:
        return mcep
    warped = np.einsum("tn,nk->tk", mcep, frequency_warp_matrix(mcep.shape[1], mcep.shape[1] - 1, beta))
    warped[:, 0] = mcep[:, 0]
    result: FloatArray = warped
    return result


def mean_shift(model: SpectralModel, warp: float) -> FloatArray | None:
    """The target's mean speech frame minus the base voice's (warped by ``warp``), without c0; None for
    a model built without speaker statistics."""
    if model.source_stats is None or model.pool_stats is None:
        return None
    source = np.asarray(model.source_stats[0], dtype=np.float64)
    if warp:
        source = frequency_warp(np.concatenate([[0.0], source])[None, :], warp)[0, 1:]
    shift: FloatArray = np.asarray(model.pool_stats[0], dtype=np.float64) - source
    return shift


def class_shift(model: SpectralModel, static: FloatArray, warp: float) -> FloatArray:
    """For each base frame (T, D), its components' target means minus their base means (warped by
    ``warp``), weighted by the components' posteriors for that frame: (T, D)."""
    conditional = model.conditional
    d = static.shape[1]
    source = conditional.source_means[:, :d]
    if warp:
        source = frequency_warp(np.hstack([np.zeros((source.shape[0], 1)), source]), warp)[:, 1:]
    resp = gmm.posteriors(conditional, with_deltas(static))
    shift: FloatArray = resp.T @ (conditional.target_means[:, :d] - source)
    return shift


def best_warp(source: FloatArray, target: FloatArray) -> float:
    """The warp in :data:`WARPS` that brings paired source frames (T, D, without c0) closest to the
    target's."""
    full = np.hstack([np.zeros((source.shape[0], 1)), source])
    errors = [float(np.mean(np.sum((frequency_warp(full, beta)[:, 1:] - target) ** 2, axis=1)))
              for beta in WARPS]
    return WARPS[int(np.argmin(errors))]


def map_spectrum(model: SpectralModel, static: FloatArray, mapping: Mapping) -> FloatArray:
    """The converted static mel-cepstra (without c0) for ``static`` (T, D), before the strength blend."""
    if mapping.method != "knn" or not model.pool.shape[0]:
        return post_filter(model, gmm_trajectory(model.conditional, static), mapping)
    low = min(max(0, mapping.gmm_below), static.shape[1])
    needs_gmm = low > 0 or mapping.query == "converted"
    converted = gmm_trajectory(model.conditional, static) if needs_gmm else None
    selected = moving_average(select_frames(model, static, mapping, converted), mapping.smooth_frames)
    if low and converted is not None:
        selected = selected.copy()
        selected[:, :low] = post_filter(model, converted, mapping)[:, :low]
    return selected
