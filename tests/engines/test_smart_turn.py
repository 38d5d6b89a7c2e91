"""Smart Turn v3.2 hears whether a sentence is finished: real model, Piper speech."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pytest

from tests.audio.speech import padded, synth
from voicebot.engines.registry import create_turn_detector
from voicebot.engines.smart_turn import SmartTurnDetector, load_session
from voicebot.errors import AudioError, ConfigError, ModelError

FINISHED = (
    "My address is twelve Main Street.",
    "Yes, I understood the terms.",
    "I'd like to speak to a person.",
)
CUT_OFF = (
    "My number is five five five",
    "I want a medium, um,",
    "Well, I think it was",
    "It was okay but the",
)


@cache
def detector() -> SmartTurnDetector:
    return SmartTurnDetector()


def turn(text: str) -> np.ndarray:
    """The caller's words with the pre-roll before and the 200 ms pause that asks the model."""
    return padded(synth(text), 300, 200)


def test_finished_sentences_score_above_trailing_off_ones() -> None:
    finished = {t: detector().completion_probability(turn(t)) for t in FINISHED}
    cut_off = {t: detector().completion_probability(turn(t)) for t in CUT_OFF}
    assert all(p > 0.5 for p in finished.values()), finished
    assert all(p < 0.5 for p in cut_off.values()), cut_off
    assert min(finished.values()) > max(cut_off.values()) + 0.5


def test_audio_older_than_8_s_does_not_change_the_verdict() -> None:
    last = turn(CUT_OFF[0])
    earlier = np.tile(turn(FINISHED[0]), 4)
    together = np.concatenate([earlier, np.zeros(16_000 * 8 - last.size, np.float32), last])
    assert detector().completion_probability(together) == pytest.approx(
        detector().completion_probability(last), abs=1e-6)


def test_registry_builds_it_and_sessions_can_be_shared() -> None:
    shared = create_turn_detector("smart-turn", session=detector().session)
    assert shared.name == "smart-turn-v3.2"
    audio = turn(FINISHED[1])
    assert shared.completion_probability(audio) == detector().completion_probability(audio)
    with pytest.raises(ConfigError, match="unknown end-of-turn engine 'nope'; choose one of: smart-turn"):
        create_turn_detector("nope")


def test_bad_input_and_bad_model_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="needs some audio"):
        detector().completion_probability(np.zeros(0, np.float32))
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"not a model")
    with pytest.raises(ModelError, match="cannot load the Smart Turn model"):
        load_session(junk)
    from voicebot.engines.models import silero_vad_path

    with pytest.raises(ModelError, match="is not a Smart Turn v3 model"):
        load_session(silero_vad_path())
