"""Persistent state: call records (with recordings on disk) and API keys, in an embedded SQLite file or,
for many workers, in PostgreSQL (``open_call_store`` / ``open_key_store`` pick by ``store.url``)."""

from voicebot.store.calls import CallStore, StoredCall
from voicebot.store.factory import is_postgres_url, open_call_store, open_key_store, store_target
from voicebot.store.keys import ApiKey, KeyStore

__all__ = ["ApiKey", "CallStore", "KeyStore", "StoredCall", "is_postgres_url", "open_call_store",
           "open_key_store", "store_target"]
