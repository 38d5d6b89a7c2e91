"""The shipped satisfaction survey, completed by voice over the websocket in real time."""

from __future__ import annotations

import json
from pathlib import Path

import websockets

from tests.audio.speech import padded, synth
from tests.session.helpers import live_server, real_time_caller

SHIPPED = Path(__file__).resolve().parents[2] / "dialogues" / "satisfaction_survey.yml"


async def test_the_satisfaction_survey_is_completed_by_voice(tmp_path: Path) -> None:
    answers = ("Yes, sure.", "I would say five.", "Probably a nine.",
               "The technician was friendly and very quick.")
    async with live_server(tmp_path, (SHIPPED,)) as (url, runtime):
        async with websockets.connect(f"{url}/ws?dialogue=satisfaction_survey") as ws:
            await ws.send(json.dumps({"type": "start", "sample_rate_hz": 16000,
                                      "variables": {"customer_name": "Dana"}}))
            call = await real_time_caller(ws, [padded(synth(a), 100, 0) for a in answers], timeout_s=150)
        saved = runtime.store.get(call.record["call_id"])
        has_audio = runtime.store.audio_path(call.record["call_id"]) is not None
        dialogue_hash = runtime.dialogues.get("satisfaction_survey").content_hash
    record = call.record
    assert record["outcome"] == "completed", [(t["role"], t["text"]) for t in record["turns"]]
    assert record["slots"]["consent"] is True
    assert record["slots"]["satisfaction"] == 5 and record["slots"]["recommend"] == 9
    assert "friendly" in record["slots"]["comment"].lower()
    assert record["variables"]["customer_name"] == "Dana"
    assert call.of_type("bot")[0]["text"].startswith("Hi Dana")
    caller_turns = [t for t in record["turns"] if t["role"] == "caller"]
    assert len(caller_turns) == 4
    assert all(t["latency_ms"] > 0 and t["timings"]["stt_final_ms"] >= 0 for t in caller_turns)
    meta = record["meta"]
    assert meta["stt_model"] == "faster-whisper:tiny.en" and meta["tts_engine"] == "piper"
    assert meta["dialogue_hash"] == dialogue_hash
    assert saved is not None and saved.outcome == "completed" and saved.turns == [
        type(saved.turns[0])(**t) for t in record["turns"]]
    assert has_audio
