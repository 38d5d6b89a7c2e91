"""Per-day counters of each step, kept beside the step facts so reports read a few hundred rows, not every
fact: what a saved record adds to ``step_daily`` and ``step_latency_daily`` (pure).

A record saved again (a fallback import, a call marked interrupted then saved) first takes its old
facts' counts back out, so the counters always equal a count over ``step_facts``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from voicebot.analytics.facts import StepFact
from voicebot.dialogue import steplog

LATENCY_BUCKET_MS = 10  # p95 latency is exact to this
COUNTERS = ("calls", "events", "position_sum", "asked", "answered_first", "not_understood", "read_back",
            "rejected", "corrected", "silence", "answers", "misses", "latency_n", "latency_sum", "conf_n",
            "conf_sum", "conf_sq")
READ_BACK_ANSWERS = (steplog.CONFIRMED, steplog.REJECTED)
NOT_ANSWERS = (steplog.SILENCE, steplog.HANGUP, steplog.CONFIRMED)  # events that answer no question
MISSES = (steplog.NOT_UNDERSTOOD, steplog.REJECTED)

Key = tuple[str, str, str, str]  # dialogue, dialogue hash ('' if none), day, step


def key_of(fact: StepFact) -> Key:
    return fact.dialogue, fact.dialogue_hash or "", fact.started_at[:10], fact.step


def counters(facts: Iterable[StepFact], sign: int = 1) -> tuple[dict[Key, dict[str, float]],
                                                                 dict[tuple[Key, int], int]]:
    """The counters and latency-bucket counts that ``facts`` (one call's) add, times ``sign``."""
    days: dict[Key, dict[str, float]] = {}
    buckets: dict[tuple[Key, int], int] = {}
    for fact in facts:
        key = key_of(fact)
        c = days.get(key)
        if c is None:
            c = days[key] = dict.fromkeys(COUNTERS, 0.0)
            c["calls"] = sign  # one call reaches the step once, however many events it had there
        r = fact.result
        c["events"] += sign
        c["position_sum"] += sign * fact.seq
        c["asked"] += sign * (r not in READ_BACK_ANSWERS)
        c["answered_first"] += sign * (fact.attempt == 1 and r == steplog.ANSWERED)
        c["not_understood"] += sign * (r == steplog.NOT_UNDERSTOOD)
        c["read_back"] += sign * (r == steplog.READ_BACK)
        c["rejected"] += sign * (r == steplog.REJECTED)
        c["corrected"] += sign * (r == steplog.CORRECTED)
        c["silence"] += sign * (r == steplog.SILENCE)
        c["answers"] += sign * (r not in NOT_ANSWERS)
        c["misses"] += sign * (r in MISSES)
        if fact.latency_ms is not None:
            c["latency_n"] += sign
            c["latency_sum"] += sign * fact.latency_ms
            bucket = (key, max(0, fact.latency_ms) // LATENCY_BUCKET_MS * LATENCY_BUCKET_MS)
            buckets[bucket] = buckets.get(bucket, 0) + sign
        if fact.confidence is not None:
            c["conf_n"] += sign
            c["conf_sum"] += sign * fact.confidence
            c["conf_sq"] += sign * fact.confidence * fact.confidence
    return days, buckets


def merge(*parts: tuple[dict[Key, dict[str, float]], dict[tuple[Key, int], int]]) -> tuple[
        dict[Key, dict[str, float]], dict[tuple[Key, int], int]]:
    days: dict[Key, dict[str, float]] = {}
    buckets: dict[tuple[Key, int], int] = {}
    for part_days, part_buckets in parts:
        for key, c in part_days.items():
            total = days.setdefault(key, dict.fromkeys(COUNTERS, 0.0))
            for name, value in c.items():
                total[name] += value
        for bucket, n in part_buckets.items():
            buckets[bucket] = buckets.get(bucket, 0) + n
    return ({k: c for k, c in days.items() if any(c.values())},
            {b: n for b, n in buckets.items() if n})


def nearest_rank(histogram: list[tuple[int, int]], fraction: float = 0.95) -> int | None:
    """The ceil(fraction * n)-th smallest value of a histogram of (bucket, count) (bucket order any)."""
    total = sum(n for _, n in histogram)
    if total <= 0:
        return None
    rank = -(-total * round(fraction * 100) // 100)  # ceil without float error
    seen = 0
    for bucket, n in sorted(histogram):
        seen += n
        if seen >= rank:
            return bucket
    return None


def row_of(fact_row: Any) -> StepFact:
    """A step_facts row read back (to take a re-saved record's old counts out)."""
    return StepFact(call_id=fact_row["call_id"], seq=int(fact_row["seq"]), dialogue=fact_row["dialogue"],
                    dialogue_hash=fact_row["dialogue_hash"], started_at=fact_row["started_at"],
                    step=fact_row["step"], attempt=int(fact_row["attempt"]), result=fact_row["result"],
                    turn=fact_row["turn"], latency_ms=fact_row["latency_ms"],
                    confidence=fact_row["confidence"])
