"""Configuration: defaults, YAML file, VOICEBOT_* overrides, errors that name the file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from voicebot.config import Config, load_config, parse_host_port
from voicebot.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "voicebot.yml"
    path.write_text(text)
    return path


def test_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no voicebot.yml here
    config = load_config(None, env={})
    assert config == Config()
    assert (config.server.host, config.server.port) == ("127.0.0.1", 8080)
    assert not config.server.insecure_no_auth
    assert config.stt.model_en == "tiny.en" and config.vad.end_silence_ms == 600
    assert config.store_path == Path("var/voicebot.db") and config.recording.enabled


def test_file_then_env_then_overrides(tmp_path: Path) -> None:
    path = write(tmp_path, "server:\n  port: 9000\n  host: 0.0.0.0\nvad:\n  threshold: 0.6\n"
                           "paths:\n  data_dir: /srv/vb\nrecording:\n  enabled: no\n")
    config = load_config(path, env={"VOICEBOT_SERVER__PORT": "9100", "VOICEBOT_AMI__SECRET": "hunter2",
                                    "VOICEBOT_AUDIOSOCKET__LISTEN": "0.0.0.0:9092", "VOICEBOT_OTHER": "x"},
                         overrides={"server.port": 9200, "server.host": None})
    assert config.server.port == 9200 and config.server.host == "0.0.0.0"
    assert config.vad.threshold == 0.6 and config.recording.enabled is False
    assert config.store_path == Path("/srv/vb/voicebot.db")
    assert config.ami.secret == "hunter2" and config.audiosocket.listen == "0.0.0.0:9092"


def test_secrets_are_hidden_in_repr() -> None:
    config = load_config(None, env={"VOICEBOT_AMI__SECRET": "hunter2", "VOICEBOT_AMI__USERNAME": "bot"})
    assert "hunter2" not in repr(config) and "hunter2" not in str(config.ami)
    assert "bot" in repr(config.ami)


def test_voicebot_yml_in_working_directory_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "server:\n  port: 7000\n")
    monkeypatch.chdir(tmp_path)
    assert load_config(None, env={}).server.port == 7000


@pytest.mark.parametrize(("text", "message"), [
    ("server:\n  port: 80\n  prot: 81\n", r"voicebot\.yml:3: unknown key server\.prot; known keys of server"),
    ("sever:\n  port: 80\n", r"voicebot\.yml:1: unknown section 'sever'"),
    ("server:\n  host: x\n  port: eighty\n",
     r"voicebot\.yml:3: server\.port: expected an integer, got 'eighty'"),
    ("server:\n  port: 70000\n", r"voicebot\.yml:2: server\.port: must be between 0 and 65535"),
    ("recording:\n  enabled: maybe\n", r"voicebot\.yml:2: recording\.enabled: expected true or false"),
    ("vad:\n  threshold: 2\n", r"vad\.threshold: must be between 0 and 1"),
    ("session:\n  partial_interval_ms: -5\n", r"session\.partial_interval_ms: must be a number of"),
    ("stt:\n  encoder_window_s: 5\n", r"stt\.encoder_window_s: must be between 10 and 30 seconds"),
    ("stt:\n  free_window_s: 31\n", r"stt\.free_window_s: must be between 10 and 30 seconds"),
    ("turn:\n  open_pause_ms: 0\n", r"turn\.open_pause_ms: must be a positive number"),
    ("server: [1, 2]\n", r"voicebot\.yml:1: server: expected a mapping"),
    ("server:\n  port: [\n", r"voicebot\.yml: invalid YAML"),
    ("- just\n- a list\n", r"expected a mapping of sections"),
    ("store:\n  url: mysql://db/voicebot\n", r"store\.url: give a SQLite file path, sqlite:///path or postgresql://"),
    ("audiosocket:\n  listen: host:port\n", r"audiosocket\.listen: expected \[HOST:\]PORT"),
])
def test_file_errors_name_file_line_and_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, text), env={})


def test_env_errors_name_the_variable() -> None:
    with pytest.raises(ConfigError, match=r"VOICEBOT_SERVER__PORT: server\.port: expected an integer"):
        load_config(None, env={"VOICEBOT_SERVER__PORT": "abc"})
    with pytest.raises(ConfigError, match=r"VOICEBOT_SERVER__PROT: unknown key server\.prot"):
        load_config(None, env={"VOICEBOT_SERVER__PROT": "1"})
    with pytest.raises(ConfigError, match=r"VOICEBOT_AMI__PORT: ami\.port: expected an integer, got 'x'"):
        load_config(None, env={"VOICEBOT_AMI__PORT": "x"})


def test_secret_value_is_not_echoed_in_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, "ami:\n  secret: [hunter2]\n"), env={})
    assert "hunter2" not in str(info.value) and "ami.secret" in str(info.value)


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yml", env={})


def test_empty_optional_values_from_env() -> None:
    config = load_config(None, env={"VOICEBOT_TTS__VOICE": "", "VOICEBOT_AUDIOSOCKET__DEFAULT_DIALOGUE": "x"})
    assert config.tts.voice is None and config.audiosocket.default_dialogue == "x"


def test_parse_host_port() -> None:
    assert parse_host_port("9092", default_host="127.0.0.1") == ("127.0.0.1", 9092)
    assert parse_host_port("0.0.0.0:9092", default_host="127.0.0.1") == ("0.0.0.0", 9092)
    assert parse_host_port("[::1]:9092", default_host="127.0.0.1") == ("::1", 9092)
