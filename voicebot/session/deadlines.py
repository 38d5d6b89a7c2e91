"""When a call must act without being asked: silence timeouts, the watchdog, the maximum duration.

Pure: every answer is computed from times the caller of these functions passes in (``now_s``).
"""

from __future__ import annotations

from dataclasses import dataclass

from voicebot.session.ending import EndReason


def earliest(*times: float | None) -> float | None:
    known = [t for t in times if t is not None]
    return min(known) if known else None


def silence_wait_s(now_s: float, since_s: float, timeout_ms: int) -> float:
    """Seconds until a caller quiet since ``since_s`` has been silent for ``timeout_ms``."""
    return max(0.0, since_s + timeout_ms / 1000.0 - now_s)


@dataclass(slots=True)
class Deadlines:
    """The watchdog's two limits. ``progress_s``: the last caller speech, bot audio or dialogue event."""

    started_s: float
    no_progress_timeout_s: float | None
    max_call_duration_s: float | None
    progress_s: float = 0.0

    def __post_init__(self) -> None:
        self.progress_s = max(self.progress_s, self.started_s)

    def progressed(self, now_s: float) -> None:
        self.progress_s = now_s

    def no_progress_at(self, playing_until_s: float, now_s: float) -> float | None:
        if self.no_progress_timeout_s is None:
            return None
        # Bot audio still playing out counts as progress: a long prompt is not a stall.
        last = max(self.progress_s, min(playing_until_s, now_s))
        return last + self.no_progress_timeout_s

    def max_duration_at(self) -> float | None:
        limit_s = self.max_call_duration_s
        return self.started_s + limit_s if limit_s is not None else None

    def wait_s(self, playing_until_s: float, now_s: float) -> float | None:
        """Seconds until the watchdog must look again, or None when both limits are off."""
        deadline = earliest(self.no_progress_at(playing_until_s, now_s), self.max_duration_at())
        return None if deadline is None else max(0.0, deadline - now_s)

    def expired(self, playing_until_s: float, now_s: float) -> EndReason | None:
        """The limit that has passed at ``now_s`` (the maximum duration first), else None."""
        if _past(self.max_duration_at(), now_s):
            return EndReason.MAX_DURATION
        if _past(self.no_progress_at(playing_until_s, now_s), now_s):
            return EndReason.NO_PROGRESS
        return None

    def guard_due(self, playing_until_s: float, now_s: float, *, grace_s: float,
                  max_duration_grace_s: float) -> bool:
        """The watchdog should have ended the call a grace period ago: it is stuck where it cannot look."""
        late = [deadline + grace for deadline, grace in (
            (self.no_progress_at(playing_until_s, now_s), grace_s),
            (self.max_duration_at(), max_duration_grace_s)) if deadline is not None]
        return bool(late) and now_s >= min(late)


def _past(deadline_s: float | None, now_s: float) -> bool:
    return deadline_s is not None and now_s >= deadline_s
