"""AMI: the wire codec with literals, the call tracker, and the client against a loopback AMI server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from voicebot.errors import AuthError, ProtocolError
from voicebot.telephony.ami import AmiClient, AmiSettings, _Backoff
from voicebot.telephony.ami_protocol import AmiBanner, AmiMessage, AmiProtocol, AmiViolation, encode_action
from voicebot.telephony.channels import ChannelTracker, originate_outcome

from .ami_server import LoopbackAmi

WIRE = (b"Asterisk Call Manager/9.0.0\r\n"
        b"Response: Success\r\nActionID: 1\r\nMessage: Authentication accepted\r\n\r\n"
        b"Event: VarSet\r\nUniqueid: 17.1\r\nVariable: VOICEBOT_CALL_ID\r\nValue: abc\r\n\r\n")


def parse(*chunks: bytes) -> list[object]:
    proto = AmiProtocol()
    out: list[object] = []
    for chunk in chunks:
        proto.receive_data(chunk)
        out.extend(proto.events_received())
    return out


def test_codec_reads_banner_and_messages() -> None:
    banner, response, event = parse(WIRE)
    assert banner == AmiBanner("9.0.0")
    assert isinstance(response, AmiMessage) and isinstance(event, AmiMessage)
    assert response.response == "Success" and response.action_id == "1"
    assert event.event == "VarSet" and event["value"] == "abc"


@pytest.mark.parametrize("offset", range(0, len(WIRE) + 1, 3))
def test_codec_split_anywhere(offset: int) -> None:
    assert parse(WIRE[:offset], WIRE[offset:]) == parse(WIRE)


def test_codec_accepts_bare_newlines_and_command_output() -> None:
    [_, msg] = parse(b"Asterisk Call Manager/5.0\nResponse: Follows\nPrivilege: Command\n"
                     b"Channel              Location\n--END COMMAND--\n\n")
    assert isinstance(msg, AmiMessage)
    assert msg.response == "Follows"
    assert "--END COMMAND--" in (msg.get("Output") or "")


def test_codec_rejects_a_non_ami_peer() -> None:
    [event] = parse(b"SSH-2.0-OpenSSH_9.6\r\n")
    assert isinstance(event, AmiViolation)
    assert "not an AMI server" in event.reason


def test_codec_bounds_an_endless_message() -> None:
    events = parse(b"Asterisk Call Manager/9.0.0\r\n", b"Key: " + b"x" * (1 << 20) + b"x")
    assert isinstance(events[-1], AmiViolation)


def test_encode_action_repeats_list_fields() -> None:
    data = encode_action("Originate", "7", {"Channel": "PJSIP/100", "Variable": ["A=1", "B=2"]})
    assert data == (b"Action: Originate\r\nActionID: 7\r\nChannel: PJSIP/100\r\n"
                    b"Variable: A=1\r\nVariable: B=2\r\n\r\n")
    with pytest.raises(ValueError, match="one line"):
        encode_action("Login", "1", {"Secret": "a\r\nAction: Hangup"})


@pytest.mark.parametrize(("response", "reason", "outcome"), [
    ("Success", "4", "answered"), ("Failure", "5", "busy"), ("Failure", "3", "no_answer"),
    ("Failure", "1", "rejected"), ("Failure", "8", "failed"), ("Failure", "0", "failed"),
    ("Failure", None, "failed"),
])
def test_originate_outcomes(response: str, reason: str | None, outcome: str) -> None:
    assert originate_outcome(response, reason) == outcome


@pytest.mark.parametrize(("reason", "cause", "outcome"), [
    ("0", "17", "busy"), ("0", "21", "rejected"), ("0", "19", "no_answer"), ("0", "1", "failed"),
    (None, "17", "busy"), ("3", "17", "no_answer"), ("8", "17", "failed"),
])
def test_hangup_cause_refines_an_empty_reason(reason: str | None, cause: str, outcome: str) -> None:
    # Asterisk 22 reports a PJSIP "486 Busy Here" as Reason 0; only the channel's cause says busy.
    assert originate_outcome("Failure", reason, cause) == outcome
    assert originate_outcome("Success", "4", cause) == "answered"


def test_tracker_takes_the_cause_of_an_originated_channel_only() -> None:
    tracker = ChannelTracker()
    tracker.originating("a1", "c1")
    for uid, call_id in (("1.1", "c1"), ("1.2", "other")):
        tracker.handle(msg(Event="Newchannel", Channel=f"PJSIP/trunk-{uid}", Uniqueid=uid))
        tracker.handle(msg(Event="VarSet", Uniqueid=uid, Variable="VOICEBOT_CALL_ID", Value=call_id))
        tracker.handle(msg(Event="HangupRequest", Uniqueid=uid, Cause="17"))
    assert tracker.hangup_causes == {"c1": "17"}
    result = tracker.handle(msg(Event="OriginateResponse", ActionID="a1", Response="Failure", Reason="0"))
    assert result is not None and result.outcome == "busy"
    assert tracker.hangup_causes == {}


def msg(**fields: str) -> AmiMessage:
    return AmiMessage(tuple(fields.items()))


def test_tracker_links_call_id_to_channel_and_forgets_on_hangup() -> None:
    tracker = ChannelTracker()
    tracker.handle(msg(Event="Newchannel", Channel="PJSIP/alice-1", Uniqueid="1.1"))
    tracker.handle(msg(Event="VarSet", Uniqueid="1.1", Variable="VOICEBOT_DIALOGUE", Value="pizza_order"))
    tracker.handle(msg(Event="VarSet", Uniqueid="1.1", Variable="VOICEBOT_CALL_ID", Value="c1"))
    info = tracker.channel_for_call("c1")
    assert info is not None and info.channel == "PJSIP/alice-1"
    assert info.variables["VOICEBOT_DIALOGUE"] == "pizza_order"
    tracker.handle(msg(Event="Hangup", Uniqueid="1.1", Cause="16"))
    assert tracker.channel_for_call("c1") is None
    assert tracker.hung_up["c1"] == "16"


def test_tracker_resync_drops_channels_that_ended_unseen() -> None:
    tracker = ChannelTracker()
    for uid, cid in (("1.1", "a"), ("1.2", "b")):
        tracker.handle(msg(Event="Newchannel", Channel=f"PJSIP/x-{uid}", Uniqueid=uid))
        tracker.handle(msg(Event="VarSet", Uniqueid=uid, Variable="VOICEBOT_CALL_ID", Value=cid))
    gone = tracker.resync(["1.2"])
    assert [g.call_id for g in gone] == ["a"]
    assert tracker.channel_for_call("a") is None and tracker.channel_for_call("b") is not None


def test_backoff_doubles_to_a_cap() -> None:
    delays = _Backoff(0.5, 4.0)
    assert [next(delays) for _ in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]


def test_settings_hide_the_secret() -> None:
    assert "hunter2" not in repr(AmiSettings(secret="hunter2"))


# ---- the client against a real socket ----


@pytest.fixture
async def ami() -> AsyncIterator[LoopbackAmi]:
    outcomes = {"100": "answer", "200": "busy", "300": "no_answer", "400": "reject", "500": "fail",
                "600": "pjsip_busy"}
    server = LoopbackAmi(outcome_for=lambda phone: outcomes.get(phone, "answer"))
    await server.start()
    yield server
    await server.close()


def settings_for(server: LoopbackAmi, **kw: object) -> AmiSettings:
    return AmiSettings(port=server.port, username="voicebot", secret="s3cret", reconnect_min_s=0.05,
                       reconnect_max_s=0.2, action_timeout_s=5.0, **kw)  # type: ignore[arg-type]


async def test_login_and_originate_outcomes(ami: LoopbackAmi) -> None:
    client = AmiClient(settings_for(ami))
    await client.start()
    try:
        results = await asyncio.gather(*(
            client.originate(channel=f"PJSIP/{n}@trunk", context="voicebot-outbound", exten="s",
                             call_id=f"call-{n}", ring_timeout_s=5)
            for n in ("100", "200", "300", "400", "500", "600")))
        assert [r.outcome for r in results] == ["answered", "busy", "no_answer", "rejected", "failed", "busy"]
        login = ami.actions[0]
        assert login["Username"] == "voicebot" and login["Secret"] == "s3cret"
        numbers = ("100", "200", "300", "400", "500", "600")
        assert {o.call_id for o in ami.originates} == {f"call-{n}" for n in numbers}
        originate = next(a for a in ami.actions if a.get("Action") == "Originate")
        assert originate["Context"] == "voicebot-outbound" and originate["Async"] == "true"
    finally:
        await client.close()


async def test_wrong_secret_is_an_auth_error(ami: LoopbackAmi) -> None:
    client = AmiClient(AmiSettings(port=ami.port, secret="wrong"))
    with pytest.raises(AuthError, match="VOICEBOT_AMI__SECRET"):
        await client.start()


async def test_unreachable_ami_says_where() -> None:
    server = LoopbackAmi()
    port = await server.start()
    await server.close()
    with pytest.raises(ProtocolError, match=f"127.0.0.1:{port}"):
        await AmiClient(AmiSettings(port=port)).start()


async def test_transfer_and_hangup_use_the_tracked_channel(ami: LoopbackAmi) -> None:
    client = AmiClient(settings_for(ami))
    await client.start()
    try:
        result = await client.originate(channel="PJSIP/100@trunk", context="voicebot-outbound",
                                        exten="s", call_id="c-xfer", variables={"VOICEBOT_DIALOGUE": "x"})
        assert result.outcome == "answered"
        assert client.channel_variables("c-xfer") == {"VOICEBOT_CALL_ID": "c-xfer", "VOICEBOT_DIALOGUE": "x"}
        await client.transfer("c-xfer", context="voicebot-transfer", exten="agents")
        redirect = next(a for a in ami.actions if a.get("Action") == "Redirect")
        assert redirect["Exten"] == "agents" and redirect["Channel"].startswith("PJSIP/100")
        assert await client.hangup("c-xfer") is True
        await asyncio.sleep(0.05)
        assert client.channel_variables("c-xfer") is None
        assert await client.hangup("c-xfer") is False
        with pytest.raises(ProtocolError, match="VOICEBOT_CALL_ID"):
            await client.transfer("unknown", context="voicebot-transfer", exten="agents")
    finally:
        await client.close()


async def test_drop_and_reconnect_keeps_calls_in_progress(ami: LoopbackAmi) -> None:
    client = AmiClient(settings_for(ami))
    await client.start()
    try:
        for call_id in ("stays", "ends"):
            await client.originate(channel="PJSIP/100@trunk", context="voicebot-outbound", exten="s",
                                   call_id=call_id)
        ended = next(c for c in ami.channels.values() if c.variables["VOICEBOT_CALL_ID"] == "ends")
        await ami.drop_connections()
        ami.hang_up_silently(ended.unique_id)  # its Hangup event is lost with the connection
        await asyncio.sleep(0.01)
        with pytest.raises(ProtocolError, match="not connected"):
            await client.action("Ping")
        await asyncio.wait_for(client.connected.wait(), 5)
        assert client.connections == 2 and ami.logins == 2
        for _ in range(100):  # the resync runs in the background after login
            if client.channel_variables("ends") is None:
                break
            await asyncio.sleep(0.01)
        assert client.channel_variables("ends") is None
        assert client.tracker.hung_up["ends"] == "ended while AMI was disconnected"
        assert client.channel_variables("stays") is not None
        await client.transfer("stays", context="voicebot-transfer", exten="agents")
        pong = await client.action("Ping")
        assert pong.response == "Success"
        # The originates were not replayed after the reconnect.
        assert len(ami.originates) == 2
    finally:
        await client.close()
