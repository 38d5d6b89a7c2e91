from pathlib import Path

import numpy as np
import pytest

from tests.voice.conftest import SENTENCES, espeak_clip
from voicebot.errors import AudioError
from voicebot.voice.clips import Clip, check_clips, load_clip


def _messages(clips: list[Clip]) -> str:
    return "\n".join(str(p) for p in check_clips(clips) if p.fatal)


@pytest.fixture(scope="module")
def speech(female_clips: list[Path]) -> Clip:
    return load_clip(female_clips[0])


def test_clean_clips_of_one_speaker_pass(female_clips: list[Path]) -> None:
    problems = check_clips([load_clip(p) for p in female_clips])
    assert not [p for p in problems if p.fatal]
    # About 15 s in all: allowed, with advice to give more.
    assert any("30-90 s" in str(p) for p in problems)


def test_telephone_rate_is_refused(speech: Clip) -> None:
    narrow = Clip("phone.wav", speech.samples[::3].copy(), 8000)
    assert "sample rate 8000 Hz is too low" in _messages([narrow, narrow])


def test_short_clip_is_refused(speech: Clip) -> None:
    short = Clip("short.wav", speech.samples[: speech.sample_rate_hz], speech.sample_rate_hz)
    assert "short.wav: only 1.0 s long" in _messages([short])


def test_clipped_recording_is_refused(speech: Clip) -> None:
    loud = Clip("loud.wav", np.clip(speech.samples * 20, -1, 1).astype(np.float32), speech.sample_rate_hz)
    assert "clipped" in _messages([loud])


def test_silence_and_mostly_silence_are_refused(speech: Clip) -> None:
    rate = speech.sample_rate_hz
    silent = Clip("silent.wav", np.zeros(rate * 5, np.float32), rate)
    padded = Clip("pauses.wav", np.concatenate([np.zeros(rate * 12, np.float32), speech.samples[: rate * 3]]),
                  rate)
    messages = _messages([silent, padded])
    assert "silent.wav: is silent" in messages
    assert "pauses.wav: mostly silence" in messages


def test_two_speakers_in_one_clip_are_refused(tmp_path: Path, speech: Clip) -> None:
    male = load_clip(espeak_clip(tmp_path / "m.wav", SENTENCES[1], voice="en-us+m3"))
    both = Clip("both.wav", np.concatenate([speech.samples, male.samples]), speech.sample_rate_hz)
    assert "both.wav: sounds like more than one speaker" in _messages([both])


def test_a_clip_of_another_speaker_is_named(tmp_path: Path, female_clips: list[Path]) -> None:
    male = espeak_clip(tmp_path / "other.wav", SENTENCES[1], voice="en-us+m3")
    clips = [load_clip(p) for p in female_clips] + [load_clip(male)]
    assert "other.wav: sounds like a different speaker" in _messages(clips)


def test_missing_file_says_which(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="reference clip not found"):
        load_clip(tmp_path / "nope.wav")
