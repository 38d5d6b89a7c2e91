"""The real PostgreSQL server of the store tests, for the campaign queue on PostgreSQL."""

from tests.store.conftest import pg_url, postgres_server

__all__ = ["pg_url", "postgres_server"]
