"""How good is a clone: the pure measures with literals, then on the cloned test voice."""

from pathlib import Path

import numpy as np
import pytest
import soundfile

from voicebot.voice import quality
from voicebot.voice.assess import choose_held_back, clip_facts
from voicebot.voice.clips import load_clip
from voicebot.voice.clone import CloneResult


def test_word_error_rate_counts_substitutions_insertions_and_deletions() -> None:
    assert quality.word_error_rate("Two large pizzas, please.", "two large pizzas please") == 0.0
    assert quality.word_error_rate("two large pizzas please", "two big pizzas") == 0.5
    assert quality.word_error_rate("yes", "yes yes yes") == 2.0
    assert quality.word_error_rate("", "") == 0.0


def test_gap_closed_is_the_share_of_the_base_voice_distance_removed() -> None:
    assert quality.gap_closed(0.0, 4.0) == 1.0
    assert quality.gap_closed(4.0, 4.0) == 0.0
    assert quality.gap_closed(1.0, 4.0) == pytest.approx(0.75)
    assert quality.gap_closed(6.0, 4.0) == pytest.approx(-0.5)
    # A base voice already within 1 dB: the clone as close counts as no loss, not as a big one.
    assert quality.gap_closed(0.5, 0.2) == pytest.approx(0.5)


def _facts(name: str, transcript: str, speech_s: float = 12.0, snr_db: float = 40.0) -> quality.ClipFacts:
    return quality.ClipFacts(name=name, speech_s=speech_s, snr_db=snr_db, transcript=transcript)


VARIED = ("the quick brown fox jumps over the lazy dog while children play in a garden near",
          "please call me back tomorrow morning because I would like to order two large pizzas",
          "my favourite colour is green and usually I walk to work when weather is nice and warm")


def test_good_clips_get_no_warning() -> None:
    clips = [_facts(f"{i}.wav", text) for i, text in enumerate(VARIED)]
    assert quality.recording_warnings(clips, pitch_spread_semitones=3.0) == []


def test_few_noisy_and_uniform_clips_are_each_named_with_a_reason() -> None:
    clips = [_facts("a.wav", "one two three", speech_s=4.0), _facts("b.wav", "one two three", speech_s=4.0,
                                                                     snr_db=12.0)]
    warnings = quality.recording_warnings(clips, pitch_spread_semitones=0.8)
    text = "\n".join(warnings)
    assert "too few clips: 8 s of speech" in text
    assert "b.wav is noisy: speech only 12 dB above the background" in text
    assert "the pitch hardly moves (0.8 semitones" in text
    assert "only 3 different words" in text
    assert "b.wav says the same words as a.wav" in text


def test_result_warnings_flag_a_distant_or_muddy_clone() -> None:
    assert quality.result_warnings(0.6, 0.05, 0.02) == []
    assert "only 10% of the way" in quality.result_warnings(0.1, 0.05, 0.02)[0]
    assert "harder to understand" in quality.result_warnings(0.6, 0.30, 0.02)[0]


def test_choose_held_back_keeps_the_last_clip_given_four() -> None:
    assert choose_held_back(["clips/01.wav", "clips/02.wav", "clips/03.wav"]) == ()
    assert choose_held_back(["a", "b", "c", "d"]) == ("d",)


def test_a_noisy_recording_is_measured_as_noisy(female_clips: list[Path], tmp_path: Path) -> None:
    clean = load_clip(female_clips[0])
    noisy_path = tmp_path / "noisy.wav"
    rng = np.random.default_rng(0)
    level = np.sqrt(np.mean(clean.samples**2))
    soundfile.write(noisy_path, clean.samples + rng.normal(scale=level / 3, size=clean.samples.size),
                    clean.sample_rate_hz)
    assert clip_facts(clean, "").snr_db > quality.MIN_SNR_DB
    assert clip_facts(load_clip(noisy_path), "").snr_db < quality.MIN_SNR_DB


def test_the_clone_is_measured_against_its_held_back_clip(cloned: CloneResult) -> None:
    report = cloned.quality
    assert report is not None
    assert cloned.profile.settings["held_back"] == ["clips/04.wav"]
    assert report.held_back == ("04.wav",) and not report.held_back_trained
    # The espeak voice is a woman's; the clone's pitch moves most of the way from Piper's towards hers.
    assert report.pitch_semitones < 0.5 * report.base_pitch_semitones
    assert report.gap_closed > 0.0 and report.colour_db < report.base_colour_db
    assert report.base_wer <= 0.2
    lines = report.lines()
    assert lines[0].startswith("similarity to your voice in 04.wav (held back from training)")
    assert any("too few clips" in line for line in lines)


def test_voice_check_name_measures_the_clone_again(cloned: CloneResult,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from voicebot.cli import main

    voices = cloned.profile.directory.parent
    assert main(["voice", "check", "ana", "--voices-dir", str(voices)]) == 0
    out = capsys.readouterr().out
    assert "similarity to your voice in 04.wav (held back from training)" in out
    assert f"strength in use: {cloned.profile.settings['strength']} (settings.strength in " in out
    assert "intelligibility: our speech-to-text got" in out
