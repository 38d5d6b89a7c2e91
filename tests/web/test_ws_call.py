"""A caller on the websocket door, in real time, with real synthesised speech and the real models."""

from __future__ import annotations

from pathlib import Path

import websockets

from tests.audio.speech import padded, synth
from tests.session.helpers import live_server, real_time_caller

START = '{"type": "start", "sample_rate_hz": 16000, "encoding": "pcm_s16le", "variables": {}}'


async def test_a_caller_completes_the_dialogue_by_voice_and_the_record_is_saved(tmp_path: Path) -> None:
    async with live_server(tmp_path) as (url, runtime):
        async with websockets.connect(f"{url}/ws?dialogue=voice_check") as ws:
            await ws.send(START)
            # The last "Yes." answers a low-confidence confirmation if the dialogue asks one.
            turns = [padded(synth(t), 100, 0) for t in ("Yes, please.", "Three.", "Yes.")]
            call = await real_time_caller(ws, turns)
        ready = call.of_type("ready")
        assert ready and ready[0]["protocol_version"] == 1
        record = call.record
        assert record["outcome"] == "done", [(t["role"], t["text"]) for t in record["turns"]]
        assert record["slots"] == {"wants": True, "size": 3}
        assert [m["final"] for m in call.of_type("transcript") if m["final"]] == [True, True]
        assert [m["text"] for m in call.of_type("bot")][-1] == "Thank you. Goodbye."
        caller_turns = [t for t in record["turns"] if t["role"] == "caller"]
        assert len(caller_turns) == 2 and all(t["latency_ms"] > 0 for t in caller_turns)
        assert call.bot_audio_bytes > 16_000 * 2  # more than a second of bot speech arrived
        stored = runtime.store.get(record["call_id"])
        assert stored is not None and stored.to_json()["turns"] == record["turns"]
        assert runtime.store.audio_path(record["call_id"]) is not None
