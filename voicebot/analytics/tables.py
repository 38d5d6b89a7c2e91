"""The fact tables beside the ``calls`` table, on SQLite and PostgreSQL alike (one SQL dialect subset).

They are created by the stores at open (``CREATE ... IF NOT EXISTS``, separate from the stores' own
schema versions) and written in the same transaction as the record they come from, so a saved record
and its facts never disagree.
"""

from __future__ import annotations

from typing import Any

from voicebot.analytics import rollup
from voicebot.analytics.facts import call_fact, step_facts

# Any constant: it names the lock that serialises this DDL across PostgreSQL workers starting at once.
_PG_DDL_LOCK = 7_400_113
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS step_facts (
        call_id       TEXT NOT NULL,
        seq           INTEGER NOT NULL,
        dialogue      TEXT NOT NULL,
        dialogue_hash TEXT,
        started_at    TEXT NOT NULL,
        step          TEXT NOT NULL,
        attempt       INTEGER NOT NULL,
        result        TEXT NOT NULL,
        turn          INTEGER,
        latency_ms    INTEGER,
        confidence    REAL,
        PRIMARY KEY (call_id, seq))""",
    "CREATE INDEX IF NOT EXISTS step_facts_by_dialogue ON step_facts (dialogue, started_at)",
    "CREATE INDEX IF NOT EXISTS step_facts_by_time ON step_facts (started_at)",
    """CREATE TABLE IF NOT EXISTS call_facts (
        call_id        TEXT PRIMARY KEY,
        dialogue       TEXT NOT NULL,
        dialogue_hash  TEXT,
        started_at     TEXT NOT NULL,
        day            TEXT NOT NULL,
        outcome        TEXT,
        door           TEXT,
        key_id         TEXT,
        key_name       TEXT,
        end_step       TEXT,
        caller_audio_s REAL NOT NULL DEFAULT 0,
        bot_audio_s    REAL NOT NULL DEFAULT 0)""",
    "CREATE INDEX IF NOT EXISTS call_facts_by_dialogue ON call_facts (dialogue, day)",
    "CREATE INDEX IF NOT EXISTS call_facts_by_key ON call_facts (key_id, day)",
    """CREATE TABLE IF NOT EXISTS step_daily (
        dialogue       TEXT NOT NULL,
        dialogue_hash  TEXT NOT NULL,
        day            TEXT NOT NULL,
        step           TEXT NOT NULL,
        calls          BIGINT NOT NULL DEFAULT 0,
        events         BIGINT NOT NULL DEFAULT 0,
        position_sum   BIGINT NOT NULL DEFAULT 0,
        asked          BIGINT NOT NULL DEFAULT 0,
        answered_first BIGINT NOT NULL DEFAULT 0,
        not_understood BIGINT NOT NULL DEFAULT 0,
        read_back      BIGINT NOT NULL DEFAULT 0,
        rejected       BIGINT NOT NULL DEFAULT 0,
        corrected      BIGINT NOT NULL DEFAULT 0,
        silence        BIGINT NOT NULL DEFAULT 0,
        answers        BIGINT NOT NULL DEFAULT 0,
        misses         BIGINT NOT NULL DEFAULT 0,
        latency_n      BIGINT NOT NULL DEFAULT 0,
        latency_sum    BIGINT NOT NULL DEFAULT 0,
        conf_n         BIGINT NOT NULL DEFAULT 0,
        conf_sum       DOUBLE PRECISION NOT NULL DEFAULT 0,
        conf_sq        DOUBLE PRECISION NOT NULL DEFAULT 0,
        PRIMARY KEY (dialogue, dialogue_hash, day, step))""",
    "CREATE INDEX IF NOT EXISTS step_daily_by_day ON step_daily (day)",
    """CREATE TABLE IF NOT EXISTS step_latency_daily (
        dialogue      TEXT NOT NULL,
        dialogue_hash TEXT NOT NULL,
        day           TEXT NOT NULL,
        step          TEXT NOT NULL,
        bucket_ms     INTEGER NOT NULL,
        n             BIGINT NOT NULL DEFAULT 0,
        PRIMARY KEY (dialogue, dialogue_hash, day, step, bucket_ms))""",
    """CREATE TABLE IF NOT EXISTS key_settings (
        key_id            TEXT PRIMARY KEY,
        scopes            TEXT NOT NULL DEFAULT '',
        monthly_quota_min REAL)""",
    """CREATE TABLE IF NOT EXISTS review_labels (
        call_id    TEXT NOT NULL,
        turn       INTEGER NOT NULL,
        heard      TEXT NOT NULL,
        value      TEXT,
        labelled_by TEXT,
        labelled_at TEXT NOT NULL,
        PRIMARY KEY (call_id, turn))""",
)


def ensure_schema(db: Any, *, postgres: bool = False) -> None:
    """Create the fact tables if missing. ``db`` is a store's Database or PostgresDatabase."""
    with db.transaction() as conn:
        if postgres:
            conn.execute("SELECT pg_advisory_xact_lock(?)", (_PG_DDL_LOCK,))
        for statement in SCHEMA:
            conn.execute(statement)


