"""Frame selection by content, the modulation-spectrum post-filter and the per-target aperiodicity."""

import numpy as np
import pytest

from voicebot.voice import gmm, mapping, modulation


def test_a_flat_modulation_gain_designs_a_filter_that_changes_nothing() -> None:
    power = np.ones((17, 2))
    kernel = modulation.design(power, power, taps=5)
    np.testing.assert_allclose(kernel, [[0, 0], [0, 0], [1, 1], [0, 0], [0, 0]], atol=1e-12)
    frames = np.array([[1.0, 2.0], [3.0, -1.0], [0.0, 0.5]])
    np.testing.assert_allclose(modulation.apply(frames, np.array([0.5, 0.5]), kernel), frames)


def test_the_modulation_filter_restores_the_fast_movements_a_conversion_lost() -> None:
    rng = np.random.default_rng(7)
    natural = rng.normal(size=(400, 1))
    # What an over-smoothing conversion does, within the filter's gain cap (the slowest movements kept).
    smoothed = np.convolve(natural[:, 0], [0.1, 0.8, 0.1], mode="same")[:, None]
    centre = np.zeros(1)
    kernel = modulation.design(modulation.modulation_power([natural], centre),
                               modulation.modulation_power([smoothed], centre))
    filtered = modulation.apply(smoothed, centre, kernel)
    # Frame-to-frame movement comes back towards the natural one, and never overshoots it much.
    moved = [float(np.std(np.diff(x[:, 0]))) for x in (natural, smoothed, filtered)]
    assert moved[1] < 0.8 * moved[0] and 1.15 * moved[1] < moved[2] < 1.05 * moved[0], moved


def test_the_modulation_filter_is_frame_local() -> None:
    kernel = modulation.design(np.linspace(1.0, 4.0, 17)[:, None], np.ones((17, 1)), taps=9)
    frames = np.random.default_rng(8).normal(size=(60, 1))
    changed = frames.copy()
    changed[40:] += 3.0
    a, b = (modulation.apply(x, np.zeros(1), kernel) for x in (frames, changed))
    np.testing.assert_array_equal(a[: 40 - 4], b[: 40 - 4])
    assert not np.allclose(a[36:40], b[36:40])


def test_an_even_filter_length_is_refused() -> None:
    with pytest.raises(ValueError, match="odd"):
        modulation.design(np.ones((5, 1)), np.ones((5, 1)), taps=4)


def _model(pair_source: np.ndarray, pair_target: np.ndarray, pool: np.ndarray) -> mapping.SpectralModel:
    """A GMM that maps every frame to about -1 (one component), with paired frames and a pool."""
    rng = np.random.default_rng(9)
    dims = pool.shape[1]
    source = rng.normal(size=(500, 2 * dims))
    target = np.hstack([np.full((500, dims), -1.0), np.zeros((500, dims))]) + 0.01 * rng.normal(
        size=(500, 2 * dims))
    fitted = gmm.fit(np.hstack([source, target]), components=1, iterations=3)
    return mapping.SpectralModel(
        gmm=fitted, gv_centre=np.full(dims, -1.0), gv_gain=np.ones(dims), pool=pool.astype(np.float32),
        pair_source=pair_source.astype(np.float32), pair_target=pair_target.astype(np.float32),
        source_stats=mapping.speaker_stats(pair_source), pool_stats=mapping.speaker_stats(pool))


def test_paired_selection_takes_the_target_frame_that_said_the_same_thing() -> None:
    base = np.array([[0.0, 0.0, 0.0], [5.0, 5.0, 5.0], [10.0, 0.0, 0.0]])
    said = np.array([[1.0, 1.0, 1.0], [2.0, 2.0, 2.0], [3.0, 3.0, 3.0]])
    model = _model(base, said, said)
    query = np.array([[9.0, 0.5, 0.0], [0.2, 0.0, 0.1], [5.0, 4.0, 5.0]])
    how = mapping.Mapping(method="knn", query="paired", neighbours=1, smooth_frames=1)
    np.testing.assert_allclose(mapping.map_spectrum(model, query, how), said[[2, 0, 1]])
    # gmm_below: the first coefficients come from the GMM (about -1 here), the rest from the selection.
    blended = mapping.map_spectrum(model, query, mapping.Mapping(
        method="knn", query="paired", neighbours=1, smooth_frames=1, gmm_below=1))
    np.testing.assert_allclose(blended[:, 1:], said[[2, 0, 1], 1:])
    np.testing.assert_allclose(blended[:, 0], -1.0, atol=0.2)


