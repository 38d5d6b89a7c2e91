"""Where each caller event landed in the dialogue: the per-step log that analytics count.

While a question is open (an ask, a confirm, or the read-back of a low-confidence answer) every caller
answer, silence or hang-up adds one entry to the call record's ``meta["steps"]``::

    {"step": "ask_phone", "result": "not_understood", "turn": 7}

``step`` is the id of the ask or confirm step; ``turn`` is the index of the caller's turn in
``record.turns`` (absent for a silence or a hang-up). Records written before this log existed simply
have none. ``result`` is one of :data:`RESULTS`.
"""

from __future__ import annotations

from typing import Any

ANSWERED = "answered"  # the value was taken (first time or not) and the dialogue moved on
NOT_UNDERSTOOD = "not_understood"  # no value could be read: the question is asked again (or fails)
READ_BACK = "read_back"  # a value heard with low confidence is read back for a yes or no
CONFIRMED = "confirmed"  # the caller said yes to a read-back
REJECTED = "rejected"  # the caller said no to a read-back: asked again
CORRECTED = "corrected"  # the caller corrected a value at a confirm step
REPEAT = "repeat"  # the question was said again without a miss ("say that again", another slot given)
TRANSFERRED = "transferred"  # the caller asked for a person (or failed and was handed over)
SILENCE = "silence"
HANGUP = "hangup"
RESULTS = (ANSWERED, NOT_UNDERSTOOD, READ_BACK, CONFIRMED, REJECTED, CORRECTED, REPEAT, TRANSFERRED,
           SILENCE, HANGUP)


def classify(event: str, *, attempts_before: int, attempts_after: int, was_read_back: bool,
             read_back_now: bool, same_question: bool, slots_changed: bool, ended: bool,
             outcome: str | None, at_confirm: bool = False) -> str:
    """The result of one caller event at a step, from what the machine looked like before and after.

    Args:
        event: "text", "dtmf", "silence" or "hangup".
        attempts_before, attempts_after: the misses counted at the step.
        was_read_back: the open question was a read-back.
        read_back_now: the event started a new read-back.
        same_question: the same question is still open afterwards.
        slots_changed: some slot value changed.
        ended: the call ended on this event; ``outcome`` is then its outcome.
        at_confirm: the open question was a confirm step (where a changed slot is a correction).
    """
    if event in (SILENCE, HANGUP):
        return event
    if attempts_after > attempts_before:
        return REJECTED if was_read_back else NOT_UNDERSTOOD
    if read_back_now:
        return READ_BACK
    if ended and outcome == TRANSFERRED:
        return TRANSFERRED
    if was_read_back and not same_question:
        return CONFIRMED
    if same_question:
        return CORRECTED if slots_changed and at_confirm else REPEAT
    return ANSWERED


def note(meta: dict[str, Any], step: str, result: str, turn: int | None) -> None:
    """Append one entry to the record's step log."""
    entry: dict[str, Any] = {"step": step, "result": result}
    if turn is not None:
        entry["turn"] = turn
    meta.setdefault("steps", []).append(entry)
