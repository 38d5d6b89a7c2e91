"""API keys: random tokens shown once, stored as SHA-256 digests.

A token is ``vb_<key_id>_<secret>``: the key id finds the row, the digest of the whole token is compared in
constant time. The secret is 32 random bytes, so a fast hash is enough (no password stretching needed).
"""

from __future__ import annotations

import builtins
import hashlib
import hmac
import json
import secrets
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voicebot.analytics.tables import ensure_schema
from voicebot.errors import MissingKeyError, RevokedKeyError, StoreError, UnknownKeyError
from voicebot.record import utc_now_iso
from voicebot.store.db import Database

TOKEN_PREFIX = "vb"
# What a key may do beyond calls and reading its own dialogues' records.
ADMIN = "admin"  # the operator console, analytics, usage of every key, the review queue
PERSONAL_DATA = "personal_data"  # phone numbers and birth dates unredacted in the console
SCOPES = (ADMIN, PERSONAL_DATA)
_KEY_COLUMNS = ("SELECT k.*, s.scopes, s.monthly_quota_min FROM api_keys k"
                " LEFT JOIN key_settings s ON s.key_id = k.key_id")
_DUMMY_DIGEST = hashlib.sha256(b"no such key").digest()


@dataclass(frozen=True, slots=True)
class ApiKey:
    key_id: str
    name: str
    dialogues: tuple[str, ...] | None = None  # None: every dialogue
    max_concurrent_calls: int | None = None  # None: only the server-wide limit
    created_at: str = ""
    revoked_at: str | None = None
    scopes: tuple[str, ...] = ()
    monthly_quota_min: float | None = None  # None: no quota

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def allows(self, dialogue: str) -> bool:
        return self.dialogues is None or dialogue in self.dialogues

    def to_json(self) -> dict[str, Any]:
        return {"key_id": self.key_id, "name": self.name,
                "dialogues": list(self.dialogues) if self.dialogues is not None else None,
                "max_concurrent_calls": self.max_concurrent_calls, "created_at": self.created_at,
                "revoked_at": self.revoked_at, "scopes": list(self.scopes),
                "monthly_quota_min": self.monthly_quota_min}


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


