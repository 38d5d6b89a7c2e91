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


def test_diagonal_gmm_learns_a_per_dimension_voice_mapping_with_many_components() -> None:
    rng = np.random.default_rng(5)
    source = rng.normal(size=(3000, 3))
    target = np.tanh(source) * np.array([1.5, -1.0, 0.5]) + 0.01 * rng.normal(size=source.shape)
    model = gmm.fit(np.hstack([source, target]), components=12, iterations=15, covariance="diagonal")
    assert model.weights.shape == (12,)
    d = model.source_dims
    assert np.all(model.covariances[:, :d, :d][:, ~np.eye(d, dtype=bool)] == 0)  # no cross terms
    mean, _ = gmm.convert(model, source[:200])
    assert np.sqrt(np.mean((mean - target[:200]) ** 2)) < 0.1


def test_nearest_mean_takes_frames_from_the_pool() -> None:
    from voicebot.voice.mapping import moving_average, nearest_mean

    pool = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.2, 5.0]], dtype=np.float32)
    query = np.array([[0.2, 0.1], [4.0, 4.0]])
    np.testing.assert_allclose(nearest_mean(pool, query, 2), [[0.05, 0.0], [5.1, 5.0]], atol=1e-6)
    frames = np.array([[0.0], [3.0], [0.0], [3.0]])
    np.testing.assert_allclose(moving_average(frames, 3), [[1.0], [1.0], [2.0], [2.0]])


def test_block_mel_cepstrum_conversions_match_pysptk_frame_by_frame() -> None:
    import pysptk

    from voicebot.voice.features import mcep_alpha, mcep_to_spectrum, spectrum_to_mcep

    rng = np.random.default_rng(6)
    alpha = mcep_alpha(16_000)
    power = np.exp(np.cumsum(rng.normal(scale=0.3, size=(7, 513)), axis=1))  # smooth-ish envelopes
    mcep = spectrum_to_mcep(power, 24, alpha)
    np.testing.assert_allclose(mcep, pysptk.sp2mc(power, 24, alpha), atol=1e-10)
    np.testing.assert_allclose(mcep_to_spectrum(mcep, alpha, 1024), pysptk.mc2sp(mcep, alpha, 1024),
                               rtol=1e-10)


def test_mean_shift_is_the_target_mean_less_the_warped_base_mean() -> None:
    from voicebot.voice.mapping import SpectralModel, frequency_warp, mean_shift

    rng = np.random.default_rng(6)
    joint = rng.normal(size=(400, 4))
    fitted = gmm.fit(joint, components=1, iterations=2)
    source_stats = np.array([[0.5, -0.2], [1.0, 1.0]])
    pool_stats = np.array([[0.1, 0.3], [1.0, 1.0]])
    model = SpectralModel(gmm=fitted, gv_centre=np.zeros(2), gv_gain=np.ones(2),
                          pool=np.zeros((0, 2), np.float32), source_stats=source_stats, pool_stats=pool_stats)
    np.testing.assert_allclose(mean_shift(model, 0.0), [-0.4, 0.5])
    warped = frequency_warp(np.array([[0.0, 0.5, -0.2]]), 0.1)[0, 1:]
    np.testing.assert_allclose(mean_shift(model, 0.1), pool_stats[0] - warped)
    bare = SpectralModel(gmm=fitted, gv_centre=np.zeros(2), gv_gain=np.ones(2),
                         pool=np.zeros((0, 2), np.float32))
    assert mean_shift(bare, 0.1) is None
