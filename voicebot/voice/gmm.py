"""Joint-density GMM voice conversion with maximum-likelihood parameter generation (pure numpy).

Training fits a full-covariance GMM on stacked, time-aligned [source; target] frames (static + delta).
Conversion takes the posterior-weighted conditional mean and variance of the target given each source
frame, then solves for the smooth static trajectory that best explains both statics and deltas.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

_REGULARISATION = 1e-3


@dataclass(frozen=True, slots=True)
class JointGmm:
    weights: FloatArray  # (K,)
    means: FloatArray  # (K, 2D)
    covariances: FloatArray  # (K, 2D, 2D)

    @property
    def source_dims(self) -> int:
        return int(self.means.shape[1] // 2)


def _log_gaussians(x: FloatArray, means: FloatArray, covs: FloatArray) -> FloatArray:
    """log N(x_n | mu_k, S_k) for every frame n and component k: (N, K)."""
    from scipy.linalg import solve_triangular

    n, d = x.shape
    out = np.empty((n, means.shape[0]), dtype=np.float64)
    for k in range(means.shape[0]):
        chol = np.linalg.cholesky(covs[k])
        z = solve_triangular(chol, (x - means[k]).T, lower=True)
        log_det = 2.0 * np.sum(np.log(np.diag(chol)))
        out[:, k] = -0.5 * (np.sum(z * z, axis=0) + log_det + d * np.log(2.0 * np.pi))
    return out


def _posteriors(x: FloatArray, weights: FloatArray, means: FloatArray, covs: FloatArray
                ) -> tuple[FloatArray, float]:
    log_p = _log_gaussians(x, means, covs) + np.log(weights)[None, :]
    top = np.max(log_p, axis=1, keepdims=True)
    log_norm = top + np.log(np.sum(np.exp(log_p - top), axis=1, keepdims=True))
    return np.exp(log_p - log_norm), float(np.mean(log_norm))


def _kmeans(x: FloatArray, k: int, rng: np.random.Generator, iterations: int = 10) -> FloatArray:
    centres = x[rng.choice(x.shape[0], size=k, replace=False)]
    for _ in range(iterations):
        dist = (np.sum(x**2, axis=1)[:, None] + np.sum(centres**2, axis=1)[None, :] - 2 * x @ centres.T)
        label = np.argmin(dist, axis=1)
        for c in range(k):
            members = x[label == c]
            if members.shape[0]:
                centres[c] = members.mean(axis=0)
    return centres


def fit(joint: FloatArray, components: int, iterations: int = 20, seed: int = 0,
        progress: Callable[[int, int], None] | None = None) -> JointGmm:
    """Fits a full-covariance GMM to (N, 2D) joint frames by EM."""
    n, d = joint.shape
    components = max(1, min(components, n // (4 * d) or 1))
    rng = np.random.default_rng(seed)
    floor = _REGULARISATION * np.diag(np.var(joint, axis=0) + 1e-8)
    means = _kmeans(joint, components, rng)
    covs = np.repeat((np.cov(joint.T) + floor)[None], components, axis=0)
    weights = np.full(components, 1.0 / components)
    for step in range(iterations):
        resp, _ = _posteriors(joint, weights, means, covs)
        mass = resp.sum(axis=0) + 1e-10
        weights = mass / n
        means = (resp.T @ joint) / mass[:, None]
        for k in range(components):
            centred = joint - means[k]
            covs[k] = (resp[:, k, None] * centred).T @ centred / mass[k] + floor
        if progress is not None:
            progress(step + 1, iterations)
    return JointGmm(weights=weights, means=means, covariances=covs)


def convert(model: JointGmm, source: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Conditional mean and diagonal variance of the target (static + delta) for each source frame."""
    d = model.source_dims
    mx, my = model.means[:, :d], model.means[:, d:]
    sxx = model.covariances[:, :d, :d]
    syx = model.covariances[:, d:, :d]
    syy = model.covariances[:, d:, d:]
    resp, _ = _posteriors(source, model.weights, mx, sxx)
    mean = np.zeros((source.shape[0], d))
    var = np.zeros((source.shape[0], d))
    for k in range(model.weights.shape[0]):
        gain = syx[k] @ np.linalg.inv(sxx[k])
        cond_mean = my[k] + (source - mx[k]) @ gain.T
        cond_var = np.diag(syy[k] - gain @ syx[k].T)
        mean += resp[:, k, None] * cond_mean
        var += resp[:, k, None] * cond_var[None, :]
    return mean, np.maximum(var, 1e-8)


def mlpg(mean: FloatArray, variance: FloatArray) -> FloatArray:
    """Static trajectory (T, D) maximising the likelihood of per-frame [static; delta] Gaussians
    (T, 2D), with the delta window -0.5, 0, 0.5 (edges clamped, as in features.with_deltas)."""
    from scipy.linalg import solveh_banded

    t, two_d = mean.shape
    d = two_d // 2
    if t == 1:
        return mean[:, :d].copy()
    p_static = 1.0 / variance[:, :d]
    p_delta = 1.0 / variance[:, d:]
    rows = np.arange(t)
    hi = np.minimum(rows + 1, t - 1)
    lo = np.maximum(rows - 1, 0)
    # The normal equations W'PW c = W'P mu are banded (width 2); build their upper bands directly.
    quarter = 0.25 * p_delta
    bands = np.zeros((3, t, d))
    bands[2] = p_static
    np.add.at(bands[2], hi, quarter)
    np.add.at(bands[2], lo, quarter)
    np.add.at(bands, (2 - (hi - lo), hi), -quarter)
    rhs = p_static * mean[:, :d]
    half = 0.5 * p_delta * mean[:, d:]
    np.add.at(rhs, hi, half)
    np.add.at(rhs, lo, -half)
    out = np.empty((t, d))
    for dim in range(d):
        out[:, dim] = solveh_banded(bands[:, :, dim], rhs[:, dim])
    return out
