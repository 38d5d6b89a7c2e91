"""A caller asks for a person: the bot's transfer becomes an AMI Redirect to the agents queue, whose
member phone (6002) rings, answers, and the two talk."""

from __future__ import annotations

import pytest

from .phone import Phone
from .service import Service
from .sound import segments, speech_seconds

pytestmark = pytest.mark.asterisk

PIZZA = "100"


def test_transfer_to_the_agents_queue(service: Service, caller: Phone, agent: Phone) -> None:
    before = service.call_ids()
    agent_mark = agent.mark()
    mark = caller.call(PIZZA)
    caller.wait_bot_turn()  # greeting and "what would you like to order?"
    caller.say("I want to talk to a person.")
    agent.wait_event("CALL_ESTABLISHED", 90, after=agent_mark)  # the queue rang the member; it answered
    agent.new_call()
    record = service.wait_new_call(before)  # the bot's part ended when the channel left AudioSocket
    caller_heard_before = caller.heard().size
    agent.say("Hello, this is Sam at the store. How can I help?")
    caller.say("Hi Sam, I would like to order a pizza.")
    caller.hangup()
    caller.wait_event("CALL_CLOSED", 30, after=mark)
    agent.wait_event("CALL_CLOSED", 30, after=agent_mark)
    assert record["outcome"] == "transferred", record
    # The caller heard the bot, then the agent; the agent heard the caller.
    assert speech_seconds(caller.heard()[:caller_heard_before]) > 2
    assert segments(caller.heard()[caller_heard_before:]), "the caller never heard the agent"
    assert speech_seconds(agent.heard()) > 1, "the agent never heard the caller"
