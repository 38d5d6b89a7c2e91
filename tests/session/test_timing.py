"""Turn stamps and the latency they give, with literal clock values."""

from __future__ import annotations

import pytest

from voicebot.session.timing import TurnClock


def test_latency_is_first_audio_out_minus_speech_end() -> None:
    clock = TurnClock()
    clock.stamp("speech_end", 10.0)
    clock.stamp("transcript_ready", 10.15)  # the speculative decode, before the end of turn
    clock.stamp("turn_end", 10.2)
    clock.stamp("stt_final", 10.25)
    clock.stamp("decision", 10.251)
    clock.stamp("first_tts_chunk", 10.4)
    clock.stamp("first_audio_out", 10.412)
    assert clock.latency_ms() == 412
    assert clock.timings_ms() == {"turn_end_ms": 200.0, "transcript_ready_ms": 150.0,
                                  "stt_final_ms": 250.0, "decision_ms": 251.0,
                                  "first_tts_chunk_ms": 400.0, "first_audio_out_ms": 412.0}


def test_first_stamp_of_a_kind_wins_and_missing_stamps_give_no_latency() -> None:
    clock = TurnClock()
    clock.stamp("speech_end", 1.0)
    assert clock.latency_ms() is None
    clock.stamp("first_audio_out", 1.5)
    clock.stamp("first_audio_out", 9.0)
    assert clock.latency_ms() == 500


def test_unknown_stamp_is_a_bug() -> None:
    with pytest.raises(ValueError):
        TurnClock().stamp("coffee", 0.0)
