"""A second opinion (stt.second_opinion): a phone-line turn tiny.en does not understand, heard again by base.

The audio is made here as the phone corpus makes it (bench/phone_corpus.py): eSpeak NG en-gb at 150 wpm,
8 kHz through a G.711 mu-law round trip, 250 ms of silence either side, up to 16 kHz as the door does.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

import numpy as np
import pytest

from voicebot.audio.g711 import ulaw_decode, ulaw_encode
from voicebot.audio.pcm import int16_to_float32
from voicebot.audio.resample import resample
from voicebot.config import load_config
from voicebot.dialogue import grammar, second_opinion
from voicebot.dialogue.loader import load_dialogue
from voicebot.dialogue.model import Dialogue
from voicebot.dialogue.understanding import SlotReader
from voicebot.engines.base import Float32Array, Transcriber, Transcript
from voicebot.engines.espeak import EspeakSynthesizer
from voicebot.engines.text import normalize_for_speech
from voicebot.engines.whisper import WINDOW_RETRY_LOGPROB, WhisperTranscriber
from voicebot.errors import ConfigError
from voicebot.session.engines import EnginePool, shared_loader

ROOT = Path(__file__).resolve().parents[2] / "dialogues"


def _phone_line(text: str) -> Float32Array:
    """8 kHz float32, as the phone door hands a caller's turn on."""
    synth = EspeakSynthesizer("en-gb", rate_wpm=150)
    audio = np.concatenate(list(synth.synthesize(normalize_for_speech(text, "en"))))
    line = ulaw_decode(ulaw_encode(resample(audio, synth.sample_rate_hz, 8000)))
    pad = np.zeros(8000 * 250 // 1000, dtype=np.int16)
    return int16_to_float32(np.concatenate([pad, line, pad]))


def _phone_turn(text: str) -> Float32Array:
    return resample(_phone_line(text), 8000, 16_000)


@pytest.fixture(scope="module")
def survey() -> Dialogue:
    return load_dialogue(ROOT / "satisfaction_survey.yml")


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> EnginePool:
    config = tmp_path_factory.mktemp("config") / "voicebot.yml"
    config.write_text("stt:\n  second_opinion: base\n", encoding="utf-8")
    return EnginePool.from_config(load_config(config, env={}))


def _consent(survey: Dialogue) -> tuple[SlotReader, grammar.ExpectedAnswers]:
    reader = SlotReader(survey)
    spec = survey.slots["consent"]
    return reader, grammar.for_slot(survey, spec, read=lambda said: reader.read(spec, said, strict=True))


def test_a_no_tiny_en_does_not_understand_is_understood_by_the_second_opinion(
        survey: Dialogue, pool: EnginePool) -> None:
    reader, expected = _consent(survey)
    audio = _phone_turn("not right now")
    first = pool.transcriber("en").transcribe(audio, language="en", expected=expected.to_score)
    assert second_opinion.wanted(reader, expected, first), first.text  # tiny.en: "I'll try it out"
    base = pool.second_opinion("en")
    assert base is not None and base.name == "faster-whisper:base"
    second = base.transcribe(audio, language="en", expected=expected.to_score)
    chosen = second_opinion.prefer(reader, expected, first, second)
    assert chosen is second
    assert second_opinion.reading(reader, expected, chosen).meaning == "no"


def test_an_understood_turn_is_not_heard_again(survey: Dialogue, pool: EnginePool) -> None:
    reader, expected = _consent(survey)
    heard = Transcript("No.", final=True, confidence=0.9, alternatives=(("No.", -0.2), ("Yes.", -6.0)),
                       logprob=-0.2)
    assert not second_opinion.wanted(reader, expected, heard)
    assert not second_opinion.wanted(reader, None, Transcript("I'll try it out", final=True))
    assert not second_opinion.wanted(reader, expected, Transcript("", final=True))


def test_a_second_opinion_that_understands_nothing_leaves_the_first_transcript(survey: Dialogue) -> None:
    reader, expected = _consent(survey)
    first = Transcript("I'll try it out", final=True, confidence=0.5, logprob=-4.0)
    second = Transcript("Out of the blue.", final=True, confidence=0.5, logprob=-5.0)
    assert second_opinion.prefer(reader, expected, first, second) is first


def test_the_second_opinion_is_on_by_default_off_with_none_for_korean_and_for_another_english_model(
        tmp_path: Path, pool: EnginePool) -> None:
    config = tmp_path / "voicebot.yml"
    config.write_text("stt:\n  model_en: tiny.en\n", encoding="utf-8")
    assert load_config(config, env={}).stt.second_opinion == "base"
    assert pool.second_opinion("ko") is None  # Korean hears with base already
    config.write_text("stt:\n  model_en: base\n  second_opinion: base\n", encoding="utf-8")
    assert EnginePool.from_config(load_config(config, env={})).second_opinion("en") is None
    config.write_text("stt:\n  second_opinion: none\n", encoding="utf-8")
    assert EnginePool.from_config(load_config(config, env={})).second_opinion("en") is None
    config.write_text("stt:\n  second_opinion: ''\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"stt\.second_opinion"):
        load_config(config, env={})


def test_korean_and_the_english_second_opinion_share_one_base_model(pool: EnginePool) -> None:
    # Both are base with the same settings: one copy in memory, each decode naming its language. The
    # second opinion never decodes a turn again over the whole window; Korean's finals still may.
    second, korean = pool.second_opinion("en"), pool.transcriber("ko")
    assert isinstance(second, WhisperTranscriber) and isinstance(korean, WhisperTranscriber)
    assert second._model is korean._model
    assert second.window_retry_logprob is None
    assert korean.window_retry_logprob == WINDOW_RETRY_LOGPROB
    assert pool.transcriber("en") is not pool.transcriber("ko")


def test_a_number_question_gets_no_second_opinion(survey: Dialogue) -> None:
    reader = SlotReader(survey)
    spec = survey.slots["satisfaction"]
    expected = grammar.for_slot(survey, spec, read=lambda said: reader.read(spec, said, strict=True))
    heard = Transcript("I'll leave the camera.", final=True, confidence=0.4, logprob=-4.0)
    assert grammar.read_answer(reader, expected, heard.text, heard.confidence, heard.alternatives,
                               heard.logprob).source == "unmatched"
    assert expected.closed and not second_opinion.asks_for_one(expected)
    assert not second_opinion.wanted(reader, expected, heard)
    assert second_opinion.asks_for_one(_consent(survey)[1])


def test_the_shared_loader_loads_once_per_engine_and_options_whatever_the_language() -> None:
    made: list[dict[str, object]] = []

    def create(engine: str, **options: object) -> Transcriber:
        made.append(options)
        return cast("Transcriber", object())

    load = shared_loader(create)
    first = load("faster-whisper", model="base", language="ko", beam_size=3)
    assert load("faster-whisper", model="base", language="en", beam_size=3) is first
    assert load("faster-whisper", model="base", language="en", beam_size=5) is not first
    assert load("faster-whisper", model="tiny.en", language="en", beam_size=3) is not first
    assert load("vosk", model="base", language="ko", beam_size=3) is not first
    assert len(made) == 4


async def test_a_call_at_8_khz_takes_the_second_opinion_of_a_turn_tiny_en_does_not_understand(
        tmp_path: Path, pool: EnginePool) -> None:
    from tests.session.helpers import runtime, voice_check
    from voicebot.transport.file import run_file_call

    silence = np.zeros(8000 * 300 // 1000, dtype=np.float32)
    turns = [np.concatenate([silence, _phone_line("not right now"), silence]),
             np.concatenate([silence, _phone_line("three"), silence])]
    result = await run_file_call(runtime(tmp_path), voice_check(), turns, sample_rate_hz=8000, engines=pool)
    record = result.record
    assert record.outcome == "done", record.to_json()
    assert record.slots == {"wants": False, "size": 3}
    assert record.meta["second_opinions"] == 1 and record.meta["second_opinions_taken"] == 1
