"""Caller scripts for ``voicebot chat --script`` and conversation tests: one caller turn per line.

# a comment             ignored, as are blank lines
two large pepperoni     the caller says this
[silence]               the caller says nothing until the ask times out
[dtmf 12#]              the caller presses keys
[hangup]                the caller hangs up
[confidence 0.3] yes    the caller says "yes" and speech recognition is unsure of it
"""

from __future__ import annotations

import re

from voicebot.dialogue.events import CallerHangup, CallerText, Dtmf, Event, SilenceTimeout
from voicebot.errors import DialogueError

_DTMF = re.compile(r"^\[dtmf\s+([0-9*#A-Da-d]+)\]$", re.IGNORECASE)
_CONFIDENCE = re.compile(r"^\[confidence\s+([0-9]*\.?[0-9]+)\]\s*(.*)$", re.IGNORECASE)


def parse_script_line(line: str) -> Event | None:
    """The event one script line stands for; None for blank lines and comments."""
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    lowered = text.lower()
    if lowered == "[silence]":
        return SilenceTimeout()
    if lowered == "[hangup]":
        return CallerHangup()
    m = _DTMF.match(text)
    if m:
        return Dtmf(m.group(1).upper())
    m = _CONFIDENCE.match(text)
    if m:
        return CallerText(m.group(2).strip(), confidence=float(m.group(1)))
    if text.startswith("[") and text.endswith("]"):
        raise DialogueError(
            f"unknown script command {text!r}; use [silence], [dtmf 123#], [hangup] or [confidence 0.4] text"
        )
    return CallerText(text)


def parse_script(text: str, file: str | None = None) -> list[Event]:
    events: list[Event] = []
    for number, line in enumerate(text.splitlines(), start=1):
        try:
            event = parse_script_line(line)
        except DialogueError as exc:
            raise DialogueError(exc.reason, file=file, line=number) from None
        if event is not None:
            events.append(event)
    return events
