"""Taking a turn back (pure): when the caller's new words reopen the turn that just ended.

A caller who says "Yes, | I got the documents" may be judged finished at the pause: "Yes." answers the
question and sounds final (BENCHMARKS.md, "End of turn"). A person who hears the other go on stops and
listens; so does the call. New speech that starts soon after the end of a turn, before the bot has said
enough of its reply for the caller to be answering it, reopens that turn: the reply stops, the dialogue
goes back to before the turn, and the old audio with the new is one caller turn (docs/architecture.md).

What is never taken back: a turn whose handling did something the call cannot undo (a webhook, a
transfer, the end of the call), and the answer to a confirm step (the caller's final word on what was
read back, which the dialogue acts on). The session decides with :func:`undoable` when it applies the
turn and with :func:`takes_back` when the caller speaks again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from voicebot.dialogue.events import Action, Listen, Say


@dataclass(frozen=True, slots=True)
class TakeBackConfig:
    """Args:
        window_ms: new speech that starts at most this long after the end of a turn may take it back;
            0 turns taking back off. 1000: the issue's own "caller still had words within 1 s".
        max_bot_audio_ms: ... and only while at most this much of the bot's reply has played. A second
            of the reply is its first clause ("Thank you," / "Got it,"): the caller has not heard the next
            question yet, so their words cannot be answering it.
    """

    window_ms: int = 1000
    max_bot_audio_ms: int = 1000

    @property
    def enabled(self) -> bool:
        return self.window_ms > 0


def undoable(actions: Sequence[Action], *, call_ended: bool, answered_confirm: bool) -> bool:
    """Whether a caller turn whose handling gave ``actions`` may be rolled back: it only spoke and
    listened, it did not end the call, and it did not answer a confirm step."""
    if call_ended or answered_confirm:
        return False
    return all(isinstance(action, Say | Listen) for action in actions)


def bot_audio_heard_ms(onset_s: float, first_audio_s: float | None) -> float:
    """How much of the bot's reply the caller had heard when they spoke again (its audio plays from its
    first byte out in real time; none yet: 0)."""
    if first_audio_s is None:
        return 0.0
    return max(0.0, (onset_s - first_audio_s) * 1000.0)


def takes_back(config: TakeBackConfig, *, turn_end_s: float, onset_s: float, first_audio_s: float | None,
               reply_played: bool) -> bool:
    """Whether caller speech starting at ``onset_s`` reopens the turn that ended at ``turn_end_s``.

    A turn that cannot be undone never gets here: the session keeps only a turn :func:`undoable`
    said yes to when it applied it.

    Args:
        first_audio_s: when the first byte of the bot's reply went out (None: not yet).
        reply_played: the reply has played to its end; the caller now answers what it asked.
    """
    if not config.enabled or reply_played:
        return False
    # An onset just before the end was decided (its first voiced frames were still being judged) is
    # the caller going on all the more.
    if (onset_s - turn_end_s) * 1000.0 > config.window_ms:
        return False
    return bot_audio_heard_ms(onset_s, first_audio_s) <= config.max_bot_audio_ms
