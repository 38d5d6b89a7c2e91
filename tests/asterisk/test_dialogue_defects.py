"""The two dialogue defects the real-Asterisk run showed (issue 14), through the same door.

- A phone without a caller-ID name calls the survey line, whose dialplan sets the variable from
  ${CALLERID(name)} (empty): the greeting uses the survey's declared default, "there".
- A free-text answer (the survey's comment) is never read back ("I think you said ... Is that
  right?"), whatever its confidence.
"""

from __future__ import annotations

from typing import Any

import pytest

from .phone import Phone
from .service import Service
from .sound import speech_seconds

pytestmark = pytest.mark.asterisk

SURVEY = "101"


def bot_texts(record: dict[str, Any]) -> list[str]:
    return [t["text"] for t in record["turns"] if t["role"] == "bot"]


def test_empty_caller_id_name_gets_the_declared_default(service: Service, agent: Phone) -> None:
    before = service.call_ids()
    mark = agent.call(SURVEY)  # 6002 has no display name: CALLERID(name) is empty
    agent.wait_bot_turn()
    agent.hangup()
    agent.wait_event("CALL_CLOSED", 30, after=mark)
    record = service.wait_new_call(before)
    greeting = bot_texts(record)[0]
    assert greeting.startswith("Hi there, "), greeting
    assert "Hi ," not in " ".join(bot_texts(record))
    assert speech_seconds(agent.heard()) > 3


def test_free_text_is_not_read_back(service: Service, caller: Phone) -> None:
    before = service.call_ids()
    mark = caller.call(SURVEY)
    for answer in ("Yes.", "Five.", "Ten."):
        caller.wait_bot_turn()
        caller.say(answer)
    caller.wait_bot_turn()  # "Is there anything you'd like to tell us about the visit?"
    # Mumbled and fast: the kind of comment the recogniser hears with low confidence.
    caller.say("Um, the guy, uh, he was kinda okay I guess, the cable thing works now mostly.")
    caller.wait_event("CALL_CLOSED", 120, after=mark)
    record = service.wait_new_call(before)
    assert record["outcome"] == "completed", record
    assert record["slots"].get("comment"), record["slots"]
    texts = bot_texts(record)
    assert not [t for t in texts if "you said" in t.lower()], texts
    assert record["turns"][-1]["role"] == "bot" and "goodbye" in texts[-1].lower()
