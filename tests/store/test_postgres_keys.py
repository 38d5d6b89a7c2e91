"""PostgresKeyStore on a real PostgreSQL server: the SQLite key tests again, keys shared by workers."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import psycopg
import pytest

from tests.store import test_keys as sqlite_tests
from voicebot.errors import RevokedKeyError, StoreError
from voicebot.store import open_key_store
from voicebot.store.postgres import PostgresKeyStore


@pytest.fixture
def keys(pg_url: str) -> Iterator[PostgresKeyStore]:
    store = PostgresKeyStore(pg_url)
    yield store
    store.close()


# The SQLite suite's behaviour tests, run again here against the PostgreSQL `keys` fixture above.
test_two_keys_differ = sqlite_tests.test_two_keys_differ
test_wrong_tokens_are_unknown = sqlite_tests.test_wrong_tokens_are_unknown
test_missing_token = sqlite_tests.test_missing_token
test_revoke_by_name_or_id = sqlite_tests.test_revoke_by_name_or_id
test_dialogue_restriction_and_limit_are_kept = sqlite_tests.test_dialogue_restriction_and_limit_are_kept
test_names_are_unique_and_limits_positive = sqlite_tests.test_names_are_unique_and_limits_positive
test_has_active_keys = sqlite_tests.test_has_active_keys


def test_only_the_hash_of_a_token_is_stored(keys: PostgresKeyStore, pg_url: str) -> None:
    _, token = keys.create("ops")
    with psycopg.connect(pg_url) as conn:
        (stored,) = conn.execute("SELECT key_sha256 FROM api_keys").fetchone() or (None,)
        dump = conn.execute("SELECT string_agg(t::text, ' ') FROM api_keys t").fetchone()
    assert bytes(stored) == hashlib.sha256(token.encode()).digest()
    assert dump is not None and token not in str(dump[0])


def test_a_key_revoked_on_one_worker_is_refused_by_another(pg_url: str) -> None:
    first, second = open_key_store(pg_url), open_key_store(pg_url)
    assert isinstance(first, PostgresKeyStore)
    _, token = first.create("shop")
    assert second.authenticate(token).name == "shop"
    first.revoke("shop")
    with pytest.raises(RevokedKeyError):
        second.authenticate(token)
    with pytest.raises(StoreError, match="'shop' already exists"):
        second.create("shop")
    first.close()
    second.close()
