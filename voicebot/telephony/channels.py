"""What AMI events tell about calls in progress: a pure tracker fed one message at a time.

It survives AMI reconnects (the client keeps it) so calls in progress are not forgotten; after a
reconnect the client resynchronises it from ``CoreShowChannels``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from voicebot.telephony.ami_protocol import AmiMessage

# Channel variable that carries the AudioSocket UUID (the call_id); the dialplan sets it before AudioSocket().
CALL_ID_VARIABLE = "VOICEBOT_CALL_ID"

# OriginateResponse "Reason" codes (Asterisk's AST_CONTROL_* values) -> campaign dial outcome.
_ORIGINATE_REASONS = {
    "0": "failed",  # no such channel / unreachable
    "1": "rejected",  # the far end hung up while ringing
    "3": "no_answer",  # rang until the originate timeout
    "4": "answered",
    "5": "busy",
    "8": "failed",  # congestion
}


# Q.850 hangup causes of an originated channel that ended before it was answered -> dial outcome.
# Asterisk 22 answers a PJSIP "486 Busy Here" with OriginateResponse Reason 0 (as for a dead number);
# only the channel's HangupRequest/Hangup event (Cause 17, "User busy") says it was busy.
_HANGUP_CAUSES = {
    "17": "busy",  # user busy (486)
    "18": "no_answer",  # no user responding
    "19": "no_answer",  # no answer from user
    "21": "rejected",  # call rejected (603)
}


def originate_outcome(response: str | None, reason: str | None, hangup_cause: str | None = None) -> str:
    """Dial outcome of an ``OriginateResponse`` event; ``hangup_cause`` (the dialled channel's Q.850
    cause, when it ended before the response) refines a Reason that says nothing (0, or none)."""
    if (response or "").lower() == "success":
        return "answered"
    outcome = _ORIGINATE_REASONS.get((reason or "").strip(), "failed")
    if outcome == "failed" and (reason or "0").strip() == "0" and hangup_cause:
        return _HANGUP_CAUSES.get(hangup_cause.strip(), "failed")
    return outcome


@dataclass(slots=True)
class ChannelInfo:
    unique_id: str
    channel: str
    state: str = ""
    variables: dict[str, str] = field(default_factory=dict)
    hangup_cause: str | None = None

    @property
    def call_id(self) -> str | None:
        return self.variables.get(CALL_ID_VARIABLE)


@dataclass(frozen=True, slots=True)
class OriginateResult:
    action_id: str
    outcome: str  # answered, no_answer, busy, rejected, failed
    unique_id: str | None = None


class ChannelTracker:
    """Channels by Asterisk uniqueid, indexed by voicebot call_id once the dialplan names it."""

    def __init__(self) -> None:
        self.channels: dict[str, ChannelInfo] = {}
        self._by_call_id: dict[str, str] = {}
        self.originate_results: dict[str, OriginateResult] = {}
        self._originating: dict[str, str] = {}  # action_id -> call_id of originates in flight
        self.hung_up: dict[str, str] = {}  # call_id -> hangup cause, for calls already gone
        # call_id -> Q.850 cause (HangupRequest/Hangup) of an originate in flight, to refine its outcome
        self.hangup_causes: dict[str, str] = {}

    def handle(self, message: AmiMessage) -> OriginateResult | None:
        """Update from one event. Returns the originate result when the event is one."""
        event = (message.event or "").lower()
        unique_id = message.get("Uniqueid") or ""
        if event == "newchannel" and unique_id:
            self.channels[unique_id] = ChannelInfo(unique_id, message.get("Channel") or "",
                                                   message.get("ChannelStateDesc") or "")
        elif event == "newstate" and unique_id:
            info = self._ensure(unique_id, message)
            info.state = message.get("ChannelStateDesc") or info.state
        elif event == "varset" and unique_id:
            info = self._ensure(unique_id, message)
            name, value = message.get("Variable") or "", message.get("Value") or ""
            info.variables[name] = value
            if name == CALL_ID_VARIABLE and value:
                self._by_call_id[value] = unique_id
        elif event == "hanguprequest" and unique_id:
            self._note_cause(self.channels.get(unique_id), message)
        elif event == "hangup" and unique_id:
            gone = self.channels.pop(unique_id, None)
            if gone is not None and gone.call_id:
                self._by_call_id.pop(gone.call_id, None)
                self.hung_up[gone.call_id] = message.get("Cause-txt") or message.get("Cause") or ""
                self._note_cause(gone, message)
        elif event == "originateresponse":
            action_id = message.action_id or ""
            call_id = self._originating.pop(action_id, None)
            cause = self.hangup_causes.pop(call_id, None) if call_id else None
            outcome = originate_outcome(message.response, message.get("Reason"), cause)
            result = OriginateResult(action_id, outcome, message.get("Uniqueid"))
            self.originate_results[action_id] = result
            return result
        return None

    def originating(self, action_id: str, call_id: str) -> None:
        """An Originate for ``call_id`` goes out as ``action_id``: its response may need the cause."""
        self._originating[action_id] = call_id
        self.hangup_causes.pop(call_id, None)

    def originate_done(self, action_id: str) -> None:
        """The originate's wait is over (answered, failed, or no response came)."""
        call_id = self._originating.pop(action_id, None)
        if call_id is not None:
            self.hangup_causes.pop(call_id, None)

    def _note_cause(self, info: ChannelInfo | None, message: AmiMessage) -> None:
        cause = message.get("Cause")
        if info is not None and info.call_id and cause and info.call_id in self._originating.values():
            self.hangup_causes[info.call_id] = cause

    def _ensure(self, unique_id: str, message: AmiMessage) -> ChannelInfo:
        info = self.channels.get(unique_id)
        if info is None:
            info = self.channels[unique_id] = ChannelInfo(unique_id, message.get("Channel") or "")
        return info

    def channel_for_call(self, call_id: str) -> ChannelInfo | None:
        unique_id = self._by_call_id.get(call_id)
        return self.channels.get(unique_id) if unique_id else None

    def resync(self, alive_unique_ids: Iterable[str]) -> list[ChannelInfo]:
        """Forget channels that ended while AMI was disconnected; returns them."""
        alive = set(alive_unique_ids)
        gone = [info for uid, info in self.channels.items() if uid not in alive]
        for info in gone:
            self.channels.pop(info.unique_id, None)
            if info.call_id:
                self._by_call_id.pop(info.call_id, None)
                self.hung_up[info.call_id] = "ended while AMI was disconnected"
        return gone
