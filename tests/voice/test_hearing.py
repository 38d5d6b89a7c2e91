"""How the cloning code hears synthesised speech: resampled for our STT, with a recording's tail of silence
(voice/backend.py), the one helper the quality check, the strength choice and bench/clone.py share."""

import numpy as np

from voicebot.audio.resample import resample
from voicebot.voice import backend, quality


def test_synthesised_speech_is_heard_at_16_khz_with_half_a_second_of_silence_after_it() -> None:
    rate = 22_050
    tone = (0.3 * np.sin(2 * np.pi * 220 * np.arange(rate) / rate)).astype(np.float32)
    heard = backend.as_heard(tone, rate)
    spoken = resample(tone, rate, backend.STT_RATE_HZ)
    assert heard.dtype == np.float32
    assert heard.size == spoken.size + backend.STT_RATE_HZ // 2
    np.testing.assert_array_equal(heard[: spoken.size], spoken)
    assert not heard[spoken.size:].any()


def test_the_base_voice_is_heard_word_for_word() -> None:
    # One of the quality check's sentences (voice/assess.py).
    text = "Could you please confirm your delivery address for me?"
    synth = backend.base_synthesizer("en")
    audio = backend.synthesize_all(synth, text).astype(np.float32) / 32768.0
    heard = backend.transcribe_synthesized(audio, synth.sample_rate_hz)
    assert quality.word_edits(text, heard) == 0, heard
