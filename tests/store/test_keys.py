"""KeyStore: tokens shown once, stored hashed, verified, restricted, revoked."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from voicebot.errors import AuthError, MissingKeyError, RevokedKeyError, StoreError, UnknownKeyError
from voicebot.store import KeyStore


@pytest.fixture
def keys(tmp_path: Path) -> Iterator[KeyStore]:
    store = KeyStore(tmp_path / "voicebot.db")
    yield store
    store.close()


def test_token_verifies_and_only_its_hash_is_stored(keys: KeyStore, tmp_path: Path) -> None:
    key_id, token = keys.create("ops")
    key = keys.authenticate(token)
    assert (key.key_id, key.name, key.dialogues, key.revoked) == (key_id, "ops", None, False)
    raw = sqlite3.connect(tmp_path / "voicebot.db").execute("SELECT key_sha256 FROM api_keys").fetchone()[0]
    assert raw == hashlib.sha256(token.encode()).digest()
    assert token.encode() not in (tmp_path / "voicebot.db").read_bytes()


def test_two_keys_differ(keys: KeyStore) -> None:
    assert keys.create()[1] != keys.create()[1]


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # one character off
    lambda t: t + "x",
    lambda t: t.split("_", 2)[2],  # the secret alone
    lambda t: "vb_000000000000_" + t.split("_", 2)[2],  # someone else's id
    lambda t: "Bearer " + t,
])
def test_wrong_tokens_are_unknown(keys: KeyStore, mangle: object) -> None:
    _, token = keys.create()
    with pytest.raises(UnknownKeyError):
        keys.authenticate(mangle(token))  # type: ignore[operator]


@pytest.mark.parametrize("token", [None, ""])
def test_missing_token(keys: KeyStore, token: str | None) -> None:
    with pytest.raises(MissingKeyError) as info:
        keys.authenticate(token)
    assert isinstance(info.value, AuthError) and info.value.http_status == 401


def test_revoke_by_name_or_id(keys: KeyStore) -> None:
    id_a, token_a = keys.create("a")
    _, token_b = keys.create("b")
    assert keys.revoke("a").revoked
    with pytest.raises(RevokedKeyError, match="'a' was revoked"):
        keys.authenticate(token_a)
    assert keys.authenticate(token_b).name == "b"
    keys.revoke(keys.authenticate(token_b).key_id)
    with pytest.raises(RevokedKeyError):
        keys.authenticate(token_b)
    assert [k.key_id for k in keys.list(include_revoked=False)] == []
    assert id_a in [k.key_id for k in keys.list()]
    with pytest.raises(StoreError, match="keys list"):
        keys.revoke("nobody")


def test_dialogue_restriction_and_limit_are_kept(keys: KeyStore) -> None:
    _, token = keys.create("shop", ["pizza_order", "pizza_order_ko"], max_concurrent_calls=2)
    key = keys.authenticate(token)
    assert key.allows("pizza_order") and key.allows("pizza_order_ko")
    assert not key.allows("sales_compliance")
    assert key.max_concurrent_calls == 2


def test_names_are_unique_and_limits_positive(keys: KeyStore) -> None:
    keys.create("ops")
    with pytest.raises(StoreError, match="already exists"):
        keys.create("ops")
    with pytest.raises(StoreError, match="at least 1"):
        keys.create("x", max_concurrent_calls=0)


def test_has_active_keys(keys: KeyStore) -> None:
    assert not keys.has_active_keys()
    keys.create("a")
    assert keys.has_active_keys()
    keys.revoke("a")
    assert not keys.has_active_keys()
