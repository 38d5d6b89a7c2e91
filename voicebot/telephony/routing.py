"""Which dialogue an Asterisk call runs, with which variables, and who waits for its record.

Order: the campaign that originated the call (known by its UUID), else the channel variables read
through AMI (``VOICEBOT_DIALOGUE``, ``VOICEBOT_VAR_<NAME>``), else the default dialogue.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from voicebot.errors import ConfigError
from voicebot.record import CallRecord

DIALOGUE_VARIABLE = "VOICEBOT_DIALOGUE"
VARIABLE_PREFIX = "VOICEBOT_VAR_"
TRANSFER_CONTEXT = "voicebot-transfer"
DEFAULT_TRANSFER_EXTEN = "agents"


@dataclass(frozen=True, slots=True)
class CallRoute:
    dialogue: str
    variables: dict[str, Any] = field(default_factory=dict)
    source: str = "default"  # "campaign", "ami" or "default"
    campaign_id: str | None = None


def choose_route(call_id: str, expected: CallRoute | None, channel_variables: Mapping[str, str] | None,
                 default_dialogue: str | None) -> CallRoute:
    """Pure routing decision.

    Raises:
        ConfigError: nothing names a dialogue for this call.
    """
    if expected is not None:
        return expected
    if channel_variables:
        variables = {name[len(VARIABLE_PREFIX):].lower(): value for name, value in channel_variables.items()
                     if name.startswith(VARIABLE_PREFIX)}
        dialogue = channel_variables.get(DIALOGUE_VARIABLE) or default_dialogue
        if dialogue:
            return CallRoute(dialogue, variables, "ami")
    if default_dialogue:
        return CallRoute(default_dialogue)
    raise ConfigError(f"AudioSocket call {call_id}: no dialogue for it; set audiosocket.default_dialogue "
                      f"(or --audiosocket-dialogue), or {DIALOGUE_VARIABLE} in the dialplan with AMI "
                      "configured")


def parse_transfer_target(target: str | None) -> tuple[str, str]:
    """Dialogue transfer target -> (context, extension). ``"2001"``, ``"sales@my-context"``, None."""
    if not target:
        return TRANSFER_CONTEXT, DEFAULT_TRANSFER_EXTEN
    exten, sep, context = target.partition("@")
    return (context if sep and context else TRANSFER_CONTEXT), exten


ChannelVariables = Callable[[str], Mapping[str, str] | None]


class CallRouter:
    """Shared by the AudioSocket server and campaign dialers of one process."""

    def __init__(self, default_dialogue: str | None = None, *,
                 channel_variables: ChannelVariables | None = None, ami_wait_s: float = 1.0) -> None:
        self.default_dialogue = default_dialogue
        self.channel_variables = channel_variables
        self.ami_wait_s = ami_wait_s
        self._expected: dict[str, CallRoute] = {}
        self._started: dict[str, asyncio.Event] = {}
        self._records: dict[str, asyncio.Future[CallRecord]] = {}

    def expect(self, call_id: str, route: CallRoute) -> None:
        """A campaign is about to originate ``call_id``: route it so, and keep its record."""
        self._expected[call_id] = route
        self._started.setdefault(call_id, asyncio.Event())
        self._records.setdefault(call_id, asyncio.get_running_loop().create_future())

    def forget(self, call_id: str) -> None:
        self._expected.pop(call_id, None)
        self._started.pop(call_id, None)
        future = self._records.pop(call_id, None)
        if future is not None and not future.done():
            future.cancel()

    async def route(self, call_id: str) -> CallRoute:
        expected = self._expected.get(call_id)
        variables = None
        if expected is None and self.channel_variables is not None:
            # The VarSet event can trail the AudioSocket connection by a moment.
            loop = asyncio.get_running_loop()
            deadline = loop.time() + self.ami_wait_s
            while (variables := self.channel_variables(call_id)) is None and loop.time() < deadline:
                await asyncio.sleep(0.05)
        return choose_route(call_id, expected, variables, self.default_dialogue)

    def call_started(self, call_id: str) -> None:
        event = self._started.get(call_id)
        if event is not None:
            event.set()

    def was_started(self, call_id: str) -> bool:
        event = self._started.get(call_id)
        return event is not None and event.is_set()

    def call_finished(self, call_id: str, record: CallRecord) -> None:
        future = self._records.get(call_id)
        if future is not None and not future.done():
            future.set_result(record)

    async def wait_started(self, call_id: str, timeout_s: float) -> bool:
        event = self._started.get(call_id)
        if event is None:
            return False
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout_s)
        return event.is_set()

    async def wait_record(self, call_id: str, timeout_s: float) -> CallRecord | None:
        future = self._records.get(call_id)
        if future is None:
            return None
        try:
            return await asyncio.wait_for(asyncio.shield(future), timeout_s)
        except TimeoutError:
            return None
