"""The call record: the one unit that is never lost. Its JSON form is a public contract."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(slots=True)
class Turn:
    role: str  # "bot" or "caller"
    text: str
    latency_ms: int | None = None  # caller turns: end of caller speech -> first bot audio byte out
    prompt_id: str | None = None  # bot turns: which prompt of the dialogue was said
    timings: dict[str, float] | None = None  # caller turns: stamps in ms from caller speech end
    dtmf: str | None = None
    confidence: float | None = None
    audio_ms: list[int] | None = None  # caller turns: [start, end] of the speech in the call recording
    heard: str | None = None  # caller turns: the free transcript, where an expected answer replaced it
    # caller turns: the transcript of the turn this one took back (it ended, the caller went on at once;
    # its audio is the start of this turn's, voicebot/session/take_back.py)
    taken_back: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(slots=True)
class CallRecord:
    dialogue: str
    language: str
    call_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    outcome: str | None = None
    slots: dict[str, Any] = field(default_factory=dict)
    variables: dict[str, Any] = field(default_factory=dict)
    turns: list[Turn] = field(default_factory=list)
    started_at: str = field(default_factory=utc_now_iso)
    ended_at: str | None = None
    # What produced it: dialogue content hash, STT model, TTS engine and voice, door.
    meta: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "call_id": self.call_id,
            "dialogue": self.dialogue,
            "language": self.language,
            "outcome": self.outcome,
            "slots": self.slots,
            "variables": self.variables,
            "turns": [t.to_json() for t in self.turns],
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "meta": self.meta,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CallRecord:
        return cls(
            call_id=data["call_id"], dialogue=data["dialogue"], language=data["language"],
            outcome=data.get("outcome"), slots=dict(data.get("slots") or {}),
            variables=dict(data.get("variables") or {}),
            turns=[Turn(**t) for t in data.get("turns") or []],
            started_at=data["started_at"], ended_at=data.get("ended_at"),
            meta=dict(data.get("meta") or {}),
        )
