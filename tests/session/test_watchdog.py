"""No call lives forever: a failed turn wakes the call, a stuck call and an endless call end with a record."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.audio.speech import padded, synth
from tests.session.helpers import engine_pool, runtime, voice_check
from voicebot.config import load_config
from voicebot.engines.base import Transcript
from voicebot.errors import ConfigError
from voicebot.session.call import CallSession
from voicebot.session.engines import EnginePool
from voicebot.session.settings import SessionSettings
from voicebot.transport.file import FileOutput


class FaultyTranscriber:
    """A fault that cannot be caused for real: the engine raises a foreign error, or hangs."""

    name = "faulty-stt"

    def __init__(self, release: threading.Event | None = None) -> None:
        self._release = release

    def transcribe(self, audio: Any, *, language: str, hints: Any = (), expected: Any = ()) -> Transcript:
        if self._release is not None:
            self._release.wait(timeout=60)
            return Transcript(text="", final=True)
        raise RuntimeError("out of memory in the decoder")


def _pool(transcriber: FaultyTranscriber) -> EnginePool:
    shared = engine_pool()
    return EnginePool(transcriber_factory=lambda language: transcriber,  # type: ignore[arg-type,return-value]
                      synthesizer_factory=shared.synthesizer)


async def _answer_when_asked(session: CallSession, text: str) -> None:
    while not session.awaiting_caller:
        await asyncio.sleep(0.05)
    speech = (padded(synth(text), 100, 1200) * 32767).astype(np.int16)
    session.push_audio(speech.tobytes())


async def test_a_decode_failing_with_a_foreign_error_still_ends_the_call(tmp_path: Path) -> None:
    # Before the fix the turn's task died silently: the call waited for its transcript forever
    # (no watchdog here, so only the fix can end it).
    settings = SessionSettings(playback="instant", partial_interval_ms=0, no_input_timeout_ms=60_000,
                               no_progress_timeout_s=None, max_call_duration_s=None)
    rt = runtime(tmp_path)
    session = CallSession(rt, dialogue=voice_check(), variables={}, sample_rate_hz=16_000,
                          output=FileOutput(), door="test", engines=_pool(FaultyTranscriber()),
                          settings=settings)
    caller = asyncio.create_task(_answer_when_asked(session, "Yes, please."))
    record = await asyncio.wait_for(session.run(), timeout=60)
    await caller
    assert record.outcome == "error"
    assert record.meta["error"] == "internal error: RuntimeError"
    assert rt.store.get(record.call_id).outcome == "error"


async def test_a_call_stuck_on_a_hung_engine_ends_on_the_no_progress_watchdog(tmp_path: Path) -> None:
    release = threading.Event()
    settings = SessionSettings(playback="instant", partial_interval_ms=0, no_input_timeout_ms=60_000,
                               no_progress_timeout_s=2.0)
    rt = runtime(tmp_path)
    output = FileOutput()
    session = CallSession(rt, dialogue=voice_check(), variables={}, sample_rate_hz=16_000, output=output,
                          door="test", engines=_pool(FaultyTranscriber(release)), settings=settings)
    try:
        caller = asyncio.create_task(_answer_when_asked(session, "Yes, please."))
        record = await asyncio.wait_for(session.run(), timeout=60)
        await caller
    finally:
        release.set()
    assert record.outcome == "no_progress" and record.meta["end_reason"] == "no_progress"
    saved = rt.store.entry(record.call_id)
    assert saved is not None and saved.status == "completed" and saved.record.outcome == "no_progress"
    assert output.record is record


async def test_a_call_past_its_maximum_duration_ends_once_the_bot_finishes_speaking(tmp_path: Path) -> None:
    # The greeting and the question last several seconds; the limit passes while they play.
    settings = SessionSettings(no_input_timeout_ms=60_000, max_call_duration_s=1.0)
    rt = runtime(tmp_path)
    output = FileOutput()
    session = CallSession(rt, dialogue=voice_check(), variables={}, sample_rate_hz=16_000, output=output,
                          door="test", settings=settings)
    started_s = time.monotonic()
    record = await asyncio.wait_for(session.run(), timeout=60)
    elapsed_s = time.monotonic() - started_s
    assert record.outcome == "max_duration" and record.meta["end_reason"] == "max_duration"
    assert len([t for t in record.turns if t.role == "bot"]) == 2
    played_s = sum(len(chunk) for chunk in output.bot_audio) / 2 / 16_000
    assert played_s > 2.0 and elapsed_s >= played_s  # both prompts played out, not cut at the limit
    assert rt.store.get(record.call_id).outcome == "max_duration"


def test_the_limits_come_from_the_config_and_zero_turns_them_off() -> None:
    config = load_config(None, env={"VOICEBOT_SESSION__MAX_CALL_DURATION_S": "0",
                                    "VOICEBOT_SESSION__NO_PROGRESS_TIMEOUT_S": "45"})
    settings = SessionSettings.from_config(config)
    assert settings.max_call_duration_s is None and settings.no_progress_timeout_s == 45.0
    defaults = SessionSettings.from_config(load_config(None, env={}))
    assert defaults.max_call_duration_s == 3600.0 and defaults.no_progress_timeout_s == 120.0


def test_partial_transcripts_follow_the_config() -> None:
    config = load_config(None, env={"VOICEBOT_SESSION__PARTIAL_INTERVAL_MS": "0"})
    assert SessionSettings.from_config(config).partial_interval_ms == 0
    assert SessionSettings.from_config(load_config(None, env={})).partial_interval_ms == 1000


def test_the_barge_in_hold_follows_the_config() -> None:
    # A line that echoes the bot's voice back may want the door never to hold the bot's audio.
    config = load_config(None, env={"VOICEBOT_VAD__ONSET_HOLD_MS": "0"})
    assert SessionSettings.from_config(config).turn_taking.onset_hold_ms == 0
    assert SessionSettings.from_config(load_config(None, env={})).turn_taking.onset_hold_ms == 192
    with pytest.raises(ConfigError, match="onset_hold_ms"):
        SessionSettings.from_config(load_config(None, env={"VOICEBOT_VAD__ONSET_HOLD_MS": "-1"}))


class _DoorThatHangsOnTranscripts(FileOutput):
    """A fault that cannot be caused for real on demand: the door's send never returns."""

    async def send_message(self, message: dict[str, Any]) -> None:
        if message.get("type") == "transcript":
            await asyncio.Event().wait()
        await super().send_message(message)


