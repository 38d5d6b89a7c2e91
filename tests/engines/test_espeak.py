"""eSpeak NG through the real espeak-ng program (Debian package)."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from voicebot.engines.espeak import EspeakSynthesizer, parse_wav_pcm16
from voicebot.errors import ConfigError, EngineError, ModelError


@pytest.fixture(scope="module")
def korean() -> EspeakSynthesizer:
    return EspeakSynthesizer("ko")


def test_korean_speaks_one_chunk_per_sentence(korean: EspeakSynthesizer) -> None:
    assert korean.name == "espeak:ko"
    assert korean.sample_rate_hz == 22_050
    chunks = list(korean.synthesize("안녕하세요. 피자 주문하시겠어요? 네!"))
    assert len(chunks) == 3
    for chunk in chunks:
        assert chunk.dtype == np.int16
        assert len(chunk) > 0.2 * korean.sample_rate_hz
        assert np.sqrt(np.mean((chunk / 32768.0) ** 2)) > 0.03


def test_rate_changes_duration() -> None:
    text = "Please hold while I check your order."
    slow = np.concatenate(list(EspeakSynthesizer("en-us", rate_wpm=120).synthesize(text)))
    fast = np.concatenate(list(EspeakSynthesizer("en-us", rate_wpm=240).synthesize(text)))
    assert len(slow) > 1.5 * len(fast)


def test_text_starting_with_a_dash_is_spoken(korean: EspeakSynthesizer) -> None:
    chunks = list(korean.synthesize("-v 안녕"))
    assert len(chunks) == 1 and len(chunks[0]) > 0.2 * korean.sample_rate_hz


def test_unknown_voice_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"no voice 'xx-nowhere'.*espeak-ng --voices"):
        EspeakSynthesizer("xx-nowhere")


def test_missing_program_gives_install_hint() -> None:
    with pytest.raises(ModelError, match=r"^install espeak-ng: sudo apt-get install espeak-ng$"):
        EspeakSynthesizer("ko", executable="/nonexistent/espeak-ng")


def _wav(samples: list[int], declared_size: int, extra_chunk: bytes = b"") -> bytes:
    fmt = struct.pack("<HHIIHH", 1, 1, 16_000, 32_000, 2, 16)
    pcm = struct.pack(f"<{len(samples)}h", *samples)
    return (b"RIFF" + struct.pack("<I", declared_size) + b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt
            + extra_chunk + b"data" + struct.pack("<I", declared_size) + pcm)


def test_parse_ignores_placeholder_sizes() -> None:
    rate, samples = parse_wav_pcm16(_wav([1, -2, 32767, -32768], 0x7FFFF000))
    assert rate == 16_000
    assert samples.tolist() == [1, -2, 32767, -32768]


def test_parse_skips_unknown_chunks_and_odd_tail() -> None:
    extra = b"LIST" + struct.pack("<I", 3) + b"abc" + b"\0"  # odd size is padded to even
    rate, samples = parse_wav_pcm16(_wav([5, 6], 4, extra) + b"\x07")
    assert (rate, samples.tolist()) == (16_000, [5, 6])


@pytest.mark.parametrize("data", [b"", b"hello world!", _wav([1], 2)[:36]])
def test_parse_rejects_non_wav(data: bytes) -> None:
    with pytest.raises(EngineError):
        parse_wav_pcm16(data)
