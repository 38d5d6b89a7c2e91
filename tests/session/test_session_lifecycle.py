"""How calls end: silence, the server shutting down, an engine failing. Each leaves one saved record."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

import numpy as np

from tests.audio.speech import padded, synth
from tests.session.helpers import engine_pool, runtime, voice_check
from voicebot.audio.resample import resample
from voicebot.session.call import CallSession
from voicebot.session.engines import EnginePool
from voicebot.session.settings import SessionSettings
from voicebot.transport.file import FileOutput, run_file_call


class CountingStore:
    """The real store, counting saves (the contract: exactly one per call)."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.saves = 0

    def begin(self, record: Any) -> None:
        self.store.begin(record)

    def save(self, record: Any, audio: Any, sample_rate_hz: int) -> None:
        self.saves += 1
        self.store.save(record, audio, sample_rate_hz)


async def test_a_silent_line_gets_a_reprompt_then_the_call_ends_on_the_wall_clock(tmp_path: Path) -> None:
    rt = runtime(tmp_path)
    rt.store = CountingStore(rt.store)
    output = FileOutput()
    # No audio at all, as behind Asterisk's Wait(): the timeouts run on the wall clock.
    session = CallSession(rt, dialogue=voice_check(), variables={}, sample_rate_hz=16_000, output=output,
                          door="test", settings=SessionSettings(no_input_timeout_ms=700, playback="instant"))
    record = await asyncio.wait_for(session.run(), timeout=60)
    assert record.outcome == "no_answer"
    prompts = [t.prompt_id for t in record.turns if t.role == "bot"]
    assert prompts.count("ask.wants") >= 2 and prompts[-1] == "global.silence_end", prompts
    assert rt.store.saves == 1 and output.record is record
    assert rt.store.store.get(record.call_id).outcome == "no_answer"


async def test_server_shutdown_mid_call_still_saves_the_record_once(tmp_path: Path) -> None:
    rt = runtime(tmp_path)
    rt.store = CountingStore(rt.store)
    session = CallSession(rt, dialogue=voice_check(), variables={}, sample_rate_hz=16_000,
                          output=FileOutput(), door="test")
    task = asyncio.create_task(session.run())
    while not session.awaiting_caller:
        await asyncio.sleep(0.05)
    speech = (synth("I would like a very large pizza with everything on it") * 32767).astype(np.int16)
    session.push_audio(speech[: speech.size // 2].tobytes())  # mid-sentence...
    await asyncio.sleep(0.3)
    task.cancel()  # ...the server shuts down
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert rt.store.saves == 1
    saved = rt.store.store.entry(session.call_id)
    assert saved is not None and saved.status == "completed"
    assert saved.record.meta["end_reason"] == "server_shutdown" and saved.record.ended_at


async def test_an_engine_failure_ends_the_call_with_a_saved_error_record(tmp_path: Path) -> None:
    rt = runtime(tmp_path)
    rt.store = CountingStore(rt.store)
    shared = engine_pool()
    broken = EnginePool(
        transcriber_factory=shared.transcriber,
        synthesizer_factory=lambda voice, language: shared.synthesizer("no-such-voice", language))
    output = FileOutput()
    session = CallSession(rt, dialogue=voice_check(), variables={}, sample_rate_hz=16_000, output=output,
                          door="test", engines=broken)
    record = await asyncio.wait_for(session.run(), timeout=30)
    assert record.outcome == "error"
    assert "no-such-voice" in record.meta["error"]
    assert any(m["type"] == "error" for m in output.messages)
    assert rt.store.saves == 1


async def test_fixed_prompts_are_cached_per_voice_at_warm_up(tmp_path: Path) -> None:
    pool = engine_pool()
    await pool.warm([voice_check()])
    synthesizer = pool.synthesizer(None, "en")
    for text in voice_check().fixed_prompts():
        assert (synthesizer.name, text) in pool.prompts
    hits = pool.prompts.hits
    result = await run_file_call(runtime(tmp_path), voice_check(), [padded(synth("No."), 200, 0)],
                                 engines=pool)
    assert result.record.slots == {"wants": False} or result.record.turns
    assert pool.prompts.hits > hits  # the greeting and question came from the cache


async def test_a_phone_rate_line_at_8_khz_goes_through_the_same_pipeline(tmp_path: Path) -> None:
    # Narrowband audio lowers Silero's scores: a lone "Three." stays under the 0.5 threshold at 8 kHz.
    answers = ("Yes, please.", "We are three people.", "Yes.")
    turns = [resample(padded(synth(t), 200, 0), 16_000, 8_000) for t in answers]
    result = await run_file_call(runtime(tmp_path), voice_check(), turns, sample_rate_hz=8_000,
                                 engines=engine_pool())
    assert result.record.outcome == "done", [(t.role, t.text) for t in result.record.turns]
    assert result.sample_rate_hz == 8_000 and result.record.meta["sample_rate_hz"] == 8_000


async def test_a_replys_fixed_start_plays_from_the_cache_and_the_rest_is_synthesised(tmp_path: Path) -> None:
    from voicebot.dialogue.loader import load_dialogue

    dialogue = load_dialogue(Path(__file__).with_name("head_check.yml"))
    assert dialogue.fixed_heads() == ["Got it,"]
    pool = engine_pool()
    await pool.warm([dialogue])
    assert (pool.synthesizer(None, "en").name, "Got it,") in pool.prompts
    result = await run_file_call(runtime(tmp_path), dialogue, [padded(synth("Four."), 200, 0)], engines=pool)
    bot = [t.text for t in result.record.turns if t.role == "bot"]
    assert bot[-1].startswith("Got it, 4 people"), bot
    assert result.record.meta.get("cached_heads") == 1, result.record.meta
    # The whole reply was heard: more bot audio than the cached "Got it," alone.
    head = pool.cached_prompt(pool.synthesizer(None, "en"), "Got it,")
    assert head is not None
    head_s = sum(c.size for c in head.chunks) / head.sample_rate_hz
    assert result.record.meta["usage"]["bot_audio_s"] > head_s + 1.0
