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
    n, d = x.shape
    out = np.empty((n, means.shape[0]), dtype=np.float64)
    chol = np.linalg.cholesky(covs)
    # Multiplying by the inverse factor: LAPACK's triangular solve was slow for these small sizes.
    whiten = np.linalg.inv(chol)
    log_det = 2.0 * np.sum(np.log(np.diagonal(chol, axis1=1, axis2=2)), axis=1)
    for k in range(means.shape[0]):
        z = (x - means[k]) @ whiten[k].T
        out[:, k] = -0.5 * (np.sum(z * z, axis=1) + log_det[k] + d * np.log(2.0 * np.pi))
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


COVARIANCES = ("full", "diagonal")


def fit(joint: FloatArray, components: int, iterations: int = 20, seed: int = 0,
        progress: Callable[[int, int], None] | None = None, covariance: str = "full") -> JointGmm:
    """Fits a GMM to (N, 2D) joint frames by EM.

    ``covariance`` "full" learns every cross-dimension term; "diagonal" keeps only each dimension's
    own variance and its source-target covariance, so many more components fit the same few frames.
    """
    if covariance not in COVARIANCES:
        raise ValueError(f"covariance must be one of {COVARIANCES}, got {covariance!r}")
    n, d = joint.shape
    # Parameters per component grow with d^2 (full) or with d (diagonal blocks).
    per_component = 4 * d if covariance == "full" else 8
    components = max(1, min(components, n // per_component or 1))
    rng = np.random.default_rng(seed)
    floor = _REGULARISATION * np.diag(np.var(joint, axis=0) + 1e-8)
    means = _kmeans(joint, components, rng)
    if covariance == "diagonal":
        return _fit_paired(joint, means, iterations, np.diag(floor), progress)
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


def _fit_paired(joint: FloatArray, means: FloatArray, iterations: int, floor: FloatArray,
                progress: Callable[[int, int], None] | None) -> JointGmm:
    """EM when each source dimension pairs only with the same target dimension: the density factorises
    into independent 2x2 Gaussians, so each step costs O(N K D) instead of O(N K D^2)."""
    n, d = joint.shape
    half = d // 2
    x, y = joint[:, :half], joint[:, half:]
    k = means.shape[0]
    var_x = np.repeat(np.var(x, axis=0)[None], k, axis=0) + floor[:half]
    var_y = np.repeat(np.var(y, axis=0)[None], k, axis=0) + floor[half:]
    cov_xy = np.zeros((k, half))
    weights = np.full(k, 1.0 / k)
    for step in range(iterations):
        det = var_x * var_y - cov_xy**2  # (K, half)
        log_p = np.empty((n, k))
        for c in range(k):
            dx, dy = x - means[c, :half], y - means[c, half:]
            quad = (var_y[c] * dx * dx - 2.0 * cov_xy[c] * dx * dy + var_x[c] * dy * dy) / det[c]
            log_p[:, c] = -0.5 * (quad.sum(axis=1) + np.log(det[c]).sum() + d * np.log(2.0 * np.pi))
        log_p += np.log(weights)[None, :]
        log_p -= log_p.max(axis=1, keepdims=True)
        resp = np.exp(log_p)
        resp /= resp.sum(axis=1, keepdims=True)
        mass = resp.sum(axis=0) + 1e-10
        weights = mass / n
        means = (resp.T @ joint) / mass[:, None]
        ex2 = (resp.T @ (x * x)) / mass[:, None]
        ey2 = (resp.T @ (y * y)) / mass[:, None]
        exy = (resp.T @ (x * y)) / mass[:, None]
        var_x = ex2 - means[:, :half] ** 2 + floor[:half]
        var_y = ey2 - means[:, half:] ** 2 + floor[half:]
        cov_xy = exy - means[:, :half] * means[:, half:]
        if progress is not None:
            progress(step + 1, iterations)
    covs = np.zeros((k, d, d))
    idx = np.arange(half)
    covs[:, idx, idx] = var_x
    covs[:, half + idx, half + idx] = var_y
    covs[:, idx, half + idx] = cov_xy
    covs[:, half + idx, idx] = cov_xy
    return JointGmm(weights=weights, means=means, covariances=covs)


@dataclass(frozen=True, slots=True)
class ConditionalGmm:
    """A joint GMM prepared for conversion: everything that depends only on the model, computed once
    (a Cholesky solve per component and call made short blocks slow)."""

    log_weights: FloatArray  # (K,)
    source_means: FloatArray  # (K, D)
    whiten: FloatArray  # (K, D, D) inverse Cholesky factors of the source covariances
    log_norm: FloatArray  # (K,) -0.5 (log det + D log 2 pi)
    target_means: FloatArray  # (K, D)
    gains: FloatArray  # (K, D, D) Syx Sxx^-1
    variances: FloatArray  # (K, D) diagonal of the conditional covariances


def condition(model: JointGmm) -> ConditionalGmm:
    d = model.source_dims
    sxx = model.covariances[:, :d, :d]
    syx = model.covariances[:, d:, :d]
    syy = model.covariances[:, d:, d:]
    chol = np.linalg.cholesky(sxx)
    whiten = np.linalg.inv(chol)
    log_det = 2.0 * np.sum(np.log(np.diagonal(chol, axis1=1, axis2=2)), axis=1)
    gains = syx @ np.linalg.inv(sxx)
    variances = np.diagonal(syy - gains @ np.transpose(syx, (0, 2, 1)), axis1=1, axis2=2)
    return ConditionalGmm(log_weights=np.log(model.weights), source_means=model.means[:, :d],
                          whiten=whiten, log_norm=-0.5 * (log_det + d * np.log(2.0 * np.pi)),
                          target_means=model.means[:, d:], gains=gains, variances=variances.copy())


def convert(model: JointGmm | ConditionalGmm, source: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Conditional mean and diagonal variance of the target (static + delta) for each source frame."""
    prepared = condition(model) if isinstance(model, JointGmm) else model
    centred = source[None, :, :] - prepared.source_means[:, None, :]  # (K, T, D)
    resp = _responsibilities(prepared, centred)
    cond_means = prepared.target_means[:, None, :] + centred @ np.transpose(prepared.gains, (0, 2, 1))
    mean = np.einsum("kt,ktd->td", resp, cond_means)
    var = resp.T @ prepared.variances
    return mean, np.maximum(var, 1e-8)


def _responsibilities(prepared: ConditionalGmm, centred: FloatArray) -> FloatArray:
    z = centred @ np.transpose(prepared.whiten, (0, 2, 1))
    log_p = prepared.log_norm[:, None] - 0.5 * np.sum(z * z, axis=2) + prepared.log_weights[:, None]
    log_p -= log_p.max(axis=0, keepdims=True)
    resp: FloatArray = np.exp(log_p)
    resp /= resp.sum(axis=0, keepdims=True)
    return resp


def posteriors(model: ConditionalGmm, source: FloatArray) -> FloatArray:
    """Each component's posterior for each source frame (static + delta): (K, T), columns sum to 1."""
    resp: FloatArray = _responsibilities(model, source[None, :, :] - model.source_means[:, None, :])
    return resp


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
