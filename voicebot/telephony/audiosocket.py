"""Asterisk AudioSocket wire format as a sans-I/O protocol object: bytes in, events out.

Each message is a 3-byte header (kind, big-endian payload length) and the payload. The table of audio
kinds depends on the Asterisk version (docs/telephony.md); :class:`SlinTable` picks one.
Parse failures become a :class:`ProtocolViolation` event, never an exception mid-stream.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass

HEADER_BYTES = 3
MAX_PAYLOAD_BYTES = 0xFFFF
FRAME_MS = 20
DTMF_DIGITS = frozenset("0123456789*#ABCD")


class Kind(enum.IntEnum):
    HANGUP = 0x00
    UUID = 0x01
    DTMF = 0x03
    SLIN_8K = 0x10
    ERROR = 0xFF


class SlinTable(enum.Enum):
    """Which audio kinds a given Asterisk build speaks besides 0x10 (8 kHz)."""

    # Asterisk 22.10 and later: 0x11-0x18.
    ASTERISK_22_10 = "22.10"
    # Older headers that define a single extra kind, 0x11 = 16 kHz.
    LEGACY_16K = "legacy"
    # Builds with 8 kHz slin only.
    SLIN8_ONLY = "8k"

    def rates_hz(self) -> dict[int, int]:
        """Map audio kind -> sample rate in Hz."""
        if self is SlinTable.ASTERISK_22_10:
            return {0x10: 8000, 0x11: 12000, 0x12: 16000, 0x13: 24000, 0x14: 32000,
                    0x15: 44100, 0x16: 48000, 0x17: 96000, 0x18: 192000}
        if self is SlinTable.LEGACY_16K:
            return {0x10: 8000, 0x11: 16000}
        return {0x10: 8000}

    def kind_for_rate(self, sample_rate_hz: int) -> int:
        for kind, rate in self.rates_hz().items():
            if rate == sample_rate_hz:
                return kind
        raise ValueError(f"AudioSocket ({self.value}) has no audio kind for {sample_rate_hz} Hz")


class ErrorCode(enum.IntEnum):
    """Payload byte of a 0xFF message sent by Asterisk."""

    NONE = 0x00
    HANGUP = 0x01
    FRAME_FORWARDING = 0x02
    MEMORY = 0x04


# ---- events: what the peer (Asterisk) said ----


@dataclass(frozen=True, slots=True)
class CallUuid:
    call_id: str  # canonical 8-4-4-4-12 form


@dataclass(frozen=True, slots=True)
class AudioReceived:
    pcm: bytes  # s16le mono
    sample_rate_hz: int


@dataclass(frozen=True, slots=True)
class DtmfReceived:
    digit: str


@dataclass(frozen=True, slots=True)
class HangupReceived:
    pass


@dataclass(frozen=True, slots=True)
class ErrorReceived:
    code: int  # ErrorCode value when known


@dataclass(frozen=True, slots=True)
class ProtocolViolation:
    """The stream cannot be trusted any more; the parser stops reading."""

    reason: str


Event = CallUuid | AudioReceived | DtmfReceived | HangupReceived | ErrorReceived | ProtocolViolation


def encode_message(kind: int, payload: bytes = b"") -> bytes:
    """Frame one message of any kind. Peers and tests use this; the bot uses the typed senders."""
    if not 0 <= kind <= 0xFF:
        raise ValueError(f"kind {kind} does not fit in one byte")
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise ValueError(f"payload of {len(payload)} bytes exceeds {MAX_PAYLOAD_BYTES}")
    return bytes((kind,)) + len(payload).to_bytes(2, "big") + payload


def frame_bytes(sample_rate_hz: int, frame_ms: int = FRAME_MS) -> int:
    """Bytes of s16le mono audio in one frame."""
    return sample_rate_hz * frame_ms // 1000 * 2


class AudioSocketProtocol:
    """The bot's side of one AudioSocket connection, without I/O.

    Feed received bytes to :meth:`receive_data`, collect :meth:`events_received`; queue outgoing
    messages with :meth:`send_audio` / :meth:`send_hangup` and write :meth:`data_to_send`.
    Only hang-up and audio kinds are ever sent: Asterisk ends the call on anything else.
    """

    def __init__(self, table: SlinTable = SlinTable.ASTERISK_22_10) -> None:
        self.table = table
        self._rates_hz = table.rates_hz()
        self._buffer = bytearray()
        self._events: list[Event] = []
        self._outgoing = bytearray()
        self.failed = False
        self.hangup_sent = False
        self.call_id: str | None = None
        # Rate of the last audio Asterisk sent: the rate the call uses.
        self.sample_rate_hz: int | None = None

    # ---- receiving ----

    def receive_data(self, data: bytes) -> None:
        if self.failed:
            return
        self._buffer += data
        while len(self._buffer) >= HEADER_BYTES:
            length = int.from_bytes(self._buffer[1:3], "big")
            if len(self._buffer) < HEADER_BYTES + length:
                return
            kind = self._buffer[0]
            payload = bytes(self._buffer[HEADER_BYTES:HEADER_BYTES + length])
            del self._buffer[:HEADER_BYTES + length]
            event = self._parse(kind, payload)
            self._events.append(event)
            if isinstance(event, ProtocolViolation):
                self.failed = True
                self._buffer.clear()
                return

    def _parse(self, kind: int, payload: bytes) -> Event:
        if kind == Kind.HANGUP:
            return HangupReceived()
        if kind == Kind.UUID:
            if len(payload) != 16:
                return ProtocolViolation(f"UUID message carries {len(payload)} bytes, expected 16")
            self.call_id = str(uuid.UUID(bytes=payload))
            return CallUuid(self.call_id)
        if kind == Kind.DTMF:
            digit = payload.decode("ascii", "replace")
            if len(payload) != 1 or digit not in DTMF_DIGITS:
                return ProtocolViolation(f"DTMF message carries {payload!r}, expected one keypad digit")
            return DtmfReceived(digit)
        if kind == Kind.ERROR:
            return ErrorReceived(payload[0] if payload else ErrorCode.NONE)
        rate_hz = self._rates_hz.get(kind)
        if rate_hz is None:
            return ProtocolViolation(
                f"unknown message kind 0x{kind:02x} for AudioSocket table {self.table.value}")
        if len(payload) % 2:
            return ProtocolViolation(f"audio payload of {len(payload)} bytes is not whole 16-bit samples")
        self.sample_rate_hz = rate_hz
        return AudioReceived(payload, rate_hz)

    def events_received(self) -> list[Event]:
        events, self._events = self._events, []
        return events

    # ---- sending ----

    def send_audio(self, pcm: bytes, sample_rate_hz: int) -> None:
        """Queue audio in the kind for ``sample_rate_hz``, split into messages that fit."""
        if self.hangup_sent:
            return
        if len(pcm) % 2:
            raise ValueError("audio must be whole 16-bit samples")
        kind = self.table.kind_for_rate(sample_rate_hz)
        chunk_bytes = MAX_PAYLOAD_BYTES - 1  # even
        for start in range(0, len(pcm), chunk_bytes):
            self._outgoing += encode_message(kind, pcm[start:start + chunk_bytes])

    def send_hangup(self) -> None:
        if not self.hangup_sent:
            self._outgoing += encode_message(Kind.HANGUP)
            self.hangup_sent = True

    def data_to_send(self) -> bytes:
        data, self._outgoing = bytes(self._outgoing), bytearray()
        return data
