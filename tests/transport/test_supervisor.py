"""The door supervisor with a real session: a dead reader hangs the call up, the record is saved once."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.session.helpers import engine_pool, runtime, voice_check
from voicebot.session.call import CallSession
from voicebot.session.settings import SessionSettings
from voicebot.transport.file import FileOutput
from voicebot.transport.supervisor import supervise


async def test_a_reader_that_dies_hangs_the_call_up_and_the_record_is_saved(tmp_path: Path) -> None:
    rt = runtime(tmp_path)
    output = FileOutput()
    session = CallSession(rt, dialogue=voice_check(), variables={}, sample_rate_hz=16_000, output=output,
                          door="test", engines=engine_pool(),
                          settings=SessionSettings(playback="instant", no_input_timeout_ms=60_000))

    async def reader() -> None:
        while not session.awaiting_caller:
            await asyncio.sleep(0.05)
        raise ConnectionResetError("the door's socket broke")

    record = await asyncio.wait_for(supervise(session, reader()), timeout=60)
    assert record is not None and record.meta["end_reason"] == "network_lost"
    assert output.record is record
    assert rt.store.get(record.call_id) is not None
