"""Dynamic time warping between two feature sequences (pure numpy)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def align(source: FloatArray, target: FloatArray) -> tuple[IntArray, IntArray]:
    """Returns index pairs ``(i, j)`` of the least-cost monotonic path between the rows of ``source``
    (N, D) and ``target`` (M, D) under Euclidean distance, from (0, 0) to (N-1, M-1)."""
    n, m = source.shape[0], target.shape[0]
    if n == 0 or m == 0:
        raise ValueError("cannot align an empty sequence")
    sq = (np.sum(source**2, axis=1)[:, None] + np.sum(target**2, axis=1)[None, :]
          - 2.0 * source @ target.T)
    cost = np.sqrt(np.maximum(sq, 0.0))
    acc = np.empty((n, m), dtype=np.float64)
    acc[0] = np.cumsum(cost[0])
    for i in range(1, n):
        prev = acc[i - 1]
        # Best of the diagonal and vertical predecessor; the horizontal one (same row) is a
        # running minimum over prefix sums, which keeps the row update vectorised.
        enter = prev.copy()
        enter[1:] = np.minimum(prev[1:], prev[:-1])
        row_sums = np.cumsum(cost[i])
        before = np.concatenate(([0.0], row_sums[:-1]))
        acc[i] = row_sums + np.minimum.accumulate(enter - before)
    return _backtrack(acc)


def _backtrack(acc: FloatArray) -> tuple[IntArray, IntArray]:
    i, j = acc.shape[0] - 1, acc.shape[1] - 1
    path_i, path_j = [i], [j]
    while i > 0 or j > 0:
        if i == 0:
            j -= 1
        elif j == 0:
            i -= 1
        else:
            steps = (acc[i - 1, j - 1], acc[i - 1, j], acc[i, j - 1])
            best = int(np.argmin(steps))
            if best == 0:
                i, j = i - 1, j - 1
            elif best == 1:
                i -= 1
            else:
                j -= 1
        path_i.append(i)
        path_j.append(j)
    return np.array(path_i[::-1], dtype=np.int64), np.array(path_j[::-1], dtype=np.int64)
