"""Inbound calls from a registered softphone (6001) through Asterisk's dialplan to the bot.

Each test asserts the saved call record (GET /api/calls) and that the phone heard the bot speak.
Turn-taking is by ear, as a person would: the phone answers once the bot has been quiet a while.
"""

from __future__ import annotations

from typing import Any

import pytest

from .phone import Phone
from .service import Service
from .sound import speech_seconds

pytestmark = pytest.mark.asterisk

SURVEY = "101"


def caller_turns(record: dict[str, Any]) -> list[dict[str, Any]]:
    return [t for t in record["turns"] if t["role"] == "caller"]


def bot_prompts(record: dict[str, Any]) -> list[str]:
    return [t.get("prompt_id") or "" for t in record["turns"] if t["role"] == "bot"]


def test_inbound_survey_completed(service: Service, caller: Phone) -> None:
    before = service.call_ids()
    mark = caller.call(SURVEY)
    caller.wait_bot_turn()  # greeting and the consent question
    caller.say("Yes, sure.")
    caller.wait_bot_turn()
    caller.say("Four.")
    caller.wait_bot_turn()
    caller.say("Nine.")
    caller.wait_bot_turn()
    caller.say("The technician was friendly and quick.")
    caller.wait_event("CALL_CLOSED", 120, after=mark)  # the bot thanks the caller and hangs up
    heard = caller.heard()
    record = service.wait_new_call(before)
    assert record["outcome"] == "completed", record
    assert record["slots"]["consent"] is True
    assert record["slots"]["satisfaction"] == 4 and record["slots"]["recommend"] == 9, record["slots"]
    assert "technician" in str(record["slots"]["comment"]).lower(), record["slots"]
    assert record["variables"]["customer_name"] == "Pat"  # the caller-ID name, through the dialplan
    assert bot_prompts(record)[-1] == "thanks"
    assert record["meta"]["door"] == "audiosocket"
    assert speech_seconds(heard) > 10, "the phone heard (almost) nothing"


def test_dtmf_answer(service: Service, caller: Phone) -> None:
    before = service.call_ids()
    mark = caller.call(SURVEY)
    caller.wait_bot_turn()
    caller.say("Yes.")
    caller.wait_bot_turn()  # "... how satisfied were you ...? You can also press a key."
    caller.dtmf("5")  # RFC 2833 from the phone; Asterisk hands it to AudioSocket as a DTMF message
    caller.wait_bot_turn()  # the next question: the key was the answer
    caller.hangup()
    caller.wait_event("CALL_CLOSED", 30, after=mark)
    record = service.wait_new_call(before)
    assert record["slots"]["satisfaction"] == 5, record
    assert any(t.get("dtmf") == "5" for t in caller_turns(record)), record["turns"]
    assert "ask_recommend" in bot_prompts(record)
    assert record["meta"].get("end_reason") == "caller_hangup", record["meta"]
    assert speech_seconds(caller.heard()) > 5


def test_caller_hangs_up_during_a_prompt(service: Service, caller: Phone) -> None:
    before = service.call_ids()
    mark = caller.call(SURVEY)
    caller.wait_sound()  # the greeting has begun
    caller.hangup()
    caller.wait_event("CALL_CLOSED", 30, after=mark)
    record = service.wait_new_call(before)
    assert record["ended_at"] and record["outcome"] != "completed", record
    assert record["meta"].get("end_reason") == "caller_hangup", record["meta"]
    assert not caller_turns(record)
    assert bot_prompts(record)[:1] == ["intro"], record["turns"]
    assert speech_seconds(caller.heard()) > 0.1
