"""A turn's signal-to-noise ratio from the turn alone (voicebot/audio/snr.py), on speech made here."""

import math

import numpy as np
import pytest

from tests.audio.speech import RATE_HZ, Float32Array, espeak, padded, synth
from voicebot.audio.g711 import ulaw_decode, ulaw_encode
from voicebot.audio.resample import resample
from voicebot.audio.snr import estimate_snr_db, frame_power_db, is_noisy
from voicebot.engines.whisper import NOISY_WINDOW_SNR_DB

SENTENCE = "I would like two large pepperoni pizzas."


def turn(voice: str, text: str = SENTENCE) -> Float32Array:
    """A live turn: its 300 ms pre-roll, the words, and the pause that ended it."""
    return padded(synth(text) if voice == "piper" else espeak(text), 300, 600)


def with_noise(speech: Float32Array, snr_db: float, seed: int = 7) -> Float32Array:
    """Seeded white noise over the whole turn, at ``snr_db`` of the turn's power (as bench/wer_corpus.py)."""
    noise = np.random.default_rng(seed).standard_normal(speech.size)
    scale = math.sqrt(float(np.mean(speech.astype(np.float64) ** 2)) / (float(np.mean(noise ** 2))
                                                                       * 10 ** (snr_db / 10)))
    out: Float32Array = (speech + scale * noise).astype(np.float32)
    return out


def phone_line(samples: Float32Array) -> Float32Array:
    """8 kHz G.711 mu-law and back to 16 kHz, as Asterisk delivers a call."""
    narrow = resample(samples, RATE_HZ, 8000)
    coded = ulaw_decode(ulaw_encode(np.clip(narrow * 32767, -32768, 32767).astype(np.int16)))
    out: Float32Array = resample(coded.astype(np.float32) / 32768, 8000, RATE_HZ)
    return out


def test_frame_power_is_in_decibels_under_full_scale() -> None:
    t = np.arange(RATE_HZ, dtype=np.float64) / RATE_HZ
    sine = np.sin(2 * np.pi * 1000 * t).astype(np.float32)
    power = frame_power_db(sine, RATE_HZ)
    assert power.size == 50  # 1 s of 20 ms frames
    assert np.allclose(power, 10 * math.log10(0.5), atol=0.01)  # a full-scale sine is -3 dB
    assert np.all(frame_power_db(np.zeros(RATE_HZ, np.float32), RATE_HZ) == -120.0)


@pytest.mark.parametrize("voice", ["piper", "espeak"])
def test_clean_speech_stands_far_above_its_silence(voice: str) -> None:
    assert estimate_snr_db(turn(voice), RATE_HZ) > 90
    assert not is_noisy(turn(voice), RATE_HZ, NOISY_WINDOW_SNR_DB)


@pytest.mark.parametrize("voice", ["piper", "espeak"])
def test_the_estimate_follows_the_noise_mixed_in(voice: str) -> None:
    estimates = [estimate_snr_db(with_noise(turn(voice), snr_db), RATE_HZ) for snr_db in (5, 15, 25, 35)]
    assert estimates == sorted(estimates)
    # Speech's loud frames stand above its mean power (which the mix is set by) by a few dB.
    for snr_db, estimate in zip((5, 15, 25, 35), estimates, strict=True):
        assert snr_db < estimate < snr_db + 10


@pytest.mark.parametrize("voice", ["piper", "espeak"])
def test_speech_in_noise_is_noisy_and_a_quiet_room_is_not(voice: str) -> None:
    assert is_noisy(with_noise(turn(voice), 15), RATE_HZ, NOISY_WINDOW_SNR_DB)  # bench/wer_corpus's noisy
    assert not is_noisy(with_noise(turn(voice), 50), RATE_HZ, NOISY_WINDOW_SNR_DB)
    assert not is_noisy(with_noise(turn(voice), 15), RATE_HZ, None)  # the rule switched off


def test_a_phone_line_alone_is_not_noise() -> None:
    # mu-law's quantisation and the line's own hiss stay far under the words.
    assert not is_noisy(phone_line(with_noise(turn("piper"), 50)), RATE_HZ, NOISY_WINDOW_SNR_DB)
    assert is_noisy(phone_line(with_noise(turn("piper"), 15)), RATE_HZ, NOISY_WINDOW_SNR_DB)


def test_a_short_answer_is_judged_by_its_pre_roll_and_pause() -> None:
    yes = padded(synth("Yes."), 300, 600)
    assert estimate_snr_db(with_noise(yes, 15), RATE_HZ) < estimate_snr_db(with_noise(yes, 30), RATE_HZ)
    assert is_noisy(with_noise(yes, 15), RATE_HZ, NOISY_WINDOW_SNR_DB)


def test_under_one_frame_there_is_nothing_to_judge() -> None:
    assert estimate_snr_db(np.zeros(100, np.float32), RATE_HZ) == math.inf
    assert not is_noisy(np.zeros(0, np.float32), RATE_HZ, NOISY_WINDOW_SNR_DB)
