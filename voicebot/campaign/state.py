"""Campaign state in embedded SQLite: campaigns, contacts and every dial attempt.

An attempt row is committed (state ``dialing``) *before* the dialer dials, and closed (state
``final``) exactly once. A campaign killed mid-call therefore finds its open attempts on restart and
closes them (:meth:`CampaignStore.recover`) instead of dialling them again.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from voicebot.campaign.contacts import ContactList
from voicebot.campaign.policy import (
    CampaignSettings,
    attempt_outcome,
    next_attempt_due,
    recovered_dial_outcome,
)
from voicebot.errors import CampaignError, StoreError
from voicebot.record import CallRecord

_SCHEMA = """
CREATE TABLE IF NOT EXISTS campaigns (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, settings_json TEXT NOT NULL, status TEXT NOT NULL,
    contacts_sha256 TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS contacts (
    campaign_id TEXT NOT NULL REFERENCES campaigns(id), line INTEGER NOT NULL, phone TEXT,
    variables_json TEXT NOT NULL, status TEXT NOT NULL, reason TEXT, attempts INTEGER NOT NULL DEFAULT 0,
    next_due_at TEXT, final_outcome TEXT, PRIMARY KEY (campaign_id, line));
CREATE TABLE IF NOT EXISTS attempts (
    campaign_id TEXT NOT NULL, line INTEGER NOT NULL, attempt_no INTEGER NOT NULL,
    call_id TEXT NOT NULL UNIQUE, state TEXT NOT NULL, outcome TEXT, dialogue_outcome TEXT,
    record_json TEXT, started_at TEXT NOT NULL, ended_at TEXT,
    PRIMARY KEY (campaign_id, line, attempt_no));
"""

# Campaign status values.
CREATED, RUNNING, PAUSED, FINISHED = "created", "running", "paused", "finished"
# Contact status values.
PENDING, DONE, INVALID = "pending", "done", "invalid"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass(frozen=True, slots=True)
class Campaign:
    id: str
    name: str
    settings: CampaignSettings
    status: str
    created_at: str


@dataclass(frozen=True, slots=True)
class DueContact:
    line: int
    phone: str
    variables: dict[str, Any]
    attempts: int


@dataclass(frozen=True, slots=True)
class Claim:
    """A contact this dialer now owns: its open attempt is committed, the number may be dialled."""

    contact: DueContact
    attempt_no: int
    call_id: str


@dataclass(frozen=True, slots=True)
class Attempt:
    line: int
    attempt_no: int
    call_id: str
    state: str
    outcome: str | None
    dialogue_outcome: str | None
    record: CallRecord | None
    started_at: str
    ended_at: str | None


@dataclass(frozen=True, slots=True)
class ContactState:
    line: int
    phone: str | None
    variables: dict[str, Any]
    status: str
    reason: str | None
    final_outcome: str | None
    attempts: list[Attempt]


@dataclass(frozen=True, slots=True)
class Progress:
    campaign_id: str
    status: str
    total: int
    invalid: int
    done: int
    pending: int
    dialing: int
    outcomes: dict[str, int]  # final outcome of done contacts -> count

    def to_json(self) -> dict[str, Any]:
        return {"campaign_id": self.campaign_id, "status": self.status, "total": self.total,
                "invalid": self.invalid, "done": self.done, "pending": self.pending,
                "dialing": self.dialing, "outcomes": self.outcomes}


class CampaignStore:
    """Blocking SQLite access; each method is one short transaction.

    One dialer process per campaign: open attempts have no lease (``lease_s`` is None), and
    :meth:`recover` closes every attempt left open. :class:`voicebot.campaign.pgstate.PostgresCampaignStore`
    shares this code and adds leases for many dialers.
    """

    lease_s: float | None = None
    # Extra SET clause when an attempt closes (PostgreSQL also clears the contact's claim).
    _RELEASE_CONTACT = ""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                         timeout=10.0)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")  # an attempt row must survive a power cut
            self._conn.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open campaign database {self.path}: {exc}") from exc
        self._lock = threading.Lock()

    def close(self) -> None:
        self._conn.close()

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        with self._lock:  # the runner calls from worker threads
            return self._conn.execute(sql, params).fetchall()

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
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
                raise StoreError(f"campaign database {self.path}: {exc}") from exc

    # ---- campaigns ----

    def create(self, campaign_id: str, name: str, settings: CampaignSettings, contacts: ContactList,
               now: datetime) -> tuple[Campaign, bool]:
        """Create a campaign, or return the existing one with that id. Second item: created now."""
        with self._transaction() as conn:
            row = conn.execute("SELECT contacts_sha256 FROM campaigns WHERE id = ?",
                               (campaign_id,)).fetchone()
            if row is None:
                conn.execute("INSERT INTO campaigns VALUES (?, ?, ?, ?, ?, ?, ?)",
                             (campaign_id, name, json.dumps(settings.to_json()), CREATED, contacts.sha256,
                              _iso(now), _iso(now)))
                for c in contacts.contacts:
                    conn.execute("INSERT INTO contacts (campaign_id, line, phone, variables_json, status) "
                                 "VALUES (?,?,?,?,?)",
                                 (campaign_id, c.line, c.phone, json.dumps(c.variables), PENDING))
                for r in contacts.invalid:
                    conn.execute("INSERT INTO contacts (campaign_id, line, variables_json, status, reason) "
                                 "VALUES (?,?,?,?,?)",
                                 (campaign_id, r.line, json.dumps(r.variables), INVALID, r.reason))
                created = True
            elif row[0] != contacts.sha256:
                raise CampaignError(f"campaign {campaign_id} exists with a different contacts file; "
                                    "give the new file another campaign id (--id)")
            else:
                created = False
        return self.get(campaign_id), created

    def get(self, campaign_id: str) -> Campaign:
        rows = self._query("SELECT id, name, settings_json, status, created_at FROM campaigns WHERE id = ?",
                           (campaign_id,))
        row = rows[0] if rows else None
        if row is None:
            raise CampaignError(f"no campaign {campaign_id!r}; `voicebot campaign status` lists them")
        return Campaign(row[0], row[1], CampaignSettings.from_json(json.loads(row[2])), row[3], row[4])

    def all_campaigns(self) -> list[Campaign]:
        ids = [r[0] for r in self._query("SELECT id FROM campaigns ORDER BY created_at, id")]
        return [self.get(i) for i in ids]

    def set_status(self, campaign_id: str, status: str, now: datetime) -> None:
        with self._transaction() as conn:
            conn.execute("UPDATE campaigns SET status = ?, updated_at = ? WHERE id = ?",
                         (status, _iso(now), campaign_id))

    # ---- attempts ----

    def due_contacts(self, campaign_id: str, now: datetime, limit: int) -> list[DueContact]:
        """Pending contacts with no open attempt whose next try is due, in file order."""
        if limit <= 0:
            return []
        rows = self._query(
            "SELECT line, phone, variables_json, attempts FROM contacts c WHERE campaign_id = ? AND "
            "status = ? AND (next_due_at IS NULL OR next_due_at <= ?) AND NOT EXISTS (SELECT 1 FROM "
            "attempts a WHERE a.campaign_id = c.campaign_id AND a.line = c.line AND a.state = 'dialing') "
            "ORDER BY line LIMIT ?", (campaign_id, PENDING, _iso(now), limit))
        return [DueContact(r[0], r[1], json.loads(r[2]), r[3]) for r in rows]

    def next_due_at(self, campaign_id: str) -> datetime | None:
        rows = self._query("SELECT MIN(next_due_at) FROM contacts WHERE campaign_id = ? AND status = ?",
                           (campaign_id, PENDING))
        return _parse_iso(rows[0][0]) if rows and rows[0][0] else None

    def claim(self, campaign_id: str, now: datetime, limit: int) -> list[Claim]:
        """Due contacts with their new open attempts, committed before anything is dialled."""
        claims = []
        for contact in self.due_contacts(campaign_id, now, limit):
            call_id = str(uuid.uuid4())
            attempt_no = self.begin_attempt(campaign_id, contact.line, call_id, now)
            claims.append(Claim(contact, attempt_no, call_id))
        return claims

    def renew(self, campaign_id: str, call_ids: list[str]) -> set[str]:
        """Extend this dialer's leases; returns the call ids it still holds (all: SQLite has no leases)."""
        return set(call_ids)

    def begin_attempt(self, campaign_id: str, line: int, call_id: str, now: datetime) -> int:
        """Commit a new open attempt before dialling; returns its number (1-based)."""
        with self._transaction() as conn:
            row = conn.execute("SELECT attempts, status FROM contacts WHERE campaign_id = ? AND line = ?",
                               (campaign_id, line)).fetchone()
            if row is None or row[1] != PENDING:
                raise CampaignError(f"campaign {campaign_id}: line {line} is not waiting for a call")
            attempt_no = int(row[0]) + 1
            conn.execute("INSERT INTO attempts (campaign_id, line, attempt_no, call_id, state, started_at) "
                         "VALUES (?, ?, ?, ?, 'dialing', ?)",
                         (campaign_id, line, attempt_no, call_id, _iso(now)))
            conn.execute("UPDATE contacts SET attempts = ? WHERE campaign_id = ? AND line = ?",
                         (attempt_no, campaign_id, line))
        return attempt_no

    def finish_attempt(self, campaign_id: str, line: int, attempt_no: int, dial_outcome: str,
                       record: CallRecord | None, now: datetime) -> str:
        """Close an open attempt once; schedules a retry or closes the contact. Returns the outcome."""
        settings = self.get(campaign_id).settings
        dialogue_outcome = record.outcome if record is not None else None
        outcome = attempt_outcome(dial_outcome, dialogue_outcome)
        with self._transaction() as conn:
            changed = conn.execute(
                "UPDATE attempts SET state = 'final', outcome = ?, dialogue_outcome = ?, record_json = ?, "
                "ended_at = ? WHERE campaign_id = ? AND line = ? AND attempt_no = ? AND state = 'dialing'",
                (outcome, dialogue_outcome, json.dumps(record.to_json()) if record else None, _iso(now),
                 campaign_id, line, attempt_no)).rowcount
            if changed != 1:
                raise CampaignError(
                    f"campaign {campaign_id}: attempt {attempt_no} of line {line} is not open")
            due = next_attempt_due(outcome, attempt_no, settings, now)
            if due is None:
                conn.execute(f"UPDATE contacts SET status = ?, final_outcome = ?, next_due_at = NULL"
                             f"{self._RELEASE_CONTACT} WHERE campaign_id = ? AND line = ?",
                             (DONE, outcome, campaign_id, line))
            else:
                conn.execute(f"UPDATE contacts SET next_due_at = ?{self._RELEASE_CONTACT} "
                             f"WHERE campaign_id = ? AND line = ?", (_iso(due), campaign_id, line))
        return outcome

    def open_attempts(self, campaign_id: str) -> list[Attempt]:
        return [a for a in self._attempts(campaign_id) if a.state == "dialing"]

    def recover(self, campaign_id: str, find_record: Callable[[str], CallRecord | None],
                now: datetime) -> list[tuple[Attempt, str]]:
        """Close attempts left open by a dialer that died: answered when the call's record shows a
        conversation that ended, interrupted (retried under the campaign's rules) otherwise."""
        closed = []
        for attempt in self.open_attempts(campaign_id):
            record = find_record(attempt.call_id)
            dial_outcome = recovered_dial_outcome(record.outcome if record is not None else None,
                                                  found=record is not None)
            closed.append((attempt, self.finish_attempt(campaign_id, attempt.line, attempt.attempt_no,
                                                        dial_outcome, record, now)))
        return closed

    def _attempts(self, campaign_id: str, line: int | None = None) -> list[Attempt]:
        query = ("SELECT line, attempt_no, call_id, state, outcome, dialogue_outcome, record_json, "
                 "started_at, ended_at FROM attempts WHERE campaign_id = ?")
        params: tuple[Any, ...] = (campaign_id,)
        if line is not None:
            query += " AND line = ?"
            params += (line,)
        rows = self._query(query + " ORDER BY line, attempt_no", params)
        return [Attempt(r[0], r[1], r[2], r[3], r[4], r[5],
                        CallRecord.from_json(json.loads(r[6])) if r[6] else None, r[7], r[8]) for r in rows]

    # ---- reading ----

    def contacts(self, campaign_id: str) -> list[ContactState]:
        by_line: dict[int, list[Attempt]] = {}
        for attempt in self._attempts(campaign_id):
            by_line.setdefault(attempt.line, []).append(attempt)
        rows = self._query("SELECT line, phone, variables_json, status, reason, final_outcome "
                           "FROM contacts WHERE campaign_id = ? ORDER BY line", (campaign_id,))
        return [ContactState(r[0], r[1], json.loads(r[2]), r[3], r[4], r[5], by_line.get(r[0], []))
                for r in rows]

    def progress(self, campaign_id: str) -> Progress:
        campaign = self.get(campaign_id)
        counts = {r[0]: int(r[1]) for r in self._query(
            "SELECT status, COUNT(*) FROM contacts WHERE campaign_id = ? GROUP BY status", (campaign_id,))}
        outcomes = {r[0]: int(r[1]) for r in self._query(
            "SELECT final_outcome, COUNT(*) FROM contacts WHERE campaign_id = ? AND status = ? "
            "GROUP BY final_outcome ORDER BY final_outcome", (campaign_id, DONE))}
        dialing = int(self._query("SELECT COUNT(*) FROM attempts WHERE campaign_id = ? AND state = 'dialing'",
                                  (campaign_id,))[0][0])
        return Progress(campaign_id, campaign.status, sum(counts.values()), counts.get(INVALID, 0),
                        counts.get(DONE, 0), counts.get(PENDING, 0), dialing, outcomes)
