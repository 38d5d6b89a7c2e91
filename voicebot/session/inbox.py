"""What the listener, the speaker and the door tell the call's main loop (one queue, one reader)."""

from __future__ import annotations

from dataclasses import dataclass

from voicebot.dialogue.events import ActionResult
from voicebot.engines.base import Float32Array, Transcript
from voicebot.session.timing import TurnClock


@dataclass(frozen=True, slots=True)
class SpeechStart:
    """The caller started a turn (barge-in if the bot is talking and may be interrupted)."""

    took_back: bool = False  # it reopens the turn before it (voicebot/session/take_back.py)


@dataclass(frozen=True, slots=True)
class TurnAudio:
    """A caller turn's audio as it was decoded, kept to join with the words that may take it back."""

    samples: Float32Array  # 16 kHz
    until_ms: float  # where it ends on the listener's stream
    recording_start_ms: int | None  # where its speech starts in the call recording


@dataclass(frozen=True, slots=True)
class Heard:
    transcript: Transcript
    clock: TurnClock
    audio: TurnAudio | None = None
    # It took back a turn that had ended and not reached the dialogue yet: that turn's transcript.
    rejoined: str | None = None


@dataclass(frozen=True, slots=True)
class Nothing:
    """A turn whose transcript was empty (a cough, a door): the caller is idle again."""


@dataclass(frozen=True, slots=True)
class Digits:
    digits: str


@dataclass(frozen=True, slots=True)
class Typed:
    text: str


@dataclass(frozen=True, slots=True)
class Hangup:
    reason: str


@dataclass(frozen=True, slots=True)
class WebhookDone:
    result: ActionResult


@dataclass(frozen=True, slots=True)
class BotIdle:
    """The bot's audio has played out; the silence timer restarts from here."""


@dataclass(frozen=True, slots=True)
class Failed:
    error: BaseException


InboxItem = SpeechStart | Heard | Nothing | Digits | Typed | Hangup | WebhookDone | BotIdle | Failed
