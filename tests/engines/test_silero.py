"""Silero VAD (faster-whisper's v6 ONNX) with the turn-taking machine, on synthesised speech."""

import numpy as np
import pytest

from tests.audio.speech import RATE_HZ, padded, silero_session, speech_bounds_ms, synth
from voicebot.audio.turn_taking import SpeechEnded, SpeechStarted, TurnTaking, TurnTakingConfig
from voicebot.engines.registry import create_vad
from voicebot.engines.silero import SileroVAD
from voicebot.errors import AudioError


def vad() -> SileroVAD:
    return SileroVAD(session=silero_session())


def turns(audio: np.ndarray, config: TurnTakingConfig | None = None) -> list[object]:
    detector = vad()
    machine = TurnTaking(config)
    events: list[object] = []
    for probability in detector.probabilities(audio):
        events += machine.update(probability, detector.frame_ms)
    return events + machine.finish()


@pytest.mark.parametrize("text", [
    "Yes.",
    "That's all, thank you.",
    "I would like two large pepperoni pizzas delivered to twelve Main Street.",
    "No, I did not receive the documents.",
])
def test_endpoints_land_where_the_speech_is(text: str) -> None:
    audio = padded(synth(text), 700, 1500)
    speech_start_ms, speech_end_ms = speech_bounds_ms(audio)
    events = turns(audio)
    assert [type(e) for e in events] == [SpeechStarted, SpeechEnded]
    started, ended = events
    assert isinstance(started, SpeechStarted) and isinstance(ended, SpeechEnded)
    assert abs(started.at_ms - speech_start_ms) <= 100
    assert abs(ended.at_ms - speech_end_ms) <= 100
    assert not ended.forced


def test_two_utterances_with_a_long_gap_are_two_turns() -> None:
    audio = np.concatenate([padded(synth("Yes."), 500, 1000), padded(synth("No, thank you."), 0, 1000)])
    events = turns(audio)
    assert [type(e) for e in events] == [SpeechStarted, SpeechEnded, SpeechStarted, SpeechEnded]


def test_silence_and_hum_are_not_speech() -> None:
    t = np.arange(RATE_HZ * 2) / RATE_HZ
    hum = (0.05 * np.sin(2 * np.pi * 50 * t)).astype(np.float32)
    for audio in (np.zeros(RATE_HZ * 2, np.float32), hum):
        assert max(vad().probabilities(audio)) < 0.35
        assert turns(audio) == []


def test_state_is_kept_between_frames_and_reset_restores_it() -> None:
    detector = vad()
    audio = padded(synth("Yes."), 300, 0)
    first = detector.probabilities(audio)
    silence = np.zeros(512, np.float32)
    right_after_speech = detector.speech_probability(silence)
    detector.reset()
    assert detector.probabilities(audio) == first
    detector.reset()
    assert detector.speech_probability(silence) != right_after_speech  # the RNN remembers the speech
    assert max(first) > 0.9


def test_frame_size_is_checked() -> None:
    detector = vad()
    assert detector.frame_samples == 512 and detector.frame_ms == 32
    with pytest.raises(AudioError, match="512"):
        detector.speech_probability(np.zeros(480, np.float32))


def test_registry_creates_a_working_detector() -> None:
    detector = create_vad("silero", threshold=0.6)
    assert detector.frame_samples == 512
    assert 0.0 <= detector.speech_probability(np.zeros(512, np.float32)) < 0.5


def _phone_line(samples_8k: np.ndarray, shift_ms: int) -> np.ndarray:
    """8 kHz int16 through G.711 mu-law, then up to 16 kHz in 20 ms frames as the session does it."""
    from voicebot.audio.g711 import ulaw_decode, ulaw_encode
    from voicebot.audio.pcm import int16_to_float32
    from voicebot.audio.resample import StreamResampler

    line = ulaw_decode(ulaw_encode(samples_8k))
    pcm = np.concatenate([np.zeros(8 * (300 + shift_ms), np.int16), line, np.zeros(8 * 800, np.int16)])
    up = StreamResampler(8_000, RATE_HZ, "float32")
    return np.concatenate([up.process(int16_to_float32(pcm[i:i + 160])) for i in range(0, pcm.size, 160)])


def _starts(audio: np.ndarray, config: TurnTakingConfig) -> int:
    machine = TurnTaking(config)
    detector = vad()
    events = [e for p in detector.probabilities(audio) for e in machine.update(p, detector.frame_ms)]
    return sum(isinstance(e, SpeechStarted) for e in events + machine.finish())


@pytest.mark.parametrize("text", ["Yes.", "Two.", "Three.", "No thanks."])
def test_short_answers_on_an_8_khz_phone_line_are_heard_in_every_frame_alignment(text: str) -> None:
    from voicebot.audio.pcm import float32_to_int16
    from voicebot.audio.resample import resample
    from voicebot.session.settings import SessionSettings

    settings = SessionSettings()
    narrowband = settings.turn_taking_for(8_000)
    assert settings.turn_taking_for(16_000) == settings.turn_taking  # wideband lines are unchanged
    speech_8k = resample(float32_to_int16(synth(text)), RATE_HZ, 8_000)
    counts = {shift_ms: _starts(_phone_line(speech_8k, shift_ms), narrowband) for shift_ms in range(20)}
    assert set(counts.values()) == {1}, counts


def test_line_noise_on_an_8_khz_line_is_not_speech_at_the_lower_threshold() -> None:
    from voicebot.session.settings import SessionSettings

    narrowband = SessionSettings().turn_taking_for(8_000)
    rng = np.random.default_rng(7)
    t = np.arange(8_000 * 3) / 8_000
    for noise in (rng.normal(0, 300, t.size), 2000 * np.sin(2 * np.pi * 50 * t)):
        assert _starts(_phone_line(noise.astype(np.int16), 0), narrowband) == 0
