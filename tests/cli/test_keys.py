"""voicebot keys create|list|revoke against the data directory's store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from voicebot.cli import main
from voicebot.store import KeyStore


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_create_prints_the_key_once_and_it_works(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = str(tmp_path / "var")
    code, out, err = run(capsys, "keys", "create", "--name", "shop", "--dialogue", "pizza_order",
                         "--dialogue", "pizza_order_ko", "--max-calls", "4", "--data-dir", data)
    assert code == 0
    token = out.strip()
    assert token.startswith("vb_") and "cannot be shown again" in err
    store = KeyStore(tmp_path / "var" / "voicebot.db")
    key = store.authenticate(token)
    store.close()
    assert (key.name, key.max_concurrent_calls) == ("shop", 4)
    assert key.dialogues == ("pizza_order", "pizza_order_ko")

    code, out, _ = run(capsys, "keys", "--data-dir", data, "list")
    assert code == 0 and "shop" in out and "pizza_order,pizza_order_ko" in out and token not in out
    code, out, _ = run(capsys, "keys", "list", "--json", "--data-dir", data)
    assert [k["name"] for k in json.loads(out)] == ["shop"] and token not in out


def test_revoke_then_list_shows_revoked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = str(tmp_path / "var")
    run(capsys, "keys", "create", "--name", "temp", "--data-dir", data)
    code, out, _ = run(capsys, "keys", "revoke", "temp", "--data-dir", data)
    assert code == 0 and "revoked" in out
    _, out, _ = run(capsys, "keys", "list", "--data-dir", data)
    assert "revoked 20" in out


def test_user_mistakes_exit_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = str(tmp_path / "var")
    code, _, err = run(capsys, "keys", "revoke", "nobody", "--data-dir", data)
    assert code == 2 and err.startswith("voicebot: error: no API key") and "Traceback" not in err
    run(capsys, "keys", "create", "--name", "dup", "--data-dir", data)
    code, _, err = run(capsys, "keys", "create", "--name", "dup", "--data-dir", data)
    assert code == 2 and "already exists" in err
    code, _, err = run(capsys, "keys", "create", "--max-calls", "0", "--data-dir", data)
    assert code == 2 and "at least 1" in err


def test_data_dir_from_environment(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VOICEBOT_PATHS__DATA_DIR", str(tmp_path / "elsewhere"))
    run(capsys, "keys", "create", "--name", "env")
    assert (tmp_path / "elsewhere" / "voicebot.db").is_file()
