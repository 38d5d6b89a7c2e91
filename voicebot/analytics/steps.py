"""Per-step and per-day reports: SQL over the per-day counters and the call facts, the same on SQLite
and PostgreSQL.

``db`` is a store's ``_db`` (a :class:`~voicebot.store.db.Database` or a PostgresDatabase): anything with
``query(sql, params)`` returning rows readable by column name.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from voicebot.analytics import rollup


@dataclass(frozen=True, slots=True)
class StepRow:
    """One step of one dialogue version over the period asked for."""

    dialogue_hash: str
    step: str
    calls: int  # calls that reached the step
    asked: int  # times the question was put (first time, reprompts, repeats)
    answered_first: int  # calls whose first answer at the step was taken at once
    not_understood: int
    read_back: int
    rejected: int  # read-backs the caller said no to
    corrected: int
    silence: int
    transferred_here: int  # calls that ended at the step handed to a person
    hung_up_here: int  # calls the caller hung up at the step
    ended_here: int  # calls that ended at the step without moving on (any outcome)
    mean_latency_ms: float | None
    p95_latency_ms: int | None
    mean_confidence: float | None

    @property
    def not_understood_rate(self) -> float:
        return self.not_understood / self.asked if self.asked else 0.0

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "not_understood_rate": round(self.not_understood_rate, 4)}


def _period(since: str | None, until: str | None, column: str = "started_at") -> tuple[str, list[Any]]:
    clauses, params = [], []
    if since is not None:
        clauses.append(f"{column} >= ?")
        params.append(since)
    if until is not None:
        clauses.append(f"{column} < ?")
        params.append(until)
    return "".join(f" AND {c}" for c in clauses), params


def _days(since: str | None, until: str | None) -> tuple[str, list[Any]]:
    """Whole UTC days: ``since`` counts from its day, ``until`` up to the start of its day."""
    return _period(since[:10] if since else None, until[:10] if until else None, "day")


_SUMS = ", ".join(f"SUM({c}) AS {c}" for c in rollup.COUNTERS)


def step_report(db: Any, dialogue: str, *, since: str | None = None,
                until: str | None = None) -> list[StepRow]:
    """Every step of ``dialogue`` (each dialogue version apart), newest version first, in call order.

    Reads the per-day counters (:mod:`voicebot.analytics.rollup`), so the period is whole UTC days.
    """
    where, params = _days(since, until)
    rows = db.query(
        f"SELECT dialogue_hash AS version, step, {_SUMS}, MAX(day) AS last_seen FROM step_daily"
        f" WHERE dialogue = ?{where} GROUP BY dialogue_hash, step HAVING SUM(events) > 0",
        [dialogue, *params])
    ends = _ends(db, dialogue, since, until)
    p95 = _p95_latency(db, dialogue, since, until)
    newest: dict[str, str] = {}
    for row in rows:
        newest[row["version"]] = max(newest.get(row["version"], ""), row["last_seen"])

    def order(row: Any) -> tuple[str, float]:
        return newest[row["version"]], -float(row["position_sum"]) / max(1, int(row["events"]))

    out = []
    for row in sorted(rows, key=order, reverse=True):
        key = (row["version"], row["step"])
        end = ends.get(key, {})
        latency_n, conf_n = int(row["latency_n"]), int(row["conf_n"])
        out.append(StepRow(
            dialogue_hash=row["version"], step=row["step"], calls=int(row["calls"]), asked=int(row["asked"]),
            answered_first=int(row["answered_first"]), not_understood=int(row["not_understood"]),
            read_back=int(row["read_back"]), rejected=int(row["rejected"]), corrected=int(row["corrected"]),
            silence=int(row["silence"]), transferred_here=end.get("transferred", 0),
            hung_up_here=end.get("hangup", 0), ended_here=sum(end.values()),
            mean_latency_ms=round(int(row["latency_sum"]) / latency_n, 1) if latency_n else None,
            p95_latency_ms=p95.get(key),
            mean_confidence=round(float(row["conf_sum"]) / conf_n, 3) if conf_n else None))
    return out


_Ends = dict[tuple[str, str], dict[str, int]]


def _ends(db: Any, dialogue: str, since: str | None, until: str | None) -> _Ends:
    where, params = _days(since, until)
    ends: _Ends = {}
    for row in db.query(
            "SELECT COALESCE(dialogue_hash, '') AS version, end_step, COALESCE(outcome, '') AS outcome,"
            f" COUNT(*) AS n FROM call_facts WHERE dialogue = ? AND end_step IS NOT NULL{where}"
            " GROUP BY COALESCE(dialogue_hash, ''), end_step, COALESCE(outcome, '')", [dialogue, *params]):
        ends.setdefault((row["version"], row["end_step"]), {})[row["outcome"]] = int(row["n"])
    return ends


def _p95_latency(db: Any, dialogue: str, since: str | None, until: str | None) -> dict[tuple[str, str], int]:
    """Nearest-rank p95 (the ceil(0.95 n)-th smallest, to 10 ms) per version and step."""
    where, params = _days(since, until)
    histograms: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for row in db.query(
            "SELECT dialogue_hash, step, bucket_ms, SUM(n) AS n FROM step_latency_daily"
            f" WHERE dialogue = ?{where} GROUP BY dialogue_hash, step, bucket_ms", [dialogue, *params]):
        histograms.setdefault((row["dialogue_hash"], row["step"]), []).append(
            (int(row["bucket_ms"]), int(row["n"])))
    out = {}
    for key, histogram in histograms.items():
        value = rollup.nearest_rank(histogram)
        if value is not None:
            out[key] = value
    return out


@dataclass(frozen=True, slots=True)
class StepDay:
    """One step on one day (every dialogue version together): the series the console charts."""

    day: str
    step: str
    asked: int
    not_understood: int
    mean_latency_ms: float | None

    def to_json(self) -> dict[str, Any]:
        rate = self.not_understood / self.asked if self.asked else 0.0
        return {**asdict(self), "not_understood_rate": round(rate, 4)}


def steps_by_day(db: Any, dialogue: str, *, since: str | None = None,
                 until: str | None = None) -> list[StepDay]:
    """Per day and step: times asked, not understood, mean latency (for charts over time)."""
    where, params = _days(since, until)
    rows = db.query(
        "SELECT day, step, SUM(asked) AS asked, SUM(not_understood) AS not_understood,"
        " SUM(latency_sum) AS latency_sum, SUM(latency_n) AS latency_n FROM step_daily"
        f" WHERE dialogue = ?{where} GROUP BY day, step HAVING SUM(events) > 0 ORDER BY day, step",
        [dialogue, *params])
    return [StepDay(row["day"], row["step"], int(row["asked"]), int(row["not_understood"]),
                    _mean(int(row["latency_sum"]), int(row["latency_n"]))) for row in rows]


def _mean(total: int, count: int) -> float | None:
    return round(total / count, 1) if count else None


@dataclass(frozen=True, slots=True)
class DayOutcomes:
    day: str
    outcomes: dict[str, int]

    @property
    def calls(self) -> int:
        return sum(self.outcomes.values())

    def to_json(self) -> dict[str, Any]:
        return {"day": self.day, "calls": self.calls, "outcomes": self.outcomes}


def outcomes_by_day(db: Any, dialogue: str, *, since: str | None = None,
                    until: str | None = None) -> list[DayOutcomes]:
    where, params = _days(since, until)
    days: dict[str, dict[str, int]] = {}
    for row in db.query(
            "SELECT day, COALESCE(outcome, 'none') AS outcome, COUNT(*) AS n FROM call_facts"
            f" WHERE dialogue = ?{where} GROUP BY day, COALESCE(outcome, 'none') ORDER BY day",
            [dialogue, *params]):
        days.setdefault(row["day"], {})[row["outcome"]] = int(row["n"])
    return [DayOutcomes(day, outcomes) for day, outcomes in days.items()]


def dialogues_with_facts(db: Any) -> list[str]:
    return [row["dialogue"] for row in db.query("SELECT DISTINCT dialogue FROM call_facts ORDER BY dialogue")]


