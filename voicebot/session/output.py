"""What a call sends out through its door: bot audio, barge-in, typed events, transfer, the end.

Each door renders the events its own way (the websocket as JSON messages, the file door keeps them,
AudioSocket has no channel for them); the session knows no wire format.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from voicebot.record import CallRecord


@dataclass(frozen=True, slots=True)
class CallerWords:
    """What the caller said: a partial guess while they talk, or the final transcript of a turn."""

    text: str
    final: bool


@dataclass(frozen=True, slots=True)
class BotWords:
    """The sentence the bot starts saying now."""

    text: str
    prompt_id: str | None = None


@dataclass(frozen=True, slots=True)
class BotAudioEnd:
    """All audio of the bot's turn has been sent."""


@dataclass(frozen=True, slots=True)
class CallFailed:
    """The call ends on an error; ``code`` is ``call_failed`` or ``internal_error``."""

    code: str
    message: str


OutputEvent = CallerWords | BotWords | BotAudioEnd | CallFailed


class SessionOutput(Protocol):
    """What a door does with the session's output."""

    async def send_audio(self, pcm: bytes) -> None:
        """Bot audio, s16le mono at the session rate; may run ahead of real time (the door paces it)."""

    async def clear(self) -> None:
        """Barge-in: drop whatever is queued and stop playing now."""

    async def hold(self, held: bool) -> None:
        """A caller may be starting to talk over the bot (``held``): send no more bot audio for now,
        but keep it; ``clear()`` or ``hold(False)`` follows (at most ~200 ms later)."""

    async def send_event(self, event: OutputEvent) -> None:
        """Transcripts, bot text, end of bot audio, errors; a door may ignore them."""

    async def transfer(self, target: str | None, reason: str) -> None:
        """Hand the call to a person (the dialogue's transfer step)."""

    async def close(self, record: CallRecord) -> None:
        """The call is over (called once, even when the caller is already gone)."""
