"""The speaker's own speaking rate (Piper's durations scaled by a ratio learnt at training) and the
long-term mean spectrum moved beyond the speaker's (a caricature): both runtime settings of a built voice."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from voicebot.voice import cpu_clone, features, mapping
from voicebot.voice.clone import CloneResult


def _utterance(frames: int) -> features.WorldFeatures:
    return features.WorldFeatures(f0_hz=np.zeros(frames), mcep=np.zeros((frames, 25)),
                                  aperiodicity=np.zeros((frames, 1)), sample_rate_hz=16_000, fft_size=1024)


def test_the_duration_ratio_is_the_speakers_time_over_the_base_voices_for_the_same_words() -> None:
    pairs = [cpu_clone._Pair(_utterance(100), _utterance(130)),
             cpu_clone._Pair(_utterance(300), _utterance(390))]
    assert cpu_clone.duration_ratio(pairs) == pytest.approx(1.3)
    assert cpu_clone.duration_ratio([]) == 1.0


def _model(cloned: CloneResult) -> cpu_clone.ConversionModel:
    return cpu_clone.ConversionModel.load(cloned.profile.directory / cpu_clone.MODEL_FILE)


def test_the_length_scale_takes_on_the_share_of_the_rate_asked_for(cloned: CloneResult) -> None:
    model = replace(_model(cloned), duration_ratio=1.44)
    assert model.length_scale(mapping.Mapping()) == 1.0  # the default keeps Piper's rate
    assert model.length_scale(mapping.Mapping(match_rate=1.0)) == pytest.approx(1.44)
    assert model.length_scale(mapping.Mapping(match_rate=0.5)) == pytest.approx(1.2)
    # An odd ratio (a clip with long pauses, a wrong transcript) is held to 1.5 times either way.
    full = mapping.Mapping(match_rate=1.0)
    assert replace(model, duration_ratio=3.0).length_scale(full) == 1.5
    assert replace(model, duration_ratio=0.2).length_scale(full) == pytest.approx(2 / 3)


def test_a_voice_matched_in_rate_speaks_slower_for_a_slower_speaker(cloned: CloneResult,
                                                                      tmp_path: Path) -> None:
    model = _model(cloned)
    assert model.duration_ratio != 1.0  # learnt at training
    path = tmp_path / "slow.npz"
    replace(model, duration_ratio=1.3).save(path)
    assert cpu_clone.ConversionModel.load(path).duration_ratio == pytest.approx(1.3)
    text = "Your order of two large pizzas will arrive in about thirty minutes."
    lengths = {}
    for share in (0.0, 1.0):
        synth = cpu_clone.load_synthesizer(path, "en", 1.0, "slow", mapping.Mapping(match_rate=share))
        lengths[share] = sum(chunk.size for chunk in synth.synthesize(text))
    # Piper's length scale lengthens its speech less than in proportion (1.3 gives about 1.18 here: part
    # of each phoneme's time does not scale), so the voice comes out slower, but by less than asked.
    assert 1.1 < lengths[1.0] / lengths[0.0] <= 1.3


def test_the_overshoot_moves_the_long_term_spectrum_beyond_the_speakers(cloned: CloneResult) -> None:
    from voicebot.audio.resample import resample
    from voicebot.voice.backend import base_synthesizer, synthesize_all

    model = _model(cloned)
    base = base_synthesizer("en")
    audio = resample(synthesize_all(base, "Could you please confirm your delivery address for me?")
                     .astype(np.float32) / 32768, base.sample_rate_hz, model.sample_rate_hz)
    shift = mapping.mean_shift(model.spectral, model.base_warp)
    assert shift is not None

    def mean_frame(overshoot: float) -> np.ndarray:
        out = model.convert(audio, mapping.Mapping(mean_overshoot=overshoot))
        mcep = features.analyse(out, model.sample_rate_hz).mcep
        return mcep[features.speech_frames(mcep), 1:].mean(axis=0)

    moved = mean_frame(0.5) - mean_frame(0.0)
    # Along the base-to-speaker direction, by about half its length (WORLD's resynthesis and analysis
    # blur it a little).
    along = float(moved @ shift / (shift @ shift))
    assert 0.3 < along < 0.7, along
    # The shift per sound class converts the same sentence as well (the math: the test below).
    per_class = model.convert(audio, mapping.Mapping(mean_per_class=True))
    assert per_class.shape == audio.shape and np.all(np.isfinite(per_class))
    assert np.abs(per_class).max() > 0.05


def _two_class_model() -> mapping.SpectralModel:
    from voicebot.voice import gmm

    # Two sounds in a 2-coefficient space (static + delta = 4 source dims, 4 target dims): the target says
    # the first 1 higher in coefficient 1, the second 3 higher in coefficient 2.
    means = np.array([[0.0, 0.0, 0, 0, 1.0, 0.0, 0, 0], [10.0, 10.0, 0, 0, 10.0, 13.0, 0, 0]])
    joint = gmm.JointGmm(weights=np.array([0.5, 0.5]), means=means, covariances=np.stack([np.eye(8)] * 2))
    return mapping.SpectralModel(gmm=joint, gv_centre=np.zeros(2), gv_gain=np.ones(2),
                                 pool=np.zeros((1, 2), dtype=np.float32))


def test_the_per_class_shift_gives_each_frame_its_own_sounds_difference() -> None:
    model = _two_class_model()
    frames = np.array([[0.0, 0.0], [0.0, 0.0], [10.0, 10.0], [10.0, 10.0]])
    shift = mapping.class_shift(model, frames, warp=0.0)
    np.testing.assert_allclose(shift, [[1, 0], [1, 0], [0, 3], [0, 3]], atol=1e-6)
    # Half-way between the two sounds, half of each.
    middle = mapping.class_shift(model, np.full((3, 2), 5.0), warp=0.0)
    np.testing.assert_allclose(middle, [[0.5, 1.5]] * 3, atol=1e-6)
