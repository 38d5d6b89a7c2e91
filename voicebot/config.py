"""Typed service configuration: a YAML file plus ``VOICEBOT_SECTION__KEY`` environment overrides.

Precedence, lowest first: defaults, the YAML file, environment variables, explicit overrides (CLI flags).
Everything is validated at load time; an error names the file (and line) or the variable, and the key.
"""

from __future__ import annotations

import dataclasses
import os
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voicebot.errors import ConfigError

DEFAULT_CONFIG_FILE = "voicebot.yml"
ENV_PREFIX = "VOICEBOT_"
# Process-wide folders that tools need before (or without) a config file; read only here.
CACHE_DIR_ENV = "VOICEBOT_CACHE_DIR"
VOICES_DIR_ENV = "VOICEBOT_VOICES_DIR"


@dataclass(frozen=True, slots=True)
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 8080
    insecure_no_auth: bool = False
    max_concurrent_calls: int = 32  # whole server; each API key may have a lower limit
    shutdown_timeout_s: float = 30.0  # on SIGTERM, how long calls in progress may take to end


@dataclass(frozen=True, slots=True)
class PathsConfig:
    data_dir: Path = Path("var")
    dialogues_dir: Path = Path("dialogues")
    voices_dir: Path = Path("voices")


@dataclass(frozen=True, slots=True)
class SttConfig:
    engine: str = "faster-whisper"
    # One model for every language ("small", or a CTranslate2 directory); when set it replaces both below.
    model: str | None = None
    model_en: str = "tiny.en"
    model_multilingual: str = "base"
    device: str = "cpu"
    compute_type: str = "int8"
    beam_size: int = 3
    # Seconds of whisper's window the encoder reads for a turn under it (10-30): 15 costs ~60% less
    # CPU per decode than 30; a final it is unsure of is decoded again over 30 s, and with that 15 made
    # as many mistakes as 30 on bench/wer.py's corpus (BENCHMARKS.md, issue 12). Partials always use 15;
    # open asks (menus, dates, phone numbers) always 30.
    encoder_window_s: float = 15.0
    # With free_window_s under 30: a turn heard without expected answers whose speech stands less than this
    # many dB above its own noise floor (voicebot/audio/snr.py) is encoded over 30 s at once: on
    # bench/wer.py's corpus that matched plain faster-whisper on noisy speech, where 15 s lost words;
    # null: never (issue 10).
    noisy_window_snr_db: float | None = 30.0
    # Seconds of whisper's window read for a final heard without expected answers (a text ask, a confirm, a
    # read-back; 10-30): over 15 s clean and telephone speech each lost a word against plain faster-whisper
    # on bench/wer.py's corpus at any retry line short of retrying most turns; 30 makes plain's mistakes,
    # for ~2.3x the CPU of a 15 s decode on those turns only (BENCHMARKS.md, issue 10).
    free_window_s: float = 30.0
    # Turns of concurrent calls waiting at the same moment are decoded in one batch (CPU only): the
    # decoder's CPU per turn falls 30-50% with the same transcripts; a lone turn is never held back
    # (bench/stt_batch.py, BENCHMARKS.md, issue 12).
    batch_decodes: bool = True
    # The model that hears an English turn at a yes/no question or a choice again where tiny.en's reading
    # answers nothing the question expects (it would be asked again), read by the same rule; "none": never.
    # Not at a number question, where it seldom paid for its CPU (dialogue/second_opinion.py). Loaded once
    # per process (base: about +180 MB resident) and run only on such turns (docs/configuration.md).
    second_opinion: str = "base"


@dataclass(frozen=True, slots=True)
class TtsConfig:
    voice: str | None = None  # None: the per-language default voice
    # Seconds a voice may take for one chunk (a sentence) before the backup voice speaks
    # (session/fallback.py). Piper needs well under one on a loaded 2-core machine.
    chunk_timeout_s: float = 10.0


@dataclass(frozen=True, slots=True)
class VadConfig:
    threshold: float = 0.5
    end_silence_ms: int = 600
    no_input_timeout_ms: int = 6000
    # The door holds the bot's audio (at most this long) while a caller may be starting to talk over it;
    # 0 never holds (a line that echoes the bot's voice back may want that).
    onset_hold_ms: int = 192


