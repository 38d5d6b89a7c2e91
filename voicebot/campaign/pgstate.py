"""Campaign state in PostgreSQL: one campaign worked by any number of dialer processes on any machines.

Selected by the same ``store.url`` as the call records. The tables and the reading code are those of
the SQLite :class:`~voicebot.campaign.state.CampaignStore`; what changes is how a contact is taken:

- :meth:`PostgresCampaignStore.claim` locks due contacts with ``FOR UPDATE SKIP LOCKED`` (dialers
  never wait for each other), marks each with the call id of its new open attempt and commits the
  attempt with a lease (``lease_until``, by the database's clock) before anything is dialled;
- the claiming dialer renews the leases of its live calls (:meth:`renew`) and stops a call whose lease
  it could not renew in time (the runner's fence), so a lease that ran out means the call is over;
- :meth:`recover` closes only attempts whose lease has run out, as ``interrupted`` unless the call
  store has the finished record; the contact is then retried under the campaign's retry rules.

A contact row carries its open call (``open_call_id``) and a partial unique index allows one open
attempt per contact: two dialers can never both hold one contact, whatever their timing.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from voicebot.campaign.policy import recovered_dial_outcome
from voicebot.campaign.state import (
    PENDING,
    Attempt,
    CampaignStore,
    Claim,
    DueContact,
    _iso,
)
from voicebot.errors import CampaignError, StoreError
from voicebot.record import CallRecord
from voicebot.store.pgdb import PostgresDatabase, create_tables

DEFAULT_LEASE_S = 30.0
# Any constant: it names the lock that serialises creating the campaign tables across workers.
_SCHEMA_LOCK = 7_400_200
_SCHEMA = """
CREATE TABLE IF NOT EXISTS campaigns (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, settings_json TEXT NOT NULL, status TEXT NOT NULL,
    contacts_sha256 TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS contacts (
    campaign_id TEXT NOT NULL REFERENCES campaigns(id), line INTEGER NOT NULL, phone TEXT,
    variables_json TEXT NOT NULL, status TEXT NOT NULL, reason TEXT, attempts INTEGER NOT NULL DEFAULT 0,
    next_due_at TEXT, final_outcome TEXT,
    open_call_id TEXT,                      -- the attempt in progress, NULL when none
    PRIMARY KEY (campaign_id, line));
CREATE TABLE IF NOT EXISTS attempts (
    campaign_id TEXT NOT NULL, line INTEGER NOT NULL, attempt_no INTEGER NOT NULL,
    call_id TEXT NOT NULL UNIQUE, state TEXT NOT NULL, outcome TEXT, dialogue_outcome TEXT,
    record_json TEXT, started_at TEXT NOT NULL, ended_at TEXT,
    worker TEXT,                            -- the dialer that claimed it
    lease_until TIMESTAMPTZ,                -- by the database clock, renewed while the call lives
    PRIMARY KEY (campaign_id, line, attempt_no));
CREATE UNIQUE INDEX IF NOT EXISTS attempts_one_open ON attempts (campaign_id, line) WHERE state = 'dialing';
CREATE INDEX IF NOT EXISTS contacts_due ON contacts (campaign_id, next_due_at) WHERE status = 'pending'
"""


def dialer_id() -> str:
    """A new id for one dialer (store object): host, pid and a random part, unique across machines."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class PostgresCampaignStore(CampaignStore):
    """:class:`CampaignStore` on PostgreSQL with leased claims; blocking, one connection per object.

    Args:
        url: ``postgresql://user@host:5432/dbname`` (the ``store.url``).
        lease_s: how long a claim holds without renewal; the runner renews every ``lease_s / 3``.
        worker: this dialer's id (default: a new :func:`dialer_id`).
    """

    _RELEASE_CONTACT = ", open_call_id = NULL"

    def __init__(self, url: str, *, lease_s: float = DEFAULT_LEASE_S, worker: str | None = None,
                 lock_timeout_ms: int = 5000) -> None:
        if lease_s <= 0:
            raise StoreError("the campaign lease must be a positive number of seconds")
        self.lease_s = float(lease_s)
        self.worker = worker or dialer_id()
        self._pg = PostgresDatabase(url, lock_timeout_ms=lock_timeout_ms)
        self.where = self._pg.where  # what messages name: the URL without its password
        try:
            create_tables(self._pg, _SCHEMA_LOCK, _SCHEMA)
        except BaseException:
            self._pg.close()
            raise

    def close(self) -> None:
        self._pg.close()

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        return self._pg.query(sql, params)

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        with self._pg.transaction() as conn:
            yield conn

    # ---- claiming ----

    def claim(self, campaign_id: str, now: datetime, limit: int) -> list[Claim]:
        """Take up to ``limit`` due contacts for this dialer, each with a committed, leased attempt."""
        if limit <= 0:
            return []
        claims = []
        with self._transaction() as conn:
            # ``open_call_id IS NULL`` sits on the locked row itself: a contact another dialer claimed
            # between this statement's snapshot and its lock is re-checked on the new row and skipped.
            rows = conn.execute(
                "SELECT line, phone, variables_json, attempts FROM contacts WHERE campaign_id = ? AND "
                "status = ? AND open_call_id IS NULL AND (next_due_at IS NULL OR next_due_at <= ?) "
                "ORDER BY line LIMIT ? FOR UPDATE SKIP LOCKED",
                (campaign_id, PENDING, _iso(now), limit)).fetchall()
            for row in rows:
                contact = DueContact(row[0], row[1], json.loads(row[2]), row[3])
                call_id, attempt_no = str(uuid.uuid4()), int(row[3]) + 1
                self._open_attempt(conn, campaign_id, contact.line, attempt_no, call_id, now)
                claims.append(Claim(contact, attempt_no, call_id))
        return claims

    def begin_attempt(self, campaign_id: str, line: int, call_id: str, now: datetime) -> int:
        """One contact claimed by line (tools and tests); the runner uses :meth:`claim`."""
        with self._transaction() as conn:
            row = conn.execute("SELECT attempts, status, open_call_id FROM contacts WHERE campaign_id = ? "
                               "AND line = ? FOR UPDATE", (campaign_id, line)).fetchone()
            if row is None or row[1] != PENDING or row[2] is not None:
                raise CampaignError(f"campaign {campaign_id}: line {line} is not waiting for a call")
            attempt_no = int(row[0]) + 1
            self._open_attempt(conn, campaign_id, line, attempt_no, call_id, now)
        return attempt_no

    def _open_attempt(self, conn: Any, campaign_id: str, line: int, attempt_no: int, call_id: str,
                      now: datetime) -> None:
        conn.execute(
            "INSERT INTO attempts (campaign_id, line, attempt_no, call_id, state, started_at, worker, "
            "lease_until) VALUES (?, ?, ?, ?, 'dialing', ?, ?, now() + ? * interval '1 second')",
            (campaign_id, line, attempt_no, call_id, _iso(now), self.worker, self.lease_s))
        conn.execute("UPDATE contacts SET attempts = ?, open_call_id = ? WHERE campaign_id = ? AND line = ?",
                     (attempt_no, call_id, campaign_id, line))

    def renew(self, campaign_id: str, call_ids: list[str]) -> set[str]:
        """Extend the leases of this dialer's open attempts; returns the call ids it still holds."""
        if not call_ids:
            return set()
        with self._transaction() as conn:
            rows = conn.execute(
                "UPDATE attempts SET lease_until = now() + ? * interval '1 second' WHERE campaign_id = ? "
                "AND call_id = ANY(?) AND state = 'dialing' AND worker = ? RETURNING call_id",
                (self.lease_s, campaign_id, list(call_ids), self.worker)).fetchall()
        return {row[0] for row in rows}

    def expired_attempts(self, campaign_id: str) -> list[Attempt]:
        """Open attempts whose lease has run out (their dialer died or lost the database)."""
        rows = self._query("SELECT call_id FROM attempts WHERE campaign_id = ? AND state = 'dialing' AND "
                           "(lease_until IS NULL OR lease_until < now())", (campaign_id,))
        expired = {row[0] for row in rows}
        return [a for a in self.open_attempts(campaign_id) if a.call_id in expired]

    def recover(self, campaign_id: str, find_record: Callable[[str], CallRecord | None],
                now: datetime) -> list[tuple[Attempt, str]]:
        """Close the attempts whose lease ran out; never one whose dialer may still hold its call.

        Every dialer runs this as it polls; an attempt closed by another at the same moment is skipped.
        """
        closed = []
        for attempt in self.expired_attempts(campaign_id):
            record = find_record(attempt.call_id)
            dial_outcome = recovered_dial_outcome(record.outcome if record is not None else None,
                                                  found=record is not None)
            try:
                outcome = self.finish_attempt(campaign_id, attempt.line, attempt.attempt_no, dial_outcome,
                                              record, now, expired_only=True)
            except CampaignError:
                continue  # renewed after all, or closed by another dialer first
            closed.append((attempt, outcome))
        return closed

    def finish_attempt(self, campaign_id: str, line: int, attempt_no: int, dial_outcome: str,
                       record: CallRecord | None, now: datetime, *, expired_only: bool = False) -> str:
        """As on SQLite; ``expired_only`` closes the attempt only if its lease has run out (recovery)."""
        if not expired_only:
            return super().finish_attempt(campaign_id, line, attempt_no, dial_outcome, record, now)
        with self._transaction() as conn:
            row = conn.execute("SELECT 1 FROM attempts WHERE campaign_id = ? AND line = ? AND attempt_no = ? "
                               "AND state = 'dialing' AND (lease_until IS NULL OR lease_until < now()) "
                               "FOR UPDATE SKIP LOCKED", (campaign_id, line, attempt_no)).fetchone()
        if row is None:
            raise CampaignError(f"campaign {campaign_id}: attempt {attempt_no} of line {line} is not expired")
        # Between that check and the close below a renewal cannot come: the dialer whose lease ran out
        # has already stopped the call (its fence fires before the database's lease ends).
        return super().finish_attempt(campaign_id, line, attempt_no, dial_outcome, record, now)
