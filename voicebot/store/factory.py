"""The store backend named by ``store.url``: ``postgresql://…`` -> PostgreSQL; a path or ``sqlite:///path``
-> SQLite."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from voicebot.store.calls import CallStore
from voicebot.store.keys import KeyStore

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres_url(target: str | Path | None) -> bool:
    return isinstance(target, str) and target.startswith(POSTGRES_SCHEMES)


def store_target(url: str | None, sqlite_file: Path) -> str | Path:
    """The PostgreSQL URL when ``store.url`` is one, else the SQLite file (``config.store_path``)."""
    return url if url is not None and is_postgres_url(url) else sqlite_file


def sqlite_path(target: str | Path) -> Path:
    text = str(target)
    return Path(text.removeprefix("sqlite:///")) if text.startswith("sqlite:///") else Path(text)


def open_call_store(target: str | Path, *, recordings_dir: str | Path | None = None,
                    fallback_path: str | Path | None = None, record_audio: bool = True,
                    on_fallback: Callable[[], None] | None = None) -> CallStore:
    """The call store that ``target`` (a ``store.url`` or a SQLite file path) names.

    On PostgreSQL, ``recordings_dir`` and ``fallback_path`` default to ``var/`` in the working directory
    (there is no database file to put them beside).
    """
    if is_postgres_url(target):
        from voicebot.store.postgres import PostgresCallStore

        return PostgresCallStore(str(target), recordings_dir=recordings_dir or Path("var/recordings"),
                                 fallback_path=fallback_path or Path("var/unsaved-records.jsonl"),
                                 record_audio=record_audio, on_fallback=on_fallback)
    return CallStore(sqlite_path(target), recordings_dir=recordings_dir, fallback_path=fallback_path,
                     record_audio=record_audio, on_fallback=on_fallback)


def open_key_store(target: str | Path) -> KeyStore:
    """The API-key store that ``target`` (a ``store.url`` or a SQLite file path) names."""
    if is_postgres_url(target):
        from voicebot.store.postgres import PostgresKeyStore

        return PostgresKeyStore(str(target))
    return KeyStore(sqlite_path(target))
