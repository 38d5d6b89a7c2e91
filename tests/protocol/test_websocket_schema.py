"""The websocket message schema, with literals: what parses, what is refused and why."""

from __future__ import annotations

import json

import pytest

from voicebot.protocol import websocket as wire


def test_start_message_parses_with_defaults() -> None:
    parsed = wire.parse_client_text('{"type": "start", "sample_rate_hz": 16000}')
    assert parsed == wire.Start(sample_rate_hz=16000, encoding="pcm_s16le", variables={})


def test_start_carries_variables() -> None:
    raw = json.dumps({"type": "start", "sample_rate_hz": 8000, "encoding": "pcm_s16le",
                      "variables": {"customer_name": "Kim", "monthly_premium": 42}})
    parsed = wire.parse_client_text(raw)
    assert isinstance(parsed, wire.Start)
    assert parsed.sample_rate_hz == 8000
    assert parsed.variables == {"customer_name": "Kim", "monthly_premium": 42}


@pytest.mark.parametrize("rate", [11025, 0, -16000, "16000", 16000.0, True, None])
def test_unsupported_sample_rates_are_refused_with_the_list(rate: object) -> None:
    parsed = wire.parse_client_text(json.dumps({"type": "start", "sample_rate_hz": rate}))
    assert isinstance(parsed, wire.ProtocolViolation)
    assert parsed.code == "bad_sample_rate"
    assert "16000" in parsed.message and parsed.close_code == wire.CloseCode.BAD_REQUEST


@pytest.mark.parametrize(("raw", "code"), [
    ("hello", "bad_json"),
    ("[1, 2]", "bad_json"),
    ('{"type": "dance"}', "unknown_type"),
    ('{"type": "start", "sample_rate_hz": 16000, "encoding": "opus"}', "bad_encoding"),
    ('{"type": "start", "sample_rate_hz": 16000, "variables": [1]}', "bad_variables"),
    ('{"type": "start", "sample_rate_hz": 16000, "protocol_version": 9}', "unsupported_version"),
    ('{"type": "dtmf", "digits": ""}', "bad_dtmf"),
    ('{"type": "dtmf", "digits": "12x"}', "bad_dtmf"),
    ('{"type": "dtmf", "digits": 5}', "bad_dtmf"),
    ('{"type": "text", "text": "   "}', "bad_text"),
])
def test_bad_messages_are_reported_not_raised(raw: str, code: str) -> None:
    parsed = wire.parse_client_text(raw)
    assert isinstance(parsed, wire.ProtocolViolation)
    assert parsed.code == code
    assert parsed.message


def test_dtmf_text_and_stop() -> None:
    assert wire.parse_client_text('{"type": "dtmf", "digits": "12#*A"}') == wire.DtmfInput("12#*A")
    typed = wire.parse_client_text('{"type": "text", "text": "  a large pizza "}')
    assert typed == wire.TextInput("a large pizza")
    assert wire.parse_client_text('{"type": "stop"}') == wire.Stop()


def test_oversized_frames_are_refused_with_1009() -> None:
    assert wire.check_audio_frame(b"\0" * wire.MAX_FRAME_BYTES) is None
    violation = wire.check_audio_frame(b"\0" * (wire.MAX_FRAME_BYTES + 1))
    assert violation is not None and int(violation.close_code) == 1009
    text = wire.parse_client_text("x" * (wire.MAX_FRAME_BYTES + 1))
    assert isinstance(text, wire.ProtocolViolation) and text.code == "frame_too_large"


def test_frame_rate_limit_counts_per_second_window() -> None:
    limit = wire.FrameRateLimit(max_frames_per_s=3)
    allowed = [limit.allow(0.0), limit.allow(0.1), limit.allow(0.2), limit.allow(0.9)]
    assert allowed == [True, True, True, False]
    assert limit.allow(1.0)  # a new window


def test_server_messages_serialise_as_documented() -> None:
    assert json.loads(wire.dumps(wire.ready("c1", sample_rate_hz=16000, dialogue="pizza_order"))) == {
        "type": "ready", "call_id": "c1", "protocol_version": 1, "sample_rate_hz": 16000,
        "dialogue": "pizza_order"}
    assert wire.dumps(wire.transcript("a large pizza", final=True)) == \
        '{"type":"transcript","final":true,"text":"a large pizza"}'
    assert wire.dumps(wire.clear()) == '{"type":"clear"}'
    assert wire.dumps(wire.audio_end()) == '{"type":"audio_end"}'
    assert wire.dumps(wire.bot("피자 주문", prompt_id="greet")) == \
        '{"type":"bot","text":"피자 주문","prompt_id":"greet"}'
    assert wire.error("bad_json", "m") == {"type": "error", "code": "bad_json", "message": "m"}
    assert wire.end({"call_id": "c1"}) == {"type": "end", "record": {"call_id": "c1"}}
