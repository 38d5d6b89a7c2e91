"""The step log's result of one caller event, from literals."""

from __future__ import annotations

from typing import Any

import pytest

from voicebot.dialogue import steplog


def classify(event: str = "text", **changes: Any) -> str:
    state: dict[str, Any] = {"attempts_before": 0, "attempts_after": 0, "was_read_back": False,
                             "read_back_now": False, "same_question": False, "slots_changed": True,
                             "ended": False, "outcome": None, "at_confirm": False}
    return steplog.classify(event, **{**state, **changes})


@pytest.mark.parametrize(("changes", "result"), [
    ({}, "answered"),
    ({"attempts_after": 1, "same_question": True, "slots_changed": False}, "not_understood"),
    ({"attempts_after": 1, "ended": True, "outcome": "transferred"}, "not_understood"),  # the last miss
    ({"read_back_now": True, "slots_changed": False}, "read_back"),
    ({"was_read_back": True}, "confirmed"),
    ({"was_read_back": True, "attempts_after": 1}, "rejected"),
    ({"ended": True, "outcome": "transferred", "slots_changed": False}, "transferred"),
    ({"same_question": True, "at_confirm": True}, "corrected"),
    ({"same_question": True}, "repeat"),  # another slot volunteered at an ask
    ({"same_question": True, "slots_changed": False}, "repeat"),
])
def test_results(changes: dict[str, Any], result: str) -> None:
    assert classify(**changes) == result


def test_silence_and_hangup_are_what_they_are() -> None:
    assert classify("silence", attempts_after=3) == "silence"
    assert classify("hangup", ended=True, outcome="hangup") == "hangup"
    meta: dict[str, Any] = {}
    steplog.note(meta, "ask.size", "silence", None)
    steplog.note(meta, "ask.size", "answered", 4)
    assert meta == {"steps": [{"step": "ask.size", "result": "silence"},
                              {"step": "ask.size", "result": "answered", "turn": 4}]}
