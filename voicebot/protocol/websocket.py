"""The websocket call protocol, sans I/O: parse client messages, build server messages.

Control messages are JSON text frames; audio is raw ``pcm_s16le`` mono in binary frames. A parse
failure is returned as a :class:`ProtocolViolation` value, never raised, so the door decides how to
answer. The protocol is described for client authors in docs/websocket.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

PROTOCOL_VERSION = 1
ENCODING = "pcm_s16le"
SUPPORTED_SAMPLE_RATES_HZ = (8_000, 16_000, 22_050, 24_000, 32_000, 44_100, 48_000)
MAX_FRAME_BYTES = 64 * 1024
MAX_TEXT_CHARS = 2_000
MAX_DTMF_DIGITS = 32
DTMF_ALPHABET = frozenset("0123456789*#ABCD")


class CloseCode(IntEnum):
    """Websocket close codes the server uses. 4xxx mirror HTTP statuses where one fits."""

    NORMAL = 1000
    GOING_AWAY = 1001  # server shutting down
    MESSAGE_TOO_BIG = 1009
    INTERNAL_ERROR = 1011
    BAD_REQUEST = 4400  # protocol violation: no start, bad sample rate, bad JSON
    UNAUTHORIZED = 4401
    QUOTA_EXCEEDED = 4402  # the API key's monthly minutes are used up
    FORBIDDEN = 4403
    NOT_FOUND = 4404  # unknown dialogue
    TIMEOUT = 4408  # no start message in time
    TOO_MANY = 4429  # too many calls for this key, or a flood of frames


@dataclass(frozen=True, slots=True)
class Start:
    sample_rate_hz: int
    encoding: str = ENCODING
    variables: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DtmfInput:
    digits: str


@dataclass(frozen=True, slots=True)
class TextInput:
    text: str


@dataclass(frozen=True, slots=True)
class Stop:
    pass


ClientMessage = Start | DtmfInput | TextInput | Stop


@dataclass(frozen=True, slots=True)
class ProtocolViolation:
    """What was wrong with a client message; ``code`` is the error code sent back."""

    code: str
    message: str
    close_code: CloseCode = CloseCode.BAD_REQUEST


def _violation(code: str, message: str) -> ProtocolViolation:
    return ProtocolViolation(code=code, message=message)


def parse_client_text(raw: str) -> ClientMessage | ProtocolViolation:
    """Parses one JSON text frame from the client."""
    if len(raw) > MAX_FRAME_BYTES:
        return ProtocolViolation("frame_too_large", f"text frames are limited to {MAX_FRAME_BYTES} bytes",
                                 CloseCode.MESSAGE_TOO_BIG)
    try:
        data = json.loads(raw)
    except ValueError:
        return _violation("bad_json", "text frames must be JSON objects such as {\"type\": \"stop\"}; "
                                      "send audio as binary frames")
    if not isinstance(data, dict):
        return _violation("bad_json", "a text frame must be a JSON object with a \"type\" field")
    kind = data.get("type")
    if kind == "start":
        return _parse_start(data)
    if kind == "dtmf":
        digits = data.get("digits")
        if not isinstance(digits, str) or not digits or len(digits) > MAX_DTMF_DIGITS \
                or not set(digits) <= DTMF_ALPHABET:
            return _violation("bad_dtmf", "dtmf needs \"digits\": 1-32 of 0-9 * # A-D")
        return DtmfInput(digits)
    if kind == "text":
        text = data.get("text")
        if not isinstance(text, str) or not text.strip():
            return _violation("bad_text", "text needs a non-empty \"text\" string")
        if len(text) > MAX_TEXT_CHARS:
            return _violation("bad_text", f"text is limited to {MAX_TEXT_CHARS} characters")
        return TextInput(text.strip())
    if kind == "stop":
        return Stop()
    return _violation("unknown_type", f"unknown message type {kind!r}; expected start, dtmf, text or stop")


def _parse_start(data: dict[str, Any]) -> Start | ProtocolViolation:
    version = data.get("protocol_version", PROTOCOL_VERSION)
    if version != PROTOCOL_VERSION:
        return _violation("unsupported_version",
                          f"protocol_version {version!r} is not supported; "
                          f"this server speaks {PROTOCOL_VERSION}")
    rate = data.get("sample_rate_hz")
    if isinstance(rate, bool) or not isinstance(rate, int) or rate not in SUPPORTED_SAMPLE_RATES_HZ:
        rates = ", ".join(str(r) for r in SUPPORTED_SAMPLE_RATES_HZ)
        return _violation("bad_sample_rate", f"sample_rate_hz {rate!r} is not supported; use one of {rates}")
    encoding = data.get("encoding", ENCODING)
    if encoding != ENCODING:
        return _violation("bad_encoding", f"encoding {encoding!r} is not supported; use {ENCODING!r}")
    variables = data.get("variables", {})
    if not isinstance(variables, dict) or not all(isinstance(k, str) for k in variables):
        return _violation("bad_variables", "variables must be a JSON object of name -> value")
    return Start(sample_rate_hz=rate, encoding=encoding, variables=dict(variables))


def check_audio_frame(frame: bytes) -> ProtocolViolation | None:
    """Checks one binary frame of caller audio before it reaches the session."""
    if len(frame) > MAX_FRAME_BYTES:
        return ProtocolViolation("frame_too_large",
                                 f"audio frames are limited to {MAX_FRAME_BYTES} bytes; "
                                 "send 20-100 ms per frame",
                                 CloseCode.MESSAGE_TOO_BIG)
    return None


class FrameRateLimit:
    """Counts frames per one-second window; a flood of tiny frames is refused.

    Pure: the caller passes the clock, so tests drive it with literals.
    """

    def __init__(self, max_frames_per_s: int = 200) -> None:
        self.max_frames_per_s = max_frames_per_s
        self._window_start_s: float | None = None
        self._count = 0

    def allow(self, now_s: float) -> bool:
        if self._window_start_s is None or now_s - self._window_start_s >= 1.0:
            self._window_start_s = now_s
            self._count = 0
        self._count += 1
        return self._count <= self.max_frames_per_s


# ---- server -> client ----


def dumps(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


def ready(call_id: str, *, sample_rate_hz: int, dialogue: str) -> dict[str, Any]:
    return {"type": "ready", "call_id": call_id, "protocol_version": PROTOCOL_VERSION,
            "sample_rate_hz": sample_rate_hz, "dialogue": dialogue}


def transcript(text: str, *, final: bool) -> dict[str, Any]:
    return {"type": "transcript", "final": final, "text": text}


def bot(text: str, *, prompt_id: str | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"type": "bot", "text": text}
    if prompt_id is not None:
        message["prompt_id"] = prompt_id
    return message


def audio_end() -> dict[str, Any]:
    return {"type": "audio_end"}


def clear() -> dict[str, Any]:
    return {"type": "clear"}


def transfer(target: str | None, reason: str) -> dict[str, Any]:
    return {"type": "transfer", "target": target, "reason": reason}


def end(record: dict[str, Any]) -> dict[str, Any]:
    return {"type": "end", "record": record}


def error(code: str, message: str) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message}
