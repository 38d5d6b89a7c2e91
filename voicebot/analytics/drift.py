"""Drift per step: has the not-understood rate or the STT confidence moved since the previous period?

The recent window (the last ``days`` UTC days, today included) is compared with the ``days`` before
it. A step is flagged when

- its not-understood rate changed with |z| >= 3 in a two-proportion z-test (pooled standard error), and
  by at least 5 percentage points, with at least 30 answers in each window; or
- its mean STT confidence changed with |z| >= 3 (difference of means over the unpooled standard error),
  by at least 0.05, with at least 30 scored answers in each window.

Why these numbers: a dashboard checks every step of every dialogue every day, so a 5 % test would raise
a false alarm somewhere most days; |z| >= 3 is about 1 false alarm in 370 comparisons. Below 30
answers per window the normal approximation is poor and a single confused caller swings the rate. The
minimum effect keeps a busy step (thousands of answers) from flagging a change too small to act on.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

Z_THRESHOLD = 3.0
MIN_ANSWERS = 30
MIN_RATE_CHANGE = 0.05
MIN_CONFIDENCE_CHANGE = 0.05


@dataclass(frozen=True, slots=True)
class Window:
    answers: int
    misses: int
    scored: int  # answers with an STT confidence
    confidence_sum: float
    confidence_sq_sum: float

    @property
    def rate(self) -> float:
        return self.misses / self.answers if self.answers else 0.0

    @property
    def mean_confidence(self) -> float | None:
        return self.confidence_sum / self.scored if self.scored else None

    def confidence_var(self) -> float:
        if self.scored < 2:
            return 0.0
        mean = self.confidence_sum / self.scored
        return max(0.0, (self.confidence_sq_sum - self.scored * mean * mean) / (self.scored - 1))


@dataclass(frozen=True, slots=True)
class StepDrift:
    dialogue: str
    step: str
    recent_rate: float
    previous_rate: float
    rate_z: float | None
    recent_confidence: float | None
    previous_confidence: float | None
    confidence_z: float | None
    flagged: bool
    reason: str  # "" when not flagged

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def two_proportion_z(x1: int, n1: int, x2: int, n2: int) -> float | None:
    """z of p1 - p2 with the pooled standard error; None when undefined (no data or no variance)."""
    if n1 == 0 or n2 == 0:
        return None
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return None
    return (x1 / n1 - x2 / n2) / se


def mean_difference_z(recent: Window, previous: Window) -> float | None:
    if recent.scored < 2 or previous.scored < 2:
        return None
    se = math.sqrt(recent.confidence_var() / recent.scored + previous.confidence_var() / previous.scored)
    r, p = recent.mean_confidence, previous.mean_confidence
    if se == 0 or r is None or p is None:
        return None
    return (r - p) / se


def judge(dialogue: str, step: str, recent: Window, previous: Window) -> StepDrift:
    """Pure: the two windows' counts in, the flag out (thresholds in the module docstring)."""
    rate_z = two_proportion_z(recent.misses, recent.answers, previous.misses, previous.answers)
    conf_z = mean_difference_z(recent, previous)
    reasons = []
    if (rate_z is not None and abs(rate_z) >= Z_THRESHOLD
            and min(recent.answers, previous.answers) >= MIN_ANSWERS
            and abs(recent.rate - previous.rate) >= MIN_RATE_CHANGE):
        reasons.append(f"not-understood rate {previous.rate:.0%} -> {recent.rate:.0%} (z={rate_z:.1f})")
    r, p = recent.mean_confidence, previous.mean_confidence
    if (conf_z is not None and r is not None and p is not None and abs(conf_z) >= Z_THRESHOLD
            and min(recent.scored, previous.scored) >= MIN_ANSWERS and abs(r - p) >= MIN_CONFIDENCE_CHANGE):
        reasons.append(f"mean confidence {p:.2f} -> {r:.2f} (z={conf_z:.1f})")
    return StepDrift(dialogue, step, round(recent.rate, 4), round(previous.rate, 4),
                     None if rate_z is None else round(rate_z, 2), _round(r), _round(p),
                     None if conf_z is None else round(conf_z, 2), bool(reasons), "; ".join(reasons))


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def step_drift(query: Any, *, days: int = 7, now: datetime | None = None,
               dialogue: str | None = None) -> list[StepDrift]:
    """Every step with answers in either window, of one dialogue or all. ``query``: a store's query.

    Windows are whole UTC days from the per-day counters: recent = the ``days`` days up to today
    (included), previous = the ``days`` before them.
    """
    now = now or datetime.now(UTC)
    today = now.astimezone(UTC).date()
    split = (today - timedelta(days=days - 1)).isoformat()
    start = (today - timedelta(days=2 * days - 1)).isoformat()
    where = " AND dialogue = ?" if dialogue is not None else ""
    rows = query(
        "SELECT dialogue, step, recent, SUM(answers) AS answers, SUM(misses) AS misses,"
        " SUM(conf_n) AS scored, SUM(conf_sum) AS csum, SUM(conf_sq) AS csq"
        " FROM (SELECT dialogue, step, answers, misses, conf_n, conf_sum, conf_sq,"
        " CASE WHEN day >= ? THEN 1 ELSE 0 END AS recent FROM step_daily"
        f" WHERE day >= ? AND day <= ?{where}) windowed GROUP BY dialogue, step, recent",
        [split, start, today.isoformat(), *([dialogue] if dialogue else [])])
    windows: dict[tuple[str, str], dict[bool, Window]] = {}
    for row in rows:
        windows.setdefault((row["dialogue"], row["step"]), {})[bool(row["recent"])] = Window(
            int(row["answers"]), int(row["misses"]), int(row["scored"]), float(row["csum"]),
            float(row["csq"]))
    empty = Window(0, 0, 0, 0.0, 0.0)
    return [judge(d, s, w.get(True, empty), w.get(False, empty)) for (d, s), w in sorted(windows.items())]


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
