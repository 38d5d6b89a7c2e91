"""Structured JSON logs, one object per line, with phone numbers and dates redacted.

Each line carries ``ts``, ``level``, ``logger``, ``msg``, ``call_id`` (from :func:`call_context` or an
``extra={"call_id": ...}``) and any other ``extra`` fields. Callers' phone numbers and birth dates must
never reach a log file, so :class:`RedactingFilter` rewrites messages and string fields before any
handler formats them.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TextIO

PHONE_MASK = "[phone]"
DATE_MASK = "[date]"
SECRET_MASK = "[secret]"

_current_call_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("voicebot_call_id",
                                                                              default=None)

_MONTHS = (r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
           r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?")
# Identifiers that look like digit runs but are not personal data: UUIDs, long hex ids, IPv4 addresses.
_KEEP = (
    r"(?P<keep>\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b"
    r"|\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"
    r"|\b(?=[0-9a-f]*[a-f])[0-9a-f]{16,}\b)"
)
_DATE = (
    r"(?P<date>"
    r"\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b"  # 1985-03-07
    r"|\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b"  # 07/03/1985, 7.3.85
    r"|\b\d{4}\s*년\s*\d{1,2}\s*월(?:\s*\d{1,2}\s*일)?"  # 1985년 3월 7일
    r"|\b\d{1,2}\s*월\s*\d{1,2}\s*일"  # 3월 7일
    rf"|\b(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?\b"  # March 7th, 1985
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\.?(?:,?\s+\d{{4}})?\b"  # 7 March 1985
    r")"
)
# Seven or more digits, optionally with a leading + and separators (spaces, dots, dashes, parentheses).
_PHONE = r"(?P<phone>(?<![\w+])\+?\(?\d(?:[\s().-]{0,2}\d){6,}(?!\w))"
# API keys must not leak either: browsers send them as ?token=KEY, which access logs print.
_SECRET = r"(?P<secret>\bvb_[0-9a-f]{12}_[A-Za-z0-9_-]+|(?<=token=)[^&\s\"']+|(?<=Bearer )[^\s\"']+)"
_PATTERN = re.compile(f"{_SECRET}|{_KEEP}|{_DATE}|{_PHONE}", re.IGNORECASE)

# Fields that hold our own identifiers and timestamps, never caller data.
_NOT_REDACTED = frozenset({"ts", "call_id", "started_at", "ended_at", "key_id"})

# Attributes every LogRecord has; anything else on a record came from ``extra``.
_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "color_message"}  # uvicorn's ANSI-coloured copy of msg


def redact(text: str) -> str:
    """Mask phone numbers, dates and API keys in free text."""

    def replace(match: re.Match[str]) -> str:
        if match.group("secret"):
            return SECRET_MASK
        if match.group("keep"):
            return match.group(0)
        return DATE_MASK if match.group("date") else PHONE_MASK

    return _PATTERN.sub(replace, text)


def _redact_value(value: object) -> object:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: v if k in _NOT_REDACTED else _redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_value(v) for v in value]
    return value


class RedactingFilter(logging.Filter):
    """Rewrites the message and the extra fields of every record passing through."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        for name, value in list(vars(record).items()):
            if name not in _STANDARD_ATTRS and name not in _NOT_REDACTED:
                setattr(record, name, _redact_value(value))
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "call_id": getattr(record, "call_id", None) or _current_call_id.get(),
        }
        for name, value in vars(record).items():
            if name not in _STANDARD_ATTRS and name not in entry:
                entry[name] = value
        if record.exc_info:
            entry["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


@contextmanager
def call_context(call_id: str) -> Iterator[None]:
    """Tag every log line written inside the block (same task or thread) with ``call_id``."""
    token = _current_call_id.set(call_id)
    try:
        yield
    finally:
        _current_call_id.reset(token)


def configure_logging(level: str = "info", *, json_lines: bool = True, stream: TextIO | None = None) -> None:
    """Send the root logger to ``stream`` (stderr) as JSON lines, redacted. Replaces earlier handlers."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # uvicorn installs its own handlers when it configures logging; ours are used instead.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
