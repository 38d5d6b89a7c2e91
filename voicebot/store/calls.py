"""Call records in SQLite, recordings as WAV files beside it, and a fallback file so none is lost.

A call's row is written twice: ``begin`` at call start (status ``in_progress``) and ``save`` at the end
(status ``completed``). Rows still ``in_progress`` whose process is gone belonged to a server that died;
``mark_interrupted`` closes them with outcome ``interrupted``.
"""

from __future__ import annotations

import builtins
import hashlib
import json
import logging
import os
import re
import socket
import sys
import threading
import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from voicebot.analytics.tables import ensure_schema, write_facts
from voicebot.errors import StoreError
from voicebot.record import CallRecord, utc_now_iso
from voicebot.store.db import Database

log = logging.getLogger(__name__)

IN_PROGRESS = "in_progress"
COMPLETED = "completed"
INTERRUPTED = "interrupted"
_SAFE_ID = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}")


@dataclass(frozen=True, slots=True)
class StoredCall:
    """A call record as stored: the record plus where it stands."""

    record: CallRecord
    status: str
    has_audio: bool

    def to_json(self) -> dict[str, Any]:
        return {**self.record.to_json(), "status": self.status, "has_audio": self.has_audio}


class CallStore:
    """Blocking API; from asyncio call it through ``asyncio.to_thread``.

    Args:
        path: the SQLite file (created with its directory).
        recordings_dir: where ``<call_id>.wav`` files go (default: ``recordings/`` beside the database).
        fallback_path: JSON-lines file for records the database refused (default:
            ``unsaved-records.jsonl`` beside the database); stderr when that fails too.
        record_audio: False drops the audio passed to :meth:`save` (recording disabled).
        busy_timeout_ms: how long a write waits for another process's lock before failing.
        on_fallback: called when a record goes to the fallback instead of the database (a metric).
    """

    def __init__(self, path: str | Path, *, recordings_dir: str | Path | None = None,
                 fallback_path: str | Path | None = None, record_audio: bool = True,
                 busy_timeout_ms: int = 5000, on_fallback: Callable[[], None] | None = None) -> None:
        self.path = Path(path)
        self.recordings_dir = Path(recordings_dir) if recordings_dir else self.path.parent / "recordings"
        self.fallback_path = (Path(fallback_path) if fallback_path
                              else self.path.parent / "unsaved-records.jsonl")
        self.record_audio = record_audio
        self._on_fallback = on_fallback
        self._db = Database(self.path, busy_timeout_ms=busy_timeout_ms)
        ensure_schema(self._db)
        self._init_save_tracking()

    def _init_save_tracking(self) -> None:
        # Saves in flight: a shutdown that cancels a call's task leaves its save running in a thread,
        # and closing the database under it would lose the record.
        self._saving = 0
        self._saves_done = threading.Condition()

    def close(self, *, wait_s: float = 30.0) -> None:
        """Close after the saves in flight have finished (up to ``wait_s``); later saves go to the
        fallback file."""
        self._wait_for_saves(wait_s)
        self._db.close()

    def _wait_for_saves(self, wait_s: float) -> None:
        with self._saves_done:
            if not self._saves_done.wait_for(lambda: self._saving == 0, timeout=wait_s):
                log.error("closing the call store with %d record save(s) still running; they go to %s",
                          self._saving, self.fallback_path)

    # ---- writing ----

    def begin(self, record: CallRecord) -> None:
        """Insert the row of a call that just started (status ``in_progress``)."""
        data = record.to_json()
        with self._db.transaction() as conn:
            exists = conn.execute("SELECT status FROM calls WHERE call_id = ?", (record.call_id,)).fetchone()
            if exists is not None:
                raise StoreError(f"call {record.call_id} already exists in the store; "
                                 f"call ids must be unique")
            conn.execute(
                "INSERT INTO calls (call_id, dialogue, language, status, worker, outcome, door, started_at,"
                " ended_at, has_audio, record_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
                (record.call_id, record.dialogue, record.language, IN_PROGRESS, _WORKER, record.outcome,
                 _door(record), record.started_at, record.ended_at, json.dumps(data, ensure_ascii=False)))

    def save(self, record: CallRecord, audio: npt.NDArray[np.int16] | None = None,
             sample_rate_hz: int = 16_000) -> None:
        """Store the finished call (status ``completed``) and its two-channel audio (caller, bot).

        Raises:
            StoreError: the database refused the record; it was appended to the fallback file first.
        """
        with self._saves_done:
            self._saving += 1
        try:
            self._save(record, audio, sample_rate_hz)
        finally:
            with self._saves_done:
                self._saving -= 1
                self._saves_done.notify_all()

    def _save(self, record: CallRecord, audio: npt.NDArray[np.int16] | None, sample_rate_hz: int) -> None:
        data = record.to_json()
        has_audio = False
        if audio is not None and self.record_audio:
            try:
                self._write_wav(record.call_id, audio, sample_rate_hz)
                has_audio = True
            except (OSError, ValueError) as exc:
                # The record matters more than its audio: keep going and say what happened.
                log.error("call audio not saved: %s", exc, extra={"call_id": record.call_id})
                data["meta"] = {**data["meta"], "recording_error": str(exc)}
        try:
            with self._db.transaction() as conn:
                _upsert_completed(conn, data, has_audio)
        except StoreError as exc:
            where = self._append_fallback(data, str(exc), has_audio)
            if self._on_fallback is not None:
                self._on_fallback()
            raise StoreError(f"call record {record.call_id} not stored ({exc}); it was appended to {where}") \
                from exc

    def import_fallback(self) -> int:
        """Move records of the fallback file into the database; the file is kept, renamed, for audit.

        Returns how many were imported. A record already completed in the database is left as it is.
        Call it at start-up, once the cause (full disk, permissions) is fixed.
        """
        try:
            lines = self.fallback_path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return 0
        except OSError as exc:
            raise StoreError(f"cannot read {self.fallback_path}: {exc.strerror}") from None
        imported = 0
        with self._db.transaction() as conn:
            for number, line in enumerate(lines, 1):
                try:
                    entry = json.loads(line)
                    data = CallRecord.from_json(entry["record"]).to_json()
                except (ValueError, KeyError, TypeError) as exc:
                    log.error("%s:%d: not a saved call record (%s); skipped, kept in the renamed file",
                              self.fallback_path, number, exc)
                    continue
                row = conn.execute("SELECT status FROM calls WHERE call_id = ?",
                                   (data["call_id"],)).fetchone()
                if row is not None and row["status"] == COMPLETED:
                    continue
                has_audio = bool(entry.get("has_audio")) and self.audio_path(data["call_id"]) is not None
                _upsert_completed(conn, data, has_audio)
                imported += 1
        done = self.fallback_path.with_name(f"{self.fallback_path.name}.imported-"
                                            f"{utc_now_iso().replace(':', '')}")
        try:
            self.fallback_path.rename(done)
        except OSError as exc:
            log.error("imported %d records but could not rename %s: %s", imported, self.fallback_path, exc)
        return imported

    def mark_interrupted(self) -> int:
        """Close calls left ``in_progress`` by a server that died; remove its half-written recordings.

        Calls of another live server process on this host sharing the database are left alone.
        Returns the number of calls closed. Call it once at start-up, before accepting calls.
        """
        if self.recordings_dir.is_dir():
            for partial in self.recordings_dir.glob(".*.wav.tmp*"):
                if not _worker_alive_pid(partial.suffix.removeprefix(".tmp")):
                    partial.unlink(missing_ok=True)
        with self._db.transaction() as conn:
            rows = [row for row in conn.execute("SELECT call_id, worker, record_json FROM calls"
                                                " WHERE status = ?", (IN_PROGRESS,)).fetchall()
                    if not _worker_alive(row["worker"])]
            for row in rows:
                data = json.loads(row["record_json"])
                data["outcome"] = data.get("outcome") or INTERRUPTED
                data["meta"] = {**(data.get("meta") or {}), "interrupted_noticed_at": utc_now_iso()}
                conn.execute("UPDATE calls SET status = ?, outcome = ?, record_json = ? WHERE call_id = ?",
                             (INTERRUPTED, data["outcome"], json.dumps(data, ensure_ascii=False),
                              row["call_id"]))
        return len(rows)

    # ---- reading ----

    def get(self, call_id: str) -> CallRecord | None:
        entry = self.entry(call_id)
        return entry.record if entry else None

    def entry(self, call_id: str) -> StoredCall | None:
        rows = self._db.query("SELECT status, has_audio, record_json FROM calls WHERE call_id = ?",
                              (call_id,))
        return _entry(rows[0]) if rows else None

    def list(self, limit: int = 50, offset: int = 0, dialogue: str | None = None,
             outcome: str | None = None) -> builtins.list[CallRecord]:
        """Newest first."""
        return [e.record for e in self.entries(limit, offset, dialogue=dialogue, outcome=outcome)]

    def entries(self, limit: int = 50, offset: int = 0, *, dialogue: str | None = None,
                outcome: str | None = None, status: str | None = None,
                dialogues: Sequence[str] | None = None, since: str | None = None,
                until: str | None = None) -> builtins.list[StoredCall]:
        """Newest first.

        ``dialogues`` limits the result to those dialogues (a restricted API key); ``since`` (inclusive)
        and ``until`` (exclusive) compare ISO 8601 UTC times or dates with ``started_at``.
        """
        where, params = _filters(dialogue, outcome, status, dialogues, since, until)
        rows = self._db.query(
            f"SELECT status, has_audio, record_json FROM calls {where}"
            " ORDER BY started_at DESC, call_id LIMIT ? OFFSET ?", [*params, max(0, limit), max(0, offset)])
        return [_entry(row) for row in rows]

    def count(self, *, dialogue: str | None = None, outcome: str | None = None,
              status: str | None = None, dialogues: Sequence[str] | None = None,
              since: str | None = None, until: str | None = None) -> int:
        where, params = _filters(dialogue, outcome, status, dialogues, since, until)
        return int(self._db.query(f"SELECT count(*) FROM calls {where}", params)[0][0])

    def query(self, sql: str, params: Sequence[Any] = ()) -> builtins.list[Any]:
        """Read-only SQL on the store database: the analytics reports over the fact tables."""
        return builtins.list(self._db.query(sql, params))

    def rebuild_facts(self, batch: int = 500) -> int:
        """Derive the analytics facts of every finished record again (records saved before the fact
        tables existed get theirs). Safe to repeat: a record's old counts are taken out first."""
        done, after = 0, ""
        while True:
            with self._db.transaction() as conn:
                rows = conn.execute("SELECT call_id, record_json FROM calls WHERE status <> ? AND call_id > ?"
                                    " ORDER BY call_id LIMIT ?", (IN_PROGRESS, after, batch)).fetchall()
                for row in rows:
                    write_facts(conn, json.loads(row["record_json"]))
            if not rows:
                return done
            done += len(rows)
            after = rows[-1]["call_id"]

    def write_many(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> None:
        """Run statements in one write transaction (the review labels beside the records)."""
        with self._db.transaction() as conn:
            for sql, params in statements:
                conn.execute(sql, params)

    def audio_path(self, call_id: str) -> Path | None:
        """The call's WAV file (caller left, bot right), or None when there is none."""
        path = self.recordings_dir / _audio_name(call_id)
        return path if path.is_file() else None

    # ---- helpers ----

    def _write_wav(self, call_id: str, audio: npt.NDArray[np.int16], sample_rate_hz: int) -> None:
        if audio.ndim != 2 or audio.shape[1] != 2:
            raise ValueError(f"call audio must have shape (n, 2) (caller, bot), got {audio.shape}")
        pcm = np.ascontiguousarray(audio, dtype="<i2")
        self.recordings_dir.mkdir(parents=True, exist_ok=True)
        final = self.recordings_dir / _audio_name(call_id)
        # Written beside its final name, then renamed: a reader never sees half a file.
        partial = final.with_name(f".{final.name}.tmp{os.getpid()}")  # the pid: see mark_interrupted
        try:
            with open(partial, "wb") as fh:
                with wave.open(fh, "wb") as wav:
                    wav.setnchannels(2)
                    wav.setsampwidth(2)
                    wav.setframerate(int(sample_rate_hz))
                    wav.writeframes(pcm.tobytes())
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(partial, final)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise

    def _append_fallback(self, data: dict[str, Any], error: str, has_audio: bool) -> str:
        line = json.dumps({"saved_at": utc_now_iso(), "error": error, "has_audio": has_audio, "record": data},
                          ensure_ascii=False)
        try:
            self.fallback_path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.fallback_path, "a", encoding="utf-8") as fh:
                fh.write(line + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            return str(self.fallback_path)
        except OSError:
            # Last resort: the process's stderr usually ends up in the service journal.
            print(f"voicebot: unsaved call record: {line}", file=sys.stderr, flush=True)
            return "stderr"


def _upsert_completed(conn: Any, data: dict[str, Any], has_audio: bool) -> None:
    door = (data.get("meta") or {}).get("door")
    conn.execute(
        "INSERT INTO calls (call_id, dialogue, language, status, outcome, door, started_at, ended_at,"
        " has_audio, record_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (call_id) DO UPDATE SET dialogue = excluded.dialogue, language = excluded.language,"
        " status = excluded.status, outcome = excluded.outcome, door = excluded.door,"
        " started_at = excluded.started_at, ended_at = excluded.ended_at, has_audio = excluded.has_audio,"
        " record_json = excluded.record_json",
        (data["call_id"], data["dialogue"], data["language"], COMPLETED, data["outcome"],
         str(door) if door is not None else None, data["started_at"], data["ended_at"], int(has_audio),
         json.dumps(data, ensure_ascii=False)))
    write_facts(conn, data)


def _process_start(pid: int) -> str | None:
    """When a process started (clock ticks since boot, Linux), so a reused pid is not mistaken for it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


_HOST = socket.gethostname()
_WORKER = f"{_HOST}:{os.getpid()}:{_process_start(os.getpid()) or '-'}"


def _worker_alive(worker: str | None) -> bool:
    """Whether the process that began a call still runs."""
    if worker == _WORKER:
        return True
    if not worker:
        return False
    host, _, rest = worker.partition(":")
    pid_text, _, started = rest.partition(":")
    if host != _HOST or not pid_text.isdigit():
        return False  # another machine's calls cannot be checked; that setup needs one db per worker
    now = _process_start(int(pid_text))
    if now is None:
        return _pid_exists(int(pid_text)) and started == "-"
    return now == started


def _worker_alive_pid(pid_text: str) -> bool:
    return pid_text.isdigit() and _pid_exists(int(pid_text))


def _pid_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _door(record: CallRecord) -> str | None:
    door = record.meta.get("door")
    return str(door) if door is not None else None


def _audio_name(call_id: str) -> str:
    if _SAFE_ID.fullmatch(call_id):
        return f"{call_id}.wav"
    # Ids from outside (Asterisk) must never steer the path.
    return hashlib.sha256(call_id.encode()).hexdigest() + ".wav"


def _filters(dialogue: str | None, outcome: str | None, status: str | None,
             dialogues: Sequence[str] | None, since: str | None = None,
             until: str | None = None) -> tuple[str, list[Any]]:
    clauses: builtins.list[str] = []
    params: builtins.list[Any] = []
    for column, value in (("dialogue", dialogue), ("outcome", outcome), ("status", status)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    if dialogues is not None:
        clauses.append(f"dialogue IN ({', '.join('?' * len(dialogues))})" if dialogues else "0")
        params.extend(dialogues)
    for clause, value in (("started_at >= ?", since), ("started_at < ?", until)):
        if value is not None:
            clauses.append(clause)
            params.append(value)
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


def _entry(row: Any) -> StoredCall:
    return StoredCall(record=CallRecord.from_json(json.loads(row["record_json"])), status=row["status"],
                      has_audio=bool(row["has_audio"]))