@dataclass(frozen=True, slots=True)
class TurnConfig:
    detector: str = "smart-turn"  # end-of-turn model (voicebot/engines/registry.py TURN_DETECTORS)
    model_path: Path | None = None  # None: the Smart Turn file that make install put in the model cache
    # session.end_of_turn smart_turn: a pause this long asks the dialogue and the model; this one
    # ends any turn; the model's probability from which a turn counts as complete.
    ask_pause_ms: int = 128
    max_pause_ms: int = 1600
    threshold: float = 0.5
    # A whole answer ("yes", a full phone number) the model does not call complete ends after this
    # pause; an order, a comment or an address the model calls complete ends after this one.
    complete_pause_ms: int = 600
    open_pause_ms: int = 1300
    # Taking a turn back (voicebot/session/take_back.py): caller speech that starts at most this long
    # after the end of a turn, while at most this much of the bot's reply has played, reopens the turn
    # (any end-of-turn rule). 0 turns it off.
    take_back_window_ms: int = 1000
    take_back_max_bot_audio_ms: int = 1000


@dataclass(frozen=True, slots=True)
class SessionConfig:
    no_progress_timeout_s: float = 120.0  # watchdog for a stuck call; 0 = off
    max_call_duration_s: float = 3600.0  # 0 = no limit
    partial_interval_ms: int = 1000  # partial transcripts while the caller talks; 0 = none
    # "smart_turn": a short pause is judged by the dialogue and the turn model (turn.*), up to a ceiling
    # (voicebot/audio/endpointing.py); "silence": a turn ends after vad.end_silence_ms. smart_turn cut
    # 6% of answers with pauses short against 49% and answered sooner live (BENCHMARKS.md, issue 12).
    end_of_turn: str = "smart_turn"
    close_timeout_s: float = 30.0  # at a call's end, how long a door lets queued bot audio play out


@dataclass(frozen=True, slots=True)
class RecordingConfig:
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class AudioSocketConfig:
    listen: str | None = None  # "host:port" or "port"; None: no AudioSocket listener
    default_dialogue: str | None = None
    # host:port as Asterisk reaches this worker's listener directly: campaign calls it dials come back
    # here, not through a balancer. None: the listen address (a wildcard host: this machine's address).
    advertise: str | None = None


@dataclass(frozen=True, slots=True)
class AmiConfig:
    host: str = "127.0.0.1"
    port: int = 5038
    username: str | None = None
    secret: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class StoreConfig:
    # SQLite file path (or sqlite:///path) or postgresql://user@host/db; None: <data_dir>/voicebot.db
    url: str | None = None
    # PostgreSQL: how long a campaign claim holds without renewal (its dialer renews every lease_s / 3)
    lease_s: float = 30.0


@dataclass(frozen=True, slots=True)
class LoggingConfig:
    level: str = "info"
    json: bool = True


@dataclass(frozen=True, slots=True)
class Config:
    server: ServerConfig = field(default_factory=ServerConfig)
    paths: PathsConfig = field(default_factory=PathsConfig)
    stt: SttConfig = field(default_factory=SttConfig)
    tts: TtsConfig = field(default_factory=TtsConfig)
    vad: VadConfig = field(default_factory=VadConfig)
    turn: TurnConfig = field(default_factory=TurnConfig)
    session: SessionConfig = field(default_factory=SessionConfig)
    recording: RecordingConfig = field(default_factory=RecordingConfig)
    audiosocket: AudioSocketConfig = field(default_factory=AudioSocketConfig)
    ami: AmiConfig = field(default_factory=AmiConfig)
    store: StoreConfig = field(default_factory=StoreConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)

    @property
    def store_path(self) -> Path:
        """The SQLite database file of the call-record and key store."""
        url = self.store.url
        if url is None:
            return self.paths.data_dir / "voicebot.db"
        return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else Path(url)

    @property
    def recordings_dir(self) -> Path:
        return self.paths.data_dir / "recordings"


SECTIONS: dict[str, type[Any]] = typing.get_type_hints(Config)
_LOG_LEVELS = ("debug", "info", "warning", "error", "critical")


def load_config(path: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None, *,
                overrides: Mapping[str, Any] | None = None) -> Config:
    """Load and validate the configuration.

    Args:
        path: YAML file; None reads ``voicebot.yml`` from the working directory when it exists.
        env: environment (default ``os.environ``); ``VOICEBOT_SECTION__KEY`` variables override the file.
        overrides: ``{"section.key": value}`` applied last (command-line flags); None values are ignored.
    """
    env = os.environ if env is None else env
    values: dict[str, dict[str, Any]] = {}
    # Where each value came from, for error messages: "voicebot.yml:3" or "VOICEBOT_SERVER__PORT".
    origins: dict[str, str] = {}
    if path is None and Path(DEFAULT_CONFIG_FILE).is_file():
        path = DEFAULT_CONFIG_FILE
    if path is not None:
        _read_file(Path(path), values, origins)
    for name, raw in sorted(env.items()):
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        section, _, key = name[len(ENV_PREFIX):].lower().partition("__")
        _check_key(section, key, name)
        values.setdefault(section, {})[key] = raw
        origins[f"{section}.{key}"] = name
    for dotted, value in (overrides or {}).items():
        if value is None:
            continue
        section, _, key = dotted.partition(".")
        _check_key(section, key, "command line")
        values.setdefault(section, {})[key] = value
        origins[dotted] = "command line"
    sections = {}
    for section, cls in SECTIONS.items():
        given = values.get(section, {})
        hints = typing.get_type_hints(cls)
        kwargs = {key: _coerce(raw, hints[key], f"{section}.{key}", origins.get(f"{section}.{key}", "?"))
                  for key, raw in given.items()}
        sections[section] = cls(**kwargs)
    if sections["stt"].model:
        sections["stt"] = dataclasses.replace(sections["stt"], model_en=sections["stt"].model,
                                              model_multilingual=sections["stt"].model)
    config = Config(**sections)
    _validate(config, origins)
    return config


