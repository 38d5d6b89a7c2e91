"""Taking a turn back in a real call: "Yes, <pause> I got the documents" is one answer.

Real models, the file door in real time. The turn ends at the pause; the caller goes on, the reply (if
it started) stops, and the dialogue hears the joined words once. The turn is ended by the silence rule
at 400 ms so that it ends at the pause whatever the machine's load (smart_turn's judges answer in wall
time: on a loaded machine their verdict may come after the caller went on, and then nothing is cut).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from tests.audio.speech import padded, synth
from tests.session.helpers import engine_pool, runtime
from voicebot.audio.pcm import float32_to_int16, int16_to_pcm_bytes
from voicebot.record import CallRecord
from voicebot.session.call import CallSession
from voicebot.session.ending import EndReason
from voicebot.session.settings import SessionSettings
from voicebot.session.take_back import TakeBackConfig
from voicebot.transport.file import FileOutput, run_file_call
from voicebot.transport.supervisor import supervise

RATE_HZ = 16_000
CUT_AT_400_MS = replace(SessionSettings(), end_of_turn="silence",
                        turn_taking=replace(SessionSettings().turn_taking, end_silence_ms=400))


def take_back_check() -> Any:
    from voicebot.dialogue.loader import load_dialogue

    return load_dialogue(Path(__file__).with_name("take_back_check.yml"))


def yes_then_more(pause_s: float) -> np.ndarray:
    pause = np.zeros(round(pause_s * RATE_HZ), np.float32)
    return np.concatenate([padded(synth("Yes,"), 200, 0), pause, synth("I got the documents.")])


async def call(tmp_path: Path, pause_s: float, settings: SessionSettings) -> Any:
    return await run_file_call(runtime(tmp_path), take_back_check(), [yes_then_more(pause_s)],
                               engines=engine_pool(), settings=settings, realtime=True)


def one_answer_taken_back(record: CallRecord) -> dict[str, Any]:
    """The dialogue took one answer, the joined one; the record says what it took back."""
    caller = [t for t in record.turns if t.role == "caller"]
    assert len(caller) == 1, record.to_json()  # not "Yes." and then "I got the documents." as a comment
    text = caller[0].text.lower()
    assert text.startswith("yes") and "documents" in text, caller
    assert record.slots == {"received_documents": True}, record.to_json()
    cut = caller[0].taken_back
    assert cut is not None and cut.lower().startswith("yes") and "documents" not in cut.lower(), caller
    assert record.meta["take_backs"] == 1 and "barge_ins" not in record.meta, record.meta
    [entry] = record.meta["taken_back"]
    assert entry["turn"] == record.turns.index(caller[0]) and entry["cut_text"] == cut
    assert [s for s in record.meta["steps"] if s["step"] == "ask.received_documents"] == [
        {"step": "ask.received_documents", "result": "answered", "turn": entry["turn"]}]
    # The next question is in the record once, after the joined answer; the call ended and was saved.
    assert [t.prompt_id for t in record.turns if t.role == "bot"] == [
        "ask.received_documents", "ask.comment"], record.to_json()
    assert record.ended_at is not None and record.meta["end_reason"] == "end_of_audio"
    return dict(entry)


async def test_the_caller_going_on_after_a_pause_takes_the_turn_back(tmp_path: Path) -> None:
    one_answer_taken_back((await call(tmp_path, 0.6, CUT_AT_400_MS)).record)


async def test_a_reply_already_playing_stops_and_the_dialogue_rolls_back(tmp_path: Path) -> None:
    """The caller goes on only once the cut turn reached the dialogue and its reply started playing (the
    line waits for that, so a loaded machine's slow decode changes nothing; the window is long enough
    for the wait): the reply stops, the dialogue's step is undone, the joined answer is taken once."""
    settings = replace(CUT_AT_400_MS, playback="realtime",
                       take_back=TakeBackConfig(window_ms=60_000, max_bot_audio_ms=60_000))
    dialogue = take_back_check()
    engines = engine_pool()
    await engines.warm([dialogue])
    output = FileOutput()
    session = CallSession(runtime(tmp_path), dialogue=dialogue, variables={}, sample_rate_hz=RATE_HZ,
                          output=output, door="file", engines=engines, settings=settings)
    frame = RATE_HZ // 50
    silence = np.zeros(frame, np.float32)

    def bot_turns() -> list[str | None]:
        record = session.record
        return [t.prompt_id for t in record.turns if t.role == "bot"] if record is not None else []

    async def send(audio: np.ndarray) -> None:
        for offset in range(0, audio.size, frame):
            session.push_audio(int16_to_pcm_bytes(float32_to_int16(audio[offset:offset + frame])))
            await asyncio.sleep(frame / RATE_HZ)

    async def until(condition: Callable[[], bool]) -> None:
        while not condition() and not session.ended:
            await send(silence)

    async def caller() -> None:
        await until(lambda: session.awaiting_caller)
        await send(padded(synth("Yes,"), 200, 0))
        audio_out = len(output.bot_audio)
        # "Yes." was answered and the reply to it is playing.
        await until(lambda: "ask.comment" in bot_turns() and len(output.bot_audio) > audio_out + 5)
        await send(padded(synth("I got the documents."), 0, 2000))
        await until(lambda: session.awaiting_caller and len(bot_turns()) == 2)
        session.hangup(EndReason.END_OF_AUDIO)

    record = await supervise(session, caller())
    assert record is not None
    entry = one_answer_taken_back(record)
    assert entry["rolled_back"] and entry["bot_audio_ms"] > 0, entry
    assert output.clears >= 1  # the door dropped the reply's queued audio, as on a barge-in
    # The caller heard the start of the reply to "Yes." before it stopped; after the joined answer the
    # question was asked again (and is in the record once).
    asked = [m for m in output.messages if m.get("type") == "bot" and "anything" in m.get("text", "").lower()]
    assert len(asked) == 2, output.messages
