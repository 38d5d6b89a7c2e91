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