class KeyStore:
    """Blocking API over the ``api_keys`` table of the store database."""

    def __init__(self, path: str | Path) -> None:
        self._db = Database(path)
        ensure_schema(self._db)

    def close(self) -> None:
        self._db.close()

    def create(self, name: str | None = None, dialogues: Sequence[str] | None = None,
               max_concurrent_calls: int | None = None, *, scopes: Sequence[str] = (),
               monthly_quota_min: float | None = None) -> tuple[str, str]:
        """Create a key. Returns ``(key_id, token)``; the token is not stored and cannot be shown again."""
        if max_concurrent_calls is not None and max_concurrent_calls < 1:
            raise StoreError("a key's concurrent-call limit must be at least 1")
        _check_settings(scopes, monthly_quota_min)
        key_id = secrets.token_hex(6)
        token = f"{TOKEN_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
        name = name or f"key-{key_id}"
        dialogues_json = json.dumps(sorted(set(dialogues))) if dialogues else None
        try:
            with self._db.transaction() as conn:
                conn.execute(
                    "INSERT INTO api_keys (key_id, name, key_sha256, dialogues_json, max_concurrent_calls,"
                    " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (key_id, name, _digest(token), dialogues_json, max_concurrent_calls, utc_now_iso()))
                _write_settings(conn, key_id, scopes, monthly_quota_min)
        except StoreError as exc:
            if isinstance(exc.__cause__, sqlite3.IntegrityError):
                raise StoreError(f"a key named {name!r} already exists; choose another --name") from None
            raise
        return key_id, token

    def authenticate(self, token: str | None) -> ApiKey:
        """The key a token belongs to.

        Raises:
            MissingKeyError, UnknownKeyError, RevokedKeyError (all AuthError, HTTP 401).
        """
        if not token:
            raise MissingKeyError("an API key is required: send 'Authorization: Bearer KEY' or ?token=KEY")
        parts = token.split("_", 2)
        key_id = parts[1] if len(parts) == 3 and parts[0] == TOKEN_PREFIX else ""
        rows = self._db.query(f"{_KEY_COLUMNS} WHERE k.key_id = ?", (key_id,)) if key_id else []
        stored = bytes(rows[0]["key_sha256"]) if rows else _DUMMY_DIGEST
        # Compare even when no row matched, so the answer takes the same time either way.
        if not hmac.compare_digest(_digest(token), stored) or not rows:
            raise UnknownKeyError("unknown API key; create one with 'voicebot keys create'")
        key = _key(rows[0])
        if key.revoked:
            raise RevokedKeyError(f"API key {key.name!r} was revoked")
        return key

    def revoke(self, key_id_or_name: str) -> ApiKey:
        """Revoke a key by id or name; calls already admitted with it run to their end."""
        with self._db.transaction() as conn:
            row = conn.execute("SELECT * FROM api_keys WHERE key_id = ? OR name = ?",
                               (key_id_or_name, key_id_or_name)).fetchone()
            if row is None:
                raise StoreError(f"no API key with id or name {key_id_or_name!r}; see 'voicebot keys list'")
            if row["revoked_at"] is None:
                conn.execute("UPDATE api_keys SET revoked_at = ? WHERE key_id = ?",
                             (utc_now_iso(), row["key_id"]))
            key_id = row["key_id"]
        return self.get(key_id)

    def get(self, key_id_or_name: str) -> ApiKey:
        """A key by id or name (revoked ones too)."""
        rows = self._db.query(f"{_KEY_COLUMNS} WHERE k.key_id = ? OR k.name = ?",
                              (key_id_or_name, key_id_or_name))
        if not rows:
            raise StoreError(f"no API key with id or name {key_id_or_name!r}; see 'voicebot keys list'")
        return _key(rows[0])

    def update(self, key_id_or_name: str, *, scopes: Sequence[str] | None = None,
               monthly_quota_min: float | None = None, clear_quota: bool = False) -> ApiKey:
        """Change a key's scopes (None: keep) and monthly quota (None: keep, unless ``clear_quota``)."""
        key = self.get(key_id_or_name)
        new_scopes = key.scopes if scopes is None else tuple(scopes)
        quota = None if clear_quota else (key.monthly_quota_min if monthly_quota_min is None
                                          else monthly_quota_min)
        _check_settings(new_scopes, quota)
        with self._db.transaction() as conn:
            _write_settings(conn, key.key_id, new_scopes, quota)
        return self.get(key.key_id)

    def query(self, sql: str, params: Sequence[Any] = ()) -> builtins.list[Any]:
        """Read-only SQL on the store database (the usage reports read the call facts beside the keys)."""
        return builtins.list(self._db.query(sql, params))

    def list(self, *, include_revoked: bool = True) -> builtins.list[ApiKey]:
        sql = _KEY_COLUMNS + ("" if include_revoked else " WHERE k.revoked_at IS NULL")
        return [_key(row) for row in self._db.query(sql + " ORDER BY k.created_at, k.name")]

    def has_active_keys(self) -> bool:
        return bool(self._db.query("SELECT 1 FROM api_keys WHERE revoked_at IS NULL LIMIT 1"))


def _key(row: Any) -> ApiKey:
    dialogues = json.loads(row["dialogues_json"]) if row["dialogues_json"] else None
    return ApiKey(key_id=row["key_id"], name=row["name"],
                  dialogues=tuple(dialogues) if dialogues is not None else None,
                  max_concurrent_calls=row["max_concurrent_calls"], created_at=row["created_at"],
                  revoked_at=row["revoked_at"],
                  scopes=tuple(s for s in (row["scopes"] or "").split(",") if s),
                  monthly_quota_min=row["monthly_quota_min"])


def _check_settings(scopes: Sequence[str], monthly_quota_min: float | None) -> None:
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise StoreError(f"unknown scope {unknown[0]!r}; scopes are {', '.join(SCOPES)}")
    if monthly_quota_min is not None and not monthly_quota_min > 0:
        raise StoreError("a key's monthly quota must be a positive number of minutes")


def _write_settings(conn: Any, key_id: str, scopes: Sequence[str], monthly_quota_min: float | None) -> None:
    conn.execute("DELETE FROM key_settings WHERE key_id = ?", (key_id,))
    conn.execute("INSERT INTO key_settings (key_id, scopes, monthly_quota_min) VALUES (?, ?, ?)",
                 (key_id, ",".join(sorted(set(scopes))), monthly_quota_min))
