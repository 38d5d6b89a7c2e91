"""Shared by the dialogue tests: a shipped dialogue started and answered as text, and what the bot said."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from voicebot.dialogue.events import CallerText, Say
from voicebot.dialogue.loader import load_dialogue
from voicebot.dialogue.machine import Conversation

SHIPPED = Path(__file__).resolve().parents[2] / "dialogues"


def conversation(name: str, *answers: str, variables: dict[str, Any] | None = None) -> Conversation:
    """dialogues/NAME.yml started, with each of ``answers`` said in turn."""
    conv = Conversation(load_dialogue(SHIPPED / f"{name}.yml"), dict(variables or {}))
    conv.start()
    for answer in answers:
        conv.handle(CallerText(answer))
    return conv


def prompt_ids(actions: list[Any]) -> list[str]:
    return [a.prompt_id for a in actions if isinstance(a, Say)]


def said(actions: list[Any]) -> list[str]:
    return [a.text for a in actions if isinstance(a, Say)]
