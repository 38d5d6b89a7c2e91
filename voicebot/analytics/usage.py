"""Usage per API key: calls, caller audio seconds in, bot audio seconds out, per day or per month.

SQL over ``call_facts`` (written with each record). ``query`` is a store's ``query(sql, params)``.
Calls in progress are not counted until their record is saved.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from voicebot.errors import StoreError

Query = Callable[[str, Sequence[Any]], list[Any]]
_MONTH = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True, slots=True)
class UsageRow:
    key_id: str | None  # None: calls no key admitted (AudioSocket, the file door)
    key_name: str | None
    period: str  # YYYY-MM-DD or YYYY-MM
    calls: int
    caller_audio_s: float
    bot_audio_s: float

    @property
    def minutes(self) -> float:
        """Billed minutes: the caller's line time (caller audio in)."""
        return self.caller_audio_s / 60.0

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "minutes": round(self.minutes, 3)}


def current_month() -> str:
    return datetime.now(UTC).strftime("%Y-%m")


def month_range(month: str) -> tuple[str, str]:
    """``2026-12`` -> (``2026-12-01``, ``2027-01-01``): the days of ``call_facts`` that month covers."""
    match = _MONTH.fullmatch(month)
    if match is None or not 1 <= int(match[2]) <= 12:
        raise StoreError(f"month must be written YYYY-MM, e.g. 2026-12, not {month!r}")
    year, number = int(match[1]), int(match[2])
    following = f"{year + 1}-01" if number == 12 else f"{year}-{number + 1:02d}"
    return f"{month}-01", f"{following}-01"


def usage(query: Query, *, month: str | None = None, key: str | None = None,
          by: str = "month") -> list[UsageRow]:
    """Usage per key and period (``by`` = "day" or "month"); ``key`` is a key id or name."""
    if by not in ("day", "month"):
        raise ValueError("by must be 'day' or 'month'")
    period = "day" if by == "day" else "substr(day, 1, 7)"
    clauses, params = [], []
    if month is not None:
        first, after = month_range(month)
        clauses += ["day >= ?", "day < ?"]
        params += [first, after]
    if key is not None:
        clauses.append("(key_id = ? OR key_name = ?)")
        params += [key, key]
    where = " WHERE " + " AND ".join(clauses) if clauses else ""
    rows = query(
        f"SELECT key_id, MAX(key_name) AS key_name, {period} AS period, COUNT(*) AS calls,"
        " SUM(caller_audio_s) AS caller_s, SUM(bot_audio_s) AS bot_s"
        f" FROM call_facts{where} GROUP BY key_id, {period}"
        f" ORDER BY {period}, COALESCE(MAX(key_name), '')", params)
    return [UsageRow(row["key_id"], row["key_name"], row["period"], int(row["calls"]),
                     round(float(row["caller_s"] or 0.0), 3), round(float(row["bot_s"] or 0.0), 3))
            for row in rows]


def minutes_used(query: Query, key_id: str, month: str) -> float:
    """The billed minutes of one key in one month (the quota check)."""
    first, after = month_range(month)
    rows = query("SELECT SUM(caller_audio_s) AS s FROM call_facts WHERE key_id = ? AND day >= ? AND day < ?",
                 [key_id, first, after])
    return float(rows[0]["s"] or 0.0) / 60.0 if rows else 0.0
