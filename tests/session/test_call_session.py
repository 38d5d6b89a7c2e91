"""The call pipeline end to end with the real models: speech in, dialogue, speech out, record saved."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.audio.speech import padded, synth
from tests.session.helpers import engine_pool, runtime, voice_check
from voicebot.transport.file import run_file_call


async def test_a_spoken_call_completes_and_saves_one_record_with_two_channel_audio(tmp_path: Path) -> None:
    rt = runtime(tmp_path)
    turns = [padded(synth("Yes, please."), 200, 0), padded(synth("Three."), 200, 0)]
    result = await run_file_call(rt, voice_check(), turns, engines=engine_pool())
    record = result.record
    assert record.outcome == "done", record.to_json()
    assert record.slots == {"wants": True, "size": 3}
    caller = [t for t in record.turns if t.role == "caller"]
    assert len(caller) == 2
    for turn in caller:
        assert turn.latency_ms is not None and turn.latency_ms > 0
        assert turn.timings is not None and set(turn.timings) >= {"stt_final_ms", "first_audio_out_ms"}
    assert record.meta["stt_model"] == "faster-whisper:tiny.en"
    assert record.meta["tts_engine"] == "piper" and record.meta["door"] == "file"
    assert record.meta["dialogue_hash"] == voice_check().content_hash
    stored = rt.store.get(record.call_id)
    assert stored is not None and stored.outcome == "done"
    assert rt.store.audio_path(record.call_id) is not None
    audio = result.audio
    assert audio.ndim == 2 and audio.shape[1] == 2
    assert np.abs(audio[:, 0]).max() > 1000 and np.abs(audio[:, 1]).max() > 1000
