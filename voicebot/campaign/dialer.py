"""Dialling through Asterisk: AMI Originate into the outbound context, then the AudioSocket call."""

from __future__ import annotations

from dataclasses import dataclass

from voicebot.campaign.policy import ANSWERED, FAILED
from voicebot.campaign.runner import DialRequest, DialResult
from voicebot.errors import ProtocolError
from voicebot.telephony.ami import AmiClient
from voicebot.telephony.routing import CallRoute, CallRouter

# Channel variable naming the AudioSocket listener the outbound context connects to.
AUDIOSOCKET_VARIABLE = "VOICEBOT_AUDIOSOCKET"


@dataclass(frozen=True, slots=True)
class OutboundSettings:
    channel_template: str = "PJSIP/{phone}@trunk"  # how Asterisk reaches a number
    context: str = "voicebot-outbound"
    exten: str = "s"
    audiosocket: str = "127.0.0.1:9092"  # as Asterisk reaches the bot's AudioSocket listener
    ring_timeout_s: float = 30.0
    call_timeout_s: float = 1800.0  # longest call the dialer waits for
    connect_timeout_s: float = 10.0  # answered -> AudioSocket connected
    caller_id: str | None = None


class AmiDialer:
    """Implements :class:`voicebot.campaign.runner.Dialer` with an AMI client and a call router."""

    def __init__(self, ami: AmiClient, router: CallRouter, settings: OutboundSettings) -> None:
        self.ami = ami
        self.router = router
        self.settings = settings

    async def dial(self, request: DialRequest) -> DialResult:
        s = self.settings
        self.router.expect(request.call_id, CallRoute(request.dialogue, dict(request.variables), "campaign",
                                                      request.campaign_id))
        try:
            try:
                result = await self.ami.originate(
                    channel=s.channel_template.format(phone=request.phone), context=s.context,
                    exten=s.exten, call_id=request.call_id, ring_timeout_s=s.ring_timeout_s,
                    variables={AUDIOSOCKET_VARIABLE: s.audiosocket}, caller_id=s.caller_id)
                outcome = result.outcome
            except (ProtocolError, TimeoutError):
                # AMI dropped mid-originate: the AudioSocket connection is the proof of an answer.
                answered = await self.router.wait_started(request.call_id, s.connect_timeout_s)
                outcome = ANSWERED if answered else FAILED
            if outcome != ANSWERED:
                return DialResult(outcome)
            if not await self.router.wait_started(request.call_id, s.connect_timeout_s):
                return DialResult(FAILED)
            record = await self.router.wait_record(request.call_id, s.call_timeout_s)
            return DialResult(ANSWERED if record is not None else FAILED, record)
        finally:
            self.router.forget(request.call_id)

    async def hang_up(self, call_id: str) -> None:
        """End a call the campaign runner stopped (its lease could not be kept)."""
        await self.ami.hangup(call_id)
