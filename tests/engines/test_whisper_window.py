"""The encoder window of a short turn's decode (stt.encoder_window_s): fewer log-mel frames encoded."""

from functools import cache
from pathlib import Path

import numpy as np
import pytest
from faster_whisper.audio import pad_or_trim

from tests.audio.speech import normalize, padded, synth, whisper_tiny
from voicebot.engines.constrained import ONLY
from voicebot.engines.scoring import SHORT_ANSWER
from voicebot.engines.whisper import (
    NOISY_WINDOW_SNR_DB,
    WhisperTranscriber,
    encoder_input,
    final_window_frames,
    retries_whole_window,
    silence_level,
)
from voicebot.errors import ConfigError

ORDER = "I would like two large pepperoni pizzas delivered to twelve Main Street."


@cache
def whisper_30s() -> WhisperTranscriber:
    return WhisperTranscriber("tiny.en", word_timestamps=False)


@cache
def whisper_15s() -> WhisperTranscriber:
    return WhisperTranscriber("tiny.en", word_timestamps=False, encoder_window_s=15)


@cache
def whisper_15s_free_too() -> WhisperTranscriber:
    """Turns without expected answers over 15 s as well (stt.free_window_s: 15)."""
    return WhisperTranscriber("tiny.en", word_timestamps=False, encoder_window_s=15, free_window_s=15)


def test_the_encoder_input_is_the_features_zero_padded_to_the_window() -> None:
    features = np.random.default_rng(1).standard_normal((80, 321)).astype(np.float32)
    assert np.array_equal(encoder_input(features, 3000), pad_or_trim(features))
    short = encoder_input(features, 1500)
    assert short.shape == (80, 1500)
    assert np.array_equal(short[:, :321], features) and not short[:, 321:].any()
    # Audio longer than the window keeps whisper's whole 30 s window, cut as faster-whisper cuts it.
    long = np.ones((80, 2000), np.float32)
    assert np.array_equal(encoder_input(long, 1500), pad_or_trim(long))


def test_an_open_asks_input_is_padded_with_the_log_mel_of_silence() -> None:
    from faster_whisper.feature_extractor import FeatureExtractor

    extractor = FeatureExtractor()
    speech = padded(synth("Five five five."), 0, 0)
    features = extractor(speech)[..., :-1]
    # The same audio followed by 2 s of digital silence: its last frames are what the padding writes.
    silent = extractor(np.concatenate([speech, np.zeros(32_000, np.float32)]))[..., :-1]
    assert silence_level(features) == pytest.approx(float(silent[:, -100:].max()))
    assert silence_level(features) == pytest.approx(float(silent[:, -100:].min()))
    inputs = encoder_input(features, 1000, silence_level(features))
    frames = features.shape[-1]
    assert inputs.shape == (80, 1000) and np.array_equal(inputs[:, :frames], features)
    assert np.all(inputs[:, frames:] == np.float32(silence_level(features)))


@pytest.mark.parametrize("text", [ORDER, "Yes.", "My number is five five five, one two three."])
def test_a_15_second_window_transcribes_a_turn_as_the_30_second_one(text: str) -> None:
    audio = padded(synth(text), 300, 300)
    short = whisper_15s_free_too().transcribe(audio, language="en")
    assert normalize(short.text).replace(" ", "") == normalize(text).replace(" ", "")  # "555" or "5 5 5"
    # The same words; punctuation may differ ("555-123" with or without its full stop).
    assert normalize(short.text) == normalize(whisper_30s().transcribe(audio, language="en").text)


def test_expected_answers_are_scored_on_the_short_window_too() -> None:
    transcript = whisper_15s().transcribe(padded(synth("Yes."), 300, 300), language="en",
                                          expected=("yes", "no"))
    scores = dict(transcript.alternatives)
    assert scores["yes"] > scores["no"]


def test_partials_stream_on_the_short_window_and_the_final_is_a_plain_transcribe() -> None:
    transcriber = whisper_tiny()  # 30 s finals: its partials still read 15 s
    audio = padded(synth(ORDER), 300, 300)
    stream = transcriber.stream(language="en")
    partials = []
    for start in range(0, audio.size, 320):
        partials += stream.accept(audio[start:start + 320])
    assert partials and normalize(partials[-1].text).startswith("i would like")
    assert stream.finish().text == transcriber.transcribe(audio, language="en").text


@pytest.mark.parametrize("seconds", [0, 5, 31])
@pytest.mark.parametrize("setting", ["encoder_window_s", "free_window_s"])
def test_a_window_outside_10_to_30_seconds_is_refused(seconds: float, setting: str) -> None:
    with pytest.raises(ConfigError, match=setting):
        WhisperTranscriber("tiny.en", **{setting: seconds})  # type: ignore[arg-type]


@pytest.mark.parametrize(("avg_logprob", "threshold", "window_frames", "frames", "again"), [
    (-1.2, -1.0, 1500, 300, True),  # an unsure 15 s decode of a 3 s turn: decode it over 30 s too
    (-0.4, -1.0, 1500, 300, False),  # a surer one stands
    (-1.2, None, 1500, 300, False),  # the retry switched off
    (-1.2, -1.0, 3000, 300, False),  # already the whole window
    (-1.2, -1.0, 1500, 2000, False),  # a turn longer than the window was encoded over 30 s anyway
])
def test_only_an_unsure_short_window_decode_is_decoded_again(
        avg_logprob: float, threshold: float | None, window_frames: int, frames: int, again: bool) -> None:
    assert retries_whole_window(avg_logprob, threshold, window_frames, frames) is again


