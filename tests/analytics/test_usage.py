"""Usage per key and the key settings (scopes, quota) on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.analytics.calls import ORDER, converse
from voicebot.analytics.usage import minutes_used, month_range, usage
from voicebot.errors import StoreError
from voicebot.store.calls import CallStore
from voicebot.store.keys import KeyStore


def _keys(store: CallStore, tmp_path: Path) -> KeyStore:
    url = getattr(store, "url", None)
    if url is not None:
        from voicebot.store.postgres import PostgresKeyStore

        return PostgresKeyStore(url)
    return KeyStore(tmp_path / "calls.db")


def test_usage_and_quota_settings(store: CallStore, tmp_path: Path) -> None:
    keys = _keys(store, tmp_path)
    key_id, token = keys.create("acme", scopes=["admin"], monthly_quota_min=90)
    assert keys.authenticate(token).scopes == ("admin",)
    assert keys.authenticate(token).monthly_quota_min == 90
    with pytest.raises(StoreError, match="unknown scope 'root'"):
        keys.create("bad", scopes=["root"])
    with pytest.raises(StoreError, match="positive number of minutes"):
        keys.update("acme", monthly_quota_min=0)
    for day, caller_s in (("2026-11-30", 600.0), ("2026-12-01", 1800.0), ("2026-12-01", 1200.0)):
        store.save(converse(ORDER, started_at=f"{day}T12:00:00.000Z", key=(key_id, "acme"),
                            usage=(caller_s, caller_s / 2)))
    store.save(converse(ORDER, started_at="2026-12-02T12:00:00.000Z"))  # a keyless door
    assert minutes_used(keys.query, key_id, "2026-12") == pytest.approx(50.0)
    rows = [(r.key_name, r.period, r.calls, r.caller_audio_s) for r in usage(store.query, month="2026-12")]
    assert rows == [(None, "2026-12", 1, 0.0), ("acme", "2026-12", 2, 3000.0)]
    assert [r.period for r in usage(store.query, key="acme", by="day")] == ["2026-11-30", "2026-12-01"]
    updated = keys.update(key_id, scopes=["admin", "personal_data"], clear_quota=True)
    assert (updated.scopes, updated.monthly_quota_min) == (("admin", "personal_data"), None)
    assert [k.scopes for k in keys.list()] == [("admin", "personal_data")]
    keys.close()


def test_month_range_crosses_the_year() -> None:
    assert month_range("2026-12") == ("2026-12-01", "2027-01-01")
    with pytest.raises(StoreError, match="YYYY-MM"):
        month_range("2026-13")
