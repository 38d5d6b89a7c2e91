import numpy as np

from voicebot.voice import dtw, gmm
from voicebot.voice.features import with_deltas


def test_mlpg_matches_the_dense_least_squares_solution() -> None:
    rng = np.random.default_rng(1)
    frames, dims = 40, 3
    mean = rng.normal(size=(frames, 2 * dims))
    var = rng.uniform(0.5, 2.0, size=(frames, 2 * dims))
    window = np.zeros((2 * frames, frames))
    for t in range(frames):
        window[t, t] = 1.0
        window[frames + t, min(t + 1, frames - 1)] += 0.5
        window[frames + t, max(t - 1, 0)] -= 0.5
    expected = np.empty((frames, dims))
    for d in range(dims):
        precision = np.diag(np.concatenate([1 / var[:, d], 1 / var[:, dims + d]]))
        target = np.concatenate([mean[:, d], mean[:, dims + d]])
        lhs = window.T @ precision @ window
        expected[:, d] = np.linalg.solve(lhs, window.T @ precision @ target)
    np.testing.assert_allclose(gmm.mlpg(mean, var), expected, atol=1e-9)


def test_mlpg_returns_a_trajectory_whose_own_deltas_it_was_given() -> None:
    static = np.cumsum(np.random.default_rng(2).normal(size=(30, 2)), axis=0)
    np.testing.assert_allclose(gmm.mlpg(with_deltas(static), np.ones((30, 4))), static, atol=1e-9)


def test_dtw_maps_a_slowed_copy_back_onto_its_original() -> None:
    original = np.random.default_rng(3).normal(size=(25, 4))
    slowed = np.repeat(original, 2, axis=0)
    path_i, path_j = dtw.align(original, slowed)
    assert path_i[0] == 0 and path_j[0] == 0 and path_i[-1] == 24 and path_j[-1] == 49
    np.testing.assert_array_equal(path_i, path_j // 2)


def test_joint_gmm_learns_a_linear_voice_mapping() -> None:
    rng = np.random.default_rng(4)
    source = rng.normal(size=(2000, 3))
    target = 1.5 * source - 0.5 + 0.01 * rng.normal(size=source.shape)
    model = gmm.fit(np.hstack([source, target]), components=2, iterations=10)
    mean, var = gmm.convert(model, source[:50])
    np.testing.assert_allclose(mean, target[:50], atol=0.1)
    assert np.all(var < 0.05)
