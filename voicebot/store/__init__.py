"""Persistent state in one embedded SQLite file: call records (with recordings on disk) and API keys."""

from voicebot.store.calls import CallStore, StoredCall
from voicebot.store.keys import ApiKey, KeyStore

__all__ = ["ApiKey", "CallStore", "KeyStore", "StoredCall"]
