"""A dialogue with barge-in off (`interruptible: false`) is not interrupted, not even before its audio
starts: the session used to read a `barge_in` attribute the dialogue does not have, and took it as on."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.session.helpers import DIALOGUE_PATH, engine_pool, runtime
from voicebot.dialogue.loader import load_dialogue_bytes
from voicebot.session.call import CallSession
from voicebot.session.settings import SessionSettings
from voicebot.transport.file import FileOutput


async def test_typed_input_while_the_greeting_is_queued_does_not_cut_a_non_interruptible_dialogue(
        tmp_path: Path) -> None:
    text = DIALOGUE_PATH.read_text().replace("language: en\n", "language: en\ninterruptible: false\n")
    dialogue = load_dialogue_bytes(text.encode(), "barge_in_off.yml")
    output = FileOutput()
    session = CallSession(runtime(tmp_path), dialogue=dialogue, variables={}, sample_rate_hz=16_000,
                          output=output, door="test", engines=engine_pool(),
                          settings=SessionSettings(playback="instant", no_input_timeout_ms=60_000))
    session.push_text("Yes, please.")  # waiting in the inbox when the greeting is queued

    async def hang_up_when_asked_again() -> None:
        while not (session.awaiting_caller and session.record is not None
                   and session.record.slots.get("wants") is True):
            await asyncio.sleep(0.05)
        session.hangup()

    caller = asyncio.create_task(hang_up_when_asked_again())
    record = await asyncio.wait_for(session.run(), timeout=60)
    await caller
    assert record.slots.get("wants") is True
    assert output.clears == 0 and "barge_ins" not in record.meta
