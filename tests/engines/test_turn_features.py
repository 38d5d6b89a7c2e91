"""Smart Turn's front end: whisper log-mel of the last 8 s, the turn's end at the right edge."""

from __future__ import annotations

import numpy as np

from voicebot.engines.turn_features import N_FRAMES, N_MELS, WINDOW_SAMPLES, last_window, log_mel

RATE = 16_000


def tone(hz: float, seconds: float, amplitude: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (amplitude * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def slaney_mel(hz: float) -> float:
    return 3 * hz / 200 if hz < 1000 else 15 + np.log(hz / 1000) * 27 / np.log(6.4)


def test_short_turns_are_padded_in_front_and_long_ones_keep_their_end() -> None:
    short = np.ones(RATE, np.float32)
    window = last_window(short)
    assert window.size == WINDOW_SAMPLES
    assert not window[:-RATE].any() and (window[-RATE:] == 1).all()
    long = np.arange(WINDOW_SAMPLES + 500, dtype=np.float32)
    assert last_window(long)[0] == 500 and last_window(long)[-1] == long[-1]


def test_features_have_the_model_shape_and_ignore_audio_older_than_8_s() -> None:
    rng = np.random.default_rng(1)
    recent = (rng.standard_normal(WINDOW_SAMPLES) * 0.1).astype(np.float32)
    older = tone(300, 3.0)
    features = log_mel(recent)
    assert features.shape == (N_MELS, N_FRAMES) and features.dtype == np.float32
    np.testing.assert_array_equal(log_mel(np.concatenate([older, recent])), features)


def test_loudness_does_not_change_the_features() -> None:
    """The window is normalised to unit variance first: a quiet line reads like a loud one."""
    audio = np.concatenate([tone(440, 1.0), tone(1200, 0.5)])
    np.testing.assert_allclose(log_mel(audio * 0.25), log_mel(audio), atol=1e-3)


def test_a_tone_lands_in_its_mel_bin_at_the_right_edge() -> None:
    features = log_mel(tone(1000, 1.0))
    band = int(np.argmax(features[:, -50:].mean(axis=1)))
    # Bin i is centred on mel (i + 1) * top / 81, top = the mel of 8 kHz.
    expected = slaney_mel(1000) / (slaney_mel(8000) / (N_MELS + 1)) - 1
    assert abs(band - expected) <= 1
    # The zero padding in front sits on the floor: 8 decades under the peak, scaled by (x + 4) / 4.
    floor = (features.max() * 4 - 4 - 8 + 4) / 4
    np.testing.assert_allclose(features[:, :600], floor, atol=1e-5)
