"""Voice profiles: ``voices/NAME/voice.yml`` plus its reference clips and derived artefacts.

The checksum recorded in voice.yml covers the clips, the engine and its training settings; when it no
longer matches, the artefacts are rebuilt before the voice is used.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

import yaml

from voicebot.config import voices_dir_from_env
from voicebot.engines.base import Synthesizer
from voicebot.errors import ConfigError

PROFILE_FILE = "voice.yml"
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
# Settings that change only how a built voice speaks, not what is derived from the clips.
_RUNTIME_SETTINGS = frozenset({"speed", "device", "strength", "mapping", "neighbours", "smooth_frames",
                               "global_variance", "global_variance_max_gain", "query", "gmm_below",
                               "modulation", "target_aperiodicity", "warp_base", "target_mean",
                               "mean_overshoot", "mean_per_class", "match_rate"})

Progress = Callable[[str], None]


class VoiceEngine(Protocol):
    """What a cloning engine does with a profile."""

    version: int

    def build(self, profile: Profile, progress: Progress) -> tuple[str, ...]:
        """Derives artefacts from the profile's clips into its directory; returns their file names."""
        ...

    def synthesizer(self, profile: Profile, language: str) -> Synthesizer:
        ...


# engine name -> "module:factory"; imported only when a profile uses it.
ENGINES: dict[str, str] = {
    "cpu-clone": "voicebot.voice.cpu_engine:CpuCloneEngine",
    "xtts": "voicebot.engines.xtts:XttsVoiceEngine",
    "openvoice": "voicebot.engines.openvoice:OpenVoiceEngine",
}


def voice_engine(name: str) -> VoiceEngine:
    try:
        target = ENGINES[name]
    except KeyError:
        known = ", ".join(sorted(ENGINES))
        raise ConfigError(f"unknown voice engine {name!r}: choose one of {known}") from None
    module_name, factory = target.split(":")
    engine: VoiceEngine = getattr(importlib.import_module(module_name), factory)()
    return engine


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    directory: Path
    engine: str
    languages: tuple[str, ...]
    clips: tuple[str, ...]  # paths relative to ``directory``
    settings: Mapping[str, Any] = field(default_factory=dict)
    checksum: str | None = None  # of the clips and settings the artefacts were built from
    artefacts: tuple[str, ...] = ()

    @property
    def speed(self) -> float:
        return float(self.settings.get("speed", 1.0))

    def clip_paths(self) -> list[Path]:
        return [self.directory / clip for clip in self.clips]

    def current_checksum(self) -> str:
        digest = hashlib.sha256()
        engine = voice_engine(self.engine)
        digest.update(f"{self.engine}:{engine.version}\n".encode())
        training = {k: v for k, v in sorted(self.settings.items()) if k not in _RUNTIME_SETTINGS}
        digest.update(repr(training).encode())
        for path in self.clip_paths():
            if not path.is_file():
                raise ConfigError(f"voice {self.name!r}: reference clip {path} is missing; "
                                  f"restore it or clone the voice again")
            digest.update(path.name.encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        return digest.hexdigest()

    def is_stale(self) -> bool:
        return self.checksum != self.current_checksum() or not all(
            (self.directory / artefact).is_file() for artefact in self.artefacts)

    def build(self, progress: Progress | None = None) -> Profile:
        """Derives the engine's artefacts from the clips and saves voice.yml."""
        say = progress or (lambda _msg: None)
        engine = voice_engine(self.engine)
        artefacts = engine.build(self, say)
        built = replace(self, checksum=self.current_checksum(), artefacts=artefacts)
        built.save()
        return built

    def ensure_built(self, progress: Progress | None = None) -> Profile:
        return self.build(progress) if self.is_stale() else self

    def synthesizer(self, language: str | None = None) -> Synthesizer:
        """The voice ready to speak, rebuilding derived artefacts first if the clips changed."""
        language = language or self.languages[0]
        if language.split("-")[0] not in {lang.split("-")[0] for lang in self.languages}:
            raise ConfigError(f"voice {self.name!r} speaks {', '.join(self.languages)}, not {language!r}")
        current = self.ensure_built()
        return voice_engine(current.engine).synthesizer(current, language)

    def to_yaml(self) -> dict[str, Any]:
        return {"name": self.name, "engine": self.engine, "languages": list(self.languages),
                "clips": list(self.clips), "settings": dict(self.settings),
                "derived": {"checksum": self.checksum, "files": list(self.artefacts)}}

    def save(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = self.directory / f".{PROFILE_FILE}.tmp"
        tmp.write_text(yaml.safe_dump(self.to_yaml(), sort_keys=False, allow_unicode=True), encoding="utf-8")
        tmp.replace(self.directory / PROFILE_FILE)


def load_profile(directory: str | os.PathLike[str]) -> Profile:
    folder = Path(directory)
    file = folder / PROFILE_FILE
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read voice profile {file}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{file} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{file}: expected a mapping with engine, languages and clips")

    def need(key: str, kind: type) -> Any:
        value = data.get(key)
        if not isinstance(value, kind):
            raise ConfigError(f"{file}: key {key!r} must be a {kind.__name__}")
        return value

    languages = need("languages", list)
    clips = need("clips", list)
    settings = data.get("settings") or {}
    derived = data.get("derived") or {}
    if not isinstance(settings, dict) or not isinstance(derived, dict):
        raise ConfigError(f"{file}: 'settings' and 'derived' must be mappings")
    engine = need("engine", str)
    if engine not in ENGINES:
        raise ConfigError(f"{file}: unknown engine {engine!r}; choose one of {', '.join(sorted(ENGINES))}")
    return Profile(name=str(data.get("name") or folder.name), directory=folder, engine=engine,
                   languages=tuple(str(x) for x in languages), clips=tuple(str(x) for x in clips),
                   settings=settings, checksum=derived.get("checksum"),
                   artefacts=tuple(str(x) for x in derived.get("files") or ()))


def default_voices_dirs() -> list[Path]:
    """$VOICEBOT_VOICES_DIR if set, else ./voices then ~/.local/share/voicebot/voices."""
    env = voices_dir_from_env()
    if env is not None:
        return [env]
    return [Path("voices"), Path.home() / ".local" / "share" / "voicebot" / "voices"]


def find_profile(name: str, voices_dir: str | os.PathLike[str] | None = None) -> Profile | None:
    """The profile called ``name``, or None when no voices folder has it."""
    if not NAME_PATTERN.match(name):
        return None
    folders = [Path(voices_dir)] if voices_dir is not None else default_voices_dirs()
    for folder in folders:
        if (folder / name / PROFILE_FILE).is_file():
            return load_profile(folder / name)
    return None


def list_profiles(voices_dir: str | os.PathLike[str] | None = None) -> list[Profile]:
    folders = [Path(voices_dir)] if voices_dir is not None else default_voices_dirs()
    found: dict[str, Profile] = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for child in sorted(folder.iterdir()):
            if (child / PROFILE_FILE).is_file() and child.name not in found:
                found[child.name] = load_profile(child)
    return list(found.values())
