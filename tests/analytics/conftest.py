from tests.store.conftest import pg_url, postgres_server  # noqa: F401  (the PostgreSQL fixtures)
