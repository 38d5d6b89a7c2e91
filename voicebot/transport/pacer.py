"""Real-time pacing of an audio stream: when the next frame may go, so the far end is fed at the rate
it plays (or speaks) and never more than ``lead_s`` ahead. Pure: times are passed in.

Every door paces with it: the websocket sends bot audio 240 ms ahead, AudioSocket one 20 ms frame
every 20 ms (silence when the bot is quiet), the file door plays the caller's audio as spoken.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Pacer:
    """Args:
        bytes_per_s: the stream's rate (s16le mono: 2 x sample rate).
        lead_s: how far ahead of the far end's playback a frame may go (negative: only once spoken).
        max_lag_s: the most the stream catches up after falling behind (a stalled loop, a listener
            that ran dry): beyond it, what was missed is not sent in a burst.
        play_s: when the audio scheduled so far has played out.
    """

    bytes_per_s: float
    lead_s: float = 0.0
    max_lag_s: float = 0.0
    play_s: float = 0.0

    def schedule(self, now_s: float, frame_bytes: int) -> float:
        """Seconds to wait before sending the next frame of ``frame_bytes``; counts it as sent."""
        self.play_s = max(self.play_s, now_s - self.max_lag_s)
        delay_s = max(0.0, self.play_s - self.lead_s - now_s)
        self.play_s += frame_bytes / self.bytes_per_s
        return delay_s

    def unschedule(self, frame_bytes: int) -> None:
        """The last frame scheduled was not sent after all (held back): it goes again later."""
        self.play_s -= frame_bytes / self.bytes_per_s

    def restart(self, now_s: float) -> None:
        """Barge-in: what was sent is dropped at the far end, which plays from now."""
        self.play_s = now_s
