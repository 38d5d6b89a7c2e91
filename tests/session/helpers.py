"""Shared by the session, websocket and CLI tests: one engine pool per process, a real store."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from voicebot.session.engines import EnginePool

DIALOGUE_PATH = Path(__file__).with_name("voice_check.yml")


@cache
def engine_pool() -> EnginePool:
    """Loaded once per test process: tiny.en, Silero, the embedded Piper voice."""
    return EnginePool()


@cache
def voice_check() -> Any:
    from voicebot.dialogue.loader import load_dialogue

    return load_dialogue(DIALOGUE_PATH)


def runtime(tmp_path: Path) -> SimpleNamespace:
    """What a session needs from the service: a real SQLite call store, real metrics, the pool."""
    from voicebot.store import CallStore
    from voicebot.web.metrics import Metrics

    store = CallStore(tmp_path / "calls.db", recordings_dir=tmp_path / "recordings",
                      fallback_path=tmp_path / "unsaved.jsonl", record_audio=True)
    return SimpleNamespace(store=store, metrics=Metrics(), engines=engine_pool(), config=None)
