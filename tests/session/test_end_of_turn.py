"""session.end_of_turn smart_turn in a real call: a caller who pauses mid-number is not cut off.

Real models, the file door in real time (the judges of a pause answer in wall time, as on a line).
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.audio.speech import padded, synth
from tests.session.helpers import engine_pool, runtime
from voicebot.config import load_config
from voicebot.errors import ConfigError
from voicebot.session.settings import SessionSettings
from voicebot.session.take_back import TakeBackConfig
from voicebot.transport.file import run_file_call

RATE_HZ = 16_000


@cache
def end_of_turn_check() -> Any:
    from voicebot.dialogue.loader import load_dialogue

    return load_dialogue(Path(__file__).with_name("end_of_turn_check.yml"))


def number_with_a_pause(pause_s: float) -> np.ndarray:
    first = synth("My number is five five five")
    second = synth("one two three, four five six seven.")
    return np.concatenate([padded(first, 200, 0), np.zeros(round(pause_s * RATE_HZ), np.float32), second])


async def call(tmp_path: Path, settings: SessionSettings) -> Any:
    result = await run_file_call(runtime(tmp_path), end_of_turn_check(), [number_with_a_pause(0.9)],
                                 engines=engine_pool(), settings=settings, realtime=True)
    return result.record


async def test_a_pause_inside_a_phone_number_does_not_end_the_turn(tmp_path: Path) -> None:
    record = await call(tmp_path, SessionSettings())  # smart_turn is the default
    caller = [t.text for t in record.turns if t.role == "caller"]
    assert record.slots.get("phone") == "5551234567", record.to_json()
    assert len(caller) == 1 and record.outcome == "done"
    assert record.meta["turn_model_asks"] >= 1
    # Where the turn's latency went: the judges' pause, then the decode it waited for, if any.
    timings = next(t.timings for t in record.turns if t.role == "caller")
    assert timings is not None and 0 < timings["turn_end_ms"] <= timings["stt_final_ms"], timings
    assert "transcript_ready_ms" in timings
    assert sum(v for k, v in record.meta.items() if k.startswith("turn_ends_")) == 1, record.meta


async def test_the_silence_rule_cuts_the_same_caller_off(tmp_path: Path) -> None:
    """The control: 600 ms of silence ends the turn inside the 900 ms pause (with taking a turn back
    off: on, the caller going on would take the cut turn back, tests/session/test_take_back_call.py)."""
    record = await call(tmp_path, replace(SessionSettings(), end_of_turn="silence",
                                          take_back=TakeBackConfig(window_ms=0)))
    first = next(t.text for t in record.turns if t.role == "caller")
    assert "4567" not in first.replace("-", "").replace(" ", ""), record.to_json()


def test_config_selects_and_tunes_the_endpointing(tmp_path: Path) -> None:
    config = load_config(env={"VOICEBOT_SESSION__END_OF_TURN": "smart_turn",
                              "VOICEBOT_TURN__ASK_PAUSE_MS": "250", "VOICEBOT_TURN__MAX_PAUSE_MS": "1800",
                              "VOICEBOT_TURN__THRESHOLD": "0.7", "VOICEBOT_TURN__COMPLETE_PAUSE_MS": "700",
                              "VOICEBOT_TURN__OPEN_PAUSE_MS": "1200"})
    settings = SessionSettings.from_config(config)
    assert settings.endpointing.complete_pause_ms == 700 and settings.endpointing.open_pause_ms == 1200
    assert settings.end_of_turn == "smart_turn" and settings.speculate_after_ms == 250
    assert settings.endpointing.max_pause_ms == 1800 and settings.endpointing.complete_threshold == 0.7
    assert settings.longest_pause_ms == 1800
    assert SessionSettings.from_config(load_config(env={})).end_of_turn == "smart_turn"
    silence = load_config(env={"VOICEBOT_SESSION__END_OF_TURN": "silence"})
    assert SessionSettings.from_config(silence).end_of_turn == "silence"
    with pytest.raises(ConfigError, match=re.escape("session.end_of_turn: must be silence or smart_turn")):
        load_config(env={"VOICEBOT_SESSION__END_OF_TURN": "vibes"})
    with pytest.raises(ConfigError, match=re.escape("turn.ask_pause_ms")):
        load_config(env={"VOICEBOT_TURN__ASK_PAUSE_MS": "2000"})
