"""Calls in progress counted across every worker, in PostgreSQL: a key's ``max_concurrent_calls`` holds
for the whole call centre, not per process.

Each admitted call of a limited key holds a row in ``call_slots`` naming its worker. A worker's rows
count while that worker is alive by the rule of :func:`voicebot.store.postgres.worker_alive`: its
heartbeat (renewed by the call store every ``lease_s / 3``) is younger than its lease, or, on the same
host, the kernel says the process still runs. So the calls of a worker killed with SIGKILL stop counting
at once on its own machine and within a lease elsewhere; the next admission of that key deletes them.
Taking a slot locks the key (a transaction-scoped advisory lock), so two workers admitting calls of one
key at the same moment count each other.
"""

from __future__ import annotations

from voicebot.store.pgdb import PostgresDatabase, create_tables
from voicebot.store.postgres import WorkerId, worker_alive

# Any constant: it names the lock that serialises creating the table across workers.
_SCHEMA_LOCK = 7_400_300
_SCHEMA = """
CREATE TABLE IF NOT EXISTS call_slots (
    slot_id    TEXT PRIMARY KEY,           -- the call's id
    key_id     TEXT NOT NULL,
    dialogue   TEXT NOT NULL,
    worker     TEXT NOT NULL,              -- workers.worker_id of the process running the call
    started_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS call_slots_key ON call_slots (key_id)
"""


class PostgresCallSlots:
    """Implements :class:`voicebot.admission.SharedCallLimits`; blocking, call it in a thread.

    Args:
        url: the ``store.url``.
        worker: this worker's id, the one whose heartbeat the call store keeps in ``workers``.
    """

    def __init__(self, url: str, worker: WorkerId, *, lock_timeout_ms: int = 5000) -> None:
        self.worker = worker
        self._pg = PostgresDatabase(url, lock_timeout_ms=lock_timeout_ms)
        try:
            create_tables(self._pg, _SCHEMA_LOCK, _SCHEMA)
            with self._pg.transaction() as conn:
                # Slots of an earlier process with this id cannot be live calls.
                conn.execute("DELETE FROM call_slots WHERE worker = ?", (str(worker),))
        except BaseException:
            self._pg.close()
            raise

    def acquire(self, slot_id: str, key_id: str, dialogue: str, limit: int) -> bool:
        """Take a slot for a call unless the key's live calls already reach ``limit``."""
        with self._pg.transaction() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(?))", (f"voicebot-key:{key_id}",))
            rows = conn.execute(
                "SELECT s.slot_id, s.worker, (w.heartbeat_at IS NOT NULL AND w.heartbeat_at + w.lease_s *"
                " interval '1 second' > now()) AS leased FROM call_slots s LEFT JOIN workers w"
                " ON w.worker_id = s.worker WHERE s.key_id = ?", (key_id,)).fetchall()
            dead = [row[0] for row in rows
                    if not worker_alive(row[1], leased=bool(row[2]), me=self.worker)]
            if dead:
                conn.execute("DELETE FROM call_slots WHERE slot_id = ANY(?)", (dead,))
            if len(rows) - len(dead) >= limit:
                return False
            conn.execute("INSERT INTO call_slots (slot_id, key_id, dialogue, worker) VALUES (?, ?, ?, ?)",
                         (slot_id, key_id, dialogue, str(self.worker)))
        return True

    def release(self, slot_id: str) -> None:
        with self._pg.transaction() as conn:
            conn.execute("DELETE FROM call_slots WHERE slot_id = ?", (slot_id,))

    def live(self, key_id: str) -> int:
        """Slots held for ``key_id`` (dead workers' rows included until the next admission sweeps them)."""
        rows = self._pg.query("SELECT count(*) FROM call_slots WHERE key_id = ?", (key_id,))
        return int(rows[0][0])

    def close(self) -> None:
        self._pg.close()