def test_an_open_ask_reads_the_whole_window_whatever_the_setting() -> None:
    # A phone number decoded restricted to digit words: the 15 s setting hears it as 30 s does.
    audio = padded(synth("My number is five five five, one two three, four five six seven."), 300, 300)
    ask = (ONLY + "zero oh one two three four five six seven eight nine",)
    short = whisper_15s().transcribe(audio, language="en", expected=ask)
    assert short == whisper_30s().transcribe(audio, language="en", expected=ask)
    assert any(phrase.startswith(ONLY) for phrase, _ in short.alternatives)


def _white_noise(speech: np.ndarray, snr_db: float) -> np.ndarray:
    noise = np.random.default_rng(11).standard_normal(speech.size)
    scale = np.sqrt(np.mean(speech.astype(np.float64) ** 2) / (np.mean(noise ** 2) * 10 ** (snr_db / 10)))
    return (speech + scale * noise).astype(np.float32)


def test_a_turn_without_expected_answers_takes_the_free_window_and_in_noise_the_whole_one() -> None:
    clean = padded(synth(ORDER), 300, 600)
    noisy = _white_noise(clean, 15)
    assert final_window_frames(1500, clean, NOISY_WINDOW_SNR_DB, 3000) == 3000  # the default free window
    assert final_window_frames(1500, clean, NOISY_WINDOW_SNR_DB, 1500) == 1500  # stt.free_window_s: 15
    assert final_window_frames(1500, noisy, NOISY_WINDOW_SNR_DB, 1500) == 3000
    assert final_window_frames(1500, noisy, None, 1500) == 1500  # the noise rule switched off
    # A turn with expected answers keeps the configured window, in noise too.
    assert final_window_frames(1500, noisy, NOISY_WINDOW_SNR_DB, None) == 1500
    assert final_window_frames(1500, clean, NOISY_WINDOW_SNR_DB, None) == 1500
    assert final_window_frames(3000, clean, NOISY_WINDOW_SNR_DB, None) == 3000


@cache
def whisper_15s_without_noisy_rule() -> WhisperTranscriber:
    return WhisperTranscriber("tiny.en", word_timestamps=False, encoder_window_s=15, noisy_window_snr_db=None,
                              free_window_s=15)


def test_a_noisy_final_is_the_30_second_decode_and_a_clean_one_the_15_second_one() -> None:
    clean = padded(synth(ORDER), 300, 600)
    noisy = _white_noise(clean, 15)
    # The same decode as the 30 s setting, to its log-probability, where the 15 s window alone differs.
    assert whisper_15s_free_too().transcribe(noisy, language="en") \
        == whisper_30s().transcribe(noisy, language="en")
    assert whisper_15s_without_noisy_rule().transcribe(noisy, language="en") \
        != whisper_30s().transcribe(noisy, language="en")
    assert whisper_15s_free_too().transcribe(clean, language="en") \
        == whisper_15s_without_noisy_rule().transcribe(clean, language="en")


def test_a_final_without_expected_answers_is_the_30_second_decode_a_closed_one_the_15_second_one() -> None:
    clean = padded(synth(ORDER), 300, 600)
    # A text ask's turn, heard on the 15 s setting: whisper's whole window, to its log-probability.
    free = whisper_15s().transcribe(clean, language="en")
    assert free == whisper_30s().transcribe(clean, language="en")
    assert free != whisper_15s_free_too().transcribe(clean, language="en")
    # A closed ask's turn keeps the 15 s window its scored answers were measured on.
    closed = whisper_15s().transcribe(clean, language="en", expected=("yes", "no"))
    assert closed.segments == whisper_15s_free_too().transcribe(clean, language="en").segments
    assert closed.segments != free.segments


def test_a_short_answer_is_decoded_on_the_closed_asks_window_with_nothing_scored() -> None:
    clean = padded(synth("Yes, that's right, thank you."), 300, 600)
    # A confirm's "yes" (SHORT_ANSWER, nothing to score): the 15 s decode, as before free finals took 30 s.
    short = whisper_15s().transcribe(clean, language="en", expected=(SHORT_ANSWER,))
    assert short == whisper_15s_free_too().transcribe(clean, language="en")
    assert short.alternatives == ()
    assert short.segments != whisper_30s().transcribe(clean, language="en").segments


@pytest.mark.parametrize(("value", "line"), [(None, NOISY_WINDOW_SNR_DB), ("25", 25.0), ("null", None)])
def test_the_live_transcriber_takes_the_noise_line_from_the_settings(
        value: str | None, line: float | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from voicebot.config import load_config
    from voicebot.session.engines import EnginePool

    monkeypatch.chdir(tmp_path)  # no voicebot.yml here

    env = {} if value is None else {"VOICEBOT_STT__NOISY_WINDOW_SNR_DB": value}
    transcriber = EnginePool.from_config(load_config(None, env=env)).transcriber("en")
    assert isinstance(transcriber, WhisperTranscriber) and transcriber.noisy_window_snr_db == line
