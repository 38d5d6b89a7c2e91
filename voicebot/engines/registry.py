"""Plain registries of engine factories. Backends are imported only when asked for, so a
missing optional extra fails with an install hint instead of at start-up."""

from __future__ import annotations

import importlib
from typing import Any

from voicebot.engines.base import Synthesizer, Transcriber, TurnDetector, VoiceActivityDetector
from voicebot.errors import ConfigError, ModelError

# name -> ("module:Class", pip extra that provides its SDK or None)
TRANSCRIBERS: dict[str, tuple[str, str | None]] = {
    "faster-whisper": ("voicebot.engines.whisper:WhisperTranscriber", None),
    "vosk": ("voicebot.engines.vosk:VoskTranscriber", "vosk"),
}
SYNTHESIZERS: dict[str, tuple[str, str | None]] = {
    "piper": ("voicebot.engines.piper:PiperSynthesizer", None),
    "espeak": ("voicebot.engines.espeak:EspeakSynthesizer", None),
    "xtts": ("voicebot.engines.xtts:XttsSynthesizer", "xtts"),
}
VADS: dict[str, tuple[str, str | None]] = {
    "silero": ("voicebot.engines.silero:SileroVAD", None),
}
TURN_DETECTORS: dict[str, tuple[str, str | None]] = {
    "smart-turn": ("voicebot.engines.smart_turn:SmartTurnDetector", None),
}



def register_fault_engines() -> None:
    """Adds the engines that fail on purpose (voicebot/engines/fault.py) to this process's registry.

    Only the system fault tests call this (tests/system/fault_serve.py); a served process never does,
    so no configuration or environment can select an engine built to fail.
    """
    TRANSCRIBERS["fault"] = ("voicebot.engines.fault:FaultTranscriber", None)
    SYNTHESIZERS["fault"] = ("voicebot.engines.fault:FaultSynthesizer", None)


def _load(kind: str, table: dict[str, tuple[str, str | None]], name: str) -> Any:
    try:
        target, extra = table[name]
    except KeyError:
        known = ", ".join(sorted(table))
        raise ConfigError(f"unknown {kind} engine {name!r}; choose one of: {known}") from None
    module_name, class_name = target.split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if extra is None or exc.name is None or exc.name.startswith("voicebot"):
            raise
        raise ModelError(
            f"the {name} {kind} engine needs the '{extra}' extra: pip install 'voicebot[{extra}]' "
            f"(missing module {exc.name})"
        ) from None
    return getattr(module, class_name)


def create_transcriber(engine: str, **options: object) -> Transcriber:
    factory = _load("speech-to-text", TRANSCRIBERS, engine)
    transcriber: Transcriber = factory(**options)
    return transcriber


def create_synthesizer(engine: str, **options: object) -> Synthesizer:
    factory = _load("text-to-speech", SYNTHESIZERS, engine)
    synthesizer: Synthesizer = factory(**options)
    return synthesizer


def create_vad(engine: str = "silero", **options: object) -> VoiceActivityDetector:
    factory = _load("voice-activity", VADS, engine)
    vad: VoiceActivityDetector = factory(**options)
    return vad


def create_turn_detector(engine: str = "smart-turn", **options: object) -> TurnDetector:
    factory = _load("end-of-turn", TURN_DETECTORS, engine)
    detector: TurnDetector = factory(**options)
    return detector