def test_normalised_selection_matches_frames_across_a_speaker_offset() -> None:
    base = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, -1.0], [-1.0, 0.5]])
    target = 10.0 + 2.0 * base[[2, 0, 3, 1]]  # the same four sounds, another voice, another order
    model = _model(base, base, target)
    how = mapping.Mapping(method="knn", query="normalised", neighbours=1, smooth_frames=1)
    np.testing.assert_allclose(mapping.map_spectrum(model, base, how), 10.0 + 2.0 * base, atol=1e-5)


def test_a_voice_without_paired_frames_says_to_rebuild() -> None:
    model = _model(np.zeros((2, 2)), np.zeros((2, 2)), np.ones((3, 2)))
    bare = mapping.SpectralModel(gmm=model.gmm, gv_centre=model.gv_centre, gv_gain=model.gv_gain,
                                 pool=model.pool)
    with pytest.raises(ValueError, match="rebuild"):
        mapping.map_spectrum(bare, np.zeros((4, 2)), mapping.Mapping(method="knn", query="paired"))


def test_a_built_voice_keeps_what_selection_and_the_filters_need(cloned, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from voicebot.voice import cpu_clone, features
    from voicebot.voice.backend import base_synthesizer, synthesize_all

    model = cpu_clone.ConversionModel.load(cloned.profile.directory / cpu_clone.MODEL_FILE)
    spectral = model.spectral
    assert spectral.pair_source is not None and spectral.pair_target is not None
    assert spectral.pair_source.shape == spectral.pair_target.shape and spectral.pair_source.shape[0] > 100
    assert spectral.ms_kernel is not None and spectral.ms_kernel.shape == (modulation.DEFAULT_TAPS, 24)
    assert model.aperiodicity_shift is not None
    # espeak's female voice has higher formants than Piper's man: the learnt warp moves the base's up.
    assert model.base_warp in mapping.WARPS and model.base_warp > 0
    # voice clone writes the cpu-clone defaults into voice.yml, where a user sees and changes them.
    # The strength is the one chosen for this voice (tests/voice/test_strength.py).
    assert cloned.profile.settings["strength"] == cloned.strength.strength
    assert cloned.profile.settings["warp_base"] is True
    assert cloned.profile.settings["target_mean"] is True
    assert cloned.profile.settings["mean_overshoot"] == mapping.Mapping().mean_overshoot == 0.6
    assert (cloned.profile.settings["global_variance_max_gain"]
            == mapping.Mapping().global_variance_max_gain == 1.5)
    model.save(tmp_path / "again.npz")
    again = cpu_clone.ConversionModel.load(tmp_path / "again.npz")
    np.testing.assert_array_equal(again.spectral.pair_target, spectral.pair_target)
    np.testing.assert_array_equal(again.aperiodicity_shift, model.aperiodicity_shift)
    assert again.base_warp == model.base_warp

    base = base_synthesizer("en")
    from voicebot.audio.resample import resample

    audio = resample(synthesize_all(base, "Two large pizzas.").astype(np.float32) / 32768,
                     base.sample_rate_hz, model.sample_rate_hz)
    plain = features.analyse(model.convert(audio), model.sample_rate_hz)
    shifted = features.analyse(model.convert(audio, mapping.Mapping(target_aperiodicity=True)),
                               model.sample_rate_hz)
    voiced = (plain.f0_hz > 0) & (shifted.f0_hz > 0)
    # espeak's voice is less breathy than Piper's (a negative shift): the converted voice follows it.
    assert float(model.aperiodicity_shift[0]) < 0
    assert shifted.aperiodicity[voiced].mean() < plain.aperiodicity[voiced].mean()
    for query in mapping.QUERIES:
        out = model.convert(audio, mapping.Mapping(method="knn", query=query, strength=1.0, gmm_below=4))
        assert out.shape == audio.shape and np.all(np.isfinite(out)) and np.abs(out).max() > 0.05


def test_best_warp_finds_the_vocal_tract_change_between_paired_frames() -> None:
    rng = np.random.default_rng(10)
    source = rng.normal(scale=1.0 / np.arange(1, 25), size=(200, 24))  # cepstra decay with quefrency
    full = np.hstack([np.zeros((200, 1)), source])
    target = mapping.frequency_warp(full, 0.08)[:, 1:]
    assert mapping.best_warp(source, target) == 0.08
    assert mapping.best_warp(source, source) == 0.0
    np.testing.assert_array_equal(mapping.frequency_warp(full, 0.0), full)
    # Warping there and back again is (nearly) the identity: the warp moves the envelope, loses little.
    back = mapping.frequency_warp(mapping.frequency_warp(full, 0.08), -0.08)
    assert np.abs(back - full).max() < 0.05 * np.abs(full).max()
