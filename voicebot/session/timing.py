"""Per-turn time stamps. Pure: the session passes monotonic seconds in."""

from __future__ import annotations

from dataclasses import dataclass, field

from voicebot.record import Turn

# In pipeline order; each is stamped once per caller turn. ``turn_end``: the end of turn was decided
# (speech_end + the pause the judges waited for); ``transcript_ready``: the decode that gave the final
# transcript finished (before ``turn_end`` when the speculative decode of the last pause was used).
STAMPS = ("speech_end", "turn_end", "transcript_ready", "stt_final", "decision", "first_tts_chunk",
          "first_audio_out")


@dataclass(slots=True)
class TurnClock:
    """Stamps of one caller turn, in monotonic seconds; the first stamp of a kind wins."""

    stamps_s: dict[str, float] = field(default_factory=dict)
    audio_ms: tuple[int, int] | None = None  # where the caller's speech lies in the call recording

    def stamp(self, name: str, now_s: float) -> None:
        if name not in STAMPS:
            raise ValueError(f"unknown stamp {name!r}")
        self.stamps_s.setdefault(name, now_s)

    def has(self, name: str) -> bool:
        return name in self.stamps_s

    def timings_ms(self) -> dict[str, float]:
        """Each stamp in ms after the end of caller speech (the record's ``timings``)."""
        origin = self.stamps_s.get("speech_end")
        if origin is None:
            return {}
        return {f"{name}_ms": round((self.stamps_s[name] - origin) * 1000.0, 1)
                for name in STAMPS[1:] if name in self.stamps_s}

    def latency_ms(self) -> int | None:
        """Response latency: first bot audio byte out minus end of caller speech."""
        if "speech_end" not in self.stamps_s or "first_audio_out" not in self.stamps_s:
            return None
        return round((self.stamps_s["first_audio_out"] - self.stamps_s["speech_end"]) * 1000.0)


@dataclass(slots=True)
class PendingTurn:
    """A caller turn the bot has not answered out loud yet: its stamps go into the record's turn."""

    clock: TurnClock
    turn: Turn | None

    def __post_init__(self) -> None:
        if self.turn is not None and self.clock.audio_ms is not None:
            self.turn.audio_ms = list(self.clock.audio_ms)  # where the caller's speech is in the recording

    def stamp(self, name: str, now_s: float) -> None:
        self.clock.stamp(name, now_s)
        if self.turn is not None:
            self.turn.timings = self.clock.timings_ms()
            latency = self.clock.latency_ms() if name == "first_audio_out" else None
            if latency is not None:
                self.turn.latency_ms = latency
