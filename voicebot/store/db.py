"""One SQLite connection in WAL mode, shared by threads behind a lock.

SQLite serialises writers anyway; a lock in front of one connection keeps that simple and lets other
processes (``voicebot keys`` while the server runs) write too, waiting up to ``busy_timeout_ms``.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from voicebot.errors import StoreError

SCHEMA_VERSION = 2
# Steps from each older schema version to the next.
_MIGRATIONS = {1: "ALTER TABLE calls ADD COLUMN worker TEXT"}
_SCHEMA = """
CREATE TABLE IF NOT EXISTS calls (
    call_id     TEXT PRIMARY KEY,
    dialogue    TEXT NOT NULL,
    language    TEXT,
    status      TEXT NOT NULL,          -- in_progress | completed | interrupted
    worker      TEXT,                   -- host:pid:start of the process running the call
    outcome     TEXT,
    door        TEXT,
    started_at  TEXT NOT NULL,
    ended_at    TEXT,
    has_audio   INTEGER NOT NULL DEFAULT 0,
    record_json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS calls_started ON calls (started_at DESC);
CREATE INDEX IF NOT EXISTS calls_status ON calls (status);
CREATE TABLE IF NOT EXISTS api_keys (
    key_id               TEXT PRIMARY KEY,
    name                 TEXT NOT NULL UNIQUE,
    key_sha256           BLOB NOT NULL,
    dialogues_json       TEXT,          -- null: every dialogue
    max_concurrent_calls INTEGER,       -- null: only the server-wide limit
    created_at           TEXT NOT NULL,
    revoked_at           TEXT
);
"""


class Database:
    """A SQLite file with the voicebot schema. Every public call is thread-safe."""

    def __init__(self, path: str | Path, *, busy_timeout_ms: int = 5000) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Autocommit mode: transactions are explicit (BEGIN IMMEDIATE) in transaction().
            self._conn = sqlite3.connect(self.path, timeout=busy_timeout_ms / 1000, isolation_level=None,
                                         check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the store {self.path}: {exc}; check the path and its permissions "
                             f"(paths.data_dir / store.url)") from None
        self._conn.row_factory = sqlite3.Row
        try:
            self._conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            version = self._conn.execute("PRAGMA user_version").fetchone()[0]
            if version < SCHEMA_VERSION:
                self._conn.execute("PRAGMA journal_mode = WAL")
                self._migrate(version)
            elif version > SCHEMA_VERSION:
                raise StoreError(f"the store {self.path} was written by a newer voicebot (schema {version}); "
                                 f"upgrade voicebot")
            # Durable enough with WAL: a power cut may lose the last commits, never corrupt the file.
            self._conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error as exc:
            self._conn.close()
            raise StoreError(f"cannot use the store {self.path}: {exc}") from None

    def _migrate(self, version: int) -> None:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the lock.
            version = self._conn.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self._conn.execute(statement)
            else:
                for step in range(version, SCHEMA_VERSION):
                    self._conn.execute(_MIGRATIONS[step])
            self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction; sqlite3 errors become StoreError."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self._conn
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    raise
                self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                # A closed connection raises again on in_transaction; the caller still needs a
                # StoreError to send the record to the fallback file.
                with suppress(sqlite3.Error):
                    if self._conn.in_transaction:
                        self._conn.execute("ROLLBACK")
                raise StoreError(f"cannot write to the store {self.path}: {exc}; check free disk space, "
                                 f"permissions and other processes using it") from exc

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise StoreError(f"cannot read the store {self.path}: {exc}") from exc

    def close(self) -> None:
        with self._lock:
            self._conn.close()
