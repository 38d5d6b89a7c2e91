"""store.url = postgresql://…: the service and `voicebot keys` use PostgreSQL, recordings stay on disk."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.store.test_calls import make_record
from voicebot.cli import main
from voicebot.config import load_config
from voicebot.errors import ConfigError
from voicebot.runtime import Runtime
from voicebot.store import open_key_store
from voicebot.store.postgres import PostgresCallStore, PostgresKeyStore


async def test_runtime_keeps_records_in_postgres_and_recordings_in_the_data_dir(pg_url: str,
                                                                                tmp_path: Path) -> None:
    config = load_config(None, env={"VOICEBOT_STORE__URL": pg_url},
                         overrides={"paths.data_dir": tmp_path / "var", "paths.dialogues_dir": "dialogues"})
    runtime = Runtime.create(config, load_engines=False)
    try:
        assert isinstance(runtime.store, PostgresCallStore) and isinstance(runtime.keys, PostgresKeyStore)
        await runtime.start()
        record = make_record(outcome="order_placed")
        runtime.store.begin(record)
        runtime.store.save(record, np.zeros((1600, 2), np.int16), 16000)
    finally:
        await runtime.close()
    assert (tmp_path / "var" / "recordings" / f"{record.call_id}.wav").is_file()
    assert not (tmp_path / "var" / "voicebot.db").exists()  # no SQLite file on the side
    other = PostgresCallStore(pg_url, recordings_dir=tmp_path / "var" / "recordings")
    stored = other.entry(record.call_id)
    other.close()
    assert stored is not None and stored.status == "completed" and stored.has_audio


def test_keys_cli_creates_keys_in_postgres(pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("VOICEBOT_STORE__URL", pg_url)
    assert main(["keys", "create", "--name", "ops", "--data-dir", str(tmp_path / "var")]) == 0
    token = capsys.readouterr().out.strip()
    keys = open_key_store(pg_url)
    assert keys.authenticate(token).name == "ops"
    keys.close()
    assert not (tmp_path / "var" / "voicebot.db").exists()


def test_config_accepts_postgres_urls_and_refuses_other_schemes() -> None:
    for url in ("postgresql://vb@db:5432/voicebot", "postgres://db/voicebot", "sqlite:///var/x.db", "x.db"):
        assert load_config(None, env={"VOICEBOT_STORE__URL": url}).store.url == url
    with pytest.raises(ConfigError, match=r"store\.url: give a SQLite file path"):
        load_config(None, env={"VOICEBOT_STORE__URL": "mysql://db/voicebot"})
