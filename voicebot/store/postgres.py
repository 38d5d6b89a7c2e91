"""Call records and API keys in PostgreSQL, shared by many worker processes on many machines.

Same API and semantics as the SQLite stores (the shared code runs on :class:`PostgresDatabase`);
recordings stay WAV files in ``recordings_dir``, which a multi-machine setup puts on a shared volume.

What differs is knowing whether the worker that began a call still runs. A pid means nothing on
another machine, so each worker has an id (host, pid, process start, kernel and pid-namespace tag) and
a row in ``workers`` whose ``heartbeat_at`` it renews every ``lease_s / 3`` seconds, stamped by the
database's clock. A call left ``in_progress`` is closed as ``interrupted`` when its worker is known
dead: on the same host and pid namespace the kernel says so at once; elsewhere only when the lease has
run out. A worker that was merely cut off from the database and later saves its call overwrites the
``interrupted`` row with the finished record, so nothing is lost either way.
"""

from __future__ import annotations

import builtins
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from voicebot.analytics.tables import ensure_schema
from voicebot.errors import StoreError
from voicebot.record import CallRecord, utc_now_iso
from voicebot.store.calls import IN_PROGRESS, INTERRUPTED, CallStore, StoredCall, _door, _process_start
from voicebot.store.db import Database
from voicebot.store.keys import KeyStore
from voicebot.store.pgdb import PostgresDatabase

log = logging.getLogger(__name__)

DEFAULT_LEASE_S = 30.0
# A WAV is written in seconds; a partial file this old was left by a dead writer on whichever machine.
PARTIAL_RECORDING_MAX_AGE_S = 3600.0


@dataclass(frozen=True, slots=True)
class WorkerId:
    """Who runs a call: enough to ask the kernel when the asker shares it, and to tell machines apart."""

    host: str
    pid: int
    process_start: str  # clock ticks since boot: a reused pid is another process
    namespace: str  # boot id + pid-namespace inode; "-" when unknown (then only the lease counts)

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}:{self.process_start}:{self.namespace}"

    @classmethod
    def parse(cls, text: str) -> WorkerId | None:
        host, pid, start, namespace = [*text.rsplit(":", 3), "", "", ""][:4]
        if not host or not pid.isdigit() or not start or not namespace:
            return None
        return cls(host, int(pid), start, namespace)

    @classmethod
    def current(cls) -> WorkerId:
        pid = os.getpid()
        return cls(socket.gethostname(), pid, _process_start(pid) or "-", _namespace_tag())


def _namespace_tag() -> str:
    # Two containers may share a hostname and both run pid 1: the pid is comparable only within one
    # kernel boot and one pid namespace.
    try:
        boot_id = Path("/proc/sys/kernel/random/boot_id").read_text().strip().replace("-", "")[:12]
        pid_ns = os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        return "-"
    return f"{boot_id}-{pid_ns}"


def worker_alive(worker: str | None, *, leased: bool, me: WorkerId,
                 process_start: Callable[[int], str | None] = _process_start) -> bool:
    """Whether the worker that began a call may still be running it.

    Args:
        worker: the call's worker id (None for rows written without one).
        leased: its heartbeat is younger than its lease, by the database's clock.
        me: the asking worker.
        process_start: pid -> start time, or None when there is no such process (the kernel's answer).
    """
    if worker == str(me):
        return True
    other = WorkerId.parse(worker) if worker else None
    if other is None:
        return leased
    if other.host == me.host and other.namespace == me.namespace != "-":
        return process_start(other.pid) == other.process_start
    return leased


