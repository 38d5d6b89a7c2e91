"""The AudioSocket codec with byte literals, every split offset, and fuzzing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voicebot.telephony.audiosocket import (
    AudioReceived,
    AudioSocketProtocol,
    CallUuid,
    DtmfReceived,
    ErrorReceived,
    HangupReceived,
    ProtocolViolation,
    SlinTable,
    encode_message,
    frame_bytes,
)

UUID_MSG = b"\x01\x00\x10" + bytes.fromhex("0123456789abcdef0123456789abcdef")
AUDIO_8K = b"\x10\x00\x04" + b"\x01\x00\xff\xff"
AUDIO_16K = b"\x12\x00\x02" + b"\x34\x12"
DTMF_5 = b"\x03\x00\x01" + b"5"
HANGUP = b"\x00\x00\x00"
STREAM = UUID_MSG + AUDIO_8K + DTMF_5 + AUDIO_16K + HANGUP
EXPECTED = [
    CallUuid("01234567-89ab-cdef-0123-456789abcdef"),
    AudioReceived(b"\x01\x00\xff\xff", 8000),
    DtmfReceived("5"),
    AudioReceived(b"\x34\x12", 16000),
    HangupReceived(),
]


def parse(*chunks: bytes, table: SlinTable = SlinTable.ASTERISK_22_10) -> list[object]:
    proto = AudioSocketProtocol(table)
    events: list[object] = []
    for chunk in chunks:
        proto.receive_data(chunk)
        events.extend(proto.events_received())
    return events


def test_whole_stream() -> None:
    assert parse(STREAM) == EXPECTED


@pytest.mark.parametrize("offset", range(len(STREAM) + 1))
def test_split_at_every_offset(offset: int) -> None:
    assert parse(STREAM[:offset], STREAM[offset:]) == EXPECTED


def test_byte_by_byte() -> None:
    assert parse(*(STREAM[i:i + 1] for i in range(len(STREAM)))) == EXPECTED


def test_uuid_and_rate_are_remembered() -> None:
    proto = AudioSocketProtocol()
    proto.receive_data(UUID_MSG + AUDIO_16K)
    assert proto.call_id == "01234567-89ab-cdef-0123-456789abcdef"
    assert proto.sample_rate_hz == 16000


@pytest.mark.parametrize(("table", "kind", "rate_hz"), [
    (SlinTable.ASTERISK_22_10, 0x11, 12000),
    (SlinTable.ASTERISK_22_10, 0x12, 16000),
    (SlinTable.ASTERISK_22_10, 0x15, 44100),
    (SlinTable.ASTERISK_22_10, 0x18, 192000),
    (SlinTable.LEGACY_16K, 0x11, 16000),
])
def test_audio_kind_tables(table: SlinTable, kind: int, rate_hz: int) -> None:
    assert parse(bytes((kind,)) + b"\x00\x02\x00\x00", table=table) == [AudioReceived(b"\x00\x00", rate_hz)]


def test_legacy_table_rejects_22_10_kinds() -> None:
    [event] = parse(b"\x12\x00\x02\x00\x00", table=SlinTable.LEGACY_16K)
    assert isinstance(event, ProtocolViolation)
    assert "0x12" in event.reason


def test_error_message_carries_code() -> None:
    assert parse(b"\xff\x00\x01\x02" + b"\xff\x00\x00") == [ErrorReceived(2), ErrorReceived(0)]


@pytest.mark.parametrize(("data", "words"), [
    (b"\x01\x00\x03abc", "expected 16"),
    (b"\x03\x00\x01x", "keypad digit"),
    (b"\x03\x00\x02" + b"12", "keypad digit"),
    (b"\x10\x00\x03" + b"abc", "16-bit"),
    (b"\x42\x00\x00", "unknown message kind 0x42"),
])
def test_garbage_is_a_violation_and_stops_parsing(data: bytes, words: str) -> None:
    proto = AudioSocketProtocol()
    proto.receive_data(data + HANGUP)
    events = proto.events_received()
    assert len(events) == 1
    assert isinstance(events[0], ProtocolViolation)
    assert words in events[0].reason
    proto.receive_data(HANGUP)
    assert proto.events_received() == []


def test_send_audio_uses_the_call_rate_kind() -> None:
    proto = AudioSocketProtocol()
    proto.send_audio(b"\x01\x02\x03\x04", 8000)
    proto.send_audio(b"\x05\x06", 16000)
    assert proto.data_to_send() == b"\x10\x00\x04\x01\x02\x03\x04" + b"\x12\x00\x02\x05\x06"
    assert proto.data_to_send() == b""


def test_send_audio_legacy_16k_kind() -> None:
    proto = AudioSocketProtocol(SlinTable.LEGACY_16K)
    proto.send_audio(b"\x00\x00", 16000)
    assert proto.data_to_send() == b"\x11\x00\x02\x00\x00"


def test_send_audio_refuses_a_rate_asterisk_lacks() -> None:
    proto = AudioSocketProtocol(SlinTable.LEGACY_16K)
    with pytest.raises(ValueError, match="24000 Hz"):
        proto.send_audio(b"\x00\x00", 24000)


def test_long_audio_splits_into_messages_that_fit() -> None:
    proto = AudioSocketProtocol()
    proto.send_audio(b"\x00" * 70000, 8000)
    out = proto.data_to_send()
    events = parse(out)
    assert sum(len(e.pcm) for e in events if isinstance(e, AudioReceived)) == 70000
    assert len(events) == 2


def test_hangup_is_sent_once_and_silences_audio() -> None:
    proto = AudioSocketProtocol()
    proto.send_hangup()
    proto.send_hangup()
    proto.send_audio(b"\x00\x00", 8000)
    assert proto.data_to_send() == HANGUP


def test_frame_sizes() -> None:
    assert frame_bytes(8000) == 320
    assert frame_bytes(16000) == 640
    assert frame_bytes(44100) == 1764


def test_encode_message_bounds() -> None:
    with pytest.raises(ValueError):
        encode_message(0x10, b"\x00" * 0x10000)
    with pytest.raises(ValueError):
        encode_message(0x100)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600), st.lists(st.integers(min_value=1, max_value=50), max_size=20))
def test_fuzz_never_raises_and_reports_garbage(data: bytes, cuts: list[int]) -> None:
    proto = AudioSocketProtocol()
    pos = 0
    events: list[object] = []
    for cut in [*cuts, len(data)]:
        proto.receive_data(data[pos:pos + cut])
        events.extend(proto.events_received())
        pos += cut
    proto.receive_data(data[pos:])
    events.extend(proto.events_received())
    violations = [e for e in events if isinstance(e, ProtocolViolation)]
    # At most one violation, and only as the last event: the parser stops there.
    assert len(violations) <= 1
    if violations:
        assert events[-1] is violations[0]
        assert proto.failed


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([UUID_MSG, AUDIO_8K, DTMF_5, AUDIO_16K, HANGUP]), max_size=30),
       st.integers(min_value=1, max_value=7))
def test_fuzz_valid_streams_round_trip(messages: list[bytes], step: int) -> None:
    stream = b"".join(messages)
    whole = parse(stream)
    pieces = parse(*(stream[i:i + step] for i in range(0, len(stream), step)))
    assert whole == pieces
    assert len(whole) == len(messages)
