"""What the caller hears now: a pure timeline of bot audio, fed and asked with ``now_s``.

The speaker adds each chunk as it is sent; barge-in asks whether what plays now may be interrupted,
and the listener asks until when the caller could not interrupt (talk-over, not a turn).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class PlayedSegment:
    start_s: float
    end_s: float
    interruptible: bool


@dataclass(slots=True)
class Playout:
    """Bot audio on the caller's timeline.

    Args:
        default_interruptible: the dialogue's ``interruptible:``; it applies while no sentence plays or
            is being synthesised.
    """

    default_interruptible: bool = True
    playing_until_s: float = 0.0
    protected_until_s: float = 0.0  # when the bot audio the caller may not interrupt ends
    # The sentence being synthesised now (its ``interruptible``), None between sentences.
    saying: bool | None = None
    _segments: deque[PlayedSegment] = field(default_factory=deque)

    def add(self, now_s: float, duration_s: float, interruptible: bool) -> None:
        """A chunk sent at ``now_s``: it plays after what is queued, for ``duration_s``."""
        start_s = max(now_s, self.playing_until_s)
        self.playing_until_s = start_s + duration_s
        self._segments.append(PlayedSegment(start_s, self.playing_until_s, interruptible))
        if not interruptible:
            self.protected_until_s = self.playing_until_s

    def interruptible_at(self, now_s: float) -> bool:
        """Whether what the caller hears at ``now_s`` may be interrupted."""
        while self._segments and self._segments[0].end_s < now_s:
            self._segments.popleft()
        if self._segments and self._segments[0].start_s <= now_s:
            return self._segments[0].interruptible
        return self.default_interruptible if self.saying is None else self.saying

    def remaining_s(self, now_s: float) -> float:
        """Audio still to play at ``now_s``."""
        return max(0.0, self.playing_until_s - now_s)

    def cut(self, now_s: float) -> None:
        """Barge-in: nothing plays after ``now_s``."""
        self.playing_until_s = now_s
        self._segments.clear()
