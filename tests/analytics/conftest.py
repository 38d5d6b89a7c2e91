from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.store.conftest import pg_url, postgres_server  # noqa: F401  (the PostgreSQL fixtures)
from voicebot.store.calls import CallStore


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[CallStore]:
    """A call store on SQLite, then on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        s = CallStore(tmp_path / "calls.db")
    else:
        from voicebot.store.postgres import PostgresCallStore

        s = PostgresCallStore(request.getfixturevalue("pg_url"), recordings_dir=tmp_path / "rec",
                              fallback_path=tmp_path / "unsaved.jsonl", sweep_interval_s=None)
    yield s
    s.close()
