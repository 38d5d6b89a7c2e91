"""Voice names to synthesizers: what ``--voice NAME`` and a dialogue's ``voice:`` mean.

Resolution order for a name:
    None or "default"   the language's default: Piper joe for English, eSpeak for any other language
    "joe"               the embedded Piper voice en_US-joe-medium
    PATH.onnx           that Piper voice file (its .onnx.json beside it)
    "espeak:LANG"       eSpeak NG voice LANG (e.g. espeak:ko, espeak:en-gb+f3)
    NAME                a voice profile in voices/NAME/, through the profile lookup hook
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from voicebot.engines.base import Synthesizer
from voicebot.errors import ConfigError

# Hook for cloned voices: (name, language) -> synthesizer, or None when no profile has that name.
ProfileLookup = Callable[[str, str], "Synthesizer | None"]

DEFAULT_VOICE = "default"
PIPER_DEFAULT_NAME = "joe"
ESPEAK_PREFIX = "espeak:"
DEFAULT_LANGUAGE = "en"


def find_profile_synthesizer(name: str, language: str) -> Synthesizer | None:
    """The default profile lookup: ``voicebot.voice.profile.find_profile``, when that module exists."""
    try:
        from voicebot.voice.profile import find_profile  # type: ignore[import-not-found,unused-ignore]
    except ModuleNotFoundError as exc:
        # Only the profile module itself may be absent; a missing dependency inside it is a real error.
        if exc.name in ("voicebot.voice", "voicebot.voice.profile"):
            return None
        raise
    profile = find_profile(name)
    if profile is None:
        return None
    synthesizer: Synthesizer = profile.synthesizer(language)
    return synthesizer


def no_profiles(name: str, language: str) -> Synthesizer | None:
    """A profile lookup that knows no profiles (built-in voices only)."""
    del name, language
    return None


def primary_language(language: str | None) -> str:
    """"en-US" -> "en"; None -> the default language."""
    if not language:
        return DEFAULT_LANGUAGE
    return language.replace("_", "-").split("-")[0].lower()


def resolve_synthesizer(voice: str | None, language: str | None = DEFAULT_LANGUAGE, *,
                        profile_lookup: ProfileLookup = find_profile_synthesizer) -> Synthesizer:
    """Creates the synthesizer that ``voice`` names, for text in ``language``.

    Raises:
        ConfigError: the name matches no voice; the message lists what is available.
        ModelError: the voice exists but its model or program is missing.
    """
    lang = primary_language(language)
    name = (voice or DEFAULT_VOICE).strip()
    if name == DEFAULT_VOICE:
        if lang == "en":
            return _piper()
        return _espeak(lang)
    if name in (PIPER_DEFAULT_NAME, "piper"):
        return _piper()
    if name.startswith(ESPEAK_PREFIX):
        espeak_voice = name.removeprefix(ESPEAK_PREFIX) or lang
        return _espeak(espeak_voice)
    if name.endswith(".onnx"):
        return _piper(Path(name))
    if name.startswith("fault:"):  # registered only by the fault tests (voicebot/engines/fault.py)
        from voicebot.engines.registry import create_synthesizer

        return create_synthesizer("fault", mode=name.removeprefix("fault:"), language=lang)
    found = profile_lookup(name, lang)
    if found is not None:
        return found
    raise ConfigError(
        f"unknown voice {name!r}; use 'default', 'joe' (Piper, English), 'espeak:LANG' (e.g. espeak:ko), "
        "a path to a Piper .onnx voice, or the name of a profile in voices/NAME/ (see: voicebot voice list)"
    )


def _piper(path: Path | None = None) -> Synthesizer:
    from voicebot.engines.piper import PiperSynthesizer

    return PiperSynthesizer(path)


def _espeak(voice: str) -> Synthesizer:
    from voicebot.engines.espeak import EspeakSynthesizer

    return EspeakSynthesizer(voice)


class VoiceLibrary:
    """Loads each voice once and hands out the same synthesizer afterwards.

    One library per process or per server: loading a neural voice takes about a second.
    """

    def __init__(self, profile_lookup: ProfileLookup = find_profile_synthesizer) -> None:
        self._profile_lookup = profile_lookup
        self._loaded: dict[tuple[str, str], Synthesizer] = {}
        # Sessions ask from worker threads; without the lock two could load the same voice at once.
        self._lock = threading.Lock()

    def get(self, voice: str | None, language: str | None = DEFAULT_LANGUAGE) -> Synthesizer:
        key = ((voice or DEFAULT_VOICE).strip(), primary_language(language))
        with self._lock:
            synthesizer = self._loaded.get(key)
            if synthesizer is None:
                synthesizer = resolve_synthesizer(key[0], key[1], profile_lookup=self._profile_lookup)
                self._loaded[key] = synthesizer
            return synthesizer

    def __len__(self) -> int:
        return len(self._loaded)
