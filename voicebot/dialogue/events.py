"""What flows into the dialogue machine (events) and out of it (actions).

The machine is pure: ``Conversation.handle(event) -> list[Action]``. Doors (chat, the voice
session, AudioSocket) turn the world into events and carry out the actions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from voicebot.dialogue.grammar import ExpectedAnswers

# ---- events: caller and runtime -> dialogue ----


@dataclass(frozen=True, slots=True)
class CallerText:
    """The caller said (or typed) something."""

    text: str
    confidence: float | None = None  # STT confidence; low -> confirm or reprompt, never ignore
    # The expected answers of the question (Listen.expected) scored on the audio: (phrase, logprob),
    # and the transcript's own logprob; the dialogue decides with grammar.choose.
    alternatives: tuple[tuple[str, float], ...] = ()
    logprob: float | None = None


@dataclass(frozen=True, slots=True)
class Dtmf:
    digits: str


@dataclass(frozen=True, slots=True)
class SilenceTimeout:
    """The caller said nothing for the ask's timeout."""


@dataclass(frozen=True, slots=True)
class ActionResult:
    """Result of a webhook action the dialogue asked the runtime to perform."""

    action_id: str
    ok: bool
    data: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


@dataclass(frozen=True, slots=True)
class CallerHangup:
    """The caller hung up or the connection was lost."""

    reason: str = "caller_hangup"


Event = CallerText | Dtmf | SilenceTimeout | ActionResult | CallerHangup

# ---- actions: dialogue -> runtime ----


@dataclass(frozen=True, slots=True)
class Say:
    text: str
    prompt_id: str
    interruptible: bool = True
    # True when the text depends on no slot or variable: the audio may be cached per voice.
    fixed: bool = False
    # The start of a templated text that depends on no value, ending a clause ("Got it," of "Got it,
    # {items}."): its audio may be cached and played while the rest is synthesised.
    fixed_head: str = ""


@dataclass(frozen=True, slots=True)
class Listen:
    """Wait for the caller. Runtime sends CallerText / Dtmf, or SilenceTimeout after timeout_ms."""

    slot: str | None
    timeout_ms: int = 6000
    hints: tuple[str, ...] = ()  # words likely to be said (STT biasing)
    dtmf: bool = True
    max_digits: int | None = None
    expected: ExpectedAnswers | None = None  # what the caller can answer here (dialogue/grammar.py)
    # With no expected answers: a yes, a no, a closer or a correction (a confirm, a read-back, "Anything
    # else?"), decoded as a closed ask's answer rather than as free text (engines/scoring.SHORT_ANSWER).
    short_answer: bool = False


@dataclass(frozen=True, slots=True)
class CallWebhook:
    action_id: str
    url: str
    method: str = "POST"
    payload: dict[str, Any] = field(default_factory=dict)
    timeout_s: float = 5.0


@dataclass(frozen=True, slots=True)
class Transfer:
    reason: str
    target: str | None = None  # dialplan extension or queue


@dataclass(frozen=True, slots=True)
class EndCall:
    outcome: str


Action = Say | Listen | CallWebhook | Transfer | EndCall
