"""Per-step and per-day reports: SQL over the fact tables, the same on SQLite and PostgreSQL.

``db`` is a store's ``_db`` (a :class:`~voicebot.store.db.Database` or a PostgresDatabase): anything with
``query(sql, params)`` returning rows readable by column name.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from voicebot.dialogue import steplog

# Events that answer a read-back rather than the question itself.
_READ_BACK_ANSWERS = (steplog.CONFIRMED, steplog.REJECTED)


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


def step_report(db: Any, dialogue: str, *, since: str | None = None,
                until: str | None = None) -> list[StepRow]:
    """Every step of ``dialogue`` (each dialogue version apart), newest version first, in call order."""
    where, params = _period(since, until)
    rows = db.query(
        "SELECT COALESCE(dialogue_hash, '') AS version, step, COUNT(DISTINCT call_id) AS calls,"
        " SUM(CASE WHEN result NOT IN (?, ?) THEN 1 ELSE 0 END) AS asked,"
        " SUM(CASE WHEN attempt = 1 AND result = ? THEN 1 ELSE 0 END) AS answered_first,"
        " SUM(CASE WHEN result = ? THEN 1 ELSE 0 END) AS not_understood,"
        " SUM(CASE WHEN result = ? THEN 1 ELSE 0 END) AS read_back,"
        " SUM(CASE WHEN result = ? THEN 1 ELSE 0 END) AS rejected,"
        " SUM(CASE WHEN result = ? THEN 1 ELSE 0 END) AS corrected,"
        " SUM(CASE WHEN result = ? THEN 1 ELSE 0 END) AS silence,"
        " AVG(latency_ms) AS mean_latency_ms, AVG(confidence) AS mean_confidence,"
        " AVG(seq) AS position, MAX(started_at) AS last_seen"
        f" FROM step_facts WHERE dialogue = ?{where} GROUP BY COALESCE(dialogue_hash, ''), step",
        [*_READ_BACK_ANSWERS, steplog.ANSWERED, steplog.NOT_UNDERSTOOD, steplog.READ_BACK, steplog.REJECTED,
         steplog.CORRECTED, steplog.SILENCE, dialogue, *params])
    ends = _ends(db, dialogue, since, until)
    p95 = _p95_latency(db, dialogue, since, until)
    newest: dict[str, str] = {}
    for row in rows:
        newest[row["version"]] = max(newest.get(row["version"], ""), row["last_seen"])
    rows = sorted(rows, key=lambda r: (newest[r["version"]], -float(r["position"])), reverse=True)
    out = []
    for row in rows:
        key = (row["version"], row["step"])
        end = ends.get(key, {})
        out.append(StepRow(
            dialogue_hash=row["version"], step=row["step"], calls=int(row["calls"]), asked=int(row["asked"]),
            answered_first=int(row["answered_first"]), not_understood=int(row["not_understood"]),
            read_back=int(row["read_back"]), rejected=int(row["rejected"]), corrected=int(row["corrected"]),
            silence=int(row["silence"]), transferred_here=end.get("transferred", 0),
            hung_up_here=end.get("hangup", 0), ended_here=sum(end.values()),
            mean_latency_ms=_round(row["mean_latency_ms"], 1), p95_latency_ms=p95.get(key),
            mean_confidence=_round(row["mean_confidence"], 3)))
    return out


_Ends = dict[tuple[str, str], dict[str, int]]


def _ends(db: Any, dialogue: str, since: str | None, until: str | None) -> _Ends:
    where, params = _period(since, until)
    ends: _Ends = {}
    for row in db.query(
            "SELECT COALESCE(dialogue_hash, '') AS version, end_step, COALESCE(outcome, '') AS outcome,"
            f" COUNT(*) AS n FROM call_facts WHERE dialogue = ? AND end_step IS NOT NULL{where}"
            " GROUP BY COALESCE(dialogue_hash, ''), end_step, COALESCE(outcome, '')", [dialogue, *params]):
        ends.setdefault((row["version"], row["end_step"]), {})[row["outcome"]] = int(row["n"])
    return ends


def _p95_latency(db: Any, dialogue: str, since: str | None, until: str | None) -> dict[tuple[str, str], int]:
    """Nearest-rank p95 (the ceil(0.95 n)-th smallest) per version and step, in one pass."""
    where, params = _period(since, until)
    rows = db.query(
        "SELECT version, step, latency_ms FROM (SELECT COALESCE(dialogue_hash, '') AS version, step,"
        " latency_ms, ROW_NUMBER() OVER (PARTITION BY COALESCE(dialogue_hash, ''), step ORDER BY latency_ms)"
        " AS pos, COUNT(*) OVER (PARTITION BY COALESCE(dialogue_hash, ''), step) AS n FROM step_facts"
        f" WHERE dialogue = ? AND latency_ms IS NOT NULL{where}) ranked WHERE pos = (n * 95 + 99) / 100",
        [dialogue, *params])
    return {(row["version"], row["step"]): int(row["latency_ms"]) for row in rows}


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
    where, params = _period(since[:10] if since else None, until[:10] if until else None, "day")
    days: dict[str, dict[str, int]] = {}
    for row in db.query(
            "SELECT day, COALESCE(outcome, 'none') AS outcome, COUNT(*) AS n FROM call_facts"
            f" WHERE dialogue = ?{where} GROUP BY day, COALESCE(outcome, 'none') ORDER BY day",
            [dialogue, *params]):
        days.setdefault(row["day"], {})[row["outcome"]] = int(row["n"])
    return [DayOutcomes(day, outcomes) for day, outcomes in days.items()]


def dialogues_with_facts(db: Any) -> list[str]:
    return [row["dialogue"] for row in db.query("SELECT DISTINCT dialogue FROM call_facts ORDER BY dialogue")]


def _round(value: Any, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)
