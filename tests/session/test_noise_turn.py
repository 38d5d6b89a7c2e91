"""Noise that whisper writes as words ("you", "Thanks for watching!") is no turn of the caller's."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.audio.speech import padded, synth
from tests.session.helpers import engine_pool, runtime, voice_check
from voicebot.transport.file import run_file_call


def _noise_burst(rate_hz: int = 16_000) -> np.ndarray:
    """A second of loud hiss: speech to the VAD, "you" to tiny.en."""
    rng = np.random.default_rng(7)
    hiss = rng.normal(0.0, 0.3, rate_hz).astype(np.float32).clip(-1.0, 1.0)
    return np.concatenate([np.zeros(rate_hz // 2, np.float32), hiss, np.zeros(rate_hz, np.float32)])


async def test_noise_written_as_a_word_is_not_heard_as_an_answer(tmp_path: Path) -> None:
    rt = runtime(tmp_path)
    turns = [_noise_burst(), padded(synth("Yes, please."), 200, 0), padded(synth("Three."), 200, 0)]
    result = await run_file_call(rt, voice_check(), turns, engines=engine_pool())
    record = result.record
    assert record.outcome == "done", record.to_json()
    assert record.slots == {"wants": True, "size": 3}
    said = [t.text for t in record.turns if t.role == "caller"]
    assert said == ["Yes, please.", "Three."], said
    assert not any("catch that" in t.text for t in record.turns if t.role == "bot")
