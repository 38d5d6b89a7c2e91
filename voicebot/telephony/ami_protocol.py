"""Asterisk Manager Interface wire format, sans I/O.

AMI is line based: the server greets with ``Asterisk Call Manager/VERSION``, then every message is
``Key: Value`` lines closed by an empty line. Actions go the other way in the same shape. Keys repeat
(``Variable``), so a message keeps its fields as an ordered tuple of pairs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

BANNER_PREFIX = "Asterisk Call Manager/"
# A message larger than this without its closing empty line is not AMI.
MAX_MESSAGE_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class AmiMessage:
    fields: tuple[tuple[str, str], ...]

    def get(self, key: str, default: str | None = None) -> str | None:
        wanted = key.lower()
        for name, value in self.fields:
            if name.lower() == wanted:
                return value
        return default

    def get_all(self, key: str) -> list[str]:
        wanted = key.lower()
        return [value for name, value in self.fields if name.lower() == wanted]

    def __getitem__(self, key: str) -> str:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    @property
    def event(self) -> str | None:
        return self.get("Event")

    @property
    def response(self) -> str | None:
        return self.get("Response")

    @property
    def action_id(self) -> str | None:
        return self.get("ActionID")


@dataclass(frozen=True, slots=True)
class AmiBanner:
    version: str


@dataclass(frozen=True, slots=True)
class AmiViolation:
    reason: str


AmiEvent = AmiBanner | AmiMessage | AmiViolation

FieldValue = str | int | Iterable[str]


def encode_action(action: str, action_id: str, fields: Mapping[str, FieldValue] | None = None) -> bytes:
    """One action as bytes. A list value repeats its key (e.g. several ``Variable`` lines)."""
    lines = [f"Action: {action}", f"ActionID: {action_id}"]
    for key, value in (fields or {}).items():
        values = [str(value)] if isinstance(value, str | int) else list(value)
        for item in values:
            if "\r" in item or "\n" in item:
                raise ValueError(f"AMI field {key} must be one line")
            lines.append(f"{key}: {item}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


def encode_message(fields: Iterable[tuple[str, str]]) -> bytes:
    """Responses and events, as a server writes them (used by test servers)."""
    return ("".join(f"{k}: {v}\r\n" for k, v in fields) + "\r\n").encode("utf-8")


class AmiProtocol:
    """One side of an AMI connection: feed bytes, collect banner and messages.

    A client expects the server's banner first; a server (``expect_banner=False``) reads actions.
    """

    def __init__(self, *, expect_banner: bool = True) -> None:
        self._buffer = bytearray()
        self._events: list[AmiEvent] = []
        self.version: str | None = None if expect_banner else ""
        self.failed = False

    def receive_data(self, data: bytes) -> None:
        if self.failed:
            return
        self._buffer += data
        if self.version is None:
            end = self._buffer.find(b"\n")
            if end < 0:
                self._check_size()
                return
            line = self._buffer[:end].decode("utf-8", "replace").strip()
            del self._buffer[:end + 1]
            if not line.startswith(BANNER_PREFIX):
                self._fail(f"not an AMI server: it greeted with {line[:60]!r}")
                return
            self.version = line[len(BANNER_PREFIX):]
            self._events.append(AmiBanner(self.version))
        while True:
            # Asterisk ends lines with CRLF; accept bare LF too.
            text = self._buffer.replace(b"\r\n", b"\n")
            end = text.find(b"\n\n")
            if end < 0:
                self._check_size()
                return
            block = text[:end].decode("utf-8", "replace")
            self._buffer = bytearray(text[end + 2:])
            message = _parse_block(block)
            if message is not None:
                self._events.append(message)

    def _check_size(self) -> None:
        if len(self._buffer) > MAX_MESSAGE_BYTES:
            self._fail(f"no message end within {MAX_MESSAGE_BYTES} bytes")

    def _fail(self, reason: str) -> None:
        self.failed = True
        self._buffer.clear()
        self._events.append(AmiViolation(reason))

    def events_received(self) -> list[AmiEvent]:
        events, self._events = self._events, []
        return events


def _parse_block(block: str) -> AmiMessage | None:
    fields: list[tuple[str, str]] = []
    output: list[str] = []
    for line in block.split("\n"):
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if sep and key and " " not in key.strip():
            fields.append((key.strip(), value.strip()))
        else:
            # Raw command output ("Response: Follows") has lines without a key.
            output.append(line)
    if output:
        fields.append(("Output", "\n".join(output)))
    return AmiMessage(tuple(fields)) if fields else None