def _read_file(path: Path, values: dict[str, dict[str, Any]], origins: dict[str, str]) -> None:
    import yaml  # only needed when there is a file

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found; check --config") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read configuration file: {exc}") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from None
    if data is None:
        return
    if not isinstance(data, dict) or not isinstance(root, yaml.MappingNode):
        raise ConfigError(f"{path}: expected a mapping of sections ({', '.join(SECTIONS)})")
    lines: dict[str, int] = {}
    for key_node, value_node in root.value:
        lines[str(key_node.value)] = key_node.start_mark.line + 1
        if isinstance(value_node, yaml.MappingNode):
            for sub_key, _ in value_node.value:
                lines[f"{key_node.value}.{sub_key.value}"] = sub_key.start_mark.line + 1
    for section, body in data.items():
        where = f"{path}:{lines.get(str(section), 1)}"
        _check_key(str(section), None, where)
        if body is None:
            continue
        if not isinstance(body, dict):
            raise ConfigError(f"{where}: {section}: expected a mapping of keys, got {type(body).__name__}")
        for key, value in body.items():
            dotted = f"{section}.{key}"
            where = f"{path}:{lines.get(dotted, 1)}"
            _check_key(str(section), str(key), where)
            values.setdefault(str(section), {})[str(key)] = value
            origins[dotted] = where


def _check_key(section: str, key: str | None, where: str) -> None:
    if section not in SECTIONS:
        raise ConfigError(f"{where}: unknown section {section!r}; known sections: {', '.join(SECTIONS)}")
    if key is None:
        return
    known = [f.name for f in dataclasses.fields(SECTIONS[section])]
    if key not in known:
        raise ConfigError(f"{where}: unknown key {section}.{key}; known keys of {section}: "
                          f"{', '.join(known)}")


def _coerce(raw: object, hint: object, dotted: str, where: str) -> Any:
    """Turn a YAML value or an environment string into the field's type."""
    optional = False
    args = typing.get_args(hint)
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        optional = type(None) in args
        hint = next(a for a in args if a is not type(None))
    if raw is None or (optional and isinstance(raw, str) and raw.strip().lower() in ("", "none", "null")):
        if optional:
            return None
        raise ConfigError(f"{where}: {dotted}: a value is required")
    names: dict[object, str] = {bool: "true or false", int: "an integer", float: "a number",
                                str: "a string", Path: "a path"}
    expected = names[hint]
    if hint is bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in ("1", "true", "yes", "on"):
            return True
        if isinstance(raw, str) and raw.strip().lower() in ("0", "false", "no", "off"):
            return False
    elif hint is int:
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        if isinstance(raw, str):
            try:
                return int(raw.strip())
            except ValueError:
                pass
    elif hint is float:
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return float(raw)
        if isinstance(raw, str):
            try:
                return float(raw.strip())
            except ValueError:
                pass
    elif hint is str:
        if isinstance(raw, str | int) and not isinstance(raw, bool):
            return str(raw)
    elif hint is Path and isinstance(raw, str | os.PathLike) and str(raw):
        return Path(raw).expanduser()
    raise ConfigError(f"{where}: {dotted}: expected {expected}, got {_show(dotted, raw)}")


def _show(dotted: str, raw: object) -> str:
    return "a hidden value" if dotted == "ami.secret" else repr(raw)