async def test_a_call_stuck_outside_the_main_loop_is_cancelled_and_saved(tmp_path: Path,
                                                                       monkeypatch: Any) -> None:
    import voicebot.session.watchdog as watchdog_module

    monkeypatch.setattr(watchdog_module, "GUARD_GRACE_S", 0.5)
    monkeypatch.setattr(watchdog_module, "GUARD_CHECK_S", 0.1)
    # Long enough for the caller's turn to be decoded on a busy machine: the hang comes after it.
    settings = SessionSettings(playback="instant", partial_interval_ms=0, no_input_timeout_ms=60_000,
                               no_progress_timeout_s=8.0, max_call_duration_s=None)
    rt = runtime(tmp_path)
    output = _DoorThatHangsOnTranscripts()
    session = CallSession(rt, dialogue=voice_check(), variables={}, sample_rate_hz=16_000,
                          output=output, door="test", engines=engine_pool(), settings=settings)
    caller = asyncio.create_task(_answer_when_asked(session, "Yes, please."))
    record = await asyncio.wait_for(session.run(), timeout=60)
    await caller
    assert record.outcome == "no_progress" and record.meta["end_reason"] == "stuck"
    assert rt.store.get(record.call_id).outcome == "no_progress"
    assert output.record is record  # the door was told the call is over


async def test_a_task_that_loses_its_cancellation_does_not_keep_the_call_from_ending(tmp_path: Path) -> None:
    # CPython 3.11's asyncio.wait_for can swallow a cancellation; this task does so on purpose, once.
    settings = SessionSettings(playback="instant", partial_interval_ms=0, no_input_timeout_ms=60_000)
    rt = runtime(tmp_path)
    session = CallSession(rt, dialogue=voice_check(), variables={}, sample_rate_hz=16_000,
                          output=FileOutput(), door="test", engines=engine_pool(), settings=settings)
    swallowed: list[int] = []

    async def stubborn() -> None:
        while True:
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                if swallowed:
                    raise
                swallowed.append(1)

    async def caller() -> None:
        while not session.awaiting_caller:
            await asyncio.sleep(0.05)
        session._ctx.spawn(stubborn())  # one of the call's own tasks
        session.hangup("caller_hangup")

    helper = asyncio.create_task(caller())
    record = await asyncio.wait_for(session.run(), timeout=30)
    await helper
    assert swallowed == [1]  # it did swallow the first cancel, and the call still ended
    assert rt.store.get(record.call_id) is not None
    assert rt.store.entry(record.call_id).status == "completed"


async def test_a_watchdog_ending_shows_in_the_metrics(tmp_path: Path) -> None:
    # The session used to look up a `watchdog` method Metrics did not have, so this was never counted.
    settings = SessionSettings(playback="instant", partial_interval_ms=0, no_input_timeout_ms=60_000,
                               max_call_duration_s=0.5)
    rt = runtime(tmp_path)
    session = CallSession(rt, dialogue=voice_check(), variables={}, sample_rate_hz=16_000,
                          output=FileOutput(), door="test", settings=settings)
    record = await asyncio.wait_for(session.run(), timeout=60)
    assert record.outcome == "max_duration"
    body, _ = rt.metrics.render()
    assert b'voicebot_watchdog_total{reason="max_duration"} 1.0' in body
