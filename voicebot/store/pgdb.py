"""One PostgreSQL connection per store object, shared by threads behind a lock, with the voicebot schema.

It offers the same ``transaction()`` / ``query()`` / ``close()`` surface as the SQLite
:class:`voicebot.store.db.Database`, so the store code and its SQL run unchanged on both: ``?``
placeholders are rewritten to psycopg's ``%s`` and rows answer to both ``row["name"]`` and ``row[0]``.
Transactions are explicit (the connection is otherwise in autocommit), so a reader never leaves a
transaction open on the server.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from types import ModuleType
from typing import Any

from voicebot.errors import StoreError

SCHEMA_VERSION = 1
INSTALL_HINT = "PostgreSQL support needs psycopg 3: pip install 'voicebot[postgres]'"
# Any constant will do: it names the lock that serialises schema creation across workers starting at once.
_MIGRATION_LOCK = 7_400_100
_SCHEMA = """
CREATE TABLE IF NOT EXISTS calls (
    call_id     TEXT PRIMARY KEY,
    dialogue    TEXT NOT NULL,
    language    TEXT,
    status      TEXT NOT NULL,          -- in_progress | completed | interrupted
    worker      TEXT,                   -- workers.worker_id of the process running the call
    outcome     TEXT,
    door        TEXT,
    started_at  TEXT NOT NULL,          -- ISO 8601 UTC, as in the record: compares as text
    ended_at    TEXT,
    has_audio   INTEGER NOT NULL DEFAULT 0,
    record_json TEXT NOT NULL           -- text, not jsonb: the record comes back byte for byte
);
CREATE INDEX IF NOT EXISTS calls_started ON calls (started_at DESC);
CREATE INDEX IF NOT EXISTS calls_status ON calls (status);
CREATE INDEX IF NOT EXISTS calls_open_by_worker ON calls (worker) WHERE status = 'in_progress';
CREATE TABLE IF NOT EXISTS api_keys (
    key_id               TEXT PRIMARY KEY,
    name                 TEXT NOT NULL UNIQUE,
    key_sha256           BYTEA NOT NULL,
    dialogues_json       TEXT,
    max_concurrent_calls INTEGER,
    created_at           TEXT NOT NULL,
    revoked_at           TEXT
);
CREATE TABLE IF NOT EXISTS workers (
    worker_id    TEXT PRIMARY KEY,      -- host:pid:process start:kernel/pid-namespace tag
    host         TEXT NOT NULL,
    pid          INTEGER NOT NULL,
    started_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    heartbeat_at TIMESTAMPTZ NOT NULL,  -- the database's clock, never a worker's: no skew between machines
    lease_s      DOUBLE PRECISION NOT NULL
)
"""
_PASSWORD_IN_URL = re.compile(r"(://[^:/@]*:)[^@]*@")


def import_psycopg() -> ModuleType:
    """psycopg, imported on first use so that SQLite-only installs never need it."""
    try:
        import psycopg
    except ImportError:
        raise StoreError(f"store.url names a PostgreSQL database but psycopg is not installed. "
                         f"{INSTALL_HINT}") from None
    return psycopg


def redact_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    return _PASSWORD_IN_URL.sub(r"\1***@", url)


def to_psycopg_sql(sql: str) -> str:
    """SQLite-style ``?`` placeholders to psycopg's ``%s`` (the store's SQL holds no literal ``?``)."""
    return sql.replace("%", "%%").replace("?", "%s")


class Row:
    """A result row readable by column name or by position, like ``sqlite3.Row``."""

    __slots__ = ("_index", "_values")

    def __init__(self, values: Sequence[Any], index: dict[str, int]) -> None:
        self._values = values
        self._index = index

    def __getitem__(self, key: int | str) -> Any:
        return self._values[self._index[key] if isinstance(key, str) else key]

    def keys(self) -> list[str]:
        return list(self._index)

    def __repr__(self) -> str:
        return f"Row({dict(zip(self._index, self._values, strict=True))!r})"


def _row_factory(cursor: Any) -> Callable[[Sequence[Any]], Row]:
    index = {column.name: i for i, column in enumerate(cursor.description or ())}
    return lambda values: Row(values, index)


class Cursor:
    """What ``conn.execute`` returns inside a transaction: the rows and how many were changed."""

    __slots__ = ("_cursor",)

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    @property
    def rowcount(self) -> int:
        return int(self._cursor.rowcount)

    def fetchone(self) -> Row | None:
        row: Row | None = self._cursor.fetchone()
        return row

    def fetchall(self) -> list[Row]:
        return list(self._cursor.fetchall())


class Connection:
    """The connection as the store code sees it inside :meth:`PostgresDatabase.transaction`."""

    __slots__ = ("_conn",)

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        return Cursor(self._conn.execute(to_psycopg_sql(sql), params))


class PostgresDatabase:
    """A PostgreSQL database with the voicebot schema. Every public call is thread-safe.

    Args:
        url: a libpq URL, ``postgresql://user@host:5432/dbname`` (a password may come from PGPASSWORD or
            ~/.pgpass instead of the URL).
        lock_timeout_ms: how long a statement waits for another transaction's lock before failing.
        connect_timeout_s: how long connecting may take.
    """

    def __init__(self, url: str, *, lock_timeout_ms: int = 5000, connect_timeout_s: int = 10) -> None:
        self.url = url
        self.where = redact_url(url)
        self._psycopg = import_psycopg()
        self._lock_timeout_ms = int(lock_timeout_ms)
        self._connect_timeout_s = max(1, int(connect_timeout_s))
        self._lock = threading.Lock()
        self._conn: Any = None
        with self._lock:
            try:
                self._migrate(self._connection())
            except self._psycopg.Error as exc:
                self._drop()
                raise StoreError(f"cannot open the store {self.where}: {_first_line(exc)}; check that "
                                 f"PostgreSQL runs and that store.url names a database this user may "
                                 f"use") from None
            except BaseException:
                self._drop()
                raise

    def _connection(self) -> Any:
        """The open connection; a new one after the server went away (the next call retries)."""
        if self._conn is None or self._conn.closed or self._conn.broken:
            self._drop()
            self._conn = self._psycopg.connect(self.url, autocommit=True, row_factory=_row_factory,
                                               connect_timeout=self._connect_timeout_s)
            self._conn.execute("SELECT set_config('lock_timeout', %s, false)",
                               (f"{self._lock_timeout_ms}ms",))
        return self._conn

    def _drop(self) -> None:
        if self._conn is not None:
            with suppress(self._psycopg.Error):
                self._conn.close()
            self._conn = None

    def _migrate(self, conn: Any) -> None:
        with conn.transaction():
            # Workers starting together would race on CREATE TABLE IF NOT EXISTS (it is not atomic).
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            conn.execute("CREATE TABLE IF NOT EXISTS voicebot_schema (version INTEGER NOT NULL)")
            row = conn.execute("SELECT max(version) FROM voicebot_schema").fetchone()
            version = row[0] if row is not None and row[0] is not None else 0
            if version > SCHEMA_VERSION:
                raise StoreError(f"the store {self.where} was written by a newer voicebot "
                                 f"(schema {version}); upgrade voicebot")
            if version == 0:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute("INSERT INTO voicebot_schema (version) VALUES (%s)", (SCHEMA_VERSION,))

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A write transaction; psycopg errors become StoreError (with the psycopg error as cause)."""
        with self._lock:
            try:
                with ExitStack() as stack:
                    conn = self._begin(stack)
                    yield Connection(conn)
            except self._psycopg.Error as exc:
                raise StoreError(f"cannot write to the store {self.where}: {_first_line(exc)}; check that "
                                 f"PostgreSQL is up and reachable and what holds locks on it") from exc

    def _begin(self, stack: ExitStack) -> Any:
        # A server restart or failover breaks the connection unnoticed until its next use. Nothing has
        # run yet when BEGIN fails, so one retry on a new connection is safe.
        for retry in (False, True):
            conn = self._connection()
            try:
                stack.enter_context(conn.transaction())
                return conn
            except self._psycopg.OperationalError:
                if retry or not conn.broken:
                    raise
                self._drop()
        raise AssertionError("unreachable")

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with self._lock:
            for retry in (False, True):
                conn = None
                try:
                    conn = self._connection()
                    rows: list[Row] = conn.execute(to_psycopg_sql(sql), params).fetchall()
                    return rows
                except self._psycopg.Error as exc:
                    # Reads change nothing: a broken connection is retried once on a new one.
                    if not retry and conn is not None and conn.broken:
                        self._drop()
                        continue
                    raise StoreError(f"cannot read the store {self.where}: {_first_line(exc)}") from exc
            raise AssertionError("unreachable")

    def close(self) -> None:
        with self._lock:
            self._drop()


def create_tables(db: PostgresDatabase, lock_key: int, schema: str) -> None:
    """Run ``CREATE … IF NOT EXISTS`` statements (split at ``;``) for a feature's own tables, under a
    transaction-scoped advisory lock: workers starting together would race on them otherwise."""
    with db.transaction() as conn:
        conn.execute("SELECT pg_advisory_xact_lock(?)", (lock_key,))
        for statement in schema.split(";"):
            if statement.strip():
                conn.execute(statement)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