def write_facts(conn: Any, data: dict[str, Any]) -> None:
    """Replace the facts of one record, inside the caller's transaction, and keep the daily counters."""
    call_id = data["call_id"]
    old = [rollup.row_of(row) for row in conn.execute(
        "SELECT * FROM step_facts WHERE call_id = ?", (call_id,)).fetchall()]
    new = step_facts(data)
    _add_counters(conn, rollup.merge(rollup.counters(old, -1), rollup.counters(new)))
    conn.execute("DELETE FROM step_facts WHERE call_id = ?", (call_id,))
    for f in new:
        conn.execute(
            "INSERT INTO step_facts (call_id, seq, dialogue, dialogue_hash, started_at, step, attempt,"
            " result, turn, latency_ms, confidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (f.call_id, f.seq, f.dialogue, f.dialogue_hash, f.started_at, f.step, f.attempt, f.result,
             f.turn, f.latency_ms, f.confidence))
    c = call_fact(data)
    conn.execute("DELETE FROM call_facts WHERE call_id = ?", (call_id,))
    conn.execute(
        "INSERT INTO call_facts (call_id, dialogue, dialogue_hash, started_at, day, outcome, door, key_id,"
        " key_name, end_step, caller_audio_s, bot_audio_s) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (c.call_id, c.dialogue, c.dialogue_hash, c.started_at, c.day, c.outcome, c.door, c.key_id, c.key_name,
         c.end_step, c.caller_audio_s, c.bot_audio_s))


_DAY_COLUMNS = ", ".join(rollup.COUNTERS)
_DAY_UPSERT = (f"INSERT INTO step_daily (dialogue, dialogue_hash, day, step, {_DAY_COLUMNS}) VALUES"
               f" (?, ?, ?, ?, {', '.join('?' * len(rollup.COUNTERS))})"
               " ON CONFLICT (dialogue, dialogue_hash, day, step) DO UPDATE SET "
               + ", ".join(f"{c} = step_daily.{c} + excluded.{c}" for c in rollup.COUNTERS))
_BUCKET_UPSERT = ("INSERT INTO step_latency_daily (dialogue, dialogue_hash, day, step, bucket_ms, n) VALUES"
                  " (?, ?, ?, ?, ?, ?) ON CONFLICT (dialogue, dialogue_hash, day, step, bucket_ms) DO UPDATE"
                  " SET n = step_latency_daily.n + excluded.n")
_FLOAT_COUNTERS = frozenset(("conf_sum", "conf_sq"))


def _add_counters(conn: Any, deltas: tuple[dict[rollup.Key, dict[str, float]],
                                           dict[tuple[rollup.Key, int], int]]) -> None:
    days, buckets = deltas
    for key, c in sorted(days.items()):  # a fixed order: concurrent saves lock rows in the same order
        conn.execute(_DAY_UPSERT, (*key, *(c[name] if name in _FLOAT_COUNTERS else int(c[name])
                                           for name in rollup.COUNTERS)))
    for (key, bucket), n in sorted(buckets.items()):
        conn.execute(_BUCKET_UPSERT, (*key, bucket, n))
