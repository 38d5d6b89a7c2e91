"""The real PostgreSQL server of the store tests, for the multi-worker test (tests/system/test_workers.py)."""

from tests.store.conftest import postgres_server

__all__ = ["postgres_server"]
