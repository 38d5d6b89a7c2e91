"""Facts derived from one call record, stored beside it so analytics are SQL queries.

Pure: a record's JSON in, rows out. :mod:`voicebot.analytics.tables` writes them in the same transaction
as the record. The step log they come from is described in :mod:`voicebot.dialogue.steplog`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from voicebot.dialogue import steplog

# A call that ended on one of these at a step did not get stuck there.
_MOVED_ON = frozenset((steplog.ANSWERED, steplog.CONFIRMED))


@dataclass(frozen=True, slots=True)
class StepFact:
    """One caller event at one step of one call."""

    call_id: str
    seq: int  # position in the call's step log
    dialogue: str
    dialogue_hash: str | None
    started_at: str
    step: str
    attempt: int  # 1 for the first event at this step in this call
    result: str
    turn: int | None  # index of the caller turn in record.turns
    latency_ms: int | None
    confidence: float | None


@dataclass(frozen=True, slots=True)
class CallFact:
    """One call: outcome, where it ended if it ended stuck, and what it used."""

    call_id: str
    dialogue: str
    dialogue_hash: str | None
    started_at: str
    day: str  # YYYY-MM-DD (UTC)
    outcome: str | None
    door: str | None
    key_id: str | None
    key_name: str | None
    end_step: str | None  # the step the call ended at without moving on (hung up, transferred, failed)
    caller_audio_s: float
    bot_audio_s: float


def step_facts(data: dict[str, Any]) -> list[StepFact]:
    meta = data.get("meta") or {}
    turns = data.get("turns") or []
    seen: dict[str, int] = {}
    facts = []
    for seq, entry in enumerate(meta.get("steps") or []):
        step, result = str(entry.get("step")), str(entry.get("result"))
        seen[step] = seen.get(step, 0) + 1
        turn = entry.get("turn")
        caller = turns[turn] if isinstance(turn, int) and 0 <= turn < len(turns) else {}
        latency = caller.get("latency_ms")
        confidence = caller.get("confidence")
        facts.append(StepFact(
            call_id=data["call_id"], seq=seq, dialogue=data["dialogue"],
            dialogue_hash=meta.get("dialogue_hash"), started_at=data["started_at"], step=step,
            attempt=seen[step], result=result, turn=turn if isinstance(turn, int) else None,
            latency_ms=int(latency) if isinstance(latency, int | float) else None,
            confidence=float(confidence) if isinstance(confidence, int | float) else None))
    return facts


def call_fact(data: dict[str, Any]) -> CallFact:
    meta = data.get("meta") or {}
    steps = meta.get("steps") or []
    last = steps[-1] if steps else None
    usage = meta.get("usage") or {}
    key = meta.get("api_key") or {}
    return CallFact(
        call_id=data["call_id"], dialogue=data["dialogue"], dialogue_hash=meta.get("dialogue_hash"),
        started_at=data["started_at"], day=str(data["started_at"])[:10], outcome=data.get("outcome"),
        door=str(meta["door"]) if meta.get("door") is not None else None,
        key_id=key.get("id"), key_name=key.get("name"),
        end_step=str(last["step"]) if last is not None and last.get("result") not in _MOVED_ON else None,
        caller_audio_s=float(usage.get("caller_audio_s") or 0.0),
        bot_audio_s=float(usage.get("bot_audio_s") or 0.0))
