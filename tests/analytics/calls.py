"""Calls made by driving the real dialogue machine with literal caller events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from voicebot.dialogue.events import CallerHangup, CallerText, SilenceTimeout
from voicebot.dialogue.loader import load_dialogue
from voicebot.dialogue.machine import Conversation
from voicebot.record import CallRecord

ROOT = Path(__file__).resolve().parents[2] / "dialogues"
SILENCE = object()


def converse(lines: list[Any], *, dialogue: str = "pizza_order", started_at: str | None = None,
             key: tuple[str, str] | None = None, usage: tuple[float, float] | None = None) -> CallRecord:
    """``lines``: caller texts, ``(text, confidence)``, SILENCE; the caller hangs up after the last."""
    conv = Conversation(load_dialogue(ROOT / f"{dialogue}.yml"), {})
    conv.start()
    for line in lines:
        if conv.ended:
            break
        if line is SILENCE:
            conv.handle(SilenceTimeout())
        elif isinstance(line, tuple):
            conv.handle(CallerText(line[0], confidence=line[1]))
        else:
            conv.handle(CallerText(line))
    conv.handle(CallerHangup("end_of_script"))
    record = conv.record
    if started_at is not None:
        record.started_at = started_at
    if key is not None:
        record.meta["api_key"] = {"id": key[0], "name": key[1]}
    if usage is not None:
        record.meta["usage"] = {"caller_audio_s": usage[0], "bot_audio_s": usage[1]}
    return record


# "that's all" with the pizzas: the bot goes straight on to the address, without "Anything else?".
ORDER = ["two large pepperoni please, that's all", "12 Baker Street", "555 123 4567", "yes"]