class PostgresCallStore(CallStore):
    """:class:`CallStore` on PostgreSQL; blocking API, call it through ``asyncio.to_thread``.

    Args:
        url: ``postgresql://user@host:5432/dbname``.
        recordings_dir: where ``<call_id>.wav`` files go: a volume every worker mounts.
        fallback_path: JSON-lines file for records the database refused (local to this worker).
        record_audio: False drops the audio passed to :meth:`save`.
        lock_timeout_ms: how long a write waits for another transaction's lock before failing.
        on_fallback: called when a record goes to the fallback file (a metric).
        worker_id: this worker's id (default: derived from this process; tests pose as other machines).
        lease_s: how long this worker counts as alive after its last heartbeat.
        sweep_interval_s: how often the heartbeat thread also closes calls of dead workers
            (:meth:`close_dead_calls`), so a machine that died is noticed without a restart;
            None: only :meth:`mark_interrupted` does.
    """

    def __init__(self, url: str, *, recordings_dir: str | Path = Path("var/recordings"),
                 fallback_path: str | Path = Path("var/unsaved-records.jsonl"), record_audio: bool = True,
                 lock_timeout_ms: int = 5000, on_fallback: Callable[[], None] | None = None,
                 worker_id: WorkerId | None = None, lease_s: float = DEFAULT_LEASE_S,
                 sweep_interval_s: float | None = 60.0) -> None:
        if lease_s <= 0:
            raise StoreError("the worker lease must be a positive number of seconds")
        self.url = url
        self.recordings_dir = Path(recordings_dir)
        self.fallback_path = Path(fallback_path)
        self.record_audio = record_audio
        self._on_fallback = on_fallback
        self.worker = worker_id or WorkerId.current()
        self.lease_s = float(lease_s)
        self._pg = PostgresDatabase(url, lock_timeout_ms=lock_timeout_ms)
        # Same transaction()/query()/close() surface as the SQLite Database: the inherited code runs on it.
        self._db = cast(Database, self._pg)
        try:
            ensure_schema(self._pg, postgres=True)
        except BaseException:
            self._pg.close()
            raise
        self._init_save_tracking()
        self._stop = threading.Event()
        try:
            self.heartbeat()
        except BaseException:
            self._pg.close()
            raise
        self._beat = threading.Thread(target=self._beat_loop, args=(sweep_interval_s,), daemon=True,
                                      name=f"store-heartbeat-{self.worker.pid}")
        self._beat.start()

    def close(self, *, wait_s: float = 30.0) -> None:
        """Let the saves in flight finish, stop heartbeating (the lease then runs out) and disconnect."""
        self._wait_for_saves(wait_s)
        self._stop.set()
        if self._beat.is_alive():
            self._beat.join()
        self._pg.close()

    # ---- liveness ----

    def heartbeat(self) -> None:
        """Renew this worker's lease (the heartbeat thread does, every ``lease_s / 3`` seconds)."""
        with self._pg.transaction() as conn:
            conn.execute(
                "INSERT INTO workers (worker_id, host, pid, heartbeat_at, lease_s) VALUES (?, ?, ?, now(), ?)"
                " ON CONFLICT (worker_id) DO UPDATE SET heartbeat_at = now(), lease_s = excluded.lease_s",
                (str(self.worker), self.worker.host, self.worker.pid, self.lease_s))

    def _beat_loop(self, sweep_interval_s: float | None) -> None:
        next_sweep = time.monotonic() + sweep_interval_s if sweep_interval_s else None
        while not self._stop.wait(self.lease_s / 3):
            try:
                self.heartbeat()
                if next_sweep is not None and sweep_interval_s and time.monotonic() >= next_sweep:
                    next_sweep = time.monotonic() + sweep_interval_s
                    if closed := self.close_dead_calls():
                        log.warning("%d call(s) of workers that stopped heartbeating marked interrupted",
                                    closed)
            except StoreError as exc:
                # The database is away: calls go on, records that cannot be saved go to the fallback file.
                log.warning("store heartbeat failed: %s", exc)
            except Exception:
                log.exception("store heartbeat failed")

    # ---- writing ----

    def begin(self, record: CallRecord) -> None:
        """Insert the row of a call that just started (status ``in_progress``, this worker's id)."""
        data = record.to_json()
        with self._db.transaction() as conn:
            # ON CONFLICT rather than look-then-insert: two workers may race on one id.
            inserted = conn.execute(
                "INSERT INTO calls (call_id, dialogue, language, status, worker, outcome, door, started_at,"
                " ended_at, has_audio, record_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)"
                " ON CONFLICT (call_id) DO NOTHING",
                (record.call_id, record.dialogue, record.language, IN_PROGRESS, str(self.worker),
                 record.outcome, _door(record), record.started_at, record.ended_at,
                 json.dumps(data, ensure_ascii=False))).rowcount
        if inserted == 0:
            raise StoreError(f"call {record.call_id} already exists in the store; call ids must be unique")

    def mark_interrupted(self) -> int:
        """Close calls whose worker is dead (see the module docstring); remove stale partial recordings.

        Returns the number of calls closed. Call it at start-up; the heartbeat thread repeats the
        database part every ``sweep_interval_s``.
        """
        if self.recordings_dir.is_dir():
            # The volume may be shared: another machine's pid cannot be checked here, only the file's age.
            stale_before = time.time() - PARTIAL_RECORDING_MAX_AGE_S
            for partial in self.recordings_dir.glob(".*.wav.tmp*"):
                try:
                    if partial.stat().st_mtime < stale_before:
                        partial.unlink(missing_ok=True)
                except OSError as exc:
                    log.warning("cannot remove the partial recording %s: %s", partial.name, exc.strerror)
        return self.close_dead_calls()

    def close_dead_calls(self) -> int:
        """Mark ``interrupted`` the calls in progress whose worker is dead. Safe to run on every worker
        at once: rows another sweeper holds are skipped, not waited for."""
        with self._db.transaction() as conn:
            rows = conn.execute(
                "SELECT c.call_id, c.worker, c.record_json, (w.heartbeat_at IS NOT NULL AND"
                " w.heartbeat_at + w.lease_s * interval '1 second' > now()) AS leased"
                " FROM calls c LEFT JOIN workers w ON w.worker_id = c.worker"
                " WHERE c.status = ? FOR UPDATE OF c SKIP LOCKED", (IN_PROGRESS,)).fetchall()
            dead = [row for row in rows if not worker_alive(row["worker"], leased=bool(row["leased"]),
                                                            me=self.worker)]
            for row in dead:
                data = json.loads(row["record_json"])
                data["outcome"] = data.get("outcome") or INTERRUPTED
                data["meta"] = {**(data.get("meta") or {}), "interrupted_noticed_at": utc_now_iso(),
                                "interrupted_worker": row["worker"]}
                conn.execute("UPDATE calls SET status = ?, outcome = ?, record_json = ? WHERE call_id = ?",
                             (INTERRUPTED, data["outcome"], json.dumps(data, ensure_ascii=False),
                              row["call_id"]))
            # Workers gone for a day with nothing open are history.
            conn.execute("DELETE FROM workers w WHERE w.heartbeat_at < now() - interval '1 day' AND NOT"
                         " EXISTS (SELECT 1 FROM calls c WHERE c.worker = w.worker_id AND c.status = ?)",
                         (IN_PROGRESS,))
        return len(dead)

    # ---- reading ----

    def entries(self, limit: int = 50, offset: int = 0, *, dialogue: str | None = None,
                outcome: str | None = None, status: str | None = None,
                dialogues: Sequence[str] | None = None, since: str | None = None,
                until: str | None = None) -> builtins.list[StoredCall]:
        if dialogues is not None and not dialogues:
            return []  # an empty allow-list matches nothing (SQLite's "WHERE 0" is no boolean here)
        return super().entries(limit, offset, dialogue=dialogue, outcome=outcome, status=status,
                               dialogues=dialogues, since=since, until=until)

    def count(self, *, dialogue: str | None = None, outcome: str | None = None,
              status: str | None = None, dialogues: Sequence[str] | None = None,
              since: str | None = None, until: str | None = None) -> int:
        if dialogues is not None and not dialogues:
            return 0
        return super().count(dialogue=dialogue, outcome=outcome, status=status, dialogues=dialogues,
                             since=since, until=until)


class PostgresKeyStore(KeyStore):
    """:class:`KeyStore` on PostgreSQL: every worker sees a key as soon as it is created or revoked."""

    def __init__(self, url: str, *, lock_timeout_ms: int = 5000) -> None:
        self.url = url
        pg = PostgresDatabase(url, lock_timeout_ms=lock_timeout_ms)
        try:
            ensure_schema(pg, postgres=True)
        except BaseException:
            pg.close()
            raise
        self._db = cast(Database, pg)

    def create(self, name: str | None = None, dialogues: Sequence[str] | None = None,
               max_concurrent_calls: int | None = None, *, scopes: Sequence[str] = (),
               monthly_quota_min: float | None = None) -> tuple[str, str]:
        try:
            return super().create(name, dialogues, max_concurrent_calls, scopes=scopes,
                                  monthly_quota_min=monthly_quota_min)
        except StoreError as exc:
            constraint = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
            if constraint == "api_keys_name_key":
                raise StoreError(f"a key named {name!r} already exists; choose another --name") from None
            raise