def _validate(config: Config, origins: Mapping[str, str]) -> None:
    def fail(dotted: str, message: str) -> None:
        raise ConfigError(f"{origins.get(dotted, 'default')}: {dotted}: {message}")

    if not 0 <= config.server.port <= 65535:
        fail("server.port", f"must be between 0 and 65535, got {config.server.port}")
    if config.server.shutdown_timeout_s < 0:
        fail("server.shutdown_timeout_s", "must not be negative")
    if config.session.close_timeout_s < 0:
        fail("session.close_timeout_s", "must not be negative")
    if config.server.max_concurrent_calls < 1:
        fail("server.max_concurrent_calls", "must be at least 1")
    if config.store.lease_s <= 0:
        fail("store.lease_s", "must be a positive number of seconds")
    if not 1 <= config.ami.port <= 65535:
        fail("ami.port", f"must be between 1 and 65535, got {config.ami.port}")
    if not 0.0 < config.vad.threshold < 1.0:
        fail("vad.threshold", f"must be between 0 and 1, got {config.vad.threshold}")
    for key in ("end_silence_ms", "no_input_timeout_ms"):
        if getattr(config.vad, key) <= 0:
            fail(f"vad.{key}", "must be a positive number of milliseconds")
    for key in ("no_progress_timeout_s", "max_call_duration_s"):
        if getattr(config.session, key) < 0:
            fail(f"session.{key}", "must be a number of seconds, or 0 for no limit")
    if config.session.end_of_turn not in ("silence", "smart_turn"):
        fail("session.end_of_turn", f"must be silence or smart_turn, got {config.session.end_of_turn!r}")
    if not 0 < config.turn.ask_pause_ms < config.turn.max_pause_ms:
        fail("turn.ask_pause_ms", "must be a positive number of milliseconds under turn.max_pause_ms")
    for key in ("complete_pause_ms", "open_pause_ms"):
        if getattr(config.turn, key) <= 0:
            fail(f"turn.{key}", "must be a positive number of milliseconds")
    if not 0.0 < config.turn.threshold < 1.0:
        fail("turn.threshold", f"must be between 0 and 1, got {config.turn.threshold}")
    if config.turn.take_back_window_ms < 0:
        fail("turn.take_back_window_ms", "must be a number of milliseconds, or 0 to never take a turn "
             f"back, got {config.turn.take_back_window_ms}")
    if config.turn.take_back_max_bot_audio_ms < 0:
        fail("turn.take_back_max_bot_audio_ms", "must be a number of milliseconds (0: only before the "
             f"reply's first audio), got {config.turn.take_back_max_bot_audio_ms}")
    if config.session.partial_interval_ms < 0:
        fail("session.partial_interval_ms", "must be a number of milliseconds, or 0 for no partials")
    if config.tts.chunk_timeout_s <= 0:
        fail("tts.chunk_timeout_s", "must be a positive number of seconds")
    if config.stt.beam_size < 1:
        fail("stt.beam_size", "must be at least 1")
    if not 10 <= config.stt.encoder_window_s <= 30:
        fail("stt.encoder_window_s", f"must be between 10 and 30 seconds, got {config.stt.encoder_window_s}")
    if not 10 <= config.stt.free_window_s <= 30:
        fail("stt.free_window_s", f"must be between 10 and 30 seconds, got {config.stt.free_window_s}")
    if config.stt.model == "tiny.en":
        fail("stt.model", "tiny.en understands English only; set stt.model_en: tiny.en instead")
    if not config.stt.second_opinion.strip():
        fail("stt.second_opinion", "name the model that hears a turn again (base), or none")
    if config.logging.level.lower() not in _LOG_LEVELS:
        fail("logging.level", f"must be one of {', '.join(_LOG_LEVELS)}")
    if config.audiosocket.listen is not None:
        try:
            parse_host_port(config.audiosocket.listen, default_host="127.0.0.1")
        except ConfigError as exc:
            fail("audiosocket.listen", str(exc))
    url = config.store.url
    if url is not None and "://" in url and not url.startswith(("sqlite:///", "postgresql://", "postgres://")):
        fail("store.url", "give a SQLite file path, sqlite:///path or postgresql://user@host/dbname")


def cache_dir_from_env(env: Mapping[str, str] | None = None) -> Path | None:
    """$VOICEBOT_CACHE_DIR (model cache) when set."""
    value = (os.environ if env is None else env).get(CACHE_DIR_ENV)
    return Path(value) if value else None


def voices_dir_from_env(env: Mapping[str, str] | None = None) -> Path | None:
    """$VOICEBOT_VOICES_DIR (voice profiles) when set."""
    value = (os.environ if env is None else env).get(VOICES_DIR_ENV)
    return Path(value) if value else None


def parse_host_port(text: str, *, default_host: str) -> tuple[str, int]:
    """``"9092"`` -> (default_host, 9092); ``"0.0.0.0:9092"`` -> ("0.0.0.0", 9092)."""
    host, sep, port_text = text.rpartition(":")
    if not sep:
        host = default_host
    try:
        port = int(port_text)
    except ValueError:
        raise ConfigError(f"expected [HOST:]PORT, got {text!r}") from None
    if not 0 <= port <= 65535:
        raise ConfigError(f"port must be between 0 and 65535, got {port}")
    return (host.strip("[]") or default_host), port
